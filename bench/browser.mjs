#!/usr/bin/env node
// Browser benchmark of the leadership view: first render of the real data and of 10,000
// synthetic projects, then the cost of a filter change and of a step of the month slider,
// measured inside headless Chromium (performance marks of web/app.js) and printed as a table.
// Since navigation start: kpis_ms = KPI cards and table filled; first_render_ms = the first frame
// with projects drawn and the KPI cards in; numbers_ms = the charts drawn too (they follow the
// map's first frame); map_idle_ms = the map settled, every label placed.
//
//   node bench/browser.mjs                 # builds nothing; uses ./target/debug/planmap (or PLANMAP_BIN)
//   PLANMAP_BIN=target/release/planmap COUNT=10000 RUNS=3 node bench/browser.mjs
//
// It starts its own servers on free loopback ports: one with the seed (46 projects), two on a
// temporary SQLite file filled by `planmap demo-data --count COUNT --seed 1` (server with
// --seed false): one with the default --tiles-threshold (2,000: above it the page works on
// tiles), one with the threshold above COUNT (the whole list, as below the threshold). Needs Debian's chromium (CHROMIUM overrides) and tests/browser's node_modules
// (cd tests/browser && npm ci). Prints one line per measure; exits non-zero on a failure.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { chromium } = await import(pathToFileURL(path.join(ROOT, 'tests/browser/node_modules/playwright-core/index.mjs')).href);
const BIN = path.resolve(ROOT, process.env.PLANMAP_BIN || 'target/debug/planmap');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const COUNT = Number(process.env.COUNT || 10000);
const RUNS = Number(process.env.RUNS || 3);
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); });
    s.on('error', rej);
  });
}
async function serve(dbUrl, seed, extra = []) {
  const port = await freePort();
  const child = spawn(BIN, ['--database-url', dbUrl, '--bind', `127.0.0.1:${port}`, '--seed', String(seed), 'serve', ...extra],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    try { if ((await fetch(`${base}/readyz`)).ok) return { child, base }; } catch (_) { /* not yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill();
  throw new Error(`server on ${port} did not become ready`);
}

async function measure(browser, base, label) {
  const rows = [];
  for (let r = 0; r < RUNS; r++) {
    const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await ctx.newPage();
    await page.goto(`${base}/?lang=zh`);
    await page.waitForFunction(() => window.planmap && window.planmap.ready, null, { timeout: 120000 });
    await page.evaluate(() => window.planmap.ready);
    const t = await page.evaluate(() => window.planmap.state.timings);
    // Read before the month steps below (which show fewer projects, as they were then).
    const n = await page.evaluate(() => (window.planmap.state.tiled ? window.planmap.state.total : window.planmap.state.raw.length));
    const tiled = await page.evaluate(() => !!window.planmap.state.tiled);
    // A filter change (client-side): time until map data, KPIs, charts and table are redrawn.
    const filterMs = await page.evaluate(async () => {
      const s = document.getElementById('status-filter').querySelector('#st-under_construction');
      const t0 = performance.now();
      s.click();
      await new Promise((res) => { const w = () => (window.planmap.state.loading ? requestAnimationFrame(w) : res()); w(); });
      await new Promise((res) => requestAnimationFrame(() => res()));
      return performance.now() - t0;
    });
    // Month steps on the slider (as-of state re-derived, everything redrawn). The first one also
    // asks the server for ?as_of= (400 until the history lands); the next ones are local.
    const step = (m) => page.evaluate(async (month) => {
      const t0 = performance.now();
      window.planmap.setMonth(month);
      await new Promise((res) => { const w = () => (window.planmap.state.loading ? requestAnimationFrame(w) : res()); w(); });
      await new Promise((res) => requestAnimationFrame(() => res()));
      return performance.now() - t0;
    }, m);
    const firstStepMs = await step('2025-06');
    const sliderMs = await step('2025-07');
    // Smoothness: frames during a 2 s pan.
    const fps = await page.evaluate(async () => {
      const m = window.planmap.map;
      let frames = 0;
      const on = () => { frames++; };
      m.on('render', on);
      m.panBy([400, 200], { duration: 2000 });
      await new Promise((res) => setTimeout(res, 2100));
      m.off('render', on);
      return frames / 2;
    });
    rows.push({ n, tiled, first: t.firstRenderMs, idle: t.idleMs, kpis: t.kpisMs, numbers: t.numbersMs, filterMs, firstStepMs, sliderMs, fps });
    await ctx.close();
  }
  const med = (k) => rows.map((x) => x[k]).sort((a, b) => a - b)[Math.floor(rows.length / 2)];
  console.log(`${label.padEnd(30)} projects=${rows[0].n}  mode=${rows[0].tiled ? 'tiles' : 'whole'}  kpis_ms=${med('kpis')}  first_render_ms=${med('first')}  numbers_ms=${med('numbers')}  map_idle_ms=${med('idle')}  `
    + `filter_ms=${Math.round(med('filterMs'))}  first_month_step_ms=${Math.round(med('firstStepMs'))}  month_step_ms=${Math.round(med('sliderMs'))}  `
    + `pan_fps=${med('fps').toFixed(1)}  (median of ${RUNS})`);
  return rows;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'planmap-bench-'));
const servers = [];
let browser;
try {
  const seedDb = `sqlite:${path.join(tmp, 'seed.db')}`;
  const synthDb = `sqlite:${path.join(tmp, 'synthetic.db')}`;
  execFileSync(BIN, ['--database-url', synthDb, 'demo-data', '--count', String(COUNT), '--seed', '1'], { stdio: 'ignore' });
  servers.push(await serve(seedDb, true));
  servers.push(await serve(synthDb, false));
  // The same synthetic store with the whole list loaded (threshold above COUNT), for comparison.
  servers.push(await serve(synthDb, false, ['--tiles-threshold', String(COUNT + 1)]));
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  console.log(`# planmap browser benchmark (${BIN}, headless Chromium with software GL, 1920x1080)`);
  await measure(browser, servers[0].base, 'dongtou seed');
  await measure(browser, servers[1].base, `synthetic ${COUNT}`);
  await measure(browser, servers[2].base, `synthetic ${COUNT}, whole list`);
} finally {
  if (browser) await browser.close();
  for (const s of servers) s.child.kill();
  fs.rmSync(tmp, { recursive: true, force: true });
}
