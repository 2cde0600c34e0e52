//! A small pickle virtual machine that builds a [`Value`] tree instead of
//! Python objects: nothing is imported and nothing is called.
//!
//! Pickles are programs for a stack machine; running one normally imports
//! modules (`GLOBAL`) and calls them (`REDUCE`). Here a global is only its
//! name ([`Value::Global`]), a call only records its callable and arguments
//! ([`Value::Reduce`]), and `BUILD` records the state it would set
//! ([`Value::Build`]), so a reader decides what a `torch._utils
//! ._rebuild_tensor_v2(...)` or a `numpy.core.multiarray._reconstruct(...)`
//! means. That makes reading an untrusted file safe, and keeps this module
//! free of any one library's knowledge (the PyTorch reader is in
//! [`crate::pth`], the numpy `.npz` reader in [`crate::npz`]).
//!
//! The opcodes are those of protocols 0–4 that binary pickles of containers,
//! numbers, strings and reduced objects use; any other opcode is refused with
//! its byte and offset. Memoised containers are shared, as in Python, so a
//! `BINGET` of a dictionary filled after its `BINPUT` sees the filled one.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// A value a pickle builds: plain data, or a record of what Python would
/// have imported, called or set.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    None,
    Bool(bool),
    /// Integers up to 128 bits (`LONG1` longer than 16 bytes is refused).
    Int(i128),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    Tuple(Vec<Value>),
    List(Vec<Value>),
    /// A dictionary's items in insertion order.
    Dict(Vec<(Value, Value)>),
    /// `module.name`, as `GLOBAL` or `STACK_GLOBAL` names it.
    Global {
        module: String,
        name: String,
    },
    /// `callable(*args)`, as `REDUCE` (or `NEWOBJ`: `cls.__new__(cls, *args)`) asks.
    Reduce {
        callable: Box<Value>,
        args: Box<Value>,
    },
    /// `object.__setstate__(state)`, as `BUILD` asks.
    Build {
        object: Box<Value>,
        state: Box<Value>,
    },
    /// What the pickler's `persistent_id` returned (`BINPERSID`): the reader
    /// resolves it (PyTorch uses it for tensor storages).
    PersistentId(Box<Value>),
}

impl Value {
    /// A short name of the value's kind, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::None => "None",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Bytes(_) => "bytes",
            Value::Tuple(_) => "tuple",
            Value::List(_) => "list",
            Value::Dict(_) => "dict",
            Value::Global { .. } => "global",
            Value::Reduce { .. } => "reduce",
            Value::Build { .. } => "build",
            Value::PersistentId(_) => "persistent id",
        }
    }

    /// Whether this is the global `module.name`.
    pub fn is_global(&self, module: &str, name: &str) -> bool {
        matches!(self, Value::Global { module: m, name: n } if m == module && n == name)
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, if this is one.
    pub fn as_int(&self) -> Option<i128> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The items, if this is a tuple or a list.
    pub fn as_sequence(&self) -> Option<&[Value]> {
        match self {
            Value::Tuple(items) | Value::List(items) => Some(items),
            _ => None,
        }
    }

    /// The value under the string key `key`, if this is a dictionary that has it.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Dict(items) => items
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Why a pickle could not be run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PickleError {
    /// The data ended inside an opcode or before `STOP`.
    #[error("the pickle is truncated: {what} at byte {offset} needs {needed} bytes, {left} left")]
    Truncated {
        what: &'static str,
        offset: usize,
        needed: usize,
        left: usize,
    },
    /// An opcode this machine does not run.
    #[error("unsupported pickle opcode 0x{opcode:02x} ({}) at byte {offset}", opcode_name(*opcode))]
    UnknownOpcode { opcode: u8, offset: usize },
    /// A well-formed opcode that does not fit the stack it meets.
    #[error("bad pickle at byte {offset}: {message}")]
    Malformed { offset: usize, message: String },
}

/// A pickle's result and where the next one starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    pub value: Value,
    /// The offset just past `STOP` (files such as PyTorch's hold several
    /// pickles back to back, then raw data).
    pub end: usize,
}

