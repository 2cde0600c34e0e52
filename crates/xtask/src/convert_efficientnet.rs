//! `cargo xtask convert-efficientnet`: EfficientNet-Lite0's PyTorch state
//! dict (the legacy `.pth` in the shared data) to the compact safetensors
//! file the page loads, batch norm folded in, weights in f16.

use std::path::{Path, PathBuf};

use playnet_models::efficientnet::{Precision, shipped, torch};
use playnet_models::pth::read_pth;

use crate::Flags;
use crate::util::{Result, fail, workspace_root};

pub const HELP: &str = "\
usage: cargo xtask convert-efficientnet [--pth PATH] [--out DIR] [--f32]

Reads EfficientNet-Lite0's legacy PyTorch state dict, folds each batch norm
(eps 1e-3) into its convolution, and writes the folded weights and biases
as DIR/efficientnet-lite0.safetensors: weights in f16, biases in f32
(`cargo xtask classify --reference … --shipped` measures what f16 costs).

options:
  --pth PATH    the state dict
                [../shared/data/efficientnet-lite0/efficientnet-lite0-57934424.pth]
  --out DIR     where to write                  [assets/efficientnet-lite0]
  --f32         keep the weights in f32 (twice the size)";

/// The file the page loads (relative to the workspace root).
pub const SHIPPED: &str = "assets/efficientnet-lite0/efficientnet-lite0.safetensors";

/// The shared data, beside the repository.
pub fn shared_data() -> PathBuf {
    workspace_root().join("../shared/data")
}

/// Whether a test that needs the shared data should skip: it is absent
/// (a clone away from the project's machines) and `PLAYNET_REQUIRE_SHARED`
/// is not set.
#[cfg(test)]
pub fn skip_without_shared_data() -> bool {
    let missing = !shared_data().join("efficientnet-lite0").is_dir();
    if missing && std::env::var_os("PLAYNET_REQUIRE_SHARED").is_none() {
        eprintln!("skipped: no shared data at {}", shared_data().display());
        return true;
    }
    false
}

/// The `.pth` in the shared data.
pub fn default_pth() -> PathBuf {
    shared_data().join("efficientnet-lite0/efficientnet-lite0-57934424.pth")
}

pub fn run(args: &[String]) -> Result<()> {
    let mut flags = Flags::new("convert-efficientnet", args);
    let pth = flags
        .value("--pth")?
        .map_or_else(default_pth, PathBuf::from);
    let out = flags.value("--out")?.map_or_else(
        || workspace_root().join("assets/efficientnet-lite0"),
        PathBuf::from,
    );
    let precision = if flags.switch("--f32")? {
        Precision::F32
    } else {
        Precision::F16
    };
    flags.finish()?;
    let bytes = convert(&pth, precision)?;
    std::fs::create_dir_all(&out).map_err(|e| fail!("cannot create {}: {e}", out.display()))?;
    let path = out.join("efficientnet-lite0.safetensors");
    std::fs::write(&path, &bytes).map_err(|e| fail!("cannot write {}: {e}", path.display()))?;
    println!(
        "wrote {} ({} bytes, {:.2} MiB, weights {precision:?})",
        path.display(),
        bytes.len(),
        bytes.len() as f64 / (1 << 20) as f64
    );
    Ok(())
}

/// The safetensors bytes of the folded `.pth` at `pth`.
pub fn convert(pth: &Path, precision: Precision) -> Result<Vec<u8>> {
    let state = read_state_dict(pth)?;
    let folded = torch::fold(&state).map_err(|e| fail!("{}: {e}", pth.display()))?;
    shipped::write(&folded, precision).map_err(|e| fail!("{e}"))
}

/// The state dict of the `.pth` at `path`.
pub fn read_state_dict(path: &Path) -> Result<playnet_models::TensorMap> {
    let bytes = std::fs::read(path).map_err(|e| fail!("cannot read {}: {e}", path.display()))?;
    Ok(read_pth(&bytes)
        .map_err(|e| fail!("{}: {e}", path.display()))?
        .into_map())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped file is what this command makes of the shared `.pth`
    /// (so it can be rebuilt, and nobody edits it by hand).
    #[test]
    fn the_shipped_weights_are_the_converted_pth() {
        if skip_without_shared_data() {
            return;
        }
        let pth = default_pth();
        assert!(
            pth.is_file(),
            "the shared data is missing: expected {} (the repository's ../shared/data)",
            pth.display()
        );
        let converted = convert(&pth, Precision::F16).unwrap();
        let shipped = std::fs::read(workspace_root().join(SHIPPED)).unwrap();
        assert!(
            converted == shipped,
            "{SHIPPED} differs from a fresh conversion"
        );
    }

    #[test]
    fn a_file_that_is_not_a_pth_is_refused_with_its_name() {
        let path = workspace_root().join("Cargo.toml");
        let err = convert(&path, Precision::F16).unwrap_err().to_string();
        assert!(
            err.contains("Cargo.toml: not a legacy PyTorch file"),
            "{err}"
        );
    }
}
