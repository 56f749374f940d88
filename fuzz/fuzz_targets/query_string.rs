//! Query-string parsing: any bytes as the query of `/api/projects` or `/items`, decoded as the
//! server decodes them and read into a `ProjectFilter` (bbox, lists, dates, CQL2 in both languages).
#![no_main]

use libfuzzer_sys::fuzz_target;
use planmap::project::{ProjectFilter, Towns};

fuzz_target!(|data: &[u8]| {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(data).into_owned().collect();
    let towns = Towns::default();
    if let Ok(f) = ProjectFilter::from_pairs(&pairs, &towns, &["limit", "offset", "f"]) {
        let _ = f.expression();
    }
});
