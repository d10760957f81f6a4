//! Blocking and scheduler-latency profiles, as `go tool trace -pprof=KIND`
//! makes them (Go's `src/cmd/trace/pprof.go`), in one streaming pass.
//!
//! Go's rules, reproduced exactly:
//! - A goroutine is *tracked* from a state transition into the profile's
//!   state (for `net`/`sync`: `Waiting` with a matching reason) until its
//!   next transition into a different state; transitions into the same state
//!   neither start nor stop tracking.
//! - The sample's stack is the stack of the event that started tracking
//!   (`ev.Stack()`: for `sched` that is often the *waker's* stack, and empty
//!   for timer wakeups).
//! - Only the part of `[start, end]` inside the goroutine's interval
//!   `[StartTime, EndTime or trace end]` from the goroutine summary counts
//!   (StartTime is its first transition to Running, 0 if it never ran), and
//!   only samples with a positive overlap are recorded.
//! - Stacks are deduplicated by their first 128 PCs and cut to 128 frames.
//!
//! Go computes the summary first and the profile in a second pass; here both
//! happen in one pass. Samples whose overlap depends on the future (the
//! goroutine has not run yet, its name is not known yet for a name filter,
//! or its ID may be reused, as for goroutines of C threads calling into Go)
//! wait, aggregated by stack, in the goroutine's state until that is settled.
//! Memory is bounded by the live goroutines and the distinct stacks.
//!
//! Filters: `--goroutines` and `--from/--to` apply in the same pass;
//! `--task` and `--region` count time inside the goroutines' matching
//! regions (as `go tool trace`'s region profiles), known only at the end:
//! [`compute`] makes the summary they come from (without statistics) in the
//! same pass, and the samples wait for them (memory: 32 bytes a sample, up
//! to [`DEFERRED_SAMPLES`]; past that, a second pass judges them).
//!
//! `sched-self` is our own kind: the time a goroutine spends Runnable,
//! charged to the goroutine's *own* last known stack (where it stopped or
//! blocked, or its entry function when just created), including the latency
//! from creation to first run that Go's `sched` drops.

use std::collections::HashMap;
use std::fmt;

use trace_format::{Event, EventKind, GoId, GoState, ResourceId, Stack, StateTransition};

use crate::filter::{Filter, FilterError, GoroutineIntervals, Interval};
use crate::intern::{FxHashMap, FxHashSet, go_string};
use crate::profile_proto::{
    Function, Line, Location, Mapping, Profile, Sample, StringTable, ValueType,
};
use crate::summary::Summarizer;

/// Go's `pprofMaxStack`: stacks are deduplicated and cut at this many frames.
pub const MAX_STACK: usize = 128;

/// Which profile to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProfileKind {
    /// Time blocked on the network (`go tool trace -pprof=net`).
    Net,
    /// Time blocked on channels, select and sync primitives (`-pprof=sync`).
    Sync,
    /// Time in system calls (`-pprof=syscall`).
    Syscall,
    /// Scheduler latency charged to the event that made the goroutine
    /// runnable, usually the waker (`-pprof=sched`).
    Sched,
    /// Scheduler latency charged to the waiting goroutine's own stack,
    /// including creation-to-first-run latency (not in Go).
    SchedSelf,
}

impl ProfileKind {
    /// Every kind, in the order the CLI lists them.
    pub const ALL: [ProfileKind; 5] = [
        ProfileKind::Net,
        ProfileKind::Sync,
        ProfileKind::Syscall,
        ProfileKind::Sched,
        ProfileKind::SchedSelf,
    ];

    /// The CLI name (`net`, `sync`, `syscall`, `sched`, `sched-self`).
    pub fn name(self) -> &'static str {
        match self {
            ProfileKind::Net => "net",
            ProfileKind::Sync => "sync",
            ProfileKind::Syscall => "syscall",
            ProfileKind::Sched => "sched",
            ProfileKind::SchedSelf => "sched-self",
        }
    }

    /// The kind with this CLI name.
    pub fn from_name(name: &str) -> Option<ProfileKind> {
        ProfileKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The goroutine state whose time the profile measures.
    fn state(self) -> GoState {
        match self {
            ProfileKind::Net | ProfileKind::Sync => GoState::Waiting,
            ProfileKind::Syscall => GoState::Syscall,
            ProfileKind::Sched | ProfileKind::SchedSelf => GoState::Runnable,
        }
    }

    /// Whether a transition into `state()` with this reason starts a sample.
    fn tracks(self, reason: &[u8]) -> bool {
        match self {
            ProfileKind::Net => reason == b"network",
            ProfileKind::Sync => {
                contains(reason, b"chan")
                    || contains(reason, b"sync")
                    || contains(reason, b"select")
            }
            _ => true,
        }
    }

    /// Whether Go's `[StartTime, EndTime]` goroutine interval applies.
    fn clips_to_run_interval(self) -> bool {
        self != ProfileKind::SchedSelf
    }
}

