//! numpy's `.npz` archives of pickled object arrays, as the sketch-rnn
//! stroke datasets ship them: a zip of `.npy` files, each a pickled object
//! array whose elements are `<i2` arrays of shape `(len, 3)` (stroke-3 rows).
//!
//! The zip is read from its central directory (stored or deflate entries,
//! each checked against its CRC-32 and size; no zip64, which files this
//! small never need), the `.npy` header is checked for an object array, and
//! the pickle is run by [`crate::pickle`], which imports and calls nothing:
//! this module reads its value tree, the `numpy.core.multiarray._reconstruct`
//! calls and the state their `BUILD`s give them, as the arrays they describe.
//! Only the converter (`cargo xtask convert-strokes`) needs this: the page
//! reads the flat files of `playnet_sketch::dataset`.

use std::borrow::Cow;
use std::io::Read as _;

use crate::ModelError;
use crate::pickle::{self, Value};

fn bad(file: &str, reason: impl Into<String>) -> ModelError {
    ModelError::Npz {
        file: file.into(),
        reason: reason.into(),
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The entries of a zip archive, in the central directory's order:
/// `(name, uncompressed bytes)`.
pub fn unzip(bytes: &[u8], file: &str) -> Result<Vec<(String, Vec<u8>)>, ModelError> {
    const END: [u8; 4] = *b"PK\x05\x06";
    // The end record is 22 bytes plus a comment of up to 65,535.
    let earliest = bytes.len().saturating_sub(22 + 65_535);
    let end = (earliest..bytes.len().saturating_sub(21))
        .rev()
        .find(|&i| bytes[i..i + 4] == END)
        .ok_or_else(|| {
            bad(
                file,
                "no end of central directory: not a zip file, or truncated",
            )
        })?;
    let truncated = || bad(file, "the central directory is truncated");
    let count = usize::from(u16_at(bytes, end + 10).ok_or_else(truncated)?);
    let mut at = u32_at(bytes, end + 16).ok_or_else(truncated)? as usize;
    let mut entries = Vec::with_capacity(count);
    for _ in 0..count {
        if bytes.get(at..at + 4) != Some(b"PK\x01\x02") {
            return Err(bad(
                file,
                format!("no central directory entry at byte {at}"),
            ));
        }
        let field = |o: usize| u16_at(bytes, at + o).ok_or_else(truncated);
        let method = field(10)?;
        let crc = u32_at(bytes, at + 16).ok_or_else(truncated)?;
        let packed = u32_at(bytes, at + 20).ok_or_else(truncated)? as usize;
        let size = u32_at(bytes, at + 24).ok_or_else(truncated)? as usize;
        let (name_len, extra_len, comment_len) = (field(28)?, field(30)?, field(32)?);
        let local = u32_at(bytes, at + 42).ok_or_else(truncated)? as usize;
        let name = bytes
            .get(at + 46..at + 46 + usize::from(name_len))
            .ok_or_else(truncated)?;
        let name = String::from_utf8_lossy(name).into_owned();
        at += 46 + usize::from(name_len) + usize::from(extra_len) + usize::from(comment_len);

        let entry = |reason: String| bad(file, format!("{name}: {reason}"));
        if packed == u32::MAX as usize || size == u32::MAX as usize {
            return Err(entry(
                "a zip64 entry, which this reader does not handle".into(),
            ));
        }
        if bytes.get(local..local + 4) != Some(b"PK\x03\x04") {
            return Err(entry(format!("no local header at byte {local}")));
        }
        let local_name = u16_at(bytes, local + 26).ok_or_else(truncated)?;
        let local_extra = u16_at(bytes, local + 28).ok_or_else(truncated)?;
        let start = local + 30 + usize::from(local_name) + usize::from(local_extra);
        let data = bytes.get(start..start + packed).ok_or_else(|| {
            entry(format!(
                "its {packed} bytes from byte {start} run past the end ({} bytes): truncated",
                bytes.len()
            ))
        })?;
        let out = match method {
            0 => data.to_vec(),
            8 => {
                let mut out = Vec::with_capacity(size);
                flate2::read::DeflateDecoder::new(data)
                    .take(size as u64 + 1)
                    .read_to_end(&mut out)
                    .map_err(|e| entry(format!("cannot inflate ({e})")))?;
                out
            }
            m => {
                return Err(entry(format!(
                    "compression method {m} (only 0 and 8 are read)"
                )));
            }
        };
        if out.len() != size {
            return Err(entry(format!(
                "{} bytes, the directory says {size}",
                out.len()
            )));
        }
        let mut check = flate2::Crc::new();
        check.update(&out);
        if check.sum() != crc {
            return Err(entry(format!(
                "CRC-32 {:08x}, the directory says {crc:08x}: corrupt",
                check.sum()
            )));
        }
        entries.push((name, out));
    }
    Ok(entries)
}

/// The `.npy` header's dictionary and where the data start.
fn npy_header<'a>(bytes: &'a [u8], file: &str) -> Result<(&'a str, usize), ModelError> {
    if !bytes.starts_with(b"\x93NUMPY") {
        return Err(bad(file, "not a .npy file (no \\x93NUMPY magic)"));
    }
    let major = *bytes.get(6).ok_or_else(|| bad(file, "truncated header"))?;
    let (len, from) = match major {
        1 => (u16_at(bytes, 8).map(usize::from), 10),
        2 | 3 => (u32_at(bytes, 8).map(|v| v as usize), 12),
        v => return Err(bad(file, format!(".npy format version {v}"))),
    };
    let len = len.ok_or_else(|| bad(file, "truncated header"))?;
    let header = bytes
        .get(from..from + len)
        .ok_or_else(|| bad(file, "truncated header"))?;
    let header = std::str::from_utf8(header).map_err(|_| bad(file, "a header that is not text"))?;
    Ok((header, from + len))
}

/// Text from a string, or (`latin1`, as numpy loads Python 2 pickles) from bytes.
fn text(v: &Value) -> Option<String> {
    match v {
        Value::Str(s) => Some(s.clone()),
        Value::Bytes(b) => Some(b.iter().map(|&c| char::from(c)).collect()),
        _ => None,
    }
}

/// Bytes, or a string as `latin1` bytes (how numpy reads Python 2 data that
/// arrived as text).
fn bytes_of(v: &Value) -> Option<Cow<'_, [u8]>> {
    match v {
        Value::Bytes(b) => Some(Cow::Borrowed(b)),
        Value::Str(s) => s
            .chars()
            .map(|c| u8::try_from(u32::from(c)).ok())
            .collect::<Option<Vec<u8>>>()
            .map(Cow::Owned),
        _ => None,
    }
}

