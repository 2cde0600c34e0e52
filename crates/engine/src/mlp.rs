//! The Playground's description of a multi-layer perceptron (inputs, hidden
//! layers, outputs, loss), and the [`Net`] it builds: a flat input and dense
//! layers, nothing else.
//!
//! Dropout is a training-time choice, not part of the network: a training
//! pass may ask for it ([`crate::Mode::Train`]'s `hidden_dropout`);
//! evaluation, predictions and heatmaps never drop anything (inverted
//! dropout needs no rescaling there).

use serde::{Deserialize, Serialize};

use crate::{Activation, Backend, EngineError, Features, Init, Layer, Loss, Net, NetConfig};

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

impl MlpConfig {
    /// The network this describes: a flat input and one dense layer per
    /// hidden layer, then the output layer.
    pub fn network(&self) -> NetConfig {
        NetConfig {
            input: Features::Flat(self.inputs),
            layers: self
                .hidden
                .iter()
                .map(|l| (l.neurons, l.activation))
                .chain(std::iter::once((self.outputs, self.output_activation)))
                .map(|(units, activation)| Layer::Dense { units, activation })
                .collect(),
            init: self.init,
            loss: self.loss,
        }
    }

    /// A fresh network; the same `seed` gives the same weights on every platform.
    pub fn build<B: Backend>(&self, backend: B, seed: u64) -> Result<Net<B>, EngineError> {
        self.validate()?;
        Net::new(backend, self.network(), self.outputs, seed ^ INIT_STREAM)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cpu, Graph, Mode, Tensor, ready};

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
        let a = config().build(Cpu, 3).unwrap();
        let b = config().build(Cpu, 3).unwrap();
        let c = config().build(Cpu, 4).unwrap();
        let wa = read(a.dense_layers()[0].weight);
        assert_eq!(wa, read(b.dense_layers()[0].weight));
        assert_ne!(wa, read(c.dense_layers()[0].weight));
        assert_eq!(read(a.dense_layers()[1].bias), vec![0.1, 0.1]);
        let names: Vec<_> = a.parameters().into_iter().map(|(n, _, w)| (n, w)).collect();
        assert_eq!(
            names,
            [
                ("layers.0.weight".to_string(), true),
                ("layers.0.bias".to_string(), false),
                ("layers.1.weight".to_string(), true),
                ("layers.1.bias".to_string(), false),
                ("layers.2.weight".to_string(), true),
                ("layers.2.bias".to_string(), false),
            ]
        );
    }

    #[test]
    fn predict_layers_gives_every_neuron() {
        let mlp = config().build(Cpu, 1).unwrap();
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
        let mlp = cfg.build(Cpu, 1).unwrap();
        let x = Tensor::from_slice(&Cpu, &[0.5, -1.0, 2.0, 0.0], [2, 2]).unwrap();
        let p = read(&mlp.predict(&x).unwrap());
        for row in p.chunks(3) {
            assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        }
    }

    fn train(seed: u64, rate: f32) -> Mode {
        Mode::Train {
            seed,
            hidden_dropout: rate,
        }
    }

    fn hidden_and_output(mlp: &Net<Cpu>, x: &Tensor<Cpu>, mode: Mode) -> Vec<Vec<f32>> {
        let mut g = Graph::new(Cpu);
        let input = g.input(x);
        let f = mlp.forward(&mut g, input, mode).unwrap();
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
        let mlp = cfg.build(Cpu, 2).unwrap();
        let xs: Vec<f32> = (0..40).map(|i| (i as f32 * 0.37).sin()).collect();
        let x = Tensor::from_slice(&Cpu, &xs, [20, 2]).unwrap();
        let plain = hidden_and_output(&mlp, &x, Mode::Eval);
        assert_eq!(hidden_and_output(&mlp, &x, train(3, 0.0)), plain);
        let dropped = hidden_and_output(&mlp, &x, train(3, 0.5));
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
        assert_eq!(hidden_and_output(&mlp, &x, train(3, 0.5)), dropped);
        assert_ne!(hidden_and_output(&mlp, &x, train(4, 0.5))[0], dropped[0]);
        // Predictions never drop anything.
        let predicted = read(&mlp.predict(&x).unwrap());
        assert_eq!(predicted, plain[2]);
    }

    #[test]
    fn dropout_rates_outside_zero_to_one_are_refused() {
        let mlp = config().build(Cpu, 1).unwrap();
        let x = Tensor::from_slice(&Cpu, &[0.5, -1.0], [1, 2]).unwrap();
        for rate in [1.0, -0.1, f32::NAN, 7.0] {
            let mut g = Graph::new(Cpu);
            let input = g.input(&x);
            let err = mlp
                .forward(&mut g, input, train(0, rate))
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
        let dropout = train(11, 0.3);
        let loss_with = |mlp: &Net<Cpu>, mode: Mode| -> (f64, Vec<Vec<f32>>) {
            let mut g = Graph::new(Cpu);
            let (xv, yv) = (g.input(&x), g.input(&y));
            let f = mlp.forward(&mut g, xv, mode).unwrap();
            let loss = Loss::HalfSquaredError.record(&mut g, f.output, yv).unwrap();
            let grads = g.backward(loss).unwrap();
            let gs = f
                .params
                .iter()
                .map(|p| grads.get(*p).map(|b| b.to_vec()).unwrap_or_default())
                .collect();
            (f64::from(g.value(loss)[0]), gs)
        };
        let loss_of = |mlp: &Net<Cpu>| loss_with(mlp, dropout);
        let base = cfg.build(Cpu, 8).unwrap();
        let (_, analytic) = loss_of(&base);
        assert_ne!(
            analytic,
            loss_with(&base, Mode::Eval).1,
            "the mask changes the gradients"
        );
        let names: Vec<String> = base.parameters().into_iter().map(|p| p.0).collect();
        let h = 1e-2f32;
        for (k, grads) in analytic.iter().enumerate() {
            assert_eq!(grads.len(), read(base.parameters()[k].1).len());
            for (i, &a) in grads.iter().enumerate() {
                let nudged = |delta: f32| {
                    let mut other = cfg.build(Cpu, 8).unwrap();
                    let tensor = other.param_mut(&names[k]).unwrap();
                    let mut values = read(tensor);
                    values[i] += delta;
                    *tensor = Tensor::from_slice(&Cpu, &values, tensor.shape().clone()).unwrap();
                    loss_of(&other).0
                };
                let numeric = (nudged(h) - nudged(-h)) / (2.0 * f64::from(h));
                let a = f64::from(a);
                assert!(
                    (numeric - a).abs() <= 1e-2 * (1.0 + numeric.abs().max(a.abs())),
                    "{}: element {i}: numeric {numeric} vs analytic {a}",
                    names[k]
                );
            }
        }
    }

    #[test]
    fn invalid_configs_are_explained() {
        let mut cfg = config();
        cfg.hidden[1].neurons = 0;
        let err = cfg.build(Cpu, 0).err().unwrap().to_string();
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
        assert!(ce.build(Cpu, 0).is_err());
        let bce = MlpConfig::uniform(
            2,
            &[3],
            Activation::Relu,
            1,
            Activation::Tanh,
            Loss::BinaryCrossEntropy,
        );
        assert!(bce.validate().is_err());
        assert!(bce.network().validate(1).is_err());
    }
}