impl fmt::Display for ProfileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A stack frame owned by the profile.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProfileFrame {
    /// Program counter.
    pub pc: u64,
    /// Function name.
    pub func: Box<[u8]>,
    /// Source file.
    pub file: Box<[u8]>,
    /// Line.
    pub line: u64,
}

/// One record: a stack and the contentions and delay charged to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileRecord {
    /// Frames, innermost first, at most [`MAX_STACK`].
    pub stack: Vec<ProfileFrame>,
    /// Number of samples (Go's `Count`).
    pub count: u64,
    /// Total delay in ns (Go's `Time`).
    pub delay: i64,
}

/// Interns stacks (Go's `stackMap`). Samples are charged to *variants*
/// (distinct first [`MAX_STACK`] frames); the profile merges variants with the
/// same first [`MAX_STACK`] PCs (zero-padded, as Go's array key) and shows the
/// frames of the variant charged last, as Go keeps the newest `trace.Stack`.
#[derive(Default)]
struct StackTable {
    /// This generation's stack IDs (Go's fast path by `trace.Stack`).
    by_id: FxHashMap<u64, u32>,
    by_frames: HashMap<Box<[ProfileFrame]>, u32>,
    by_pcs: HashMap<Box<[u64]>, u32>,
    /// Per variant: its frames and its PC key.
    variants: Vec<(Box<[ProfileFrame]>, u32)>,
}

impl StackTable {
    fn new_generation(&mut self) {
        self.by_id.clear();
    }

    fn intern(&mut self, stack: Stack<'_>) -> u32 {
        let id = stack.id();
        if let Some(&i) = self.by_id.get(&id) {
            return i;
        }
        let frames = stack.frames();
        let frames: Box<[ProfileFrame]> = frames[..frames.len().min(MAX_STACK)]
            .iter()
            .map(|f| ProfileFrame {
                pc: f.pc,
                func: f.func.into(),
                file: f.file.into(),
                line: f.line,
            })
            .collect();
        let i = match self.by_frames.get(&frames) {
            Some(&i) => i,
            None => {
                // Go's key is a zero-padded [128]uint64 array.
                let mut pcs: Vec<u64> = frames.iter().map(|f| f.pc).collect();
                while pcs.last() == Some(&0) {
                    pcs.pop();
                }
                let n = self.by_pcs.len() as u32;
                let key = *self.by_pcs.entry(pcs.into_boxed_slice()).or_insert(n);
                let i = self.variants.len() as u32;
                self.variants.push((frames.clone(), key));
                self.by_frames.insert(frames, i);
                i
            }
        };
        self.by_id.insert(id, i);
        i
    }
}

/// What has been charged to one stack variant.
#[derive(Clone, Copy, Default)]
struct Charge {
    count: u64,
    delay: i64,
    /// End time of the last sample (Go charges samples in end-time order).
    last: i64,
}

impl Charge {
    fn add(&mut self, c: Charge) {
        self.count += c.count;
        self.delay += c.delay;
        self.last = self.last.max(c.last);
    }
}

/// A sample (or several with the same stack) whose fate is not settled yet.
struct Pending {
    stack: u32,
    /// Counts only if the goroutine never runs (Go's StartTime stays 0).
    prestart: bool,
    charge: Charge,
}

/// What the profile needs to know about one goroutine.
#[derive(Default)]
struct GState {
    /// Summary StartTime: first transition to Running; 0 = has not run.
    start: i64,
    /// Summary EndTime: transition to NotExist or Waiting "forever"; 0 = none.
    end: i64,
    /// The name filter's verdict, once the summary name (the root frame of
    /// the first non-empty transition stack) is known, or when not needed.
    name_ok: Option<bool>,
    /// The ID may be reused by a later goroutine (it was born in a syscall,
    /// as goroutines of C threads calling into Go are): samples wait.
    reusable: bool,
    /// Tracking since this time, with this stack.
    tracking: Option<(i64, u32)>,
    /// `sched-self`: the goroutine's own last known stack.
    own_stack: Option<u32>,
    pending: Vec<Pending>,
}

