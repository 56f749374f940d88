// planmap leadership view: the map with a side panel of KPI cards, charts, the project table
// and the plan's targets, a month slider (as-of state), deep links, print and PNG.
// Plain ES modules, no build step. Offline by design: MapLibre GL JS and ECharts are vendored
// under vendor/, the style is built here, there is no tile server, no sprite and no `glyphs`
// URL (MapLibre >= 5.11 draws every label glyph locally from the installed fonts).
//
// Security: every string that comes from the server is put into the page with textContent /
// attribute setters, never innerHTML.

import { t, has, STRINGS, HTML_LANG } from './i18n.js';
import {
  formatMoney, formatInt, lateness, deriveAsOf, kpis, groupBy, investmentByIsland, breaks,
  sliderMonths, monthEnd, clampMonth, isoDate,
} from './format.js';
import {
  renderKpis, renderCharts, renderTableHead, renderTableRows, sortRows, renderTargets, lateText,
} from './dashboard.js';
import { resizeCharts, yearChart } from './charts.js';
import { createExportMenu } from './export-menu.js';
import { el } from './dom.js';
import { createProgressTab } from './progress-tab.js';
import { renderReportTimeline } from './report-timeline.js';

performance.mark('planmap:start');
const maplibregl = window.maplibregl;

// ---------------------------------------------------------------- constants
const STATUS_KEYS = ['planned', 'preparing', 'under_construction', 'completed', 'suspended'];
const NULL_KEY = 'null'; // "未填报": status / action not filled in
const STATUS_COLORS = {
  planned: '#7b4fd6', // purple
  preparing: '#e08a00', // amber
  under_construction: '#d62d20', // red
  completed: '#2b8a3e', // green
  suspended: '#7d8791', // grey
  null: '#274690', // navy: not reported
};
const LATE_COLOR = '#ff2d55';
const SEA = '#b9d9ea';
const LAND_2017 = '#e9e4d4';
const ISLAND_FILL = '#f8f3e3';
const ISLAND_LINE = '#8a7852';
const DISTRICT_LINE = '#9b2f8f';
// Choropleth classes (light to dark): a sequential yellow–orange–brown, so land never reads as sea.
const CHORO = ['#fff1c9', '#fdd48a', '#fdae5a', '#f07f2e', '#cf5516', '#93340b'];
// CSS font families tried for map labels (drawn locally by MapLibre/TinySDF).
const LABEL_FONTS = [
  'Microsoft YaHei', 'PingFang SC', 'Hiragino Sans GB', 'Noto Sans CJK SC', 'Source Han Sans SC',
  'WenQuanYi Zen Hei', 'WenQuanYi Micro Hei', 'SimHei', 'sans-serif',
];
const POLY = ['Polygon', 'MultiPolygon'];
const LINE = ['LineString', 'MultiLineString'];
const POINT = ['Point', 'MultiPoint'];
const PROJECT_LAYERS = ['proj-point', 'proj-line', 'proj-fill', 'proj-fill-outline', 'proj-marker'];
const CLUSTER_MIN = 800; // more projects than this: aggregate when zoomed out
const CLUSTER_MAX_ZOOM = 11;
const PAGE_SIZE = 200; // table rows per "show more"
const LS_KEY = 'planmap.lang';
const EMPTY_FC = { type: 'FeatureCollection', features: [] };
const MONTHS = sliderMonths();

// ---------------------------------------------------------------- state
const state = {
  lang: initialLang(),
  meta: null,
  attribution: [],
  statusSel: new Set([...STATUS_KEYS, NULL_KEY]),
  action: '', // '' = all, '1'..'5', 'null'
  town: '', // '' = all, a town name, 'null'
  kind: '',
  island: '',
  lateOnly: false,
  q: '',
  month: null, // null = latest data; 'YYYY-MM' = as of the end of that month
  asOfSource: 'dates', // 'server' once /api/projects?as_of= answers, else derived from dates
  serverAsOf: null, // null = not yet known, true/false after the first try
  raw: [], // features as loaded (all projects, for the month)
  latestRaw: null, // the latest projects (no as_of), kept to derive past months from dates
  rawMonth: undefined,
  all: [], // raw with the as-of state and lateness applied
  features: [], // all, filtered: what the map, table and numbers show
  kpi: null,
  stats: null,
  targets: null,
  loading: true,
  error: null,
  selectedId: null,
  selectedFeature: null,
  hoverId: null,
  fetchSeq: 0,
  lastQuery: null,
  districtBounds: null,
  returnFocus: null,
  tab: 'overview',
  sort: { col: 'status', dir: 1 },
  shown: PAGE_SIZE,
  choro: false,
  islandNames: [],
  clustered: false,
  timings: {},
};

function initialLang() {
  const q = new URLSearchParams(location.search).get('lang');
  if (q && STRINGS[q]) {
    storeLang(q);
    return q;
  }
  try {
    const s = localStorage.getItem(LS_KEY);
    if (s && STRINGS[s]) return s;
  } catch (_) { /* storage may be disabled */ }
  return 'zh';
}
function storeLang(lang) {
  try { localStorage.setItem(LS_KEY, lang); } catch (_) { /* ignore */ }
}
const tr = (key, vars) => t(state.lang, key, vars);

// ---------------------------------------------------------------- helpers
const $ = (id) => document.getElementById(id);
const isUnknown = (v) => v == null || v === '' || (Array.isArray(v) && v.length === 0);
function unknownNode() {
  return el('span', { class: 'unknown', text: tr('unknown') });
}
function apiUrl(path, params) {
  const u = new URL(path, document.baseURI);
  if (params) u.search = params.toString();
  return u;
}
async function getJSON(path, params, signal) {
  const res = await fetch(apiUrl(path, params), { headers: { Accept: 'application/json' }, signal });
  if (!res.ok) {
    let detail = '';
    try { const p = await res.json(); detail = p.detail || p.title || ''; } catch (_) { /* not json */ }
    const err = new Error(`HTTP ${res.status}${detail ? ' ' + detail : ''}`);
    err.status = res.status;
    throw err;
  }
  return res.json();
}
function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}
/** "125000.5" -> "125,000.5"; anything that is not a plain decimal is shown as is. */
function formatDecimal(v) {
  const s = String(v).trim();
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(s);
  if (!m) return s;
  return m[1] + m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (m[3] || '');
}
const wanYuan = (v) => formatMoney(v, state.lang, tr) ?? tr('unit.wan_yuan', { v: formatDecimal(v) });
const statusKey = (s) => (s == null ? NULL_KEY : s);
const statusName = (s) => tr(`status.${statusKey(s)}`);
const statusColor = (s) => STATUS_COLORS[statusKey(s)] || STATUS_COLORS.null;
function kindName(k) { return k == null ? tr('unknown') : (has(state.lang, `kind.${k}`) ? tr(`kind.${k}`) : String(k)); }
function townName(town) { return has(state.lang, `town.${town}`) ? tr(`town.${town}`) : String(town); }
function localName(o) {
  if (!o) return null;
  if (state.lang === 'en' && o.name_en) return o.name_en;
  return o.name_zh ?? o.name_en ?? null;
}
function projectName(p) {
  if (state.lang === 'en' && p.name_en) return p.name_en;
  return p.name_zh;
}
function actionInfo(n) {
  return state.meta?.actions?.find((a) => Number(a.n) === Number(n)) || null;
}
function taskInfo(n) {
  return state.meta?.tasks?.find((a) => Number(a.n) === Number(n)) || null;
}
const CN_NUM = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
function actionLabel(n) {
  const a = actionInfo(n);
  const name = localName(a);
  const num = state.lang === 'zh' ? (CN_NUM[n] || n) : n;
  return name ? tr('action.label', { n: num, name }) : tr('action.n', { n: num });
}
function taskLabel(n) {
  const tk = taskInfo(n);
  const name = localName(tk);
  return name ? tr('task.label', { n, name }) : tr('task.n', { n });
}

