// The MapLibre map of the leadership view: created once, fed the basemap and the (filtered)
// projects, island choropleth, selection and hover highlights, and fitting the view around the
// side panel. The style itself is in map-style.js.

import { formatMoney, investmentByIsland, breaks } from './format.js';
import { el, $ } from './dom.js';
import {
  CHORO, CLUSTER_MAX_ZOOM, CLUSTER_MIN, EMPTY_FC, ISLAND_FILL, LABEL_FONTS, POINT, PROJECT_LAYERS, TILE_LAYERS,
  buildStyle, geomIs, labelLetterSpacing, nameExpr, tileLayers,
} from './map-style.js';
import { labelPoint, geomArea, boundsOf } from './geometry.js';
import { getJSON } from './api.js';
import { state, tr } from './state.js';
import { islandFillOpacity } from './basemaps.js';

const maplibregl = window.maplibregl;

/** The map; set by createMap(), which the page calls once at start. */
export let map = null;
/** Resolves when the style is loaded (sources and layers can be changed from then on). */
export let styleLoaded = null;
/** Whether `styleLoaded` has resolved (to act at once rather than a microtask later). */
export let styleReady = false;
let attributionControl = null;

/**
 * Creates the map. `view`: where it opens — `{ center, zoom }` or `{ bounds }` (fitted around the
 * side panel), so the first tiles asked for are the ones shown, not those of a view replaced a
 * moment later. `tiles`: on tiles, the first tile query, so the tiles are asked for as soon as
 * MapLibre's worker is up rather than after the style's `load`.
 */
