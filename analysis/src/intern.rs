//! Small shared helpers: a fast hasher for integer keys, a string interner,
//! and Go's conversion of arbitrary bytes to a JSON/UTF-8 string.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use trace_format::goquote::decode_rune;

/// The Fx hash (rustc's): fast and good enough for IDs and short strings.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(i as u64);
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_i64(&mut self, i: i64) {
        self.add(i as u64);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A `HashMap` with [`FxHasher`].
pub type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
/// A `HashSet` with [`FxHasher`].
pub type FxHashSet<K> = HashSet<K, BuildHasherDefault<FxHasher>>;

/// Interns Go strings (raw bytes from the trace) as shared `str`s converted
/// with [`go_string`]: each distinct byte string is converted once.
#[derive(Default)]
pub struct Interner {
    map: FxHashMap<Box<[u8]>, Arc<str>>,
}

impl Interner {
    /// The interned string for `b`.
    pub fn get(&mut self, b: &[u8]) -> Arc<str> {
        if let Some(s) = self.map.get(b) {
            return s.clone();
        }
        let s: Arc<str> = go_string(b).into();
        self.map.insert(b.into(), s.clone());
        s
    }
}

/// Converts a Go string to UTF-8 the way Go's `encoding/json` and
/// `html/template` do: each byte that does not start a valid UTF-8 sequence
/// becomes U+FFFD.
pub fn go_string(b: &[u8]) -> String {
    if let Ok(s) = std::str::from_utf8(b) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(b.len() + 8);
    let mut i = 0;
    while i < b.len() {
        let (r, size) = decode_rune(&b[i..]);
        out.push(char::from_u32(r).unwrap_or(char::REPLACEMENT_CHARACTER));
        i += size.max(1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_string_replaces_each_bad_byte() {
        assert_eq!(go_string(b"chan receive"), "chan receive");
        // Go: a truncated 3-byte sequence is two invalid bytes, two U+FFFD.
        assert_eq!(go_string(b"a\xe2\x82z"), "a\u{fffd}\u{fffd}z");
        assert_eq!(go_string(b"\xff"), "\u{fffd}");
        assert_eq!(go_string("µs".as_bytes()), "µs");
    }

    #[test]
    fn interner_shares() {
        let mut i = Interner::default();
        let a = i.get(b"sync");
        let b = i.get(b"sync");
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(&*i.get(b""), "");
    }
}
