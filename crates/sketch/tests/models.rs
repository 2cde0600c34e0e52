//! The shipped models (`assets/sketch-rnn/`): the index lists the twelve
//! classes of the data's README, each loads with that README's scale factor
//! and maximum length, and the sampler draws from a real one as it should.

use std::path::PathBuf;
use std::sync::Arc;

use playnet_engine::Cpu;
use playnet_sketch::sample::{Pen, Point};
use playnet_sketch::strokes::{self, Stroke3};
use playnet_sketch::{Decoder, ModelIndex, Sampler};

fn assets() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/sketch-rnn")
}

fn read(name: &str) -> Vec<u8> {
    let path = assets().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn load(name: &str) -> Decoder<Cpu> {
    let config = String::from_utf8(read(&format!("{name}.json"))).unwrap();
    Decoder::from_safetensors(Cpu, &config, &read(&format!("{name}.safetensors"))).unwrap()
}

/// The README's table: class, scale_factor, max_seq_len.
const CLASSES: [(&str, f32, usize); 12] = [
    ("bicycle", 86.8476, 139),
    ("bird", 71.3754, 129),
    ("dog", 60.1839, 164),
    ("hedgehog", 86.9908, 204),
    ("key", 60.9027, 110),
    ("lobster", 60.2459, 180),
    ("monkey", 66.1884, 182),
    ("palm_tree", 75.4614, 151),
    ("parrot", 74.2346, 133),
    ("rabbit", 61.0124, 155),
    ("sheep", 63.0983, 156),
    ("tiger", 72.6691, 207),
];

#[test]
fn the_index_lists_the_twelve_classes_and_each_loads() {
    let index: ModelIndex = serde_json::from_slice(&read("index.json")).unwrap();
    let names: Vec<&str> = index.models.iter().map(|m| m.name.as_str()).collect();
    let want: Vec<&str> = CLASSES.iter().map(|c| c.0).collect();
    assert_eq!(names, want);
    let mut total = 0;
    for (entry, (name, scale, max_len)) in index.models.iter().zip(CLASSES) {
        let bytes = read(&entry.weights);
        assert_eq!(bytes.len(), entry.bytes, "{name}");
        total += bytes.len();
        let config = String::from_utf8(read(&entry.config)).unwrap();
        let d = Decoder::from_safetensors(Cpu, &config, &bytes).unwrap();
        assert_eq!(d.info().name, name);
        assert_eq!(
            (d.info().scale_factor, d.info().max_seq_len),
            (scale, max_len)
        );
        assert_eq!((d.hidden(), d.components()), (512, 20));
    }
    // int16: two bytes a parameter and a small header.
    assert!(total < 12 * (2 * 1_123_963 + 1000), "{total} bytes");
}

/// The reference's circle, stroke-3 in pixels: it ends with the pen lifted.
fn circle() -> Vec<Stroke3> {
    let rows = [
        [-26, 2],
        [-24, 11],
        [-16, 21],
        [-9, 24],
        [-2, 24],
        [3, 25],
        [10, 24],
        [18, 19],
        [25, 10],
        [26, 0],
        [24, -8],
        [20, -14],
        [17, -18],
        [11, -22],
        [4, -26],
        [-5, -25],
        [-15, -22],
        [-22, -15],
        [-24, -8],
        [-25, -2],
    ];
    rows.iter()
        .enumerate()
        .map(|(i, r)| Stroke3::new(r[0] as f32, r[1] as f32, i == rows.len() - 1))
        .collect()
}

#[test]
fn bird_candidates_are_seeded_batched_and_start_at_the_drawing() {
    let bird = Arc::new(load("bird"));
    let run = |seed, t, n| {
        let mut s = Sampler::new(bird.clone(), &circle(), seed, t, n).unwrap();
        s.finish_now().unwrap();
        s
    };
    let (a, b, other) = (run(1, 0.25, 9), run(1, 0.25, 9), run(2, 0.25, 9));
    let one = run(1, 0.25, 1);
    let end = strokes::end_point(&circle(), [0.0, 0.0]);
    for i in 0..9 {
        assert_eq!(a.points(i), b.points(i), "the same seed, candidate {i}");
        assert_ne!(a.points(i), other.points(i), "another seed, candidate {i}");
        // The first point is one offset from the end of the circle.
        let (p, s) = (a.points(i)[0], a.strokes(i)[0]);
        assert_eq!([p.x, p.y], [end[0] + s.dx, end[1] + s.dy]);
        let last = a.points(i).last().unwrap();
        assert!(last.pen == Pen::End || a.points(i).len() == 129);
        assert_eq!(a.repaired(i), 0);
    }
    assert_eq!(
        a.points(0),
        one.points(0),
        "candidate 0 of 9 is candidate 0 of 1"
    );
    assert!(
        a.points(0).len() > 20,
        "a bird has more than {} points",
        a.points(0).len()
    );
}

/// The mixture's component means for the stroke after `drawing`, in
/// absolute pixels.
fn means(bird: &Decoder<Cpu>, drawing: &[Stroke3]) -> Vec<[f32; 2]> {
    let mut state = bird.zero_state();
    let mut raw = Vec::new();
    let rows = std::iter::once(playnet_sketch::START)
        .chain(drawing.iter().map(|s| bird.to_model(s.to_stroke5(), 1.0)));
    for row in rows {
        (state, raw) = bird.step_now(row, &state).unwrap();
    }
    let m = bird.mixture(&raw, 1.0).unwrap();
    let (end, scale) = (strokes::end_point(drawing, [0.0, 0.0]), bird.scale(1.0));
    m.mu_x
        .iter()
        .zip(&m.mu_y)
        .map(|(x, y)| [end[0] + x * scale, end[1] + y * scale])
        .collect()
}

#[test]
fn a_low_temperature_collapses_the_candidates_towards_the_mode() {
    let bird = Arc::new(load("bird"));
    // The circle with the pen still down: the next offset goes on with the curve.
    let mut open = circle();
    open.last_mut().unwrap().lift = false;
    for (what, drawing) in [("pen down", open), ("after a lift", circle())] {
        let mu = means(&bird, &drawing);
        // Over 4 seeds × 9 candidates: the first point's distance to the
        // nearest component mean, and the spread across candidates.
        let measure = |t: f32| {
            let (mut to_mode, mut spread) = (0.0, 0.0);
            for seed in 0..4 {
                let mut s = Sampler::new(bird.clone(), &drawing, seed, t, 9).unwrap();
                let first: Vec<Point> = s.advance_now(1).unwrap().into_iter().flatten().collect();
                to_mode += first
                    .iter()
                    .map(|p| {
                        mu.iter()
                            .map(|m| (p.x - m[0]).hypot(p.y - m[1]))
                            .fold(f32::INFINITY, f32::min)
                    })
                    .sum::<f32>();
                let (cx, cy) = (
                    first.iter().map(|p| p.x).sum::<f32>() / 9.0,
                    first.iter().map(|p| p.y).sum::<f32>() / 9.0,
                );
                spread += first
                    .iter()
                    .map(|p| (p.x - cx).hypot(p.y - cy))
                    .sum::<f32>();
            }
            (to_mode / 36.0, spread / 36.0)
        };
        let ((hot_mode, hot_spread), (cold_mode, cold_spread)) = (measure(1.0), measure(0.01));
        println!(
            "{what}: to the nearest mean {hot_mode:.2} px at t = 1, {cold_mode:.3} px at 0.01; \
             spread {hot_spread:.2} px, {cold_spread:.2} px"
        );
        // σ shrinks by √0.01 = 0.1: each candidate lands near a mean.
        assert!(
            cold_mode < hot_mode / 5.0,
            "{what}: {cold_mode} against {hot_mode}"
        );
        // And the candidates spread less. (π is only sharpened by 0.5 + 0.5·t
        // in JS's rule, so candidates on different components stay apart.)
        assert!(
            cold_spread < hot_spread,
            "{what}: {cold_spread} against {hot_spread}"
        );
    }
}
