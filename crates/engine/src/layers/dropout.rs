//! Inverted dropout: in training each value is kept with probability `keep`
//! and scaled by `1/keep`; evaluation passes values through unchanged. The
//! masks come from the step's seed mixed with the layer's position, so the
//! same seed gives the same masks on every backend.

use super::{Features, Mode, Pass};
use crate::{Backend, EngineError, Graph, Var};

/// The input's shape, once `keep` is a usable fraction.
pub fn output(input: Features, keep: f32) -> Result<Features, String> {
    if !(keep > 0.0 && keep <= 1.0) {
        return Err(format!("keep must be in (0, 1], not {keep}"));
    }
    Ok(input)
}

/// Records the dropout of `h` in training; `h` itself in evaluation.
pub fn forward<B: Backend>(
    g: &mut Graph<B>,
    h: Var,
    keep: f32,
    at: &Pass,
) -> Result<Var, EngineError> {
    match at.mode {
        Mode::Train { seed, .. } => g.dropout(h, keep, at.dropout_seed(seed)),
        Mode::Eval => Ok(h),
    }
}
