//! A reader for PyTorch's *legacy* (pre-1.6, not zip) serialisation of a
//! state dict, as `torch.save(..., _use_new_zipfile_serialization=False)`
//! writes it.
//!
//! Such a file is five pickles back to back — the magic number, the protocol
//! version, `sys_info`, the state dict, the list of storage keys — then each
//! storage in that key order as a little-endian `u64` element count and its
//! raw little-endian elements. Each tensor in the state dict is
//! `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …)` with
//! the storage a persistent id `('storage', FloatStorage, key, location,
//! numel)`. A tensor is a strided *view* of its storage (the EfficientNet
//! weights are transposed views of TensorFlow arrays), so [`read_pth`]
//! applies size, stride and offset and gives contiguous row-major data in
//! PyTorch's logical layout.
//!
//! The pickles run on [`crate::pickle`], which imports and calls nothing.

use std::collections::{BTreeMap, HashMap};

use crate::error::ModelError;
use crate::pickle::{self, PickleError, Value};
use crate::tensors::{HostTensor, TensorMap};

/// The first pickle of every legacy PyTorch file.
const MAGIC: i128 = 0x1950_a86a_20f9_469c_fc6c;
/// The only protocol version PyTorch has written.
const PROTOCOL_VERSION: i128 = 1001;

/// A storage's element type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dtype {
    F32,
    F64,
    I64,
    I32,
    U8,
}

impl Dtype {
    fn from_storage(name: &str) -> Option<Dtype> {
        Some(match name {
            "FloatStorage" => Dtype::F32,
            "DoubleStorage" => Dtype::F64,
            "LongStorage" => Dtype::I64,
            "IntStorage" => Dtype::I32,
            "ByteStorage" => Dtype::U8,
            _ => return None,
        })
    }

    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            Dtype::F64 | Dtype::I64 => 8,
            Dtype::F32 | Dtype::I32 => 4,
            Dtype::U8 => 1,
        }
    }

    /// Element `i` of little-endian raw data, as `f32`.
    fn read(self, raw: &[u8], i: usize) -> f32 {
        fn le<const N: usize>(at: &[u8]) -> [u8; N] {
            let mut b = [0; N];
            b.copy_from_slice(&at[..N]);
            b
        }
        let at = &raw[i * self.size()..];
        match self {
            Dtype::F32 => f32::from_le_bytes(le(at)),
            Dtype::F64 => f64::from_le_bytes(le(at)) as f32,
            Dtype::I64 => i64::from_le_bytes(le(at)) as f32,
            Dtype::I32 => i32::from_le_bytes(le(at)) as f32,
            Dtype::U8 => f32::from(at[0]),
        }
    }
}

/// One tensor of a state dict, materialised.
#[derive(Clone, Debug, PartialEq)]
pub struct PthTensor {
    /// The storage's element type (integer tensors such as batch norm's
    /// `num_batches_tracked` are kept, converted to `f32`).
    pub dtype: Dtype,
    pub tensor: HostTensor,
}

/// A state dict: tensors by name, in the file's order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StateDict {
    pub tensors: Vec<(String, PthTensor)>,
}

impl StateDict {
    /// The tensors by name, as `f32` (integer tensors converted).
    pub fn into_map(self) -> TensorMap {
        self.tensors
            .into_iter()
            .map(|(name, t)| (name, t.tensor))
            .collect::<BTreeMap<_, _>>()
    }

    /// The tensor called `name`.
    pub fn get(&self, name: &str) -> Option<&PthTensor> {
        self.tensors.iter().find(|(n, _)| n == name).map(|(_, t)| t)
    }
}

/// A tensor as the state dict pickle describes it, before its storage is read.
struct View {
    name: String,
    storage: String,
    dtype: Dtype,
    offset: usize,
    size: Vec<usize>,
    stride: Vec<usize>,
}

