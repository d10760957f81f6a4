//! Reading tracks back: spans of one goroutine, P or M over a time range,
//! with runs narrower than `min_ns` merged at checkpoint granularity.

use super::gtrack::{self, flag};
use super::spantrack::{self, CONT_START};
use super::state::{Category, code};
use super::strings::NONE;
use super::{Chunk, Model};

/// A goroutine state span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GSpan {
    /// Start.
    pub start: i64,
    /// End.
    pub end: i64,
    /// State code (`state::code`).
    pub state: u8,
    /// Colour category.
    pub cat: Category,
    /// Reason (global string ID) or `NONE`.
    pub reason: u32,
    /// Stack (global) or `NONE`: where it blocked, entered the syscall or
    /// stopped; for runnable spans, the stack of the unblocking goroutine;
    /// for creation, the creating goroutine's stack.
    pub stack: u32,
    /// P (running, syscall) or unblocking/creating goroutine ID (runnable), or -1.
    pub extra: i64,
    /// Record flags (`gtrack::flag`).
    pub flags: u8,
}

impl GSpan {
    /// Whether the goroutine was created at the start of this span.
    pub fn created(&self) -> bool {
        self.flags & flag::CREATED != 0
    }
}

/// What a goroutine track visit yields.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GItem {
    /// One span.
    Span(GSpan),
    /// A run of spans too narrow to draw, with its dominant category.
    Merged {
        /// Start.
        start: i64,
        /// End.
        end: i64,
        /// Dominant category.
        cat: Category,
    },
}

/// P or M.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    /// A P, by ID.
    Proc(i64),
    /// A thread, by ID.
    Thread(i64),
}

/// What a P/M track visit yields.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PItem {
    /// One span.
    Span {
        /// Start.
        start: i64,
        /// End.
        end: i64,
        /// Kind (`spantrack::kind`).
        kind: u8,
        /// Global goroutine index or `NONE`.
        g: u32,
    },
    /// A run of spans too narrow to draw.
    Merged {
        /// Start.
        start: i64,
        /// End.
        end: i64,
        /// Execution time within.
        busy: u64,
        /// Goroutine with the most execution time (global index) or `NONE`.
        g: u32,
    },
}

fn to_span(c: &Chunk, r: &gtrack::Record, model: &Model, start: i64) -> GSpan {
    let reason = c.maps.string(r.reason);
    GSpan {
        start,
        end: start,
        state: r.state(),
        cat: model.category(r.state(), reason),
        reason,
        stack: c.maps.stack(r.stack),
        extra: r.extra,
        flags: r.flags,
    }
}

