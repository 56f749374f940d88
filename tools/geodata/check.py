#!/usr/bin/env python3
"""Check geodata/ against the planmap data contract (the properties src/project checks).

    python3 tools/geodata/check.py [--plan PATH_TO_PLAN_TXT]

Standard library only.  If shapely is installed it is used as an extra
validity check of polygons; the checks below do not depend on it.
Exit status 0 = all checks passed; every failure is printed.
"""
import argparse
import json
import math
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GEO = os.path.join(os.path.dirname(os.path.dirname(HERE)), "geodata")
DEFAULT_PLAN = os.path.join(os.path.dirname(os.path.dirname(HERE)), "geodata", "plan-text.txt")

PLAN_TITLE = "洞头区高质量发展“一县一方案”(2024—2027年)"
BBOX = (120.55, 27.55, 121.45, 28.15)
NEAR_LAND_KM = 1.0
# Lines that really cross open water far from any island (exempt from the near-land rule).
SEA_CROSSING_EXEMPT = {"yongguan-expressway-dongtou-branch"}

KINDS = {"port", "road", "energy", "industrial_park", "tourism", "village_area", "community", "school",
         "hospital", "utility", "ecology", "other"}
STATUSES = {"planned", "preparing", "under_construction", "completed", "suspended"}
TOWNS = {"北岙街道", "东屏街道", "元觉街道", "霓屿街道", "灵昆街道", "昆鹏街道", "大门镇", "鹿西乡"}
CONF = {"high", "medium", "low"}
GEOM_TYPES = {"Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon"}
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
DECIMAL = re.compile(r"^[0-9]+(\.[0-9]+)?$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CN = "一二三四五"
SOURCE_KINDS = {"plan", "government", "news", "aggregator"}
SOURCE_KEYS = {"title", "url", "kind", "retrieved", "fields", "quote"}
FIGURES = ("status", "investment_total", "investment_completed", "investment_by_year", "progress_pct",
           "start_date", "planned_completion", "actual_completion")
# Plan items the second data pass had to cover: each must be a project or a programme (by name).
COVERAGE = ("近洋国际航运中心", "旧城社区配套设施提升", "三大行动", "点亮繁星", "农播繁星", "幸福河湖", "海上环卫", "减污降碳")


def action_of(task):
    return 1 if task <= 4 else 2 if task <= 6 else 3 if task <= 9 else 4 if task <= 12 else 5


def plan_ref(task):
    return "二(%s)%d" % (CN[action_of(task) - 1], task)


KX = 111.32 * math.cos(math.radians(27.85))  # km per degree of longitude here
KY = 110.57                                    # km per degree of latitude

errors = []


def err(where, msg):
    errors.append("%s: %s" % (where, msg))


# ------------------------------------------------------------------ geometry helpers

def signed_area(ring):
    return sum(ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] for i in range(len(ring) - 1)) / 2.0


def _orient(a, b, c):
    v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
    return 0 if abs(v) < 1e-15 else (1 if v > 0 else -1)


def _on_seg(a, b, p):
    return min(a[0], b[0]) <= p[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= p[1] <= max(a[1], b[1])


def seg_intersect(p1, p2, p3, p4):
    o1, o2, o3, o4 = _orient(p1, p2, p3), _orient(p1, p2, p4), _orient(p3, p4, p1), _orient(p3, p4, p2)
    if o1 != o2 and o3 != o4:
        return True
    return ((o1 == 0 and _on_seg(p1, p2, p3)) or (o2 == 0 and _on_seg(p1, p2, p4)) or
            (o3 == 0 and _on_seg(p3, p4, p1)) or (o4 == 0 and _on_seg(p3, p4, p2)))


def ring_self_intersects(ring):
    segs = [(ring[i], ring[i + 1]) for i in range(len(ring) - 1)]
    n = len(segs)
    for i in range(n):
        for j in range(i + 1, n):
            if j == i + 1 or (i == 0 and j == n - 1):
                continue  # neighbours share a vertex
            if seg_intersect(segs[i][0], segs[i][1], segs[j][0], segs[j][1]):
                return True
    return False


def point_in_ring(p, ring):
    x, y, inside = p[0], p[1], False
    for i in range(len(ring) - 1):
        (x1, y1), (x2, y2) = ring[i][:2], ring[i + 1][:2]
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def seg_dist_km(p, a, b):
    px, py = p[0] * KX, p[1] * KY
    ax, ay, bx, by = a[0] * KX, a[1] * KY, b[0] * KX, b[1] * KY
    dx, dy = bx - ax, by - ay
    L = dx * dx + dy * dy
    t = 0.0 if L == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / L))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def positions(geom):
    t, c = geom["type"], geom["coordinates"]
    if t == "Point":
        return [c]
    if t in ("LineString", "MultiPoint"):
        return list(c)
    if t in ("Polygon", "MultiLineString"):
        return [p for r in c for p in r]
    if t == "MultiPolygon":
        return [p for poly in c for r in poly for p in r]
    return []


