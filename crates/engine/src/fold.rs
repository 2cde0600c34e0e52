//! Batch norm folded into the layer before it, for inference: a pretrained
//! network's `conv → batch norm` runs as one convolution with a bias.
//!
//! In inference batch norm is a per-channel affine map,
//! `y = (x − mean)·s + beta` with `s = gamma / √(var + eps)`, so it folds into
//! the weights and bias of the linear layer feeding it:
//! `w'[…, c] = w[…, c]·s_c` and `b'_c = (b_c − mean_c)·s_c + beta_c`.

use crate::EngineError;

/// A batch norm's parameters and moving statistics, one value per channel.
#[derive(Clone, Copy, Debug)]
pub struct BatchNormStats<'a> {
    pub gamma: &'a [f32],
    pub beta: &'a [f32],
    pub mean: &'a [f32],
    pub var: &'a [f32],
    pub epsilon: f32,
}

/// Folds `bn` into a layer's `weight` and `bias` (none: zeros), returning the
/// new weight and bias. The output channel must be the weight's fastest
/// axis, as in every engine layout: a convolution's `[k·k·in, out]`, a
/// depthwise convolution's `[k, k, channels]`, a dense layer's `[in, out]`.
/// The scales are computed in `f64`.
pub fn fold_batch_norm(
    weight: &[f32],
    bias: Option<&[f32]>,
    bn: &BatchNormStats,
) -> Result<(Vec<f32>, Vec<f32>), EngineError> {
    let channels = bn.gamma.len();
    let lengths = [bn.beta.len(), bn.mean.len(), bn.var.len()];
    if channels == 0
        || lengths.iter().any(|&l| l != channels)
        || bias.is_some_and(|b| b.len() != channels)
        || !weight.len().is_multiple_of(channels)
    {
        return Err(EngineError::Shape(format!(
            "cannot fold a batch norm of {channels} channels (beta, mean, var: {lengths:?}) \
             into {} weights{}",
            weight.len(),
            bias.map_or(String::new(), |b| format!(" and {} biases", b.len()))
        )));
    }
    // NaN is not non-negative either.
    let non_negative = |v: f32| v >= 0.0;
    if !non_negative(bn.epsilon) || !bn.var.iter().copied().all(non_negative) {
        return Err(EngineError::Config(
            "a batch norm's variances and epsilon must be non-negative numbers".into(),
        ));
    }
    let scale: Vec<f64> = (0..channels)
        .map(|c| f64::from(bn.gamma[c]) / (f64::from(bn.var[c]) + f64::from(bn.epsilon)).sqrt())
        .collect();
    let folded = weight
        .iter()
        .enumerate()
        .map(|(i, &w)| (f64::from(w) * scale[i % channels]) as f32)
        .collect();
    let bias = (0..channels)
        .map(|c| {
            let b = bias.map_or(0.0, |b| f64::from(b[c]));
            ((b - f64::from(bn.mean[c])) * scale[c] + f64::from(bn.beta[c])) as f32
        })
        .collect();
    Ok((folded, bias))
}
