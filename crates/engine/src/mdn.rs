//! A mixture-density output for pen strokes, as sketch-rnn (Ha & Eck 2017):
//! a mixture of `M` bivariate Gaussians over the next offset `(dx, dy)` and
//! a three-way softmax over the pen state (down, up, end).
//!
//! The raw output of a step is `3 + 6·M` values in contiguous blocks: pen
//! logits (3), mixture logits π, μx, μy, log σx, log σy and ρ before tanh
//! (`M` each). [`Mixture::from_raw`] turns them into the distribution at a
//! temperature (exactly as Magenta's JS `getPDF`), [`Mixture::sample`] draws
//! from it, and [`negative_log_likelihood`] is the training loss on a graph.

use rand::Rng;

use crate::backend::Backend;
use crate::{EngineError, Graph, Var};

/// Pen states: down (draw to the next point), up (move), end of drawing.
pub const PEN_STATES: usize = 3;

/// How many raw outputs a mixture of `components` Gaussians takes.
pub fn raw_len(components: usize) -> usize {
    PEN_STATES + 6 * components
}

/// The distribution of the next stroke.
#[derive(Clone, Debug, PartialEq)]
pub struct Mixture {
    /// Component weights (sum to 1).
    pub pi: Vec<f32>,
    pub mu_x: Vec<f32>,
    pub mu_y: Vec<f32>,
    pub sigma_x: Vec<f32>,
    pub sigma_y: Vec<f32>,
    /// Correlation of each component, in (−1, 1).
    pub rho: Vec<f32>,
    /// Probabilities of pen down, up, end.
    pub pen: [f32; PEN_STATES],
}

/// One drawn stroke: an offset in model units and a pen state (0 down,
/// 1 up, 2 end).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stroke {
    pub dx: f32,
    pub dy: f32,
    pub pen: usize,
}

/// `softmax(v / temperature)`, shifted by the maximum so that it never overflows.
fn softmax(v: &[f32], temperature: f32) -> Vec<f32> {
    let scaled: Vec<f32> = v.iter().map(|x| x / temperature).collect();
    let max = scaled.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let e: Vec<f32> = scaled.iter().map(|x| libm::expf(x - max)).collect();
    let total: f32 = e.iter().sum();
    e.iter().map(|x| x / total).collect()
}

/// The index where the running sum of `p` first reaches `u` (the last one
/// if rounding leaves the sum short).
fn pick(p: &[f32], u: f32) -> usize {
    let mut sum = 0.0;
    for (i, &v) in p.iter().enumerate() {
        sum += v;
        if sum >= u {
            return i;
        }
    }
    p.len().saturating_sub(1)
}

impl Mixture {
    /// The distribution a step's raw outputs `z` describe at `temperature`
    /// (Magenta's JS rule: the softmaxes at `0.5 + 0.5·temperature`, σ times
    /// `√temperature`; μ unchanged). `temperature` must be positive.
    pub fn from_raw(z: &[f32], components: usize, temperature: f32) -> Result<Self, EngineError> {
        if z.len() != raw_len(components) || components == 0 {
            return Err(EngineError::Shape(format!(
                "a mixture of {components} components needs {} raw outputs, got {}",
                raw_len(components),
                z.len()
            )));
        }
        if !(temperature > 0.0 && temperature.is_finite()) {
            return Err(EngineError::Config(format!(
                "the temperature must be a positive number, not {temperature}"
            )));
        }
        let discrete = 0.5 + 0.5 * temperature;
        let block = |k: usize| &z[PEN_STATES + k * components..][..components];
        let spread = temperature.sqrt();
        let sigma = |k: usize| block(k).iter().map(|v| libm::expf(*v) * spread).collect();
        let pen = softmax(&z[..PEN_STATES], discrete);
        Ok(Mixture {
            pi: softmax(block(0), discrete),
            mu_x: block(1).to_vec(),
            mu_y: block(2).to_vec(),
            sigma_x: sigma(3),
            sigma_y: sigma(4),
            rho: block(5).iter().map(|v| libm::tanhf(*v)).collect(),
            pen: [pen[0], pen[1], pen[2]],
        })
    }

