//! The processing model: everything the viewer draws, built in one pass over
//! the trace's events, with no GUI code.
//!
//! The trace is split into chunks, one per generation, built in parallel and
//! merged in order ([`load`]). Per-goroutine state changes and per-P/M spans
//! are stored as compact varint records ([`gtrack`], [`spantrack`]), about
//! 5 bytes per event, with checkpoints so that drawing decodes only what is
//! visible and merges what is narrower than a pixel.

pub mod annotations;
pub mod build;
mod fxhash;
pub mod gtrack;
pub mod load;
mod query;
pub mod series;
pub mod spantrack;
pub mod state;
pub mod stats;
pub mod strings;

use std::sync::Arc;

pub use annotations::{Annotations, LogEntry, Region, Task};
pub use build::{CpuSample, GSegments, RangeKind, TimeFix};
pub use load::load_threads;
pub use load::{LoadHandle, LoadMsg, Progress, Source, load};
pub use query::{GItem, GSpan, PItem, Resource};
pub use series::{CountBuckets, Series};
pub use spantrack::SpanTrack;
pub use state::Category;
pub use strings::{Frame, IdMaps, NONE, StackTable, StringTable};

/// One generation's worth of compact tracks.
#[derive(Debug, Clone)]
pub struct Chunk {
    /// Start (the previous chunk's end, or the first event).
    pub start: i64,
    /// Time of the last event.
    pub end: i64,
    /// Time of the first event (the base of the encoded deltas).
    pub base: i64,
    /// Number of events.
    pub events: u64,
    /// Goroutine records.
    pub gs: GSegments,
    /// Per-P spans, sorted by P.
    pub procs: Vec<SpanTrack>,
    /// Goroutine counts.
    pub counts: CountBuckets,
    /// Local → global string and stack IDs.
    pub maps: IdMaps,
    /// Fix for times near the start (see `TimeFix`).
    pub fix: TimeFix,
}

impl Chunk {
    /// The sequential reader's time for a time stored in this chunk.
    #[inline]
    pub fn t(&self, t: i64) -> i64 {
        self.fix.fix(t)
    }

    /// Decodes a goroutine record (see `gtrack::decode`), with its time fixed.
    #[inline]
    pub fn decode_g(&self, b: &[u8], pos: &mut usize, prev: &mut i64) -> Option<gtrack::Record> {
        let mut r = gtrack::decode(b, pos, prev)?;
        r.time = self.t(r.time);
        Some(r)
    }

    /// Decodes a P/M span (see `spantrack::decode`), with its times fixed.
    #[inline]
    pub fn decode_span(
        &self,
        b: &[u8],
        pos: &mut usize,
        prev: &mut i64,
    ) -> Option<spantrack::Span> {
        let mut s = spantrack::decode(b, pos, prev)?;
        s.start = self.t(s.start);
        s.end = self.t(s.end);
        Some(s)
    }

    /// Approximate heap memory by part: goroutine records, their index and
    /// checkpoints, P spans, other.
    pub fn memory(&self) -> [usize; 4] {
        [
            self.gs.bytes.capacity(),
            (self.gs.off.capacity()
                + self.gs.block_off.capacity()
                + self.gs.global.capacity()
                + self.gs.by_global.capacity())
                * 4
                + self.gs.blocks.capacity() * size_of::<gtrack::Block>(),
            self.procs
                .iter()
                .map(|t| {
                    t.bytes.capacity() + t.blocks.capacity() * size_of::<spantrack::SpanBlock>()
                })
                .sum(),
            (self.counts.running.capacity() + self.counts.runnable.capacity()) * 4
                + (self.maps.strings.capacity() + self.maps.stacks.capacity()) * 4
                + self.fix.heap_bytes(),
        ]
    }

    /// Bytes of heap memory held (approximately).
    pub fn heap_bytes(&self) -> usize {
        self.memory().iter().sum()
    }
}

/// The goroutine table, as columns indexed by the global goroutine index.
#[derive(Debug, Clone, Default)]
pub struct Goroutines {
    /// Goroutine IDs.
    pub goid: Vec<i64>,
    /// Name: the entry function (string ID; 0 if no stack was ever seen).
    pub name: Vec<u32>,
    /// First chunk with records.
    pub first_chunk: Vec<u32>,
    /// Last chunk with records.
    pub last_chunk: Vec<u32>,
    /// Indices sorted by goroutine ID.
    pub by_goid: Vec<u32>,
    /// Labels (`GoLabel` events), by index.
    pub labels: Vec<(u32, u32)>,
}

impl Goroutines {
    /// Number of goroutines.
    pub fn len(&self) -> usize {
        self.goid.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.goid.is_empty()
    }

    /// Index of goroutine `goid`.
    pub fn index_of(&self, goid: i64) -> Option<u32> {
        let i = self
            .by_goid
            .partition_point(|&g| self.goid[g as usize] < goid);
        let g = *self.by_goid.get(i)?;
        (self.goid[g as usize] == goid).then_some(g)
    }

    /// Label of goroutine `g` (string ID).
    pub fn label(&self, g: u32) -> Option<u32> {
        self.labels
            .binary_search_by_key(&g, |l| l.0)
            .ok()
            .map(|i| self.labels[i].1)
    }
}