/// Reads a legacy PyTorch state dict file.
pub fn read_pth(bytes: &[u8]) -> Result<StateDict, ModelError> {
    let run = |part: &'static str, start: usize| {
        pickle::load(bytes, start).map_err(|source| ModelError::Pickle {
            part,
            start,
            source,
        })
    };
    // A file that is no pickle, or another one, is a wrong file: say what
    // it starts with. One cut inside the magic number is a truncated file.
    let end = match pickle::load(bytes, 0) {
        Ok(l) if l.value.as_int() == Some(MAGIC) => l.end,
        Err(source @ PickleError::Truncated { .. }) if bytes.starts_with(&[0x80]) => {
            return Err(ModelError::Pickle {
                part: "magic number",
                start: 0,
                source,
            });
        }
        _ => {
            return Err(ModelError::BadMagic {
                found: describe_start(bytes),
            });
        }
    };
    let version = run("protocol version", end)?;
    if version.value.as_int() != Some(PROTOCOL_VERSION) {
        return Err(ModelError::Format(format!(
            "protocol version {:?}, expected {PROTOCOL_VERSION}",
            version.value
        )));
    }
    let sys_info = run("sys_info", version.end)?;
    if sys_info.value.get("little_endian") != Some(&Value::Bool(true)) {
        return Err(ModelError::Format(
            "sys_info does not say little_endian: True (big-endian files are not supported)".into(),
        ));
    }
    let dict = run("state dict", sys_info.end)?;
    let views = state_dict_views(&dict.value)?;
    let keys = run("storage key list", dict.end)?;
    let data_start = keys.end;
    let keys: Vec<String> = keys
        .value
        .as_sequence()
        .and_then(|items| {
            items
                .iter()
                .map(|k| k.as_str().map(str::to_string))
                .collect()
        })
        .ok_or_else(|| {
            ModelError::Format("the storage key list is not a list of strings".into())
        })?;
    let storages = storages(bytes, data_start, &keys, &views)?;
    let tensors = views
        .into_iter()
        .map(|view| {
            let tensor = materialise(&view, &storages)?;
            Ok((
                view.name.clone(),
                PthTensor {
                    dtype: view.dtype,
                    tensor,
                },
            ))
        })
        .collect::<Result<_, ModelError>>()?;
    Ok(StateDict { tensors })
}

/// The first bytes of a file, for a "not this format" message.
fn describe_start(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "nothing (the file is empty)".into();
    }
    let hex: Vec<String> = bytes.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("the bytes {}", hex.join(" "))
}

/// The tensors of the state dict pickle, in order.
fn state_dict_views(value: &Value) -> Result<Vec<View>, ModelError> {
    // `OrderedDict` with `_metadata`: a dict built with a state.
    let dict = match value {
        Value::Build { object, .. } => object,
        other => other,
    };
    let Value::Dict(items) = dict else {
        return Err(ModelError::Format(format!(
            "the state dict pickle holds a {}, not a dict",
            dict.kind()
        )));
    };
    items
        .iter()
        .map(|(key, value)| {
            let name = key.as_str().ok_or_else(|| {
                ModelError::Format(format!("a state dict key is a {}, not a str", key.kind()))
            })?;
            tensor_view(name, value)
        })
        .collect()
}