impl GState {
    fn add_pending(&mut self, stack: u32, prestart: bool, charge: Charge) {
        if let Some(p) = self
            .pending
            .iter_mut()
            .find(|p| p.stack == stack && p.prestart == prestart)
        {
            p.charge.add(charge);
        } else {
            self.pending.push(Pending {
                stack,
                prestart,
                charge,
            });
        }
    }
}

/// A goroutine transition reduced to what the profile needs: made while
/// the event's generation tables are at hand (stacks interned), applied
/// by the [`Applier`] that keeps the per-goroutine bookkeeping.
#[derive(Clone, Copy)]
enum Op {
    /// The time window, resolved at the trace's first event.
    Window(Interval),
    /// A goroutine state transition.
    Go(GoOp),
}

#[derive(Clone, Copy)]
struct GoOp {
    time: i64,
    id: GoId,
    old: GoState,
    new: GoState,
    /// Waiting for reason "forever" (the summary ends the goroutine).
    forever: bool,
    /// Set when the transition can start a sample: the stack to charge
    /// (Go: `ev.Stack()`; `sched-self`: the empty stack, used when the
    /// goroutine's own stack is unknown).
    start_stack: Option<u32>,
    /// `sched-self`: the goroutine's own stack at this transition.
    own_stack: Option<u32>,
    /// With a name filter: its verdict on the name this transition's stack
    /// gives the goroutine (root frame), if it gives one.
    name_ok: Option<bool>,
}

/// Turns events into [`Op`]s: interns stacks, evaluates the name filter.
struct OpMaker {
    kind: ProfileKind,
    stacks: StackTable,
    /// The filter, for its name regex and time window (streaming scope).
    filter: Option<Filter>,
    /// This generation's name verdicts by stack ID (`None`: no name).
    names: FxHashMap<u64, Option<bool>>,
    /// With final intervals, the goroutines that have some: the others'
    /// samples and states cannot matter, so their transitions make no op
    /// (their stacks are interned all the same, which keeps the records in
    /// the order the stacks were first seen).
    counted: Option<GoSet>,
    started: bool,
}

/// A set of goroutine IDs to test on every transition: a bitmap when the
/// IDs are small, as Go's are (a hash lookup would cost more than the rest
/// of a skipped transition), else a hash set.
enum GoSet {
    Bits(Vec<u64>),
    Hash(FxHashSet<GoId>),
}

impl GoSet {
    /// Bitmaps up to this many bits (8 MB).
    const MAX_BITS: u64 = 1 << 26;

    fn new(ids: impl Iterator<Item = GoId> + Clone) -> GoSet {
        let small = ids
            .clone()
            .map(|id| u64::try_from(id).ok().filter(|&i| i < Self::MAX_BITS))
            .try_fold(0, |max, i| i.map(|i| max.max(i + 1)));
        match small {
            Some(n) => {
                let mut bits = vec![0u64; n.div_ceil(64) as usize];
                for id in ids {
                    if let Some(w) = bits.get_mut(id as usize / 64) {
                        *w |= 1 << (id % 64);
                    }
                }
                GoSet::Bits(bits)
            }
            None => GoSet::Hash(ids.collect()),
        }
    }

    #[inline]
    fn contains(&self, id: GoId) -> bool {
        match self {
            GoSet::Bits(bits) => usize::try_from(id)
                .ok()
                .and_then(|i| bits.get(i / 64))
                .is_some_and(|w| w & (1 << (id % 64)) != 0),
            GoSet::Hash(set) => set.contains(&id),
        }
    }
}

impl OpMaker {
    fn op(&mut self, ev: &Event<'_>) -> Option<Op> {
        if !self.started {
            self.started = true;
            if let Some(f) = &self.filter {
                return Some(Op::Window(f.window(ev.time())));
            }
        }
        match ev.kind() {
            EventKind::Sync => {
                self.stacks.new_generation();
                self.names.clear();
                None
            }
            EventKind::StateTransition => self.transition(ev, || ev.state_transition()).map(Op::Go),
            _ => None,
        }
    }