/// Runs the pickle that starts at `offset` of `data` up to its `STOP`.
pub fn load(data: &[u8], offset: usize) -> Result<Loaded, PickleError> {
    Machine {
        data,
        pos: offset,
        stack: Vec::new(),
        marks: Vec::new(),
        memo: HashMap::new(),
    }
    .run()
}

/// A stack slot: shared with the memo so that a container filled after it
/// was memoised is seen filled.
type Slot = Rc<RefCell<Value>>;

struct Machine<'a> {
    data: &'a [u8],
    pos: usize,
    stack: Vec<Slot>,
    marks: Vec<usize>,
    memo: HashMap<u32, Slot>,
}

fn slot(value: Value) -> Slot {
    Rc::new(RefCell::new(value))
}

/// The value in a slot, moved out when nothing else holds it.
fn unslot(slot: Slot) -> Value {
    Rc::try_unwrap(slot)
        .map(RefCell::into_inner)
        .unwrap_or_else(|shared| shared.borrow().clone())
}

impl<'a> Machine<'a> {
    fn run(mut self) -> Result<Loaded, PickleError> {
        loop {
            let at = self.pos;
            let opcode = self.bytes(1, "an opcode")?[0];
            match opcode {
                b'.' => {
                    // STOP
                    let value = self.pop(at)?;
                    return Ok(Loaded {
                        value,
                        end: self.pos,
                    });
                }
                0x80 => {
                    // PROTO
                    let protocol = self.bytes(1, "PROTO")?[0];
                    if protocol > 5 {
                        return Err(self.malformed(at, format!("unknown protocol {protocol}")));
                    }
                }
                0x95 => {
                    // FRAME: only a length hint for buffered readers.
                    self.bytes(8, "FRAME")?;
                }
                b'(' => self.marks.push(self.stack.len()),
                b'0' => {
                    self.pop(at)?;
                }
                b'1' => {
                    self.pop_mark(at)?;
                }
                b'2' => {
                    // DUP
                    let top = self.top(at)?.borrow().clone();
                    self.push(top);
                }
                b'N' => self.push(Value::None),
                0x88 => self.push(Value::Bool(true)),
                0x89 => self.push(Value::Bool(false)),
                b'J' => {
                    let v = i32::from_le_bytes(self.array("BININT")?);
                    self.push(Value::Int(v.into()));
                }
                b'K' => {
                    let v = self.bytes(1, "BININT1")?[0];
                    self.push(Value::Int(v.into()));
                }
                b'M' => {
                    let v = u16::from_le_bytes(self.array("BININT2")?);
                    self.push(Value::Int(v.into()));
                }
                0x8a => {
                    let len = self.bytes(1, "LONG1")?[0] as usize;
                    let v = self.long(len, at)?;
                    self.push(Value::Int(v));
                }
                0x8b => {
                    let len = self.length4("LONG4")?;
                    let v = self.long(len, at)?;
                    self.push(Value::Int(v));
                }
                b'G' => {
                    let v = f64::from_be_bytes(self.array("BINFLOAT")?);
                    self.push(Value::Float(v));
                }
                b'X' => {
                    let len = self.length4("BINUNICODE")?;
                    let s = self.utf8(len, at)?;
                    self.push(Value::Str(s));
                }
                0x8c => {
                    let len = self.bytes(1, "SHORT_BINUNICODE")?[0] as usize;
                    let s = self.utf8(len, at)?;
                    self.push(Value::Str(s));
                }
                0x8d => {
                    let len = self.length8("BINUNICODE8")?;
                    let s = self.utf8(len, at)?;
                    self.push(Value::Str(s));
                }
                b'B' | b'T' => {
                    // BINBYTES, BINSTRING (Python 2 `str`: bytes)
                    let len = self.length4("BINBYTES")?;
                    let b = self.bytes(len, "BINBYTES")?.to_vec();
                    self.push(Value::Bytes(b));
                }
                b'C' | b'U' => {
                    // SHORT_BINBYTES, SHORT_BINSTRING
                    let len = self.bytes(1, "SHORT_BINBYTES")?[0] as usize;
                    let b = self.bytes(len, "SHORT_BINBYTES")?.to_vec();
                    self.push(Value::Bytes(b));
                }
                0x8e => {
                    let len = self.length8("BINBYTES8")?;
                    let b = self.bytes(len, "BINBYTES8")?.to_vec();
                    self.push(Value::Bytes(b));
                }
                b')' => self.push(Value::Tuple(Vec::new())),
                b't' => {
                    let items = self.pop_mark(at)?;
                    self.push(Value::Tuple(items));
                }
                0x85..=0x87 => {
                    // TUPLE1, TUPLE2, TUPLE3
                    let n = usize::from(opcode - 0x84);
                    let items = self.pop_n(n, at)?;
                    self.push(Value::Tuple(items));
                }
                b']' => self.push(Value::List(Vec::new())),
                b'l' => {
                    let items = self.pop_mark(at)?;
                    self.push(Value::List(items));
                }
                b'a' => {
                    let item = self.pop(at)?;
                    self.extend_list(vec![item], at)?;
                }
                b'e' => {
                    let items = self.pop_mark(at)?;
                    self.extend_list(items, at)?;
                }
                b'}' => self.push(Value::Dict(Vec::new())),
                b'd' => {
                    let items = self.pop_mark(at)?;
                    let pairs = pairs(items, at)?;
                    self.push(Value::Dict(pairs));
                }
                b's' => {
                    let items = self.pop_n(2, at)?;
                    let pairs = pairs(items, at)?;
                    self.set_items(pairs, at)?;
                }
                b'u' => {
                    let items = self.pop_mark(at)?;
                    let pairs = pairs(items, at)?;
                    self.set_items(pairs, at)?;
                }
                b'c' => {
                    let module = self.line("GLOBAL module", at)?;
                    let name = self.line("GLOBAL name", at)?;
                    self.push(Value::Global { module, name });
                }
                0x93 => {
                    // STACK_GLOBAL
                    let mut items = self.pop_n(2, at)?.into_iter();
                    match (items.next(), items.next()) {
                        (Some(Value::Str(module)), Some(Value::Str(name))) => {
                            self.push(Value::Global { module, name })
                        }
                        _ => return Err(self.malformed(at, "STACK_GLOBAL needs two strings")),
                    }
                }
                b'R' | 0x81 => {
                    // REDUCE, NEWOBJ
                    let args = self.pop(at)?;
                    let callable = self.pop(at)?;
                    if !matches!(args, Value::Tuple(_)) {
                        let message =
                            format!("a call's arguments must be a tuple, not a {}", args.kind());
                        return Err(self.malformed(at, message));
                    }
                    self.push(reduce(callable, args));
                }
                b'b' => {
                    // BUILD: the object (possibly memoised) takes its state.
                    let state = self.pop(at)?;
                    let object = self.top(at)?;
                    let mut object = object.borrow_mut();
                    let old = std::mem::replace(&mut *object, Value::None);
                    *object = Value::Build {
                        object: Box::new(old),
                        state: Box::new(state),
                    };
                }
                b'Q' => {
                    // BINPERSID
                    let id = self.pop(at)?;
                    self.push(Value::PersistentId(Box::new(id)));
                }
                b'q' => {
                    let key = self.bytes(1, "BINPUT")?[0].into();
                    self.memoise(key, at)?;
                }
                b'r' => {
                    let key = u32::from_le_bytes(self.array("LONG_BINPUT")?);
                    self.memoise(key, at)?;
                }
                0x94 => {
                    // MEMOIZE
                    let key = u32::try_from(self.memo.len())
                        .map_err(|_| self.malformed(at, "too many memo entries"))?;
                    self.memoise(key, at)?;
                }
                b'h' => {
                    let key = self.bytes(1, "BINGET")?[0].into();
                    self.recall(key, at)?;
                }
                b'j' => {
                    let key = u32::from_le_bytes(self.array("LONG_BINGET")?);
                    self.recall(key, at)?;
                }
                _ => return Err(PickleError::UnknownOpcode { opcode, offset: at }),
            }
        }
    }

