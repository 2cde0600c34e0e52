//! Charts of curves over training: axes with ticks, a legend and a hover
//! marker, drawn on a canvas with `plotters` ([`lines_chart`]); and the
//! loss history every page keeps for its chart ([`LossHistory`]).
//!
//! Cost: a chart is redrawn once per metrics update (a few times a second
//! while the Playground trains, once per report in the lab), not per
//! training step; the page's timings record it as `chart`.

use plotters::prelude::*;
pub use plotters::style::RGBColor;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsValue;
use web_sys::HtmlCanvasElement;

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

    /// The recorded point nearest to `epoch`.
    pub fn nearest(&self, epoch: f64) -> Option<(u64, f32, f32)> {
        let i = self.points.partition_point(|p| (p.0 as f64) < epoch);
        let after = self.points.get(i);
        let before = i.checked_sub(1).and_then(|b| self.points.get(b));
        match (before, after) {
            (Some(b), Some(a)) => Some(if epoch - b.0 as f64 <= a.0 as f64 - epoch {
                *b
            } else {
                *a
            }),
            (b, a) => b.or(a).copied(),
        }
    }

    /// Draws both curves with axes and a legend, test loss in black and
    /// training loss in grey as TensorFlow Playground does, and a marker at
    /// the `hover`ed epoch. `x_label` says what the epochs count (`"epoch"`,
    /// `"step"`); `names` are the two curves' names in the legend (the
    /// training one first); one name draws only the first.
    pub fn draw(
        &self,
        canvas: &HtmlCanvasElement,
        x_label: &str,
        names: &[&str],
        hover: Option<u64>,
    ) -> Result<Frame, JsValue> {
        let train: Vec<(f64, f64)> = self
            .points
            .iter()
            .map(|p| (p.0 as f64, f64::from(p.1)))
            .collect();
        let test: Vec<(f64, f64)> = self
            .points
            .iter()
            .map(|p| (p.0 as f64, f64::from(p.2)))
            .collect();
        let top = range(train.iter().chain(&test).map(|p| p.1)).1;
        let colours = [GREY, INK];
        let lines: Vec<Line> = names
            .iter()
            .zip([&train, &test])
            .zip(colours)
            .map(|((name, points), colour)| Line {
                name,
                colour,
                points,
            })
            .collect();
        let last = self.points.last().map_or(1.0, |p| (p.0 as f64).max(1.0));
        lines_chart(
            canvas,
            &Lines {
                x: (self.points.first().map_or(0.0, |p| p.0 as f64), last),
                y: (0.0, top),
                x_label,
                y_format: &|v| format!("{v:.2}"),
                lines: &lines,
                hover: hover.map(|e| e as f64),
            },
        )
    }
}

/// The grey of a training curve and the ink of a test curve.
pub const GREY: RGBColor = RGBColor(150, 150, 150);
pub const INK: RGBColor = RGBColor(0, 0, 0);

/// One curve of a chart.
pub struct Line<'a> {
    pub name: &'a str,
    pub colour: RGBColor,
    pub points: &'a [(f64, f64)],
}

/// A chart of curves over a shared `x` axis.
pub struct Lines<'a> {
    pub x: (f64, f64),
    pub y: (f64, f64),
    /// What the `x` axis counts (`"epoch"`, `"step"`).
    pub x_label: &'a str,
    pub y_format: &'a dyn Fn(f64) -> String,
    pub lines: &'a [Line<'a>],
    /// Where to draw the hover marker, in `x` units.
    pub hover: Option<f64>,
}

/// Where a drawn chart's plotting area lies, in CSS pixels of the canvas,
/// and the `x` range it spans: turns a pointer position into an `x` value.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Frame {
    pub left: f64,
    pub right: f64,
    pub x: (f64, f64),
}

impl Frame {
    /// The `x` value under CSS pixel column `px`, clamped to the range.
    pub fn x_at(&self, px: f64) -> f64 {
        let t = ((px - self.left) / (self.right - self.left).max(1.0)).clamp(0.0, 1.0);
        self.x.0 + t * (self.x.1 - self.x.0)
    }
}