/// Per-thread (M) span tracks of every chunk.
#[derive(Debug, Clone, Default)]
pub struct ThreadTracks {
    /// Thread IDs, sorted.
    pub ids: Vec<i64>,
    /// Per chunk, the tracks sorted by thread.
    pub chunks: Vec<Vec<SpanTrack>>,
}

impl ThreadTracks {
    /// Heap bytes held (approximately).
    pub fn heap_bytes(&self) -> usize {
        self.chunks
            .iter()
            .flatten()
            .map(|t| t.bytes.capacity() + t.blocks.capacity() * size_of::<spantrack::SpanBlock>())
            .sum()
    }
}

/// A GC, STW or mark-assist range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RangeSpan {
    /// Start.
    pub start: i64,
    /// End.
    pub end: i64,
    /// Goroutine (mark assist) or -1.
    pub goid: i64,
    /// STW reason (string ID) or `NONE`.
    pub reason: u32,
    /// Stack at the begin or `NONE`.
    pub stack: u32,
    /// Whether the end was seen.
    pub complete: bool,
}

/// A loaded trace (or a preview of the part loaded so far).
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// Display name (file name).
    pub name: String,
    /// Size of the input in bytes.
    pub size: u64,
    /// Go version of the format, e.g. "Go 1.23".
    pub version: String,
    /// First event time.
    pub start: i64,
    /// Last event time.
    pub end: i64,
    /// Number of events.
    pub events: u64,
    /// Chunks in time order.
    pub chunks: Vec<Arc<Chunk>>,
    /// Goroutines.
    pub goroutines: Goroutines,
    /// Strings.
    pub strings: StringTable,
    /// Stacks.
    pub stacks: StackTable,
    /// P IDs, sorted.
    pub procs: Vec<i64>,
    /// Per-thread (M) tracks, built on demand by `load::load_threads`.
    pub thread_tracks: std::sync::OnceLock<ThreadTracks>,
    /// GC mark phases.
    pub gc: Vec<RangeSpan>,
    /// Stop-the-world pauses.
    pub stw: Vec<RangeSpan>,
    /// GC mark assists, sorted by (goroutine, start).
    pub assists: Vec<RangeSpan>,
    /// Heap in use (`/memory/classes/heap/objects:bytes`).
    pub heap: Series,
    /// Heap goal.
    pub heap_goal: Series,
    /// GOMAXPROCS.
    pub gomaxprocs: Series,
    /// CPU samples in time order (global stack IDs).
    pub cpu: Vec<CpuSample>,
    /// Tasks, regions, logs.
    pub annotations: Annotations,
    /// Wait category of each string used as a wait reason (by string ID).
    pub wait_cats: Vec<u8>,
    /// Whether every generation has been loaded.
    pub complete: bool,
    /// Why loading stopped early, if it did.
    pub error: Option<String>,
}

impl Model {
    /// Category of a state with a wait reason (global string ID or `NONE`).
    #[inline]
    pub fn category(&self, state: u8, reason: u32) -> Category {
        if state != state::code::WAITING {
            return Category::of(state, "");
        }
        match self.wait_cats.get(reason as usize) {
            Some(&c) => Category::from_u8(c),
            None => Category::of(
                state,
                if reason == NONE {
                    ""
                } else {
                    self.strings.get(reason)
                },
            ),
        }
    }

    /// Duration of the trace.
    pub fn duration(&self) -> i64 {
        self.end - self.start
    }

    /// Name of goroutine `g` (its entry function, or "").
    pub fn g_name(&self, g: u32) -> &str {
        self.goroutines
            .name
            .get(g as usize)
            .map_or("", |&s| self.strings.get(s))
    }

    /// "G<id> <function> (<label>)".
    pub fn g_title(&self, g: u32) -> String {
        let goid = self.goroutines.goid.get(g as usize).copied().unwrap_or(-1);
        let name = self.g_name(g);
        let mut s = if name.is_empty() {
            format!("G{goid}")
        } else {
            format!("G{goid} {name}")
        };
        if let Some(l) = self.goroutines.label(g) {
            s.push_str(&format!(" ({})", self.strings.get(l)));
        }
        s
    }

    /// Index of the chunk containing `t` (clamped).
    pub fn chunk_at(&self, t: i64) -> usize {
        self.chunks
            .partition_point(|c| c.start <= t)
            .saturating_sub(1)
    }

    /// Approximate heap memory of the model in bytes.
    pub fn heap_bytes(&self) -> usize {
        self.memory().iter().map(|(_, b)| b).sum()
    }

    /// Approximate heap memory by part, for reports.
    pub fn memory(&self) -> Vec<(&'static str, usize)> {
        let g = &self.goroutines;
        let mut parts = [0usize; 4];
        for c in &self.chunks {
            for (p, b) in parts.iter_mut().zip(c.memory()) {
                *p += b;
            }
        }
        let table = g.goid.capacity() * 8
            + (g.name.capacity()
                + g.first_chunk.capacity()
                + g.last_chunk.capacity()
                + g.by_goid.capacity())
                * 4;
        vec![
            ("goroutine records", parts[0]),
            ("goroutine index+checkpoints", parts[1]),
            ("P spans", parts[2]),
            (
                "M spans",
                self.thread_tracks.get().map_or(0, |t| t.heap_bytes()),
            ),
            ("goroutine table", table),
            ("other", parts[3]),
        ]
    }
}