def polygons(geom):
    if geom["type"] == "Polygon":
        return [geom["coordinates"]]
    if geom["type"] == "MultiPolygon":
        return geom["coordinates"]
    return []


def check_geometry(where, geom):
    if not isinstance(geom, dict) or geom.get("type") not in GEOM_TYPES:
        err(where, "geometry type %r not allowed" % (geom or {}).get("type"))
        return False
    ok = True
    for p in positions(geom):
        if not (isinstance(p, list) and len(p) == 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in p)):
            err(where, "position %r is not 2D [lon, lat]" % (p,))
            return False
        if any(round(v, 7) != v for v in p):
            err(where, "more than 7 decimals in %r" % (p,)); ok = False
        if not (BBOX[0] <= p[0] <= BBOX[2] and BBOX[1] <= p[1] <= BBOX[3]):
            err(where, "position %r outside the district extent %r" % (p, BBOX)); ok = False
    if geom["type"] in ("LineString",) and len(geom["coordinates"]) < 2:
        err(where, "LineString with < 2 positions"); ok = False
    if geom["type"] == "MultiLineString" and any(len(l) < 2 for l in geom["coordinates"]):
        err(where, "MultiLineString part with < 2 positions"); ok = False
    for pi, poly in enumerate(polygons(geom)):
        for ri, ring in enumerate(poly):
            w = "%s polygon %d ring %d" % (where, pi, ri)
            if len(ring) < 4:
                err(w, "ring with < 4 positions"); ok = False; continue
            if ring[0] != ring[-1]:
                err(w, "ring not closed"); ok = False
            a = signed_area(ring)
            if ri == 0 and a <= 0:
                err(w, "exterior ring not counter-clockwise"); ok = False
            if ri > 0 and a >= 0:
                err(w, "hole not clockwise"); ok = False
            if ring_self_intersects(ring):
                err(w, "ring self-intersects"); ok = False
    try:
        from shapely.geometry import shape
        if geom["type"] in ("Polygon", "MultiPolygon") and not shape(geom).is_valid:
            from shapely.validation import explain_validity
            err(where, "shapely: invalid polygon: " + explain_validity(shape(geom))); ok = False
    except ImportError:
        pass
    return ok


# ------------------------------------------------------------------ near-land test

class Land:
    def __init__(self, islands):
        self.rings = []  # (bbox, exterior ring)
        for f in islands["features"]:
            for poly in polygons(f["geometry"]):
                r = poly[0]
                xs, ys = [p[0] for p in r], [p[1] for p in r]
                self.rings.append(((min(xs), min(ys), max(xs), max(ys)), r))

    def dist_km(self, p):
        dx, dy = NEAR_LAND_KM / KX, NEAR_LAND_KM / KY
        best = float("inf")
        for (x0, y0, x1, y1), r in self.rings:
            if not (x0 - dx <= p[0] <= x1 + dx and y0 - dy <= p[1] <= y1 + dy):
                continue
            if point_in_ring(p, r):
                return 0.0
            for i in range(len(r) - 1):
                best = min(best, seg_dist_km(p, r[i], r[i + 1]))
        return best


# ------------------------------------------------------------------ property checks

def is_decimal_string(v):
    return isinstance(v, str) and bool(DECIMAL.match(v))


def valid_date(v):
    if not (isinstance(v, str) and DATE.match(v)):
        return False
    y, m, d = map(int, v.split("-"))
    import datetime
    try:
        datetime.date(y, m, d)
        return True
    except ValueError:
        return False


