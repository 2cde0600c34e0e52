//! A drawing and its continuation as one SVG file: the user's strokes in one
//! colour, the model's in another, the view box fitted to both with a
//! margin. The page's "export" and `cargo xtask sketch --svg` both write it.
//!
//! Rows are stroke-3 offsets; a segment joins a point to the next one when
//! the pen is down after the first (its row does not lift). The pen starts
//! lifted at `(0, 0)`, and the continuation starts where the drawing ends,
//! with the pen as the drawing's last row left it.

use std::fmt::Write as _;

use crate::strokes::Stroke3;

/// The colour of the user's strokes.
pub const USER_COLOUR: &str = "#1f2937";
/// The colour of the model's continuation.
pub const MODEL_COLOUR: &str = "#e4572e";

/// The larger side of the picture as shown, in px (the view box keeps the
/// drawing's own units).
pub const DISPLAY: f32 = 512.0;

/// Pen-down polylines of `strokes` from `start`, the pen lifted (`true`)
/// or down before the first row; and where they end, and the pen then.
fn polylines(
    strokes: &[Stroke3],
    start: [f32; 2],
    lifted: bool,
) -> (Vec<Vec<[f32; 2]>>, [f32; 2], bool) {
    let mut lines: Vec<Vec<[f32; 2]>> = Vec::new();
    let (mut at, mut up) = (start, lifted);
    for s in strokes {
        let next = [at[0] + s.dx, at[1] + s.dy];
        if !up {
            match lines.last_mut() {
                Some(line) if line.last() == Some(&at) => line.push(next),
                _ => lines.push(vec![at, next]),
            }
        }
        (at, up) = (next, s.lift);
    }
    (lines, at, up)
}

/// One SVG document: `user` then `continuation`, with `stroke_width` in the
/// drawing's units.
pub fn write(user: &[Stroke3], continuation: &[Stroke3], stroke_width: f32) -> String {
    let (mine, end, lifted) = polylines(user, [0.0, 0.0], true);
    let (theirs, _, _) = polylines(continuation, end, lifted);
    let every = mine.iter().chain(&theirs).flatten();
    let (mut lo, mut hi) = ([f32::INFINITY; 2], [f32::NEG_INFINITY; 2]);
    for p in every.clone() {
        for k in 0..2 {
            lo[k] = lo[k].min(p[k]);
            hi[k] = hi[k].max(p[k]);
        }
    }
    if every.count() == 0 {
        (lo, hi) = ([0.0; 2], [0.0; 2]);
    }
    let margin = 2.0 * stroke_width + 0.05 * (hi[0] - lo[0]).max(hi[1] - lo[1]);
    let (x, y) = (lo[0] - margin, lo[1] - margin);
    let (w, h) = (
        (hi[0] - lo[0] + 2.0 * margin).max(1.0),
        (hi[1] - lo[1] + 2.0 * margin).max(1.0),
    );
    // Shown at most DISPLAY px across, whatever the drawing's units.
    let shown = DISPLAY / w.max(h);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"{x:.1} {y:.1} {w:.1} {h:.1}\" \
         width=\"{:.0}\" height=\"{:.0}\">\n",
        (w * shown).round().max(1.0),
        (h * shown).round().max(1.0)
    );
    for (lines, colour, class) in [
        (&mine, USER_COLOUR, "user"),
        (&theirs, MODEL_COLOUR, "model"),
    ] {
        let _ = writeln!(
            svg,
            "  <g class=\"{class}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{stroke_width}\" \
             stroke-linecap=\"round\" stroke-linejoin=\"round\">"
        );
        for line in lines {
            let points: Vec<String> = line
                .iter()
                .map(|p| format!("{:.1},{:.1}", p[0], p[1]))
                .collect();
            let _ = writeln!(svg, "    <polyline points=\"{}\"/>", points.join(" "));
        }
        svg.push_str("  </g>\n");
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strokes_become_polylines_in_two_colours_in_a_fitted_box() {
        // An L drawn by the user, the pen lifted, then the model moves and
        // draws one segment.
        let user = [
            Stroke3::new(0.0, 0.0, false),
            Stroke3::new(10.0, 0.0, false),
            Stroke3::new(0.0, 10.0, true),
        ];
        let model = [
            Stroke3::new(10.0, 0.0, false),
            Stroke3::new(0.0, 10.0, true),
        ];
        let svg = write(&user, &model, 2.0);
        assert!(
            svg.contains("<polyline points=\"0.0,0.0 10.0,0.0 10.0,10.0\"/>"),
            "{svg}"
        );
        assert!(
            svg.contains("<polyline points=\"20.0,10.0 20.0,20.0\"/>"),
            "{svg}"
        );
        assert_eq!(svg.matches("<polyline").count(), 2);
        let user_at = svg.find(USER_COLOUR).unwrap();
        let model_at = svg.find(MODEL_COLOUR).unwrap();
        assert!(user_at < svg.find("0.0,0.0 10.0").unwrap());
        assert!(model_at < svg.find("20.0,10.0").unwrap());
        // Box 0..20 both ways, margin 2·2 + 5% of 20 = 5.
        assert!(svg.contains("viewBox=\"-5.0 -5.0 30.0 30.0\""), "{svg}");
        assert!(svg.contains("width=\"512\" height=\"512\""), "{svg}");
    }

    #[test]
    fn a_continuation_goes_on_with_the_pen_down_and_an_empty_drawing_is_valid() {
        // The user's line does not lift: the model's first segment joins it.
        let user = [Stroke3::new(0.0, 0.0, false), Stroke3::new(5.0, 0.0, false)];
        let model = [Stroke3::new(5.0, 0.0, true)];
        let svg = write(&user, &model, 1.0);
        assert!(svg.contains("points=\"5.0,0.0 10.0,0.0\""), "{svg}");
        let empty = write(&[], &[], 1.0);
        assert!(empty.starts_with("<svg") && empty.ends_with("</svg>\n"));
        assert_eq!(empty.matches("<polyline").count(), 0);
    }
}
