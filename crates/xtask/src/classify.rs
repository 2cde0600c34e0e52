//! `cargo xtask classify`: EfficientNet-Lite0 on image files (top-5 as JSON
//! lines), or on the reference inputs against the reference outputs.

use std::path::{Path, PathBuf};
use std::time::Instant;

use playnet_engine::Cpu;
use playnet_models::efficientnet::{arch, shipped};
use playnet_models::imagenet::{class_names, top_k};
use playnet_models::preprocess::imagenet_input;
use playnet_models::{EfficientNet, Images, Layout};
use serde_json::json;

use crate::convert_efficientnet::{SHIPPED, default_pth, read_state_dict};
use crate::util::{Error, Result, fail, workspace_root};
use crate::{Flags, images};

pub const HELP: &str = "\
usage: cargo xtask classify [options] IMAGE…
       cargo xtask classify --reference DIR [--shipped] [--pth PATH]

Runs EfficientNet-Lite0 natively. For each PNG or JPEG image, prints one
JSON line: image, top5 (a list of [index, name, probability]) and ms (the
preprocessing and the network pass, not the decoding). Preprocessing:
shorter side to 256 with Pillow's bilinear filter, centre crop 224,
(p - 127)/128.

With --reference DIR, feeds DIR/NAME.input.f32 for chelsea, coffee and
rocket instead and prints one JSON line: max_feature_error and
max_logit_error (largest absolute difference from DIR/NAME.features.f32 and
NAME.logits.f32) and top5_unchanged (each image's top-5 classes are the
reference's, in order).

options:
  --shipped       use the shipped weights (assets/efficientnet-lite0/
                  efficientnet-lite0.safetensors) instead of the .pth
  --pth PATH      the PyTorch state dict
                  [../shared/data/efficientnet-lite0/efficientnet-lite0-57934424.pth]
  --names PATH    the class names      [assets/imagenet/imagenet1k_names.json]
  --reference DIR compare with the reference outputs in DIR";

/// The class names shipped with the page.
pub const NAMES: &str = "assets/imagenet/imagenet1k_names.json";

/// The reference images.
pub const REFERENCE_IMAGES: [&str; 3] = ["chelsea", "coffee", "rocket"];

pub fn run(args: &[String]) -> Result<()> {
    let mut flags = Flags::new("classify", args);
    let shipped = flags.switch("--shipped")?;
    let pth = flags.value("--pth")?.map(PathBuf::from);
    let names = flags.value("--names")?.map(PathBuf::from);
    let reference = flags.value("--reference")?.map(PathBuf::from);
    let images = flags.positional()?;
    if shipped && pth.is_some() {
        return Err(Error::Usage("give --shipped or --pth, not both".into()));
    }
    let net = load(shipped, pth.as_deref())?;
    match reference {
        Some(dir) => {
            if !images.is_empty() {
                return Err(Error::Usage("--reference takes no images".into()));
            }
            let report = compare(&net, &dir)?;
            println!("{report}");
            Ok(())
        }
        None if images.is_empty() => Err(Error::Usage("give at least one image".into())),
        None => {
            let path = names.unwrap_or_else(|| workspace_root().join(NAMES));
            let text = std::fs::read_to_string(&path)
                .map_err(|e| fail!("cannot read {}: {e}", path.display()))?;
            let names = class_names(&text).map_err(|e| fail!("{}: {e}", path.display()))?;
            for image in images {
                println!("{}", classify(&net, Path::new(image), &names)?);
            }
            Ok(())
        }
    }
}

/// The network from the shipped file or a `.pth`.
pub fn load(shipped: bool, pth: Option<&Path>) -> Result<EfficientNet<Cpu>> {
    if shipped {
        let path = workspace_root().join(SHIPPED);
        let bytes = std::fs::read(&path).map_err(|e| {
            fail!(
                "cannot read {}: {e} (`cargo xtask convert-efficientnet` writes it)",
                path.display()
            )
        })?;
        let tensors = shipped::read(&bytes).map_err(|e| fail!("{}: {e}", path.display()))?;
        EfficientNet::from_folded(Cpu, &tensors).map_err(|e| fail!("{}: {e}", path.display()))
    } else {
        let path = pth.map_or_else(default_pth, Path::to_path_buf);
        let state = read_state_dict(&path)?;
        EfficientNet::from_torch(Cpu, &state).map_err(|e| fail!("{}: {e}", path.display()))
    }
}

/// One image's JSON line.
fn classify(net: &EfficientNet<Cpu>, path: &Path, names: &[String]) -> Result<serde_json::Value> {
    let image = images::decode(path)?;
    let started = Instant::now();
    let input = imagenet_input(&image).map_err(|e| fail!("{}: {e}", path.display()))?;
    let images = Images::new(&input, 1, 224, 224, Layout::Nhwc).map_err(|e| fail!("{e}"))?;
    let logits = net
        .logits(&images)
        .map_err(|e| fail!("{}: {e}", path.display()))?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let top5: Vec<_> = top_k(&logits, 5)
        .into_iter()
        .map(|(i, p)| json!([i, names.get(i).map_or("?", String::as_str), p]))
        .collect();
    Ok(
        json!({ "image": path.display().to_string(), "top5": top5, "ms": (ms * 10.0).round() / 10.0 }),
    )
}

/// How far `net` is from the reference outputs in `dir`.
pub fn compare(net: &EfficientNet<Cpu>, dir: &Path) -> Result<serde_json::Value> {
    let (mut features, mut logits, mut unchanged) = (0.0f32, 0.0f32, true);
    for name in REFERENCE_IMAGES {
        let input = read_f32(&dir.join(format!("{name}.input.f32")))?;
        let images = Images::new(&input, 1, 224, 224, Layout::Nchw)
            .map_err(|e| fail!("{name}.input.f32: {e}"))?;
        let out = net.forward(&images).map_err(|e| fail!("{name}: {e}"))?;
        let want_features = read_f32(&dir.join(format!("{name}.features.f32")))?;
        let want_logits = read_f32(&dir.join(format!("{name}.logits.f32")))?;
        if want_features.len() != arch::FEATURES || want_logits.len() != arch::CLASSES {
            return Err(fail!(
                "{}: the reference outputs have the wrong length",
                dir.display()
            ));
        }
        features = features.max(max_abs_diff(&out.features, &want_features));
        logits = logits.max(max_abs_diff(&out.logits, &want_logits));
        let top = |l: &[f32]| top_k(l, 5).into_iter().map(|t| t.0).collect::<Vec<_>>();
        unchanged &= top(&out.logits) == top(&want_logits);
    }
    Ok(json!({
        "max_feature_error": features,
        "max_logit_error": logits,
        "top5_unchanged": unchanged,
    }))
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// A raw little-endian f32 file.
fn read_f32(path: &Path) -> Result<Vec<f32>> {
    let bytes = std::fs::read(path).map_err(|e| fail!("cannot read {}: {e}", path.display()))?;
    if !bytes.len().is_multiple_of(4) {
        return Err(fail!(
            "{}: {} bytes are not f32 values",
            path.display(),
            bytes.len()
        ));
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert_efficientnet::shared_data;

    /// The reference input of `name` as NHWC grey levels.
    fn reference_levels(name: &str) -> Vec<f32> {
        let dir = shared_data().join("efficientnet-lite0/reference");
        let nchw = read_f32(&dir.join(format!("{name}.input.f32"))).unwrap();
        let hw = 224 * 224;
        (0..3 * hw)
            .map(|i| nchw[(i % 3) * hw + i / 3] * 128.0 + 127.0)
            .collect()
    }

    /// Our decoding and preprocessing of each sample photo against Pillow's:
    /// the PNGs exactly; rocket.jpg within a few grey levels (measured: at
    /// most 2, 0.036 on average), since jpeg-decoder's IDCT and chroma
    /// upsampling are not libjpeg's.
    #[test]
    fn sample_photos_preprocess_close_to_the_reference() {
        if crate::convert_efficientnet::skip_without_shared_data() {
            return;
        }
        let samples = shared_data().join("imagenet-samples");
        assert!(
            samples.is_dir(),
            "the shared data is missing: {}",
            samples.display()
        );
        for (file, allowed_max, allowed_mean) in [
            ("chelsea.png", 0.0, 0.0),
            ("coffee.png", 0.0, 0.0),
            ("rocket.jpg", 3.0, 0.1),
        ] {
            let image = images::decode(&samples.join(file)).unwrap();
            let ours = imagenet_input(&image).unwrap();
            let want = reference_levels(file.split('.').next().unwrap());
            let diffs: Vec<f32> = ours
                .iter()
                .zip(&want)
                .map(|(&x, &w)| (x * 128.0 + 127.0 - w).abs())
                .collect();
            let max = diffs.iter().copied().fold(0.0, f32::max);
            let mean = diffs.iter().sum::<f32>() / diffs.len() as f32;
            println!("{file}: grey levels off by at most {max}, {mean:.3} on average");
            assert!(
                max <= allowed_max && mean <= allowed_mean,
                "{file}: {max}, {mean}"
            );
        }
    }
}
