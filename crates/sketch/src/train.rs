//! Training a decoder of one's own on stroke data, as sketch-rnn's trainer
//! does it for a decoder-only model: stroke-5 sequences with the start token
//! in front, offsets divided by the training set's standard deviation,
//! a random stretch of each sequence (±15 % per axis), Adam with a decaying
//! learning rate and every gradient clipped to ±1.
//!
//! The loss is the **negative log-likelihood per stroke point**: for each
//! sequence, the offsets of its points under the mixture and the pen state
//! of its points and of its end token, summed over a batch and divided by
//! the points it holds (end tokens included; the padding after them counts
//! for nothing). sketch-rnn divides by its maximum length instead, so its
//! figures are smaller by the fraction of each batch that is padding; ours
//! does not change with how a batch is padded, so the training and the
//! held-out figures compare.
//!
//! A step unrolls the LSTM over the batch's longest sequence on one graph
//! (the output projection and the loss per time step), takes the gradients
//! and updates. [`SketchTrainer::decoder`] gives the model as it stands, for
//! sampling; [`SketchTrainer::to_files`] its config and weights file.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};

use playnet_engine::lstm::{FORGET_BIAS, Lstm};
use playnet_engine::mdn::{self, MixtureVars, StrokeTargets};
use playnet_engine::params::Builder;
use playnet_engine::{
    Activation, Backend, EngineError, Graph, Init, Optimizer, ParamSpec, Role, Schedule, Tensor,
    UnaryOp, Updater, Var,
};

use crate::dataset::Split;
use crate::format::{Converted, ModelConfig, Storage};
use crate::{Decoder, ModelInfo, STROKE5, SketchError};

/// How a decoder is trained. Serialised as JSON between the page and its
/// worker; every field has a default, so `{}` is sketch-rnn's recipe at a
/// size a browser trains in minutes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainSettings {
    /// LSTM units (sketch-rnn's decoders have 512; 128 trains in the page).
    pub hidden: usize,
    /// Mixture components (sketch-rnn's 20).
    pub components: usize,
    /// Sequences per step (sketch-rnn's 100).
    pub batch: usize,
    /// The first step's learning rate (sketch-rnn's 1e-3).
    pub learning_rate: f32,
    /// The rate it decays towards (sketch-rnn's 1e-5).
    pub min_learning_rate: f32,
    /// Steps over which the rate's excess falls by `1/e` (sketch-rnn
    /// multiplies it by 0.9999 a step: 10,000).
    pub decay_steps: f32,
    /// Every gradient is clipped to `±grad_clip` (sketch-rnn's 1).
    pub grad_clip: f32,
    /// Longer sequences (stroke-3 rows) are left out of training (sketch-rnn
    /// does the same). Omniglot's 95th percentile is 62 rows, its longest 157.
    pub max_seq_len: usize,
    /// Each training sequence's offsets are stretched by a factor drawn from
    /// `1 ± random_scale`, per axis (sketch-rnn's 0.15).
    pub random_scale: f32,
    /// Held-out sequences the validation figure is measured on (the first
    /// ones of the validation split that fit `max_seq_len`).
    pub valid_sequences: usize,
}

impl Default for TrainSettings {
    fn default() -> Self {
        TrainSettings {
            hidden: 128,
            components: 20,
            batch: 100,
            learning_rate: 1e-3,
            min_learning_rate: 1e-5,
            decay_steps: 10_000.0,
            grad_clip: 1.0,
            max_seq_len: 100,
            random_scale: 0.15,
            valid_sequences: 100,
        }
    }
}

impl TrainSettings {
    /// Refuses settings no training can run with, naming the value.
    pub fn validate(&self) -> Result<(), SketchError> {
        let bad = |why: String| Err(SketchError::Config(why));
        if !(1..=1024).contains(&self.hidden) {
            return bad(format!("hidden {} (1 to 1024 units)", self.hidden));
        }
        if !(1..=64).contains(&self.components) {
            return bad(format!("components {} (1 to 64)", self.components));
        }
        if !(1..=1000).contains(&self.batch) {
            return bad(format!("batch {} (1 to 1000 sequences)", self.batch));
        }
        for (what, v) in [
            ("learning_rate", self.learning_rate),
            ("decay_steps", self.decay_steps),
            ("grad_clip", self.grad_clip),
        ] {
            if !(v > 0.0 && v.is_finite()) {
                return bad(format!("{what} {v} (a positive number)"));
            }
        }
        if !(0.0..=self.learning_rate).contains(&self.min_learning_rate) {
            return bad(format!(
                "min_learning_rate {} (0 to the learning rate)",
                self.min_learning_rate
            ));
        }
        if !(2..=1000).contains(&self.max_seq_len) {
            return bad(format!("max_seq_len {} (2 to 1000 rows)", self.max_seq_len));
        }
        if !(0.0..0.5).contains(&self.random_scale) {
            return bad(format!("random_scale {} (0 to 0.5)", self.random_scale));
        }
        if self.valid_sequences == 0 {
            return bad("valid_sequences 0 (at least 1)".into());
        }
        Ok(())
    }

