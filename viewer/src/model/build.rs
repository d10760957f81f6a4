//! Building one chunk (one generation) in a single pass over its events.
//! Chunks are built independently (in parallel); `load` merges them in order.

use super::fxhash::FxHashMap as HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use trace_format::{
    EventKind, GoState, NO_PROC, NO_THREAD, ProcState, RangeName, Reader, ResourceId,
};

use super::gtrack::{self, BlockWriter, Record, flag};
use super::series::{CountBuckets, CountBuilder};
use super::spantrack::{CONT_END, CONT_START, Span, SpanTrack, kind};
use super::state::{Category, code, code_of};
use super::strings::{LocalTables, NONE};

/// Goroutine records of one chunk, one segment per goroutine.
#[derive(Debug, Clone, Default)]
pub struct GSegments {
    /// All segments' bytes.
    pub bytes: Vec<u8>,
    /// Segment `i` is `bytes[off[i]..off[i+1]]`.
    pub off: Vec<u32>,
    /// All segments' checkpoint blocks.
    pub blocks: Vec<gtrack::Block>,
    /// Segment `i`'s blocks are `blocks[block_off[i]..block_off[i+1]]`.
    pub block_off: Vec<u32>,
    /// Local index → global goroutine index (filled when merged).
    pub global: Vec<u32>,
    /// Local indices sorted by global index (filled when merged).
    pub by_global: Vec<u32>,
}

impl GSegments {
    /// Number of goroutines in the chunk.
    pub fn len(&self) -> usize {
        self.off.len().saturating_sub(1)
    }

    /// Whether the chunk has no goroutines.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes of local goroutine `i`.
    pub fn segment(&self, i: u32) -> &[u8] {
        let i = i as usize;
        match (self.off.get(i), self.off.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.bytes[a as usize..b as usize],
            _ => &[],
        }
    }

    /// Blocks of local goroutine `i`.
    pub fn blocks_of(&self, i: u32) -> &[gtrack::Block] {
        let i = i as usize;
        match (self.block_off.get(i), self.block_off.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.blocks[a as usize..b as usize],
            _ => &[],
        }
    }

    /// Local index of global goroutine `g`, if it has records in the chunk.
    pub fn local_of(&self, g: u32) -> Option<u32> {
        let i = self
            .by_global
            .partition_point(|&l| self.global[l as usize] < g);
        let l = *self.by_global.get(i)?;
        (self.global[l as usize] == g).then_some(l)
    }
}

/// Range events, resolved when chunks are merged.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RangeEv {
    pub time: i64,
    /// 0 begin, 1 active, 2 end.
    pub edge: u8,
    pub what: RangeKind,
    /// STW reason (local string).
    pub reason: u32,
    /// Goroutine for mark assists.
    pub goid: i64,
    pub stack: u32,
}

/// Kinds of global or goroutine ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RangeKind {
    /// GC concurrent mark phase.
    GcMark,
    /// Stop-the-world.
    Stw,
    /// GC mark assist by a goroutine.
    MarkAssist,
}

/// Task, region and log events, resolved when chunks are merged.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AnnotEv {
    pub time: i64,
    pub kind: EventKind,
    pub goid: i64,
    pub task: u64,
    pub parent: u64,
    /// Task/region type or log category (local string).
    pub typ: u32,
    /// Log message (local string).
    pub msg: u32,
    pub stack: u32,
}

/// A CPU profile sample.
#[derive(Debug, Clone, Copy)]
pub struct CpuSample {
    /// Time (ns).
    pub time: i64,
    /// Goroutine ID (-1 if none).
    pub goid: i64,
    /// P (-1 if none).
    pub proc: i64,
    /// Thread.
    pub thread: i64,
    /// Stack (local until merged, then global).
    pub stack: u32,
}

/// A runtime metric sample.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MetricEv {
    pub time: i64,
    /// 0 GOMAXPROCS, 1 heap in use, 2 heap goal.
    pub which: u8,
    pub value: u64,
}

