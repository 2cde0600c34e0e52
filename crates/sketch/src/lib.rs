//! # playnet-sketch
//!
//! sketch-rnn stroke models on the engine, with no web dependencies: an LSTM
//! decoder over stroke-5 rows (`[dx, dy, pen down, pen up, end]`) whose
//! output is a mixture density over the next stroke (Ha & Eck 2017), and
//! what a drawing page needs around it.
//!
//! - [`Decoder`] loads the shipped models ([`Decoder::from_safetensors`],
//!   the format in [`format`](mod@format)) or Magenta's own files
//!   ([`Decoder::from_magenta_json`]); [`Decoder::step`] feeds one stroke
//!   and returns the raw mixture outputs, and [`Decoder::mixture`] turns them
//!   into the distribution at a temperature — the same numbers as Magenta's
//!   JS library (`tests/reference.rs` holds the port to its reference
//!   outputs).
//! - [`strokes`]: what the canvas records (absolute polylines) to stroke-3
//!   and stroke-5, simplification as Magenta's demos do it.
//! - [`sample`]: autocomplete, several candidates advancing as one batch,
//!   seeded, step by step so that a page can animate it.
//! - [`svg`]: a drawing and its continuation as an SVG file.
//! - [`train`]: a decoder of one's own trained on stroke data (the page's
//!   worker and `cargo xtask train-sketch` run the same code).
//! - [`dataset`]: the flat stroke data files the page and a trainer read
//!   (`cargo xtask convert-strokes` converts them from sketch-rnn's `.npz`
//!   archives with `playnet_models::npz`, so this crate reads no zip or
//!   pickle).
//!
//! Library code never touches the file system: everything takes bytes or
//! strings.

pub mod dataset;
mod error;
pub mod format;
pub mod magenta;
pub mod sample;
pub mod strokes;
pub mod svg;
pub mod train;

use playnet_engine::lstm::{FORGET_BIAS, Lstm, LstmState};
use playnet_engine::mdn::{self, Mixture};
use playnet_engine::{Activation, Backend, EngineError, Graph, Tensor, ready};
use serde::Deserialize;

pub use error::SketchError;
pub use format::{ModelConfig, ModelIndex, Storage};
pub use sample::Sampler;
pub use strokes::Stroke3;

/// A stroke-5 row's width: the offset and the three pen states.
pub const STROKE5: usize = 5;

/// The start token every drawing begins with (pen down, no offset).
pub const START: [f32; STROKE5] = [0.0, 0.0, 1.0, 0.0, 0.0];

/// A model's description, as its file gives it.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct ModelInfo {
    /// The Quick, Draw! class it was trained on (`bird`, …).
    pub name: String,
    /// The training set's offset standard deviation, in Quick, Draw! pixels:
    /// offsets are divided by it on the way in (with a pixel factor of 1).
    pub scale_factor: f32,
    /// The longest training sequence, a sensible cap on generated strokes.
    pub max_seq_len: usize,
    /// 2 for a decoder-only ("gen") model, the only mode read here.
    pub mode: u32,
}

/// A sketch-rnn decoder: the LSTM and the output projection to the mixture.
pub struct Decoder<B: Backend> {
    backend: B,
    info: ModelInfo,
    lstm: Lstm<B>,
    /// `[hidden, 3 + 6·components]`.
    output_weight: Tensor<B>,
    output_bias: Tensor<B>,
    components: usize,
}

impl<B: Backend> Decoder<B> {
    /// Reads a Magenta decoder-only model file (see [`magenta`]).
    pub fn from_magenta_json(backend: B, json: &str) -> Result<Self, SketchError> {
        let m = magenta::MagentaModel::parse(json)?;
        let f = |v: &[i16]| -> Vec<f32> { v.iter().map(|&x| magenta::dequantize(x)).collect() };
        let lstm = Lstm::from_packed(
            &backend,
            STROKE5,
            m.hidden,
            &f(&m.input_kernel),
            &f(&m.recurrent_kernel),
            &f(&m.bias),
            FORGET_BIAS,
        )?;
        let raw = mdn::raw_len(m.components);
        let output_weight = Tensor::from_slice(&backend, &f(&m.output_weight), [m.hidden, raw])?;
        let output_bias = Tensor::from_slice(&backend, &f(&m.output_bias), [raw])?;
        Self::from_parts(backend, m.info, lstm, output_weight, output_bias)
    }

