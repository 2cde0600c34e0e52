//! Elementwise activation functions: each states its value and its derivative.
//!
//! The derivative is given both the input `x` and the output `y = f(x)`, so each
//! function can use whichever is cheaper (sigmoid's is `y·(1−y)`).
//! Transcendentals come from `libm`, so native and wasm32 agree bit for bit;
//! the tanh activation uses [`crate::kernels::tanh`] (same bits, four lanes
//! at a time), GELU keeps libm's `tanhf` (within an ulp) because its
//! `1 + tanh` cancels for large negative inputs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::EngineError;
use crate::kernels::tanh::tanh;

/// Slope of leaky ReLU for negative inputs.
pub const LEAKY_RELU_SLOPE: f32 = 0.01;
/// Where ReLU6 stops rising.
pub const RELU6_CEILING: f32 = 6.0;
const SQRT_2_OVER_PI: f32 = 0.797_884_6;
const GELU_CUBIC: f32 = 0.044_715;

/// A neuron's activation function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// The identity.
    Linear,
    /// `max(0, x)`.
    Relu,
    /// `x` for positive inputs, `0.01·x` otherwise.
    LeakyRelu,
    /// Hyperbolic tangent.
    Tanh,
    /// Logistic sigmoid `1/(1+e^−x)`.
    Sigmoid,
    /// `x` for positive inputs, `e^x − 1` otherwise.
    Elu,
    /// Gaussian error linear unit (tanh approximation).
    Gelu,
    /// `x·sigmoid(x)` (also called SiLU).
    Swish,
    /// `sin(x)`.
    Sine,
    /// `min(max(0, x), 6)`: MobileNet's and EfficientNet-Lite's ReLU, bounded
    /// so that it quantises well.
    Relu6,
}

impl Activation {
    /// Every activation, in menu order.
    pub const ALL: [Activation; 10] = [
        Activation::Relu,
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::Linear,
        Activation::LeakyRelu,
        Activation::Elu,
        Activation::Gelu,
        Activation::Swish,
        Activation::Sine,
        Activation::Relu6,
    ];

    /// The name used in configs, URLs and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Linear => "linear",
            Activation::Relu => "relu",
            Activation::LeakyRelu => "leakyrelu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Elu => "elu",
            Activation::Gelu => "gelu",
            Activation::Swish => "swish",
            Activation::Sine => "sine",
            Activation::Relu6 => "relu6",
        }
    }

    /// `f(x)`.
    #[inline]
    pub fn apply(self, x: f32) -> f32 {
        match self {
            Activation::Linear => x,
            Activation::Relu => x.max(0.0),
            Activation::LeakyRelu => {
                if x > 0.0 {
                    x
                } else {
                    LEAKY_RELU_SLOPE * x
                }
            }
            Activation::Tanh => tanh(x),
            Activation::Sigmoid => sigmoid(x),
            Activation::Elu => {
                if x > 0.0 {
                    x
                } else {
                    libm::expm1f(x)
                }
            }
            Activation::Gelu => {
                let inner = SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x);
                0.5 * x * (1.0 + libm::tanhf(inner))
            }
            Activation::Swish => x * sigmoid(x),
            Activation::Sine => libm::sinf(x),
            Activation::Relu6 => x.clamp(0.0, RELU6_CEILING),
        }
    }

    /// True when [`Activation::derivative`] can be computed from the output
    /// alone: `derivative(y, y) == derivative(x, y)` bit for bit for every
    /// `x` (the derivative uses only `y`, or only the sign of `x`, which `y`
    /// shares). A fused dense layer keeps only its output, so it applies
    /// these activations itself and the others after it.
    pub fn derivative_from_output(self) -> bool {
        match self {
            Activation::Linear
            | Activation::Relu
            | Activation::LeakyRelu
            | Activation::Tanh
            | Activation::Sigmoid
            | Activation::Elu
            | Activation::Relu6 => true,
            Activation::Gelu | Activation::Swish | Activation::Sine => false,
        }
    }

    /// `f'(x)`, given `x` and `y = f(x)`.
    #[inline]
    pub fn derivative(self, x: f32, y: f32) -> f32 {
        match self {
            Activation::Linear => 1.0,
            // TensorFlow Playground's convention: the derivative at 0 is 0.
            Activation::Relu => {
                if x > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::LeakyRelu => {
                if x > 0.0 {
                    1.0
                } else {
                    LEAKY_RELU_SLOPE
                }
            }
            Activation::Tanh => 1.0 - y * y,
            Activation::Sigmoid => y * (1.0 - y),
            Activation::Elu => {
                if x > 0.0 {
                    1.0
                } else {
                    y + 1.0
                }
            }
            Activation::Gelu => {
                let inner = SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x);
                let t = libm::tanhf(inner);
                let d_inner = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_CUBIC * x * x);
                0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * d_inner
            }
            Activation::Swish => {
                let s = sigmoid(x);
                s + x * s * (1.0 - s)
            }
            Activation::Sine => libm::cosf(x),
            // As ReLU's: 0 at the kinks (0 and 6).
            Activation::Relu6 => {
                if x > 0.0 && x < RELU6_CEILING {
                    1.0
                } else {
                    0.0
                }
            }
        }
    }
}

