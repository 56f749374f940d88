// The leadership view's one state object, the language it is shown in, and the date it shows.
// Every other module reads and changes this object; the URL (url-state.js) mirrors it.

import { t, STRINGS } from './i18n.js';
import { sliderMonths, monthEnd, isoDate } from './format.js';
import { STATUS_KEYS, NULL_KEY } from './map-style.js';

export const PAGE_SIZE = 200; // table rows per "show more"
const LS_KEY = 'planmap.lang';
export const MONTHS = sliderMonths();

export const state = {
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
  tiled: null, // null = not known yet; true above the server's tiles threshold (see data.js tiledFor)
  total: null, // on tiles: how many projects match (the server's count)
  serverStats: null, // on tiles: GET /api/stats for the current filters
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
export function storeLang(lang) {
  try { localStorage.setItem(LS_KEY, lang); } catch (_) { /* ignore */ }
}
export const tr = (key, vars) => t(state.lang, key, vars);

// ---------------------------------------------------------------- as-of date
export const today = () => isoDate(new Date());
/** The date the page shows: the end of the chosen month, or today for the latest data. */
export function asOfDate() {
  return state.month ? monthEnd(state.month) : today();
}