/// What a worker hands over for merging.
#[derive(Default)]
pub(crate) struct RawChunk {
    pub base: i64,
    /// Times of the chunk's first events (see `TimeFix`).
    pub early: Vec<i64>,
    pub end: i64,
    pub events: u64,
    pub tables: LocalTables,
    pub gs: GSegments,
    pub goids: Vec<i64>,
    /// First non-empty transition stack per local goroutine (names it).
    pub name_stacks: Vec<u32>,
    pub procs: Vec<SpanTrack>,
    pub threads: Vec<SpanTrack>,
    pub counts: CountBuckets,
    pub ranges: Vec<RangeEv>,
    pub annots: Vec<AnnotEv>,
    pub metrics: Vec<MetricEv>,
    pub cpu: Vec<CpuSample>,
    pub labels: Vec<(i64, u32)>,
}

/// An execution span being built on a P or M.
#[derive(Clone, Copy)]
struct Open {
    res: i64,
    start: i64,
    flags: u8,
}

struct GBuild {
    goid: i64,
    bytes: Vec<u8>,
    last_t: i64,
    /// Number of records.
    n: u32,
    name_stack: u32,
    on_p: Option<Open>,
}

#[derive(Default)]
struct Tracks {
    index: HashMap<i64, usize>,
    ids: Vec<i64>,
    spans: Vec<Vec<Span>>,
}

impl Tracks {
    fn track(&mut self, id: i64) -> &mut Vec<Span> {
        let n = self.ids.len();
        let i = *self.index.entry(id).or_insert(n);
        if i == n {
            self.ids.push(id);
            self.spans.push(Vec::new());
        }
        &mut self.spans[i]
    }

    fn push(&mut self, id: i64, start: i64, end: i64, g: u32, flags: u8) {
        self.track(id).push(Span {
            start,
            end,
            g,
            flags,
        });
    }

    fn finish(self, base: i64) -> Vec<SpanTrack> {
        let mut v: Vec<SpanTrack> = self
            .ids
            .into_iter()
            .zip(self.spans)
            .map(|(id, s)| SpanTrack::build(id, s, base))
            .collect();
        v.sort_by_key(|t| t.id);
        v
    }
}

struct Builder {
    /// Only build thread (M) tracks.
    threads_only: bool,
    base: i64,
    early: Vec<i64>,
    early_done: bool,
    last: i64,
    events: u64,
    tables: LocalTables,
    gindex: HashMap<i64, u32>,
    gs: Vec<GBuild>,
    /// Per goroutine, its open span on a thread and its open system call
    /// there (threads-only pass).
    m_open: Vec<[Option<Open>; 2]>,
    procs: Tracks,
    threads: Tracks,
    in_syscall: HashMap<i64, u32>,
    sweeps: HashMap<i64, (i64, u8)>,
    ranges: Vec<RangeEv>,
    annots: Vec<AnnotEv>,
    metrics: Vec<MetricEv>,
    cpu: Vec<CpuSample>,
    labels: Vec<(i64, u32)>,
}

/// Event times kept for the first `EARLY_NS` of a chunk (at most `EARLY_MAX`).
const EARLY_NS: i64 = 20_000_000;
const EARLY_MAX: usize = 1 << 18;

/// Builds a chunk from `data`, a standalone trace holding one generation.
/// `progress` is advanced towards `weight` as events are read, using
/// `(t0, t1)`, the generation's approximate time extent.
///
/// With `threads_only`, only the per-thread (M) tracks are built (a second
/// pass, when the thread view is opened); goroutines get the same local
/// indices as in the first pass, since both read the same events in order.
pub(crate) fn build_chunk(
    data: &[u8],
    threads_only: bool,
    progress: &AtomicU64,
    weight: u64,
    extent: (i64, i64),
) -> Result<RawChunk, trace_format::Error> {
    let mut r = Reader::new(data)?;
    let mut b = Builder {
        threads_only,
        base: i64::MIN,
        early: Vec::new(),
        early_done: false,
        last: 0,
        events: 0,
        tables: LocalTables::default(),
        gindex: HashMap::default(),
        gs: Vec::new(),
        m_open: Vec::new(),
        procs: Tracks::default(),
        threads: Tracks::default(),
        in_syscall: HashMap::default(),
        sweeps: HashMap::default(),
        ranges: Vec::new(),
        annots: Vec::new(),
        metrics: Vec::new(),
        cpu: Vec::new(),
        labels: Vec::new(),
    };
    let mut reported = 0u64;
    let span = (extent.1 - extent.0).max(1) as f64;
    while let Some(ev) = r.read_event()? {
        if b.base == i64::MIN {
            b.base = ev.time();
        }
        b.last = ev.time();
        b.events += 1;
        if !b.early_done {
            if ev.time() - b.base < EARLY_NS && b.early.len() < EARLY_MAX {
                b.early.push(ev.time());
            } else {
                b.early_done = true;
            }
        }
        b.event(&ev);
        if b.events.is_multiple_of(1 << 16) {
            let frac = ((ev.time() - extent.0) as f64 / span).clamp(0.0, 1.0);
            let now = (weight as f64 * frac) as u64;
            if now > reported {
                progress.fetch_add(now - reported, Ordering::Relaxed);
                reported = now;
            }
        }
    }
    progress.fetch_add(weight.saturating_sub(reported), Ordering::Relaxed);
    if b.base == i64::MIN {
        b.base = 0;
    }
    Ok(b.finish())
}

