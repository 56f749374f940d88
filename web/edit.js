// planmap editing page. Plain ES module, no build step.
//
// Geometry: terra-draw (vendored) draws and edits single parts; planmap composes them. A
// project's Multi* geometry is loaded as one terra-draw feature per part, and on save all parts
// of one kind become a Point/LineString/Polygon (one part) or MultiPoint/… (several).
// Writes: PATCH /api/projects/{id} with If-Match = the version the planner loaded, so nobody's
// change is overwritten silently; a 412 opens the conflict panel (reload theirs, compare, or
// explicitly save over). Security: every server string goes in with textContent, never innerHTML.

import {
  TerraDraw, TerraDrawPointMode, TerraDrawLineStringMode, TerraDrawPolygonMode, TerraDrawSelectMode,
  TerraDrawModeUndoRedo, TerraDrawSessionUndoRedo,
} from 'terra-draw';
import { TerraDrawMapLibreGLAdapter } from './vendor/terra-draw/terra-draw-maplibre-gl-adapter.modern.js';
import { EMPTY_FC, ISLAND_FILL, ISLAND_LINE, SEA } from './map-style.js';

const maplibregl = window.maplibregl;
const $ = (id) => document.getElementById(id);
const FORM_FIELDS = ['name_zh', 'name_en', 'kind', 'status', 'progress_pct', 'investment_total', 'investment_completed',
  'start_date', 'planned_completion', 'actual_completion', 'town', 'responsible_units', 'sources', 'location_confidence', 'description'];
const SNAP_PX = 12;

