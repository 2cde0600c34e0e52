//! Matrix multiplication, `out[m×n] = op(a) · op(b)`, for the CPU backend.
//!
//! The dimensions and transposes are a [`MatMul`], with exactly the meaning the
//! [`crate::Backend::matmul`] seam gives them. Three entry points:
//!
//! - [`gemm_scalar`]: the reference — three plain loops, one running sum per
//!   output element, never vectorised;
//! - [`gemm_simd`]: packed operands, a 4×8 register-blocked microkernel on
//!   [`F32x4`] accumulators, and blocking over `k`, `m` and `n` for the caches;
//! - [`gemm`]: whichever of the two [`super::simd_enabled`] selects.
//!
//! Both kernels add the products for an output element in the same order
//! (`p = 0, 1, …, k-1`, starting from `0.0`, multiply then add), so they give
//! **bit-identical** results, on every target: the SIMD switch changes speed,
//! never numbers. (That is also the order of the loops `Cpu::matmul` had before
//! it used these kernels, so switching to them changed no result.)
//!
//! Transposed operands are never copied whole: the packing step that copies a
//! cache-sized block into microkernel order reads through strides, so a
//! transpose costs nothing extra. Packing buffers (at most about 600 KB) are
//! kept per thread and reused between calls.
//!
//! Not here: multithreading, `f64`, accumulation into `out` (it is overwritten).

use std::cell::RefCell;

use super::simd::F32x4;
use crate::backend::MatMul;

/// Rows of `out` computed at once by the microkernel.
const MR: usize = 4;
/// Columns of `out` computed at once by the microkernel (two vectors).
const NR: usize = 2 * F32x4::LANES;
/// Depth of a packed block: a `KC×NR` sliver of `b` (8 KB) stays in L1.
const KC: usize = 256;
/// Rows of a packed block of `a`: `MC×KC` (64 KB) stays in L2. A multiple of `MR`.
const MC: usize = 64;
/// Columns of a packed block of `b`: `KC×NC` (512 KB) stays in L2/L3. A multiple of `NR`.
const NC: usize = 512;

/// `out = op(a) · op(b)` with the three-loop reference kernel.
///
/// # Panics
/// If a slice's length does not match `dims` (`a`: `m·k`, `b`: `k·n`, `out`: `m·n`).
pub fn gemm_scalar(dims: MatMul, a: &[f32], b: &[f32], out: &mut [f32]) {
    check_lengths(&dims, a, b, out);
    let MatMul { m, k, n, .. } = dims;
    let (a, b) = (View::lhs(&dims, a), View::rhs(&dims, b));
    for i in 0..m {
        for j in 0..n {
            let mut sum = 0.0;
            for p in 0..k {
                sum += a.at(i, p) * b.at(p, j);
            }
            out[i * n + j] = sum;
        }
    }
}

/// `out = op(a) · op(b)` with the packed, register-blocked [`F32x4`] kernel.
///
/// Bit-identical to [`gemm_scalar`]; see the module documentation.
///
/// # Panics
/// If a slice's length does not match `dims` (`a`: `m·k`, `b`: `k·n`, `out`: `m·n`).
pub fn gemm_simd(dims: MatMul, a: &[f32], b: &[f32], out: &mut [f32]) {
    check_lengths(&dims, a, b, out);
    let MatMul { m, k, n, .. } = dims;
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        out.fill(0.0);
        return;
    }
    // Packing reads op(a) as k×m (transposed) so that both operands are packed
    // the same way: slivers of consecutive columns, interleaved along k.
    let a = View::lhs(&dims, a).transposed();
    let b = View::rhs(&dims, b);

    let kc_max = KC.min(k);
    let b_len = kc_max * NC.min(n.next_multiple_of(NR));
    let a_len = kc_max * MC.min(m.next_multiple_of(MR));
    with_packing_buffer(a_len + b_len, |buffer| {
        let (a_packed, b_packed) = buffer.split_at_mut(a_len);
        for jc in (0..n).step_by(NC) {
            let nc = NC.min(n - jc);
            for pc in (0..k).step_by(KC) {
                let kc = KC.min(k - pc);
                // The first block over k overwrites `out`; later ones add to it.
                let accumulate = pc > 0;
                let b_panel = pack::<NR>(b, pc, kc, jc, nc, b_packed);
                for ic in (0..m).step_by(MC) {
                    let mc = MC.min(m - ic);
                    let a_panel = pack::<MR>(a, pc, kc, ic, mc, a_packed);
                    for (t, b_sliver) in b_panel.chunks_exact(kc * NR).enumerate() {
                        let j0 = jc + t * NR;
                        let cols = NR.min(jc + nc - j0);
                        for (s, a_sliver) in a_panel.chunks_exact(kc * MR).enumerate() {
                            let i0 = ic + s * MR;
                            let rows = MR.min(ic + mc - i0);
                            let at = i0 * n + j0;
                            if rows == MR && cols == NR {
                                microkernel(a_sliver, b_sliver, &mut out[at..], n, accumulate);
                            } else {
                                edge_tile(a_sliver, b_sliver, out, at, n, rows, cols, accumulate);
                            }
                        }
                    }
                }
            }
        }
    });
}