/// Whether a value is a call (built or not), as arrays and dtypes are.
fn is_call(v: &Value) -> bool {
    match v {
        Value::Build { object, .. } => matches!(**object, Value::Reduce { .. }),
        Value::Reduce { .. } => true,
        _ => false,
    }
}

/// A call's callable, its arguments and the state a `BUILD` gave it.
fn call_of(v: &Value) -> Option<(&Value, &[Value], Option<&Value>)> {
    let (object, state) = match v {
        Value::Build { object, state } => (&**object, Some(&**state)),
        other => (other, None),
    };
    let Value::Reduce { callable, args } = object else {
        return None;
    };
    Some((callable, args.as_sequence().unwrap_or_default(), state))
}

/// `module.name` of a global, or the kind of whatever else was called.
fn callable_name(v: &Value) -> String {
    match v {
        Value::Global { module, name } => format!("{module}.{name}"),
        other => format!("a {}", other.kind()),
    }
}

/// What a numpy `_reconstruct`ed array's `BUILD` state says:
/// `(version, shape, dtype, fortran_order, data)`.
struct ArrayState<'a> {
    shape: Vec<usize>,
    dtype: &'a Value,
    fortran: bool,
    data: &'a Value,
}

fn array_state<'a>(v: &'a Value, file: &str, what: &str) -> Result<ArrayState<'a>, ModelError> {
    let err = |why: &str| bad(file, format!("{what}: {why}"));
    let (callable, _, state) = call_of(v).ok_or_else(|| err("not an array"))?;
    if !callable.is_global("numpy.core.multiarray", "_reconstruct") {
        return Err(err(&format!(
            "made by {}, not numpy.core.multiarray._reconstruct",
            callable_name(callable)
        )));
    }
    let state = state.ok_or_else(|| err("an array with no state"))?;
    let items = state
        .as_sequence()
        .ok_or_else(|| err("an array state that is not a tuple"))?;
    let [_, shape, dtype, fortran, data] = items else {
        return Err(err(&format!(
            "an array state of {} items, not 5",
            items.len()
        )));
    };
    let shape = shape
        .as_sequence()
        .ok_or_else(|| err("a shape that is not a tuple"))?
        .iter()
        .map(|d| d.as_int().and_then(|n| usize::try_from(n).ok()))
        .collect::<Option<Vec<usize>>>()
        .ok_or_else(|| err("a shape that is not whole numbers"))?;
    let fortran = matches!(fortran, Value::Bool(true) | Value::Int(1));
    Ok(ArrayState {
        shape,
        dtype,
        fortran,
        data,
    })
}