/// `_rebuild_tensor_v2(persistent_load(storage), offset, size, stride, …)`.
fn tensor_view(name: &str, value: &Value) -> Result<View, ModelError> {
    let bad = |what: &str| ModelError::Format(format!("tensor {name}: {what}"));
    let Value::Reduce { callable, args } = value else {
        return Err(bad(&format!(
            "a {} instead of a rebuilt tensor",
            value.kind()
        )));
    };
    if !callable.is_global("torch._utils", "_rebuild_tensor_v2")
        && !callable.is_global("torch._utils", "_rebuild_tensor")
    {
        return Err(bad(&format!(
            "built by {callable:?}, not _rebuild_tensor_v2"
        )));
    }
    let args = args.as_sequence().unwrap_or_default();
    let [storage, offset, size, stride, ..] = args else {
        return Err(bad(&format!(
            "_rebuild_tensor_v2 with {} arguments",
            args.len()
        )));
    };
    let Value::PersistentId(id) = storage else {
        return Err(bad("its storage is not a persistent id"));
    };
    let id = id.as_sequence().unwrap_or_default();
    let [tag, kind, key, _location, _numel, ..] = id else {
        return Err(bad(
            "its storage id is not ('storage', type, key, location, numel)",
        ));
    };
    if tag.as_str() != Some("storage") {
        return Err(bad("its persistent id is not a storage"));
    }
    let dtype = match kind {
        Value::Global { module, name: n } if module == "torch" => Dtype::from_storage(n)
            .ok_or_else(|| bad(&format!("unsupported storage type torch.{n}")))?,
        other => return Err(bad(&format!("storage type {other:?}"))),
    };
    let storage = key
        .as_str()
        .ok_or_else(|| bad("its storage key is not a str"))?
        .to_string();
    let index = |v: &Value, what: &str| {
        v.as_int()
            .and_then(|i| usize::try_from(i).ok())
            .ok_or_else(|| bad(&format!("{what} {v:?} is not a non-negative integer")))
    };
    let list = |v: &Value, what: &str| {
        v.as_sequence()
            .ok_or_else(|| bad(&format!("its {what} is not a tuple")))?
            .iter()
            .map(|d| index(d, what))
            .collect::<Result<Vec<_>, _>>()
    };
    let view = View {
        name: name.to_string(),
        storage,
        dtype,
        offset: index(offset, "storage offset")?,
        size: list(size, "size")?,
        stride: list(stride, "stride")?,
    };
    if view.size.len() != view.stride.len() {
        return Err(bad(&format!(
            "size {:?} and stride {:?} differ in rank",
            view.size, view.stride
        )));
    }
    Ok(view)
}

/// Each storage's raw bytes, by key, checked against the element types the
/// tensors give them.
fn storages<'a>(
    bytes: &'a [u8],
    mut pos: usize,
    keys: &[String],
    views: &[View],
) -> Result<HashMap<String, (Dtype, &'a [u8])>, ModelError> {
    let dtypes: HashMap<&str, Dtype> = views
        .iter()
        .map(|v| (v.storage.as_str(), v.dtype))
        .collect();
    let mut out = HashMap::new();
    for (index, key) in keys.iter().enumerate() {
        let truncated = |pos: usize, needed: usize| ModelError::Truncated {
            key: key.clone(),
            index: index + 1,
            count: keys.len(),
            offset: pos,
            needed,
            left: bytes.len().saturating_sub(pos),
        };
        let header = bytes.get(pos..pos + 8).ok_or_else(|| truncated(pos, 8))?;
        let count = u64::from_le_bytes(header.try_into().map_err(|_| truncated(pos, 8))?);
        pos += 8;
        let dtype = dtypes.get(key.as_str()).copied().ok_or_else(|| {
            ModelError::Format(format!("storage {key} is listed but no tensor uses it"))
        })?;
        let needed = usize::try_from(count)
            .ok()
            .and_then(|c| c.checked_mul(dtype.size()))
            .ok_or_else(|| truncated(pos, usize::MAX))?;
        let raw = bytes
            .get(pos..pos + needed)
            .ok_or_else(|| truncated(pos, needed))?;
        pos += needed;
        out.insert(key.clone(), (dtype, raw));
    }
    Ok(out)
}

