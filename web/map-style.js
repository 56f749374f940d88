// The map's look, shared by the leadership view (app.js) and the editing page (edit.js): status
// colours, basemap colours, label fonts and the offline MapLibre style. Kept in one place so the
// two pages draw projects and islands alike.
//
// Offline by design: there is no tile server, no sprite and no `glyphs` URL (MapLibre >= 5.11
// draws every label glyph locally from the installed fonts).

export const STATUS_KEYS = ['planned', 'preparing', 'under_construction', 'completed', 'suspended'];
export const NULL_KEY = 'null'; // "未填报": status / action not filled in
export const STATUS_COLORS = {
  planned: '#7b4fd6', // purple
  preparing: '#e08a00', // amber
  under_construction: '#d62d20', // red
  completed: '#2b8a3e', // green
  suspended: '#7d8791', // grey
  null: '#274690', // navy: not reported
};
export const LATE_COLOR = '#ff2d55';
export const SEA = '#b9d9ea';
export const LAND_2017 = '#e9e4d4';
export const ISLAND_FILL = '#f8f3e3';
export const ISLAND_LINE = '#8a7852';
export const DISTRICT_LINE = '#9b2f8f';
// Choropleth classes (light to dark): a sequential yellow–orange–brown, so land never reads as sea.
export const CHORO = ['#fff1c9', '#fdd48a', '#fdae5a', '#f07f2e', '#cf5516', '#93340b'];
// CSS font families tried for map labels (drawn locally by MapLibre/TinySDF).
export const LABEL_FONTS = [
  'Microsoft YaHei', 'PingFang SC', 'Hiragino Sans GB', 'Noto Sans CJK SC', 'Source Han Sans SC',
  'WenQuanYi Zen Hei', 'WenQuanYi Micro Hei', 'SimHei', 'sans-serif',
];
export const POLY = ['Polygon', 'MultiPolygon'];
export const LINE = ['LineString', 'MultiLineString'];
export const POINT = ['Point', 'MultiPoint'];
export const PROJECT_LAYERS = ['proj-point', 'proj-line', 'proj-fill', 'proj-fill-outline', 'proj-marker'];
// The same projects from vector tiles (a page above the tiles threshold); `id` is the project id.
export const TILE_LAYERS = ['tile-fill', 'tile-outline', 'tile-line', 'tile-point'];
export const TILE_CLUSTER_LAYERS = ['tile-cluster', 'tile-cluster-count'];
export const CLUSTER_MIN = 800; // more projects than this: aggregate when zoomed out
export const CLUSTER_MAX_ZOOM = 11;
export const EMPTY_FC = { type: 'FeatureCollection', features: [] };

export const geomIs = (types) => ['match', ['geometry-type'], types, true, false];
export const statusColorExpr = ['match', ['coalesce', ['get', 'status'], NULL_KEY],
  ...STATUS_KEYS.flatMap((k) => [k, STATUS_COLORS[k]]), STATUS_COLORS.null];
export function nameExpr(lang) {
  return lang === 'en' ? ['coalesce', ['get', 'name_en'], ['get', 'name_zh'], ''] : ['coalesce', ['get', 'name_zh'], ['get', 'name_en'], ''];
}
// Chinese island names read better spaced out; Latin ones do not.
export const labelLetterSpacing = (lang) => (lang === 'zh' ? 0.15 : 0.02);
// Dot radius by reported 总投资 (万元): 1千万 small, 10亿 large; unknown investment = base size, hollow.
const invRadius = ['case', ['<', ['get', '_inv'], 0], 5,
  ['interpolate', ['linear'], ['sqrt', ['get', '_inv']], 0, 4.5, 100, 6, 316, 9, 1000, 14, 2236, 20]];
const zoomed = (expr, lo, hi) => ['interpolate', ['linear'], ['zoom'], 8, ['*', expr, lo], 14, ['*', expr, hi]];

