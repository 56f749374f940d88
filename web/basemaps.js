// Configured basemaps (GET basemaps.json): a switcher on the map page and the editor between the
// offline outline and each configured source (imagery or vector), remembered in the URL
// (?basemap=NAME) and in local storage. With no configuration the server lists none, and the page
// stays exactly as it is: the offline outline, no control, no request beyond basemaps.json.
//
// Tiles always come from this server (/basemap/NAME/z/x/y): keys stay on the server, and the
// canvas stays same-origin, so the PNG download can include the imagery. A source in GCJ-02 or
// BD-09 (accepted only with `offset_ack` in the configuration) shows a warning while it is on;
// tiles that fail upstream (502) show a notice instead of leaving the map silently blank.

export const OUTLINE = 'outline';
const STORAGE_KEY = 'planmap.basemap';
const SOURCE = 'basemap-tiles';
// The 2017 land layer is hidden under imagery; the island fill stays (the map page's choropleth
// draws on it) but is transparent unless the choropleth is on (map.js updateChoropleth).
const HIDDEN_UNDER_IMAGERY = ['land2017'];
// Vector sources are drawn with one neutral style for every layer they hold.
const VECTOR_FILL = '#d9d4c7';
const VECTOR_LINE = '#8c8577';

const CRS_NAMES = { gcj02: 'GCJ-02', bd09: 'BD-09', wgs84: 'WGS84' };

let current = OUTLINE;
let list = [];

/** The chosen basemap's name (`outline` for the offline outline); null when none is configured. */
export function currentBasemap() {
  return list.length ? current : null;
}

/** `query` (`?id=…`) with the basemap choice added, for pages that rewrite their whole query. */
export function withBasemapParam(query) {
  if (!list.length) return query;
  return `${query}${query.includes('?') ? '&' : '?'}basemap=${encodeURIComponent(current)}`;
}

/** Whether imagery (a raster basemap) is drawn under the projects now. */
export function imageryOn() {
  const b = list.find((x) => x.name === current);
  return Boolean(b && b.type !== 'vector' && !b.unavailable);
}

/** The island fill's opacity: opaque on the outline, see-through over imagery. */
export function islandFillOpacity(choropleth) {
  if (!imageryOn()) return 1;
  return choropleth ? 0.6 : 0;
}

function readChoice() {
  const fromUrl = new URLSearchParams(location.search).get('basemap');
  let stored = null;
  try { stored = localStorage.getItem(STORAGE_KEY); } catch (_) { /* storage off */ }
  const known = (n) => n === OUTLINE || list.some((b) => b.name === n);
  if (fromUrl && known(fromUrl)) return fromUrl;
  if (stored && known(stored)) return stored;
  // The configuration's first entry is the default.
  return list[0].name;
}

function remember(name) {
  try { localStorage.setItem(STORAGE_KEY, name); } catch (_) { /* storage off */ }
  const u = new URL(location.href);
  if (u.searchParams.get('basemap') === name) return;
  u.searchParams.set('basemap', name);
  history.replaceState(history.state, '', u);
}

function layerIds(map) {
  return map.getStyle().layers.map((l) => l.id).filter((id) => id.startsWith('basemap-'));
}

function clear(map) {
  for (const id of layerIds(map)) map.removeLayer(id);
  if (map.getSource(SOURCE)) map.removeSource(SOURCE);
  for (const id of HIDDEN_UNDER_IMAGERY) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', 'visible');
  if (map.getLayer('island-fill')) map.setPaintProperty('island-fill', 'fill-opacity', 1);
}

/** The first of `ids` the style has: new basemap layers go under it. */
function below(map, ids) {
  return ids.find((id) => map.getLayer(id));
}

