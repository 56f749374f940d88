// Browser checks of the planmap web page, run with node's own test runner:
//
//   cd tests/browser && npm ci && PLANMAP_URL=http://127.0.0.1:PORT node --test --test-concurrency=1
//
// Needs a running planmap server at PLANMAP_URL and Debian's Chromium
// (CHROMIUM overrides /usr/bin/chromium). Screenshots go to ./screenshots/.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { SHOTS, TIMEOUT, BASE, ORIGIN, url, allRequests, externalRequests, problems, browser, api, newPage, waitReady, settle, shot, useBrowser } from './harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
useBrowser();

test('i18n: zh and en tables have the same keys', async () => {
  const mod = await import(pathToFileURL(path.join(HERE, '../../web/i18n.js')).href);
  const zh = Object.keys(mod.STRINGS.zh).sort();
  const en = Object.keys(mod.STRINGS.en).sort();
  assert.deepEqual(en, zh);
  for (const s of ['planned', 'preparing', 'under_construction', 'completed', 'suspended', 'null']) {
    assert.ok(mod.STRINGS.zh[`status.${s}`] && mod.STRINGS.en[`status.${s}`], `status.${s}`);
  }
  assert.equal(mod.STRINGS.zh.unknown, '未填报');
  assert.equal(mod.STRINGS.en.unknown, 'not reported');
});

