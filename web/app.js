// planmap browser map page. Plain ES module, no build step.
// Offline by design: MapLibre GL JS is vendored under vendor/, the style is
// built here, there is no tile server, no sprite and no `glyphs` URL. Without a
// `glyphs` URL MapLibre GL JS (>= 5.11) draws every label glyph locally with
// TinySDF from the fonts installed on the computer, so Chinese and Latin labels
// render with no network at all.
//
// Security: every string that comes from the server is put into the page with
// textContent / attribute setters, never innerHTML.

import { t, has, STRINGS, HTML_LANG } from './i18n.js';

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
const SEA = '#b9d9ea';
const LAND_2017 = '#e9e4d4';
const ISLAND_FILL = '#f8f3e3';
const ISLAND_LINE = '#8a7852';
const DISTRICT_LINE = '#9b2f8f';
// CSS font families tried for map labels (drawn locally by MapLibre/TinySDF).
const LABEL_FONTS = [
  'Microsoft YaHei', 'PingFang SC', 'Hiragino Sans GB', 'Noto Sans CJK SC', 'Source Han Sans SC',
  'WenQuanYi Zen Hei', 'WenQuanYi Micro Hei', 'SimHei', 'sans-serif',
];
const POLY = ['Polygon', 'MultiPolygon'];
const LINE = ['LineString', 'MultiLineString'];
const POINT = ['Point', 'MultiPoint'];
const PROJECT_LAYERS = ['proj-point', 'proj-line', 'proj-fill', 'proj-fill-outline'];
const LS_KEY = 'planmap.lang';
const EMPTY_FC = { type: 'FeatureCollection', features: [] };

