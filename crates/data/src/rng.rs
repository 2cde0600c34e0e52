//! The seeded random number generators and the two distributions TensorFlow
//! Playground draws from.
//!
//! Everything here is chosen to give bit-identical numbers natively and in
//! wasm32: a PCG generator (pure integer arithmetic), rand's standard `f64`
//! (53 random bits times 2⁻⁵³), and `libm` for the logarithm.
//!
//! The generators, the shuffle and the split take any [`Stream`] of uniform
//! doubles: our PCG ([`Rng`], for our own seeds) or TFP's own seedrandom
//! stream ([`crate::Arc4`], for a TFP link's seed text).

use rand::{Rng as _, SeedableRng};

/// The generator every dataset draws from for our own (integer) seeds.
pub type Rng = rand_pcg::Pcg64Mcg;

/// A source of uniform doubles in `[0, 1)`: what TFP's code calls
/// `Math.random()`. Every draw of the data sets goes through it.
pub trait Stream {
    /// The next uniform double in `[0, 1)`.
    fn next_f64(&mut self) -> f64;
}

impl Stream for Rng {
    /// rand's standard `f64`, exactly as before the trait existed.
    fn next_f64(&mut self) -> f64 {
        self.random::<f64>()
    }
}

/// A generator seeded with `seed`; the same seed gives the same stream on
/// every platform.
pub fn rng(seed: u64) -> Rng {
    Rng::seed_from_u64(seed)
}

/// A uniform draw from `[a, b)`, computed as TensorFlow Playground's
/// `randUniform` does: `random * (b - a) + a`.
pub fn uniform<R: Stream + ?Sized>(rng: &mut R, a: f64, b: f64) -> f64 {
    rng.next_f64() * (b - a) + a
}

/// A normal draw with the given mean and variance, by the Marsaglia polar
/// method exactly as TensorFlow Playground's `normalRandom` does it (same
/// draws, same order, same arithmetic).
///
/// The one difference: a pair with `s == 0` is rejected too, where TFP would
/// return NaN. That needs two draws of exactly 0.5, so it never changes a
/// real data set.
pub fn normal_random<R: Stream + ?Sized>(rng: &mut R, mean: f64, variance: f64) -> f64 {
    let (v1, s) = loop {
        let v1 = 2.0 * rng.next_f64() - 1.0;
        let v2 = 2.0 * rng.next_f64() - 1.0;
        let s = v1 * v1 + v2 * v2;
        if s <= 1.0 && s != 0.0 {
            break (v1, s);
        }
    };
    let result = (-2.0 * libm::log(s) / s).sqrt() * v1;
    mean + variance.sqrt() * result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_different_seeds_differ() {
        let draw = |seed| {
            let mut r = rng(seed);
            (0..8).map(|_| r.random::<f64>()).collect::<Vec<_>>()
        };
        assert_eq!(draw(1), draw(1));
        assert_ne!(draw(1), draw(2));
    }

    #[test]
    fn uniform_stays_in_range() {
        let mut r = rng(3);
        for _ in 0..10_000 {
            let v = uniform(&mut r, -5.0, 5.0);
            assert!((-5.0..5.0).contains(&v), "{v}");
        }
    }

    #[test]
    fn normal_random_has_the_requested_moments() {
        let mut r = rng(4);
        let n = 20_000;
        let draws: Vec<f64> = (0..n).map(|_| normal_random(&mut r, 3.0, 4.0)).collect();
        let mean = draws.iter().sum::<f64>() / n as f64;
        let var = draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / n as f64;
        assert!((mean - 3.0).abs() < 0.05, "mean {mean}");
        assert!((var - 4.0).abs() < 0.15, "variance {var}");
    }
}