describe('map page', { timeout: 10 * TIMEOUT }, () => {
  test('zh 1920x1080: map, basemap, projects and labels render', async () => {
    const all = await api('/api/projects');
    const apiIds = all.features.map((f) => String(f.id)).sort();
    assert.ok(apiIds.length > 0, 'the server has projects');
    const { page, context } = await newPage({ width: 1920, height: 1080 });
    try {
      assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
      assert.equal(await page.textContent('#app-title'), '洞头区发展规划项目地图');
      const canvas = await page.evaluate(() => {
        const c = window.planmap.map.getCanvas();
        return { w: c.width, h: c.height, gl: !!(c.getContext('webgl2') || c.getContext('webgl')) };
      });
      assert.ok(canvas.w > 500 && canvas.h > 500, `canvas ${canvas.w}x${canvas.h}`);
      assert.ok(canvas.gl, 'WebGL context');

      // The page holds exactly what /api/projects returned.
      const stateIds = await page.evaluate(() => window.planmap.state.features.map((f) => String(f.id)).sort());
      assert.deepEqual(stateIds, apiIds);
      assert.equal(await page.getAttribute('#count', 'data-count'), String(apiIds.length));
      // The project table (the leadership view's 项目表 tab) lists them all.
      assert.equal(await page.locator('#project-list .proj-item').count(), apiIds.length);

      // Every project whose geometry lies in the view is drawn.
      const r = await page.evaluate(() => {
        const pm = window.planmap;
        const b = pm.map.getBounds();
        const inView = [];
        for (const f of pm.state.features) {
          const bb = [Infinity, Infinity, -Infinity, -Infinity];
          const walk = (c) => { if (typeof c[0] === 'number') { bb[0] = Math.min(bb[0], c[0]); bb[1] = Math.min(bb[1], c[1]); bb[2] = Math.max(bb[2], c[0]); bb[3] = Math.max(bb[3], c[1]); } else c.forEach(walk); };
          walk(f.geometry.coordinates);
          if (b.contains([bb[0], bb[1]]) && b.contains([bb[2], bb[3]])) inView.push(String(f.id));
        }
        return { inView: inView.sort(), rendered: pm.renderedProjectIds(), labels: pm.renderedLabels() };
      });
      assert.ok(r.rendered.length > 0, 'some projects rendered');
      for (const id of r.rendered) assert.ok(apiIds.includes(id), `rendered ${id} is from the API`);
      const missing = r.inView.filter((id) => !r.rendered.includes(id));
      assert.deepEqual(missing, [], 'projects in view but not rendered');
      assert.ok(r.inView.length >= Math.ceil(apiIds.length * 0.8), `most projects in the fitted view (${r.inView.length}/${apiIds.length})`);

      // Labels: islands (name_zh from the basemap) and project names, in Chinese.
      assert.ok(r.labels['island-label'].length > 0, 'island labels placed');
      assert.ok(r.labels['project-label'].length > 0, 'project labels placed');
      assert.ok(r.labels['island-label'].some((s) => /[\u4e00-\u9fff]/.test(s)), 'Chinese island label');

      // Basemap layers and attribution.
      const base = await page.evaluate(() => {
        const m = window.planmap.map;
        const n = (l) => m.queryRenderedFeatures({ layers: [l] }).length;
        return { land: n('land2017'), island: n('island-fill'), district: n('district-line') };
      });
      assert.ok(base.land > 0 && base.island > 0 && base.district > 0, JSON.stringify(base));
      const attr = await api('/api/basemap/attribution');
      const attrText = await page.textContent('.maplibregl-ctrl-attrib');
      for (const a of attr) assert.ok(attrText.includes(a.text), `attribution shows "${a.text}"`);

      // The panel does not cover the district.
      const cover = await page.evaluate(() => {
        const pm = window.planmap;
        const b = pm.state.districtBounds;
        const p = pm.map.project([b[0], (b[1] + b[3]) / 2]);
        return { districtLeft: p.x, panelRight: document.getElementById('panel').getBoundingClientRect().right };
      });
      assert.ok(cover.districtLeft >= cover.panelRight - 2, JSON.stringify(cover));
      await shot(page, 'zh-1920x1080.png');
    } finally {
      await context.close();
    }
  });

  test('status and action filters refetch and match /api/projects', async () => {
    const meta = await api('/api/meta');
    // /api/meta lists statuses as {value, name_zh, name_en}; the checkboxes are keyed by value.
    const statuses = (meta.statuses || []).map((s) => s.value ?? s);
    const { page, context } = await newPage({ width: 1280, height: 900 });
    try {
      let checked = 0;
      for (const s of statuses) {
        const expected = (await api(`/api/projects?status=${s}`)).features.map((f) => String(f.id)).sort();
        await page.click('#status-none');
        await page.check(`#st-${s}`);
        await page.waitForFunction((q) => window.planmap.state.lastQuery === q, `status=${s}`);
        await settle(page);
        const got = await page.evaluate(() => ({
          ids: window.planmap.state.features.map((f) => String(f.id)).sort(),
          count: document.getElementById('count').dataset.count,
          rendered: window.planmap.renderedProjectIds(),
          list: document.querySelectorAll('#project-list .proj-item').length,
        }));
        assert.deepEqual(got.ids, expected, `status=${s}`);
        assert.equal(got.count, String(expected.length));
        assert.equal(got.list, expected.length);
        for (const id of got.rendered) assert.ok(expected.includes(id), `rendered ${id} has status ${s}`);
        if (expected.length) checked++;
      }
      assert.ok(checked > 0, 'at least one status has projects');

      // 未填报 (status null) alone: the API has no value for it, the page filters /api/projects itself.
      const allF = (await api('/api/projects')).features;
      const nullIds = allF.filter((f) => f.properties.status == null).map((f) => String(f.id)).sort();
      await page.click('#status-none');
      await page.check('#st-null');
      await page.waitForFunction((n) => !window.planmap.state.loading && window.planmap.state.statusSel.size === 1
        && window.planmap.state.features.length === n, nullIds.length);
      await settle(page);
      assert.deepEqual(await page.evaluate(() => window.planmap.state.features.map((f) => String(f.id)).sort()), nullIds);
      assert.equal(await page.getAttribute('#count', 'data-count'), String(nullIds.length));

      // Two statuses at once, then an action on top.
      await page.click('#status-all');
      await page.uncheck('#st-planned');
      await page.uncheck('#st-null');
      await page.uncheck('#st-suspended');
      await page.waitForFunction(() => window.planmap.state.lastQuery === 'status=preparing%2Cunder_construction%2Ccompleted');
      await settle(page);
      const n2 = (await api('/api/projects?status=preparing,under_construction,completed')).features.length;
      assert.equal(await page.evaluate(() => window.planmap.state.features.length), n2);

      const action = String((meta.actions && meta.actions[0] && meta.actions[0].n) || 1);
      await page.selectOption('#action-filter', action);
      await page.waitForFunction((a) => window.planmap.state.lastQuery.endsWith(`action=${a}`), action);
      await settle(page);
      const n3 = (await api(`/api/projects?status=preparing,under_construction,completed&action=${action}`)).features.length;
      assert.equal(await page.evaluate(() => window.planmap.state.features.length), n3);
      assert.equal(await page.getAttribute('#count', 'data-count'), String(n3));

      // Reset: all statuses, all actions.
      await page.click('#status-all');
      await page.selectOption('#action-filter', '');
      await page.waitForFunction(() => window.planmap.state.lastQuery === '');
      await settle(page);
      const nAll = (await api('/api/projects')).features.length;
      assert.equal(await page.evaluate(() => window.planmap.state.features.length), nAll);
    } finally {
      await context.close();
    }
  });

  test('clicking a project on the map opens its details; data is shown as text', async () => {
    const { page, context } = await newPage({ width: 1920, height: 1080 });
    try {
      // Find a drawn point project that is clear of the panel, and click it.
      const target = await page.evaluate(() => {
        const pm = window.planmap;
        const m = pm.map;
        const panelRight = document.getElementById('panel').getBoundingClientRect().right;
        const canvas = m.getCanvas().getBoundingClientRect();
        for (const f of pm.state.features) {
          if (f.geometry.type !== 'Point') continue;
          const p = m.project(f.geometry.coordinates);
          if (p.x < panelRight + 20 || p.x > canvas.width - 80 || p.y < 20 || p.y > canvas.height - 60) continue;
          if (!m.queryRenderedFeatures([p.x, p.y], { layers: ['proj-point'] }).length) continue;
          // The page picks the topmost project within 5 px of the click.
          const hits = m.queryRenderedFeatures([[p.x - 6, p.y - 6], [p.x + 6, p.y + 6]],
            { layers: ['proj-point', 'proj-line', 'proj-fill', 'proj-fill-outline'] });
          return { x: p.x + canvas.left, y: p.y + canvas.top, ids: hits.map((h) => h.properties._id) };
        }
        return null;
      });
      assert.ok(target, 'a clickable point project');
      await page.mouse.click(target.x, target.y);
      await page.waitForSelector('#details:not([hidden])');
      const sel = await page.evaluate(() => window.planmap.state.selectedId);
      assert.ok(target.ids.includes(sel), `selected ${sel} is one of ${target.ids}`);
      const f = await api(`/api/projects/${encodeURIComponent(sel)}`);
      assert.equal((await page.textContent('#details-name')).trim(), f.properties.name_zh);
      const fields = await page.textContent('#details-fields');
      assert.ok(fields.includes('总投资') && fields.includes('责任单位') && fields.includes('资料来源'), 'detail fields');
      await settle(page);
      await shot(page, 'details-open-1920x1080.png');

      // Unknown values read 未填报; names are text, never markup.
      const all = (await api('/api/projects')).features;
      const odd = all.find((x) => /[<>&]/.test(x.properties.name_zh)) || all.find((x) => x.properties.investment_total == null) || all[0];
      await page.click('#tab-projects');
      await page.click(`#project-list .proj-item[data-id="${odd.id}"]`);
      await page.waitForFunction((id) => window.planmap.state.selectedId === id, String(odd.id));
      assert.equal(await page.textContent('#details-name'), odd.properties.name_zh);
      if (odd.properties.investment_total == null) {
        assert.equal((await page.textContent('[data-field="field.investment_total"] dd')).trim(), '未填报');
      }
      const injected = await page.evaluate(() => document.querySelectorAll('#details img, #details script, #project-list img, #project-list b').length);
      assert.equal(injected, 0, 'no markup from data in the page');
      // Keyboard: Escape closes the details and returns focus to the list button.
      await page.keyboard.press('Escape');
      await page.waitForSelector('#details', { state: 'hidden' });
      assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.dataset.id), String(odd.id));
    } finally {
      await context.close();
    }
  });

  test('English switch re-renders the UI at 1024x768 and is remembered', async () => {
    const { page, context } = await newPage({ width: 1024, height: 768 });
    try {
      const zhStatus = await page.textContent('label[data-status="under_construction"] .status-name');
      assert.equal(zhStatus, '在建');
      await page.focus('#lang-btn');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.documentElement.lang === 'en');
      assert.equal(await page.textContent('#app-title'), 'Dongtou District development projects map');
      assert.equal(await page.textContent('label[data-status="under_construction"] .status-name'), 'Under construction');
      assert.equal(await page.textContent('label[data-status="null"] .status-name'), 'not reported');
      assert.equal(await page.textContent('#lang-btn'), '中文');
      assert.equal(await page.evaluate(() => localStorage.getItem('planmap.lang')), 'en');
      await settle(page);
      const labels = await page.evaluate(() => window.planmap.renderedLabels());
      assert.ok(labels['island-label'].some((s) => /^[A-Za-z]/.test(s)), `English island labels: ${labels['island-label']}`);
      // The panel leaves the district visible.
      const cover = await page.evaluate(() => {
        const pm = window.planmap;
        const b = pm.state.districtBounds;
        const p = pm.map.project([b[0], (b[1] + b[3]) / 2]);
        return { districtLeft: p.x, panelRight: document.getElementById('panel').getBoundingClientRect().right };
      });
      assert.ok(cover.districtLeft >= cover.panelRight - 2, JSON.stringify(cover));
      await shot(page, 'en-1024x768.png');
      // Open a project's details in English: unknowns read "not reported".
      await page.click('#tab-projects');
      const first = await page.getAttribute('#project-list .proj-item', 'data-id');
      await page.click(`#project-list .proj-item[data-id="${first}"]`);
      await page.waitForSelector('#details:not([hidden])');
      assert.ok((await page.textContent('#details-fields')).includes('Total investment'));
      await page.keyboard.press('Escape');
      await settle(page);

      // Remembered across a reload.
      await page.reload({ waitUntil: 'load' });
      await waitReady(page);
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
    } finally {
      await context.close();
    }
    // ?lang=en on a fresh profile.
    const fresh = await newPage({ width: 1024, height: 768, query: '?lang=en' });
    try {
      assert.equal(await fresh.page.textContent('#app-title'), 'Dongtou District development projects map');
      await fresh.page.click('#lang-btn');
      await fresh.page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
      assert.equal(await fresh.page.textContent('#app-title'), '洞头区发展规划项目地图');
      assert.ok(fresh.page.url().includes('lang=zh'));
    } finally {
      await fresh.context.close();
    }
  });

  test('details panel at 1024x768 in Chinese', async () => {
    const { page, context } = await newPage({ width: 1024, height: 768 });
    try {
      await page.click('#tab-projects');
      const first = await page.getAttribute('#project-list .proj-item', 'data-id');
      await page.click(`#project-list .proj-item[data-id="${first}"]`);
      await page.waitForSelector('#details:not([hidden])');
      await settle(page);
      await shot(page, 'details-open-1024x768.png');
    } finally {
      await context.close();
    }
  });
});

test('no console errors, no page errors, no request left the server', { timeout: 5000 }, () => {
  assert.deepEqual(problems, []);
  assert.deepEqual(externalRequests, []);
  assert.ok(allRequests.length > 0);
  for (const u of allRequests) {
    if (u.startsWith('data:') || u.startsWith('blob:')) continue;
    assert.equal(new URL(u).origin, ORIGIN, u);
  }
});