// ---------------------------------------------------------------- state
const state = {
  lang: initialLang(),
  meta: null,
  attribution: [],
  statusSel: new Set([...STATUS_KEYS, NULL_KEY]),
  action: '', // '' = all, '1'..'5', 'null'
  features: [],
  stats: null,
  loading: true,
  error: null,
  selectedId: null,
  selectedFeature: null,
  fetchSeq: 0,
  lastQuery: null,
  districtBounds: null,
  returnFocus: null,
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
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v == null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k === 'style') {
        for (const [sk, sv] of Object.entries(v)) {
          if (sk.startsWith('--')) e.style.setProperty(sk, sv); else e.style[sk] = sv;
        }
      }
      else e.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const c of children) {
    if (c == null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}
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
/** Sum decimal strings exactly (BigInt, 6 fractional digits). */
function sumDecimals(values) {
  const SCALE = 6;
  let total = 0n;
  let any = false;
  for (const v of values) {
    if (v == null) continue;
    const m = /^(\d+)(?:\.(\d+))?$/.exec(String(v).trim());
    if (!m) continue;
    any = true;
    total += BigInt(m[1] + (m[2] || '').padEnd(SCALE, '0').slice(0, SCALE));
  }
  if (!any) return null;
  const s = total.toString().padStart(SCALE + 1, '0');
  const int = s.slice(0, -SCALE);
  const frac = s.slice(-SCALE).replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
}
const wanYuan = (v) => tr('unit.wan_yuan', { v: formatDecimal(v) });
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

function buildStyle() {
  return {
    version: 8,
    name: 'planmap-offline',
    // No "glyphs" and no "sprite": nothing is fetched for the style itself.
    sources: {
      basemap: { type: 'geojson', data: EMPTY_FC, tolerance: 0.2 },
      projects: { type: 'geojson', data: EMPTY_FC, promoteId: '_id' },
      'project-labels': { type: 'geojson', data: EMPTY_FC },
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
      { id: 'proj-point', type: 'circle', source: 'projects', filter: geomIs(POINT),
        paint: {
          'circle-color': statusColorExpr,
          'circle-radius': ['interpolate', ['linear'], ['zoom'], 8, 4.5, 12, 6.5, 15, 9],
          'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1.5,
        } },
      { id: 'sel-line', type: 'line', source: 'projects', filter: ['==', ['get', '_id'], ''],
        paint: { 'line-color': '#101010', 'line-width': 3, 'line-dasharray': [2, 1] } },
      { id: 'sel-point', type: 'circle', source: 'projects', filter: ['all', geomIs(POINT), ['==', ['get', '_id'], '']],
        paint: { 'circle-color': 'rgba(0,0,0,0)', 'circle-radius': 12, 'circle-stroke-color': '#101010', 'circle-stroke-width': 2.5 } },
      { id: 'project-label', type: 'symbol', source: 'project-labels', minzoom: 9,
        layout: {
          'text-field': nameExpr(state.lang),
          'text-font': LABEL_FONTS,
          'text-size': ['interpolate', ['linear'], ['zoom'], 9, 11, 13, 13],
          'text-max-width': 9,
          'text-variable-anchor': ['top', 'bottom', 'left', 'right'],
          'text-radial-offset': 0.8,
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

// ---------------------------------------------------------------- data loading
// The API filters by status/action values; "未填报" (null) is not a value it
// accepts, so a selection that involves null is asked for without that filter
// and filtered here (client-side) instead.
function queryPlan() {
  const p = new URLSearchParams();
  let client = false;
  const keys = [...STATUS_KEYS, NULL_KEY];
  const allStatus = keys.every((k) => state.statusSel.has(k));
  if (!allStatus) {
    if (state.statusSel.has(NULL_KEY)) client = true;
    else p.set('status', STATUS_KEYS.filter((k) => state.statusSel.has(k)).join(','));
  }
  if (state.action === NULL_KEY) client = true;
  else if (state.action) p.set('action', state.action);
  return { params: p, client };
}

function clientFilter(features) {
  return features.filter((f) => {
    const pr = f.properties || {};
    if (!state.statusSel.has(statusKey(pr.status))) return false;
    if (state.action) {
      if (state.action === NULL_KEY ? pr.action != null : String(pr.action) !== state.action) return false;
    }
    return true;
  });
}

async function loadProjects() {
  const seq = ++state.fetchSeq;
  state.loading = true;
  state.error = null;
  renderCount();
  const { params, client } = queryPlan();
  state.lastQuery = params.toString();
  try {
    let features = [];
    if (state.statusSel.size > 0) { // nothing selected: nothing to ask for
      const fc = await getJSON('api/projects', params);
      features = fc.features || [];
      if (client) features = clientFilter(features);
    }
    if (seq !== state.fetchSeq) return; // a newer request won
    state.features = features.filter((f) => f && f.geometry && f.properties);
    await styleLoaded;
    if (seq !== state.fetchSeq) return;
    state.loading = false;
    updateMapData();
    renderCount();
    renderList();
  } catch (e) {
    if (seq !== state.fetchSeq) return;
    state.loading = false;
    state.error = e.message || String(e);
    renderCount();
  }
  loadStats();
}

/** Per-status counts for the current action filter (shown next to the status checkboxes). */
async function loadStats() {
  const p = new URLSearchParams();
  const action = state.action;
  if (action === NULL_KEY) { state.stats = null; renderStatusCounts(); return; }
  if (action) p.set('action', action);
  try {
    const s = await getJSON('api/stats', p);
    if (action !== state.action) return; // the filter changed meanwhile
    state.stats = s;
  } catch (_) {
    state.stats = null;
  }
  renderStatusCounts();
}

function updateMapData() {
  const feats = state.features.map((f) => ({
    type: 'Feature',
    geometry: f.geometry,
    properties: { ...flatProps(f.properties), _id: String(f.id), _area: geomArea(f.geometry) },
  }));
  map.getSource('projects').setData({ type: 'FeatureCollection', features: feats });
  const labels = [];
  state.features.forEach((f) => {
    const pt = labelPoint(f.geometry);
    if (!pt) return;
    const p = f.properties;
    // Rank: larger investment first, so the bigger projects keep their labels.
    const inv = Number(p.investment_total);
    labels.push({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: pt },
      properties: { _id: String(f.id), name_zh: p.name_zh ?? null, name_en: p.name_en ?? null, status: p.status ?? null,
        _rank: Number.isFinite(inv) ? -inv : 0 },
    });
  });
  map.getSource('project-labels').setData({ type: 'FeatureCollection', features: labels });
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
  setAttribution();
}

// ---------------------------------------------------------------- rendering: static strings
function applyStaticStrings() {
  document.documentElement.lang = HTML_LANG[state.lang] || state.lang;
  document.title = tr('app.title');
  document.querySelectorAll('[data-i18n]').forEach((n) => { n.textContent = tr(n.dataset.i18n); });
  document.querySelectorAll('[data-i18n-aria]').forEach((n) => n.setAttribute('aria-label', tr(n.dataset.i18nAria)));
  const collapsed = $('panel').classList.contains('collapsed');
  const label = tr(collapsed ? 'panel.toggle.show' : 'panel.toggle.hide');
  $('panel-toggle-label').textContent = label;
  $('panel-toggle').title = label;
  $('lang-btn').setAttribute('lang', state.lang === 'zh' ? 'en' : 'zh-CN');
  $('details-close').title = tr('details.close');
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
function renderStatusCounts() {
  const by = new Map();
  (state.stats?.by_status || []).forEach((s) => by.set(statusKey(s.key), s.count));
  document.querySelectorAll('[data-count-for]').forEach((n) => {
    const k = n.dataset.countFor;
    n.textContent = state.stats ? String(by.get(k) ?? 0) : '';
  });
}

function renderActionFilter() {
  const sel = $('action-filter');
  sel.replaceChildren();
  sel.append(el('option', { value: '', text: tr('filter.action.all') }));
  const actions = state.meta?.actions?.length ? state.meta.actions.map((a) => a.n) : [1, 2, 3, 4, 5];
  actions.forEach((n) => sel.append(el('option', { value: String(n), text: actionLabel(n) })));
  sel.append(el('option', { value: NULL_KEY, text: tr('unknown') }));
  sel.value = state.action;
}

function renderCount() {
  const c = $('count');
  c.classList.toggle('error', !!state.error);
  if (state.error) { c.textContent = tr('count.error', { msg: state.error }); return; }
  if (state.loading && !state.features.length) { c.textContent = tr('count.loading'); return; }
  const n = state.features.length;
  if (n === 0) { c.textContent = tr('count.none'); c.dataset.count = '0'; return; }
  c.dataset.count = String(n);
  const inv = sumDecimals(state.features.map((f) => f.properties.investment_total));
  c.replaceChildren(el('strong', { text: tr('count.projects', { n }) }));
  if (inv != null) c.append(el('span', { class: 'count-inv', text: ' · ' + tr('count.investment', { v: wanYuan(inv) }) }));
}

function renderList() {
  const ul = $('project-list');
  ul.replaceChildren();
  if (!state.features.length) {
    ul.append(el('li', { class: 'empty', text: tr('list.empty') }));
    return;
  }
  const collator = new Intl.Collator(state.lang === 'zh' ? 'zh-CN' : 'en');
  const sorted = [...state.features].sort((a, b) => {
    const sa = STATUS_KEYS.indexOf(a.properties.status); const sb = STATUS_KEYS.indexOf(b.properties.status);
    const ra = sa < 0 ? 99 : sa; const rb = sb < 0 ? 99 : sb;
    return ra - rb || collator.compare(projectName(a.properties) || '', projectName(b.properties) || '');
  });
  for (const f of sorted) {
    const p = f.properties;
    const gt = f.geometry.type;
    const shape = POLY.includes(gt) ? 'poly' : LINE.includes(gt) ? 'line' : 'point';
    const btn = el('button', { type: 'button', class: 'proj-item', 'data-id': String(f.id),
      'aria-current': String(f.id) === state.selectedId ? 'true' : null },
    el('span', { class: `sw sw-mini sw-${shape}-mini`, style: { '--c': statusColor(p.status) }, 'aria-hidden': 'true' }),
    el('span', { class: 'proj-name', text: projectName(p) }),
    el('span', { class: 'proj-meta', text: `${statusName(p.status)} · ${kindName(p.kind)}` }));
    btn.addEventListener('click', () => { state.returnFocus = btn; openDetails(String(f.id), { fly: true, focus: true }); });
    ul.append(el('li', null, btn));
  }
}

// ---------------------------------------------------------------- details
function setSelection(id) {
  if (!map.getLayer('sel-line')) return;
  const v = id || '';
  map.setFilter('sel-line', ['all', ['!', geomIs(POINT)], ['==', ['get', '_id'], v]]);
  map.setFilter('sel-point', ['all', geomIs(POINT), ['==', ['get', '_id'], v]]);
  document.querySelectorAll('.proj-item').forEach((b) => {
    if (b.dataset.id === v) b.setAttribute('aria-current', 'true'); else b.removeAttribute('aria-current');
  });
}

async function openDetails(id, opts = {}) {
  let f = state.features.find((x) => String(x.id) === id);
  if (!f) {
    try { f = await getJSON(`api/projects/${encodeURIComponent(id)}`); } catch (e) { state.error = e.message; renderCount(); return; }
  }
  state.selectedId = id;
  state.selectedFeature = f;
  renderDetails();
  const det = $('details');
  det.hidden = false;
  setSelection(id);
  if (opts.focus) det.focus();
  if (opts.fly) flyTo(f);
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

  const badges = $('details-badges');
  badges.replaceChildren(
    el('span', { class: 'badge', style: { '--c': statusColor(p.status) } },
      el('span', { class: 'sw sw-status', style: { background: statusColor(p.status) }, 'aria-hidden': 'true' }),
      statusName(p.status)),
    el('span', { class: 'badge badge-plain', text: kindName(p.kind) }),
  );

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
  else {
    const v = Math.max(0, Math.min(100, Number(p.progress_pct)));
    add('field.progress', el('span', { class: 'progress' },
      el('progress', { max: '100', value: String(v), 'aria-hidden': 'true' }),
      el('span', { text: tr('unit.percent', { v: String(p.progress_pct) }) })));
  }
  add('field.responsible_units', listNode(p.responsible_units));
  add('field.plan_ref', valueOrUnknown(p.plan_ref));
  add('field.action', valueOrUnknown(p.action, actionLabel));
  add('field.task', valueOrUnknown(p.task, taskLabel));
  add('field.targets', listNode(p.targets));
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
}

// ---------------------------------------------------------------- language
function setLang(lang) {
  if (!STRINGS[lang]) return;
  state.lang = lang;
  storeLang(lang);
  const u = new URL(location.href);
  if (u.searchParams.has('lang')) { u.searchParams.set('lang', lang); history.replaceState(null, '', u); }
  renderAll();
  if (map.getLayer('project-label')) {
    map.setLayoutProperty('project-label', 'text-field', nameExpr(lang));
    map.setLayoutProperty('island-label', 'text-field', nameExpr(lang));
    map.setLayoutProperty('island-label', 'text-letter-spacing', lang === 'zh' ? 0.15 : 0.02);
  }
  if (attributionControl) setAttribution();
}

function renderAll() {
  applyStaticStrings();
  renderStatusFilter();
  renderActionFilter();
  renderCount();
  if (!state.loading) renderList();
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
$('action-filter').addEventListener('change', (e) => {
  state.action = e.target.value;
  loadProjects();
});
$('details-close').addEventListener('click', closeDetails);
$('details-zoom').addEventListener('click', () => state.selectedFeature && flyTo(state.selectedFeature));
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && !$('details').hidden) closeDetails();
});

map.on('click', (e) => {
  const r = 5;
  const hits = map.queryRenderedFeatures([[e.point.x - r, e.point.y - r], [e.point.x + r, e.point.y + r]],
    { layers: PROJECT_LAYERS });
  if (hits.length) {
    state.returnFocus = null;
    openDetails(String(hits[0].properties._id), { fly: false });
  }
});
map.on('mousemove', (e) => {
  const r = 5;
  const hits = map.queryRenderedFeatures([[e.point.x - r, e.point.y - r], [e.point.x + r, e.point.y + r]],
    { layers: PROJECT_LAYERS });
  map.getCanvas().style.cursor = hits.length ? 'pointer' : '';
});

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
};

async function start() {
  applyStaticStrings();
  renderStatusFilter();
  renderActionFilter();
  renderCount();
  const metaP = getJSON('api/meta').then((m) => { state.meta = m; renderActionFilter(); }).catch(() => { /* optional */ });
  const baseP = loadBasemap().catch((e) => { state.error = e.message; renderCount(); });
  await metaP;
  await loadProjects();
  await baseP;
  await styleLoaded;
  fitDistrict(false);
  if (!map.loaded()) await new Promise((res) => map.once('idle', res));
  else await new Promise((res) => { map.once('idle', res); map.triggerRepaint(); });
  readyResolve(true);
}
start();
window.addEventListener('resize', () => { if (attributionControl) setAttribution(); });