/** The layers that draw the projects from the vector tile source `project-tiles`. */
export function tileLayers(lang) {
  const src = { source: 'project-tiles', 'source-layer': 'projects' };
  const single = ['!', ['has', 'point_count']];
  const tileInv = ['to-number', ['coalesce', ['get', 'investment_total'], -1]];
  const radius = ['case', ['<', tileInv, 0], 5,
    ['interpolate', ['linear'], ['sqrt', tileInv], 0, 4.5, 100, 6, 316, 9, 1000, 14, 2236, 20]];
  return [
    { id: 'tile-fill', type: 'fill', ...src, filter: geomIs(POLY), paint: { 'fill-color': statusColorExpr, 'fill-opacity': 0.22 } },
    { id: 'tile-outline', type: 'line', ...src, filter: geomIs(POLY),
      paint: { 'line-color': statusColorExpr, 'line-width': ['interpolate', ['linear'], ['zoom'], 9, 1.2, 13, 2.2] } },
    { id: 'tile-line', type: 'line', ...src, filter: geomIs(LINE), layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': statusColorExpr, 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 2.5, 14, 5] } },
    { id: 'tile-point', type: 'circle', ...src, filter: ['all', geomIs(POINT), single],
      paint: {
        'circle-color': ['case', ['<', tileInv, 0], '#ffffff', statusColorExpr],
        'circle-radius': zoomed(radius, 0.9, 1.5),
        'circle-stroke-color': ['case', ['<', tileInv, 0], statusColorExpr, '#ffffff'],
        'circle-stroke-width': ['case', ['<', tileInv, 0], 2.6, 1.5],
      } },
    { id: 'tile-cluster', type: 'circle', ...src, filter: ['has', 'point_count'],
      paint: {
        'circle-color': '#e3effa', 'circle-stroke-color': '#0b5cad', 'circle-stroke-width': 2,
        'circle-radius': ['interpolate', ['linear'], ['get', 'point_count'], 2, 12, 100, 20, 1000, 30],
      } },
    { id: 'tile-cluster-count', type: 'symbol', ...src, filter: ['has', 'point_count'],
      layout: { 'text-field': ['to-string', ['get', 'point_count']], 'text-font': LABEL_FONTS, 'text-size': 12, 'text-allow-overlap': true },
      paint: { 'text-color': '#0b2a4a' } },
    { id: 'tile-label', type: 'symbol', ...src, minzoom: 12, filter: single,
      layout: { 'text-field': nameExpr(lang), 'text-font': LABEL_FONTS, 'text-size': 12, 'text-max-width': 9,
        'text-variable-anchor': ['top', 'bottom', 'left', 'right'], 'text-radial-offset': 0.9 },
      paint: { 'text-color': '#1d2a33', 'text-halo-color': 'rgba(255,255,255,0.95)', 'text-halo-width': 1.6 } },
  ];
}

export function buildStyle(lang) {
  return {
    version: 8,
    name: 'planmap-offline',
    // No "glyphs" and no "sprite": nothing is fetched for the style itself.
    sources: {
      basemap: { type: 'geojson', data: EMPTY_FC, tolerance: 0.2 },
      projects: { type: 'geojson', data: EMPTY_FC, promoteId: '_id' },
      'project-labels': { type: 'geojson', data: EMPTY_FC },
      clusters: { type: 'geojson', data: EMPTY_FC, cluster: true, clusterRadius: 46, clusterMaxZoom: CLUSTER_MAX_ZOOM,
        clusterProperties: { late_n: ['+', ['get', 'late']] } },
    },
    layers: [
      { id: 'sea', type: 'background', paint: { 'background-color': SEA } },
      { id: 'land2017', type: 'fill', source: 'basemap', filter: ['==', ['get', 'layer'], 'land2017'],
        paint: { 'fill-color': LAND_2017 } },
      { id: 'island-fill', type: 'fill', source: 'basemap', filter: ['==', ['get', 'layer'], 'island'],
        paint: { 'fill-color': ISLAND_FILL } },
      { id: 'island-line', type: 'line', source: 'basemap', filter: ['==', ['get', 'layer'], 'island'],
        paint: { 'line-color': ISLAND_LINE, 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 0.5, 12, 1, 15, 1.6] } },
      { id: 'district-line', type: 'line', source: 'basemap', filter: ['==', ['get', 'layer'], 'district'],
        layout: { 'line-join': 'round' },
        paint: { 'line-color': DISTRICT_LINE, 'line-width': 1.4, 'line-opacity': 0.8, 'line-dasharray': [4, 3] } },
      { id: 'proj-fill', type: 'fill', source: 'projects', filter: geomIs(POLY),
        layout: { 'fill-sort-key': ['-', 0, ['coalesce', ['get', '_area'], 0]] }, // small areas on top
        paint: { 'fill-color': statusColorExpr, 'fill-opacity': 0.22 } },
      { id: 'proj-fill-outline', type: 'line', source: 'projects', filter: geomIs(POLY),
        paint: { 'line-color': statusColorExpr, 'line-width': ['interpolate', ['linear'], ['zoom'], 9, 1.2, 13, 2.2] } },
      { id: 'proj-line-casing', type: 'line', source: 'projects', filter: geomIs(LINE),
        layout: { 'line-cap': 'round', 'line-join': 'round' },
        paint: { 'line-color': '#ffffff', 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 4, 14, 8] } },
      { id: 'proj-line', type: 'line', source: 'projects', filter: geomIs(LINE),
        layout: { 'line-cap': 'round', 'line-join': 'round' },
        paint: { 'line-color': statusColorExpr, 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 2.5, 14, 5] } },
      { id: 'hover-line', type: 'line', source: 'projects', filter: ['==', ['get', '_id'], ''],
        paint: { 'line-color': '#ffbf00', 'line-width': 6, 'line-opacity': 0.9 } },
      // Lines and areas with a reported investment also get a dot sized by it, at their label point.
      { id: 'proj-marker', type: 'circle', source: 'project-labels', filter: ['all', ['!=', ['get', '_pt'], true], ['>=', ['get', '_inv'], 0]],
        paint: {
          'circle-color': statusColorExpr, 'circle-opacity': 0.75,
          'circle-radius': zoomed(invRadius, 0.8, 1.3),
          'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1.2,
        } },
      { id: 'proj-point', type: 'circle', source: 'projects', filter: geomIs(POINT),
        paint: {
          'circle-color': ['case', ['<', ['get', '_inv'], 0], '#ffffff', statusColorExpr],
          'circle-radius': zoomed(invRadius, 0.9, 1.5),
          'circle-stroke-color': ['case', ['<', ['get', '_inv'], 0], statusColorExpr, '#ffffff'],
          'circle-stroke-width': ['case', ['<', ['get', '_inv'], 0], 2.6, 1.5],
        } },
      { id: 'late-ring', type: 'circle', source: 'project-labels', filter: ['==', ['get', '_late'], true],
        paint: {
          'circle-color': 'rgba(0,0,0,0)', 'circle-radius': zoomed(['+', invRadius, 3.5], 0.9, 1.5),
          'circle-stroke-color': LATE_COLOR, 'circle-stroke-width': 2.5,
        } },
      { id: 'hover-point', type: 'circle', source: 'project-labels', filter: ['==', ['get', '_id'], ''],
        paint: { 'circle-color': 'rgba(255,191,0,0.35)', 'circle-radius': 16, 'circle-stroke-color': '#ffbf00', 'circle-stroke-width': 3 } },
      { id: 'sel-line', type: 'line', source: 'projects', filter: ['==', ['get', '_id'], ''],
        paint: { 'line-color': '#101010', 'line-width': 3, 'line-dasharray': [2, 1] } },
      { id: 'sel-point', type: 'circle', source: 'project-labels', filter: ['==', ['get', '_id'], ''],
        paint: { 'circle-color': 'rgba(0,0,0,0)', 'circle-radius': 15, 'circle-stroke-color': '#101010', 'circle-stroke-width': 2.5 } },
      { id: 'cluster-circle', type: 'circle', source: 'clusters', maxzoom: CLUSTER_MAX_ZOOM + 1, filter: ['has', 'point_count'],
        paint: {
          'circle-color': ['case', ['>', ['get', 'late_n'], 0], '#fde2e4', '#e3effa'],
          'circle-stroke-color': ['case', ['>', ['get', 'late_n'], 0], LATE_COLOR, '#0b5cad'], 'circle-stroke-width': 2,
          'circle-radius': ['interpolate', ['linear'], ['get', 'point_count'], 2, 12, 100, 20, 1000, 30],
        } },
      { id: 'cluster-count', type: 'symbol', source: 'clusters', maxzoom: CLUSTER_MAX_ZOOM + 1, filter: ['has', 'point_count'],
        layout: { 'text-field': ['get', 'point_count_abbreviated'], 'text-font': LABEL_FONTS, 'text-size': 12, 'text-allow-overlap': true },
        paint: { 'text-color': '#0b2a4a' } },
      { id: 'project-label', type: 'symbol', source: 'project-labels', minzoom: 9,
        layout: {
          'text-field': nameExpr(lang),
          'text-font': LABEL_FONTS,
          'text-size': ['interpolate', ['linear'], ['zoom'], 9, 11, 13, 13],
          'text-max-width': 9,
          'text-variable-anchor': ['top', 'bottom', 'left', 'right'],
          'text-radial-offset': 0.9,
          'text-justify': 'auto',
          'symbol-sort-key': ['get', '_rank'],
        },
        paint: { 'text-color': '#1d2a33', 'text-halo-color': 'rgba(255,255,255,0.95)', 'text-halo-width': 1.6 } },
      { id: 'island-label', type: 'symbol', source: 'basemap',
        filter: ['all', ['==', ['get', 'layer'], 'island'], ['has', 'name_zh'], ['!=', ['get', 'name_zh'], null]],
        layout: {
          'text-field': nameExpr(lang),
          'text-font': LABEL_FONTS,
          'text-size': ['interpolate', ['linear'], ['zoom'], 8, 12, 12, 15],
          'text-letter-spacing': labelLetterSpacing(lang),
          'text-max-width': 8,
          'text-padding': 4,
        },
        paint: { 'text-color': '#6b5526', 'text-halo-color': 'rgba(248,243,227,0.95)', 'text-halo-width': 2 } },
    ],
  };
}
