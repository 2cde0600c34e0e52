//! Which data sets exist, what kind of problem each is, and [`generate`].

use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::rng::Stream;
use crate::{DataError, Point, multiclass, tfp};

/// What a data set asks a network to learn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Problem {
    /// Two classes, labels ±1.
    Classification,
    /// A real-valued target.
    Regression,
    /// `k` classes, labels `0.0 .. k - 1`.
    MultiClass,
}

/// A 2-D data set: TensorFlow Playground's six and our multi-class ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DatasetKind {
    /// TFP "Circle": a disc of +1 inside a ring of −1.
    Circle,
    /// TFP "Exclusive or": quadrants, +1 where `x·y ≥ 0`.
    Xor,
    /// TFP "Gaussian": two clouds around (2, 2) and (−2, −2).
    Gauss,
    /// TFP "Spiral": two interleaved spirals.
    Spiral,
    /// TFP "Plane" regression: label = (x + y) / 10.
    RegPlane,
    /// TFP "Multi gaussian" regression: six signed bumps.
    RegGauss,
    /// Three interleaved spiral arms (ours).
    Spiral3,
    /// Four interleaved spiral arms (ours).
    Spiral4,
    /// Three gaussian blobs on a circle (ours).
    Blobs3,
    /// Four gaussian blobs on a circle (ours).
    Blobs4,
}

impl DatasetKind {
    /// Every data set, TFP's first, in the order a picker shows them.
    pub const ALL: [DatasetKind; 10] = [
        DatasetKind::Circle,
        DatasetKind::Xor,
        DatasetKind::Gauss,
        DatasetKind::Spiral,
        DatasetKind::RegPlane,
        DatasetKind::RegGauss,
        DatasetKind::Spiral3,
        DatasetKind::Spiral4,
        DatasetKind::Blobs3,
        DatasetKind::Blobs4,
    ];

    /// The kebab-case name used on the command line, in URLs and by serde.
    pub fn name(&self) -> &'static str {
        match self {
            DatasetKind::Circle => "circle",
            DatasetKind::Xor => "xor",
            DatasetKind::Gauss => "gauss",
            DatasetKind::Spiral => "spiral",
            DatasetKind::RegPlane => "reg-plane",
            DatasetKind::RegGauss => "reg-gauss",
            DatasetKind::Spiral3 => "spiral3",
            DatasetKind::Spiral4 => "spiral4",
            DatasetKind::Blobs3 => "blobs3",
            DatasetKind::Blobs4 => "blobs4",
        }
    }

    /// What kind of problem this set is.
    pub fn problem(&self) -> Problem {
        match self {
            DatasetKind::Circle | DatasetKind::Xor | DatasetKind::Gauss | DatasetKind::Spiral => {
                Problem::Classification
            }
            DatasetKind::RegPlane | DatasetKind::RegGauss => Problem::Regression,
            DatasetKind::Spiral3
            | DatasetKind::Spiral4
            | DatasetKind::Blobs3
            | DatasetKind::Blobs4 => Problem::MultiClass,
        }
    }

    /// The number of classes: 2 for binary classification, 1 (one output)
    /// for regression, `k` for the multi-class sets.
    pub fn num_classes(&self) -> usize {
        match self {
            DatasetKind::Circle | DatasetKind::Xor | DatasetKind::Gauss | DatasetKind::Spiral => 2,
            DatasetKind::RegPlane | DatasetKind::RegGauss => 1,
            DatasetKind::Spiral3 | DatasetKind::Blobs3 => 3,
            DatasetKind::Spiral4 | DatasetKind::Blobs4 => 4,
        }
    }

    /// TFP's sample counts: `NUM_SAMPLES_CLASSIFY` = 500 for classification
    /// (binary and multi-class), `NUM_SAMPLES_REGRESS` = 1200 for regression.
    pub fn default_samples(&self) -> usize {
        match self.problem() {
            Problem::Classification | Problem::MultiClass => 500,
            Problem::Regression => 1200,
        }
    }

    /// The valid names, comma-separated, for error messages.
    pub(crate) fn valid_names() -> String {
        Self::ALL.map(|k| k.name()).join(", ")
    }
}

impl fmt::Display for DatasetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for DatasetKind {
    type Err = DataError;

    /// Parses a name as [`DatasetKind::name`] writes it.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| DataError::UnknownDataset { name: s.to_owned() })
    }
}

