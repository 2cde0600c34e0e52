//! TensorFlow Playground's own numbers for a URL seed
//! (`shared/data/tfp-reference/`, README there): its seedrandom stream, and
//! for 3 seeds × 6 data sets × 2 noise levels its points, shuffle and split,
//! reproduced from [`Arc4`].
//!
//! Exact where TFP's maths is exactly rounded (the stream, xor, the
//! regression sets, the shuffle, the split, every label); the circle, spiral
//! and gauss points go through `sin`, `cos` or `log`, where `libm` and
//! Chromium may differ in the last bits: those are held to [`F64_TOLERANCE`]
//! and to equality once rounded to `f32`, the precision the network sees.
//!
//! Like the other tests on `../shared/data`, these skip with a message when
//! the folder is not beside the checkout, and fail with
//! `PLAYNET_REQUIRE_SHARED=1`.

use playnet_data::{
    Arc4, DatasetKind, Point, Stream, generate, make_from, seedrandom_key, shuffle,
};

#[path = "common/tfp.rs"]
mod tfp;
use tfp::{DATASETS, SEEDS, f64s, points, read, reference_dir};

/// The largest difference allowed between our `f64` coordinates and
/// Chromium's where `sin`, `cos` or `log` are involved. Measured: 463 of
/// the 52,800 coordinates of the 36 files differ, by at most 8.9e-16 (a
/// last-bit difference of `log` in gauss, grown by the subtraction from the
/// cloud's centre); none once rounded to `f32`, and no label.
const F64_TOLERANCE: f64 = 4e-15;

#[test]
fn the_stream_is_seedrandoms() {
    let Some(dir) = reference_dir() else { return };
    for seed in SEEDS {
        let r = read(dir.join(seed).join("rng.json"));
        assert_eq!(r["seed"], seed);
        let key: Vec<u8> = f64s(&r["key"]).iter().map(|&b| b as u8).collect();
        assert_eq!(seedrandom_key(seed), key, "{seed}: key");

        let arc4 = Arc4::new(seed);
        let (s, i, j) = arc4.state();
        let state = &r["state_after_drop"];
        let expected: Vec<u8> = f64s(&state["S"]).iter().map(|&b| b as u8).collect();
        assert_eq!(s[..], expected[..], "{seed}: permutation after the drop");
        assert_eq!(f64::from(i), state["i"].as_f64().unwrap(), "{seed}: i");
        assert_eq!(f64::from(j), state["j"].as_f64().unwrap(), "{seed}: j");

        let mut bytes = arc4.clone();
        let first: Vec<u8> = (0..64).map(|_| bytes.byte()).collect();
        let expected: Vec<u8> = f64s(&r["first_bytes_after_drop"])
            .iter()
            .map(|&b| b as u8)
            .collect();
        assert_eq!(first, expected, "{seed}: first bytes");

        let doubles = f64s(&r["doubles"]);
        assert_eq!(doubles.len(), 6200);
        let mut stream = arc4;
        for (k, &want) in doubles.iter().enumerate() {
            let got = stream.next_f64();
            assert_eq!(got.to_bits(), want.to_bits(), "{seed}: double {k}");
        }
    }
}

