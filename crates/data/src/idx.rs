//! Decoding IDX files, the format MNIST (and Fashion-MNIST) ships in, and
//! the gzip they are usually compressed with.
//!
//! An IDX file is a 4-byte magic number `00 00 <type> <ndims>`, then `ndims`
//! big-endian `u32` dimensions, then the elements in row-major order. Only
//! unsigned bytes (type `0x08`) are read here: that is all MNIST uses. Labels
//! are `00 00 08 01` (one dimension), images `00 00 08 03` (count, rows,
//! columns).
//!
//! Every malformed input gives an [`IdxError`] that says what was found and
//! what was expected; nothing here panics, whatever the bytes. What is not
//! here: what the arrays mean (see [`crate::Digits`]).

use std::fmt::Write as _;
use std::io::Read as _;

use thiserror::Error;

/// The IDX element type code for unsigned bytes, the only one read here.
const TYPE_U8: u8 = 0x08;
/// The first two bytes of every gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// The most [`gunzip`] will inflate to. MNIST's largest file is 47 MB
/// uncompressed; the cap keeps a corrupt or hostile file from exhausting
/// memory (in wasm32 a failed allocation aborts the page).
pub const MAX_GUNZIP_BYTES: usize = 256 << 20;

/// A decoded IDX array of unsigned bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdxArray {
    /// The dimensions, outermost first (for MNIST images: count, rows, columns).
    pub dims: Vec<usize>,
    /// The elements in row-major order; its length is the product of `dims`.
    pub data: Vec<u8>,
}

/// Why bytes could not be read as IDX (or as an MNIST set).
///
/// Every message says what was found and what was expected, so it can be
/// shown to a person as it is.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum IdxError {
    /// Fewer bytes than the header needs.
    #[error("truncated IDX header: expected at least {expected} bytes, found {found}")]
    TruncatedHeader {
        /// The header length that was needed.
        expected: usize,
        /// The number of bytes there were.
        found: usize,
    },
    /// The first two bytes are not zero, so this is not an IDX file.
    #[error("not an IDX file: magic bytes {}{}", hex(magic), magic_hint(magic))]
    NotIdx {
        /// The first (up to four) bytes found.
        magic: Vec<u8>,
    },
    /// An element type other than unsigned bytes.
    #[error(
        "unsupported IDX element type 0x{code:02x} ({}): only unsigned bytes (0x08) are supported",
        type_name(*code)
    )]
    UnsupportedType {
        /// The type byte (the magic number's third byte).
        code: u8,
    },
    /// A header that declares no dimensions at all.
    #[error("IDX header declares 0 dimensions; expected at least 1")]
    NoDimensions,
    /// Dimensions whose product does not fit in memory.
    #[error("IDX dimensions {} are too large to hold in memory", fmt_dims(dims))]
    TooLarge {
        /// The dimensions declared.
        dims: Vec<usize>,
    },
    /// Fewer data bytes than the dimensions need.
    #[error(
        "truncated IDX data: dimensions {} need {expected} bytes of data, found {found}",
        fmt_dims(dims)
    )]
    TruncatedData {
        /// The dimensions declared.
        dims: Vec<usize>,
        /// The number of data bytes the dimensions need.
        expected: usize,
        /// The number of data bytes there were.
        found: usize,
    },
    /// More bytes than the header and the dimensions account for.
    #[error(
        "IDX file has {extra} unexpected trailing bytes after the {expected} bytes its header describes"
    )]
    TrailingBytes {
        /// Header plus data length, as declared.
        expected: usize,
        /// How many bytes follow.
        extra: usize,
    },
    /// A gzip stream that could not be inflated (truncated, bad checksum, …).
    #[error("corrupt gzip data: {message}")]
    Gzip {
        /// The decoder's description of the problem.
        message: String,
    },
    /// A gzip stream that inflates to more than [`MAX_GUNZIP_BYTES`].
    #[error("gzip data inflates to more than {limit} bytes; refusing to decompress further")]
    GzipTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// An images file whose shape is not count × rows × columns.
    #[error(
        "an images file must have 3 dimensions (count×rows×columns), this one has {}: {}",
        dims.len(),
        fmt_dims(dims)
    )]
    NotImages {
        /// The dimensions found.
        dims: Vec<usize>,
    },
    /// A labels file whose shape is not a single count.
    #[error(
        "a labels file must have 1 dimension (count), this one has {}: {}",
        dims.len(),
        fmt_dims(dims)
    )]
    NotLabels {
        /// The dimensions found.
        dims: Vec<usize>,
    },
    /// Images of a size other than the one required.
    #[error("images are {rows}×{cols} pixels; expected {expected_rows}×{expected_cols}")]
    ImageSize {
        /// Rows found.
        rows: usize,
        /// Columns found.
        cols: usize,
        /// Rows expected.
        expected_rows: usize,
        /// Columns expected.
        expected_cols: usize,
    },
    /// Images and labels files that disagree on how many examples there are.
    #[error("the images file holds {images} images but the labels file holds {labels} labels")]
    CountMismatch {
        /// Number of images.
        images: usize,
        /// Number of labels.
        labels: usize,
    },
    /// A label that is not a digit.
    #[error("label {label} at index {index} is not a digit 0–9")]
    LabelOutOfRange {
        /// Position of the label in the file.
        index: usize,
        /// The label found.
        label: u8,
    },
    /// A file that could not be read from disk.
    #[error("cannot read {path}: {message}")]
    Io {
        /// The path as given.
        path: String,
        /// The operating system's description.
        message: String,
    },
    /// Another error, with what was being read when it happened.
    #[error("{context}: {source}")]
    Context {
        /// What was being read, e.g. a file name.
        context: String,
        /// The underlying error.
        source: Box<IdxError>,
    },
}

