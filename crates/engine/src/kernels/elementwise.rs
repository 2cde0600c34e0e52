//! Elementwise arithmetic on equal-length slices, four lanes at a time with
//! [`F32x4`] (or one at a time when [`super::simd_enabled`] is off).
//!
//! Each lane does exactly the scalar operation, so both paths give the same
//! bits. These are for same-shape operands; broadcasting stays in the backend.
//!
//! # Panics
//! Every function panics, naming the operands, if the slice lengths differ.

use super::simd::F32x4;
use super::vector_part;

const LANES: usize = F32x4::LANES;

/// `out[i] = a[i] + b[i]`.
pub fn add(a: &[f32], b: &[f32], out: &mut [f32]) {
    zip_map(a, b, out, "add", F32x4::add, |x, y| x + y);
}

/// `out[i] = a[i] - b[i]`.
pub fn sub(a: &[f32], b: &[f32], out: &mut [f32]) {
    zip_map(a, b, out, "sub", F32x4::sub, |x, y| x - y);
}

/// `out[i] = a[i] * b[i]`.
pub fn mul(a: &[f32], b: &[f32], out: &mut [f32]) {
    zip_map(a, b, out, "mul", F32x4::mul, |x, y| x * y);
}

/// `out[i] = factor * x[i]`.
pub fn scale(x: &[f32], factor: f32, out: &mut [f32]) {
    assert_eq!(
        x.len(),
        out.len(),
        "scale: `x` has {} elements but `out` has {}",
        x.len(),
        out.len()
    );
    let split = vector_part(out.len());
    let f = F32x4::splat(factor);
    for (o, x) in out[..split]
        .chunks_exact_mut(LANES)
        .zip(x.chunks_exact(LANES))
    {
        f.mul(F32x4::load(x)).store(o);
    }
    for (o, &x) in out[split..].iter_mut().zip(&x[split..]) {
        *o = factor * x;
    }
}

/// `acc[i] += a[i] * b[i]` (multiply, then add: not fused), the inner
/// loop of the depthwise convolution and its gradients.
pub fn multiply_accumulate(a: &[f32], b: &[f32], acc: &mut [f32]) {
    assert!(
        a.len() == b.len() && a.len() == acc.len(),
        "multiply_accumulate: operands have {}, {} and {} (acc) elements",
        a.len(),
        b.len(),
        acc.len()
    );
    let split = vector_part(acc.len());
    for ((o, x), y) in acc[..split]
        .chunks_exact_mut(LANES)
        .zip(a.chunks_exact(LANES))
        .zip(b.chunks_exact(LANES))
    {
        F32x4::load(x)
            .mul_add(F32x4::load(y), F32x4::load(o))
            .store(o);
    }
    for ((o, &x), &y) in acc[split..].iter_mut().zip(&a[split..]).zip(&b[split..]) {
        *o += x * y;
    }
}

/// `out[i] = x[i]` held inside `[lo, hi]`, as `f32::clamp` does it (a NaN
/// stays NaN, `-0.0` stays `-0.0`): ReLU6 and the graph's clamp.
pub fn clamp(x: &[f32], lo: f32, hi: f32, out: &mut [f32]) {
    assert_eq!(
        x.len(),
        out.len(),
        "clamp: `x` has {} elements but `out` has {}",
        x.len(),
        out.len()
    );
    clamp_from(x, lo, hi, out, vector_part(out.len()));
}

/// [`clamp`] with the first `split` elements (a multiple of the lane
/// count) done four at a time and the rest one at a time.
fn clamp_from(x: &[f32], lo: f32, hi: f32, out: &mut [f32], split: usize) {
    let (low, high) = (F32x4::splat(lo), F32x4::splat(hi));
    for (o, x) in out[..split]
        .chunks_exact_mut(LANES)
        .zip(x.chunks_exact(LANES))
    {
        F32x4::load(x).pseudo_max(low).pseudo_min(high).store(o);
    }
    for (o, &x) in out[split..].iter_mut().zip(&x[split..]) {
        *o = clamp_one(x, lo, hi);
    }
}

/// One value of [`clamp`], by comparisons (the scalar reference).
#[inline(always)]
pub fn clamp_one(x: f32, lo: f32, hi: f32) -> f32 {
    if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    }
}

/// `y[i] += alpha * x[i]` (multiply, then add: not fused).
pub fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
    assert_eq!(
        x.len(),
        y.len(),
        "axpy: `x` has {} elements but `y` has {}",
        x.len(),
        y.len()
    );
    let split = vector_part(y.len());
    let a = F32x4::splat(alpha);
    for (y, x) in y[..split]
        .chunks_exact_mut(LANES)
        .zip(x.chunks_exact(LANES))
    {
        a.mul_add(F32x4::load(x), F32x4::load(y)).store(y);
    }
    for (y, &x) in y[split..].iter_mut().zip(&x[split..]) {
        *y += alpha * x;
    }
}