// ---------------------------------------------------------------- geometry
function ringArea(r) {
  let a = 0;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) a += (r[j][0] * r[i][1]) - (r[i][0] * r[j][1]);
  return a / 2;
}
function ringCentroid(r) {
  let a = 0; let x = 0; let y = 0;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
    const f = (r[j][0] * r[i][1]) - (r[i][0] * r[j][1]);
    a += f; x += (r[j][0] + r[i][0]) * f; y += (r[j][1] + r[i][1]) * f;
  }
  if (Math.abs(a) < 1e-14) return r[0];
  return [x / (3 * a), y / (3 * a)];
}
function lineLength(l) {
  let d = 0;
  for (let i = 1; i < l.length; i++) d += Math.hypot(l[i][0] - l[i - 1][0], l[i][1] - l[i - 1][1]);
  return d;
}
function lineMidpoint(l) {
  const half = lineLength(l) / 2;
  let d = 0;
  for (let i = 1; i < l.length; i++) {
    const s = Math.hypot(l[i][0] - l[i - 1][0], l[i][1] - l[i - 1][1]);
    if (d + s >= half && s > 0) {
      const f = (half - d) / s;
      return [l[i - 1][0] + f * (l[i][0] - l[i - 1][0]), l[i - 1][1] + f * (l[i][1] - l[i - 1][1])];
    }
    d += s;
  }
  return l[0];
}
/** A point to hang the label on (and to fly to). */
function labelPoint(g) {
  if (!g || !g.coordinates) return null;
  const c = g.coordinates;
  switch (g.type) {
    case 'Point': return c;
    case 'MultiPoint': return c[0] || null;
    case 'LineString': return lineMidpoint(c);
    case 'MultiLineString': return lineMidpoint(c.reduce((a, b) => (lineLength(b) > lineLength(a) ? b : a), c[0] || []));
    case 'Polygon': return ringCentroid(c[0]);
    case 'MultiPolygon': {
      const big = c.reduce((a, b) => (Math.abs(ringArea(b[0])) > Math.abs(ringArea(a[0])) ? b : a), c[0]);
      return big ? ringCentroid(big[0]) : null;
    }
    default: return null;
  }
}
/** Planar area in square degrees (only used to draw small polygons above big ones). */
function geomArea(g) {
  if (!g) return 0;
  if (g.type === 'Polygon') return Math.abs(ringArea(g.coordinates[0] || []));
  if (g.type === 'MultiPolygon') return g.coordinates.reduce((s, p) => s + Math.abs(ringArea(p[0] || [])), 0);
  return 0;
}
function extendBounds(b, g) {
  const walk = (c) => {
    if (typeof c[0] === 'number') {
      b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]);
      b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]);
    } else c.forEach(walk);
  };
  if (g && g.coordinates) walk(g.coordinates);
  return b;
}
function boundsOf(features) {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  features.forEach((f) => extendBounds(b, f.geometry));
  return Number.isFinite(b[0]) ? b : null;
}

// ---------------------------------------------------------------- map style
const geomIs = (types) => ['match', ['geometry-type'], types, true, false];
const statusColorExpr = ['match', ['coalesce', ['get', 'status'], NULL_KEY],
  ...STATUS_KEYS.flatMap((k) => [k, STATUS_COLORS[k]]), STATUS_COLORS.null];
function nameExpr(lang) {
  return lang === 'en' ? ['coalesce', ['get', 'name_en'], ['get', 'name_zh'], ''] : ['coalesce', ['get', 'name_zh'], ['get', 'name_en'], ''];
}
// Dot radius by reported 总投资 (万元): 1千万 small, 10亿 large; unknown investment = base size, hollow.
const invRadius = ['case', ['<', ['get', '_inv'], 0], 5,
  ['interpolate', ['linear'], ['sqrt', ['get', '_inv']], 0, 4.5, 100, 6, 316, 9, 1000, 14, 2236, 20]];
const zoomed = (expr, lo, hi) => ['interpolate', ['linear'], ['zoom'], 8, ['*', expr, lo], 14, ['*', expr, hi]];