    fn bytes(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], PickleError> {
        let left = self.data.len().saturating_sub(self.pos);
        if n > left {
            return Err(PickleError::Truncated {
                what,
                offset: self.pos,
                needed: n,
                left,
            });
        }
        let out = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], PickleError> {
        let mut out = [0; N];
        out.copy_from_slice(self.bytes(N, what)?);
        Ok(out)
    }

    fn length4(&mut self, what: &'static str) -> Result<usize, PickleError> {
        Ok(u32::from_le_bytes(self.array(what)?) as usize)
    }

    fn length8(&mut self, what: &'static str) -> Result<usize, PickleError> {
        let at = self.pos;
        let len = u64::from_le_bytes(self.array(what)?);
        usize::try_from(len).map_err(|_| self.malformed(at, format!("{what} of {len} bytes")))
    }

    /// A little-endian two's-complement integer of `len` bytes.
    fn long(&mut self, len: usize, at: usize) -> Result<i128, PickleError> {
        if len > 16 {
            return Err(self.malformed(at, format!("an integer of {len} bytes is too large")));
        }
        let bytes = self.bytes(len, "LONG")?;
        let negative = bytes.last().is_some_and(|b| b & 0x80 != 0);
        let mut full = [if negative { 0xff } else { 0 }; 16];
        full[..len].copy_from_slice(bytes);
        Ok(i128::from_le_bytes(full))
    }

