// Unit tests of web/format.js (number formatting, the 滞后 rule, as-of derivation, aggregation).
// Pure JS: runs with `node --test format.test.mjs`, no server and no browser needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const f = await import(pathToFileURL(path.join(HERE, '../../web/format.js')).href);
const { t, STRINGS } = await import(pathToFileURL(path.join(HERE, '../../web/i18n.js')).href);
const zh = (k, v) => t('zh', k, v);
const en = (k, v) => t('en', k, v);

test('money below 1 亿 reads in 万元 with separators, from 1 亿 in 亿元 with two decimals', () => {
  assert.equal(f.formatMoney('3456', 'zh', zh), '3,456万元');
  assert.equal(f.formatMoney('12.5', 'zh', zh), '12.5万元');
  assert.equal(f.formatMoney('9999.999', 'zh', zh), '10,000万元');
  assert.equal(f.formatMoney('10000', 'zh', zh), '1亿元');
  assert.equal(f.formatMoney('205633', 'zh', zh), '20.56亿元');
  assert.equal(f.formatMoney('12345678', 'zh', zh), '1,234.57亿元');
  assert.equal(f.formatMoney('0', 'zh', zh), '0万元');
});

test('unknown money is null (shown as 未填报), never 0', () => {
  assert.equal(f.formatMoney(null, 'zh', zh), null);
  assert.equal(f.formatMoney(undefined, 'en', en), null);
  assert.equal(f.formatMoney('abc', 'zh', zh), null);
});

test('English money is in CNY million / billion', () => {
  assert.equal(f.formatMoney('3456', 'en', en), 'CNY 34.56 m');
  assert.equal(f.formatMoney('205633', 'en', en), 'CNY 2.06 bn');
});

test('decimal sums are exact and count only reported values', () => {
  assert.deepEqual(f.sumDecimals(['0.1', '0.2', null, '1200']), { sum: '1200.3', n: 3 });
  assert.deepEqual(f.sumDecimals([null, undefined]), { sum: '0', n: 0 });
  assert.ok(f.sameDecimal('1200.0', '1200'));
  assert.equal(f.formatPct(0.4567), '45.7%');
  assert.equal(f.formatPct(null), null);
  assert.equal(f.formatInt(10000), '10,000');
});

test('money keys exist in both languages', () => {
  for (const k of ['money.wan', 'money.yi', 'money.m', 'money.bn']) {
    assert.ok(STRINGS.zh[k] && STRINGS.en[k], k);
  }
});

test('months: the slider runs 2024-01 … 2027-12 and a month ends on its last day', () => {
  const ms = f.sliderMonths();
  assert.equal(ms.length, 48);
  assert.equal(ms[0], '2024-01');
  assert.equal(ms[47], '2027-12');
  assert.equal(f.monthEnd('2024-02'), '2024-02-29');
  assert.equal(f.monthEnd('2027-12'), '2027-12-31');
  assert.equal(f.clampMonth('2030-05'), '2027-12');
  assert.equal(f.clampMonth('2020-05'), '2024-01');
});

test('late: progress behind elapsed time by X percentage points', () => {
  const p = { status: 'under_construction', start_date: '2024-01-01', planned_completion: '2026-01-01', progress_pct: 30 };
  // 2025-01-01 is 366 of 731 days in: 50.1% elapsed, 20.1 points behind.
  const l = f.lateness(p, '2025-01-01');
  assert.equal(l.late, true);
  assert.equal(l.overdue, false);
  assert.equal(l.elapsedPct, 50.1);
  assert.equal(l.behindPts, 20.1);
  // Ahead of time is not late.
  assert.equal(f.lateness({ ...p, progress_pct: 60 }, '2025-01-01').late, false);
  // Before the start nothing has elapsed.
  assert.equal(f.lateness({ ...p, progress_pct: 0 }, '2023-06-01').late, false);
});

test('late: planned completion passed and not completed', () => {
  const p = { status: 'under_construction', start_date: '2024-01-01', planned_completion: '2025-06-30', progress_pct: null };
  const l = f.lateness(p, '2025-07-31');
  assert.equal(l.late, true);
  assert.equal(l.overdue, true);
  assert.equal(f.lateness({ ...p, status: 'completed' }, '2025-07-31').late, false);
  assert.equal(f.lateness({ planned_completion: '2025-06-30', status: null }, '2025-07-31').late, true);
});

