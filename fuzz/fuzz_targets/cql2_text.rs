//! The CQL2 parsers: any text as `filter`, in CQL2 text and in CQL2-JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use planmap::project::cql2::{json, Expr};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = text.parse::<Expr>();
    let _ = json::parse(text);
});