def check_source_detail(where, s):
    """The optional provenance keys of one source object."""
    for k in set(s) - SOURCE_KEYS:
        err(where, "source %r: unknown key %r" % (s.get("title"), k))
    if s.get("kind") is not None and s["kind"] not in SOURCE_KINDS:
        err(where, "source %r: kind %r not one of %s" % (s.get("title"), s["kind"], sorted(SOURCE_KINDS)))
    if s.get("retrieved") is not None and not valid_date(s["retrieved"]):
        err(where, "source %r: retrieved %r is not a date" % (s.get("title"), s["retrieved"]))
    if not isinstance(s.get("fields", []), list) or any(f not in FIGURES for f in s.get("fields", [])):
        err(where, "source %r: fields %r must name reported properties" % (s.get("title"), s.get("fields")))
    if s.get("quote") is not None and not (isinstance(s["quote"], str) and s["quote"].strip()):
        err(where, "source %r: quote must be non-empty text" % s.get("title"))


def amount_in(quote, wan):
    """Whether `quote` states the 万元 amount `wan`, as 万元 or as 亿元 (× 10,000), simplified or traditional."""
    from decimal import Decimal
    for num, unit in re.findall(r"([0-9]+(?:\.[0-9]+)?)\s*(亿|億|万|萬)元", quote):
        if Decimal(num) * (10000 if unit in "亿億" else 1) == Decimal(wan):
            return True
    return False


def date_in(quote, iso):
    _, m, d = (int(x) for x in iso.split("-"))
    return "%d月%d日" % (m, d) in quote


def check_figure_sources(where, p):
    """Every reported figure names the source that states it (field-level provenance)."""
    sources = [s for s in (p.get("sources") or []) if isinstance(s, dict)]
    filled = [k for k in FIGURES if p.get(k) not in (None, [], "")]
    for k in filled:
        backing = [s for s in sources if k in (s.get("fields") or [])]
        if not backing:
            err(where, "%s is given but no source is cited for it (sources[].fields)" % k); continue
        for s in backing:
            if not (s.get("url") and s.get("kind") in SOURCE_KINDS - {"plan"} and s.get("retrieved") and s.get("quote")):
                err(where, "source %r cited for %s needs url, a non-plan kind, retrieved and quote" % (s.get("title"), k))
        quotes = [s.get("quote") or "" for s in backing]
        if k in ("investment_total", "investment_completed") and not any(amount_in(q, p[k]) for q in quotes):
            err(where, "%s %s万元 is not stated (as 万元 or 亿元) in the quote of any source cited for it" % (k, p[k]))
        if k in ("start_date", "planned_completion", "actual_completion") and not any(date_in(q, p[k]) for q in quotes):
            err(where, "%s %s is not stated (as M月D日) in the quote of any source cited for it" % (k, p[k]))
    for s in sources:
        for k in s.get("fields") or []:
            if k not in filled:
                err(where, "source %r is cited for %s, which is empty" % (s.get("title"), k))


def check_sources(where, sources):
    if not isinstance(sources, list) or not sources:
        err(where, "sources must be a non-empty array"); return
    for s in sources:
        if not (isinstance(s, dict) and isinstance(s.get("title"), str) and s["title"] and
                (s.get("url") is None or isinstance(s.get("url"), str))):
            err(where, "bad source %r" % (s,)); continue
        check_source_detail(where, s)
    if not any(s.get("title") == PLAN_TITLE and s.get("url") is None for s in sources if isinstance(s, dict)):
        err(where, "the plan itself is not among the sources")


def check_units(where, units, plan):
    if not isinstance(units, list) or not all(isinstance(u, str) and u for u in units):
        err(where, "responsible_units must be an array of non-empty strings"); return
    for u in units:
        if u not in plan:
            err(where, "responsible unit %r does not appear verbatim in the plan" % u)


def check_action_task(where, p):
    a, t = p.get("action"), p.get("task")
    if a is not None and not (isinstance(a, int) and not isinstance(a, bool) and 1 <= a <= 5):
        err(where, "action %r not an integer 1-5" % a)
    if t is not None and not (isinstance(t, int) and not isinstance(t, bool) and 1 <= t <= 16):
        err(where, "task %r not an integer 1-16" % t); return
    if isinstance(a, int) and isinstance(t, int) and action_of(t) != a:
        err(where, "task %d does not belong to action %d" % (t, a))
    ref = p.get("plan_ref")
    if ref is not None and isinstance(t, int) and ref != plan_ref(t):
        err(where, "plan_ref %r, expected %r" % (ref, plan_ref(t)))