/// `out = op(a) · op(b)` with [`gemm_simd`] or [`gemm_scalar`], as
/// [`super::set_simd_enabled`] last chose (SIMD by default). Both give the same bits.
///
/// # Panics
/// If a slice's length does not match `dims` (`a`: `m·k`, `b`: `k·n`, `out`: `m·n`).
pub fn gemm(dims: MatMul, a: &[f32], b: &[f32], out: &mut [f32]) {
    if super::simd_enabled() {
        gemm_simd(dims, a, b, out);
    } else {
        gemm_scalar(dims, a, b, out);
    }
}

fn check_lengths(dims: &MatMul, a: &[f32], b: &[f32], out: &[f32]) {
    let MatMul { m, k, n, .. } = *dims;
    assert_eq!(
        a.len(),
        m * k,
        "gemm: `a` has {} elements but {m}×{k} needs {}",
        a.len(),
        m * k
    );
    assert_eq!(
        b.len(),
        k * n,
        "gemm: `b` has {} elements but {k}×{n} needs {}",
        b.len(),
        k * n
    );
    assert_eq!(
        out.len(),
        m * n,
        "gemm: `out` has {} elements but {m}×{n} needs {}",
        out.len(),
        m * n
    );
}

/// A matrix read through strides: element `(r, c)` is `data[r * row + c * col]`.
#[derive(Clone, Copy)]
struct View<'a> {
    data: &'a [f32],
    row: usize,
    col: usize,
}

impl<'a> View<'a> {
    /// `op(a)`, `m×k`, from `a` stored `m×k` (or `k×m` when transposed).
    fn lhs(d: &MatMul, data: &'a [f32]) -> Self {
        let (row, col) = if d.transpose_a { (1, d.m) } else { (d.k, 1) };
        Self { data, row, col }
    }

    /// `op(b)`, `k×n`, from `b` stored `k×n` (or `n×k` when transposed).
    fn rhs(d: &MatMul, data: &'a [f32]) -> Self {
        let (row, col) = if d.transpose_b { (1, d.k) } else { (d.n, 1) };
        Self { data, row, col }
    }

    fn transposed(self) -> Self {
        Self {
            data: self.data,
            row: self.col,
            col: self.row,
        }
    }

    #[inline(always)]
    fn at(&self, r: usize, c: usize) -> f32 {
        self.data[r * self.row + c * self.col]
    }
}

/// Copies rows `p0..p0+kc`, columns `x0..x0+xc` of `v` into `dst` as slivers of
/// `W` columns, each stored row after row (`kc×W`), zero-padded past `x0+xc`.
/// Returns the packed part of `dst`.
fn pack<'d, const W: usize>(
    v: View,
    p0: usize,
    kc: usize,
    x0: usize,
    xc: usize,
    dst: &'d mut [f32],
) -> &'d [f32] {
    let packed = &mut dst[..xc.div_ceil(W) * kc * W];
    for (s, sliver) in packed.chunks_exact_mut(kc * W).enumerate() {
        let xs = x0 + s * W;
        let width = W.min(x0 + xc - xs);
        for (p, row) in sliver.chunks_exact_mut(W).enumerate() {
            let start = (p0 + p) * v.row + xs * v.col;
            if v.col == 1 && width == W {
                row.copy_from_slice(&v.data[start..start + W]);
            } else {
                for (c, slot) in row.iter_mut().enumerate() {
                    *slot = if c < width {
                        v.data[start + c * v.col]
                    } else {
                        0.0
                    };
                }
            }
        }
    }
    packed
}

