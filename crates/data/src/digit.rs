//! Turning a hand-drawn digit into an MNIST-like 28×28 image, so that a
//! network trained on MNIST sees what it was trained on.
//!
//! MNIST's digits were size-normalised to fit a 20×20 box (keeping their
//! aspect ratio, anti-aliased), then placed in a 28×28 field so that their
//! centre of mass sits at the centre. [`preprocess_digit`] does the same to
//! a drawing pad's pixels:
//!
//! 1. crop to the bounding box of the pixels with ink above
//!    [`INK_THRESHOLD`];
//! 2. scale so that the longer side is [`DIGIT_FIT`] (20) pixels, averaging
//!    the source pixels each output pixel covers (a box filter: smooth when
//!    shrinking a 280-pixel pad, no aliasing);
//! 3. stretch the grey levels so the darkest pixel is 1 (nine MNIST digits in
//!    ten reach 255; a thin pen shrunk tenfold would otherwise come out grey);
//! 4. shift by whole pixels so that the centre of mass is as close as it can
//!    be to pixel (14, 14), without letting anything fall off the edge.
//!
//! **Centre convention**: coordinates are pixel indices, pixel `(x, y)` at
//! `(x, y)` (not at `x + 0.5`). In that convention MNIST's own training
//! digits have their centre of mass at (14.00, 14.00) on average (the
//! integration test measures it), so that is the target here too.
//!
//! What is not here: reading pixels from a canvas (the app does that) and
//! the network.

/// Side of the output image, in pixels.
pub const DIGIT_SIDE: usize = 28;
/// Side of the box the digit is scaled to fit, in pixels.
pub const DIGIT_FIT: usize = 20;
/// Where the centre of mass goes, in pixel-index coordinates (both axes).
pub const DIGIT_CENTRE: f64 = 14.0;
/// A pixel with more ink than this (0..1) counts towards the bounding box.
/// Fainter pixels (anti-aliasing fringes, smudges) are kept inside the box
/// but do not widen it. A pad with no pixel above it is empty.
pub const INK_THRESHOLD: f32 = 0.1;

/// Preprocesses a grayscale drawing like MNIST: see the module docs.
///
/// `ink` is `width × height` values, row-major, 0 (paper) to 1 (ink);
/// values outside 0..1 are clamped and NaN counts as paper. Returns the
/// 28×28 image, row-major, values in 0..=1, or `None` when the pad is empty
/// (no pixel above [`INK_THRESHOLD`]) or `ink` is not `width × height` long.
pub fn preprocess_digit(width: usize, height: usize, ink: &[f32]) -> Option<[f32; 784]> {
    if width.checked_mul(height) != Some(ink.len()) {
        return None;
    }
    let at = |x: usize, y: usize| clean(ink[y * width + x]);

    // 1. Bounding box of the ink.
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
    for y in 0..height {
        for x in 0..width {
            if at(x, y) > INK_THRESHOLD {
                x0 = x0.min(x);
                x1 = x1.max(x);
                y0 = y0.min(y);
                y1 = y1.max(y);
            }
        }
    }
    if x0 == usize::MAX {
        return None;
    }
    let (w, h) = (x1 - x0 + 1, y1 - y0 + 1);

    // 2. Scale the longer side to DIGIT_FIT, the shorter in proportion.
    let scale = DIGIT_FIT as f64 / w.max(h) as f64;
    let fit = |side: usize| ((side as f64 * scale).round() as usize).clamp(1, DIGIT_FIT);
    let (ow, oh) = (fit(w), fit(h));
    let across = box_weights(w, ow);
    let down = box_weights(h, oh);
    // Rows first (h × ow), then columns (oh × ow).
    let mut rows = vec![0.0f32; h * ow];
    for y in 0..h {
        for (ox, taps) in across.iter().enumerate() {
            rows[y * ow + ox] = taps.iter().map(|&(i, wt)| wt * at(x0 + i, y0 + y)).sum();
        }
    }
    let mut patch = vec![0.0f32; oh * ow];
    for (oy, taps) in down.iter().enumerate() {
        for ox in 0..ow {
            patch[oy * ow + ox] = taps.iter().map(|&(j, wt)| wt * rows[j * ow + ox]).sum();
        }
    }

    // 3. Full contrast. The box holds a pixel above the threshold, and every
    // source pixel has a positive weight in some output pixel, so max > 0.
    let max = patch.iter().fold(0.0f32, |m, &v| m.max(v));
    if max <= 0.0 {
        return None;
    }
    for v in &mut patch {
        *v = (*v / max).clamp(0.0, 1.0);
    }

    // 4. Centre of mass to DIGIT_CENTRE, by whole pixels, staying inside.
    let (mut mass, mut mx, mut my) = (0.0f64, 0.0f64, 0.0f64);
    for (i, &v) in patch.iter().enumerate() {
        let v = f64::from(v);
        mass += v;
        mx += v * (i % ow) as f64;
        my += v * (i / ow) as f64;
    }
    let offset = |centre: f64, side: usize| {
        let shift = (DIGIT_CENTRE - centre / mass).round();
        shift.clamp(0.0, (DIGIT_SIDE - side) as f64) as usize
    };
    let (dx, dy) = (offset(mx, ow), offset(my, oh));
    let mut out = [0.0f32; DIGIT_SIDE * DIGIT_SIDE];
    for (oy, line) in patch.chunks_exact(ow).enumerate() {
        let start = (dy + oy) * DIGIT_SIDE + dx;
        out[start..start + ow].copy_from_slice(line);
    }
    Some(out)
}