    fn utf8(&mut self, len: usize, at: usize) -> Result<String, PickleError> {
        let bytes = self.bytes(len, "a string")?;
        String::from_utf8(bytes.to_vec()).map_err(|_| self.malformed(at, "a string is not UTF-8"))
    }

    /// A newline-terminated ASCII line (`GLOBAL`'s operands).
    fn line(&mut self, what: &'static str, at: usize) -> Result<String, PickleError> {
        let rest = &self.data[self.pos.min(self.data.len())..];
        let Some(len) = rest.iter().position(|&b| b == b'\n') else {
            return Err(PickleError::Truncated {
                what,
                offset: self.pos,
                needed: rest.len() + 1,
                left: rest.len(),
            });
        };
        let text = self.utf8(len, at)?;
        self.pos += 1;
        Ok(text)
    }

    fn malformed(&self, offset: usize, message: impl Into<String>) -> PickleError {
        PickleError::Malformed {
            offset,
            message: message.into(),
        }
    }

    fn push(&mut self, value: Value) {
        self.stack.push(slot(value));
    }

    fn floor(&self) -> usize {
        self.marks.last().copied().unwrap_or(0)
    }

    fn top(&self, at: usize) -> Result<Slot, PickleError> {
        match self.stack.last() {
            Some(top) if self.stack.len() > self.floor() => Ok(top.clone()),
            _ => Err(self.malformed(at, "the stack is empty")),
        }
    }

    fn pop(&mut self, at: usize) -> Result<Value, PickleError> {
        if self.stack.len() <= self.floor() {
            return Err(self.malformed(at, "the stack is empty"));
        }
        self.stack
            .pop()
            .map(unslot)
            .ok_or_else(|| self.malformed(at, "the stack is empty"))
    }

    fn pop_n(&mut self, n: usize, at: usize) -> Result<Vec<Value>, PickleError> {
        if self.stack.len() < self.floor() + n {
            return Err(self.malformed(at, format!("needs {n} values on the stack")));
        }
        let start = self.stack.len() - n;
        Ok(self.stack.drain(start..).map(unslot).collect())
    }

    fn pop_mark(&mut self, at: usize) -> Result<Vec<Value>, PickleError> {
        let mark = self
            .marks
            .pop()
            .ok_or_else(|| self.malformed(at, "no MARK to pop to"))?;
        Ok(self.stack.drain(mark..).map(unslot).collect())
    }

