//! Compact goroutine state records. Each goroutine's records in one chunk are
//! a byte string: a header byte, the time as a varint delta from the previous
//! record, then optional varint fields. About 4–6 bytes per transition.
//!
//! Every [`BLOCK`] records a checkpoint ([`Block`]) allows starting to decode
//! in the middle and, when a whole block is narrower than a pixel, drawing it
//! as one merged span of its dominant category without decoding it.

use trace_format::varint::{put_uvarint, uvarint};

use super::state::Category;
use super::strings::NONE;

/// Records per checkpoint block.
pub const BLOCK: u32 = 64;

/// Header bits.
pub mod flag {
    /// Mask of the state code (see `state::code`).
    pub const STATE: u8 = 0b0000_0111;
    /// The state was established by a status event (the goroutine was first
    /// seen in this chunk and may have been in this state before it).
    pub const STATUS: u8 = 0b0000_1000;
    /// A reason string ID follows.
    pub const REASON: u8 = 0b0001_0000;
    /// A stack ID follows.
    pub const STACK: u8 = 0b0010_0000;
    /// An extra value follows (P for running/syscall, creating or unblocking goroutine otherwise).
    pub const EXTRA: u8 = 0b0100_0000;
    /// The goroutine was created by this transition.
    pub const CREATED: u8 = 0b1000_0000;
}

/// One decoded record: the goroutine enters `state` at `time`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record {
    /// Time (ns).
    pub time: i64,
    /// Header flags, including the state code.
    pub flags: u8,
    /// Reason string ID (chunk-local until mapped), or `NONE`.
    pub reason: u32,
    /// Stack ID (chunk-local until mapped), or `NONE`.
    pub stack: u32,
    /// P, creator or unblocker goroutine ID, or -1.
    pub extra: i64,
}

impl Record {
    /// The state code.
    pub fn state(&self) -> u8 {
        self.flags & flag::STATE
    }
}

/// Appends `r` to `out`, its time relative to `prev_time`.
pub fn encode(out: &mut Vec<u8>, prev_time: i64, r: &Record) {
    let mut h = r.flags & (flag::STATE | flag::STATUS | flag::CREATED);
    if r.reason != NONE {
        h |= flag::REASON;
    }
    if r.stack != NONE {
        h |= flag::STACK;
    }
    if r.extra >= 0 {
        h |= flag::EXTRA;
    }
    out.push(h);
    put_uvarint(out, r.time.saturating_sub(prev_time).max(0) as u64);
    if r.reason != NONE {
        put_uvarint(out, r.reason as u64);
    }
    if r.stack != NONE {
        put_uvarint(out, r.stack as u64);
    }
    if r.extra >= 0 {
        put_uvarint(out, r.extra as u64);
    }
}

/// Decodes the record at `*pos`, advancing `pos` and `prev_time`.
#[inline]
pub fn decode(b: &[u8], pos: &mut usize, prev_time: &mut i64) -> Option<Record> {
    let h = *b.get(*pos)?;
    let mut p = *pos + 1;
    let mut next = || -> Option<u64> {
        let (v, n) = uvarint(b.get(p..)?)?;
        p += n;
        Some(v)
    };
    let dt = next()?;
    let reason = if h & flag::REASON != 0 {
        next()? as u32
    } else {
        NONE
    };
    let stack = if h & flag::STACK != 0 {
        next()? as u32
    } else {
        NONE
    };
    let extra = if h & flag::EXTRA != 0 {
        next()? as i64
    } else {
        -1
    };
    let time = prev_time.wrapping_add(dt as i64);
    *prev_time = time;
    *pos = p;
    Some(Record {
        time,
        flags: h,
        reason,
        stack,
        extra,
    })
}

/// Time of the record at `pos` (decoding only its header and delta).
#[inline]
pub fn peek_time(b: &[u8], pos: usize, prev_time: i64) -> Option<i64> {
    let (dt, _) = uvarint(b.get(pos + 1..)?)?;
    Some(prev_time.wrapping_add(dt as i64))
}

/// A checkpoint: decoding may start at byte `off` of the segment with
/// `prev_time` as the previous record's time. `cat` is the dominant category
/// (by time) of the block's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    /// Time of the record before the block (or the chunk base).
    pub prev_time: i64,
    /// Time of the block's first record.
    pub t0: i64,
    /// Byte offset of the block's first record within the segment.
    pub off: u32,
    /// Dominant category.
    pub cat: u8,
}