/// Ink clamped to 0..=1, NaN as paper.
fn clean(v: f32) -> f32 {
    if v.is_nan() { 0.0 } else { v.clamp(0.0, 1.0) }
}

/// For resampling `n` source pixels to `m`: for each output pixel, the
/// source pixels it covers and their weights (overlap ÷ footprint, summing
/// to 1). Output pixel `j` covers source span `[j·n/m, (j+1)·n/m)`.
fn box_weights(n: usize, m: usize) -> Vec<Vec<(usize, f32)>> {
    let step = n as f64 / m as f64;
    (0..m)
        .map(|j| {
            let (start, end) = (j as f64 * step, (j + 1) as f64 * step);
            let first = start.floor() as usize;
            let last = (end.ceil() as usize).min(n);
            (first..last)
                .filter_map(|i| {
                    let overlap = end.min(i as f64 + 1.0) - start.max(i as f64);
                    (overlap > 0.0).then_some((i, (overlap / step) as f32))
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAD: usize = 280;

    /// A 280×280 pad with a filled disc of ink.
    fn disc(pad: &mut [f32], cx: f64, cy: f64, r: f64) {
        for y in 0..PAD {
            for x in 0..PAD {
                let (dx, dy) = (x as f64 + 0.5 - cx, y as f64 + 0.5 - cy);
                if dx * dx + dy * dy <= r * r {
                    pad[y * PAD + x] = 1.0;
                }
            }
        }
    }

    /// A thick straight stroke from (ax, ay) to (bx, by).
    fn stroke(pad: &mut [f32], (ax, ay): (f64, f64), (bx, by): (f64, f64), r: f64) {
        for k in 0..=200 {
            let t = f64::from(k) / 200.0;
            disc(pad, ax + t * (bx - ax), ay + t * (by - ay), r);
        }
    }

    /// Centre of mass (index coordinates) and ink bounding box (w, h).
    fn measure(img: &[f32; 784]) -> ((f64, f64), (usize, usize)) {
        let (mut m, mut mx, mut my) = (0.0, 0.0, 0.0);
        let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
        for (i, &v) in img.iter().enumerate() {
            let (x, y) = (i % 28, i / 28);
            let v = f64::from(v);
            m += v;
            mx += v * x as f64;
            my += v * y as f64;
            if v > 0.0 {
                (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
            }
        }
        ((mx / m, my / m), (x1 - x0 + 1, y1 - y0 + 1))
    }

    #[test]
    fn empty_pad_is_none() {
        assert_eq!(preprocess_digit(PAD, PAD, &vec![0.0; PAD * PAD]), None);
        // Faint smudges below the threshold are still empty.
        assert_eq!(preprocess_digit(PAD, PAD, &vec![0.05; PAD * PAD]), None);
        assert_eq!(preprocess_digit(0, 0, &[]), None);
    }

    #[test]
    fn wrong_length_is_none() {
        assert_eq!(preprocess_digit(3, 3, &[1.0; 8]), None);
        assert_eq!(preprocess_digit(usize::MAX, 2, &[1.0; 8]), None);
    }

    #[test]
    fn centred_blob_stays_centred() {
        let mut pad = vec![0.0; PAD * PAD];
        disc(&mut pad, 140.0, 140.0, 60.0);
        let img = preprocess_digit(PAD, PAD, &pad).unwrap();
        let ((cx, cy), (w, h)) = measure(&img);
        assert!(
            (cx - 14.0).abs() <= 0.5 && (cy - 14.0).abs() <= 0.5,
            "{cx} {cy}"
        );
        assert_eq!((w, h), (20, 20));
        assert!(img[14 * 28 + 14] > 0.99);
        // The box starts at 4 or 5 (the centre of 20 pixels is at a half).
        let first = img[14 * 28..15 * 28].iter().position(|&v| v > 0.0);
        assert!(matches!(first, Some(4 | 5)), "{first:?}");
    }

    #[test]
    fn off_centre_seven_gets_its_mass_centred() {
        // A "7" in the pad's top-left corner: the mass is up and to the right
        // of its bounding box's centre, so the box itself must move.
        let mut pad = vec![0.0; PAD * PAD];
        stroke(&mut pad, (20.0, 20.0), (120.0, 20.0), 6.0);
        stroke(&mut pad, (120.0, 20.0), (60.0, 160.0), 6.0);
        let img = preprocess_digit(PAD, PAD, &pad).unwrap();
        let ((cx, cy), (w, h)) = measure(&img);
        assert!((cx - 14.0).abs() <= 0.5, "centre of mass x {cx}");
        assert!((cy - 14.0).abs() <= 0.5, "centre of mass y {cy}");
        assert_eq!(h, 20, "the longer side fits 20 px");
        assert!(w < 20, "aspect ratio kept: {w}");
    }

    #[test]
    fn longer_side_is_at_most_twenty_and_values_in_range() {
        for (ax, ay, bx, by) in [
            (10.0, 140.0, 270.0, 140.0),
            (140.0, 10.0, 140.0, 270.0),
            (30.0, 30.0, 250.0, 250.0),
            (100.0, 100.0, 102.0, 102.0),
        ] {
            let mut pad = vec![0.0; PAD * PAD];
            stroke(&mut pad, (ax, ay), (bx, by), 3.0);
            let img = preprocess_digit(PAD, PAD, &pad).unwrap();
            let (_, (w, h)) = measure(&img);
            assert_eq!(w.max(h), 20, "{ax},{ay} → {bx},{by}: {w}×{h}");
            assert!(img.iter().all(|v| (0.0..=1.0).contains(v)));
            assert_eq!(img.iter().fold(0.0f32, |m, &v| m.max(v)), 1.0);
        }
    }

    #[test]
    fn single_pixel_and_odd_values_do_not_panic() {
        let mut pad = vec![f32::NAN; 9];
        pad[4] = 7.0;
        pad[0] = -3.0;
        let img = preprocess_digit(3, 3, &pad).unwrap();
        assert!(img.iter().all(|v| (0.0..=1.0).contains(v)));
        let ((cx, cy), (w, h)) = measure(&img);
        assert_eq!((w, h), (20, 20));
        assert!((cx - 14.0).abs() <= 0.5 && (cy - 14.0).abs() <= 0.5);
    }

    #[test]
    fn box_weights_sum_to_one() {
        for (n, m) in [(200, 20), (7, 20), (281, 19), (1, 1), (3, 2)] {
            let weights = box_weights(n, m);
            assert_eq!(weights.len(), m);
            for taps in &weights {
                let sum: f32 = taps.iter().map(|&(_, w)| w).sum();
                assert!((sum - 1.0).abs() < 1e-5, "{n}→{m}: {sum}");
                assert!(taps.iter().all(|&(i, _)| i < n));
            }
        }
    }
}
