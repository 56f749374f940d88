// The planner's workspace (issue 14): picking projects on the edit map, the drawer's edit link,
// search, archived projects and restore, snapping to another project's vertex, one language at a
// time, and the unsaved-changes guard. Needs a planner account (PLANMAP_E2E_USER/PASSWORD, as
// edit.test.mjs). The test's own projects sit in open sea east of the district, where no seed
// project is, and are archived at the end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { ARGS, CHROMIUM, TIMEOUT } from './harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SHOTS = path.join(HERE, 'screenshots');
const BASE = process.env.PLANMAP_URL;
const USER = process.env.PLANMAP_E2E_USER;
const PASSWORD = process.env.PLANMAP_E2E_PASSWORD;
if (!USER || !PASSWORD) throw new Error('Set PLANMAP_E2E_USER and PLANMAP_E2E_PASSWORD (a planner account)');
const url = (p) => new URL(p, BASE).toString();
const RUN = Date.now().toString(36);
const A = `e2e-pick-a-${RUN}`;
const B = `e2e-pick-b-${RUN}`;
const NAME_A = `拾取测试甲${RUN}`;
const NAME_B = `拾取测试乙${RUN}`;
const UNIT = `端到端测试单位${RUN}`;
// Two squares that overlap in their corner: [121.380, 121.390] and [121.386, 121.396] east.
const SQ_A = [[121.38, 27.62], [121.39, 27.62], [121.39, 27.63], [121.38, 27.63], [121.38, 27.62]];
const SQ_B = [[121.386, 27.626], [121.396, 27.626], [121.396, 27.636], [121.386, 27.636], [121.386, 27.626]];

let browser;
let cookie;
const problems = [];

async function call(method, p, body, headers = {}) {
  const res = await fetch(url(p), { method, headers: { cookie, 'content-type': 'application/json', ...headers }, body: body && JSON.stringify(body) });
  return { res, data: await res.json().catch(() => null) };
}

async function newPage({ width = 1366, height = 768, signedIn = true } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1, locale: 'zh-CN' });
  if (signedIn) {
    const [name, value] = cookie.split('=');
    await context.addCookies([{ name, value, url: BASE }]);
  }
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: .*status of (401|404|412|422)/.test(m.text())) problems.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => { problems.push(`dialog opened: ${d.message()}`); d.dismiss(); });
  return { page, context };
}

async function openEditor(page, query = '') {
  await page.goto(url(`/edit.html${query}`));
  await page.waitForFunction(() => window.planmapEdit && window.planmapEdit.ready);
}

/** Page coordinates of a lon/lat on the edit map. */
function screenAt(page, lngLat) {
  return page.evaluate((c) => {
    const m = window.planmapEdit.map;
    const p = m.project(c);
    const r = m.getContainer().getBoundingClientRect();
    return [r.left + p.x, r.top + p.y];
  }, lngLat);
}

async function fitTo(page, bounds) {
  await page.evaluate((b) => new Promise((res) => {
    const m = window.planmapEdit.map;
    m.once('idle', res);
    m.fitBounds(b, { padding: 120, duration: 0 });
  }), bounds);
}

function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  return page.screenshot({ path: path.join(SHOTS, name) });
}

before(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: TIMEOUT });
  const r = await fetch(url('/api/session'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: USER, password: PASSWORD }) });
  assert.equal(r.status, 200, 'the e2e planner can sign in');
  cookie = r.headers.get('set-cookie').split(';')[0];
  for (const [id, name, ring, status] of [[A, NAME_A, SQ_A, 'under_construction'], [B, NAME_B, SQ_B, 'planned']]) {
    const { res } = await call('POST', '/api/projects', {
      type: 'Feature', id, geometry: { type: 'Polygon', coordinates: [ring] },
      properties: { name_zh: name, kind: 'other', status, responsible_units: [UNIT], sources: [{ title: 'e2e test' }], location_confidence: 'low' },
    });
    assert.equal(res.status, 201, `create ${id}`);
  }
});

after(async () => {
  for (const id of [A, B]) {
    const r = await fetch(url(`/api/projects/${id}`));
    if (r.ok) await call('DELETE', `/api/projects/${id}`, undefined, { 'if-match': r.headers.get('etag') });
  }
  if (browser) await browser.close();
});

