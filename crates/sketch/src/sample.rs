//! Autocomplete: several continuations of a drawing ("candidates") drawn at
//! once, step by step, so that a page can animate them as they grow.
//!
//! [`Sampler::new`] conditions the decoder on the start token and the
//! user's strokes once, at batch 1, and copies that state to one row per
//! candidate. Each [`Sampler::advance`] step then runs the candidates
//! **together as one batch** through the LSTM (one `[N, 517] · [517, 2048]`
//! product instead of N), and for each one turns its raw outputs into the
//! mixture at the temperature (Magenta's JS rule, [`Mixture::from_raw`]),
//! draws the next stroke and feeds it back. A candidate stops at the end
//! pen state (p3) or after `max_seq_len` strokes; finished ones ride along
//! in the batch until all are done.
//!
//! **Determinism.** Candidate `i` draws from its own PCG stream, seeded from
//! `(seed, i)` alone, and the draws use `libm` (not the platform's `ln`,
//! `cos`), while the engine's kernels give bit-identical results natively
//! and in wasm32: the same strokes, seed and temperature give the same
//! candidates everywhere. As a row of a batched product is computed as it
//! would be alone, candidate `i` of a batch of 9 is candidate `i` of any
//! batch that has one (a test holds this for candidate 0 of 9 and 1).
//!
//! **Bad numbers never hang or poison.** A raw output that is NaN becomes
//! 0 and one beyond ±[`RAW_LIMIT`] is clamped, a drawn offset beyond
//! ±[`MAX_OFFSET`] model units (or not finite) is clamped, and every
//! candidate stops after `max_seq_len` strokes whatever it draws.
//! [`Sampler::repaired`] counts the steps that needed it.
//!
//! Units: the strokes given and the points returned are in the model's
//! pixels (Quick, Draw!'s units; a "pixel factor" of 1): scale canvas pixels
//! with [`crate::strokes::scale`] first. Points are absolute, with the
//! drawing's first offset taken from `(0, 0)`.

use std::sync::Arc;

use playnet_engine::lstm::LstmState;
use playnet_engine::mdn::{self, Mixture};
use playnet_engine::{Backend, Graph, ready};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;

use crate::strokes::{Stroke3, end_point, keep_recent};
use crate::{Decoder, START, STROKE5, SketchError};

/// The most candidates one sampler draws (the page offers 1, 4 and 9).
pub const MAX_CANDIDATES: usize = 9;

/// The temperature range of Magenta's demos.
pub const MIN_TEMPERATURE: f32 = 0.01;
/// See [`MIN_TEMPERATURE`].
pub const MAX_TEMPERATURE: f32 = 1.0;

/// Raw outputs are clamped to ±this: `exp(60)` is still a finite `f32`.
pub const RAW_LIMIT: f32 = 60.0;

/// Drawn offsets are clamped to ±this many model units (the training data's
/// offsets stay within about ±10).
pub const MAX_OFFSET: f32 = 50.0;

/// A pen state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pen {
    /// A line is drawn from this point to the next.
    Down,
    /// The pen lifts after this point: the next one is a move.
    Up,
    /// The drawing ends at this point.
    End,
}

/// One point of a candidate: where the pen is, and what it does next.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x: f32,
    pub y: f32,
    pub pen: Pen,
}

struct Candidate {
    rng: Pcg64Mcg,
    at: [f32; 2],
    points: Vec<Point>,
    strokes: Vec<Stroke3>,
    done: bool,
    repaired: usize,
}

/// Candidates being drawn; see the module doc.
pub struct Sampler<B: Backend> {
    decoder: Arc<Decoder<B>>,
    temperature: f32,
    /// Model units to pixels.
    scale: f32,
    /// `[1, hidden]` until the first step, `[candidates, hidden]` after.
    state: LstmState<B>,
    /// Outputs computed but not yet sampled.
    raw: Option<Vec<f32>>,
    candidates: Vec<Candidate>,
    start: [f32; 2],
    truncated: bool,
    max_steps: usize,
}

/// SplitMix64's finaliser: spreads a seed's bits before `(seed, i)` picks a stream.
fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Candidate `i`'s random stream for `seed`.
pub fn stream(seed: u64, i: usize) -> Pcg64Mcg {
    Pcg64Mcg::seed_from_u64(splitmix64(seed).wrapping_add(i as u64))
}

