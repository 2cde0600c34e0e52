//! Host-side arithmetic on shapes and grids: merging axes before a strided
//! kernel, splitting `sum_to` into kept and reduced axes, and folding a count
//! of workgroups into a grid that respects WebGPU's 65535-per-dimension limit.
//!
//! Pure functions with no device, tested on their own.

use playnet_engine::Shape;

/// Most axes a strided kernel walks (the WGSL side has 8 slots).
pub(crate) const MAX_RANK: usize = 8;

/// WebGPU's default `maxComputeWorkgroupsPerDimension`.
pub(crate) const MAX_GROUPS_PER_DIM: u32 = 65_535;

/// Threads per workgroup of the one-thread-per-element kernels.
pub(crate) const THREADS: u32 = 256;

/// Axes of a strided walk over a row-major output: the output's extents and,
/// for each operand, the stride read along each axis (0 where it repeats).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Walk<const N: usize> {
    pub dims: Vec<usize>,
    pub strides: [Vec<usize>; N],
}

impl<const N: usize> Walk<N> {
    /// The walk over `dims` with the operands' `strides`, with axes of extent 1
    /// dropped and neighbouring axes merged wherever every operand steps
    /// through them as through one axis (same shapes become one axis, a bias
    /// along rows becomes two).
    pub fn merged(dims: &[usize], strides: [&[usize]; N]) -> Self {
        let mut out = Walk {
            dims: Vec::new(),
            strides: std::array::from_fn(|_| Vec::new()),
        };
        for (axis, &dim) in dims.iter().enumerate() {
            if dim == 1 {
                continue;
            }
            let mergeable = !out.dims.is_empty()
                && out
                    .strides
                    .iter()
                    .zip(&strides)
                    .all(|(merged, own)| merged.last() == Some(&(own[axis] * dim)));
            if mergeable {
                *out.dims.last_mut().expect("checked non-empty") *= dim;
                for (merged, own) in out.strides.iter_mut().zip(&strides) {
                    *merged.last_mut().expect("one stride per axis") = own[axis];
                }
            } else {
                out.dims.push(dim);
                for (merged, own) in out.strides.iter_mut().zip(&strides) {
                    merged.push(own[axis]);
                }
            }
        }
        out
    }

    /// Number of axes left.
    pub fn rank(&self) -> usize {
        self.dims.len()
    }
}

/// How `sum_to` reads `x`: output `t` sums `x` at `kept(t) + reduced(r)` for
/// every `r` below the number of reduced positions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Reduction {
    /// The target's axes (those it was not broadcast along) with x's strides.
    pub kept: Walk<1>,
    /// The axes summed over, with x's strides.
    pub reduced: Walk<1>,
}

impl Reduction {
    /// The split of `x_shape`'s axes for summing down to `target`, which
    /// must broadcast to `x_shape`.
    pub fn new(x_shape: &Shape, target: &Shape) -> Self {
        let x_strides = x_shape.strides();
        let target_strides = target.broadcast_strides(x_shape);
        let mut kept = (Vec::new(), Vec::new());
        let mut reduced = (Vec::new(), Vec::new());
        for (axis, &dim) in x_shape.dims().iter().enumerate() {
            if dim == 1 {
                continue;
            }
            // A target axis of extent > 1 has a non-zero broadcast stride.
            let side = if target_strides[axis] != 0 {
                &mut kept
            } else {
                &mut reduced
            };
            side.0.push(dim);
            side.1.push(x_strides[axis]);
        }
        Reduction {
            kept: Walk::merged(&kept.0, [&kept.1]),
            reduced: Walk::merged(&reduced.0, [&reduced.1]),
        }
    }
}

/// Writes up to [`MAX_RANK`] values into 8 `u32` slots, zero-padded.
pub(crate) fn slots(values: &[usize]) -> [u32; MAX_RANK] {
    let mut out = [0; MAX_RANK];
    for (o, &v) in out.iter_mut().zip(values) {
        *o = word(v);
    }
    out
}

/// A size or index as the `u32` the shaders use. Buffers are limited to a few
/// GiB, so every element count fits.
pub(crate) fn word(v: usize) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// A dispatch grid of at least `workgroups` workgroups: one row of up to
/// 65535, then as many rows as needed. Shaders number workgroups
/// `y · groups.x + x` and skip those past the count.
pub(crate) fn grid(workgroups: usize) -> [u32; 3] {
    let workgroups = word(workgroups).max(1);
    if workgroups <= MAX_GROUPS_PER_DIM {
        [workgroups, 1, 1]
    } else {
        [
            MAX_GROUPS_PER_DIM,
            workgroups.div_ceil(MAX_GROUPS_PER_DIM),
            1,
        ]
    }
}

/// The grid for one thread per element, [`THREADS`] to a workgroup.
pub(crate) fn element_grid(len: usize) -> [u32; 3] {
    grid(len.div_ceil(THREADS as usize))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_shapes_merge_into_one_axis() {
        let dims = [2, 3, 4];
        let s = [12, 4, 1];
        let walk = Walk::merged(&dims, [&s, &s]);
        assert_eq!(walk.dims, vec![24]);
        assert_eq!(walk.strides, [vec![1], vec![1]]);
    }

    #[test]
    fn a_bias_along_rows_stays_two_axes() {
        let target = Shape::new([5, 2, 3]);
        let a = target.strides();
        let b = Shape::new([3]).broadcast_strides(&target);
        let walk = Walk::merged(target.dims(), [&a, &b]);
        assert_eq!(walk.dims, vec![10, 3]);
        assert_eq!(walk.strides, [vec![3, 1], vec![0, 1]]);
    }

    #[test]
    fn unit_axes_vanish_and_scalars_have_rank_zero() {
        let walk = Walk::merged(&[1, 1], [&[0, 0]]);
        assert_eq!(walk.rank(), 0);
        let walk = Walk::merged(&[4, 1, 3], [&[0, 0, 1]]);
        assert_eq!(walk.dims, vec![4, 3]);
        assert_eq!(walk.strides, [vec![0, 1]]);
    }

    #[test]
    fn reductions_split_kept_and_summed_axes() {
        // Per-channel sums of NHWC: keep the last axis, sum the rest.
        let r = Reduction::new(&Shape::new([2, 3, 4, 5]), &Shape::new([5]));
        assert_eq!(
            (r.kept.dims.clone(), r.kept.strides[0].clone()),
            (vec![5], vec![1])
        );
        assert_eq!(
            (r.reduced.dims.clone(), r.reduced.strides[0].clone()),
            (vec![24], vec![5])
        );
        // Keep the middle axis.
        let r = Reduction::new(&Shape::new([2, 3, 4]), &Shape::new([3, 1]));
        assert_eq!(
            (r.kept.dims.clone(), r.kept.strides[0].clone()),
            (vec![3], vec![4])
        );
        assert_eq!(r.reduced.dims, vec![2, 4]);
        assert_eq!(r.reduced.strides[0], vec![12, 1]);
        // Everything to a scalar.
        let r = Reduction::new(&Shape::new([7, 3]), &Shape::scalar());
        assert_eq!(r.kept.rank(), 0);
        assert_eq!(r.reduced.dims, vec![21]);
    }

    #[test]
    fn grids_fold_past_the_dimension_limit() {
        assert_eq!(grid(0), [1, 1, 1]);
        assert_eq!(grid(65_535), [65_535, 1, 1]);
        assert_eq!(grid(65_536), [65_535, 2, 1]);
        assert_eq!(element_grid(257), [2, 1, 1]);
    }
}