    fn schedule(&self) -> Schedule {
        Schedule::ExponentialDecay {
            max: self.learning_rate,
            min: self.min_learning_rate,
            decay_steps: self.decay_steps,
        }
    }
}

/// The sequences a trainer reads: stroke-3 rows as `f32` offsets (in the
/// data's own units) and lifts, each shorter than the cap.
struct Sequences(Vec<Vec<[f32; 3]>>);

impl Sequences {
    fn from_split(split: &Split, max_len: usize, limit: usize) -> Self {
        Sequences(
            split
                .iter()
                .filter(|s| !s.is_empty() && s.len() <= max_len)
                .take(limit)
                .map(|s| {
                    s.iter()
                        .map(|r| [f32::from(r[0]), f32::from(r[1]), f32::from(r[2])])
                        .collect()
                })
                .collect(),
        )
    }

    /// The standard deviation of every offset (dx and dy together), as
    /// sketch-rnn's `calculate_normalizing_scale_factor` computes it.
    fn offset_std(&self) -> f32 {
        let (mut n, mut sum, mut sq) = (0.0f64, 0.0f64, 0.0f64);
        for r in self.0.iter().flatten() {
            for v in [f64::from(r[0]), f64::from(r[1])] {
                n += 1.0;
                sum += v;
                sq += v * v;
            }
        }
        let mean = sum / n.max(1.0);
        ((sq / n.max(1.0) - mean * mean).max(0.0)).sqrt() as f32
    }
}

/// One batch as the graph reads it: per time step, the inputs `[B, 5]` and
/// the targets, and the points the batch holds.
struct Batch {
    inputs: Vec<Vec<f32>>,
    dx: Vec<Vec<f32>>,
    dy: Vec<Vec<f32>>,
    pen: Vec<Vec<f32>>,
    mask: Vec<Vec<f32>>,
    points: usize,
}

impl Batch {
    /// `sequences` with their offsets divided by `scale` and stretched per
    /// sequence by `stretch` (1 for none).
    fn new(sequences: &[&[[f32; 3]]], stretch: &[[f32; 2]], scale: f32) -> Batch {
        let b = sequences.len();
        let steps = sequences.iter().map(|s| s.len()).max().unwrap_or(0) + 1;
        let mut batch = Batch {
            inputs: vec![vec![0.0; b * STROKE5]; steps],
            dx: vec![vec![0.0; b]; steps],
            dy: vec![vec![0.0; b]; steps],
            pen: vec![vec![0.0; b * 3]; steps],
            mask: vec![vec![0.0; b]; steps],
            points: sequences.iter().map(|s| s.len() + 1).sum(),
        };
        for (i, (s, k)) in sequences.iter().zip(stretch).enumerate() {
            let row = |t: usize| {
                let r = s[t];
                [
                    r[0] * k[0] / scale,
                    r[1] * k[1] / scale,
                    1.0 - r[2],
                    r[2],
                    0.0,
                ]
            };
            for t in 0..steps {
                // The input at t is row t − 1 (the start token first, the
                // end token after the last row); the target is row t.
                let input = match t {
                    0 => crate::START,
                    t if t <= s.len() => row(t - 1),
                    _ => [0.0, 0.0, 0.0, 0.0, 1.0],
                };
                batch.inputs[t][i * STROKE5..(i + 1) * STROKE5].copy_from_slice(&input);
                if t < s.len() {
                    let r = row(t);
                    batch.dx[t][i] = r[0];
                    batch.dy[t][i] = r[1];
                    batch.pen[t][i * 3..i * 3 + 3].copy_from_slice(&r[2..5]);
                    batch.mask[t][i] = 1.0;
                } else if t == s.len() {
                    batch.pen[t][i * 3 + 2] = 1.0;
                }
            }
        }
        batch
    }
}