// Exposed for the browser tests and for debugging from the console.
const state = window.planmapEdit = {
  ready: false, user: null, meta: null, projects: [], current: null, etag: null, isNew: false,
  draw: null, map: null, lastSaved: null, busy: false,
};

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
  const map = new maplibregl.Map({
    container: 'map',
    style: {
      version: 8,
      sources: {
        basemap: { type: 'geojson', data: EMPTY_FC },
        others: { type: 'geojson', data: EMPTY_FC },
        problems: { type: 'geojson', data: EMPTY_FC },
      },
      layers: [
        { id: 'sea', type: 'background', paint: { 'background-color': SEA } },
        { id: 'island-fill', type: 'fill', source: 'basemap', filter: ['==', ['get', 'layer'], 'island'], paint: { 'fill-color': ISLAND_FILL } },
        { id: 'island-line', type: 'line', source: 'basemap', filter: ['==', ['get', 'layer'], 'island'], paint: { 'line-color': ISLAND_LINE, 'line-width': 0.8 } },
        { id: 'others-fill', type: 'fill', source: 'others', filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': '#7d8791', 'fill-opacity': 0.25 } },
        { id: 'others-line', type: 'line', source: 'others', filter: ['!=', ['geometry-type'], 'Point'], paint: { 'line-color': '#56606a', 'line-width': 1.2 } },
        { id: 'others-point', type: 'circle', source: 'others', filter: ['==', ['geometry-type'], 'Point'], paint: { 'circle-radius': 4, 'circle-color': '#56606a' } },
        { id: 'problem-point', type: 'circle', source: 'problems', paint: { 'circle-radius': 9, 'circle-color': '#b42318', 'circle-opacity': 0.35, 'circle-stroke-color': '#b42318', 'circle-stroke-width': 2 } },
      ],
    },
    center: [121.1, 27.85], zoom: 11, attributionControl: false,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-left');
  return map;
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
  showGeometryErrors(rejected.map((r) => `第 ${results.indexOf(r) + 1} 部分无法在此编辑 / part ${results.indexOf(r) + 1} cannot be edited here: ${r.reason || ''}`));
  updateGeomSummary();
}

/** The parts drawn now, composed into one GeoJSON geometry; an error string when that is impossible. */
function composeGeometry() {
  const parts = state.draw.getSnapshot().map((f) => f.geometry).filter((g) => PART_MODE[g.type]);
  if (parts.length === 0) return { error: '请绘制几何 / Draw a geometry first (point, line or polygon)' };
  const types = new Set(parts.map((g) => g.type));
  if (types.size > 1) return { error: `一个项目只能有一种几何类型 / One project has one kind of geometry; now: ${[...types].join(', ')}` };
  const [type] = types;
  if (parts.length === 1) return { geometry: parts[0] };
  return { geometry: { type: `Multi${type}`, coordinates: parts.map((g) => g.coordinates) } };
}

function updateGeomSummary() {
  if (!state.draw) return;
  const parts = state.draw.getSnapshot().filter((f) => PART_MODE[f.geometry.type]);
  const counts = {};
  for (const f of parts) counts[f.geometry.type] = (counts[f.geometry.type] || 0) + 1;
  text($('geom-summary'), parts.length ? Object.entries(counts).map(([t, n]) => `${n} × ${t}`).join(', ') : '(空 / empty)');
}

// ------------------------------------------------------------------ form
function option(select, value, label) { const o = el('option', label); o.value = value; select.append(o); }

function fillVocabularies(meta) {
  const vocab = (id, items, empty) => {
    const s = $(id); s.replaceChildren();
    if (empty) option(s, '', empty);
    for (const v of items) option(s, v.value, `${v.name_zh} / ${v.name_en}`);
  };
  vocab('f-kind', meta.kinds, null);
  vocab('f-status', meta.statuses, '未填报 / not reported');
  vocab('f-location_confidence', meta.confidences, null);
  const town = $('f-town'); town.replaceChildren(); option(town, '', '—');
  for (const t of meta.towns) option(town, t, t);
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
  const sel = $('project-select'); const keep = sel.value; sel.replaceChildren();
  option(sel, '', '— 选择项目 / choose a project —');
  const sorted = [...state.projects].sort((a, b) => String(a.properties.name_zh).localeCompare(String(b.properties.name_zh), 'zh'));
  for (const f of sorted) option(sel, f.id, `${f.properties.name_zh} (${f.id})`);
  sel.value = keep;
  refreshOthers();
}

function refreshOthers() {
  const others = state.projects.filter((f) => !state.current || f.id !== state.current.id);
  state.map.getSource('others').setData({ type: 'FeatureCollection', features: others });
}

async function openProject(id) {
  const { res, data } = await api('GET', `api/projects/${encodeURIComponent(id)}`);
  if (!res.ok) { showProblem(data); return; }
  state.isNew = false;
  state.current = data;
  state.etag = res.headers.get('etag');
  $('project-select').value = id;
  fillForm(data);
  loadParts(data.geometry);
  refreshOthers();
  hidePanels();
  setMode('select');
  const b = bboxOf(data.geometry);
  if (b) state.map.fitBounds(b, { padding: 80, maxZoom: 16, duration: 0 });
  history.replaceState(null, '', `?id=${encodeURIComponent(id)}`);
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
  $('project-select').value = '';
  fillForm(null);
  state.draw.clear(); state.draw.clearUndoRedoHistory();
  updateGeomSummary(); refreshOthers(); hidePanels();
  setMode('polygon');
  history.replaceState(null, '', '?new');
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
      text($('saved'), `已保存，版本 ${data.properties.version} / Saved as version ${data.properties.version}`);
      $('saved').hidden = false;
      return;
    }
    if (res.status === 412) { showConflict(data); return; }
    if (res.status === 401) { showSignIn('登录已失效，请重新登录 / Your session ended; sign in again'); return; }
    showProblem(data);
  } finally {
    state.busy = false;
  }
}

