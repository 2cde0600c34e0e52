//! Stroke datasets in one flat file (`assets/sketch-rnn/<name>.strokes`)
//! that the page and a trainer read without numpy, zip or pickle: the
//! sketch-rnn `.npz` sets converted by `cargo xtask convert-strokes`.
//!
//! The format, all integers little-endian:
//!
//! | bytes | what |
//! |---|---|
//! | 8 | magic `PNSTROKE` |
//! | 4 | `u32` version, 1 |
//! | 4 | `u32` number of splits S |
//! | 24 × S | per split: its name (16 bytes of UTF-8, padded with NULs), `u32` sequences N, `u32` rows R |
//!
//! then, for each split in the order of the headers, `(N + 1)` `u32` row
//! offsets (the first 0, the last R, never decreasing: sequence `i` is rows
//! `offsets[i]..offsets[i+1]`), then R rows of three `i16`: `dx, dy, lift`
//! (stroke-3, lift 0 or 1). Nothing follows the last split. 6 bytes a row
//! and 4 a sequence: omniglot is 6.0 MB.
//!
//! [`StrokeData::from_bytes`] checks all of it and says what is wrong (a
//! truncated file gives the bytes it needed and had).

use crate::SketchError;
use crate::strokes::Stroke3;

/// The file's first eight bytes.
pub const MAGIC: &[u8; 8] = b"PNSTROKE";
/// The format version this module reads and writes.
pub const VERSION: u32 = 1;
const NAME_BYTES: usize = 16;

/// One split (`train`, `valid`, `test`): sequences of stroke-3 rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Split {
    pub name: String,
    offsets: Vec<u32>,
    rows: Vec<[i16; 3]>,
}

impl Split {
    /// A split from its sequences; refuses a lift that is not 0 or 1 and
    /// more rows than a `u32` counts.
    pub fn new(name: &str, sequences: &[Vec<[i16; 3]>]) -> Result<Self, SketchError> {
        if name.len() > NAME_BYTES || name.contains('\0') {
            return Err(SketchError::Strokes(format!(
                "split name {name:?}: at most {NAME_BYTES} bytes, no NUL"
            )));
        }
        let mut offsets = Vec::with_capacity(sequences.len() + 1);
        let mut rows = Vec::new();
        offsets.push(0);
        for (i, s) in sequences.iter().enumerate() {
            if let Some(r) = s.iter().find(|r| !(0..=1).contains(&r[2])) {
                return Err(SketchError::Strokes(format!(
                    "{name} sequence {i} has the row {r:?}: lift must be 0 or 1"
                )));
            }
            rows.extend_from_slice(s);
            offsets
                .push(u32::try_from(rows.len()).map_err(|_| {
                    SketchError::Strokes(format!("{name} has more than 2^32 rows"))
                })?);
        }
        Ok(Split {
            name: name.into(),
            offsets,
            rows,
        })
    }

    /// Sequences.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Rows in all sequences.
    pub fn rows(&self) -> &[[i16; 3]] {
        &self.rows
    }

    /// Sequence `i`'s rows.
    pub fn sequence(&self, i: usize) -> Option<&[[i16; 3]]> {
        let (a, b) = (*self.offsets.get(i)?, *self.offsets.get(i + 1)?);
        self.rows.get(a as usize..b as usize)
    }

    /// Sequence `i` as stroke-3.
    pub fn strokes(&self, i: usize) -> Option<Vec<Stroke3>> {
        Some(
            self.sequence(i)?
                .iter()
                .map(|r| Stroke3::new(f32::from(r[0]), f32::from(r[1]), r[2] != 0))
                .collect(),
        )
    }

    /// Every sequence, in order.
    pub fn iter(&self) -> impl Iterator<Item = &[[i16; 3]]> {
        self.offsets
            .windows(2)
            .map(|w| &self.rows[w[0] as usize..w[1] as usize])
    }
}

/// A whole dataset: its splits, in file order.
#[derive(Clone, Debug, PartialEq)]
pub struct StrokeData {
    pub splits: Vec<Split>,
}

/// Reads through a byte slice, saying what was cut short.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], SketchError> {
        match self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
        {
            Some(end) => {
                let part = &self.bytes[self.at..end];
                self.at = end;
                Ok(part)
            }
            None => Err(SketchError::Strokes(format!(
                "truncated: {what} needs {n} bytes from byte {} but the file has {}",
                self.at,
                self.bytes.len()
            ))),
        }
    }

    fn u32(&mut self, what: &str) -> Result<u32, SketchError> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

impl StrokeData {
    /// The split called `name`.
    pub fn split(&self, name: &str) -> Option<&Split> {
        self.splits.iter().find(|s| s.name == name)
    }

