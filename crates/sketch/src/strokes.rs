//! Drawings as the model reads them, and as the canvas records them.
//!
//! - **stroke-3** ([`Stroke3`]): `[dx, dy, lift]`, the offset from the
//!   previous point and whether the pen is lifted *after* this point: the
//!   datasets' format.
//! - **stroke-5**: `[dx, dy, p1, p2, p3]`, exactly one pen state set: p1 the
//!   pen stays down, p2 it is lifted after this point, p3 the drawing ends.
//!   What the decoder is fed.
//! - **polylines**: what a canvas records, one list of absolute points per
//!   pen-down line.
//!
//! Magenta's demos turn a drawn line into strokes in three steps, followed
//! here so that the model sees what it was trained on (Quick, Draw!'s
//! drawings were simplified the same way): a mouse sample is recorded only
//! if the pen moved at least [`MIN_MOVE`] px ([`drop_small_moves`]), the
//! finished line is simplified ([`simplify`]: simplify-js's radial-distance
//! pre-pass, then Ramer–Douglas–Peucker, both with ε = [`EPSILON`] px), and
//! `lineToStroke` makes offsets from the end of the previous line
//! ([`lines_to_stroke3`]). Raw mouse samples would give strokes far shorter
//! than any the model has seen.

use serde::{Deserialize, Serialize};

/// The simplification tolerance of Magenta's demos and Quick, Draw!, in px.
pub const EPSILON: f32 = 2.0;

/// Moves shorter than this (px) are not recorded while drawing.
pub const MIN_MOVE: f32 = 2.0;

/// One stroke-3 row: an offset and whether the pen lifts after it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "(f32, f32, u8)", into = "(f32, f32, u8)")]
pub struct Stroke3 {
    pub dx: f32,
    pub dy: f32,
    pub lift: bool,
}

impl From<(f32, f32, u8)> for Stroke3 {
    fn from((dx, dy, lift): (f32, f32, u8)) -> Self {
        Stroke3 {
            dx,
            dy,
            lift: lift != 0,
        }
    }
}

impl From<Stroke3> for (f32, f32, u8) {
    fn from(s: Stroke3) -> Self {
        (s.dx, s.dy, u8::from(s.lift))
    }
}

impl Stroke3 {
    pub fn new(dx: f32, dy: f32, lift: bool) -> Self {
        Stroke3 { dx, dy, lift }
    }

    /// `[dx, dy, 1 − lift, lift, 0]`.
    pub fn to_stroke5(self) -> [f32; 5] {
        let lift = f32::from(u8::from(self.lift));
        [self.dx, self.dy, 1.0 - lift, lift, 0.0]
    }
}

/// Stroke-3 rows as stroke-5, row by row (no end row is added).
pub fn to_stroke5(strokes: &[Stroke3]) -> Vec<[f32; 5]> {
    strokes.iter().map(|s| s.to_stroke5()).collect()
}

/// Stroke-5 rows as stroke-3, up to (not including) the first end row, as
/// Magenta's `to_normal_strokes`: `lift` is p2. A row with no pen state set
/// counts as pen down, one with p1 and p2 both set as lifted.
pub fn to_stroke3(rows: &[[f32; 5]]) -> Vec<Stroke3> {
    rows.iter()
        .take_while(|r| r[4] <= 0.0)
        .map(|r| Stroke3::new(r[0], r[1], r[3] > 0.0))
        .collect()
}

/// Absolute pen-down lines as stroke-3 offsets, as Magenta's `lineToStroke`:
/// each offset from the previous point (the first from `start`), every row
/// pen down except each line's last, which lifts the pen. Empty lines are
/// skipped. Pass the first line's first point as `start` for a drawing that
/// begins with `[0, 0, 0]`, as the datasets' do.
pub fn lines_to_stroke3(lines: &[Vec<[f32; 2]>], start: [f32; 2]) -> Vec<Stroke3> {
    let mut last = start;
    let mut out = Vec::new();
    for line in lines {
        for (i, p) in line.iter().enumerate() {
            out.push(Stroke3::new(
                p[0] - last[0],
                p[1] - last[1],
                i + 1 == line.len(),
            ));
            last = *p;
        }
    }
    out
}

/// The absolute points of stroke-3 rows from `start`, each with the row's
/// lift.
pub fn to_points(strokes: &[Stroke3], start: [f32; 2]) -> Vec<([f32; 2], bool)> {
    let mut at = start;
    strokes
        .iter()
        .map(|s| {
            at = [at[0] + s.dx, at[1] + s.dy];
            (at, s.lift)
        })
        .collect()
}

