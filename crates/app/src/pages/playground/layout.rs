//! Where the network view puts its nodes: one column per layer, inputs (every
//! feature, used or not) on the left, the output on the right.
//!
//! On a phone the view has its natural size ([`layout`] with no [`Fit`]) and
//! scrolls sideways in its column. On a wider screen the page is one screen,
//! as on TensorFlow Playground: the view is given the box left for it
//! ([`Fit`], measured by the page) and fills it — the columns spread over the
//! width (the links stretch), the rows and the squares shrink or grow with
//! the height, between [`MIN_NODE`] and [`MAX_NODE`].

/// Side of a node's heatmap square at its natural size, in CSS pixels.
pub const NODE: f64 = 34.0;
/// Vertical distance between node centres at the natural size.
pub const ROW: f64 = 44.0;
/// Horizontal distance between column centres at the natural size.
pub const COLUMN: f64 = 96.0;
/// Space left of the first column (for the feature labels).
pub const MARGIN_LEFT: f64 = 64.0;
/// Space above the first row.
pub const MARGIN_TOP: f64 = 10.0;
/// The smallest square a fitted view draws (a 1024×625 projector with the
/// tallest column), and the largest (a big monitor).
pub const MIN_NODE: f64 = 18.0;
pub const MAX_NODE: f64 = 56.0;
/// The widest a fitted column spacing gets: links longer than this read as
/// lines, not as a network.
pub const MAX_COLUMN: f64 = 300.0;
/// Space right of the last column.
const MARGIN_RIGHT: f64 = 8.0;

/// The box a view must fit, in CSS pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fit {
    pub width: f64,
    pub height: f64,
}

/// Node centres per column, the squares' side, and the size of the whole
/// view.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub columns: Vec<Vec<(f64, f64)>>,
    /// Side of every node's square.
    pub node: f64,
    pub width: f64,
    pub height: f64,
}

/// Lays out columns of the given heights, each centred vertically: at the
/// natural size, or filling `fit`.
pub fn layout(column_sizes: &[usize], fit: Option<Fit>) -> Layout {
    let tallest = column_sizes.iter().copied().max().unwrap_or(1).max(1) as f64;
    let gaps = column_sizes.len().saturating_sub(1).max(1) as f64;
    let (node, row, column) = match fit {
        None => (NODE, ROW, COLUMN),
        Some(fit) => {
            // The squares keep the natural proportion to the rows.
            let row = ((fit.height - 2.0 * MARGIN_TOP) / tallest)
                .clamp(MIN_NODE * ROW / NODE, MAX_NODE * ROW / NODE);
            // As large as the rows allow, and small enough that every gap
            // has room for links as long as a square is wide, twice over.
            let room = fit.width - MARGIN_LEFT - MARGIN_RIGHT;
            let node = (row * NODE / ROW)
                .min(room / (1.0 + 2.0 * gaps))
                .max(MIN_NODE);
            let spread = (room - node) / gaps;
            (node, row, spread.clamp(node * 2.0, MAX_COLUMN))
        }
    };
    let height = MARGIN_TOP * 2.0 + tallest * row;
    let columns = column_sizes
        .iter()
        .enumerate()
        .map(|(c, &n)| {
            let x = MARGIN_LEFT + node / 2.0 + c as f64 * column;
            let top = MARGIN_TOP + (tallest - n as f64) * row / 2.0;
            (0..n).map(|i| (x, top + (i as f64 + 0.5) * row)).collect()
        })
        .collect();
    let width =
        MARGIN_LEFT + node + column_sizes.len().saturating_sub(1) as f64 * column + MARGIN_RIGHT;
    Layout {
        columns,
        node,
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
        let l = layout(&[9, 4, 2, 1], None);
        assert_eq!(l.columns.len(), 4);
        assert_eq!(l.columns[0].len(), 9);
        let mid = |c: &Vec<(f64, f64)>| (c[0].1 + c[c.len() - 1].1) / 2.0;
        assert!((mid(&l.columns[0]) - mid(&l.columns[3])).abs() < 1e-9);
        assert!((l.columns[1][0].0 - l.columns[0][0].0 - COLUMN).abs() < 1e-9);
        assert!(l.height >= 9.0 * ROW && l.width > 3.0 * COLUMN);
        assert_eq!(l.node, NODE);
    }

    #[test]
    fn a_fitted_view_fills_its_box() {
        let fit = Fit {
            width: 900.0,
            height: 400.0,
        };
        let l = layout(&[9, 8, 8, 8, 8, 8, 8, 1], Some(fit));
        assert!((l.width - fit.width).abs() < 1e-9, "{}", l.width);
        assert!((l.height - fit.height).abs() < 1e-9, "{}", l.height);
        assert!(l.node < NODE && l.node > MIN_NODE);
        // Spread over the width: the columns are evenly spaced.
        let x = |c: usize| l.columns[c][0].0;
        assert!(((x(7) - x(0)) / 7.0 - (x(1) - x(0))).abs() < 1e-9);
    }

    #[test]
    fn a_fitted_view_keeps_its_squares_within_bounds() {
        let tiny = layout(
            &[9, 4, 1],
            Some(Fit {
                width: 100.0,
                height: 50.0,
            }),
        );
        assert_eq!(tiny.node, MIN_NODE);
        let huge = layout(
            &[2, 1],
            Some(Fit {
                width: 5000.0,
                height: 5000.0,
            }),
        );
        assert_eq!(huge.node, MAX_NODE);
        let spacing = huge.columns[1][0].0 - huge.columns[0][0].0;
        assert_eq!(spacing, MAX_COLUMN);
        // Too narrow to spread: squares never overlap their links.
        let narrow = layout(
            &[9, 8, 8, 8, 8, 8, 8, 1],
            Some(Fit {
                width: 200.0,
                height: 400.0,
            }),
        );
        let spacing = narrow.columns[1][0].0 - narrow.columns[0][0].0;
        assert!(spacing >= 2.0 * narrow.node);
    }

    #[test]
    fn link_widths_follow_the_weight_size() {
        assert_eq!(link_width(0.0), 1.0);
        assert_eq!(link_width(-1.0), 10.0);
        assert_eq!(link_width(5.0), 10.0);
        assert_eq!(link_width(f32::NAN), 1.0);
    }
}