test('a click on a project picks it; overlapping projects offer a chooser; the URL holds the pick', { timeout: 3 * TIMEOUT }, async () => {
  const { page, context } = await newPage();
  try {
    await openEditor(page);
    assert.equal(await page.evaluate(() => window.planmapEdit.isNew), true);
    await fitTo(page, [[121.378, 27.618], [121.398, 27.638]]);
    // A's own corner (not under B).
    const [ax, ay] = await screenAt(page, [121.382, 27.622]);
    await page.mouse.move(ax, ay);
    await page.waitForFunction(() => window.planmapEdit.hoverId != null);
    assert.equal(await page.evaluate(() => window.planmapEdit.hoverId), A, 'hover highlights the project under the pointer');
    await page.mouse.click(ax, ay);
    await page.waitForFunction((id) => window.planmapEdit.current && window.planmapEdit.current.id === id, A);
    assert.equal(await page.inputValue('#f-name_zh'), NAME_A);
    assert.equal(new URL(page.url()).searchParams.get('id'), A);
    assert.equal(await page.evaluate(() => window.planmapEdit.draw.getSnapshot().filter((f) => f.properties.mode === 'polygon').length), 1);

    // Back to a new project, then click where A and B overlap: both are offered.
    await page.click('#new-project');
    await fitTo(page, [[121.378, 27.618], [121.398, 27.638]]);
    const [ox, oy] = await screenAt(page, [121.388, 27.628]);
    await page.mouse.click(ox, oy);
    await page.waitForSelector('#chooser:not([hidden])');
    const offered = await page.$$eval('#chooser .chooser-item', (bs) => bs.map((b) => b.dataset.id));
    assert.deepEqual([...offered].sort(), [A, B].sort());
    await shot(page, 'editor-chooser-1366.png');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#chooser', { state: 'hidden' });
    await page.mouse.click(ox, oy);
    await page.click(`#chooser .chooser-item[data-id="${B}"]`);
    await page.waitForFunction((id) => window.planmapEdit.current && window.planmapEdit.current.id === id, B);
    assert.equal(await page.inputValue('#f-name_zh'), NAME_B);
    await shot(page, 'editor-picked-1366.png');
  } finally {
    await context.close();
  }
});

test('the search box finds projects by name, id and unit; the status filter narrows them', { timeout: 2 * TIMEOUT }, async () => {
  const { page, context } = await newPage({ width: 1024, height: 768 });
  try {
    await openEditor(page);
    await page.fill('#search', NAME_A);
    await page.waitForFunction((id) => [...document.querySelectorAll('#results .result')].map((b) => b.dataset.id).join() === id, A);
    await page.fill('#search', UNIT);
    await page.waitForFunction(() => document.querySelectorAll('#results .result').length === 2);
    await page.selectOption('#filter-status', 'planned');
    await page.waitForFunction((id) => [...document.querySelectorAll('#results .result')].map((b) => b.dataset.id).join() === id, B);
    await page.selectOption('#filter-status', '');
    await page.fill('#search', `pick-a-${RUN}`);
    await page.waitForFunction((id) => [...document.querySelectorAll('#results .result')].map((b) => b.dataset.id).join() === id, A);
    await page.click(`#results .result[data-id="${A}"]`);
    await page.waitForFunction((id) => window.planmapEdit.current && window.planmapEdit.current.id === id, A);
    await shot(page, 'editor-search-1024.png');
  } finally {
    await context.close();
  }
});

