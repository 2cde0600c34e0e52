//! A compact pickle reader: just what the sketch-rnn datasets' `.npy` files
//! need (protocol 2, Python-2 era, numpy object arrays of int16 arrays).
//!
//! It is a stack machine over [`Value`]s that knows the opcodes those
//! files use — `PROTO`, `GLOBAL`, `REDUCE`, `BUILD`, the string opcodes
//! (`SHORT_BINSTRING`, `BINSTRING` kept as bytes, as numpy's `latin1`
//! loading does; `BINUNICODE`, `SHORT_BINUNICODE`; `SHORT_BINBYTES`,
//! `BINBYTES`), tuples, lists (`EMPTY_LIST`, `APPEND`, `APPENDS`), `MARK`,
//! the memo (`BINPUT`, `LONG_BINPUT`, `BINGET`, `LONG_BINGET`, `MEMOIZE`),
//! small integers (`BININT`, `BININT1`, `BININT2`, `LONG1`), `NEWTRUE`,
//! `NEWFALSE`, `NONE` and `STOP` — and refuses anything else with the
//! opcode's byte and offset. It never runs code: `GLOBAL` only names a
//! callable, and `REDUCE` and `BUILD` only record what they were given, for
//! [`crate::npz`] to interpret.
//!
//! A generic pickle VM is planned for a future `playnet-models` crate (for
//! PyTorch checkpoints); until it lands this one serves the converter, and
//! should then give way to it.

use std::cell::RefCell;
use std::rc::Rc;

use crate::SketchError;

/// A value on the pickle machine's stack.
#[derive(Clone, Debug)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    /// A Python 2 `str` or Python 3 `bytes`.
    Bytes(Rc<Vec<u8>>),
    /// A Python 3 `str` (Python 2 `unicode`).
    Str(Rc<str>),
    Tuple(Rc<Vec<Value>>),
    /// Lists grow in place (`APPENDS`), so the memo shares them.
    List(Rc<RefCell<Vec<Value>>>),
    /// `module.name`, as `GLOBAL` named it.
    Global(Rc<str>, Rc<str>),
    /// `callable(*args)`, with the state a `BUILD` gave it (shared, as the
    /// memo may hold it before `BUILD` runs).
    Object(Rc<Object>),
}

/// What `REDUCE` made and `BUILD` completed.
#[derive(Debug)]
pub struct Object {
    pub module: Rc<str>,
    pub name: Rc<str>,
    pub args: Vec<Value>,
    pub state: RefCell<Option<Value>>,
}

impl Value {
    /// The items of a tuple or list.
    pub fn items(&self) -> Option<Vec<Value>> {
        match self {
            Value::Tuple(t) => Some(t.to_vec()),
            Value::List(l) => Some(l.borrow().clone()),
            _ => None,
        }
    }

    /// Bytes, or a string as `latin1` bytes (how numpy reads Python 2 data
    /// that arrived as text).
    pub fn bytes(&self) -> Option<Vec<u8>> {
        match self {
            Value::Bytes(b) => Some(b.to_vec()),
            Value::Str(s) => s.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect(),
            _ => None,
        }
    }

    /// Text, from a string or (`latin1`) from bytes.
    pub fn text(&self) -> Option<String> {
        match self {
            Value::Str(s) => Some(s.to_string()),
            Value::Bytes(b) => Some(b.iter().map(|&c| char::from(c)).collect()),
            _ => None,
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::None => "None",
        Value::Bool(_) => "a bool",
        Value::Int(_) => "an int",
        Value::Bytes(_) => "bytes",
        Value::Str(_) => "a str",
        Value::Tuple(_) => "a tuple",
        Value::List(_) => "a list",
        Value::Global(..) => "a global",
        Value::Object(_) => "an object",
    }
}

/// The machine: the bytes, where it is, its stack (with marks) and memo.
struct Machine<'a> {
    bytes: &'a [u8],
    at: usize,
    /// Where the opcode being run starts, for messages.
    op_at: usize,
    stack: Vec<Value>,
    marks: Vec<usize>,
    memo: Vec<Option<Value>>,
}

