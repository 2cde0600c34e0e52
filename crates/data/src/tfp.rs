//! TensorFlow Playground's six generators, transcribed from its `dataset.ts`.
//!
//! The order of random draws, the loop bounds and the arithmetic follow the
//! TypeScript line by line, so with the same stream of uniforms these give the
//! same points. Two JavaScript details are kept on purpose:
//!
//! - `for (i = 0; i < n / 2; i++)` runs `ceil(n / 2)` times, so an odd `n`
//!   gives `n + 1` points in the binary classification sets;
//! - d3 v3's linear scale computes `t = (x - d0) / (d1 - d0)` and then
//!   `r0 * (1 - t) + r1 * t`, which is not always bit-equal to the simplified
//!   formula; [`linear_scale`] does the same.

use core::f64::consts::PI;

use crate::Point;
use crate::rng::{Stream, normal_random, uniform};

/// How many times JavaScript's `for (i = 0; i < n / 2; i++)` runs.
fn js_half(n: usize) -> usize {
    n.div_ceil(2)
}

/// Euclidean distance as TFP's `dist` computes it (`sqrt` is exactly
/// rounded, so it is portable).
fn dist(x: f64, y: f64, cx: f64, cy: f64) -> f64 {
    let dx = x - cx;
    let dy = y - cy;
    (dx * dx + dy * dy).sqrt()
}

/// d3 v3's `d3.scale.linear().domain(domain).range(range)`, optionally
/// `.clamp(true)`.
fn linear_scale(x: f64, domain: (f64, f64), range: (f64, f64), clamp: bool) -> f64 {
    let mut t = (x - domain.0) / (domain.1 - domain.0);
    if clamp {
        t = t.clamp(0.0, 1.0);
    }
    range.0 * (1.0 - t) + range.1 * t
}

/// The variance of the gaussian sets: noise 0 → 0.5, noise 0.5 → 4, linear
/// (not clamped) in between and beyond.
pub(crate) fn gauss_variance(noise: f64) -> f64 {
    linear_scale(noise, (0.0, 0.5), (0.5, 4.0), false)
}

/// Two concentric classes: +1 inside radius 2.5, −1 in the ring 3.5..5.
/// Noise moves the point used for the label, not the stored point.
pub(crate) fn circle(n: usize, noise: f64, rng: &mut (impl Stream + ?Sized)) -> Vec<Point> {
    let radius = 5.0;
    let mut points = Vec::with_capacity(2 * js_half(n));
    for (r_min, r_max) in [(0.0, radius * 0.5), (radius * 0.7, radius)] {
        for _ in 0..js_half(n) {
            let r = uniform(rng, r_min, r_max);
            let angle = uniform(rng, 0.0, 2.0 * PI);
            let x = r * libm::sin(angle);
            let y = r * libm::cos(angle);
            let noise_x = uniform(rng, -radius, radius) * noise;
            let noise_y = uniform(rng, -radius, radius) * noise;
            let inside = dist(x + noise_x, y + noise_y, 0.0, 0.0) < radius * 0.5;
            let label = if inside { 1.0 } else { -1.0 };
            points.push(Point { x, y, label });
        }
    }
    points
}

/// Four quadrants, kept 0.3 away from the axes; +1 where `x·y ≥ 0`.
pub(crate) fn xor(n: usize, noise: f64, rng: &mut (impl Stream + ?Sized)) -> Vec<Point> {
    let padding = 0.3;
    let pad = |v: f64| if v > 0.0 { v + padding } else { v - padding };
    (0..n)
        .map(|_| {
            let x = pad(uniform(rng, -5.0, 5.0));
            let y = pad(uniform(rng, -5.0, 5.0));
            let noise_x = uniform(rng, -5.0, 5.0) * noise;
            let noise_y = uniform(rng, -5.0, 5.0) * noise;
            let same_sign = (x + noise_x) * (y + noise_y) >= 0.0;
            let label = if same_sign { 1.0 } else { -1.0 };
            Point { x, y, label }
        })
        .collect()
}