/// The `MR×NR` tile of `c` (row stride `ldc`) gets `Σ_p a[p][r] · b[p][c]`,
/// added to its contents when `accumulate`, else replacing them.
///
/// `a` is a packed `kc×MR` sliver, `b` a packed `kc×NR` sliver.
#[inline(always)]
fn microkernel(a: &[f32], b: &[f32], c: &mut [f32], ldc: usize, accumulate: bool) {
    const { assert!(MR == 4 && NR == 8, "the microkernel is written out for 4×8") };
    assert!(
        c.len() >= (MR - 1) * ldc + NR,
        "gemm microkernel: tile out of bounds"
    );
    // Eight named accumulators rather than an array: an array indexed in a
    // loop ends up in memory on wasm32, these stay in registers.
    let zero = F32x4::splat(0.0);
    let [
        mut c00,
        mut c01,
        mut c10,
        mut c11,
        mut c20,
        mut c21,
        mut c30,
        mut c31,
    ] = [zero; 8];
    if accumulate {
        let row = |r: usize, half: usize| F32x4::load(&c[r * ldc + half * 4..]);
        [c00, c01, c10, c11, c20, c21, c30, c31] = [
            row(0, 0),
            row(0, 1),
            row(1, 0),
            row(1, 1),
            row(2, 0),
            row(2, 1),
            row(3, 0),
            row(3, 1),
        ];
    }
    let (a, _) = a.as_chunks::<MR>();
    let (b, _) = b.as_chunks::<NR>();
    for (a, b) in a.iter().zip(b) {
        let b0 = F32x4::load(&b[..4]);
        let b1 = F32x4::load(&b[4..]);
        let a0 = F32x4::splat(a[0]);
        c00 = a0.mul_add(b0, c00);
        c01 = a0.mul_add(b1, c01);
        let a1 = F32x4::splat(a[1]);
        c10 = a1.mul_add(b0, c10);
        c11 = a1.mul_add(b1, c11);
        let a2 = F32x4::splat(a[2]);
        c20 = a2.mul_add(b0, c20);
        c21 = a2.mul_add(b1, c21);
        let a3 = F32x4::splat(a[3]);
        c30 = a3.mul_add(b0, c30);
        c31 = a3.mul_add(b1, c31);
    }
    for (r, [lo, hi]) in [[c00, c01], [c10, c11], [c20, c21], [c30, c31]]
        .into_iter()
        .enumerate()
    {
        lo.store(&mut c[r * ldc..]);
        hi.store(&mut c[r * ldc + 4..]);
    }
}

/// [`microkernel`] for a tile cut by the edge of `out`: only `rows×cols` of it
/// (starting at `out[at]`, row stride `ldc`) exist.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
fn edge_tile(
    a: &[f32],
    b: &[f32],
    out: &mut [f32],
    at: usize,
    ldc: usize,
    rows: usize,
    cols: usize,
    accumulate: bool,
) {
    let mut tile = [0.0; MR * NR];
    if accumulate {
        for r in 0..rows {
            tile[r * NR..r * NR + cols].copy_from_slice(&out[at + r * ldc..][..cols]);
        }
    }
    microkernel(a, b, &mut tile, NR, accumulate);
    for r in 0..rows {
        out[at + r * ldc..][..cols].copy_from_slice(&tile[r * NR..r * NR + cols]);
    }
}

