//! A multi-layer perceptron built from a config: the Playground's network.
//!
//! Dropout is a training-time choice, not part of the network: a training
//! pass may ask for it ([`Mlp::forward_train`]); evaluation, predictions and
//! heatmaps never drop anything (inverted dropout needs no rescaling there).

use rand::SeedableRng;
use serde::{Deserialize, Serialize};

use crate::{Activation, Backend, EngineError, Graph, Init, Loss, Tensor, Var};

/// Largest layer width the engine accepts (a sanity bound, not a UI limit).
pub const MAX_WIDTH: usize = 4096;
/// Most hidden layers the engine accepts.
pub const MAX_HIDDEN_LAYERS: usize = 64;

/// Mixed into the seed so initial weights do not reuse the data's random stream.
const INIT_STREAM: u64 = 0x1e1f_5eed_0f0b_5e11;

/// One hidden layer: its width and activation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HiddenLayer {
    pub neurons: usize,
    pub activation: Activation,
}

/// Everything that determines an MLP's shape and behaviour.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MlpConfig {
    /// Number of input features.
    pub inputs: usize,
    pub hidden: Vec<HiddenLayer>,
    pub outputs: usize,
    /// Applied to the last layer. Must be `Linear` for softmax cross-entropy
    /// (the loss applies the softmax) and `Sigmoid` for binary cross-entropy.
    pub output_activation: Activation,
    pub loss: Loss,
    pub init: Init,
}

impl MlpConfig {
    /// A config whose hidden layers all share one activation.
    pub fn uniform(
        inputs: usize,
        widths: &[usize],
        activation: Activation,
        outputs: usize,
        output_activation: Activation,
        loss: Loss,
    ) -> Self {
        MlpConfig {
            inputs,
            hidden: widths
                .iter()
                .map(|&neurons| HiddenLayer {
                    neurons,
                    activation,
                })
                .collect(),
            outputs,
            output_activation,
            loss,
            init: Init::Tfp,
        }
    }

    /// Checks sizes and the output/loss pairing, explaining what is wrong.
    pub fn validate(&self) -> Result<(), EngineError> {
        let bad = |msg: String| Err(EngineError::Config(msg));
        if self.inputs == 0 || self.inputs > MAX_WIDTH {
            return bad(format!(
                "the network needs 1 to {MAX_WIDTH} inputs, not {}",
                self.inputs
            ));
        }
        if self.outputs == 0 || self.outputs > MAX_WIDTH {
            return bad(format!(
                "the network needs 1 to {MAX_WIDTH} outputs, not {}",
                self.outputs
            ));
        }
        if self.hidden.len() > MAX_HIDDEN_LAYERS {
            return bad(format!(
                "at most {MAX_HIDDEN_LAYERS} hidden layers, not {}",
                self.hidden.len()
            ));
        }
        if let Some((i, layer)) = self
            .hidden
            .iter()
            .enumerate()
            .find(|(_, l)| l.neurons == 0 || l.neurons > MAX_WIDTH)
        {
            return bad(format!(
                "hidden layer {} has {} neurons; it needs 1 to {MAX_WIDTH}",
                i + 1,
                layer.neurons
            ));
        }
        match (self.loss, self.output_activation) {
            (Loss::SoftmaxCrossEntropy, Activation::Linear) if self.outputs >= 2 => Ok(()),
            (Loss::SoftmaxCrossEntropy, _) => bad(
                "softmax cross-entropy needs a linear output layer with at least 2 outputs".into(),
            ),
            (Loss::BinaryCrossEntropy, Activation::Sigmoid) => Ok(()),
            (Loss::BinaryCrossEntropy, _) => {
                bad("binary cross-entropy needs a sigmoid output layer".into())
            }
            (Loss::HalfSquaredError, _) => Ok(()),
        }
    }

    /// The width of every layer from the inputs to the outputs.
    pub fn widths(&self) -> Vec<usize> {
        std::iter::once(self.inputs)
            .chain(self.hidden.iter().map(|l| l.neurons))
            .chain(std::iter::once(self.outputs))
            .collect()
    }