    fn extend_list(&mut self, items: Vec<Value>, at: usize) -> Result<(), PickleError> {
        let list = self.top(at)?;
        let mut list = list.borrow_mut();
        match &mut *list {
            Value::List(existing) => {
                existing.extend(items);
                Ok(())
            }
            other => {
                let message = format!("APPEND to a {}", other.kind());
                Err(self.malformed(at, message))
            }
        }
    }

    fn set_items(&mut self, pairs: Vec<(Value, Value)>, at: usize) -> Result<(), PickleError> {
        let dict = self.top(at)?;
        let mut dict = dict.borrow_mut();
        if is_empty_dict_call(&dict) {
            *dict = Value::Dict(Vec::new());
        }
        match &mut *dict {
            Value::Dict(existing) => {
                for (key, value) in pairs {
                    match existing.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, old)) => *old = value,
                        None => existing.push((key, value)),
                    }
                }
                Ok(())
            }
            other => {
                let message = format!("SETITEM on a {}", other.kind());
                Err(self.malformed(at, message))
            }
        }
    }

    fn memoise(&mut self, key: u32, at: usize) -> Result<(), PickleError> {
        let top = self.top(at)?;
        self.memo.insert(key, top);
        Ok(())
    }

    fn recall(&mut self, key: u32, at: usize) -> Result<(), PickleError> {
        let value = self
            .memo
            .get(&key)
            .ok_or_else(|| self.malformed(at, format!("memo key {key} was never stored")))?
            .clone();
        self.stack.push(value);
        Ok(())
    }
}

/// `REDUCE`'s record, except that `collections.OrderedDict()` (and
/// `builtins.dict()`) with no arguments is simply an empty dictionary, as
/// its items then arrive by `SETITEMS`.
fn reduce(callable: Value, args: Value) -> Value {
    let value = Value::Reduce {
        callable: Box::new(callable),
        args: Box::new(args),
    };
    if is_empty_dict_call(&value) {
        Value::Dict(Vec::new())
    } else {
        value
    }
}

fn is_empty_dict_call(value: &Value) -> bool {
    match value {
        Value::Reduce { callable, args } => {
            (callable.is_global("collections", "OrderedDict")
                || callable.is_global("builtins", "dict")
                || callable.is_global("__builtin__", "dict"))
                && args.as_sequence().is_some_and(<[Value]>::is_empty)
        }
        _ => false,
    }
}

fn pairs(items: Vec<Value>, at: usize) -> Result<Vec<(Value, Value)>, PickleError> {
    if !items.len().is_multiple_of(2) {
        return Err(PickleError::Malformed {
            offset: at,
            message: format!("{} values do not make key-value pairs", items.len()),
        });
    }
    let mut items = items.into_iter();
    let mut out = Vec::new();
    while let (Some(k), Some(v)) = (items.next(), items.next()) {
        out.push((k, v));
    }
    Ok(out)
}

