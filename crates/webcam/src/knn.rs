//! k-nearest neighbours over cosine similarity, as Teachable Machine v1 did:
//! no training, each prediction is the share of the `k` most similar
//! recorded examples that belong to each class.

/// Per-class confidences for `query`: the share of the `k` nearest examples
/// (by cosine similarity) of each class, summing to 1.
///
/// - `k` is clamped to 1 ..= the number of examples.
/// - Ties in similarity go to the example that comes first in `examples`,
///   so the same inputs always give the same scores.
/// - A zero vector (query or example) has similarity 0 to everything, and a
///   non-finite similarity counts as the lowest; the scores are never NaN.
/// - Examples whose class is `≥ classes` are ignored. With no usable
///   examples the scores are **all zero** (no class is predicted; they do
///   not sum to 1 then).
pub fn knn_scores(
    examples: &[(usize, &[f32])],
    query: &[f32],
    classes: usize,
    k: usize,
) -> Vec<f32> {
    let mut scores = vec![0.0f32; classes];
    let q_norm = norm(query);
    let mut ranked: Vec<(f32, usize, usize)> = examples
        .iter()
        .enumerate()
        .filter(|(_, (class, _))| *class < classes)
        .map(|(i, &(class, e))| (similarity(query, q_norm, e), i, class))
        .collect();
    if ranked.is_empty() {
        return scores;
    }
    // Most similar first; equal similarity: earlier example first.
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let k = k.clamp(1, ranked.len());
    for &(_, _, class) in &ranked[..k] {
        scores[class] += 1.0;
    }
    for s in &mut scores {
        *s /= k as f32;
    }
    scores
}

fn norm(v: &[f32]) -> f32 {
    v.iter().map(|x| x * x).sum::<f32>().sqrt()
}

/// Cosine similarity, 0 for a zero vector, −∞ for anything non-finite.
fn similarity(q: &[f32], q_norm: f32, e: &[f32]) -> f32 {
    let e_norm = norm(e);
    if q_norm == 0.0 || e_norm == 0.0 {
        return if q_norm.is_finite() && e_norm.is_finite() {
            0.0
        } else {
            f32::NEG_INFINITY
        };
    }
    let dot: f32 = q.iter().zip(e).map(|(a, b)| a * b).sum();
    let s = dot / (q_norm * e_norm);
    if s.is_finite() { s } else { f32::NEG_INFINITY }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_pcg::Pcg64Mcg;

    #[test]
    fn nearest_neighbours_pick_the_cluster() {
        let mut rng = Pcg64Mcg::seed_from_u64(3);
        let dims = 64;
        let centres: Vec<Vec<f32>> = (0..3)
            .map(|_| (0..dims).map(|_| rng.random_range(0.0..3.0)).collect())
            .collect();
        let sample = |c: usize, rng: &mut Pcg64Mcg| -> Vec<f32> {
            centres[c]
                .iter()
                .map(|v| (v + rng.random_range(-0.5f32..0.5)).max(0.0))
                .collect()
        };
        let data: Vec<(usize, Vec<f32>)> =
            (0..60).map(|i| (i % 3, sample(i % 3, &mut rng))).collect();
        let examples: Vec<(usize, &[f32])> = data.iter().map(|(c, v)| (*c, v.as_slice())).collect();
        for c in 0..3 {
            for _ in 0..10 {
                let q = sample(c, &mut rng);
                let s = knn_scores(&examples, &q, 3, 5);
                assert_eq!(s.len(), 3);
                assert!((s.iter().sum::<f32>() - 1.0).abs() < 1e-6);
                assert_eq!(playnet_engine::loss::arg_max(&s), c, "{s:?}");
                assert_eq!(knn_scores(&examples, &q, 3, 5), s, "deterministic");
            }
        }
    }

    #[test]
    fn degenerate_inputs_never_give_nan() {
        let zero = [0.0f32; 4];
        let a = [1.0f32, 0.0, 0.0, 0.0];
        let b = [0.0f32, 1.0, 0.0, 0.0];
        let examples: Vec<(usize, &[f32])> = vec![(0, &a), (1, &b), (1, &zero)];
        for q in [&zero, &a, &[f32::NAN; 4], &[f32::INFINITY, 0.0, 0.0, 0.0]] {
            for k in [0, 1, 2, 3, 100] {
                let s = knn_scores(&examples, q, 2, k);
                assert!(s.iter().all(|v| v.is_finite()), "{q:?} k={k}: {s:?}");
                assert!((s.iter().sum::<f32>() - 1.0).abs() < 1e-6);
            }
        }
        // A zero query: every similarity is 0; the tie goes to the first example.
        assert_eq!(knn_scores(&examples, &zero, 2, 1), vec![1.0, 0.0]);
        assert_eq!(knn_scores(&examples, &a, 2, 1), vec![1.0, 0.0]);
        assert_eq!(knn_scores(&examples, &b, 2, 1), vec![0.0, 1.0]);
        // k = all: the share of each class.
        let all = knn_scores(&examples, &a, 2, 3);
        assert!((all[0] - 1.0 / 3.0).abs() < 1e-6 && (all[1] - 2.0 / 3.0).abs() < 1e-6);
        // Nothing to compare with: all zero; a class beyond `classes` is ignored.
        assert_eq!(knn_scores(&[], &a, 3, 3), vec![0.0; 3]);
        assert_eq!(knn_scores(&[(5, &a)], &a, 2, 3), vec![0.0; 2]);
    }
}
