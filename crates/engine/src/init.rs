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
}

impl Init {
    /// A `fan_in × fan_out` row-major weight matrix.
    ///
    /// Values are drawn destination-major (all inputs of output 0, then of output
    /// 1, …), the order TensorFlow Playground creates its links in.
    pub fn weights<R: Rng + ?Sized>(self, fan_in: usize, fan_out: usize, rng: &mut R) -> Vec<f32> {
        let limit = match self {
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
            Init::Tfp | Init::Zero => 0.1,
            Init::Xavier | Init::He => 0.0,
        }
    }
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
        assert_eq!(Init::Tfp.bias(), 0.1);
    }
}
