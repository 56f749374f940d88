// The page's one way to ask the server: JSON GETs relative to the page, and an Error carrying
// the HTTP status and the problem's detail when the answer is not 2xx.

export function apiUrl(path, params) {
  const u = new URL(path, document.baseURI);
  if (params) u.search = params.toString();
  return u;
}
export async function getJSON(path, params, signal) {
  const res = await fetch(apiUrl(path, params), { headers: { Accept: 'application/json' }, signal });
  if (!res.ok) {
    let detail = '';
    try { const p = await res.json(); detail = p.detail || p.title || ''; } catch (_) { /* not json */ }
    const err = new Error(`HTTP ${res.status}${detail ? ' ' + detail : ''}`);
    err.status = res.status;
    throw err;
  }
  return res.json();
}
