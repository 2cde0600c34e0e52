//! EfficientNet-Lite0 against the float64 reference outputs of
//! `shared/data/efficientnet-lite0/reference/` (README there): features and
//! logits of the three reference inputs within 1e-4.

mod common;

use playnet_engine::Cpu;
use playnet_models::efficientnet::{arch, folded_names, torch};
use playnet_models::pth::read_pth;
use playnet_models::{EfficientNet, HostTensor, Images, Layout, ModelError, TensorMap};

const TOLERANCE: f32 = 1e-4;

fn state_dict() -> TensorMap {
    read_pth(&common::pth_bytes()).unwrap().into_map()
}

#[test]
fn reproduces_the_reference_features_and_logits() {
    if common::skip_without_shared_data() {
        return;
    }
    let net = EfficientNet::from_torch(Cpu, &state_dict()).unwrap();
    // All three images in one batch of 3, NCHW as the files are.
    let input: Vec<f32> = common::IMAGES
        .iter()
        .flat_map(|name| common::reference(name, "input"))
        .collect();
    let images = Images::new(&input, 3, 224, 224, Layout::Nchw).unwrap();
    let out = net.forward(&images).unwrap();
    let (f, l) = (arch::FEATURES, arch::CLASSES);
    let mut worst = (0.0f32, 0.0f32);
    for (i, name) in common::IMAGES.iter().enumerate() {
        let features = common::max_abs_diff(
            &out.features[i * f..(i + 1) * f],
            &common::reference(name, "features"),
        );
        let logits = common::max_abs_diff(
            &out.logits[i * l..(i + 1) * l],
            &common::reference(name, "logits"),
        );
        println!("{name}: max |Δ| features {features:.2e}, logits {logits:.2e}");
        worst = (worst.0.max(features), worst.1.max(logits));
    }
    assert!(
        worst.0 < TOLERANCE && worst.1 < TOLERANCE,
        "max |Δ| features {:.2e}, logits {:.2e} (tolerance {TOLERANCE:e})",
        worst.0,
        worst.1
    );
}

#[test]
fn nhwc_and_nchw_inputs_agree() {
    if common::skip_without_shared_data() {
        return;
    }
    let net = EfficientNet::from_torch(Cpu, &state_dict()).unwrap();
    // A small image keeps this quick; every stride and padding still runs.
    let (h, w) = (33, 47);
    let nchw: Vec<f32> = (0..3 * h * w)
        .map(|i| ((i * 37 % 255) as f32 - 127.0) / 128.0)
        .collect();
    let mut nhwc = vec![0.0; nchw.len()];
    for c in 0..3 {
        for p in 0..h * w {
            nhwc[p * 3 + c] = nchw[c * h * w + p];
        }
    }
    let a = net
        .logits(&Images::new(&nchw, 1, h, w, Layout::Nchw).unwrap())
        .unwrap();
    let b = net
        .logits(&Images::new(&nhwc, 1, h, w, Layout::Nhwc).unwrap())
        .unwrap();
    assert_eq!(a, b);
    assert!(Images::new(&nchw, 2, h, w, Layout::Nchw).is_err());
}

#[test]
fn missing_extra_and_misshaped_tensors_are_named() {
    if common::skip_without_shared_data() {
        return;
    }
    let state = state_dict();
    let mut missing = state.clone();
    missing.remove("_blocks.7._bn1.running_var");
    let err = EfficientNet::from_torch(Cpu, &missing).err().unwrap();
    assert!(
        matches!(&err, ModelError::MissingTensor { name, expected } if name == "_blocks.7._bn1.running_var" && expected == &[480]),
        "{err}"
    );

    let mut extra = state.clone();
    extra.insert(
        "_blocks.16._project_conv.weight".into(),
        HostTensor::new([1], vec![0.0]),
    );
    let err = EfficientNet::from_torch(Cpu, &extra).err().unwrap();
    assert!(
        err.to_string().contains("_blocks.16._project_conv.weight"),
        "{err}"
    );

    let mut misshaped = state;
    misshaped.insert(
        "_fc.weight".into(),
        HostTensor::new([1280, 1000], vec![0.0; 1_280_000]),
    );
    let err = EfficientNet::from_torch(Cpu, &misshaped).err().unwrap();
    assert_eq!(
        err.to_string(),
        "tensor _fc.weight has shape [1280, 1000], but the network needs [1000, 1280]"
    );

    let mut folded = torch::fold(&state_dict()).unwrap();
    assert_eq!(folded.len(), folded_names().len());
    folded.remove("head.bias");
    let err = EfficientNet::from_folded(Cpu, &folded).err().unwrap();
    assert!(
        err.to_string()
            .contains("head.bias is missing (expected shape [1280])"),
        "{err}"
    );
}
