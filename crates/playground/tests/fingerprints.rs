//! Pinned fingerprints of short Playground training runs on the CPU: the
//! losses after every epoch and the weights at the end, bit for bit, natively
//! and in wasm32 (the wasm stage of `cargo xtask test` runs this file in
//! headless Chromium).
//!
//! They were taken on main before the engine's layer model was reshaped
//! (issue 11), so that a refactor that changes any number shows here. If one
//! changes on purpose (new maths, not new code), say why in the commit and pin
//! the new value the failure prints.

use playnet_data::{DatasetKind, FINGERPRINT_START, Feature, fingerprint_f32};
use playnet_engine::{Activation, Cpu, Optimizer, Regularization, ready};
use playnet_playground::{PlaygroundConfig, Session};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Trains `config` for `epochs` epochs and fingerprints the run.
fn run(config: PlaygroundConfig, epochs: u32) -> u64 {
    let mut session = Session::new(Cpu, config).expect("a session");
    let mut hash = FINGERPRINT_START;
    for _ in 0..epochs {
        session.train_epoch().expect("an epoch");
        let m = ready(session.metrics()).unwrap().expect("metrics");
        hash = fingerprint_f32(hash, [m.train_loss, m.test_loss]);
        hash = fingerprint_f32(
            hash,
            [m.train_accuracy, m.test_accuracy].into_iter().flatten(),
        );
    }
    let model = session.model();
    for (_, tensor, _) in model.parameters() {
        hash = fingerprint_f32(
            hash,
            ready(tensor.to_vec(model.backend())).unwrap().unwrap(),
        );
    }
    hash
}

fn check(name: &str, config: PlaygroundConfig, epochs: u32, pinned: u64) {
    let got = run(config, epochs);
    assert_eq!(
        got, pinned,
        "{name}, {epochs} epochs: fingerprint {got:#018x}, pinned {pinned:#018x}"
    );
}

/// The README's spiral run: tanh, plain SGD.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn spiral_run_is_unchanged() {
    let config = PlaygroundConfig {
        dataset: DatasetKind::Spiral,
        features: vec![Feature::X1, Feature::X2, Feature::SinX1, Feature::SinX2],
        network_shape: vec![8, 8],
        activation: Activation::Tanh,
        seed: 7,
        ..Default::default()
    };
    check("spiral", config, 30, 0x4607_dddd_8aae_1dab);
}

/// Four classes from every feature: ReLU, Adam, L2 and dropout.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn multiclass_run_is_unchanged() {
    let config = PlaygroundConfig {
        dataset: DatasetKind::Blobs4,
        noise: 35,
        features: Feature::ALL.to_vec(),
        network_shape: vec![6, 5, 4],
        activation: Activation::Relu,
        optimizer: Optimizer::ADAM,
        learning_rate: 0.01,
        regularization: Some(Regularization::L2),
        regularization_rate: 0.001,
        dropout: 0.2,
        seed: 99,
        ..Default::default()
    };
    check("blobs4", config, 20, 0x95a7_611a_1e1a_a9f2);
}

/// Regression: sigmoid, momentum, L1.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn regression_run_is_unchanged() {
    let config = PlaygroundConfig {
        dataset: DatasetKind::RegGauss,
        features: vec![Feature::X1, Feature::X2, Feature::X1TimesX2],
        network_shape: vec![5],
        activation: Activation::Sigmoid,
        optimizer: Optimizer::Momentum { momentum: 0.9 },
        regularization: Some(Regularization::L1),
        regularization_rate: 0.003,
        seed: 3,
        ..Default::default()
    };
    check("reg-gauss", config, 20, 0x7aa5_3968_8fb2_defc);
}