def check_feature(f, plan, land, seen):
    fid = f.get("id")
    where = "feature %r" % fid
    if f.get("type") != "Feature":
        err(where, "type is not Feature")
    if not (isinstance(fid, str) and 3 <= len(fid) <= 80 and SLUG.match(fid)):
        err(where, "id is not a slug of 3-80 chars")
    if fid in seen:
        err(where, "duplicate id")
    seen.add(fid)
    geom_ok = check_geometry(where, f.get("geometry"))
    p = f.get("properties") or {}

    if not (isinstance(p.get("name_zh"), str) and 1 <= len(p["name_zh"]) <= 200):
        err(where, "name_zh required, 1-200 chars")
    if p.get("name_en") is not None and not isinstance(p["name_en"], str):
        err(where, "name_en must be a string or null")
    check_action_task(where, p)
    if p.get("kind") not in KINDS:
        err(where, "kind %r not allowed" % p.get("kind"))
    if p.get("status") is not None and p["status"] not in STATUSES:
        err(where, "status %r not allowed" % p["status"])
    for k in ("investment_total", "investment_completed"):
        if p.get(k) is not None and not is_decimal_string(p[k]):
            err(where, "%s must be a decimal string (万元) or null" % k)
    iby = p.get("investment_by_year", [])
    if not isinstance(iby, list):
        err(where, "investment_by_year must be an array")
        iby = []
    for e in iby:
        if not (isinstance(e, dict) and isinstance(e.get("year"), int) and 2024 <= e["year"] <= 2027 and
                all(e.get(k) is None or is_decimal_string(e[k]) for k in ("plan", "actual"))):
            err(where, "bad investment_by_year entry %r" % (e,))
    pp = p.get("progress_pct")
    if pp is not None and not (isinstance(pp, (int, float)) and not isinstance(pp, bool) and 0 <= pp <= 100):
        err(where, "progress_pct must be 0-100 or null")
    for k in ("start_date", "planned_completion", "actual_completion"):
        if p.get(k) is not None and not valid_date(p[k]):
            err(where, "%s %r is not a YYYY-MM-DD date" % (k, p[k]))
    check_units(where, p.get("responsible_units"), plan)
    if p.get("town") is not None and p["town"] not in TOWNS:
        err(where, "town %r not in the list" % p["town"])
    tg = p.get("targets")
    if not isinstance(tg, list) or not all(isinstance(s, str) and s for s in tg):
        err(where, "targets must be an array of strings")
    else:
        for s in tg:
            if s not in plan:
                err(where, "target %r is not verbatim plan text" % s)
    if p.get("description") is not None and not isinstance(p["description"], str):
        err(where, "description must be a string or null")
    check_sources(where, p.get("sources"))
    if p.get("location_confidence") not in CONF:
        err(where, "location_confidence %r not allowed" % p.get("location_confidence"))
    if p.get("synthetic") not in (None, False):
        err(where, "synthetic must be absent/false in the real seed")
    for k in ("islands", "version", "updated_at"):
        if k in p:
            err(where, "server-added property %r must not be in the seed" % k)

    # facts beyond the plan need a non-plan source
    facts = [k for k in ("status", "investment_total", "investment_completed", "progress_pct", "start_date",
                         "planned_completion", "actual_completion") if p.get(k) is not None]
    if any(e.get("plan") is not None or e.get("actual") is not None for e in iby if isinstance(e, dict)):
        facts.append("investment_by_year")
    others = [s for s in (p.get("sources") or []) if isinstance(s, dict) and s.get("title") != PLAN_TITLE and s.get("url")]
    if facts and not others:
        err(where, "%s given but no source other than the plan" % ", ".join(facts))
    check_figure_sources(where, p)
    if p.get("kind") == "village_area":
        short = (p.get("name_zh") or "").split("（")[0]
        for t in p.get("targets") or []:
            if short not in t:
                err(where, "target %r does not name %s: a village area cites the clause about it" % (t, short))

    # every vertex within ~1 km of a GSHHG land polygon (sea-crossing exemptions listed above)
    if geom_ok and fid not in SEA_CROSSING_EXEMPT:
        for pos in positions(f["geometry"]):
            d = land.dist_km(pos)
            if d > NEAR_LAND_KM:
                err(where, "position %r is more than %.0f km from every island polygon" % (pos, NEAR_LAND_KM))
                break


