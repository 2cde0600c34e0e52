//! The model loaders against hostile files, natively and in the browser
//! (`cargo xtask test` runs this file in headless Chromium too, where `usize`
//! is 32 bits and a size product overflows where it would not natively).
//!
//! A crafted config must be refused with its reason before anything large is
//! allocated, and tensors holding NaN or an infinity must be refused naming
//! the tensor. The generated cases are seeded, so a failure reproduces.

use playnet_engine::net::{MAX_FEATURES, MAX_PARAMETERS};
use playnet_engine::{
    Activation, Checkpoint, Cpu, Features, Init, Layer, Loss, MlpConfig, Net, NetConfig, ready,
};
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const CLASSES: usize = 10;

/// A valid export of the MNIST lab's softmax network.
fn softmax_export() -> Checkpoint {
    let config = NetConfig {
        input: Features::Image([28, 28, 1]),
        layers: vec![Layer::Dense {
            units: CLASSES,
            activation: Activation::Linear,
        }],
        init: Init::Zero,
        loss: Loss::SoftmaxCrossEntropy,
    };
    let net = Net::new(Cpu, config, CLASSES, 1).unwrap();
    ready(net.save()).unwrap().unwrap()
}

/// `checkpoint` with its config JSON changed by `edit`.
fn with_config(checkpoint: &Checkpoint, edit: impl FnOnce(&mut Value)) -> Checkpoint {
    let mut config: Value = serde_json::from_str(&checkpoint.config_json).unwrap();
    edit(&mut config);
    Checkpoint {
        config_json: config.to_string(),
        weights: checkpoint.weights.clone(),
    }
}

