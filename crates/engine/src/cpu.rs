//! The reference backend: plain loops over host memory.
//!
//! Correctness and legibility come first here; every other backend is tested
//! against these kernels.

use std::future::Future;
use std::sync::Arc;

use crate::backend::{Backend, BinaryOp, LN_FLOOR, MatMul, UnaryOp};
use crate::optim::{UpdateStep, update_element};
use crate::{EngineError, Shape};

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
                let b_row = &b[p * d.n..(p + 1) * d.n];
                for (o, &b_pj) in row.iter_mut().zip(b_row) {
                    *o += a_ip * b_pj;
                }
            }
        }
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
        let strides = target.broadcast_strides(x_shape);
        let mut out = vec![0.0; target.len()];
        for (i, &v) in x.iter().enumerate() {
            out[source_index(i, x_shape, &strides)] += v;
        }
        Arc::new(out)
    }

    fn expand(&self, x: &CpuBuffer, x_shape: &Shape, target: &Shape) -> CpuBuffer {
        let strides = x_shape.broadcast_strides(target);
        Arc::new(
            (0..target.len())
                .map(|i| x[source_index(i, target, &strides)])
                .collect(),
        )
    }

    fn unary(&self, op: UnaryOp, x: &CpuBuffer) -> CpuBuffer {
        Arc::new(match op {
            UnaryOp::Activation(act) => x.iter().map(|&v| act.apply(v)).collect(),
            UnaryOp::Ln => x.iter().map(|&v| libm::logf(v.max(LN_FLOOR))).collect(),
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

    fn update(
        &self,
        param: &mut CpuBuffer,
        grad: &CpuBuffer,
        state: &mut [CpuBuffer],
        step: &UpdateStep,
    ) {
        let param = Arc::make_mut(param);
        let mut state: Vec<&mut Vec<f32>> = state.iter_mut().map(Arc::make_mut).collect();
        let mut element_state = vec![0.0; state.len()];
        for (i, (p, &g)) in param.iter_mut().zip(grad.iter()).enumerate() {
            for (slot, s) in element_state.iter_mut().zip(&state) {
                *slot = s[i];
            }
            update_element(step, p, g, &mut element_state);
            for (slot, s) in element_state.iter().zip(state.iter_mut()) {
                s[i] = *slot;
            }
        }
    }
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
    use crate::backend::ready;

    fn buf(v: &[f32]) -> CpuBuffer {
        Cpu.upload(v)
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

    #[test]
    fn readback_is_ready_at_once() {
        let data = ready(Cpu.read(&buf(&[1., 2.]))).unwrap().unwrap();
        assert_eq!(data, vec![1., 2.]);
    }
}
