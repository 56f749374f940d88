// Browser checks of the leadership view (issue 6), with node's test runner and headless Chromium:
//
//   cd tests/browser && npm ci && PLANMAP_URL=http://127.0.0.1:PORT node --test --test-concurrency=1 dashboard.test.mjs
//
// Same harness as map.test.mjs. Screenshots (and an A4 print PDF) go to ./screenshots/.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { SHOTS, TIMEOUT, BASE, ORIGIN, url, allRequests, externalRequests, problems, browser, api, newPage, waitReady, settle, shot, useBrowser } from './harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
useBrowser();


const { STRINGS } = await import(pathToFileURL(path.join(HERE, '../../web/i18n.js')).href);
const { shownQuery, MAX_IDS } = await import(pathToFileURL(path.join(HERE, '../../web/export-menu.js')).href);
// format, content type (src/formats/mod.rs), file extension
const FORMATS = [
  ['geojson', 'application/geo+json', 'geojson'],
  ['csv', 'text/csv; charset=utf-8', 'csv'],
  ['gpkg', 'application/geopackage+sqlite3', 'gpkg'],
  ['kml', 'application/vnd.google-earth.kml+xml', 'kml'],
  ['shp', 'application/zip', 'shp.zip'],
  ['fgb', 'application/flatgeobuf', 'fgb'],
];
const ALL = ['planned', 'preparing', 'under_construction', 'completed', 'suspended'];
const kpi = (page, key) => page.getAttribute(`[data-kpi="${key}"] .kpi-value`, 'data-value');
const kpiText = (page, key) => page.textContent(`[data-kpi="${key}"]`);
const statusCount = (stats, s) => (stats.by_status.find((b) => b.key === s) || { count: 0 }).count;