// ------------------------------------------------------------------ conflicts
function showConflict(p) {
  state.conflictVersion = p.current_version;
  text($('conflict-text'), `有人已保存了版本 ${p.current_version}；您编辑的是版本 ${String(state.etag).replaceAll('"', '')}。 Someone saved version ${p.current_version} while you were editing; nothing was overwritten.`);
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
    if (JSON.stringify(mine[k]) === JSON.stringify(theirs)) continue;
    const tr = document.createElement('tr');
    tr.append(el('td', k), el('td', fmt(mine[k])), el('td', fmt(theirs)));
    tbody.append(tr);
  }
  const g = composeGeometry();
  if (JSON.stringify(g.geometry) !== JSON.stringify(data.geometry)) {
    const tr = document.createElement('tr');
    tr.append(el('td', 'geometry'), el('td', '(我的 / mine)'), el('td', '(对方 / theirs)'));
    tbody.append(tr);
  }
  if (!tbody.children.length) tbody.append(Object.assign(document.createElement('tr'), { textContent: '无差异 / no differences in these fields' }));
  $('conflict-table').hidden = false;
  $('conflict-overwrite').hidden = false;
}

// ------------------------------------------------------------------ delete and history
async function confirmDelete() {
  if (!state.current) return;
  text($('confirm-delete-text'), `删除（归档）“${state.current.properties.name_zh}”？历史会保留，可以恢复。 Archive this project? Its history is kept and it can be restored.`);
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
  // An archive is undone by restoring the last live version as a new revision.
  const saved = $('saved');
  saved.replaceChildren(el('span', `已归档 ${id} / Archived ${id} `));
  const undo = el('button', '撤销 / Undo', 'btn btn-small');
  undo.type = 'button';
  undo.id = 'undo-archive';
  undo.addEventListener('click', () => restore(id, lastLive, data.version));
  saved.append(undo);
  saved.hidden = false;
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
    li.append(el('span', `v${r.version} · ${r.created_at.slice(0, 19).replace('T', ' ')} · ${r.author}${r.archived ? ' · 归档 archived' : ''}${r.comment ? ` · ${r.comment}` : ''} `));
    if (r.version > 1) {
      const b = el('button', '比较 / diff', 'btn btn-small'); b.type = 'button';
      b.addEventListener('click', () => showDiff(id, r.version - 1, r.version));
      li.append(b);
    }
    if (r.version !== last && !r.archived) {
      const b = el('button', '恢复 / restore', 'btn btn-small'); b.type = 'button';
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
    const tr = document.createElement('tr');
    tr.append(el('td', c.field), el('td', c.field === 'geometry' ? c.from?.type : fmt(c.from)), el('td', c.field === 'geometry' ? c.to?.type : fmt(c.to)));
    tbody.append(tr);
  }
  $('history-diff').hidden = false;
}

async function restore(id, version, latest) {
  const { res, data } = await api('POST', `api/projects/${encodeURIComponent(id)}/restore`, { version }, { 'if-match': `"${latest}"` });
  if (res.status === 412) { showConflict(data); return; }
  if (!res.ok) { showProblem(data); return; }
  await loadProjects();
  await openProject(id);
  text($('saved'), `已恢复版本 ${version} 为新版本 ${data.properties.version} / Restored version ${version}`);
  $('saved').hidden = false;
}

// ------------------------------------------------------------------ import
async function runImport(dryRun) {
  const file = $('import-file').files[0];
  const summary = $('import-summary');
  if (!file) { text(summary, '请选择文件 / Choose a file'); return; }
  let body;
  try { body = JSON.parse(await file.text()); } catch (e) { text(summary, `不是有效的 JSON / Not valid JSON: ${e.message}`); return; }
  const q = new URLSearchParams({ dry_run: String(dryRun), crs: $('import-crs').value, mode: $('import-create-only').checked ? 'create_only' : 'upsert' });
  const { res, data } = await api('POST', `api/import?${q}`, body);
  const tbody = $('import-report').querySelector('tbody'); tbody.replaceChildren();
  if (!res.ok) { text(summary, `${res.status}: ${data && data.detail}`); $('import-report').hidden = true; return; }
  for (const item of data.items) {
    const tr = document.createElement('tr');
    tr.append(el('td', item.index), el('td', item.id || '—'), el('td', item.outcome), el('td', (item.errors || []).map((e) => `${e.field}: ${e.reason}`).join('; ')));
    tbody.append(tr);
  }
  $('import-report').hidden = false;
  text(summary, `${data.total} 个要素，${data.rejected} 个被拒绝；${data.written ? '已写入 / written' : '未写入 / nothing written'}`);
  if (data.written) await loadProjects();
}

