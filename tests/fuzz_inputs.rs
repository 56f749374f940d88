//! Mutation testing of what planmap reads from outside, without libFuzzer: valid seeds (a
//! GeoJSON feature body, CQL2 text and JSON filters, query strings) are mutated at random (bytes
//! flipped, inserted, deleted, chunks duplicated, seeds spliced) and fed to the same entry points
//! as the cargo-fuzz targets in `fuzz/`: the vertex pre-scan and feature reader, both CQL2
//! parsers, and the query-string filter reader. Each input must end in a value or an error; a
//! panic fails the test and prints the input.
//!
//! Not coverage-guided: it is the always-on floor under `fuzz/` (which needs nightly). The count
//! per target is `PLANMAP_FUZZ_ITERS` (default 3,000, a few seconds); the seed is fixed, so a
//! failure repeats.
#![allow(clippy::unwrap_used, clippy::panic)]

use planmap::project::cql2::{json, Expr};
use planmap::project::{NewProject, ProjectFilter, Rules, Towns};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

fn iterations() -> usize {
    std::env::var("PLANMAP_FUZZ_ITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(3_000)
}

/// Pieces worth inserting: the syntax each reader cares about.
const DICTIONARY: &[&str] = &[
    "[",
    "]",
    "{",
    "}",
    "\"",
    "'",
    ",",
    ":",
    "\\",
    "\\u0000",
    "-",
    "1e999",
    "NaN",
    "null",
    "true",
    "AND",
    "OR",
    "NOT",
    "(",
    ")",
    "LIKE",
    "BETWEEN",
    "IN",
    "IS NULL",
    "S_INTERSECTS",
    "BBOX(",
    "POINT(",
    "POLYGON((",
    "DATE('",
    "%",
    "&",
    "=",
    "%00",
    "%ZZ",
    "\u{10ffff}",
    "港",
    "\"op\"",
    "\"args\"",
    "\"property\"",
    "\"coordinates\"",
    "[121.1,27.9]",
];

fn mutate(rng: &mut SmallRng, seeds: &[&[u8]]) -> Vec<u8> {
    let mut v = seeds[rng.gen_range(0..seeds.len())].to_vec();
    for _ in 0..rng.gen_range(1..=8) {
        let at = if v.is_empty() { 0 } else { rng.gen_range(0..=v.len()) };
        match rng.gen_range(0..6) {
            0 if !v.is_empty() => {
                let i = at.min(v.len() - 1);
                v[i] ^= 1 << rng.gen_range(0..8);
            }
            1 => v.insert(at, rng.gen()),
            2 if !v.is_empty() => {
                let end = (at + rng.gen_range(1..16)).min(v.len());
                v.drain(at.min(end)..end);
            }
            3 => {
                let word = DICTIONARY[rng.gen_range(0..DICTIONARY.len())].as_bytes();
                v.splice(at..at, word.iter().copied());
            }
            4 if !v.is_empty() => {
                let start = rng.gen_range(0..v.len());
                let end = (start + rng.gen_range(1..64)).min(v.len());
                let chunk: Vec<u8> = v[start..end].to_vec();
                for _ in 0..rng.gen_range(1..50) {
                    v.splice(at..at, chunk.iter().copied());
                }
            }
            _ => {
                let other = seeds[rng.gen_range(0..seeds.len())];
                let cut = rng.gen_range(0..=other.len());
                v.truncate(at);
                v.extend_from_slice(&other[cut..]);
            }
        }
    }
    v
}

fn run(name: &str, seeds: &[&[u8]], target: impl Fn(&[u8])) {
    let mut rng = SmallRng::seed_from_u64(13);
    for seed in seeds {
        target(seed);
    }
    for i in 0..iterations() {
        let input = mutate(&mut rng, seeds);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| target(&input)));
        if caught.is_err() {
            panic!("{name}: input {i} panicked: {:?}", String::from_utf8_lossy(&input));
        }
    }
}

#[test]
fn the_feature_reader_never_panics_on_mutated_bodies() {
    let seeds: &[&[u8]] = &[
        br#"{"type":"Feature","id":"a-b","geometry":{"type":"Polygon","coordinates":[[[121.08,27.89],[121.09,27.89],[121.09,27.9],[121.08,27.89]]]},"properties":{"name_zh":"\u6e2f","kind":"port","status":"completed","investment_total":"12.5","progress_pct":40,"start_date":"2024-01-01","sources":[{"title":"t","url":"https://example.org"}],"location_confidence":"high","responsible_units":["\u533a\u53d1\u6539\u5c40"],"investment_by_year":[{"year":2025,"plan":"1","actual":null}]}}"#,
        br#"{"type":"Feature","geometry":{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[121.1,27.9]},{"type":"MultiLineString","coordinates":[[[121.1,27.9],[121.2,27.95]]]}]},"properties":{}}"#,
    ];
    let rules = Rules::default();
    run("feature", seeds, |data| {
        if planmap::geometry::prescan::positions_over(data, 50_000).is_some() {
            return;
        }
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
            let _ = NewProject::from_feature(&v, None, &rules);
        }
    });
}

#[test]
fn the_cql2_parsers_never_panic_on_mutated_filters() {
    let seeds: &[&[u8]] = &[
        b"status = 'completed' AND (task IN (1, 2) OR NOT name_zh LIKE '%\xe6\xb8\xaf%') AND investment_total >= 100.5",
        b"start_date BETWEEN DATE('2024-01-01') AND TIMESTAMP('2025-12-31T00:00:00Z') OR town IS NOT NULL",
        b"S_INTERSECTS(geometry, POLYGON((121 27.8, 121.2 27.8, 121.2 27.9, 121 27.8))) AND S_INTERSECTS(geometry, BBOX(121,27.8,121.2,27.9))",
        br#"{"op":"and","args":[{"op":"=","args":[{"property":"status"},"completed"]},{"op":"not","args":[{"op":"like","args":[{"property":"name_zh"},"%x%"]}]}]}"#,
        br#"{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Polygon","coordinates":[[[121,27.8],[121.2,27.8],[121.2,27.9],[121,27.8]]]}]}"#,
        br#"{"op":"between","args":[{"property":"start_date"},{"date":"2024-01-01"},{"timestamp":"2025-01-01T00:00:00Z"}]}"#,
    ];
    run("cql2", seeds, |data| {
        let text = String::from_utf8_lossy(data);
        let _ = text.parse::<Expr>();
        let _ = json::parse(&text);
    });
}

#[test]
fn the_query_string_reader_never_panics_on_mutated_queries() {
    let seeds: &[&[u8]] = &[
        b"bbox=121.0,27.8,121.2,27.9&status=completed,planned&task=1&action=2&kind=port&q=%E6%B8%AF&ids=a-b,c-d",
        b"as_of=2025-06-30T00:00:00Z&datetime=2024-01-01%2F..&filter=status%20%3D%20%27x%27&filter-lang=cql2-text",
        b"filter-lang=cql2-json&filter=%7B%22op%22%3A%22%3D%22%2C%22args%22%3A%5B%7B%22property%22%3A%22task%22%7D%2C3%5D%7D&limit=10",
    ];
    let towns = Towns::default();
    run("query", seeds, |data| {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(data).into_owned().collect();
        if let Ok(f) = ProjectFilter::from_pairs(&pairs, &towns, &["limit", "offset"]) {
            let _ = f.expression();
        }
    });
}