/// Draws `(dx, dy, pen)` from `m` in model units ([`Mixture::sample`], which
/// draws with `libm` and so gives the same numbers natively and in wasm32).
pub fn draw(m: &Mixture, rng: &mut impl Rng) -> (f32, f32, Pen) {
    let stroke = m.sample(rng);
    let pen = match stroke.pen {
        0 => Pen::Down,
        1 => Pen::Up,
        _ => Pen::End,
    };
    (stroke.dx, stroke.dy, pen)
}

/// Copies `raw` into `out` with NaN as 0 and everything within ±[`RAW_LIMIT`];
/// whether anything changed.
fn sanitize(raw: &[f32], out: &mut Vec<f32>) -> bool {
    out.clear();
    let mut changed = false;
    out.extend(raw.iter().map(|&v| {
        let fixed = if v.is_nan() {
            0.0
        } else {
            v.clamp(-RAW_LIMIT, RAW_LIMIT)
        };
        changed |= fixed != v;
        fixed
    }));
    changed
}

/// `v` within ±[`MAX_OFFSET`], 0 if it is NaN; whether it changed.
fn clamp_offset(v: f32) -> (f32, bool) {
    let fixed = if v.is_nan() {
        0.0
    } else {
        v.clamp(-MAX_OFFSET, MAX_OFFSET)
    };
    (fixed, fixed != v)
}

impl<B: Backend> Sampler<B> {
    /// Conditions `decoder` on the start token and `strokes` (stroke-3 in
    /// the model's pixels; only the last `max_seq_len` rows if there are
    /// more, see [`Sampler::truncated`]) and prepares `candidates`
    /// continuations drawn at `temperature` (0.01–1) from `seed`. An empty
    /// drawing samples from nothing.
    pub fn new(
        decoder: Arc<Decoder<B>>,
        strokes: &[Stroke3],
        seed: u64,
        temperature: f32,
        candidates: usize,
    ) -> Result<Self, SketchError> {
        if !(MIN_TEMPERATURE..=MAX_TEMPERATURE).contains(&temperature) {
            return Err(SketchError::Temperature(temperature));
        }
        if !(1..=MAX_CANDIDATES).contains(&candidates) {
            return Err(SketchError::Candidates {
                found: candidates,
                max: MAX_CANDIDATES,
            });
        }
        if let Some((index, s)) = strokes
            .iter()
            .enumerate()
            .find(|(_, s)| !(s.dx.is_finite() && s.dy.is_finite()))
        {
            return Err(SketchError::Stroke {
                index,
                dx: s.dx,
                dy: s.dy,
            });
        }
        let max_steps = decoder.info().max_seq_len;
        let (kept, truncated) = keep_recent(strokes, max_steps);
        let mut state = decoder.advance(&[START], &decoder.zero_state())?;
        for s in kept {
            state = decoder.advance(&[decoder.to_model(s.to_stroke5(), 1.0)], &state)?;
        }
        let start = end_point(strokes, [0.0, 0.0]);
        Ok(Sampler {
            scale: decoder.scale(1.0),
            candidates: (0..candidates)
                .map(|i| Candidate {
                    rng: stream(seed, i),
                    at: start,
                    points: Vec::new(),
                    strokes: Vec::new(),
                    done: false,
                    repaired: 0,
                })
                .collect(),
            decoder,
            temperature,
            state,
            raw: None,
            start,
            truncated,
            max_steps,
        })
    }

    /// Candidates drawn from nothing: the start token alone.
    pub fn from_nothing(
        decoder: Arc<Decoder<B>>,
        seed: u64,
        temperature: f32,
        candidates: usize,
    ) -> Result<Self, SketchError> {
        Self::new(decoder, &[], seed, temperature, candidates)
    }

    /// How many candidates there are.
    pub fn candidates(&self) -> usize {
        self.candidates.len()
    }

    /// Whether candidate `i` has ended (or does not exist).
    pub fn done(&self, i: usize) -> bool {
        self.candidates.get(i).is_none_or(|c| c.done)
    }

    /// Whether every candidate has ended.
    pub fn all_done(&self) -> bool {
        self.candidates.iter().all(|c| c.done)
    }

