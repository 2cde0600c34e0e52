//! Fingerprints of known splits, computed natively once and pinned here so
//! that any platform (in particular wasm32) can check it produces the very
//! same data. Each is [`crate::Split::fingerprint`] of a [`crate::make`] call.
//!
//! If one of these changes, every seeded data set has changed: saved URLs
//! and reproduced results no longer match. Change them only on purpose.

/// `make(DatasetKind::Spiral, 0, 50, 7)`.
pub const SPIRAL_0_50_SEED7: u64 = 0xd240_bd31_3572_29ae;
/// `make(DatasetKind::Circle, 25, 50, 42)`.
pub const CIRCLE_25_50_SEED42: u64 = 0xd65b_855f_1962_bb37;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DatasetKind, make};

    #[test]
    fn native_data_matches_the_pinned_fingerprints() {
        let spiral = make(DatasetKind::Spiral, 0, 50, 7).unwrap();
        let circle = make(DatasetKind::Circle, 25, 50, 42).unwrap();
        assert_eq!(
            spiral.fingerprint(),
            SPIRAL_0_50_SEED7,
            "{:#018x}",
            spiral.fingerprint()
        );
        assert_eq!(
            circle.fingerprint(),
            CIRCLE_25_50_SEED42,
            "{:#018x}",
            circle.fingerprint()
        );
    }
}
