//! Counting GeoJSON positions in raw JSON bytes, before anything is parsed.
//!
//! Parsing a JSON body into a tree costs tens of bytes per number, so a 6 MB body of a million
//! `[x,y]` pairs becomes hundreds of megabytes before any vertex limit could look at it. This
//! scan walks the bytes once with no allocation beyond a nesting stack, and stops as soon as one
//! geometry's positions pass the limit.

/// The first geometry in `json` with more than `limit` positions, as `Some(limit + 1)` (the
/// count when the scan stopped); `None` when every geometry is within the limit.
///
/// A position is an array whose first element is a number (`[121.1, 27.9]`); a geometry is a
/// nest of arrays entered from an object or the top level (a `coordinates` value, also a
/// `bbox`). Brackets inside strings are skipped. Malformed JSON is not judged here: the parser
/// that runs next reports it.
pub fn positions_over(json: &[u8], limit: usize) -> Option<usize> {
    // What encloses the current point: `true` for an array, `false` for an object.
    let mut in_array: Vec<bool> = Vec::new();
    let mut run = 0usize;
    let mut i = 0;
    while i < json.len() {
        match json[i] {
            b'"' => {
                i += 1;
                while i < json.len() && json[i] != b'"' {
                    i += if json[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'[' => {
                if in_array.last() != Some(&true) {
                    run = 0;
                }
                in_array.push(true);
                let next = json[i + 1..].iter().find(|b| !b.is_ascii_whitespace());
                if next.is_some_and(|b| b.is_ascii_digit() || *b == b'-') {
                    run += 1;
                    if run > limit {
                        return Some(run);
                    }
                }
            }
            b'{' => in_array.push(false),
            b']' | b'}' => {
                in_array.pop();
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::positions_over;

    fn line(n: usize) -> String {
        let pts: Vec<String> = (0..n).map(|i| format!("[121.{i}, 27.9]")).collect();
        format!(r#"{{"type":"Feature","geometry":{{"type":"LineString","coordinates":[{}]}},"properties":{{}}}}"#, pts.join(","))
    }

    #[test]
    fn counts_positions_per_geometry_and_stops_past_the_limit() {
        assert_eq!(positions_over(line(10).as_bytes(), 10), None);
        assert_eq!(positions_over(line(11).as_bytes(), 10), Some(11));
        assert_eq!(positions_over(line(1000).as_bytes(), 10), Some(11), "stops early");
        // Two features of 8 each: each within a limit of 10, though 16 in all.
        let fc = format!(r#"{{"type":"FeatureCollection","features":[{},{}]}}"#, line(8), line(8));
        assert_eq!(positions_over(fc.as_bytes(), 10), None);
        let poly = r#"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]]]]}"#;
        assert_eq!(positions_over(poly.as_bytes(), 8), None);
        assert_eq!(positions_over(poly.as_bytes(), 7), Some(8), "a multi-geometry is one geometry");
    }

    #[test]
    fn brackets_in_strings_and_non_numeric_arrays_are_not_positions() {
        let tricky = r#"{"name":"[1,2] [3,4] \"[5,6]","tags":["[7]","x"],"geometry":{"type":"Point","coordinates":[ -1.5, 2]}}"#;
        assert_eq!(positions_over(tricky.as_bytes(), 1), None);
        assert_eq!(positions_over(tricky.as_bytes(), 0), Some(1));
        assert_eq!(positions_over(b"[[[[", 0), None, "malformed input is left to the parser");
        assert_eq!(positions_over(b"\"unterminated \\", 0), None);
    }
}