    /// The file's bytes (see the module doc).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend(VERSION.to_le_bytes());
        out.extend((self.splits.len() as u32).to_le_bytes());
        for s in &self.splits {
            let mut name = [0u8; NAME_BYTES];
            name[..s.name.len()].copy_from_slice(s.name.as_bytes());
            out.extend(name);
            out.extend((s.len() as u32).to_le_bytes());
            out.extend((s.rows.len() as u32).to_le_bytes());
        }
        for s in &self.splits {
            out.extend(s.offsets.iter().flat_map(|o| o.to_le_bytes()));
            out.extend(s.rows.iter().flatten().flat_map(|v| v.to_le_bytes()));
        }
        out
    }

    /// Reads and checks a file.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SketchError> {
        let bad = |why: String| Err(SketchError::Strokes(why));
        let mut r = Reader { bytes, at: 0 };
        if r.take(8, "the magic")? != MAGIC {
            return bad("it does not start with PNSTROKE".into());
        }
        let version = r.u32("the version")?;
        if version != VERSION {
            return bad(format!("version {version}; this reader reads {VERSION}"));
        }
        let count = r.u32("the split count")? as usize;
        if count > 64 {
            return bad(format!("{count} splits (at most 64)"));
        }
        let mut heads = Vec::with_capacity(count);
        for k in 0..count {
            let name = r.take(NAME_BYTES, &format!("split header {k}"))?;
            let end = name.iter().position(|&b| b == 0).unwrap_or(NAME_BYTES);
            let Ok(name) = std::str::from_utf8(&name[..end]) else {
                return bad(format!("split {k}'s name is not UTF-8"));
            };
            let n = r.u32(&format!("split {name}'s count"))? as usize;
            let rows = r.u32(&format!("split {name}'s row count"))? as usize;
            heads.push((name.to_string(), n, rows));
        }
        let mut splits = Vec::with_capacity(count);
        for (name, n, rows) in heads {
            let raw = r.take(
                (n + 1).saturating_mul(4),
                &format!("{name}'s {} offsets", n + 1),
            )?;
            let offsets: Vec<u32> = raw
                .chunks_exact(4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            if offsets.first() != Some(&0)
                || offsets.last() != Some(&(rows as u32))
                || offsets.windows(2).any(|w| w[0] > w[1])
            {
                return bad(format!(
                    "{name}'s offsets do not run from 0 to its {rows} rows in order"
                ));
            }
            let raw = r.take(rows.saturating_mul(6), &format!("{name}'s {rows} rows"))?;
            let data: Vec<[i16; 3]> = raw
                .chunks_exact(6)
                .map(|b| {
                    let v = |k: usize| i16::from_le_bytes([b[2 * k], b[2 * k + 1]]);
                    [v(0), v(1), v(2)]
                })
                .collect();
            if let Some(i) = data.iter().position(|row| !(0..=1).contains(&row[2])) {
                return bad(format!(
                    "{name} row {i} has lift {}; lift is 0 or 1",
                    data[i][2]
                ));
            }
            splits.push(Split {
                name,
                offsets,
                rows: data,
            });
        }
        if r.at != bytes.len() {
            return bad(format!(
                "{} bytes follow the last split",
                bytes.len() - r.at
            ));
        }
        Ok(StrokeData { splits })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> StrokeData {
        StrokeData {
            splits: vec![
                Split::new(
                    "train",
                    &[vec![[0, 0, 0], [3, -4, 1]], vec![[0, 0, 0], [1, 2, 1]]],
                )
                .unwrap(),
                Split::new("valid", &[vec![[0, 0, 0], [-585, 600, 1]]]).unwrap(),
                Split::new("test", &[]).unwrap(),
            ],
        }
    }

    #[test]
    fn a_dataset_round_trips_through_its_bytes() {
        let data = sample();
        let bytes = data.to_bytes();
        // 16 of header, 3 × 24 of split headers, offsets and rows.
        assert_eq!(bytes.len(), 16 + 72 + (3 + 2 + 1) * 4 + 6 * 6);
        let back = StrokeData::from_bytes(&bytes).unwrap();
        assert_eq!(back, data);
        let train = back.split("train").unwrap();
        assert_eq!(train.len(), 2);
        assert_eq!(train.sequence(1), Some(&[[0, 0, 0], [1, 2, 1]][..]));
        assert_eq!(train.sequence(2), None);
        assert_eq!(train.iter().count(), 2);
        assert_eq!(
            train.strokes(0).unwrap(),
            [Stroke3::new(0.0, 0.0, false), Stroke3::new(3.0, -4.0, true)]
        );
        assert!(back.split("test").unwrap().is_empty());
    }

    #[test]
    fn truncated_and_inconsistent_files_are_refused_with_the_reason() {
        let bytes = sample().to_bytes();
        for cut in [0, 7, 12, 30, bytes.len() - 1] {
            let err = StrokeData::from_bytes(&bytes[..cut])
                .unwrap_err()
                .to_string();
            assert!(err.contains("truncated"), "{cut}: {err}");
        }
        // The last 4 bytes are test's one offset; before them, valid's rows.
        let err = StrokeData::from_bytes(&bytes[..bytes.len() - 7])
            .unwrap_err()
            .to_string();
        assert!(err.contains("valid's 2 rows needs 12 bytes"), "{err}");
        let mut extra = bytes.clone();
        extra.push(0);
        let err = StrokeData::from_bytes(&extra).unwrap_err().to_string();
        assert!(err.ends_with("1 bytes follow the last split"), "{err}");
        let mut magic = bytes.clone();
        magic[0] = b'X';
        assert!(StrokeData::from_bytes(&magic).is_err());
        let mut lift = bytes.clone();
        let n = lift.len();
        lift[n - 6] = 2; // valid's last row's lift
        let err = StrokeData::from_bytes(&lift).unwrap_err().to_string();
        assert!(err.contains("valid row 1 has lift 2"), "{err}");
        assert!(Split::new("x", &[vec![[0, 0, 3]]]).is_err());
    }
}
