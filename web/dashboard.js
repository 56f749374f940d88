// The leadership side panel: KPI cards, breakdown charts, the project table and the plan's
// 2027 targets. Rendering only: the numbers come from format.js, the state and the map from
// app.js through `ctx` (tr, lang, label helpers, callbacks). Server text goes in as text nodes.

import { formatMoney, formatPct, formatInt, lateness } from './format.js';
import { barChart, disposeChart } from './charts.js';
import { el } from './dom.js';

export const STATUS_ORDER = ['under_construction', 'completed', 'preparing', 'planned', 'suspended', 'null'];


// ------------------------------------------------------------------ KPI cards
/** One card: big value, label, and the note that says what the figure covers. */
function card(key, label, value, note, opts = {}) {
  const unknown = value == null;
  return el(opts.button ? 'button' : 'div', {
    class: `kpi${unknown ? ' kpi-unknown' : ''}${opts.alert ? ' kpi-alert' : ''}`,
    'data-kpi': key,
    type: opts.button ? 'button' : null,
    'aria-pressed': opts.button ? String(!!opts.pressed) : null,
  },
  el('span', { class: 'kpi-label', text: label }),
  el('span', { class: 'kpi-value', 'data-value': opts.raw ?? null, text: unknown ? ctxRef.tr('unknown') : value }),
  note ? el('span', { class: 'kpi-note', text: note }) : null);
}
let ctxRef = null;

export function renderKpis(ctx, k) {
  ctxRef = ctx;
  const { tr, lang } = ctx;
  const total = k.count;
  const money = (v, n) => (n > 0 ? formatMoney(v, lang, tr) : null);
  const reported = (n) => (n > 0 ? tr('kpi.reported', { n, total }) : tr('kpi.none_reported', { total }));
  const unit = tr('kpi.unit.projects');
  const cnt = (n) => `${formatInt(n)}${unit ? ' ' + unit : ''}`;
  const box = document.getElementById('kpis');
  box.replaceChildren(
    card('count', tr('kpi.count'), cnt(total), null, { raw: total }),
    card('investment_total', tr('kpi.investment_total'), money(k.investment_total, k.investment_reported), reported(k.investment_reported),
      { raw: k.investment_reported ? k.investment_total : null }),
    card('annual_plan', tr('kpi.annual_plan', { year: k.annual_year }), money(k.annual_plan, k.annual_plan_reported), reported(k.annual_plan_reported),
      { raw: k.annual_plan_reported ? k.annual_plan : null }),
    card('investment_completed', tr('kpi.investment_completed'), money(k.investment_completed, k.completed_reported), reported(k.completed_reported),
      { raw: k.completed_reported ? k.investment_completed : null }),
    card('completion_rate', tr('kpi.completion_rate'), formatPct(k.completion_rate),
      k.completion_rate_n ? tr('kpi.rate_over', { n: k.completion_rate_n }) : tr('kpi.rate_none')),
    card('start_rate', tr('kpi.start_rate'), formatPct(k.start_rate),
      k.start_rate_n ? tr('kpi.start_rate.note', { a: k.started, b: k.start_rate_n }) : tr('kpi.rate_none')),
    card('under_construction', tr('kpi.under_construction'), cnt(k.under_construction), tr('kpi.status_reported', { n: k.status_reported, total }),
      { raw: k.under_construction }),
    card('completed', tr('kpi.completed'), cnt(k.completed_count), tr('kpi.status_reported', { n: k.status_reported, total }),
      { raw: k.completed_count }),
    card('late', tr('kpi.late'), cnt(k.late), tr('kpi.late.note', { n: k.late_known }),
      { raw: k.late, alert: k.late > 0, button: true, pressed: ctx.lateOnly }),
  );
  const lateBtn = box.querySelector('[data-kpi="late"]');
  lateBtn.title = tr('kpi.late.show');
  lateBtn.addEventListener('click', () => ctx.onToggleLate());
}

