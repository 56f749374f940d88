// Sign-in page: POST /api/session, then go where the user was going.
// The session cookie is HttpOnly: this script never sees it.

import { tr, applyStatic, wireSwitch } from './page-lang.js';

const form = document.getElementById('signin-form');
const errorBox = document.getElementById('signin-error');
// The last error as a key and its detail, so a language switch redraws it.
let lastError = null;

function showError() {
  if (!lastError) { errorBox.hidden = true; return; }
  const [key, vars, detail] = lastError;
  errorBox.textContent = detail ? `${tr(key, vars)} (${detail})` : tr(key, vars);
  errorBox.hidden = false;
}

applyStatic(document, 'signin.page_title');
wireSwitch(document.getElementById('lang-btn'), () => { applyStatic(document, 'signin.page_title'); showError(); });

// Only same-site relative paths, so a crafted link cannot send a planner elsewhere after sign-in.
function nextUrl() {
  const next = new URLSearchParams(location.search).get('next') || 'edit.html';
  return /^\/?[A-Za-z0-9_\-./?=&%]*$/.test(next) && !next.startsWith('//') ? next : 'edit.html';
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  lastError = null;
  showError();
  const body = { name: form.name.value.trim(), password: form.password.value };
  let res;
  try {
    res = await fetch('api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  } catch (e) {
    lastError = ['signin.unreachable', { msg: e.message }, null];
    showError();
    return;
  }
  if (res.ok) {
    location.href = nextUrl();
    return;
  }
  await res.json().catch(() => ({}));
  lastError = [res.status === 429 ? 'signin.too_many' : 'signin.failed', null, null];
  showError();
});