/// Where stroke-3 rows end, from `start`.
pub fn end_point(strokes: &[Stroke3], start: [f32; 2]) -> [f32; 2] {
    strokes
        .iter()
        .fold(start, |at, s| [at[0] + s.dx, at[1] + s.dy])
}

/// Stroke-3 rows back as absolute pen-down lines from `start`: a new line
/// begins after every lift.
pub fn to_lines(strokes: &[Stroke3], start: [f32; 2]) -> Vec<Vec<[f32; 2]>> {
    let mut lines = vec![Vec::new()];
    for (p, lift) in to_points(strokes, start) {
        if let Some(line) = lines.last_mut() {
            line.push(p);
        }
        if lift {
            lines.push(Vec::new());
        }
    }
    lines.retain(|l| !l.is_empty());
    lines
}

/// Offsets scaled by `factor` (canvas pixels to the model's pixels and back).
pub fn scale(strokes: &[Stroke3], factor: f32) -> Vec<Stroke3> {
    strokes
        .iter()
        .map(|s| Stroke3::new(s.dx * factor, s.dy * factor, s.lift))
        .collect()
}

fn square_distance(a: [f32; 2], b: [f32; 2]) -> f32 {
    let (dx, dy) = (a[0] - b[0], a[1] - b[1]);
    dx * dx + dy * dy
}

/// Whether `p` is far enough from the last recorded point to be recorded
/// (at least `min` away), the demos' rule while the pen moves.
pub fn is_move(last: [f32; 2], p: [f32; 2], min: f32) -> bool {
    square_distance(last, p) >= min * min
}

/// A recorded line with the samples closer than `min` to the previous kept
/// one dropped (the first point is always kept).
pub fn drop_small_moves(points: &[[f32; 2]], min: f32) -> Vec<[f32; 2]> {
    let mut out: Vec<[f32; 2]> = Vec::with_capacity(points.len());
    for &p in points {
        match out.last() {
            Some(&last) if !is_move(last, p, min) => {}
            _ => out.push(p),
        }
    }
    out
}

/// The square distance from `p` to the segment `a`–`b` (simplify-js's
/// `getSqSegDist`).
fn square_segment_distance(p: [f32; 2], a: [f32; 2], b: [f32; 2]) -> f32 {
    let (mut x, mut y) = (a[0], a[1]);
    let (dx, dy) = (b[0] - x, b[1] - y);
    if dx != 0.0 || dy != 0.0 {
        let t = ((p[0] - x) * dx + (p[1] - y) * dy) / (dx * dx + dy * dy);
        if t > 1.0 {
            (x, y) = (b[0], b[1]);
        } else if t > 0.0 {
            (x, y) = (x + dx * t, y + dy * t);
        }
    }
    square_distance(p, [x, y])
}

/// simplify-js's radial-distance pass: drops each point within `epsilon` of
/// the last kept one, always keeping the last point.
pub fn simplify_radial(points: &[[f32; 2]], epsilon: f32) -> Vec<[f32; 2]> {
    let Some((&first, rest)) = points.split_first() else {
        return Vec::new();
    };
    let tolerance = epsilon * epsilon;
    let mut out = vec![first];
    let mut kept_last = true;
    for &p in rest {
        kept_last = square_distance(p, out[out.len() - 1]) > tolerance;
        if kept_last {
            out.push(p);
        }
    }
    if !kept_last && let Some(&last) = points.last() {
        out.push(last);
    }
    out
}

/// Ramer–Douglas–Peucker with tolerance `epsilon`, as simplify-js: the ends
/// are kept, and between two kept points the farthest one is kept if it is
/// more than `epsilon` from their segment. Iterative, so a long line cannot
/// overflow the (small, in wasm) stack.
pub fn simplify_rdp(points: &[[f32; 2]], epsilon: f32) -> Vec<[f32; 2]> {
    if points.len() <= 2 {
        return points.to_vec();
    }
    let tolerance = epsilon * epsilon;
    let mut keep = vec![false; points.len()];
    keep[0] = true;
    keep[points.len() - 1] = true;
    let mut spans = vec![(0, points.len() - 1)];
    while let Some((first, last)) = spans.pop() {
        let mut farthest = (tolerance, None);
        for (i, &p) in points.iter().enumerate().take(last).skip(first + 1) {
            let d = square_segment_distance(p, points[first], points[last]);
            if d > farthest.0 {
                farthest = (d, Some(i));
            }
        }
        if let (_, Some(i)) = farthest {
            keep[i] = true;
            spans.push((first, i));
            spans.push((i, last));
        }
    }
    points
        .iter()
        .zip(keep)
        .filter_map(|(p, k)| k.then_some(*p))
        .collect()
}