test('a vertex dragged near another project\'s vertex is saved exactly on it; Ctrl+Z and Ctrl+Shift+Z undo and redo', { timeout: 3 * TIMEOUT }, async () => {
  const { page, context } = await newPage();
  try {
    await openEditor(page, `?id=${A}`);
    await fitTo(page, [[121.378, 27.618], [121.398, 27.638]]);
    // Select A's polygon, then drag its corner (121.39, 27.62) to 4 px beside B's corner (121.396, 27.626).
    const [cx, cy] = await screenAt(page, [121.383, 27.623]);
    await page.mouse.click(cx, cy);
    await page.waitForFunction(() => window.planmapEdit.draw.getSnapshot().some((f) => f.properties.selected));
    const [fx, fy] = await screenAt(page, [121.39, 27.62]);
    const [tx, ty] = await screenAt(page, [121.396, 27.626]);
    await page.mouse.move(fx, fy);
    await page.mouse.down();
    for (let i = 1; i <= 10; i += 1) await page.mouse.move(fx + ((tx + 4 - fx) * i) / 10, fy + ((ty - 3 - fy) * i) / 10);
    await page.mouse.up();
    const moved = await page.evaluate(() => window.planmapEdit.draw.getSnapshot().find((f) => f.properties.mode === 'polygon').geometry.coordinates[0]);
    assert.ok(moved.some((c) => c[0] === 121.396 && c[1] === 27.626), `snapped onto B's vertex: ${JSON.stringify(moved)}`);
    assert.equal(await page.evaluate(() => window.planmapEdit.isDirty()), true);

    await page.locator('#map canvas').first().focus().catch(() => {});
    await page.keyboard.press('Control+z');
    await page.waitForFunction(() => !window.planmapEdit.draw.getSnapshot().find((f) => f.properties.mode === 'polygon').geometry.coordinates[0].some((c) => c[0] === 121.396));
    await page.keyboard.press('Control+Shift+Z');
    await page.waitForFunction(() => window.planmapEdit.draw.getSnapshot().find((f) => f.properties.mode === 'polygon').geometry.coordinates[0].some((c) => c[0] === 121.396 && c[1] === 27.626));

    await page.click('#save');
    await page.waitForFunction(() => window.planmapEdit.current.properties.version === 2);
    const { data } = await call('GET', `/api/projects/${A}`);
    assert.ok(data.geometry.coordinates[0].some((c) => c[0] === 121.396 && c[1] === 27.626), `the saved coordinate is B's vertex: ${JSON.stringify(data.geometry.coordinates[0])}`);

    // The help popover lists the shortcuts.
    await page.click('#help-btn');
    await page.waitForSelector('#help:popover-open');
    assert.match(await page.textContent('#help'), /Ctrl.*Z[\s\S]*Shift[\s\S]*Enter[\s\S]*Esc/);
    await shot(page, 'editor-help-1366.png');
  } finally {
    await context.close();
  }
});

test('leaving unsaved changes asks first: keep editing keeps them, discard drops them', { timeout: 2 * TIMEOUT }, async () => {
  const { page, context } = await newPage();
  try {
    await openEditor(page, `?id=${A}`);
    await page.fill('#f-description', '未保存的说明');
    await page.fill('#search', NAME_B);
    await page.click(`#results .result[data-id="${B}"]`);
    await page.waitForSelector('#confirm-discard[open]');
    await shot(page, 'editor-guard-1366.png');
    await page.click('#discard-no');
    assert.equal(await page.evaluate(() => window.planmapEdit.current.id), A);
    assert.equal(await page.inputValue('#f-description'), '未保存的说明');
    await page.click('#new-project');
    await page.waitForSelector('#confirm-discard[open]');
    await page.click('#discard-no');
    assert.equal(await page.evaluate(() => window.planmapEdit.isNew), false);
    await page.click(`#results .result[data-id="${B}"]`);
    await page.waitForSelector('#confirm-discard[open]');
    await page.click('#discard-yes');
    await page.waitForFunction((id) => window.planmapEdit.current && window.planmapEdit.current.id === id, B);
    assert.equal(await page.evaluate(() => window.planmapEdit.isDirty()), false);
    // Nothing changed, nothing asked.
    await page.click('#new-project');
    await page.waitForFunction(() => window.planmapEdit.isNew);
    assert.equal(await page.isVisible('#confirm-discard'), false);
  } finally {
    await context.close();
  }
});

