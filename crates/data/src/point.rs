//! A labelled 2-D point and a portable fingerprint of a list of them.

use serde::{Deserialize, Serialize};

/// One example: a position in the plane and its label.
///
/// `label` is ±1 for binary classification, the target value for regression,
/// and the class index (0.0, 1.0, 2.0, …) for multi-class sets.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// First coordinate (TFP's `x`, the feature X₁).
    pub x: f64,
    /// Second coordinate (TFP's `y`, the feature X₂).
    pub y: f64,
    /// See the type's documentation.
    pub label: f64,
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// A 64-bit FNV-1a hash over the exact bits of every point, in order.
///
/// For each point the little-endian bytes of `x.to_bits()`, `y.to_bits()` and
/// `label.to_bits()` are fed in that order. Two lists have the same
/// fingerprint when (barring a collision) they are bit-identical, which lets
/// a wasm test compare its data with numbers computed natively.
/// Hashing `a` then `b` equals hashing `a` and `b` concatenated.
pub fn fingerprint(points: &[Point]) -> u64 {
    extend_fingerprint(FNV_OFFSET, points)
}

/// Where a fingerprint starts (FNV-1a's offset basis).
pub const FINGERPRINT_START: u64 = FNV_OFFSET;

/// Continues a fingerprint `hash` with the exact bits of `values` (each
/// `f32`'s little-endian bytes, in order): for pinning training runs, whose
/// losses and weights are `f32`.
pub fn fingerprint_f32(hash: u64, values: impl IntoIterator<Item = f32>) -> u64 {
    values
        .into_iter()
        .flat_map(|v| v.to_bits().to_le_bytes())
        .fold(hash, |h, byte| {
            (h ^ u64::from(byte)).wrapping_mul(FNV_PRIME)
        })
}

/// Continues a fingerprint `hash` with more points.
pub(crate) fn extend_fingerprint(hash: u64, points: &[Point]) -> u64 {
    points
        .iter()
        .flat_map(|p| [p.x, p.y, p.label])
        .flat_map(|v| v.to_bits().to_le_bytes())
        .fold(hash, |h, byte| {
            (h ^ u64::from(byte)).wrapping_mul(FNV_PRIME)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(x: f64, y: f64, label: f64) -> Point {
        Point { x, y, label }
    }

    #[test]
    fn empty_list_hashes_to_the_fnv_offset() {
        assert_eq!(fingerprint(&[]), FNV_OFFSET);
    }

    #[test]
    fn f32_fingerprints_see_every_bit_and_continue() {
        assert_eq!(fingerprint_f32(FINGERPRINT_START, []), FINGERPRINT_START);
        let ab = fingerprint_f32(FINGERPRINT_START, [1.0, 2.0]);
        assert_eq!(
            fingerprint_f32(fingerprint_f32(FINGERPRINT_START, [1.0]), [2.0]),
            ab
        );
        assert_ne!(fingerprint_f32(FINGERPRINT_START, [2.0, 1.0]), ab);
        assert_ne!(
            fingerprint_f32(FINGERPRINT_START, [0.0]),
            fingerprint_f32(FINGERPRINT_START, [-0.0])
        );
    }

    #[test]
    fn fingerprint_sees_every_field_and_the_order() {
        let base = [p(1.0, 2.0, 1.0), p(3.0, 4.0, -1.0)];
        let h = fingerprint(&base);
        assert_eq!(h, fingerprint(&base.clone()));
        assert_ne!(h, fingerprint(&[base[1], base[0]]));
        assert_ne!(h, fingerprint(&[p(1.0, 2.0, -1.0), base[1]]));
        assert_ne!(h, fingerprint(&[p(1.0, 2.5, 1.0), base[1]]));
        // 0.0 and -0.0 compare equal but are different bits.
        assert_ne!(
            fingerprint(&[p(0.0, 0.0, 0.0)]),
            fingerprint(&[p(-0.0, 0.0, 0.0)])
        );
    }

    #[test]
    fn extending_equals_hashing_the_concatenation() {
        let a = [p(1.0, 2.0, 1.0)];
        let b = [p(3.0, 4.0, -1.0), p(5.0, 6.0, 1.0)];
        let joined = [a[0], b[0], b[1]];
        assert_eq!(
            extend_fingerprint(fingerprint(&a), &b),
            fingerprint(&joined)
        );
    }
}
