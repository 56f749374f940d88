// The project drawer: a project's fields (未填报 where unknown), lateness, yearly investment,
// the plan's targets for its task, and its revision history.

import { has } from './i18n.js';
import { formatMoney, lateness } from './format.js';
import { lateText } from './dashboard.js';
import { yearChart } from './charts.js';
import { el, $ } from './dom.js';
import { getJSON } from './api.js';
import { state, tr, asOfDate } from './state.js';
import {
  isUnknown, unknownNode, wanYuan, statusName, statusColor, kindName, townName, projectName, actionLabel, taskLabel,
} from './labels.js';
import { flyTo } from './map.js';
import { setSelection } from './selection.js';
import { renderCount } from './panel.js';
import { writeUrl } from './url-state.js';

export async function openDetails(id, opts = {}) {
  let f = state.all.find((x) => String(x.id) === id);
  if (!f) {
    try {
      const one = await getJSON(`api/projects/${encodeURIComponent(id)}`);
      f = { ...one, _late: lateness(one.properties, asOfDate()) };
    } catch (e) { state.error = e.message; renderCount(); return; }
  }
  state.selectedId = id;
  state.selectedFeature = f;
  const det = $('details');
  det.hidden = false;
  renderDetails();
  setSelection(id);
  writeUrl();
  if (opts.focus) det.focus();
  if (opts.fly) flyTo(f);
  loadHistory(id);
}

export function closeDetails() {
  $('details').hidden = true;
  state.selectedId = null;
  state.selectedFeature = null;
  setSelection(null);
  writeUrl();
  const rf = state.returnFocus;
  state.returnFocus = null;
  if (rf && document.contains(rf)) rf.focus();
}

function valueOrUnknown(v, fmt) {
  return isUnknown(v) ? unknownNode() : document.createTextNode(fmt ? fmt(v) : String(v));
}
function listNode(items, fmt) {
  if (isUnknown(items)) return unknownNode();
  return el('ul', { class: 'dd-list' }, ...items.map((x) => el('li', { text: fmt ? fmt(x) : String(x) })));
}