thread_local! {
    /// Packing space, reused between calls so that GEMMs in a training loop do
    /// not allocate.
    static PACKING: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on `len` floats of scratch space (contents unspecified).
fn with_packing_buffer<R>(len: usize, f: impl FnOnce(&mut [f32]) -> R) -> R {
    PACKING.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buffer) => {
            if buffer.len() < len {
                buffer.resize(len, 0.0);
            }
            f(&mut buffer[..len])
        }
        // Only reachable if `f` itself ran a GEMM; stay correct, just allocate.
        Err(_) => f(&mut vec![0.0; len]),
    })
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_pcg::Pcg64Mcg;

    use super::*;
    use crate::kernels::{set_simd_enabled, simd_enabled};

    fn dims(m: usize, k: usize, n: usize, transpose_a: bool, transpose_b: bool) -> MatMul {
        MatMul {
            m,
            k,
            n,
            transpose_a,
            transpose_b,
        }
    }

    fn random(rng: &mut Pcg64Mcg, len: usize) -> Vec<f32> {
        (0..len).map(|_| rng.random_range(-1.0..1.0)).collect()
    }

    /// Transposes a `rows×cols` row-major matrix.
    fn transpose(x: &[f32], rows: usize, cols: usize) -> Vec<f32> {
        let mut t = vec![0.0; x.len()];
        for r in 0..rows {
            for c in 0..cols {
                t[c * rows + r] = x[r * cols + c];
            }
        }
        t
    }

    /// Every (m, k, n) the random tests try: tiny, prime, around and past the
    /// microkernel and cache block sizes.
    const SHAPES: &[(usize, usize, usize)] = &[
        (1, 1, 1),
        (1, 5, 1),
        (1, 9, 17),
        (3, 1, 2),
        (4, 4, 8),
        (5, 3, 9),
        (7, 13, 5),
        (8, 16, 16),
        (31, 17, 29),
        (12, 300, 20),
        (65, 10, 3),
        (2, 3, 530),
        (70, 260, 530),
    ];

    #[test]
    fn hand_computed_example_in_every_layout() {
        // a = [[1,2,3],[4,5,6]] (2×3), b = [[1,0],[0,1],[1,1]] (3×2)
        let a = [1., 2., 3., 4., 5., 6.];
        let b = [1., 0., 0., 1., 1., 1.];
        let expected = [4., 5., 10., 11.];
        for ta in [false, true] {
            for tb in [false, true] {
                let a = if ta { transpose(&a, 2, 3) } else { a.to_vec() };
                let b = if tb { transpose(&b, 3, 2) } else { b.to_vec() };
                let d = dims(2, 3, 2, ta, tb);
                let mut out = [f32::NAN; 4];
                gemm_scalar(d, &a, &b, &mut out);
                assert_eq!(out, expected, "scalar, transposes {ta} {tb}");
                let mut out = [f32::NAN; 4];
                gemm_simd(d, &a, &b, &mut out);
                assert_eq!(out, expected, "simd, transposes {ta} {tb}");
            }
        }
    }

    #[test]
    fn simd_agrees_with_scalar_on_random_shapes_and_transposes() {
        let mut rng = Pcg64Mcg::seed_from_u64(7);
        for &(m, k, n) in SHAPES {
            for ta in [false, true] {
                for tb in [false, true] {
                    let d = dims(m, k, n, ta, tb);
                    let a = random(&mut rng, m * k);
                    let b = random(&mut rng, k * n);
                    let mut scalar = vec![f32::NAN; m * n];
                    let mut simd = vec![f32::NAN; m * n];
                    gemm_scalar(d, &a, &b, &mut scalar);
                    gemm_simd(d, &a, &b, &mut simd);
                    let tol = 1e-5 * k as f32;
                    for (idx, (&s, &v)) in scalar.iter().zip(&simd).enumerate() {
                        assert!(
                            (s - v).abs() <= tol * s.abs().max(1.0),
                            "{d:?}, element {idx}: scalar {s}, simd {v}"
                        );
                    }
                    // Stronger than the tolerance: the summation order is the same.
                    assert_eq!(
                        scalar.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                        simd.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                        "{d:?}: not bit-identical"
                    );
                }
            }
        }
    }

    #[test]
    fn transposed_operands_give_the_untransposed_product() {
        let mut rng = Pcg64Mcg::seed_from_u64(11);
        let (m, k, n) = (31, 17, 29);
        let a = random(&mut rng, m * k);
        let b = random(&mut rng, k * n);
        let mut plain = vec![0.0; m * n];
        gemm_simd(dims(m, k, n, false, false), &a, &b, &mut plain);
        let (at, bt) = (transpose(&a, m, k), transpose(&b, k, n));
        for (ta, tb) in [(true, false), (false, true), (true, true)] {
            let a = if ta { &at } else { &a };
            let b = if tb { &bt } else { &b };
            let mut out = vec![0.0; m * n];
            gemm_simd(dims(m, k, n, ta, tb), a, b, &mut out);
            assert_eq!(out, plain, "transposes {ta} {tb}");
        }
    }

    /// The loops `Cpu::matmul` had before these kernels: copy transposed
    /// operands, then `out[i][..] += a[i][p] · b[p][..]` for each `p`.
    fn original_cpu_matmul(d: MatMul, a: &[f32], b: &[f32]) -> Vec<f32> {
        let a = if d.transpose_a {
            transpose(a, d.k, d.m)
        } else {
            a.to_vec()
        };
        let b = if d.transpose_b {
            transpose(b, d.n, d.k)
        } else {
            b.to_vec()
        };
        let mut out = vec![0.0; d.m * d.n];
        for i in 0..d.m {
            let row = &mut out[i * d.n..(i + 1) * d.n];
            for p in 0..d.k {
                let a_ip = a[i * d.k + p];
                for (o, &b_pj) in row.iter_mut().zip(&b[p * d.n..(p + 1) * d.n]) {
                    *o += a_ip * b_pj;
                }
            }
        }
        out
    }

    #[test]
    fn matches_the_original_cpu_loops_bit_for_bit() {
        let mut rng = Pcg64Mcg::seed_from_u64(3);
        for &(m, k, n) in &[(7, 13, 5), (31, 300, 29), (100, 30, 10)] {
            for ta in [false, true] {
                for tb in [false, true] {
                    let d = dims(m, k, n, ta, tb);
                    let a = random(&mut rng, m * k);
                    let b = random(&mut rng, k * n);
                    let mut out = vec![0.0; m * n];
                    gemm_simd(d, &a, &b, &mut out);
                    assert_eq!(out, original_cpu_matmul(d, &a, &b), "{d:?}");
                }
            }
        }
    }

    #[test]
    fn empty_inner_dimension_gives_zeros() {
        for gemm in [gemm_scalar, gemm_simd] {
            let mut out = vec![f32::NAN; 3 * 5];
            gemm(dims(3, 0, 5, false, false), &[], &[], &mut out);
            assert_eq!(out, vec![0.0; 15]);
            let mut out = vec![f32::NAN; 2];
            gemm(dims(1, 0, 2, true, true), &[], &[], &mut out);
            assert_eq!(out, vec![0.0; 2]);
        }
    }

    #[test]
    fn empty_outputs_are_fine() {
        for gemm in [gemm_scalar, gemm_simd] {
            gemm(dims(0, 3, 4, false, false), &[], &[0.0; 12], &mut []);
            gemm(dims(2, 3, 0, false, true), &[0.0; 6], &[], &mut []);
        }
    }

    #[test]
    fn output_is_overwritten_not_accumulated() {
        let mut rng = Pcg64Mcg::seed_from_u64(5);
        let (m, k, n) = (9, 600, 11); // several blocks over k
        let a = random(&mut rng, m * k);
        let b = random(&mut rng, k * n);
        let d = dims(m, k, n, false, false);
        let mut fresh = vec![0.0; m * n];
        gemm_simd(d, &a, &b, &mut fresh);
        let mut reused = vec![1e6; m * n];
        gemm_simd(d, &a, &b, &mut reused);
        assert_eq!(reused, fresh);
    }

    #[test]
    fn the_switch_selects_the_kernel_and_both_agree() {
        let mut rng = Pcg64Mcg::seed_from_u64(9);
        let d = dims(13, 21, 17, false, true);
        let a = random(&mut rng, 13 * 21);
        let b = random(&mut rng, 21 * 17);
        let before = simd_enabled();
        let mut outs = Vec::new();
        for on in [false, true] {
            set_simd_enabled(on);
            assert_eq!(simd_enabled(), on);
            let mut out = vec![0.0; 13 * 17];
            gemm(d, &a, &b, &mut out);
            outs.push(out);
        }
        set_simd_enabled(before);
        assert_eq!(outs[0], outs[1]);
    }

    #[test]
    #[should_panic(expected = "`b` has 5 elements but 3×2 needs 6")]
    fn wrong_lengths_are_reported() {
        let mut out = [0.0; 4];
        gemm_simd(dims(2, 3, 2, false, false), &[0.0; 6], &[0.0; 5], &mut out);
    }
}
