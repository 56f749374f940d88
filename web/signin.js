// Sign-in page: POST /api/session, then go where the user was going.
// The session cookie is HttpOnly: this script never sees it.

const form = document.getElementById('signin-form');
const errorBox = document.getElementById('signin-error');

// Only same-site relative paths, so a crafted link cannot send a planner elsewhere after sign-in.
function nextUrl() {
  const next = new URLSearchParams(location.search).get('next') || 'edit.html';
  return /^\/?[A-Za-z0-9_\-./?=&%]*$/.test(next) && !next.startsWith('//') ? next : 'edit.html';
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  errorBox.hidden = true;
  const body = { name: form.name.value.trim(), password: form.password.value };
  let res;
  try {
    res = await fetch('api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  } catch (e) {
    errorBox.textContent = `无法连接服务器 / Cannot reach the server: ${e.message}`;
    errorBox.hidden = false;
    return;
  }
  if (res.ok) {
    location.href = nextUrl();
    return;
  }
  const p = await res.json().catch(() => ({}));
  errorBox.textContent = res.status === 429
    ? `登录失败次数过多，请稍后再试 / ${p.detail || 'Too many failed sign-ins'}`
    : `用户名或密码错误 / ${p.detail || 'Sign-in failed'}`;
  errorBox.hidden = false;
});
