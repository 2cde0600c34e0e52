//! Pooling over NHWC images: the maximum or the mean of each window per
//! channel, and the global mean that turns images into vectors.

use super::{Features, Pass, Square};
use crate::{Backend, EngineError, Graph, Var};

/// `out_h × out_w × channels`, or why the window does not fit.
pub fn output(input: Features, square: Square) -> Result<Features, String> {
    let dims @ [_, _, c] = input.image("pooling")?;
    square.output(dims, c)
}

/// One value per channel.
pub fn global_output(input: Features) -> Result<Features, String> {
    let [_, _, c] = input.image("global pooling")?;
    Ok(Features::Flat(c))
}

/// Records max-pooling of the images `h`.
pub fn max<B: Backend>(
    g: &mut Graph<B>,
    h: Var,
    square: Square,
    at: &Pass,
) -> Result<Var, EngineError> {
    let window = square.over(at.batch, at.image()?)?;
    g.max_pool(h, &window)
}

/// Records average pooling of the images `h`.
pub fn average<B: Backend>(
    g: &mut Graph<B>,
    h: Var,
    square: Square,
    at: &Pass,
) -> Result<Var, EngineError> {
    let window = square.over(at.batch, at.image()?)?;
    g.avg_pool(h, &window)
}
