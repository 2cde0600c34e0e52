//! MNIST: 60,000 training and 10,000 test images of handwritten digits,
//! 28×28 grey levels, with their labels.
//!
//! The four IDX files ship, gzip-compressed, in the project's
//! `assets/mnist/` (names in [`MNIST_FILES`]). The page fetches them and
//! calls [`Mnist::from_files`]; natively, [`Mnist::load_dir`] reads them
//! from a directory. [`Digits`] holds one half (train or test) and turns a
//! batch of indices into the `f32` inputs and one-hot targets a network is
//! fed.
//!
//! What is not here: drawing your own digit (see [`crate::preprocess_digit`])
//! and anything to do with networks.

use crate::idx::{IdxArray, IdxError, parse_idx_gz};

/// Image height and width of MNIST digits, in pixels.
pub const MNIST_SIDE: usize = 28;
/// Number of classes (the digits 0–9).
pub const MNIST_CLASSES: usize = 10;

/// The four MNIST files, in the order [`Mnist::from_files`] takes them:
/// training images, training labels, test images, test labels.
pub const MNIST_FILES: [&str; 4] = [
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
];

/// Labelled grey-level images, all the same size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digits {
    /// `len() × rows × cols` pixels, row-major, 0 (background) to 255 (ink).
    pub images: Vec<u8>,
    /// One label 0–9 per image.
    pub labels: Vec<u8>,
    /// Image height in pixels.
    pub rows: usize,
    /// Image width in pixels.
    pub cols: usize,
}

impl Digits {
    /// Decodes an images file and a labels file (each gzip-compressed or
    /// raw IDX) and checks that they belong together: as many labels as
    /// images, every label a digit 0–9.
    pub fn from_idx(images: &[u8], labels: &[u8]) -> Result<Digits, IdxError> {
        Self::from_named_idx(images, labels, "images file", "labels file")
    }

    /// [`Digits::from_idx`], with the names that decoding errors carry.
    fn from_named_idx(
        images: &[u8],
        labels: &[u8],
        images_name: &str,
        labels_name: &str,
    ) -> Result<Digits, IdxError> {
        let images = parse_idx_gz(images).map_err(|error| error.context(images_name))?;
        let labels = parse_idx_gz(labels).map_err(|error| error.context(labels_name))?;
        Self::from_arrays(images, labels)
    }

    /// Checks decoded arrays: images `count × rows × cols`, labels `count`,
    /// every label 0–9.
    pub fn from_arrays(images: IdxArray, labels: IdxArray) -> Result<Digits, IdxError> {
        let &[count, rows, cols] = images.dims.as_slice() else {
            return Err(IdxError::NotImages { dims: images.dims });
        };
        let &[label_count] = labels.dims.as_slice() else {
            return Err(IdxError::NotLabels { dims: labels.dims });
        };
        if count != label_count {
            return Err(IdxError::CountMismatch {
                images: count,
                labels: label_count,
            });
        }
        if let Some((index, &label)) = labels
            .data
            .iter()
            .enumerate()
            .find(|&(_, &label)| usize::from(label) >= MNIST_CLASSES)
        {
            return Err(IdxError::LabelOutOfRange { index, label });
        }
        Ok(Digits {
            images: images.data,
            labels: labels.data,
            rows,
            cols,
        })
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Pixels per image (`rows × cols`).
    pub fn pixels(&self) -> usize {
        self.rows * self.cols
    }

    /// The pixels of image `i`, row-major. Panics if `i >= len()`.
    pub fn image(&self, i: usize) -> &[u8] {
        let size = self.pixels();
        &self.images[i * size..(i + 1) * size]
    }

    /// Writes the images at `indices` into `out` (cleared first) as `f32`
    /// in 0..=1 (pixel / 255): `indices.len() × rows × cols` values, which is
    /// NHWC with one channel. Panics if an index is `>= len()`.
    pub fn to_f32_batch(&self, indices: &[usize], out: &mut Vec<f32>) {
        out.clear();
        out.reserve(indices.len() * self.pixels());
        for &i in indices {
            out.extend(self.image(i).iter().map(|&p| f32::from(p) / 255.0));
        }
    }

    /// One-hot targets for the images at `indices`: `indices.len() × 10`
    /// values, 1 at the label's position and 0 elsewhere. Panics if an index
    /// is `>= len()`.
    pub fn one_hot(&self, indices: &[usize]) -> Vec<f32> {
        let mut out = vec![0.0; indices.len() * MNIST_CLASSES];
        for (row, &i) in out.chunks_exact_mut(MNIST_CLASSES).zip(indices) {
            row[usize::from(self.labels[i])] = 1.0;
        }
        out
    }

    /// How many images of each digit there are.
    pub fn label_counts(&self) -> [usize; MNIST_CLASSES] {
        let mut counts = [0; MNIST_CLASSES];
        for &label in &self.labels {
            counts[usize::from(label)] += 1;
        }
        counts
    }
}

/// The whole MNIST set: its training and its test half.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mnist {
    /// 60,000 training images.
    pub train: Digits,
    /// 10,000 test images.
    pub test: Digits,
}

