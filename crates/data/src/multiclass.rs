//! Multi-class sets of our own, in TensorFlow Playground's style.
//!
//! Both split `n` points over `k` classes: every class gets `n / k` points and
//! the last `n % k` classes one more, so exactly `n` points come back, class 0
//! first. Labels are class indices `0.0 .. k - 1`.

use core::f64::consts::PI;

use crate::Point;
use crate::rng::{Stream, normal_random};
use crate::tfp::{gauss_variance, spiral_arm};

/// How many points class `j` of `k` gets out of `n`.
fn class_size(n: usize, k: usize, j: usize) -> usize {
    n / k + usize::from(j >= k - n % k)
}

/// The angle at which class `j` of `k` starts: `2π · j / k`.
fn class_angle(j: usize, k: usize) -> f64 {
    2.0 * PI * j as f64 / k as f64
}

/// `k` interleaved spiral arms. Arm `j` is TFP's spiral arm with
/// `deltaT = 2π · j / k`: for `i` in `0..m` (`m` = the arm's size),
/// `r = i / m · 5`, `t = 1.75 · i / m · 2π + deltaT`, plus `U(−1, 1) · noise`
/// on each coordinate.
pub(crate) fn spiral_k(
    k: usize,
    n: usize,
    noise: f64,
    rng: &mut (impl Stream + ?Sized),
) -> Vec<Point> {
    let mut points = Vec::with_capacity(n);
    for j in 0..k {
        let m = class_size(n, k, j);
        let arm = spiral_arm(m, m as f64, class_angle(j, k), j as f64, noise, rng);
        points.extend(arm);
    }
    points
}

/// `k` gaussian blobs centred evenly on a circle of radius 3 (class `j` at
/// angle `2π · j / k`), with the variance of TFP's gauss set (0.5 at noise 0,
/// 4 at noise 0.5).
pub(crate) fn blobs_k(
    k: usize,
    n: usize,
    noise: f64,
    rng: &mut (impl Stream + ?Sized),
) -> Vec<Point> {
    let variance = gauss_variance(noise);
    let mut points = Vec::with_capacity(n);
    for j in 0..k {
        let angle = class_angle(j, k);
        let (cx, cy) = (3.0 * libm::cos(angle), 3.0 * libm::sin(angle));
        for _ in 0..class_size(n, k, j) {
            let x = normal_random(rng, cx, variance);
            let y = normal_random(rng, cy, variance);
            points.push(Point {
                x,
                y,
                label: j as f64,
            });
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::rng;

    fn class_counts(points: &[Point], k: usize) -> Vec<usize> {
        let mut counts = vec![0; k];
        for p in points {
            assert_eq!(
                p.label,
                p.label.trunc(),
                "label {} is not an index",
                p.label
            );
            assert!(
                (0.0..k as f64).contains(&p.label),
                "label {} out of 0..{k}",
                p.label
            );
            counts[p.label as usize] += 1;
        }
        counts
    }

    #[test]
    fn remainder_goes_to_the_last_classes() {
        assert_eq!(
            (0..3).map(|j| class_size(500, 3, j)).collect::<Vec<_>>(),
            [166, 167, 167]
        );
        assert_eq!(
            (0..4).map(|j| class_size(500, 4, j)).collect::<Vec<_>>(),
            [125; 4]
        );
        assert_eq!(
            (0..4).map(|j| class_size(2, 4, j)).collect::<Vec<_>>(),
            [0, 0, 1, 1]
        );
    }

    #[test]
    fn spirals_have_k_classes_of_the_right_size() {
        let points = spiral_k(3, 500, 0.1, &mut rng(21));
        assert_eq!(points.len(), 500);
        assert_eq!(class_counts(&points, 3), [166, 167, 167]);
        let points = spiral_k(4, 500, 0.1, &mut rng(21));
        assert_eq!(class_counts(&points, 4), [125; 4]);
    }

    #[test]
    fn spiral_arms_without_noise_start_at_their_angle() {
        let points = spiral_k(4, 400, 0.0, &mut rng(22));
        for j in 0..4 {
            let arm = &points[j * 100..(j + 1) * 100];
            // Point 1 of arm j sits at r = 0.05, t = 1.75·2π/100 + 2πj/4.
            let t = 1.75 / 100.0 * 2.0 * PI + class_angle(j, 4);
            assert!((arm[1].x - 0.05 * libm::sin(t)).abs() < 1e-12);
            assert!((arm[1].y - 0.05 * libm::cos(t)).abs() < 1e-12);
            let last_r = libm::hypot(arm[99].x, arm[99].y);
            assert!((last_r - 4.95).abs() < 1e-12, "{last_r}");
        }
    }

    #[test]
    fn blobs_have_k_classes_centred_on_the_circle() {
        for k in [3, 4] {
            let points = blobs_k(k, 3000, 0.0, &mut rng(23));
            assert_eq!(points.len(), 3000);
            let counts = class_counts(&points, k);
            assert_eq!(counts.iter().sum::<usize>(), 3000);
            for j in 0..k {
                let class: Vec<_> = points.iter().filter(|p| p.label == j as f64).collect();
                let mx = class.iter().map(|p| p.x).sum::<f64>() / class.len() as f64;
                let my = class.iter().map(|p| p.y).sum::<f64>() / class.len() as f64;
                let angle = class_angle(j, k);
                assert!((mx - 3.0 * libm::cos(angle)).abs() < 0.1, "class {j}: {mx}");
                assert!((my - 3.0 * libm::sin(angle)).abs() < 0.1, "class {j}: {my}");
            }
        }
    }
}
