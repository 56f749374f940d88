// The projects: fetched once per month, rolled back to a month's state, and filtered here.

import { lateness, deriveAsOf, kpis, monthEnd } from './format.js';
import { STATUS_KEYS, NULL_KEY } from './map-style.js';
import { getJSON } from './api.js';
import { state, asOfDate } from './state.js';
import { statusKey } from './labels.js';

let prefetch = null;
/**
 * Asks for the projects before the map is created: creating the WebGL context takes a while on
 * slow machines, and the request (the biggest one) can run meanwhile. Used by the first load.
 */
export function startPrefetch(month) {
  prefetch = month ? null : getJSON('api/projects').catch((e) => ({ error: e }));
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
