//! TensorFlow Playground's random stream: `Math.seedrandom(text)` from
//! seedrandom 2.4.4, an RC4 ("ARC4") keystream turned into doubles, so that a
//! TFP link's `seed=0.12345` gives here the very numbers it gives there.
//!
//! TFP seeds `Math.random` with the raw seed text of its URL and then draws
//! the data, the shuffle and the initial weights from that one stream; the
//! reference files in `shared/data/tfp-reference/` (see their README) hold the
//! stream itself for three seeds, which the tests below reproduce bit for bit.
//!
//! - The key is the text's UTF-16 code units, one byte each (modulo 256);
//!   past 256 units seedrandom's `mixkey` folds them in with a running
//!   32-bit "smear" (TFP's 5–7 character seeds never get there).
//! - The standard RC4 key schedule, then 256 output bytes thrown away.
//! - A double takes 6 bytes as a 48-bit numerator over 2⁴⁸, then one more
//!   byte at a time until the numerator reaches 2⁵², then halves back to
//!   53 bits: an integer over a power of two, so the u64 arithmetic here
//!   is exact and the same on every platform (native and wasm32 alike).
//!
//! [`to_fixed5`] is JavaScript's `x.toFixed(5)`, with which TFP makes a new
//! seed text from the stream when the data set changes.
//!
//! What is not here: deciding which seeds are TFP's (the playground crate
//! does: a seed text that is not a plain integer).

use crate::rng::Stream;

/// RC4's permutation size (seedrandom's `width`).
const WIDTH: usize = 256;
/// 2⁵²: a double's numerator is filled up to at least this (`significance`).
const SIGNIFICANCE: u64 = 1 << 52;
/// 2⁵³: and then halved until below this (`overflow`).
const OVERFLOW: u64 = 1 << 53;

/// seedrandom 2.4.4's ARC4 generator, as `Math.seedrandom(text)` leaves it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arc4 {
    s: [u8; WIDTH],
    i: u8,
    j: u8,
}

impl Arc4 {
    /// The generator `Math.seedrandom(seed)` makes: keyed with [`key`] of
    /// `seed`, its first 256 bytes already thrown away.
    pub fn new(seed: &str) -> Arc4 {
        let mut key = key(seed);
        // seedrandom treats the empty key as [0].
        if key.is_empty() {
            key.push(0);
        }
        let mut s = [0u8; WIDTH];
        for (i, v) in s.iter_mut().enumerate() {
            *v = i as u8;
        }
        let mut j = 0u8;
        for i in 0..WIDTH {
            j = j.wrapping_add(key[i % key.len()]).wrapping_add(s[i]);
            s.swap(i, usize::from(j));
        }
        let mut arc4 = Arc4 { s, i: 0, j: 0 };
        for _ in 0..WIDTH {
            arc4.byte();
        }
        arc4
    }

    /// The next keystream byte.
    pub fn byte(&mut self) -> u8 {
        self.i = self.i.wrapping_add(1);
        let t = self.s[usize::from(self.i)];
        self.j = self.j.wrapping_add(t);
        self.s.swap(usize::from(self.i), usize::from(self.j));
        self.s[usize::from(self.s[usize::from(self.i)].wrapping_add(t))]
    }

    /// The next `count` bytes as one big-endian number (`arc4.g(count)`).
    fn bytes(&mut self, count: u32) -> u64 {
        (0..count).fold(0, |r, _| (r << 8) | u64::from(self.byte()))
    }

    /// The next double in `[0, 1)`: what the seeded `Math.random()` returns.
    pub fn double(&mut self) -> f64 {
        let mut n = self.bytes(6);
        // A power of two, so every operation on it is exact.
        let mut d = (1u64 << 48) as f64;
        let mut x = 0;
        while n < SIGNIFICANCE {
            n = (n + x) * WIDTH as u64;
            d *= WIDTH as f64;
            x = u64::from(self.byte());
        }
        while n >= OVERFLOW {
            n /= 2;
            d /= 2.0;
            x >>= 1;
        }
        (n + x) as f64 / d
    }

    /// The permutation and the two indices, for comparing with a reference.
    pub fn state(&self) -> (&[u8; WIDTH], u8, u8) {
        (&self.s, self.i, self.j)
    }
}

impl Stream for Arc4 {
    fn next_f64(&mut self) -> f64 {
        self.double()
    }
}

