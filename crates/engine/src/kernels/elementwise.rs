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
    #[should_panic(expected = "add: operands have 3, 2 and 3 (out) elements")]
    fn mismatched_lengths_are_reported() {
        add(&[1.0; 3], &[1.0; 2], &mut [0.0; 3]);
    }
}