test('late: missing inputs are not judged', () => {
  const l = f.lateness({ status: 'under_construction', progress_pct: 10 }, '2026-01-01');
  assert.equal(l.late, false);
  assert.equal(l.known, false);
});

test('as-of from dates: not started before start_date, not completed before actual_completion', () => {
  const p = { status: 'completed', start_date: '2024-05-01', actual_completion: '2026-03-15', progress_pct: 100, investment_completed: '500' };
  assert.equal(f.deriveAsOf(p, '2026-12-31'), p, 'unchanged after completion');
  assert.equal(f.deriveAsOf(p, '2025-12-31').status, 'under_construction');
  const before = f.deriveAsOf(p, '2024-03-31');
  assert.equal(before.status, 'preparing');
  assert.equal(before.progress_pct, 0);
  assert.equal(before.investment_completed, '0');
  // Unknown status stays unknown.
  const q = { status: null, start_date: '2026-01-01' };
  assert.equal(f.deriveAsOf(q, '2024-01-31'), q);
  // Completed investment from the yearly actuals.
  const y = { status: 'under_construction', investment_completed: '300', investment_by_year: [
    { year: 2024, plan: '100', actual: '100' }, { year: 2025, plan: '200', actual: '200' }] };
  assert.equal(f.deriveAsOf(y, '2024-12-31').investment_completed, '100');
  assert.equal(f.deriveAsOf(y, '2025-12-31'), y);
});

const sample = [
  { _id: 'a', status: 'under_construction', action: 1, town: '大门镇', islands: ['大门岛'], kind: 'port', investment_total: '10000', investment_completed: '2500',
    investment_by_year: [{ year: 2025, plan: '4000', actual: '2500' }], start_date: '2024-06-01', planned_completion: '2025-06-01', progress_pct: 40 },
  { _id: 'b', status: 'completed', action: 1, town: '北岙街道', islands: ['洞头岛', '半屏岛'], kind: 'road', investment_total: '3000', investment_completed: '3000' },
  { _id: 'c', status: null, action: 3, town: null, islands: ['洞头岛'], kind: 'road', investment_total: null, investment_completed: null },
  { _id: 'd', status: 'preparing', action: null, town: '大门镇', islands: ['大门岛'], kind: 'school', investment_total: '500', investment_completed: null, start_date: '2025-01-01' },
];

test('KPIs: sums over reported values, rates over the projects that report the inputs', () => {
  const k = f.kpis(sample, '2025-12-31');
  assert.equal(k.count, 4);
  assert.equal(k.investment_total, '13500');
  assert.equal(k.investment_reported, 3);
  assert.equal(k.investment_completed, '5500');
  assert.equal(k.completed_reported, 2);
  assert.equal(k.annual_plan, '4000');
  assert.equal(k.annual_plan_reported, 1);
  // Completion rate only over a and b (d has no completed figure): 5500 / 13000.
  assert.equal(k.completion_rate_n, 2);
  assert.ok(Math.abs(k.completion_rate - 5500 / 13000) < 1e-12);
  // Start rate: a, b started; d due (start 2025-01-01) but not started; c has no status.
  assert.equal(k.start_rate_n, 3);
  assert.ok(Math.abs(k.start_rate - 2 / 3) < 1e-12);
  assert.equal(k.under_construction, 1);
  assert.equal(k.completed_count, 1);
  // a: planned completion 2025-06-01 passed, not completed.
  assert.deepEqual(k.late_ids, ['a']);
});

test('groupBy matches the /api/stats bucket shape; null sorts last', () => {
  const by = f.groupBy(sample, (p) => p.action, { order: ['1', '2', '3', '4', '5'] });
  assert.deepEqual(by.map((b) => b.key), ['1', '3', null]);
  assert.deepEqual(by[0], { key: '1', count: 2, investment_total: '13000', investment_completed: '5500', investment_reported: 2 });
  assert.deepEqual(by[2], { key: null, count: 1, investment_total: '500', investment_completed: '0', investment_reported: 1 });
});

test('by island: a project on two islands counts on both and shares its money', () => {
  const m = f.investmentByIsland(sample);
  assert.deepEqual(m.get('大门岛'), { wan: 10500, count: 2, reported: 2 });
  assert.deepEqual(m.get('洞头岛'), { wan: 1500, count: 2, reported: 1 });
  assert.deepEqual(m.get('半屏岛'), { wan: 1500, count: 1, reported: 1 });
  assert.deepEqual(f.breaks([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5), [3, 5, 7, 9]);
  assert.deepEqual(f.breaks([null, 0]), []);
});
