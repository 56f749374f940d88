// The language of the editing and sign-in pages: the same choice as the map page (its
// localStorage key and ?lang=), the same table (i18n.js), one language at a time.

import { t, STRINGS, HTML_LANG } from './i18n.js';

const LS_KEY = 'planmap.lang'; // the map page's key (state.js), so the choice follows the planner

export const lang = { current: initialLang() };

function initialLang() {
  const q = new URLSearchParams(location.search).get('lang');
  if (q && STRINGS[q]) { storeLang(q); return q; }
  try {
    const s = localStorage.getItem(LS_KEY);
    if (s && STRINGS[s]) return s;
  } catch (_) { /* storage may be disabled */ }
  return 'zh';
}

function storeLang(l) {
  try { localStorage.setItem(LS_KEY, l); } catch (_) { /* ignore */ }
}

export const tr = (key, vars) => t(lang.current, key, vars);

/** Fills every data-i18n / data-i18n-aria / data-i18n-placeholder / data-i18n-title node under `root`. */
export function applyStatic(root = document, titleKey = null) {
  document.documentElement.lang = HTML_LANG[lang.current] || lang.current;
  if (titleKey) document.title = tr(titleKey);
  root.querySelectorAll('[data-i18n]').forEach((n) => { n.textContent = tr(n.dataset.i18n); });
  root.querySelectorAll('[data-i18n-aria]').forEach((n) => n.setAttribute('aria-label', tr(n.dataset.i18nAria)));
  root.querySelectorAll('[data-i18n-placeholder]').forEach((n) => n.setAttribute('placeholder', tr(n.dataset.i18nPlaceholder)));
  root.querySelectorAll('[data-i18n-title]').forEach((n) => n.setAttribute('title', tr(n.dataset.i18nTitle)));
}

/** Wires the switch button `btn` (zh ⇄ en); `onChange` re-renders what is not static. */
export function wireSwitch(btn, onChange) {
  const label = () => {
    btn.textContent = tr('lang.switch');
    btn.setAttribute('aria-label', tr('lang.switch.aria'));
    btn.setAttribute('lang', lang.current === 'zh' ? 'en' : 'zh-CN');
  };
  label();
  btn.addEventListener('click', () => {
    lang.current = lang.current === 'zh' ? 'en' : 'zh';
    storeLang(lang.current);
    label();
    onChange(lang.current);
  });
}