// ------------------------------------------------------------------ charts
/** Stacked-by-status counts for groups: rows [{key, label, byStatus: Map}] */
function stackedByStatus(ctx, props, keyFn, labelFn, order, limit) {
  const groups = new Map();
  for (const p of props) {
    let keys = keyFn(p);
    if (!Array.isArray(keys)) keys = [keys];
    if (!keys.length) keys = [null];
    for (const k0 of keys) {
      const k = k0 == null ? null : String(k0);
      if (!groups.has(k)) groups.set(k, { key: k, total: 0, by: new Map() });
      const g = groups.get(k);
      g.total += 1;
      const s = p.status ?? 'null';
      g.by.set(s, (g.by.get(s) || 0) + 1);
    }
  }
  let rows = [...groups.values()];
  if (order) {
    const rank = (k) => (k == null ? 1e9 : (order.indexOf(k) >= 0 ? order.indexOf(k) : 1e8));
    rows.sort((a, b) => rank(a.key) - rank(b.key) || b.total - a.total);
  } else {
    rows.sort((a, b) => (a.key == null) - (b.key == null) || b.total - a.total);
  }
  if (limit && rows.length > limit) rows = rows.slice(0, limit);
  return {
    categories: rows.map((r) => ({ key: r.key, label: r.key == null ? ctx.tr('unknown') : labelFn(r.key) })),
    series: STATUS_ORDER.filter((s) => rows.some((r) => r.by.get(s))).map((s) => ({
      name: ctx.tr(`status.${s}`), color: ctx.statusColors[s], stack: 'n',
      data: rows.map((r) => r.by.get(s) || 0),
    })),
  };
}

export function renderCharts(ctx, props) {
  const { tr } = ctx;
  const actOrder = ['1', '2', '3', '4', '5'];
  const mk = (id, keyFn, labelFn, order, limit, onPick) => {
    const d = stackedByStatus(ctx, props, keyFn, labelFn, order, limit);
    barChart(document.getElementById(id), {
      categories: d.categories.map((c) => c.label),
      keys: d.categories.map((c) => c.key),
      series: d.series,
      horizontal: true,
      axisName: tr('chart.axis.count'),
      onPick,
      selectedKey: ctx.selectedKey(id),
    });
  };
  mk('chart-action', (p) => p.action, (k) => ctx.actionShort(k), actOrder, 0, (k) => ctx.onPick('action', k));
  mk('chart-status', (p) => p.status ?? 'null', (k) => tr(`status.${k}`), STATUS_ORDER, 0, (k) => ctx.onPick('status', k));
  mk('chart-island', (p) => p.islands || [], (k) => k, null, 14, (k) => ctx.onPick('island', k));
  mk('chart-town', (p) => p.town, (k) => ctx.townName(k), ctx.towns, 0, (k) => ctx.onPick('town', k));
  mk('chart-task', (p) => p.task, (k) => ctx.taskShort(k), null, 0, null);
  mk('chart-kind', (p) => p.kind, (k) => ctx.kindName(k), null, 0, (k) => ctx.onPick('kind', k));

  // Investment by action: total vs completed, over the reported figures only.
  const byAct = ctx.groupByAction(props);
  const any = byAct.some((b) => b.investment_reported > 0);
  const note = document.getElementById('chart-inv-note');
  const box = document.getElementById('chart-inv-action');
  if (!any) {
    disposeChart(box);
    box.hidden = true;
    note.textContent = tr('chart.no_investment');
    return;
  }
  box.hidden = false;
  note.textContent = byAct.filter((b) => b.key != null).map((b) => {
    const rate = Number(b.investment_total) > 0 ? formatPct(Number(b.investment_completed) / Number(b.investment_total)) : null;
    return `${ctx.actionShort(b.key)}: ${b.investment_reported ? tr('kpi.reported', { n: b.investment_reported, total: b.count }) : tr('kpi.none_reported', { total: b.count })}${rate ? ` · ${tr('kpi.completion_rate')} ${rate}` : ''}`;
  }).join('；');
  barChart(box, {
    categories: byAct.map((b) => (b.key == null ? tr('unknown') : ctx.actionShort(b.key))),
    keys: byAct.map((b) => b.key),
    series: [
      { name: tr('chart.series.total'), color: '#5b8cc0', data: byAct.map((b) => Number(b.investment_total)) },
      { name: tr('chart.series.completed'), color: '#2b8a3e', data: byAct.map((b) => Number(b.investment_completed)) },
    ],
    horizontal: true,
    axisName: tr('chart.axis.wan'),
    money: (v) => formatMoney(String(v), ctx.lang, tr),
    onPick: (k) => ctx.onPick('action', k),
  });
}

/**
 * The charts from the server's aggregation (GET /api/stats), for a page working on tiles: one
 * series per chart (counts; the status split within a group is not aggregated on the server).
 * The island and task charts need every project and are left empty with a note.
 */