/// What a training step reports.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    /// Steps taken, this one included.
    pub step: u32,
    /// The batch's NLL per point, before the update.
    pub nll: f32,
    pub learning_rate: f32,
}

/// A decoder being trained (see the module documentation).
pub struct SketchTrainer<B: Backend> {
    backend: B,
    settings: TrainSettings,
    name: String,
    scale_factor: f32,
    lstm: Lstm<B>,
    output_weight: Tensor<B>,
    output_bias: Tensor<B>,
    train: Sequences,
    valid: Sequences,
    order: Vec<usize>,
    next: usize,
    rng: Pcg64Mcg,
    updater: Updater<B>,
    steps: u32,
}

impl<B: Backend> SketchTrainer<B> {
    /// A fresh decoder called `name` for `train`, measured on `valid`;
    /// `seed` draws the weights, the batches and the stretches, so the same
    /// seed, data and settings train the same model.
    pub fn new(
        backend: B,
        name: &str,
        settings: TrainSettings,
        train: &Split,
        valid: &Split,
        seed: u64,
    ) -> Result<Self, SketchError> {
        settings.validate()?;
        let train_set = Sequences::from_split(train, settings.max_seq_len, usize::MAX);
        let valid_set =
            Sequences::from_split(valid, settings.max_seq_len, settings.valid_sequences);
        if train_set.0.is_empty() || valid_set.0.is_empty() {
            return Err(SketchError::Strokes(format!(
                "{} training and {} held-out drawings of at most {} points: training needs at \
                 least one of each",
                train_set.0.len(),
                valid_set.0.len(),
                settings.max_seq_len
            )));
        }
        let scale_factor = train_set.offset_std();
        if !(scale_factor > 0.0 && scale_factor.is_finite()) {
            return Err(SketchError::Strokes(format!(
                "the training drawings' offsets have a spread of {scale_factor}: they do not move"
            )));
        }
        let mut builder = Builder::fresh(backend.clone(), Init::Xavier, seed);
        let lstm = Lstm::build(&mut builder, "lstm", STROKE5, settings.hidden, FORGET_BIAS)?;
        let raw = mdn::raw_len(settings.components);
        let output_weight = builder
            .make(
                "output",
                &ParamSpec::new("weight", Role::Weight, [settings.hidden, raw]),
            )?
            .tensor;
        let output_bias = Tensor::full(&backend, 0.0, [raw]);
        let order = (0..train_set.0.len()).collect();
        Ok(SketchTrainer {
            backend,
            name: name.into(),
            scale_factor,
            lstm,
            output_weight,
            output_bias,
            train: train_set,
            valid: valid_set,
            order,
            next: usize::MAX,
            rng: Pcg64Mcg::seed_from_u64(seed ^ 0x5eed_57a1),
            updater: Updater::default(),
            steps: 0,
            settings,
        })
    }

    pub fn settings(&self) -> &TrainSettings {
        &self.settings
    }

    /// Steps taken.
    pub fn steps(&self) -> u32 {
        self.steps
    }

    /// The training drawings' offset spread, the model's scale factor.
    pub fn scale_factor(&self) -> f32 {
        self.scale_factor
    }

    /// Drawings trained on and held out.
    pub fn sizes(&self) -> (usize, usize) {
        (self.train.0.len(), self.valid.0.len())
    }

    /// The next batch's sequences: a fresh shuffle each pass.
    fn next_indices(&mut self) -> Vec<usize> {
        let mut picked = Vec::with_capacity(self.settings.batch);
        while picked.len() < self.settings.batch {
            if self.next >= self.order.len() {
                self.order.shuffle(&mut self.rng);
                self.next = 0;
            }
            picked.push(self.order[self.next]);
            self.next += 1;
        }
        picked
    }

