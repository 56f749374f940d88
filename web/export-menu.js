// Download menu for the map page: every export format of GET /api/export, for all projects or
// for the ones the map currently shows. Self-contained: include it after app.js with
//   <script type="module" src="export-menu.js"></script>
// It waits for window.planmap (app.js) and reads its state; it changes nothing in app.js.

const FORMATS = [
  ['geojson', 'GeoJSON', 'GeoJSON (QGIS, web)'],
  ['gpkg', 'GeoPackage', 'GeoPackage (QGIS, ArcGIS Pro)'],
  ['shp', 'Shapefile (zip)', 'Shapefile (ArcGIS, zip)'],
  ['kml', 'KML（奥维 / Google Earth）', 'KML (Google Earth, 奥维)'],
  ['csv', 'CSV（Excel）', 'CSV (Excel)'],
  ['fgb', 'FlatGeobuf', 'FlatGeobuf'],
];

const TEXT = {
  zh: { button: '下载', all: '全部项目', shown: '地图上显示的项目', title: '下载项目数据' },
  en: { button: 'Download', all: 'All projects', shown: 'Projects shown on the map', title: 'Download project data' },
};

// Beyond this many ids the URL gets long; the server-side filters are sent instead.
const MAX_IDS = 400;

function exportUrl(format, scope, planmap) {
  const p = new URLSearchParams();
  p.set('format', format);
  if (scope === 'shown' && planmap) {
    const st = planmap.state;
    const ids = (st.features || []).map((f) => f.id).filter(Boolean);
    if (ids.length > 0 && ids.length <= MAX_IDS) p.set('ids', ids.join(','));
    else if (st.lastQuery) new URLSearchParams(st.lastQuery).forEach((v, k) => p.set(k, v));
  }
  return `api/export?${p}`;
}

function build(planmap) {
  const lang = planmap && planmap.state && planmap.state.lang === 'en' ? 'en' : 'zh';
  const t = TEXT[lang];
  const box = document.createElement('details');
  box.id = 'export-menu';
  box.style.cssText = 'position:fixed;top:10px;right:56px;z-index:5;background:#fff;border-radius:4px;'
    + 'box-shadow:0 0 0 2px rgba(0,0,0,.1);font:13px/1.4 sans-serif;padding:4px 8px;max-width:20em';
  const summary = document.createElement('summary');
  summary.textContent = t.button;
  summary.title = t.title;
  summary.style.cursor = 'pointer';
  box.append(summary);
  for (const scope of ['all', 'shown']) {
    const h = document.createElement('div');
    h.textContent = t[scope];
    h.style.cssText = 'font-weight:bold;margin-top:6px';
    box.append(h);
    const ul = document.createElement('ul');
    ul.style.cssText = 'margin:2px 0;padding-left:1.2em';
    for (const [format, zh, en] of FORMATS) {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.textContent = lang === 'en' ? en : zh;
      a.dataset.format = format;
      a.dataset.scope = scope;
      a.setAttribute('download', '');
      a.href = exportUrl(format, scope, planmap);
      // The shown set changes with the filters: compute the link when it is used.
      a.addEventListener('click', () => { a.href = exportUrl(format, scope, window.planmap); });
      li.append(a);
      ul.append(li);
    }
    box.append(ul);
  }
  document.body.append(box);
}

async function start() {
  const pm = window.planmap;
  if (pm && pm.ready) {
    try { await pm.ready; } catch (_) { /* the page reports its own errors */ }
  }
  build(window.planmap);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