export function renderStatsCharts(ctx, stats) {
  const { tr } = ctx;
  const rows = (buckets, order) => {
    const rank = (k) => (k == null ? 1e9 : (order && order.indexOf(k) >= 0 ? order.indexOf(k) : 1e8));
    return [...(buckets || [])].sort((a, b) => rank(a.key) - rank(b.key) || b.count - a.count);
  };
  const mk = (id, buckets, labelFn, order, pick) => {
    const r = rows(buckets, order);
    barChart(document.getElementById(id), {
      categories: r.map((b) => (b.key == null ? tr('unknown') : labelFn(b.key))),
      keys: r.map((b) => b.key),
      series: [{ name: tr('chart.axis.count'), color: '#5b8cc0', data: r.map((b) => b.count) }],
      horizontal: true,
      axisName: tr('chart.axis.count'),
      onPick: pick ? (k) => ctx.onPick(pick, k) : null,
      selectedKey: ctx.selectedKey(id),
    });
  };
  mk('chart-action', stats.by_action, (k) => ctx.actionShort(k), ['1', '2', '3', '4', '5'], 'action');
  mk('chart-status', (stats.by_status || []).map((b) => ({ ...b, key: b.key ?? 'null' })), (k) => tr(`status.${k}`), STATUS_ORDER, 'status');
  mk('chart-town', stats.by_town, (k) => ctx.townName(k), ctx.towns, 'town');
  mk('chart-kind', stats.by_kind, (k) => ctx.kindName(k), null, 'kind');
  for (const id of ['chart-island', 'chart-task']) {
    const box = document.getElementById(id);
    disposeChart(box);
    box.replaceChildren(el('p', { class: 'muted chart-note', text: tr('chart.tiles_only') }));
    box.style.height = 'auto';
  }
  const byAct = rows(stats.by_action, ['1', '2', '3', '4', '5']);
  const box = document.getElementById('chart-inv-action');
  const note = document.getElementById('chart-inv-note');
  if (!byAct.some((b) => b.investment_reported > 0)) {
    disposeChart(box);
    box.hidden = true;
    note.textContent = tr('chart.no_investment');
    return;
  }
  box.hidden = false;
  note.textContent = byAct.filter((b) => b.key != null).map((b) => (b.investment_reported
    ? `${ctx.actionShort(b.key)}: ${tr('kpi.reported', { n: b.investment_reported, total: b.count })}`
    : `${ctx.actionShort(b.key)}: ${tr('kpi.none_reported', { total: b.count })}`)).join('；');
  barChart(box, {
    categories: byAct.map((b) => (b.key == null ? tr('unknown') : ctx.actionShort(b.key))),
    keys: byAct.map((b) => b.key),
    series: [
      { name: tr('chart.series.total'), color: '#5b8cc0', data: byAct.map((b) => Number(b.investment_total)) },
      { name: tr('chart.series.completed'), color: '#2b8a3e', data: byAct.map((b) => Number(b.investment_completed)) },
    ],
    horizontal: true,
    axisName: tr('chart.axis.wan'),
    money: (v) => formatMoney(String(v), ctx.lang, tr),
    onPick: (k) => ctx.onPick('action', k),
  });
}

/** The server's KPIs (GET /api/stats `kpis`) in the shape renderKpis reads (format.js kpis()). */
export function kpisFromServer(k) {
  return {
    count: k.count,
    investment_total: k.investment_total.value,
    investment_reported: k.investment_total.projects,
    investment_completed: k.investment_completed.value,
    completed_reported: k.investment_completed.projects,
    annual_plan: k.annual_plan.value,
    annual_plan_reported: k.annual_plan.projects,
    annual_year: k.year,
    completion_rate: k.completion_rate.value,
    completion_rate_n: k.completion_rate.projects,
    start_rate: k.start_rate.value,
    start_rate_n: k.start_rate.projects,
    started: k.start_rate.value == null ? 0 : Math.round(k.start_rate.value * k.start_rate.projects),
    under_construction: k.under_construction,
    completed_count: k.completed,
    status_reported: k.status_reported,
    late: k.late,
    late_ids: k.late_ids,
    late_known: k.late_known,
  };
}