test('the drawer on the map page links planners to the editor on that project, and nobody else', { timeout: 2 * TIMEOUT }, async () => {
  const anon = await newPage({ signedIn: false });
  try {
    await anon.page.goto(url(`/?sel=${B}`));
    await anon.page.waitForFunction(() => window.planmap && window.planmap.ready);
    await anon.page.waitForSelector('#details:not([hidden])');
    await anon.page.waitForTimeout(300);
    assert.equal(await anon.page.isVisible('#details-edit'), false, 'no edit link for visitors');
  } finally {
    await anon.context.close();
  }
  const { page, context } = await newPage();
  try {
    await page.goto(url(`/?sel=${B}`));
    await page.waitForFunction(() => window.planmap && window.planmap.ready);
    await page.waitForSelector('#details-edit:visible');
    assert.equal(await page.textContent('#details-edit'), '编辑此项目');
    await shot(page, 'map-drawer-edit-1366.png');
    await Promise.all([page.waitForURL(/edit\.html\?id=/), page.click('#details-edit')]);
    await page.waitForFunction(() => window.planmapEdit && window.planmapEdit.ready);
    assert.equal(await page.evaluate(() => window.planmapEdit.current.id), B);
    assert.equal(await page.inputValue('#f-name_zh'), NAME_B);
  } finally {
    await context.close();
  }
});

test('an archived project is listed with who archived it and when, and restored from the list', { timeout: 2 * TIMEOUT }, async () => {
  const { page, context } = await newPage();
  try {
    await openEditor(page, `?id=${B}`);
    await page.click('#delete');
    await page.click('#confirm-delete-yes');
    await page.waitForSelector('#undo-archive');
    assert.equal((await fetch(url(`/api/projects/${B}`))).status, 404);
    await page.click('#archived-box summary');
    const item = page.locator(`#archived-list .archived-item[data-id="${B}"]`);
    await item.waitFor();
    const line = await item.textContent();
    assert.ok(line.includes(NAME_B) && line.includes(USER), line);
    assert.match(line, /\d{4}-\d\d-\d\d \d\d:\d\d/);
    await shot(page, 'editor-archived-1366.png');
    await item.locator('button').click();
    await page.waitForFunction((id) => window.planmapEdit.current && window.planmapEdit.current.id === id && !window.planmapEdit.isNew, B);
    assert.equal((await fetch(url(`/api/projects/${B}`))).status, 200);
    await page.waitForFunction((id) => !document.querySelector(`#archived-list .archived-item[data-id="${id}"]`), B);
  } finally {
    await context.close();
  }
});

test('one language at a time: the editor and the sign-in page switch between Chinese and English', { timeout: 2 * TIMEOUT }, async () => {
  const { page, context } = await newPage({ width: 1024, height: 768 });
  try {
    await openEditor(page, `?id=${A}`);
    const CJK = /[\u4e00-\u9fff]/;
    const chrome = () => page.$$eval('h1, h2, label, button, summary, #who', (ns) => ns.filter((n) => n.offsetParent !== null && !n.closest('#results, #archived-list, #chooser')).map((n) => n.textContent.trim()).filter(Boolean));
    const zh = await chrome();
    assert.equal(await page.textContent('#save'), '保存');
    assert.ok(!zh.some((s) => /\b(Save|Sign out|Edit projects|Geometry)\b/.test(s)), `no English beside the Chinese: ${zh.join(' | ')}`);
    await page.click('#lang-btn');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    assert.equal(await page.textContent('#save'), 'Save');
    assert.equal(await page.textContent('h1'), 'Edit projects');
    const en = (await chrome()).filter((s) => !s.includes(NAME_A) && s !== '中文');
    assert.deepEqual(en.filter((s) => CJK.test(s)), [], 'no Chinese label in English');
    assert.equal(await page.evaluate(() => window.planmapEdit.map.getLayoutProperty('project-label', 'text-field')[1][1]), 'name_en');
    await shot(page, 'editor-en-1024.png');
    // The choice follows the planner to the sign-in page and back.
    await page.goto(url('/signin.html'));
    assert.equal(await page.textContent('#signin-submit'), 'Sign in');
    await page.click('#lang-btn');
    assert.equal(await page.textContent('#signin-submit'), '登录');
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    await openEditor(page, `?id=${A}`);
    assert.equal(await page.textContent('#save'), '保存');
  } finally {
    await context.close();
  }
});

test('planner workspace: no console errors, no page errors, no native dialogs', () => {
  assert.deepEqual(problems, []);
});
