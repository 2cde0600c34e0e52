//! Recorded examples: one camera frame's class, embedding and thumbnail, as a
//! compact binary record (one IndexedDB record per example), and the
//! stratified train/held-out split the head is trained and judged on.
//!
//! A record is, little-endian throughout:
//!
//! | bytes | what |
//! |-------|------|
//! | 4 | magic `PWX1` |
//! | 4 | class (`u32`) |
//! | 4 | embedding length (`u32`, always [`EMBEDDING`]) |
//! | 4 | thumbnail length in bytes (`u32`) |
//! | 4 × embedding length | the embedding (`f32`) |
//! | thumbnail length | the thumbnail (opaque JPEG bytes) |

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_pcg::Pcg64Mcg;

use crate::{EMBEDDING, MAX_CLASSES, WebcamError};

/// The first four bytes of every record.
pub const RECORD_MAGIC: [u8; 4] = *b"PWX1";
/// Largest thumbnail a record may hold (a 64×64 JPEG is a few KiB).
pub const MAX_THUMBNAIL: usize = 1 << 20;
const HEADER: usize = 16;

/// One recorded example.
#[derive(Clone, Debug, PartialEq)]
pub struct Example {
    /// Index of the class it was recorded for.
    pub class: usize,
    /// The frame's [`EMBEDDING`] pooled features.
    pub embedding: Vec<f32>,
    /// A small JPEG of the frame, as the page made it (opaque here).
    pub thumbnail: Vec<u8>,
}

impl Example {
    /// The example as one binary record (see the module doc).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER + 4 * self.embedding.len() + self.thumbnail.len());
        out.extend_from_slice(&RECORD_MAGIC);
        for n in [self.class, self.embedding.len(), self.thumbnail.len()] {
            out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
        }
        out.extend(self.embedding.iter().flat_map(|v| v.to_le_bytes()));
        out.extend_from_slice(&self.thumbnail);
        out
    }

    /// Reads a record back, refusing one with the wrong magic or length, a
    /// class beyond [`MAX_CLASSES`], an embedding that is not [`EMBEDDING`]
    /// long or holds a NaN or an infinity.
    pub fn from_bytes(bytes: &[u8]) -> Result<Example, WebcamError> {
        let bad = |why: String| Err(WebcamError::Record(why));
        if bytes.len() < HEADER || bytes[..4] != RECORD_MAGIC {
            return bad("it is not an example record (wrong start); record it again".into());
        }
        let word = |i: usize| {
            let b = &bytes[4 + 4 * i..8 + 4 * i];
            u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize
        };
        let (class, len, thumb) = (word(0), word(1), word(2));
        if class >= MAX_CLASSES {
            return bad(format!(
                "its class {class} is beyond the {MAX_CLASSES} a project may have"
            ));
        }
        if len != EMBEDDING {
            return bad(format!(
                "its embedding has {len} values, not the {EMBEDDING} this page's extractor gives"
            ));
        }
        if thumb > MAX_THUMBNAIL {
            return bad(format!(
                "its thumbnail of {thumb} bytes is larger than the {MAX_THUMBNAIL} allowed"
            ));
        }
        let expected = HEADER + 4 * len + thumb;
        if bytes.len() != expected {
            return bad(format!(
                "it is {} bytes long but should be {expected}",
                bytes.len()
            ));
        }
        let embedding: Vec<f32> = bytes[HEADER..HEADER + 4 * len]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        if embedding.iter().any(|v| !v.is_finite()) {
            return bad("its embedding holds a value that is not a finite number".into());
        }
        Ok(Example {
            class,
            embedding,
            thumbnail: bytes[HEADER + 4 * len..].to_vec(),
        })
    }
}

/// How many of `count` examples of one class to hold out: `round(held_out ×
/// count)`, at least 1 when `held_out > 0` and the class has two or more,
/// and never all of them.
pub fn held_out_count(count: usize, held_out: f32) -> usize {
    if count < 2 || held_out.is_nan() || held_out <= 0.0 {
        return 0;
    }
    let n = (held_out.min(1.0) as f64 * count as f64).round() as usize;
    n.clamp(1, count - 1)
}