    /// Whether the drawing was longer than the model's `max_seq_len`, so that
    /// only its most recent rows were read.
    pub fn truncated(&self) -> bool {
        self.truncated
    }

    /// Where every candidate starts: the end of the user's strokes.
    pub fn start(&self) -> [f32; 2] {
        self.start
    }

    /// The points candidate `i` has drawn so far.
    pub fn points(&self, i: usize) -> &[Point] {
        self.candidates.get(i).map_or(&[], |c| &c.points)
    }

    /// Candidate `i` so far as stroke-3 offsets in pixels (the end row lifts).
    pub fn strokes(&self, i: usize) -> &[Stroke3] {
        self.candidates.get(i).map_or(&[], |c| &c.strokes)
    }

    /// How many of candidate `i`'s steps had a number to repair (a NaN or
    /// an out-of-range output or offset).
    pub fn repaired(&self, i: usize) -> usize {
        self.candidates.get(i).map_or(0, |c| c.repaired)
    }

    /// Copies the batch-1 conditioning state to one row per candidate.
    fn broadcast(&mut self) -> Result<(), SketchError> {
        let n = self.candidates.len();
        if n == 1 || self.state.h.shape().dims()[0] == n {
            return Ok(());
        }
        let mut g = Graph::new(self.decoder.backend().clone());
        let (h, c) = (g.input(&self.state.h), g.input(&self.state.c));
        let (mut hs, mut cs) = (h, c);
        for _ in 1..n {
            hs = g.concat(hs, h, 0)?;
            cs = g.concat(cs, c, 0)?;
        }
        self.state = LstmState {
            h: g.tensor(hs),
            c: g.tensor(cs),
        };
        Ok(())
    }

    /// Draws up to `steps` more strokes of every candidate still going and
    /// returns each candidate's new points (none for a finished one).
    pub async fn advance(&mut self, steps: usize) -> Result<Vec<Vec<Point>>, SketchError> {
        self.broadcast()?;
        let n = self.candidates.len();
        let width = mdn::raw_len(self.decoder.components());
        let mut new: Vec<Vec<Point>> = vec![Vec::new(); n];
        let mut clean = Vec::with_capacity(width);
        for _ in 0..steps {
            if self.all_done() {
                break;
            }
            let raw = match self.raw.take() {
                Some(raw) => raw,
                None => self.decoder.outputs(&self.state).await?,
            };
            // Finished candidates ride along on an end row.
            let mut rows: Vec<[f32; STROKE5]> = vec![[0.0, 0.0, 0.0, 0.0, 1.0]; n];
            for (i, c) in self.candidates.iter_mut().enumerate() {
                if c.done {
                    continue;
                }
                let mut repaired = sanitize(&raw[i * width..][..width], &mut clean);
                let m = Mixture::from_raw(&clean, self.decoder.components(), self.temperature)?;
                let (dx, dy, pen) = draw(&m, &mut c.rng);
                let (dx, fx) = clamp_offset(dx);
                let (dy, fy) = clamp_offset(dy);
                repaired |= fx || fy;
                c.repaired += usize::from(repaired);
                let (px, py) = (dx * self.scale, dy * self.scale);
                c.at = [c.at[0] + px, c.at[1] + py];
                let point = Point {
                    x: c.at[0],
                    y: c.at[1],
                    pen,
                };
                c.points.push(point);
                new[i].push(point);
                c.strokes.push(Stroke3::new(px, py, pen != Pen::Down));
                c.done = pen == Pen::End || c.points.len() >= self.max_steps;
                let onehot = match pen {
                    Pen::Down => [1.0, 0.0, 0.0],
                    Pen::Up => [0.0, 1.0, 0.0],
                    Pen::End => [0.0, 0.0, 1.0],
                };
                // Fed back in pixels divided by the scale, as the JS does.
                rows[i] = self
                    .decoder
                    .to_model([px, py, onehot[0], onehot[1], onehot[2]], 1.0);
            }
            if self.all_done() {
                break;
            }
            self.state = self.decoder.advance(&rows, &self.state)?;
        }
        Ok(new)
    }

