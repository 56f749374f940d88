// The projects: fetched once per month, rolled back to a month's state, and filtered here.

import { lateness, deriveAsOf, kpis, monthEnd } from './format.js';
import { STATUS_KEYS, NULL_KEY } from './map-style.js';
import { getJSON } from './api.js';
import { PAGE_SIZE, state, asOfDate } from './state.js';
import { statusKey } from './labels.js';

let prefetch = null;
/** The vocabularies, the project count and the tiles threshold; asked for first, once. */
export const metaPromise = getJSON('api/meta');

/**
 * Above the server's threshold (`--tiles-threshold`) the page works on tiles: the map draws
 * /tiles/projects/{z}/{x}/{y}.mvt, the figures come from /api/stats and the table pages from
 * /api/projects?limit=&offset=; nothing loads every project.
 */
export function tiledFor(meta) {
  return !!meta && Number.isFinite(meta.project_count) && Number.isFinite(meta.tiles_threshold) && meta.project_count > meta.tiles_threshold;
}

/**
 * Asks for the projects before the map is created: creating the WebGL context takes a while on
 * slow machines, and the request (the biggest one) can run meanwhile. Used by the first load.
 * `meta` (null when it failed) is already in: its project count decides whether there is a whole
 * list to ask for, and the request goes out now, not after the map's set-up.
 */
export function startPrefetch(month, meta) {
  if (tiledFor(meta)) {
    // On tiles: the figures and the table's first page, for the filters the page opens with.
    const q = tiledQuery();
    tiledPrefetch = { qs: q.toString(), stats: getJSON('api/stats', q), rows: fetchTablePage(q, 0) };
    // Handled where taken; a filter changed before then leaves them unused, not unhandled.
    tiledPrefetch.stats.catch(() => {});
    tiledPrefetch.rows.catch(() => {});
    prefetch = Promise.resolve({ tiled: true });
  } else if (month) prefetch = null;
  else prefetch = getJSON('api/projects').catch((e) => ({ error: e }));
}

let tiledPrefetch = null;
/** On tiles: `/api/stats` and the table's first page for `query`, asked for at start if they were. */
export function takeTiledPrefetch(query) {
  const p = tiledPrefetch;
  tiledPrefetch = null;
  return p && p.qs === query.toString() ? [p.stats, p.rows] : null;
}

/**
 * The current filters as the server's query, exactly (on tiles nothing is filtered in the page):
 * 未填报 status/action/town become CQL2 `IS NULL`, the month `as_of`, the search `q` (names).
 */
export function tiledQuery() {
  const p = new URLSearchParams();
  const cql = [];
  const keys = [...STATUS_KEYS, NULL_KEY];
  if (!keys.every((k) => state.statusSel.has(k))) {
    const sel = STATUS_KEYS.filter((k) => state.statusSel.has(k));
    const parts = sel.length ? [`status IN (${sel.map((k) => `'${k}'`).join(', ')})`] : [];
    if (state.statusSel.has(NULL_KEY)) parts.push('status IS NULL');
    cql.push(parts.length ? `(${parts.join(' OR ')})` : '(status IS NULL AND status IS NOT NULL)');
  }
  if (state.action === NULL_KEY) cql.push('action IS NULL');
  else if (state.action) p.set('action', state.action);
  if (state.town === NULL_KEY) cql.push('town IS NULL');
  else if (state.town) p.set('town', state.town);
  if (state.kind) p.set('kind', state.kind);
  if (state.island) p.set('island', state.island);
  if (state.q) p.set('q', state.q);
  if (state.month) p.set('as_of', monthEnd(state.month));
  if (cql.length) p.set('filter', cql.join(' AND '));
  return p;
}

/** One page of the table on tiles: `offset` onwards, in the server's (id) order, with lateness. */
export async function fetchTablePage(query, offset) {
  const p = new URLSearchParams(query);
  p.set('limit', String(PAGE_SIZE));
  p.set('offset', String(offset));
  const fc = await getJSON('api/projects', p);
  const d = asOfDate();
  return validFeatures(fc).map((f) => ({ ...f, _late: lateness(f.properties, d) }));
}

/** Whether the first load found the page on tiles (the prefetch's answer). */
export async function prefetchedTiled() {
  if (!prefetch) return tiledFor(await metaPromise.catch(() => null));
  const r = await prefetch;
  return !!(r && r.tiled);
}

// Every project is loaded once per month (10,000 are ~10 MB of GeoJSON, fetched once); the
// filters run here, with the same meaning as the API's, so that a filter change is instant.
// `lastQuery` is the API query equivalent to the current status/action/town/kind filters.
export function apiQuery() {
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
export function serverQueryExact() {
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
  if (prefetch && (await prefetch).tiled) prefetch = null;
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
export async function fetchForMonth(month) {
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

/** The as-of state of every project and its lateness at the page's date. */
export function deriveAll() {
  const d = asOfDate();
  state.all = state.raw.map((f) => {
    const props = state.month && f._src === 'dates' ? deriveAsOf(f.properties, d) : f.properties;
    const late = lateness(props, d);
    return { type: 'Feature', id: f.id, geometry: f.geometry, properties: props, _late: late };
  });
}

export function passes(f, skip) {
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

export function applyFilters() {
  state.features = state.all.filter((f) => passes(f));
  const props = state.features.map((f) => ({ ...f.properties, _id: String(f.id) }));
  state.kpi = kpis(props, asOfDate());
  state.props = props;
}
