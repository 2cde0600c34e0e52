//! Mutations of one input: the byte-level ones of AFL and libFuzzer (bit
//! flips, interesting numbers where length fields sit, inserted, deleted and
//! repeated ranges, splices with another input) plus tokens that trip text
//! parsers (JSON punctuation, `NaN`, huge numbers, URL separators, non-ASCII).

use rand::Rng;

/// Bytes that often sit on a boundary.
const BYTES: [u8; 22] = [
    0, 1, 0x7f, 0x80, 0xff, b'0', b'9', b'-', b'"', b'{', b'}', b'[', b']', b',', b':', b'.', b'e',
    b'#', b'&', b'=', b'%', b'\\',
];

/// Numbers that break length and count fields.
const WORDS: [u64; 12] = [
    0,
    1,
    2,
    0x7f,
    0xff,
    0xffff,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0x1_0000_0000,
    0x7fff_ffff_ffff_ffff,
    u64::MAX,
];

/// Text that breaks parsers of JSON, numbers and URL hashes.
const TOKENS: [&str; 24] = [
    "NaN",
    "-NaN",
    "Infinity",
    "-1",
    "-0",
    "1e999",
    "1e-999",
    "99999999999999999999",
    "4294967296",
    "0x10",
    "null",
    "true",
    "\"\"",
    "[]",
    "{}",
    "\\u0000",
    "\\ud800",
    "é",
    "🎉",
    "%",
    "%zz",
    "&=&",
    "#",
    "\r\n",
];

/// Applies one to eight mutations to `input`, keeping it at most `max_len`
/// bytes; `pool` is what splices draw from.
pub fn mutate<R: Rng>(rng: &mut R, input: &mut Vec<u8>, pool: &[Vec<u8>], max_len: usize) {
    let times = 1 << rng.random_range(0..4);
    for _ in 0..times {
        once(rng, input, pool);
    }
    input.truncate(max_len);
}

fn at<R: Rng>(rng: &mut R, len: usize) -> usize {
    if len == 0 {
        0
    } else {
        rng.random_range(0..len)
    }
}

fn range<R: Rng>(rng: &mut R, len: usize) -> (usize, usize) {
    let start = at(rng, len);
    let most = (len - start).min(64);
    let end = start
        + if most == 0 {
            0
        } else {
            rng.random_range(1..=most)
        };
    (start, end)
}

fn once<R: Rng>(rng: &mut R, input: &mut Vec<u8>, pool: &[Vec<u8>]) {
    let len = input.len();
    match rng.random_range(0..12) {
        0 if len > 0 => {
            let i = at(rng, len);
            input[i] ^= 1 << rng.random_range(0..8);
        }
        1 if len > 0 => {
            let i = at(rng, len);
            input[i] = rng.random();
        }
        2 if len > 0 => {
            let i = at(rng, len);
            input[i] = BYTES[rng.random_range(0..BYTES.len())];
        }
        3 if len > 0 => {
            let i = at(rng, len);
            let delta = rng.random_range(1..=16u8);
            input[i] = if rng.random() {
                input[i].wrapping_add(delta)
            } else {
                input[i].wrapping_sub(delta)
            };
        }
        4 if len > 0 => {
            let word = WORDS[rng.random_range(0..WORDS.len())];
            let width = [2, 4, 8][rng.random_range(0..3)];
            let bytes = if rng.random() {
                word.to_le_bytes()[..width].to_vec()
            } else {
                word.to_be_bytes()[8 - width..].to_vec()
            };
            let i = at(rng, len);
            for (k, b) in bytes.iter().enumerate() {
                if let Some(slot) = input.get_mut(i + k) {
                    *slot = *b;
                }
            }
        }
        5 => {
            let i = at(rng, len + 1).min(len);
            let n = rng.random_range(1..=16);
            let bytes: Vec<u8> = (0..n).map(|_| rng.random()).collect();
            input.splice(i..i, bytes);
        }
        6 if len > 0 => {
            let (start, end) = range(rng, len);
            input.drain(start..end);
        }
        7 if len > 0 => {
            let (start, end) = range(rng, len);
            let copy = input[start..end].to_vec();
            let i = at(rng, len + 1).min(len);
            input.splice(i..i, copy);
        }
        8 if !pool.is_empty() => {
            let other = &pool[rng.random_range(0..pool.len())];
            let cut = at(rng, len + 1).min(len);
            let from = at(rng, other.len() + 1).min(other.len());
            input.truncate(cut);
            input.extend_from_slice(&other[from..]);
        }
        9 if len > 0 => {
            let cut = at(rng, len);
            input.truncate(cut);
        }
        10 => {
            let token = TOKENS[rng.random_range(0..TOKENS.len())].as_bytes();
            let i = at(rng, len + 1).min(len);
            if rng.random() && len > 0 {
                let (start, end) = range(rng, len);
                input.splice(start..end, token.iter().copied());
            } else {
                input.splice(i..i, token.iter().copied());
            }
        }
        _ if len > 1 => {
            let (start, end) = range(rng, len);
            let copy = input[start..end].to_vec();
            let i = at(rng, len);
            for (k, b) in copy.into_iter().enumerate() {
                if let Some(slot) = input.get_mut(i + k) {
                    *slot = b;
                }
            }
        }
        _ => input.push(rng.random()),
    }
}
