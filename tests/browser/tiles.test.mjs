// The page above the tiles threshold: a store of 3,000 synthetic projects (`planmap demo-data
// --count 3000`, never mixed with geodata/) on its own server, so the page draws the map from
// vector tiles, takes its figures from /api/stats and pages its table on the server, and never
// asks for the whole list.
//
// Starts its own planmap (PLANMAP_BIN, default target/debug/planmap) on a free loopback port with a
// temporary SQLite file; needs Chromium like the other page tests.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { ARGS, CHROMIUM, TIMEOUT } from './harness.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.resolve(ROOT, process.env.PLANMAP_BIN || 'target/debug/planmap');
const COUNT = 3000;

let tmp;
let server;
let base;
let browser;

function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); });
    s.on('error', rej);
  });
}

before(async () => {
  assert.ok(fs.existsSync(BIN), `planmap binary not found at ${BIN} (cargo build, or set PLANMAP_BIN)`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'planmap-tiles-'));
  const db = `sqlite:${path.join(tmp, 'demo.db')}`;
  execFileSync(BIN, ['--database-url', db, 'demo-data', '--count', String(COUNT), '--seed', '1'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const port = await freePort();
  server = spawn(BIN, ['--database-url', db, '--seed', 'false', 'serve', '--bind', `127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  base = `http://127.0.0.1:${port}`;
  let up = false;
  for (let i = 0; i < 240 && !up; i++) {
    try { up = (await fetch(`${base}/readyz`)).ok; } catch (_) { /* not yet */ }
    if (!up) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(up, 'the demo server did not become ready');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: TIMEOUT });
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.kill('SIGTERM');
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function json(p) {
  const r = await fetch(`${base}${p}`);
  assert.equal(r.status, 200, `GET ${p}`);
  return r.json();
}

describe('page on tiles', { timeout: 6 * TIMEOUT }, () => {
  test('3,000 projects: map from tiles, figures from /api/stats, table paged on the server', async () => {
    const meta = await json('/api/meta');
    assert.equal(meta.project_count, COUNT);
    assert.ok(meta.project_count > meta.tiles_threshold, `threshold ${meta.tiles_threshold}`);
    const stats = await json('/api/stats');
    assert.equal(stats.count, COUNT);

    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: 'zh-CN' });
    const requests = [];
    const problems = [];
    context.on('request', (r) => requests.push(r.url()));
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    try {
      await page.goto(`${base}/`, { waitUntil: 'load' });
      await page.waitForFunction(() => window.planmap && window.planmap.ready, null, { timeout: TIMEOUT });
      await page.evaluate(() => window.planmap.ready);
      assert.equal(await page.evaluate(() => window.planmap.state.tiled), true);

      // Never the whole list: every /api/projects request is a page of the table.
      const lists = requests.filter((u) => new URL(u).pathname === '/api/projects');
      assert.ok(lists.length >= 1, 'the table asked for its first page');
      for (const u of lists) assert.ok(new URL(u).searchParams.has('limit'), `whole list asked for: ${u}`);
      assert.ok(requests.some((u) => /\/tiles\/projects\/\d+\/\d+\/\d+\.mvt/.test(u)), 'tiles were asked for');

      // The map draws projects (or their clusters) from the tiles.
      const drawn = await page.evaluate(() => {
        const m = window.planmap.map;
        const layers = ['tile-point', 'tile-fill', 'tile-line', 'tile-cluster'].filter((l) => m.getLayer(l));
        return m.queryRenderedFeatures({ layers }).length;
      });
      assert.ok(drawn > 0, 'tile features are drawn');

      // The count, the KPI card and the table's total are the server's.
      assert.equal(await page.getAttribute('#count', 'data-count'), String(COUNT));
      assert.equal(await page.getAttribute('[data-kpi="count"] .kpi-value', 'data-value'), String(COUNT));
      assert.equal(await page.locator('#project-list .proj-item').count(), 200);
      // So are the status filter's counts (not those of the table's first 200 rows).
      const shown = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-count-for]')].map((n) => [n.dataset.countFor, n.textContent])));
      const want = Object.fromEntries(stats.by_status.map((b) => [b.key ?? 'null', String(b.count)]));
      for (const [k, v] of Object.entries(shown)) assert.equal(v, want[k] ?? '0', `status ${k}: shown ${v}`);

      // "Show more" loads the next page from the server.
      await page.click('#tab-projects');
      assert.equal(await page.isVisible('#table-more'), true);
      await page.click('#table-more');
      await page.waitForFunction(() => document.querySelectorAll('#project-list .proj-item').length === 400);
      const ids = await page.evaluate(() => window.planmap.state.features.map((f) => String(f.id)));
      assert.equal(new Set(ids).size, 400, 'pages do not overlap');

      // A filter goes to the server: the numbers and the tile URL follow it.
      const kind = stats.by_kind.find((b) => b.key && b.count > 0 && b.count < COUNT).key;
      await page.selectOption('#kind-filter', kind);
      await page.waitForFunction(() => !window.planmap.state.loading && window.planmap.state.kind !== '');
      await page.waitForFunction((k) => window.planmap.state.serverStats && window.planmap.state.total === k, stats.by_kind.find((b) => b.key === kind).count);
      const tileUrl = await page.evaluate(() => window.planmap.map.getSource('project-tiles').tiles[0]);
      assert.ok(new URL(tileUrl.replace(/\{[xyz]\}/g, '0')).searchParams.get('kind') === kind, tileUrl);
      const filtered = await json(`/api/stats?kind=${encodeURIComponent(kind)}`);
      assert.equal(await page.getAttribute('#count', 'data-count'), String(filtered.count));

      // The island filter is the server's `island=` on tiles too: options from the gazetteer,
      // figures, table and tiles follow it.
      assert.equal(await page.isDisabled('#island-filter'), false);
      const islands = await page.evaluate(() => [...document.querySelectorAll('#island-filter option')].map((o) => o.value).filter(Boolean));
      let island = null;
      let onIsland = null;
      for (const name of islands) {
        const s = await json(`/api/stats?kind=${encodeURIComponent(kind)}&island=${encodeURIComponent(name)}`);
        if (s.count > 0 && s.count < filtered.count) { island = name; onIsland = s; break; }
      }
      assert.ok(island, `an island holding some of the ${kind} projects among ${islands.join(', ')}`);
      await page.selectOption('#island-filter', island);
      await page.waitForFunction((n) => !window.planmap.state.loading && window.planmap.state.total === n, onIsland.count);
      assert.equal(await page.getAttribute('#count', 'data-count'), String(onIsland.count));
      const islandTiles = await page.evaluate(() => window.planmap.map.getSource('project-tiles').tiles[0]);
      assert.equal(new URL(islandTiles.replace(/\{[xyz]\}/g, '0')).searchParams.get('island'), island, islandTiles);
      const rows = await page.evaluate(() => window.planmap.state.features.map((f) => f.properties.islands || []));
      assert.ok(rows.length > 0 && rows.every((is) => is.includes(island)), 'every row of the table touches the island');

      // The late filter needs every project's milestones in the page: off on tiles.
      assert.equal(await page.isDisabled('#late-filter'), true);

      // A click on a drawn project opens its drawer (fetched by id).
      await page.evaluate(() => window.planmap.openDetails(window.planmap.state.features[0].id));
      await page.waitForFunction(() => !document.getElementById('details').hidden);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