    /// The activation of each non-input layer, the output layer last.
    pub fn activations(&self) -> Vec<Activation> {
        self.hidden
            .iter()
            .map(|l| l.activation)
            .chain(std::iter::once(self.output_activation))
            .collect()
    }
}

/// One dense layer's parameters: `weight` is `inputs × outputs`, `bias` is `outputs`.
pub struct Dense<B: Backend> {
    pub weight: Tensor<B>,
    pub bias: Tensor<B>,
}

/// A multi-layer perceptron on backend `B`.
pub struct Mlp<B: Backend> {
    backend: B,
    config: MlpConfig,
    layers: Vec<Dense<B>>,
}

/// Inverted dropout on every hidden layer's output during one training pass:
/// each value is zeroed with probability `rate` and the rest scaled by
/// `1 / (1 − rate)`. The inputs and the output layer are never dropped.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dropout {
    /// Fraction of the values dropped, in `[0, 1)`; 0 drops nothing.
    pub rate: f32,
    /// Picks the masks ([`crate::backend::dropout_keeps`]); each hidden
    /// layer mixes in its own index, so layers get different masks.
    pub seed: u64,
}

impl Dropout {
    /// Checks the rate, explaining what is wrong.
    pub fn validate(&self) -> Result<(), EngineError> {
        if (0.0..1.0).contains(&self.rate) {
            Ok(())
        } else {
            Err(EngineError::Config(format!(
                "dropout drops a fraction in [0, 1) of the values, not {}",
                self.rate
            )))
        }
    }

    /// The mask seed of hidden layer `layer`.
    fn layer_seed(&self, layer: usize) -> u64 {
        self.seed ^ (layer as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }
}

/// The values one forward pass recorded on a graph.
pub struct Forward {
    /// Parameters in [`Mlp::parameters`] order.
    pub params: Vec<Var>,
    /// Each layer's output after its activation, the output layer last (for
    /// softmax cross-entropy the last one holds logits).
    pub layers: Vec<Var>,
}

impl Forward {
    /// The network's output.
    pub fn output(&self) -> Var {
        *self.layers.last().expect("an MLP has an output layer")
    }
}

impl<B: Backend> Mlp<B> {
    /// A fresh network; the same `seed` gives the same weights on every platform.
    pub fn new(backend: B, config: MlpConfig, seed: u64) -> Result<Self, EngineError> {
        config.validate()?;
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(seed ^ INIT_STREAM);
        let widths = config.widths();
        let layers = widths
            .windows(2)
            .map(|pair| {
                let (fan_in, fan_out) = (pair[0], pair[1]);
                let weight = config.init.weights(fan_in, fan_out, &mut rng);
                Ok(Dense {
                    weight: Tensor::from_slice(&backend, &weight, [fan_in, fan_out])?,
                    bias: Tensor::full(&backend, config.init.bias(), [fan_out]),
                })
            })
            .collect::<Result<_, EngineError>>()?;
        Ok(Mlp {
            backend,
            config,
            layers,
        })
    }

    /// Builds a network from existing layers, checking them against `config`.
    pub fn from_layers(
        backend: B,
        config: MlpConfig,
        layers: Vec<Dense<B>>,
    ) -> Result<Self, EngineError> {
        config.validate()?;
        let widths = config.widths();
        if layers.len() != widths.len() - 1 {
            return Err(EngineError::Config(format!(
                "the config describes {} layers but {} were given",
                widths.len() - 1,
                layers.len()
            )));
        }
        for (i, (layer, pair)) in layers.iter().zip(widths.windows(2)).enumerate() {
            if layer.weight.shape().dims() != pair || layer.bias.shape().dims() != [pair[1]] {
                return Err(EngineError::Config(format!(
                    "layer {i}: weight {} and bias {} do not fit {} → {}",
                    layer.weight.shape(),
                    layer.bias.shape(),
                    pair[0],
                    pair[1]
                )));
            }
        }
        Ok(Mlp {
            backend,
            config,
            layers,
        })
    }

    /// The backend the network lives on.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// The config the network was built from.
    pub fn config(&self) -> &MlpConfig {
        &self.config
    }

    /// The dense layers, input side first.
    pub fn layers(&self) -> &[Dense<B>] {
        &self.layers
    }

