// The 月报 page (report.html): a unit's planner sees the projects their units must report for a
// month (GET /api/reports/due), fills one form per project, saves a draft and submits it; a
// reviewer (the plan office) also gets the queue of submitted reports to approve or return with
// a reason. Every write sends If-Match with the report's version; the server's field errors
// (problem+json `errors[]`) are shown on the field they name. Money is sent as the decimal text
// typed (万元), never through a binary float.
//
// Security: server text goes into the page as text nodes only (dom.js `el`).

import { t, STRINGS, HTML_LANG } from './i18n.js';
import { el } from './dom.js';
import { formatMoney } from './format.js';
import { send, problemText, lastMonth, thisMonth, districtTime, REPORT_FIELDS, MONEY_FIELDS } from './reports-api.js';

const LS_KEY = 'planmap.lang';
const $ = (id) => document.getElementById(id);

const state = {
  lang: initialLang(),
  user: null,
  units: [],
  period: null,
  due: [], // ListItem: { project_id, project_name, responsible_units, state, report? }
  queue: [],
  open: new Set(), // project ids whose form is open
  notes: new Map(), // project id -> { text, kind } shown under the form
};

function initialLang() {
  const q = new URLSearchParams(location.search).get('lang');
  if (q && STRINGS[q]) return q;
  try {
    const s = localStorage.getItem(LS_KEY);
    if (s && STRINGS[s]) return s;
  } catch (_) { /* storage may be disabled */ }
  return 'zh';
}
const tr = (key, vars) => t(state.lang, key, vars);
const isReviewer = () => ['reviewer', 'admin'].includes(state.user?.role);
const canReport = () => ['planner', 'reviewer', 'admin'].includes(state.user?.role);
const periodLabel = (p) => {
  const [y, m] = p.split('-');
  return state.lang === 'zh' ? `${y}年${Number(m)}月` : `${y}-${m}`;
};
const money = (v) => (v == null ? tr('unknown') : formatMoney(String(v), state.lang, tr) ?? String(v));

function setStatus(text, kind) {
  const s = $('rp-status');
  s.textContent = text || '';
  s.className = `rp-status${kind ? ' ' + kind : ''}`;
}

// ---------------------------------------------------------------- loading
async function start() {
  const u = new URLSearchParams(location.search);
  const session = await send('GET', 'api/session');
  state.user = session.data && session.data.user;
  if (!state.user) {
    location.href = `signin.html?next=${encodeURIComponent('report.html' + location.search)}`;
    return;
  }
  const units = await send('GET', `api/users/${encodeURIComponent(state.user.name)}/units`);
  state.units = units.ok && Array.isArray(units.data.units) ? units.data.units : [];
  const asked = u.get('period');
  state.period = asked && /^\d{4}-(0[1-9]|1[0-2])$/.test(asked) ? asked : lastMonth();
  const input = $('rp-period');
  input.max = thisMonth();
  input.value = state.period;
  input.addEventListener('change', () => {
    if (!/^\d{4}-\d\d$/.test(input.value)) return;
    state.period = input.value;
    state.open.clear();
    state.notes.clear();
    const url = new URL(location.href);
    url.searchParams.set('period', state.period);
    history.replaceState(null, '', url);
    load();
  });
  $('rp-lang').addEventListener('click', () => {
    state.lang = state.lang === 'zh' ? 'en' : 'zh';
    try { localStorage.setItem(LS_KEY, state.lang); } catch (_) { /* ignore */ }
    render();
  });
  $('rp-signout').addEventListener('click', async () => {
    await send('DELETE', 'api/session');
    location.href = 'signin.html?next=report.html';
  });
  await load();
}

async function load() {
  const shown = $('rp-status').textContent;
  if (!shown) setStatus(tr('rp.loading'));
  const p = encodeURIComponent(state.period);
  const [due, queue] = await Promise.all([
    canReport() ? send('GET', `api/reports/due?period=${p}`) : Promise.resolve(null),
    isReviewer() ? send('GET', `api/reports?period=${p}&state=submitted`) : Promise.resolve(null),
  ]);
  for (const r of [due, queue]) {
    if (r && !r.ok) { setStatus(tr('rp.error', { msg: problemText(r) }), 'error'); return; }
  }
  state.due = due ? due.data.items : [];
  state.queue = queue ? queue.data.items : [];
  if (!shown) setStatus('');
  render();
}