    /// Draws a stroke: a component from π, a pen state, and an offset from
    /// that component's Gaussian.
    pub fn sample(&self, rng: &mut impl Rng) -> Stroke {
        let k = pick(&self.pi, rng.random::<f32>());
        let pen = pick(&self.pen, rng.random::<f32>());
        // Box–Muller: two independent standard normals.
        let u1 = 1.0 - rng.random::<f64>();
        let u2 = rng.random::<f64>();
        // libm's log, cos and sin: the same bits natively and in wasm32, so a
        // seed gives the same drawing on every platform.
        let radius = libm::sqrt(-2.0 * libm::log(u1));
        let angle = std::f64::consts::TAU * u2;
        let (z1, z2) = (
            (radius * libm::cos(angle)) as f32,
            (radius * libm::sin(angle)) as f32,
        );
        let rho = self.rho[k];
        Stroke {
            dx: self.mu_x[k] + self.sigma_x[k] * ((1.0 - rho * rho).sqrt() * z1 + rho * z2),
            dy: self.mu_y[k] + self.sigma_y[k] * z2,
            pen,
        }
    }
}

/// A mixture-density output recorded on a graph: each part `[batch, M]`,
/// the pen logits `[batch, 3]`.
#[derive(Clone, Copy, Debug)]
pub struct MixtureVars {
    pub pen_logits: Var,
    pub pi_logits: Var,
    pub mu_x: Var,
    pub mu_y: Var,
    pub log_sigma_x: Var,
    pub log_sigma_y: Var,
    pub rho_raw: Var,
}

/// The targets of a batch of steps: the offsets `dx`, `dy` (`[batch, 1]`),
/// the pen state one-hot (`[batch, 3]`) and a mask (`[batch, 1]`: 1 where the
/// offset counts, 0 past a drawing's end).
#[derive(Clone, Copy, Debug)]
pub struct StrokeTargets {
    pub dx: Var,
    pub dy: Var,
    pub pen: Var,
    pub mask: Var,
}