/// Magenta's `simplifyLine`: simplify-js with tolerance `epsilon` (the
/// radial pre-pass, then RDP); lines of two points or fewer are unchanged.
pub fn simplify(points: &[[f32; 2]], epsilon: f32) -> Vec<[f32; 2]> {
    if points.len() <= 2 {
        return points.to_vec();
    }
    simplify_rdp(&simplify_radial(points, epsilon), epsilon)
}

/// The most recent `max_len` rows of a drawing, and whether any were cut:
/// the model was trained on sequences no longer than its `max_seq_len`.
pub fn keep_recent(strokes: &[Stroke3], max_len: usize) -> (&[Stroke3], bool) {
    match strokes.len().checked_sub(max_len) {
        Some(cut) if cut > 0 => (&strokes[cut..], true),
        _ => (strokes, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stroke3_and_stroke5_convert_both_ways() {
        let s = [Stroke3::new(3.0, -1.0, false), Stroke3::new(0.5, 2.0, true)];
        let five = to_stroke5(&s);
        assert_eq!(
            five,
            [[3.0, -1.0, 1.0, 0.0, 0.0], [0.5, 2.0, 0.0, 1.0, 0.0]]
        );
        assert_eq!(to_stroke3(&five), s);
        // The end row and what follows it are dropped.
        let mut ended = five.clone();
        ended.push([1.0, 1.0, 0.0, 0.0, 1.0]);
        ended.push([9.0, 9.0, 1.0, 0.0, 0.0]);
        assert_eq!(to_stroke3(&ended), s);
        // stroke-3 reads and writes as [dx, dy, lift] in JSON.
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, "[[3.0,-1.0,0],[0.5,2.0,1]]");
        assert_eq!(serde_json::from_str::<Vec<Stroke3>>(&json).unwrap(), s);
    }

    #[test]
    fn lines_become_offsets_from_the_end_of_the_previous_line() {
        let lines = vec![
            vec![[10.0, 10.0], [20.0, 10.0], [20.0, 30.0]],
            vec![],
            vec![[50.0, 50.0], [55.0, 45.0]],
            vec![[0.0, 0.0]],
        ];
        let s = lines_to_stroke3(&lines, [10.0, 10.0]);
        assert_eq!(
            s,
            [
                Stroke3::new(0.0, 0.0, false),
                Stroke3::new(10.0, 0.0, false),
                Stroke3::new(0.0, 20.0, true),
                Stroke3::new(30.0, 20.0, false),
                Stroke3::new(5.0, -5.0, true),
                Stroke3::new(-55.0, -45.0, true),
            ]
        );
        let non_empty: Vec<_> = lines.into_iter().filter(|l| !l.is_empty()).collect();
        assert_eq!(to_lines(&s, [10.0, 10.0]), non_empty);
        assert_eq!(end_point(&s, [10.0, 10.0]), [0.0, 0.0]);
    }

    #[test]
    fn small_moves_are_not_recorded() {
        let line = [[0.0, 0.0], [1.0, 1.0], [2.5, 0.0], [3.0, 0.5], [3.0, 3.0]];
        assert_eq!(
            drop_small_moves(&line, MIN_MOVE),
            [[0.0, 0.0], [2.5, 0.0], [3.0, 3.0]]
        );
        assert!(drop_small_moves(&[], MIN_MOVE).is_empty());
    }

    #[test]
    fn simplify_keeps_corners_and_drops_what_lies_on_a_line() {
        // A right angle sampled every 3 px: the corner and the ends remain.
        let mut line: Vec<[f32; 2]> = (0..=7).map(|x| [3.0 * x as f32, 0.0]).collect();
        line.extend((1..=7).map(|y| [21.0, 3.0 * y as f32]));
        assert_eq!(
            simplify(&line, EPSILON),
            [[0.0, 0.0], [21.0, 0.0], [21.0, 21.0]]
        );
        // Sampled every px, the radial pass (points within ε of the last kept
        // one go) cuts the corner, as simplify-js does.
        let mut dense: Vec<[f32; 2]> = (0..=20).map(|x| [x as f32, 0.0]).collect();
        dense.extend((1..=20).map(|y| [20.0, y as f32]));
        assert_eq!(
            simplify(&dense, EPSILON),
            [[0.0, 0.0], [20.0, 1.0], [20.0, 20.0]]
        );
        // A bump of 1.5 px is within ε = 2; one of 3 px is not.
        let low = [[0.0, 0.0], [5.0, 1.5], [10.0, 0.0]];
        assert_eq!(simplify_rdp(&low, EPSILON), [[0.0, 0.0], [10.0, 0.0]]);
        let high = [[0.0, 0.0], [5.0, 3.0], [10.0, 0.0]];
        assert_eq!(simplify_rdp(&high, EPSILON), high);
        // The radial pass keeps the last point even when it is close.
        assert_eq!(
            simplify_radial(&[[0.0, 0.0], [5.0, 0.0], [6.0, 0.0]], EPSILON),
            [[0.0, 0.0], [5.0, 0.0], [6.0, 0.0]]
        );
        assert_eq!(
            simplify_radial(&[[0.0, 0.0], [1.0, 0.0], [5.0, 0.0]], EPSILON),
            [[0.0, 0.0], [5.0, 0.0]]
        );
        // A dense 100 000-point line does not overflow the stack.
        let long: Vec<[f32; 2]> = (0..100_000)
            .map(|i| [i as f32 * 0.1, (i as f32 * 0.01).sin() * 50.0])
            .collect();
        assert!(simplify(&long, EPSILON).len() < 1000);
    }

    #[test]
    fn long_drawings_keep_their_most_recent_rows() {
        let s: Vec<Stroke3> = (0..10)
            .map(|i| Stroke3::new(i as f32, 0.0, false))
            .collect();
        let (kept, cut) = keep_recent(&s, 4);
        assert!(cut);
        assert_eq!(kept, &s[6..]);
        assert_eq!(keep_recent(&s, 10), (&s[..], false));
        assert_eq!(keep_recent(&s, 11), (&s[..], false));
    }

    /// Property tests (native only: proptest wants OS entropy in wasm32).
    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn line() -> impl Strategy<Value = Vec<[f32; 2]>> {
            prop::collection::vec((-500.0f32..500.0, -500.0f32..500.0), 0..60)
                .prop_map(|v| v.into_iter().map(|(x, y)| [x, y]).collect())
        }

        proptest! {
            /// Simplifying keeps the ends, keeps points in order, and leaves
            /// every dropped point within ε of the simplified line.
            #[test]
            fn simplified_lines_stay_within_epsilon(points in line()) {
                let simple = simplify(&points, EPSILON);
                prop_assert!(simple.len() <= points.len());
                if let (Some(a), Some(b)) = (points.first(), points.last()) {
                    prop_assert_eq!(simple.first(), Some(a));
                    prop_assert_eq!(simple.last(), Some(b));
                }
                // Each kept point is one of the originals, in order.
                let mut at = 0;
                for p in &simple {
                    let found = points[at..].iter().position(|q| q == p);
                    prop_assert!(found.is_some(), "{:?} is not an original point", p);
                    at += found.unwrap_or(0) + 1;
                }
                if simple.len() >= 2 {
                    // RDP alone bounds the distance by ε; the radial pre-pass adds ε.
                    for p in &points {
                        let d = simple
                            .windows(2)
                            .map(|w| square_segment_distance(*p, w[0], w[1]))
                            .fold(f32::INFINITY, f32::min)
                            .sqrt();
                        prop_assert!(d <= 2.0 * EPSILON + 1e-3, "{:?} is {} away", p, d);
                    }
                }
            }

            /// Lines to stroke-3 and back give the same lines.
            #[test]
            fn lines_round_trip_through_stroke3(
                lines in prop::collection::vec(line(), 0..5),
                start in (-100.0f32..100.0, -100.0f32..100.0),
            ) {
                let start = [start.0, start.1];
                let strokes = lines_to_stroke3(&lines, start);
                let back = to_lines(&strokes, start);
                let want: Vec<_> = lines.iter().filter(|l| !l.is_empty()).cloned().collect();
                prop_assert_eq!(back.len(), want.len());
                for (b, w) in back.iter().zip(&want) {
                    prop_assert_eq!(b.len(), w.len());
                    for (p, q) in b.iter().zip(w) {
                        prop_assert!((p[0] - q[0]).abs() < 1e-2 && (p[1] - q[1]).abs() < 1e-2);
                    }
                }
                prop_assert_eq!(strokes.iter().filter(|s| s.lift).count(), want.len());
            }

            /// Cutting keeps at most `max` rows, the last ones.
            #[test]
            fn keep_recent_keeps_the_tail(len in 0usize..50, max in 1usize..60) {
                let s: Vec<Stroke3> = (0..len).map(|i| Stroke3::new(i as f32, 0.0, false)).collect();
                let (kept, cut) = keep_recent(&s, max);
                prop_assert_eq!(kept.len(), len.min(max));
                prop_assert_eq!(cut, len > max);
                prop_assert_eq!(kept, &s[len - kept.len()..]);
            }
        }
    }
}