// ------------------------------------------------------------------ session
function showSignIn(message) {
  text($('need-signin-text'), message);
  $('need-signin').hidden = false;
  $('editor').hidden = true;
}

async function start() {
  state.map = buildMap();
  await new Promise((resolve) => state.map.on('load', resolve));
  const [{ data: session }, { data: meta }, { data: basemap }] = await Promise.all([api('GET', 'api/session'), api('GET', 'api/meta'), api('GET', 'api/basemap')]);
  state.user = session && session.user;
  state.meta = meta;
  state.map.getSource('basemap').setData(basemap || EMPTY_FC);
  if (!state.user) {
    showSignIn('编辑需要登录（规划员）/ Sign in as a planner to edit');
  } else if (state.user.role === 'viewer') {
    text($('who'), `${state.user.name} (${state.user.role})`);
    showSignIn(`用户 ${state.user.name} 只能查看；编辑需要规划员角色 / ${state.user.name} is a viewer; editing needs the planner role`);
  } else {
    text($('who'), `${state.user.name} (${state.user.role})`);
    $('editor').hidden = false;
    fillVocabularies(meta);
    state.draw = buildDraw(state.map);
    await loadProjects();
    const params = new URLSearchParams(location.search);
    if (params.get('id')) await openProject(params.get('id'));
    else newProject();
  }
  wire();
  state.ready = true;
}

function wire() {
  $('signout').addEventListener('click', async () => { await api('DELETE', 'api/session'); location.href = 'signin.html?next=edit.html'; });
  if (!state.draw) return;
  for (const b of document.querySelectorAll('.tool')) b.addEventListener('click', () => setMode(b.dataset.mode));
  $('project-select').addEventListener('change', (e) => { if (e.target.value) openProject(e.target.value); });
  $('new-project').addEventListener('click', newProject);
  $('remove-part').addEventListener('click', () => {
    // The part selected in edit mode; terra-draw marks it with properties.selected.
    const sel = state.draw.getSnapshot().filter((f) => f.properties && f.properties.selected);
    if (sel.length) state.draw.removeFeatures(sel.map((f) => f.id));
    else showGeometryErrors(['先在“选择”模式下点选一个部分 / Select a part in Edit mode first']);
    updateGeomSummary();
  });
  $('undo').addEventListener('click', () => { state.draw.undo(); updateGeomSummary(); });
  $('redo').addEventListener('click', () => { state.draw.redo(); updateGeomSummary(); });
  $('form').addEventListener('submit', (e) => { e.preventDefault(); save(); });
  $('cancel').addEventListener('click', () => {
    // Cancel restores what the server has (the last loaded version), form and geometry alike.
    if (state.current) { fillForm(state.current); loadParts(state.current.geometry); hidePanels(); } else newProject();
  });
  $('delete').addEventListener('click', confirmDelete);
  $('show-history').addEventListener('click', showHistory);
  $('conflict-reload').addEventListener('click', () => openProject(state.current.id));
  $('conflict-compare').addEventListener('click', compareConflict);
  $('conflict-overwrite').addEventListener('click', () => save(state.conflictVersion));
  $('import-dry').addEventListener('click', () => runImport(true));
  $('import-run').addEventListener('click', () => runImport(false));
}

start().catch((e) => {
  console.error(e);
  showSignIn(`页面加载失败 / The page failed to load: ${e.message}`);
  state.ready = true;
});
