// The month slider (months 2024-01 … 2027-12): which month the page shows the plan as of, its
// label, and the as-of line printed under the map.

import { clampMonth } from './format.js';
import { $ } from './dom.js';
import { MONTHS, state, tr, today, asOfDate } from './state.js';
import { activeFilterText } from './labels.js';

/** Calls `setMonth('YYYY-MM')` as the slider moves (debounced), `setMonth(null)` for "now". */
export function wireMonthSlider(setMonth) {
  let sliderTimer = null;
  $('time-slider').addEventListener('input', (e) => {
    const m = MONTHS[Number(e.target.value)];
    const [y, mo] = m.split('-');
    $('asof-label').textContent = tr('time.asof', { y, m: state.lang === 'zh' ? String(Number(mo)) : mo });
    clearTimeout(sliderTimer);
    sliderTimer = setTimeout(() => setMonth(m), 60);
  });
  $('time-now').addEventListener('click', () => setMonth(null));
}

export function renderTimeLabel() {
  const lab = $('asof-label');
  if (!lab) return;
  const slider = $('time-slider');
  if (state.month) {
    const [y, m] = state.month.split('-');
    lab.textContent = tr('time.asof', { y, m: state.lang === 'zh' ? String(Number(m)) : m });
    slider.value = String(MONTHS.indexOf(state.month));
    $('time-source').textContent = tr(state.asOfSource === 'server' ? 'time.source.history' : 'time.source.dates');
  } else {
    lab.textContent = tr('time.live', { d: today() });
    slider.value = String(Math.max(0, MONTHS.indexOf(clampMonth(today().slice(0, 7)))));
    $('time-source').textContent = '';
  }
  slider.setAttribute('aria-valuetext', lab.textContent);
  $('time-now').disabled = !state.month;
  const pm = $('print-meta');
  if (pm) {
    const parts = [tr('print.asof', { d: asOfDate() }), tr('print.printed', { d: today() })];
    const f = activeFilterText();
    if (f) parts.push(tr('print.filters', { list: f }));
    pm.textContent = parts.join('    ');
  }
}