impl Builder {
    fn g(&mut self, goid: i64) -> u32 {
        let n = self.gs.len() as u32;
        let i = *self.gindex.entry(goid).or_insert(n);
        if i == n {
            self.gs.push(GBuild {
                goid,
                bytes: Vec::new(),
                last_t: self.base,
                n: 0,
                name_stack: NONE,
                on_p: None,
            });
            if self.threads_only {
                self.m_open.push([None, None]);
            }
        }
        i
    }

    fn event(&mut self, ev: &trace_format::Event<'_>) {
        if self.threads_only && ev.kind() != EventKind::StateTransition {
            return;
        }
        match ev.kind() {
            EventKind::StateTransition => {
                let Some(st) = ev.state_transition() else {
                    return;
                };
                match st.resource {
                    ResourceId::Goroutine(id) => {
                        if let Some((from, to)) = st.goroutine() {
                            self.go_transition(ev, &st, id, from, to);
                        }
                    }
                    ResourceId::Proc(id) if !self.threads_only => {
                        if let Some((from, to)) = st.proc() {
                            self.proc_transition(ev, id, from, to);
                        }
                    }
                    _ => {}
                }
            }
            EventKind::Metric => {
                if let Some(m) = ev.metric() {
                    let which = match m.name {
                        "/sched/gomaxprocs:threads" => 0,
                        "/memory/classes/heap/objects:bytes" => 1,
                        "/gc/heap/goal:bytes" => 2,
                        _ => return,
                    };
                    self.metrics.push(MetricEv {
                        time: ev.time(),
                        which,
                        value: m.value,
                    });
                }
            }
            EventKind::Label => {
                if let Some((label, ResourceId::Goroutine(g))) = ev.label() {
                    let l = self.tables.strings.intern_bytes(label);
                    self.labels.push((g, l));
                }
            }
            EventKind::StackSample => {
                let stack = self.tables.stack(ev.stack());
                self.cpu.push(CpuSample {
                    time: ev.time(),
                    goid: ev.goroutine(),
                    proc: ev.proc(),
                    thread: ev.thread(),
                    stack,
                });
            }
            EventKind::RangeBegin | EventKind::RangeActive | EventKind::RangeEnd => self.range(ev),
            EventKind::TaskBegin | EventKind::TaskEnd => {
                if let Some(t) = ev.task() {
                    let typ = self.tables.strings.intern_bytes(t.typ);
                    let stack = self.tables.stack(ev.stack());
                    self.annots.push(AnnotEv {
                        time: ev.time(),
                        kind: ev.kind(),
                        goid: ev.goroutine(),
                        task: t.id,
                        parent: t.parent,
                        typ,
                        msg: NONE,
                        stack,
                    });
                }
            }
            EventKind::RegionBegin | EventKind::RegionEnd => {
                if let Some(rg) = ev.region() {
                    let typ = self.tables.strings.intern_bytes(rg.typ);
                    let stack = self.tables.stack(ev.stack());
                    self.annots.push(AnnotEv {
                        time: ev.time(),
                        kind: ev.kind(),
                        goid: ev.goroutine(),
                        task: rg.task,
                        parent: trace_format::NO_TASK,
                        typ,
                        msg: NONE,
                        stack,
                    });
                }
            }
            EventKind::Log => {
                if let Some(l) = ev.log() {
                    let typ = self.tables.strings.intern_bytes(l.category);
                    let msg = self.tables.strings.intern_bytes(l.message);
                    let stack = self.tables.stack(ev.stack());
                    self.annots.push(AnnotEv {
                        time: ev.time(),
                        kind: ev.kind(),
                        goid: ev.goroutine(),
                        task: l.task,
                        parent: trace_format::NO_TASK,
                        typ,
                        msg,
                        stack,
                    });
                }
            }
            _ => {}
        }
    }

