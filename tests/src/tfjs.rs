//! TensorFlow.js for the side-by-side benchmarks: a folder with npm's
//! `@tensorflow/tfjs` and `@tensorflow/tfjs-backend-wasm` scripts (test
//! tooling only, never shipped in the page) and the benchmark's own page.
//!
//! ```sh
//! npm install --prefix target/tfjs-bench @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0
//! ```

use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// What to run when the packages are missing.
pub const INSTALL: &str = "npm install --prefix target/tfjs-bench \
    @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0";

/// A folder holding `tf.min.js`, `tf-backend-wasm.min.js`, the backend's
/// `.wasm` files and `page` as `name`, or `None` when npm has not installed
/// the packages into `target/tfjs-bench`.
pub fn site(name: &str, page: &str) -> Result<Option<PathBuf>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/tfjs-bench");
    let modules = root.join("node_modules/@tensorflow");
    let tfjs = modules.join("tfjs/dist/tf.min.js");
    let wasm_dist = modules.join("tfjs-backend-wasm/dist");
    if !tfjs.is_file() || !wasm_dist.is_dir() {
        return Ok(None);
    }
    let site = root.join("site");
    std::fs::create_dir_all(&site).map_err(|e| Error::new(format!("{}: {e}", site.display())))?;
    let copy = |from: &Path, name: &str| -> Result<()> {
        std::fs::copy(from, site.join(name))
            .map(drop)
            .map_err(|e| Error::new(format!("copying {}: {e}", from.display())))
    };
    copy(&tfjs, "tf.min.js")?;
    copy(
        &wasm_dist.join("tf-backend-wasm.min.js"),
        "tf-backend-wasm.min.js",
    )?;
    let entries =
        std::fs::read_dir(&wasm_dist).map_err(|e| Error::new(format!("{wasm_dist:?}: {e}")))?;
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().to_string();
        if file.ends_with(".wasm") {
            copy(&entry.path(), &file)?;
        }
    }
    std::fs::write(site.join(name), page)
        .map_err(|e| Error::new(format!("writing the TensorFlow.js page {name}: {e}")))?;
    Ok(Some(site))
}
