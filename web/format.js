// Pure functions for the leadership view: money and number formatting, the 滞后 (late) rule,
// the as-of state derived from dates, and the aggregations behind the KPI cards, charts and
// choropleth. No DOM and no network here, so node --test checks them directly
// (tests/browser/format.test.mjs). Money is 万元 as exact decimal strings, as the API sends it.

// ------------------------------------------------------------------ decimals (万元)
const SCALE = 6;
const SCALE_N = 10n ** BigInt(SCALE);

/** Decimal string -> scaled BigInt (6 fractional digits), or null when it is not a plain decimal. */
export function toScaled(v) {
  if (v == null) return null;
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(v).trim());
  if (!m) return null;
  const n = BigInt(m[2] + (m[3] || '').padEnd(SCALE, '0').slice(0, SCALE));
  return m[1] ? -n : n;
}

/** Scaled BigInt -> canonical decimal string ("1234.5", "0"). */
export function fromScaled(n) {
  const neg = n < 0n;
  const s = (neg ? -n : n).toString().padStart(SCALE + 1, '0');
  const int = s.slice(0, -SCALE);
  const frac = s.slice(-SCALE).replace(/0+$/, '');
  return (neg ? '-' : '') + (frac ? `${int}.${frac}` : int);
}

/** Exact sum of decimal strings; null entries are skipped. Returns { sum, n } (n = how many were summed). */
export function sumDecimals(values) {
  let total = 0n;
  let n = 0;
  for (const v of values) {
    const s = toScaled(v);
    if (s == null) continue;
    total += s;
    n += 1;
  }
  return { sum: fromScaled(total), n };
}

/** Same number? ("1200.0" equals "1200"). */
export function sameDecimal(a, b) {
  const x = toScaled(a);
  const y = toScaled(b);
  return x != null && y != null && x === y;
}

/** Thousands separators on the integer part of a plain decimal string. */
export function groupDigits(s) {
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(String(s));
  if (!m) return String(s);
  return m[1] + m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (m[3] || '');
}

