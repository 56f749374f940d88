//! The GeoJSON feature reader as a write body reaches it: the vertex pre-scan on the raw bytes,
//! then JSON, then `NewProject::from_feature` (geometry, region, every property). Any input must
//! end in a value or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use planmap::project::{NewProject, Rules};

fuzz_target!(|data: &[u8]| {
    if planmap::geometry::prescan::positions_over(data, 50_000).is_some() {
        return;
    }
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let _ = NewProject::from_feature(&v, None, &Rules::default());
});