impl Model {
    /// Visits goroutine `g`'s spans overlapping `[t0, t1]`, in time order.
    /// Whole checkpoint blocks shorter than `min_ns` come as `GItem::Merged`.
    /// Returning `false` from `f` stops the visit.
    pub fn visit_goroutine(
        &self,
        g: u32,
        t0: i64,
        t1: i64,
        min_ns: i64,
        mut f: impl FnMut(GItem) -> bool,
    ) {
        let gt = &self.goroutines;
        let (Some(&first), Some(&last)) = (
            gt.first_chunk.get(g as usize),
            gt.last_chunk.get(g as usize),
        ) else {
            return;
        };
        let (first, last) = (
            first as usize,
            (last as usize).min(self.chunks.len().saturating_sub(1)),
        );
        if self.chunks.is_empty() || first > last {
            return;
        }
        let mut c = self.chunk_at(t0).clamp(first, last);
        while c > first && self.chunks[c].gs.local_of(g).is_none() {
            c -= 1;
        }
        let mut pending: Option<GSpan> = None;
        // Emits `pending` ending at `end`; false if the visit should stop.
        let close =
            |pending: &mut Option<GSpan>, end: i64, f: &mut dyn FnMut(GItem) -> bool| -> bool {
                if let Some(mut s) = pending.take() {
                    s.end = end.max(s.start);
                    if s.end >= t0 && s.state != code::NOT_EXIST && !f(GItem::Span(s)) {
                        return false;
                    }
                }
                true
            };
        for ci in c..=last {
            let ch = &self.chunks[ci];
            if ch.start > t1 && pending.is_none() {
                return;
            }
            let Some(l) = ch.gs.local_of(g) else { continue };
            let seg = ch.gs.segment(l);
            let blocks = ch.gs.blocks_of(l);
            let (mut pos, mut prev) = (0usize, ch.base);
            let mut bi = 0usize;
            if !blocks.is_empty() && t0 > ch.start {
                let k = blocks
                    .partition_point(|b| b.prev_time <= t0)
                    .saturating_sub(2);
                if k > 0 {
                    pos = blocks[k].off as usize;
                    prev = blocks[k].prev_time;
                    pending = None; // ends before t0
                }
                bi = k;
            }
            loop {
                // Merge runs of whole blocks narrower than min_ns.
                while bi + 1 < blocks.len() && pos != 0 && pos == blocks[bi].off as usize {
                    let bs = ch.t(blocks[bi].t0);
                    let mut weights = [0i64; Category::COUNT];
                    let mut k = bi;
                    while k + 1 < blocks.len() {
                        let (s, e) = (ch.t(blocks[k].t0), ch.t(blocks[k + 1].t0));
                        if e - s >= min_ns || s > t1 {
                            break;
                        }
                        weights[blocks[k].cat as usize] += e - s;
                        k += 1;
                    }
                    if k == bi {
                        break;
                    }
                    let be = ch.t(blocks[k].t0);
                    if !close(&mut pending, bs, &mut f) || bs > t1 {
                        return;
                    }
                    let cat = (0..Category::COUNT)
                        .max_by_key(|&c| weights[c])
                        .unwrap_or(0);
                    if be >= t0
                        && !f(GItem::Merged {
                            start: bs,
                            end: be,
                            cat: Category::from_u8(cat as u8),
                        })
                    {
                        return;
                    }
                    pos = blocks[k].off as usize;
                    prev = blocks[k].prev_time;
                    bi = k;
                }
                if bi + 1 < blocks.len() && pos >= blocks[bi + 1].off as usize {
                    bi += 1;
                    continue;
                }
                let Some(r) = ch.decode_g(seg, &mut pos, &mut prev) else {
                    break;
                };
                if r.flags & flag::STATUS != 0 {
                    if let Some(p) = pending.as_mut()
                        && p.state == r.state()
                    {
                        if p.stack == NONE {
                            p.stack = ch.maps.stack(r.stack);
                        }
                        continue;
                    }
                    if !close(&mut pending, ch.start, &mut f) {
                        return;
                    }
                    pending = Some(to_span(ch, &r, self, ch.start.min(r.time)));
                    continue;
                }
                if !close(&mut pending, r.time, &mut f) {
                    return;
                }
                if r.time > t1 {
                    return;
                }
                pending = Some(to_span(ch, &r, self, r.time));
            }
        }
        let end = self.chunks[last].end.max(self.end);
        close(&mut pending, end, &mut f);
    }

    /// All spans of goroutine `g` (no merging).
    pub fn goroutine_spans(&self, g: u32) -> Vec<GSpan> {
        let mut v = Vec::new();
        self.visit_goroutine(g, i64::MIN, i64::MAX, i64::MIN, |it| {
            if let GItem::Span(s) = it {
                v.push(s);
            }
            true
        });
        v
    }

    /// The span of goroutine `g` at time `t`.
    pub fn goroutine_span_at(&self, g: u32, t: i64) -> Option<GSpan> {
        let mut found = None;
        self.visit_goroutine(g, t, t, i64::MIN, |it| {
            if let GItem::Span(s) = it
                && s.start <= t
                && t < s.end.max(s.start + 1)
            {
                found = Some(s);
                return false;
            }
            true
        });
        found
    }

