//! The same seed gives bit-identical data and initial weights natively and in
//! wasm32: this file runs both as a native test and, through
//! `wasm-bindgen-test`, in headless Chromium (`cargo xtask test` does both), and
//! each build must produce the same pinned fingerprints.

use playnet_data::{DatasetKind, Feature, golden};
use playnet_engine::Activation;
use playnet_playground::{PlaygroundConfig, fingerprint};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// `fingerprint` of the reference spiral run (data + initial weights).
const SPIRAL_SEED7: u64 = 0x15f9_f78c_fb3d_9977;
/// `fingerprint` of a noisy multi-class run with every input feature.
const BLOBS4_SEED99: u64 = 0xf46e_3766_e1a8_498a;
/// `fingerprint` of the spiral run on TensorFlow Playground's seed
/// `0.12345` (its seedrandom stream, and `sin` through `libm`): the page and
/// `cargo xtask train` agree on a TFP link too.
const SPIRAL_TFP_SEED: u64 = 0x39a4_b236_f11e_01d4;

fn spiral() -> PlaygroundConfig {
    PlaygroundConfig {
        dataset: DatasetKind::Spiral,
        features: vec![Feature::X1, Feature::X2, Feature::SinX1, Feature::SinX2],
        network_shape: vec![8, 8],
        activation: Activation::Tanh,
        seed: 7,
        ..Default::default()
    }
}

fn blobs() -> PlaygroundConfig {
    PlaygroundConfig {
        dataset: DatasetKind::Blobs4,
        noise: 35,
        perc_train_data: 70,
        features: Feature::ALL.to_vec(),
        network_shape: vec![6, 5, 4],
        seed: 99,
        ..Default::default()
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn data_fingerprints_match_the_pinned_values() {
    let spiral = playnet_data::make(DatasetKind::Spiral, 0, 50, 7).unwrap();
    assert_eq!(spiral.fingerprint(), golden::SPIRAL_0_50_SEED7);
    let circle = playnet_data::make(DatasetKind::Circle, 25, 50, 42).unwrap();
    assert_eq!(circle.fingerprint(), golden::CIRCLE_25_50_SEED42);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn data_and_initial_weights_match_the_pinned_values() {
    assert_eq!(
        fingerprint(&spiral()).unwrap(),
        SPIRAL_SEED7,
        "spiral: {:#x}",
        fingerprint(&spiral()).unwrap()
    );
    assert_eq!(
        fingerprint(&blobs()).unwrap(),
        BLOBS4_SEED99,
        "blobs: {:#x}",
        fingerprint(&blobs()).unwrap()
    );
    let mut tfp = spiral();
    tfp.noise = 25;
    tfp.set_seed_text("0.12345");
    assert_eq!(
        fingerprint(&tfp).unwrap(),
        SPIRAL_TFP_SEED,
        "spiral on a TFP seed: {:#x}",
        fingerprint(&tfp).unwrap()
    );
}