// ------------------------------------------------------------------ project table
const COLS = [
  { id: 'name', key: 'table.col.name' },
  { id: 'status', key: 'table.col.status' },
  { id: 'place', key: 'table.col.place' },
  { id: 'investment', key: 'table.col.investment', num: true },
  { id: 'progress', key: 'table.col.progress', num: true },
  { id: 'late', key: 'table.col.late', num: true },
];

export function renderTableHead(ctx) {
  const { tr, sort } = ctx;
  const tr_ = document.getElementById('table-head');
  tr_.replaceChildren(...COLS.map((c) => {
    const active = sort.col === c.id;
    const th = el('th', { scope: 'col', class: c.num ? 'num' : null,
      'aria-sort': active ? (sort.dir > 0 ? 'ascending' : 'descending') : 'none' });
    const b = el('button', { type: 'button', class: 'th-btn', 'data-col': c.id },
      tr(c.key), el('span', { class: 'sort-ind', 'aria-hidden': 'true', text: active ? (sort.dir > 0 ? ' ▲' : ' ▼') : '' }));
    b.addEventListener('click', () => ctx.onSort(c.id));
    th.append(b);
    return th;
  }));
}

/** Sort value of a row for a column; null sorts last whatever the direction. */
function sortValue(ctx, f, col) {
  const p = f.properties;
  switch (col) {
    case 'name': return ctx.projectName(p) || '';
    case 'status': { const i = STATUS_ORDER.indexOf(p.status ?? 'null'); return i; }
    case 'place': return p.town ? ctx.townName(p.town) : ((p.islands || [])[0] || null);
    case 'investment': return p.investment_total == null ? null : Number(p.investment_total);
    case 'progress': return p.progress_pct == null ? null : Number(p.progress_pct);
    case 'late': return f._late ? (f._late.behindPts ?? 1000) : (f._late && f._late.known ? 0 : null);
    default: return null;
  }
}

export function sortRows(ctx, features) {
  const { col, dir } = ctx.sort;
  const coll = new Intl.Collator(ctx.lang === 'zh' ? 'zh-CN' : 'en');
  const vals = new Map(features.map((f) => [f, sortValue(ctx, f, col)]));
  return [...features].sort((a, b) => {
    const va = vals.get(a);
    const vb = vals.get(b);
    if (va == null && vb == null) return coll.compare(ctx.projectName(a.properties) || '', ctx.projectName(b.properties) || '');
    if (va == null) return 1;
    if (vb == null) return -1;
    const c = typeof va === 'string' ? coll.compare(va, vb) : va - vb;
    return c * dir || coll.compare(ctx.projectName(a.properties) || '', ctx.projectName(b.properties) || '');
  });
}

export function renderTableRows(ctx, rows, shown) {
  const { tr } = ctx;
  const tbody = document.getElementById('project-list');
  const frag = document.createDocumentFragment();
  if (!rows.length) {
    frag.append(el('tr', { class: 'empty' }, el('td', { colspan: String(COLS.length), text: tr('list.empty') })));
  }
  for (const f of rows.slice(0, shown)) {
    const p = f.properties;
    const id = String(f.id);
    const late = f._late;
    const place = [p.town ? ctx.townName(p.town) : null, (p.islands || []).join('、') || null].filter(Boolean).join(' · ');
    const row = el('tr', { class: 'proj-item', 'data-id': id, tabindex: '0',
      'aria-current': id === ctx.selectedId ? 'true' : null },
    el('td', { class: 'c-name' },
      el('span', { class: 'sw sw-status', style: { background: ctx.statusColor(p.status) }, 'aria-hidden': 'true' }),
      el('span', { class: 'proj-name', text: ctx.projectName(p) })),
    el('td', { class: 'c-status', text: ctx.statusName(p.status) }),
    el('td', { class: 'c-place', text: place || tr('unknown') }),
    el('td', { class: 'num' + (p.investment_total == null ? ' unknown' : ''), text: p.investment_total == null ? tr('unknown') : formatMoney(p.investment_total, ctx.lang, tr) }),
    el('td', { class: 'num' + (p.progress_pct == null ? ' unknown' : ''), text: p.progress_pct == null ? tr('unknown') : `${p.progress_pct}%` }),
    el('td', { class: 'num c-late' + (late && late.late ? ' is-late' : ''), text: late && late.late ? lateText(tr, late) : (late && late.known ? tr('late.no') : '—') }));
    frag.append(row);
  }
  tbody.replaceChildren(frag);
  const more = document.getElementById('table-more');
  // On tiles the rows are the pages loaded so far and `ctx.total` is the server's count.
  const total = ctx.total ?? rows.length;
  const rest = total - Math.min(shown, rows.length);
  more.hidden = rest <= 0;
  if (rest > 0) more.textContent = tr('table.more', { n: formatInt(Math.min(rest, ctx.pageSize)) });
  document.getElementById('table-info').textContent = tr('table.showing', { n: formatInt(Math.min(shown, rows.length)), total: formatInt(total) });
}