def check_programme(x, plan, seen):
    where = "programme %r" % x.get("id")
    if not (isinstance(x.get("id"), str) and SLUG.match(x["id"])) or x["id"] in seen:
        err(where, "id not a slug or duplicate")
    seen.add(x.get("id"))
    if not (isinstance(x.get("name_zh"), str) and x["name_zh"]):
        err(where, "name_zh required")
    check_action_task(where, x)
    check_units(where, x.get("responsible_units"), plan)
    for s in x.get("targets") or []:
        if s not in plan:
            err(where, "target %r is not verbatim plan text" % s)
    check_sources(where, x.get("sources"))
    if not (isinstance(x.get("reason_not_mapped"), str) and x["reason_not_mapped"]):
        err(where, "reason_not_mapped required")


def check_target(x, plan, seen):
    where = "target %r" % x.get("id")
    if not (isinstance(x.get("id"), str) and SLUG.match(x["id"])) or x["id"] in seen:
        err(where, "id not a slug or duplicate")
    seen.add(x.get("id"))
    sec = x.get("section")
    if sec != "一" and not (isinstance(x.get("task"), int) and sec == plan_ref(x["task"])):
        err(where, "section %r does not match task %r" % (sec, x.get("task")))
    check_action_task(where, x)
    if x.get("target_value") is not None and not is_decimal_string(x["target_value"]):
        err(where, "target_value must be a number as string or null")
    if x.get("direction") not in ("at_least", "at_most", "equal"):
        err(where, "direction not allowed")
    if x.get("year") is not None and not isinstance(x["year"], int):
        err(where, "year must be an integer or null")
    if not (isinstance(x.get("text"), str) and x["text"] in plan):
        err(where, "text is not verbatim plan text")
    if x.get("source") != "plan":
        err(where, "source must be 'plan'")
    rep_ = x.get("reported")
    if not isinstance(rep_, list):
        err(where, "reported must be a list (empty when no source states a value)")
        rep_ = []
    for r in rep_:
        s = r.get("source") if isinstance(r, dict) else None
        if not (isinstance(r, dict) and is_decimal_string(r.get("value")) and isinstance(r.get("unit"), str)
                and isinstance(r.get("period"), str) and re.match(r"^\d{4}(-\d{2})?$", r["period"])
                and r.get("entered_by") == "data-import" and isinstance(s, dict)):
            err(where, "bad reported value %r: {value, unit, period YYYY or YYYY-MM, source, entered_by: data-import}" % (r,)); continue
        check_source_detail(where, s)
        if not (s.get("url") and s.get("kind") in SOURCE_KINDS - {"plan"} and s.get("retrieved") and s.get("quote")):
            err(where, "reported %s: its source needs url, a non-plan kind, retrieved and quote" % r["value"])
        elif r["value"] not in s["quote"]:
            err(where, "reported %s is not in its source's quote" % r["value"])
        if x.get("unit") and r["unit"] != x["unit"]:
            err(where, "reported unit %r differs from the target's %r" % (r["unit"], x["unit"]))
    for k in ("name_zh", "name_en"):
        if not isinstance(x.get(k), str):
            err(where, k + " required")


def check_town_split(projects, islands):
    """洞头岛 is shared by 北岙街道 and 东屏街道. The 北岙 part is the beiao-5a-scenic-town area (北岙街道's
    extent on 洞头岛); a feature of either town must have most of its 洞头岛 vertices on its own side."""
    beiao = next((f for f in projects["features"] if f.get("id") == "beiao-5a-scenic-town"), None)
    dongtou = [poly for f in islands["features"] if f["properties"].get("name_zh") == "洞头岛" for poly in polygons(f["geometry"])]
    if beiao is None or not dongtou:
        err("town split", "beiao-5a-scenic-town or 洞头岛 missing"); return
    beiao_polys = polygons(beiao["geometry"])

    def inside(p, polys):
        return any(point_in_ring(p, poly[0]) and not any(point_in_ring(p, h) for h in poly[1:]) for poly in polys)

    for f in projects["features"]:
        town = f["properties"].get("town")
        if town not in ("北岙街道", "东屏街道"):
            continue
        on = [p for p in positions(f["geometry"]) if inside(p, dongtou)]
        if not on:
            continue
        share = sum(inside(p, beiao_polys) for p in on) / len(on)
        if (share > 0.5) != (town == "北岙街道"):
            err("feature %r" % f.get("id"), "town %s, but %.0f%% of its 洞头岛 vertices lie in 北岙街道" % (town, 100 * share))


