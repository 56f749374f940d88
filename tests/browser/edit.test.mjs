// Browser checks of the editing page (web/edit.html), node's own test runner:
//
//   PLANMAP_URL=http://127.0.0.1:PORT PLANMAP_E2E_USER=… PLANMAP_E2E_PASSWORD=… node --test edit.test.mjs
//
// Needs a running planmap with a planner account (scripts/test creates one) and Debian's
// Chromium. A planner signs in, draws a polygon, saves, reloads and sees it; a conflicting save
// opens the conflict panel; a project named like an HTML tag shows as text on both pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SHOTS = path.join(HERE, 'screenshots');
const BASE = process.env.PLANMAP_URL;
const USER = process.env.PLANMAP_E2E_USER;
const PASSWORD = process.env.PLANMAP_E2E_PASSWORD;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--use-angle=swiftshader', '--enable-unsafe-swiftshader'];
const TIMEOUT = 60_000;
const XSS = '<img src=x onerror=alert(1)>';
const RUN = Date.now().toString(36);
const XSS_ID = `e2e-xss-${RUN}`;
const DRAWN_ID = `e2e-drawn-${RUN}`;

if (!BASE || !USER || !PASSWORD) throw new Error('Set PLANMAP_URL, PLANMAP_E2E_USER and PLANMAP_E2E_PASSWORD (a planner account)');
const url = (p) => new URL(p, BASE).toString();

let browser;
let cookie;
const problems = [];

async function call(method, p, body, headers = {}) {
  const res = await fetch(url(p), { method, headers: { cookie, 'content-type': 'application/json', ...headers }, body: body && JSON.stringify(body) });
  return { res, data: await res.json().catch(() => null) };
}

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  // The test provokes a 412 (conflict) and a 422 (field error) on purpose; Chromium logs every
  // non-2xx response as a console error, so those two are expected. Anything else is a problem.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: .*status of (412|422|404)/.test(m.text())) problems.push(`console.error: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() === 404 && !r.url().endsWith('/favicon.ico')) problems.push(`404: ${r.url()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => { problems.push(`dialog opened: ${d.message()}`); d.dismiss(); });
  return { page, context };
}

async function signIn(page) {
  await page.goto(url('/signin.html?next=edit.html'));
  await page.fill('#name', USER);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL(/edit\.html/), page.click('#signin-submit')]);
  await page.waitForFunction(() => window.planmapEdit && window.planmapEdit.ready);
}

before(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: TIMEOUT });
  const r = await fetch(url('/api/session'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: USER, password: PASSWORD }) });
  assert.equal(r.status, 200, 'the e2e planner can sign in');
  cookie = r.headers.get('set-cookie').split(';')[0];
  const { res } = await call('POST', '/api/projects', {
    type: 'Feature', id: XSS_ID, geometry: { type: 'Point', coordinates: [121.13, 27.86] },
    properties: { name_zh: XSS, kind: 'other', sources: [{ title: 'e2e test' }], location_confidence: 'low' },
  });
  assert.equal(res.status, 201);
});

after(async () => {
  // Archive what the test made, so other browser tests see the seed only.
  for (const id of [XSS_ID, DRAWN_ID]) {
    const r = await fetch(url(`/api/projects/${id}`));
    if (r.ok) await call('DELETE', `/api/projects/${id}`, undefined, { 'if-match': r.headers.get('etag') });
  }
  if (browser) await browser.close();
});

