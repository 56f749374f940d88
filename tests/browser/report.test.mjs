// Browser checks of the monthly reporting cycle (issue 10): the 月报 form of a unit's planner, the
// reviewers' queue, and the leadership view's 进度 tab, each as that user sees it at 1366x768.
//
//   PLANMAP_URL=… PLANMAP_E2E_PASSWORD=… PLANMAP_E2E_UNIT_USER=… PLANMAP_E2E_UNIT=… \
//   PLANMAP_E2E_REVIEWER=… PLANMAP_E2E_LEADER=… node --test report.test.mjs
//
// scripts/test makes the three accounts with the CLI (a planner of one unit, a reviewer, a
// viewer for the leadership) and runs this file last: approving a report writes the project's
// figures, as it should.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';

import { TIMEOUT, url, browser, shot, useBrowser } from './harness.mjs';

useBrowser();

const PASSWORD = process.env.PLANMAP_E2E_PASSWORD;
const UNIT_USER = process.env.PLANMAP_E2E_UNIT_USER;
const UNIT = process.env.PLANMAP_E2E_UNIT;
const REVIEWER = process.env.PLANMAP_E2E_REVIEWER;
const LEADER = process.env.PLANMAP_E2E_LEADER;
if (!PASSWORD || !UNIT_USER || !UNIT || !REVIEWER || !LEADER) {
  throw new Error('Set PLANMAP_E2E_PASSWORD, PLANMAP_E2E_UNIT_USER, PLANMAP_E2E_UNIT, PLANMAP_E2E_REVIEWER and PLANMAP_E2E_LEADER (scripts/test makes them)');
}

// The month reports are written for by default: the one just ended, in district time (UTC+8).
const PERIOD = (() => {
  const d = new Date(Date.now() + 8 * 3600 * 1000);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  return m === 0 ? `${y - 1}-12` : `${y}-${String(m).padStart(2, '0')}`;
})();
const W = 1366;
const H = 768;
const problems = [];
const cookies = {};

async function signIn(name) {
  if (cookies[name]) return cookies[name];
  const r = await fetch(url('/api/session'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password: PASSWORD }) });
  assert.equal(r.status, 200, `${name} signs in`);
  cookies[name] = r.headers.get('set-cookie').split(';')[0];
  return cookies[name];
}

async function call(name, method, p, body, version) {
  const headers = { cookie: await signIn(name), 'content-type': 'application/json' };
  if (version != null) headers['if-match'] = `"${version}"`;
  const res = await fetch(url(p), { method, headers, body: body && JSON.stringify(body) });
  return { status: res.status, data: await res.json().catch(() => null) };
}