describe('leadership view', { timeout: 10 * TIMEOUT }, () => {
  test('zh 1920x1080: KPI numbers equal /api/stats; first render is measured', async () => {
    const stats = await api('/api/stats');
    const { page, context } = await newPage({ width: 1920, height: 1080 });
    try {
      const t = await page.evaluate(() => window.planmap.state.timings);
      console.log(`# first render ${t.firstRenderMs} ms, map idle ${t.idleMs} ms (${stats.count} projects, headless Chromium, software GL)`);
      assert.ok(t.firstRenderMs > 0);
      assert.equal(await kpi(page, 'count'), String(stats.count));
      assert.equal(await kpi(page, 'under_construction'), String(statusCount(stats, 'under_construction')));
      assert.equal(await kpi(page, 'completed'), String(statusCount(stats, 'completed')));
      const inv = await kpiText(page, 'investment_total');
      assert.ok(inv.includes(`${stats.investment_reported}/${stats.count} 个项目填报`), inv);
      if (stats.investment_reported === 0) {
        assert.ok(inv.includes('未填报'), 'unknown investment reads 未填报, never 0');
        assert.equal(await kpi(page, 'investment_total'), null);
      } else {
        assert.ok(await page.evaluate((v) => window.planmap.state.kpi.investment_total === String(v), stats.investment_total));
      }
      // The rates say what they are computed over.
      assert.match(await kpiText(page, 'completion_rate'), /按填报的|无项目填报/);
      assert.match(await kpiText(page, 'late'), /落后时间进度/);
      // Charts drew (ECharts canvases).
      assert.ok(await page.locator('#chart-action canvas').count() > 0, 'action chart');
      assert.ok(await page.locator('#chart-island canvas').count() > 0, 'island chart');
      await shot(page, 'dashboard-zh-1920x1080.png');
    } finally {
      await context.close();
    }
  });

  test('a filter changes map, table and numbers consistently', async () => {
    const { page, context } = await newPage({ width: 1920, height: 1080 });
    try {
      const town = '大门镇';
      const expected = (await api(`/api/projects?town=${encodeURIComponent(town)}`)).features.map((f) => String(f.id)).sort();
      const stats = await api(`/api/stats?town=${encodeURIComponent(town)}`);
      await page.selectOption('#town-filter', town);
      await page.waitForFunction((q) => window.planmap.state.lastQuery === q, `town=${encodeURIComponent(town)}`);
      await settle(page);
      const got = await page.evaluate(() => ({
        ids: window.planmap.state.features.map((f) => String(f.id)).sort(),
        rendered: window.planmap.renderedProjectIds(),
      }));
      assert.deepEqual(got.ids, expected);
      for (const id of got.rendered) assert.ok(expected.includes(id), `rendered ${id} is in ${town}`);
      assert.equal(await kpi(page, 'count'), String(stats.count));
      assert.equal(await kpi(page, 'under_construction'), String(statusCount(stats, 'under_construction')));
      await page.click('#tab-projects');
      assert.equal(await page.locator('#project-list .proj-item').count(), expected.length);
      assert.ok(page.url().includes(`town=${encodeURIComponent(town)}`) || decodeURIComponent(page.url()).includes(`town=${town}`));

      // Island (client-side) filter: 大门岛, under construction — the "done when" question.
      await page.selectOption('#town-filter', '');
      await page.selectOption('#island-filter', '大门岛');
      await page.click('#status-none');
      await page.check('#st-under_construction');
      await settle(page);
      const all = (await api('/api/projects?status=under_construction')).features
        .filter((f) => (f.properties.islands || []).includes('大门岛')).map((f) => String(f.id)).sort();
      assert.deepEqual(await page.evaluate(() => window.planmap.state.features.map((f) => String(f.id)).sort()), all);
      assert.equal(await kpi(page, 'under_construction'), String(all.length));
      assert.equal(await page.locator('#project-list .proj-item').count(), all.length);

      // Table search narrows map, table and numbers alike.
      await page.click('#filter-reset');
      await settle(page);
      const first = await page.evaluate(() => window.planmap.state.features[0].properties.name_zh);
      await page.fill('#table-q', first);
      await page.waitForFunction((q) => window.planmap.state.q === q && !window.planmap.state.loading, first);
      await settle(page);
      const n = await page.evaluate(() => window.planmap.state.features.length);
      assert.ok(n >= 1);
      assert.equal(await kpi(page, 'count'), String(n));
      assert.equal(await page.locator('#project-list .proj-item').count(), n);

      // Hover a table row: the project is highlighted on the map.
      const id = await page.getAttribute('#project-list .proj-item', 'data-id');
      await page.hover(`#project-list .proj-item[data-id="${id}"]`);
      assert.equal(await page.evaluate(() => window.planmap.state.hoverId), id);
      assert.deepEqual(await page.evaluate(() => window.planmap.map.getFilter('hover-point')), ['==', ['get', '_id'], id]);
    } finally {
      await context.close();
    }
  });

  test('the month slider changes the as-of state', async () => {
    const all = (await api('/api/projects')).features;
    const { page, context } = await newPage({ width: 1280, height: 900 });
    try {
      assert.equal(await page.evaluate(() => window.planmap.state.month), null);
      const first = await page.evaluate(() => window.planmap.asOfDate());
      await page.focus('#time-slider');
      await page.keyboard.press('Home');
      await page.waitForFunction(() => window.planmap.state.month === '2024-01' && !window.planmap.state.loading);
      await settle(page);
      assert.equal(await page.evaluate(() => window.planmap.asOfDate()), '2024-01-31');
      assert.notEqual(first, '2024-01-31');
      assert.match(await page.textContent('#asof-label'), /截至 2024年1月/);
      // Projects that started after 2024-01 are not under construction or completed then.
      const startedLater = all.filter((f) => ['under_construction', 'completed'].includes(f.properties.status)
        && f.properties.start_date && f.properties.start_date > '2024-01-31');
      const started = await page.evaluate(() => Object.fromEntries(window.planmap.state.all.map((f) => [String(f.id), f.properties.status])));
      for (const f of startedLater) assert.equal(started[String(f.id)], 'preparing', `${f.id} had not started in 2024-01`);
      const nowUc = all.filter((f) => f.properties.status === 'under_construction').length;
      const thenUc = Object.values(started).filter((s) => s === 'under_construction').length;
      if (startedLater.some((f) => f.properties.status === 'under_construction')) assert.ok(thenUc < nowUc);
      assert.equal(await kpi(page, 'under_construction'), String(thenUc));
      assert.ok(page.url().includes('month=2024-01'));
      // Step forward with the keyboard, then back to the latest data.
      await page.keyboard.press('ArrowRight');
      await page.waitForFunction(() => window.planmap.state.month === '2024-02');
      await page.click('#time-now');
      await page.waitForFunction(() => window.planmap.state.month === null && !window.planmap.state.loading);
      assert.equal(await kpi(page, 'under_construction'), String(nowUc));
    } finally {
      await context.close();
    }
  });

  test('a deep link restores filters, month, selection, tab and map view', async () => {
    const all = (await api('/api/projects')).features;
    const target = all.find((f) => f.properties.town === '大门镇') || all[0];
    const q = `?lang=zh&town=${encodeURIComponent('大门镇')}&month=2025-06&sel=${encodeURIComponent(target.id)}&tab=projects&choro=1&map=11.50/27.95000/121.10000`;
    const { page, context } = await newPage({ width: 1920, height: 1080, query: q });
    try {
      const s = await page.evaluate(() => {
        const st = window.planmap.state;
        const c = window.planmap.map.getCenter();
        return { town: st.town, month: st.month, sel: st.selectedId, tab: st.tab, choro: st.choro, zoom: window.planmap.map.getZoom(), lat: c.lat, lng: c.lng };
      });
      assert.equal(s.town, '大门镇');
      assert.equal(s.month, '2025-06');
      assert.equal(s.sel, String(target.id));
      assert.equal(s.tab, 'projects');
      assert.equal(s.choro, true);
      assert.ok(Math.abs(s.zoom - 11.5) < 0.01 && Math.abs(s.lat - 27.95) < 0.001 && Math.abs(s.lng - 121.1) < 0.001, JSON.stringify(s));
      assert.ok(await page.isVisible('#details'));
      assert.equal((await page.textContent('#details-name')).trim(), target.properties.name_zh);
      assert.equal(await page.inputValue('#town-filter'), '大门镇');
      assert.match(await page.textContent('#asof-label'), /2025年6月/);
      assert.ok(await page.isVisible('#tp-projects'));
      // The details carry the history timeline.
      await page.waitForSelector('#details-history .tl-item');
      await settle(page);
      await shot(page, 'deeplink-details-1920x1080.png');
      // What the page writes back is the same view.
      await page.waitForFunction(() => location.search.includes('sel='));
      const u = new URL(page.url());
      assert.equal(u.searchParams.get('town'), '大门镇');
      assert.equal(u.searchParams.get('month'), '2025-06');
      assert.equal(u.searchParams.get('sel'), String(target.id));
    } finally {
      await context.close();
    }
  });

  test('a late project is counted, ringed on the map, coloured in the choropleth and explained in the drawer', async () => {
    // The seed has no progress and only a few sourced investments: clear those in the browser's copy
    // of /api/projects (the server is not touched) and give one project dates, progress and money, as
    // an editor would enter them, so the KPIs below are that one project's.
    const real = await api('/api/projects');
    for (const f of real.features) Object.assign(f.properties, { investment_total: null, investment_completed: null, investment_by_year: [] });
    const late = real.features.find((f) => f.geometry.type === 'Point' && (f.properties.islands || []).length === 1) || real.features[0];
    const id = String(late.id);
    const island = late.properties.islands[0];
    Object.assign(late.properties, {
      status: 'under_construction', start_date: '2024-01-01', planned_completion: '2025-06-30', progress_pct: 30,
      investment_total: '12000', investment_completed: '3000',
      investment_by_year: [{ year: 2024, plan: '4000', actual: '1000' }, { year: 2025, plan: '8000', actual: '2000' }],
    });
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 1, locale: 'zh-CN' });
    await context.route('**/api/projects', (route) => route.fulfill({ status: 200, contentType: 'application/geo+json', body: JSON.stringify(real) }));
    await context.route('**/api/projects?*', (route) => {
      const u = new URL(route.request().url());
      if (u.searchParams.has('as_of')) return route.fulfill({ status: 400, contentType: 'application/problem+json', body: '{"status":400}' });
      return route.continue();
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    try {
      await page.goto(url('/?lang=zh&choro=1'), { waitUntil: 'load' });
      await waitReady(page);
      assert.equal(await kpi(page, 'late'), '1');
      assert.equal(await page.evaluate(() => window.planmap.state.kpi.late_ids.join()), id);
      assert.ok((await kpiText(page, 'investment_total')).includes('1.2亿元'));
      assert.ok((await kpiText(page, 'completion_rate')).includes('25%'));
      // Ringed on the map.
      const ringed = await page.evaluate(() => window.planmap.map.queryRenderedFeatures({ layers: ['late-ring'] }).map((f) => f.properties._id));
      assert.deepEqual([...new Set(ringed)], [id]);
      // Choropleth: its island is coloured, the others keep the plain fill.
      const colour = await page.evaluate((n) => window.planmap.map.getPaintProperty('island-fill', 'fill-color'), island);
      assert.ok(Array.isArray(colour) && colour.includes(island), JSON.stringify(colour).slice(0, 200));
      assert.ok(await page.isVisible('#legend-choro'));
      // Only late: one project, in the table with the reason.
      await page.click('[data-kpi="late"]');
      await page.waitForFunction(() => window.planmap.state.lateOnly && window.planmap.state.features.length === 1);
      await page.click('#tab-projects');
      assert.equal(await page.textContent(`#project-list .proj-item[data-id="${id}"] .c-late`), '已超过计划完工日期；落后时间进度 70 个百分点');
      // The drawer: late badge, progress bar, per-year chart.
      await page.click(`#project-list .proj-item[data-id="${id}"]`);
      await page.waitForSelector('#details:not([hidden])');
      assert.match(await page.textContent('#details-badges'), /滞后：已超过计划完工日期/);
      assert.ok(await page.isVisible('#details-progress .pbar'));
      assert.ok(await page.locator('#details-years canvas').count() > 0, 'per-year chart');
      await settle(page);
      await shot(page, 'late-project-1920x1080.png');
      // In 2024-06 the same project was behind time, not overdue: 落后时间进度 X 个百分点.
      await page.evaluate(() => window.planmap.setMonth('2024-06'));
      await page.waitForFunction(() => window.planmap.state.month === '2024-06' && !window.planmap.state.loading);
      const l = await page.evaluate((i) => window.planmap.state.all.find((f) => String(f.id) === i)._late, id);
      assert.equal(l.overdue, false);
      assert.equal(l.behindPts, 3.2); // 2024-06-30: 181 of 546 days = 33.2% elapsed, progress 30%
      assert.match(await page.textContent('#details-badges'), /落后时间进度 3\.2 个百分点/);
    } finally {
      await context.close();
    }
  });

  test('1024x768: table, targets, English, PNG download', async () => {
    const { page, context } = await newPage({ width: 1024, height: 768 });
    try {
      await shot(page, 'dashboard-zh-1024x768.png');
      await page.click('#tab-projects');
      await page.click('#project-table th button[data-col="investment"]');
      assert.equal(await page.evaluate(() => window.planmap.state.sort.col), 'investment');
      await settle(page);
      await shot(page, 'table-zh-1024x768.png');
      await page.click('#tab-targets');
      const targets = await api('/api/plan/targets');
      assert.equal(await page.locator('#targets tr[data-target]').count(), targets.length);
      await shot(page, 'targets-zh-1024x768.png');
      await page.click('#tab-overview');
      await page.click('#lang-btn');
      await page.waitForFunction(() => document.documentElement.lang === 'en');
      assert.equal(await page.textContent('[data-kpi="count"] .kpi-label'), 'Projects');
      await settle(page);
      await shot(page, 'dashboard-en-1024x768.png');
      const png = await page.evaluate(async () => {
        const b = await window.planmap.mapPng();
        return { type: b.type, size: b.size };
      });
      assert.equal(png.type, 'image/png');
      assert.ok(png.size > 10000, `png ${png.size} bytes`);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#png-btn')]);
      assert.match(download.suggestedFilename(), /^planmap-\d{4}-\d\d-\d\d\.png$/);
      // Print layout: A4 landscape PDF renders.
      await page.emulateMedia({ media: 'print' });
      await page.evaluate(() => window.planmap.map.resize());
      await settle(page);
      const pdf = await page.pdf({ landscape: true, format: 'A4', printBackground: true, preferCSSPageSize: true });
      fs.mkdirSync(SHOTS, { recursive: true });
      fs.writeFileSync(path.join(SHOTS, 'print-a4.pdf'), pdf);
      assert.ok(pdf.length > 10000);
    } finally {
      await context.close();
    }
  });

  test('download menu: six formats in both languages, typed and dated files, "shown" follows the filters; edit link', async () => {
    const { page, context } = await newPage({ width: 1024, height: 768 });
    try {
      // The edit link goes to the planners' page (which sends anonymous users to signin.html).
      assert.equal(await page.getAttribute('#edit-link', 'href'), 'edit.html');
      assert.equal((await page.textContent('#edit-link')).trim(), STRINGS.zh['action.edit']);
      assert.equal((await page.textContent('#export-btn')).trim(), STRINGS.zh['export.button']);
      assert.equal(await page.locator('.head-buttons #export-btn').count(), 1, 'the menu button is in the panel header');

      // Keyboard: Enter opens and moves the focus in, arrows move, Escape closes and gives it back.
      await page.focus('#export-btn');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#export-menu', { state: 'visible' });
      assert.equal(await page.getAttribute('#export-btn', 'aria-expanded'), 'true');
      assert.ok(await page.evaluate(() => document.getElementById('export-menu').contains(document.activeElement)));
      await page.focus('#export-menu a[data-format="geojson"]');
      await page.keyboard.press('ArrowDown');
      assert.equal(await page.evaluate(() => document.activeElement.dataset.format), 'csv');
      await page.keyboard.press('Escape');
      await page.waitForSelector('#export-menu', { state: 'hidden' });
      assert.equal(await page.evaluate(() => document.activeElement.id), 'export-btn');

      const links = () => page.$$eval('#export-menu a[data-format]', (as) => as.map((a) => ({ format: a.dataset.format, text: a.textContent.trim(), href: a.href })));
      await page.click('#export-btn');
      const zh = await links();
      assert.deepEqual(zh.map((l) => l.format), FORMATS.map((f) => f[0]));
      assert.deepEqual(zh.map((l) => l.text), FORMATS.map((f) => STRINGS.zh[`export.format.${f[0]}`]));
      // The menu is inside the panel, under its header, not over the map.
      const box = await page.locator('#export-menu').boundingBox();
      const panel = await page.locator('#panel').boundingBox();
      assert.ok(box.x >= panel.x && box.x + box.width <= panel.x + panel.width, `menu ${JSON.stringify(box)} in panel ${JSON.stringify(panel)}`);
      await shot(page, 'export-menu-zh-1024x768.png');

      // Every link answers 200 with its content type and a dated file name (China Standard Time).
      const day = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
      const total = (await api('/api/projects')).features.length;
      const fetchLink = (href) => page.evaluate(async (h) => {
        const r = await fetch(h);
        const type = r.headers.get('content-type');
        const disposition = r.headers.get('content-disposition');
        const body = type.includes('geo+json') ? await r.json() : null;
        if (!body) await r.arrayBuffer();
        return { status: r.status, type, disposition, ids: body ? body.features.map((f) => String(f.id)).sort() : null };
      }, href);
      for (const [format, type, ext] of FORMATS) {
        const href = zh.find((l) => l.format === format).href;
        assert.ok(!new URL(href).searchParams.has('ids'), `all projects: ${href}`);
        const r = await fetchLink(href);
        assert.equal(r.status, 200, href);
        assert.equal(r.type, type, href);
        assert.equal(r.disposition, `attachment; filename="planmap-projects-${day}.${ext}"`);
        if (format === 'geojson') assert.equal(r.ids.length, total);
      }
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-menu a[data-format="csv"]')]);
      assert.equal(download.suggestedFilename(), `planmap-projects-${day}.csv`);
      await page.waitForSelector('#export-menu', { state: 'hidden' });

      // "Shown" after a status filter: the server-side query, exactly the shown projects.
      await page.evaluate(() => { document.getElementById('filters-box').open = true; }); // folded at 768 px
      await page.click('#status-none');
      await page.check('#st-under_construction');
      await settle(page);
      const shownIds = () => page.evaluate(() => window.planmap.state.features.map((f) => String(f.id)).sort());
      const shown = await shownIds();
      assert.ok(shown.length > 0);
      await page.click('#export-btn');
      await page.check('#export-menu label[data-scope="shown"] input');
      assert.equal((await page.textContent('#export-menu label[data-scope="shown"]')).trim(),
        STRINGS.zh['export.scope.shown.n'].replace('{n}', shown.length));
      let href = (await links()).find((l) => l.format === 'geojson').href;
      assert.equal(new URL(href).searchParams.get('status'), 'under_construction');
      let r = await fetchLink(href);
      assert.equal(r.ids.length, shown.length);
      assert.deepEqual(r.ids, shown);

      // A client-only filter (island): the ids of the shown projects are sent.
      await page.keyboard.press('Escape');
      await page.click('#status-all');
      await page.selectOption('#island-filter', '大门岛');
      await settle(page);
      const onIsland = await shownIds();
      await page.click('#export-btn');
      href = (await links()).find((l) => l.format === 'geojson').href;
      assert.ok(new URL(href).searchParams.has('ids'), href);
      r = await fetchLink(href);
      assert.ok(onIsland.length > 0);
      assert.deepEqual(r.ids, onIsland);
      assert.ok(await page.locator('#export-menu .export-note').isHidden());

      // English: the language switch re-renders the menu.
      await page.keyboard.press('Escape');
      await page.click('#lang-btn');
      await page.waitForFunction(() => document.documentElement.lang === 'en');
      assert.equal((await page.textContent('#export-btn')).trim(), 'Download data');
      assert.equal((await page.textContent('#edit-link')).trim(), 'Edit');
      await page.click('#export-btn');
      const en = await links();
      assert.deepEqual(en.map((l) => l.text), FORMATS.map((f) => STRINGS.en[`export.format.${f[0]}`]));
      await shot(page, 'export-menu-en-1024x768.png');
    } finally {
      await context.close();
    }
  });
});

test('download menu: beyond MAX_IDS shown projects the server-side filters are sent, marked partial', () => {
  const serverQuery = new URLSearchParams({ status: 'completed' });
  const few = shownQuery({ ids: ['a', 'b'], serverQuery, exact: false });
  assert.equal(few.params.get('ids'), 'a,b');
  assert.equal(few.partial, false);
  const many = shownQuery({ ids: Array.from({ length: MAX_IDS + 1 }, (_, i) => `p${i}`), serverQuery, exact: false });
  assert.equal(many.params.toString(), 'status=completed');
  assert.equal(many.partial, true);
  const exact = shownQuery({ ids: ['a'], serverQuery, exact: true });
  assert.equal(exact.params.toString(), 'status=completed');
  assert.equal(exact.partial, false);
  assert.match(STRINGS.en['export.partial'], /not applied/);
});

test('leadership view: no console errors, no page errors, no request left the server', { timeout: 5000 }, () => {
  assert.deepEqual(problems, []);
  assert.deepEqual(externalRequests, []);
  assert.ok(allRequests.length > 0);
});
