//! EfficientNet-Lite0's shape: the stem, the 16 MBConv blocks of its seven
//! stages, the head and the classifier, as numbers only (no weights).

/// Channels out of the stem (a 3×3 stride-2 convolution of the RGB image).
pub const STEM: usize = 32;
/// Width of the head convolution: the length of the feature vector.
pub const FEATURES: usize = 1280;
/// ImageNet classes the classifier scores.
pub const CLASSES: usize = 1000;
/// Colour channels of the input.
pub const COLOURS: usize = 3;
/// Batch norm's epsilon in the TensorFlow original (not PyTorch's 1e-5).
pub const BN_EPSILON: f32 = 1e-3;

/// One stage: `(repeats, kernel, first stride, expansion, output channels)`.
/// Only a stage's first block has the stride.
pub const STAGES: [(usize, usize, usize, usize, usize); 7] = [
    (1, 3, 1, 1, 16),
    (2, 3, 2, 6, 24),
    (2, 5, 2, 6, 40),
    (3, 3, 2, 6, 80),
    (3, 5, 1, 6, 112),
    (4, 5, 2, 6, 192),
    (1, 3, 1, 6, 320),
];

/// One MBConv block: an optional 1×1 expansion (batch norm, ReLU6), a
/// `kernel × kernel` depthwise convolution (batch norm, ReLU6), a 1×1
/// projection (batch norm, no activation), and a residual add when the
/// block keeps its shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockSpec {
    pub input: usize,
    pub output: usize,
    /// 1: no expansion convolution.
    pub expand: usize,
    pub kernel: usize,
    pub stride: usize,
}

impl BlockSpec {
    /// Channels inside the block (after the expansion).
    pub fn hidden(&self) -> usize {
        self.input * self.expand
    }

    /// Whether the block adds its input to its output.
    pub fn residual(&self) -> bool {
        self.stride == 1 && self.input == self.output
    }
}

/// The 16 blocks in order.
pub fn blocks() -> Vec<BlockSpec> {
    let mut input = STEM;
    let mut out = Vec::new();
    for (repeats, kernel, stride, expand, output) in STAGES {
        for r in 0..repeats {
            out.push(BlockSpec {
                input,
                output,
                expand,
                kernel,
                stride: if r == 0 { stride } else { 1 },
            });
            input = output;
        }
    }
    out
}

/// Channels into the head convolution (the last block's output).
pub fn head_input() -> usize {
    STAGES[STAGES.len() - 1].4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_blocks_with_the_readme_strides_and_residuals() {
        let blocks = blocks();
        assert_eq!(blocks.len(), 16);
        let strided: Vec<usize> = (0..16).filter(|&i| blocks[i].stride == 2).collect();
        assert_eq!(strided, [1, 3, 5, 11]);
        let residual = blocks.iter().filter(|b| b.residual()).count();
        assert_eq!(residual, 9);
        assert_eq!(blocks[15].hidden(), 1152);
        assert_eq!(head_input(), 320);
    }
}