impl IdxError {
    /// Wraps the error with what was being read (a file name, say).
    #[must_use]
    pub fn context(self, context: impl Into<String>) -> Self {
        Self::Context {
            context: context.into(),
            source: Box::new(self),
        }
    }

    /// The underlying error, with every [`IdxError::Context`] peeled off.
    pub fn root(&self) -> &IdxError {
        let mut error = self;
        while let Self::Context { source, .. } = error {
            error = source;
        }
        error
    }
}

/// Parses an uncompressed IDX file of unsigned bytes.
pub fn parse_idx(bytes: &[u8]) -> Result<IdxArray, IdxError> {
    let (dims, header) = parse_header(bytes)?;
    let data = bytes.get(header..).unwrap_or_default().to_vec();
    Ok(IdxArray { dims, data })
}

/// Parses an IDX file that may be gzip-compressed: gzip is recognised by
/// its magic bytes `1f 8b`, anything else is parsed as raw IDX.
pub fn parse_idx_gz(bytes: &[u8]) -> Result<IdxArray, IdxError> {
    if !is_gzip(bytes) {
        return parse_idx(bytes);
    }
    let mut data = gunzip(bytes)?;
    let (dims, header) = parse_header(&data)?;
    // In place: MNIST's training images are 47 MB, so no second copy.
    data.drain(..header);
    Ok(IdxArray { dims, data })
}

/// Whether the bytes start like a gzip stream.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&GZIP_MAGIC)
}

/// Inflates a gzip stream (at most [`MAX_GUNZIP_BYTES`] of output).
pub fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, IdxError> {
    // The size the gzip trailer records (mod 2³²) is only a hint for the
    // allocation; it is never trusted beyond the cap.
    let hint = bytes
        .len()
        .checked_sub(4)
        .and_then(|at| bytes.get(at..))
        .and_then(|tail| <[u8; 4]>::try_from(tail).ok())
        .map_or(0, |tail| u32::from_le_bytes(tail) as usize)
        .min(MAX_GUNZIP_BYTES);
    let mut out = Vec::with_capacity(hint);
    let limit = MAX_GUNZIP_BYTES as u64 + 1;
    flate2::read::GzDecoder::new(bytes)
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|error| IdxError::Gzip {
            message: error.to_string(),
        })?;
    if out.len() > MAX_GUNZIP_BYTES {
        return Err(IdxError::GzipTooLarge {
            limit: MAX_GUNZIP_BYTES,
        });
    }
    Ok(out)
}

