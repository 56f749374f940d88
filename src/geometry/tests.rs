use super::*;
use serde_json::json;

fn parse(v: Value) -> Result<ValidGeometry, Vec<GeometryError>> {
    ValidGeometry::parse(&v, &Region::DONGTOU)
}
fn rules(v: Value) -> Vec<&'static str> {
    parse(v).expect_err("should be rejected").iter().map(|e| e.rule).collect()
}

#[test]
fn a_point_on_the_islands_is_accepted_and_rounded_to_seven_decimals() {
    let g = parse(json!({"type":"Point","coordinates":[121.123456789, 27.8312345678]})).unwrap();
    assert_eq!(g.to_geojson(), json!({"type":"Point","coordinates":[121.1234568, 27.8312346]}));
}

#[test]
fn swapped_latitude_and_longitude_is_rejected_with_a_hint() {
    let errs = parse(json!({"type":"Point","coordinates":[27.83, 121.15]})).unwrap_err();
    assert_eq!(errs[0].rule, "range");
    assert!(errs[0].message.contains("swapped"), "{}", errs[0].message);
    assert_eq!(errs[0].pointer, "/coordinates");
}

#[test]
fn a_point_elsewhere_in_china_is_outside_the_region() {
    let errs = parse(json!({"type":"Point","coordinates":[116.4, 39.9]})).unwrap_err();
    assert_eq!(errs[0].rule, "region");
}

#[test]
fn an_open_ring_is_rejected_and_the_last_position_is_named() {
    let errs = parse(json!({"type":"Polygon","coordinates":[[[121.1,27.8],[121.2,27.8],[121.2,27.9],[121.1,27.9]]]})).unwrap_err();
    assert_eq!(errs[0].rule, "closed_ring");
    assert_eq!(errs[0].pointer, "/coordinates/0/3");
}

#[test]
fn a_bow_tie_is_rejected_with_the_crossing_point() {
    let errs = parse(json!({"type":"Polygon","coordinates":[[[121.1,27.8],[121.2,27.9],[121.2,27.8],[121.1,27.9],[121.1,27.8]]]})).unwrap_err();
    assert_eq!(errs[0].rule, "valid");
    assert!(errs[0].message.contains("crosses itself"), "{}", errs[0].message);
    let at = errs[0].at.expect("crossing point");
    assert!((at[0] - 121.15).abs() < 1e-9 && (at[1] - 27.85).abs() < 1e-9, "{at:?}");
}

#[test]
fn non_numbers_empty_geometries_and_short_lines_are_rejected() {
    assert_eq!(rules(json!({"type":"Point","coordinates":["NaN", 27.8]})), ["finite"]);
    assert_eq!(rules(json!({"type":"LineString","coordinates":[]})), ["empty"]);
    assert_eq!(rules(json!({"type":"LineString","coordinates":[[121.1,27.8]]})), ["too_few_points"]);
    assert_eq!(rules(json!({"type":"LineString","coordinates":[[121.1,27.8],[121.1,27.8]]})), ["too_few_points"]);
    assert_eq!(rules(json!({"type":"Polygon","coordinates":[[[121.1,27.8],[121.2,27.8],[121.1,27.8]]]})), ["too_few_points"]);
}

#[test]
fn three_d_coordinates_and_unknown_types_are_rejected() {
    assert_eq!(rules(json!({"type":"Point","coordinates":[121.1,27.8,10.0]})), ["dimension"]);
    assert_eq!(rules(json!({"type":"Circle","coordinates":[121.1,27.8]})), ["type"]);
    assert_eq!(rules(json!({"type":"GeometryCollection","geometries":[]})), ["type"]);
    assert_eq!(rules(json!("POINT(121 27)")), ["type"]);
}

#[test]
fn every_bad_position_is_reported_not_just_the_first() {
    let errs = parse(json!({"type":"LineString","coordinates":[[27.8,121.1],[121.1,27.8],[0,0]]})).unwrap_err();
    let pointers: Vec<&str> = errs.iter().map(|e| e.pointer.as_str()).collect();
    assert_eq!(pointers, ["/coordinates/0", "/coordinates/2"]);
}

#[test]
fn clockwise_exterior_rings_are_turned_counter_clockwise_not_rejected() {
    let cw = json!({"type":"Polygon","coordinates":[[[121.1,27.8],[121.1,27.9],[121.2,27.9],[121.2,27.8],[121.1,27.8]]]});
    let g = parse(cw).unwrap();
    use geo::Winding;
    let Geometry::Polygon(p) = g.geo() else { panic!("polygon expected") };
    assert!(p.exterior().is_ccw());
}

#[test]
fn multi_polygon_errors_name_the_part() {
    let errs = parse(json!({"type":"MultiPolygon","coordinates":[
        [[[121.1,27.8],[121.11,27.8],[121.11,27.81],[121.1,27.81],[121.1,27.8]]],
        [[[121.2,27.8],[121.21,27.81],[121.21,27.8],[121.2,27.81],[121.2,27.8]]]
    ]}))
    .unwrap_err();
    assert_eq!(errs[0].pointer, "/coordinates/1/0");
}

#[test]
fn bbox_strings_are_parsed_and_bad_ones_say_why() {
    assert!("121,27.8,121.2,27.9".parse::<Bbox>().is_ok());
    assert!(matches!("1,2,3".parse::<Bbox>(), Err(BadBbox::Shape(_))));
    assert!(matches!("a,2,3,4".parse::<Bbox>(), Err(BadBbox::NotANumber(_))));
    assert!(matches!("121.2,27.8,121.1,27.9".parse::<Bbox>(), Err(BadBbox::Order(_))));
    assert!(matches!("0,-95,1,1".parse::<Bbox>(), Err(BadBbox::Range(_))));
    assert!(matches!("NaN,1,2,3".parse::<Bbox>(), Err(BadBbox::NotANumber(_))));
}
