// The side panel: filters, legend, project count, the dashboard tabs (overview charts, project
// table, plan targets) and the download menu. It does not load data itself: a filter change
// calls the reload function the page registers (onFiltersChange), which keeps this module free
// of an import cycle with the loading code in app.js.

import { HTML_LANG } from './i18n.js';
import { formatMoney, formatInt, groupBy } from './format.js';
import {
  renderKpis, renderCharts, renderStatsCharts, renderTableHead, renderTableRows, sortRows, renderTargets,
} from './dashboard.js';
import { resizeCharts } from './charts.js';
import { createExportMenu } from './export-menu.js';
import { el, $ } from './dom.js';
import { STATUS_KEYS, NULL_KEY, STATUS_COLORS } from './map-style.js';
import { PAGE_SIZE, state, tr } from './state.js';
import {
  statusKey, statusName, statusColor, kindName, townName, localName, projectName, taskInfo, actionLabel,
  activeFilterText,
} from './labels.js';
import { apiQuery, serverQueryExact, passes, tiledQuery } from './data.js';
import { renderTimeLabel } from './month-slider.js';
import { writeUrl } from './url-state.js';
import { createProgressTab } from './progress-tab.js';
import { colorProjects } from './map.js';

let reload = () => {};
/** Registers what a filter change runs (the page's project loading). */
export function onFiltersChange(fn) {
  reload = fn;
}

let openProject = () => {};
/** Registers what opening a project from the 进度 tab runs (the drawer). */
export function onOpenProject(fn) {
  openProject = fn;
}

/** The 进度 tab (issue 10): it loads its own figures from the server. */
export const progressTab = createProgressTab({
  box: $('progress'),
  tr: () => tr,
  lang: () => state.lang,
  projects: () => state.features,
  projectName: (id) => {
    const f = state.all.find((x) => String(x.id) === id);
    return f ? projectName(f.properties) || id : id;
  },
  openProject: (id) => openProject(id),
  colorMap: colorProjects,
});

export const exportMenu = createExportMenu($('export-host'), {
  tr,
  scope: () => (state.tiled
    // On tiles the server selects exactly what is shown; the page holds only the table's rows.
    ? { total: state.meta?.project_count ?? null, ids: [], count: state.total ?? 0, serverQuery: tiledQuery(), exact: true }
    : {
      total: state.latestRaw ? state.latestRaw.length : null,
      ids: state.loading && !state.features.length ? [] : state.features.map((f) => String(f.id)),
      serverQuery: apiQuery(),
      exact: serverQueryExact(),
    }),
});

/**
 * Draws the panel. On the page's first load (`chartsLater`) only the KPI cards, counts and table:
 * the charts (ECharts, the costliest part) follow once the map has drawn the projects
 * (`renderPanelCharts`), so the map's first frame does not queue behind them.
 */
export function renderPanel({ chartsLater = false } = {}) {
  const t0 = performance.now();
  renderCount();
  renderStatusCounts();
  if (chartsLater && state.kpi) renderKpis(dashCtx(), state.kpi);
  else renderDashboard();
  renderTable();
  renderTimeLabel();
  renderFilterSummary();
  exportMenu.refresh();
  state.timings.lastPanelMs = Math.round(performance.now() - t0);
  if (!performance.getEntriesByName('planmap:kpis').length) performance.mark('planmap:kpis');
  if (!chartsLater) markNumbers();
}

/** The charts left out by `renderPanel({ chartsLater: true })`. */
export function renderPanelCharts() {
  renderDashboard();
  markNumbers();
}

function markNumbers() {
  if (!performance.getEntriesByName('planmap:numbers').length) performance.mark('planmap:numbers');
}

// ---------------------------------------------------------------- rendering: static strings
export function applyStaticStrings() {
  document.documentElement.lang = HTML_LANG[state.lang] || state.lang;
  document.title = tr('app.title');
  document.querySelectorAll('[data-i18n]').forEach((n) => { n.textContent = tr(n.dataset.i18n); });
  document.querySelectorAll('[data-i18n-aria]').forEach((n) => n.setAttribute('aria-label', tr(n.dataset.i18nAria)));
  document.querySelectorAll('[data-i18n-placeholder]').forEach((n) => n.setAttribute('placeholder', tr(n.dataset.i18nPlaceholder)));
  const collapsed = $('panel').classList.contains('collapsed');
  const label = tr(collapsed ? 'panel.toggle.show' : 'panel.toggle.hide');
  $('panel-toggle-label').textContent = label;
  $('panel-toggle').title = label;
  $('lang-btn').setAttribute('lang', state.lang === 'zh' ? 'en' : 'zh-CN');
  $('details-close').title = tr('details.close');
  renderTimeLabel();
}

