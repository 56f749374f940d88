#!/usr/bin/python3
"""Does a real QGIS (PyQGIS, headless) read and draw planmap's vector tiles?

    check_tiles.py BASE_URL LABEL [OUT_DIR]      e.g. http://127.0.0.1:18080 sqlite /tmp/qgis-work

Run with Debian's /usr/bin/python3 (python3-qgis lives there, not in a pyenv/venv python).
Prints a JSON summary (also OUT_DIR/summary-LABEL.json), writes OUT_DIR/LABEL-*.png, and exits
1 when the XYZ layer is invalid, QGIS decodes nothing or an empty geometry, its counts disagree
with /api/projects, or a PNG comes out blank.

Counting goes through QGIS's own loader and MVT decoder: a renderer subclass records what
QgsVectorTileLayerRenderer hands it per tile (PyQGIS 3.22 exposes neither the decoder nor
raw tile access), with the layer pinned to one zoom (zmin=zmax) so any map scale asks that zoom.
"""
import json
import math
import os
import sys
import urllib.request

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.PyQt.QtCore import QEventLoop, QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor, QImage, QPainter  # noqa: E402
from qgis.core import (  # noqa: E402
    NULL, Qgis, QgsApplication, QgsCoordinateReferenceSystem, QgsMapRendererCustomPainterJob,
    QgsMapRendererParallelJob, QgsMapSettings, QgsMarkerSymbol, QgsFillSymbol, QgsLineSymbol,
    QgsProperty, QgsRectangle, QgsSymbolLayer, QgsVectorLayer, QgsVectorTileBasicRenderer,
    QgsVectorTileBasicRendererStyle, QgsVectorTileLayer, QgsWkbTypes,
)

HALF = 20037508.342789244
LAYER = "projects"
CLUSTER_BELOW = 14  # planmap clusters small geometries below this zoom (src/tiles/mod.rs)
CELLS = 64          # cluster cells across a tile


def merc(lon, lat):
    lat = max(-85.05112878, min(85.05112878, lat))
    return lon * HALF / 180.0, math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * HALF / math.pi


def http_json(url):
    with urllib.request.urlopen(url, timeout=60) as r:
        return dict(r.headers), json.load(r)