export function renderDetails() {
  const f = state.selectedFeature;
  if (!f) return;
  const p = f.properties || {};
  const name = projectName(p);
  $('details-name').textContent = isUnknown(name) ? tr('unknown') : name;
  const other = state.lang === 'en' ? (p.name_en ? p.name_zh : null) : p.name_en;
  $('details-name-en').textContent = other || '';
  $('details-name-en').hidden = !other;
  $('details-synthetic').hidden = p.synthetic !== true;

  const late = f._late || lateness(p, asOfDate());
  const badges = $('details-badges');
  badges.replaceChildren(...[
    el('span', { class: 'badge', style: { '--c': statusColor(p.status) } },
      el('span', { class: 'sw sw-status', style: { background: statusColor(p.status) }, 'aria-hidden': 'true' }),
      statusName(p.status)),
    el('span', { class: 'badge badge-plain', text: kindName(p.kind) }),
    late.late ? el('span', { class: 'badge badge-late', text: `${tr('kpi.late')}：${lateText(tr, late)}` }) : null,
    p._as_of_derived ? el('span', { class: 'badge badge-plain', text: tr('details.asof_derived', { m: state.month }) }) : null,
  ].filter(Boolean));

  // Progress bar, with the elapsed time marked when it is known.
  const prog = $('details-progress');
  prog.replaceChildren();
  if (!isUnknown(p.progress_pct)) {
    const v = Math.max(0, Math.min(100, Number(p.progress_pct)));
    prog.append(el('div', { class: 'pbar', role: 'img', 'aria-label': `${tr('field.progress')} ${v}%` },
      el('span', { class: 'pbar-fill' + (late.late ? ' late' : ''), style: { width: `${v}%` } }),
      late.elapsedPct != null ? el('span', { class: 'pbar-elapsed', style: { left: `${late.elapsedPct}%` }, title: `${late.elapsedPct}%` }) : null),
    el('span', { class: 'pbar-text', text: `${tr('field.progress')} ${v}%` }));
  }

  const dl = $('details-fields');
  dl.replaceChildren();
  const add = (key, node) => dl.append(el('div', { class: 'field', 'data-field': key }, el('dt', { text: tr(key) }), el('dd', null, node)));

  add('field.status', document.createTextNode(statusName(p.status)));
  add('field.investment_total', valueOrUnknown(p.investment_total, wanYuan));
  add('field.investment_completed', valueOrUnknown(p.investment_completed, wanYuan));
  if (Array.isArray(p.investment_by_year) && p.investment_by_year.length) {
    add('field.investment_by_year', el('ul', { class: 'dd-list' }, ...p.investment_by_year.map((y) => el('li', null,
      `${y.year}: ${tr('field.year.plan')} `, valueOrUnknown(y.plan, wanYuan),
      ` / ${tr('field.year.actual')} `, valueOrUnknown(y.actual, wanYuan)))));
  }
  if (isUnknown(p.progress_pct)) add('field.progress', unknownNode());
  else add('field.progress', document.createTextNode(tr('unit.percent', { v: String(p.progress_pct) })));
  add('details.late', document.createTextNode(late.late ? lateText(tr, late) : (late.known ? tr('details.ontime') : tr('details.late.unknown'))));
  add('field.responsible_units', listNode(p.responsible_units));
  add('field.action', valueOrUnknown(p.action, actionLabel));
  add('field.task', valueOrUnknown(p.task, taskLabel));
  add('field.town', valueOrUnknown(p.town, townName));
  add('field.islands', listNode(p.islands));
  add('field.start_date', valueOrUnknown(p.start_date));
  add('field.planned_completion', valueOrUnknown(p.planned_completion));
  add('field.actual_completion', valueOrUnknown(p.actual_completion));
  add('field.location_confidence', valueOrUnknown(p.location_confidence,
    (v) => (has(state.lang, `confidence.${v}`) ? tr(`confidence.${v}`) : String(v))));
  add('field.kind', document.createTextNode(kindName(p.kind)));
  add('field.geometry', document.createTextNode(has(state.lang, `geom.${f.geometry?.type}`) ? tr(`geom.${f.geometry.type}`) : String(f.geometry?.type)));
  add('field.description', valueOrUnknown(p.description));
  add('field.sources', isUnknown(p.sources) ? unknownNode() : el('ul', { class: 'dd-list sources' }, ...p.sources.map((s) => {
    const title = isUnknown(s?.title) ? tr('unknown') : String(s.title);
    if (s && typeof s.url === 'string' && /^https?:\/\//i.test(s.url)) {
      return el('li', null, el('a', { href: s.url, target: '_blank', rel: 'noopener noreferrer', text: title }));
    }
    return el('li', null, title, el('span', { class: 'muted', text: ' ' + tr('source.nolink') }));
  })));
  add('field.updated_at', valueOrUnknown(p.updated_at,
    (v) => String(v).replace(/^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(:\d\d(\.\d+)?)?Z$/, '$1 $2 UTC')));

  // Investment per year: plan vs actual.
  const years = Array.isArray(p.investment_by_year) ? p.investment_by_year.filter((y) => y && (y.plan != null || y.actual != null)) : [];
  $('details-years-sec').hidden = !years.length;
  if (years.length) {
    yearChart($('details-years'), years, { plan: tr('chart.year.plan'), actual: tr('chart.year.actual'), unknown: tr('unknown') },
      (v) => formatMoney(String(v), state.lang, tr));
  }

  // Plan section and targets: the project's own targets and the plan's 2027 targets of its task.
  const plan = $('details-plan');
  const taskTargets = (state.targets || []).filter((x) => p.task != null && Number(x.task) === Number(p.task));
  plan.replaceChildren(
    el('dl', { class: 'details-fields' },
      el('div', { class: 'field', 'data-field': 'field.plan_ref' }, el('dt', { text: tr('field.plan_ref') }), el('dd', null, valueOrUnknown(p.plan_ref))),
      el('div', { class: 'field', 'data-field': 'field.targets' }, el('dt', { text: tr('field.targets') }), el('dd', null, listNode(p.targets))),
      el('div', { class: 'field', 'data-field': 'details.plan.targets' }, el('dt', { text: tr('details.plan.targets') }),
        el('dd', null, taskTargets.length ? el('ul', { class: 'dd-list' }, ...taskTargets.map((x) => el('li', { text:
          `${state.lang === 'en' && x.name_en ? x.name_en : x.name_zh}: ${x.target_value} ${x.unit || ''}` }))) : document.createTextNode(tr('list.none'))))));
}

async function loadHistory(id) {
  const ol = $('details-history');
  ol.replaceChildren(el('li', { class: 'muted', text: tr('count.loading') }));
  let revs;
  try {
    revs = await getJSON(`api/projects/${encodeURIComponent(id)}/history`);
  } catch (_) {
    if (state.selectedId === id) ol.replaceChildren(el('li', { class: 'muted', text: tr('details.history.error') }));
    return;
  }
  if (state.selectedId !== id) return;
  if (!Array.isArray(revs) || !revs.length) {
    ol.replaceChildren(el('li', { class: 'muted', text: tr('details.history.empty') }));
    return;
  }
  const sorted = [...revs].sort((a, b) => (b.version ?? 0) - (a.version ?? 0));
  ol.replaceChildren(...sorted.map((r) => el('li', { class: 'tl-item' },
    el('span', { class: 'tl-time', text: String(r.created_at || '').replace(/^(\d{4}-\d\d-\d\d)T(\d\d:\d\d).*$/, '$1 $2') }),
    el('span', { class: 'tl-what', text: tr('details.history.entry', { v: r.version ?? '?', author: r.author || tr('unknown') }) }),
    r.comment ? el('span', { class: 'tl-comment', text: String(r.comment) }) : null)));
}

/** The open project's drawer follows the month (its as-of state and lateness). */
export function refreshDetails() {
  if (!state.selectedId || $('details').hidden) return;
  const f = state.all.find((x) => String(x.id) === state.selectedId);
  if (f && f !== state.selectedFeature) { state.selectedFeature = f; renderDetails(); }
}

