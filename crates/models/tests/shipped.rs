//! The shipped weights (`assets/efficientnet-lite0/efficientnet-lite0.safetensors`,
//! f16 weights and f32 biases) against the float64 reference: how far f16
//! moves the features and logits, and that no image's top-5 changes.

mod common;

use std::path::PathBuf;

use playnet_engine::Cpu;
use playnet_models::efficientnet::{Precision, shipped, torch};
use playnet_models::imagenet::top_k;
use playnet_models::pth::read_pth;
use playnet_models::{EfficientNet, Images, Layout};

/// The deviation f16 is allowed: measured 0.029 on features and 0.034 on
/// logits (max |logit| ≈ 11.6); more means the conversion changed.
const F16_TOLERANCE: f32 = 0.05;

fn shipped_bytes() -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/efficientnet-lite0/efficientnet-lite0.safetensors");
    common::read(&path)
}

fn top5(logits: &[f32]) -> Vec<usize> {
    top_k(logits, 5).into_iter().map(|t| t.0).collect()
}

#[test]
fn shipped_weights_keep_every_top5_and_stay_close() {
    if common::skip_without_shared_data() {
        return;
    }
    let tensors = shipped::read(&shipped_bytes()).unwrap();
    let net = EfficientNet::from_folded(Cpu, &tensors).unwrap();
    let (mut features, mut logits) = (0.0f32, 0.0f32);
    for name in common::IMAGES {
        let input = common::reference(name, "input");
        let out = net
            .forward(&Images::new(&input, 1, 224, 224, Layout::Nchw).unwrap())
            .unwrap();
        let want = common::reference(name, "logits");
        features = features.max(common::max_abs_diff(
            &out.features,
            &common::reference(name, "features"),
        ));
        logits = logits.max(common::max_abs_diff(&out.logits, &want));
        assert_eq!(top5(&out.logits), top5(&want), "{name}'s top-5 changed");
    }
    println!("shipped (f16) weights: max |Δ| features {features:.4}, logits {logits:.4}");
    assert!(
        features < F16_TOLERANCE && logits < F16_TOLERANCE,
        "features {features}, logits {logits}"
    );
}

/// Folded weights written as f32 and read back give the same network as
/// the state dict, bit for bit.
#[test]
fn f32_safetensors_round_trip_the_folded_network() {
    if common::skip_without_shared_data() {
        return;
    }
    let state = read_pth(&common::pth_bytes()).unwrap().into_map();
    let folded = torch::fold(&state).unwrap();
    let back = shipped::read(&shipped::write(&folded, Precision::F32).unwrap()).unwrap();
    assert_eq!(back, folded);
    let input = common::reference("coffee", "input");
    let images = Images::new(&input, 1, 224, 224, Layout::Nchw).unwrap();
    let a = EfficientNet::from_torch(Cpu, &state)
        .unwrap()
        .logits(&images);
    let b = EfficientNet::from_folded(Cpu, &back)
        .unwrap()
        .logits(&images);
    assert_eq!(a.unwrap(), b.unwrap());
}
