//! The geometry of a sliding window over a batch of images: convolution and
//! pooling share it.
//!
//! Images are stored NHWC (batch, height, width, channels), row-major, so that a
//! convolution is an `im2col` followed by one matrix product whose result is
//! already NHWC, and a channel is the last, fastest-varying axis.

use serde::{Deserialize, Serialize};

use crate::EngineError;

/// How a window treats the image border.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Padding {
    /// Pad with zeros so that the output is `ceil(input / stride)` wide
    /// (TensorFlow's "SAME": the extra row or column goes at the bottom/right).
    Same,
    /// No padding: the window stays inside the image.
    Valid,
}

/// A window of `kernel_h × kernel_w` moving with `stride` over NHWC images.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    pub batch: usize,
    pub height: usize,
    pub width: usize,
    pub channels: usize,
    pub kernel_h: usize,
    pub kernel_w: usize,
    pub stride: usize,
    pub pad_top: usize,
    pub pad_left: usize,
    pub out_h: usize,
    pub out_w: usize,
}

impl Window {
    /// A square `kernel × kernel` window over `[batch, height, width, channels]`.
    pub fn new(
        [batch, height, width, channels]: [usize; 4],
        kernel: usize,
        stride: usize,
        padding: Padding,
    ) -> Result<Window, EngineError> {
        if kernel == 0 || stride == 0 {
            return Err(EngineError::Config(format!(
                "a window needs a kernel and a stride of at least 1 (got kernel {kernel}, stride {stride})"
            )));
        }
        let (out_h, out_w, pad_top, pad_left) = match padding {
            Padding::Same => {
                let out_h = height.div_ceil(stride);
                let out_w = width.div_ceil(stride);
                // The rows the windows span; checked, since kernel and stride
                // may come from a file (a 32-bit `usize` in wasm).
                let pad = |out: usize, size: usize| {
                    out.saturating_sub(1)
                        .checked_mul(stride)
                        .and_then(|span| span.checked_add(kernel))
                        .map(|span| span.saturating_sub(size) / 2)
                        .ok_or_else(|| {
                            EngineError::Config(format!(
                                "a {kernel}×{kernel} window with stride {stride} is too large"
                            ))
                        })
                };
                (out_h, out_w, pad(out_h, height)?, pad(out_w, width)?)
            }
            Padding::Valid => {
                if kernel > height || kernel > width {
                    return Err(EngineError::Shape(format!(
                        "a {kernel}×{kernel} window does not fit a {height}×{width} image without padding"
                    )));
                }
                (
                    (height - kernel) / stride + 1,
                    (width - kernel) / stride + 1,
                    0,
                    0,
                )
            }
        };
        Ok(Window {
            batch,
            height,
            width,
            channels,
            kernel_h: kernel,
            kernel_w: kernel,
            stride,
            pad_top,
            pad_left,
            out_h,
            out_w,
        })
    }

    /// Elements in one input batch.
    pub fn input_len(&self) -> usize {
        self.batch * self.height * self.width * self.channels
    }

    /// Window positions over the whole batch (rows of the `im2col` matrix).
    pub fn positions(&self) -> usize {
        self.batch * self.out_h * self.out_w
    }

    /// Elements under one window (columns of the `im2col` matrix).
    pub fn patch_len(&self) -> usize {
        self.kernel_h * self.kernel_w * self.channels
    }

    /// The input row and column under kernel tap `(ky, kx)` of output `(oy, ox)`,
    /// or `None` when it falls in the padding.
    #[inline]
    pub fn source(&self, oy: usize, ox: usize, ky: usize, kx: usize) -> Option<(usize, usize)> {
        let y = (oy * self.stride + ky).checked_sub(self.pad_top)?;
        let x = (ox * self.stride + kx).checked_sub(self.pad_left)?;
        (y < self.height && x < self.width).then_some((y, x))
    }

    /// How many taps of output `(oy, ox)`'s window fall inside the image
    /// (what an average pool divides by: TensorFlow leaves padding out).
    pub fn taps_inside(&self, oy: usize, ox: usize) -> usize {
        let span = |o: usize, pad: usize, kernel: usize, size: usize| {
            let start = o * self.stride;
            let lo = start.max(pad);
            let hi = (start + kernel).min(size + pad);
            hi.saturating_sub(lo)
        };
        span(oy, self.pad_top, self.kernel_h, self.height)
            * span(ox, self.pad_left, self.kernel_w, self.width)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_padding_follows_tensorflow() {
        // 28×28, 5×5 stride 1 → 28×28 with 2 on each side.
        let w = Window::new([1, 28, 28, 1], 5, 1, Padding::Same).unwrap();
        assert_eq!((w.out_h, w.out_w, w.pad_top, w.pad_left), (28, 28, 2, 2));
        // 28×28, 4×4 stride 2 → 14×14, total pad 2 → 1 top/left.
        let w = Window::new([1, 28, 28, 1], 4, 2, Padding::Same).unwrap();
        assert_eq!((w.out_h, w.pad_top), (14, 1));
        // 7×7, 2×2 stride 2 → 4×4, total pad 1 → 0 top (extra goes bottom).
        let w = Window::new([1, 7, 7, 1], 2, 2, Padding::Same).unwrap();
        assert_eq!((w.out_h, w.pad_top), (4, 0));
    }

    #[test]
    fn valid_padding_stays_inside() {
        let w = Window::new([2, 28, 28, 3], 5, 1, Padding::Valid).unwrap();
        assert_eq!(
            (w.out_h, w.out_w, w.patch_len(), w.positions()),
            (24, 24, 75, 1152)
        );
        assert!(Window::new([1, 3, 3, 1], 5, 1, Padding::Valid).is_err());
        assert!(Window::new([1, 3, 3, 1], 0, 1, Padding::Same).is_err());
    }

    #[test]
    fn taps_inside_count_what_source_finds() {
        for (size, kernel, stride, padding) in [
            (7, 3, 2, Padding::Same),
            (6, 2, 2, Padding::Same),
            (5, 5, 1, Padding::Same),
            (9, 3, 3, Padding::Valid),
        ] {
            let w = Window::new([1, size, size + 1, 1], kernel, stride, padding).unwrap();
            for oy in 0..w.out_h {
                for ox in 0..w.out_w {
                    let found = (0..kernel)
                        .flat_map(|ky| (0..kernel).map(move |kx| (ky, kx)))
                        .filter(|&(ky, kx)| w.source(oy, ox, ky, kx).is_some())
                        .count();
                    assert_eq!(w.taps_inside(oy, ox), found, "{w:?} at ({oy}, {ox})");
                }
            }
        }
    }

    #[test]
    fn huge_windows_are_refused_not_overflowed() {
        let err = Window::new([1, 1 << 20, 1, 1], usize::MAX, 1 << 19, Padding::Same)
            .unwrap_err()
            .to_string();
        assert!(err.contains("too large"), "{err}");
    }
}