    fn range(&mut self, ev: &trace_format::Event<'_>) {
        let Some(r) = ev.range() else { return };
        let edge = match ev.kind() {
            EventKind::RangeBegin => 0,
            EventKind::RangeActive => 1,
            _ => 2,
        };
        let t = ev.time();
        let (what, reason, goid) = match r.name {
            RangeName::GcSweep => {
                let ResourceId::Proc(p) = r.scope else { return };
                match edge {
                    0 => {
                        self.sweeps.insert(p, (t, 0));
                    }
                    1 => {
                        self.sweeps.insert(p, (self.base, CONT_START));
                    }
                    _ => {
                        let (s, f) = self.sweeps.remove(&p).unwrap_or((self.base, CONT_START));
                        self.procs.push(p, s, t, NONE, kind::SWEEP | f);
                    }
                }
                return;
            }
            RangeName::GcMark => (RangeKind::GcMark, NONE, -1),
            RangeName::StopTheWorld(reason) => {
                (RangeKind::Stw, self.tables.strings.intern_bytes(reason), -1)
            }
            RangeName::GcMarkAssist => {
                let ResourceId::Goroutine(g) = r.scope else {
                    return;
                };
                (RangeKind::MarkAssist, NONE, g)
            }
        };
        let stack = self.tables.stack(ev.stack());
        self.ranges.push(RangeEv {
            time: t,
            edge,
            what,
            reason,
            goid,
            stack,
        });
    }

    fn go_transition(
        &mut self,
        ev: &trace_format::Event<'_>,
        st: &trace_format::StateTransition<'_>,
        goid: i64,
        from: GoState,
        to: GoState,
    ) {
        if from == to {
            return;
        }
        let t = ev.time();
        let gi = self.g(goid);
        let status = from == GoState::Undetermined;
        let start = if status { self.base } else { t };
        let cont = if status { CONT_START } else { 0 };
        if self.threads_only {
            self.thread_view(gi, ev.thread(), from, to, t, start, cont);
            return;
        }
        let name_stack = if self.gs[gi as usize].name_stack == NONE {
            self.tables.stack(st.stack)
        } else {
            NONE
        };
        let to_c = code_of(to);
        let reason_bytes: &[u8] = match (from, to) {
            (_, GoState::Waiting) | (GoState::Running, GoState::Runnable) => st.reason,
            _ => b"",
        };
        let reason = if reason_bytes.is_empty() {
            NONE
        } else {
            self.tables.strings.intern_bytes(reason_bytes)
        };
        let stack = match (from, to) {
            (GoState::NotExist, _) | (GoState::Waiting, GoState::Runnable) => {
                self.tables.stack(ev.stack())
            }
            (_, GoState::Waiting | GoState::Syscall) | (GoState::Running, GoState::Runnable) => {
                self.tables.stack(st.stack)
            }
            _ => NONE,
        };
        let extra = match (from, to) {
            (_, GoState::Running | GoState::Syscall) => ev.proc(),
            (GoState::NotExist | GoState::Waiting, _) => ev.goroutine(),
            _ => -1,
        };
        let mut flags = to_c;
        if status {
            flags |= flag::STATUS;
        }
        if from == GoState::NotExist {
            flags |= flag::CREATED;
        }
        {
            let g = &mut self.gs[gi as usize];
            if name_stack != NONE {
                g.name_stack = name_stack;
            }
            let rec = Record {
                time: t,
                flags,
                reason,
                stack,
                extra: extra.max(-1),
            };
            gtrack::encode(&mut g.bytes, g.last_t, &rec);
            g.n += 1;
            g.last_t = t;
        }
        let p = ev.proc();

        // Per-P view, as cmd/trace's procgen. (System calls within a P's
        // spans are drawn from the goroutine records, not stored twice.)
        if from == GoState::Running && !to.executing() {
            self.stop_on_p(gi, t);
        }
        if !from.executing() && to == GoState::Running {
            self.start_on_p(gi, p, start, cont);
        }
        if to == GoState::Syscall && p != NO_PROC {
            if self.gs[gi as usize].on_p.is_none() {
                self.start_on_p(gi, p, start, cont);
            }
            self.in_syscall.insert(p, gi);
        }
        if from == GoState::Syscall && self.in_syscall.get(&p) == Some(&gi) {
            self.in_syscall.remove(&p);
        }
    }

