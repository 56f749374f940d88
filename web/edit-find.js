// Finding a project on the editing page: the search box (names, ids, responsible units, towns,
// as the map page's table search), the status and unit filters, and the archived projects with
// who archived them and when, each restorable. Picking goes through the page's unsaved-changes
// guard (deps.pick). Security: server strings go in with textContent only.

import { has } from './i18n.js';
import { STATUS_KEYS, NULL_KEY } from './map-style.js';

const MAX_RESULTS = 60; // a list, not a table: more than this, the planner types more
let deps = null;
const $ = (id) => document.getElementById(id);

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = String(text);
  return e;
}

/** `d`: { state, pick, restore, guard, tr, lang, displayName, statusColor } from edit.js. */
export function wireFind(d) {
  deps = d;
  let timer = null;
  $('search').addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(renderFind, 120); });
  $('filter-status').addEventListener('change', renderFind);
  $('filter-unit').addEventListener('change', renderFind);
  $('archived-box').addEventListener('toggle', () => { if ($('archived-box').open) loadArchived(); });
}

function townLabel(t) {
  return has(deps.lang.current, `town.${t}`) ? deps.tr(`town.${t}`) : t;
}

/** The status and unit choices (units from the projects themselves), in the page's language. */
export function fillFilters() {
  if (!deps) return;
  const { tr } = deps;
  const st = $('filter-status'); const keepS = st.value; st.replaceChildren();
  const opt = (s, v, label) => { const o = el('option', label); o.value = v; s.append(o); };
  opt(st, '', tr('edit.filter.status.all'));
  for (const k of [...STATUS_KEYS, NULL_KEY]) opt(st, k, tr(`status.${k}`));
  st.value = keepS;
  const un = $('filter-unit'); const keepU = un.value; un.replaceChildren();
  opt(un, '', tr('edit.filter.unit.all'));
  const units = new Set();
  for (const f of deps.state.projects) for (const u of f.properties.responsible_units || []) units.add(u);
  for (const u of [...units].sort((a, b) => a.localeCompare(b, 'zh'))) opt(un, u, u);
  un.value = units.has(keepU) ? keepU : '';
}

/** Every word of the query must occur in the project's id, names, units or town (either language). */
export function matches(f, words) {
  const p = f.properties || {};
  const hay = [f.id, p.name_zh, p.name_en, p.town, p.town && has('en', `town.${p.town}`) ? deps.tr(`town.${p.town}`) : null,
    ...(p.responsible_units || [])].filter(Boolean).join(' ').toLowerCase();
  return words.every((w) => hay.includes(w));
}

export function renderFind() {
  if (!deps) return;
  const { state, tr } = deps;
  if ($('filter-unit').options.length <= 1) fillFilters();
  const words = $('search').value.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const status = $('filter-status').value;
  const unit = $('filter-unit').value;
  const found = state.projects.filter((f) => {
    const p = f.properties || {};
    if (status && (p.status || NULL_KEY) !== status) return false;
    if (unit && !(p.responsible_units || []).includes(unit)) return false;
    return matches(f, words);
  }).sort((a, b) => deps.displayName(a.properties).localeCompare(deps.displayName(b.properties), deps.lang.current === 'en' ? 'en' : 'zh'));
  const filtered = words.length || status || unit;
  $('results-count').textContent = found.length > MAX_RESULTS
    ? `${tr('edit.results.count', { n: found.length })} · ${tr('edit.results.more', { n: MAX_RESULTS })}`
    : tr('edit.results.count', { n: found.length });
  const cur = state.current && !state.isNew ? state.current.id : null;
  const list = $('results');
  // Unfiltered, the full list would bury the map: show it only once the planner narrows it.
  const rows = filtered ? found.slice(0, MAX_RESULTS) : [];
  list.replaceChildren(...rows.map((f) => {
    const p = f.properties || {};
    const b = el('button', null, 'result');
    b.type = 'button';
    b.dataset.id = f.id;
    if (f.id === cur) b.setAttribute('aria-current', 'true');
    const sw = el('span', '', 'sw');
    sw.style.background = deps.statusColor(p.status);
    const meta = [f.id, p.town ? townLabel(p.town) : null, ...(p.responsible_units || []).slice(0, 2)].filter(Boolean).join(' · ');
    b.append(sw, el('span', deps.displayName(p), 'result-name'), el('span', meta, 'result-meta muted'));
    b.addEventListener('click', () => deps.pick(f.id));
    const li = document.createElement('li'); li.append(b); return li;
  }));
  list.hidden = !rows.length;
}

/** The archived projects (GET api/archived), newest archive first, each with a restore button. */
export async function loadArchived() {
  if (!deps) return;
  const { tr } = deps;
  const list = $('archived-list');
  let items;
  try {
    const res = await fetch('api/archived', { credentials: 'same-origin' });
    const data = await res.json().catch(() => null);
    if (!res.ok) throw new Error((data && data.detail) || res.status);
    items = data;
  } catch (e) {
    list.replaceChildren(el('li', tr('edit.archived.error', { msg: e.message }), 'muted'));
    return;
  }
  deps.state.archived = items;
  $('archived-box').querySelector('summary').textContent = `${tr('edit.archived')} (${items.length})`;
  if (!items.length) { list.replaceChildren(el('li', tr('edit.archived.empty'), 'muted')); return; }
  list.replaceChildren(...items.map((a) => {
    const li = el('li', null, 'archived-item');
    li.dataset.id = a.id;
    const name = deps.displayName({ name_zh: a.name_zh, name_en: a.name_en });
    const when = String(a.archived_at || '').replace(/^(\d{4}-\d\d-\d\d)T(\d\d:\d\d).*$/, '$1 $2');
    const b = el('button', tr('edit.archived.restore'), 'btn btn-small');
    b.type = 'button';
    b.addEventListener('click', () => deps.guard(() => deps.restore(a.id, a.last_live_version, a.version)));
    li.append(el('span', name, 'result-name'), el('span', `${a.id} · ${tr('edit.archived.entry', { who: a.archived_by, when })}`, 'result-meta muted'), b);
    return li;
  }));
}