    /// [`OpMaker::op`] given `ev.state_transition()` (for a caller that
    /// needs it too), without a filter.
    #[inline(always)]
    fn op_given(&mut self, ev: &Event<'_>, st: Option<StateTransition<'_>>) -> Option<Op> {
        match st {
            Some(st) => self.transition(ev, || Some(st)).map(Op::Go),
            None => {
                if ev.sync().is_some() {
                    self.stacks.new_generation();
                    self.names.clear();
                }
                None
            }
        }
    }

    /// `st`: finds `ev.state_transition()` (or has it already).
    fn transition<'e>(
        &mut self,
        ev: &Event<'e>,
        st: impl FnOnce() -> Option<StateTransition<'e>>,
    ) -> Option<GoOp> {
        let st = st()?;
        let ResourceId::Goroutine(id) = st.resource else {
            return None;
        };
        let (old, new) = st.goroutine()?;
        let kind = self.kind;
        let start_stack = if new != kind.state() || !kind.tracks(st.reason) {
            None
        } else if kind == ProfileKind::SchedSelf {
            Some(self.stacks.intern(Stack::NONE))
        } else {
            Some(self.stacks.intern(ev.stack()))
        };
        let own_stack = (kind == ProfileKind::SchedSelf && !st.stack.frames().is_empty())
            .then(|| self.stacks.intern(st.stack));
        if self.counted.as_ref().is_some_and(|c| !c.contains(id)) {
            return None;
        }
        let name_ok = match &self.filter {
            Some(f) if f.goroutines.is_some() && old != new => {
                // Go names a goroutine by the root frame of its first
                // transition stack, if that frame's function is not "".
                *self.names.entry(st.stack.id()).or_insert_with(|| {
                    st.stack
                        .frames()
                        .last()
                        .filter(|root| !root.func.is_empty())
                        .map(|root| f.matches_name(&go_string(root.func)))
                })
            }
            _ => None,
        };
        Some(GoOp {
            time: ev.time(),
            id,
            old,
            new,
            forever: st.reason == b"forever",
            start_stack,
            own_stack,
            name_ok,
        })
    }
}

/// Which goroutine time counts.
enum Scope {
    /// Go's `[StartTime, EndTime]` per goroutine (not for `sched-self`),
    /// learned as the ops go by, within a time window.
    Streaming { window: Interval },
    /// Final per-goroutine intervals computed beforehand.
    Intervals(GoroutineIntervals),
    /// Final per-goroutine intervals known only at the end: the samples
    /// `(goroutine, span, stack)` wait for them, up to `limit`; past it,
    /// they are dropped (`overflowed`) for a second pass to judge.
    Deferred {
        samples: Vec<(GoId, Interval, u32)>,
        limit: usize,
        overflowed: bool,
    },
}

/// Applies [`Op`]s: the goroutines' states and the charges per stack.
struct Applier {
    kind: ProfileKind,
    scope: Scope,
    /// Whether samples wait for the goroutine's name (a name filter).
    filters_names: bool,
    /// The name filter's verdict on "" (never named goroutines).
    unnamed_ok: bool,
    /// Per stack variant.
    totals: Vec<Charge>,
    gs: FxHashMap<GoId, GState>,
}

impl Applier {
    fn apply(&mut self, op: Op) {
        match op {
            Op::Window(w) => {
                if let Scope::Streaming { window } = &mut self.scope {
                    *window = w;
                }
            }
            Op::Go(op) => self.transition(op),
        }
    }

