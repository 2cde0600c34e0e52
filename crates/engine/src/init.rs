//! Weight initialisers.

use rand::Rng;
use serde::{Deserialize, Serialize};

/// How a dense layer's weights and biases start out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Init {
    /// TensorFlow Playground's: weights U(−0.5, 0.5), biases 0.1.
    Tfp,
    /// TensorFlow Playground's "initZero": weights 0, biases 0.1.
    Zero,
    /// Xavier/Glorot uniform: U(±√(6/(in+out))), biases 0.
    Xavier,
    /// He uniform: U(±√(6/in)), biases 0 (suits ReLU).
    He,
    /// Martin Görner's MNIST lecture: normal with σ = 0.1 truncated at 2σ
    /// (TensorFlow's `truncated_normal(stddev=0.1)`), biases 0.1.
    Lecture,
}

impl Init {
    /// A `fan_in × fan_out` row-major weight matrix.
    ///
    /// Values are drawn destination-major (all inputs of output 0, then of output
    /// 1, …), the order TensorFlow Playground creates its links in.
    pub fn weights<R: Rng + ?Sized>(self, fan_in: usize, fan_out: usize, rng: &mut R) -> Vec<f32> {
        let limit = match self {
            Init::Lecture => return truncated_normal(fan_in * fan_out, 0.1, rng),
            Init::Tfp => 0.5,
            Init::Zero => return vec![0.0; fan_in * fan_out],
            Init::Xavier => (6.0 / (fan_in + fan_out).max(1) as f64).sqrt(),
            Init::He => (6.0 / fan_in.max(1) as f64).sqrt(),
        };
        let mut w = vec![0.0; fan_in * fan_out];
        for j in 0..fan_out {
            for i in 0..fan_in {
                w[i * fan_out + j] = ((rng.random::<f64>() * 2.0 - 1.0) * limit) as f32;
            }
        }
        w
    }

    /// The starting value of every bias.
    pub fn bias(self) -> f32 {
        match self {
            Init::Tfp | Init::Zero | Init::Lecture => 0.1,
            Init::Xavier | Init::He => 0.0,
        }
    }
}

/// `len` draws from N(0, σ²), each redrawn until it lies within 2σ.
fn truncated_normal<R: Rng + ?Sized>(len: usize, sigma: f64, rng: &mut R) -> Vec<f32> {
    (0..len)
        .map(|_| {
            loop {
                // Box–Muller; 1 − u keeps the logarithm finite.
                let u: f64 = 1.0 - rng.random::<f64>();
                let v: f64 = rng.random::<f64>();
                let z = libm::sqrt(-2.0 * libm::log(u)) * libm::cos(2.0 * std::f64::consts::PI * v);
                if z.abs() <= 2.0 {
                    break (z * sigma) as f32;
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn weights_stay_within_their_limits() {
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(1);
        for (init, limit) in [
            (Init::Tfp, 0.5),
            (Init::Xavier, (6.0f32 / 30.0).sqrt()),
            (Init::He, 0.5),
        ] {
            let w = init.weights(24, 6, &mut rng);
            assert_eq!(w.len(), 144);
            assert!(w.iter().all(|v| v.abs() <= limit), "{init:?}");
            let spread = w.iter().fold(0.0f32, |m, v| m.max(v.abs()));
            assert!(spread > limit * 0.8, "{init:?} uses its range");
        }
        assert!(Init::Zero.weights(3, 3, &mut rng).iter().all(|&v| v == 0.0));
        let lecture = Init::Lecture.weights(100, 100, &mut rng);
        assert!(lecture.iter().all(|v| v.abs() <= 0.2));
        let std = (lecture.iter().map(|v| v * v).sum::<f32>() / 10_000.0).sqrt();
        // A normal truncated at 2σ keeps about 88% of its standard deviation.
        assert!((std - 0.088).abs() < 0.005, "{std}");
        assert_eq!(Init::Tfp.bias(), 0.1);
    }
}