    /// Per-M view, as cmd/trace's threadgen.
    #[allow(clippy::too_many_arguments)]
    fn thread_view(
        &mut self,
        gi: u32,
        m: i64,
        from: GoState,
        to: GoState,
        t: i64,
        start: i64,
        cont: u8,
    ) {
        if from.executing() && !to.executing() {
            self.end_m_syscall(gi, t);
            if let Some(o) = self.m_open[gi as usize][0].take() {
                self.threads
                    .push(o.res, o.start, t, gi, kind::EXEC | o.flags);
            }
        }
        if !from.executing() && to.executing() && m != NO_THREAD {
            if let Some(o) = self.m_open[gi as usize][0].take() {
                self.threads
                    .push(o.res, o.start, t, gi, kind::EXEC | o.flags);
            }
            self.m_open[gi as usize][0] = Some(Open {
                res: m,
                start,
                flags: cont,
            });
        }
        if from == GoState::Syscall {
            self.end_m_syscall(gi, t);
        }
        if to == GoState::Syscall && m != NO_THREAD {
            self.m_open[gi as usize][1] = Some(Open {
                res: m,
                start,
                flags: cont,
            });
        }
    }

    fn start_on_p(&mut self, gi: u32, p: i64, start: i64, flags: u8) {
        if p == NO_PROC {
            return;
        }
        self.stop_on_p(gi, start);
        self.gs[gi as usize].on_p = Some(Open {
            res: p,
            start,
            flags,
        });
    }

    fn stop_on_p(&mut self, gi: u32, t: i64) {
        if let Some(o) = self.gs[gi as usize].on_p.take() {
            self.procs.push(o.res, o.start, t, gi, kind::EXEC | o.flags);
        }
    }

    fn end_m_syscall(&mut self, gi: u32, t: i64) {
        if let Some(s) = self.m_open[gi as usize][1].take() {
            self.threads
                .push(s.res, s.start, t, gi, kind::SYSCALL | s.flags);
        }
    }

    fn proc_transition(
        &mut self,
        ev: &trace_format::Event<'_>,
        p: i64,
        from: ProcState,
        to: ProcState,
    ) {
        self.procs.track(p);
        if from == to {
            return;
        }
        if from == ProcState::Running
            && to != ProcState::Running
            && let Some(gi) = self.in_syscall.remove(&p)
        {
            self.stop_on_p(gi, ev.time());
        }
    }

    fn finish(mut self) -> RawChunk {
        let end = self.last;
        let base = self.base;
        // Close whatever is still open at the end of the chunk.
        for gi in 0..self.gs.len() as u32 {
            let g = &mut self.gs[gi as usize];
            let on_p = g.on_p.take();
            let [on_m, m_sys] = self
                .m_open
                .get_mut(gi as usize)
                .map(std::mem::take)
                .unwrap_or_default();
            if let Some(o) = on_p {
                self.procs
                    .push(o.res, o.start, end, gi, kind::EXEC | o.flags | CONT_END);
            }
            if let Some(s) = m_sys {
                self.threads
                    .push(s.res, s.start, end, gi, kind::SYSCALL | s.flags | CONT_END);
            }
            if let Some(o) = on_m {
                self.threads
                    .push(o.res, o.start, end, gi, kind::EXEC | o.flags | CONT_END);
            }
        }
        for (p, (s, f)) in std::mem::take(&mut self.sweeps) {
            self.procs.push(p, s, end, NONE, kind::SWEEP | f | CONT_END);
        }
        if self.threads_only {
            return RawChunk {
                base,
                end,
                events: self.events,
                threads: self.threads.finish(base),
                ..RawChunk::default()
            };
        }

        let mut seg = GSegments::default();
        let total: usize = self.gs.iter().map(|g| g.bytes.len()).sum();
        seg.bytes.reserve_exact(total);
        seg.off.reserve_exact(self.gs.len() + 1);
        seg.block_off.reserve_exact(self.gs.len() + 1);
        let mut counts = CountBuilder::new(base, end);
        let mut goids = Vec::with_capacity(self.gs.len());
        let mut name_stacks = Vec::with_capacity(self.gs.len());
        let mut cats: HashMap<u32, Category> = HashMap::default();
        let strings = &self.tables.strings;
        let mut cat_of = |state: u8, reason: u32| -> Category {
            if state != code::WAITING || reason == NONE {
                return Category::of(state, "");
            }
            *cats
                .entry(reason)
                .or_insert_with(|| Category::of(state, strings.get(reason)))
        };
        for g in self.gs {
            seg.off.push(seg.bytes.len() as u32);
            seg.block_off.push(seg.blocks.len() as u32);
            scan_segment(
                &g.bytes,
                g.n,
                base,
                end,
                &mut counts,
                &mut seg.blocks,
                &mut cat_of,
            );
            seg.bytes.extend_from_slice(&g.bytes);
            goids.push(g.goid);
            name_stacks.push(g.name_stack);
        }
        seg.off.push(seg.bytes.len() as u32);
        seg.block_off.push(seg.blocks.len() as u32);
        RawChunk {
            base,
            early: self.early,
            end,
            events: self.events,
            tables: self.tables,
            gs: seg,
            goids,
            name_stacks,
            procs: self.procs.finish(base),
            threads: self.threads.finish(base),
            counts: counts.finish(),
            ranges: self.ranges,
            annots: self.annots,
            metrics: self.metrics,
            cpu: self.cpu,
            labels: self.labels,
        }
    }
}

