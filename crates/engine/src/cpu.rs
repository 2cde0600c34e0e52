//! The reference backend: loops over host memory.
//!
//! Correctness and legibility come first here; every other backend is tested
//! against these kernels. Matrix products, the hot spot, go to
//! [`crate::kernels::gemm()`] (SIMD128 in wasm, SSE natively, with a scalar twin).

use std::future::Future;
use std::sync::Arc;

use crate::activation::RELU6_CEILING;
use crate::backend::{
    Backend, BinaryOp, Columns, EXP_CEILING, LN_FLOOR, MatMul, RSQRT_FLOOR, UnaryOp, dropout_keeps,
};
use crate::optim::{UpdateStep, update_element_corrected};
use crate::window::Window;
use crate::{Activation, EngineError, Shape, kernels};

/// Host memory, shared cheaply between a model and the graphs that read it.
pub type CpuBuffer = Arc<Vec<f32>>;

/// The CPU backend.
#[derive(Clone, Copy, Debug, Default)]
pub struct Cpu;

impl Backend for Cpu {
    type Buffer = CpuBuffer;

    fn name(&self) -> &'static str {
        "cpu"
    }

    fn upload(&self, data: &[f32]) -> CpuBuffer {
        Arc::new(data.to_vec())
    }

    fn fill(&self, len: usize, value: f32) -> CpuBuffer {
        Arc::new(vec![value; len])
    }

    fn read(
        &self,
        buffer: &CpuBuffer,
    ) -> impl Future<Output = Result<Vec<f32>, EngineError>> + 'static {
        std::future::ready(Ok(buffer.to_vec()))
    }

    fn matmul(&self, a: &CpuBuffer, b: &CpuBuffer, d: MatMul) -> CpuBuffer {
        let mut out = vec![0.0; d.m * d.n];
        crate::kernels::gemm(d, a, b, &mut out);
        Arc::new(out)
    }

    fn binary(
        &self,
        op: BinaryOp,
        a: &CpuBuffer,
        a_shape: &Shape,
        b: &CpuBuffer,
        b_shape: &Shape,
    ) -> CpuBuffer {
        let f = match op {
            BinaryOp::Add => |x: f32, y: f32| x + y,
            BinaryOp::Sub => |x: f32, y: f32| x - y,
            BinaryOp::Mul => |x: f32, y: f32| x * y,
        };
        if a_shape == b_shape {
            return Arc::new(a.iter().zip(b.iter()).map(|(&x, &y)| f(x, y)).collect());
        }
        // The common case of a bias or a per-channel factor: `b` repeats along
        // every row of `a` (its shape is a suffix of `a`'s).
        if is_row_broadcast(b_shape, a_shape) {
            let width = b.len().max(1);
            let mut out = Vec::with_capacity(a.len());
            for row in a.chunks_exact(width) {
                out.extend(row.iter().zip(b.iter()).map(|(&x, &y)| f(x, y)));
            }
            return Arc::new(out);
        }
        let out_shape = a_shape
            .broadcast(b_shape)
            .expect("binary: the graph checks shapes before calling a kernel");
        let a_strides = a_shape.broadcast_strides(&out_shape);
        let b_strides = b_shape.broadcast_strides(&out_shape);
        let out = (0..out_shape.len())
            .map(|i| {
                let (ia, ib) = (
                    source_index(i, &out_shape, &a_strides),
                    source_index(i, &out_shape, &b_strides),
                );
                f(a[ia], b[ib])
            })
            .collect();
        Arc::new(out)
    }

    fn sum_to(&self, x: &CpuBuffer, x_shape: &Shape, target: &Shape) -> CpuBuffer {
        if is_row_broadcast(target, x_shape) {
            let mut out = vec![0.0; target.len()];
            for row in x.chunks_exact(out.len().max(1)) {
                for (o, &v) in out.iter_mut().zip(row) {
                    *o += v;
                }
            }
            return Arc::new(out);
        }
        let strides = target.broadcast_strides(x_shape);
        let mut out = vec![0.0; target.len()];
        for (i, &v) in x.iter().enumerate() {
            out[source_index(i, x_shape, &strides)] += v;
        }
        Arc::new(out)
    }

    fn expand(&self, x: &CpuBuffer, x_shape: &Shape, target: &Shape) -> CpuBuffer {
        if is_row_broadcast(x_shape, target) && !x.is_empty() {
            return Arc::new(x.iter().copied().cycle().take(target.len()).collect());
        }
        let strides = x_shape.broadcast_strides(target);
        Arc::new(
            (0..target.len())
                .map(|i| x[source_index(i, target, &strides)])
                .collect(),
        )
    }

    fn unary(&self, op: UnaryOp, x: &CpuBuffer) -> CpuBuffer {
        Arc::new(match op {
            UnaryOp::Activation(Activation::Tanh) => {
                let mut out = vec![0.0; x.len()];
                kernels::tanh::tanh_slice(x, &mut out);
                out
            }
            UnaryOp::Activation(Activation::Relu6) => {
                let mut out = vec![0.0; x.len()];
                kernels::elementwise::clamp(x, 0.0, RELU6_CEILING, &mut out);
                out
            }
            UnaryOp::Activation(act) => x.iter().map(|&v| act.apply(v)).collect(),
            UnaryOp::Ln => x.iter().map(|&v| libm::logf(v.max(LN_FLOOR))).collect(),
            UnaryOp::Rsqrt => x.iter().map(|&v| 1.0 / v.max(RSQRT_FLOOR).sqrt()).collect(),
            UnaryOp::Exp => x.iter().map(|&v| libm::expf(v.min(EXP_CEILING))).collect(),
            // Comparisons, so that a NaN stays NaN (as on the GPU).
            UnaryOp::Clamp { lo, hi } => {
                let mut out = vec![0.0; x.len()];
                kernels::elementwise::clamp(x, lo, hi, &mut out);
                out
            }
        })
    }

    fn unary_backward(
        &self,
        op: UnaryOp,
        x: &CpuBuffer,
        y: &CpuBuffer,
        grad: &CpuBuffer,
    ) -> CpuBuffer {
        let triples = x.iter().zip(y.iter()).zip(grad.iter());
        Arc::new(match op {
            UnaryOp::Activation(act) => triples
                .map(|((&x, &y), &g)| g * act.derivative(x, y))
                .collect(),
            UnaryOp::Ln => triples
                .map(|((&x, _), &g)| if x > LN_FLOOR { g / x } else { 0.0 })
                .collect(),
            UnaryOp::Rsqrt => triples
                .map(|((&x, &y), &g)| {
                    if x > RSQRT_FLOOR {
                        -0.5 * g * y * y * y
                    } else {
                        0.0
                    }
                })
                .collect(),
            UnaryOp::Exp => triples
                .map(|((&x, &y), &g)| if x < EXP_CEILING { g * y } else { 0.0 })
                .collect(),
            UnaryOp::Clamp { lo, hi } => triples
                .map(|((&x, _), &g)| if x >= lo && x <= hi { g } else { 0.0 })
                .collect(),
        })
    }

    fn scale(&self, x: &CpuBuffer, factor: f32) -> CpuBuffer {
        Arc::new(x.iter().map(|&v| v * factor).collect())
    }

    fn transpose(&self, x: &CpuBuffer, rows: usize, cols: usize) -> CpuBuffer {
        Arc::new(transpose(x, rows, cols))
    }

    fn softmax(&self, x: &CpuBuffer, rows: usize, cols: usize, log: bool) -> CpuBuffer {
        let mut out = vec![0.0; rows * cols];
        for (src, dst) in x.chunks_exact(cols).zip(out.chunks_exact_mut(cols)) {
            let max = src.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let sum: f32 = src.iter().map(|&v| libm::expf(v - max)).sum();
            let log_sum = libm::logf(sum);
            for (d, &s) in dst.iter_mut().zip(src) {
                *d = if log {
                    s - max - log_sum
                } else {
                    libm::expf(s - max) / sum
                };
            }
        }
        Arc::new(out)
    }

    fn softmax_backward(
        &self,
        y: &CpuBuffer,
        grad: &CpuBuffer,
        rows: usize,
        cols: usize,
        log: bool,
    ) -> CpuBuffer {
        let mut out = vec![0.0; rows * cols];
        for ((y, g), d) in y
            .chunks_exact(cols)
            .zip(grad.chunks_exact(cols))
            .zip(out.chunks_exact_mut(cols))
        {
            if log {
                // y = log softmax(x): dx = g − softmax(x)·Σg
                let total: f32 = g.iter().sum();
                for ((d, &y), &g) in d.iter_mut().zip(y).zip(g) {
                    *d = g - libm::expf(y) * total;
                }
            } else {
                // y = softmax(x): dx = y ⊙ (g − Σ g⊙y)
                let dot: f32 = y.iter().zip(g).map(|(&y, &g)| y * g).sum();
                for ((d, &y), &g) in d.iter_mut().zip(y).zip(g) {
                    *d = y * (g - dot);
                }
            }
        }
        Arc::new(out)
    }

    fn slice_rows(&self, x: &CpuBuffer, row_len: usize, start: usize, count: usize) -> CpuBuffer {
        Arc::new(x[start * row_len..(start + count) * row_len].to_vec())
    }

    fn move_columns(&self, x: &CpuBuffer, m: Columns) -> CpuBuffer {
        let mut out = vec![0.0; m.rows * m.out_cols];
        if m.width > 0 {
            for (row, source) in out.chunks_exact_mut(m.out_cols).zip(x.chunks_exact(m.cols)) {
                row[m.at..m.at + m.width].copy_from_slice(&source[m.from..m.from + m.width]);
            }
        }
        Arc::new(out)
    }

    fn im2col(&self, x: &CpuBuffer, w: &Window) -> CpuBuffer {
        let c = w.channels;
        let mut cols = vec![0.0; w.positions() * w.patch_len()];
        let mut rows = cols.chunks_exact_mut(w.patch_len().max(1));
        for n in 0..w.batch {
            let image = &x[n * w.height * w.width * c..];
            for oy in 0..w.out_h {
                for ox in 0..w.out_w {
                    let Some(row) = rows.next() else { break };
                    // Taps kx_lo..kx_hi of one kernel row read consecutive
                    // pixels: copy them as one run.
                    let left = (ox * w.stride) as isize - w.pad_left as isize;
                    let kx_lo = (-left).max(0) as usize;
                    let kx_hi = (w.width as isize - left).clamp(0, w.kernel_w as isize) as usize;
                    if kx_lo >= kx_hi {
                        continue;
                    }
                    for ky in 0..w.kernel_h {
                        let Some((y, x0)) = w.source(oy, ox, ky, kx_lo) else {
                            continue;
                        };
                        let run = (kx_hi - kx_lo) * c;
                        let from = (y * w.width + x0) * c;
                        let to = (ky * w.kernel_w + kx_lo) * c;
                        row[to..to + run].copy_from_slice(&image[from..from + run]);
                    }
                }
            }
        }
        Arc::new(cols)
    }

    fn col2im(&self, cols: &CpuBuffer, w: &Window) -> CpuBuffer {
        let c = w.channels;
        let mut x = vec![0.0; w.input_len()];
        let mut rows = cols.chunks_exact(w.patch_len().max(1));
        for n in 0..w.batch {
            let image = &mut x[n * w.height * w.width * c..];
            for oy in 0..w.out_h {
                for ox in 0..w.out_w {
                    let Some(row) = rows.next() else { break };
                    for ky in 0..w.kernel_h {
                        for kx in 0..w.kernel_w {
                            if let Some((y, xx)) = w.source(oy, ox, ky, kx) {
                                let to = (y * w.width + xx) * c;
                                let from = (ky * w.kernel_w + kx) * c;
                                for (d, &s) in
                                    image[to..to + c].iter_mut().zip(&row[from..from + c])
                                {
                                    *d += s;
                                }
                            }
                        }
                    }
                }
            }
        }
        Arc::new(x)
    }

    fn max_pool(&self, x: &CpuBuffer, w: &Window) -> CpuBuffer {
        let c = w.channels;
        let mut out = vec![f32::NEG_INFINITY; w.positions() * c];
        let mut cells = out.chunks_exact_mut(c.max(1));
        for n in 0..w.batch {
            let image = &x[n * w.height * w.width * c..];
            for oy in 0..w.out_h {
                for ox in 0..w.out_w {
                    let Some(cell) = cells.next() else { break };
                    for ky in 0..w.kernel_h {
                        for kx in 0..w.kernel_w {
                            if let Some((y, xx)) = w.source(oy, ox, ky, kx) {
                                let from = (y * w.width + xx) * c;
                                for (m, &v) in cell.iter_mut().zip(&image[from..from + c]) {
                                    *m = m.max(v);
                                }
                            }
                        }
                    }
                }
            }
        }
        Arc::new(out)
    }

    fn max_pool_backward(
        &self,
        x: &CpuBuffer,
        y: &CpuBuffer,
        grad: &CpuBuffer,
        w: &Window,
    ) -> CpuBuffer {
        let c = w.channels;
        let mut dx = vec![0.0; w.input_len()];
        for n in 0..w.batch {
            let base = n * w.height * w.width * c;
            for oy in 0..w.out_h {
                for ox in 0..w.out_w {
                    let cell = ((n * w.out_h + oy) * w.out_w + ox) * c;
                    for ch in 0..c {
                        let max = y[cell + ch];
                        let first = (0..w.kernel_h)
                            .flat_map(|ky| (0..w.kernel_w).map(move |kx| (ky, kx)))
                            .filter_map(|(ky, kx)| w.source(oy, ox, ky, kx))
                            .map(|(yy, xx)| base + (yy * w.width + xx) * c + ch)
                            .find(|&i| x[i] == max);
                        if let Some(i) = first {
                            dx[i] += grad[cell + ch];
                        }
                    }
                }
            }
        }
        Arc::new(dx)
    }

    fn depthwise_conv(&self, x: &CpuBuffer, filter: &CpuBuffer, w: &Window) -> CpuBuffer {
        let c = w.channels;
        let mut out = vec![0.0; w.positions() * c];
        let mut cells = out.chunks_exact_mut(c.max(1));
        for n in 0..w.batch {
            let image = &x[n * w.height * w.width * c..];
            for oy in 0..w.out_h {
                for ox in 0..w.out_w {
                    let Some(cell) = cells.next() else { break };
                    // Taps in order, each adding a whole pixel's channels
                    // (contiguous: four lanes at a time on the SIMD path).
                    for ky in 0..w.kernel_h {
                        for kx in 0..w.kernel_w {
                            let Some((y, xx)) = w.source(oy, ox, ky, kx) else {
                                continue;
                            };
                            let pixel = &image[(y * w.width + xx) * c..][..c];
                            let taps = &filter[(ky * w.kernel_w + kx) * c..][..c];
                            kernels::elementwise::multiply_accumulate(pixel, taps, cell);
                        }
                    }
                }
            }
        }
        Arc::new(out)
    }

    fn depthwise_conv_backward_input(
        &self,
        grad: &CpuBuffer,
        filter: &CpuBuffer,
        w: &Window,
    ) -> CpuBuffer {
        let c = w.channels;
        let mut dx = vec![0.0; w.input_len()];
        // Output positions ascending: each input element gets its terms in
        // the order the GPU's gather visits them.
        for n in 0..w.batch {
            let base = n * w.height * w.width * c;
            for oy in 0..w.out_h {
                for ox in 0..w.out_w {
                    let cell = &grad[((n * w.out_h + oy) * w.out_w + ox) * c..][..c];
                    for ky in 0..w.kernel_h {
                        for kx in 0..w.kernel_w {
                            let Some((y, xx)) = w.source(oy, ox, ky, kx) else {
                                continue;
                            };
                            let at = base + (y * w.width + xx) * c;
                            let taps = &filter[(ky * w.kernel_w + kx) * c..][..c];
                            kernels::elementwise::multiply_accumulate(
                                cell,
                                taps,
                                &mut dx[at..at + c],
                            );
                        }
                    }
                }
            }
        }
        Arc::new(dx)
    }

    fn depthwise_conv_backward_filter(
        &self,
        x: &CpuBuffer,
        grad: &CpuBuffer,
        w: &Window,
    ) -> CpuBuffer {
        let c = w.channels;
        let mut df = vec![0.0; w.kernel_h * w.kernel_w * c];
        for n in 0..w.batch {
            let image = &x[n * w.height * w.width * c..];
            for oy in 0..w.out_h {
                for ox in 0..w.out_w {
                    let cell = &grad[((n * w.out_h + oy) * w.out_w + ox) * c..][..c];
                    for ky in 0..w.kernel_h {
                        for kx in 0..w.kernel_w {
                            let Some((y, xx)) = w.source(oy, ox, ky, kx) else {
                                continue;
                            };
                            let pixel = &image[(y * w.width + xx) * c..][..c];
                            let tap = &mut df[(ky * w.kernel_w + kx) * c..][..c];
                            kernels::elementwise::multiply_accumulate(cell, pixel, tap);
                        }
                    }
                }
            }
        }
        Arc::new(df)
    }

    fn dropout_mask(&self, len: usize, keep: f32, seed: u64) -> CpuBuffer {
        let kept = 1.0 / keep.max(f32::MIN_POSITIVE);
        Arc::new(
            (0..len)
                .map(|i| {
                    if dropout_keeps(seed, i as u32, keep) {
                        kept
                    } else {
                        0.0
                    }
                })
                .collect(),
        )
    }

    fn update(
        &self,
        param: &mut CpuBuffer,
        grad: &CpuBuffer,
        state: &mut [CpuBuffer],
        step: &UpdateStep,
    ) {
        let param = Arc::make_mut(param);
        let corrections = step.bias_corrections();
        let update = |p: &mut f32, g: f32, slots: &mut [f32]| {
            update_element_corrected(step, corrections, p, g, slots);
        };
        // One loop per number of state slots (SGD 0, momentum 1, Adam 2),
        // so that each compiles to straight-line code per element.
        let elements = param.iter_mut().zip(grad.iter());
        match state {
            [] => elements.for_each(|(p, &g)| update(p, g, &mut [])),
            [velocity] => {
                let velocity = Arc::make_mut(velocity);
                for ((p, &g), v) in elements.zip(velocity.iter_mut()) {
                    let mut slots = [*v];
                    update(p, g, &mut slots);
                    *v = slots[0];
                }
            }
            [first, second] => {
                let (first, second) = (Arc::make_mut(first), Arc::make_mut(second));
                for (((p, &g), m), v) in elements.zip(first.iter_mut()).zip(second.iter_mut()) {
                    let mut slots = [*m, *v];
                    update(p, g, &mut slots);
                    [*m, *v] = slots;
                }
            }
            more => {
                let mut more: Vec<&mut Vec<f32>> = more.iter_mut().map(Arc::make_mut).collect();
                let mut slots = vec![0.0; more.len()];
                for (i, (p, &g)) in elements.enumerate() {
                    for (slot, s) in slots.iter_mut().zip(&more) {
                        *slot = s[i];
                    }
                    update(p, g, &mut slots);
                    for (slot, s) in slots.iter().zip(more.iter_mut()) {
                        s[i] = *slot;
                    }
                }
            }
        }
    }
}

