//! A 2-D convolution with bias over NHWC images: the window rows
//! (`im2col`) times the filters, one fused product with the activation.

use super::{Features, Pass, Square};
use crate::net::MAX_WINDOW_VALUES;
use crate::params::{ParamSpec, Role};
use crate::{Activation, Backend, EngineError, Graph, Var};

/// `out_h × out_w × filters`, or why the window does not fit.
pub fn output(input: Features, filters: usize, square: Square) -> Result<Features, String> {
    let dims @ [_, _, c] = input.image("a convolution")?;
    if filters == 0 {
        return Err("needs at least one filter".into());
    }
    // The window's positions, not the output's length: `filters` comes
    // from a file and `out_h · out_w · filters` may not fit a 32-bit
    // `usize` (the network checks the output's size after this).
    let window = square.over(1, dims).map_err(|e| e.to_string())?;
    let k = square.kernel;
    if [window.positions(), k, k, c]
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .is_none_or(|n| n > MAX_WINDOW_VALUES)
    {
        return Err(format!(
            "a {k}×{k} window over {input} is more than the {MAX_WINDOW_VALUES} values per \
             example this page handles"
        ));
    }
    Ok(Features::Image([window.out_h, window.out_w, filters]))
}

/// `weight [kernel·kernel·channels, filters]` (rows in window order), `bias [filters]`.
pub fn params(input: Features, filters: usize, kernel: usize) -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "weight",
            Role::Weight,
            [kernel * kernel * input.channels(), filters],
        ),
        ParamSpec::new("bias", Role::Bias, [filters]),
    ]
}

/// Records the convolution of the `[batch, h, w, c]` images `h`.
pub fn forward<B: Backend>(
    g: &mut Graph<B>,
    h: Var,
    [weight, bias]: [Var; 2],
    square: Square,
    activation: Activation,
    at: &Pass,
) -> Result<Var, EngineError> {
    let window = square.over(at.batch, at.image()?)?;
    g.conv2d_dense(h, weight, bias, &window, activation)
}