/// Generates a data set, unshuffled, drawing from `rng`.
///
/// `noise` is a fraction: TFP passes its 0–50 slider value divided by 100.
/// It is not checked here (see [`crate::make`] for the checked path); any
/// value gives points without panicking.
///
/// How many points come back: `num_samples` for regression and the
/// multi-class sets (the last `num_samples % k` classes get one extra
/// point); for TFP's binary sets `2 · ceil(num_samples / 2)`, as in TFP, so
/// an odd count gets one more point. Points come grouped by class, in
/// generation order; [`crate::shuffle`] them before splitting.
pub fn generate(
    kind: DatasetKind,
    num_samples: usize,
    noise: f64,
    rng: &mut (impl Stream + ?Sized),
) -> Vec<Point> {
    let n = num_samples;
    match kind {
        DatasetKind::Circle => tfp::circle(n, noise, rng),
        DatasetKind::Xor => tfp::xor(n, noise, rng),
        DatasetKind::Gauss => tfp::gauss(n, noise, rng),
        DatasetKind::Spiral => tfp::spiral(n, noise, rng),
        DatasetKind::RegPlane => tfp::reg_plane(n, noise, rng),
        DatasetKind::RegGauss => tfp::reg_gauss(n, noise, rng),
        DatasetKind::Spiral3 => multiclass::spiral_k(3, n, noise, rng),
        DatasetKind::Spiral4 => multiclass::spiral_k(4, n, noise, rng),
        DatasetKind::Blobs3 => multiclass::blobs_k(3, n, noise, rng),
        DatasetKind::Blobs4 => multiclass::blobs_k(4, n, noise, rng),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::rng;

    #[test]
    fn names_round_trip_through_from_str_and_serde() {
        for kind in DatasetKind::ALL {
            assert_eq!(kind.name().parse::<DatasetKind>(), Ok(kind));
            assert_eq!(kind.to_string(), kind.name());
        }
        let err = "spirals".parse::<DatasetKind>().unwrap_err().to_string();
        assert!(err.contains("\"spirals\""), "{err}");
        assert!(
            err.contains("circle, xor, gauss, spiral, reg-plane, reg-gauss"),
            "{err}"
        );
        assert!(err.contains("blobs4"), "{err}");
        assert!("Circle".parse::<DatasetKind>().is_err());
    }

    #[test]
    fn problems_classes_and_sample_counts_agree() {
        for kind in DatasetKind::ALL {
            let expected_classes = match kind.problem() {
                Problem::Classification => 2,
                Problem::Regression => 1,
                Problem::MultiClass => kind.num_classes(),
            };
            assert_eq!(kind.num_classes(), expected_classes, "{kind}");
            let samples = if kind.problem() == Problem::Regression {
                1200
            } else {
                500
            };
            assert_eq!(kind.default_samples(), samples, "{kind}");
        }
        assert_eq!(DatasetKind::Blobs3.num_classes(), 3);
        assert_eq!(DatasetKind::Spiral4.num_classes(), 4);
        assert_eq!(DatasetKind::RegGauss.problem(), Problem::Regression);
        assert_eq!(DatasetKind::Xor.problem(), Problem::Classification);
    }

    #[test]
    fn every_set_gives_its_default_count_and_valid_labels() {
        for kind in DatasetKind::ALL {
            let n = kind.default_samples();
            let points = generate(kind, n, 0.2, &mut rng(5));
            assert_eq!(points.len(), n, "{kind}");
            for p in &points {
                assert!(p.x.is_finite() && p.y.is_finite(), "{kind}: {p:?}");
                let ok = match kind.problem() {
                    Problem::Classification => p.label == 1.0 || p.label == -1.0,
                    Problem::Regression => p.label.is_finite(),
                    Problem::MultiClass => {
                        p.label.fract() == 0.0
                            && (0.0..kind.num_classes() as f64).contains(&p.label)
                    }
                };
                assert!(ok, "{kind}: {p:?}");
            }
        }
    }

    #[test]
    fn zero_samples_give_no_points() {
        for kind in DatasetKind::ALL {
            assert!(generate(kind, 0, 0.0, &mut rng(5)).is_empty(), "{kind}");
        }
    }

    #[test]
    fn same_seed_same_points_and_different_seeds_differ() {
        for kind in DatasetKind::ALL {
            let a = generate(kind, 100, 0.1, &mut rng(9));
            let b = generate(kind, 100, 0.1, &mut rng(9));
            let c = generate(kind, 100, 0.1, &mut rng(10));
            assert_eq!(a, b, "{kind}");
            assert_ne!(a, c, "{kind}");
        }
    }

    #[test]
    fn serde_names_are_kebab_and_lowercase() {
        for kind in DatasetKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.name()));
            assert_eq!(serde_json::from_str::<DatasetKind>(&json).unwrap(), kind);
        }
        let problems = [
            Problem::Classification,
            Problem::Regression,
            Problem::MultiClass,
        ];
        let json = serde_json::to_string(&problems).unwrap();
        assert_eq!(json, r#"["classification","regression","multiclass"]"#);
    }
}