/// A view's elements in row-major order of its size.
fn materialise(
    view: &View,
    storages: &HashMap<String, (Dtype, &[u8])>,
) -> Result<HostTensor, ModelError> {
    let &(dtype, raw) = storages.get(&view.storage).ok_or_else(|| {
        ModelError::Format(format!(
            "tensor {}: storage {} is not in the file",
            view.name, view.storage
        ))
    })?;
    let len = raw.len() / dtype.size();
    let count: usize = view.size.iter().product();
    // The furthest element the view reads, plus one.
    let needed = if count == 0 {
        0
    } else {
        view.size
            .iter()
            .zip(&view.stride)
            .try_fold(view.offset, |acc, (&n, &s)| {
                acc.checked_add((n - 1).checked_mul(s)?)
            })
            .and_then(|last| last.checked_add(1))
            .unwrap_or(usize::MAX)
    };
    if needed > len {
        return Err(ModelError::StorageTooShort {
            tensor: view.name.clone(),
            storage: view.storage.clone(),
            offset: view.offset,
            size: view.size.clone(),
            stride: view.stride.clone(),
            needed,
            len,
        });
    }
    let mut data = Vec::with_capacity(count);
    let mut index = vec![0usize; view.size.len()];
    for _ in 0..count {
        let at = view.offset
            + index
                .iter()
                .zip(&view.stride)
                .map(|(i, s)| i * s)
                .sum::<usize>();
        data.push(dtype.read(raw, at));
        // Odometer over the logical index, last axis fastest.
        for axis in (0..index.len()).rev() {
            index[axis] += 1;
            if index[axis] < view.size[axis] {
                break;
            }
            index[axis] = 0;
        }
    }
    Ok(HostTensor {
        shape: view.size.clone(),
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A legacy file with one 2×3 float tensor viewing a 6-element storage
    /// transposed (size (2, 3), stride (1, 2)), written as torch would.
    pub(crate) fn tiny_file(storage_len: u64, stride: (u8, u8)) -> Vec<u8> {
        let mut f = Vec::new();
        f.extend(b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.");
        f.extend(b"\x80\x02M\xe9\x03.");
        f.extend(b"\x80\x02}(X\x0d\x00\x00\x00little_endian\x88u.");
        f.extend(b"\x80\x02ccollections\nOrderedDict\n)R(X\x01\x00\x00\x00w");
        f.extend(b"ctorch._utils\n_rebuild_tensor_v2\n(");
        f.extend(b"(X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x06tQ");
        f.extend(b"K\x00K\x02K\x03\x86K");
        f.push(stride.0);
        f.push(b'K');
        f.push(stride.1);
        f.extend(b"\x86\x89ccollections\nOrderedDict\n)RtRu.");
        f.extend(b"\x80\x02]X\x01\x00\x00\x000a.");
        f.extend(storage_len.to_le_bytes());
        for v in 0..storage_len {
            f.extend((v as f32).to_le_bytes());
        }
        f
    }

    #[test]
    fn applies_size_stride_and_offset() {
        let dict = read_pth(&tiny_file(6, (1, 2))).unwrap();
        let w = &dict.get("w").unwrap().tensor;
        assert_eq!(w.shape, [2, 3]);
        // Element [i, j] is storage[i + 2j].
        assert_eq!(w.data, [0.0, 2.0, 4.0, 1.0, 3.0, 5.0]);
    }

    #[test]
    fn a_view_past_its_storage_is_refused() {
        // Stride (3, 1) over 6 elements is fine; (3, 2) reaches element 8.
        let err = read_pth(&tiny_file(6, (3, 2))).unwrap_err();
        assert!(
            matches!(
                &err,
                ModelError::StorageTooShort {
                    needed: 8,
                    len: 6,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("tensor w"), "{err}");
    }

    #[test]
    fn truncation_and_wrong_files_say_so() {
        let file = tiny_file(6, (1, 2));
        let err = read_pth(&file[..file.len() - 3]).unwrap_err();
        assert!(
            matches!(
                err,
                ModelError::Truncated {
                    needed: 24,
                    left: 21,
                    ..
                }
            ),
            "{err}"
        );
        let err = read_pth(&file[..40]).unwrap_err();
        assert!(
            matches!(
                err,
                ModelError::Pickle {
                    part: "sys_info",
                    ..
                }
            ),
            "{err}"
        );
        let err = read_pth(&file[..10]).unwrap_err();
        assert!(
            matches!(
                err,
                ModelError::Pickle {
                    part: "magic number",
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("truncated"), "{err}");
        let err = read_pth(b"PK\x03\x04 a zip").unwrap_err();
        assert!(err.to_string().contains("50 4b 03 04"), "{err}");
        let err = read_pth(b"").unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
    }
}
