// URL state (deep links): the page's filters, month, selection, tab, sort and view live in the
// query string, so a link shows the same map and numbers to whoever opens it.
// ?lang=zh&status=…&action=…&town=…&island=…&kind=…&late=1&q=…&month=YYYY-MM&sel=ID
//  &choro=1&tab=projects&sort=investment:-1&basemap=NAME&map=zoom/lat/lon

import { clampMonth } from './format.js';
import { STATUS_KEYS, NULL_KEY } from './map-style.js';
import { map } from './map.js';
import { state } from './state.js';
import { currentBasemap } from './basemaps.js';

export function readUrl() {
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
export function applyUrl(s) {
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
// Off until the page has applied the URL it was opened with, so that start-up does not rewrite it.
let urlReady = false;
let urlTimer = null;
export function enableUrlWrites() {
  urlReady = true;
}
export function writeUrl() {
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
    // The basemap choice (basemaps.js reads it back at start); absent when none is configured.
    if (currentBasemap()) p.set('basemap', currentBasemap());
    const c = map.getCenter();
    p.set('map', `${map.getZoom().toFixed(2)}/${c.lat.toFixed(5)}/${c.lng.toFixed(5)}`);
    u.search = p.toString().replace(/%2C/g, ',').replace(/%2F/g, '/');
    if (u.toString() !== location.href) history.replaceState(null, '', u);
  }, 150);
}