    /// Mutable layers (for editing a weight by hand).
    pub fn layers_mut(&mut self) -> &mut [Dense<B>] {
        &mut self.layers
    }

    /// Every parameter with its name and whether it is a weight (penalised) or a
    /// bias: `layers.{i}.weight`, `layers.{i}.bias`, …
    pub fn parameters(&self) -> Vec<(String, &Tensor<B>, bool)> {
        self.layers
            .iter()
            .enumerate()
            .flat_map(|(i, l)| {
                [
                    (format!("layers.{i}.weight"), &l.weight, true),
                    (format!("layers.{i}.bias"), &l.bias, false),
                ]
            })
            .collect()
    }

    /// Mutable parameters in [`Mlp::parameters`] order.
    pub fn parameters_mut(&mut self) -> Vec<&mut Tensor<B>> {
        self.layers
            .iter_mut()
            .flat_map(|l| [&mut l.weight, &mut l.bias])
            .collect()
    }

    /// Records a forward pass of `x` (`rows × inputs`) on `g`, as evaluation
    /// and predictions see the network (no dropout).
    pub fn forward(&self, g: &mut Graph<B>, x: Var) -> Result<Forward, EngineError> {
        self.forward_train(g, x, None)
    }

    /// Records a forward pass of `x` on `g` with `dropout`, if any, on the
    /// hidden layers' outputs (a training pass). Each entry of
    /// [`Forward::layers`] is what the next layer receives: for hidden
    /// layers, after dropout.
    pub fn forward_train(
        &self,
        g: &mut Graph<B>,
        x: Var,
        dropout: Option<Dropout>,
    ) -> Result<Forward, EngineError> {
        if let Some(d) = &dropout {
            d.validate()?;
        }
        let mut params = Vec::with_capacity(self.layers.len() * 2);
        let mut layers = Vec::with_capacity(self.layers.len());
        let mut h = x;
        let last = self.layers.len().saturating_sub(1);
        for (i, (layer, activation)) in self
            .layers
            .iter()
            .zip(self.config.activations())
            .enumerate()
        {
            let w = g.param(&layer.weight);
            let b = g.param(&layer.bias);
            h = g.dense(h, w, b, activation)?;
            if let Some(d) = dropout.filter(|d| i < last && d.rate > 0.0) {
                h = g.dropout(h, 1.0 - d.rate, d.layer_seed(i))?;
            }
            params.extend([w, b]);
            layers.push(h);
        }
        Ok(Forward { params, layers })
    }

    /// Every layer's output for a batch of inputs (`rows × inputs`), the output
    /// layer last and, for softmax cross-entropy, as probabilities. The Playground
    /// draws one heatmap per neuron from this.
    pub fn predict_layers(&self, x: &Tensor<B>) -> Result<Vec<Tensor<B>>, EngineError> {
        let mut g = Graph::new(self.backend.clone());
        let input = g.input(x);
        let mut forward = self.forward(&mut g, input)?;
        if self.config.loss == Loss::SoftmaxCrossEntropy {
            let logits = forward.output();
            let probabilities = g.softmax(logits)?;
            *forward
                .layers
                .last_mut()
                .expect("an MLP has an output layer") = probabilities;
        }
        Ok(forward.layers.iter().map(|&v| g.tensor(v)).collect())
    }