    fn transition(&mut self, op: GoOp) {
        let GoOp {
            time: t,
            id,
            old,
            new,
            ..
        } = op;
        if old != new && matches!(old, GoState::Undetermined | GoState::NotExist) {
            self.reincarnate(id, new);
        }
        let kind = self.kind;
        let g = self.gs.entry(id).or_default();

        // The goroutine summary's StartTime, EndTime and Name (summary.go).
        if old != new {
            if g.name_ok.is_none()
                && let Some(ok) = op.name_ok
            {
                name_known(&mut self.totals, g, ok);
            }
            match new {
                GoState::Running if g.start == 0 => {
                    g.start = t;
                    // Samples so far end before StartTime: no overlap.
                    g.pending.retain(|p| !p.prestart);
                }
                GoState::Waiting if op.forever => g.end = t,
                GoState::NotExist => g.end = t,
                _ => {}
            }
        }
        if op.own_stack.is_some() {
            g.own_stack = op.own_stack;
        }

        // makeComputePprofFunc.
        match g.tracking {
            None => {
                if let Some(stack) = op.start_stack {
                    let stack = match (kind, g.own_stack) {
                        (ProfileKind::SchedSelf, Some(own)) => own,
                        _ => stack,
                    };
                    g.tracking = Some((t, stack));
                }
            }
            Some((since, stack)) => {
                if new != kind.state() {
                    g.tracking = None;
                    let span = Interval {
                        start: since,
                        end: t,
                    };
                    if let Scope::Deferred { .. } = self.scope {
                        defer(&mut self.scope, id, stack, span);
                    } else {
                        charge(kind, &self.scope, &mut self.totals, id, g, stack, span);
                    }
                }
            }
        }

        if new == GoState::NotExist && !g.reusable {
            // Gone for good: settle its samples and forget it.
            if let Some(g) = self.gs.remove(&id) {
                self.settle(g);
            }
        }
    }

    /// A transition out of Undetermined or NotExist: the summary starts a
    /// fresh record for the goroutine.
    fn reincarnate(&mut self, id: GoId, new: GoState) {
        let streaming = matches!(self.scope, Scope::Streaming { .. });
        let reusable = streaming && new == GoState::Syscall;
        let name_ok = (!self.filters_names).then_some(true);
        let Some(g) = self.gs.get_mut(&id) else {
            self.gs.insert(
                id,
                GState {
                    reusable,
                    name_ok,
                    ..GState::default()
                },
            );
            return;
        };
        // The ID is reused: Go judges every earlier sample of it by the new
        // summary, whose StartTime is after them all. They count only if
        // the new goroutine never runs.
        for p in &mut g.pending {
            p.prestart = true;
        }
        g.start = 0;
        g.end = 0;
        g.name_ok = name_ok;
        g.reusable |= reusable;
    }

    /// Settles a goroutine whose summary is final.
    fn settle(&mut self, g: GState) {
        // Never named: the summary's name is "".
        if !g.name_ok.unwrap_or(self.unnamed_ok) {
            return;
        }
        for p in g.pending {
            // Prestart samples still pending: the goroutine never ran.
            add_total(&mut self.totals, p.stack, p.charge);
        }
    }

    /// Settles every goroutine and returns the charges per stack variant.
    fn finish(mut self) -> Vec<Charge> {
        let gs = std::mem::take(&mut self.gs);
        let mut gs: Vec<(GoId, GState)> = gs.into_iter().collect();
        gs.sort_by_key(|(id, _)| *id);
        for (_, g) in gs {
            self.settle(g);
        }
        self.totals
    }
}

/// Computes one profile from the ordered events, fed one at a time.
pub struct PprofBuilder {
    maker: OpMaker,
    applier: Applier,
}

impl PprofBuilder {
    /// A one-pass builder counting what `go tool trace -pprof=KIND` counts,
    /// restricted by `filter`'s `--goroutines` regex and `--from/--to`
    /// window. Its `--task` and `--region` need a summary of the whole trace
    /// first: use [`PprofBuilder::with_intervals`] (as [`compute`] does).
    pub fn new(kind: ProfileKind, filter: &Filter) -> PprofBuilder {
        let filter = Filter {
            task: None,
            region: None,
            ..filter.clone()
        };
        let filters_names = filter.goroutines.is_some();
        let unnamed_ok = filter.matches_name("");
        PprofBuilder::build(
            kind,
            Some(filter),
            Scope::Streaming {
                window: Interval::ALL,
            },
            filters_names,
            unnamed_ok,
        )
    }

    /// A builder counting only time inside `intervals` (e.g.
    /// [`Filter::profile_intervals`] of the trace's summary: Go's
    /// `gToIntervals`), for goroutines that have some.
    pub fn with_intervals(kind: ProfileKind, intervals: GoroutineIntervals) -> PprofBuilder {
        let counted = GoSet::new(intervals.goroutines());
        let mut b = PprofBuilder::build(kind, None, Scope::Intervals(intervals), false, true);
        b.maker.counted = Some(counted);
        b
    }