export function lateText(tr, l) {
  if (!l || !l.late) return '';
  const parts = [];
  if (l.overdue) parts.push(tr('late.overdue'));
  if (l.behindPts != null) parts.push(tr('late.behind', { x: l.behindPts }));
  return parts.join(tr('list.sep'));
}

// ------------------------------------------------------------------ targets
export function renderTargets(ctx, targets) {
  const { tr } = ctx;
  const box = document.getElementById('targets');
  box.replaceChildren();
  if (!targets) return;
  const groups = new Map();
  for (const t of targets) {
    const k = t.action == null ? '' : String(t.action);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(t);
  }
  const keys = [...groups.keys()].sort((a, b) => (a === '' ? -1 : b === '' ? 1 : Number(a) - Number(b)));
  box.append(el('h3', { class: 'targets-h', text: tr('targets.heading') }));
  for (const k of keys) {
    box.append(el('h4', { class: 'targets-group', text: k === '' ? tr('targets.general') : ctx.actionLabel(k) }));
    const tbl = el('table', { class: 'ttable' },
      el('thead', null, el('tr', null,
        el('th', { scope: 'col', text: tr('field.name') }),
        el('th', { scope: 'col', class: 'num', text: tr('targets.target') }),
        el('th', { scope: 'col', class: 'num', text: tr('targets.latest') }),
        el('th', { scope: 'col', text: tr('targets.track') }))));
    const tb = el('tbody');
    for (const t of groups.get(k)) {
      const name = ctx.lang === 'en' && t.name_en ? t.name_en : t.name_zh;
      const dir = tr(`targets.direction.${t.direction}`);
      // Reported values come from the server (GET /api/plan/targets): the latest per period,
      // its source and who entered it; the server judges on-track / behind.
      const latest = t.latest || null;
      const values = Array.isArray(t.values) ? t.values : [];
      const track = t.track && t.track !== 'unknown' ? t.track : null;
      const source = latest && latest.source ? (latest.source.title || '') : '';
      tb.append(el('tr', { 'data-target': t.id, title: t.text || '' },
        el('td', { text: name }),
        el('td', { class: 'num', text: `${dir.startsWith('targets.') ? '' : dir + ' '}${t.target_value} ${t.unit || ''}`.trim() }),
        el('td', { class: 'num' + (latest == null ? ' unknown' : ''),
          title: latest ? `${source}${latest.entered_by ? ` · ${latest.entered_by}` : ''}` : '',
          text: latest == null ? tr('unknown') : `${latest.value} ${latest.unit || t.unit || ''} (${latest.period})`.trim() },
        values.length > 1 ? trend(values) : null),
        el('td', { class: 'track' + (track ? ` track-${track}` : ' unknown'), 'data-track': t.track || 'unknown',
          text: track ? tr(`targets.track.${track}`) : '—' })));
    }
    tbl.append(tb);
    box.append(tbl);
  }
}

// A small trend of a target's reported values (oldest first), drawn as an inline SVG line.
function trend(values) {
  const nums = values.map((v) => Number(v.value)).filter((n) => Number.isFinite(n));
  if (nums.length < 2) return null;
  const [w, h] = [60, 16];
  const lo = Math.min(...nums), hi = Math.max(...nums);
  const y = (n) => (hi === lo ? h / 2 : h - 1 - ((n - lo) / (hi - lo)) * (h - 2));
  const pts = nums.map((n, i) => `${((i / (nums.length - 1)) * (w - 2) + 1).toFixed(1)},${y(n).toFixed(1)}`).join(' ');
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('class', 'trend');
  svg.setAttribute('width', String(w));
  svg.setAttribute('height', String(h));
  svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
  svg.setAttribute('aria-hidden', 'true');
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  line.setAttribute('points', pts);
  line.setAttribute('fill', 'none');
  line.setAttribute('stroke', 'currentColor');
  line.setAttribute('stroke-width', '1.5');
  svg.append(line);
  return svg;
}

export { lateness };