/// The logistic function, written so that it never overflows.
pub fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + libm::expf(-x))
    } else {
        let e = libm::expf(x);
        e / (1.0 + e)
    }
}

impl fmt::Display for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Activation {
    type Err = EngineError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace(['-', '_', ' '], "");
        Activation::ALL
            .into_iter()
            .find(|a| a.name() == wanted)
            .ok_or_else(|| {
                let names: Vec<_> = Activation::ALL.iter().map(|a| a.name()).collect();
                EngineError::Config(format!(
                    "unknown activation {s:?}; expected one of {}",
                    names.join(", ")
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivative_matches_finite_differences() {
        let h = 1e-2_f64;
        for act in Activation::ALL {
            for &x in &[-2.3_f32, -0.7, 0.4, 1.9] {
                let f = |v: f64| act.apply(v as f32) as f64;
                let numeric = (f(x as f64 + h) - f(x as f64 - h)) / (2.0 * h);
                let analytic = act.derivative(x, act.apply(x)) as f64;
                assert!(
                    (numeric - analytic).abs() < 2e-3 * (1.0 + analytic.abs()),
                    "{act} at {x}: numeric {numeric} vs analytic {analytic}"
                );
            }
        }
    }

    #[test]
    fn derivatives_from_the_output_are_bit_identical() {
        let mut xs = vec![
            0.0_f32,
            -0.0,
            f32::MIN_POSITIVE,
            -f32::MIN_POSITIVE,
            1e-45,
            -1e-45,
            1e-30,
            -1e-30,
            f32::MAX,
            f32::MIN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
        ];
        xs.extend((-4000..=4000).map(|i| i as f32 * 0.01));
        for act in Activation::ALL
            .into_iter()
            .filter(|a| a.derivative_from_output())
        {
            for &x in &xs {
                let y = act.apply(x);
                let (from_x, from_y) = (act.derivative(x, y), act.derivative(y, y));
                assert!(
                    from_x.to_bits() == from_y.to_bits() || (from_x.is_nan() && from_y.is_nan()),
                    "{act} at {x}: {from_x} from x, {from_y} from y"
                );
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for act in Activation::ALL {
            assert_eq!(act.name().parse::<Activation>().unwrap(), act);
        }
        assert_eq!(
            "Leaky-ReLU".parse::<Activation>().unwrap(),
            Activation::LeakyRelu
        );
        assert!("softsign".parse::<Activation>().is_err());
    }

    #[test]
    fn sigmoid_is_stable_at_extremes() {
        assert_eq!(sigmoid(-200.0), 0.0);
        assert_eq!(sigmoid(200.0), 1.0);
        assert!((sigmoid(0.0) - 0.5).abs() < 1e-7);
    }
}
