//! Magenta's decoder-only model files (`*.gen.json`), read into their int16
//! values before anything is rounded to `f32`.
//!
//! A file is `[info, shapes, weights]`: the weights are five base64 strings
//! of little-endian int16, output W `[H, 3+6M]`, output b, LSTM W_xh
//! `[5, 4H]`, W_hh `[H, 4H]`, b `[4H]`, each value `int16 · 10 / 32767`.
//! Keeping the integers lets the converter ship them unchanged
//! ([`crate::format`]) and [`crate::Decoder::from_magenta_json`] decode them
//! exactly as Magenta's JS does.

use base64::Engine as _;
use playnet_engine::mdn;

use crate::{ModelInfo, STROKE5, SketchError};

/// Magenta's int16 encoding: `value = int16 · MAX_ABS / STEPS`.
pub const MAX_ABS: f64 = 10.0;
/// See [`MAX_ABS`].
pub const STEPS: f64 = 32767.0;

/// One stored integer as Magenta's JS decodes it: `10 · v / 32767` in
/// `f64`, then rounded to `f32`.
pub fn dequantize(v: i16) -> f32 {
    (f64::from(v) * MAX_ABS / STEPS) as f32
}

/// A parsed model file: its description and its weights as stored.
#[derive(Clone, Debug)]
pub struct MagentaModel {
    pub info: ModelInfo,
    pub hidden: usize,
    pub components: usize,
    /// `[hidden, 3 + 6·components]`, row-major.
    pub output_weight: Vec<i16>,
    pub output_bias: Vec<i16>,
    /// `[5, 4·hidden]`.
    pub input_kernel: Vec<i16>,
    /// `[hidden, 4·hidden]`.
    pub recurrent_kernel: Vec<i16>,
    /// `[4·hidden]`.
    pub bias: Vec<i16>,
}

fn decode(text: &str, len: usize, what: &str) -> Result<Vec<i16>, SketchError> {
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
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect())
}

impl MagentaModel {
    /// Parses and checks a `*.gen.json` file.
    pub fn parse(json: &str) -> Result<Self, SketchError> {
        let format = SketchError::Format;
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
        Ok(MagentaModel {
            output_weight: decode(&t_out_w, hidden * raw, "output weights")?,
            output_bias: decode(&t_out_b, raw, "output bias")?,
            input_kernel: decode(&t_w_xh, STROKE5 * 4 * hidden, "LSTM input kernel")?,
            recurrent_kernel: decode(&t_w_hh, hidden * 4 * hidden, "LSTM recurrent kernel")?,
            bias: decode(&t_b, 4 * hidden, "LSTM bias")?,
            info,
            hidden,
            components,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int16_weights_decode_as_magenta_wrote_them() {
        // 32767 → 10, −32767 → −10, 1 → 10/32767, 0 → 0.
        let bytes: Vec<u8> = [32767i16, -32767, 1, 0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let text = base64::engine::general_purpose::STANDARD.encode(bytes);
        let w: Vec<f32> = decode(&text, 4, "w")
            .unwrap()
            .into_iter()
            .map(dequantize)
            .collect();
        assert_eq!(w, [10.0, -10.0, (10.0f64 / 32767.0) as f32, 0.0]);
        assert!(decode(&text, 5, "w").is_err());
        assert!(decode("not base64!", 1, "w").is_err());
    }
}