/// Adds one goroutine's running and runnable intervals to the counts and,
/// for segments longer than a block, appends its checkpoint blocks.
fn scan_segment(
    b: &[u8],
    n: u32,
    base: i64,
    end: i64,
    counts: &mut CountBuilder,
    blocks: &mut Vec<gtrack::Block>,
    cat_of: &mut impl FnMut(u8, u32) -> Category,
) {
    let (mut pos, mut prev) = (0, base);
    let mut cur: Option<(u8, i64)> = None;
    let mut bw = (n > gtrack::BLOCK).then(|| BlockWriter::new(base));
    loop {
        let at = pos;
        let prev_t = prev;
        let Some(r) = gtrack::decode(b, &mut pos, &mut prev) else {
            break;
        };
        if let Some(w) = bw.as_mut() {
            w.record(r.time, cat_of(r.state(), r.reason), at, prev_t);
        }
        if let Some((s, since)) = cur {
            add_count(counts, s, since, r.time);
        } else if r.flags & flag::STATUS != 0 {
            add_count(counts, r.state(), base, r.time);
        }
        cur = Some((r.state(), r.time));
    }
    if let Some((s, since)) = cur {
        add_count(counts, s, since, end);
    }
    if let Some(w) = bw {
        blocks.extend(w.finish(end));
    }
}

fn add_count(counts: &mut CountBuilder, state: u8, s: i64, e: i64) {
    match state {
        code::RUNNING => counts.add(0, s, e),
        code::RUNNABLE => counts.add(1, s, e),
        _ => {}
    }
}

/// Go's reader forces event times to increase strictly across the whole
/// trace: an event at or before the previous event's time is moved to just
/// after it. A chunk read on its own cannot know the previous generation's
/// last time, and generations overlap by some microseconds, so times near
/// a chunk's start are fixed when it is merged: the i-th event of the chunk
/// gets `max(t, prev_end + 1 + i)` (by induction, exactly what the
/// sequential reader computes).
#[derive(Debug, Clone, Default)]
pub struct TimeFix {
    prev_end: i64,
    limit: i64,
    early: Vec<i64>,
}

impl TimeFix {
    /// No fix (the first chunk).
    pub fn none() -> TimeFix {
        TimeFix {
            prev_end: i64::MIN,
            limit: i64::MIN,
            early: Vec::new(),
        }
    }

    /// Fix for a chunk with first event times `early` after a chunk ending at `prev_end`.
    pub fn new(prev_end: i64, early: Vec<i64>) -> TimeFix {
        let limit = prev_end.saturating_add(early.len() as i64 + 1);
        TimeFix {
            prev_end,
            limit,
            early,
        }
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.early.capacity() * 8
    }

    /// The sequential reader's time for event time `t` of this chunk.
    #[inline]
    pub fn fix(&self, t: i64) -> i64 {
        if t > self.limit {
            return t;
        }
        let i = match self.early.binary_search(&t) {
            Ok(i) | Err(i) => i as i64,
        };
        t.max(self.prev_end + 1 + i)
    }
}
