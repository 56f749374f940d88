// planmap editing page. Plain ES module, no build step.
//
// Geometry: terra-draw (vendored) draws and edits single parts; planmap composes them. A
// project's Multi* geometry is loaded as one terra-draw feature per part, and on save all parts
// of one kind become a Point/LineString/Polygon (one part) or MultiPoint/… (several).
// Writes: PATCH /api/projects/{id} with If-Match = the version the planner loaded, so nobody's
// change is overwritten silently; a 412 opens the conflict panel (reload theirs, compare, or
// explicitly save over). Security: every server string goes in with textContent, never innerHTML.
// Finding: projects are drawn by status as on the map page (map-style.js) and picked by a click,
// or found with the search box; edit-find.js holds the search and the archived list.
// Language: one at a time, from i18n.js, the map page's choice (page-lang.js).

import {
  TerraDraw, TerraDrawPointMode, TerraDrawLineStringMode, TerraDrawPolygonMode, TerraDrawSelectMode,
  TerraDrawModeUndoRedo, TerraDrawSessionUndoRedo,
} from 'terra-draw';
import { TerraDrawMapLibreGLAdapter } from './vendor/terra-draw/terra-draw-maplibre-gl-adapter.modern.js';
import { EMPTY_FC, POINT, PROJECT_LAYERS, buildStyle, geomIs, labelLetterSpacing, nameExpr } from './map-style.js';
import { labelPoint, geomArea } from './geometry.js';
import { lang, tr, applyStatic, wireSwitch } from './page-lang.js';
import { has } from './i18n.js';
import { wireFind, renderFind, loadArchived, fillFilters } from './edit-find.js';
import { wireBasemaps, withBasemapParam } from './basemaps.js';

const maplibregl = window.maplibregl;
const $ = (id) => document.getElementById(id);
const FORM_FIELDS = ['name_zh', 'name_en', 'kind', 'status', 'progress_pct', 'investment_total', 'investment_completed',
  'start_date', 'planned_completion', 'actual_completion', 'town', 'responsible_units', 'sources', 'location_confidence', 'description'];
const SNAP_PX = 12;

// Exposed for the browser tests and for debugging from the console.
const state = window.planmapEdit = {
  ready: false, user: null, meta: null, projects: [], current: null, etag: null, isNew: false,
  draw: null, map: null, lastSaved: null, busy: false, baseline: null, archived: [],
};
// Messages on the page are kept as keys so a language switch redraws them.
const shown = { signin: null, saved: null, conflict: null };