// ---------------------------------------------------------------- rendering
function applyStaticStrings() {
  document.documentElement.lang = HTML_LANG[state.lang] || state.lang;
  document.title = tr('rp.title');
  document.querySelectorAll('[data-i18n]').forEach((n) => { n.textContent = tr(n.dataset.i18n); });
  $('rp-user').textContent = tr('rp.user', { name: state.user.name, role: tr(`rp.role.${state.user.role}`) });
  $('rp-units').textContent = state.units.length ? tr('rp.units', { list: state.units.join('、') }) : tr('rp.units.all');
}

function render() {
  if (!state.user) return;
  applyStaticStrings();
  renderQueue();
  renderDue();
  window.planmapReport.rendered += 1;
}

function renderDue() {
  const sec = $('rp-due-sec');
  const box = $('rp-due');
  $('rp-due-h').textContent = tr('rp.due', { p: periodLabel(state.period) });
  if (!canReport()) {
    $('rp-due-summary').textContent = tr('rp.viewer');
    box.replaceChildren();
    return;
  }
  sec.hidden = false;
  const n = (s) => state.due.filter((i) => i.state === s).length;
  $('rp-due-summary').textContent = state.due.length
    ? tr('rp.due.summary', { n: state.due.length, m: n('missing'), d: n('draft'), s: n('submitted'), a: n('approved'), r: n('returned') })
    : tr('rp.due.none');
  box.replaceChildren(...state.due.map(dueItem));
}

function badge(s) {
  return el('span', { class: `badge badge-${s}`, 'data-state': s, text: tr(`report.state.${s}`) });
}

function dueItem(item) {
  const id = item.project_id;
  const open = state.open.has(id);
  const editable = !item.report || ['draft', 'returned'].includes(item.report.state);
  const toggle = el('button', {
    type: 'button', class: 'btn rp-toggle', 'aria-expanded': String(open), 'aria-controls': `rp-form-${id}`,
    text: open ? tr('rp.close') : tr(editable ? 'rp.open' : 'rp.view'),
  });
  toggle.addEventListener('click', () => {
    if (state.open.has(id)) state.open.delete(id); else state.open.add(id);
    renderDue();
    if (state.open.has(id)) document.querySelector(`#rp-form-${CSS.escape(id)} input, #rp-form-${CSS.escape(id)} textarea`)?.focus();
  });
  return el('article', { class: 'rp-item', 'data-project': id, 'data-state': item.state },
    el('div', { class: 'rp-item-head' },
      el('span', { class: 'rp-name', text: item.project_name }),
      el('span', { class: 'rp-units', text: (item.responsible_units || []).join('、') }),
      badge(item.state),
      toggle),
    open ? reportForm(item, editable) : null);
}

const TEXT_FIELDS = ['progress_text', 'problems', 'next_steps'];
const REQUIRED = ['investment_month', 'investment_year_to_date'];