function buildStyle() {
  return {
    version: 8,
    name: 'planmap-offline',
    // No "glyphs" and no "sprite": nothing is fetched for the style itself.
    sources: {
      basemap: { type: 'geojson', data: EMPTY_FC, tolerance: 0.2 },
      projects: { type: 'geojson', data: EMPTY_FC, promoteId: '_id' },
      'project-labels': { type: 'geojson', data: EMPTY_FC },
      clusters: { type: 'geojson', data: EMPTY_FC, cluster: true, clusterRadius: 46, clusterMaxZoom: CLUSTER_MAX_ZOOM,
        clusterProperties: { late_n: ['+', ['get', 'late']] } },
    },
    layers: [
      { id: 'sea', type: 'background', paint: { 'background-color': SEA } },
      { id: 'land2017', type: 'fill', source: 'basemap', filter: ['==', ['get', 'layer'], 'land2017'],
        paint: { 'fill-color': LAND_2017 } },
      { id: 'island-fill', type: 'fill', source: 'basemap', filter: ['==', ['get', 'layer'], 'island'],
        paint: { 'fill-color': ISLAND_FILL } },
      { id: 'island-line', type: 'line', source: 'basemap', filter: ['==', ['get', 'layer'], 'island'],
        paint: { 'line-color': ISLAND_LINE, 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 0.5, 12, 1, 15, 1.6] } },
      { id: 'district-line', type: 'line', source: 'basemap', filter: ['==', ['get', 'layer'], 'district'],
        layout: { 'line-join': 'round' },
        paint: { 'line-color': DISTRICT_LINE, 'line-width': 1.4, 'line-opacity': 0.8, 'line-dasharray': [4, 3] } },
      { id: 'proj-fill', type: 'fill', source: 'projects', filter: geomIs(POLY),
        layout: { 'fill-sort-key': ['-', 0, ['coalesce', ['get', '_area'], 0]] }, // small areas on top
        paint: { 'fill-color': statusColorExpr, 'fill-opacity': 0.22 } },
      { id: 'proj-fill-outline', type: 'line', source: 'projects', filter: geomIs(POLY),
        paint: { 'line-color': statusColorExpr, 'line-width': ['interpolate', ['linear'], ['zoom'], 9, 1.2, 13, 2.2] } },
      { id: 'proj-line-casing', type: 'line', source: 'projects', filter: geomIs(LINE),
        layout: { 'line-cap': 'round', 'line-join': 'round' },
        paint: { 'line-color': '#ffffff', 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 4, 14, 8] } },
      { id: 'proj-line', type: 'line', source: 'projects', filter: geomIs(LINE),
        layout: { 'line-cap': 'round', 'line-join': 'round' },
        paint: { 'line-color': statusColorExpr, 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 2.5, 14, 5] } },
      { id: 'hover-line', type: 'line', source: 'projects', filter: ['==', ['get', '_id'], ''],
        paint: { 'line-color': '#ffbf00', 'line-width': 6, 'line-opacity': 0.9 } },
      // Lines and areas with a reported investment also get a dot sized by it, at their label point.
      { id: 'proj-marker', type: 'circle', source: 'project-labels', filter: ['all', ['!=', ['get', '_pt'], true], ['>=', ['get', '_inv'], 0]],
        paint: {
          'circle-color': statusColorExpr, 'circle-opacity': 0.75,
          'circle-radius': zoomed(invRadius, 0.8, 1.3),
          'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1.2,
        } },
      { id: 'proj-point', type: 'circle', source: 'projects', filter: geomIs(POINT),
        paint: {
          'circle-color': ['case', ['<', ['get', '_inv'], 0], '#ffffff', statusColorExpr],
          'circle-radius': zoomed(invRadius, 0.9, 1.5),
          'circle-stroke-color': ['case', ['<', ['get', '_inv'], 0], statusColorExpr, '#ffffff'],
          'circle-stroke-width': ['case', ['<', ['get', '_inv'], 0], 2.6, 1.5],
        } },
      { id: 'late-ring', type: 'circle', source: 'project-labels', filter: ['==', ['get', '_late'], true],
        paint: {
          'circle-color': 'rgba(0,0,0,0)', 'circle-radius': zoomed(['+', invRadius, 3.5], 0.9, 1.5),
          'circle-stroke-color': LATE_COLOR, 'circle-stroke-width': 2.5,
        } },
      { id: 'hover-point', type: 'circle', source: 'project-labels', filter: ['==', ['get', '_id'], ''],
        paint: { 'circle-color': 'rgba(255,191,0,0.35)', 'circle-radius': 16, 'circle-stroke-color': '#ffbf00', 'circle-stroke-width': 3 } },
      { id: 'sel-line', type: 'line', source: 'projects', filter: ['==', ['get', '_id'], ''],
        paint: { 'line-color': '#101010', 'line-width': 3, 'line-dasharray': [2, 1] } },
      { id: 'sel-point', type: 'circle', source: 'project-labels', filter: ['==', ['get', '_id'], ''],
        paint: { 'circle-color': 'rgba(0,0,0,0)', 'circle-radius': 15, 'circle-stroke-color': '#101010', 'circle-stroke-width': 2.5 } },
      { id: 'cluster-circle', type: 'circle', source: 'clusters', maxzoom: CLUSTER_MAX_ZOOM + 1, filter: ['has', 'point_count'],
        paint: {
          'circle-color': ['case', ['>', ['get', 'late_n'], 0], '#fde2e4', '#e3effa'],
          'circle-stroke-color': ['case', ['>', ['get', 'late_n'], 0], LATE_COLOR, '#0b5cad'], 'circle-stroke-width': 2,
          'circle-radius': ['interpolate', ['linear'], ['get', 'point_count'], 2, 12, 100, 20, 1000, 30],
        } },
      { id: 'cluster-count', type: 'symbol', source: 'clusters', maxzoom: CLUSTER_MAX_ZOOM + 1, filter: ['has', 'point_count'],
        layout: { 'text-field': ['get', 'point_count_abbreviated'], 'text-font': LABEL_FONTS, 'text-size': 12, 'text-allow-overlap': true },
        paint: { 'text-color': '#0b2a4a' } },
      { id: 'project-label', type: 'symbol', source: 'project-labels', minzoom: 9,
        layout: {
          'text-field': nameExpr(state.lang),
          'text-font': LABEL_FONTS,
          'text-size': ['interpolate', ['linear'], ['zoom'], 9, 11, 13, 13],
          'text-max-width': 9,
          'text-variable-anchor': ['top', 'bottom', 'left', 'right'],
          'text-radial-offset': 0.9,
          'text-justify': 'auto',
          'symbol-sort-key': ['get', '_rank'],
        },
        paint: { 'text-color': '#1d2a33', 'text-halo-color': 'rgba(255,255,255,0.95)', 'text-halo-width': 1.6 } },
      { id: 'island-label', type: 'symbol', source: 'basemap',
        filter: ['all', ['==', ['get', 'layer'], 'island'], ['has', 'name_zh'], ['!=', ['get', 'name_zh'], null]],
        layout: {
          'text-field': nameExpr(state.lang),
          'text-font': LABEL_FONTS,
          'text-size': ['interpolate', ['linear'], ['zoom'], 8, 12, 12, 15],
          'text-letter-spacing': state.lang === 'zh' ? 0.15 : 0.02,
          'text-max-width': 8,
          'text-padding': 4,
        },
        paint: { 'text-color': '#6b5526', 'text-halo-color': 'rgba(248,243,227,0.95)', 'text-halo-width': 2 } },
    ],
  };
}

// ---------------------------------------------------------------- map
const urlAtStart = readUrl();
// Ask for the projects before the map is created: creating the WebGL context takes a while on
// slow machines, and the request (the biggest one) can run meanwhile. Used by the first load.
let prefetch = urlAtStart.month ? null : getJSON('api/projects').catch((e) => ({ error: e }));
const map = new maplibregl.Map({
  container: 'map',
  style: buildStyle(),
  center: [121.05, 27.9],
  zoom: 9.5,
  minZoom: 6,
  maxZoom: 17,
  attributionControl: false,
  dragRotate: false,
  pitchWithRotate: false,
  touchPitch: false,
  localIdeographFontFamily: LABEL_FONTS.join(', '),
  // Keeps the last frame readable for the PNG download and for printing.
  canvasContextAttributes: { preserveDrawingBuffer: true },
});
map.touchZoomRotate.disableRotation();
map.keyboard.disableRotation();
map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-right');
let attributionControl = null;
const styleLoaded = new Promise((resolve) => map.once('load', resolve));

