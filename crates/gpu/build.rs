//! Tells `tests/efficientnet.rs` where the shared EfficientNet-Lite0
//! reference is (`../shared/data/efficientnet-lite0/reference` beside the
//! repository), so that it builds the reference into the test binary: in the
//! browser a test cannot read files. Where a clone has no shared data the
//! `playnet_reference` cfg stays off and the test says it skipped.

use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(playnet_reference)");
    println!("cargo::rerun-if-changed=build.rs");
    let Some(manifest) = std::env::var_os("CARGO_MANIFEST_DIR") else {
        return;
    };
    let dir = PathBuf::from(manifest).join("../../../shared/data/efficientnet-lite0/reference");
    if dir.join("chelsea.input.f32").is_file() {
        println!("cargo::rerun-if-changed={}", dir.display());
        println!("cargo::rustc-cfg=playnet_reference");
        println!("cargo::rustc-env=PLAYNET_REFERENCE={}", dir.display());
    }
}
