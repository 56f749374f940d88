// Names and values in the page's language: statuses, kinds, towns, actions and tasks of the
// plan, money in 万元, "未填报" for what is not reported, and the active filters as one line.

import { has } from './i18n.js';
import { formatMoney } from './format.js';
import { el } from './dom.js';
import { STATUS_KEYS, NULL_KEY, STATUS_COLORS } from './map-style.js';
import { state, tr } from './state.js';

export const isUnknown = (v) => v == null || v === '' || (Array.isArray(v) && v.length === 0);
export function unknownNode() {
  return el('span', { class: 'unknown', text: tr('unknown') });
}
function formatDecimal(v) {
  const s = String(v).trim();
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(s);
  if (!m) return s;
  return m[1] + m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (m[3] || '');
}
export const wanYuan = (v) => formatMoney(v, state.lang, tr) ?? tr('unit.wan_yuan', { v: formatDecimal(v) });
export const statusKey = (s) => (s == null ? NULL_KEY : s);
export const statusName = (s) => tr(`status.${statusKey(s)}`);
export const statusColor = (s) => STATUS_COLORS[statusKey(s)] || STATUS_COLORS.null;
export function kindName(k) { return k == null ? tr('unknown') : (has(state.lang, `kind.${k}`) ? tr(`kind.${k}`) : String(k)); }
export function townName(town) { return has(state.lang, `town.${town}`) ? tr(`town.${town}`) : String(town); }
export function localName(o) {
  if (!o) return null;
  if (state.lang === 'en' && o.name_en) return o.name_en;
  return o.name_zh ?? o.name_en ?? null;
}
export function projectName(p) {
  if (state.lang === 'en' && p.name_en) return p.name_en;
  return p.name_zh;
}
function actionInfo(n) {
  return state.meta?.actions?.find((a) => Number(a.n) === Number(n)) || null;
}
export function taskInfo(n) {
  return state.meta?.tasks?.find((a) => Number(a.n) === Number(n)) || null;
}
const CN_NUM = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
export function actionLabel(n) {
  const a = actionInfo(n);
  const name = localName(a);
  const num = state.lang === 'zh' ? (CN_NUM[n] || n) : n;
  return name ? tr('action.label', { n: num, name }) : tr('action.n', { n: num });
}
export function taskLabel(n) {
  const tk = taskInfo(n);
  const name = localName(tk);
  return name ? tr('task.label', { n, name }) : tr('task.n', { n });
}

export function activeFilterText() {
  const parts = [];
  const allStatus = [...STATUS_KEYS, NULL_KEY].every((k) => state.statusSel.has(k));
  if (!allStatus) parts.push([...state.statusSel].map((k) => tr(`status.${k}`)).join('/'));
  if (state.action) parts.push(state.action === NULL_KEY ? tr('unknown') : actionLabel(state.action));
  if (state.town) parts.push(state.town === NULL_KEY ? tr('unknown') : townName(state.town));
  if (state.island) parts.push(state.island);
  if (state.kind) parts.push(kindName(state.kind));
  if (state.lateOnly) parts.push(tr('filter.late'));
  if (state.q) parts.push(`“${state.q}”`);
  return parts.join('，');
}