/// Two gaussian clouds, +1 around (2, 2) and −1 around (−2, −2); noise widens
/// them (see [`gauss_variance`]).
pub(crate) fn gauss(n: usize, noise: f64, rng: &mut (impl Stream + ?Sized)) -> Vec<Point> {
    let variance = gauss_variance(noise);
    let mut points = Vec::with_capacity(2 * js_half(n));
    for (c, label) in [(2.0, 1.0), (-2.0, -1.0)] {
        for _ in 0..js_half(n) {
            let x = normal_random(rng, c, variance);
            let y = normal_random(rng, c, variance);
            points.push(Point { x, y, label });
        }
    }
    points
}

/// One spiral arm of TFP's `genSpiral`: `count` points with
/// `r = i / arm_len · 5`, `t = 1.75 · i / arm_len · 2π + delta_t`, and
/// position noise `U(−1, 1) · noise`.
///
/// `arm_len` is a float because TFP divides by `numSamples / 2` unrounded.
pub(crate) fn spiral_arm(
    count: usize,
    arm_len: f64,
    delta_t: f64,
    label: f64,
    noise: f64,
    rng: &mut (impl Stream + ?Sized),
) -> impl Iterator<Item = Point> {
    (0..count).map(move |i| {
        let i = i as f64;
        let r = i / arm_len * 5.0;
        let t = 1.75 * i / arm_len * 2.0 * PI + delta_t;
        let x = r * libm::sin(t) + uniform(rng, -1.0, 1.0) * noise;
        let y = r * libm::cos(t) + uniform(rng, -1.0, 1.0) * noise;
        Point { x, y, label }
    })
}

/// Two interleaved spirals, +1 starting at angle 0 and −1 at angle π.
pub(crate) fn spiral(n: usize, noise: f64, rng: &mut (impl Stream + ?Sized)) -> Vec<Point> {
    let arm_len = n as f64 / 2.0;
    let mut points = Vec::with_capacity(2 * js_half(n));
    for (delta_t, label) in [(0.0, 1.0), (PI, -1.0)] {
        points.extend(spiral_arm(js_half(n), arm_len, delta_t, label, noise, rng));
    }
    points
}

/// Regression on a tilted plane: label = (x + y) / 10, mapped the d3 way
/// and not clamped, on the noisy position.
pub(crate) fn reg_plane(n: usize, noise: f64, rng: &mut (impl Stream + ?Sized)) -> Vec<Point> {
    regression(n, noise, rng, |x, y| {
        linear_scale(x + y, (-10.0, 10.0), (-1.0, 1.0), false)
    })
}

/// TFP's regression sampler, shared by both regression sets: a point
/// uniform in the 12 × 12 square, labelled at a noisy copy of its position
/// (the draws come in TFP's order: x, y, noise x, noise y).
fn regression(
    n: usize,
    noise: f64,
    rng: &mut (impl Stream + ?Sized),
    label: impl Fn(f64, f64) -> f64,
) -> Vec<Point> {
    let radius = 6.0;
    (0..n)
        .map(|_| {
            let x = uniform(rng, -radius, radius);
            let y = uniform(rng, -radius, radius);
            let noise_x = uniform(rng, -radius, radius) * noise;
            let noise_y = uniform(rng, -radius, radius) * noise;
            Point {
                x,
                y,
                label: label(x + noise_x, y + noise_y),
            }
        })
        .collect()
}

/// The six bumps of the regression gaussian set: centre x, centre y, sign.
const REG_GAUSSIANS: [(f64, f64, f64); 6] = [
    (-4.0, 2.5, 1.0),
    (0.0, 2.5, -1.0),
    (4.0, 2.5, 1.0),
    (-4.0, -2.5, -1.0),
    (0.0, -2.5, 1.0),
    (4.0, -2.5, -1.0),
];

