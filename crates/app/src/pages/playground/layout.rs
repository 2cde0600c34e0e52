//! Where the network view puts its nodes: one column per layer, inputs (every
//! feature, used or not) on the left, the output on the right.

/// Side of a node's heatmap square, in CSS pixels.
pub const NODE: f64 = 34.0;
/// Vertical distance between node centres.
pub const ROW: f64 = 44.0;
/// Horizontal distance between column centres.
pub const COLUMN: f64 = 96.0;
/// Space left of the first column (for the feature labels).
pub const MARGIN_LEFT: f64 = 64.0;
/// Space above the first row.
pub const MARGIN_TOP: f64 = 10.0;

/// Node centres per column, and the size of the whole view.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub columns: Vec<Vec<(f64, f64)>>,
    pub width: f64,
    pub height: f64,
}

/// Lays out columns of the given heights, each centred vertically.
pub fn layout(column_sizes: &[usize]) -> Layout {
    let tallest = column_sizes.iter().copied().max().unwrap_or(1).max(1);
    let height = MARGIN_TOP * 2.0 + tallest as f64 * ROW;
    let columns = column_sizes
        .iter()
        .enumerate()
        .map(|(c, &n)| {
            let x = MARGIN_LEFT + NODE / 2.0 + c as f64 * COLUMN;
            let top = MARGIN_TOP + (tallest - n) as f64 * ROW / 2.0;
            (0..n).map(|i| (x, top + (i as f64 + 0.5) * ROW)).collect()
        })
        .collect();
    let width = MARGIN_LEFT + NODE + column_sizes.len().saturating_sub(1) as f64 * COLUMN + 8.0;
    Layout {
        columns,
        width,
        height,
    }
}

/// TensorFlow Playground's link width for a weight: 1 px at 0 up to 10 px at |w| ≥ 1.
pub fn link_width(weight: f32) -> f64 {
    if weight.is_finite() {
        1.0 + 9.0 * f64::from(weight.abs().min(1.0))
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_centred_and_spaced() {
        let l = layout(&[9, 4, 2, 1]);
        assert_eq!(l.columns.len(), 4);
        assert_eq!(l.columns[0].len(), 9);
        let mid = |c: &Vec<(f64, f64)>| (c[0].1 + c[c.len() - 1].1) / 2.0;
        assert!((mid(&l.columns[0]) - mid(&l.columns[3])).abs() < 1e-9);
        assert!((l.columns[1][0].0 - l.columns[0][0].0 - COLUMN).abs() < 1e-9);
        assert!(l.height >= 9.0 * ROW && l.width > 3.0 * COLUMN);
    }

    #[test]
    fn link_widths_follow_the_weight_size() {
        assert_eq!(link_width(0.0), 1.0);
        assert_eq!(link_width(-1.0), 10.0);
        assert_eq!(link_width(5.0), 10.0);
        assert_eq!(link_width(f32::NAN), 1.0);
    }
}