function draw(map, b) {
  // Absolute (MapLibre fetches from a worker), but by hand: URL() would encode the {z}/{x}/{y}.
  const tiles = [new URL('.', document.baseURI).href + b.tiles];
  const common = { tiles, minzoom: b.minzoom, maxzoom: b.maxzoom, attribution: b.attribution };
  if (b.bounds) common.bounds = b.bounds;
  if (b.type === 'vector') {
    const before = below(map, ['island-line', 'district-line', 'proj-fill']);
    map.addSource(SOURCE, { type: 'vector', ...common });
    for (const vl of b.vector_layers || []) {
      const id = vl.id;
      if (typeof id !== 'string') continue;
      const base = { source: SOURCE, 'source-layer': id };
      map.addLayer({ id: `basemap-${id}-fill`, type: 'fill', ...base, filter: ['==', ['geometry-type'], 'Polygon'],
        paint: { 'fill-color': VECTOR_FILL, 'fill-opacity': 0.6 } }, before);
      map.addLayer({ id: `basemap-${id}-line`, type: 'line', ...base,
        paint: { 'line-color': VECTOR_LINE, 'line-width': 0.8 } }, before);
      map.addLayer({ id: `basemap-${id}-point`, type: 'circle', ...base, filter: ['==', ['geometry-type'], 'Point'],
        paint: { 'circle-color': VECTOR_LINE, 'circle-radius': 2 } }, before);
    }
  } else {
    map.addSource(SOURCE, { type: 'raster', tileSize: b.tile_size || 256, ...common });
    map.addLayer({ id: 'basemap-raster', type: 'raster', source: SOURCE }, below(map, ['island-fill', 'island-line', 'proj-fill']));
    for (const id of HIDDEN_UNDER_IMAGERY) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', 'none');
    if (map.getLayer('island-fill')) map.setPaintProperty('island-fill', 'fill-opacity', 0);
  }
}

/**
 * Adds the switcher to `map` when basemaps are configured; returns null otherwise (and the page
 * is left as it was). opts: tr(key, vars) translates; position of the control; onChange(name)
 * after a switch (the map page rewrites its URL).
 */
export async function wireBasemaps(map, { tr, position = 'top-right', onChange = () => {} }) {
  let data;
  try {
    const res = await fetch(new URL('basemaps.json', document.baseURI), { headers: { Accept: 'application/json' } });
    if (!res.ok) return null;
    data = await res.json();
  } catch (_) {
    return null;
  }
  list = Array.isArray(data.basemaps) ? data.basemaps : [];
  if (list.length === 0) return null;

  const box = document.createElement('div');
  box.className = 'maplibregl-ctrl maplibregl-ctrl-group basemap-ctrl';
  const label = document.createElement('label');
  label.className = 'basemap-label';
  const caption = document.createElement('span');
  const select = document.createElement('select');
  select.id = 'basemap-select';
  label.append(caption, select);
  box.append(label);
  const container = map.getContainer();
  // Messages about the basemap sit over the map, above the attribution, in the page's language.
  const warning = document.createElement('div');
  warning.className = 'basemap-msg basemap-warning';
  warning.setAttribute('role', 'status');
  warning.hidden = true;
  const notice = document.createElement('div');
  notice.className = 'basemap-msg basemap-notice';
  notice.setAttribute('role', 'alert');
  notice.hidden = true;
  container.append(warning, notice);
  let failed = false;

  const byName = (n) => list.find((b) => b.name === n);

  function renderMessages() {
    const b = byName(current);
    warning.hidden = !(b && b.offset);
    if (b && b.offset) warning.textContent = tr('basemap.offset', { name: b.title, crs: CRS_NAMES[b.crs] || b.crs });
    const why = b && (b.unavailable ? tr('basemap.unavailable', { name: b.title }) : failed ? tr('basemap.failed', { name: b.title }) : '');
    notice.hidden = !why;
    notice.textContent = why || '';
  }

  function render() {
    caption.textContent = tr('basemap.label');
    select.setAttribute('aria-label', tr('basemap.aria'));
    const opts = [[OUTLINE, tr('basemap.outline')],
      ...list.map((b) => [b.name, b.type === 'vector' ? tr('basemap.vector', { name: b.title }) : b.title])];
    select.replaceChildren(...opts.map(([value, text]) => {
      const o = document.createElement('option');
      o.value = value;
      o.textContent = text;
      return o;
    }));
    select.value = current;
    renderMessages();
  }

  /** Switches to `name`; `initial`: the page's start, whose URL the page itself writes later. */
  function use(name, initial = false) {
    const b = byName(name);
    current = b ? name : OUTLINE;
    failed = false;
    clear(map);
    if (b && !b.unavailable) draw(map, b);
    select.value = current;
    if (!initial) remember(current);
    renderMessages();
    onChange(current);
  }

  map.on('error', (e) => {
    // Only the basemap's own tile failures; 404 is "no tile there" (sea, edge of the data).
    if (e.sourceId !== SOURCE || (e.error && e.error.status === 404)) return;
    if (!failed) { failed = true; renderMessages(); }
  });
  select.addEventListener('change', () => use(select.value));
  map.addControl({ onAdd: () => box, onRemove: () => box.remove() }, position);
  render();
  use(readChoice(), true);
  return { render, use, list: () => list };
}