    /// Records the loss of `batch` on `g`: per time step the LSTM, the
    /// projection to the mixture and its NLL, summed and divided by the
    /// points. Returns the loss and the parameters' vars.
    fn record(
        &self,
        g: &mut Graph<B>,
        batch: &Batch,
        train: bool,
    ) -> Result<(Var, [Var; 4]), SketchError> {
        let b = batch.dx.first().map_or(0, Vec::len);
        let (hidden, m) = (self.settings.hidden, self.settings.components);
        let lstm = self.lstm.record(g, !train);
        let leaf = |g: &mut Graph<B>, t: &Tensor<B>| if train { g.param(t) } else { g.input(t) };
        let w = leaf(g, &self.output_weight);
        let bias = leaf(g, &self.output_bias);
        let zeros = Tensor::full(&self.backend, 0.0, [b, hidden]);
        let (mut h, mut c) = (g.input(&zeros), g.input(&zeros));
        let data = |g: &mut Graph<B>, v: &[f32], width: usize| -> Result<Var, EngineError> {
            Ok(g.input(&Tensor::from_slice(&self.backend, v, [b, width])?))
        };
        let mut total: Option<Var> = None;
        for t in 0..batch.inputs.len() {
            let x = data(g, &batch.inputs[t], STROKE5)?;
            (h, c) = lstm.step(g, x, h, c)?;
            let raw = g.dense(h, w, bias, Activation::Linear)?;
            let mut part = |k: usize, width: usize| g.slice(raw, 1, k, width);
            let mixture = MixtureVars {
                pen_logits: part(0, mdn::PEN_STATES)?,
                pi_logits: part(mdn::PEN_STATES, m)?,
                mu_x: part(mdn::PEN_STATES + m, m)?,
                mu_y: part(mdn::PEN_STATES + 2 * m, m)?,
                log_sigma_x: part(mdn::PEN_STATES + 3 * m, m)?,
                log_sigma_y: part(mdn::PEN_STATES + 4 * m, m)?,
                rho_raw: part(mdn::PEN_STATES + 5 * m, m)?,
            };
            let targets = StrokeTargets {
                dx: data(g, &batch.dx[t], 1)?,
                dy: data(g, &batch.dy[t], 1)?,
                pen: data(g, &batch.pen[t], 3)?,
                mask: data(g, &batch.mask[t], 1)?,
            };
            let nll = mdn::negative_log_likelihood(g, &mixture, &targets)?;
            total = Some(match total {
                Some(sum) => g.add(sum, nll)?,
                None => nll,
            });
        }
        let total = total.ok_or(EngineError::Internal("a batch has at least one step"))?;
        // Each step's NLL is a mean over the batch; per point it is the sum
        // over the batch divided by the points.
        let loss = g.scale(total, b as f32 / batch.points.max(1) as f32);
        Ok((loss, [lstm.kernel, lstm.bias, w, bias]))
    }

    /// One update on the next batch. A loss that is not finite stops
    /// before the update, so the weights stay as they were.
    pub async fn step(&mut self) -> Result<StepReport, SketchError> {
        let indices = self.next_indices();
        let k = self.settings.random_scale;
        let stretch: Vec<[f32; 2]> = indices
            .iter()
            .map(|_| {
                [
                    self.rng.random_range(1.0 - k..=1.0 + k),
                    self.rng.random_range(1.0 - k..=1.0 + k),
                ]
            })
            .collect();
        let sequences: Vec<&[[f32; 3]]> = indices
            .iter()
            .map(|&i| self.train.0[i].as_slice())
            .collect();
        let batch = Batch::new(&sequences, &stretch, self.scale_factor);
        let learning_rate = self.settings.schedule().rate(self.steps);
        let mut g = Graph::new(self.backend.clone());
        let (loss, params) = self.record(&mut g, &batch, true)?;
        let nll = self.backend.read(g.value(loss)).await?[0];
        if !nll.is_finite() {
            return Err(SketchError::Diverged {
                step: self.steps + 1,
                value: nll,
            });
        }
        let gradients = g.backward(loss)?;
        let clip = UnaryOp::Clamp {
            lo: -self.settings.grad_clip,
            hi: self.settings.grad_clip,
        };
        let grads: Vec<B::Buffer> = gradients
            .of_params(&params)?
            .iter()
            .map(|grad| self.backend.unary(clip, grad))
            .collect();
        drop(gradients);
        drop(g);
        let backend = self.backend.clone();
        self.updater.apply(
            &backend,
            Optimizer::ADAM,
            learning_rate,
            None,
            vec![
                (&mut self.lstm.kernel, true),
                (&mut self.lstm.bias, false),
                (&mut self.output_weight, true),
                (&mut self.output_bias, false),
            ],
            &grads,
        )?;
        self.steps += 1;
        Ok(StepReport {
            step: self.steps,
            nll,
            learning_rate,
        })
    }