#[inline(always)]
fn zip_map(
    a: &[f32],
    b: &[f32],
    out: &mut [f32],
    name: &str,
    vector: impl Fn(F32x4, F32x4) -> F32x4,
    scalar: impl Fn(f32, f32) -> f32,
) {
    assert!(
        a.len() == b.len() && a.len() == out.len(),
        "{name}: operands have {}, {} and {} (out) elements",
        a.len(),
        b.len(),
        out.len()
    );
    let split = vector_part(out.len());
    for ((o, x), y) in out[..split]
        .chunks_exact_mut(LANES)
        .zip(a.chunks_exact(LANES))
        .zip(b.chunks_exact(LANES))
    {
        vector(F32x4::load(x), F32x4::load(y)).store(o);
    }
    for ((o, &x), &y) in out[split..].iter_mut().zip(&a[split..]).zip(&b[split..]) {
        *o = scalar(x, y);
    }
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_pcg::Pcg64Mcg;

    use super::*;

    fn random(rng: &mut Pcg64Mcg, len: usize) -> Vec<f32> {
        (0..len).map(|_| rng.random_range(-10.0..10.0)).collect()
    }

    /// Lengths around the vector width, so both loops run.
    const LENGTHS: [usize; 7] = [0, 1, 3, 4, 5, 8, 103];

    #[test]
    fn binary_ops_match_scalar_arithmetic() {
        let mut rng = Pcg64Mcg::seed_from_u64(1);
        for len in LENGTHS {
            let a = random(&mut rng, len);
            let b = random(&mut rng, len);
            let mut out = vec![f32::NAN; len];
            type Op = fn(&[f32], &[f32], &mut [f32]);
            type Reference = fn(f32, f32) -> f32;
            let ops: [(Op, Reference); 3] = [
                (add, |x, y| x + y),
                (sub, |x, y| x - y),
                (mul, |x, y| x * y),
            ];
            for (op, reference) in ops {
                op(&a, &b, &mut out);
                let expected: Vec<f32> = a.iter().zip(&b).map(|(&x, &y)| reference(x, y)).collect();
                assert_eq!(out, expected, "length {len}");
            }
        }
    }

    #[test]
    fn scale_and_axpy_match_scalar_arithmetic() {
        let mut rng = Pcg64Mcg::seed_from_u64(2);
        for len in LENGTHS {
            let x = random(&mut rng, len);
            let y = random(&mut rng, len);
            let mut out = vec![f32::NAN; len];
            scale(&x, -0.3, &mut out);
            let expected: Vec<f32> = x.iter().map(|&v| -0.3 * v).collect();
            assert_eq!(out, expected, "scale, length {len}");
            let mut acc = y.clone();
            axpy(0.7, &x, &mut acc);
            let expected: Vec<f32> = x.iter().zip(&y).map(|(&x, &y)| y + 0.7 * x).collect();
            assert_eq!(acc, expected, "axpy, length {len}");
        }
    }

    #[test]
    fn multiply_accumulate_matches_scalar_arithmetic() {
        let mut rng = Pcg64Mcg::seed_from_u64(22);
        for len in LENGTHS {
            let (a, b, start) = (
                random(&mut rng, len),
                random(&mut rng, len),
                random(&mut rng, len),
            );
            let mut acc = start.clone();
            multiply_accumulate(&a, &b, &mut acc);
            let expected: Vec<f32> = (0..len).map(|i| start[i] + a[i] * b[i]).collect();
            assert_eq!(acc, expected, "length {len}");
        }
    }

    #[test]
    fn clamp_matches_the_scalar_comparisons_bit_for_bit() {
        let mut rng = Pcg64Mcg::seed_from_u64(21);
        let mut x = random(&mut rng, 37);
        x[3] = f32::NAN;
        x[4] = -0.0;
        x[5] = f32::INFINITY;
        x[6] = f32::NEG_INFINITY;
        x[35] = f32::NAN; // in the scalar tail too
        let expected: Vec<u32> = x.iter().map(|&v| v.clamp(0.0, 6.0).to_bits()).collect();
        for split in [36, 0] {
            let mut out = vec![1.0; x.len()];
            clamp_from(&x, 0.0, 6.0, &mut out, split);
            let bits: Vec<u32> = out.iter().map(|v| v.to_bits()).collect();
            assert_eq!(bits, expected, "vector part {split}");
        }
    }

    #[test]
    #[should_panic(expected = "add: operands have 3, 2 and 3 (out) elements")]
    fn mismatched_lengths_are_reported() {
        add(&[1.0; 3], &[1.0; 2], &mut [0.0; 3]);
    }
}
