//! The plan data in `geodata/` obeys planmap's own rules and says nothing the plan does not.
//!
//! Every feature parses with the planmap model and passes the geometry rules; ids are unique;
//! every geometry lies on (or within a few hundred metres of) an island of its town; every task
//! 1–16 is on the map or listed as a programme; every responsible unit is the plan's own words;
//! every status, date or figure cites a source beyond the plan (the plan gives none per project).
#![allow(clippy::unwrap_used, clippy::panic)]

use planmap::geodata::Geodata;
use planmap::geometry::Region;
use planmap::project::{NewProject, Rules, Towns};
use serde_json::Value;
use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

const PLAN: &str = include_str!("../geodata/plan-text.txt");
const PLAN_TITLE: &str = "洞头区高质量发展“一县一方案”(2024—2027年)";

fn load(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{}/geodata/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn rules() -> Rules {
    let g = Geodata::load(None).unwrap();
    Rules { region: Region::DONGTOU, towns: Towns::default(), islands: Arc::new(g.islands) }
}

fn projects() -> Vec<NewProject> {
    let fc = load("projects.geojson");
    let rules = rules();
    fc["features"].as_array().unwrap().iter().map(|f| NewProject::from_feature(f, None, &rules).unwrap_or_else(|e| panic!("{}: {e}", f["id"]))).collect()
}

/// Squeezes out white space so a unit split across a line break in the plan text still matches.
fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn every_feature_parses_and_ids_are_unique() {
    let ps = projects();
    assert!(ps.len() >= 40, "only {} projects", ps.len());
    let ids: HashSet<_> = ps.iter().map(|p| p.id.clone()).collect();
    assert_eq!(ids.len(), ps.len(), "duplicate ids");
    let programmes = load("plan-programmes.json");
    for p in programmes.as_array().unwrap() {
        assert!(!ids.contains(&planmap::project::ProjectId::parse(p["id"].as_str().unwrap()).unwrap()), "{} is both mapped and a programme", p["id"]);
    }
}

#[test]
fn every_geometry_lies_on_an_island_of_its_town() {
    let of_town = |t: &str| -> &[&str] {
        match t {
            "北岙街道" => &["洞头岛", "大三盘岛", "半屏岛", "小三盘岛", "花岗岛"],
            "东屏街道" => &["洞头岛", "半屏岛"],
            "元觉街道" => &["状元岙岛", "花岗岛"],
            "霓屿街道" => &["霓屿岛"],
            "灵昆街道" | "昆鹏街道" => &["灵昆岛"],
            "大门镇" => &["大门岛", "小门岛"],
            "鹿西乡" => &["鹿西岛"],
            _ => &[],
        }
    };
    let mut wrong = Vec::new();
    for p in projects() {
        if p.islands.is_empty() {
            wrong.push(format!("{} touches no named island", p.id));
        } else if let Some(town) = &p.props.town {
            let want = of_town(town.as_str());
            if !p.islands.iter().any(|i| want.contains(&i.as_str())) {
                wrong.push(format!("{} is in {} but touches {:?}", p.id, town.as_str(), p.islands));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn every_task_is_mapped_or_listed_as_a_programme() {
    let mut tasks: BTreeSet<u8> = projects().iter().filter_map(|p| p.props.task.map(|t| t.get())).collect();
    for p in load("plan-programmes.json").as_array().unwrap() {
        tasks.insert(u8::try_from(p["task"].as_u64().unwrap()).unwrap());
        assert!(!p["reason_not_mapped"].as_str().unwrap_or("").is_empty(), "{} has no reason_not_mapped", p["id"]);
    }
    assert_eq!(tasks.into_iter().collect::<Vec<_>>(), (1..=16).collect::<Vec<u8>>());
}

#[test]
fn every_responsible_unit_is_written_as_in_the_plan() {
    let plan = squeeze(PLAN);
    let mut units: Vec<String> = projects().into_iter().flat_map(|p| p.props.responsible_units).collect();
    for p in load("plan-programmes.json").as_array().unwrap() {
        units.extend(p["responsible_units"].as_array().unwrap().iter().map(|u| u.as_str().unwrap().to_owned()));
    }
    assert!(!units.is_empty());
    for u in units {
        assert!(plan.contains(&squeeze(&u)), "responsible unit `{u}` is not in the plan text");
    }
}

#[test]
fn every_reported_figure_cites_a_source_beyond_the_plan() {
    for p in projects() {
        let pp = &p.props;
        let has_figure = pp.status.is_some()
            || pp.investment_total.is_some()
            || pp.investment_completed.is_some()
            || pp.progress_pct.is_some()
            || pp.start_date.is_some()
            || pp.actual_completion.is_some()
            || pp.planned_completion.is_some()
            || !pp.investment_by_year.is_empty();
        if has_figure {
            assert!(pp.sources.iter().any(|s| s.title != PLAN_TITLE && s.url.is_some()), "{} reports a status or figure without a cited source", p.id);
        }
        assert!(pp.sources.iter().any(|s| s.title == PLAN_TITLE), "{} does not cite the plan", p.id);
    }
}

#[test]
fn plan_targets_quote_the_plan_and_say_which_way_is_good() {
    let plan = squeeze(PLAN);
    let targets = load("plan-targets.json");
    let ts = targets.as_array().unwrap();
    assert!(ts.iter().any(|t| t["id"] == "gdp" && t["target_value"] == "240" && t["unit"] == "亿元"));
    for t in ts {
        assert!(["at_least", "at_most", "equal"].contains(&t["direction"].as_str().unwrap()), "{}", t["id"]);
        let text = t["text"].as_str().unwrap();
        // The quoted sentence may shorten the plan's; each of its clauses must be the plan's words.
        for clause in text.split([',', '，', '。', ';', '；']).map(squeeze).filter(|c| c.chars().count() >= 4) {
            assert!(plan.contains(&clause), "target {}: `{clause}` is not in the plan text", t["id"]);
        }
        if let Some(v) = t["target_value"].as_str() {
            assert!(v.parse::<f64>().is_ok(), "target {} value {v}", t["id"]);
            assert!(squeeze(text).contains(v), "target {}: value {v} is not in its quoted text", t["id"]);
        }
    }
}

#[test]
fn the_basemap_names_the_districts_main_islands() {
    let islands = load("islands.geojson");
    let names: BTreeSet<&str> = islands["features"].as_array().unwrap().iter().filter_map(|f| f["properties"]["name_zh"].as_str()).collect();
    for n in ["洞头岛", "大门岛", "鹿西岛", "霓屿岛", "状元岙岛", "半屏岛", "小门岛", "灵昆岛"] {
        assert!(names.contains(n), "islands.geojson has no {n}");
    }
    let attribution = load("attribution.json").to_string();
    for credit in ["GSHHG", "OpenStreetMap", "cnmaps"] {
        assert!(attribution.contains(credit), "attribution lacks {credit}");
    }
}
