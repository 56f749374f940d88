// The selected and the hovered project, shown on the map and in the project table together.

import { showSelected, showHovered } from './map.js';
import { state } from './state.js';

export function setSelection(id) {
  const v = id || '';
  if (!showSelected(v)) return;
  document.querySelectorAll('.proj-item').forEach((b) => {
    if (b.dataset.id === v) b.setAttribute('aria-current', 'true'); else b.removeAttribute('aria-current');
  });
}

export function setHover(id, from) {
  if (state.hoverId === id) return;
  state.hoverId = id;
  showHovered(id || '');
  document.querySelectorAll('.proj-item.hover').forEach((r) => r.classList.remove('hover'));
  if (id) {
    const row = document.querySelector(`.proj-item[data-id="${CSS.escape(id)}"]`);
    if (row) {
      row.classList.add('hover');
      if (from === 'map' && state.tab === 'projects') row.scrollIntoView({ block: 'nearest' });
    }
  }
}
