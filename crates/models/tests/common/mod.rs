//! Where the shared data lives, and reading its raw files.
#![allow(dead_code)]

use std::path::PathBuf;

/// Whether to skip a test because `../shared/data` is not beside this
/// checkout (it is on the project's machines; a clone elsewhere lacks it).
/// With `PLAYNET_REQUIRE_SHARED=1` a missing directory fails instead.
pub fn skip_without_shared_data() -> bool {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    let missing = !dir.join("efficientnet-lite0").is_dir();
    if missing && std::env::var_os("PLAYNET_REQUIRE_SHARED").is_none() {
        eprintln!(
            "skipped: no shared data at {} (set PLAYNET_REQUIRE_SHARED=1 to fail instead)",
            dir.display()
        );
        return true;
    }
    false
}

/// `shared/data/` beside the repository (`../shared` from its root), or a
/// panic that says where it was looked for: these tests must not pass
/// without the data.
pub fn shared_data() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    assert!(
        dir.join("efficientnet-lite0").is_dir(),
        "the shared data directory is missing: expected {} (the repository's ../shared/data, \
         with efficientnet-lite0/ and imagenet-samples/)",
        dir.display()
    );
    dir
}

/// The `.pth` file's bytes.
pub fn pth_bytes() -> Vec<u8> {
    read(&shared_data().join("efficientnet-lite0/efficientnet-lite0-57934424.pth"))
}

/// A file's bytes, or a panic naming it.
pub fn read(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// A raw little-endian f32 reference file, `NAME.PART.f32`.
pub fn reference(name: &str, part: &str) -> Vec<f32> {
    let path = shared_data().join(format!("efficientnet-lite0/reference/{name}.{part}.f32"));
    read(&path)
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// The three reference images.
pub const IMAGES: [&str; 3] = ["chelsea", "coffee", "rocket"];

/// The largest absolute difference, checking the lengths agree.
pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "lengths differ");
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}