function setAttribution() {
  if (attributionControl) map.removeControl(attributionControl);
  // customAttribution is inserted as HTML by MapLibre, so escape the server's text.
  const texts = state.attribution.map((a) => escapeHtml(a.text)).filter(Boolean);
  texts.push(escapeHtml(tr('attribution.maplibre')));
  attributionControl = new maplibregl.AttributionControl({ compact: window.innerWidth < 900, customAttribution: texts });
  map.addControl(attributionControl, 'bottom-right');
}

function panelPadding() {
  const panel = $('panel');
  const wide = window.innerWidth >= 700;
  const left = wide ? Math.round(panel.getBoundingClientRect().right) + 16 : 16;
  let right = 56;
  const det = $('details');
  if (!det.hidden && wide) right = Math.round(window.innerWidth - det.getBoundingClientRect().left) + 16;
  const bottom = wide ? 36 : Math.round(window.innerHeight - panel.getBoundingClientRect().top) + 16;
  return { top: 24, bottom, left, right };
}

function fitDistrict(animate) {
  const b = state.districtBounds || state.meta?.region || boundsOf(state.features);
  if (!b) return;
  map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: panelPadding(), duration: animate ? 500 : 0 });
}

// ---------------------------------------------------------------- as-of date
const today = () => isoDate(new Date());
/** The date the page shows: the end of the chosen month, or today for the latest data. */
function asOfDate() {
  return state.month ? monthEnd(state.month) : today();
}

// ---------------------------------------------------------------- data loading
// Every project is loaded once per month (10,000 are ~10 MB of GeoJSON, fetched once); the
// filters run here, with the same meaning as the API's, so that a filter change is instant.
// `lastQuery` is the API query equivalent to the current status/action/town/kind filters.
function apiQuery() {
  const p = new URLSearchParams();
  const keys = [...STATUS_KEYS, NULL_KEY];
  const allStatus = keys.every((k) => state.statusSel.has(k));
  if (!allStatus && !state.statusSel.has(NULL_KEY)) p.set('status', STATUS_KEYS.filter((k) => state.statusSel.has(k)).join(','));
  if (state.action && state.action !== NULL_KEY) p.set('action', state.action);
  if (state.town && state.town !== NULL_KEY) p.set('town', state.town);
  if (state.kind) p.set('kind', state.kind);
  return p;
}

/** True when apiQuery() selects exactly the projects shown: no client-only filter is on. */
function serverQueryExact() {
  const keys = [...STATUS_KEYS, NULL_KEY];
  const allStatus = keys.every((k) => state.statusSel.has(k));
  const statusOk = allStatus || (!state.statusSel.has(NULL_KEY) && state.statusSel.size > 0);
  return statusOk && state.action !== NULL_KEY && state.town !== NULL_KEY
    && !state.island && !state.lateOnly && !state.q && !state.month;
}

const validFeatures = (fc) => (fc.features || []).filter((f) => f && f.geometry && f.properties);

/** The latest projects (GET /api/projects, no as_of), loaded once and kept. */
async function latestProjects() {
  if (state.latestRaw) return state.latestRaw;
  let fc;
  if (prefetch) {
    fc = await prefetch;
    prefetch = null;
    if (fc.error) throw fc.error;
  } else fc = await getJSON('api/projects');
  state.latestRaw = validFeatures(fc).map((f) => ({ ...f, _src: 'dates' }));
  return state.latestRaw;
}

/**
 * The projects as of the end of `month` (null = the latest). With the server's history
 * (GET /api/projects?as_of=) a project is as it was recorded then; a project recorded only
 * later (e.g. the seed, entered after the fact) is rolled back by its dates. A server without
 * history answers 400 to as_of: then every project is rolled back by its dates.
 * Returns { features (each with _src 'history' or 'dates'), source }.
 */
async function fetchForMonth(month) {
  const latest = await latestProjects();
  if (!month) return { features: latest, source: 'latest' };
  if (state.serverAsOf !== false) {
    try {
      const fc = await getJSON('api/projects', new URLSearchParams({ as_of: monthEnd(month) }));
      state.serverAsOf = true;
      const then = validFeatures(fc).map((f) => ({ ...f, _src: 'history' }));
      const seen = new Set(then.map((f) => String(f.id)));
      const later = latest.filter((f) => !seen.has(String(f.id)));
      return { features: then.concat(later), source: then.length ? 'server' : 'dates' };
    } catch (e) {
      if (e.status !== 400) throw e;
      state.serverAsOf = false; // unknown parameter: the server has no history
    }
  }
  return { features: latest, source: 'dates' };
}

async function loadProjects() {
  const seq = ++state.fetchSeq;
  state.loading = true;
  state.error = null;
  state.lastQuery = apiQuery().toString();
  renderCount();
  try {
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
    // The panel (numbers, charts, table) does not need the map: draw it first.
    renderPanel();
    await styleLoaded;
    if (seq !== state.fetchSeq) return;
    state.loading = false;
    renderMap();
  } catch (e) {
    if (seq !== state.fetchSeq) return;
    state.loading = false;
    state.error = e.message || String(e);
    renderCount();
  }
}

/** The as-of state of every project and its lateness at the page's date. */
function deriveAll() {
  const d = asOfDate();
  state.all = state.raw.map((f) => {
    const props = state.month && f._src === 'dates' ? deriveAsOf(f.properties, d) : f.properties;
    const late = lateness(props, d);
    return { type: 'Feature', id: f.id, geometry: f.geometry, properties: props, _late: late };
  });
}

function passes(f, skip) {
  const p = f.properties;
  if (skip !== 'status' && !state.statusSel.has(statusKey(p.status))) return false;
  if (state.action && (state.action === NULL_KEY ? p.action != null : String(p.action) !== state.action)) return false;
  if (state.town && (state.town === NULL_KEY ? p.town != null : p.town !== state.town)) return false;
  if (state.kind && p.kind !== state.kind) return false;
  if (state.island && !(p.islands || []).includes(state.island)) return false;
  if (state.lateOnly && !(f._late && f._late.late)) return false;
  if (state.q) {
    const q = state.q.toLowerCase();
    const hay = [p.name_zh, p.name_en, p.description, p.plan_ref, ...(p.responsible_units || [])].filter(Boolean).join(' ').toLowerCase();
    if (!hay.includes(q)) return false;
  }
  return true;
}

function applyFilters() {
  state.features = state.all.filter((f) => passes(f));
  const props = state.features.map((f) => ({ ...f.properties, _id: String(f.id) }));
  state.kpi = kpis(props, asOfDate());
  state.props = props;
}

function renderPanel() {
  const t0 = performance.now();
  renderCount();
  renderStatusCounts();
  renderDashboard();
  renderTable();
  renderTimeLabel();
  renderFilterSummary();
  exportMenu.refresh();
  state.timings.lastPanelMs = Math.round(performance.now() - t0);
  if (!performance.getEntriesByName('planmap:numbers').length) performance.mark('planmap:numbers');
}
function renderMap() {
  const t0 = performance.now();
  updateMapData();
  updateChoropleth();
  progressTab.refreshMap();
  renderCount();
  writeUrl();
  state.timings.lastMapMs = Math.round(performance.now() - t0);
}

