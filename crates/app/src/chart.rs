//! The loss chart: training and test loss over the epochs, drawn on a canvas.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// Losses recorded once per drawn frame, thinned so that memory stays bounded
/// however long training runs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LossHistory {
    /// `(epoch, train loss, test loss)`, oldest first.
    points: Vec<(u64, f32, f32)>,
}

/// Most points kept; beyond it every other point is dropped.
const MAX_POINTS: usize = 1000;

impl LossHistory {
    /// Records the losses after `epoch` (a repeated epoch replaces the last point).
    pub fn push(&mut self, epoch: u64, train: f32, test: f32) {
        if self.points.last().is_some_and(|&(e, _, _)| e >= epoch) {
            self.points.retain(|&(e, _, _)| e < epoch);
        }
        self.points.push((epoch, train, test));
        if self.points.len() > MAX_POINTS {
            let mut keep = false;
            self.points.retain(|_| {
                keep = !keep;
                keep
            });
        }
    }

    /// A history brought back (thinned as [`LossHistory::push`] would).
    pub fn from_points(points: Vec<(u64, f32, f32)>) -> LossHistory {
        let mut history = LossHistory::default();
        for (epoch, train, test) in points {
            history.push(epoch, train, test);
        }
        history
    }

    /// `(epoch, train loss, test loss)`, oldest first.
    pub fn points(&self) -> &[(u64, f32, f32)] {
        &self.points
    }

    /// Points recorded.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Forgets everything (after a reset).
    pub fn clear(&mut self) {
        self.points.clear();
    }

    /// Draws both curves scaled to the canvas: test loss in black, training
    /// loss in grey, as TensorFlow Playground does.
    pub fn draw(&self, canvas: &HtmlCanvasElement) -> Result<(), JsValue> {
        let ctx = canvas
            .get_context("2d")?
            .ok_or_else(|| JsValue::from_str("no 2-D canvas context"))?
            .dyn_into::<CanvasRenderingContext2d>()?;
        let (w, h) = (f64::from(canvas.width()), f64::from(canvas.height()));
        ctx.clear_rect(0.0, 0.0, w, h);
        let finite = self
            .points
            .iter()
            .filter(|p| p.1.is_finite() && p.2.is_finite());
        let max = finite.fold(0.0f32, |m, p| m.max(p.1).max(p.2)).max(1e-6) as f64;
        let (Some(first), Some(last)) = (self.points.first(), self.points.last()) else {
            return Ok(());
        };
        let span = (last.0 - first.0).max(1) as f64;
        for (pick, colour) in [(1usize, "#9e9e9e"), (2usize, "#000000")] {
            ctx.set_stroke_style_str(colour);
            ctx.set_line_width(1.5);
            ctx.begin_path();
            for (i, p) in self.points.iter().enumerate() {
                let value = if pick == 1 { p.1 } else { p.2 };
                let x = (p.0 - first.0) as f64 / span * (w - 2.0) + 1.0;
                let y = h - 1.0 - (f64::from(value).min(max) / max) * (h - 2.0);
                if i == 0 {
                    ctx.move_to(x, y)
                } else {
                    ctx.line_to(x, y)
                }
            }
            ctx.stroke();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_stays_bounded_and_ordered() {
        let mut h = LossHistory::default();
        for e in 0..5000 {
            h.push(e, 1.0 / (e + 1) as f32, 1.0);
        }
        assert!(h.points.len() <= MAX_POINTS);
        assert!(h.points.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(h.points.first().map(|p| p.0), Some(0));
    }

    #[test]
    fn going_back_in_epochs_replaces_the_tail() {
        let mut h = LossHistory::default();
        h.push(0, 1.0, 1.0);
        h.push(1, 0.5, 0.5);
        h.push(1, 0.4, 0.4);
        assert_eq!(h.points, vec![(0, 1.0, 1.0), (1, 0.4, 0.4)]);
        h.clear();
        assert!(h.points.is_empty());
    }
}