/// seedrandom's key for `seed` (`mixkey`): one byte per UTF-16 code unit, at
/// most 256 bytes; unit `k` lands on byte `k mod 256` as
/// `(smear ^= key[k mod 256] · 19) + unit`, modulo 256.
///
/// Before a byte exists JavaScript's `undefined · 19` is NaN, which `^=`
/// reads as 0, so the first 256 units go in as they are.
pub fn key(seed: &str) -> Vec<u8> {
    let mut key: Vec<u8> = Vec::new();
    let mut smear: u32 = 0;
    for (k, unit) in seed.encode_utf16().enumerate() {
        let at = k % WIDTH;
        if let Some(&old) = key.get(at) {
            smear ^= u32::from(old) * 19;
        }
        let byte = smear.wrapping_add(u32::from(unit)) as u8;
        match key.get_mut(at) {
            Some(slot) => *slot = byte,
            None => key.push(byte),
        }
    }
    key
}

/// JavaScript's `x.toFixed(5)` for `x` in `[0, 1)` (what `Math.random()`
/// returns): the exact value of the double rounded to 5 decimals, a tie
/// going to the larger number (Rust's `{:.5}` rounds ties to even).
///
/// Outside `[0, 1)` (or NaN) it gives `"0.00000"`, which no stream returns.
pub fn to_fixed5(x: f64) -> String {
    const SCALE: u128 = 100_000;
    let n = if x.is_finite() && (0.0..1.0).contains(&x) && x != 0.0 {
        // x = mantissa / 2^shift exactly.
        let bits = x.to_bits();
        let exponent = ((bits >> 52) & 0x7ff) as u32;
        let fraction = u128::from(bits & ((1 << 52) - 1));
        let (mantissa, shift) = if exponent == 0 {
            (fraction, 1074)
        } else {
            (fraction | (1 << 52), 1075 - exponent)
        };
        // mantissa · 10⁵ < 2⁷⁰, so a shift of 72 or more leaves < ½: 0.
        if shift >= 72 {
            0
        } else {
            let scaled = mantissa * SCALE;
            let half = 1u128 << (shift - 1);
            (scaled + half) >> shift
        }
    } else {
        0
    };
    format!("{}.{:05}", n / SCALE, n % SCALE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_keystreams() {
        // RC4 test vectors (key "Key", "Wiki") without the drop: rebuild the
        // schedule by hand and compare the first bytes of the keystream.
        fn rc4(key: &[u8], n: usize) -> Vec<u8> {
            let mut s: Vec<u8> = (0..=255).collect();
            let mut j = 0u8;
            for i in 0..256 {
                j = j.wrapping_add(key[i % key.len()]).wrapping_add(s[i]);
                s.swap(i, usize::from(j));
            }
            let mut a = Arc4 {
                s: s.try_into().unwrap(),
                i: 0,
                j: 0,
            };
            (0..n).map(|_| a.byte()).collect()
        }
        assert_eq!(rc4(b"Key", 5), [0xeb, 0x9f, 0x77, 0x81, 0xb7]);
        assert_eq!(rc4(b"Wiki", 5), [0x60, 0x44, 0xdb, 0x6d, 0x41]);
    }

    #[test]
    fn the_key_is_the_code_units_then_mixed() {
        assert_eq!(key("0.12345"), [48, 46, 49, 50, 51, 52, 53]);
        assert_eq!(key("é€"), [0xe9, 0xac]); // U+20AC mod 256
        assert!(key("").is_empty());
        // Unit 256 falls on byte 0: smear = 48 · 19, plus the unit.
        let long: String = "0".repeat(256) + "1";
        let k = key(&long);
        assert_eq!(k.len(), 256);
        assert_eq!(k[0], ((48 * 19 + 49) % 256) as u8);
        assert_eq!(k[1], 48);
    }

    #[test]
    fn doubles_are_in_range_and_the_empty_seed_works() {
        let mut a = Arc4::new("");
        for _ in 0..10_000 {
            let v = a.double();
            assert!((0.0..1.0).contains(&v), "{v}");
        }
    }

    #[test]
    fn to_fixed_rounds_the_exact_value_with_ties_up() {
        assert_eq!(to_fixed5(0.0), "0.00000");
        assert_eq!(to_fixed5(0.62930), "0.62930");
        assert_eq!(to_fixed5(0.999_999), "1.00000");
        assert_eq!(to_fixed5(0.123_454_999), "0.12345");
        // Dyadic values are exact ties: 2⁻⁶ = 0.015625 goes up.
        assert_eq!(to_fixed5(0.015625), "0.01563");
        assert_eq!(format!("{:.5}", 0.015625), "0.01562", "Rust rounds to even");
        assert_eq!(to_fixed5(3.0 / 64.0), "0.04688"); // 0.046875
        // The double nearest 0.000005 is 5.000000000000000409e-6: up.
        assert_eq!(to_fixed5(0.000_005), "0.00001");
        assert_eq!(to_fixed5(0.000_004_999_999), "0.00000");
        assert_eq!(to_fixed5(f64::MIN_POSITIVE), "0.00000");
        assert_eq!(to_fixed5(f64::NAN), "0.00000");
        assert_eq!(to_fixed5(1.5), "0.00000");
    }
}
