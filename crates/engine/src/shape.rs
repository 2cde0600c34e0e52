//! Tensor shapes and NumPy-style broadcasting.

use std::fmt;

use crate::EngineError;

/// The extent of each axis of a row-major tensor; `[]` is a scalar.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Shape(Vec<usize>);

impl Shape {
    /// A shape from its axis lengths.
    pub fn new(dims: impl Into<Vec<usize>>) -> Self {
        Shape(dims.into())
    }

    /// The shape of a scalar.
    pub fn scalar() -> Self {
        Shape(Vec::new())
    }

    /// Axis lengths, outermost first.
    pub fn dims(&self) -> &[usize] {
        &self.0
    }

    /// Number of axes.
    pub fn rank(&self) -> usize {
        self.0.len()
    }

    /// Number of elements (1 for a scalar).
    pub fn len(&self) -> usize {
        self.0.iter().product()
    }

    /// True when the tensor holds no element at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row-major strides, in elements.
    pub fn strides(&self) -> Vec<usize> {
        let mut strides = vec![1; self.0.len()];
        for i in (0..self.0.len().saturating_sub(1)).rev() {
            strides[i] = strides[i + 1] * self.0[i + 1];
        }
        strides
    }

    /// The shape both `self` and `other` broadcast to, aligning axes from the right.
    pub fn broadcast(&self, other: &Shape) -> Result<Shape, EngineError> {
        let rank = self.rank().max(other.rank());
        let mut dims = vec![0; rank];
        for (i, dim) in dims.iter_mut().enumerate() {
            let a = self.dim_from_right(rank - 1 - i);
            let b = other.dim_from_right(rank - 1 - i);
            *dim = match (a, b) {
                (a, b) if a == b => a,
                (1, b) => b,
                (a, 1) => a,
                _ => {
                    return Err(EngineError::Shape(format!(
                        "cannot broadcast {self} with {other}"
                    )));
                }
            };
        }
        Ok(Shape(dims))
    }

    /// Strides that read `self` as if it had been broadcast to `target`
    /// (0 on every axis that is repeated). `target` must be a broadcast of `self`.
    pub fn broadcast_strides(&self, target: &Shape) -> Vec<usize> {
        let own = self.strides();
        let offset = target.rank() - self.rank();
        (0..target.rank())
            .map(|i| {
                if i < offset || self.0[i - offset] == 1 {
                    0
                } else {
                    own[i - offset]
                }
            })
            .collect()
    }

    fn dim_from_right(&self, k: usize) -> usize {
        if k < self.0.len() {
            self.0[self.0.len() - 1 - k]
        } else {
            1
        }
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl fmt::Debug for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Shape{:?}", self.0)
    }
}

impl From<&[usize]> for Shape {
    fn from(dims: &[usize]) -> Self {
        Shape(dims.to_vec())
    }
}

impl<const N: usize> From<[usize; N]> for Shape {
    fn from(dims: [usize; N]) -> Self {
        Shape(dims.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strides_are_row_major() {
        assert_eq!(Shape::new([2, 3, 4]).strides(), vec![12, 4, 1]);
        assert_eq!(Shape::scalar().strides(), Vec::<usize>::new());
        assert_eq!(Shape::scalar().len(), 1);
    }

    #[test]
    fn broadcast_aligns_from_the_right() {
        let a = Shape::new([4, 3]);
        assert_eq!(a.broadcast(&Shape::new([3])).unwrap(), a);
        assert_eq!(a.broadcast(&Shape::new([4, 1])).unwrap(), a);
        assert_eq!(a.broadcast(&Shape::scalar()).unwrap(), a);
        assert!(a.broadcast(&Shape::new([4])).is_err());
    }

    #[test]
    fn broadcast_strides_repeat_with_zero() {
        let row = Shape::new([3]);
        assert_eq!(row.broadcast_strides(&Shape::new([4, 3])), vec![0, 1]);
        let col = Shape::new([4, 1]);
        assert_eq!(col.broadcast_strides(&Shape::new([4, 3])), vec![1, 0]);
    }
}
