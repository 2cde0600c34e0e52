//! A depthwise 2-D convolution with bias: each channel of an NHWC image
//! filtered with its own `kernel × kernel` filter (a channel multiplier of
//! 1), then the bias and the activation. EfficientNet's and MobileNet's
//! middle layer; its kernel runs the window directly, not as `im2col`.

use super::{Features, Pass, Square};
use crate::params::{ParamSpec, Role};
use crate::{Activation, Backend, EngineError, Graph, Var};

/// `out_h × out_w × channels`, or why the window does not fit.
pub fn output(input: Features, square: Square) -> Result<Features, String> {
    let dims @ [_, _, c] = input.image("a depthwise convolution")?;
    square.output(dims, c)
}

/// `weight [kernel, kernel, channels]` (TensorFlow's layout), `bias [channels]`.
pub fn params(input: Features, kernel: usize) -> Vec<ParamSpec> {
    let c = input.channels();
    vec![
        ParamSpec::new("weight", Role::Weight, [kernel, kernel, c]),
        ParamSpec::new("bias", Role::Bias, [c]),
    ]
}

/// Records the depthwise convolution of the `[batch, h, w, c]` images `h`.
pub fn forward<B: Backend>(
    g: &mut Graph<B>,
    h: Var,
    [weight, bias]: [Var; 2],
    square: Square,
    activation: Activation,
    at: &Pass,
) -> Result<Var, EngineError> {
    let window = square.over(at.batch, at.image()?)?;
    let filtered = g.depthwise_conv2d(h, weight, &window)?;
    let biased = g.add(filtered, bias)?;
    Ok(g.activation(biased, activation))
}