function reportForm(item, editable) {
  const id = item.project_id;
  const r = item.report;
  const fields = REPORT_FIELDS.map((f) => {
    const inputId = `rp-${id}-${f}`;
    const errId = `${inputId}-err`;
    const value = r && r[f] != null ? String(r[f]) : '';
    const input = TEXT_FIELDS.includes(f)
      ? el('textarea', { id: inputId, name: f, maxlength: '2000', 'aria-describedby': errId })
      : el('input', {
        id: inputId, name: f, type: 'text', autocomplete: 'off',
        inputmode: MONEY_FIELDS.includes(f) ? 'decimal' : 'numeric', 'aria-describedby': errId,
        'aria-required': REQUIRED.includes(f) ? 'true' : null,
      });
    input.value = value;
    const hint = f === 'investment_to_date' ? el('span', { class: 'hint', text: tr('rp.f.investment_to_date.hint') }) : null;
    return el('div', { class: `rp-field${TEXT_FIELDS.includes(f) ? ' wide' : ''}`, 'data-field': f },
      el('label', { for: inputId }, tr(`rp.f.${f}`), REQUIRED.includes(f) ? el('span', { class: 'req', text: tr('rp.f.required') }) : null),
      input, hint,
      el('p', { class: 'rp-err', id: errId, hidden: true }));
  });
  const note = state.notes.get(id);
  const form = el('form', { class: 'rp-form', id: `rp-form-${id}`, novalidate: true },
    r && r.state === 'returned' && r.return_reason ? el('p', { class: 'rp-note returned', text: tr('rp.returned', { r: r.return_reason }) }) : null,
    !editable ? el('p', { class: 'rp-note locked', text: tr(r.state === 'approved' ? 'rp.locked.approved' : 'rp.locked.submitted') }) : null,
    el('fieldset', { disabled: !editable }, ...fields),
    editable ? el('div', { class: 'rp-actions' },
      el('button', { type: 'button', class: 'btn rp-save', text: tr('rp.save') }),
      el('button', { type: 'submit', class: 'btn btn-primary rp-submit', text: tr('rp.submit') }),
      el('p', { class: `rp-msg${note ? ' ' + note.kind : ''}`, role: 'status', text: note ? note.text : '' })) : null);
  if (editable) {
    form.querySelector('.rp-save').addEventListener('click', () => save(item, form, false));
    form.addEventListener('submit', (ev) => { ev.preventDefault(); save(item, form, true); });
  }
  return form;
}

/** The request body from the form: text as typed (trimmed), empty fields left out. */
function formBody(form) {
  const body = {};
  for (const f of REPORT_FIELDS) {
    const v = form.elements[f].value.trim();
    if (v === '') continue;
    // progress_pct is a number on the wire; anything unparsable goes as typed so the server names it.
    body[f] = f === 'progress_pct' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  }
  return body;
}

function clearErrors(form) {
  form.querySelectorAll('[aria-invalid]').forEach((n) => n.removeAttribute('aria-invalid'));
  form.querySelectorAll('.rp-err').forEach((n) => { n.textContent = ''; n.hidden = true; });
}

/** Puts each of the problem's field errors on its field; returns the errors no field took. */
function showFieldErrors(form, r) {
  const left = [];
  let first = null;
  for (const e of (r.data && r.data.errors) || []) {
    const input = form.elements[e.field];
    if (!input || !input.id) { left.push(`${e.field}: ${e.reason}`); continue; }
    input.setAttribute('aria-invalid', 'true');
    const p = $(`${input.id}-err`);
    p.textContent = p.textContent ? `${p.textContent}；${e.reason}` : e.reason;
    p.hidden = false;
    first = first || input;
  }
  if (first) first.focus();
  return { placed: !!first, left };
}

function note(item, text, kind) {
  state.notes.set(item.project_id, { text, kind });
}

async function save(item, form, andSubmit) {
  clearErrors(form);
  form.querySelectorAll('button').forEach((b) => { b.disabled = true; });
  const body = formBody(form);
  let r;
  if (!item.report) {
    r = await send('POST', `api/projects/${encodeURIComponent(item.project_id)}/reports`, { body: { period: state.period, ...body } });
  } else {
    r = await send('PUT', `api/reports/${item.report.id}`, { body, version: item.report.version });
  }
  if (r.ok && andSubmit) {
    item.report = r.data;
    item.state = r.data.state;
    r = await send('POST', `api/reports/${item.report.id}/submit`, { version: item.report.version });
  }
  if (r.ok) {
    item.report = r.data;
    item.state = r.data.state;
    note(item, andSubmit ? tr('rp.submitted') : tr('rp.saved', { v: r.data.version }), 'ok');
    setStatus(`${item.project_name}：${andSubmit ? tr('rp.submitted') : tr('rp.saved', { v: r.data.version })}`, 'ok');
    if (andSubmit) state.open.delete(item.project_id);
    if (isReviewer()) await load(); else render();
    return;
  }
  if (r.status === 412) {
    note(item, tr('rp.conflict'), 'error');
    await load();
    return;
  }
  form.querySelectorAll('button').forEach((b) => { b.disabled = false; });
  const { placed, left } = showFieldErrors(form, r);
  const msg = form.querySelector('.rp-msg');
  msg.className = 'rp-msg error';
  msg.textContent = placed && !left.length ? tr('rp.error.fields') : tr('rp.error', { msg: left.length ? left.join('；') : problemText(r) });
  if (!placed) msg.setAttribute('role', 'alert');
}