/// The name pickletools gives an opcode, for messages.
fn opcode_name(opcode: u8) -> &'static str {
    match opcode {
        b'I' => "INT",
        b'L' => "LONG",
        b'F' => "FLOAT",
        b'S' => "STRING",
        b'V' => "UNICODE",
        b'P' => "PERSID",
        b'g' => "GET",
        b'p' => "PUT",
        b'i' => "INST",
        b'o' => "OBJ",
        0x82 => "EXT1",
        0x83 => "EXT2",
        0x84 => "EXT4",
        0x8f => "EMPTY_SET",
        0x90 => "ADDITEMS",
        0x91 => "FROZENSET",
        0x92 => "NEWOBJ_EX",
        0x96 => "BYTEARRAY8",
        0x97 => "NEXT_BUFFER",
        0x98 => "READONLY_BUFFER",
        _ => "not a pickle opcode",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(bytes: &[u8]) -> Result<Value, PickleError> {
        load(bytes, 0).map(|l| l.value)
    }

    #[test]
    fn reads_numbers_strings_and_containers() {
        // pickle.dumps({'a': [1, 300, -2, 2**70], 'b': (True, None, 1.5)}, protocol=2)
        let bytes = b"\x80\x02}q\x00(X\x01\x00\x00\x00aq\x01]q\x02(K\x01M,\x01J\xfe\xff\xff\xff\x8a\t\x00\x00\x00\x00\x00\x00\x00\x00@eX\x01\x00\x00\x00bq\x03\x88NG?\xf8\x00\x00\x00\x00\x00\x00\x87q\x04u.";
        let value = run(bytes).unwrap();
        let list = value.get("a").unwrap().as_sequence().unwrap();
        let ints: Vec<i128> = list.iter().map(|v| v.as_int().unwrap()).collect();
        assert_eq!(ints, [1, 300, -2, 1 << 70]);
        assert_eq!(
            value.get("b"),
            Some(&Value::Tuple(vec![
                Value::Bool(true),
                Value::None,
                Value::Float(1.5)
            ]))
        );
    }

    #[test]
    fn records_globals_calls_and_state_without_running_them() {
        // cos.system\n(X\x02\x00\x00\x00lsq\x00tR}bQ. — os.system('ls'), built, persistent.
        let bytes = b"\x80\x02cos\nsystem\nX\x02\x00\x00\x00ls\x85R}bQ.";
        let value = run(bytes).unwrap();
        let Value::PersistentId(inner) = value else {
            panic!("{value:?}")
        };
        let Value::Build { object, state } = *inner else {
            panic!()
        };
        assert_eq!(*state, Value::Dict(vec![]));
        let Value::Reduce { callable, args } = *object else {
            panic!()
        };
        assert!(callable.is_global("os", "system"));
        assert_eq!(*args, Value::Tuple(vec![Value::Str("ls".into())]));
    }

    #[test]
    fn a_memoised_dict_is_seen_filled() {
        // d = {}; [d, d] with d filled between: EMPTY_DICT BINPUT 0 MARK k v SETITEMS, then BINGET 0.
        let bytes = b"\x80\x02](}q\x00(K\x01K\x02uh\x00e.";
        let value = run(bytes).unwrap();
        let d = Value::Dict(vec![(Value::Int(1), Value::Int(2))]);
        assert_eq!(value, Value::List(vec![d.clone(), d]));
    }

    #[test]
    fn ordered_dict_calls_take_items() {
        let bytes = b"\x80\x02ccollections\nOrderedDict\n)R(X\x01\x00\x00\x00kK\x07u.";
        assert_eq!(
            run(bytes).unwrap(),
            Value::Dict(vec![(Value::Str("k".into()), Value::Int(7))])
        );
    }

    #[test]
    fn refuses_unknown_opcodes_with_byte_and_offset() {
        let err = run(b"\x80\x02K\x01I1\n.").unwrap_err();
        assert_eq!(
            err,
            PickleError::UnknownOpcode {
                opcode: b'I',
                offset: 4
            }
        );
        assert!(err.to_string().contains("0x49 (INT) at byte 4"), "{err}");
    }

    #[test]
    fn refuses_truncation_and_bad_stacks() {
        let err = run(b"\x80\x02X\x05\x00\x00\x00ab").unwrap_err();
        assert!(
            matches!(
                err,
                PickleError::Truncated {
                    needed: 5,
                    left: 2,
                    ..
                }
            ),
            "{err}"
        );
        let err = run(b"\x80\x02K\x01").unwrap_err();
        assert!(
            matches!(
                err,
                PickleError::Truncated {
                    what: "an opcode",
                    ..
                }
            ),
            "{err}"
        );
        let err = run(b"\x80\x02.").unwrap_err();
        assert!(err.to_string().contains("stack is empty"), "{err}");
        let err = run(b"\x80\x02K\x01h\x09.").unwrap_err();
        assert!(err.to_string().contains("memo key 9"), "{err}");
        // SETITEM with a key and a value but no dict under them.
        let err = run(b"\x80\x02K\x01K\x02s.").unwrap_err();
        assert!(
            err.to_string().contains("byte 6: the stack is empty"),
            "{err}"
        );
        let err = run(b"\x80\x02K\x01s.").unwrap_err();
        assert!(err.to_string().contains("needs 2 values"), "{err}");
        let err = run(b"\x80\x02K\x01K\x02u.").unwrap_err();
        assert!(err.to_string().contains("no MARK"), "{err}");
    }

    #[test]
    fn loads_pickles_back_to_back() {
        let bytes = b"\x80\x02K\x05.\x80\x02K\x06.";
        let first = load(bytes, 0).unwrap();
        assert_eq!((first.value, first.end), (Value::Int(5), 5));
        assert_eq!(load(bytes, first.end).unwrap().value, Value::Int(6));
    }

    // The opcodes numpy's object arrays use (as the sketch-rnn datasets'
    // `.npy` files do), from the reader this machine replaced.

    #[test]
    fn reads_the_opcodes_of_a_numpy_object_array() {
        // (1, [b'ab', u'é'], True, None, -1, 300) with a memo round trip.
        let mut p = vec![
            0x80, 2, b'(', b'K', 1, b']', b'q', 0, b'(', b'U', 2, b'a', b'b',
        ];
        p.extend([b'X', 2, 0, 0, 0, 0xc3, 0xa9, b'e', 0x88, b'N']);
        p.extend([
            b'J', 0xff, 0xff, 0xff, 0xff, b'M', 0x2c, 0x01, b'h', 0, b't', b'.',
        ]);
        let v = run(&p).unwrap();
        let items = v.as_sequence().unwrap();
        assert_eq!(items.len(), 7);
        assert_eq!(items[0], Value::Int(1));
        let list = items[1].as_sequence().unwrap();
        assert_eq!(list[0], Value::Bytes(b"ab".to_vec()));
        assert_eq!(list[1], Value::Str("\u{e9}".into()));
        assert_eq!(items[2], Value::Bool(true));
        assert_eq!(items[3], Value::None);
        assert_eq!(items[4], Value::Int(-1));
        assert_eq!(items[5], Value::Int(300));
        // The memo shares the list, so it has the items appended later.
        assert_eq!(items[6].as_sequence().unwrap().len(), 2);
    }

    #[test]
    fn reduce_and_build_record_a_call_and_its_state() {
        let mut p = b"\x80\x02cnumpy\ndtype\nU\x02i2K\x00\x88\x87R".to_vec();
        p.extend(b"(K\x03U\x01<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb.");
        let Value::Build { object, state } = run(&p).unwrap() else {
            panic!("not a built object")
        };
        let Value::Reduce { callable, args } = *object else {
            panic!("not a call")
        };
        assert!(callable.is_global("numpy", "dtype"));
        assert_eq!(args.as_sequence().unwrap()[0], Value::Bytes(b"i2".to_vec()));
        let state = state.as_sequence().unwrap().to_vec();
        assert_eq!(state[1], Value::Bytes(b"<".to_vec()));
        // LONG1: -2 in one byte, 2^40 in six.
        assert_eq!(run(b"\x8a\x01\xfe.").unwrap(), Value::Int(-2));
        let big = run(b"\x8a\x06\x00\x00\x00\x00\x00\x01.").unwrap();
        assert_eq!(big, Value::Int(1 << 40));
    }

    #[test]
    fn refuses_what_it_does_not_know_with_the_byte_and_offset() {
        let err = run(b"\x80\x02K\x01\x97.").unwrap_err().to_string();
        assert_eq!(
            err,
            "unsupported pickle opcode 0x97 (NEXT_BUFFER) at byte 4"
        );
        let err = run(b"\x80\x02U\x05ab").unwrap_err().to_string();
        assert_eq!(
            err,
            "the pickle is truncated: SHORT_BINBYTES at byte 4 needs 5 bytes, 2 left"
        );
        let err = run(b"\x80\x02h\x07.").unwrap_err().to_string();
        assert_eq!(err, "bad pickle at byte 2: memo key 7 was never stored");
        let err = run(b"K\x01K\x02R.").unwrap_err().to_string();
        assert!(err.contains("a call's arguments must be a tuple"), "{err}");
        assert!(run(b"").is_err());
        assert!(run(b"(.").is_err(), "STOP on a mark");
        assert!(run(b"\x85.").is_err(), "TUPLE1 of nothing");
    }
}
