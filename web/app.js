// planmap leadership view: the map with a side panel of KPI cards, charts, the project table
// and the plan's targets, a month slider (as-of state), deep links, print and PNG.
// Plain ES modules, no build step; MapLibre GL JS and ECharts are vendored under vendor/.
// This module starts the page and wires its events; each concern has its own module:
//   map-style.js  colours and the offline MapLibre style (shared with the editing page)
//   map.js        the map: basemap, project layers, choropleth, highlights, fitting the view
//   data.js       loading the projects per month, as-of state, the filters
//   panel.js      filters, legend, count, dashboard tabs and the download menu
//   details.js    the project drawer; selection.js  selection and hover (map <-> table)
//   url-state.js  deep links; month-slider.js  the month slider; print.js  print and PNG
//   state.js      the one state object and language; labels.js  names in that language
//
// Security: every string that comes from the server is put into the page with textContent /
// attribute setters, never innerHTML.

import { STRINGS } from './i18n.js';
import { resizeCharts } from './charts.js';
import { $ } from './dom.js';
import { STATUS_KEYS, NULL_KEY, CLUSTER_MAX_ZOOM } from './map-style.js';
import { getJSON } from './api.js';
import { PAGE_SIZE, state, storeLang, asOfDate, tr } from './state.js';
import {
  startPrefetch, apiQuery, fetchForMonth, deriveAll, applyFilters, metaPromise, prefetchedTiled, tiledQuery, fetchTablePage, tiledFor, takeTiledPrefetch,
} from './data.js';
import {
  createMap, map, styleLoaded, styleReady, fitDistrict, flyTo, hitAt, loadBasemap, refreshAttribution, setMapLang,
  updateChoropleth, updateMapData, updateTiles, projectLayers,
} from './map.js';
import { kpisFromServer } from './dashboard.js';
import { setSelection, setHover } from './selection.js';
import {
  exportMenu, onFiltersChange, renderPanel, renderPanelCharts, applyStaticStrings, renderStatusFilter, renderFilterSelects,
  renderLegend, renderCount, renderDashboard, renderTable, setTab, progressTab, onOpenProject, renderTiledControls,
} from './panel.js';
import { openDetails, closeDetails, renderDetails, refreshDetails } from './details.js';
import { readUrl, applyUrl, writeUrl, enableUrlWrites } from './url-state.js';
import { wireMonthSlider } from './month-slider.js';
import { mapPng, wirePrint } from './print.js';
import { wireBasemaps } from './basemaps.js';

performance.mark('planmap:start');

const urlAtStart = readUrl();
applyUrl(urlAtStart);
// MapLibre's workers start while /api/meta (preloaded by index.html) comes in.
window.maplibregl.prewarm();
state.meta = await metaPromise.catch(() => null);
// The projects are asked for before the map is created (see startPrefetch).
startPrefetch(urlAtStart.month, state.meta);
const urlView = /^([\d.]+)\/(-?[\d.]+)\/(-?[\d.]+)$/.exec(urlAtStart.map || '');
const districtBox = state.meta?.district_bbox;
createMap({
  view: urlView ? { zoom: Number(urlView[1]), center: [Number(urlView[3]), Number(urlView[2])] } : districtBox ? { bounds: districtBox } : null,
  tiles: tiledFor(state.meta) ? tiledQuery() : null,
});

// ---------------------------------------------------------------- loading and drawing
async function loadProjects() {
  const seq = ++state.fetchSeq;
  state.loading = true;
  state.error = null;
  state.lastQuery = apiQuery().toString();
  renderCount();
  try {
    if (state.tiled == null) {
      state.tiled = await prefetchedTiled();
      renderTiledControls();
    }
    if (state.tiled) {
      await loadTiled(seq);
      return;
    }
    if (state.rawMonth !== state.month) {
      const { features, source } = await fetchForMonth(state.month);
      if (seq !== state.fetchSeq) return; // a newer request won
      state.raw = features;
      state.rawMonth = state.month;
      state.asOfSource = source;
      deriveAll();
    }
    applyFilters();
    refreshDetails();
    // The map's data goes first when the style is in: MapLibre's worker then parses it while
    // the panel (numbers, charts, table) is drawn here. Otherwise the panel first, as it does
    // not need the map.
    if (styleReady) {
      state.loading = false;
      renderMap();
      renderPanel({ chartsLater: startingUp() });
    } else {
      renderPanel({ chartsLater: startingUp() });
      await styleLoaded;
      if (seq !== state.fetchSeq) return;
      state.loading = false;
      renderMap();
    }
  } catch (e) {
    if (seq !== state.fetchSeq) return;
    state.loading = false;
    state.error = e.message || String(e);
    renderCount();
  }
}