    fn build(
        kind: ProfileKind,
        filter: Option<Filter>,
        scope: Scope,
        filters_names: bool,
        unnamed_ok: bool,
    ) -> PprofBuilder {
        PprofBuilder {
            maker: OpMaker {
                kind,
                stacks: StackTable::default(),
                filter,
                names: FxHashMap::default(),
                counted: None,
                started: false,
            },
            applier: Applier {
                kind,
                scope,
                filters_names,
                unnamed_ok,
                totals: Vec::new(),
                gs: FxHashMap::default(),
            },
        }
    }

    /// Feeds the next event of the ordered stream.
    pub fn event(&mut self, ev: &Event<'_>) {
        if let Some(op) = self.maker.op(ev) {
            self.applier.apply(op);
        }
    }

    /// Finishes the profile: one record per distinct stack (by PCs), in the
    /// order the stacks were first seen.
    pub fn finish(self) -> Vec<ProfileRecord> {
        records(&self.maker.stacks, &self.applier.finish())
    }
}

/// Merges the charges of stack variants by PC key, showing the frames of
/// the variant charged last.
fn records(stacks: &StackTable, totals: &[Charge]) -> Vec<ProfileRecord> {
    let mut merged: Vec<Option<(Charge, u32)>> = vec![None; stacks.by_pcs.len()];
    for (v, c) in totals.iter().enumerate() {
        if c.count == 0 {
            continue;
        }
        let key = stacks.variants[v].1 as usize;
        match &mut merged[key] {
            Some((m, shown)) => {
                if c.last > m.last {
                    *shown = v as u32;
                }
                m.add(*c);
            }
            slot @ None => *slot = Some((*c, v as u32)),
        }
    }
    merged
        .into_iter()
        .flatten()
        .map(|(c, shown)| ProfileRecord {
            stack: stacks.variants[shown as usize].0.to_vec(),
            count: c.count,
            delay: c.delay,
        })
        .collect()
}

/// Records a sample of goroutine `id` (state `g`) with `stack` over `span`.
fn charge(
    kind: ProfileKind,
    scope: &Scope,
    totals: &mut Vec<Charge>,
    id: GoId,
    g: &mut GState,
    stack: u32,
    span: Interval,
) {
    let one = |delay| Charge {
        count: 1,
        delay,
        last: span.end,
    };
    let window = match scope {
        Scope::Intervals(iv) => return charge_intervals(iv, totals, id, stack, span),
        // Kept by `defer` instead.
        Scope::Deferred { .. } => return,
        Scope::Streaming { window } => *window,
    };
    if g.name_ok == Some(false) {
        return;
    }
    let Some(span) = span.intersect(&window) else {
        return;
    };
    let mut prestart = false;
    let delay = if kind.clips_to_run_interval() {
        // EndTime, if not known yet, is at or after this event.
        let end = if g.end != 0 { g.end } else { i64::MAX };
        prestart = g.start == 0;
        let start = if prestart { i64::MIN } else { g.start };
        Interval { start, end }.overlap(&span)
    } else {
        span.duration()
    };
    if delay <= 0 {
        return;
    }
    if prestart || g.reusable || g.name_ok.is_none() {
        g.add_pending(stack, prestart, one(delay));
    } else {
        add_total(totals, stack, one(delay));
    }
}

/// Keeps a sample of goroutine `id` with `stack` over `span` for the final
/// intervals of a [`Scope::Deferred`].
#[inline(never)]
fn defer(scope: &mut Scope, id: GoId, stack: u32, span: Interval) {
    let Scope::Deferred {
        samples,
        limit,
        overflowed,
    } = scope
    else {
        return;
    };
    // A span without length overlaps nothing.
    if span.end > span.start && !*overflowed {
        if samples.len() < *limit {
            samples.push((id, span, stack));
        } else {
            *overflowed = true;
            *samples = Vec::new();
        }
    }
}

/// Go's `pprofOverlappingDuration` with final intervals: records a sample
/// of goroutine `id` with `stack` over `span` if it overlaps them.
fn charge_intervals(
    iv: &GoroutineIntervals,
    totals: &mut Vec<Charge>,
    id: GoId,
    stack: u32,
    span: Interval,
) {
    let delay = iv.overlapping(id, span);
    if delay > 0 {
        add_total(
            totals,
            stack,
            Charge {
                count: 1,
                delay,
                last: span.end,
            },
        );
    }
}

