//! The MNIST files shipped in `assets/mnist/` decode to the well-known set,
//! damaged copies of them give clear errors, and MNIST's own digits pass
//! through the drawing-pad preprocessing nearly unchanged.

use std::path::PathBuf;
use std::sync::OnceLock;

use playnet_data::{Digits, IdxError, MNIST_FILES, Mnist, gunzip, parse_idx_gz, preprocess_digit};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/mnist")
}

fn file(name: &str) -> Vec<u8> {
    let path = dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Decoded once for the whole file: the training images are 47 MB.
fn mnist() -> &'static Mnist {
    static MNIST: OnceLock<Mnist> = OnceLock::new();
    MNIST.get_or_init(|| Mnist::load_dir(dir()).expect("assets/mnist decodes"))
}

#[test]
fn sizes_and_shapes() {
    let m = mnist();
    assert_eq!(m.train.len(), 60_000);
    assert_eq!(m.test.len(), 10_000);
    for d in [&m.train, &m.test] {
        assert_eq!((d.rows, d.cols), (28, 28));
        assert_eq!(d.images.len(), d.len() * 784);
    }
}

#[test]
fn the_well_known_labels_and_pixels() {
    let m = mnist();
    assert_eq!(m.train.labels[..10], [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    assert_eq!(m.test.labels[..10], [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    assert_eq!(
        m.train.label_counts(),
        [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    );
    assert!(
        m.train
            .label_counts()
            .iter()
            .all(|&n| (5000..=7000).contains(&n))
    );
    assert_eq!(
        m.test.label_counts(),
        [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    );
    // Pixel sums stand in for the MD5s in assets/README.md.
    let sum = |d: &Digits| d.images.iter().map(|&p| u64::from(p)).sum::<u64>();
    assert_eq!(sum(&m.train), 1_567_298_545);
    assert_eq!(sum(&m.test), 264_923_200);
}

#[test]
fn batches() {
    let m = mnist();
    let mut x = Vec::new();
    m.train.to_f32_batch(&[0, 59_999], &mut x);
    assert_eq!(x.len(), 2 * 784);
    assert!(x.iter().all(|v| (0.0..=1.0).contains(v)));
    assert!(x.contains(&1.0));
    let y = m.train.one_hot(&[0, 59_999]);
    assert_eq!(y[5], 1.0);
    assert_eq!(y.iter().sum::<f32>(), 2.0);
}

/// Centre of mass in pixel-index coordinates.
fn centre_of_mass(img: &[f32]) -> (f64, f64) {
    let (mut m, mut mx, mut my) = (0.0, 0.0, 0.0);
    for (i, &v) in img.iter().enumerate() {
        let v = f64::from(v);
        m += v;
        mx += v * (i % 28) as f64;
        my += v * (i / 28) as f64;
    }
    (mx / m, my / m)
}

#[test]
fn mnist_centres_mass_where_preprocess_digit_does() {
    let m = mnist();
    let n = 10_000;
    let mut x = Vec::new();
    m.train.to_f32_batch(&(0..n).collect::<Vec<_>>(), &mut x);
    let (mut sx, mut sy) = (0.0, 0.0);
    for img in x.chunks_exact(784) {
        let (cx, cy) = centre_of_mass(img);
        sx += cx;
        sy += cy;
    }
    let (cx, cy) = (sx / n as f64, sy / n as f64);
    assert!((cx - playnet_data::DIGIT_CENTRE).abs() < 0.05, "{cx}");
    assert!((cy - playnet_data::DIGIT_CENTRE).abs() < 0.05, "{cy}");
}

/// Cosine similarity of two 28×28 images, the second shifted by (dx, dy).
fn cosine_shifted(a: &[f32], b: &[f32], dx: isize, dy: isize) -> f64 {
    let (mut dot, mut aa, mut bb) = (0.0, 0.0, 0.0);
    for y in 0..28isize {
        for x in 0..28isize {
            let va = f64::from(a[(y * 28 + x) as usize]);
            let (sx, sy) = (x + dx, y + dy);
            let vb = if (0..28).contains(&sx) && (0..28).contains(&sy) {
                f64::from(b[(sy * 28 + sx) as usize])
            } else {
                0.0
            };
            dot += va * vb;
            aa += va * va;
            bb += vb * vb;
        }
    }
    dot / (aa * bb).sqrt()
}

/// The best cosine similarity over shifts of up to one pixel each way.
fn best_cosine(a: &[f32], b: &[f32]) -> f64 {
    (-1..=1)
        .flat_map(|dy| (-1..=1).map(move |dx| (dx, dy)))
        .map(|(dx, dy)| cosine_shifted(a, b, dx, dy))
        .fold(f64::MIN, f64::max)
}

#[test]
fn mnist_digits_survive_preprocessing() {
    // An MNIST digit drawn on a 28×28 pad is already normalised, so
    // preprocessing should give back the same picture, give or take a
    // one-pixel shift where the rounded centre of mass tips the other way.
    let m = mnist();
    let n = 500;
    let mut x = Vec::new();
    m.test.to_f32_batch(&(0..n).collect::<Vec<_>>(), &mut x);
    let (mut worst, mut unshifted) = (1.0f64, 0.0);
    for img in x.chunks_exact(784) {
        let out = preprocess_digit(28, 28, img).expect("a digit has ink");
        let (cx, cy) = centre_of_mass(&out);
        assert!(
            (cx - 14.0).abs() <= 0.5 && (cy - 14.0).abs() <= 0.5,
            "{cx} {cy}"
        );
        unshifted += cosine_shifted(img, &out, 0, 0);
        worst = worst.min(best_cosine(img, &out));
    }
    let mean = unshifted / n as f64;
    assert!(mean > 0.99, "mean cosine similarity {mean}");
    assert!(
        worst > 0.99,
        "cosine similarity (best of ±1 px shifts) as low as {worst}"
    );
}

#[test]
fn mnist_digits_drawn_large_come_back() {
    // The same digits drawn ten times larger, as on a drawing pad, and
    // off-centre: the box filter and the centring undo both.
    let m = mnist();
    let n = 100;
    let mut x = Vec::new();
    m.test.to_f32_batch(&(0..n).collect::<Vec<_>>(), &mut x);
    let (side, scale, at) = (320, 10, (37, 5));
    let (mut worst, mut total) = (1.0f64, 0.0);
    for img in x.chunks_exact(784) {
        let mut pad = vec![0.0; side * side];
        for y in 0..28 * scale {
            for xx in 0..28 * scale {
                pad[(y + at.1) * side + xx + at.0] = img[(y / scale) * 28 + xx / scale];
            }
        }
        let out = preprocess_digit(side, side, &pad).expect("a digit has ink");
        let c = best_cosine(img, &out);
        total += c;
        worst = worst.min(c);
    }
    let mean = total / n as f64;
    assert!(mean > 0.99, "mean cosine similarity {mean}");
    assert!(worst > 0.99, "cosine similarity as low as {worst}");
}

#[test]
fn truncated_gzip() {
    let gz = file(MNIST_FILES[1]);
    let error = parse_idx_gz(&gz[..gz.len() / 2]).unwrap_err();
    assert!(matches!(error, IdxError::Gzip { .. }), "{error}");
    assert!(
        error.to_string().starts_with("corrupt gzip data: "),
        "{error}"
    );
}

#[test]
fn truncated_data() {
    let mut raw = gunzip(&file(MNIST_FILES[1])).unwrap();
    raw.truncate(1000);
    assert_eq!(
        parse_idx_gz(&raw).unwrap_err().to_string(),
        "truncated IDX data: dimensions 60000 need 60000 bytes of data, found 992"
    );
}

#[test]
fn wrong_magic() {
    let mut raw = gunzip(&file(MNIST_FILES[3])).unwrap();
    raw[..4].copy_from_slice(b"PK\x03\x04");
    let error = Digits::from_idx(&file(MNIST_FILES[2]), &raw).unwrap_err();
    assert_eq!(
        error.to_string(),
        "labels file: not an IDX file: magic bytes 50 4b 03 04 (this looks like a zip archive)"
    );
    assert!(matches!(error.root(), IdxError::NotIdx { .. }));
}

#[test]
fn an_html_error_page_instead_of_a_file() {
    let page = b"<!DOCTYPE html><title>404 Not Found</title>";
    let t = file(MNIST_FILES[3]);
    let error = Mnist::from_files([page, &t, &t, &t]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "MNIST training set: train-images-idx3-ubyte.gz: not an IDX file: \
         magic bytes 3c 21 44 4f (this looks like HTML or XML, perhaps an error page from the server)"
    );
}

#[test]
fn label_image_count_mismatch() {
    let error = Digits::from_idx(&file(MNIST_FILES[2]), &file(MNIST_FILES[1])).unwrap_err();
    assert_eq!(
        error,
        IdxError::CountMismatch {
            images: 10_000,
            labels: 60_000
        }
    );
    assert_eq!(
        error.to_string(),
        "the images file holds 10000 images but the labels file holds 60000 labels"
    );
}

#[test]
fn missing_directory() {
    let error = Mnist::load_dir("/nonexistent/mnist").unwrap_err();
    assert!(matches!(error, IdxError::Io { .. }), "{error}");
    assert!(
        error
            .to_string()
            .starts_with("cannot read /nonexistent/mnist/train-images-idx3-ubyte.gz: "),
        "{error}"
    );
}
