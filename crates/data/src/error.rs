//! The one error type of this crate.

use thiserror::Error;

use crate::{DatasetKind, Feature};

/// Why a dataset request or a feature list was refused.
///
/// Every message names the value that was wrong and what would have been
/// accepted, so it can be shown to a person as it is.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum DataError {
    /// A dataset name that is not one of [`DatasetKind::ALL`].
    #[error(
        "unknown dataset {name:?}; valid datasets are: {}",
        DatasetKind::valid_names()
    )]
    UnknownDataset {
        /// The name as given.
        name: String,
    },
    /// A feature name that is not one of [`Feature::ALL`].
    #[error(
        "unknown feature {name:?}; valid features are: {}",
        Feature::valid_names()
    )]
    UnknownFeature {
        /// The name as given.
        name: String,
    },
    /// A feature list with no features in it.
    #[error(
        "the feature list is empty; give at least one of: {}",
        Feature::valid_names()
    )]
    EmptyFeatureList,
    /// A feature list that names the same feature twice.
    #[error("feature {name:?} is listed more than once")]
    DuplicateFeature {
        /// The repeated feature's name.
        name: &'static str,
    },
    /// A training share outside what TensorFlow Playground's slider allows.
    #[error("training share {percent}% is out of range; it must be between 10% and 90%")]
    TrainPercentOutOfRange {
        /// The percentage as given.
        percent: u32,
    },
    /// A noise level outside what TensorFlow Playground's slider allows.
    #[error("noise {percent}% is out of range; it must be between 0% and 50%")]
    NoiseOutOfRange {
        /// The percentage as given.
        percent: u32,
    },
}