    /// The span tracks of resource `r` in chunk `c`.
    fn track<'a>(
        &'a self,
        ci: usize,
        c: &'a Chunk,
        r: Resource,
    ) -> Option<&'a spantrack::SpanTrack> {
        let (v, id) = match r {
            Resource::Proc(id) => (&c.procs, id),
            Resource::Thread(id) => (self.thread_tracks.get()?.chunks.get(ci)?, id),
        };
        v.binary_search_by_key(&id, |t| t.id).ok().map(|i| &v[i])
    }

    /// Visits the spans of a P or M overlapping `[t0, t1]` in start order.
    /// Whole checkpoint blocks shorter than `min_ns` come as `PItem::Merged`.
    pub fn visit_resource(
        &self,
        r: Resource,
        t0: i64,
        t1: i64,
        min_ns: i64,
        mut f: impl FnMut(PItem) -> bool,
    ) {
        if self.chunks.is_empty() {
            return;
        }
        let (c0, c1) = (self.chunk_at(t0), self.chunk_at(t1));
        for (ci, c) in self.chunks.iter().enumerate().take(c1.max(c0) + 1).skip(c0) {
            let Some(tr) = self.track(ci, c, r) else {
                continue;
            };
            let b = &tr.bytes;
            let blocks = &tr.blocks;
            let (mut pos, mut prev) = (0usize, c.base);
            let mut bi = 0usize;
            if !blocks.is_empty() && t0 > c.start {
                let mut k = blocks
                    .partition_point(|b| b.prev_start <= t0)
                    .saturating_sub(1);
                while k > 0 && blocks[k].reach >= t0 {
                    k -= 1;
                }
                pos = blocks[k].off as usize;
                prev = blocks[k].prev_start;
                bi = k;
            }
            loop {
                // Merge runs of whole blocks narrower than min_ns whose spans
                // end before the next block starts.
                while bi + 1 < blocks.len() && pos == blocks[bi].off as usize {
                    let bs = c.t(blocks[bi].start);
                    let (mut busy, mut top, mut top_busy) = (0u64, NONE, 0u32);
                    let mut k = bi;
                    while k + 1 < blocks.len() {
                        let (s, e) = (c.t(blocks[k].start), c.t(blocks[k + 1].start));
                        if e - s >= min_ns || blocks[k + 1].reach > e || s > t1 {
                            break;
                        }
                        busy += blocks[k].busy as u64;
                        if blocks[k].busy >= top_busy {
                            top_busy = blocks[k].busy;
                            top = blocks[k].top_g;
                        }
                        k += 1;
                    }
                    if k == bi {
                        break;
                    }
                    let be = c.t(blocks[k].start);
                    if bs > t1 {
                        return;
                    }
                    let g = if top == NONE {
                        NONE
                    } else {
                        c.gs.global.get(top as usize).copied().unwrap_or(NONE)
                    };
                    if be >= t0
                        && !f(PItem::Merged {
                            start: bs,
                            end: be,
                            busy,
                            g,
                        })
                    {
                        return;
                    }
                    pos = blocks[k].off as usize;
                    prev = blocks[k].prev_start;
                    bi = k;
                }
                if bi + 1 < blocks.len() && pos >= blocks[bi + 1].off as usize {
                    bi += 1;
                    continue;
                }
                let Some(s) = c.decode_span(b, &mut pos, &mut prev) else {
                    break;
                };
                if s.start > t1 {
                    break;
                }
                let start = if s.flags & CONT_START != 0 {
                    c.start
                } else {
                    s.start
                };
                if s.end < t0 {
                    continue;
                }
                let g = if s.g == NONE {
                    NONE
                } else {
                    c.gs.global.get(s.g as usize).copied().unwrap_or(NONE)
                };
                if !f(PItem::Span {
                    start,
                    end: s.end,
                    kind: s.kind(),
                    g,
                }) {
                    return;
                }
            }
        }
    }

    /// Creation of goroutine `g`: (time, creator goroutine ID, creation stack), if seen.
    pub fn creation(&self, g: u32) -> Option<(i64, i64, u32)> {
        let c = *self.goroutines.first_chunk.get(g as usize)? as usize;
        let ch = self.chunks.get(c)?;
        let l = ch.gs.local_of(g)?;
        let (mut pos, mut prev) = (0, ch.base);
        let r = ch.decode_g(ch.gs.segment(l), &mut pos, &mut prev)?;
        (r.flags & flag::CREATED != 0).then(|| (r.time, r.extra, ch.maps.stack(r.stack)))
    }

    /// Lifetime of goroutine `g`: (first time, end time if it ended).
    pub fn lifetime(&self, g: u32) -> (i64, Option<i64>) {
        let mut first = None;
        let mut end = None;
        let gt = &self.goroutines;
        if let Some(ch) = gt
            .first_chunk
            .get(g as usize)
            .and_then(|&c| self.chunks.get(c as usize))
            && let Some(l) = ch.gs.local_of(g)
        {
            let (mut pos, mut prev) = (0, ch.base);
            if let Some(r) = ch.decode_g(ch.gs.segment(l), &mut pos, &mut prev) {
                first = Some(if r.flags & flag::STATUS != 0 {
                    ch.start
                } else {
                    r.time
                });
            }
        }
        if let Some(ch) = gt
            .last_chunk
            .get(g as usize)
            .and_then(|&c| self.chunks.get(c as usize))
            && let Some(l) = ch.gs.local_of(g)
        {
            let (mut pos, mut prev) = (0, ch.base);
            let seg = ch.gs.segment(l);
            if let Some(b) = ch.gs.blocks_of(l).last() {
                pos = b.off as usize;
                prev = b.prev_time;
            }
            let mut last = None;
            while let Some(r) = ch.decode_g(seg, &mut pos, &mut prev) {
                last = Some(r);
            }
            if let Some(r) = last
                && r.state() == code::NOT_EXIST
            {
                end = Some(r.time);
            }
        }
        (first.unwrap_or(self.start), end)
    }

    /// Running and runnable goroutine counts per column: `(max running, max runnable)`.
    pub fn count_columns(&self, t0: i64, ns_per_col: f64, cols: usize) -> Vec<(f32, f32)> {
        let mut out = vec![(0f32, 0f32); cols];
        if self.chunks.is_empty() || cols == 0 {
            return out;
        }
        let t1 = t0 + (ns_per_col * cols as f64) as i64;
        for c in &self.chunks[self.chunk_at(t0)..=self.chunk_at(t1)] {
            let cb = &c.counts;
            if cb.width <= 0 {
                continue;
            }
            let first = ((t0 - cb.start) / cb.width).max(0) as usize;
            for i in first..cb.running.len() {
                let bs = cb.start + i as i64 * cb.width;
                if bs > t1 {
                    break;
                }
                let be = bs + cb.width;
                let a = ((bs - t0) as f64 / ns_per_col).floor().max(0.0) as usize;
                let z = (((be - t0) as f64 / ns_per_col).ceil() as usize).min(cols);
                for col in out.iter_mut().take(z).skip(a) {
                    col.0 = col.0.max(cb.running[i]);
                    col.1 = col.1.max(cb.runnable[i]);
                }
            }
        }
        out
    }

    /// Goroutines doing something in `[t0, t1]`: changing state in it, or
    /// running, runnable or in a system call when it starts (by index).
    pub fn active_goroutines(&self, t0: i64, t1: i64) -> Vec<bool> {
        let mut keep = vec![false; self.goroutines.len()];
        if self.chunks.is_empty() {
            return keep;
        }
        for ch in &self.chunks[self.chunk_at(t0)..=self.chunk_at(t1)] {
            for l in 0..ch.gs.len() as u32 {
                let Some(&g) = ch.gs.global.get(l as usize) else {
                    continue;
                };
                if keep[g as usize] {
                    continue;
                }
                let seg = ch.gs.segment(l);
                let blocks = ch.gs.blocks_of(l);
                let (mut pos, mut prev) = (0usize, ch.base);
                let k = blocks.partition_point(|b| b.t0 <= t0).saturating_sub(1);
                if let Some(b) = blocks.get(k)
                    && k > 0
                {
                    pos = b.off as usize;
                    prev = b.prev_time;
                }
                let mut last = None;
                while let Some(r) = ch.decode_g(seg, &mut pos, &mut prev) {
                    if r.time > t1 {
                        break;
                    }
                    if r.time >= t0 {
                        last = Some(code::RUNNING);
                        break;
                    }
                    last = Some(r.state());
                }
                if matches!(last, Some(code::RUNNING | code::RUNNABLE | code::SYSCALL)) {
                    keep[g as usize] = true;
                }
            }
        }
        keep
    }
}