/** A page signed in as `name` (null: signed out), 1366x768, recording console errors. */
async function pageAs(name, path, expected = []) {
  const context = await browser.newContext({ viewport: { width: W, height: H }, deviceScaleFactor: 1, locale: 'zh-CN' });
  if (name) {
    const [k, v] = (await signIn(name)).split('=');
    await context.addCookies([{ name: k, value: v, url: url('/') }]);
  }
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // Chromium logs every non-2xx answer; the ones a step provokes on purpose are expected.
    if (expected.some((s) => m.text().includes(`status of ${s}`))) return;
    problems.push(`${name || 'signed out'} ${path}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(url(path));
  return { page, context };
}

async function reportPage(name, expected) {
  const r = await pageAs(name, '/report.html', expected);
  await r.page.waitForFunction(() => window.planmapReport && window.planmapReport.rendered > 0);
  return r;
}

const row = (id) => `.rp-item[data-project="${id}"]`;
let due;
let first;
let second;

describe('monthly reports in the browser', { timeout: 10 * TIMEOUT }, () => {
  after(() => assert.deepEqual(problems, []));

  test('a unit planner sees the projects due, a bad amount is named on its field, the fixed report is submitted', async () => {
    const d = await call(UNIT_USER, 'GET', `/api/reports/due?period=${PERIOD}`);
    assert.equal(d.status, 200);
    due = d.data.items;
    assert.ok(due.length >= 2, `${UNIT} has projects due`);
    for (const i of due) assert.ok(i.responsible_units.includes(UNIT), `${i.project_id} is ${UNIT}'s`);
    const missing = due.filter((i) => i.state === 'missing');
    assert.ok(missing.length >= 2, 'two projects not reported yet');
    [first, second] = missing.map((i) => i.project_id);

    const { page, context } = await reportPage(UNIT_USER, ['422']);
    try {
      // Exactly the projects the server says are due, with their state.
      const shown = await page.$$eval('.rp-item', (els) => els.map((e) => [e.dataset.project, e.dataset.state]));
      assert.deepEqual(shown, due.map((i) => [i.project_id, i.state]));
      assert.match(await page.textContent('#rp-units'), new RegExp(UNIT));
      await shot(page, 'report-unit-zh-1366x768.png');

      await page.click(`${row(first)} .rp-toggle`);
      await page.fill(`#rp-${first}-investment_month`, '12,5万');
      await page.fill(`#rp-${first}-investment_year_to_date`, '800');
      await page.click(`${row(first)} .rp-save`);
      await page.waitForSelector(`#rp-${first}-investment_month[aria-invalid="true"]`);
      const err = await page.textContent(`#rp-${first}-investment_month-err`);
      assert.ok(err.includes('12,5万'), `the server's reason is shown on the field: ${err}`);
      assert.equal(await page.getAttribute(`#rp-${first}-investment_year_to_date`, 'aria-invalid'), null, 'only the bad field is marked');
      assert.equal(await page.getAttribute(row(first), 'data-state'), 'missing', 'nothing was saved');
      await shot(page, 'report-unit-field-error-zh-1366x768.png');

      await page.fill(`#rp-${first}-investment_month`, '120.5');
      await page.fill(`#rp-${first}-progress_pct`, '35');
      await page.fill(`#rp-${first}-progress_text`, '主体工程完成桩基施工');
      await page.click(`${row(first)} .rp-submit`);
      await page.waitForSelector(`${row(first)}[data-state="submitted"]`);
      const s = await call(UNIT_USER, 'GET', `/api/reports?period=${PERIOD}&state=submitted`);
      const mine = s.data.items.find((i) => i.project_id === first);
      assert.ok(mine, 'the report is submitted on the server');
      assert.equal(mine.report.investment_month, 120.5, 'money keeps the decimal typed (a JSON number)');
      assert.equal(mine.report.investment_year_to_date, 800);
      assert.equal(mine.report.progress_pct, 35);
      assert.equal(mine.report.reporter, UNIT_USER);
      assert.match(await page.textContent('#rp-due-summary'), /已提交 1/);
      await shot(page, 'report-unit-submitted-zh-1366x768.png');
    } finally {
      await context.close();
    }
    // A second report, submitted over the API, for the reviewer to return.
    const c = await call(UNIT_USER, 'POST', `/api/projects/${second}/reports`, { period: PERIOD, investment_month: '50', investment_year_to_date: '300' });
    assert.equal(c.status, 201);
    assert.equal((await call(UNIT_USER, 'POST', `/api/reports/${c.data.id}/submit`, undefined, c.data.version)).status, 200);
  });

  test('a reviewer approves one report and returns the other with a reason', async () => {
    const { page, context } = await reportPage(REVIEWER, ['422']);
    const item = (id) => `.rq-item[data-project="${id}"]`;
    try {
      await page.waitForSelector(item(first));
      await page.waitForSelector(item(second));
      assert.equal(await page.textContent(`${item(first)} [data-fig="investment_month"]`), '120.5万元');
      await shot(page, 'report-reviewer-queue-zh-1366x768.png');

      // Returning needs a reason: the server says so, on the reason field.
      await page.click(`${item(second)} .rq-return`);
      await page.waitForSelector(`${item(second)} textarea[aria-invalid="true"]`);
      assert.ok((await page.textContent(`${item(second)} .rp-err`)).length > 0);

      await page.click(`${item(first)} .rq-approve`);
      await page.waitForSelector(item(first), { state: 'detached' });
      await page.fill(`${item(second)} textarea`, '本年累计与台账不符，请核对后重报');
      await page.click(`${item(second)} .rq-return`);
      await page.waitForSelector(item(second), { state: 'detached' });
      assert.match(await page.textContent('#rp-status'), /已退回/);
      await shot(page, 'report-reviewer-done-zh-1366x768.png');
    } finally {
      await context.close();
    }
    const all = await call(REVIEWER, 'GET', `/api/reports?period=${PERIOD}`);
    const of = (id) => all.data.items.find((i) => i.project_id === id).report;
    assert.equal(of(first).state, 'approved');
    assert.equal(of(first).reviewed_by, REVIEWER);
    assert.equal(of(second).state, 'returned');
    assert.equal(of(second).return_reason, '本年累计与台账不符，请核对后重报');
    // The approval wrote the project's figures; the server's KPIs count it.
    const stats = await (await fetch(url(`/api/stats?period=${PERIOD}`))).json();
    assert.ok(stats.kpis.investment_completed.projects >= 1);
    assert.ok(stats.kpis.reports.approved >= 1);

    // The unit sees the returned report with the reason, and may edit it again.
    const u = await reportPage(UNIT_USER);
    try {
      await u.page.waitForSelector(`${row(second)}[data-state="returned"]`);
      await u.page.click(`${row(second)} .rp-toggle`);
      assert.match(await u.page.textContent(`${row(second)} .rp-note.returned`), /本年累计与台账不符/);
      assert.equal(await u.page.inputValue(`#rp-${second}-investment_year_to_date`), '300');
      assert.equal(await u.page.isDisabled(`#rp-${second}-investment_month`), false);
      await shot(u.page, 'report-unit-returned-zh-1366x768.png');
    } finally {
      await u.context.close();
    }
  });

  test('the 进度 tab lists the units that have not reported, with the server figures', async () => {
    const stats = await (await fetch(url(`/api/stats/units?period=${PERIOD}`))).json();
    const dueUnits = stats.units.filter((u) => u.reports.due > 0);
    const notIn = dueUnits.filter((u) => u.reports.missing > 0);
    assert.ok(notIn.length > 0, 'some unit has not reported');
    const { page, context } = await pageAs(LEADER, '/?tab=progress');
    try {
      await page.waitForFunction(() => window.planmap && window.planmap.ready);
      await page.evaluate(() => window.planmap.ready);
      await page.waitForSelector('#prog-units tbody tr');
      // One row per unit with projects due, each with the server's counts.
      const rows = await page.$$eval('#prog-units tbody tr', (trs) => trs.map((tr) => [tr.dataset.unit, ...[...tr.querySelectorAll('td')].map((td) => td.textContent)]));
      assert.equal(rows.length, dueUnits.length);
      for (const u of dueUnits) {
        const r = rows.find((x) => x[0] === (u.key ?? ''));
        assert.ok(r, `row for ${u.key}`);
        assert.deepEqual(r.slice(1), [u.reports.due, u.reports.submitted + u.reports.approved, u.reports.missing, u.reports.returned].map(String), u.key);
      }
      const unitRow = rows.find((x) => x[0] === UNIT);
      assert.ok(Number(unitRow[2]) >= 1 && Number(unitRow[4]) >= 1, `${UNIT}: one in, one returned`);
      // The units that have not reported, named.
      const line = await page.textContent('#prog-missing-units');
      for (const u of notIn) assert.ok(line.includes(u.key ?? '未明确单位'), `${u.key} is listed as not reported`);
      // KPI cards from the server: the month's reports, and 未填报 (with the count) where nobody reported.
      const k = stats.total;
      assert.equal(await page.textContent('[data-kpi="reports"] .kpi-value'), `${k.reports.submitted + k.reports.approved} / ${k.reports.due}`);
      if (k.annual_plan.projects === 0) assert.match(await page.textContent('[data-kpi="annual_plan"]'), /未填报.*0\/\d+ 个项目填报/);
      // The chart's last month counts the approved report.
      const pts = JSON.parse(await page.getAttribute('#prog-chart', 'data-points'));
      assert.equal(pts.length, Number(PERIOD.slice(5)));
      assert.ok(pts[pts.length - 1][2] >= 1, 'approved reports feed the line');
      assert.ok(await page.locator('#prog-chart canvas').count() > 0, 'the line chart drew');
      // The map is coloured by traffic light: the approved project green, a missing one amber.
      const colours = await page.evaluate(() => window.planmap.map.getPaintProperty('proj-fill', 'fill-color'));
      assert.equal(colours[0], 'match');
      const colourOf = (id) => colours[colours.indexOf(id, 2) + 1];
      const late = new Set(k.late_ids.map(String));
      const third = due.find((i) => i.state === 'missing' && ![first, second].includes(i.project_id));
      assert.equal(colourOf(first), late.has(first) ? '#d62d20' : '#2b8a3e', 'approved: green unless late');
      if (third) assert.equal(colourOf(third.project_id), late.has(third.project_id) ? '#d62d20' : '#f0a400', 'not reported: amber unless late');
      await page.evaluate(() => document.getElementById('prog-units').scrollIntoView());
      await shot(page, 'progress-leader-zh-1366x768.png');

      // The drawer's timeline shows the approved report.
      await page.evaluate((id) => window.planmap.openDetails(id), first);
      await page.waitForSelector(`#details-reports li[data-period="${PERIOD}"][data-state="approved"]`);
      assert.match(await page.textContent('#details-reports'), /120\.5万元/);
      await page.evaluate(() => document.getElementById('details-reports').scrollIntoView());
      await shot(page, 'progress-leader-drawer-zh-1366x768.png');

      // Leaving the tab puts the status colours back.
      await page.click('#tab-overview');
      const back = await page.evaluate(() => window.planmap.map.getPaintProperty('proj-fill', 'fill-color'));
      assert.notDeepEqual(back[1], ['get', '_id'], 'coloured by status again, not by project');
      assert.ok(JSON.stringify(back).includes('under_construction'));
    } finally {
      await context.close();
    }
  });

  test('signed out, the 进度 tab shows the public figures and asks to sign in, without a failed request', async () => {
    const { page, context } = await pageAs(null, '/?tab=progress&lang=en');
    try {
      await page.waitForFunction(() => window.planmap && window.planmap.ready);
      await page.evaluate(() => window.planmap.ready);
      await page.waitForSelector('#prog-units tbody tr');
      assert.match(await page.textContent('.prog-signin'), /Sign in/);
      assert.match(await page.textContent('#prog-missing-units'), /Units not reported/);
      await shot(page, 'progress-signed-out-en-1366x768.png');
    } finally {
      await context.close();
    }
  });
});