def line_km(coords):
    return sum(math.hypot((b[0] - a[0]) * KX, (b[1] - a[1]) * KY) for a, b in zip(coords, coords[1:]))


def check_plan_lengths(projects, targets):
    """Roads whose plan clause gives a length are drawn that long (±10 %): 42公里最美环岛路 → 42 km."""
    for t in targets:
        if t.get("unit") != "公里" or not t.get("target_value"):
            continue
        lines = [f for f in projects["features"] if t["text"] in (f["properties"].get("targets") or [])]
        km = sum(line_km(c) for f in lines for c in ([f["geometry"]["coordinates"]] if f["geometry"]["type"] == "LineString"
                                                   else f["geometry"]["coordinates"] if f["geometry"]["type"] == "MultiLineString" else []))
        want = float(t["target_value"])
        if abs(km - want) > 0.1 * want:
            err("target %r" % t["id"], "the roads citing it total %.1f km, the plan says %s km" % (km, t["target_value"]))


def check_basemap(name):
    fc = json.load(open(os.path.join(GEO, name), encoding="utf-8"))
    for i, f in enumerate(fc["features"]):
        check_geometry("%s feature %d" % (name, i), f["geometry"])
    return fc


def main():
    global GEO
    ap = argparse.ArgumentParser()
    ap.add_argument("--plan", default=DEFAULT_PLAN)
    ap.add_argument("--geodata", default=GEO, help="folder with the files (default: geodata/ of this repo)")
    args = ap.parse_args()
    GEO = args.geodata
    plan = open(args.plan, encoding="utf-8").read()

    islands = check_basemap("islands.geojson")
    check_basemap("land-2017.geojson")
    check_basemap("district.geojson")
    for f in islands["features"]:
        for k in ("name_zh", "name_en", "town_zh", "in_district", "area_km2"):
            if k not in f["properties"]:
                err("islands.geojson", "property %s missing" % k)
    land = Land(islands)

    projects = json.load(open(os.path.join(GEO, "projects.geojson"), encoding="utf-8"))
    if projects.get("type") != "FeatureCollection":
        err("projects.geojson", "not a FeatureCollection")
    seen = set()
    for f in projects["features"]:
        check_feature(f, plan, land, seen)

    programmes = json.load(open(os.path.join(GEO, "plan-programmes.json"), encoding="utf-8"))
    pseen = set()
    for x in programmes:
        check_programme(x, plan, pseen)
    if seen & pseen:
        err("plan-programmes.json", "ids also used in projects.geojson: %s" % sorted(seen & pseen))

    targets = json.load(open(os.path.join(GEO, "plan-targets.json"), encoding="utf-8"))
    tseen = set()
    for x in targets:
        check_target(x, plan, tseen)
    for must in ("240", "14.12"):
        if not any(x.get("section") == "一" and x.get("target_value") == must for x in targets):
            err("plan-targets.json", "district target %s missing" % must)

    check_town_split(projects, islands)
    check_plan_lengths(projects, targets)
    names = [f["properties"].get("name_zh") or "" for f in projects["features"]] + [x.get("name_zh") or "" for x in programmes]
    for item in COVERAGE:
        if not any(item in n for n in names):
            err("coverage", "%s is neither a project nor a programme" % item)

    tasks = {f["properties"].get("task") for f in projects["features"]} | {x.get("task") for x in programmes}
    for t in range(1, 17):
        if t not in tasks:
            err("coverage", "task %d appears neither in projects.geojson nor in plan-programmes.json" % t)

    att = json.load(open(os.path.join(GEO, "attribution.json"), encoding="utf-8"))
    if sorted(a.get("layer") for a in att) != ["district", "island", "land2017"]:
        err("attribution.json", "layers must be island, land2017, district")

    by_type = {}
    for f in projects["features"]:
        by_type[f["geometry"]["type"]] = by_type.get(f["geometry"]["type"], 0) + 1
    print("projects: %d %s; programmes: %d; targets: %d" % (len(projects["features"]), by_type, len(programmes), len(targets)))
    if errors:
        print("%d problem(s):" % len(errors))
        for e in errors:
            print("  " + e)
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
