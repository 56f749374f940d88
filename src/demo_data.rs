//! Deterministic synthetic projects for scale tests and benchmarks.
//!
//! Every one is marked `synthetic: true`, has an id starting `synthetic-`, and cites the command
//! that made it, so it can never pass for plan data. The mix (60% points, 25% lines, 15% polygons)
//! matches the workload in the design notes' performance measurements.

use crate::geometry::Region;
use crate::project::{Kind, Status};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

/// Where synthetic projects are placed: the district's islands and waters.
const BOX: [f64; 4] = [120.80, 27.65, 121.30, 28.05];

/// `count` synthetic Features from `seed`; the same arguments always give the same features.
pub fn generate(count: u32, seed: u64, region: &Region) -> Vec<Value> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let [min_x, min_y, max_x, max_y] = BOX;
    let r = region.to_array();
    let (min_x, min_y, max_x, max_y) = (min_x.max(r[0] + 0.01), min_y.max(r[1] + 0.01), max_x.min(r[2] - 0.01), max_y.min(r[3] - 0.01));
    (0..count)
        .map(|i| {
            let x = rng.gen_range(min_x..max_x);
            let y = rng.gen_range(min_y..max_y);
            let roll: f64 = rng.gen();
            let geometry = if roll < 0.60 {
                json!({"type": "Point", "coordinates": [x, y]})
            } else if roll < 0.85 {
                let n = rng.gen_range(2..8);
                let mut pts = vec![[x, y]];
                let (mut cx, mut cy) = (x, y);
                for _ in 1..n {
                    cx = (cx + rng.gen_range(-0.004..0.004)).clamp(min_x, max_x);
                    cy = (cy + rng.gen_range(-0.004..0.004)).clamp(min_y, max_y);
                    pts.push([cx, cy]);
                }
                if pts.windows(2).all(|w| w[0] == w[1]) {
                    pts.push([x + 0.001, y + 0.001]);
                }
                json!({"type": "LineString", "coordinates": pts})
            } else {
                // A convex polygon (points on an ellipse in angle order) can never cross itself.
                let n = rng.gen_range(4..12);
                let (rx, ry) = (rng.gen_range(0.0005..0.004), rng.gen_range(0.0005..0.004));
                let mut ring: Vec<[f64; 2]> =
                    (0..n).map(|k| std::f64::consts::TAU * f64::from(k) / f64::from(n)).map(|a| [x + rx * a.cos(), y + ry * a.sin()]).collect();
                ring.push(ring[0]);
                json!({"type": "Polygon", "coordinates": [ring]})
            };
            let status = Status::ALL[rng.gen_range(0..Status::ALL.len())];
            let kind = Kind::ALL[rng.gen_range(0..Kind::ALL.len())];
            let task: u8 = rng.gen_range(1..=16);
            let total = rng.gen_range(100..500_000);
            let done = total * rng.gen_range(0..=100) / 100;
            json!({
                "type": "Feature",
                "id": format!("synthetic-{seed}-{i:07}"),
                "geometry": geometry,
                "properties": {
                    "name_zh": format!("合成测试项目 {i}"),
                    "name_en": format!("Synthetic project {i}"),
                    "task": task,
                    "kind": kind.as_str(),
                    "status": status.as_str(),
                    "investment_total": total.to_string(),
                    "investment_completed": done.to_string(),
                    "progress_pct": rng.gen_range(0..=100),
                    "sources": [{"title": format!("planmap demo-data --count {count} --seed {seed}"), "url": null}],
                    "location_confidence": "low",
                    "synthetic": true
                }
            })
        })
        .collect()
}