/// A stratified split of example indices into (train, held out): for each
/// class, [`held_out_count`] of its examples, chosen at random from `seed`,
/// are held out. Both lists are in ascending order; the same labels and seed
/// always give the same split. Labels `≥ classes` belong to neither list.
pub fn split(
    labels: &[usize],
    classes: usize,
    held_out: f32,
    seed: u64,
) -> (Vec<usize>, Vec<usize>) {
    let mut train = Vec::new();
    let mut held = Vec::new();
    for class in 0..classes {
        let mut members: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        let n = held_out_count(members.len(), held_out);
        let mut rng =
            Pcg64Mcg::seed_from_u64(seed ^ (class as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        members.shuffle(&mut rng);
        held.extend_from_slice(&members[..n]);
        train.extend_from_slice(&members[n..]);
    }
    train.sort_unstable();
    held.sort_unstable();
    (train, held)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> Example {
        Example {
            class: 3,
            embedding: (0..EMBEDDING).map(|i| i as f32 * 0.01).collect(),
            thumbnail: vec![0xFF, 0xD8, 1, 2, 3, 0xFF, 0xD9],
        }
    }

    #[test]
    fn a_record_round_trips() {
        let e = example();
        let bytes = e.to_bytes();
        assert_eq!(bytes.len(), 16 + 4 * EMBEDDING + 7);
        assert_eq!(Example::from_bytes(&bytes).unwrap(), e);
        let empty = Example {
            thumbnail: vec![],
            ..e
        };
        assert_eq!(Example::from_bytes(&empty.to_bytes()).unwrap(), empty);
    }

    #[test]
    fn damaged_records_are_refused_with_the_reason() {
        let bytes = example().to_bytes();
        let err = |b: &[u8]| Example::from_bytes(b).unwrap_err().to_string();
        assert!(err(&bytes[..bytes.len() - 1]).contains("bytes long"));
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(err(&longer).contains("bytes long"));
        assert!(err(&bytes[..10]).contains("not an example record"));
        let mut magic = bytes.clone();
        magic[0] = b'X';
        assert!(err(&magic).contains("not an example record"));
        let short = Example {
            embedding: vec![1.0; 10],
            ..example()
        };
        assert!(err(&short.to_bytes()).contains("10 values"));
        let far = Example {
            class: 10,
            ..example()
        };
        assert!(err(&far.to_bytes()).contains("class 10"));
        let mut nan = example();
        nan.embedding[5] = f32::NAN;
        assert!(err(&nan.to_bytes()).contains("finite"));
    }

    #[test]
    fn split_is_stratified_and_deterministic() {
        // Class 0: 10, class 1: 5, class 2: 2, class 3: 1, and a stray label.
        let mut labels = vec![0; 10];
        labels.extend([1; 5]);
        labels.extend([2; 2]);
        labels.push(3);
        labels.push(7);
        let (train, held) = split(&labels, 4, 0.2, 42);
        let count = |list: &[usize], c: usize| list.iter().filter(|&&i| labels[i] == c).count();
        assert_eq!(
            [0, 1, 2, 3].map(|c| count(&held, c)),
            [2, 1, 1, 0],
            "round(0.2 × n), at least 1 from two, none from one"
        );
        assert_eq!([0, 1, 2, 3].map(|c| count(&train, c)), [8, 4, 1, 1]);
        assert_eq!(
            train.len() + held.len(),
            labels.len() - 1,
            "label 7 in neither"
        );
        assert!(train.iter().all(|i| !held.contains(i)));
        assert!(train.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(split(&labels, 4, 0.2, 42), (train.clone(), held.clone()));
        // Another seed picks other examples (the counts stay).
        let (_, other) = split(&labels, 4, 0.2, 7);
        assert_ne!(other, held);
        assert_eq!([0, 1, 2, 3].map(|c| count(&other, c)), [2, 1, 1, 0]);
        // Never all of a class, nothing at 0.
        assert_eq!(held_out_count(3, 0.99), 2);
        assert_eq!(split(&labels, 4, 0.0, 1).1, Vec::<usize>::new());
    }
}