    /// The NLL per point on the held-out sequences (no stretch), in batches
    /// of the training batch's size.
    pub async fn validate(&self) -> Result<f32, SketchError> {
        let (mut sum, mut points) = (0.0f64, 0usize);
        for chunk in self.valid.0.chunks(self.settings.batch) {
            let sequences: Vec<&[[f32; 3]]> = chunk.iter().map(Vec::as_slice).collect();
            let batch = Batch::new(&sequences, &vec![[1.0; 2]; chunk.len()], self.scale_factor);
            let mut g = Graph::new(self.backend.clone());
            let (loss, _) = self.record(&mut g, &batch, false)?;
            let nll = self.backend.read(g.value(loss)).await?[0];
            sum += f64::from(nll) * batch.points as f64;
            points += batch.points;
        }
        Ok((sum / points.max(1) as f64) as f32)
    }

    /// The model as it stands, for sampling.
    pub fn decoder(&self) -> Result<Decoder<B>, SketchError> {
        let lstm = Lstm {
            kernel: self.lstm.kernel.clone(),
            bias: self.lstm.bias.clone(),
            forget_bias: self.lstm.forget_bias,
        };
        Decoder::from_parts(
            self.backend.clone(),
            ModelInfo {
                name: self.name.clone(),
                scale_factor: self.scale_factor,
                max_seq_len: self.settings.max_seq_len,
                mode: 2,
            },
            lstm,
            self.output_weight.clone(),
            self.output_bias.clone(),
        )
    }