export function renderStatusFilter() {
  const fs = $('status-filter');
  fs.querySelectorAll('label').forEach((n) => n.remove());
  for (const k of [...STATUS_KEYS, NULL_KEY]) {
    const input = el('input', { type: 'checkbox', value: k, id: `st-${k}` });
    input.checked = state.statusSel.has(k);
    input.addEventListener('change', () => {
      if (input.checked) state.statusSel.add(k); else state.statusSel.delete(k);
      reload();
    });
    fs.append(el('label', { for: `st-${k}`, class: 'status-row', 'data-status': k },
      input,
      el('span', { class: 'sw sw-status', style: { background: STATUS_COLORS[k] }, 'aria-hidden': 'true' }),
      el('span', { class: 'status-name', text: tr(`status.${k}`) }),
      el('span', { class: 'status-count', 'data-count-for': k })));
  }
  renderStatusCounts();
}
/** Counts next to the status boxes: projects per status under all the other filters. */
export function renderStatusCounts() {
  if (state.tiled) {
    renderServerStatusCounts();
    return;
  }
  const by = new Map();
  if (!state.loading || state.all.length) {
    for (const f of state.all) {
      if (!passes(f, 'status')) continue;
      const k = statusKey(f.properties.status);
      by.set(k, (by.get(k) || 0) + 1);
    }
  }
  document.querySelectorAll('[data-count-for]').forEach((n) => {
    n.textContent = state.all.length ? String(by.get(n.dataset.countFor) ?? 0) : '';
  });
}

/**
 * On tiles the page holds one table page, not every project: the counts are the server's
 * (/api/stats). Those are of the status filter's own selection, so a status left out of it has
 * no count to show.
 */
function renderServerStatusCounts() {
  const by = new Map((state.serverStats?.by_status || []).map((b) => [statusKey(b.key), b.count]));
  document.querySelectorAll('[data-count-for]').forEach((n) => {
    const k = n.dataset.countFor;
    n.textContent = state.serverStats && state.statusSel.has(k) ? String(by.get(k) ?? 0) : '';
  });
}

function fillSelect(sel, allKey, options, value) {
  sel.replaceChildren(el('option', { value: '', text: tr(allKey) }), ...options.map(([v, label]) => el('option', { value: v, text: label })));
  sel.value = value;
  if (sel.value !== value) sel.value = '';
}

export function renderFilterSelects() {
  const actions = state.meta?.actions?.length ? state.meta.actions.map((a) => a.n) : [1, 2, 3, 4, 5];
  fillSelect($('action-filter'), 'filter.action.all',
    [...actions.map((n) => [String(n), actionLabel(n)]), [NULL_KEY, tr('unknown')]], state.action);
  const towns = state.meta?.towns || [];
  fillSelect($('town-filter'), 'filter.town.all', [...towns.map((n) => [n, townName(n)]), [NULL_KEY, tr('unknown')]], state.town);
  const kinds = (state.meta?.kinds || []).map((k) => (typeof k === 'string' ? k : k.value));
  fillSelect($('kind-filter'), 'filter.kind.all', kinds.map((k) => [k, kindName(k)]), state.kind);
  const islands = new Set();
  state.raw.forEach((f) => (f.properties.islands || []).forEach((i) => islands.add(i)));
  // On tiles the page holds no project list: offer the basemap's named islands.
  if (state.tiled) state.islandNames.forEach((i) => islands.add(i));
  if (state.island) islands.add(state.island);
  const coll = new Intl.Collator('zh-CN');
  fillSelect($('island-filter'), 'filter.island.all', [...islands].sort(coll.compare).map((i) => [i, i]), state.island);
  $('late-filter').checked = state.lateOnly;
  $('choro-toggle').checked = state.choro;
}

export function renderLegend() {
  const ul = $('legend-status');
  ul.replaceChildren(...[...STATUS_KEYS, NULL_KEY].map((k) => el('li', null,
    el('span', { class: 'sw sw-status', style: { background: STATUS_COLORS[k] }, 'aria-hidden': 'true' }), tr(`status.${k}`))));
}