#[test]
fn points_shuffle_and_split_are_tfps() {
    let Some(dir) = reference_dir() else { return };
    let (mut files, mut differ_f64, mut total) = (0, 0, 0);
    let mut worst = 0.0f64;
    for seed in SEEDS {
        for name in DATASETS {
            for noise in [0u32, 25] {
                let file = format!("{seed}/{name}-noise{noise}.json");
                let r = read(dir.join(&file));
                let kind: DatasetKind = name.parse().unwrap();
                assert_eq!(r["noise"].as_f64(), Some(f64::from(noise)), "{file}");
                let n = r["num_samples"].as_u64().unwrap() as usize;
                assert_eq!(n, kind.default_samples(), "{file}");

                // The generator alone, then the shuffle, counting draws.
                let mut stream = Counting(Arc4::new(seed), 0);
                let generated = generate(kind, n, f64::from(noise) / 100.0, &mut stream);
                assert_eq!(
                    stream.1 as u64,
                    r["rng_draws"]["data"].as_u64().unwrap(),
                    "{file}: draws of the generator"
                );
                let want = points(&r["points"]);
                assert_eq!(generated.len(), want.len(), "{file}");
                let exact = matches!(
                    kind,
                    DatasetKind::Xor | DatasetKind::RegPlane | DatasetKind::RegGauss
                );
                for (k, (got, want)) in generated.iter().zip(&want).enumerate() {
                    assert_eq!(
                        got.label.to_bits(),
                        want.label.to_bits(),
                        "{file}: label {k}"
                    );
                    for (g, w) in [(got.x, want.x), (got.y, want.y)] {
                        total += 1;
                        if g != w {
                            differ_f64 += 1;
                            assert!(!exact, "{file}: point {k}: {got:?} vs {want:?}");
                            let d = (g - w).abs();
                            worst = worst.max(d);
                            assert!(d <= F64_TOLERANCE, "{file}: point {k}: {got:?} vs {want:?}");
                        }
                        assert_eq!(g as f32, w as f32, "{file}: point {k} in f32");
                    }
                }

                let mut indexed: Vec<Point> = (0..n)
                    .map(|i| Point {
                        x: i as f64,
                        y: 0.0,
                        label: 0.0,
                    })
                    .collect();
                let before = stream.1;
                shuffle(&mut indexed, &mut stream);
                assert_eq!(
                    (stream.1 - before) as u64,
                    r["rng_draws"]["shuffle"].as_u64().unwrap(),
                    "{file}: draws of the shuffle"
                );
                let order: Vec<f64> = indexed.iter().map(|p| p.x).collect();
                assert_eq!(order, f64s(&r["shuffled_index"]), "{file}: shuffled order");

                // The whole reset in one call, as the session makes it.
                let mut arc4 = Arc4::new(seed);
                let split = make_from(kind, noise, 50, &mut arc4).unwrap();
                assert_eq!(
                    split.train.len() as u64,
                    r["split_index"].as_u64().unwrap(),
                    "{file}: split index"
                );
                let shuffled: Vec<Point> =
                    indexed.iter().map(|p| generated[p.x as usize]).collect();
                assert_eq!(
                    split.train[..],
                    shuffled[..split.train.len()],
                    "{file}: train"
                );
                assert_eq!(
                    split.test[..],
                    shuffled[split.train.len()..],
                    "{file}: test"
                );
                for (got, want) in [(&split.train, &r["train"]), (&split.test, &r["test"])] {
                    let want = points(want);
                    assert_eq!(got.len(), want.len(), "{file}");
                    for (g, w) in got.iter().zip(&want) {
                        assert_eq!(g.label, w.label, "{file}");
                        let d = (g.x - w.x).abs().max((g.y - w.y).abs());
                        assert!(d <= F64_TOLERANCE, "{file}: {g:?} vs {w:?}");
                    }
                }
                // Left where TFP draws the weights from.
                let mut after = Arc4::new(seed);
                for _ in 0..r["networks"]["default"]["rng_draws"]["offset"]
                    .as_u64()
                    .unwrap()
                {
                    after.next_f64();
                }
                assert_eq!(arc4, after, "{file}: the stream after the shuffle");
                files += 1;
            }
        }
    }
    assert_eq!(files, 36);
    eprintln!(
        "{differ_f64} of {total} coordinates differ from Chromium's in f64 (by at most \
         {worst:e}); none in f32"
    );
}

/// A stream that counts its draws.
struct Counting(Arc4, usize);

impl Stream for Counting {
    fn next_f64(&mut self) -> f64 {
        self.1 += 1;
        self.0.next_f64()
    }
}