    /// [`Sampler::advance`] on a backend whose reads complete at once (the CPU).
    pub fn advance_now(&mut self, steps: usize) -> Result<Vec<Vec<Point>>, SketchError> {
        ready(self.advance(steps))?
    }

    /// Runs every candidate to its end (at most `max_seq_len` steps).
    pub fn finish_now(&mut self) -> Result<(), SketchError> {
        self.advance_now(self.max_steps).map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use playnet_engine::Cpu;
    use playnet_engine::lstm::Lstm;
    use playnet_engine::{Tensor, lstm::FORGET_BIAS};

    use crate::format::convert_magenta;
    use crate::safetensors_tests::tiny_magenta;
    use crate::{ModelInfo, strokes::Stroke3};

    fn tiny() -> Arc<Decoder<Cpu>> {
        let c = convert_magenta(&tiny_magenta(8, 3), "").unwrap();
        Arc::new(Decoder::from_safetensors(Cpu, &c.config_json, &c.weights).unwrap())
    }

    fn circle() -> Vec<Stroke3> {
        (0..12)
            .map(|i| {
                let a = i as f32 * std::f32::consts::TAU / 12.0;
                Stroke3::new(20.0 * a.cos(), 20.0 * a.sin(), i == 11)
            })
            .collect()
    }

    fn run(d: &Arc<Decoder<Cpu>>, seed: u64, t: f32, n: usize) -> Sampler<Cpu> {
        let mut s = Sampler::new(d.clone(), &circle(), seed, t, n).unwrap();
        s.finish_now().unwrap();
        s
    }

    #[test]
    fn the_same_seed_gives_the_same_candidates_and_another_seed_others() {
        let d = tiny();
        let (a, b, c) = (run(&d, 7, 0.5, 4), run(&d, 7, 0.5, 4), run(&d, 8, 0.5, 4));
        for i in 0..4 {
            assert!(a.done(i));
            assert!(!a.points(i).is_empty());
            assert_eq!(a.points(i), b.points(i));
            assert_ne!(a.points(i), c.points(i), "candidate {i}");
        }
        // The candidates of one run differ from each other.
        assert_ne!(a.points(0), a.points(1));
    }

    #[test]
    fn candidate_zero_of_nine_is_candidate_zero_of_one() {
        let d = tiny();
        let mut longest = 0;
        for seed in 0..10 {
            let (nine, one, four) = (
                run(&d, seed, 0.7, 9),
                run(&d, seed, 0.7, 1),
                run(&d, seed, 0.7, 4),
            );
            assert_eq!(nine.points(0), one.points(0), "seed {seed}");
            assert_eq!(nine.strokes(0), one.strokes(0), "seed {seed}");
            for i in 0..4 {
                assert_eq!(nine.points(i), four.points(i), "seed {seed}, candidate {i}");
            }
            longest = longest.max(one.points(0).len());
        }
        assert!(
            longest > 5,
            "the candidates compared are too short to tell: {longest}"
        );
    }

    #[test]
    fn candidates_start_where_the_strokes_end_and_advance_step_by_step() {
        let d = tiny();
        let mut s = Sampler::new(d.clone(), &circle(), 1, 0.5, 4).unwrap();
        let end = end_point(&circle(), [0.0, 0.0]);
        assert_eq!(s.start(), end);
        let first = s.advance_now(1).unwrap();
        assert_eq!(first.len(), 4);
        for (i, points) in first.iter().enumerate() {
            assert_eq!(points.len(), 1);
            let st = s.strokes(i)[0];
            assert_eq!([points[0].x, points[0].y], [end[0] + st.dx, end[1] + st.dy]);
        }
        // Two steps then the rest is the same as all at once.
        s.advance_now(2).unwrap();
        s.finish_now().unwrap();
        let whole = run(&d, 1, 0.5, 4);
        for i in 0..4 {
            assert_eq!(s.points(i), whole.points(i));
            let last = s.points(i).last().unwrap();
            assert!(last.pen == Pen::End || s.points(i).len() == d.info().max_seq_len);
        }
        // Nothing more comes once all are done.
        assert!(s.all_done());
        assert!(s.advance_now(5).unwrap().iter().all(Vec::is_empty));
    }

    #[test]
    fn a_low_temperature_collapses_the_candidates_towards_the_mode() {
        let d = tiny();
        // The spread of the first drawn point across 9 candidates.
        let spread = |t: f32| {
            let mut s = Sampler::new(d.clone(), &circle(), 11, t, 9).unwrap();
            let first: Vec<Point> = s.advance_now(1).unwrap().into_iter().flatten().collect();
            let mean_x = first.iter().map(|p| p.x).sum::<f32>() / 9.0;
            let mean_y = first.iter().map(|p| p.y).sum::<f32>() / 9.0;
            first
                .iter()
                .map(|p| (p.x - mean_x).powi(2) + (p.y - mean_y).powi(2))
                .sum::<f32>()
        };
        let (hot, cold) = (spread(1.0), spread(0.01));
        assert!(cold < hot / 10.0, "spread {cold} at 0.01, {hot} at 1");
    }

    #[test]
    fn sampling_from_nothing_works_and_bad_requests_are_refused() {
        let d = tiny();
        let mut s = Sampler::from_nothing(d.clone(), 5, 0.25, 1).unwrap();
        assert_eq!(s.start(), [0.0, 0.0]);
        s.finish_now().unwrap();
        assert!(s.done(0) && !s.points(0).is_empty());
        assert!(s.done(1), "a candidate that does not exist is done");
        for (t, n) in [(0.0, 1), (1.5, 1), (f32::NAN, 1), (0.5, 0), (0.5, 10)] {
            assert!(Sampler::new(d.clone(), &[], 1, t, n).is_err(), "{t} {n}");
        }
        let bad = [Stroke3::new(1.0, f32::INFINITY, false)];
        let err = Sampler::new(d.clone(), &bad, 1, 0.5, 1).err().unwrap();
        assert_eq!(
            err.to_string(),
            "stroke 0 has the offset (1, inf); offsets must be finite"
        );
    }

    #[test]
    fn a_long_drawing_is_cut_to_its_most_recent_rows() {
        let d = tiny();
        let long: Vec<Stroke3> = (0..45).map(|i| Stroke3::new(1.0, 0.0, i == 44)).collect();
        let s = Sampler::new(d.clone(), &long, 1, 0.5, 1).unwrap();
        assert!(s.truncated());
        assert_eq!(s.start(), [45.0, 0.0], "candidates start at the real end");
        assert!(!Sampler::new(d, &long[..30], 1, 0.5, 1).unwrap().truncated());
    }

    #[test]
    fn a_poisoned_model_is_clamped_and_stops() {
        let d = tiny();
        let lstm = d.lstm();
        let hidden = d.hidden();
        let raw = mdn::raw_len(d.components());
        let poisoned = |bias: f32| {
            let lstm = Lstm {
                kernel: lstm.kernel.clone(),
                bias: lstm.bias.clone(),
                forget_bias: FORGET_BIAS,
            };
            let w = Tensor::from_slice(&Cpu, &vec![0.0; hidden * raw], [hidden, raw]).unwrap();
            let b = Tensor::from_slice(&Cpu, &vec![bias; raw], [raw]).unwrap();
            let info = ModelInfo {
                name: "poison".into(),
                scale_factor: 10.0,
                max_seq_len: 25,
                mode: 2,
            };
            Arc::new(Decoder::from_parts(Cpu, info, lstm, w, b).unwrap())
        };
        for bias in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 1e30] {
            let mut s = Sampler::new(poisoned(bias), &circle(), 2, 1.0, 4).unwrap();
            s.finish_now().unwrap();
            for i in 0..4 {
                assert!(s.done(i), "{bias}");
                assert!(s.points(i).len() <= 25);
                assert!(s.repaired(i) > 0, "{bias}: nothing was repaired");
                for p in s.points(i) {
                    assert!(p.x.is_finite() && p.y.is_finite(), "{bias}: {p:?}");
                }
            }
        }
        // A healthy model repairs nothing.
        let s = run(&d, 1, 0.5, 4);
        assert!((0..4).all(|i| s.repaired(i) == 0));
    }

    #[test]
    fn streams_differ_by_candidate_and_by_seed() {
        let first = |seed, i| stream(seed, i).random::<u64>();
        assert_ne!(first(1, 0), first(1, 1));
        assert_ne!(first(1, 0), first(2, 0));
        assert_eq!(first(9, 3), first(9, 3));
    }
}