/**
 * On tiles (more projects than the server's threshold): the numbers and charts from /api/stats,
 * the table's first page from /api/projects?limit=&offset=, the map from vector tiles with the
 * same filters. The page never holds every project.
 */
async function loadTiled(seq) {
  const q = tiledQuery();
  // The tiles do not wait for the figures: the map asks for them as soon as its style is in.
  const tilesP = styleLoaded.then(() => { if (seq === state.fetchSeq) updateTiles(q); });
  const [stats, rows] = await Promise.all(takeTiledPrefetch(q) ?? [getJSON('api/stats', q), fetchTablePage(q, 0)]);
  if (seq !== state.fetchSeq) return;
  state.serverStats = stats;
  state.total = stats.count;
  state.kpi = kpisFromServer(stats.kpis);
  state.features = rows;
  state.all = rows;
  state.props = rows.map((f) => ({ ...f.properties, _id: String(f.id) }));
  state.shown = PAGE_SIZE;
  refreshDetails();
  renderPanel({ chartsLater: startingUp() });
  await tilesP;
  if (seq !== state.fetchSeq) return;
  state.loading = false;
  renderCount();
  writeUrl();
}

/** Whether the page is still starting: its charts are drawn after the map's first frame (start). */
function startingUp() {
  return !performance.getEntriesByName('planmap:numbers').length;
}

/** On tiles, "show more" loads the table's next page from the server first. */
async function showMoreRows() {
  if (state.tiled && state.features.length < Math.min(state.shown + PAGE_SIZE, state.total ?? 0)) {
    const seq = state.fetchSeq;
    const more = await fetchTablePage(tiledQuery(), state.features.length);
    if (seq !== state.fetchSeq) return;
    state.features = state.features.concat(more);
    state.all = state.features;
  }
  state.shown += PAGE_SIZE;
  renderTable();
}

function renderMap() {
  const t0 = performance.now();
  updateMapData();
  setSelection(state.selectedId);
  updateChoropleth();
  progressTab.refreshMap();
  renderCount();
  writeUrl();
  state.timings.lastMapMs = Math.round(performance.now() - t0);
}
onFiltersChange(loadProjects);
onOpenProject((id) => openDetails(id, { fly: true }));

function setMonth(m) {
  if (state.month === m) return;
  state.month = m;
  if (state.serverAsOf === false && state.latestRaw) {
    // No server history: the same projects, rolled back by their dates (no refetch).
    state.raw = state.latestRaw;
    state.rawMonth = m;
    state.asOfSource = m ? 'dates' : 'latest';
    deriveAll();
  }
  loadProjects();
}

// ---------------------------------------------------------------- language
/** The basemap switcher (basemaps.js), when basemaps are configured. */
let basemapSwitcher = null;

function setLang(lang) {
  if (!STRINGS[lang]) return;
  state.lang = lang;
  storeLang(lang);
  renderAll();
  setMapLang(lang);
  refreshAttribution();
  if (basemapSwitcher) basemapSwitcher.render();
  writeUrl();
}

function renderAll() {
  applyStaticStrings();
  exportMenu.render();
  renderStatusFilter();
  renderFilterSelects();
  renderLegend();
  renderCount();
  if (!state.loading) {
    renderDashboard();
    renderTable();
    updateChoropleth();
  }
  if (state.selectedFeature && !$('details').hidden) renderDetails();
}

// ---------------------------------------------------------------- events
$('lang-btn').addEventListener('click', () => setLang(state.lang === 'zh' ? 'en' : 'zh'));
$('panel-toggle').addEventListener('click', () => {
  const panel = $('panel');
  const collapsed = panel.classList.toggle('collapsed');
  $('panel-toggle').setAttribute('aria-expanded', String(!collapsed));
  $('panel-body').hidden = collapsed;
  applyStaticStrings();
});
$('status-all').addEventListener('click', () => {
  state.statusSel = new Set([...STATUS_KEYS, NULL_KEY]);
  renderStatusFilter();
  loadProjects();
});
$('status-none').addEventListener('click', () => {
  state.statusSel = new Set();
  renderStatusFilter();
  loadProjects();
});
$('filter-reset').addEventListener('click', () => {
  state.statusSel = new Set([...STATUS_KEYS, NULL_KEY]);
  Object.assign(state, { action: '', town: '', island: '', kind: '', lateOnly: false, q: '' });
  $('table-q').value = '';
  renderStatusFilter();
  renderFilterSelects();
  loadProjects();
});
for (const [id, key] of [['action-filter', 'action'], ['town-filter', 'town'], ['island-filter', 'island'], ['kind-filter', 'kind']]) {
  $(id).addEventListener('change', (e) => { state[key] = e.target.value; loadProjects(); });
}
$('late-filter').addEventListener('change', (e) => { state.lateOnly = e.target.checked; loadProjects(); });
$('choro-toggle').addEventListener('change', (e) => { state.choro = e.target.checked; updateChoropleth(); writeUrl(); });
let qTimer = null;
$('table-q').addEventListener('input', (e) => {
  clearTimeout(qTimer);
  qTimer = setTimeout(() => { state.q = e.target.value.trim(); state.shown = PAGE_SIZE; loadProjects(); }, 200);
});
$('table-more').addEventListener('click', () => {
  showMoreRows().catch((e) => { state.error = e.message || String(e); renderCount(); });
});