/// TFP's `getLabel` for the regression gaussians: the signed bump value with
/// the largest magnitude (ties keep the earlier bump).
fn reg_gauss_label(x: f64, y: f64) -> f64 {
    REG_GAUSSIANS
        .iter()
        .fold(0.0, |label: f64, &(cx, cy, sign)| {
            let new_label = sign * linear_scale(dist(x, y, cx, cy), (0.0, 2.0), (1.0, 0.0), true);
            if new_label.abs() > label.abs() {
                new_label
            } else {
                label
            }
        })
}

/// Regression on six signed bumps of radius 2 in a 3 × 2 grid.
pub(crate) fn reg_gauss(n: usize, noise: f64, rng: &mut (impl Stream + ?Sized)) -> Vec<Point> {
    regression(n, noise, rng, reg_gauss_label)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::rng;

    fn labels(points: &[Point]) -> Vec<f64> {
        let mut l: Vec<f64> = points.iter().map(|p| p.label).collect();
        l.sort_by(f64::total_cmp);
        l.dedup();
        l
    }

    fn radius(p: &Point) -> f64 {
        dist(p.x, p.y, 0.0, 0.0)
    }

    #[test]
    fn linear_scale_matches_d3() {
        assert_eq!(linear_scale(0.25, (0.0, 0.5), (0.5, 4.0), false), 2.25);
        assert_eq!(linear_scale(1.0, (0.0, 0.5), (0.5, 4.0), false), 7.5);
        assert_eq!(linear_scale(3.0, (0.0, 2.0), (1.0, 0.0), true), 0.0);
        assert_eq!(linear_scale(-1.0, (0.0, 2.0), (1.0, 0.0), true), 1.0);
        assert_eq!(linear_scale(1.0, (0.0, 2.0), (1.0, 0.0), true), 0.5);
    }

    #[test]
    fn odd_counts_round_up_like_javascript() {
        assert_eq!(circle(5, 0.0, &mut rng(1)).len(), 6);
        assert_eq!(spiral(5, 0.0, &mut rng(1)).len(), 6);
        assert_eq!(xor(5, 0.0, &mut rng(1)).len(), 5);
    }

    #[test]
    fn circle_without_noise_separates_inside_from_ring() {
        let points = circle(500, 0.0, &mut rng(11));
        assert_eq!(points.len(), 500);
        assert_eq!(labels(&points), [-1.0, 1.0]);
        for (i, p) in points.iter().enumerate() {
            let r = radius(p);
            if i < 250 {
                assert_eq!(p.label, 1.0);
                assert!(r < 2.5, "{p:?}");
            } else {
                assert_eq!(p.label, -1.0);
                assert!((3.5 - 1e-12..=5.0 + 1e-12).contains(&r), "{p:?}");
            }
        }
    }

    #[test]
    fn circle_noise_flips_some_labels_but_not_positions() {
        let points = circle(500, 0.5, &mut rng(11));
        let flipped = points
            .iter()
            .filter(|p| (radius(p) < 2.5) != (p.label > 0.0))
            .count();
        assert!(flipped > 10, "only {flipped} labels flipped");
        assert!(points.iter().all(|p| radius(p) <= 5.0 + 1e-12));
    }

    #[test]
    fn xor_without_noise_labels_by_quadrant() {
        let points = xor(500, 0.0, &mut rng(12));
        assert_eq!(points.len(), 500);
        assert_eq!(labels(&points), [-1.0, 1.0]);
        for p in &points {
            assert!(p.x.abs() >= 0.3 && p.y.abs() >= 0.3, "{p:?}");
            assert!(p.x.abs() <= 5.3 && p.y.abs() <= 5.3, "{p:?}");
            let expected = if (p.x > 0.0) == (p.y > 0.0) {
                1.0
            } else {
                -1.0
            };
            assert_eq!(p.label, expected, "{p:?}");
        }
    }

    #[test]
    fn gauss_clouds_centre_on_plus_and_minus_two() {
        let n = 4000;
        let points = gauss(n, 0.0, &mut rng(13));
        assert_eq!(points.len(), n);
        assert_eq!(labels(&points), [-1.0, 1.0]);
        for (half, c, label) in [(&points[..n / 2], 2.0, 1.0), (&points[n / 2..], -2.0, -1.0)] {
            assert!(half.iter().all(|p| p.label == label));
            let mx = half.iter().map(|p| p.x).sum::<f64>() / half.len() as f64;
            let my = half.iter().map(|p| p.y).sum::<f64>() / half.len() as f64;
            assert!((mx - c).abs() < 0.1 && (my - c).abs() < 0.1, "{mx} {my}");
        }
    }

    #[test]
    fn gauss_noise_widens_the_clouds() {
        let spread = |noise| {
            let points = gauss(2000, noise, &mut rng(14));
            points[..1000]
                .iter()
                .map(|p| (p.x - 2.0).powi(2))
                .sum::<f64>()
                / 1000.0
        };
        let (narrow, wide) = (spread(0.0), spread(0.5));
        assert!((narrow - 0.5).abs() < 0.1, "{narrow}");
        assert!((wide - 4.0).abs() < 0.6, "{wide}");
    }

    #[test]
    fn spiral_without_noise_follows_the_formula() {
        let n = 500;
        let points = spiral(n, 0.0, &mut rng(15));
        assert_eq!(points.len(), n);
        assert_eq!(labels(&points), [-1.0, 1.0]);
        let half = n / 2;
        for (i, p) in points.iter().enumerate() {
            let (j, delta_t, label) = if i < half {
                (i, 0.0, 1.0)
            } else {
                (i - half, PI, -1.0)
            };
            let r = j as f64 / half as f64 * 5.0;
            let t = 1.75 * j as f64 / half as f64 * 2.0 * PI + delta_t;
            assert_eq!(p.label, label);
            assert_eq!(p.x, r * libm::sin(t), "point {i}");
            assert_eq!(p.y, r * libm::cos(t), "point {i}");
        }
    }

    #[test]
    fn spiral_noise_moves_points_by_at_most_noise() {
        let clean = spiral(200, 0.0, &mut rng(16));
        let noisy = spiral(200, 0.3, &mut rng(16));
        let moved = clean.iter().zip(&noisy).filter(|(a, b)| a != b).count();
        assert!(moved > 190);
        for (a, b) in clean.iter().zip(&noisy) {
            assert!((a.x - b.x).abs() <= 0.3 && (a.y - b.y).abs() <= 0.3);
        }
    }

    #[test]
    fn reg_plane_without_noise_is_the_plane() {
        let points = reg_plane(1200, 0.0, &mut rng(17));
        assert_eq!(points.len(), 1200);
        for p in &points {
            assert!(p.x.abs() <= 6.0 && p.y.abs() <= 6.0);
            assert!((p.label - (p.x + p.y) / 10.0).abs() < 1e-12, "{p:?}");
        }
        assert!(
            points.iter().any(|p| p.label.abs() > 1.0),
            "label is not clamped"
        );
    }

    #[test]
    fn reg_gauss_labels_peak_at_the_centres() {
        for &(cx, cy, sign) in &REG_GAUSSIANS {
            assert_eq!(reg_gauss_label(cx, cy), sign);
            assert_eq!(reg_gauss_label(cx + 1.0, cy), 0.5 * sign);
        }
        assert_eq!(reg_gauss_label(-6.0, 0.0), 0.0);
    }

    #[test]
    fn reg_gauss_without_noise_labels_the_stored_point() {
        let points = reg_gauss(1200, 0.0, &mut rng(18));
        assert_eq!(points.len(), 1200);
        assert!(points.iter().all(|p| p.label == reg_gauss_label(p.x, p.y)));
        assert!(points.iter().any(|p| p.label > 0.5));
        assert!(points.iter().any(|p| p.label < -0.5));
        assert!(points.iter().all(|p| (-1.0..=1.0).contains(&p.label)));
    }
}