let detailSeq = 0;
function updateMapData() {
  const feats = [];
  const labels = [];
  for (const f of state.features) {
    const p = f.properties;
    const inv = p.investment_total == null ? -1 : Number(p.investment_total);
    const late = !!(f._late && f._late.late);
    const id = String(f.id);
    feats.push({
      type: 'Feature',
      geometry: f.geometry,
      properties: { ...flatProps(p), _id: id, _area: geomArea(f.geometry), _inv: Number.isFinite(inv) ? inv : -1, _late: late },
    });
    const pt = labelPoint(f.geometry);
    if (!pt) continue;
    // Rank: larger investment first, so the bigger projects keep their labels.
    labels.push({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: pt },
      properties: { _id: id, name_zh: p.name_zh ?? null, name_en: p.name_en ?? null, status: p.status ?? null,
        _rank: inv > 0 ? -inv : 0, _inv: Number.isFinite(inv) ? inv : -1, _late: late, _pt: POINT.includes(f.geometry.type) },
    });
  }
  // Many projects: aggregate them into clusters when zoomed out. The clusters go to the map
  // first; the full geometries, only drawn when zoomed in, follow once the map is idle, so the
  // first frame does not wait for 10,000 polygons to be tiled.
  const clustered = feats.length > CLUSTER_MIN;
  map.getSource('clusters').setData(clustered
    ? { type: 'FeatureCollection', features: labels.map((l) => ({ type: 'Feature', geometry: l.geometry, properties: { late: l.properties._late ? 1 : 0 } })) }
    : EMPTY_FC);
  const seq = ++detailSeq;
  const setDetail = () => {
    if (seq !== detailSeq) return;
    map.getSource('projects').setData({ type: 'FeatureCollection', features: feats });
    map.getSource('project-labels').setData({ type: 'FeatureCollection', features: labels });
  };
  if (clustered && map.getZoom() <= CLUSTER_MAX_ZOOM) map.once('idle', setDetail);
  else setDetail();
  if (clustered !== state.clustered) {
    state.clustered = clustered;
    const lo = clustered ? CLUSTER_MAX_ZOOM + 1 : 0;
    for (const id of ['proj-fill', 'proj-fill-outline', 'proj-line-casing', 'proj-line', 'proj-point', 'proj-marker', 'late-ring']) {
      map.setLayerZoomRange(id, lo, 24);
    }
    map.setLayerZoomRange('project-label', clustered ? CLUSTER_MAX_ZOOM + 1 : 9, 24);
    $('legend-cluster-row').hidden = !clustered;
  }
  setSelection(state.selectedId);
}
/** MapLibre only keeps scalar properties usefully; keep the ones the style uses. */
function flatProps(p) {
  return { name_zh: p.name_zh ?? null, name_en: p.name_en ?? null, status: p.status ?? null, kind: p.kind ?? null };
}

async function loadBasemap() {
  const [fc, attr] = await Promise.all([
    getJSON('api/basemap'),
    getJSON('api/basemap/attribution').catch(() => []),
  ]);
  state.attribution = Array.isArray(attr) ? attr : [];
  await styleLoaded;
  map.getSource('basemap').setData(fc);
  const district = (fc.features || []).filter((f) => f.properties && f.properties.layer === 'district');
  state.districtBounds = boundsOf(district);
  state.islandNames = [...new Set((fc.features || []).filter((f) => f.properties.layer === 'island' && f.properties.name_zh)
    .map((f) => f.properties.name_zh))];
  setAttribution();
}

// ---------------------------------------------------------------- choropleth
function updateChoropleth() {
  if (!map.getLayer('island-fill')) return;
  const box = $('legend-choro');
  box.hidden = !state.choro;
  if (!state.choro) {
    map.setPaintProperty('island-fill', 'fill-color', ISLAND_FILL);
    return;
  }
  const by = investmentByIsland(state.props || []);
  const vals = [...by.values()].map((v) => v.wan);
  const br = breaks(vals, 5);
  const colorOf = (w) => {
    if (!(w > 0)) return ISLAND_FILL;
    let i = 0;
    while (i < br.length && w >= br[i]) i++;
    return CHORO[Math.min(i, CHORO.length - 1)];
  };
  const pairs = [];
  for (const [name, v] of by) pairs.push(name, colorOf(v.wan));
  map.setPaintProperty('island-fill', 'fill-color', pairs.length ? ['match', ['coalesce', ['get', 'name_zh'], ''], ...pairs, ISLAND_FILL] : ISLAND_FILL);
  // Legend: class ranges.
  const items = [];
  const edges = [0, ...br];
  for (let i = 0; i < edges.length; i++) {
    if (!vals.some((w) => w > 0)) break;
    const lo = formatMoney(String(Math.round(edges[i])), state.lang, tr);
    const hi = i + 1 < edges.length ? formatMoney(String(Math.round(edges[i + 1])), state.lang, tr) : null;
    items.push(el('li', null, el('span', { class: 'sw', style: { background: CHORO[Math.min(i, CHORO.length - 1)] }, 'aria-hidden': 'true' }),
      hi ? `${lo} – ${hi}` : `≥ ${lo}`));
  }
  items.push(el('li', null, el('span', { class: 'sw sw-island', 'aria-hidden': 'true' }), tr('legend.choro.none')));
  box.replaceChildren(el('p', { class: 'legend-title', text: tr('legend.choro') }), el('ul', { class: 'legend legend-1col' }, ...items));
}