def planmap_projects(base):
    """Every project id and the lon/lat bbox of all geometries, paging as /api/projects allows."""
    ids, bbox, offset, total, firsts = set(), [180, 90, -180, -90], 0, None, []
    while total is None or offset < total:
        h, fc = http_json(f"{base}/api/projects?limit=10000&offset={offset}")
        total = int(h.get("X-Total-Count") or h.get("x-total-count") or len(fc["features"]))
        for f in fc["features"]:
            ids.add(str(f.get("id") or f["properties"].get("id")))
            firsts.extend(list(coords(f.get("geometry")))[:1])
            for lon, lat in coords(f.get("geometry")):
                bbox = [min(bbox[0], lon), min(bbox[1], lat), max(bbox[2], lon), max(bbox[3], lat)]
        offset += max(len(fc["features"]), 1)
    # Where projects are densest (median vertex), for the close-up; the bbox centre can be sea.
    mid = (sorted(c[0] for c in firsts)[len(firsts) // 2], sorted(c[1] for c in firsts)[len(firsts) // 2]) if firsts else (121.1, 27.85)
    return total, ids, bbox, mid


def coords(g):
    if not g:
        return
    if g["type"] == "GeometryCollection":
        for m in g["geometries"]:
            yield from coords(m)
        return
    stack = [g["coordinates"]]
    while stack:
        c = stack.pop()
        if c and isinstance(c[0], (int, float)):
            yield c[0], c[1]
        else:
            stack.extend(c)


class Log:
    """QGIS reports tile/network/metadata problems to the message log, not as exceptions."""

    def __init__(self):
        self.lines = []
        QgsApplication.messageLog().messageReceived.connect(self.add)

    def add(self, msg, tag, level):
        if level >= Qgis.Warning:
            self.lines.append(f"[{tag}] {msg}"[:400])


class Recorder(QgsVectorTileBasicRenderer):
    """Sees every decoded tile; keeps enough to count projects once across tile buffers."""

    sink = None  # the clone the layer renderer uses is a new object: record into a shared dict

    def clone(self):
        r = Recorder()
        r.setStyles(self.styles())
        return r

    def renderTile(self, tile, ctx):
        s = Recorder.sink
        t = tile.id()
        size = 2 * HALF / (1 << t.zoomLevel())
        x0, y1 = -HALF + t.column() * size, HALF - t.row() * size
        cell = size / CELLS
        s["tiles"] += 1
        for f in tile.layerFeatures(LAYER):
            s["features"] += 1
            g = f.geometry()
            b = g.boundingBox()
            c = b.center()
            # Half-open ownership: the tile whose own square (not buffer) holds the anchor counts it.
            owned = x0 <= c.x() < x0 + size and y1 - size < c.y() <= y1
            n = f.attribute("point_count")
            fid = f.attribute("id")
            s["geom_types"].add(QgsWkbTypes.displayString(g.wkbType()))
            # A polygon whose first ring QGIS reads as a hole decodes to nothing (MVT winding rule).
            if g.isEmpty():
                s["empty_geom"] += 1
            if n not in (None, NULL):
                s["clusters"] += 1
                if owned:
                    s["cluster_sum"] += int(n)
            elif fid in (None, NULL):
                s["anonymous"] += 1
            elif t.zoomLevel() >= CLUSTER_BELOW or b.width() >= cell or b.height() >= cell:
                s["big_ids"].add(str(fid))
            elif owned:
                s["small_ids"].add(str(fid))
            else:
                s["unowned"].add(str(fid))
            if f.attribute("name_zh") in (None, NULL) and n in (None, NULL):
                s["no_name"] += 1
        super().renderTile(tile, ctx)


def style_renderer(r):
    """Polygons, lines, single points, and clusters sized by point_count."""
    styles = []
    fill = QgsFillSymbol.createSimple({"color": "255,140,0,90", "outline_color": "200,80,0", "outline_width": "0.4"})
    line = QgsLineSymbol.createSimple({"color": "30,90,200", "width": "0.8"})
    point = QgsMarkerSymbol.createSimple({"name": "circle", "color": "220,30,30", "size": "2.4", "outline_color": "white"})
    cluster = QgsMarkerSymbol.createSimple({"name": "circle", "color": "120,0,160,170", "outline_color": "white"})
    cluster.symbolLayer(0).setDataDefinedProperty(QgsSymbolLayer.PropertySize, QgsProperty.fromExpression('3 + 2 * ln("point_count")'))
    # QGIS decodes only the fields that style filters name (usedAttributes is not overridable from
    # Python in 3.22), so this style names every field the count reads; it draws features that
    # carry none of them in bright green, which should never appear.
    odd = QgsMarkerSymbol.createSimple({"name": "square", "color": "0,255,0", "size": "4"})
    anon = '"id" IS NULL AND "point_count" IS NULL AND "cluster" IS NULL AND "name_zh" IS NULL AND "status" IS NULL AND "kind" IS NULL'
    for name, geom, sym, flt in [
        ("polygons", QgsWkbTypes.PolygonGeometry, fill, ""),
        ("lines", QgsWkbTypes.LineGeometry, line, ""),
        # _geom_type: QGIS also draws a point style at polygons' centres; keep points to points.
        ("clusters", QgsWkbTypes.PointGeometry, cluster, '"_geom_type" = \'Point\' AND "point_count" IS NOT NULL'),
        ("points", QgsWkbTypes.PointGeometry, point, '"_geom_type" = \'Point\' AND "point_count" IS NULL'),
        ("anonymous", QgsWkbTypes.PointGeometry, odd, anon),
    ]:
        st = QgsVectorTileBasicRendererStyle(name, LAYER, geom)
        st.setSymbol(sym.clone())
        st.setFilterExpression(flt)
        styles.append(st)
    r.setStyles(styles)
    return r


def map_settings(layer, extent, size):
    ms = QgsMapSettings()
    ms.setLayers([layer])
    ms.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
    ms.setOutputSize(QSize(*size))
    ms.setExtent(extent)
    ms.setBackgroundColor(QColor("white"))
    return ms


def count_at(base, zoom, extent):
    """What QGIS decodes at one zoom over the extent, counted once per project."""
    Recorder.sink = s = {"tiles": 0, "features": 0, "clusters": 0, "cluster_sum": 0, "anonymous": 0, "no_name": 0, "empty_geom": 0,
                         "big_ids": set(), "small_ids": set(), "unowned": set(), "geom_types": set()}
    lyr = QgsVectorTileLayer(f"type=xyz&url={base}/tiles/projects/{{z}}/{{x}}/{{y}}.mvt&zmin={zoom}&zmax={zoom}", f"z{zoom}")
    lyr.setRenderer(style_renderer(Recorder()))
    img = QImage(QSize(800, 600), QImage.Format_ARGB32_Premultiplied)
    p = QPainter(img)
    # Synchronous on this thread: the Python renderer runs under the GIL without a worker thread.
    job = QgsMapRendererCustomPainterJob(map_settings(lyr, extent, (800, 600)), p)
    job.renderSynchronously()
    p.end()
    ids = s["big_ids"] | s["small_ids"]
    out = {k: (sorted(v) if isinstance(v, set) else v) for k, v in s.items() if k not in ("big_ids", "small_ids", "unowned")}
    out["distinct_ids"] = len(ids)
    out["unowned_only"] = len(s["unowned"] - ids)
    out["projects"] = len(ids) + s["cluster_sum"]
    return out, ids


def render_png(layer, extent, size, path):
    job = QgsMapRendererParallelJob(map_settings(layer, extent, size))
    loop = QEventLoop()
    job.finished.connect(loop.quit)
    job.start()
    loop.exec_()
    img = job.renderedImage()
    img.save(path)
    # "Not an empty canvas": count pixels that are not the white background.
    small = img.scaled(200, 150)
    return sum(1 for y in range(small.height()) for x in range(small.width()) if QColor(small.pixel(x, y)).lightness() < 235)


def try_layer(uri, provider="vectortile"):
    """Whether QGIS accepts a URL form; with its error when it does not."""
    n0 = len(LOG.lines)
    lyr = QgsVectorLayer(uri, "t", "ogr") if provider == "ogr" else QgsVectorTileLayer(uri, "t")
    # QgsError.summary() segfaults on an empty error in 3.22: ask isEmpty() first.
    err = "" if lyr.error().isEmpty() else lyr.error().summary()
    QgsApplication.processEvents()  # the message log is delivered through the event loop
    res = {"uri": uri, "valid": lyr.isValid(), "error": err or None, "log": LOG.lines[n0:]}
    if provider == "vectortile" and lyr.isValid():
        res["zoom"] = [lyr.sourceMinZoom(), lyr.sourceMaxZoom()]
        res["source"] = lyr.sourcePath()
    return res, lyr


def main():
    global LOG
    base, label = sys.argv[1].rstrip("/"), sys.argv[2]
    out_dir = sys.argv[3] if len(sys.argv) > 3 else "/tmp/qgis-work"
    os.makedirs(out_dir, exist_ok=True)
    app = QgsApplication([], False)
    app.initQgis()
    LOG = Log()
    summary = {"label": label, "base": base, "qgis": Qgis.QGIS_VERSION}
    total, api_ids, bb, mid = planmap_projects(base)
    summary["planmap_count"] = total
    _, tj = http_json(f"{base}/tiles/projects.json")
    summary["tilejson"] = {k: tj.get(k) for k in ("tilejson", "tiles", "minzoom", "maxzoom", "bounds")}

    xyz = f"type=xyz&url={base}/tiles/projects/{{z}}/{{x}}/{{y}}.mvt&zmin=0&zmax=14"
    forms = {
        "xyz": (xyz, "vectortile"),
        # QGIS has no TileJSON reader (qgis/QGIS#36391): these show what a user pasting it gets
        # (3.22: an invalid layer with no error text; the ArcGIS form fetches ?f=pjson).
        "tilejson_as_xyz": (f"type=xyz&url={base}/tiles/projects.json", "vectortile"),
        "tilejson_as_arcgis": (f"type=xyz&serviceType=arcgis&url={base}/tiles/projects.json", "vectortile"),
        "ogc_template_as_xyz": (f"type=xyz&url={base}/ogcapi/collections/projects/tiles/WebMercatorQuad/{{z}}/{{y}}/{{x}}&zmin=0&zmax=14", "vectortile"),
        "ogc_tileset_as_xyz": (f"type=xyz&url={base}/ogcapi/collections/projects/tiles/WebMercatorQuad", "vectortile"),
        # QGIS reads OGC API – Tiles only through GDAL's OGCAPI driver (ogr provider); GDAL 3.6
        # (bookworm) parses only TMS 1.0 JSON, so planmap's TMS 2.0 document stops it.
        "ogc_gdal_ogr": (f"OGCAPI:{base}/ogcapi/collections/projects", "ogr"),
    }
    summary["url_forms"], layers = {}, {}
    for name, (uri, prov) in forms.items():
        summary["url_forms"][name], layers[name] = try_layer(uri, prov)
    ogr = layers["ogc_gdal_ogr"]
    if ogr.isValid():
        summary["url_forms"]["ogc_gdal_ogr"]["feature_count"] = ogr.featureCount()

    x0, y0 = merc(bb[0], bb[1])
    x1, y1 = merc(bb[2], bb[3])
    pad = max(x1 - x0, y1 - y0) * 0.05 + 200
    extent = QgsRectangle(x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    summary["counts"] = {}
    ok = summary["url_forms"]["xyz"]["valid"]
    for z in (10, 14):
        c, ids = count_at(base, z, extent)
        if z >= CLUSTER_BELOW:
            c["missing_ids"] = sorted(api_ids - ids)[:20]
            c["extra_ids"] = sorted(ids - api_ids)[:20]
        summary["counts"][f"z{z}"] = c
        ok = ok and c["features"] > 0 and c["projects"] == total and c["empty_geom"] == 0

    # The district as a user opens it (clusters), and the centre at z14+ (single projects).
    xyz_layer = layers["xyz"]
    xyz_layer.setRenderer(style_renderer(QgsVectorTileBasicRenderer()))
    summary["png"] = {}
    cx, cy = merc(*mid)
    for name, ext, size in [("district", extent, (1600, 1200)), ("z14", QgsRectangle(cx - 3000, cy - 2250, cx + 3000, cy + 2250), (1200, 900))]:
        path = os.path.join(out_dir, f"{label}-{name}.png")
        summary["png"][path] = {"drawn_pixels_of_30000": render_png(xyz_layer, ext, size, path)}
    ok = ok and all(v["drawn_pixels_of_30000"] > 0 for v in summary["png"].values())
    summary["qgis_warnings"] = sorted(set(LOG.lines))[:40]
    summary["ok"] = bool(ok)
    with open(os.path.join(out_dir, f"summary-{label}.json"), "w") as f:
        json.dump(summary, f, ensure_ascii=False, indent=1)
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    app.exitQgis()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
