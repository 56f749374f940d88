// Plain planar geometry on GeoJSON coordinates (lon/lat degrees): where to hang a label, which
// polygon to draw on top, and the bounds to fit. Only for drawing; measurements are the server's.

function ringArea(r) {
  let a = 0;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) a += (r[j][0] * r[i][1]) - (r[i][0] * r[j][1]);
  return a / 2;
}
function ringCentroid(r) {
  let a = 0; let x = 0; let y = 0;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
    const f = (r[j][0] * r[i][1]) - (r[i][0] * r[j][1]);
    a += f; x += (r[j][0] + r[i][0]) * f; y += (r[j][1] + r[i][1]) * f;
  }
  if (Math.abs(a) < 1e-14) return r[0];
  return [x / (3 * a), y / (3 * a)];
}
function lineLength(l) {
  let d = 0;
  for (let i = 1; i < l.length; i++) d += Math.hypot(l[i][0] - l[i - 1][0], l[i][1] - l[i - 1][1]);
  return d;
}
function lineMidpoint(l) {
  const half = lineLength(l) / 2;
  let d = 0;
  for (let i = 1; i < l.length; i++) {
    const s = Math.hypot(l[i][0] - l[i - 1][0], l[i][1] - l[i - 1][1]);
    if (d + s >= half && s > 0) {
      const f = (half - d) / s;
      return [l[i - 1][0] + f * (l[i][0] - l[i - 1][0]), l[i - 1][1] + f * (l[i][1] - l[i - 1][1])];
    }
    d += s;
  }
  return l[0];
}
/** A point to hang the label on (and to fly to). */
export function labelPoint(g) {
  if (!g || !g.coordinates) return null;
  const c = g.coordinates;
  switch (g.type) {
    case 'Point': return c;
    case 'MultiPoint': return c[0] || null;
    case 'LineString': return lineMidpoint(c);
    case 'MultiLineString': return lineMidpoint(c.reduce((a, b) => (lineLength(b) > lineLength(a) ? b : a), c[0] || []));
    case 'Polygon': return ringCentroid(c[0]);
    case 'MultiPolygon': {
      const big = c.reduce((a, b) => (Math.abs(ringArea(b[0])) > Math.abs(ringArea(a[0])) ? b : a), c[0]);
      return big ? ringCentroid(big[0]) : null;
    }
    default: return null;
  }
}
/** Planar area in square degrees (only used to draw small polygons above big ones). */
export function geomArea(g) {
  if (!g) return 0;
  if (g.type === 'Polygon') return Math.abs(ringArea(g.coordinates[0] || []));
  if (g.type === 'MultiPolygon') return g.coordinates.reduce((s, p) => s + Math.abs(ringArea(p[0] || [])), 0);
  return 0;
}
function extendBounds(b, g) {
  const walk = (c) => {
    if (typeof c[0] === 'number') {
      b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]);
      b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]);
    } else c.forEach(walk);
  };
  if (g && g.coordinates) walk(g.coordinates);
  return b;
}
export function boundsOf(features) {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  features.forEach((f) => extendBounds(b, f.geometry));
  return Number.isFinite(b[0]) ? b : null;
}
