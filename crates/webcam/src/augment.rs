//! Light augmentation while recording: each recorded frame is seen through a
//! slightly different crop (shift and zoom), mirrored half the time and a
//! little brighter or darker, so that a class's examples cover small
//! movements of the person and the light.

use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// Largest crop shift, as a fraction of the square's side.
pub const MAX_SHIFT: f32 = 0.08;
/// Largest zoom (the crop shrinks by up to this factor).
pub const MAX_ZOOM: f32 = 1.15;
/// Brightness factors lie in `1 ± MAX_BRIGHTNESS`.
pub const MAX_BRIGHTNESS: f32 = 0.2;

/// One frame's augmentation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Augmentation {
    /// Mirror left to right.
    pub flip: bool,
    /// Horizontal shift of the crop's centre, as a fraction of the square's side.
    pub dx: f32,
    /// Vertical shift, likewise.
    pub dy: f32,
    /// Zoom factor ≥ 1: the crop's side is the frame's shorter side / zoom.
    pub zoom: f32,
    /// Factor on red, green and blue.
    pub brightness: f32,
}

impl Augmentation {
    /// The centre crop of the whole shorter side, unchanged.
    pub const NONE: Augmentation = Augmentation {
        flip: false,
        dx: 0.0,
        dy: 0.0,
        zoom: 1.0,
        brightness: 1.0,
    };

    /// A random augmentation from `seed`: flip half the time, shifts within
    /// ±[`MAX_SHIFT`], zoom in 1 ..= [`MAX_ZOOM`], brightness ×0.8 ..= ×1.2.
    pub fn sample(seed: u64) -> Augmentation {
        let mut rng = Pcg64Mcg::seed_from_u64(seed);
        Augmentation {
            flip: rng.random_bool(0.5),
            dx: rng.random_range(-MAX_SHIFT..=MAX_SHIFT),
            dy: rng.random_range(-MAX_SHIFT..=MAX_SHIFT),
            zoom: rng.random_range(1.0..=MAX_ZOOM),
            brightness: rng.random_range(1.0 - MAX_BRIGHTNESS..=1.0 + MAX_BRIGHTNESS),
        }
    }

    /// The square source rectangle `[x, y, side, side]` to draw a
    /// `source_w × source_h` video frame's 224×224 view from: centred,
    /// shifted and zoomed, then moved back inside the frame where the shift
    /// would leave it. Zooms below 1 (or not finite) count as 1, so the
    /// square always fits; a frame with no area gives `[0, 0, 0, 0]`.
    pub fn crop(&self, source_w: f32, source_h: f32) -> [f32; 4] {
        if !(source_w.is_finite() && source_h.is_finite() && source_w > 0.0 && source_h > 0.0) {
            return [0.0; 4];
        }
        let short = source_w.min(source_h);
        let zoom = if self.zoom.is_finite() {
            self.zoom.max(1.0)
        } else {
            1.0
        };
        let side = short / zoom;
        let shift = |d: f32| if d.is_finite() { d } else { 0.0 } * short;
        let place = |full: f32, d: f32| {
            let start = full / 2.0 + shift(d) - side / 2.0;
            start.clamp(0.0, (full - side).max(0.0))
        };
        [
            place(source_w, self.dx),
            place(source_h, self.dy),
            side,
            side,
        ]
    }

    /// Mirrors and brightens a `width × height` RGBA image in place (alpha
    /// untouched, values rounded and clamped to 0..=255). Bytes beyond the
    /// last whole row are left alone.
    pub fn apply(&self, rgba: &mut [u8], width: usize, height: usize) {
        let row = width.saturating_mul(4);
        if row == 0 {
            return;
        }
        let rows = height.min(rgba.len() / row);
        let pixels = &mut rgba[..rows * row];
        if self.flip {
            for line in pixels.chunks_exact_mut(row) {
                for x in 0..width / 2 {
                    let (a, b) = (4 * x, 4 * (width - 1 - x));
                    for c in 0..4 {
                        line.swap(a + c, b + c);
                    }
                }
            }
        }
        let k = self.brightness;
        if k.is_finite() && k != 1.0 {
            for px in pixels.chunks_exact_mut(4) {
                for v in &mut px[..3] {
                    *v = (*v as f32 * k).round().clamp(0.0, 255.0) as u8;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crops_stay_inside_the_frame() {
        for seed in 0..2000 {
            let a = Augmentation::sample(seed);
            assert!((-MAX_SHIFT..=MAX_SHIFT).contains(&a.dx));
            assert!((1.0..=MAX_ZOOM).contains(&a.zoom));
            assert!((0.8..=1.2).contains(&a.brightness));
            for (w, h) in [
                (640.0, 480.0),
                (480.0, 640.0),
                (224.0, 224.0),
                (1920.0, 1080.0),
                (3.0, 1.0),
            ] {
                let [x, y, sw, sh] = a.crop(w, h);
                assert_eq!(sw, sh);
                assert!(sw > 0.0 && sw <= w.min(h));
                let eps = 1e-3;
                assert!(
                    x >= 0.0 && x + sw <= w + eps,
                    "seed {seed}: x {x} side {sw} in {w}"
                );
                assert!(
                    y >= 0.0 && y + sh <= h + eps,
                    "seed {seed}: y {y} side {sh} in {h}"
                );
            }
        }
        let flips = (0..1000).filter(|&s| Augmentation::sample(s).flip).count();
        assert!((400..600).contains(&flips), "{flips}");
        assert_eq!(
            Augmentation::NONE.crop(640.0, 480.0),
            [80.0, 0.0, 480.0, 480.0]
        );
        assert_eq!(Augmentation::NONE.crop(0.0, 480.0), [0.0; 4]);
        let wild = Augmentation {
            dx: 5.0,
            dy: -5.0,
            zoom: 0.1,
            ..Augmentation::NONE
        };
        assert_eq!(wild.crop(640.0, 480.0), [160.0, 0.0, 480.0, 480.0]);
        assert_eq!(Augmentation::sample(9), Augmentation::sample(9));
    }

    #[test]
    fn none_is_identity_and_flipping_twice_is_too() {
        let (w, h) = (5, 3);
        let image: Vec<u8> = (0..w * h * 4).map(|i| (i * 37 % 256) as u8).collect();
        let mut same = image.clone();
        Augmentation::NONE.apply(&mut same, w, h);
        assert_eq!(same, image);
        let flip = Augmentation {
            flip: true,
            ..Augmentation::NONE
        };
        let mut once = image.clone();
        flip.apply(&mut once, w, h);
        assert_ne!(once, image);
        assert_eq!(
            &once[..4],
            &image[16..20],
            "the first pixel is the last one of the row"
        );
        let mut twice = once.clone();
        flip.apply(&mut twice, w, h);
        assert_eq!(twice, image);
        // Brightness scales colour, clamps, and leaves alpha.
        let mut px = vec![100, 200, 250, 77];
        Augmentation {
            brightness: 1.2,
            ..Augmentation::NONE
        }
        .apply(&mut px, 1, 1);
        assert_eq!(px, vec![120, 240, 255, 77]);
        // A buffer shorter than the size claims: only whole rows change.
        let mut short = vec![10u8; 6];
        Augmentation {
            brightness: 0.5,
            ..flip
        }
        .apply(&mut short, 1, 4);
        assert_eq!(short, vec![5, 5, 5, 10, 10, 10]);
    }
}