impl<'a> Machine<'a> {
    fn fail(&self, reason: impl Into<String>) -> SketchError {
        SketchError::Pickle {
            offset: self.op_at,
            reason: reason.into(),
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], SketchError> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let Some(end) = end else {
            return Err(self.fail(format!(
                "the data ends after {} bytes, in the middle of an opcode",
                self.bytes.len()
            )));
        };
        let part = &self.bytes[self.at..end];
        self.at = end;
        Ok(part)
    }

    fn u8(&mut self) -> Result<u8, SketchError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, SketchError> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, SketchError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn line(&mut self) -> Result<&'a str, SketchError> {
        let rest = &self.bytes[self.at..];
        let Some(end) = rest.iter().position(|&b| b == b'\n') else {
            return Err(self.fail("a GLOBAL name without its newline"));
        };
        self.at += end + 1;
        std::str::from_utf8(&rest[..end]).map_err(|_| self.fail("a GLOBAL name that is not text"))
    }

    fn pop(&mut self) -> Result<Value, SketchError> {
        if self.marks.last().is_some_and(|&m| m >= self.stack.len()) {
            return Err(self.fail("an opcode needs a value but finds a mark"));
        }
        self.stack
            .pop()
            .ok_or_else(|| self.fail("an opcode needs a value but the stack is empty"))
    }

    fn pop_n(&mut self, n: usize) -> Result<Vec<Value>, SketchError> {
        let floor = self.marks.last().copied().unwrap_or(0);
        if self.stack.len() < floor + n {
            return Err(self.fail(format!("a tuple of {n} needs {n} values on the stack")));
        }
        Ok(self.stack.split_off(self.stack.len() - n))
    }

    fn pop_mark(&mut self) -> Result<Vec<Value>, SketchError> {
        let mark = self
            .marks
            .pop()
            .ok_or_else(|| self.fail("an opcode needs a mark but there is none"))?;
        Ok(self.stack.split_off(mark))
    }

    fn put(&mut self, index: usize) -> Result<(), SketchError> {
        let top = self
            .stack
            .last()
            .cloned()
            .ok_or_else(|| self.fail("a memo put with an empty stack"))?;
        if index > 1 << 24 {
            return Err(self.fail(format!("memo index {index} is implausibly large")));
        }
        if self.memo.len() <= index {
            self.memo.resize(index + 1, None);
        }
        self.memo[index] = Some(top);
        Ok(())
    }

    fn get(&mut self, index: usize) -> Result<(), SketchError> {
        let value = self
            .memo
            .get(index)
            .cloned()
            .flatten()
            .ok_or_else(|| self.fail(format!("memo index {index} was never put")))?;
        self.stack.push(value);
        Ok(())
    }

    fn push_bytes(&mut self, n: usize) -> Result<(), SketchError> {
        let b = self.take(n)?.to_vec();
        self.stack.push(Value::Bytes(Rc::new(b)));
        Ok(())
    }

    fn push_str(&mut self, n: usize) -> Result<(), SketchError> {
        let b = self.take(n)?;
        let s =
            std::str::from_utf8(b).map_err(|_| self.fail("a unicode string that is not UTF-8"))?;
        self.stack.push(Value::Str(s.into()));
        Ok(())
    }

    fn run(mut self) -> Result<Value, SketchError> {
        loop {
            self.op_at = self.at;
            let op = self.u8()?;
            match op {
                // PROTO
                0x80 => {
                    let v = self.u8()?;
                    if v > 5 {
                        return Err(self.fail(format!("protocol {v}")));
                    }
                }
                // STOP
                b'.' => {
                    let v = self.pop()?;
                    return Ok(v);
                }
                b'N' => self.stack.push(Value::None),
                0x88 => self.stack.push(Value::Bool(true)),
                0x89 => self.stack.push(Value::Bool(false)),
                // BININT, BININT1, BININT2
                b'J' => {
                    let v = self.u32()? as i32;
                    self.stack.push(Value::Int(v.into()));
                }
                b'K' => {
                    let v = self.u8()?;
                    self.stack.push(Value::Int(v.into()));
                }
                b'M' => {
                    let v = self.u16()?;
                    self.stack.push(Value::Int(v.into()));
                }
                // LONG1: a little-endian two's-complement integer of n bytes.
                0x8a => {
                    let n = usize::from(self.u8()?);
                    if n > 8 {
                        return Err(self.fail(format!("a {n}-byte integer")));
                    }
                    let b = self.take(n)?;
                    let mut v: i64 = 0;
                    for (i, &byte) in b.iter().enumerate() {
                        v |= i64::from(byte) << (8 * i);
                    }
                    if n > 0 && n < 8 && b[n - 1] & 0x80 != 0 {
                        v -= 1i64 << (8 * n);
                    }
                    self.stack.push(Value::Int(v));
                }
                // SHORT_BINSTRING, SHORT_BINBYTES; BINSTRING, BINBYTES
                b'U' | b'C' => {
                    let n = usize::from(self.u8()?);
                    self.push_bytes(n)?;
                }
                b'T' | b'B' => {
                    let n = self.u32()? as usize;
                    self.push_bytes(n)?;
                }
                // SHORT_BINUNICODE, BINUNICODE
                0x8c => {
                    let n = usize::from(self.u8()?);
                    self.push_str(n)?;
                }
                b'X' => {
                    let n = self.u32()? as usize;
                    self.push_str(n)?;
                }
                // EMPTY_TUPLE, TUPLE1..3, TUPLE
                b')' => self.stack.push(Value::Tuple(Rc::new(Vec::new()))),
                0x85..=0x87 => {
                    let items = self.pop_n(usize::from(op - 0x84))?;
                    self.stack.push(Value::Tuple(Rc::new(items)));
                }
                b't' => {
                    let items = self.pop_mark()?;
                    self.stack.push(Value::Tuple(Rc::new(items)));
                }
                // MARK
                b'(' => self.marks.push(self.stack.len()),
                // EMPTY_LIST, APPEND, APPENDS
                b']' => self
                    .stack
                    .push(Value::List(Rc::new(RefCell::new(Vec::new())))),
                b'a' => {
                    let v = self.pop()?;
                    match self.stack.last() {
                        Some(Value::List(l)) => l.borrow_mut().push(v),
                        other => {
                            let what = other.map_or("nothing", kind);
                            return Err(self.fail(format!("APPEND to {what}")));
                        }
                    }
                }
                b'e' => {
                    let items = self.pop_mark()?;
                    match self.stack.last() {
                        Some(Value::List(l)) => l.borrow_mut().extend(items),
                        other => {
                            let what = other.map_or("nothing", kind);
                            return Err(self.fail(format!("APPENDS to {what}")));
                        }
                    }
                }
                // BINPUT, LONG_BINPUT, MEMOIZE; BINGET, LONG_BINGET
                b'q' => {
                    let i = usize::from(self.u8()?);
                    self.put(i)?;
                }
                b'r' => {
                    let i = self.u32()? as usize;
                    self.put(i)?;
                }
                0x94 => {
                    let i = self.memo.len();
                    self.put(i)?;
                }
                b'h' => {
                    let i = usize::from(self.u8()?);
                    self.get(i)?;
                }
                b'j' => {
                    let i = self.u32()? as usize;
                    self.get(i)?;
                }
                // GLOBAL
                b'c' => {
                    let module = self.line()?;
                    let name = self.line()?;
                    self.stack.push(Value::Global(module.into(), name.into()));
                }
                // REDUCE
                b'R' => {
                    let args = self.pop()?;
                    let callable = self.pop()?;
                    let (Value::Global(module, name), Value::Tuple(args)) = (&callable, &args)
                    else {
                        return Err(self.fail(format!(
                            "REDUCE of {} with {}, not a global with a tuple",
                            kind(&callable),
                            kind(&args)
                        )));
                    };
                    self.stack.push(Value::Object(Rc::new(Object {
                        module: module.clone(),
                        name: name.clone(),
                        args: args.to_vec(),
                        state: RefCell::new(None),
                    })));
                }
                // BUILD
                b'b' => {
                    let state = self.pop()?;
                    match self.stack.last() {
                        Some(Value::Object(o)) => *o.state.borrow_mut() = Some(state),
                        other => {
                            let what = other.map_or("nothing", kind);
                            return Err(self.fail(format!("BUILD on {what}")));
                        }
                    }
                }
                other => {
                    return Err(self.fail(format!("unknown opcode 0x{other:02x}")));
                }
            }
        }
    }
}

