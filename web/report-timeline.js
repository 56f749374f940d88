// The project drawer's timeline of monthly reports (GET /api/projects/{id}/reports), newest
// month first: state, this month's and the year's investment, progress, problems, and the
// reason when a report was returned. Reports are for signed-in users; signed out, the drawer
// says so instead of showing an empty list. (Photos join each entry once the photo route exists.)

import { el } from './dom.js';
import { formatMoney } from './format.js';
import { send, sessionUser } from './reports-api.js';

/** Fills `ol` for project `id`; `current()` tells whether the drawer still shows that project. */
export async function renderReportTimeline(ol, id, { tr, lang, current }) {
  ol.replaceChildren(el('li', { class: 'muted', text: tr('count.loading') }));
  let r;
  try {
    r = (await sessionUser()) ? await send('GET', `api/projects/${encodeURIComponent(id)}/reports`) : { ok: false, status: 401 };
  } catch (_) {
    r = { ok: false, status: 0 };
  }
  if (!current()) return;
  if (r.status === 401) { ol.replaceChildren(el('li', { class: 'muted', text: tr('details.reports.signin') })); return; }
  if (!r.ok) { ol.replaceChildren(el('li', { class: 'muted', text: tr('details.reports.error') })); return; }
  const reports = [...(r.data.reports || [])].sort((a, b) => String(b.period).localeCompare(String(a.period)));
  if (!reports.length) { ol.replaceChildren(el('li', { class: 'muted', text: tr('details.reports.empty') })); return; }
  const money = (v) => (v == null ? tr('unknown') : formatMoney(String(v), lang, tr) ?? String(v));
  ol.replaceChildren(...reports.map((x) => el('li', { class: 'tl-item tl-report', 'data-period': x.period, 'data-state': x.state },
    el('span', { class: 'tl-time' }, x.period, ' ', el('span', { class: `rstate rstate-${x.state}`, text: tr(`report.state.${x.state}`) })),
    el('span', { class: 'tl-what', text: tr('details.reports.line', { m: money(x.investment_month), y: money(x.investment_year_to_date) })
      + (x.progress_pct != null ? ` · ${tr('details.reports.progress', { v: x.progress_pct })}` : '') }),
    x.progress_text ? el('span', { class: 'tl-comment', text: x.progress_text }) : null,
    x.problems ? el('span', { class: 'tl-comment', text: tr('details.reports.problems', { t: x.problems }) }) : null,
    x.state === 'returned' && x.return_reason ? el('span', { class: 'tl-comment tl-returned', text: tr('details.reports.reason', { r: x.return_reason }) }) : null,
    el('span', { class: 'tl-comment muted', text: tr('details.reports.by', { a: x.reporter || tr('unknown') }) }))));
}