/// Checks the header and the length; returns the dimensions and the header
/// length (where the data starts).
fn parse_header(bytes: &[u8]) -> Result<(Vec<usize>, usize), IdxError> {
    let Some(&[zero0, zero1, code, ndims]) = bytes.first_chunk::<4>() else {
        if bytes.len() >= 2 && bytes[..2] != [0, 0] {
            return Err(IdxError::NotIdx {
                magic: bytes.to_vec(),
            });
        }
        return Err(IdxError::TruncatedHeader {
            expected: 4,
            found: bytes.len(),
        });
    };
    if [zero0, zero1] != [0, 0] {
        return Err(IdxError::NotIdx {
            magic: bytes[..4].to_vec(),
        });
    }
    if code != TYPE_U8 {
        return Err(IdxError::UnsupportedType { code });
    }
    if ndims == 0 {
        return Err(IdxError::NoDimensions);
    }
    let header = 4 + 4 * usize::from(ndims);
    let Some(dim_bytes) = bytes.get(4..header) else {
        return Err(IdxError::TruncatedHeader {
            expected: header,
            found: bytes.len(),
        });
    };
    let dims: Vec<usize> = dim_bytes
        .chunks_exact(4)
        .map(|chunk| {
            let mut be = [0; 4];
            be.copy_from_slice(chunk);
            u32::from_be_bytes(be) as usize
        })
        .collect();
    let Some(expected) = dims
        .iter()
        .try_fold(1usize, |product, &dim| product.checked_mul(dim))
        .filter(|&size| size.checked_add(header).is_some())
    else {
        return Err(IdxError::TooLarge { dims });
    };
    let found = bytes.len() - header;
    if found < expected {
        return Err(IdxError::TruncatedData {
            dims,
            expected,
            found,
        });
    }
    if found > expected {
        return Err(IdxError::TrailingBytes {
            expected: header + expected,
            extra: found - expected,
        });
    }
    Ok((dims, header))
}

/// `60000×28×28`.
pub(crate) fn fmt_dims(dims: &[usize]) -> String {
    let parts: Vec<String> = dims.iter().map(usize::to_string).collect();
    parts.join("×")
}

/// `50 4b 03 04`.
fn hex(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (i, byte) in bytes.iter().enumerate() {
        let sep = if i == 0 { "" } else { " " };
        let _ = write!(out, "{sep}{byte:02x}");
    }
    out
}

/// A guess at what the file is instead, for the common mistakes.
fn magic_hint(magic: &[u8]) -> &'static str {
    if magic.starts_with(&GZIP_MAGIC) {
        " (this is gzip-compressed; gunzip it first)"
    } else if magic.starts_with(b"<") {
        " (this looks like HTML or XML, perhaps an error page from the server)"
    } else if magic.starts_with(b"PK") {
        " (this looks like a zip archive)"
    } else {
        " (an IDX file starts with 00 00 <type> <ndims>)"
    }
}