// ---------------------------------------------------------------- rendering: static strings
function applyStaticStrings() {
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

function renderStatusFilter() {
  const fs = $('status-filter');
  fs.querySelectorAll('label').forEach((n) => n.remove());
  for (const k of [...STATUS_KEYS, NULL_KEY]) {
    const input = el('input', { type: 'checkbox', value: k, id: `st-${k}` });
    input.checked = state.statusSel.has(k);
    input.addEventListener('change', () => {
      if (input.checked) state.statusSel.add(k); else state.statusSel.delete(k);
      loadProjects();
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
function renderStatusCounts() {
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

function fillSelect(sel, allKey, options, value) {
  sel.replaceChildren(el('option', { value: '', text: tr(allKey) }), ...options.map(([v, label]) => el('option', { value: v, text: label })));
  sel.value = value;
  if (sel.value !== value) sel.value = '';
}

function renderFilterSelects() {
  const actions = state.meta?.actions?.length ? state.meta.actions.map((a) => a.n) : [1, 2, 3, 4, 5];
  fillSelect($('action-filter'), 'filter.action.all',
    [...actions.map((n) => [String(n), actionLabel(n)]), [NULL_KEY, tr('unknown')]], state.action);
  const towns = state.meta?.towns || [];
  fillSelect($('town-filter'), 'filter.town.all', [...towns.map((n) => [n, townName(n)]), [NULL_KEY, tr('unknown')]], state.town);
  const kinds = (state.meta?.kinds || []).map((k) => (typeof k === 'string' ? k : k.value));
  fillSelect($('kind-filter'), 'filter.kind.all', kinds.map((k) => [k, kindName(k)]), state.kind);
  const islands = new Set();
  state.raw.forEach((f) => (f.properties.islands || []).forEach((i) => islands.add(i)));
  if (state.island) islands.add(state.island);
  const coll = new Intl.Collator('zh-CN');
  fillSelect($('island-filter'), 'filter.island.all', [...islands].sort(coll.compare).map((i) => [i, i]), state.island);
  $('late-filter').checked = state.lateOnly;
  $('choro-toggle').checked = state.choro;
}

function renderLegend() {
  const ul = $('legend-status');
  ul.replaceChildren(...[...STATUS_KEYS, NULL_KEY].map((k) => el('li', null,
    el('span', { class: 'sw sw-status', style: { background: STATUS_COLORS[k] }, 'aria-hidden': 'true' }), tr(`status.${k}`))));
}

function renderCount() {
  const c = $('count');
  c.classList.toggle('error', !!state.error);
  if (state.error) { c.textContent = tr('count.error', { msg: state.error }); return; }
  if (state.loading && !state.features.length) { c.textContent = tr('count.loading'); return; }
  const n = state.features.length;
  if (n === 0) { c.textContent = tr('count.none'); c.dataset.count = '0'; return; }
  c.dataset.count = String(n);
  c.replaceChildren(el('strong', { text: tr('count.projects', { n: formatInt(n) }) }));
  const k = state.kpi;
  if (k && k.investment_reported > 0) {
    c.append(el('span', { class: 'count-inv', text: ' · ' + tr('count.investment', { v: formatMoney(k.investment_total, state.lang, tr) }) }));
  }
}

function renderTimeLabel() {
  const lab = $('asof-label');
  if (!lab) return;
  const slider = $('time-slider');
  if (state.month) {
    const [y, m] = state.month.split('-');
    lab.textContent = tr('time.asof', { y, m: state.lang === 'zh' ? String(Number(m)) : m });
    slider.value = String(MONTHS.indexOf(state.month));
    $('time-source').textContent = tr(state.asOfSource === 'server' ? 'time.source.history' : 'time.source.dates');
  } else {
    lab.textContent = tr('time.live', { d: today() });
    slider.value = String(Math.max(0, MONTHS.indexOf(clampMonth(today().slice(0, 7)))));
    $('time-source').textContent = '';
  }
  slider.setAttribute('aria-valuetext', lab.textContent);
  $('time-now').disabled = !state.month;
  const pm = $('print-meta');
  if (pm) {
    const parts = [tr('print.asof', { d: asOfDate() }), tr('print.printed', { d: today() })];
    const f = activeFilterText();
    if (f) parts.push(tr('print.filters', { list: f }));
    pm.textContent = parts.join('    ');
  }
}

function renderFilterSummary() {
  const f = activeFilterText();
  $('filter-summary').textContent = f;
}

function activeFilterText() {
  const parts = [];
  const allStatus = [...STATUS_KEYS, NULL_KEY].every((k) => state.statusSel.has(k));
  if (!allStatus) parts.push([...state.statusSel].map((k) => tr(`status.${k}`)).join('/'));
  if (state.action) parts.push(state.action === NULL_KEY ? tr('unknown') : actionLabel(state.action));
  if (state.town) parts.push(state.town === NULL_KEY ? tr('unknown') : townName(state.town));
  if (state.island) parts.push(state.island);
  if (state.kind) parts.push(kindName(state.kind));
  if (state.lateOnly) parts.push(tr('filter.late'));
  if (state.q) parts.push(`“${state.q}”`);
  return parts.join('，');
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
        loadProjects();
        return;
      }
      if (what === 'island' && key == null) return;
      if (what === 'kind' && key == null) return;
      state[what] = state[what] === k ? '' : k;
      renderFilterSelects();
      loadProjects();
    },
    lateOnly: state.lateOnly,
    onToggleLate: () => { state.lateOnly = !state.lateOnly; renderFilterSelects(); loadProjects(); },
    sort: state.sort,
    onSort: (col) => {
      state.sort = { col, dir: state.sort.col === col ? -state.sort.dir : (col === 'investment' || col === 'late' || col === 'progress' ? -1 : 1) };
      renderTable();
      writeUrl();
    },
    selectedId: state.selectedId,
    pageSize: PAGE_SIZE,
  };
}

function renderDashboard() {
  if (!state.kpi) return;
  const ctx = dashCtx();
  renderKpis(ctx, state.kpi);
  if (state.tab === 'overview') renderCharts(ctx, state.props || []);
  if (state.tab === 'targets') renderTargets(ctx, state.targets);
  if (state.tab === 'progress') progressTab.render();
}

function renderTable() {
  const ctx = dashCtx();
  renderTableHead(ctx);
  state.sorted = sortRows(ctx, state.features);
  renderTableRows(ctx, state.sorted, state.shown);
}

// The 进度 tab (progress-tab.js) and its traffic-light colouring of the project layers.
const COLOR_PAINT = [['proj-fill', 'fill-color'], ['proj-fill-outline', 'line-color'], ['proj-line', 'line-color'],
  ['proj-marker', 'circle-color'], ['proj-point', 'circle-color'], ['proj-point', 'circle-stroke-color']];
const savedPaint = new Map();
/** Colours each project by `byId` (id -> colour); null puts the status colours back. */
function colorProjects(byId) {
  if (!map.getLayer('proj-point')) return;
  if (!byId) {
    for (const [key, v] of savedPaint) map.setPaintProperty(...key.split('|'), v);
    savedPaint.clear();
    return;
  }
  const pairs = [...byId].flat();
  const expr = pairs.length ? ['match', ['get', '_id'], ...pairs, '#9aa5ad'] : '#9aa5ad';
  for (const [layer, prop] of COLOR_PAINT) {
    const key = `${layer}|${prop}`;
    if (!savedPaint.has(key)) savedPaint.set(key, map.getPaintProperty(layer, prop));
    map.setPaintProperty(layer, prop, prop === 'circle-stroke-color' ? '#ffffff' : expr);
  }
}
const progressTab = createProgressTab({
  box: $('progress'),
  tr: () => tr,
  lang: () => state.lang,
  projects: () => state.features,
  projectName: (id) => {
    const f = state.all.find((x) => String(x.id) === id);
    return f ? projectName(f.properties) || id : id;
  },
  openProject: (id) => openDetails(id, { fly: true }),
  colorMap: colorProjects,
});

function setTab(tab, focus) {
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

// ---------------------------------------------------------------- selection and hover (map <-> table)
function setSelection(id) {
  if (!map.getLayer('sel-line')) return;
  const v = id || '';
  map.setFilter('sel-line', ['all', ['!', geomIs(POINT)], ['==', ['get', '_id'], v]]);
  map.setFilter('sel-point', ['==', ['get', '_id'], v]);
  document.querySelectorAll('.proj-item').forEach((b) => {
    if (b.dataset.id === v) b.setAttribute('aria-current', 'true'); else b.removeAttribute('aria-current');
  });
}

function setHover(id, from) {
  if (state.hoverId === id) return;
  state.hoverId = id;
  const v = id || '';
  if (map.getLayer('hover-line')) {
    map.setFilter('hover-line', ['all', ['!', geomIs(POINT)], ['==', ['get', '_id'], v]]);
    map.setFilter('hover-point', ['==', ['get', '_id'], v]);
  }
  document.querySelectorAll('.proj-item.hover').forEach((r) => r.classList.remove('hover'));
  if (id) {
    const row = document.querySelector(`.proj-item[data-id="${CSS.escape(id)}"]`);
    if (row) {
      row.classList.add('hover');
      if (from === 'map' && state.tab === 'projects') row.scrollIntoView({ block: 'nearest' });
    }
  }
}

// ---------------------------------------------------------------- details
async function openDetails(id, opts = {}) {
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
  renderReportTimeline($('details-reports'), id, { tr, lang: state.lang, current: () => state.selectedId === id });
}

function flyTo(f) {
  const b = boundsOf([f]);
  if (!b) return;
  const pad = panelPadding();
  if (b[0] === b[2] && b[1] === b[3]) {
    map.easeTo({ center: [b[0], b[1]], zoom: Math.max(map.getZoom(), 12.5), padding: pad, duration: 600 });
  } else {
    map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: pad, maxZoom: 13, duration: 600 });
  }
}

function closeDetails() {
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

function renderDetails() {
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

// ---------------------------------------------------------------- language
function setLang(lang) {
  if (!STRINGS[lang]) return;
  state.lang = lang;
  storeLang(lang);
  renderAll();
  if (map.getLayer('project-label')) {
    map.setLayoutProperty('project-label', 'text-field', nameExpr(lang));
    map.setLayoutProperty('island-label', 'text-field', nameExpr(lang));
    map.setLayoutProperty('island-label', 'text-letter-spacing', lang === 'zh' ? 0.15 : 0.02);
  }
  if (attributionControl) setAttribution();
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

// ---------------------------------------------------------------- URL state (deep links)
// ?lang=zh&status=…&action=…&town=…&island=…&kind=…&late=1&q=…&month=YYYY-MM&sel=ID
//  &choro=1&tab=projects&sort=investment:-1&map=zoom/lat/lon
function readUrl() {
  const u = new URLSearchParams(location.search);
  return {
    status: u.get('status'),
    action: u.get('action') || '',
    town: u.get('town') || '',
    island: u.get('island') || '',
    kind: u.get('kind') || '',
    late: u.get('late') === '1',
    q: u.get('q') || '',
    month: u.get('month') ? clampMonth(u.get('month')) : null,
    sel: u.get('sel'),
    choro: u.get('choro') === '1',
    tab: ['overview', 'projects', 'targets', 'progress'].includes(u.get('tab')) ? u.get('tab') : 'overview',
    sort: u.get('sort'),
    map: u.get('map'),
  };
}
function applyUrl(s) {
  if (s.status != null) {
    const keys = [...STATUS_KEYS, NULL_KEY];
    state.statusSel = new Set(s.status === '' ? [] : s.status.split(',').filter((k) => keys.includes(k)));
  }
  state.action = s.action;
  state.town = s.town;
  state.island = s.island;
  state.kind = s.kind;
  state.lateOnly = s.late;
  state.q = s.q;
  state.month = s.month;
  state.choro = s.choro;
  state.tab = s.tab;
  if (s.sort) {
    const [col, dir] = s.sort.split(':');
    if (col) state.sort = { col, dir: dir === '-1' ? -1 : 1 };
  }
}
let urlReady = false;
let urlTimer = null;
function writeUrl() {
  if (!urlReady) return;
  clearTimeout(urlTimer);
  urlTimer = setTimeout(() => {
    const u = new URL(location.href);
    const p = new URLSearchParams();
    p.set('lang', state.lang);
    const keys = [...STATUS_KEYS, NULL_KEY];
    if (!keys.every((k) => state.statusSel.has(k))) p.set('status', keys.filter((k) => state.statusSel.has(k)).join(','));
    for (const k of ['action', 'town', 'island', 'kind', 'q']) if (state[k]) p.set(k, state[k]);
    if (state.lateOnly) p.set('late', '1');
    if (state.month) p.set('month', state.month);
    if (state.selectedId) p.set('sel', state.selectedId);
    if (state.choro) p.set('choro', '1');
    if (state.tab !== 'overview') p.set('tab', state.tab);
    if (state.sort.col !== 'status' || state.sort.dir !== 1) p.set('sort', `${state.sort.col}:${state.sort.dir}`);
    const c = map.getCenter();
    p.set('map', `${map.getZoom().toFixed(2)}/${c.lat.toFixed(5)}/${c.lng.toFixed(5)}`);
    u.search = p.toString().replace(/%2C/g, ',').replace(/%2F/g, '/');
    if (u.toString() !== location.href) history.replaceState(null, '', u);
  }, 150);
}

// ---------------------------------------------------------------- print and PNG
/** The map as a PNG with title, date, status legend and scale, drawn on a 2D canvas. */
async function mapPng() {
  await new Promise((res) => { map.once('render', res); map.triggerRepaint(); });
  const src = map.getCanvas();
  const dpr = src.width / src.clientWidth;
  const head = Math.round(56 * dpr);
  const out = document.createElement('canvas');
  out.width = src.width;
  out.height = src.height + head;
  const g = out.getContext('2d');
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, out.width, head);
  g.drawImage(src, 0, head);
  const font = getComputedStyle(document.body).fontFamily;
  g.fillStyle = '#1d2a33';
  g.font = `bold ${Math.round(18 * dpr)}px ${font}`;
  g.fillText(tr('app.title'), 12 * dpr, 24 * dpr);
  g.font = `${Math.round(12 * dpr)}px ${font}`;
  g.fillStyle = '#5d6b75';
  const f = activeFilterText();
  g.fillText([tr('print.asof', { d: asOfDate() }), f ? tr('print.filters', { list: f }) : ''].filter(Boolean).join('   '), 12 * dpr, 44 * dpr);
  // Legend along the top right.
  let x = out.width - 12 * dpr;
  g.textAlign = 'right';
  for (const k of [NULL_KEY, ...STATUS_KEYS].reverse()) {
    const label = tr(`status.${k}`);
    g.fillStyle = '#1d2a33';
    g.fillText(label, x, 24 * dpr);
    x -= g.measureText(label).width + 14 * dpr;
    g.fillStyle = STATUS_COLORS[k];
    g.beginPath();
    g.arc(x + 7 * dpr, 20 * dpr, 5 * dpr, 0, Math.PI * 2);
    g.fill();
    x -= 8 * dpr;
  }
  // Scale bar text as MapLibre shows it.
  const scale = document.querySelector('.maplibregl-ctrl-scale');
  if (scale) {
    const w = scale.getBoundingClientRect().width * dpr;
    const y = out.height - 14 * dpr;
    g.fillStyle = 'rgba(255,255,255,0.85)';
    g.fillRect(out.width - w - 24 * dpr, y - 16 * dpr, w + 16 * dpr, 22 * dpr);
    g.strokeStyle = '#333';
    g.lineWidth = 2 * dpr;
    g.beginPath();
    g.moveTo(out.width - w - 16 * dpr, y - 10 * dpr);
    g.lineTo(out.width - w - 16 * dpr, y);
    g.lineTo(out.width - 16 * dpr, y);
    g.lineTo(out.width - 16 * dpr, y - 10 * dpr);
    g.stroke();
    g.fillStyle = '#333';
    g.textAlign = 'center';
    g.fillText(scale.textContent, out.width - 16 * dpr - w / 2, y - 3 * dpr);
  }
  return new Promise((res) => out.toBlob(res, 'image/png'));
}
async function downloadPng() {
  const blob = await mapPng();
  if (!blob) return;
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `planmap-${asOfDate()}.png`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

// ---------------------------------------------------------------- download menu
const exportMenu = createExportMenu($('export-host'), {
  tr,
  scope: () => ({
    total: state.latestRaw ? state.latestRaw.length : null,
    ids: state.loading && !state.features.length ? [] : state.features.map((f) => String(f.id)),
    serverQuery: apiQuery(),
    exact: serverQueryExact(),
  }),
});

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
$('table-more').addEventListener('click', () => { state.shown += PAGE_SIZE; renderTable(); });

// Time slider: months 2024-01 … 2027-12.
let sliderTimer = null;
$('time-slider').addEventListener('input', (e) => {
  const m = MONTHS[Number(e.target.value)];
  const [y, mo] = m.split('-');
  $('asof-label').textContent = tr('time.asof', { y, m: state.lang === 'zh' ? String(Number(mo)) : mo });
  clearTimeout(sliderTimer);
  sliderTimer = setTimeout(() => setMonth(m), 60);
});
$('time-now').addEventListener('click', () => setMonth(null));
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
/** The open project's drawer follows the month (its as-of state and lateness). */
function refreshDetails() {
  if (!state.selectedId || $('details').hidden) return;
  const f = state.all.find((x) => String(x.id) === state.selectedId);
  if (f && f !== state.selectedFeature) { state.selectedFeature = f; renderDetails(); }
}

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
$('print-btn').addEventListener('click', () => window.print());
$('png-btn').addEventListener('click', () => downloadPng());
// Print: the map box changes size; show the filtered projects (or the district) in it, and put
// the screen view back afterwards.
let screenView = null;
window.addEventListener('beforeprint', () => {
  renderTimeLabel();
  screenView = { center: map.getCenter(), zoom: map.getZoom() };
  map.resize();
  const b = boundsOf(state.features) || state.districtBounds;
  if (b) map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 30, maxZoom: 13, duration: 0 });
});
window.addEventListener('afterprint', () => {
  map.resize();
  if (screenView) map.jumpTo(screenView);
  screenView = null;
});
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && !$('details').hidden) closeDetails();
});