/// sketch-rnn's reconstruction loss, a scalar: the mean over the batch of
/// `−mask·ln Σₖ πₖ·N(dx, dy; μₖ, σₖ, ρₖ)` plus the mean pen cross-entropy.
/// (`ln` floors its input at [`crate::backend::LN_FLOOR`], as sketch-rnn adds
/// 1e-6.)
pub fn negative_log_likelihood<B: Backend>(
    g: &mut Graph<B>,
    m: &MixtureVars,
    t: &StrokeTargets,
) -> Result<Var, EngineError> {
    let rho = g.activation(m.rho_raw, crate::Activation::Tanh);
    let rho_sq = g.mul(rho, rho)?;
    let one = g.constant(1.0, [1]);
    let one_minus = g.sub(one, rho_sq)?;
    let inv_root = g.rsqrt(one_minus);
    let inv = g.mul(inv_root, inv_root)?;
    // (d − μ)/σ, with 1/σ = exp(−log σ).
    let standard = |g: &mut Graph<B>, d: Var, mu: Var, log_sigma: Var| {
        let off = g.sub(d, mu)?;
        let neg = g.scale(log_sigma, -1.0);
        let inv_sigma = g.exp(neg);
        g.mul(off, inv_sigma)
    };
    let zx = standard(g, t.dx, m.mu_x, m.log_sigma_x)?;
    let zy = standard(g, t.dy, m.mu_y, m.log_sigma_y)?;
    let zx2 = g.mul(zx, zx)?;
    let zy2 = g.mul(zy, zy)?;
    let zxy = g.mul(zx, zy)?;
    let cross = g.mul(rho, zxy)?;
    let cross = g.scale(cross, -2.0);
    let squares = g.add(zx2, zy2)?;
    let quadratic = g.add(squares, cross)?;
    let exponent = g.mul(quadratic, inv)?;
    let exponent = g.scale(exponent, -0.5);
    let bell = g.exp(exponent);
    // 1 / (2π σx σy √(1−ρ²)).
    let log_area = g.add(m.log_sigma_x, m.log_sigma_y)?;
    let neg_area = g.scale(log_area, -1.0);
    let inv_area = g.exp(neg_area);
    let norm = g.mul(inv_area, inv_root)?;
    let norm = g.scale(norm, 1.0 / std::f32::consts::TAU);
    let density = g.mul(bell, norm)?;
    let pi = g.softmax(m.pi_logits)?;
    let weighted = g.mul(pi, density)?;
    let batch = g.shape(weighted).dims()[0];
    let mixture = g.sum_to(weighted, [batch, 1])?;
    let log_mixture = g.ln(mixture);
    let masked = g.mul(log_mixture, t.mask)?;
    let offsets = g.mean(masked);
    let log_pen = g.log_softmax(m.pen_logits)?;
    let picked = g.mul(log_pen, t.pen)?;
    let pen_sum = g.sum(picked);
    let pen = g.scale(pen_sum, 1.0 / batch.max(1) as f32);
    let total = g.add(offsets, pen)?;
    Ok(g.scale(total, -1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn raw_outputs_become_a_distribution() {
        // Two components: pen logits, π, μx, μy, log σx, log σy, ρ.
        let z = [
            2.0, 0.0, -1.0, 0.5, -0.5, 1.0, 2.0, -1.0, 0.0, 0.0, 0.1, -0.2, 0.3, 0.4, -0.5,
        ];
        let m = Mixture::from_raw(&z, 2, 1.0).unwrap();
        assert!((m.pi.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!((m.pen.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!((m.pi[0] - 1.0 / (1.0 + (-1.0f32).exp())).abs() < 1e-6);
        assert_eq!(
            (m.mu_x.as_slice(), m.mu_y.as_slice()),
            (&[1.0, 2.0][..], &[-1.0, 0.0][..])
        );
        assert!((m.sigma_x[1] - 0.1f32.exp()).abs() < 1e-6);
        assert!((m.rho[1] + 0.5f32.tanh()).abs() < 1e-6);
        // A lower temperature sharpens π and the pen and narrows σ by √t.
        let cold = Mixture::from_raw(&z, 2, 0.25).unwrap();
        assert!(cold.pi[0] > m.pi[0] && cold.pen[0] > m.pen[0]);
        assert!((cold.sigma_x[0] - m.sigma_x[0] * 0.5).abs() < 1e-6);
        assert!(Mixture::from_raw(&z[..14], 2, 1.0).is_err());
        assert!(Mixture::from_raw(&z, 2, 0.0).is_err());
        assert!(Mixture::from_raw(&z, 2, f32::NAN).is_err());
    }

    #[test]
    fn samples_follow_the_distribution() {
        // One sure component at (3, −2), narrow, uncorrelated; pen always up.
        let z = [-50.0, 50.0, -50.0, 0.0, 3.0, -2.0, -3.0, -3.0, 0.0];
        let m = Mixture::from_raw(&z, 1, 1.0).unwrap();
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(5);
        let strokes: Vec<Stroke> = (0..2000).map(|_| m.sample(&mut rng)).collect();
        assert!(strokes.iter().all(|s| s.pen == 1));
        let mean_x = strokes.iter().map(|s| s.dx).sum::<f32>() / 2000.0;
        let mean_y = strokes.iter().map(|s| s.dy).sum::<f32>() / 2000.0;
        assert!(
            (mean_x - 3.0).abs() < 0.01 && (mean_y + 2.0).abs() < 0.01,
            "{mean_x} {mean_y}"
        );
        let var_x = strokes.iter().map(|s| (s.dx - 3.0).powi(2)).sum::<f32>() / 2000.0;
        let sigma = (-3.0f32).exp();
        assert!(
            (var_x.sqrt() / sigma - 1.0).abs() < 0.1,
            "σ {}",
            var_x.sqrt()
        );
    }
}