export function createMap({ view, tiles } = {}) {
  const style = buildStyle(state.lang);
  if (tiles) {
    style.sources['project-tiles'] = tileSourceSpec(tiles);
    const at = style.layers.findIndex((l) => l.id === 'hover-line');
    style.layers.splice(at, 0, ...tileLayers(state.lang));
    $('legend-cluster-row').hidden = false;
  }
  const start = view && view.bounds
    ? { bounds: view.bounds, fitBoundsOptions: { padding: panelPadding() } }
    : { center: view?.center ?? [121.05, 27.9], zoom: view?.zoom ?? 9.5 };
  map = new maplibregl.Map({
    container: 'map',
    style,
    ...start,
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
  // `style.load`, not `load`: sources can be fed once the style is parsed, and `load` waits for
  // every source and a first frame, which on a software-rendered page is most of a second.
  styleLoaded = new Promise((resolve) => map.once('style.load', () => { styleReady = true; resolve(); }));
  return map;
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

export function setAttribution() {
  if (attributionControl) map.removeControl(attributionControl);
  // customAttribution is inserted as HTML by MapLibre, so escape the server's text.
  const texts = state.attribution.map((a) => escapeHtml(a.text)).filter(Boolean);
  texts.push(escapeHtml(tr('attribution.maplibre')));
  attributionControl = new maplibregl.AttributionControl({ compact: window.innerWidth < 900, customAttribution: texts });
  map.addControl(attributionControl, 'bottom-right');
}

export function panelPadding() {
  const panel = $('panel');
  const wide = window.innerWidth >= 700;
  const left = wide ? Math.round(panel.getBoundingClientRect().right) + 16 : 16;
  let right = 56;
  const det = $('details');
  if (!det.hidden && wide) right = Math.round(window.innerWidth - det.getBoundingClientRect().left) + 16;
  const bottom = wide ? 36 : Math.round(window.innerHeight - panel.getBoundingClientRect().top) + 16;
  return { top: 24, bottom, left, right };
}

export function fitDistrict(animate) {
  const b = state.districtBounds || state.meta?.region || boundsOf(state.features);
  if (!b) return;
  map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: panelPadding(), duration: animate ? 500 : 0 });
}
/** Redraws the attribution (after a language change or a resize) once it has been shown. */
export function refreshAttribution() {
  if (attributionControl) setAttribution();
}

/** The layers that draw single projects now: GeoJSON ones, and the tile ones on tiles. */
export function projectLayers() {
  return [...PROJECT_LAYERS, ...TILE_LAYERS].filter((l) => map.getLayer(l));
}

/**
 * On tiles: the projects come from /tiles/projects/{z}/{x}/{y}.mvt with the filters as its
 * query; the GeoJSON sources stay empty. A filter change is a new tile URL (the server's cache
 * keys tiles by filter, and drops exactly the tiles an edit touches).
 */
export function updateTiles(query) {
  const spec = tileSourceSpec(query);
  const src = map.getSource('project-tiles');
  if (src) {
    if (src.tiles?.[0] !== spec.tiles[0]) src.setTiles(spec.tiles);
    return;
  }
  for (const id of ['projects', 'project-labels', 'clusters']) map.getSource(id).setData(EMPTY_FC);
  map.addSource('project-tiles', spec);
  for (const layer of tileLayers(state.lang)) map.addLayer(layer, 'hover-line');
  $('legend-cluster-row').hidden = false;
}

function tileSourceSpec(query) {
  const qs = query.toString();
  const url = `${new URL('tiles/projects/', document.baseURI).href}{z}/{x}/{y}.mvt${qs ? `?${qs}` : ''}`;
  return { type: 'vector', tiles: [url], minzoom: 0, maxzoom: 14 };
}

let detailSeq = 0;
export function updateMapData() {
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
}
/** MapLibre only keeps scalar properties usefully; keep the ones the style uses. */
function flatProps(p) {
  return { name_zh: p.name_zh ?? null, name_en: p.name_en ?? null, status: p.status ?? null, kind: p.kind ?? null };
}

export async function loadBasemap() {
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
// The 进度 tab's traffic light (progress-tab.js) recolours the project layers; the status
// colours are kept to be put back.
const COLOR_PAINT = [['proj-fill', 'fill-color'], ['proj-fill-outline', 'line-color'], ['proj-line', 'line-color'],
  ['proj-marker', 'circle-color'], ['proj-point', 'circle-color'], ['proj-point', 'circle-stroke-color']];
const savedPaint = new Map();
/** Colours each project by `byId` (id -> colour); null puts the status colours back. */
export function colorProjects(byId) {
  if (!map || !map.getLayer('proj-point')) return;
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

export function updateChoropleth() {
  if (!map.getLayer('island-fill')) return;
  const box = $('legend-choro');
  box.hidden = !state.choro;
  map.setPaintProperty('island-fill', 'fill-opacity', islandFillOpacity(state.choro));
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

// ---------------------------------------------------------------- labels, selection, hover, hits
/** Map labels in `lang`: project and island names. */
export function setMapLang(lang) {
  if (map.getLayer('tile-label')) map.setLayoutProperty('tile-label', 'text-field', nameExpr(lang));
  if (map.getLayer('project-label')) {
    map.setLayoutProperty('project-label', 'text-field', nameExpr(lang));
    map.setLayoutProperty('island-label', 'text-field', nameExpr(lang));
    map.setLayoutProperty('island-label', 'text-letter-spacing', labelLetterSpacing(lang));
  }
}

/** Outlines project `id` ('' for none); false while the style is not loaded yet. */
export function showSelected(id) {
  if (!map.getLayer('sel-line')) return false;
  map.setFilter('sel-line', ['all', ['!', geomIs(POINT)], ['==', ['get', '_id'], id]]);
  map.setFilter('sel-point', ['==', ['get', '_id'], id]);
  return true;
}

/** Highlights project `id` ('' for none) under the pointer. */
export function showHovered(id) {
  if (map.getLayer('hover-line')) {
    map.setFilter('hover-line', ['all', ['!', geomIs(POINT)], ['==', ['get', '_id'], id]]);
    map.setFilter('hover-point', ['==', ['get', '_id'], id]);
  }
}

export function hitAt(point) {
  const r = 5;
  const hits = map.queryRenderedFeatures([[point.x - r, point.y - r], [point.x + r, point.y + r]], { layers: projectLayers() });
  // Tile features carry the project id as `id`; the page reads `_id`.
  for (const f of hits) if (f.properties._id == null && f.properties.id != null) f.properties._id = String(f.properties.id);
  return hits;
}

export function flyTo(f) {
  const b = boundsOf([f]);
  if (!b) return;
  const pad = panelPadding();
  if (b[0] === b[2] && b[1] === b[3]) {
    map.easeTo({ center: [b[0], b[1]], zoom: Math.max(map.getZoom(), 12.5), padding: pad, duration: 600 });
  } else {
    map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: pad, maxZoom: 13, duration: 600 });
  }
}
