//! A fully connected layer: `activation(x · weight + bias)`, flattening
//! images first.

use super::{Features, Pass};
use crate::params::{ParamSpec, Role};
use crate::{Activation, Backend, EngineError, Graph, Var};

/// `units` values per example.
pub fn output(units: usize) -> Result<Features, String> {
    if units == 0 {
        return Err("needs at least one unit".into());
    }
    Ok(Features::Flat(units))
}

/// `weight [inputs, units]`, `bias [units]`.
pub fn params(input: Features, units: usize) -> Vec<ParamSpec> {
    vec![
        ParamSpec::new("weight", Role::Weight, [input.len(), units]),
        ParamSpec::new("bias", Role::Bias, [units]),
    ]
}

/// Flattens `h` to `[batch, inputs]` and records the fused product.
pub fn forward<B: Backend>(
    g: &mut Graph<B>,
    h: Var,
    [weight, bias]: [Var; 2],
    activation: Activation,
    at: &Pass,
) -> Result<Var, EngineError> {
    let flat = g.reshape(h, [at.batch, at.input.len()])?;
    g.dense(flat, weight, bias, activation)
}