export function renderCount() {
  const c = $('count');
  c.classList.toggle('error', !!state.error);
  if (state.error) { c.textContent = tr('count.error', { msg: state.error }); return; }
  if (state.loading && !state.features.length) { c.textContent = tr('count.loading'); return; }
  const n = state.tiled ? state.total ?? 0 : state.features.length;
  if (n === 0) { c.textContent = tr('count.none'); c.dataset.count = '0'; return; }
  c.dataset.count = String(n);
  c.replaceChildren(el('strong', { text: tr('count.projects', { n: formatInt(n) }) }));
  const k = state.kpi;
  if (k && k.investment_reported > 0) {
    c.append(el('span', { class: 'count-inv', text: ' · ' + tr('count.investment', { v: formatMoney(k.investment_total, state.lang, tr) }) }));
  }
  if (state.tiled) c.append(el('span', { class: 'count-tiles', text: ' · ' + tr('count.tiles') }));
}

/** On tiles the filters that need every project in the page (late, choropleth) are off. */
export function renderTiledControls() {
  if (state.tiled) {
    Object.assign(state, { lateOnly: false, choro: false });
    $('late-filter').checked = false;
    $('choro-toggle').checked = false;
  }
  // The island filter is the server's `island=` on tiles too; lateness and the choropleth need
  // every project in the page.
  for (const id of ['late-filter', 'choro-toggle']) {
    const input = $(id);
    input.disabled = !!state.tiled;
    input.title = state.tiled ? tr('filter.tiles_off') : '';
  }
}


function renderFilterSummary() {
  const f = activeFilterText();
  $('filter-summary').textContent = f;
}

// ---------------------------------------------------------------- dashboard (overview, table, targets)
const CN_SHORT = ['', '一', '二', '三', '四', '五'];
function dashCtx() {
  return {
    tr,
    lang: state.lang,
    statusColors: STATUS_COLORS,
    statusColor,
    statusName,
    kindName,
    townName,
    projectName,
    actionLabel,
    actionShort: (n) => (state.lang === 'zh' ? `行动${CN_SHORT[n] || n}` : tr('action.n', { n })),
    taskShort: (n) => {
      const tk = taskInfo(n);
      const name = tk ? localName(tk) : null;
      return name ? `${n}. ${name}` : tr('task.n', { n });
    },
    towns: state.meta?.towns || [],
    groupByAction: (props) => groupBy(props, (p) => p.action, { order: ['1', '2', '3', '4', '5'] }),
    selectedKey: (id) => ({ 'chart-action': state.action, 'chart-inv-action': state.action, 'chart-island': state.island,
      'chart-town': state.town, 'chart-kind': state.kind }[id] || null),
    onPick: (what, key) => {
      const k = key == null ? NULL_KEY : String(key);
      if (what === 'status') {
        const only = state.statusSel.size === 1 && state.statusSel.has(k);
        state.statusSel = only ? new Set([...STATUS_KEYS, NULL_KEY]) : new Set([k]);
        renderStatusFilter();
        reload();
        return;
      }
      if (what === 'island' && key == null) return;
      if (what === 'kind' && key == null) return;
      state[what] = state[what] === k ? '' : k;
      renderFilterSelects();
      reload();
    },
    lateOnly: state.lateOnly,
    onToggleLate: () => { state.lateOnly = !state.lateOnly; renderFilterSelects(); reload(); },
    sort: state.sort,
    onSort: (col) => {
      state.sort = { col, dir: state.sort.col === col ? -state.sort.dir : (col === 'investment' || col === 'late' || col === 'progress' ? -1 : 1) };
      renderTable();
      writeUrl();
    },
    selectedId: state.selectedId,
    pageSize: PAGE_SIZE,
    total: state.tiled ? state.total ?? 0 : undefined,
  };
}

export function renderDashboard() {
  if (!state.kpi) return;
  const ctx = dashCtx();
  renderKpis(ctx, state.kpi);
  if (state.tab === 'overview' && state.tiled) renderStatsCharts(ctx, state.serverStats);
  else if (state.tab === 'overview') renderCharts(ctx, state.props || []);
  if (state.tab === 'targets') renderTargets(ctx, state.targets);
  if (state.tab === 'progress') progressTab.render();
}

export function renderTable() {
  const ctx = dashCtx();
  renderTableHead(ctx);
  state.sorted = sortRows(ctx, state.features);
  renderTableRows(ctx, state.sorted, state.shown);
}

export function setTab(tab, focus) {
  if (state.tab === 'progress' && tab !== 'progress') progressTab.hide();
  state.tab = tab;
  for (const id of ['overview', 'projects', 'targets', 'progress']) {
    const b = $(`tab-${id}`);
    const on = id === tab;
    b.setAttribute('aria-selected', String(on));
    b.tabIndex = on ? 0 : -1;
    $(`tp-${id}`).hidden = !on;
    if (on && focus) b.focus();
  }
  renderDashboard();
  resizeCharts($('panel'));
  writeUrl();
}