    /// Reads a shipped model: its description (`<class>.json`) and its
    /// weights (`<class>.safetensors`), refusing a file that does not fit
    /// the description (a tensor missing or extra, another shape or number
    /// type, a NaN) or is not safetensors at all, with the reason.
    pub fn from_safetensors(
        backend: B,
        config_json: &str,
        bytes: &[u8],
    ) -> Result<Self, SketchError> {
        let config: ModelConfig =
            serde_json::from_str(config_json).map_err(|e| SketchError::Config(e.to_string()))?;
        config.validate()?;
        let [kernel, bias, out_w, out_b] = format::read_weights(&config, bytes)?;
        let [s_kernel, s_bias, s_out_w, s_out_b] = config.shapes();
        let lstm = Lstm {
            kernel: Tensor::from_slice(&backend, &kernel, s_kernel.as_slice())?,
            bias: Tensor::from_slice(&backend, &bias, s_bias.as_slice())?,
            forget_bias: config.forget_bias,
        };
        let output_weight = Tensor::from_slice(&backend, &out_w, s_out_w.as_slice())?;
        let output_bias = Tensor::from_slice(&backend, &out_b, s_out_b.as_slice())?;
        let info = ModelInfo {
            name: config.name,
            scale_factor: config.scale_factor,
            max_seq_len: config.max_seq_len,
            mode: 2,
        };
        Self::from_parts(backend, info, lstm, output_weight, output_bias)
    }

    /// A decoder from its parts (a trained one, say): the LSTM over stroke-5
    /// rows and the projection `[hidden, 3 + 6·M]` to the mixture.
    pub fn from_parts(
        backend: B,
        info: ModelInfo,
        lstm: Lstm<B>,
        output_weight: Tensor<B>,
        output_bias: Tensor<B>,
    ) -> Result<Self, SketchError> {
        let hidden = lstm.hidden();
        let dims = output_weight.shape().dims().to_vec();
        let raw = dims.get(1).copied().unwrap_or(0);
        let components = raw.saturating_sub(mdn::PEN_STATES) / 6;
        if lstm.inputs() != STROKE5
            || dims.len() != 2
            || dims[0] != hidden
            || components == 0
            || mdn::raw_len(components) != raw
            || output_bias.shape().dims() != [raw]
        {
            return Err(SketchError::Format(format!(
                "an LSTM of {} inputs and {hidden} units with an output of {dims:?} and a bias \
                 of {} is not a sketch-rnn decoder",
                lstm.inputs(),
                output_bias.shape()
            )));
        }
        if !(info.scale_factor > 0.0 && info.scale_factor.is_finite()) {
            return Err(SketchError::Format(format!(
                "scale factor {}",
                info.scale_factor
            )));
        }
        Ok(Decoder {
            backend,
            info,
            lstm,
            output_weight,
            output_bias,
            components,
        })
    }

    /// What the file says about the model.
    pub fn info(&self) -> &ModelInfo {
        &self.info
    }

    /// Mixture components of the output.
    pub fn components(&self) -> usize {
        self.components
    }

    /// The recurrent cell.
    pub fn lstm(&self) -> &Lstm<B> {
        &self.lstm
    }

    /// LSTM units.
    pub fn hidden(&self) -> usize {
        self.lstm.hidden()
    }

    /// The backend the weights live on.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// The state before the first stroke.
    pub fn zero_state(&self) -> LstmState<B> {
        self.lstm.zero_state(&self.backend, 1)
    }

    /// The scale between pixels and the model's units: offsets in pixels
    /// are divided by `scale_factor / pixel_factor`.
    pub fn scale(&self, pixel_factor: f32) -> f32 {
        self.info.scale_factor / pixel_factor
    }

    /// A stroke-5 row in pixels as the model sees it: the offset divided by
    /// `scale_factor / pixel_factor`, the pen states as they are.
    pub fn to_model(&self, row: [f32; STROKE5], pixel_factor: f32) -> [f32; STROKE5] {
        let s = self.scale(pixel_factor);
        [row[0] / s, row[1] / s, row[2], row[3], row[4]]
    }

    /// Feeds one row per sequence of `state` (in model units, see
    /// [`Decoder::to_model`]) without computing the outputs: conditioning
    /// on strokes that are already drawn.
    pub fn advance(
        &self,
        rows: &[[f32; STROKE5]],
        state: &LstmState<B>,
    ) -> Result<LstmState<B>, EngineError> {
        let x = Tensor::from_slice(&self.backend, rows.as_flattened(), [rows.len(), STROKE5])?;
        self.lstm.advance(&self.backend, &x, state)
    }

    /// The raw mixture outputs of a state, `[batch, 3 + 6·M]` row-major.
    pub async fn outputs(&self, state: &LstmState<B>) -> Result<Vec<f32>, EngineError> {
        let mut g = Graph::new(self.backend.clone());
        let h = g.input(&state.h);
        let (w, b) = (g.input(&self.output_weight), g.input(&self.output_bias));
        let z = g.dense(h, w, b, Activation::Linear)?;
        self.backend.read(g.value(z)).await
    }

