//! # playnet-sketch
//!
//! sketch-rnn stroke models on the engine, with no web dependencies: an LSTM
//! decoder over stroke-5 rows (`[dx, dy, pen down, pen up, end]`) whose
//! output is a mixture density over the next stroke (Ha & Eck 2017).
//!
//! [`Decoder::from_magenta_json`] reads Magenta's pretrained decoder-only
//! models (`*.gen.json`: base64 int16 weights), [`Decoder::step`] feeds one
//! stroke and returns the raw mixture outputs, and
//! [`playnet_engine::mdn::Mixture`] turns those into the distribution at a
//! temperature and samples it — the same numbers as Magenta's JS library
//! (`tests/reference.rs` holds a port to its reference outputs).

use base64::Engine as _;
use playnet_engine::lstm::{FORGET_BIAS, Lstm, LstmState};
use playnet_engine::mdn::{self, Mixture};
use playnet_engine::{Activation, Backend, EngineError, Graph, Tensor, ready};
use serde::Deserialize;

/// What can go wrong reading a model file.
#[derive(Debug, thiserror::Error)]
pub enum SketchError {
    #[error("not a sketch-rnn model file: {0}")]
    Format(String),
    #[error(transparent)]
    Engine(#[from] EngineError),
}

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

/// Magenta's int16 encoding: `value = int16 · 10 / 32767`, little-endian.
fn decode_weights(text: &str, len: usize, what: &str) -> Result<Vec<f32>, SketchError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| SketchError::Format(format!("{what}: not base64 ({e})")))?;
    if bytes.len() != 2 * len {
        return Err(SketchError::Format(format!(
            "{what}: {} bytes for {len} int16 values",
            bytes.len()
        )));
    }
    Ok(bytes
        .chunks_exact(2)
        .map(|b| (f64::from(i16::from_le_bytes([b[0], b[1]])) * 10.0 / 32767.0) as f32)
        .collect())
}

impl<B: Backend> Decoder<B> {
    /// Reads a Magenta decoder-only model file: `[info, shapes, weights]`,
    /// the weights in the order output W `[H, 3+6M]`, output b, LSTM W_xh
    /// `[5, 4H]`, W_hh `[H, 4H]`, b `[4H]`.
    pub fn from_magenta_json(backend: B, json: &str) -> Result<Self, SketchError> {
        let format = |why: String| SketchError::Format(why);
        let (info, shapes, weights): (ModelInfo, Vec<Vec<usize>>, Vec<String>) =
            serde_json::from_str(json).map_err(|e| format(e.to_string()))?;
        if info.mode != 2 {
            return Err(format(format!(
                "mode {} is not a decoder-only model (mode 2)",
                info.mode
            )));
        }
        if !(info.scale_factor > 0.0 && info.scale_factor.is_finite()) {
            return Err(format(format!("scale factor {}", info.scale_factor)));
        }
        let [out_w, out_b, w_xh, w_hh, b] = <[Vec<usize>; 5]>::try_from(shapes)
            .map_err(|s| format(format!("{} weight shapes, not 5", s.len())))?;
        let (hidden, raw) = match (out_w.as_slice(), w_hh.as_slice()) {
            (&[h, r], &[h2, g]) if h == h2 && g == 4 * h && h > 0 => (h, r),
            _ => {
                return Err(format(format!(
                    "shapes {out_w:?} and {w_hh:?} do not fit an LSTM"
                )));
            }
        };
        let components = raw.saturating_sub(mdn::PEN_STATES) / 6;
        if mdn::raw_len(components) != raw
            || components == 0
            || out_b != [raw]
            || w_xh != [STROKE5, 4 * hidden]
            || b != [4 * hidden]
        {
            return Err(format(format!(
                "shapes {out_w:?} {out_b:?} {w_xh:?} {w_hh:?} {b:?} are not a sketch-rnn decoder"
            )));
        }
        let [t_out_w, t_out_b, t_w_xh, t_w_hh, t_b] = <[String; 5]>::try_from(weights)
            .map_err(|w| format(format!("{} weight arrays, not 5", w.len())))?;
        let out_w = decode_weights(&t_out_w, hidden * raw, "output weights")?;
        let out_b = decode_weights(&t_out_b, raw, "output bias")?;
        let w_xh = decode_weights(&t_w_xh, STROKE5 * 4 * hidden, "LSTM input kernel")?;
        let w_hh = decode_weights(&t_w_hh, hidden * 4 * hidden, "LSTM recurrent kernel")?;
        let b = decode_weights(&t_b, 4 * hidden, "LSTM bias")?;
        let lstm = Lstm::from_packed(&backend, STROKE5, hidden, &w_xh, &w_hh, &b, FORGET_BIAS)?;
        Ok(Decoder {
            output_weight: Tensor::from_slice(&backend, &out_w, [hidden, raw])?,
            output_bias: Tensor::from_slice(&backend, &out_b, [raw])?,
            backend,
            info,
            lstm,
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

    /// The state before the first stroke.
    pub fn zero_state(&self) -> LstmState<B> {
        self.lstm.zero_state(&self.backend, 1)
    }

    /// A stroke-5 row in pixels as the model sees it: the offset divided by
    /// `scale_factor / pixel_factor`, the pen states as they are.
    pub fn to_model(&self, row: [f32; STROKE5], pixel_factor: f32) -> [f32; STROKE5] {
        let s = self.info.scale_factor / pixel_factor;
        [row[0] / s, row[1] / s, row[2], row[3], row[4]]
    }

    /// Feeds one stroke (in model units, see [`Decoder::to_model`]) and
    /// returns the new state and the raw mixture outputs it predicts the
    /// next stroke with.
    pub async fn step(
        &self,
        row: [f32; STROKE5],
        state: &LstmState<B>,
    ) -> Result<(LstmState<B>, Vec<f32>), EngineError> {
        let x = Tensor::from_slice(&self.backend, &row, [1, STROKE5])?;
        let next = self.lstm.advance(&self.backend, &x, state)?;
        let mut g = Graph::new(self.backend.clone());
        let h = g.input(&next.h);
        let (w, b) = (g.input(&self.output_weight), g.input(&self.output_bias));
        let z = g.dense(h, w, b, Activation::Linear)?;
        let raw = self.backend.read(g.value(z)).await?;
        Ok((next, raw))
    }

    /// [`Decoder::step`] on a backend whose reads complete at once (the CPU).
    pub fn step_now(
        &self,
        row: [f32; STROKE5],
        state: &LstmState<B>,
    ) -> Result<(LstmState<B>, Vec<f32>), EngineError> {
        ready(self.step(row, state))?
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
    fn int16_weights_decode_as_magenta_wrote_them() {
        // 32767 → 10, −32767 → −10, 1 → 10/32767, 0 → 0.
        let bytes: Vec<u8> = [32767i16, -32767, 1, 0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let text = base64::engine::general_purpose::STANDARD.encode(bytes);
        let w = decode_weights(&text, 4, "w").unwrap();
        assert_eq!(w, [10.0, -10.0, (10.0f64 / 32767.0) as f32, 0.0]);
        assert!(decode_weights(&text, 5, "w").is_err());
        assert!(decode_weights("not base64!", 1, "w").is_err());
    }

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
