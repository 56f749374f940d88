#!/usr/bin/env python3
"""Preview PNG of geodata/ (needs matplotlib): python3 tools/geodata/render_preview.py out.png [minx miny maxx maxy]"""
import json, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

G = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "geodata")
COL = {"port": "#1f77b4", "road": "#d62728", "energy": "#ff7f0e", "industrial_park": "#8c564b", "tourism": "#2ca02c",
       "village_area": "#bcbd22", "community": "#e377c2", "school": "#9467bd", "hospital": "#17becf", "utility": "#7f7f7f",
       "ecology": "#2ca02c", "other": "#000000"}


def polys(g):
    if g["type"] == "Polygon":
        return [g["coordinates"]]
    if g["type"] == "MultiPolygon":
        return g["coordinates"]
    return []


def main():
    out = sys.argv[1]
    bbox = [float(v) for v in sys.argv[2:6]] if len(sys.argv) >= 6 else [120.84, 27.77, 121.24, 28.02]
    fig, ax = plt.subplots(figsize=(16, 12))
    for name, fc, ec in (("land-2017", "#e4e4e4", "#bbbbbb"), ("islands", "#cfe8bf", "#5a8a4a")):
        for f in json.load(open(os.path.join(G, name + ".geojson"), encoding="utf-8"))["features"]:
            for p in polys(f["geometry"]):
                xs, ys = zip(*p[0]); ax.fill(xs, ys, fc=fc, ec=ec, lw=0.5)
    for f in json.load(open(os.path.join(G, "district.geojson"), encoding="utf-8"))["features"]:
        for p in polys(f["geometry"]):
            xs, ys = zip(*p[0]); ax.plot(xs, ys, color="#9999ff", lw=0.4, ls="--")
    for f in json.load(open(os.path.join(G, "projects.geojson"), encoding="utf-8"))["features"]:
        g, c = f["geometry"], COL[f["properties"]["kind"]]
        lab = None
        if g["type"] == "Point":
            ax.plot(*g["coordinates"], "o", color=c, ms=4); lab = g["coordinates"]
        elif g["type"] == "LineString":
            xs, ys = zip(*g["coordinates"]); ax.plot(xs, ys, color=c, lw=1.6); lab = g["coordinates"][len(xs) // 2]
        else:
            for p in polys(g):
                xs, ys = zip(*p[0]); ax.fill(xs, ys, fc=c, alpha=0.35, ec=c, lw=0.8)
            lab = (sum(xs) / len(xs), sum(ys) / len(ys))
        ax.annotate(f["id"], lab, fontsize=6, color="#222")
    ax.set_xlim(bbox[0], bbox[2]); ax.set_ylim(bbox[1], bbox[3]); ax.set_aspect(1 / 0.884)
    ax.grid(True, lw=0.3)
    plt.savefig(out, dpi=110, bbox_inches="tight")


main()
