//! Compact span tracks for Ps and Ms: which goroutine executes there, plus
//! overlays (system calls, GC sweeping). Spans are sorted by start and stored
//! as varint-encoded records with checkpoint blocks, like goroutine records.

use trace_format::varint::{put_uvarint, uvarint};

use super::strings::NONE;

/// Records per checkpoint block.
pub const BLOCK: u32 = 64;

/// Span kinds.
pub mod kind {
    /// A goroutine executes on the resource.
    pub const EXEC: u8 = 0;
    /// The executing goroutine is in a system call.
    pub const SYSCALL: u8 = 1;
    /// The P is sweeping for the GC.
    pub const SWEEP: u8 = 2;
}

/// The span started before its chunk (it continues one from the previous chunk).
pub const CONT_START: u8 = 0b0000_1000;
/// The span was still open at the end of its chunk.
pub const CONT_END: u8 = 0b0001_0000;

/// A span as built, with a chunk-local goroutine index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Start (ns).
    pub start: i64,
    /// End (ns).
    pub end: i64,
    /// Chunk-local goroutine index, or `NONE`.
    pub g: u32,
    /// Kind and continuation flags.
    pub flags: u8,
}

impl Span {
    /// The span's kind.
    pub fn kind(&self) -> u8 {
        self.flags & 0b111
    }
}

/// A checkpoint every [`BLOCK`] spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpanBlock {
    /// Start of the span before the block (or the chunk base).
    pub prev_start: i64,
    /// Start of the block's first span.
    pub start: i64,
    /// Byte offset of the block's first span.
    pub off: u32,
    /// Total execution time in the block (saturating).
    pub busy: u32,
    /// Local goroutine with the most execution time in the block.
    pub top_g: u32,
    /// Latest end of any span before the block (spans may nest, so a span
    /// from an earlier block can still be open inside this one).
    pub reach: i64,
}

/// One resource's spans in one chunk.
#[derive(Debug, Clone, Default)]
pub struct SpanTrack {
    /// Resource ID (P or M).
    pub id: i64,
    /// Encoded spans.
    pub bytes: Vec<u8>,
    /// Checkpoints (empty for short tracks).
    pub blocks: Vec<SpanBlock>,
    /// Number of spans.
    pub len: u32,
}

impl SpanTrack {
    /// Encodes `spans` (sorted here by start) starting from `base`.
    pub fn build(id: i64, mut spans: Vec<Span>, base: i64) -> SpanTrack {
        spans.sort_by_key(|s| (s.start, s.kind()));
        let mut t = SpanTrack {
            id,
            bytes: Vec::with_capacity(spans.len() * 6),
            blocks: Vec::new(),
            len: 0,
        };
        let mut prev = base;
        let (mut busy, mut top, mut top_ns) = (0u64, NONE, 0i64);
        let mut block = SpanBlock {
            prev_start: base,
            start: spans.first().map_or(base, |s| s.start),
            off: 0,
            busy: 0,
            top_g: NONE,
            reach: i64::MIN,
        };
        let mut reach = i64::MIN;
        let long = spans.len() as u32 > BLOCK;
        for (i, s) in spans.iter().enumerate() {
            if long && i > 0 && (i as u32).is_multiple_of(BLOCK) {
                t.blocks.push(SpanBlock {
                    busy: busy.min(u32::MAX as u64) as u32,
                    top_g: top,
                    ..block
                });
                block = SpanBlock {
                    prev_start: prev,
                    start: s.start,
                    off: t.bytes.len() as u32,
                    busy: 0,
                    top_g: NONE,
                    reach,
                };
                (busy, top, top_ns) = (0, NONE, 0);
            }
            let dur = s.end.saturating_sub(s.start).max(0);
            reach = reach.max(s.end);
            if s.kind() == kind::EXEC {
                busy += dur as u64;
                if dur > top_ns {
                    top_ns = dur;
                    top = s.g;
                }
            }
            t.bytes.push(s.flags);
            put_uvarint(&mut t.bytes, s.start.saturating_sub(prev).max(0) as u64);
            put_uvarint(&mut t.bytes, dur as u64);
            put_uvarint(&mut t.bytes, if s.g == NONE { 0 } else { s.g as u64 + 1 });
            prev = s.start;
        }
        if long {
            t.blocks.push(SpanBlock {
                busy: busy.min(u32::MAX as u64) as u32,
                top_g: top,
                ..block
            });
        }
        t.len = spans.len() as u32;
        t.bytes.shrink_to_fit();
        t
    }
}

/// Decodes the span at `*pos`, advancing `pos` and `prev_start`.
#[inline]
pub fn decode(b: &[u8], pos: &mut usize, prev_start: &mut i64) -> Option<Span> {
    let flags = *b.get(*pos)?;
    let mut p = *pos + 1;
    let mut next = || -> Option<u64> {
        let (v, n) = uvarint(b.get(p..)?)?;
        p += n;
        Some(v)
    };
    let ds = next()?;
    let dur = next()?;
    let g = next()?;
    let start = prev_start.wrapping_add(ds as i64);
    *prev_start = start;
    *pos = p;
    Some(Span {
        start,
        end: start.wrapping_add(dur as i64),
        g: if g == 0 { NONE } else { (g - 1) as u32 },
        flags,
    })
}

/// Start of the span at `pos`.
#[inline]
pub fn peek_start(b: &[u8], pos: usize, prev_start: i64) -> Option<i64> {
    let (ds, _) = uvarint(b.get(pos + 1..)?)?;
    Some(prev_start.wrapping_add(ds as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_round_trip_sorted() {
        let spans: Vec<Span> = (0..200)
            .rev()
            .map(|i| Span {
                start: 1000 + i * 10,
                end: 1005 + i * 10,
                g: (i % 3) as u32,
                flags: kind::EXEC,
            })
            .chain([Span {
                start: 1001,
                end: 1002,
                g: NONE,
                flags: kind::SYSCALL | CONT_END,
            }])
            .collect();
        let t = SpanTrack::build(4, spans, 1000);
        assert_eq!(t.len, 201);
        assert_eq!(t.blocks.len(), 4);
        let (mut pos, mut prev) = (0, 1000);
        let mut out = Vec::new();
        while let Some(s) = decode(&t.bytes, &mut pos, &mut prev) {
            out.push(s);
        }
        assert_eq!(out.len(), 201);
        assert!(out.windows(2).all(|w| w[0].start <= w[1].start));
        assert_eq!(
            out[1],
            Span {
                start: 1001,
                end: 1002,
                g: NONE,
                flags: kind::SYSCALL | CONT_END
            }
        );
        assert_eq!(t.blocks[0].busy, 63 * 5); // 63 exec spans of 5 ns; the syscall is not busy
        let b1 = t.blocks[1];
        assert_eq!(
            peek_start(&t.bytes, b1.off as usize, b1.prev_start),
            Some(1000 + 63 * 10)
        );
        assert_eq!(b1.reach, 1000 + 62 * 10 + 5);
        assert_eq!(t.blocks[0].reach, i64::MIN);
    }
}
