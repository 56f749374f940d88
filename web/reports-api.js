// Requests of the monthly-report screens (the 月报 page, the 进度 tab, the drawer's timeline):
// JSON in and out, `If-Match` with the report's version for the workflow steps, and the
// answer kept whole (status, problem+json body) so each screen can show a field's error on it.

/** `{ ok, status, data }`; `version` sends `If-Match: "version"`. Network failures throw. */
export async function send(method, path, { body, version } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (version != null) headers['If-Match'] = `"${version}"`;
  const res = await fetch(new URL(path, document.baseURI), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  let data = null;
  try { data = await res.json(); } catch (_) { /* 204 or not JSON */ }
  return { ok: res.ok, status: res.status, data };
}

/** The problem's one-line text: its detail, else its title, else the status. */
export function problemText(r) {
  return (r.data && (r.data.detail || r.data.title)) || `HTTP ${r.status}`;
}

/** The month reports are written for by default: the one just ended (as the server's /api/reports/due). */
export function lastMonth(now = new Date()) {
  // District time is UTC+8 without daylight saving.
  const local = new Date(now.getTime() + 8 * 3600 * 1000);
  let y = local.getUTCFullYear();
  let m = local.getUTCMonth(); // 0-based: this is already last month's 1-based number
  if (m === 0) { y -= 1; m = 12; }
  return `${y}-${String(m).padStart(2, '0')}`;
}

/** This month in district time, YYYY-MM (the latest month a report may be written for). */
export function thisMonth(now = new Date()) {
  const local = new Date(now.getTime() + 8 * 3600 * 1000);
  return `${local.getUTCFullYear()}-${String(local.getUTCMonth() + 1).padStart(2, '0')}`;
}

export const REPORT_FIELDS = ['investment_month', 'investment_year_to_date', 'investment_to_date', 'progress_pct', 'progress_text', 'problems', 'next_steps'];
export const MONEY_FIELDS = ['investment_month', 'investment_year_to_date', 'investment_to_date'];

let session = null;
/**
 * The signed-in user or null, asked once per page: report data needs a session, and asking for
 * it signed out would only log a 401 in the console.
 */
export function sessionUser() {
  if (!session) {
    session = send('GET', 'api/session').then((r) => (r.ok && r.data && r.data.user) || null, () => null);
  }
  return session;
}

/** An RFC 3339 time as the district reads it: `YYYY-MM-DD HH:MM` in UTC+8. */
export function districtTime(text) {
  const t = Date.parse(text);
  if (!Number.isFinite(t)) return text ? String(text) : '';
  return new Date(t + 8 * 3600 * 1000).toISOString().slice(0, 16).replace('T', ' ');
}