/** Round a finite number to at most `digits` decimals and drop trailing zeros: 12.50 -> "12.5". */
export function roundStr(x, digits) {
  if (!Number.isFinite(x)) return String(x);
  const s = x.toFixed(digits);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/**
 * Money in 万元 (decimal string) as a short text in the style of Chinese bulletins:
 * below 1 亿 in 万元 with separators ("3,456万元", "12.5万元"), from 1 亿 (= 10,000 万元) in 亿元
 * with two decimals ("20.56亿元"). English: CNY million / billion. `tr(key, vars)` supplies the
 * words (keys money.wan, money.yi, money.m, money.bn), so every word comes from the one table.
 * null / undefined -> null (the caller shows 未填报, never 0).
 */
export function formatMoney(wan, lang, tr) {
  const s = toScaled(wan);
  if (s == null) return null;
  const x = Number(s) / Number(SCALE_N);
  if (lang === 'zh') {
    if (Math.abs(x) >= 10000) return tr('money.yi', { v: groupDigits(roundStr(x / 10000, 2)) });
    return tr('money.wan', { v: groupDigits(roundStr(x, 2)) });
  }
  const million = x / 100; // 1 万元 = 10,000 CNY = 0.01 million
  if (Math.abs(million) >= 1000) return tr('money.bn', { v: groupDigits(roundStr(million / 1000, 2)) });
  return tr('money.m', { v: groupDigits(roundStr(million, 2)) });
}

/** A ratio as a percent text with one decimal: 0.4567 -> "45.7%"; null -> null. */
export function formatPct(ratio) {
  if (ratio == null || !Number.isFinite(ratio)) return null;
  return `${roundStr(ratio * 100, 1)}%`;
}

/** Integer with separators in the page's language ("10,000"). */
export function formatInt(n) {
  return groupDigits(String(Math.round(n)));
}

// ------------------------------------------------------------------ dates and months
export const FIRST_MONTH = '2024-01';
export const LAST_MONTH = '2027-12';

/** 'YYYY-MM' -> months since year 0 (an index for the slider). */
export function monthIndex(ym) {
  const m = /^(\d{4})-(\d{2})$/.exec(ym || '');
  if (!m) return null;
  return Number(m[1]) * 12 + Number(m[2]) - 1;
}
/** Inverse of monthIndex. */
export function monthFromIndex(i) {
  const y = Math.floor(i / 12);
  const mo = (i % 12) + 1;
  return `${y}-${String(mo).padStart(2, '0')}`;
}
/** All months of the slider, 2024-01 … 2027-12. */
export function sliderMonths() {
  const out = [];
  for (let i = monthIndex(FIRST_MONTH); i <= monthIndex(LAST_MONTH); i++) out.push(monthFromIndex(i));
  return out;
}
/** The last day of 'YYYY-MM' as 'YYYY-MM-DD' (the as-of date of a month). */
export function monthEnd(ym) {
  const [y, m] = ym.split('-').map(Number);
  const d = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${ym}-${String(d).padStart(2, '0')}`;
}
/** 'YYYY-MM-DD' of a Date (UTC). */
export function isoDate(d) {
  return d.toISOString().slice(0, 10);
}
/** The month of a date clamped to the slider's range. */
export function clampMonth(ym) {
  const i = monthIndex(ym);
  if (i == null) return null;
  return monthFromIndex(Math.min(monthIndex(LAST_MONTH), Math.max(monthIndex(FIRST_MONTH), i)));
}
function dayNumber(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || '');
  if (!m) return null;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86400000;
}

// ------------------------------------------------------------------ 滞后 (late)
/**
 * Is a project late at `asOf` ('YYYY-MM-DD')? One rule for the whole page:
 *  - overdue: planned_completion is before asOf and the status is not completed;
 *  - behind: with start_date, planned_completion and progress_pct known, elapsed% =
 *    (asOf − start) / (planned − start) × 100 (clamped to 0–100), and progress_pct < elapsed%
 *    (落后时间进度 X 个百分点, X = elapsed% − progress_pct, one decimal).
 * Returns { late, overdue, behindPts, elapsedPct, known } — known is false when the inputs to
 * judge are missing (the project is then not counted as late, and not as on time either).
 */
export function lateness(p, asOf) {
  const out = { late: false, overdue: false, behindPts: null, elapsedPct: null, known: false };
  if (!p) return out;
  const now = dayNumber(asOf);
  const start = dayNumber(p.start_date);
  const planned = dayNumber(p.planned_completion);
  if (p.status === 'completed') {
    out.known = true;
    return out;
  }
  if (planned != null && now != null && planned < now) {
    out.known = true;
    out.late = true;
    out.overdue = true;
  }
  const prog = p.progress_pct == null ? null : Number(p.progress_pct);
  if (start != null && planned != null && now != null && planned > start && prog != null && Number.isFinite(prog)) {
    out.known = true;
    const elapsed = Math.max(0, Math.min(100, ((now - start) / (planned - start)) * 100));
    out.elapsedPct = Math.round(elapsed * 10) / 10;
    const gap = Math.round((elapsed - prog) * 10) / 10;
    if (gap > 0) {
      out.late = true;
      out.behindPts = gap;
    }
  }
  return out;
}

// ------------------------------------------------------------------ as-of state from dates
const STARTED = new Set(['under_construction', 'completed']);

/**
 * The project's properties as they were at `asOf`, derived from its dates (used until the
 * server answers /api/projects?as_of=): not yet started before start_date (status 前期,
 * progress 0, completed investment 0), not yet completed before actual_completion (在建), and
 * completed investment as the sum of the yearly actuals up to asOf's year when those are
 * reported. Fields that cannot be known for the past are kept as they are now.
 * Returns the same object when nothing changes.
 */
export function deriveAsOf(p, asOf) {
  const now = dayNumber(asOf);
  if (now == null || !p) return p;
  let status = p.status ?? null;
  let progress = p.progress_pct ?? null;
  let completed = p.investment_completed ?? null;
  const start = dayNumber(p.start_date);
  const done = dayNumber(p.actual_completion);
  let changed = false;
  if (status === 'completed' && done != null && done > now) {
    status = 'under_construction';
    changed = true;
  }
  if (STARTED.has(status) && start != null && start > now) {
    status = 'preparing';
    progress = progress == null ? null : 0;
    completed = completed == null ? null : '0';
    changed = true;
  }
  const year = Number(String(asOf).slice(0, 4));
  const years = Array.isArray(p.investment_by_year) ? p.investment_by_year : [];
  if (years.some((y) => y && y.actual != null)) {
    const upTo = sumDecimals(years.filter((y) => y && y.year <= year).map((y) => y.actual));
    const v = upTo.n ? upTo.sum : '0';
    if (!sameDecimal(v, completed)) {
      completed = v;
      changed = true;
    }
  }
  if (!changed) return p;
  return { ...p, status, progress_pct: progress, investment_completed: completed, _as_of_derived: true };
}

// ------------------------------------------------------------------ aggregation
/** A bucket in the shape of /api/stats's buckets. */
function newBucket(key) {
  return { key, count: 0, investment_total: '0', investment_completed: '0', investment_reported: 0, _t: 0n, _c: 0n };
}
function addTo(b, p, share = 1n) {
  b.count += 1;
  const t = toScaled(p.investment_total);
  if (t != null) {
    b._t += t / share;
    b.investment_reported += 1;
  }
  const c = toScaled(p.investment_completed);
  if (c != null) b._c += c / share;
}
function finish(b) {
  const { _t, _c, ...rest } = b;
  return { ...rest, investment_total: fromScaled(_t), investment_completed: fromScaled(_c) };
}

/**
 * Groups projects (property objects) like /api/stats: keyFn returns a key, null (未填报, sorted
 * last), or for multi-valued fields (islands) an array of keys — then a project counts in each
 * group, and with `split` its money is shared equally between them so the groups add up.
 * `order` lists keys in display order; other keys follow sorted.
 */
export function groupBy(projects, keyFn, { order = [], split = false } = {}) {
  const m = new Map();
  for (const p of projects) {
    let keys = keyFn(p);
    if (!Array.isArray(keys)) keys = [keys];
    if (keys.length === 0) keys = [null];
    const share = split ? BigInt(keys.length) : 1n;
    for (const k of keys) {
      const key = k == null ? null : String(k);
      if (!m.has(key)) m.set(key, newBucket(key));
      addTo(m.get(key), p, share);
    }
  }
  const rank = (k) => {
    if (k == null) return [2, 0, ''];
    const i = order.indexOf(k);
    return i >= 0 ? [0, i, ''] : [1, 0, k];
  };
  return [...m.values()].map(finish).sort((a, b) => {
    const ra = rank(a.key);
    const rb = rank(b.key);
    return ra[0] - rb[0] || ra[1] - rb[1] || (ra[2] < rb[2] ? -1 : ra[2] > rb[2] ? 1 : 0);
  });
}

/**
 * The KPI figures for a set of projects (property objects) at `asOf`:
 *  count; 总投资 / 累计完成投资 sums and how many report them; 年度计划投资 (plan of asOf's year
 *  in investment_by_year); 投资完成率 over the projects that report both 总投资 and 累计完成投资;
 *  开工率 = started (在建 or 建成) / planned to start (start_date ≤ asOf, or started), over the
 *  projects that report a status; 在建, 建成; 滞后 with the late projects' ids.
 */
export function kpis(projects, asOf) {
  const year = Number(String(asOf).slice(0, 4));
  const total = sumDecimals(projects.map((p) => p.investment_total));
  const completed = sumDecimals(projects.map((p) => p.investment_completed));
  const annual = sumDecimals(projects.map((p) => {
    const y = (p.investment_by_year || []).find((r) => r && r.year === year);
    return y ? y.plan : null;
  }));
  const both = projects.filter((p) => toScaled(p.investment_total) != null && toScaled(p.investment_completed) != null);
  const bothT = sumDecimals(both.map((p) => p.investment_total));
  const bothC = sumDecimals(both.map((p) => p.investment_completed));
  const tNum = Number(toScaled(bothT.sum));
  const completionRate = both.length && tNum > 0 ? Number(toScaled(bothC.sum)) / tNum : null;

  const now = dayNumber(asOf);
  let shouldStart = 0;
  let started = 0;
  for (const p of projects) {
    if (p.status == null) continue;
    const isStarted = STARTED.has(p.status);
    const sd = dayNumber(p.start_date);
    const due = isStarted || (sd != null && now != null && sd <= now);
    if (!due) continue;
    shouldStart += 1;
    if (isStarted) started += 1;
  }
  const lateIds = [];
  let lateKnown = 0;
  for (const p of projects) {
    const l = lateness(p, asOf);
    if (l.known) lateKnown += 1;
    if (l.late) lateIds.push(p._id ?? p.id ?? null);
  }
  return {
    count: projects.length,
    investment_total: total.sum,
    investment_reported: total.n,
    investment_completed: completed.sum,
    completed_reported: completed.n,
    annual_plan: annual.sum,
    annual_plan_reported: annual.n,
    annual_year: year,
    completion_rate: completionRate,
    completion_rate_n: both.length,
    start_rate: shouldStart ? started / shouldStart : null,
    start_rate_n: shouldStart,
    started,
    under_construction: projects.filter((p) => p.status === 'under_construction').length,
    completed_count: projects.filter((p) => p.status === 'completed').length,
    status_reported: projects.filter((p) => p.status != null).length,
    late: lateIds.length,
    late_ids: lateIds,
    late_known: lateKnown,
  };
}

/**
 * Reported 总投资 per island name for the choropleth: a project on several islands shares its
 * amount equally between them. Returns Map name -> { wan: Number, count, reported }.
 */
export function investmentByIsland(projects) {
  const out = new Map();
  for (const b of groupBy(projects, (p) => (p.islands && p.islands.length ? p.islands : null), { split: true })) {
    if (b.key == null) continue;
    out.set(b.key, { wan: Number(b.investment_total), count: b.count, reported: b.investment_reported });
  }
  return out;
}

/** Class breaks for the choropleth: up to `k` rising thresholds from the positive values (quantiles). */
export function breaks(values, k = 5) {
  const v = values.filter((x) => Number.isFinite(x) && x > 0).sort((a, b) => a - b);
  if (!v.length) return [];
  const out = [];
  for (let i = 1; i < k; i++) {
    const q = v[Math.min(v.length - 1, Math.floor((i * v.length) / k))];
    if (!out.length || q > out[out.length - 1]) out.push(q);
  }
  return out;
}