/// A dtype object's type string (`i2`, `O8`) and byte order (`<`, `|`, …).
fn dtype_of(v: &Value, file: &str, what: &str) -> Result<(String, String), ModelError> {
    let err = |why: &str| bad(file, format!("{what}: {why}"));
    let (callable, args, state) =
        call_of(v).ok_or_else(|| err("a dtype that is not a numpy.dtype"))?;
    if !callable.is_global("numpy", "dtype") {
        return Err(err(&format!("a dtype made by {}", callable_name(callable))));
    }
    let descr = args
        .first()
        .and_then(text)
        .ok_or_else(|| err("a dtype with no type string"))?;
    let order = state
        .and_then(Value::as_sequence)
        .and_then(|s| s.get(1).and_then(text))
        .unwrap_or_else(|| "|".into());
    Ok((descr, order))
}

/// The stroke arrays of one `.npy` file: each `(len, 3)` int16 array as
/// rows `[dx, dy, lift]`.
pub fn stroke_arrays(bytes: &[u8], file: &str) -> Result<Vec<Sequence>, ModelError> {
    let (header, start) = npy_header(bytes, file)?;
    if !header.contains("'descr': '|O'") {
        return Err(bad(file, format!("not an object array: {}", header.trim())));
    }
    let top = pickle::load(&bytes[start..], 0)
        .map_err(|source| ModelError::NpzPickle {
            file: file.into(),
            source,
        })?
        .value;
    if !is_call(&top) {
        return Err(bad(file, "the pickle does not hold an array"));
    }
    let outer = array_state(&top, file, "the array")?;
    let elements = outer
        .data
        .as_sequence()
        .ok_or_else(|| bad(file, "an object array whose data is not a list"))?;
    if outer.shape != [elements.len()] {
        return Err(bad(
            file,
            format!("shape {:?} for {} elements", outer.shape, elements.len()),
        ));
    }
    elements
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let what = format!("element {i}");
            if !is_call(e) {
                return Err(bad(file, format!("{what} is not an array")));
            }
            let a = array_state(e, file, &what)?;
            let (descr, order) = dtype_of(a.dtype, file, &what)?;
            if descr != "i2" || !(order == "<" || order == "=" || order == "|") {
                return Err(bad(file, format!("{what} is {order}{descr}, not <i2")));
            }
            let rows = match a.shape.as_slice() {
                &[rows, 3] if !a.fortran || rows <= 1 => rows,
                s => {
                    return Err(bad(
                        file,
                        format!(
                            "{what} has shape {s:?} (fortran order {}), not (len, 3)",
                            a.fortran
                        ),
                    ));
                }
            };
            let data = bytes_of(a.data)
                .ok_or_else(|| bad(file, format!("{what}: data that are not bytes")))?;
            if data.len() != rows * 6 {
                return Err(bad(
                    file,
                    format!("{what}: {} bytes for {rows} rows of 3 int16", data.len()),
                ));
            }
            Ok(data
                .chunks_exact(6)
                .map(|r| {
                    let v = |k: usize| i16::from_le_bytes([r[2 * k], r[2 * k + 1]]);
                    [v(0), v(1), v(2)]
                })
                .collect())
        })
        .collect()
}

/// One sequence of stroke-3 rows `[dx, dy, lift]`.
pub type Sequence = Vec<[i16; 3]>;