/// True when `small` is a non-empty suffix of `big`'s dimensions (after
/// dropping leading 1s), so that `small` repeats along whole rows of `big`.
fn is_row_broadcast(small: &Shape, big: &Shape) -> bool {
    let s = small.dims();
    let s = &s[s.iter().take_while(|&&d| d == 1).count()..];
    !s.is_empty() && big.dims().ends_with(s) && !small.is_empty()
}

/// Transposes a `rows×cols` row-major matrix.
fn transpose(x: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut out = vec![0.0; rows * cols];
    for r in 0..rows {
        for c in 0..cols {
            out[c * rows + r] = x[r * cols + c];
        }
    }
    out
}

/// The index into a source tensor read with `strides` (see
/// [`Shape::broadcast_strides`]) at linear position `i` of `shape`.
fn source_index(mut i: usize, shape: &Shape, strides: &[usize]) -> usize {
    let mut index = 0;
    for (&dim, &stride) in shape.dims().iter().zip(strides).rev() {
        index += (i % dim) * stride;
        i /= dim;
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_stays_finite_and_clamp_keeps_nan() {
        let x = Cpu.upload(&[0.0, 1.0, 88.0, 1000.0, f32::NEG_INFINITY]);
        let y = Cpu.unary(UnaryOp::Exp, &x);
        assert_eq!(y[..2], [1.0, std::f32::consts::E]);
        assert_eq!(y[2], y[3]);
        assert!(y[3].is_finite() && y[4] == 0.0);
        let g = Cpu.unary_backward(UnaryOp::Exp, &x, &y, &Cpu.fill(5, 1.0));
        assert_eq!(g[..], [1.0, std::f32::consts::E, 0.0, 0.0, 0.0]);

        let clamp = UnaryOp::Clamp { lo: -1.0, hi: 2.0 };
        let x = Cpu.upload(&[-5.0, -1.0, 0.5, 2.0, 9.0, f32::NAN]);
        let y = Cpu.unary(clamp, &x);
        assert_eq!(y[..5], [-1.0, -1.0, 0.5, 2.0, 2.0]);
        assert!(y[5].is_nan());
        let g = Cpu.unary_backward(clamp, &x, &y, &Cpu.fill(6, 3.0));
        assert_eq!(g[..], [0.0, 3.0, 3.0, 3.0, 0.0, 0.0]);
    }
    use crate::backend::ready;

    fn buf(v: &[f32]) -> CpuBuffer {
        Cpu.upload(v)
    }

    #[test]
    fn update_matches_update_element_for_every_optimizer_and_penalty() {
        use crate::optim::{Optimizer, Regularization, update_element};
        let params: Vec<f32> = (0..37).map(|i| (i as f32 - 18.0) * 0.07).collect();
        let grads: Vec<f32> = (0..37).map(|i| ((i * 7) % 11) as f32 * 0.1 - 0.5).collect();
        let optimizers = [Optimizer::Sgd, Optimizer::MOMENTUM, Optimizer::ADAM];
        let penalties = [
            None,
            Some((Regularization::L1, 0.3)),
            Some((Regularization::L2, 0.1)),
        ];
        for optimizer in optimizers {
            for penalty in penalties {
                let step = UpdateStep {
                    optimizer,
                    learning_rate: 0.05,
                    step: 3,
                    penalty,
                };
                let slots = optimizer.state_slots();
                // A few steps, so that the state carries over.
                let (mut param, mut state) = (buf(&params), vec![buf(&[0.1; 37]); slots]);
                let (mut expected, mut expected_state) =
                    (params.clone(), vec![vec![0.1; 37]; slots]);
                for _ in 0..3 {
                    Cpu.update(&mut param, &buf(&grads), &mut state, &step);
                    for (i, (p, &g)) in expected.iter_mut().zip(&grads).enumerate() {
                        let mut s: Vec<f32> = expected_state.iter().map(|s| s[i]).collect();
                        update_element(&step, p, g, &mut s);
                        for (k, v) in s.into_iter().enumerate() {
                            expected_state[k][i] = v;
                        }
                    }
                }
                let what = format!("{optimizer:?} {penalty:?}");
                assert_eq!(*param, expected, "{what}");
                for (got, want) in state.iter().zip(&expected_state) {
                    assert_eq!(**got, *want, "{what} state");
                }
            }
        }
    }

    #[test]
    fn matmul_with_and_without_transposes_agree() {
        // a = [[1,2,3],[4,5,6]] (2×3), b = [[1,0],[0,1],[1,1]] (3×2)
        let a = buf(&[1., 2., 3., 4., 5., 6.]);
        let b = buf(&[1., 0., 0., 1., 1., 1.]);
        let plain = MatMul {
            m: 2,
            k: 3,
            n: 2,
            transpose_a: false,
            transpose_b: false,
        };
        assert_eq!(*Cpu.matmul(&a, &b, plain), vec![4., 5., 10., 11.]);
        let at = Cpu.transpose(&a, 2, 3);
        let bt = Cpu.transpose(&b, 3, 2);
        let both = MatMul {
            transpose_a: true,
            transpose_b: true,
            ..plain
        };
        assert_eq!(*Cpu.matmul(&at, &bt, both), vec![4., 5., 10., 11.]);
    }

    #[test]
    fn binary_broadcasts_rows_and_columns() {
        let m = buf(&[1., 2., 3., 4., 5., 6.]);
        let row = buf(&[10., 20., 30.]);
        let col = buf(&[100., 200.]);
        let s23 = Shape::new([2, 3]);
        let added = Cpu.binary(BinaryOp::Add, &m, &s23, &row, &Shape::new([3]));
        assert_eq!(*added, vec![11., 22., 33., 14., 25., 36.]);
        let scaled = Cpu.binary(BinaryOp::Mul, &col, &Shape::new([2, 1]), &m, &s23);
        assert_eq!(*scaled, vec![100., 200., 300., 800., 1000., 1200.]);
    }

    #[test]
    fn sum_to_and_expand_are_adjoint() {
        let m = buf(&[1., 2., 3., 4., 5., 6.]);
        let s23 = Shape::new([2, 3]);
        assert_eq!(*Cpu.sum_to(&m, &s23, &Shape::new([3])), vec![5., 7., 9.]);
        assert_eq!(*Cpu.sum_to(&m, &s23, &Shape::new([2, 1])), vec![6., 15.]);
        assert_eq!(*Cpu.sum_to(&m, &s23, &Shape::scalar()), vec![21.]);
        let e = Cpu.expand(&buf(&[1., 2.]), &Shape::new([2, 1]), &s23);
        assert_eq!(*e, vec![1., 1., 1., 2., 2., 2.]);
    }

    #[test]
    fn softmax_rows_sum_to_one_and_log_matches() {
        let x = buf(&[1., 2., 3., -1000., 0., 1000.]);
        let p = Cpu.softmax(&x, 2, 3, false);
        let lp = Cpu.softmax(&x, 2, 3, true);
        for row in p.chunks(3) {
            assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        }
        for (p, lp) in p.iter().zip(lp.iter()) {
            assert!((p.max(1e-30).ln() - lp).abs() < 1e-4 || *p == 0.0);
        }
        assert!(lp.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn slice_rows_takes_whole_rows() {
        let m = buf(&[1., 2., 3., 4., 5., 6.]);
        assert_eq!(*Cpu.slice_rows(&m, 2, 1, 2), vec![3., 4., 5., 6.]);
    }

    /// Direct convolution: `out[n,oy,ox,f] = Σ x[n,y,x,c]·w[ky,kx,c,f]`.
    fn naive_conv(x: &[f32], w: &[f32], win: &Window, filters: usize) -> Vec<f32> {
        let mut out = vec![0.0; win.positions() * filters];
        for n in 0..win.batch {
            for oy in 0..win.out_h {
                for ox in 0..win.out_w {
                    for f in 0..filters {
                        let mut total = 0.0;
                        for ky in 0..win.kernel_h {
                            for kx in 0..win.kernel_w {
                                let Some((y, xx)) = win.source(oy, ox, ky, kx) else {
                                    continue;
                                };
                                for c in 0..win.channels {
                                    let xi =
                                        ((n * win.height + y) * win.width + xx) * win.channels + c;
                                    let wi =
                                        ((ky * win.kernel_w + kx) * win.channels + c) * filters + f;
                                    total += x[xi] * w[wi];
                                }
                            }
                        }
                        out[((n * win.out_h + oy) * win.out_w + ox) * filters + f] = total;
                    }
                }
            }
        }
        out
    }

    #[test]
    fn im2col_then_matmul_is_a_convolution() {
        use crate::Padding;
        let x: Vec<f32> = (0..2 * 7 * 5 * 3)
            .map(|i| ((i * 37) % 11) as f32 - 5.0)
            .collect();
        for (kernel, stride, padding) in [
            (3, 1, Padding::Same),
            (4, 2, Padding::Same),
            (2, 3, Padding::Valid),
        ] {
            let win = Window::new([2, 7, 5, 3], kernel, stride, padding).unwrap();
            let w: Vec<f32> = (0..win.patch_len() * 4)
                .map(|i| ((i * 13) % 7) as f32 - 3.0)
                .collect();
            let cols = Cpu.im2col(&buf(&x), &win);
            let dims = MatMul {
                m: win.positions(),
                k: win.patch_len(),
                n: 4,
                transpose_a: false,
                transpose_b: false,
            };
            let out = Cpu.matmul(&cols, &buf(&w), dims);
            assert_eq!(
                *out,
                naive_conv(&x, &w, &win, 4),
                "k{kernel} s{stride} {padding:?}"
            );
        }
    }

    #[test]
    fn max_pool_takes_window_maxima_and_ignores_padding() {
        use crate::Padding;
        // One 3×3 single-channel image, all negative: padding (0) must not win.
        let x = buf(&[-9., -8., -7., -6., -5., -4., -3., -2., -1.]);
        let win = Window::new([1, 3, 3, 1], 2, 2, Padding::Same).unwrap();
        assert_eq!(*Cpu.max_pool(&x, &win), vec![-5., -4., -2., -1.]);
    }

    #[test]
    fn readback_is_ready_at_once() {
        let data = ready(Cpu.read(&buf(&[1., 2.]))).unwrap().unwrap();
        assert_eq!(data, vec![1., 2.]);
    }
}
