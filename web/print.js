// Print and PNG: the map as a PNG with title, as-of date, filters, status legend and scale, and
// the print buttons and hooks (the printed map shows the filtered projects).

import { $ } from './dom.js';
import { STATUS_KEYS, NULL_KEY, STATUS_COLORS } from './map-style.js';
import { boundsOf } from './geometry.js';
import { map } from './map.js';
import { state, tr, asOfDate } from './state.js';
import { activeFilterText } from './labels.js';
import { renderTimeLabel } from './month-slider.js';

/** The map as a PNG with title, date, status legend and scale, drawn on a 2D canvas. */
export async function mapPng() {
  await new Promise((res) => { map.once('render', res); map.triggerRepaint(); });
  const src = map.getCanvas();
  const dpr = src.width / src.clientWidth;
  const head = Math.round(56 * dpr);
  const out = document.createElement('canvas');
  out.width = src.width;
  out.height = src.height + head;
  const g = out.getContext('2d');
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, out.width, head);
  g.drawImage(src, 0, head);
  const font = getComputedStyle(document.body).fontFamily;
  g.fillStyle = '#1d2a33';
  g.font = `bold ${Math.round(18 * dpr)}px ${font}`;
  g.fillText(tr('app.title'), 12 * dpr, 24 * dpr);
  g.font = `${Math.round(12 * dpr)}px ${font}`;
  g.fillStyle = '#5d6b75';
  const f = activeFilterText();
  g.fillText([tr('print.asof', { d: asOfDate() }), f ? tr('print.filters', { list: f }) : ''].filter(Boolean).join('   '), 12 * dpr, 44 * dpr);
  // Legend along the top right.
  let x = out.width - 12 * dpr;
  g.textAlign = 'right';
  for (const k of [NULL_KEY, ...STATUS_KEYS].reverse()) {
    const label = tr(`status.${k}`);
    g.fillStyle = '#1d2a33';
    g.fillText(label, x, 24 * dpr);
    x -= g.measureText(label).width + 14 * dpr;
    g.fillStyle = STATUS_COLORS[k];
    g.beginPath();
    g.arc(x + 7 * dpr, 20 * dpr, 5 * dpr, 0, Math.PI * 2);
    g.fill();
    x -= 8 * dpr;
  }
  // Scale bar text as MapLibre shows it.
  const scale = document.querySelector('.maplibregl-ctrl-scale');
  drawCredits(g, out, dpr, font, scale ? scale.getBoundingClientRect().width * dpr + 40 * dpr : 0);
  if (scale) {
    const w = scale.getBoundingClientRect().width * dpr;
    const y = out.height - 14 * dpr;
    g.fillStyle = 'rgba(255,255,255,0.85)';
    g.fillRect(out.width - w - 24 * dpr, y - 16 * dpr, w + 16 * dpr, 22 * dpr);
    g.strokeStyle = '#333';
    g.lineWidth = 2 * dpr;
    g.beginPath();
    g.moveTo(out.width - w - 16 * dpr, y - 10 * dpr);
    g.lineTo(out.width - w - 16 * dpr, y);
    g.lineTo(out.width - 16 * dpr, y);
    g.lineTo(out.width - 16 * dpr, y - 10 * dpr);
    g.stroke();
    g.fillStyle = '#333';
    g.textAlign = 'center';
    g.fillText(scale.textContent, out.width - 16 * dpr - w / 2, y - 3 * dpr);
  }
  return new Promise((res) => out.toBlob(res, 'image/png'));
}
/**
 * The credits as the map shows them (the basemap's, the outline's, MapLibre's) along the bottom
 * left, and the basemap's offset warning above them when it is on: a PNG must carry both.
 */
function drawCredits(g, out, dpr, font, rightSpace) {
  const box = map.getContainer();
  const attrib = box.querySelector('.maplibregl-ctrl-attrib-inner');
  const warning = box.querySelector('.basemap-warning:not([hidden])');
  const lines = [warning && warning.textContent, attrib && attrib.textContent.replace(/\s+/g, ' ').trim()].filter(Boolean);
  if (!lines.length) return;
  g.save();
  g.font = `${Math.round(11 * dpr)}px ${font}`;
  g.textAlign = 'left';
  const maxW = out.width - rightSpace - 24 * dpr;
  const fit = (t) => {
    let s = t;
    while (s.length > 1 && g.measureText(s).width > maxW) s = s.slice(0, -2);
    return s === t ? t : `${s}…`;
  };
  const lh = 16 * dpr;
  lines.forEach((t, i) => {
    const text = fit(t);
    const y = out.height - 8 * dpr - (lines.length - 1 - i) * lh;
    const w = g.measureText(text).width;
    g.fillStyle = i === 0 && warning ? 'rgba(255,244,214,0.95)' : 'rgba(255,255,255,0.85)';
    g.fillRect(8 * dpr, y - 12 * dpr, w + 8 * dpr, lh);
    g.fillStyle = i === 0 && warning ? '#6b4a00' : '#333';
    g.fillText(text, 12 * dpr, y);
  });
  g.restore();
}

async function downloadPng() {
  const blob = await mapPng();
  if (!blob) return;
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `planmap-${asOfDate()}.png`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

export function wirePrint() {
  $('print-btn').addEventListener('click', () => window.print());
  $('png-btn').addEventListener('click', () => downloadPng());
  // Print: the map box changes size; show the filtered projects (or the district) in it, and put
  // the screen view back afterwards.
  let screenView = null;
  window.addEventListener('beforeprint', () => {
    renderTimeLabel();
    screenView = { center: map.getCenter(), zoom: map.getZoom() };
    map.resize();
    const b = boundsOf(state.features) || state.districtBounds;
    if (b) map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 30, maxZoom: 13, duration: 0 });
  });
  window.addEventListener('afterprint', () => {
    map.resize();
    if (screenView) map.jumpTo(screenView);
    screenView = null;
  });
}