/// Every split of a sketch-rnn `.npz`: `(name without .npy, sequences)`.
pub fn read_npz(bytes: &[u8], file: &str) -> Result<Vec<(String, Vec<Sequence>)>, ModelError> {
    unzip(bytes, file)?
        .into_iter()
        .map(|(name, data)| {
            let inner = format!("{file}/{name}");
            let arrays = stroke_arrays(&data, &inner)?;
            Ok((name.trim_end_matches(".npy").to_string(), arrays))
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write as _;

    /// A pickle of an object array of `<i2` arrays, as numpy 1.x with
    /// protocol 2 writes one.
    pub(crate) fn pickle_of(arrays: &[Vec<[i16; 3]>]) -> Vec<u8> {
        let mut p =
            b"\x80\x02cnumpy.core.multiarray\n_reconstruct\nq\x01cnumpy\nndarray\nq\x02".to_vec();
        let reconstruct = b"h\x01h\x02K\x00\x85U\x01b\x87R";
        p.extend(reconstruct);
        p.extend(b"(K\x01J");
        p.extend((arrays.len() as u32).to_le_bytes());
        p.extend(b"\x85cnumpy\ndtype\nq\x04U\x02O8K\x00K\x01\x87R(K\x03U\x01|NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK?tb\x89]");
        if !arrays.is_empty() {
            p.push(b'(');
        }
        for (i, a) in arrays.iter().enumerate() {
            p.extend(reconstruct);
            p.extend(b"(K\x01J");
            p.extend((a.len() as u32).to_le_bytes());
            p.extend(b"K\x03\x86");
            if i == 0 {
                p.extend(b"h\x04U\x02i2K\x00K\x01\x87Rq\x08(K\x03U\x01<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb");
            } else {
                p.extend(b"h\x08");
            }
            p.push(0x89);
            let data: Vec<u8> = a.iter().flatten().flat_map(|v| v.to_le_bytes()).collect();
            p.push(b'T');
            p.extend((data.len() as u32).to_le_bytes());
            p.extend(data);
            p.extend(b"tb");
        }
        if !arrays.is_empty() {
            p.push(b'e');
        }
        p.extend(b"tb.");
        p
    }

    pub(crate) fn npy_of(arrays: &[Vec<[i16; 3]>]) -> Vec<u8> {
        let dict = format!(
            "{{'descr': '|O', 'fortran_order': False, 'shape': ({},), }}",
            arrays.len()
        );
        let mut header = dict.into_bytes();
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(b' ');
        }
        header.push(b'\n');
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend((header.len() as u16).to_le_bytes());
        out.extend(header);
        out.extend(pickle_of(arrays));
        out
    }

    /// A zip of deflated entries, laid out as Python's zipfile writes one.
    pub(crate) fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let (mut out, mut directory) = (Vec::new(), Vec::new());
        for (name, data) in entries {
            let mut z =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
            z.write_all(data).unwrap();
            let packed = z.finish().unwrap();
            let mut crc = flate2::Crc::new();
            crc.update(data);
            let offset = out.len() as u32;
            let common = |v: &mut Vec<u8>| {
                v.extend([20, 0, 0, 0, 8, 0, 0, 0, 0, 0]);
                v.extend(crc.sum().to_le_bytes());
                v.extend((packed.len() as u32).to_le_bytes());
                v.extend((data.len() as u32).to_le_bytes());
                v.extend((name.len() as u16).to_le_bytes());
                v.extend([0, 0]);
            };
            out.extend(b"PK\x03\x04");
            common(&mut out);
            out.extend(name.as_bytes());
            out.extend(&packed);
            directory.extend(b"PK\x01\x02\x14\x03");
            common(&mut directory);
            // Comment length, disk, internal and external attributes.
            directory.extend([0; 10]);
            directory.extend(offset.to_le_bytes());
            directory.extend(name.as_bytes());
        }
        let start = out.len() as u32;
        let n = entries.len() as u16;
        let size = directory.len() as u32;
        out.extend(directory);
        out.extend(b"PK\x05\x06\0\0\0\0");
        out.extend(n.to_le_bytes());
        out.extend(n.to_le_bytes());
        out.extend(size.to_le_bytes());
        out.extend(start.to_le_bytes());
        out.extend([0, 0]);
        out
    }

    pub(crate) fn sample() -> Vec<(String, Vec<Vec<[i16; 3]>>)> {
        vec![
            (
                "train".into(),
                vec![
                    vec![[0, 0, 0], [5, -3, 0], [-585, 600, 1]],
                    vec![[0, 0, 0], [1, 1, 1]],
                ],
            ),
            ("valid".into(), vec![vec![[0, 0, 0], [7, 8, 1]]]),
            ("test".into(), vec![]),
        ]
    }

    pub(crate) fn sample_npz() -> Vec<u8> {
        let entries: Vec<(String, Vec<u8>)> = sample()
            .iter()
            .map(|(n, a)| (format!("{n}.npy"), npy_of(a)))
            .collect();
        let refs: Vec<(&str, Vec<u8>)> = entries
            .iter()
            .map(|(n, d)| (n.as_str(), d.clone()))
            .collect();
        zip_of(&refs)
    }

    #[test]
    fn reads_the_splits_of_an_npz_of_stroke_arrays() {
        let splits = read_npz(&sample_npz(), "sample.npz").unwrap();
        assert_eq!(splits, sample());
    }

    #[test]
    fn a_truncated_or_corrupt_archive_is_refused_with_the_reason() {
        let npz = sample_npz();
        let err = read_npz(&npz[..npz.len() - 30], "s.npz")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "s.npz: no end of central directory: not a zip file, or truncated"
        );
        // Cut inside the entries but keep the directory: the data run out.
        let mut cut = npz[..40].to_vec();
        let dir_at = npz.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
        let tail = &npz[dir_at..];
        cut.extend(tail);
        let n = cut.len();
        let new_start = (40u32).to_le_bytes();
        cut[n - 6..n - 2].copy_from_slice(&new_start);
        let err = read_npz(&cut, "s.npz").unwrap_err().to_string();
        assert!(err.contains("truncated"), "{err}");
        // A flipped byte inside the deflate stream.
        let mut flipped = npz.clone();
        flipped[60] ^= 0x55;
        let err = read_npz(&flipped, "s.npz").unwrap_err().to_string();
        assert!(
            err.contains("CRC-32")
                || err.contains("inflate")
                || err.contains("bytes, the directory"),
            "{err}"
        );
        // A pickle cut short names the file and the offset.
        let npy = npy_of(&sample()[0].1);
        let err = stroke_arrays(&npy[..npy.len() - 5], "train.npy").unwrap_err();
        assert!(
            matches!(
                err,
                ModelError::NpzPickle {
                    source: pickle::PickleError::Truncated { .. },
                    ..
                }
            ),
            "{err}"
        );
        let err = err.to_string();
        assert!(
            err.starts_with("train.npy: the pickle is truncated: ") && err.contains(" at byte "),
            "{err}"
        );
    }

    #[test]
    fn python_2_text_is_read_as_latin1() {
        // What numpy's `encoding='latin1'` loading does with a Python 2 `str`
        // that arrives as text.
        assert_eq!(
            bytes_of(&Value::Str("\u{e9}a".into())).unwrap().as_ref(),
            [0xe9, b'a'],
            "é as latin1"
        );
        assert!(bytes_of(&Value::Str("\u{100}".into())).is_none());
        assert_eq!(
            bytes_of(&Value::Bytes(b"ab".to_vec())).unwrap().as_ref(),
            b"ab"
        );
        assert_eq!(text(&Value::Bytes(vec![0xe9])).unwrap(), "\u{e9}");
        assert_eq!(text(&Value::Str("i2".into())).unwrap(), "i2");
        assert!(text(&Value::Int(1)).is_none());
    }

    #[test]
    fn arrays_that_are_not_stroke_arrays_are_refused_with_the_reason() {
        // An element of another dtype: replace the `i2` type string by `i4`.
        let mut npy = npy_of(&sample()[0].1);
        let at = npy.windows(4).position(|w| w == b"U\x02i2").unwrap();
        npy[at + 3] = b'4';
        let err = stroke_arrays(&npy, "train.npy").unwrap_err().to_string();
        assert_eq!(err, "train.npy: element 0 is <i4, not <i2");
        // A pickle of something else than an array.
        let mut other = npy_of(&[]);
        let start = other.len() - pickle_of(&[]).len();
        other.truncate(start);
        other.extend(b"\x80\x02K\x01.");
        let err = stroke_arrays(&other, "x.npy").unwrap_err().to_string();
        assert_eq!(err, "x.npy: the pickle does not hold an array");
        // An opcode the pickle machine does not run, with its byte and offset.
        other.truncate(start);
        other.extend(b"\x80\x02K\x01I1\n.");
        let err = stroke_arrays(&other, "x.npy").unwrap_err().to_string();
        assert_eq!(err, "x.npy: unsupported pickle opcode 0x49 (INT) at byte 4");
    }
}