/// Accumulates time per category and emits checkpoint blocks while a
/// segment is written.
#[derive(Debug, Clone)]
pub(crate) struct BlockWriter {
    acc: [i64; Category::COUNT],
    cur_cat: u8,
    cur_since: i64,
    block_prev: i64,
    block_t0: i64,
    block_off: u32,
    n: u32,
    pub blocks: Vec<Block>,
}

impl BlockWriter {
    pub fn new(base: i64) -> Self {
        BlockWriter {
            acc: [0; Category::COUNT],
            cur_cat: Category::None as u8,
            cur_since: base,
            block_prev: base,
            block_t0: base,
            block_off: 0,
            n: 0,
            blocks: Vec::new(),
        }
    }

    /// Called before a record at `time` with category `cat` is written at byte `off`,
    /// `prev_time` being the previous record's time.
    pub fn record(&mut self, time: i64, cat: Category, off: usize, prev_time: i64) {
        self.add(time);
        if self.n > 0 && self.n.is_multiple_of(BLOCK) {
            self.close_block();
            self.block_prev = prev_time;
            self.block_off = off as u32;
        }
        if self.n.is_multiple_of(BLOCK) {
            self.block_t0 = time;
        }
        self.cur_cat = cat as u8;
        self.cur_since = time;
        self.n += 1;
    }

    fn add(&mut self, until: i64) {
        if let Some(a) = self.acc.get_mut(self.cur_cat as usize) {
            *a += until.saturating_sub(self.cur_since).max(0);
        }
        self.cur_since = until;
    }

    fn close_block(&mut self) {
        let mut best = Category::None as u8;
        let mut best_t = -1;
        for (i, &t) in self.acc.iter().enumerate() {
            if t > best_t {
                best_t = t;
                best = i as u8;
            }
        }
        self.blocks.push(Block {
            prev_time: self.block_prev,
            t0: self.block_t0,
            off: self.block_off,
            cat: best,
        });
        self.acc = [0; Category::COUNT];
    }

    /// Finishes at `end`; blocks are kept only for segments longer than one block.
    pub fn finish(mut self, end: i64) -> Vec<Block> {
        if self.n <= BLOCK {
            return Vec::new();
        }
        self.add(end);
        self.close_block();
        self.blocks
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::state::code;

    #[test]
    fn records_round_trip() {
        let recs = [
            Record {
                time: 100,
                flags: code::RUNNABLE | flag::CREATED,
                reason: NONE,
                stack: 3,
                extra: 7,
            },
            Record {
                time: 150,
                flags: code::RUNNING,
                reason: NONE,
                stack: NONE,
                extra: 0,
            },
            Record {
                time: 100_000_150,
                flags: code::WAITING,
                reason: 2,
                stack: 1000,
                extra: -1,
            },
            Record {
                time: 100_000_151,
                flags: code::NOT_EXIST,
                reason: NONE,
                stack: NONE,
                extra: -1,
            },
        ];
        let mut b = Vec::new();
        let mut prev = 90;
        for r in &recs {
            encode(&mut b, prev, r);
            prev = r.time;
        }
        let (mut pos, mut prev) = (0, 90);
        for r in &recs {
            assert_eq!(peek_time(&b, pos, prev), Some(r.time));
            let d = decode(&b, &mut pos, &mut prev).unwrap();
            let mut want = *r;
            want.flags = d.flags; // header gains presence bits
            assert_eq!(d, want);
            assert_eq!(d.state(), r.flags & flag::STATE);
        }
        assert_eq!(pos, b.len());
        assert!(decode(&b, &mut pos, &mut prev).is_none());
        // Truncated input decodes to None rather than panicking.
        let mut pos = 0;
        let mut prev = 0;
        assert!(decode(&b[..1], &mut pos, &mut prev).is_none());
    }

    #[test]
    fn blocks_pick_the_dominant_category() {
        let mut w = BlockWriter::new(0);
        let mut t = 0;
        for i in 0..(BLOCK * 2 + 1) {
            // Running for 10 ns, runnable for 1 ns, alternating.
            let cat = if i % 2 == 0 {
                Category::Running
            } else {
                Category::Runnable
            };
            w.record(t, cat, i as usize, t - 1);
            t += if i % 2 == 0 { 10 } else { 1 };
        }
        let blocks = w.finish(t);
        assert_eq!(blocks.len(), 3);
        assert_eq!(blocks[0].off, 0);
        assert_eq!(blocks[1].off, BLOCK);
        assert!(blocks.iter().all(|b| b.cat == Category::Running as u8));
        assert!(BlockWriter::new(0).finish(10).is_empty());
    }
}
