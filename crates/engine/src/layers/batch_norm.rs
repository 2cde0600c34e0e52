//! Batch normalisation per channel (per unit after a dense layer), with a
//! learned scale and offset, then an activation. Training normalises by the
//! batch's statistics and reports them so the network can fold them into
//! its moving averages; evaluation uses the moving averages. For inference
//! on a pretrained network, [`crate::fold::fold_batch_norm`] folds it into
//! the layer before instead.

use super::{Features, Mode, Pass};
use crate::params::{ParamSpec, Role};
use crate::{Activation, Backend, EngineError, Graph, Var};

/// Batch norm's ε, added to the variance before the square root.
pub const EPSILON: f32 = 1e-3;
/// How much of the old moving average batch norm keeps at each step.
pub const MOMENTUM: f32 = 0.9;

/// `gamma`, `beta`, `moving_mean`, `moving_var`, one value per channel.
pub fn params(input: Features) -> Vec<ParamSpec> {
    let c = input.channels();
    vec![
        ParamSpec::new("gamma", Role::Scale, [c]),
        ParamSpec::new("beta", Role::Shift, [c]),
        ParamSpec::new("moving_mean", Role::MovingMean, [c]),
        ParamSpec::new("moving_var", Role::MovingVariance, [c]),
    ]
}

/// Records the normalisation of `h`.
pub fn forward<B: Backend>(
    g: &mut Graph<B>,
    h: Var,
    [gamma, beta, moving_mean, moving_var]: [Var; 4],
    activation: Activation,
    at: &mut Pass,
) -> Result<Var, EngineError> {
    let channels = at.input.channels();
    let rows = at.batch * at.input.len() / channels.max(1);
    let flat = g.reshape(h, [rows, channels])?;
    // The centred values feed both the variance and the output in training,
    // as one node (its gradient sums both uses).
    let (centred, var) = match at.mode {
        Mode::Train { .. } => {
            let mean = g.sum_to(flat, [channels])?;
            let mean = g.scale(mean, 1.0 / rows.max(1) as f32);
            let centred = g.sub(flat, mean)?;
            let squares = g.mul(centred, centred)?;
            let var = g.sum_to(squares, [channels])?;
            let var = g.scale(var, 1.0 / rows.max(1) as f32);
            at.batch_stats.push((at.index, mean, var));
            (centred, var)
        }
        Mode::Eval => (g.sub(flat, moving_mean)?, moving_var),
    };
    let eps = g.constant(EPSILON, [channels]);
    let shifted = g.add(var, eps)?;
    let inv_std = g.rsqrt(shifted);
    let normal = g.mul(centred, inv_std)?;
    let scaled = g.mul(normal, gamma)?;
    let offset = g.add(scaled, beta)?;
    let out = g.activation(offset, activation);
    g.reshape(out, at.input.batch_shape(at.batch))
}