    /// Feeds one row per sequence of `state` (a batch of them: `rows.len()`
    /// must be the state's batch) and returns the new state and the raw
    /// mixture outputs it predicts the next strokes with, `[batch, 3 + 6·M]`.
    pub async fn step_batch(
        &self,
        rows: &[[f32; STROKE5]],
        state: &LstmState<B>,
    ) -> Result<(LstmState<B>, Vec<f32>), EngineError> {
        let next = self.advance(rows, state)?;
        let raw = self.outputs(&next).await?;
        Ok((next, raw))
    }

    /// Feeds one stroke (in model units, see [`Decoder::to_model`]) and
    /// returns the new state and the raw mixture outputs it predicts the
    /// next stroke with.
    pub async fn step(
        &self,
        row: [f32; STROKE5],
        state: &LstmState<B>,
    ) -> Result<(LstmState<B>, Vec<f32>), EngineError> {
        self.step_batch(&[row], state).await
    }

    /// [`Decoder::step`] on a backend whose reads complete at once (the CPU).
    pub fn step_now(
        &self,
        row: [f32; STROKE5],
        state: &LstmState<B>,
    ) -> Result<(LstmState<B>, Vec<f32>), EngineError> {
        ready(self.step(row, state))?
    }

    /// [`Decoder::step_batch`] on a backend whose reads complete at once.
    pub fn step_batch_now(
        &self,
        rows: &[[f32; STROKE5]],
        state: &LstmState<B>,
    ) -> Result<(LstmState<B>, Vec<f32>), EngineError> {
        ready(self.step_batch(rows, state))?
    }

