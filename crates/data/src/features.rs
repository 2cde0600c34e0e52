//! Input features: the functions of (x, y) a playground network can be fed.
//!
//! TensorFlow Playground's seven plus `cos(X₁)` and `cos(X₂)`.

use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{DataError, Point};

/// One input feature computed from a point's position.
///
/// Serde uses the [`Feature::cli_name`] spelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Feature {
    /// `x`.
    #[serde(rename = "x1")]
    X1,
    /// `y`.
    #[serde(rename = "x2")]
    X2,
    /// `x²`.
    #[serde(rename = "x1sq")]
    X1Squared,
    /// `y²`.
    #[serde(rename = "x2sq")]
    X2Squared,
    /// `x·y`.
    #[serde(rename = "x1x2")]
    X1TimesX2,
    /// `sin(x)`.
    #[serde(rename = "sinx1")]
    SinX1,
    /// `sin(y)`.
    #[serde(rename = "sinx2")]
    SinX2,
    /// `cos(x)`.
    #[serde(rename = "cosx1")]
    CosX1,
    /// `cos(y)`.
    #[serde(rename = "cosx2")]
    CosX2,
}

impl Feature {
    /// Every feature, in TFP's order with the cosines last.
    pub const ALL: [Feature; 9] = [
        Feature::X1,
        Feature::X2,
        Feature::X1Squared,
        Feature::X2Squared,
        Feature::X1TimesX2,
        Feature::SinX1,
        Feature::SinX2,
        Feature::CosX1,
        Feature::CosX2,
    ];

    /// The feature's value at `(x, y)`. Sine and cosine come from `libm`, so
    /// the result is the same natively and in wasm32.
    pub fn apply(&self, x: f64, y: f64) -> f64 {
        match self {
            Feature::X1 => x,
            Feature::X2 => y,
            Feature::X1Squared => x * x,
            Feature::X2Squared => y * y,
            Feature::X1TimesX2 => x * y,
            Feature::SinX1 => libm::sin(x),
            Feature::SinX2 => libm::sin(y),
            Feature::CosX1 => libm::cos(x),
            Feature::CosX2 => libm::cos(y),
        }
    }

    /// The name used on the command line and by serde: `x1`, `x1sq`, `sinx2`, …
    pub fn cli_name(&self) -> &'static str {
        match self {
            Feature::X1 => "x1",
            Feature::X2 => "x2",
            Feature::X1Squared => "x1sq",
            Feature::X2Squared => "x2sq",
            Feature::X1TimesX2 => "x1x2",
            Feature::SinX1 => "sinx1",
            Feature::SinX2 => "sinx2",
            Feature::CosX1 => "cosx1",
            Feature::CosX2 => "cosx2",
        }
    }

    /// TensorFlow Playground's key for the feature in its URL state
    /// (`x`, `xSquared`, `sinY`, …; `cosX`/`cosY` are ours).
    pub fn tfp_key(&self) -> &'static str {
        match self {
            Feature::X1 => "x",
            Feature::X2 => "y",
            Feature::X1Squared => "xSquared",
            Feature::X2Squared => "ySquared",
            Feature::X1TimesX2 => "xTimesY",
            Feature::SinX1 => "sinX",
            Feature::SinX2 => "sinY",
            Feature::CosX1 => "cosX",
            Feature::CosX2 => "cosY",
        }
    }

    /// The name shown to people: `X₁`, `X₁²`, `sin(X₂)`, …
    pub fn label(&self) -> &'static str {
        match self {
            Feature::X1 => "X₁",
            Feature::X2 => "X₂",
            Feature::X1Squared => "X₁²",
            Feature::X2Squared => "X₂²",
            Feature::X1TimesX2 => "X₁X₂",
            Feature::SinX1 => "sin(X₁)",
            Feature::SinX2 => "sin(X₂)",
            Feature::CosX1 => "cos(X₁)",
            Feature::CosX2 => "cos(X₂)",
        }
    }

    /// The valid command-line names, comma-separated, for error messages.
    pub(crate) fn valid_names() -> String {
        Self::ALL.map(|f| f.cli_name()).join(", ")
    }
}

impl fmt::Display for Feature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for Feature {
    type Err = DataError;

    /// Parses a [`Feature::cli_name`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|f| f.cli_name() == s)
            .ok_or_else(|| DataError::UnknownFeature { name: s.to_owned() })
    }
}

