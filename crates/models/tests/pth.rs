//! The legacy PyTorch reader on the real EfficientNet-Lite0 file.

mod common;

use playnet_models::ModelError;
use playnet_models::pth::{Dtype, read_pth};

#[test]
fn reads_every_tensor_of_the_real_file() {
    if common::skip_without_shared_data() {
        return;
    }
    let dict = read_pth(&common::pth_bytes()).unwrap();
    assert_eq!(dict.tensors.len(), 296);
    let shape = |name: &str| dict.get(name).unwrap().tensor.shape.clone();
    assert_eq!(shape("_conv_stem.weight"), [32, 3, 3, 3]);
    assert_eq!(shape("_blocks.15._depthwise_conv.weight"), [1152, 1, 3, 3]);
    assert_eq!(shape("_fc.weight"), [1000, 1280]);
    assert_eq!(shape("_bn0.num_batches_tracked"), Vec::<usize>::new());
    assert_eq!(
        dict.get("_bn0.num_batches_tracked").unwrap().dtype,
        Dtype::I64
    );
    let floats: usize = dict
        .tensors
        .iter()
        .filter(|(_, t)| t.dtype == Dtype::F32)
        .map(|(_, t)| t.tensor.data.len())
        .sum();
    assert_eq!(floats, 4_694_073 - 49);
    // The stem's storage is TF's HWIO: storage[((ky·3 + kx)·3 + i)·32 + o]
    // is weight[o, i, ky, kx]. Strides (1, 32, 288, 96) put weight[1, 0, 0, 0]
    // at storage element 1, which HWIO also holds at index 1.
    let stem = &dict.get("_conv_stem.weight").unwrap().tensor.data;
    let sum: f64 = stem.iter().map(|&v| f64::from(v)).sum();
    assert!(sum.is_finite() && stem.iter().any(|&v| v != 0.0));
}

#[test]
fn a_truncated_copy_is_refused_with_where() {
    if common::skip_without_shared_data() {
        return;
    }
    let bytes = common::pth_bytes();
    // One byte short: the last storage lacks it.
    let err = read_pth(&bytes[..bytes.len() - 1]).unwrap_err();
    match &err {
        ModelError::Truncated {
            index,
            count,
            needed,
            left,
            ..
        } => assert_eq!((*index, *count, needed - left), (296, 296, 1), "{err}"),
        other => panic!("{other}"),
    }
    assert!(err.to_string().contains("is truncated: storage"), "{err}");
    // Cut inside the state dict's pickle.
    let err = read_pth(&bytes[..20_000]).unwrap_err();
    assert!(
        matches!(
            err,
            ModelError::Pickle {
                part: "state dict",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("truncated"), "{err}");
}

#[test]
fn a_wrong_file_is_refused() {
    if common::skip_without_shared_data() {
        return;
    }
    let readme =
        common::read(&common::shared_data().join("efficientnet-lite0/reference/README.md"));
    let err = read_pth(&readme).unwrap_err();
    assert!(matches!(err, ModelError::BadMagic { .. }), "{err}");
    assert!(
        err.to_string().contains("not a legacy PyTorch file"),
        "{err}"
    );
    // A reference output: raw floats, not pickles.
    let floats = common::read(
        &common::shared_data().join("efficientnet-lite0/reference/chelsea.logits.f32"),
    );
    assert!(matches!(
        read_pth(&floats).unwrap_err(),
        ModelError::BadMagic { .. }
    ));
}
