//! Shuffling and the train/test split, as TensorFlow Playground does them,
//! and [`make`], which goes from a seed to a split in one call ([`make_from`]
//! from any stream, such as TFP's own [`crate::Arc4`]).

use crate::point::extend_fingerprint;
use crate::rng::{Stream, rng};
use crate::{DataError, DatasetKind, Point, fingerprint, generate};

/// The smallest and largest training share TFP's slider allows, in percent.
const TRAIN_PERCENT: core::ops::RangeInclusive<u32> = 10..=90;
/// The noise range TFP's slider allows, in percent.
const NOISE_PERCENT: core::ops::RangeInclusive<u32> = 0..=50;

/// Shuffles in place with TFP's Fisher–Yates: walking `counter` down from
/// the length, swap `counter − 1` with `floor(random · counter)`. One uniform
/// per element, so the result depends only on the seed, not on the platform.
pub fn shuffle(points: &mut [Point], rng: &mut (impl Stream + ?Sized)) {
    let mut counter = points.len();
    while counter > 0 {
        // random < 1, so the index is < counter.
        let index = (rng.next_f64() * counter as f64) as usize;
        counter -= 1;
        points.swap(counter, index);
    }
}

/// Splits into `(train, test)`: the first `floor(len · perc_train / 100)`
/// points train, the rest test. `perc_train` must be in 10..=90, TFP's
/// slider range.
pub fn split(points: &[Point], perc_train: u32) -> Result<(Vec<Point>, Vec<Point>), DataError> {
    if !TRAIN_PERCENT.contains(&perc_train) {
        return Err(DataError::TrainPercentOutOfRange {
            percent: perc_train,
        });
    }
    // In u64 so that no slice length can overflow the product.
    let at = (points.len() as u64 * u64::from(perc_train) / 100) as usize;
    let (train, test) = points.split_at(at);
    Ok((train.to_vec(), test.to_vec()))
}

/// A data set divided into training and test points.
#[derive(Clone, Debug, PartialEq)]
pub struct Split {
    /// The points the network learns from.
    pub train: Vec<Point>,
    /// The points it is measured on.
    pub test: Vec<Point>,
}

impl Split {
    /// [`fingerprint`] of the training points followed by the test points.
    pub fn fingerprint(&self) -> u64 {
        extend_fingerprint(fingerprint(&self.train), &self.test)
    }
}

/// Builds a data set the way TensorFlow Playground does on every reset:
/// seed the generator, [`generate`] [`DatasetKind::default_samples`] points
/// with noise `noise_percent / 100`, [`shuffle`] them with the same
/// generator, and [`split`] at `perc_train`.
///
/// The same arguments give a bit-identical `Split` on every platform,
/// native or wasm32. `noise_percent` must be in 0..=50 and `perc_train` in
/// 10..=90.
pub fn make(
    kind: DatasetKind,
    noise_percent: u32,
    perc_train: u32,
    seed: u64,
) -> Result<Split, DataError> {
    make_from(kind, noise_percent, perc_train, &mut rng(seed))
}

/// [`make`] drawing from `stream` as it stands instead of a fresh PCG: the
/// generator, then the shuffle, take their draws from it in TFP's order,
/// and the stream is left just after the shuffle (where TFP goes on to draw
/// the initial weights).
pub fn make_from(
    kind: DatasetKind,
    noise_percent: u32,
    perc_train: u32,
    stream: &mut (impl Stream + ?Sized),
) -> Result<Split, DataError> {
    if !NOISE_PERCENT.contains(&noise_percent) {
        return Err(DataError::NoiseOutOfRange {
            percent: noise_percent,
        });
    }
    if !TRAIN_PERCENT.contains(&perc_train) {
        return Err(DataError::TrainPercentOutOfRange {
            percent: perc_train,
        });
    }
    let noise = f64::from(noise_percent) / 100.0;
    let mut points = generate(kind, kind.default_samples(), noise, stream);
    shuffle(&mut points, stream);
    let (train, test) = split(&points, perc_train)?;
    Ok(Split { train, test })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng as _;

    fn numbered(n: usize) -> Vec<Point> {
        (0..n)
            .map(|i| Point {
                x: i as f64,
                y: 0.0,
                label: 1.0,
            })
            .collect()
    }

    #[test]
    fn shuffle_is_a_permutation_that_moves_things() {
        let original = numbered(500);
        let mut shuffled = original.clone();
        shuffle(&mut shuffled, &mut rng(31));
        assert_ne!(shuffled, original);
        let mut xs: Vec<f64> = shuffled.iter().map(|p| p.x).collect();
        xs.sort_by(f64::total_cmp);
        assert_eq!(xs, original.iter().map(|p| p.x).collect::<Vec<_>>());
    }

    #[test]
    fn shuffle_draws_one_uniform_per_element() {
        let mut a = rng(32);
        shuffle(&mut numbered(10), &mut a);
        let mut b = rng(32);
        for _ in 0..10 {
            b.random::<f64>();
        }
        assert_eq!(a.random::<u64>(), b.random::<u64>());
        shuffle(&mut [], &mut a);
    }

    #[test]
    fn split_sizes_follow_the_percentage() {
        let points = numbered(500);
        let (train, test) = split(&points, 50).unwrap();
        assert_eq!((train.len(), test.len()), (250, 250));
        assert_eq!(train[..], points[..250]);
        assert_eq!(test[..], points[250..]);
        let (train, test) = split(&points, 10).unwrap();
        assert_eq!((train.len(), test.len()), (50, 450));
        let (train, _) = split(&numbered(7), 90).unwrap();
        assert_eq!(train.len(), 6); // floor(6.3)
    }

    #[test]
    fn split_out_of_range_is_an_error() {
        for perc in [0, 9, 91, 100] {
            let err = split(&numbered(10), perc).unwrap_err();
            assert_eq!(err, DataError::TrainPercentOutOfRange { percent: perc });
            assert!(err.to_string().contains("between 10% and 90%"), "{err}");
        }
    }

    #[test]
    fn make_checks_its_ranges() {
        let err = make(DatasetKind::Circle, 51, 50, 1).unwrap_err();
        assert_eq!(err, DataError::NoiseOutOfRange { percent: 51 });
        assert!(err.to_string().contains("between 0% and 50%"), "{err}");
        let err = make(DatasetKind::Circle, 0, 95, 1).unwrap_err();
        assert_eq!(err, DataError::TrainPercentOutOfRange { percent: 95 });
    }

    #[test]
    fn make_is_generate_then_shuffle_then_split() {
        let made = make(DatasetKind::RegGauss, 10, 30, 5).unwrap();
        assert_eq!((made.train.len(), made.test.len()), (360, 840));
        let mut r = rng(5);
        let mut points = generate(DatasetKind::RegGauss, 1200, 0.1, &mut r);
        shuffle(&mut points, &mut r);
        assert_eq!(made.train[..], points[..360]);
        assert_eq!(made.test[..], points[360..]);
        assert_eq!(made.fingerprint(), fingerprint(&points));
    }

    #[test]
    fn make_is_deterministic_per_seed() {
        for kind in DatasetKind::ALL {
            let a = make(kind, 20, 50, 77).unwrap();
            assert_eq!(a, make(kind, 20, 50, 77).unwrap(), "{kind}");
            assert_ne!(a, make(kind, 20, 50, 78).unwrap(), "{kind}");
        }
    }
}