    /// The model's description and weights file in the shipped format
    /// (`f32` storage), which [`Decoder::from_safetensors`] reads back.
    pub async fn to_files(&self, source: &str) -> Result<Converted, SketchError> {
        let config = ModelConfig {
            name: self.name.clone(),
            scale_factor: self.scale_factor,
            max_seq_len: self.settings.max_seq_len,
            inputs: STROKE5,
            hidden: self.settings.hidden,
            components: self.settings.components,
            forget_bias: self.lstm.forget_bias,
            storage: Storage::F32,
            weights: format!("{}.safetensors", crate::format::file_stem(&self.name)),
            source: source.into(),
        };
        let mut data: [Vec<u8>; 4] = Default::default();
        for (slot, t) in data.iter_mut().zip([
            &self.lstm.kernel,
            &self.lstm.bias,
            &self.output_weight,
            &self.output_bias,
        ]) {
            *slot = t
                .to_vec(&self.backend)
                .await?
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect();
        }
        crate::format::write(config, data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use playnet_engine::{Cpu, ready};

    /// Little drawings with a pattern to learn: steps of (10, 0), then
    /// (0, 10), a lift, and back.
    fn squares(n: usize, jitter: u64) -> Split {
        let mut rng = Pcg64Mcg::seed_from_u64(jitter);
        let sequences: Vec<Vec<[i16; 3]>> = (0..n)
            .map(|_| {
                let len = rng.random_range(4..12);
                (0..len)
                    .map(|i| {
                        let wobble = rng.random_range(-2..=2);
                        match i % 4 {
                            0 => [10 + wobble, 0, 0],
                            1 => [0, 10 + wobble, 0],
                            2 => [-10 + wobble, 0, 1],
                            _ => [0, -10 + wobble, i16::from(i + 1 == len)],
                        }
                    })
                    .collect()
            })
            .collect();
        Split::new("train", &sequences).unwrap()
    }

    fn small() -> TrainSettings {
        TrainSettings {
            hidden: 16,
            components: 3,
            batch: 8,
            learning_rate: 1e-2,
            ..TrainSettings::default()
        }
    }

    #[test]
    fn batches_put_the_start_token_first_and_mask_what_follows_the_end() {
        let a: &[[f32; 3]] = &[[2.0, 4.0, 0.0], [6.0, 0.0, 1.0]];
        let b: &[[f32; 3]] = &[[2.0, 2.0, 1.0]];
        let batch = Batch::new(&[a, b], &[[1.0, 1.0], [1.0, 2.0]], 2.0);
        assert_eq!(batch.inputs.len(), 3);
        assert_eq!(batch.points, 5);
        assert_eq!(&batch.inputs[0][..5], &crate::START);
        assert_eq!(&batch.inputs[1][..5], &[1.0, 2.0, 1.0, 0.0, 0.0]);
        // b's second input is its end token; its stretch doubles dy.
        assert_eq!(&batch.inputs[1][5..], &[1.0, 2.0, 0.0, 1.0, 0.0]);
        assert_eq!(&batch.inputs[2][5..], &[0.0, 0.0, 0.0, 0.0, 1.0]);
        assert_eq!(
            (batch.dx[1][0], batch.pen[1][..3].to_vec()),
            (3.0, vec![0.0, 1.0, 0.0])
        );
        // a's end token: the pen's "end", no offset; b's padding: nothing.
        assert_eq!(
            (batch.mask[2][0], batch.pen[2][..3].to_vec()),
            (0.0, vec![0.0, 0.0, 1.0])
        );
        assert_eq!(
            (batch.mask[2][1], batch.pen[2][3..].to_vec()),
            (0.0, vec![0.0; 3])
        );
        assert_eq!(batch.mask[0], [1.0, 1.0]);
    }

    #[test]
    fn training_lowers_the_held_out_nll_and_the_files_load_back() {
        let (train, valid) = (squares(200, 1), squares(20, 2));
        let mut trainer = SketchTrainer::new(Cpu, "squares", small(), &train, &valid, 7).unwrap();
        let before = ready(trainer.validate()).unwrap().unwrap();
        let mut last = None;
        for _ in 0..60 {
            last = Some(ready(trainer.step()).unwrap().unwrap());
        }
        let after = ready(trainer.validate()).unwrap().unwrap();
        assert!(after < before - 1.0, "held-out NLL {before} → {after}");
        let last = last.unwrap();
        assert_eq!(last.step, 60);
        assert!(last.learning_rate < 1e-2 && last.learning_rate > 9e-3);
        // Saved and read back, the model predicts exactly as it did.
        let files = ready(trainer.to_files("a test")).unwrap().unwrap();
        let loaded = Decoder::from_safetensors(Cpu, &files.config_json, &files.weights).unwrap();
        let live = trainer.decoder().unwrap();
        let state = live.zero_state();
        let (_, a) = live.step_now(crate::START, &state).unwrap();
        let (_, b) = loaded.step_now(crate::START, &state).unwrap();
        assert_eq!(a, b);
        assert_eq!(loaded.info().scale_factor, trainer.scale_factor());
    }

    #[test]
    fn the_same_seed_trains_the_same_model() {
        let (train, valid) = (squares(50, 3), squares(5, 4));
        let run = || {
            let mut t = SketchTrainer::new(Cpu, "s", small(), &train, &valid, 11).unwrap();
            (0..3)
                .map(|_| ready(t.step()).unwrap().unwrap().nll.to_bits())
                .collect::<Vec<_>>()
        };
        assert_eq!(run(), run());
    }

    #[test]
    fn unusable_settings_and_data_are_refused_with_the_reason() {
        let data = squares(10, 5);
        for (settings, needle) in [
            (
                TrainSettings {
                    hidden: 0,
                    ..small()
                },
                "hidden 0",
            ),
            (
                TrainSettings {
                    learning_rate: f32::NAN,
                    ..small()
                },
                "learning_rate NaN",
            ),
            (
                TrainSettings {
                    max_seq_len: 1,
                    ..small()
                },
                "max_seq_len 1",
            ),
            (
                TrainSettings {
                    random_scale: 0.9,
                    ..small()
                },
                "random_scale 0.9",
            ),
        ] {
            let err = SketchTrainer::new(Cpu, "s", settings, &data, &data, 1)
                .err()
                .unwrap();
            assert!(err.to_string().contains(needle), "{err}");
        }
        let empty = Split::new("valid", &[]).unwrap();
        let err = SketchTrainer::new(Cpu, "s", small(), &data, &empty, 1)
            .err()
            .unwrap();
        assert!(err.to_string().contains("at least one of each"), "{err}");
        let still = Split::new("train", &[vec![[0, 0, 0], [0, 0, 1]]]).unwrap();
        let err = SketchTrainer::new(Cpu, "s", small(), &still, &still, 1)
            .err()
            .unwrap();
        assert!(err.to_string().contains("do not move"), "{err}");
        let json: TrainSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(json, TrainSettings::default());
        assert!(serde_json::from_str::<TrainSettings>(r#"{"hiden":3}"#).is_err());
    }
}
