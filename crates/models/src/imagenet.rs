//! ImageNet's class names and the top-k of a classifier's logits.

use crate::error::ModelError;

/// The class names of a JSON array of strings (`imagenet1k_names.json`:
/// index 0..999), refusing anything else.
pub fn class_names(json: &str) -> Result<Vec<String>, ModelError> {
    let names: Vec<String> = serde_json::from_str(json).map_err(|e| {
        ModelError::Input(format!("class names are not a JSON list of strings: {e}"))
    })?;
    if names.is_empty() {
        return Err(ModelError::Input("the class name list is empty".into()));
    }
    Ok(names)
}

/// Softmax of one row of logits, in f64 for the sums.
pub fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f64> = logits.iter().map(|&l| f64::from(l - max).exp()).collect();
    let sum: f64 = exps.iter().sum();
    exps.iter().map(|&e| (e / sum) as f32).collect()
}

/// The `k` most probable classes of one row of logits, most probable
/// first: `(index, probability)`. Ties keep the lower index first.
pub fn top_k(logits: &[f32], k: usize) -> Vec<(usize, f32)> {
    let probs = softmax(logits);
    let mut order: Vec<usize> = (0..logits.len()).collect();
    order.sort_by(|&a, &b| logits[b].total_cmp(&logits[a]).then(a.cmp(&b)));
    order.into_iter().take(k).map(|i| (i, probs[i])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_orders_by_logit_with_softmax_probabilities() {
        let top = top_k(&[0.0, 2.0, 1.0, 2.0], 3);
        let idx: Vec<usize> = top.iter().map(|t| t.0).collect();
        assert_eq!(idx, [1, 3, 2]);
        let total: f32 = softmax(&[0.0, 2.0, 1.0, 2.0]).iter().sum();
        assert!((total - 1.0).abs() < 1e-6);
        assert!((top[0].1 - top[1].1).abs() < 1e-7 && top[0].1 > top[2].1);
    }

    #[test]
    fn class_names_must_be_a_list_of_strings() {
        assert_eq!(class_names(r#"["a", "b"]"#).unwrap(), ["a", "b"]);
        assert!(class_names("[]").is_err());
        assert!(class_names(r#"{"0": "tench"}"#).is_err());
    }
}