test('a planner signs in, draws a polygon, saves, reloads and sees it', { timeout: 5 * TIMEOUT }, async () => {
  const { page, context } = await newPage();
  try {
    await signIn(page);
    assert.match(await page.textContent('#who'), new RegExp(USER));
    await page.click('#new-project');
    await page.fill('#f-id', DRAWN_ID);
    await page.fill('#f-name_zh', '端到端测试码头');
    await page.selectOption('#f-status', 'planned');
    await page.fill('#f-progress_pct', '12.5');
    await page.fill('#f-investment_total', '3200.5');
    await page.fill('#f-sources', 'e2e drawing | https://example.invalid/plan');
    await page.click('#tool-polygon');
    const box = await page.locator('#map').boundingBox();
    const cx = box.x + box.width / 2; const cy = box.y + box.height / 2;
    const corners = [[-70, -50], [70, -50], [70, 50], [-70, 50]];
    for (const [dx, dy] of corners) { await page.mouse.click(cx + dx, cy + dy); await page.waitForTimeout(150); }
    await page.mouse.click(cx + corners[0][0], cy + corners[0][1]);
    await page.waitForFunction(() => window.planmapEdit.draw.getSnapshot().some((f) => f.geometry.type === 'Polygon' && f.properties.mode === 'polygon' && !f.properties.currentlyDrawing));
    // Undo removes the finished polygon, redo brings it back.
    await page.click('#undo');
    await page.click('#redo');
    await page.waitForFunction(() => window.planmapEdit.draw.getSnapshot().filter((f) => f.geometry.type === 'Polygon').length === 1);
    await page.click('#save');
    await page.waitForSelector('#saved:not([hidden])');
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'edit-saved.png') });

    await page.goto(url(`/edit.html?id=${DRAWN_ID}`));
    await page.waitForFunction(() => window.planmapEdit && window.planmapEdit.ready);
    const cur = await page.evaluate(() => window.planmapEdit.current);
    assert.equal(cur.id, DRAWN_ID);
    assert.equal(cur.geometry.type, 'Polygon');
    assert.equal(cur.geometry.coordinates[0].length, 5);
    assert.equal(cur.properties.status, 'planned');
    assert.equal(cur.properties.investment_total, 3200.5, 'money is served as a JSON number');
    assert.equal(await page.inputValue('#f-name_zh'), '端到端测试码头');
    assert.equal(await page.evaluate(() => window.planmapEdit.draw.getSnapshot().length), 1, 'the saved polygon is loaded for editing');
    const { data: hist } = await call('GET', `/api/projects/${DRAWN_ID}/history`);
    assert.equal(hist[0].author, USER);

    // Someone else saves meanwhile: the planner's save is refused and the conflict panel opens.
    const other = await call('PATCH', `/api/projects/${DRAWN_ID}`, { properties: { progress_pct: 50 } }, { 'if-match': '"1"' });
    assert.equal(other.res.status, 200);
    await page.fill('#f-progress_pct', '20');
    await page.click('#save');
    await page.waitForSelector('#conflict:not([hidden])');
    await page.click('#conflict-compare');
    await page.waitForSelector('#conflict-table:not([hidden])');
    // Side by side, one row per differing field: mine (20) beside theirs (50), and nothing else.
    const rows = await page.$$eval('#conflict-table tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
    assert.deepEqual(rows, [['形象进度（%）', '20', '50']]);
    await page.click('#conflict-reload');
    await page.waitForFunction(() => window.planmapEdit.current.properties.version === 2);
    assert.equal(await page.inputValue('#f-progress_pct'), '50');

    // A server-side field error is shown next to its field.
    await page.fill('#f-progress_pct', '140');
    await page.click('#save');
    await page.waitForSelector('.field[data-field="progress_pct"] .field-error');
    // Cancel restores what the server has.
    await page.click('#cancel');
    assert.equal(await page.inputValue('#f-progress_pct'), '50');

    // A second part (a project on two islands): saved as one MultiPolygon.
    await page.click('#tool-polygon');
    const b2 = await page.locator('#map').boundingBox();
    const small = [[12, 12], [62, 12], [62, 62], [12, 62]].map(([dx, dy]) => [b2.x + dx + 40, b2.y + dy + 40]);
    for (const [x, y] of small) { await page.mouse.click(x, y); await page.waitForTimeout(150); }
    await page.mouse.click(small[0][0], small[0][1]);
    await page.waitForFunction(() => window.planmapEdit.draw.getSnapshot().filter((f) => f.geometry.type === 'Polygon' && !f.properties.currentlyDrawing).length === 2);
    await page.click('#save');
    await page.waitForFunction(() => window.planmapEdit.current.properties.version === 3);
    let g = await page.evaluate(() => window.planmapEdit.current.geometry);
    assert.equal(g.type, 'MultiPolygon');
    assert.equal(g.coordinates.length, 2);
    assert.equal(await page.evaluate(() => window.planmapEdit.draw.getSnapshot().length), 2, 'each part is editable on its own');

    // Select the small part and remove it: back to a single Polygon.
    await page.click('#tool-select');
    const c = await page.evaluate(() => {
      const parts = window.planmapEdit.draw.getSnapshot();
      const area = (f) => { const r = f.geometry.coordinates[0]; return Math.abs((r[2][0] - r[0][0]) * (r[2][1] - r[0][1])); };
      const smallest = parts.sort((x, y) => area(x) - area(y))[0];
      const r = smallest.geometry.coordinates[0];
      const p = window.planmapEdit.map.project([(r[0][0] + r[2][0]) / 2, (r[0][1] + r[2][1]) / 2]);
      const rect = window.planmapEdit.map.getContainer().getBoundingClientRect();
      return [rect.left + p.x, rect.top + p.y];
    });
    await page.mouse.click(c[0], c[1]);
    await page.waitForFunction(() => window.planmapEdit.draw.getSnapshot().some((f) => f.properties.selected));
    await page.click('#remove-part');
    await page.click('#save');
    await page.waitForFunction(() => window.planmapEdit.current.properties.version === 4);
    g = await page.evaluate(() => window.planmapEdit.current.geometry);
    assert.equal(g.type, 'Polygon');

    // Delete asks first; cancelling keeps the project, confirming archives it, Undo restores it.
    await page.click('#delete');
    await page.click('#confirm-delete-no');
    assert.equal((await fetch(url(`/api/projects/${DRAWN_ID}`))).status, 200);
    await page.click('#delete');
    await page.click('#confirm-delete-yes');
    await page.waitForSelector('#undo-archive');
    assert.equal((await fetch(url(`/api/projects/${DRAWN_ID}`))).status, 404);
    await page.click('#undo-archive');
    await page.waitForFunction((id) => window.planmapEdit.current && window.planmapEdit.current.id === id && window.planmapEdit.current.properties.version === 6, DRAWN_ID);
    assert.equal((await fetch(url(`/api/projects/${DRAWN_ID}`))).status, 200);
  } finally {
    await context.close();
  }
});