wireMonthSlider(setMonth);

// Tabs (arrow keys move between them, as the ARIA tabs pattern says).
const TABS = ['overview', 'projects', 'targets', 'progress'];
TABS.forEach((id) => {
  const b = $(`tab-${id}`);
  b.addEventListener('click', () => setTab(id));
  b.addEventListener('keydown', (e) => {
    const i = TABS.indexOf(id);
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      setTab(TABS[(i + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length], true);
    }
  });
});

// Table rows: click / Enter opens, hover highlights the project on the map.
const tbody = $('project-list');
tbody.addEventListener('click', (e) => {
  const row = e.target.closest('.proj-item');
  if (!row) return;
  state.returnFocus = row;
  openDetails(row.dataset.id, { fly: true, focus: true });
});
tbody.addEventListener('keydown', (e) => {
  const row = e.target.closest('.proj-item');
  if (!row) return;
  if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    state.returnFocus = row;
    openDetails(row.dataset.id, { fly: true, focus: true });
  } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    e.preventDefault();
    const next = e.key === 'ArrowDown' ? row.nextElementSibling : row.previousElementSibling;
    if (next && next.classList.contains('proj-item')) next.focus();
  }
});
tbody.addEventListener('mouseover', (e) => {
  const row = e.target.closest('.proj-item');
  setHover(row ? row.dataset.id : null, 'table');
});
tbody.addEventListener('focusin', (e) => {
  const row = e.target.closest('.proj-item');
  if (row) setHover(row.dataset.id, 'table');
});
tbody.addEventListener('mouseleave', () => setHover(null, 'table'));

$('details-close').addEventListener('click', closeDetails);
$('details-zoom').addEventListener('click', () => state.selectedFeature && flyTo(state.selectedFeature));
wirePrint();
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && !$('details').hidden) closeDetails();
});

map.on('click', (e) => {
  const cl = map.queryRenderedFeatures(e.point, { layers: ['cluster-circle'] });
  if (cl.length) {
    const src = map.getSource('clusters');
    src.getClusterExpansionZoom(cl[0].properties.cluster_id).then((z) => {
      map.easeTo({ center: cl[0].geometry.coordinates, zoom: Math.min(z, CLUSTER_MAX_ZOOM + 1) });
    });
    return;
  }
  const hits = hitAt(e.point);
  if (hits.length) {
    state.returnFocus = null;
    openDetails(String(hits[0].properties._id), { fly: false });
  }
});
map.on('mousemove', (e) => {
  const hits = hitAt(e.point);
  const cl = hits.length ? [] : map.queryRenderedFeatures(e.point, { layers: ['cluster-circle'] });
  map.getCanvas().style.cursor = hits.length || cl.length ? 'pointer' : '';
  setHover(hits.length ? String(hits[0].properties._id) : null, 'map');
});
map.on('mouseout', () => setHover(null, 'map'));
map.on('moveend', () => writeUrl());

// ---------------------------------------------------------------- start
let readyResolve;
const ready = new Promise((res) => { readyResolve = res; });

window.planmap = {
  map,
  state,
  ready,
  /** Ids of the projects whose geometry is drawn in the current view. */
  renderedProjectIds() {
    const ids = new Set(map.queryRenderedFeatures({ layers: projectLayers() }).map((f) => String(f.properties._id ?? f.properties.id)));
    return [...ids].sort();
  },
  /** Texts of the labels placed in the current view (layer id -> texts). */
  renderedLabels() {
    const out = {};
    for (const id of ['project-label', 'island-label']) {
      out[id] = map.queryRenderedFeatures({ layers: [id] })
        .map((f) => (state.lang === 'en' ? (f.properties.name_en || f.properties.name_zh) : f.properties.name_zh));
    }
    return out;
  },
  openDetails: (id) => openDetails(id, { fly: true }),
  setLang,
  setMonth,
  asOfDate,
  mapPng,
  /** The island fill colour per island name (choropleth check). */
  islandColor(name) {
    const f = map.queryRenderedFeatures({ layers: ['island-fill'] }).find((x) => x.properties.name_zh === name);
    return f ? f.layer.paint['fill-color'] : null;
  },
};