fn refusal(checkpoint: &Checkpoint) -> String {
    match Net::load(Cpu, checkpoint, CLASSES) {
        Ok(_) => panic!("loaded {}", checkpoint.config_json),
        Err(e) => e.to_string(),
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_huge_input_shape_is_refused_not_overflowed() {
    let export = softmax_export();
    // 3·10¹⁰ values: more than a 32-bit usize holds.
    let crafted = with_config(&export, |c| c["input"] = json!([100000, 100000, 3]));
    let err = refusal(&crafted);
    assert!(err.contains("100000×100000×3"), "{err}");
    let crafted = with_config(&export, |c| c["input"] = json!([65536, 65536, 1]));
    assert!(refusal(&crafted).contains("values per example"));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_huge_layer_is_refused_before_it_is_built() {
    let export = softmax_export();
    // 784 × 200,000 weights (~630 MB) in front of the logits.
    let crafted = with_config(&export, |c| {
        let logits = c["layers"][0].clone();
        c["layers"] = json!([{"type": "dense", "units": 200000, "activation": "relu"}, logits]);
    });
    let err = refusal(&crafted);
    assert!(err.contains("parameters"), "{err}");
    // Filters whose output overflows 32 bits.
    let crafted = with_config(&export, |c| {
        let logits = c["layers"][0].clone();
        c["layers"] = json!([
            {"type": "conv", "filters": 4000000000u64, "kernel": 3, "stride": 1, "padding": "same", "activation": "relu"},
            logits
        ]);
    });
    let err = refusal(&crafted);
    assert!(err.contains("layer 1"), "{err}");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_file_whose_shapes_differ_names_the_tensor_and_both_shapes() {
    let export = softmax_export();
    let crafted = with_config(&export, |c| c["input"] = json!([14, 14, 1]));
    let err = refusal(&crafted);
    assert!(
        err.contains("layers.0.weight") && err.contains("[784, 10]") && err.contains("[196, 10]"),
        "{err}"
    );
}

/// `checkpoint` with every value of tensor `name` set to `value`.
fn poisoned(checkpoint: &Checkpoint, name: &str, value: f32) -> Checkpoint {
    let file = safetensors::SafeTensors::deserialize(&checkpoint.weights).unwrap();
    let tensors: Vec<(String, Vec<usize>, Vec<u8>)> = file
        .tensors()
        .into_iter()
        .map(|(n, view)| {
            let data = if n == name {
                view.data()
                    .chunks_exact(4)
                    .flat_map(|_| value.to_le_bytes())
                    .collect()
            } else {
                view.data().to_vec()
            };
            (n, view.shape().to_vec(), data)
        })
        .collect();
    let views = tensors.iter().map(|(n, shape, data)| {
        let view = safetensors::tensor::TensorView::new(
            safetensors::Dtype::F32,
            shape.clone(),
            data.as_slice(),
        )
        .unwrap();
        (n.clone(), view)
    });
    Checkpoint {
        config_json: checkpoint.config_json.clone(),
        weights: safetensors::serialize(views, None).unwrap(),
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn non_finite_tensors_are_refused_naming_the_tensor() {
    let export = softmax_export();
    for value in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        for name in ["layers.0.weight", "layers.0.bias"] {
            let err = refusal(&poisoned(&export, name, value));
            assert!(err.contains(name) && err.contains("finite"), "{err}");
        }
    }
    // The Playground's networks go through the same reader.
    let mlp = MlpConfig::uniform(
        2,
        &[4],
        Activation::Tanh,
        1,
        Activation::Sigmoid,
        Loss::BinaryCrossEntropy,
    )
    .build(Cpu, 3)
    .unwrap();
    let export = ready(mlp.save()).unwrap().unwrap();
    let err = Net::load(Cpu, &poisoned(&export, "layers.1.weight", f32::NAN), 1)
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("layers.1.weight") && err.contains("NaN"),
        "{err}"
    );
}

/// Sizes where arithmetic breaks: powers of two and their neighbours up to
/// `u32::MAX`, and small ones.
fn extreme(rng: &mut impl Rng) -> u64 {
    match rng.random_range(0..4) {
        0 => rng.random_range(0..=8),
        1 => {
            let bit = rng.random_range(8..32);
            let base = 1u64 << bit;
            (base + rng.random_range(0..3)).saturating_sub(1)
        }
        2 => u64::from(u32::MAX) - rng.random_range(0..3),
        _ => rng.random_range(0..=u64::from(u32::MAX)),
    }
}

fn random_layer(rng: &mut impl Rng) -> Value {
    let padding = if rng.random_bool(0.5) {
        "same"
    } else {
        "valid"
    };
    match rng.random_range(0..5) {
        0 => json!({"type": "dense", "units": extreme(rng), "activation": "relu"}),
        1 => json!({
            "type": "conv", "filters": extreme(rng), "kernel": extreme(rng),
            "stride": extreme(rng), "padding": padding, "activation": "relu"
        }),
        2 => json!({"type": "max_pool", "size": extreme(rng), "stride": extreme(rng)}),
        3 => json!({"type": "dropout", "keep": 0.5}),
        _ => json!({"type": "batch_norm", "activation": "relu"}),
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn generated_configs_with_extreme_sizes_never_panic_and_stay_bounded() {
    let export = softmax_export();
    let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(19);
    let mut refused = 0;
    for _ in 0..600 {
        let crafted = with_config(&export, |c| {
            c["input"] = json!([extreme(&mut rng), extreme(&mut rng), extreme(&mut rng)]);
            let mut layers: Vec<Value> = (0..rng.random_range(0..4))
                .map(|_| random_layer(&mut rng))
                .collect();
            layers.push(c["layers"][0].clone());
            c["layers"] = Value::Array(layers);
        });
        // The loader and the sizes a page shows must never panic.
        let loaded = Net::load(Cpu, &crafted, CLASSES);
        if let Ok(config) = serde_json::from_str::<NetConfig>(&crafted.config_json)
            && let Ok(shapes) = config.shapes()
        {
            assert!(shapes.iter().all(|s| s.len() <= MAX_FEATURES));
            let parameters = config.parameter_count().unwrap();
            assert!(parameters <= MAX_PARAMETERS, "{}", crafted.config_json);
        }
        match loaded {
            // Only a network the weights fit (the softmax one) loads.
            Ok(net) => assert_eq!(net.config().input_len(), 784),
            Err(e) => {
                assert!(!e.to_string().is_empty());
                refused += 1;
            }
        }
    }
    assert!(refused > 500, "only {refused} of 600 refused");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn generated_playground_configs_with_extreme_sizes_never_panic() {
    let config = MlpConfig::uniform(
        2,
        &[3],
        Activation::Tanh,
        1,
        Activation::Sigmoid,
        Loss::BinaryCrossEntropy,
    );
    let mlp = config.build(Cpu, 1).unwrap();
    // Files in the Playground's older format: the perceptron's own config.
    let export = Checkpoint {
        config_json: serde_json::to_string(&config).unwrap(),
        ..ready(mlp.save()).unwrap().unwrap()
    };
    let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(11);
    for _ in 0..400 {
        let crafted = with_config(&export, |c| {
            c["inputs"] = json!(extreme(&mut rng));
            c["outputs"] = json!(extreme(&mut rng));
            let hidden: Vec<Value> = (0..rng.random_range(0..4))
                .map(|_| json!({"neurons": extreme(&mut rng), "activation": "tanh"}))
                .collect();
            c["hidden"] = Value::Array(hidden);
        });
        if let Ok(m) = Net::load(Cpu, &crafted, 1) {
            assert_eq!(m.config(), &config.network());
        }
    }
}