function hitAt(point) {
  const r = 5;
  return map.queryRenderedFeatures([[point.x - r, point.y - r], [point.x + r, point.y + r]],
    { layers: PROJECT_LAYERS.filter((l) => map.getLayer(l)) });
}
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
    const ids = new Set(map.queryRenderedFeatures({ layers: PROJECT_LAYERS }).map((f) => f.properties._id));
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
  applyUrl(urlAtStart);
  // On a short screen (a tablet) the filters start folded so the KPI cards are in view.
  if (window.innerHeight < 800) $('filters-box').open = false;
  applyStaticStrings();
  renderStatusFilter();
  renderFilterSelects();
  renderLegend();
  renderCount();
  $('table-q').value = state.q;
  setTab(state.tab);
  const metaP = getJSON('api/meta').then((m) => { state.meta = m; renderFilterSelects(); }).catch(() => { /* optional */ });
  const targetsP = getJSON('api/plan/targets').then((x) => { state.targets = Array.isArray(x) ? x : []; }).catch(() => { state.targets = []; });
  const baseP = loadBasemap().catch((e) => { state.error = e.message; renderCount(); });
  // Projects are asked for at once, in parallel with the vocabularies and the basemap.
  const projP = loadProjects();
  await metaP;
  await projP;
  performance.mark('planmap:data');
  // First render: the first frame in which projects are drawn (the panel is already filled).
  const firstFrame = new Promise((res) => {
    const onRender = () => {
      if (!state.features.length || map.queryRenderedFeatures({ layers: [...PROJECT_LAYERS, 'cluster-circle'] }).length) {
        map.off('render', onRender);
        performance.mark('planmap:first-render');
        res();
      }
    };
    map.on('render', onRender);
    map.triggerRepaint();
  });
  renderFilterSelects();
  await baseP;
  await targetsP;
  await styleLoaded;
  performance.mark('planmap:style');
  if (window.echarts == null) await new Promise((res) => window.addEventListener('load', res, { once: true }));
  const view = /^([\d.]+)\/(-?[\d.]+)\/(-?[\d.]+)$/.exec(urlAtStart.map || '');
  if (view) map.jumpTo({ zoom: Number(view[1]), center: [Number(view[3]), Number(view[2])] });
  else fitDistrict(false);
  renderDashboard();
  updateChoropleth();
  if (urlAtStart.sel) await openDetails(urlAtStart.sel, { fly: false });
  performance.mark('planmap:panel');
  urlReady = true;
  writeUrl();
  if (!map.loaded()) await new Promise((res) => map.once('idle', res));
  else await new Promise((res) => { map.once('idle', res); map.triggerRepaint(); });
  await firstFrame;
  performance.mark('planmap:ready');
  const at = (m) => Math.round(performance.getEntriesByName(m)[0]?.startTime ?? -1);
  // Milliseconds since navigation start: firstRenderMs = projects drawn and the panel filled;
  // idleMs = the map fully settled (every label placed).
  state.timings.firstRenderMs = at('planmap:first-render');
  state.timings.idleMs = at('planmap:ready');
  state.timings.numbersMs = at('planmap:numbers'); // KPI cards, charts and table filled
  state.timings.marks = { start: at('planmap:start'), data: at('planmap:data'), style: at('planmap:style'), panel: at('planmap:panel') };
  readyResolve(true);
}
start();
window.addEventListener('resize', () => {
  if (attributionControl) setAttribution();
  resizeCharts($('panel'));
});
