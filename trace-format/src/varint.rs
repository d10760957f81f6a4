//! Unsigned LEB128 varints with Go's `encoding/binary.Uvarint` rules.
//!
//! Non-minimal encodings are accepted (the runtime pads batch lengths to
//! 10 bytes); more than 10 bytes, or a 10th byte above 1, is an overflow.

/// Decodes a uvarint from the front of `b`, returning the value and the
/// number of bytes used, or `None` if `b` ends early or the value overflows.
#[inline]
pub fn uvarint(b: &[u8]) -> Option<(u64, usize)> {
    // Most trace varints (type-relative arguments, time deltas) take one byte.
    // Time deltas mostly take two or three.
    match *b {
        [b0, ..] if b0 < 0x80 => Some((u64::from(b0), 1)),
        [b0, b1, ..] if b1 < 0x80 => Some((u64::from(b0 & 0x7f) | u64::from(b1) << 7, 2)),
        [b0, b1, b2, ..] if b2 < 0x80 => Some((
            u64::from(b0 & 0x7f) | u64::from(b1 & 0x7f) << 7 | u64::from(b2) << 14,
            3,
        )),
        _ => uvarint_long(b),
    }
}

/// [`uvarint`] past its fast paths: the general loop.
#[cold]
fn uvarint_long(b: &[u8]) -> Option<(u64, usize)> {
    let mut x: u64 = 0;
    let mut s: u32 = 0;
    for (i, &byte) in b.iter().enumerate() {
        if i == 10 {
            return None;
        }
        if byte < 0x80 {
            if i == 9 && byte > 1 {
                return None;
            }
            return Some((x | (byte as u64) << s, i + 1));
        }
        x |= ((byte & 0x7f) as u64) << s;
        s += 7;
    }
    None
}

/// Decodes a uvarint of at most 8 bytes from `w`, the next 8 bytes read as
/// a little-endian word: the value and its length, or `None` if it is
/// longer (left to [`uvarint`]). One and two bytes (most arguments) by a
/// test each; longer ones without branches, since time deltas take two or
/// three bytes in no pattern a branch predictor could follow.
#[inline(always)]
pub fn uvarint_word(w: u64) -> Option<(u64, usize)> {
    if w & 0x80 == 0 {
        return Some((w & 0x7f, 1));
    }
    if w & 0x8000 == 0 {
        return Some((w & 0x7f | (w >> 1) & 0x3f80, 2));
    }
    // The top bit of each byte that ends a varint; the lowest is ours.
    let stops = !w & 0x8080_8080_8080_8080;
    if stops == 0 {
        return None;
    }
    let last = stops.trailing_zeros(); // 8 * (len - 1) + 7
    let x = w & (u64::MAX >> (63 - last)) & 0x7f7f_7f7f_7f7f_7f7f;
    // Pack the 7-bit groups: pairs into 14 bits, then 28, then 56.
    let x = (x & 0x007f_007f_007f_007f) | ((x & 0x7f00_7f00_7f00_7f00) >> 1);
    let x = (x & 0x0000_3fff_0000_3fff) | ((x & 0x3fff_0000_3fff_0000) >> 2);
    let x = (x & 0x0000_0000_0fff_ffff) | ((x & 0x0fff_ffff_0000_0000) >> 4);
    Some((x, (last as usize + 1) / 8))
}

/// Appends the minimal encoding of `x` to `out`.
pub fn put_uvarint(out: &mut Vec<u8>, mut x: u64) {
    while x >= 0x80 {
        out.push((x as u8) | 0x80);
        x >>= 7;
    }
    out.push(x as u8);
}

/// Length of the minimal encoding of `x`.
pub fn uvarint_len(x: u64) -> usize {
    (64 - (x | 1).leading_zeros() as usize).div_ceil(7)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_decoding_agrees_with_uvarint() {
        let mut cases = vec![vec![0x80, 0x00], vec![0xff, 0x80, 0x00]];
        for x in [
            0u64,
            1,
            127,
            128,
            300,
            16_383,
            16_384,
            (1 << 49) - 1,
            (1 << 56) - 1,
        ] {
            let mut v = Vec::new();
            put_uvarint(&mut v, x);
            cases.push(v);
        }
        for mut v in cases {
            let want = uvarint(&v);
            v.resize(8, 0xff);
            let w = u64::from_le_bytes(v[..8].try_into().unwrap());
            assert_eq!(uvarint_word(w), want, "{v:x?}");
        }
        // Nine bytes and more are left to `uvarint`.
        assert_eq!(uvarint_word(u64::MAX), None);
        assert_eq!(uvarint_word(0x80 << 56 | 0x0080_8080_8080_8080), None);
    }

    #[test]
    fn round_trip_and_padding() {
        for x in [0u64, 1, 127, 128, 300, u32::MAX as u64, u64::MAX] {
            let mut v = Vec::new();
            put_uvarint(&mut v, x);
            assert_eq!(v.len(), uvarint_len(x));
            assert_eq!(uvarint(&v), Some((x, v.len())));
        }
        // Padded 10-byte encoding of 5, as the runtime writes batch lengths.
        let padded = [0x85, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00];
        assert_eq!(uvarint(&padded), Some((5, 10)));
        // Overflow and truncation.
        assert_eq!(uvarint(&[0xff; 11]), None);
        assert_eq!(
            uvarint(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]),
            None
        );
        assert_eq!(uvarint(&[0x80]), None);
        assert_eq!(uvarint(&[]), None);
    }

    /// The unrolled short forms agree with the general loop: every input of
    /// up to two bytes, and three- and four-byte inputs on a grid.
    #[test]
    fn fast_paths_match_the_loop() {
        let mut inputs: Vec<Vec<u8>> = vec![vec![]];
        for a in 0..=255u8 {
            inputs.push(vec![a]);
            for b in 0..=255u8 {
                inputs.push(vec![a, b]);
            }
        }
        let grid = [0x00, 0x01, 0x7f, 0x80, 0x81, 0xfe, 0xff];
        for &a in &grid {
            for &b in &grid {
                for &c in &grid {
                    inputs.push(vec![a, b, c]);
                    for &d in &grid {
                        inputs.push(vec![a, b, c, d]);
                    }
                }
            }
        }
        for v in &inputs {
            assert_eq!(uvarint(v), uvarint_long(v), "{v:x?}");
        }
    }
}
