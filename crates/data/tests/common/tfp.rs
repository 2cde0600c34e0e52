//! Reading TensorFlow Playground's reference files
//! (`../shared/data/tfp-reference`, see its README), shared by the data
//! crate's and the playground crate's reference tests (`#[path]`-included).

use std::path::PathBuf;

use playnet_data::Point;
use serde_json::Value;

/// The seeds and data sets the reference folder holds.
pub const SEEDS: [&str; 3] = ["0.12345", "0.59704", "0.4242"];
pub const DATASETS: [&str; 6] = ["circle", "xor", "gauss", "spiral", "reg-plane", "reg-gauss"];

/// The reference folder, or `None` (with a message) to skip.
pub fn reference_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/tfp-reference");
    if dir.join("README.md").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("PLAYNET_REQUIRE_SHARED").is_none(),
        "TFP's reference files are missing: expected {} (the repository's \
         ../shared/data/tfp-reference)",
        dir.display()
    );
    eprintln!(
        "skipped: no TFP reference at {} (set PLAYNET_REQUIRE_SHARED=1 to fail instead)",
        dir.display()
    );
    None
}

pub fn read(path: PathBuf) -> Value {
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn f64s(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_f64().expect("a number"))
        .collect()
}

pub fn points(v: &Value) -> Vec<Point> {
    v.as_array()
        .expect("an array of points")
        .iter()
        .map(|p| {
            let p = f64s(p);
            Point {
                x: p[0],
                y: p[1],
                label: p[2],
            }
        })
        .collect()
}