/// Runs a pickle and returns the value it stops with.
pub fn load(bytes: &[u8]) -> Result<Value, SketchError> {
    Machine {
        bytes,
        at: 0,
        op_at: 0,
        stack: Vec::new(),
        marks: Vec::new(),
        memo: Vec::new(),
    }
    .run()
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let v = load(&p).unwrap();
        let items = v.items().unwrap();
        assert_eq!(items.len(), 7);
        assert!(matches!(items[0], Value::Int(1)));
        let list = items[1].items().unwrap();
        assert_eq!(list[0].bytes().unwrap(), b"ab");
        assert_eq!(list[1].bytes().unwrap(), [0xe9], "é as latin1");
        assert!(matches!(items[2], Value::Bool(true)));
        assert!(matches!(items[3], Value::None));
        assert!(matches!(items[4], Value::Int(-1)));
        assert!(matches!(items[5], Value::Int(300)));
        // The memo shares the list, so it has the items appended later.
        assert_eq!(items[6].items().unwrap().len(), 2);
    }

    #[test]
    fn reduce_and_build_record_a_call_and_its_state() {
        let mut p = b"\x80\x02cnumpy\ndtype\nU\x02i2K\x00\x88\x87R".to_vec();
        p.extend(b"(K\x03U\x01<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb.");
        let Value::Object(o) = load(&p).unwrap() else {
            panic!("not an object")
        };
        assert_eq!((&*o.module, &*o.name), ("numpy", "dtype"));
        assert_eq!(o.args[0].text().unwrap(), "i2");
        let state = o.state.borrow().clone().unwrap().items().unwrap();
        assert_eq!(state[1].text().unwrap(), "<");
        // LONG1: -2 in one byte, 2^40 in six.
        assert!(matches!(load(b"\x8a\x01\xfe.").unwrap(), Value::Int(-2)));
        let big = load(b"\x8a\x06\x00\x00\x00\x00\x00\x01.").unwrap();
        assert!(matches!(big, Value::Int(v) if v == 1 << 40));
    }

    #[test]
    fn refuses_what_it_does_not_know_with_the_byte_and_offset() {
        let err = load(b"\x80\x02K\x01\x93.").unwrap_err().to_string();
        assert_eq!(err, "pickle: unknown opcode 0x93 at byte 4");
        let err = load(b"\x80\x02U\x05ab").unwrap_err().to_string();
        assert!(
            err.contains("the data ends after 6 bytes") && err.ends_with("byte 2"),
            "{err}"
        );
        let err = load(b"\x80\x02h\x07.").unwrap_err().to_string();
        assert_eq!(err, "pickle: memo index 7 was never put at byte 2");
        let err = load(b"K\x01K\x02R.").unwrap_err().to_string();
        assert!(err.contains("REDUCE of an int with an int"), "{err}");
        assert!(load(b"").is_err());
        assert!(load(b"(.").is_err(), "STOP on a mark");
        assert!(load(b"\x85.").is_err(), "TUPLE1 of nothing");
    }
}
