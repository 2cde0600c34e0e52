//! ImageNet preprocessing as the EfficientNet-Lite0 reference did it:
//! Pillow's `resize(…, BILINEAR)` so that the shorter side is 256,
//! torchvision's centre crop to 224×224, then `(p − 127)/128` per channel.
//!
//! Pillow's bilinear filter is not plain bilinear interpolation: when it
//! shrinks it widens its triangle by the shrink factor (so every source
//! pixel counts: antialiasing), normalises the taps, turns them into 22-bit
//! fixed point, and runs two separable passes, horizontal first, each
//! rounding back to `u8`. This is a port of `libImaging/Resample.c`
//! (`precompute_coeffs`, `normalize_coeffs_8bpc`, `ImagingResample…_8bpc`)
//! that gives Pillow's bytes, so that the page and `cargo xtask classify`
//! see the pixels the reference saw.

use crate::error::ModelError;

/// The side of the square the network sees.
pub const CROP: usize = 224;
/// The shorter side after resizing, before the crop.
pub const RESIZE: usize = 256;

/// An 8-bit RGB image, rows top to bottom, pixels `r, g, b`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RgbImage {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

impl RgbImage {
    /// An image of `width × height` from interleaved RGB bytes.
    pub fn new(width: usize, height: usize, pixels: Vec<u8>) -> Result<Self, ModelError> {
        if width == 0 || height == 0 || pixels.len() != width * height * 3 {
            return Err(ModelError::Input(format!(
                "{} bytes are not an RGB image of {width}×{height}",
                pixels.len()
            )));
        }
        Ok(RgbImage {
            width,
            height,
            pixels,
        })
    }

    /// From interleaved RGBA bytes (a canvas's), dropping alpha.
    pub fn from_rgba(width: usize, height: usize, rgba: &[u8]) -> Result<Self, ModelError> {
        if rgba.len() != width * height * 4 {
            return Err(ModelError::Input(format!(
                "{} bytes are not an RGBA image of {width}×{height}",
                rgba.len()
            )));
        }
        let pixels = rgba
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        RgbImage::new(width, height, pixels)
    }
}

/// The network's input for one image: resized, cropped and scaled,
/// `[224, 224, 3]` (NHWC for a batch of one).
pub fn imagenet_input(image: &RgbImage) -> Result<Vec<f32>, ModelError> {
    let resized = resize_shorter_side(image, RESIZE);
    let cropped = centre_crop(&resized, CROP, CROP)?;
    Ok(normalise(&cropped))
}

/// `(p − 127)/128` for every byte: exact in f32.
pub fn normalise(image: &RgbImage) -> Vec<f32> {
    image
        .pixels
        .iter()
        .map(|&p| (f32::from(p) - 127.0) / 128.0)
        .collect()
}

/// Resized so that the shorter side is `short` and the longer
/// `int(short · long / short_side)` (torchvision's `Resize(short)`).
pub fn resize_shorter_side(image: &RgbImage, short: usize) -> RgbImage {
    let (w, h) = (image.width, image.height);
    let long = |long: usize, side: usize| (short as f64 * long as f64 / side as f64) as usize;
    let (nw, nh) = if w <= h {
        (short, long(h, w))
    } else {
        (long(w, h), short)
    };
    resize_bilinear(image, nw, nh)
}

/// The centre `width × height` (torchvision's `CenterCrop`: the offsets are
/// Python's `round`, half to even).
pub fn centre_crop(image: &RgbImage, width: usize, height: usize) -> Result<RgbImage, ModelError> {
    if width > image.width || height > image.height || width == 0 || height == 0 {
        return Err(ModelError::Input(format!(
            "cannot crop {width}×{height} out of a {}×{} image",
            image.width, image.height
        )));
    }
    let left = half_even(image.width - width);
    let top = half_even(image.height - height);
    let mut pixels = Vec::with_capacity(width * height * 3);
    for y in top..top + height {
        let row = (y * image.width + left) * 3;
        pixels.extend_from_slice(&image.pixels[row..row + width * 3]);
    }
    RgbImage::new(width, height, pixels)
}

/// `round(d / 2)` with ties to even.
fn half_even(d: usize) -> usize {
    let k = d / 2;
    if d.is_multiple_of(2) || k.is_multiple_of(2) {
        k
    } else {
        k + 1
    }
}

/// Fixed-point fraction bits of Pillow's 8-bit resampling.
const PRECISION_BITS: u32 = 32 - 8 - 2;

/// One output position's taps: the first source index and the weights.
struct Taps {
    first: usize,
    weights: Vec<i32>,
}