async function start() {
  // On a short screen (a tablet) the filters start folded so the KPI cards are in view.
  if (window.innerHeight < 800) $('filters-box').open = false;
  applyStaticStrings();
  renderStatusFilter();
  renderFilterSelects();
  renderLegend();
  renderCount();
  $('table-q').value = state.q;
  setTab(state.tab);
  const targetsP = getJSON('api/plan/targets').then((x) => { state.targets = Array.isArray(x) ? x : []; }).catch(() => { state.targets = []; });
  const baseP = loadBasemap().catch((e) => { state.error = e.message; renderCount(); });
  // Configured imagery / vector basemaps (none: nothing changes). After the style, before ready.
  const switcherP = styleLoaded.then(() => wireBasemaps(map, { tr, onChange: () => { updateChoropleth(); writeUrl(); } }))
    .then((c) => { basemapSwitcher = c; }).catch(() => { /* the outline stays */ });
  // First render: the first frame in which projects are drawn with the KPI cards and the table
  // filled (or, with none to draw, the first frame with the data in). Watched from the start:
  // on tiles the map may draw its projects before the figures and the table are in.
  let dataIn = false;
  const firstFrame = new Promise((res) => {
    const onRender = () => {
      const layers = [...projectLayers(), 'cluster-circle', 'tile-cluster'].filter((l) => map.getLayer(l));
      const drawn = () => performance.getEntriesByName('planmap:kpis').length && map.queryRenderedFeatures({ layers }).length;
      // Once the data is in and the map has loaded it, this frame is what it shows, drawn
      // projects or not (a view or filter with none in sight).
      if ((dataIn && (!state.features.length || map.loaded())) || drawn()) {
        map.off('render', onRender);
        performance.mark('planmap:first-render');
        res();
      }
    };
    map.on('render', onRender);
  });
  // Projects are asked for at once, in parallel with the vocabularies and the basemap.
  await loadProjects();
  dataIn = true;
  performance.mark('planmap:data');
  map.triggerRepaint();
  renderFilterSelects();
  await baseP;
  if (state.tiled) renderFilterSelects(); // the basemap's island names
  await switcherP;
  await targetsP;
  await styleLoaded;
  performance.mark('planmap:style');
  // ECharts loads `async`; the document's load event is when it has run (or failed to: the
  // panel then goes without charts rather than waiting for ever).
  if (window.echarts == null && document.readyState !== 'complete') await new Promise((res) => window.addEventListener('load', res, { once: true }));
  // The map opened at the URL's view or fitted to the district outline from /api/meta; without
  // either (no outline in the geodata) it is fitted now.
  if (!urlView && !districtBox) fitDistrict(false);
  // The charts (and the tab's other parts, which wait for the targets) once the map has drawn.
  await firstFrame;
  renderPanelCharts();
  updateChoropleth();
  if (urlAtStart.sel) await openDetails(urlAtStart.sel, { fly: false });
  performance.mark('planmap:panel');
  enableUrlWrites();
  writeUrl();
  if (!map.loaded()) await new Promise((res) => map.once('idle', res));
  else await new Promise((res) => { map.once('idle', res); map.triggerRepaint(); });
  performance.mark('planmap:ready');
  const at = (m) => Math.round(performance.getEntriesByName(m)[0]?.startTime ?? -1);
  // Milliseconds since navigation start: firstRenderMs = projects drawn, KPI cards and table filled;
  // idleMs = the map fully settled (every label placed).
  state.timings.firstRenderMs = at('planmap:first-render');
  state.timings.idleMs = at('planmap:ready');
  state.timings.kpisMs = at('planmap:kpis'); // KPI cards and table filled
  state.timings.numbersMs = at('planmap:numbers'); // and the charts
  state.timings.marks = { start: at('planmap:start'), data: at('planmap:data'), style: at('planmap:style'), panel: at('planmap:panel') };
  readyResolve(true);
}
start();
window.addEventListener('resize', () => {
  refreshAttribution();
  resizeCharts($('panel'));
});