/// The name filter's verdict for `g` is in.
fn name_known(totals: &mut Vec<Charge>, g: &mut GState, ok: bool) {
    g.name_ok = Some(ok);
    if !ok {
        g.pending.clear();
    } else if !g.reusable {
        g.pending.retain(|p| {
            if p.prestart {
                return true;
            }
            add_total(totals, p.stack, p.charge);
            false
        });
    }
}

fn add_total(totals: &mut Vec<Charge>, stack: u32, charge: Charge) {
    let i = stack as usize;
    if totals.len() <= i {
        totals.resize(i + 1, Charge::default());
    }
    totals[i].add(charge);
}

/// Why a profile could not be computed.
#[derive(Debug)]
pub enum PprofError {
    /// The trace could not be read.
    Trace(trace_format::Error),
    /// The filter does not fit the trace (e.g. an unknown task): a usage error.
    Filter(FilterError),
}

impl fmt::Display for PprofError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PprofError::Trace(e) => write!(f, "{e}"),
            PprofError::Filter(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for PprofError {}

impl From<trace_format::Error> for PprofError {
    fn from(e: trace_format::Error) -> Self {
        PprofError::Trace(e)
    }
}

impl From<FilterError> for PprofError {
    fn from(e: FilterError) -> Self {
        PprofError::Filter(e)
    }
}

/// Number of passes [`compute`] makes over the trace for this filter (one;
/// two when a task or region filter's samples outgrow [`DEFERRED_SAMPLES`]).
pub fn passes(_filter: &Filter) -> u64 {
    1
}

/// At most this many samples wait for the intervals of a task or region
/// filter (32 bytes each); past it, [`compute`] reads the trace again.
pub const DEFERRED_SAMPLES: usize = 16 << 20;

/// Computes a profile of a whole trace (`data` must hold complete
/// generations; see `trace_format::framing`) in one pass. With `--task` or
/// `--region`, the intervals that count are only known at the end: the
/// pass also makes the summary they come from (without statistics), and
/// the profile's samples wait for them (Go reads the trace twice; a second
/// pass is made only if more than [`DEFERRED_SAMPLES`] wait). Events are
/// reduced to [`Op`]s and applied on the calling thread, which
/// `for_each_event` keeps apart from the threads that decode and order
/// them (a fourth thread for the bookkeeping measured slower on 2 cores:
/// it only adds hand-offs). `progress` is called at each generation start
/// with the number of generations started so far, over all passes.
pub fn compute(
    data: &[u8],
    kind: ProfileKind,
    filter: &Filter,
    progress: &mut dyn FnMut(u64),
) -> Result<Vec<ProfileRecord>, PprofError> {
    compute_with_limit(data, kind, filter, progress, DEFERRED_SAMPLES)
}

/// [`compute`] with at most `limit` deferred samples.
pub fn compute_with_limit(
    data: &[u8],
    kind: ProfileKind,
    filter: &Filter,
    progress: &mut dyn FnMut(u64),
    limit: usize,
) -> Result<Vec<ProfileRecord>, PprofError> {
    if !filter.needs_annotations() {
        let PprofBuilder {
            mut maker,
            mut applier,
        } = PprofBuilder::new(kind, filter);
        read(data, &mut maker, &mut applier, 0, progress)?;
        return Ok(records(&maker.stacks, &applier.finish()));
    }
    let mut b = PprofBuilder::build(
        kind,
        None,
        Scope::Deferred {
            samples: Vec::new(),
            limit,
            overflowed: false,
        },
        false,
        true,
    );
    let mut summarizer = Summarizer::intervals_only();
    // Only goroutines with regions can have intervals: keep just those of
    // the goroutines that end, so memory follows the regions. (Taken at
    // each Sync, as `summarize` would, so that the summary is the same.)
    let mut kept = Vec::new();
    let mut done = 0;
    let (maker, applier) = (&mut b.maker, &mut b.applier);
    trace_format::reader::for_each_event(data, |ev| {
        if let Some(sync) = ev.sync() {
            progress(sync.n);
            done = sync.n;
            kept.extend(
                summarizer
                    .drain_finished()
                    .filter(|g| !g.regions.is_empty()),
            );
        }
        // Both need the transition: found once.
        let st = ev.state_transition();
        summarizer.event_given(ev, st.as_ref());
        if let Some(op) = maker.op_given(ev, st) {
            applier.apply(op);
        }
        true
    })?;
    let mut summary = summarizer.finalize();
    summary.goroutines.extend(kept);
    summary.goroutines.sort_by_key(|g| g.id);
    let intervals = filter.profile_intervals(&summary)?;
    let Scope::Deferred {
        samples,
        overflowed,
        ..
    } = std::mem::replace(
        &mut b.applier.scope,
        Scope::Intervals(GoroutineIntervals::default()),
    )
    else {
        unreachable!("the scope of a task or region filter is deferred")
    };
    if !overflowed {
        // The samples, judged as the second pass would have judged them.
        for (id, span, stack) in samples {
            charge_intervals(&intervals, &mut b.applier.totals, id, stack, span);
        }
        return Ok(records(&b.maker.stacks, &b.applier.finish()));
    }
    drop(samples);
    let PprofBuilder {
        mut maker,
        mut applier,
    } = PprofBuilder::with_intervals(kind, intervals);
    read(data, &mut maker, &mut applier, done, progress)?;
    Ok(records(&maker.stacks, &applier.finish()))
}

/// One pass over the ordered events. `done`: generations of earlier passes.
fn read(
    data: &[u8],
    maker: &mut OpMaker,
    applier: &mut Applier,
    done: u64,
    progress: &mut dyn FnMut(u64),
) -> Result<(), trace_format::Error> {
    trace_format::reader::for_each_event(data, |ev| {
        if ev.kind() == EventKind::Sync
            && let Some(sync) = ev.sync()
        {
            progress(done + sync.n);
        }
        if let Some(op) = maker.op(ev) {
            applier.apply(op);
        }
        true
    })
}

/// Builds the profile.proto message exactly as Go's
/// `traceviewer.BuildProfile` lays it out: sample types
/// `contentions/count` and `delay/nanoseconds` (default `delay`), period
/// type `trace/count`, one Location per PC (the first frame seen with that
/// PC), one Function per (file, function), plus one Mapping so that pprof
/// knows the locations are already symbolized.
pub fn to_profile(records: &[ProfileRecord]) -> Profile {
    let mut strings = StringTable::new();
    let mut p = Profile {
        period_type: Some(ValueType {
            r#type: strings.intern(b"trace"),
            unit: strings.intern(b"count"),
        }),
        period: 1,
        sample_type: vec![
            ValueType {
                r#type: strings.intern(b"contentions"),
                unit: strings.intern(b"count"),
            },
            ValueType {
                r#type: strings.intern(b"delay"),
                unit: strings.intern(b"nanoseconds"),
            },
        ],
        mapping: vec![Mapping {
            id: 1,
            has_functions: true,
            ..Default::default()
        }],
        ..Default::default()
    };
    p.default_sample_type = strings.intern(b"delay");
    let mut locs: HashMap<u64, u64> = HashMap::new();
    let mut funcs: HashMap<(&[u8], &[u8]), u64> = HashMap::new();
    for rec in records {
        let mut location_id = Vec::with_capacity(rec.stack.len());
        for frame in &rec.stack {
            let loc = match locs.get(&frame.pc) {
                Some(&l) => l,
                None => {
                    let key = (&frame.file[..], &frame.func[..]);
                    let f = match funcs.get(&key) {
                        Some(&f) => f,
                        None => {
                            let f = p.function.len() as u64 + 1;
                            let name = strings.intern(&frame.func);
                            p.function.push(Function {
                                id: f,
                                name,
                                system_name: name,
                                filename: strings.intern(&frame.file),
                                start_line: 0,
                            });
                            funcs.insert(key, f);
                            f
                        }
                    };
                    let l = p.location.len() as u64 + 1;
                    p.location.push(Location {
                        id: l,
                        mapping_id: 1,
                        address: frame.pc,
                        line: vec![Line {
                            function_id: f,
                            line: frame.line as i64,
                            column: 0,
                        }],
                        is_folded: false,
                    });
                    locs.insert(frame.pc, l);
                    l
                }
            };
            location_id.push(loc);
        }
        p.sample.push(Sample {
            location_id,
            value: vec![rec.count as i64, rec.delay],
            label: Vec::new(),
        });
    }
    p.string_table = strings.into_vec();
    p
}
