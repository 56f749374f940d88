// The leadership view's 进度 tab (issue 10): for a chosen month, the district's figures as the
// server computes them (/api/stats/units: every figure with the number of projects it covers, so
// "nobody reported" reads 未填报, never 0), reporting completeness per responsible unit
// (已报/未报/退回), the late projects grouped by unit for follow-up (督办), this year's cumulative
// investment from approved reports against the annual plan (ECharts line), and a traffic-light
// colouring of the map. Report figures need a signed-in user; signed out, the tab shows what is
// public and says so.
//
// The page hands in what it owns through `ctx` (tr, lang, project lookup, opening a project,
// colouring the map); this module owns the tab's data and rendering.

import { el } from './dom.js';
import { formatMoney, formatPct, formatInt, sumDecimals } from './format.js';
import { send, problemText, lastMonth, thisMonth, sessionUser } from './reports-api.js';

const FONT = '"Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif';
export const LIGHT_COLORS = { red: '#d62d20', amber: '#f0a400', green: '#2b8a3e', grey: '#9aa5ad' };

/**
 * ctx: { box, tr(), lang(), projects() -> [{id, properties}], projectName(id), openProject(id),
 *        colorMap(byId | null) }
 */
export function createProgressTab(ctx) {
  const data = { period: lastMonth(), loaded: null, loading: null, stats: null, missing: null, approved: null, signedIn: null, error: null };
  let shown = false;
  let light = true;

  async function load(period) {
    const p = encodeURIComponent(period);
    const user = await sessionUser();
    const signedOut = { ok: false, status: 401 };
    const [stats, missing, approved] = await Promise.all([
      send('GET', `api/stats/units?period=${p}`),
      user ? send('GET', `api/reports?period=${p}&state=missing`) : signedOut,
      user ? send('GET', 'api/reports?state=approved') : signedOut,
    ]);
    if (!stats.ok) throw new Error(problemText(stats));
    const signedIn = missing.status !== 401 && approved.status !== 401;
    for (const r of [missing, approved]) if (!r.ok && r.status !== 401) throw new Error(problemText(r));
    return {
      stats: stats.data,
      signedIn,
      missing: signedIn ? new Map(missing.data.items.map((i) => [String(i.project_id), i.report ? i.report.state : 'missing'])) : null,
      approved: signedIn ? approved.data.items.map((i) => i.report) : null,
    };
  }

  async function ensure() {
    if (data.loaded === data.period) return;
    const period = data.period;
    if (!data.loading || data.loading.period !== period) {
      const promise = load(period).then((d) => {
        if (data.period !== period) return;
        Object.assign(data, d, { loaded: period, error: null });
      }, (e) => {
        if (data.period === period) { data.error = e.message || String(e); data.loaded = period; }
      });
      data.loading = { period, promise };
    }
    await data.loading.promise;
  }

  /** Draws the tab (loading the month's figures first when needed). */
  async function render() {
    shown = true;
    const { box } = ctx;
    if (data.loaded !== data.period) {
      if (!box.childElementCount) box.replaceChildren(el('p', { class: 'muted', text: ctx.tr()('count.loading') }));
      await ensure();
      if (!shown) return;
    }
    draw();
  }

  function hide() {
    shown = false;
    ctx.colorMap(null);
  }

  /** Call when the projects on the map changed (a new month, a filter): recolours. */
  function refreshMap() {
    if (shown && data.loaded === data.period && !data.error) colorMap();
  }

  function periodLabel(tr, lang) {
    const [y, m] = data.period.split('-');
    return lang === 'zh' ? `${y}年${Number(m)}月` : `${y}-${m}`;
  }

  function draw() {
    const tr = ctx.tr();
    const lang = ctx.lang();
    const { box } = ctx;
    const input = el('input', { type: 'month', id: 'prog-period', value: data.period, max: thisMonth(), 'aria-label': tr('prog.period.aria') });
    input.value = data.period;
    input.addEventListener('change', () => {
      if (!/^\d{4}-\d\d$/.test(input.value)) return;
      data.period = input.value;
      render();
    });
    const lightBox = el('input', { type: 'checkbox', id: 'prog-light' });
    lightBox.checked = light;
    lightBox.addEventListener('change', () => { light = lightBox.checked; colorMap(); drawLegend(); });
    const head = el('div', { class: 'prog-head' },
      el('label', { class: 'sel' }, el('span', { text: tr('prog.period') }), input),
      el('a', { class: 'btn btn-small', href: `report.html?period=${data.period}`, id: 'prog-report-link', text: tr('prog.report_link') }));
    if (data.error) {
      box.replaceChildren(head, el('p', { class: 'error', role: 'alert', text: tr('prog.error', { msg: data.error }) }));
      ctx.colorMap(null);
      return;
    }
    const s = data.stats;
    const legend = el('ul', { class: 'legend prog-legend', id: 'prog-legend' });
    function drawLegend() {
      legend.hidden = !light;
      legend.replaceChildren(...['red', 'amber', 'green', 'grey'].filter((k) => data.signedIn || k !== 'amber').map((k) => el('li', null,
        el('span', { class: 'sw sw-status', style: { background: LIGHT_COLORS[k] }, 'aria-hidden': 'true' }),
        tr(k === 'green' && !data.signedIn ? 'prog.light.notlate' : `prog.light.${k}`))));
      if (!data.signedIn) legend.append(el('li', { class: 'muted', text: tr('prog.light.anon') }));
    }
    drawLegend();
    const chartBox = el('div', { class: 'chart prog-chart', id: 'prog-chart' });
    box.replaceChildren(
      head,
      data.signedIn ? null : el('p', { class: 'prog-signin muted' }, tr('prog.signin'),
        el('a', { href: `signin.html?next=${encodeURIComponent('index.html?tab=progress')}`, text: tr('prog.signin.link') })),
      el('h3', { class: 'prog-h', text: tr('prog.kpis', { d: s.as_of }) }),
      kpiCards(tr, lang, s.total),
      el('label', { class: 'check' }, lightBox, ' ', el('span', { text: tr('prog.light') })),
      legend,
      el('h3', { class: 'prog-h', text: tr('prog.units', { p: periodLabel(tr, lang) }) }),
      unitTable(tr, s),
      el('h3', { class: 'prog-h', text: tr('prog.overdue') }),
      overdue(tr, s),
      el('h3', { class: 'prog-h', text: tr('prog.chart', { y: data.period.slice(0, 4) }) }),
      chartBox,
      el('p', { class: 'muted chart-note', id: 'prog-chart-note' }),
    );
    lineChart(tr, lang, chartBox, s);
    colorMap();
  }

  function kpiCards(tr, lang, k) {
    const money = (sum) => (sum.projects > 0 ? formatMoney(String(sum.value), lang, tr) : null);
    const covered = (n) => (n > 0 ? tr('kpi.reported', { n, total: k.count }) : tr('kpi.none_reported', { total: k.count }));
    const unit = tr('kpi.unit.projects');
    const card = (key, label, value, note, alert) => el('div', { class: `kpi${value == null ? ' kpi-unknown' : ''}${alert ? ' kpi-alert' : ''}`, 'data-kpi': key },
      el('span', { class: 'kpi-label', text: label }),
      el('span', { class: 'kpi-value', text: value == null ? tr('unknown') : value }),
      note ? el('span', { class: 'kpi-note', text: note }) : null);
    const rep = k.reports;
    const inN = rep ? rep.submitted + rep.approved : 0;
    return el('div', { class: 'kpis', id: 'prog-kpis' },
      card('annual_plan', tr('kpi.annual_plan', { year: k.year }), money(k.annual_plan), covered(k.annual_plan.projects)),
      card('investment_completed', tr('kpi.investment_completed'), money(k.investment_completed), covered(k.investment_completed.projects)),
      card('completion_rate', tr('kpi.completion_rate'), k.completion_rate.projects > 0 ? formatPct(k.completion_rate.value) : null,
        k.completion_rate.projects > 0 ? tr('kpi.rate_over', { n: k.completion_rate.projects }) : tr('kpi.rate_none')),
      card('start_rate', tr('kpi.start_rate'), k.start_rate.projects > 0 ? formatPct(k.start_rate.value) : null,
        k.start_rate.projects > 0 ? tr('kpi.rate_over', { n: k.start_rate.projects }) : tr('kpi.rate_none')),
      card('started', tr('prog.kpi.started'), k.status_reported > 0 ? `${formatInt(k.under_construction)} / ${formatInt(k.completed)}` : null,
        tr('kpi.status_reported', { n: k.status_reported, total: k.count })),
      card('late', tr('kpi.late'), k.late_known > 0 ? `${formatInt(k.late)}${unit ? ' ' + unit : ''}` : null, tr('prog.kpi.late.note', { n: k.late_known }), k.late > 0),
      card('reports', tr('prog.kpi.reports', { p: periodLabel(tr, ctx.lang()) }), rep && rep.due > 0 ? `${formatInt(inN)} / ${formatInt(rep.due)}` : null,
        rep && rep.due > 0 ? tr('prog.kpi.reports.note', { a: inN, b: rep.approved, n: rep.due }) : tr('prog.kpi.reports.none'), rep && rep.missing > 0));
  }

  function unitName(tr, key) {
    return key == null ? tr('prog.unit.none') : key;
  }

  function unitTable(tr, s) {
    const rows = s.units.filter((u) => u.reports && u.reports.due > 0)
      .sort((a, b) => b.reports.missing - a.reports.missing || b.reports.due - a.reports.due || String(a.key).localeCompare(String(b.key), 'zh-CN'));
    const late = rows.filter((u) => u.reports.missing > 0);
    const th = (k, cls) => el('th', { scope: 'col', class: cls, text: tr(k) });
    const num = (n, cls) => el('td', { class: `num ${cls || ''}`, text: formatInt(n) });
    return el('div', { class: 'prog-units' },
      el('p', { class: late.length ? 'prog-missing' : 'muted', id: 'prog-missing-units' },
        late.length ? el('strong', { text: tr('prog.units.missing', { n: late.length }) }) : tr('prog.units.missing.none'),
        late.length ? late.map((u) => unitName(tr, u.key)).join('、') : null),
      el('div', { class: 'table-wrap prog-table-wrap' },
        el('table', { class: 'ptable prog-table', id: 'prog-units' },
          el('thead', null, el('tr', null, th('prog.col.unit'), th('prog.col.due', 'num'), th('prog.col.reported', 'num'), th('prog.col.missing', 'num'), th('prog.col.returned', 'num'))),
          el('tbody', null, ...rows.map((u) => el('tr', { 'data-unit': u.key ?? '', class: u.reports.missing > 0 ? 'prog-row-missing' : 'prog-row-done' },
            el('th', { scope: 'row', text: unitName(tr, u.key) }),
            num(u.reports.due),
            num(u.reports.submitted + u.reports.approved, 'ok'),
            num(u.reports.missing, u.reports.missing > 0 ? 'bad' : ''),
            num(u.reports.returned, u.reports.returned > 0 ? 'bad' : '')))))),
      el('p', { class: 'muted chart-note', text: tr('prog.units.note') }));
  }

  function overdue(tr, s) {
    const groups = s.units.filter((u) => u.late_ids && u.late_ids.length)
      .sort((a, b) => b.late_ids.length - a.late_ids.length || String(a.key).localeCompare(String(b.key), 'zh-CN'));
    if (!groups.length) return el('p', { class: 'muted', id: 'prog-overdue', text: tr('prog.overdue.none', { n: s.total.late_known }) });
    return el('div', { id: 'prog-overdue', class: 'prog-overdue' }, ...groups.map((u) => el('section', { class: 'prog-late-unit', 'data-unit': u.key ?? '' },
      el('h4', { text: tr('prog.overdue.unit', { unit: unitName(tr, u.key), n: u.late_ids.length }) }),
      el('ul', { class: 'prog-late-list' }, ...u.late_ids.map((id) => {
        const b = el('button', { type: 'button', class: 'linkish', 'data-id': String(id), text: ctx.projectName(String(id)) });
        b.addEventListener('click', () => ctx.openProject(String(id)));
        return el('li', null, b);
      })))));
  }

  /**
   * This year's cumulative investment by month: for each month, the sum over projects of the
   * 本年累计 of their latest approved report up to that month (exact decimals), with how many
   * projects that covers; the annual plan (and its even pace) as reference lines.
   */
  function series() {
    const [y, mm] = data.period.split('-').map(Number);
    const byProject = new Map();
    for (const r of data.approved || []) {
      const [ry, rm] = String(r.period).split('-').map(Number);
      if (ry !== y || rm > mm) continue;
      if (!byProject.has(r.project_id)) byProject.set(r.project_id, []);
      byProject.get(r.project_id).push({ m: rm, ytd: r.investment_year_to_date });
    }
    const out = [];
    for (let m = 1; m <= mm; m++) {
      const values = [];
      for (const list of byProject.values()) {
        const last = list.filter((x) => x.m <= m).sort((a, b) => b.m - a.m)[0];
        if (last) values.push(last.ytd);
      }
      const { sum, n } = sumDecimals(values);
      out.push({ m, sum: n ? sum : null, n });
    }
    return out;
  }

  function lineChart(tr, lang, box, s) {
    const note = box.parentElement.querySelector('#prog-chart-note');
    const ec = window.echarts;
    if (!data.signedIn) { box.hidden = true; note.textContent = ''; return; }
    const pts = series();
    const plan = s.total.annual_plan.projects > 0 ? Number(s.total.annual_plan.value) : null;
    const notes = [];
    if (!pts.some((p) => p.n > 0)) notes.push(tr('prog.chart.none', { y: data.period.slice(0, 4) }));
    if (plan == null) notes.push(tr('prog.chart.plan_none'));
    note.textContent = notes.join(' ');
    box.dataset.points = JSON.stringify(pts.map((p) => [p.m, p.sum, p.n]));
    if (!ec || box.offsetParent === null) return;
    const c = ec.getInstanceByDom(box) || ec.init(box, null, { renderer: 'canvas' });
    const money = (v) => (v == null ? tr('unknown') : formatMoney(String(Math.round(v * 100) / 100), lang, tr));
    const months = pts.map((p) => (lang === 'zh' ? `${p.m}月` : String(p.m)));
    const seriesList = [{
      type: 'line', name: tr('prog.chart.actual'), data: pts.map((p) => (p.sum == null ? null : Number(p.sum))),
      itemStyle: { color: '#0b5cad' }, lineStyle: { width: 2.5 }, symbolSize: 6, connectNulls: false,
    }];
    if (plan != null) {
      seriesList.push({ type: 'line', name: tr('prog.chart.plan'), data: pts.map(() => plan), symbol: 'none', itemStyle: { color: '#7d8791' }, lineStyle: { type: 'dashed' } });
      seriesList.push({ type: 'line', name: tr('prog.chart.pace'), data: pts.map((p) => (plan * p.m) / 12), symbol: 'none', itemStyle: { color: '#e08a00' }, lineStyle: { type: 'dotted' } });
    }
    c.setOption({
      animation: false,
      textStyle: { fontFamily: FONT },
      grid: { left: 4, right: 12, top: 30, bottom: 4, containLabel: true },
      legend: { top: 0, left: 0, itemWidth: 14, itemHeight: 8, textStyle: { fontSize: 11 } },
      tooltip: {
        trigger: 'axis', confine: true,
        formatter: (items) => {
          const i = items[0] ? items[0].dataIndex : 0;
          const lines = items.map((it) => `${it.marker}${it.seriesName}: ${money(it.value)}`);
          return [months[i], ...lines, tr('prog.chart.covered', { n: pts[i].n })].join('<br>');
        },
      },
      xAxis: { type: 'category', data: months, boundaryGap: false },
      yAxis: { type: 'value', axisLabel: { formatter: (v) => money(v), fontSize: 10, hideOverlap: true }, splitLine: { lineStyle: { color: '#eef1f3' } } },
      series: seriesList,
      aria: { enabled: true },
    }, { notMerge: true });
    c.resize();
  }

  /** Red: late; amber: not reported (or returned) for the month; green: reported; grey: not due. */
  function lightOf(p, id) {
    const props = p.properties || {};
    if (props.status === 'completed' || props.status === 'suspended') return 'grey';
    if ((data.stats.total.late_ids || []).map(String).includes(id)) return 'red';
    if (data.signedIn && data.missing.has(id)) return 'amber';
    return 'green';
  }

  function colorMap() {
    if (!light || !data.stats) { ctx.colorMap(null); return; }
    const byId = new Map();
    for (const f of ctx.projects()) {
      const id = String(f.id);
      byId.set(id, LIGHT_COLORS[lightOf(f, id)]);
    }
    ctx.colorMap(byId);
  }

  return { render, hide, refreshMap, get period() { return data.period; }, data };
}