    /// The distribution of the next stroke from a step's raw outputs.
    pub fn mixture(&self, raw: &[f32], temperature: f32) -> Result<Mixture, EngineError> {
        Mixture::from_raw(raw, self.components, temperature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use playnet_engine::Cpu;

    #[test]
    fn files_that_are_not_decoders_are_refused_with_a_reason() {
        for (json, needle) in [
            ("{}", "not a sketch-rnn model file"),
            (
                r#"[{"name":"x","scale_factor":1,"max_seq_len":1,"mode":0},[],[]]"#,
                "mode 0",
            ),
            (
                r#"[{"name":"x","scale_factor":-1,"max_seq_len":1,"mode":2},[],[]]"#,
                "scale factor",
            ),
            (
                r#"[{"name":"x","scale_factor":1,"max_seq_len":1,"mode":2},[[1]],[]]"#,
                "1 weight shapes",
            ),
            (
                r#"[{"name":"x","scale_factor":1,"max_seq_len":1,"mode":2},[[4,9],[9],[5,16],[4,16],[16]],["","","","",""]]"#,
                "output weights",
            ),
        ] {
            let err = Decoder::from_magenta_json(Cpu, json)
                .err()
                .expect(json)
                .to_string();
            assert!(err.contains(needle), "{json}: {err}");
        }
    }
}

#[cfg(test)]
mod safetensors_tests {
    use super::*;
    use base64::Engine as _;
    use playnet_engine::Cpu;

    /// A Magenta-style file of `hidden` units and `components` components
    /// whose int16 values count up from `first`.
    pub(crate) fn tiny_magenta(hidden: usize, components: usize) -> String {
        let raw = mdn::raw_len(components);
        let shapes = [
            vec![hidden, raw],
            vec![raw],
            vec![5, 4 * hidden],
            vec![hidden, 4 * hidden],
            vec![4 * hidden],
        ];
        let mut next = 0i32;
        let weights: Vec<String> = shapes
            .iter()
            .map(|s| {
                let bytes: Vec<u8> = (0..s.iter().product::<usize>())
                    .flat_map(|_| {
                        next = (next * 7919 + 13) % 65536;
                        ((next - 32768) as i16 / 64).to_le_bytes()
                    })
                    .collect();
                base64::engine::general_purpose::STANDARD.encode(bytes)
            })
            .collect();
        serde_json::json!([
            {"name": "tiny", "scale_factor": 40.0, "max_seq_len": 30, "mode": 2},
            shapes,
            weights
        ])
        .to_string()
    }

    fn run(decoder: &Decoder<Cpu>) -> Vec<f32> {
        let mut state = decoder.zero_state();
        let mut all = Vec::new();
        for row in [START, [0.3, -0.2, 1.0, 0.0, 0.0], [1.0, 0.5, 0.0, 1.0, 0.0]] {
            let (next, raw) = decoder.step_now(row, &state).unwrap();
            all.extend(raw);
            state = next;
        }
        all
    }

    #[test]
    fn a_converted_model_computes_what_the_magenta_file_does() {
        let json = tiny_magenta(4, 2);
        let converted = format::convert_magenta(&json, "test").unwrap();
        assert_eq!(converted.config.hidden, 4);
        assert_eq!(converted.config.components, 2);
        let a = Decoder::from_magenta_json(Cpu, &json).unwrap();
        let b = Decoder::from_safetensors(Cpu, &converted.config_json, &converted.weights).unwrap();
        assert_eq!(b.info(), a.info());
        let (ra, rb) = (run(&a), run(&b));
        assert!(ra.iter().any(|v| *v != 0.0));
        assert_eq!(ra, rb, "bit for bit");
    }

    #[test]
    fn a_file_for_another_architecture_is_refused_with_both_shapes() {
        let small = format::convert_magenta(&tiny_magenta(4, 2), "").unwrap();
        let big = format::convert_magenta(&tiny_magenta(8, 2), "").unwrap();
        let err = Decoder::from_safetensors(Cpu, &big.config_json, &small.weights)
            .err()
            .unwrap()
            .to_string();
        assert_eq!(
            err,
            "lstm.kernel has shape [9, 16] but the config needs [13, 32]"
        );
        let three = format::convert_magenta(&tiny_magenta(4, 3), "").unwrap();
        let err = Decoder::from_safetensors(Cpu, &three.config_json, &small.weights)
            .err()
            .unwrap()
            .to_string();
        assert_eq!(
            err,
            "output.weight has shape [4, 15] but the config needs [4, 21]"
        );
    }

    #[test]
    fn corrupt_and_mismatched_files_are_refused_with_a_reason() {
        let good = format::convert_magenta(&tiny_magenta(4, 2), "").unwrap();
        let truncated = &good.weights[..good.weights.len() - 10];
        let err = Decoder::from_safetensors(Cpu, &good.config_json, truncated)
            .err()
            .unwrap()
            .to_string();
        assert!(err.starts_with("the weights file is corrupt"), "{err}");
        let err = Decoder::from_safetensors(Cpu, &good.config_json, b"{}")
            .err()
            .unwrap()
            .to_string();
        assert!(err.starts_with("the weights file is corrupt"), "{err}");

        let mut f32_config = good.config.clone();
        f32_config.storage = Storage::F32;
        let err = Decoder::from_safetensors(
            Cpu,
            &serde_json::to_string(&f32_config).unwrap(),
            &good.weights,
        )
        .err()
        .unwrap()
        .to_string();
        assert_eq!(err, "lstm.kernel is stored as I16 but the config says F32");

        let err = Decoder::from_safetensors(Cpu, "{\"name\": 3}", &good.weights)
            .err()
            .unwrap()
            .to_string();
        assert!(err.starts_with("the model config is not valid"), "{err}");

        // A file with one tensor too few, and one renamed.
        let file = safetensors::SafeTensors::deserialize(&good.weights).unwrap();
        let mut tensors = file.tensors();
        tensors.retain(|(name, _)| name != "output.bias");
        let three = safetensors::serialize(tensors.clone(), None).unwrap();
        let err = Decoder::from_safetensors(Cpu, &good.config_json, &three)
            .err()
            .unwrap()
            .to_string();
        assert_eq!(err, "the weights file has 3 tensors; a decoder has 4");
        let bias = file.tensor("output.bias").unwrap();
        tensors.push(("output.b".into(), bias));
        let renamed = safetensors::serialize(tensors, None).unwrap();
        let err = Decoder::from_safetensors(Cpu, &good.config_json, &renamed)
            .err()
            .unwrap()
            .to_string();
        assert_eq!(err, "the weights file has no tensor output.bias");
    }

    #[test]
    fn nan_weights_in_an_f32_file_are_refused() {
        let good = format::convert_magenta(&tiny_magenta(4, 2), "").unwrap();
        let mut config = good.config.clone();
        config.storage = Storage::F32;
        let shapes = config.shapes();
        let data: Vec<Vec<u8>> = shapes
            .iter()
            .enumerate()
            .map(|(t, s)| {
                (0..s.iter().product::<usize>())
                    .flat_map(|i| {
                        let v = if t == 1 && i == 3 { f32::NAN } else { 0.1 };
                        v.to_le_bytes()
                    })
                    .collect()
            })
            .collect();
        let views: Vec<_> = format::TENSORS
            .iter()
            .zip(&shapes)
            .zip(&data)
            .map(|((n, s), d)| {
                (
                    n.to_string(),
                    safetensors::tensor::TensorView::new(safetensors::Dtype::F32, s.clone(), d)
                        .unwrap(),
                )
            })
            .collect();
        let bytes = safetensors::serialize(views, None).unwrap();
        let err = Decoder::from_safetensors(Cpu, &serde_json::to_string(&config).unwrap(), &bytes)
            .err()
            .unwrap()
            .to_string();
        assert_eq!(
            err,
            "lstm.bias holds NaN at index 3; a decoder needs finite weights"
        );
    }
}