/// A range that holds every finite value, from 0 when all are positive;
/// never empty.
pub fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((0.0f64, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if hi.is_finite() && hi > lo {
        (lo, hi * 1.05)
    } else {
        (lo, lo + 1.0)
    }
}

/// Draws `chart` on `canvas` with plotters: axes with ticks, grid lines,
/// a legend, the curves, and the hover marker. The canvas is first sized
/// to its CSS box (times the device pixel ratio, for sharp text).
pub fn lines_chart(canvas: &HtmlCanvasElement, chart: &Lines) -> Result<Frame, JsValue> {
    let ratio = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .round()
        .clamp(1.0, 2.0);
    let (css_w, css_h) = (canvas.client_width(), canvas.client_height());
    if css_w > 0 && css_h > 0 {
        let (w, h) = (
            (f64::from(css_w) * ratio) as u32,
            (f64::from(css_h) * ratio) as u32,
        );
        if (canvas.width(), canvas.height()) != (w, h) {
            canvas.set_width(w);
            canvas.set_height(h);
        }
    }
    let px = |v: f64| (v * ratio).round() as i32;
    let fail = |e: String| JsValue::from_str(&format!("cannot draw the chart: {e}"));
    let backend = CanvasBackend::with_canvas_object(canvas.clone())
        .ok_or_else(|| JsValue::from_str("no 2-D canvas context for the chart"))?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(|e| fail(e.to_string()))?;
    let (x0, mut x1) = chart.x;
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    let (y0, mut y1) = chart.y;
    if y1 <= y0 || y1.is_nan() {
        y1 = y0 + 1.0;
    }
    let font = ("sans-serif", px(11.0))
        .into_font()
        .color(&RGBColor(85, 85, 85));
    let mut plot = ChartBuilder::on(&root)
        .margin_top(px(6.0))
        .margin_right(px(8.0))
        .x_label_area_size(px(30.0))
        .y_label_area_size(px(40.0))
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| fail(e.to_string()))?;
    plot.configure_mesh()
        .x_labels(5)
        .y_labels(4)
        .x_label_formatter(&|v| format!("{}", v.round()))
        .x_desc(chart.x_label)
        .y_label_formatter(&|v| (chart.y_format)(*v))
        .label_style(font.clone())
        .bold_line_style(RGBColor(230, 230, 230))
        .light_line_style(TRANSPARENT)
        .axis_style(RGBColor(170, 170, 170))
        .draw()
        .map_err(|e| fail(e.to_string()))?;
    for line in chart.lines {
        let colour = line.colour;
        let points = line.points.iter().copied().filter(|p| p.1.is_finite());
        plot.draw_series(LineSeries::new(points, colour.stroke_width(px(1.5) as u32)))
            .map_err(|e| fail(e.to_string()))?
            .label(line.name)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 14, y)], colour.stroke_width(2))
            });
    }
    if let Some(at) = chart.hover.filter(|h| h.is_finite()) {
        plot.draw_series(std::iter::once(PathElement::new(
            vec![(at, y0), (at, y1)],
            RGBColor(34, 34, 34).mix(0.5).stroke_width(1),
        )))
        .map_err(|e| fail(e.to_string()))?;
    }
    if !chart.lines.is_empty() {
        plot.configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font(font)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(220, 220, 220))
            .margin(px(3.0))
            .draw()
            .map_err(|e| fail(e.to_string()))?;
    }
    root.present().map_err(|e| fail(e.to_string()))?;
    let (xs, _) = plot.plotting_area().get_pixel_range();
    Ok(Frame {
        left: f64::from(xs.start) / ratio,
        right: f64::from(xs.end) / ratio,
        x: (x0, x1),
    })
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

    #[test]
    fn the_nearest_point_is_found_on_either_side() {
        let h = LossHistory::from_points(vec![(0, 1.0, 1.0), (10, 0.5, 0.6), (20, 0.2, 0.3)]);
        assert_eq!(h.nearest(-5.0).map(|p| p.0), Some(0));
        assert_eq!(h.nearest(4.0).map(|p| p.0), Some(0));
        assert_eq!(h.nearest(6.0).map(|p| p.0), Some(10));
        assert_eq!(h.nearest(99.0).map(|p| p.0), Some(20));
        assert_eq!(LossHistory::default().nearest(1.0), None);
    }

    #[test]
    fn a_frame_maps_pixels_to_the_x_range() {
        let f = Frame {
            left: 40.0,
            right: 140.0,
            x: (0.0, 200.0),
        };
        assert_eq!(f.x_at(40.0), 0.0);
        assert_eq!(f.x_at(90.0), 100.0);
        assert_eq!(f.x_at(500.0), 200.0);
        assert_eq!(f.x_at(0.0), 0.0);
    }

    #[test]
    fn ranges_start_at_zero_and_are_never_empty() {
        assert_eq!(range([0.5, 1.0, f64::NAN].into_iter()), (0.0, 1.05));
        assert_eq!(range(std::iter::empty()), (0.0, 1.0));
        assert_eq!(range([-1.0, 1.0].into_iter()), (-1.0, 1.05));
        assert_eq!(range([0.0].into_iter()), (0.0, 1.0));
    }
}
