//! Small shared helpers: a fast hasher for integer keys, a string interner,
//! and Go's conversion of arbitrary bytes to a JSON/UTF-8 string.

use std::sync::Arc;

use trace_format::goquote::decode_rune;

pub use trace_format::table::{FxHashMap, FxHashSet, FxHasher};

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