/// Parses a comma-separated list of command-line names such as
/// `"x1,x2,sinx1"`, keeping the order given. Spaces around names are
/// ignored; an empty list, an unknown or empty name, or a name given twice
/// is an error.
pub fn parse_list(s: &str) -> Result<Vec<Feature>, DataError> {
    if s.trim().is_empty() {
        return Err(DataError::EmptyFeatureList);
    }
    let mut features = Vec::new();
    for name in s.split(',') {
        let feature: Feature = name.trim().parse()?;
        if features.contains(&feature) {
            return Err(DataError::DuplicateFeature {
                name: feature.cli_name(),
            });
        }
        features.push(feature);
    }
    Ok(features)
}

/// The network's input: one row per point, one column per feature
/// (row-major, `points.len() × features.len()`), computed in `f64` and
/// rounded to `f32`.
pub fn feature_matrix(points: &[Point], features: &[Feature]) -> Vec<f32> {
    points
        .iter()
        .flat_map(|p| features.iter().map(|f| f.apply(p.x, p.y) as f32))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apply_computes_each_feature() {
        let (x, y) = (0.5, -2.0);
        let values = Feature::ALL.map(|f| f.apply(x, y));
        let expected = [
            0.5,
            -2.0,
            0.25,
            4.0,
            -1.0,
            libm::sin(0.5),
            libm::sin(-2.0),
            libm::cos(0.5),
            libm::cos(-2.0),
        ];
        assert_eq!(values, expected);
    }

    #[test]
    fn names_are_distinct_and_round_trip() {
        for f in Feature::ALL {
            assert_eq!(f.cli_name().parse::<Feature>(), Ok(f));
            assert_eq!(f.to_string(), f.label());
            let json = serde_json::to_string(&f).unwrap();
            assert_eq!(json, format!("\"{}\"", f.cli_name()));
            assert_eq!(serde_json::from_str::<Feature>(&json).unwrap(), f);
        }
        for names in [
            Feature::ALL.map(|f| f.cli_name()),
            Feature::ALL.map(|f| f.tfp_key()),
            Feature::ALL.map(|f| f.label()),
        ] {
            let mut sorted = names.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), names.len(), "{names:?}");
        }
        assert_eq!(Feature::X1TimesX2.tfp_key(), "xTimesY");
        assert_eq!(Feature::X2Squared.label(), "X₂²");
    }

    #[test]
    fn parse_list_accepts_good_lists() {
        assert_eq!(
            parse_list("x1,x2,sinx1"),
            Ok(vec![Feature::X1, Feature::X2, Feature::SinX1])
        );
        assert_eq!(
            parse_list(" cosx2 , x1sq "),
            Ok(vec![Feature::CosX2, Feature::X1Squared])
        );
    }

    #[test]
    fn parse_list_rejects_bad_lists_clearly() {
        assert_eq!(parse_list(""), Err(DataError::EmptyFeatureList));
        assert_eq!(parse_list("  "), Err(DataError::EmptyFeatureList));
        let err = parse_list("x1,x3").unwrap_err();
        assert_eq!(err, DataError::UnknownFeature { name: "x3".into() });
        let msg = err.to_string();
        assert!(msg.contains("\"x3\""), "{msg}");
        assert!(
            msg.contains("x1, x2, x1sq, x2sq, x1x2, sinx1, sinx2, cosx1, cosx2"),
            "{msg}"
        );
        assert_eq!(
            parse_list("x1,,x2"),
            Err(DataError::UnknownFeature {
                name: String::new()
            })
        );
        let err = parse_list("x1,sinx2,x1").unwrap_err();
        assert_eq!(err, DataError::DuplicateFeature { name: "x1" });
        assert!(err.to_string().contains("more than once"));
        assert!(parse_list("X1").is_err());
    }

    #[test]
    fn feature_matrix_is_row_major() {
        let points = [
            Point {
                x: 1.0,
                y: 2.0,
                label: 1.0,
            },
            Point {
                x: 3.0,
                y: -4.0,
                label: -1.0,
            },
        ];
        let features = [Feature::X2, Feature::X1TimesX2, Feature::X1];
        assert_eq!(
            feature_matrix(&points, &features),
            [2.0, 2.0, 1.0, -4.0, -12.0, 3.0]
        );
        assert!(feature_matrix(&points, &[]).is_empty());
        assert!(feature_matrix(&[], &features).is_empty());
    }
}