    /// The network's output for a batch of inputs (probabilities for softmax
    /// cross-entropy).
    pub fn predict(&self, x: &Tensor<B>) -> Result<Tensor<B>, EngineError> {
        let mut layers = self.predict_layers(x)?;
        Ok(layers.pop().expect("an MLP has an output layer"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cpu, ready};

    fn config() -> MlpConfig {
        MlpConfig::uniform(
            2,
            &[4, 2],
            Activation::Tanh,
            1,
            Activation::Tanh,
            Loss::HalfSquaredError,
        )
    }

    fn read(t: &Tensor<Cpu>) -> Vec<f32> {
        ready(t.to_vec(&Cpu)).unwrap().unwrap()
    }

    #[test]
    fn same_seed_same_weights() {
        let a = Mlp::new(Cpu, config(), 3).unwrap();
        let b = Mlp::new(Cpu, config(), 3).unwrap();
        let c = Mlp::new(Cpu, config(), 4).unwrap();
        let wa = read(&a.layers()[0].weight);
        assert_eq!(wa, read(&b.layers()[0].weight));
        assert_ne!(wa, read(&c.layers()[0].weight));
        assert_eq!(read(&a.layers()[1].bias), vec![0.1, 0.1]);
    }

    #[test]
    fn predict_layers_gives_every_neuron() {
        let mlp = Mlp::new(Cpu, config(), 1).unwrap();
        let x = Tensor::from_slice(&Cpu, &[0.5, -1.0, 2.0, 0.0, 0.0, 0.0], [3, 2]).unwrap();
        let layers = mlp.predict_layers(&x).unwrap();
        let shapes: Vec<_> = layers.iter().map(|t| t.shape().dims().to_vec()).collect();
        assert_eq!(shapes, vec![vec![3, 4], vec![3, 2], vec![3, 1]]);
        assert!(read(&layers[2]).iter().all(|v| v.abs() < 1.0));
    }

    #[test]
    fn softmax_outputs_are_probabilities() {
        let cfg = MlpConfig::uniform(
            2,
            &[3],
            Activation::Relu,
            3,
            Activation::Linear,
            Loss::SoftmaxCrossEntropy,
        );
        let mlp = Mlp::new(Cpu, cfg, 1).unwrap();
        let x = Tensor::from_slice(&Cpu, &[0.5, -1.0, 2.0, 0.0], [2, 2]).unwrap();
        let p = read(&mlp.predict(&x).unwrap());
        for row in p.chunks(3) {
            assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        }
    }

    fn hidden_and_output(
        mlp: &Mlp<Cpu>,
        x: &Tensor<Cpu>,
        dropout: Option<Dropout>,
    ) -> Vec<Vec<f32>> {
        let mut g = Graph::new(Cpu);
        let input = g.input(x);
        let f = mlp.forward_train(&mut g, input, dropout).unwrap();
        f.layers.iter().map(|&v| g.value(v).to_vec()).collect()
    }

    #[test]
    fn dropout_zeroes_and_rescales_hidden_values_only_when_asked() {
        let cfg = MlpConfig::uniform(
            2,
            &[16, 8],
            Activation::Tanh,
            1,
            Activation::Tanh,
            Loss::HalfSquaredError,
        );
        let mlp = Mlp::new(Cpu, cfg, 2).unwrap();
        let xs: Vec<f32> = (0..40).map(|i| (i as f32 * 0.37).sin()).collect();
        let x = Tensor::from_slice(&Cpu, &xs, [20, 2]).unwrap();
        let plain = hidden_and_output(&mlp, &x, None);
        let zero = Dropout { rate: 0.0, seed: 3 };
        assert_eq!(hidden_and_output(&mlp, &x, Some(zero)), plain);
        let half = Dropout { rate: 0.5, seed: 3 };
        let dropped = hidden_and_output(&mlp, &x, Some(half));
        // The first hidden layer sees the same inputs: every value is either
        // dropped or doubled.
        let mut zeros = 0;
        for (d, p) in dropped[0].iter().zip(&plain[0]) {
            if *d == 0.0 {
                zeros += 1;
            } else {
                assert!((d - 2.0 * p).abs() < 1e-6, "{d} vs {p}");
            }
        }
        assert!((100..220).contains(&zeros), "{zeros} of 320 dropped");
        assert_ne!(dropped[2], plain[2], "the output feels the dropout");
        assert!(
            dropped[2].iter().all(|v| *v != 0.0),
            "the output is never dropped"
        );
        // The same seed gives the same masks; another seed other ones.
        assert_eq!(hidden_and_output(&mlp, &x, Some(half)), dropped);
        let other = Dropout { rate: 0.5, seed: 4 };
        assert_ne!(hidden_and_output(&mlp, &x, Some(other))[0], dropped[0]);
        // Predictions never drop anything.
        let predicted = read(&mlp.predict(&x).unwrap());
        assert_eq!(predicted, plain[2]);
    }

    #[test]
    fn dropout_rates_outside_zero_to_one_are_refused() {
        let mlp = Mlp::new(Cpu, config(), 1).unwrap();
        let x = Tensor::from_slice(&Cpu, &[0.5, -1.0], [1, 2]).unwrap();
        for rate in [1.0, -0.1, f32::NAN, 7.0] {
            let mut g = Graph::new(Cpu);
            let input = g.input(&x);
            let err = mlp
                .forward_train(&mut g, input, Some(Dropout { rate, seed: 0 }))
                .err()
                .unwrap()
                .to_string();
            assert!(err.contains("dropout"), "{rate}: {err}");
        }
    }

    /// Every parameter's gradient through a dropout pass (a fixed mask)
    /// against central differences of the loss.
    #[test]
    fn gradients_through_dropout_match_finite_differences() {
        let cfg = MlpConfig::uniform(
            3,
            &[6, 5],
            Activation::Tanh,
            1,
            Activation::Tanh,
            Loss::HalfSquaredError,
        );
        let xs: Vec<f32> = (0..15).map(|i| (i as f32 * 0.71).cos()).collect();
        let x = Tensor::from_slice(&Cpu, &xs, [5, 3]).unwrap();
        let y = Tensor::from_slice(&Cpu, &[0.5, -0.5, 1.0, 0.0, -1.0], [5, 1]).unwrap();
        let dropout = Some(Dropout {
            rate: 0.3,
            seed: 11,
        });
        let loss_with = |mlp: &Mlp<Cpu>, dropout: Option<Dropout>| -> (f64, Vec<Vec<f32>>) {
            let mut g = Graph::new(Cpu);
            let (xv, yv) = (g.input(&x), g.input(&y));
            let f = mlp.forward_train(&mut g, xv, dropout).unwrap();
            let loss = Loss::HalfSquaredError
                .record(&mut g, f.output(), yv)
                .unwrap();
            let grads = g.backward(loss).unwrap();
            let gs = f
                .params
                .iter()
                .map(|p| grads.get(*p).map(|b| b.to_vec()).unwrap_or_default())
                .collect();
            (f64::from(g.value(loss)[0]), gs)
        };
        let loss_of = |mlp: &Mlp<Cpu>| loss_with(mlp, dropout);
        let base = Mlp::new(Cpu, cfg.clone(), 8).unwrap();
        let (_, analytic) = loss_of(&base);
        assert_ne!(
            analytic,
            loss_with(&base, None).1,
            "the mask changes the gradients"
        );
        let h = 1e-2f32;
        for (k, grads) in analytic.iter().enumerate() {
            assert_eq!(grads.len(), read(base.parameters()[k].1).len());
            for (i, &a) in grads.iter().enumerate() {
                let nudged = |delta: f32| {
                    let mut other = Mlp::new(Cpu, cfg.clone(), 8).unwrap();
                    let tensor = &mut other.parameters_mut()[k];
                    let mut values = read(tensor);
                    values[i] += delta;
                    **tensor = Tensor::from_slice(&Cpu, &values, tensor.shape().clone()).unwrap();
                    loss_of(&other).0
                };
                let numeric = (nudged(h) - nudged(-h)) / (2.0 * f64::from(h));
                let a = f64::from(a);
                assert!(
                    (numeric - a).abs() <= 1e-2 * (1.0 + numeric.abs().max(a.abs())),
                    "{}: element {i}: numeric {numeric} vs analytic {a}",
                    base.parameters()[k].0
                );
            }
        }
    }

    #[test]
    fn invalid_configs_are_explained() {
        let mut cfg = config();
        cfg.hidden[1].neurons = 0;
        let err = Mlp::new(Cpu, cfg, 0).err().unwrap().to_string();
        assert!(err.contains("hidden layer 2"), "{err}");
        let ce = MlpConfig::uniform(
            2,
            &[3],
            Activation::Relu,
            3,
            Activation::Tanh,
            Loss::SoftmaxCrossEntropy,
        );
        assert!(ce.validate().is_err());
        let bce = MlpConfig::uniform(
            2,
            &[3],
            Activation::Relu,
            1,
            Activation::Tanh,
            Loss::BinaryCrossEntropy,
        );
        assert!(bce.validate().is_err());
    }
}