test('a self-intersecting polygon is refused, and the crossing is marked on the map', { timeout: 3 * TIMEOUT }, async () => {
  const { page, context } = await newPage();
  try {
    await signIn(page);
    await page.click('#new-project');
    await page.fill('#f-id', `e2e-bowtie-${RUN}`);
    await page.fill('#f-name_zh', '自相交测试');
    await page.fill('#f-sources', 'e2e');
    await page.click('#tool-polygon');
    const box = await page.locator('#map').boundingBox();
    const cx = box.x + box.width / 2; const cy = box.y + box.height / 2;
    // Top-left, bottom-right, top-right, bottom-left: the edges cross in the middle.
    const pts = [[-60, -40], [60, 40], [60, -40], [-60, 40]];
    for (const [dx, dy] of pts) { await page.mouse.click(cx + dx, cy + dy); await page.waitForTimeout(150); }
    await page.mouse.click(cx + pts[0][0], cy + pts[0][1]);
    await page.waitForFunction(() => window.planmapEdit.draw.getSnapshot().some((f) => f.geometry.type === 'Polygon' && !f.properties.currentlyDrawing));
    await page.click('#save');
    await page.waitForSelector('#geometry-errors li');
    const marked = await page.evaluate(() => window.planmapEdit.problemPoints.length);
    assert.ok(marked >= 1, 'the self-intersection point is on the map');
    assert.equal((await fetch(url(`/api/projects/e2e-bowtie-${RUN}`))).status, 404, 'nothing was written');
  } finally {
    await context.close();
  }
});

test('a project named like an HTML tag is shown as text on both pages', { timeout: 3 * TIMEOUT }, async () => {
  const { page, context } = await newPage();
  try {
    await signIn(page);
    // Found by its id in the search box: the list shows the name verbatim, as text.
    await page.fill('#search', XSS_ID);
    await page.waitForSelector(`#results .result[data-id="${XSS_ID}"]`);
    const labels = await page.$$eval('#results .result', (bs) => bs.map((b) => b.textContent));
    assert.ok(labels.some((l) => l.includes(XSS)), 'the name is listed verbatim');
    await page.click(`#results .result[data-id="${XSS_ID}"]`);
    await page.waitForFunction((id) => window.planmapEdit.current && window.planmapEdit.current.id === id, XSS_ID);
    assert.equal(await page.inputValue('#f-name_zh'), XSS);
    assert.equal(await page.locator('img[src="x"]').count(), 0);
    await page.goto(url('/'));
    await page.waitForFunction(() => window.planmap && window.planmap.ready);
    await page.evaluate(() => window.planmap.ready);
    await page.waitForTimeout(500);
    assert.equal(await page.locator('img[src="x"]').count(), 0, 'no element was made from the name');
    assert.ok((await page.textContent('body')).includes(XSS), 'the map page lists the name as text');
  } finally {
    await context.close();
  }
});

test('a viewer or anonymous visitor gets no editor', { timeout: TIMEOUT }, async () => {
  const { page, context } = await newPage();
  try {
    await page.goto(url('/edit.html'));
    await page.waitForFunction(() => window.planmapEdit && window.planmapEdit.ready);
    assert.equal(await page.isVisible('#need-signin'), true);
    assert.equal(await page.isVisible('#editor'), false);
  } finally {
    await context.close();
  }
});

test('editing pages: no console errors, no page errors, no dialogs', () => {
  assert.deepEqual(problems, []);
});