// ------------------------------------------------------------------ helpers
async function api(method, path, body, headers = {}) {
  const opts = { method, headers: { ...headers }, credentials: 'same-origin' };
  if (body !== undefined) {
    opts.headers['content-type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  const res = await fetch(path, opts);
  let data = null;
  const text = await res.text();
  try { data = text ? JSON.parse(text) : null; } catch { data = { detail: text }; }
  return { res, data };
}

function text(el, s) { el.textContent = s == null ? '' : String(s); return el; }
function el(tag, s, cls) { const e = document.createElement(tag); if (cls) e.className = cls; return text(e, s); }
function fmt(v) { return v == null ? '—' : (typeof v === 'object' ? JSON.stringify(v) : String(v)); }

// ------------------------------------------------------------------ map
function buildMap() {
  // The map page's style (status colours, names, hover and selection layers), plus the layer
  // that marks where the server found a geometry problem.
  const style = buildStyle(lang.current);
  style.sources.problems = { type: 'geojson', data: EMPTY_FC };
  style.layers.push({ id: 'problem-point', type: 'circle', source: 'problems', paint: { 'circle-radius': 9, 'circle-color': '#b42318', 'circle-opacity': 0.35, 'circle-stroke-color': '#b42318', 'circle-stroke-width': 2 } });
  const map = new maplibregl.Map({
    container: 'map', style, center: [121.1, 27.85], zoom: 11, attributionControl: false,
    dragRotate: false, pitchWithRotate: false, touchPitch: false,
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-left');
  return map;
}

function setMapLang() {
  const map = state.map;
  if (!map || !map.getLayer('project-label')) return;
  map.setLayoutProperty('project-label', 'text-field', nameExpr(lang.current));
  map.setLayoutProperty('island-label', 'text-field', nameExpr(lang.current));
  map.setLayoutProperty('island-label', 'text-letter-spacing', labelLetterSpacing(lang.current));
}

/** The projects under `point` (pixels), nearest layer first, each id once. */
function projectsAt(point) {
  const r = 6;
  const hits = state.map.queryRenderedFeatures([[point.x - r, point.y - r], [point.x + r, point.y + r]],
    { layers: PROJECT_LAYERS.filter((l) => state.map.getLayer(l)) });
  const ids = [];
  for (const h of hits) {
    const id = h.properties && h.properties._id;
    if (id && !ids.includes(id)) ids.push(id);
  }
  return ids.map((id) => state.projects.find((f) => f.id === id)).filter(Boolean);
}

function setHover(id) {
  if (state.hoverId === id) return;
  state.hoverId = id;
  state.map.setFilter('hover-line', ['all', ['!', geomIs(POINT)], ['==', ['get', '_id'], id || '']]);
  state.map.setFilter('hover-point', ['==', ['get', '_id'], id || '']);
  state.map.getCanvas().style.cursor = id ? 'pointer' : '';
}

/** True while a drawing tool is active: a click then adds a vertex, it does not pick. */
function drawing() {
  const m = state.draw && state.draw.getMode();
  return m === 'point' || m === 'linestring' || m === 'polygon';
}

/** A click on the map: pick the project under it; several overlap, offer a chooser. */
function onMapClick(e) {
  if (!state.draw || drawing()) return;
  // A click on a part of the project being edited belongs to terra-draw (select, drag).
  if (state.draw.getFeaturesAtLngLat(e.lngLat, { pointerDistance: 8, ignoreSelectFeatures: false }).length) return;
  const found = projectsAt(e.point);
  hideChooser();
  if (found.length === 1) pick(found[0].id);
  else if (found.length > 1) showChooser(e.point, found);
}

function showChooser(point, features) {
  const box = $('chooser');
  const list = $('chooser-list');
  list.replaceChildren(...features.map((f) => {
    const b = el('button', null, 'chooser-item');
    b.type = 'button';
    b.dataset.id = f.id;
    const sw = el('span', '', 'sw');
    sw.style.background = statusColor(f.properties.status);
    b.append(sw, el('span', displayName(f.properties)), el('span', ` ${f.id}`, 'muted small'));
    b.addEventListener('click', () => { hideChooser(); pick(f.id); });
    const li = document.createElement('li'); li.append(b); return li;
  }));
  box.hidden = false;
  const wrap = box.parentElement.getBoundingClientRect();
  box.style.left = `${Math.min(point.x + 8, wrap.width - box.offsetWidth - 8)}px`;
  box.style.top = `${Math.min(point.y + 8, wrap.height - box.offsetHeight - 8)}px`;
  box.querySelector('button.chooser-item').focus();
}

function hideChooser() { $('chooser').hidden = true; }

export function statusColor(status) {
  const layer = state.map && state.map.getLayer('proj-fill');
  // The colours live in map-style.js; read them from the expression the map uses.
  const expr = layer ? state.map.getPaintProperty('proj-fill', 'fill-color') : null;
  if (Array.isArray(expr)) {
    const i = expr.indexOf(status || 'null', 2);
    if (i > 1 && i < expr.length - 1) return expr[i + 1];
    return expr[expr.length - 1];
  }
  return '#888';
}

export function displayName(p) {
  const zh = p.name_zh || p.name_en || '';
  return lang.current === 'en' ? (p.name_en || zh) : zh;
}

// Snap to the vertices of every other project (terra-draw's toCoordinate covers the parts
// being edited): the nearest vertex within SNAP_PX pixels, if any.
function snapToOthers(event) {
  if (!$('snap').checked) return undefined;
  let best; let bestD = SNAP_PX * SNAP_PX;
  const visit = (c) => {
    const p = state.map.project(c);
    const d = (p.x - event.containerX) ** 2 + (p.y - event.containerY) ** 2;
    if (d < bestD) { bestD = d; best = [c[0], c[1]]; }
  };
  for (const f of state.projects) {
    if (state.current && f.id === state.current.id) continue;
    eachPosition(f.geometry && f.geometry.coordinates, visit);
  }
  return best;
}

function eachPosition(c, fn) {
  if (!Array.isArray(c)) return;
  if (typeof c[0] === 'number') { fn(c); return; }
  for (const x of c) eachPosition(x, fn);
}

function buildDraw(map) {
  const snapping = { toCoordinate: true, toCustom: snapToOthers };
  const draw = new TerraDraw({
    adapter: new TerraDrawMapLibreGLAdapter({ map, coordinatePrecision: 7 }),
    modes: [
      new TerraDrawPointMode({ editable: true }),
      new TerraDrawLineStringMode({ snapping, editable: true }),
      new TerraDrawPolygonMode({ snapping, editable: true }),
      new TerraDrawSelectMode({
        flags: Object.fromEntries(['point', 'linestring', 'polygon'].map((m) => [m, {
          feature: { draggable: true, coordinates: { draggable: true, deletable: true, midpoints: true, snappable: snapping } },
        }])),
      }),
    ],
    undoRedo: { modeLevel: new TerraDrawModeUndoRedo(), sessionLevel: new TerraDrawSessionUndoRedo() },
  });
  draw.start();
  draw.on('change', () => updateGeomSummary());
  return draw;
}

function setMode(mode) {
  state.draw.setMode(mode);
  for (const b of document.querySelectorAll('.tool')) b.classList.toggle('active', b.dataset.mode === mode);
}

// ------------------------------------------------------------------ geometry <-> parts
const PART_MODE = { Point: 'point', LineString: 'linestring', Polygon: 'polygon' };

function partsOf(geometry) {
  if (!geometry) return [];
  const t = geometry.type;
  if (PART_MODE[t]) return [{ type: t, coordinates: geometry.coordinates }];
  const single = t.replace('Multi', '');
  if (t.startsWith('Multi') && PART_MODE[single]) return geometry.coordinates.map((c) => ({ type: single, coordinates: c }));
  return [];
}

function loadParts(geometry) {
  state.draw.clear();
  const parts = partsOf(geometry);
  const feats = parts.map((g) => ({ type: 'Feature', geometry: g, properties: { mode: PART_MODE[g.type] } }));
  const results = feats.length ? state.draw.addFeatures(feats) : [];
  const rejected = results.filter((r) => !r.valid);
  state.draw.clearUndoRedoHistory();
  showGeometryErrors(rejected.map((r) => tr('edit.err.part', { n: results.indexOf(r) + 1, reason: r.reason || '' })));
  updateGeomSummary();
}

/** The parts drawn now, composed into one GeoJSON geometry; an error string when that is impossible. */
function composeGeometry() {
  const parts = drawnParts().map((f) => f.geometry);
  if (parts.length === 0) return { error: tr('edit.err.draw_first') };
  const types = new Set(parts.map((g) => g.type));
  if (types.size > 1) return { error: tr('edit.err.one_kind', { types: [...types].map(geomName).join(', ') }) };
  const [type] = types;
  if (parts.length === 1) return { geometry: parts[0] };
  return { geometry: { type: `Multi${type}`, coordinates: parts.map((g) => g.coordinates) } };
}

/** The project's parts as drawn (not terra-draw's selection and midpoint handles). */
function drawnParts() {
  return state.draw.getSnapshot().filter((f) => PART_MODE[f.geometry.type] && f.properties && f.properties.mode === PART_MODE[f.geometry.type]);
}

function geomName(type) { return has(lang.current, `geom.${type}`) ? tr(`geom.${type}`) : type; }

function updateGeomSummary() {
  if (!state.draw) return;
  const parts = drawnParts();
  const counts = {};
  for (const f of parts) counts[f.geometry.type] = (counts[f.geometry.type] || 0) + 1;
  text($('geom-summary'), parts.length ? Object.entries(counts).map(([t, n]) => `${n} × ${geomName(t)}`).join(', ') : tr('edit.geom.empty'));
}

// ------------------------------------------------------------------ unsaved changes
/** What the planner would save now; compared with the same taken right after loading. */
function editKey() {
  if (!state.draw) return null;
  const g = composeGeometry();
  return JSON.stringify({ id: $('f-id').value.trim(), p: formProperties(), g: g.geometry || null });
}
function markClean() { state.baseline = editKey(); }
export function isDirty() { return state.baseline != null && editKey() !== state.baseline; }
state.isDirty = isDirty; // for the browser tests
state.editKey = editKey;

/** Runs `fn` when nothing is unsaved, or once the planner agrees to discard the changes. */
export async function guard(fn) {
  if (isDirty()) {
    const dlg = $('confirm-discard');
    dlg.returnValue = '';
    dlg.showModal();
    await new Promise((resolve) => dlg.addEventListener('close', resolve, { once: true }));
    if (dlg.returnValue !== 'ok') return false;
  }
  await fn();
  return true;
}

/** Opens project `id` (from the map, the search list or the chooser), asking first if needed. */
export function pick(id) {
  if (state.current && state.current.id === id && !state.isNew) return Promise.resolve(true);
  return guard(() => openProject(id));
}

// ------------------------------------------------------------------ form
function option(select, value, label) { const o = el('option', label); o.value = value; select.append(o); }

function fillVocabularies(meta) {
  const vocab = (id, items, empty) => {
    const s = $(id); const keep = s.value; s.replaceChildren();
    if (empty) option(s, '', empty);
    for (const v of items) option(s, v.value, lang.current === 'en' ? (v.name_en || v.name_zh) : v.name_zh);
    s.value = keep;
  };
  vocab('f-kind', meta.kinds, null);
  vocab('f-status', meta.statuses, tr('status.null'));
  vocab('f-location_confidence', meta.confidences, null);
  const town = $('f-town'); const keep = town.value; town.replaceChildren(); option(town, '', '—');
  for (const t of meta.towns) option(town, t, has(lang.current, `town.${t}`) ? tr(`town.${t}`) : t);
  town.value = keep;
}

function fillForm(f) {
  const p = (f && f.properties) || {};
  $('f-id').value = f ? f.id || '' : '';
  $('f-id').disabled = !state.isNew;
  for (const k of FORM_FIELDS) {
    const input = $(`f-${k}`);
    let v = p[k];
    if (k === 'responsible_units') v = (v || []).join('\n');
    else if (k === 'sources') v = (v || []).map((s) => (s.url ? `${s.title} | ${s.url}` : s.title)).join('\n');
    input.value = v == null ? '' : String(v);
  }
  if (!p.kind) $('f-kind').value = 'other';
  if (!p.location_confidence) $('f-location_confidence').value = 'medium';
  $('f-comment').value = '';
  clearErrors();
}

/** Form values as properties: empty fields become null, which a merge patch turns into "remove". */
function formProperties() {
  const out = {};
  for (const k of FORM_FIELDS) {
    const raw = $(`f-${k}`).value.trim();
    if (k === 'responsible_units') out[k] = raw ? raw.split('\n').map((s) => s.trim()).filter(Boolean) : null;
    else if (k === 'sources') {
      out[k] = raw ? raw.split('\n').map((s) => s.trim()).filter(Boolean).map((line) => {
        const [title, url] = line.split('|').map((s) => s.trim());
        return { title, url: url || null };
      }) : null;
    } else if (k === 'progress_pct') out[k] = raw === '' ? null : (Number.isFinite(Number(raw)) ? Number(raw) : raw);
    else out[k] = raw === '' ? null : raw;
  }
  return out;
}

function clearErrors() {
  for (const f of document.querySelectorAll('.field')) {
    f.classList.remove('invalid');
    for (const e of f.querySelectorAll('.field-error')) e.remove();
  }
  $('form-error').hidden = true;
  $('saved').hidden = true;
  shown.saved = null;
  showGeometryErrors([]);
  state.problemPoints = [];
  state.map.getSource('problems')?.setData(EMPTY_FC);
}

function showGeometryErrors(messages) {
  const ul = $('geometry-errors'); ul.replaceChildren();
  for (const m of messages) ul.append(el('li', m));
}

/** Puts each server error next to its field, and geometry problems on the map too. */
function showProblem(p) {
  clearErrors();
  const geom = []; const points = []; const general = [];
  for (const e of (p && p.errors) || []) {
    const top = (e.field || '').split('/')[0];
    if (top === 'geometry') {
      geom.push(e.reason);
      if (Array.isArray(e.at)) points.push({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: e.at } });
      continue;
    }
    const box = document.querySelector(`.field[data-field="${CSS.escape(top)}"]`);
    if (box) {
      box.classList.add('invalid');
      box.append(el('p', e.reason, 'field-error'));
    } else general.push(`${e.field}: ${e.reason}`);
  }
  showGeometryErrors(geom);
  state.problemPoints = points;
  state.map.getSource('problems').setData({ type: 'FeatureCollection', features: points });
  if (points.length) state.map.easeTo({ center: points[0].geometry.coordinates, zoom: Math.max(state.map.getZoom(), 14) });
  const msg = [p && p.detail && !(p.errors && p.errors.length) ? p.detail : null, ...general].filter(Boolean);
  if (msg.length) { text($('form-error'), msg.join('; ')); $('form-error').hidden = false; }
}

// ------------------------------------------------------------------ projects
async function loadProjects() {
  const { res, data } = await api('GET', 'api/projects');
  if (!res.ok) throw new Error(data && data.detail);
  state.projects = data.features;
  refreshOthers();
  fillFilters();
  renderFind();
}

/** Every project but the one being edited (terra-draw draws that one), by status, named. */
function refreshOthers() {
  const feats = []; const labels = [];
  for (const f of state.projects) {
    if (state.current && !state.isNew && f.id === state.current.id) continue;
    const p = f.properties || {};
    const inv = p.investment_total == null ? -1 : Number(p.investment_total);
    const common = { _id: f.id, name_zh: p.name_zh ?? null, name_en: p.name_en ?? null, status: p.status ?? null, _inv: Number.isFinite(inv) ? inv : -1, _late: false };
    feats.push({ type: 'Feature', geometry: f.geometry, properties: { ...common, _area: geomArea(f.geometry) } });
    const pt = labelPoint(f.geometry);
    if (pt) labels.push({ type: 'Feature', geometry: { type: 'Point', coordinates: pt }, properties: { ...common, _rank: inv > 0 ? -inv : 0, _pt: POINT.includes(f.geometry.type) } });
  }
  state.map.getSource('projects').setData({ type: 'FeatureCollection', features: feats });
  state.map.getSource('project-labels').setData({ type: 'FeatureCollection', features: labels });
}

function renderCurrentTitle() {
  const h = $('current-title');
  if (state.isNew || !state.current) { text(h, tr('edit.current.new')); return; }
  const p = state.current.properties;
  text(h, `${displayName(p)} · ${state.current.id} · ${tr('edit.current.version', { v: p.version })}`);
}

async function openProject(id) {
  const { res, data } = await api('GET', `api/projects/${encodeURIComponent(id)}`);
  if (!res.ok) { showProblem(data); return; }
  state.isNew = false;
  state.current = data;
  state.etag = res.headers.get('etag');
  fillForm(data);
  loadParts(data.geometry);
  refreshOthers();
  hidePanels();
  hideChooser();
  setMode('select');
  setHover(null);
  renderCurrentTitle();
  renderFind();
  markClean();
  const b = bboxOf(data.geometry);
  if (b) state.map.fitBounds(b, { padding: 80, maxZoom: 16, duration: 0 });
  history.replaceState(null, '', withBasemapParam(`?id=${encodeURIComponent(id)}`));
}

function bboxOf(g) {
  let b = null;
  eachPosition(g && g.coordinates, (c) => {
    b = b ? [[Math.min(b[0][0], c[0]), Math.min(b[0][1], c[1])], [Math.max(b[1][0], c[0]), Math.max(b[1][1], c[1])]] : [[c[0], c[1]], [c[0], c[1]]];
  });
  return b;
}

function newProject() {
  state.isNew = true; state.current = null; state.etag = null;
  fillForm(null);
  state.draw.clear(); state.draw.clearUndoRedoHistory();
  updateGeomSummary(); refreshOthers(); hidePanels(); hideChooser();
  // Select, not a drawing tool: a click on the map still picks a project; a tool draws.
  setMode('select');
  renderCurrentTitle();
  renderFind();
  markClean();
  history.replaceState(null, '', withBasemapParam('?new'));
}

function hidePanels() { $('conflict').hidden = true; $('history').hidden = true; $('conflict-table').hidden = true; $('conflict-overwrite').hidden = true; }

async function save(overwriteVersion) {
  if (state.busy) return;
  clearErrors();
  const g = composeGeometry();
  if (g.error) { showGeometryErrors([g.error]); return; }
  const props = formProperties();
  const comment = $('f-comment').value.trim() || null;
  state.busy = true;
  try {
    let res; let data;
    if (state.isNew) {
      const properties = Object.fromEntries(Object.entries(props).filter(([, v]) => v !== null));
      ({ res, data } = await api('POST', 'api/projects', { type: 'Feature', id: $('f-id').value.trim(), geometry: g.geometry, properties, comment }));
    } else {
      const ifMatch = overwriteVersion ? `"${overwriteVersion}"` : state.etag;
      ({ res, data } = await api('PATCH', `api/projects/${encodeURIComponent(state.current.id)}`, { geometry: g.geometry, properties: props, comment }, { 'if-match': ifMatch }));
    }
    if (res.ok) {
      state.lastSaved = data;
      await loadProjects();
      await openProject(data.id);
      say('edit.saved', { v: data.properties.version });
      return;
    }
    if (res.status === 412) { showConflict(data); return; }
    if (res.status === 401) { showSignIn('edit.session_ended'); return; }
    showProblem(data);
  } finally {
    state.busy = false;
  }
}

// ------------------------------------------------------------------ conflicts
function showConflict(p) {
  state.conflictVersion = p.current_version;
  shown.conflict = { theirs: p.current_version, mine: String(state.etag).replaceAll('"', '') };
  text($('conflict-text'), tr('edit.conflict.text', shown.conflict));
  $('conflict').hidden = false;
  $('conflict-table').hidden = true;
  $('conflict-overwrite').hidden = true;
}

async function compareConflict() {
  const { res, data } = await api('GET', `api/projects/${encodeURIComponent(state.current.id)}`);
  if (!res.ok) { showProblem(data); return; }
  const mine = formProperties();
  const tbody = $('conflict-table').querySelector('tbody'); tbody.replaceChildren();
  for (const k of FORM_FIELDS) {
    const theirs = data.properties[k] ?? null;
    if (sameValue(mine[k], theirs)) continue;
    const row = document.createElement('tr');
    row.append(el('td', fieldLabel(k)), el('td', fmt(mine[k])), el('td', fmt(theirs)));
    tbody.append(row);
  }
  const g = composeGeometry();
  if (!sameGeometry(g.geometry, data.geometry)) {
    const row = document.createElement('tr');
    row.append(el('td', tr('edit.diff.geometry')), el('td', geomName(g.geometry ? g.geometry.type : '—')), el('td', geomName(data.geometry.type)));
    tbody.append(row);
  }
  if (!tbody.children.length) tbody.append(Object.assign(document.createElement('tr'), { textContent: tr('edit.diff.none') }));
  $('conflict-table').hidden = false;
  $('conflict-overwrite').hidden = false;
}

// An empty list and no list are the same to the planner; so are numbers and their text.
function sameValue(a, b) {
  const norm = (v) => (Array.isArray(v) && !v.length ? null : v);
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b)) || (a != null && b != null && typeof a !== 'object' && String(a) === String(b));
}
// terra-draw keeps 7 decimals (about 1 cm); the server may keep more.
function sameGeometry(a, b) {
  if (!a || !b || a.type !== b.type) return false;
  const flat = (g) => { const out = []; eachPosition(g.coordinates, (c) => out.push(c[0].toFixed(7), c[1].toFixed(7))); return out.join(); };
  return flat(a) === flat(b);
}

// ------------------------------------------------------------------ delete and history
async function confirmDelete() {
  if (!state.current) return;
  text($('confirm-delete-text'), tr('edit.confirm_delete', { name: displayName(state.current.properties) }));
  const dlg = $('confirm-delete');
  dlg.returnValue = '';
  dlg.showModal();
  await new Promise((resolve) => dlg.addEventListener('close', resolve, { once: true }));
  if (dlg.returnValue !== 'ok') return;
  const id = state.current.id;
  const lastLive = state.current.properties.version;
  const { res, data } = await api('DELETE', `api/projects/${encodeURIComponent(id)}`, undefined, { 'if-match': state.etag });
  if (res.status === 412) { showConflict(data); return; }
  if (!res.ok) { showProblem(data); return; }
  await loadProjects();
  newProject();
  loadArchived();
  // An archive is undone by restoring the last live version as a new revision.
  say('edit.archived_one', { id }, { id, lastLive, version: data.version });
}

async function showHistory() {
  if (!state.current) return;
  const id = state.current.id;
  const { res, data } = await api('GET', `api/projects/${encodeURIComponent(id)}/history`);
  if (!res.ok) { showProblem(data); return; }
  const ol = $('history-list'); ol.replaceChildren();
  const last = data[data.length - 1].version;
  for (const r of [...data].reverse()) {
    const li = document.createElement('li');
    li.append(el('span', `${tr('edit.history.entry', { v: r.version, when: r.created_at.slice(0, 16).replace('T', ' '), author: r.author })}${r.archived ? ` · ${tr('edit.history.archived')}` : ''}${r.comment ? ` · ${r.comment}` : ''} `));
    if (r.version > 1) {
      const b = el('button', tr('edit.history.diff'), 'btn btn-small'); b.type = 'button';
      b.addEventListener('click', () => showDiff(id, r.version - 1, r.version));
      li.append(b);
    }
    if (r.version !== last && !r.archived) {
      const b = el('button', tr('edit.history.restore'), 'btn btn-small'); b.type = 'button';
      b.addEventListener('click', () => restore(id, r.version, last));
      li.append(b);
    }
    ol.append(li);
  }
  $('history').hidden = false;
}

async function showDiff(id, from, to) {
  const { res, data } = await api('GET', `api/projects/${encodeURIComponent(id)}/diff?from=${from}&to=${to}`);
  if (!res.ok) { showProblem(data); return; }
  const tbody = $('history-diff').querySelector('tbody'); tbody.replaceChildren();
  for (const c of data.changes) {
    const row = document.createElement('tr');
    row.append(el('td', fieldLabel(c.field)), el('td', c.field === 'geometry' ? geomName(c.from?.type) : fmt(c.from)), el('td', c.field === 'geometry' ? geomName(c.to?.type) : fmt(c.to)));
    tbody.append(row);
  }
  $('history-diff').hidden = false;
}

export async function restore(id, version, latest) {
  const { res, data } = await api('POST', `api/projects/${encodeURIComponent(id)}/restore`, { version }, { 'if-match': `"${latest}"` });
  if (res.status === 412) { showConflict(data); return; }
  if (!res.ok) { showProblem(data); return; }
  await loadProjects();
  await openProject(id);
  loadArchived();
  say('edit.restored', { v: version, n: data.properties.version });
}

/** A status line under the form, kept as a key so a language switch redraws it. */
function say(key, vars, undoArchive = null) {
  shown.saved = { key, vars, undoArchive };
  renderSaved();
}
function renderSaved() {
  const saved = $('saved');
  if (!shown.saved) { saved.hidden = true; return; }
  const { key, vars, undoArchive } = shown.saved;
  saved.replaceChildren(el('span', `${tr(key, vars)} `));
  if (undoArchive) {
    const undo = el('button', tr('edit.undo_archive'), 'btn btn-small');
    undo.type = 'button';
    undo.id = 'undo-archive';
    undo.addEventListener('click', () => restore(undoArchive.id, undoArchive.lastLive, undoArchive.version));
    saved.append(undo);
  }
  saved.hidden = false;
}

function fieldLabel(k) { return has(lang.current, `edit.field.${k}`) ? tr(`edit.field.${k}`) : k; }

// ------------------------------------------------------------------ import
async function runImport(dryRun) {
  const file = $('import-file').files[0];
  const summary = $('import-summary');
  if (!file) { text(summary, tr('edit.import.choose')); return; }
  let body;
  try { body = JSON.parse(await file.text()); } catch (e) { text(summary, tr('edit.import.bad_json', { msg: e.message })); return; }
  const q = new URLSearchParams({ dry_run: String(dryRun), crs: $('import-crs').value, mode: $('import-create-only').checked ? 'create_only' : 'upsert' });
  const { res, data } = await api('POST', `api/import?${q}`, body);
  const tbody = $('import-report').querySelector('tbody'); tbody.replaceChildren();
  if (!res.ok) { text(summary, `${res.status}: ${data && data.detail}`); $('import-report').hidden = true; return; }
  for (const item of data.items) {
    const row = document.createElement('tr');
    row.append(el('td', item.index), el('td', item.id || '—'), el('td', item.outcome), el('td', (item.errors || []).map((e) => `${e.field}: ${e.reason}`).join('; ')));
    tbody.append(row);
  }
  $('import-report').hidden = false;
  text(summary, tr('edit.import.summary', { total: data.total, rejected: data.rejected, written: tr(data.written ? 'edit.import.written' : 'edit.import.not_written') }));
  if (data.written) await loadProjects();
}

// ------------------------------------------------------------------ session
function showSignIn(key, vars) {
  shown.signin = { key, vars };
  text($('need-signin-text'), tr(key, vars));
  $('need-signin').hidden = false;
  $('editor').hidden = true;
  // Back here, on the same project, after signing in.
  $('signin-link').href = `signin.html?next=${encodeURIComponent(`edit.html${location.search}`)}`;
}

function renderWho() {
  if (!state.user) { text($('who'), ''); return; }
  const role = has(lang.current, `edit.role.${state.user.role}`) ? tr(`edit.role.${state.user.role}`) : state.user.role;
  text($('who'), `${state.user.name}（${role}）`);
  $('signout').hidden = false;
}

/** Redraws everything that is not a data-i18n node in the new language. */
function renderLang() {
  applyStatic(document, 'edit.page_title');
  renderWho();
  if (state.basemaps) state.basemaps.render();
  if (shown.signin && !$('need-signin').hidden) text($('need-signin-text'), tr(shown.signin.key, shown.signin.vars));
  if (!state.draw) return;
  setMapLang();
  fillVocabularies(state.meta);
  fillFilters();
  renderFind();
  loadArchived();
  updateGeomSummary();
  renderCurrentTitle();
  renderSaved();
  if (shown.conflict) text($('conflict-text'), tr('edit.conflict.text', shown.conflict));
  if (!$('history').hidden) showHistory();
}

async function start() {
  applyStatic(document, 'edit.page_title');
  wireSwitch($('lang-btn'), renderLang);
  state.map = buildMap();
  await new Promise((resolve) => state.map.on('load', resolve));
  const [{ data: session }, { data: meta }, { data: basemap }] = await Promise.all([api('GET', 'api/session'), api('GET', 'api/meta'), api('GET', 'api/basemap')]);
  state.user = session && session.user;
  state.meta = meta;
  state.map.getSource('basemap').setData(basemap || EMPTY_FC);
  // Imagery to trace quays, roads and villages on, when basemaps are configured; its credit
  // then needs an attribution box, which the outline-only editor does without.
  state.basemaps = await wireBasemaps(state.map, { tr, position: 'top-right' });
  if (state.basemaps) state.map.addControl(new maplibregl.AttributionControl({ compact: true }), 'bottom-right');
  renderWho();
  if (!state.user) {
    showSignIn('edit.need_signin');
  } else if (state.user.role === 'viewer') {
    showSignIn('edit.viewer', { name: state.user.name });
  } else {
    $('editor').hidden = false;
    fillVocabularies(meta);
    state.draw = buildDraw(state.map);
    wireFind({ state, pick, restore, guard, tr, lang, displayName, statusColor });
    fillFilters();
    await loadProjects();
    loadArchived();
    const params = new URLSearchParams(location.search);
    if (params.get('id')) await openProject(params.get('id'));
    else newProject();
  }
  wire();
  state.ready = true;
}

function wire() {
  $('signout').addEventListener('click', () => guard(async () => {
    state.baseline = null;
    await api('DELETE', 'api/session');
    location.href = 'signin.html?next=edit.html';
  }));
  if (!state.draw) return;
  for (const b of document.querySelectorAll('.tool')) b.addEventListener('click', () => setMode(b.dataset.mode));
  $('new-project').addEventListener('click', () => guard(newProject));
  $('remove-part').addEventListener('click', () => {
    // The part selected in edit mode; terra-draw marks it with properties.selected.
    const sel = state.draw.getSnapshot().filter((f) => f.properties && f.properties.selected);
    if (sel.length) state.draw.removeFeatures(sel.map((f) => f.id));
    else showGeometryErrors([tr('edit.err.select_part')]);
    updateGeomSummary();
  });
  $('undo').addEventListener('click', undo);
  $('redo').addEventListener('click', redo);
  $('form').addEventListener('submit', (e) => { e.preventDefault(); save(); });
  $('cancel').addEventListener('click', () => {
    // Cancel restores what the server has (the last loaded version), form and geometry alike.
    if (state.current && !state.isNew) { fillForm(state.current); loadParts(state.current.geometry); hidePanels(); markClean(); } else newProject();
  });
  $('delete').addEventListener('click', confirmDelete);
  $('show-history').addEventListener('click', showHistory);
  // Reloading theirs is the planner's explicit choice to drop their version: no question.
  $('conflict-reload').addEventListener('click', () => openProject(state.current.id));
  $('conflict-compare').addEventListener('click', compareConflict);
  $('conflict-overwrite').addEventListener('click', () => save(state.conflictVersion));
  $('import-dry').addEventListener('click', () => runImport(true));
  $('import-run').addEventListener('click', () => runImport(false));
  $('chooser-close').addEventListener('click', hideChooser);

  state.map.on('click', onMapClick);
  state.map.on('mousemove', (e) => {
    if (drawing()) { setHover(null); return; }
    const found = projectsAt(e.point);
    setHover(found.length ? found[0].id : null);
  });
  state.map.getCanvas().addEventListener('mouseleave', () => setHover(null));

  document.addEventListener('keydown', onKey);
  window.addEventListener('beforeunload', (e) => {
    if (!isDirty()) return;
    e.preventDefault();
    e.returnValue = '';
  });
}

function undo() { state.draw.undo(); updateGeomSummary(); }
function redo() { state.draw.redo(); updateGeomSummary(); }

/** Ctrl+Z / Ctrl+Shift+Z for the geometry (text fields keep their own undo); Esc closes the chooser.
 * Enter and Esc while drawing are terra-draw's own keys (finish, cancel). */
function onKey(e) {
  const inText = e.target instanceof HTMLElement && e.target.matches('input, textarea, select, [contenteditable]');
  const mod = e.ctrlKey || e.metaKey;
  if (mod && !inText && (e.key === 'z' || e.key === 'Z')) {
    e.preventDefault();
    if (e.shiftKey) redo(); else undo();
  } else if (mod && !inText && (e.key === 'y' || e.key === 'Y')) {
    e.preventDefault();
    redo();
  } else if (e.key === 'Escape' && !$('chooser').hidden) {
    hideChooser();
  }
}

start().catch((e) => {
  console.error(e);
  showSignIn('edit.load_failed', { msg: e.message });
  state.ready = true;
});