/// The IDX names of the element types.
fn type_name(code: u8) -> &'static str {
    match code {
        0x08 => "u8",
        0x09 => "i8",
        0x0b => "i16",
        0x0c => "i32",
        0x0d => "f32",
        0x0e => "f64",
        _ => "not an IDX type",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// An IDX file of unsigned bytes with these dimensions, data 0, 1, 2, ….
    fn idx(dims: &[u32]) -> Vec<u8> {
        let mut bytes = vec![0, 0, TYPE_U8, dims.len() as u8];
        for dim in dims {
            bytes.extend_from_slice(&dim.to_be_bytes());
        }
        let size: u32 = dims.iter().product();
        bytes.extend((0..size).map(|i| i as u8));
        bytes
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write as _;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn parses_labels_and_images() {
        let labels = parse_idx(&idx(&[5])).unwrap();
        assert_eq!(labels.dims, [5]);
        assert_eq!(labels.data, [0, 1, 2, 3, 4]);
        let images = parse_idx(&idx(&[2, 3, 4])).unwrap();
        assert_eq!(images.dims, [2, 3, 4]);
        assert_eq!(images.data.len(), 24);
        assert_eq!(images.data[23], 23);
    }

    #[test]
    fn empty_array_is_fine() {
        let array = parse_idx(&idx(&[0, 28, 28])).unwrap();
        assert_eq!(array.dims, [0, 28, 28]);
        assert!(array.data.is_empty());
    }

    #[test]
    fn gz_and_raw_give_the_same() {
        let raw = idx(&[3, 2, 2]);
        let gz = gzip(&raw);
        assert!(is_gzip(&gz));
        assert_eq!(gunzip(&gz).unwrap(), raw);
        assert_eq!(parse_idx_gz(&gz).unwrap(), parse_idx(&raw).unwrap());
        assert_eq!(parse_idx_gz(&raw).unwrap(), parse_idx(&raw).unwrap());
    }

    #[test]
    fn wrong_magic_names_the_bytes() {
        let error = parse_idx(b"PK\x03\x04rest").unwrap_err();
        assert!(matches!(error, IdxError::NotIdx { .. }));
        assert_eq!(
            error.to_string(),
            "not an IDX file: magic bytes 50 4b 03 04 (this looks like a zip archive)"
        );
        let html = parse_idx(b"<!DOCTYPE html>").unwrap_err().to_string();
        assert!(
            html.contains("3c 21 44 4f") && html.contains("HTML"),
            "{html}"
        );
        let gz = parse_idx(&gzip(&idx(&[1]))).unwrap_err().to_string();
        assert!(gz.contains("1f 8b") && gz.contains("gunzip"), "{gz}");
    }

    #[test]
    fn unsupported_type() {
        let error = parse_idx(&[0, 0, 0x0d, 1, 0, 0, 0, 0]).unwrap_err();
        assert_eq!(error, IdxError::UnsupportedType { code: 0x0d });
        assert_eq!(
            error.to_string(),
            "unsupported IDX element type 0x0d (f32): only unsigned bytes (0x08) are supported"
        );
    }

    #[test]
    fn truncated_header() {
        assert_eq!(
            parse_idx(&[]).unwrap_err().to_string(),
            "truncated IDX header: expected at least 4 bytes, found 0"
        );
        assert_eq!(
            parse_idx(&[0, 0, 8]).unwrap_err(),
            IdxError::TruncatedHeader {
                expected: 4,
                found: 3
            }
        );
        let error = parse_idx(&idx(&[2, 3, 4])[..10]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "truncated IDX header: expected at least 16 bytes, found 10"
        );
        assert_eq!(
            parse_idx(&[0, 0, 8, 0]).unwrap_err(),
            IdxError::NoDimensions
        );
    }

    #[test]
    fn truncated_data() {
        let mut bytes = vec![0, 0, 8, 3];
        for dim in [60_000u32, 28, 28] {
            bytes.extend_from_slice(&dim.to_be_bytes());
        }
        bytes.resize(16 + 1000, 0);
        assert_eq!(
            parse_idx(&bytes).unwrap_err().to_string(),
            "truncated IDX data: dimensions 60000×28×28 need 47040000 bytes of data, found 1000"
        );
    }

    #[test]
    fn trailing_bytes() {
        let mut bytes = idx(&[3]);
        bytes.extend_from_slice(&[9, 9]);
        assert_eq!(
            parse_idx(&bytes).unwrap_err().to_string(),
            "IDX file has 2 unexpected trailing bytes after the 11 bytes its header describes"
        );
    }

    #[test]
    fn huge_dimensions_are_refused_without_allocating() {
        let mut bytes = vec![0, 0, 8, 4];
        for _ in 0..4 {
            bytes.extend_from_slice(&u32::MAX.to_be_bytes());
        }
        let error = parse_idx(&bytes).unwrap_err();
        assert!(matches!(error, IdxError::TooLarge { .. }), "{error}");
    }

    #[test]
    fn corrupt_gzip() {
        let gz = gzip(&idx(&[100, 10]));
        let error = parse_idx_gz(&gz[..gz.len() / 2]).unwrap_err();
        assert!(matches!(error, IdxError::Gzip { .. }), "{error}");
        assert!(error.to_string().starts_with("corrupt gzip data: "));
        // A flipped bit in the deflate body or the checksum is caught too.
        let mut flipped = gz.clone();
        let at = flipped.len() - 6;
        flipped[at] ^= 0x40;
        assert!(matches!(parse_idx_gz(&flipped), Err(IdxError::Gzip { .. })));
    }

    #[test]
    fn context_wraps_and_root_unwraps() {
        let error = IdxError::NoDimensions.context("a.gz").context("set");
        assert_eq!(
            error.to_string(),
            "set: a.gz: IDX header declares 0 dimensions; expected at least 1"
        );
        assert_eq!(error.root(), &IdxError::NoDimensions);
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = parse_idx(&bytes);
            let _ = parse_idx_gz(&bytes);
            let _ = gunzip(&bytes);
        }

        #[test]
        fn random_bytes_after_a_valid_magic_never_panic(
            ndims in 0u8..5,
            rest in proptest::collection::vec(any::<u8>(), 0..64),
        ) {
            let mut bytes = vec![0, 0, TYPE_U8, ndims];
            bytes.extend(rest);
            if let Ok(array) = parse_idx(&bytes) {
                prop_assert_eq!(array.dims.iter().product::<usize>(), array.data.len());
            }
            let _ = parse_idx_gz(&gzip(&bytes));
        }

        #[test]
        fn corrupted_gzip_never_panics(
            at in any::<prop::sample::Index>(),
            byte in any::<u8>(),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut gz = gzip(&idx(&[4, 3, 3]));
            let i = at.index(gz.len());
            gz[i] = byte;
            let end = cut.index(gz.len() + 1);
            let _ = parse_idx_gz(&gz[..end]);
        }
    }
}