impl Mnist {
    /// Decodes the four files' bytes, in [`MNIST_FILES`] order (gzip or raw
    /// IDX). Errors name the file. Images must be 28×28.
    pub fn from_files(files: [&[u8]; 4]) -> Result<Mnist, IdxError> {
        let [train_images, train_labels, test_images, test_labels] = files;
        let [
            train_images_name,
            train_labels_name,
            test_images_name,
            test_labels_name,
        ] = MNIST_FILES;
        let train = Digits::from_named_idx(
            train_images,
            train_labels,
            train_images_name,
            train_labels_name,
        )
        .and_then(check_side)
        .map_err(|error| error.context("MNIST training set"))?;
        let test =
            Digits::from_named_idx(test_images, test_labels, test_images_name, test_labels_name)
                .and_then(check_side)
                .map_err(|error| error.context("MNIST test set"))?;
        Ok(Mnist { train, test })
    }

    /// Reads the four [`MNIST_FILES`] from a directory (for each, the
    /// uncompressed file without `.gz` is used when the `.gz` is missing).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn load_dir(dir: impl AsRef<std::path::Path>) -> Result<Mnist, IdxError> {
        let dir = dir.as_ref();
        let read = |name: &str| -> Result<Vec<u8>, IdxError> {
            let gz = dir.join(name);
            let raw = dir.join(name.trim_end_matches(".gz"));
            let path = if !gz.exists() && raw.exists() {
                raw
            } else {
                gz
            };
            std::fs::read(&path).map_err(|error| IdxError::Io {
                path: path.display().to_string(),
                message: error.to_string(),
            })
        };
        let files = [
            read(MNIST_FILES[0])?,
            read(MNIST_FILES[1])?,
            read(MNIST_FILES[2])?,
            read(MNIST_FILES[3])?,
        ];
        Mnist::from_files([&files[0], &files[1], &files[2], &files[3]])
    }
}

/// MNIST's images are 28×28; anything else is the wrong file.
fn check_side(digits: Digits) -> Result<Digits, IdxError> {
    if (digits.rows, digits.cols) != (MNIST_SIDE, MNIST_SIDE) {
        return Err(IdxError::ImageSize {
            rows: digits.rows,
            cols: digits.cols,
            expected_rows: MNIST_SIDE,
            expected_cols: MNIST_SIDE,
        });
    }
    Ok(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A raw IDX file of unsigned bytes.
    fn idx(dims: &[u32], data: &[u8]) -> Vec<u8> {
        let mut bytes = vec![0, 0, 8, dims.len() as u8];
        for dim in dims {
            bytes.extend_from_slice(&dim.to_be_bytes());
        }
        bytes.extend_from_slice(data);
        bytes
    }

    fn tiny() -> Digits {
        // Three 2×2 images: pixel values 0..12.
        let pixels: Vec<u8> = (0..12).map(|i| i * 20).collect();
        Digits::from_idx(&idx(&[3, 2, 2], &pixels), &idx(&[3], &[7, 0, 9])).unwrap()
    }

    #[test]
    fn decodes_and_indexes() {
        let digits = tiny();
        assert_eq!((digits.len(), digits.rows, digits.cols), (3, 2, 2));
        assert_eq!(digits.image(1), [80, 100, 120, 140]);
        assert_eq!(digits.label_counts()[7], 1);
    }

    #[test]
    fn batches_scale_to_unit_range() {
        let digits = tiny();
        let mut out = vec![42.0; 3];
        digits.to_f32_batch(&[2, 0], &mut out);
        assert_eq!(out.len(), 8);
        assert_eq!(out[0], 160.0 / 255.0);
        assert_eq!(out[4], 0.0);
        let hot = digits.one_hot(&[2, 0]);
        assert_eq!(hot.len(), 20);
        assert_eq!(hot[9], 1.0);
        assert_eq!(hot[10 + 7], 1.0);
        assert_eq!(hot.iter().sum::<f32>(), 2.0);
    }

    #[test]
    fn mismatched_counts() {
        let error =
            Digits::from_idx(&idx(&[2, 1, 1], &[0, 0]), &idx(&[3], &[0, 1, 2])).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the images file holds 2 images but the labels file holds 3 labels"
        );
    }

    #[test]
    fn bad_label() {
        let error = Digits::from_idx(&idx(&[2, 1, 1], &[0, 0]), &idx(&[2], &[3, 10])).unwrap_err();
        assert_eq!(
            error,
            IdxError::LabelOutOfRange {
                index: 1,
                label: 10
            }
        );
        assert_eq!(error.to_string(), "label 10 at index 1 is not a digit 0–9");
    }

    #[test]
    fn swapped_files() {
        let images = idx(&[2, 1, 1], &[0, 0]);
        let labels = idx(&[2], &[0, 1]);
        let error = Digits::from_idx(&labels, &images).unwrap_err();
        assert_eq!(
            error.to_string(),
            "an images file must have 3 dimensions (count×rows×columns), this one has 1: 2"
        );
    }

    #[test]
    fn errors_name_the_file() {
        let labels = idx(&[1], &[0]);
        let image = idx(&[1, 28, 28], &[0; 784]);
        let error = Mnist::from_files([b"oops", &labels, &image, &labels]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "MNIST training set: train-images-idx3-ubyte.gz: not an IDX file: \
             magic bytes 6f 6f 70 73 (an IDX file starts with 00 00 <type> <ndims>)"
        );
        let small = idx(&[1, 2, 2], &[0; 4]);
        let error = Mnist::from_files([&image, &labels, &small, &labels]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "MNIST test set: images are 2×2 pixels; expected 28×28"
        );
    }
}