// ---------------------------------------------------------------- the reviewers' queue
function renderQueue() {
  const sec = $('rp-queue-sec');
  sec.hidden = !isReviewer();
  if (!isReviewer()) return;
  $('rp-queue-h').textContent = tr('rp.queue', { p: periodLabel(state.period), n: state.queue.length });
  const box = $('rp-queue');
  if (!state.queue.length) {
    box.replaceChildren(el('p', { class: 'muted', text: tr('rp.queue.none') }));
    return;
  }
  box.replaceChildren(...state.queue.map(queueItem));
}

function queueItem(item) {
  const r = item.report;
  const reasonId = `rq-${r.id}-reason`;
  const reason = el('textarea', { id: reasonId, name: 'reason', maxlength: '2000', 'aria-describedby': `${reasonId}-err` });
  const fig = (key, value) => el('div', null, el('dt', { text: tr(`rp.f.${key}`) }), el('dd', { 'data-fig': key, text: value }));
  const approve = el('button', { type: 'button', class: 'btn btn-primary rq-approve', text: tr('rp.approve') });
  const ret = el('button', { type: 'button', class: 'btn btn-danger rq-return', text: tr('rp.return') });
  const msg = el('p', { class: 'rp-msg', role: 'status' });
  const art = el('article', { class: 'rq-item', 'data-report': String(r.id), 'data-project': item.project_id },
    el('h3', { text: item.project_name }),
    el('p', { class: 'rq-meta muted', text: tr('rp.queue.meta', {
      units: (item.responsible_units || []).join('、'), who: r.submitted_by || r.reporter || tr('unknown'),
      at: districtTime(r.submitted_at),
    }) }),
    el('dl', { class: 'rq-figs' },
      fig('investment_month', money(r.investment_month)),
      fig('investment_year_to_date', money(r.investment_year_to_date)),
      fig('investment_to_date', r.investment_to_date == null ? '—' : money(r.investment_to_date)),
      fig('progress_pct', r.progress_pct == null ? tr('unknown') : `${r.progress_pct}%`)),
    ...TEXT_FIELDS.filter((f) => r[f]).map((f) => el('p', { class: 'rq-text' }, el('span', { class: 'muted', text: `${tr(`rp.f.${f}`)}：` }), r[f])),
    el('div', { class: 'rq-actions' },
      approve,
      el('div', { class: 'rq-reason' },
        el('label', { for: reasonId, text: tr('rp.return.reason') }), reason,
        el('p', { class: 'rp-err', id: `${reasonId}-err`, hidden: true })),
      ret),
    msg);
  const act = async (what) => {
    approve.disabled = true;
    ret.disabled = true;
    reason.removeAttribute('aria-invalid');
    $(`${reasonId}-err`).hidden = true;
    const res = what === 'approve'
      ? await send('POST', `api/reports/${r.id}/approve`, { version: r.version })
      : await send('POST', `api/reports/${r.id}/return`, { body: { reason: reason.value }, version: r.version });
    if (res.ok) {
      setStatus(tr(what === 'approve' ? 'rp.approved' : 'rp.returned.done', { name: item.project_name }), 'ok');
      await load();
      return;
    }
    if (res.status === 412) {
      setStatus(tr('rp.conflict'), 'error');
      await load();
      return;
    }
    approve.disabled = false;
    ret.disabled = false;
    const err = ((res.data && res.data.errors) || []).find((e) => e.field === 'reason');
    if (err) {
      reason.setAttribute('aria-invalid', 'true');
      const p = $(`${reasonId}-err`);
      p.textContent = err.reason;
      p.hidden = false;
      reason.focus();
    } else {
      msg.className = 'rp-msg error';
      msg.textContent = tr('rp.error', { msg: problemText(res) });
    }
  };
  approve.addEventListener('click', () => act('approve'));
  ret.addEventListener('click', () => act('return'));
  return art;
}

// Test and automation hook: `ready` settles once the first render is done.
window.planmapReport = { state, rendered: 0, ready: null };
window.planmapReport.ready = start().catch((e) => setStatus(tr('rp.error', { msg: e.message || String(e) }), 'error'));