/// Pillow's `precompute_coeffs` for the bilinear (triangle, support 1)
/// filter over `[0, input)`, then `normalize_coeffs_8bpc`.
fn coefficients(input: usize, output: usize) -> Vec<Taps> {
    let scale = input as f64 / output as f64;
    let filterscale = scale.max(1.0);
    let support = filterscale;
    let triangle = |x: f64| {
        let x = x.abs();
        if x < 1.0 { 1.0 - x } else { 0.0 }
    };
    (0..output)
        .map(|xx| {
            let center = (xx as f64 + 0.5) * scale;
            // C's `(int)` truncates toward zero, as `as` does.
            let xmin = ((center - support + 0.5) as i64).max(0);
            let xmax = ((center + support + 0.5) as i64).min(input as i64);
            let w: Vec<f64> = (xmin..xmax)
                .map(|x| triangle((x as f64 - center + 0.5) / filterscale))
                .collect();
            let total: f64 = w.iter().sum();
            let one = f64::from(1u32 << PRECISION_BITS);
            let weights = w
                .iter()
                .map(|&k| {
                    let k = if total != 0.0 { k / total } else { k };
                    if k < 0.0 {
                        (-0.5 + k * one) as i32
                    } else {
                        (0.5 + k * one) as i32
                    }
                })
                .collect();
            Taps {
                first: xmin as usize,
                weights,
            }
        })
        .collect()
}

/// A fixed-point sum back to a byte (Pillow's `clip8`).
fn clip8(sum: i64) -> u8 {
    (sum >> PRECISION_BITS).clamp(0, 255) as u8
}

/// Pillow's `Image.resize((width, height), Image.BILINEAR)` of an 8-bit
/// RGB image: the horizontal pass, rounded to bytes, then the vertical.
pub fn resize_bilinear(image: &RgbImage, width: usize, height: usize) -> RgbImage {
    let half = 1i64 << (PRECISION_BITS - 1);
    let (iw, ih) = (image.width, image.height);
    let across = coefficients(iw, width);
    let mut wide = vec![0u8; ih * width * 3];
    for y in 0..ih {
        let src = &image.pixels[y * iw * 3..(y + 1) * iw * 3];
        let dst = &mut wide[y * width * 3..(y + 1) * width * 3];
        for (x, taps) in across.iter().enumerate() {
            for c in 0..3 {
                let sum = taps.weights.iter().enumerate().fold(half, |acc, (i, &k)| {
                    acc + i64::from(src[(taps.first + i) * 3 + c]) * i64::from(k)
                });
                dst[x * 3 + c] = clip8(sum);
            }
        }
    }
    let down = coefficients(ih, height);
    let row = width * 3;
    let mut pixels = vec![0u8; height * row];
    for (y, taps) in down.iter().enumerate() {
        let dst = &mut pixels[y * row..(y + 1) * row];
        for (x, d) in dst.iter_mut().enumerate() {
            let sum = taps.weights.iter().enumerate().fold(half, |acc, (i, &k)| {
                acc + i64::from(wide[(taps.first + i) * row + x]) * i64::from(k)
            });
            *d = clip8(sum);
        }
    }
    RgbImage {
        width,
        height,
        pixels,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_sizes_and_crops() {
        for ((w, h), (nw, nh), left) in [
            ((451, 300), (384, 256), 80),
            ((600, 400), (384, 256), 80),
            ((640, 427), (383, 256), 80),
        ] {
            let image = RgbImage::new(w, h, vec![7; w * h * 3]).unwrap();
            let r = resize_shorter_side(&image, RESIZE);
            assert_eq!((r.width, r.height), (nw, nh));
            assert!(r.pixels.iter().all(|&p| p == 7), "a flat image stays flat");
            assert_eq!(half_even(nw - CROP), left);
            assert_eq!(half_even(nh - CROP), 16);
        }
        assert_eq!((half_even(1), half_even(3), half_even(5)), (0, 2, 2));
    }

    #[test]
    fn shrinking_averages_every_pixel_like_pillow() {
        // 4 → 2 pixels: scale 2, so the triangle spans 2 source pixels each
        // side. Output 0 is centred at 1.0 and takes pixels 0, 1, 2 with
        // weights ¾, ¾, ¼ (normalised: 3/7, 3/7, 1/7): 500/7 → 71; output 1
        // takes 1, 2, 3 with 1/7, 3/7, 3/7: 1450/7 → 207. Plain bilinear
        // interpolation would give 50 and 225.
        let grey = |v: &[u8]| v.iter().flat_map(|&p| [p, p, p]).collect::<Vec<u8>>();
        let image = RgbImage::new(4, 1, grey(&[0, 100, 200, 250])).unwrap();
        let r = resize_bilinear(&image, 2, 1);
        assert_eq!(r.pixels, grey(&[71, 207]));
        // Enlarging is plain bilinear interpolation: 0, 100 → 0, 25, 75, 100.
        let image = RgbImage::new(2, 1, grey(&[0, 100])).unwrap();
        assert_eq!(
            resize_bilinear(&image, 4, 1).pixels,
            grey(&[0, 25, 75, 100])
        );
    }

    #[test]
    fn bad_sizes_are_refused() {
        assert!(RgbImage::new(2, 2, vec![0; 11]).is_err());
        assert!(RgbImage::from_rgba(1, 1, &[1, 2, 3]).is_err());
        let image = RgbImage::from_rgba(1, 1, &[1, 2, 3, 4]).unwrap();
        assert_eq!(image.pixels, [1, 2, 3]);
        assert!(centre_crop(&image, 2, 1).is_err());
    }
}
