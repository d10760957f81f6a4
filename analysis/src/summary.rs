//! Per-goroutine time statistics: a faithful port of Go 1.27's
//! `internal/trace/summary.go` Summarizer, the analysis behind `go tool
//! trace`'s "Goroutine analysis", task and region pages.
//!
//! Feed every event of the ordered stream to [`Summarizer::event`], then
//! call [`Summarizer::finalize`]; or let [`summarize`] read a trace, or
//! [`summarize_parallel`], which reduces each event to an [`Op`] on the
//! thread that orders them and applies the ops on a second thread. The
//! numbers equal Go's exactly, including its quirks (they are part of what
//! users compare against):
//!
//! - a goroutine first seen in a state (`Undetermined`) is created at the last
//!   Sync and charged with that state since then;
//! - the entry function (name) is the outermost frame of the first non-empty
//!   transition stack;
//! - `Waiting` for reason `"forever"` ends the goroutine like `NotExist`;
//! - a syscall whose P was taken away counts as syscall time up to the
//!   moment the P went idle and syscall-block time after; *while it is still
//!   pending* (a snapshot, e.g. at a region's end) the blocked part counts as
//!   scheduler wait, as in Go;
//! - P-scoped ranges (sweeps) are charged to the goroutine that was running
//!   when they began, only if it is still running when they end;
//! - regions of system goroutines still active at their end are dropped from
//!   the goroutine (but stay in their task); maps keep keys with zero values.
//!
//! Memory: the state of live goroutines, plus one small summary per finished
//! goroutine unless the caller takes them with [`Summarizer::drain_finished`]
//! as it goes; regions and tasks (when tracked) are kept until the end.

use std::sync::Arc;

use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};
use trace_format::table::DenseIdMap;
use trace_format::{
    Event, EventKind, GoId, GoState, NO_PROC, NO_TASK, ProcId, ResourceId, StateTransition, TaskId,
};

use crate::intern::FxHashMap;

mod json;
mod live;
mod ops;

pub use json::{GoroutineJson, RegionJson, TaskJson};
use live::LiveSet;
use ops::{GoTransition, Live, Rare, Sym, What};
pub use ops::{Op, OpBuilder};

/// A timestamp in nanoseconds (the trace's clock).
pub type Time = i64;
/// A duration in nanoseconds (Go's `time.Duration`).
pub type Duration = i64;
/// Index of a region in [`Summary::regions`].
pub type RegionId = usize;

/// A Go `map[string]time.Duration`: keys are kept in insertion order, and a
/// key that was ever touched stays (possibly with a zero value), as in Go.
#[derive(Clone, Debug, Default)]
pub struct StatMap(Vec<(Arc<str>, Duration)>);

impl StatMap {
    #[inline]
    fn slot(&mut self, key: &Arc<str>) -> &mut Duration {
        // Keys from one interner are shared: try pointers before contents.
        let i = match self.0.iter().position(|(k, _)| Arc::ptr_eq(k, key)) {
            Some(i) => i,
            None => self.slot_by_contents(key),
        };
        &mut self.0[i].1
    }

    #[cold]
    fn slot_by_contents(&mut self, key: &Arc<str>) -> usize {
        match self.0.iter().position(|(k, _)| **k == **key) {
            Some(i) => i,
            None => {
                self.0.push((key.clone(), 0));
                self.0.len() - 1
            }
        }
    }

    /// Go's `m[key] += d` (creates the key).
    pub fn add(&mut self, key: &Arc<str>, d: Duration) {
        let v = self.slot(key);
        *v = v.wrapping_add(d);
    }

    /// Go's `m[key] = v`.
    pub fn set(&mut self, key: &Arc<str>, v: Duration) {
        *self.slot(key) = v;
    }

    /// Go's `m[key]`: 0 when absent.
    pub fn get(&self, key: &str) -> Duration {
        self.0
            .iter()
            .find(|(k, _)| &**k == key)
            .map_or(0, |&(_, v)| v)
    }

    /// Whether `key` is present.
    pub fn contains(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| &**k == key)
    }

    /// Go's `delete(m, key)`.
    pub fn remove(&mut self, key: &str) {
        self.0.retain(|(k, _)| &**k != key);
    }

    /// Entries in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&Arc<str>, Duration)> {
        self.0.iter().map(|(k, v)| (k, *v))
    }

    /// Entries sorted by key (as Go's JSON encoder writes maps).
    pub fn sorted(&self) -> Vec<(&str, Duration)> {
        let mut v: Vec<(&str, Duration)> = self.0.iter().map(|(k, d)| (&**k, *d)).collect();
        v.sort_unstable_by(|a, b| a.0.cmp(b.0));
        v
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sum of the values.
    pub fn total(&self) -> Duration {
        self.0.iter().fold(0, |a, (_, v)| a.wrapping_add(*v))
    }

    fn add_all(&mut self, other: &StatMap) {
        for (k, v) in other.iter() {
            self.add(k, v);
        }
    }
}

impl PartialEq for StatMap {
    fn eq(&self, other: &StatMap) -> bool {
        self.len() == other.len()
            && self
                .0
                .iter()
                .all(|(k, v)| other.contains(k) && other.get(k) == *v)
    }
}

impl Eq for StatMap {}

impl Serialize for StatMap {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let sorted = self.sorted();
        let mut m = s.serialize_map(Some(sorted.len()))?;
        for (k, v) in sorted {
            m.serialize_entry(k, &v)?;
        }
        m.end()
    }
}

/// Go's `GoroutineExecStats`: where a goroutine's (or a region's) time went.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExecStats {
    /// Running.
    pub exec_time: Duration,
    /// Runnable, waiting for a P (plus, while pending, blocked syscalls).
    pub sched_wait_time: Duration,
    /// Waiting, by the runtime's reason (`"chan receive"`, `"sync"`, …).
    pub block_time_by_reason: StatMap,
    /// In a syscall holding its P.
    pub syscall_time: Duration,
    /// In a syscall after its P was taken.
    pub syscall_block_time: Duration,
    /// Presence in the trace; overlaps the others.
    pub total_time: Duration,
    /// Time in special ranges (`GC mark assist`, `GC incremental sweep`,
    /// `stop-the-world (…)`); overlaps the others.
    pub range_time: StatMap,
}

/// The column Go lists first in its breakdown tables.
pub const EXECUTION_TIME: &str = "Execution time";

impl ExecStats {
    /// Go's `UnknownTime`: whatever of `total_time` the non-overlapping
    /// stats do not account for.
    pub fn unknown_time(&self) -> Duration {
        let sum = self
            .exec_time
            .wrapping_add(self.sched_wait_time)
            .wrapping_add(self.syscall_time)
            .wrapping_add(self.syscall_block_time)
            .wrapping_add(self.block_time_by_reason.total());
        if sum < self.total_time {
            self.total_time.wrapping_sub(sum)
        } else {
            0
        }
    }

    /// Go's `NonOverlappingStats`: the breakdown columns by name
    /// (`Execution time`, `Sched wait time`, `Block time (<reason>)`, …),
    /// sorted by name.
    pub fn non_overlapping_stats(&self) -> Vec<(String, Duration)> {
        let mut m: Vec<(String, Duration)> = vec![
            (EXECUTION_TIME.to_owned(), self.exec_time),
            ("Sched wait time".to_owned(), self.sched_wait_time),
            ("Syscall execution time".to_owned(), self.syscall_time),
            ("Block time (syscall)".to_owned(), self.syscall_block_time),
            ("Unknown time".to_owned(), self.unknown_time()),
        ];
        for (reason, dt) in self.block_time_by_reason.iter() {
            let name = format!("Block time ({reason})");
            match m.iter_mut().find(|(k, _)| *k == name) {
                Some((_, v)) => *v = v.wrapping_add(dt),
                None => m.push((name, dt)),
            }
        }
        m.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        m
    }

    /// One column of [`ExecStats::non_overlapping_stats`] by name (0 if the
    /// goroutine does not have it), without building the others.
    pub fn non_overlapping(&self, column: &str) -> Duration {
        match column {
            EXECUTION_TIME => self.exec_time,
            "Sched wait time" => self.sched_wait_time,
            "Syscall execution time" => self.syscall_time,
            "Unknown time" => self.unknown_time(),
            "Block time (syscall)" => self
                .syscall_block_time
                .wrapping_add(self.block_time_by_reason.get("syscall")),
            _ => column
                .strip_prefix("Block time (")
                .and_then(|r| r.strip_suffix(')'))
                .map_or(0, |r| self.block_time_by_reason.get(r)),
        }
    }

    /// The names of [`ExecStats::non_overlapping_stats`], unsorted.
    pub fn non_overlapping_names(&self) -> impl Iterator<Item = String> + '_ {
        [
            EXECUTION_TIME,
            "Sched wait time",
            "Syscall execution time",
            "Block time (syscall)",
            "Unknown time",
        ]
        .into_iter()
        .map(str::to_owned)
        .chain(
            self.block_time_by_reason
                .iter()
                .filter(|(r, _)| &***r != "syscall")
                .map(|(r, _)| format!("Block time ({r})")),
        )
    }

    /// Go's `sub`: `self - v`, over the keys of `self`.
    pub fn sub(&self, v: &ExecStats) -> ExecStats {
        let mut r = self.clone();
        r.exec_time = r.exec_time.wrapping_sub(v.exec_time);
        r.sched_wait_time = r.sched_wait_time.wrapping_sub(v.sched_wait_time);
        for (reason, d) in r.block_time_by_reason.0.iter_mut() {
            *d = d.wrapping_sub(v.block_time_by_reason.get(reason));
        }
        r.syscall_time = r.syscall_time.wrapping_sub(v.syscall_time);
        r.syscall_block_time = r.syscall_block_time.wrapping_sub(v.syscall_block_time);
        r.total_time = r.total_time.wrapping_sub(v.total_time);
        for (name, d) in r.range_time.0.iter_mut() {
            *d = d.wrapping_sub(v.range_time.get(name));
        }
        r
    }

    /// Adds `v` to `self` (keys of both).
    pub fn add(&mut self, v: &ExecStats) {
        self.exec_time = self.exec_time.wrapping_add(v.exec_time);
        self.sched_wait_time = self.sched_wait_time.wrapping_add(v.sched_wait_time);
        self.block_time_by_reason.add_all(&v.block_time_by_reason);
        self.syscall_time = self.syscall_time.wrapping_add(v.syscall_time);
        self.syscall_block_time = self.syscall_block_time.wrapping_add(v.syscall_block_time);
        self.total_time = self.total_time.wrapping_add(v.total_time);
        self.range_time.add_all(&v.range_time);
    }
}

impl Serialize for ExecStats {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("ExecStats", 8)?;
        st.serialize_field("exec_time", &self.exec_time)?;
        st.serialize_field("sched_wait_time", &self.sched_wait_time)?;
        st.serialize_field("block_time_by_reason", &self.block_time_by_reason)?;
        st.serialize_field("syscall_time", &self.syscall_time)?;
        st.serialize_field("syscall_block_time", &self.syscall_block_time)?;
        st.serialize_field("total_time", &self.total_time)?;
        st.serialize_field("range_time", &self.range_time)?;
        st.serialize_field("unknown_time", &self.unknown_time())?;
        st.end()
    }
}

/// A stack frame kept from the trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FrameInfo {
    /// Program counter.
    pub pc: u64,
    /// Function.
    pub func: Arc<str>,
    /// Source file.
    pub file: Arc<str>,
    /// Line.
    pub line: u64,
}

/// What a summary keeps of an event it points to (Go keeps `*Event`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRef {
    /// The event's kind.
    pub kind: EventKind,
    /// Its time.
    pub time: Time,
    /// `ev.Goroutine()`: the goroutine running when it happened.
    pub goroutine: GoId,
    /// The last (outermost) frame of `ev.Stack()`, if any: what `go tool
    /// trace` uses to fingerprint a region's start.
    pub frame: Option<FrameInfo>,
}

impl Serialize for EventRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("EventRef", 4)?;
        st.serialize_field("kind", self.kind.name())?;
        st.serialize_field("time", &self.time)?;
        st.serialize_field("goroutine", &self.goroutine)?;
        st.serialize_field("frame", &self.frame)?;
        st.end()
    }
}

/// Go's `GoroutineSummary`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoroutineSummary {
    /// Goroutine ID.
    pub id: GoId,
    /// Entry function (empty if no stack was ever seen).
    pub name: Arc<str>,
    /// PC of the entry frame, as first seen.
    pub pc: u64,
    /// First appearance (creation, or the last Sync before it was first seen).
    pub creation_time: Time,
    /// First time it ran; 0 if it never ran.
    pub start_time: Time,
    /// When it exited (or blocked forever); 0 if it did not.
    pub end_time: Time,
    /// Time statistics.
    pub stats: ExecStats,
    /// Its regions ([`Summary::regions`] indices), sorted by start time.
    pub regions: Vec<RegionId>,
}

/// Go's `UserRegionSummary`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRegionSummary {
    /// Task ID (`BACKGROUND_TASK` for none).
    pub task_id: TaskId,
    /// Region type (empty for the synthetic region of a goroutine created
    /// inside a region, which inherits its task).
    pub name: Arc<str>,
    /// The goroutine it ran on (not in Go's struct).
    pub goroutine: GoId,
    /// RegionBegin, or the creation (StateTransition) of a goroutine created
    /// in a region; `None` if it began before the trace.
    pub start: Option<EventRef>,
    /// RegionEnd, or the goroutine's end; `None` if still active at the end.
    pub end: Option<EventRef>,
    /// Time statistics while it was active.
    pub stats: ExecStats,
}

/// A log message of a task.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogEntry {
    /// Time.
    pub time: Time,
    /// Goroutine that logged it.
    pub goroutine: GoId,
    /// Category.
    pub category: Arc<str>,
    /// Message.
    pub message: String,
}

/// Go's `UserTaskSummary`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserTaskSummary {
    /// Task ID.
    pub id: TaskId,
    /// Task type.
    pub name: Arc<str>,
    /// Parent task, if known.
    pub parent: Option<TaskId>,
    /// Child tasks, in order of appearance.
    pub children: Vec<TaskId>,
    /// TaskBegin, if seen.
    pub start: Option<EventRef>,
    /// TaskEnd, if seen.
    pub end: Option<EventRef>,
    /// Log messages.
    pub logs: Vec<LogEntry>,
    /// Its regions ([`Summary::regions`] indices), in order of appearance.
    pub regions: Vec<RegionId>,
    /// Goroutines associated with it, sorted.
    pub goroutines: Vec<GoId>,
}

impl UserTaskSummary {
    fn new(id: TaskId, empty: &Arc<str>) -> UserTaskSummary {
        UserTaskSummary {
            id,
            name: empty.clone(),
            parent: None,
            children: Vec::new(),
            start: None,
            end: None,
            logs: Vec::new(),
            regions: Vec::new(),
            goroutines: Vec::new(),
        }
    }

    /// Both its begin and end are in the trace.
    pub fn complete(&self) -> bool {
        self.start.is_some() && self.end.is_some()
    }

    fn add_goroutine(&mut self, g: GoId) {
        if self.goroutines.last() != Some(&g) {
            self.goroutines.push(g);
        }
    }
}

/// Go's `IsSystemGoroutine`: runtime goroutines other than `runtime.main`,
/// and goroutines without a known entry function.
pub fn is_system_goroutine(entry_fn: &str) -> bool {
    entry_fn.is_empty() || (entry_fn != "runtime.main" && entry_fn.starts_with("runtime."))
}

/// The result: goroutines and tasks sorted by ID, and the regions they refer to.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Goroutines by ID (those not taken with `drain_finished`).
    pub goroutines: Vec<GoroutineSummary>,
    /// Tasks by ID (if regions and tasks were tracked).
    pub tasks: Vec<UserTaskSummary>,
    /// Every region, referred to by index.
    pub regions: Vec<UserRegionSummary>,
    /// Time of the first event (`go tool trace`'s start time).
    pub start_time: Time,
    /// Time of the last event (`go tool trace`'s end time).
    pub end_time: Time,
    /// Statistics restricted to the intervals given to
    /// [`Summarizer::clip_to`], by goroutine (goroutines with intervals only).
    pub clipped: Option<FxHashMap<GoId, ExecStats>>,
}

impl Summary {
    /// The goroutine with ID `id`.
    pub fn goroutine(&self, id: GoId) -> Option<&GoroutineSummary> {
        self.goroutines
            .binary_search_by_key(&id, |g| g.id)
            .ok()
            .map(|i| &self.goroutines[i])
    }

    /// The task with ID `id`.
    pub fn task(&self, id: TaskId) -> Option<&UserTaskSummary> {
        self.tasks
            .binary_search_by_key(&id, |t| t.id)
            .ok()
            .map(|i| &self.tasks[i])
    }

    /// `go tool trace`'s interval of a goroutine for profiles: from its start
    /// (0 if it never ran) to its end, or the end of the trace if it did not end.
    pub fn goroutine_interval(&self, g: &GoroutineSummary) -> (Time, Time) {
        let end = if g.end_time == 0 {
            self.end_time
        } else {
            g.end_time
        };
        (g.start_time, end)
    }

    /// `go tool trace`'s `regionInterval`: the region's start and end, or the
    /// trace's start and end where it has none.
    pub fn region_interval(&self, r: &UserRegionSummary) -> (Time, Time) {
        (
            r.start.as_ref().map_or(self.start_time, |e| e.time),
            r.end.as_ref().map_or(self.end_time, |e| e.time),
        )
    }

    /// `go tool trace`'s `taskInterval`.
    pub fn task_interval(&self, t: &UserTaskSummary) -> (Time, Time) {
        (
            t.start.as_ref().map_or(self.start_time, |e| e.time),
            t.end.as_ref().map_or(self.end_time, |e| e.time),
        )
    }

    /// Go's `Descendents`: the task and, transitively, its children.
    pub fn descendants(&self, id: TaskId) -> Vec<TaskId> {
        let mut out = vec![id];
        let mut i = 0;
        while i < out.len() && out.len() <= self.tasks.len() {
            if let Some(t) = self.task(out[i]) {
                out.extend(t.children.iter().copied());
            }
            i += 1;
        }
        out
    }
}

/// Go's private `goroutineSummary`: state needed only while the goroutine lives.
#[derive(Default)]
struct Pending {
    last_start_time: Time,
    last_runnable_time: Time,
    last_block_time: Time,
    last_block_reason: Option<Sym>,
    last_syscall_time: Time,
    last_syscall_block_time: Time,
    last_range_time: StatMap,
    active_regions: Vec<RegionId>,
}

impl Pending {
    /// Adds to `ret`, a copy of the statistics of a goroutine created at
    /// `creation_time`, the time of the states it is in at `last_ts` (Go's
    /// `snapshotStat` but for the copy).
    fn add_to(&self, ret: &mut ExecStats, creation_time: Time, last_ts: Time, syms: &[Arc<str>]) {
        set_total_time(ret, creation_time, last_ts);
        if self.last_start_time != 0 {
            ret.exec_time = ret
                .exec_time
                .wrapping_add(last_ts.wrapping_sub(self.last_start_time));
        }
        if self.last_runnable_time != 0 {
            ret.sched_wait_time = ret
                .sched_wait_time
                .wrapping_add(last_ts.wrapping_sub(self.last_runnable_time));
        }
        if self.last_block_time != 0
            && let Some(reason) = self
                .last_block_reason
                .and_then(|r| syms.get(r.get() as usize))
        {
            ret.block_time_by_reason
                .add(reason, last_ts.wrapping_sub(self.last_block_time));
        }
        if self.last_syscall_time != 0 {
            ret.syscall_time = ret
                .syscall_time
                .wrapping_add(last_ts.wrapping_sub(self.last_syscall_time));
        }
        if self.last_syscall_block_time != 0 {
            ret.sched_wait_time = ret
                .sched_wait_time
                .wrapping_add(last_ts.wrapping_sub(self.last_syscall_block_time));
        }
        for (name, ts) in self.last_range_time.iter() {
            ret.range_time.add(name, last_ts.wrapping_sub(ts));
        }
    }
}

/// The part of [`Pending::add_to`] that summaries without statistics keep:
/// whether a goroutine's total time is 0 decides if Go's summarizer forgets
/// it when it ends.
fn set_total_time(ret: &mut ExecStats, creation_time: Time, last_ts: Time) {
    if ret.total_time == 0 {
        ret.total_time = last_ts.wrapping_sub(creation_time);
    }
}

struct LiveGoroutine {
    sum: GoroutineSummary,
    p: Pending,
}

impl LiveGoroutine {
    fn new(id: GoId, creation_time: Time, empty: &Arc<str>) -> LiveGoroutine {
        LiveGoroutine {
            sum: GoroutineSummary {
                id,
                name: empty.clone(),
                pc: 0,
                creation_time,
                start_time: 0,
                end_time: 0,
                stats: ExecStats::default(),
                regions: Vec::new(),
            },
            p: Pending::default(),
        }
    }

    /// Go's `snapshotStat` (`syms`: the strings of block reasons).
    fn snapshot(&self, last_ts: Time, syms: &[Arc<str>]) -> ExecStats {
        let mut ret = self.sum.stats.clone();
        self.p
            .add_to(&mut ret, self.sum.creation_time, last_ts, syms);
        ret
    }

    /// Go's `finalize`: ends the goroutine's stats (`syms`: `None` without
    /// statistics, but the total time) and its active regions.
    fn finalize(
        &mut self,
        last_ts: Time,
        trigger: Option<&EventRef>,
        regions: &mut [UserRegionSummary],
        syms: Option<&[Arc<str>]>,
    ) {
        if let Some(ev) = trigger {
            self.sum.end_time = ev.time;
        }
        // The snapshot, taken in place: the final statistics.
        let sum = &mut self.sum;
        match syms {
            Some(syms) => self
                .p
                .add_to(&mut sum.stats, sum.creation_time, last_ts, syms),
            None => set_total_time(&mut sum.stats, sum.creation_time, last_ts),
        }
        if !is_system_goroutine(&sum.name) {
            for &rid in &self.p.active_regions {
                if let Some(r) = regions.get_mut(rid) {
                    r.end = trigger.cloned();
                    if syms.is_some() {
                        r.stats = sum.stats.sub(&r.stats);
                    }
                    sum.regions.push(rid);
                }
            }
        }
        self.p = Pending::default();
    }
}

impl Live for LiveSet {
    #[inline]
    fn unsettled(&self, id: GoId) -> bool {
        self.get(id)
            .is_some_and(|g| g.sum.name.is_empty() || g.sum.start_time == 0)
    }

    #[inline]
    fn in_region(&self, id: GoId) -> bool {
        self.get(id).is_some_and(|g| !g.p.active_regions.is_empty())
    }
}

/// Interval boundaries at which to snapshot goroutines (see [`Summarizer::clip_to`]).
#[derive(Default)]
struct Checkpoints {
    /// (time, goroutine, is_end), sorted by time.
    bounds: Vec<(Time, GoId, bool)>,
    next: usize,
    open: FxHashMap<GoId, ExecStats>,
    acc: FxHashMap<GoId, ExecStats>,
}

/// Builds a [`Summary`] from the ordered event stream (Go's `Summarizer`).
pub struct Summarizer {
    live: LiveSet,
    finished: Vec<GoroutineSummary>,
    tasks: FxHashMap<TaskId, UserTaskSummary>,
    regions: Vec<UserRegionSummary>,
    syscalling_p: DenseIdMap<GoId>,
    syscalling_g: DenseIdMap<ProcId>,
    ranges_p: FxHashMap<(ProcId, Arc<str>), GoId>,
    first_ts: Option<Time>,
    last_ts: Time,
    sync_ts: Time,
    /// Turns events into ops for [`Summarizer::event`].
    builder: OpBuilder,
    ops: Vec<Op>,
    /// The strings of the builder's symbols, by symbol.
    syms: Vec<Arc<str>>,
    /// The builder's entry frames (PC, function), by ID.
    entries: Vec<Option<(u64, Sym)>>,
    empty: Arc<str>,
    track_annotations: bool,
    /// Whether execution statistics and start times are tracked.
    stats: bool,
    keep_finished_live: bool,
    checkpoints: Option<Checkpoints>,
}

impl Default for Summarizer {
    fn default() -> Self {
        Summarizer::new()
    }
}

impl Summarizer {
    /// A summarizer of goroutines, tasks and regions.
    pub fn new() -> Summarizer {
        Summarizer::with(true, true)
    }

    /// A summarizer of goroutines only: user regions and tasks are ignored
    /// (goroutine statistics do not depend on them), which saves their memory.
    pub fn goroutines_only() -> Summarizer {
        Summarizer::with(true, false)
    }

    /// A summarizer of what [`crate::filter::Filter`] resolves intervals
    /// from: goroutines (creation, name, start and end), tasks and regions,
    /// exactly as [`Summarizer::new`] has them, but no execution statistics
    /// (they stay zero, and `total_time` only serves to end goroutines as Go
    /// does). Their upkeep is most of the cost of a summary: without them,
    /// only transitions that create, name, start or end a goroutine matter,
    /// and [`summarize`] checks that against the live goroutines before
    /// making an op. Regions keep only the time (and goroutine) of the
    /// goroutine creations and ends that start or end them, no frame.
    pub fn intervals_only() -> Summarizer {
        Summarizer::with(false, true)
    }

    fn with(stats: bool, track_annotations: bool) -> Summarizer {
        Summarizer {
            live: LiveSet::default(),
            finished: Vec::new(),
            tasks: FxHashMap::default(),
            regions: Vec::new(),
            syscalling_p: DenseIdMap::default(),
            syscalling_g: DenseIdMap::default(),
            ranges_p: FxHashMap::default(),
            first_ts: None,
            last_ts: 0,
            sync_ts: 0,
            builder: OpBuilder::with_stats(track_annotations, stats),
            ops: Vec::new(),
            syms: Vec::new(),
            entries: Vec::new(),
            empty: Arc::from(""),
            track_annotations,
            stats,
            keep_finished_live: false,
            checkpoints: None,
        }
    }

    /// Also computes each goroutine's statistics restricted to the given
    /// intervals `(goroutine, start, end)` (non-overlapping per goroutine),
    /// returned in [`Summary::clipped`]. Must be called before the first event.
    /// A snapshot at time `t` reflects every event before `t`, like a
    /// region's; a goroutine not yet seen counts as zero (so one first seen
    /// in a state, which Go charges back to the last Sync, is charged from
    /// that moment only if the interval started before it was seen).
    pub fn clip_to(&mut self, intervals: impl IntoIterator<Item = (GoId, Time, Time)>) {
        let mut c = Checkpoints::default();
        for (g, s, e) in intervals {
            if s <= e {
                c.bounds.push((s, g, false));
                c.bounds.push((e, g, true));
            }
        }
        // Stable: an interval's end never precedes its own start.
        c.bounds.sort_by_key(|&(t, _, _)| t);
        self.checkpoints = Some(c);
        self.keep_finished_live = true;
    }

    /// Takes the goroutines that have ended so far (their summaries are final).
    /// Callers that aggregate as they go keep memory bounded by live goroutines.
    pub fn drain_finished(&mut self) -> std::vec::Drain<'_, GoroutineSummary> {
        self.finished.drain(..)
    }

    /// Number of goroutines currently tracked as live.
    pub fn live_goroutines(&self) -> usize {
        self.live.len()
    }

    /// Feeds one event.
    pub fn event(&mut self, ev: &Event<'_>) {
        let mut ops = std::mem::take(&mut self.ops);
        self.build(ev, &mut ops);
        for op in ops.drain(..) {
            self.apply(op);
        }
        self.ops = ops;
    }

    /// [`Summarizer::event`] given `ev.state_transition()` (for a caller
    /// that needs it too).
    pub(crate) fn event_given(&mut self, ev: &Event<'_>, st: Option<&StateTransition<'_>>) {
        let mut ops = std::mem::take(&mut self.ops);
        if self.builder.build_given(ev, st, &mut ops, &self.live) && ops.is_empty() {
            self.tick(ev.time());
        }
        for op in ops.drain(..) {
            self.apply(op);
        }
        self.ops = ops;
    }

    /// Appends the ops of `ev` to `ops`, to apply next; without statistics,
    /// only those that matter given the live goroutines, and an event that
    /// needs none still moves the summary's clock (its first, Sync and last
    /// times) as its ops would have.
    #[inline(always)]
    fn build(&mut self, ev: &Event<'_>, ops: &mut Vec<Op>) {
        let before = ops.len();
        if self.builder.build_with(ev, ops, &self.live) && ops.len() == before {
            self.tick(ev.time());
        }
    }

    /// A builder of the ops this summarizer applies (to build them on another
    /// thread, see [`summarize_parallel`]).
    pub fn op_builder(&self) -> OpBuilder {
        OpBuilder::with_stats(self.track_annotations, self.stats)
    }

    /// Applies one op (Go's `Summarizer.Event`): goroutine transitions,
    /// nearly every op, here; the others (with their larger code) in
    /// [`Summarizer::apply_other`].
    pub fn apply(&mut self, op: Op) {
        let Op { time: t, what } = op;
        self.tick(t);
        match what {
            What::Go(tr) => self.transition(t, tr, None),
            other => self.apply_other(t, other),
        }
    }

    /// The clock: an op at `t` (applying it at the same time again changes
    /// nothing).
    #[inline(always)]
    fn tick(&mut self, t: Time) {
        if self.checkpoints.is_some() {
            self.run_checkpoints(t);
        }
        if self.first_ts.is_none() {
            self.first_ts = Some(t);
        }
        if self.sync_ts == 0 {
            self.sync_ts = t;
        }
        self.last_ts = t;
    }

    /// A goroutine transition, with or without statistics.
    #[inline(always)]
    fn transition(&mut self, t: Time, tr: GoTransition, ev: Option<&EventRef>) {
        if self.stats {
            self.goroutine_transition::<true>(t, tr, ev);
        } else {
            self.goroutine_transition::<false>(t, tr, ev);
        }
    }

    /// Applies an op other than [`What::Go`] (which `apply` applies).
    #[inline(never)]
    fn apply_other(&mut self, t: Time, what: What) {
        match what {
            What::Go(_) => {}
            What::GoEvent(b) => {
                let (tr, ev) = *b;
                self.transition(t, tr, Some(&ev));
            }
            What::ProcIdle(id) => {
                // A P going idle while its goroutine is in a syscall: the
                // syscall blocks from now on.
                if let Some(goid) = self.syscalling_p.remove(id)
                    && let Some(g) = self.live.get_mut(goid)
                {
                    g.p.last_syscall_block_time = t;
                }
            }
            What::Sync(_) => self.sync_ts = t,
            What::Define(sym, s) => define(&mut self.syms, sym, s, &self.empty),
            What::DefineEntry(e, pc, func) => define(&mut self.entries, e, Some((pc, func)), &None),
            What::Rare(r) => self.apply_rare(t, *r),
        }
    }

    /// Applies the op of a range, region, task or log event.
    #[inline(never)]
    fn apply_rare(&mut self, t: Time, r: Rare) {
        match r {
            Rare::Range {
                goroutine,
                kind,
                name,
                scope,
            } => {
                let op = Ctx { time: t, goroutine };
                if kind == EventKind::RangeEnd {
                    self.range_end(op, name, scope);
                } else {
                    self.range_begin(op, kind, name, scope);
                }
            }
            Rare::Region {
                begin,
                task,
                name,
                ev,
            } if self.track_annotations => {
                let op = Ctx {
                    time: t,
                    goroutine: ev.goroutine,
                };
                if begin {
                    self.region_begin(op, task, name, ev);
                } else {
                    self.region_end(op, task, name, ev);
                }
            }
            Rare::Task {
                begin,
                id,
                parent,
                name,
                ev,
            } if self.track_annotations => {
                let entry = self.task_entry(id);
                entry.name = name;
                entry.add_goroutine(ev.goroutine);
                if begin {
                    entry.start = Some(ev);
                } else {
                    entry.end = Some(ev);
                }
                if parent != NO_TASK && entry.parent.is_none() {
                    entry.parent = Some(parent);
                    self.task_entry(parent).children.push(id);
                }
            }
            Rare::Log {
                goroutine,
                task,
                category,
                message,
            } if self.track_annotations => {
                let entry = LogEntry {
                    time: t,
                    goroutine,
                    category,
                    message,
                };
                let task = self.task_entry(task);
                task.add_goroutine(goroutine);
                task.logs.push(entry);
            }
            _ => {}
        }
    }

    /// `ev`: the transition's event, kept only when regions are tracked.
    /// `STATS`: whether statistics (and start times) are tracked.
    #[inline(always)]
    fn goroutine_transition<const STATS: bool>(
        &mut self,
        t: Time,
        tr: GoTransition,
        ev: Option<&EventRef>,
    ) {
        let GoTransition {
            id,
            proc,
            reason,
            entry,
            old,
            new,
            forever,
        } = tr;

        // Transition out (a goroutine first seen or created starts here).
        let g = match old {
            GoState::Undetermined => {
                let mut g = LiveGoroutine::new(id, self.sync_ts, &self.empty);
                let state_time = t.wrapping_sub(self.sync_ts);
                let s = &mut g.sum.stats;
                match new {
                    _ if !STATS => {}
                    GoState::Running => s.exec_time = s.exec_time.wrapping_add(state_time),
                    GoState::Waiting => {
                        let r = sym(&self.syms, reason, &self.empty);
                        s.block_time_by_reason.add(r, state_time)
                    }
                    GoState::Runnable => {
                        s.sched_wait_time = s.sched_wait_time.wrapping_add(state_time)
                    }
                    GoState::Syscall => {
                        if proc == NO_PROC {
                            s.syscall_block_time = s.syscall_block_time.wrapping_add(state_time);
                        } else {
                            s.syscall_time = s.syscall_time.wrapping_add(state_time);
                        }
                    }
                    _ => {}
                }
                self.live.insert(g)
            }
            GoState::NotExist => {
                let mut g = LiveGoroutine::new(id, t, &self.empty);
                // A goroutine created inside a region inherits its task,
                // through a nameless region from its creation. (Its creator
                // is the event's goroutine; without the event, regions are
                // not tracked.)
                let inherited = ev
                    .and_then(|e| self.live.get(e.goroutine))
                    .and_then(|c| c.p.active_regions.last())
                    .and_then(|&rid| self.regions.get(rid))
                    .map(|r| r.task_id);
                if let Some(task_id) = inherited {
                    g.p.active_regions.push(self.regions.len());
                    self.regions.push(UserRegionSummary {
                        task_id,
                        name: self.empty.clone(),
                        goroutine: id,
                        start: ev.cloned(),
                        end: None,
                        stats: ExecStats::default(),
                    });
                }
                self.live.insert(g)
            }
            _ => match self.live.get_mut(id) {
                Some(g) => g,
                // Go would dereference a nil summary here; the ordering
                // never lets this happen for a valid trace.
                None => return,
            },
        };
        match old {
            _ if !STATS => {}
            GoState::Running => {
                g.sum.stats.exec_time = g
                    .sum
                    .stats
                    .exec_time
                    .wrapping_add(t.wrapping_sub(g.p.last_start_time));
                g.p.last_start_time = 0;
            }
            GoState::Waiting if g.p.last_block_time != 0 => {
                let r = sym(&self.syms, g.p.last_block_reason, &self.empty);
                g.sum
                    .stats
                    .block_time_by_reason
                    .add(r, t.wrapping_sub(g.p.last_block_time));
                g.p.last_block_time = 0;
            }
            GoState::Runnable if g.p.last_runnable_time != 0 => {
                g.sum.stats.sched_wait_time = g
                    .sum
                    .stats
                    .sched_wait_time
                    .wrapping_add(t.wrapping_sub(g.p.last_runnable_time));
                g.p.last_runnable_time = 0;
            }
            GoState::Syscall if g.p.last_syscall_time != 0 => {
                let s = &mut g.sum.stats;
                if g.p.last_syscall_block_time != 0 {
                    s.syscall_block_time = s
                        .syscall_block_time
                        .wrapping_add(t.wrapping_sub(g.p.last_syscall_block_time));
                    s.syscall_time = s.syscall_time.wrapping_add(
                        g.p.last_syscall_block_time
                            .wrapping_sub(g.p.last_syscall_time),
                    );
                } else {
                    s.syscall_time = s
                        .syscall_time
                        .wrapping_add(t.wrapping_sub(g.p.last_syscall_time));
                }
                g.p.last_syscall_time = 0;
                g.p.last_syscall_block_time = 0;
                // Go: delete(syscallingP, syscallingG[id]) (0 if absent).
                let p = self.syscalling_g.remove(id).unwrap_or(0);
                self.syscalling_p.remove(p);
            }
            _ => {}
        }

        // Name the goroutine by the root frame of the first stack seen.
        if let Some(e) = entry
            && g.sum.name.is_empty()
            && let Some(&Some((pc, func))) = self.entries.get(e.get() as usize)
        {
            g.sum.pc = pc;
            g.sum.name = sym(&self.syms, Some(func), &self.empty).clone();
        }

        // Transition in.
        let ended = match new {
            GoState::Running => {
                if STATS {
                    g.p.last_start_time = t;
                }
                if g.sum.start_time == 0 {
                    g.sum.start_time = t;
                }
                false
            }
            GoState::Waiting if forever => true,
            GoState::NotExist => true,
            _ if !STATS => false,
            GoState::Runnable => {
                g.p.last_runnable_time = t;
                false
            }
            GoState::Waiting => {
                g.p.last_block_time = t;
                g.p.last_block_reason = reason;
                false
            }
            GoState::Syscall => {
                self.syscalling_p.insert(proc, id);
                self.syscalling_g.insert(id, proc);
                g.p.last_syscall_time = t;
                false
            }
            GoState::Undetermined => false,
        };
        if ended {
            g.sum.end_time = t;
            let syms = STATS.then_some(&self.syms[..]);
            g.finalize(t, ev, &mut self.regions, syms);
            // Go's Finalize finalizes it again at the end of the trace, which
            // changes nothing unless its total time is still 0.
            if !self.keep_finished_live
                && g.sum.stats.total_time != 0
                && let Some(mut g) = self.live.remove(id)
            {
                sort_regions(&mut g.sum.regions, &self.regions);
                self.finished.push(g.sum);
            }
        }
    }

    fn range_begin(&mut self, op: Ctx, kind: EventKind, name: Arc<str>, scope: ResourceId) {
        let gid = match scope {
            ResourceId::Goroutine(g) => g,
            ResourceId::Proc(p) => {
                let g = op.goroutine;
                if self.live.contains(g) {
                    self.ranges_p.insert((p, name.clone()), g);
                }
                g
            }
            _ => return,
        };
        let sync_ts = self.sync_ts;
        let Some(g) = self.live.get_mut(gid) else {
            return;
        };
        if kind == EventKind::RangeActive {
            let ts = g.p.last_range_time.get(&name);
            if ts != 0 {
                g.sum.stats.range_time.add(&name, sync_ts.wrapping_sub(ts));
            }
            g.p.last_range_time.set(&name, sync_ts);
        } else {
            g.p.last_range_time.set(&name, op.time);
        }
    }

    fn range_end(&mut self, op: Ctx, name: Arc<str>, scope: ResourceId) {
        let gid = match scope {
            ResourceId::Goroutine(g) => Some(g),
            ResourceId::Proc(p) => match self.ranges_p.remove(&(p, name.clone())) {
                Some(g) if g == op.goroutine => Some(g),
                _ => None,
            },
            _ => None,
        };
        let Some(g) = gid.and_then(|g| self.live.get_mut(g)) else {
            return;
        };
        let ts = g.p.last_range_time.get(&name);
        if ts == 0 {
            return;
        }
        g.sum.stats.range_time.add(&name, op.time.wrapping_sub(ts));
        g.p.last_range_time.remove(&name);
    }

    fn region_begin(&mut self, op: Ctx, task: TaskId, name: Arc<str>, ev: EventRef) {
        let gid = op.goroutine;
        let Some(g) = self.live.get_mut(gid) else {
            return; // Go would dereference a nil summary.
        };
        let rid = self.regions.len();
        g.p.active_regions.push(rid);
        let stats = if self.stats {
            g.snapshot(op.time, &self.syms)
        } else {
            ExecStats::default()
        };
        self.regions.push(UserRegionSummary {
            task_id: task,
            name,
            goroutine: gid,
            start: Some(ev),
            end: None,
            stats,
        });
        let task = self.task_entry(task);
        task.regions.push(rid);
        task.add_goroutine(gid);
    }

    fn region_end(&mut self, op: Ctx, task: TaskId, name: Arc<str>, ev: EventRef) {
        let gid = op.goroutine;
        let Some(g) = self.live.get_mut(gid) else {
            return; // Go would dereference a nil summary.
        };
        let snap = self.stats.then(|| g.snapshot(op.time, &self.syms));
        // The innermost active region ends, or an end without a start
        // fabricates one now.
        let popped = g.p.active_regions.pop();
        let rid = popped.unwrap_or(self.regions.len());
        g.sum.regions.push(rid);
        if popped.is_none() {
            self.regions.push(UserRegionSummary {
                task_id: task,
                name,
                goroutine: gid,
                start: None,
                end: None,
                stats: ExecStats::default(),
            });
            let task = self.task_entry(task);
            task.add_goroutine(gid);
            task.regions.push(rid);
        }
        if let Some(region) = self.regions.get_mut(rid) {
            if let Some(snap) = snap {
                region.stats = snap.sub(&region.stats);
            }
            region.end = Some(ev);
        }
    }

    fn task_entry(&mut self, id: TaskId) -> &mut UserTaskSummary {
        let empty = &self.empty;
        self.tasks
            .entry(id)
            .or_insert_with(|| UserTaskSummary::new(id, empty))
    }

    /// Snapshots goroutines at the interval boundaries up to `t`.
    fn run_checkpoints(&mut self, t: Time) {
        let Some(c) = self.checkpoints.as_mut() else {
            return;
        };
        while let Some(&(bt, g, is_end)) = c.bounds.get(c.next) {
            if bt > t {
                break;
            }
            c.next += 1;
            let snap = match self.live.get(g) {
                Some(lg) => lg.snapshot(bt, &self.syms),
                None => ExecStats::default(),
            };
            if is_end {
                let start = c.open.remove(&g).unwrap_or_default();
                c.acc.entry(g).or_default().add(&snap.sub(&start));
            } else {
                c.open.insert(g, snap);
            }
        }
    }

    /// Go's `Finalize`: ends every goroutine still live at the last event and
    /// returns the summary.
    pub fn finalize(mut self) -> Summary {
        let last_ts = self.last_ts;
        if self.checkpoints.is_some() {
            // Boundaries past the end are taken at the end.
            if let Some(c) = self.checkpoints.as_mut() {
                for b in &mut c.bounds[c.next..] {
                    b.0 = b.0.min(last_ts);
                }
            }
            self.run_checkpoints(last_ts);
        }
        let mut goroutines = std::mem::take(&mut self.finished);
        goroutines.reserve(self.live.len());
        for mut g in self.live.drain() {
            let syms = self.stats.then_some(&self.syms[..]);
            g.finalize(last_ts, None, &mut self.regions, syms);
            sort_regions(&mut g.sum.regions, &self.regions);
            goroutines.push(g.sum);
        }
        goroutines.sort_unstable_by_key(|g| g.id);
        let mut tasks: Vec<UserTaskSummary> = self.tasks.into_values().collect();
        tasks.sort_unstable_by_key(|t| t.id);
        for t in &mut tasks {
            t.goroutines.sort_unstable();
            t.goroutines.dedup();
        }
        Summary {
            goroutines,
            tasks,
            regions: self.regions,
            start_time: self.first_ts.unwrap_or(0),
            end_time: last_ts,
            clipped: self.checkpoints.map(|c| c.acc),
        }
    }
}

/// The string of a symbol (empty if unknown).
fn sym<'a>(syms: &'a [Arc<str>], s: Option<Sym>, empty: &'a Arc<str>) -> &'a Arc<str> {
    s.and_then(|s| syms.get(s.get() as usize)).unwrap_or(empty)
}

/// Sets `table[id]` to `value` (a definition of the op builder), filling
/// the IDs not yet defined with `unset`.
fn define<T: Clone>(table: &mut Vec<T>, id: std::num::NonZeroU32, value: T, unset: &T) {
    let i = id.get() as usize;
    if table.len() <= i {
        table.resize(i + 1, unset.clone());
    }
    table[i] = value;
}

/// The context of an applied op.
#[derive(Clone, Copy)]
struct Ctx {
    time: Time,
    /// `ev.Goroutine()`.
    goroutine: GoId,
}

/// Go's sort of a goroutine's regions by start time (regions without a start
/// first), with Go's own (unstable) sort so that ties come out as in Go.
fn sort_regions(ids: &mut [RegionId], regions: &[UserRegionSummary]) {
    let start = |id: &RegionId| {
        regions
            .get(*id)
            .and_then(|r| r.start.as_ref().map(|e| e.time))
    };
    trace_format::gosort::sort_by(ids, |a, b| match (start(a), start(b)) {
        (None, None) => std::cmp::Ordering::Equal,
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (Some(x), Some(y)) => x.cmp(&y),
    });
}

/// Summarizes a whole trace on the calling thread (`data` must hold
/// complete generations; see `trace_format::framing`). `at_sync` is called
/// before each Sync event with its number (1 for the first generation) and
/// the summarizer, e.g. to report progress or [`Summarizer::drain_finished`].
pub fn summarize(
    data: &[u8],
    mut summarizer: Summarizer,
    mut at_sync: impl FnMut(u64, &mut Summarizer),
) -> Result<Summary, trace_format::Error> {
    let mut ops = Vec::new();
    trace_format::reader::for_each_event(data, |ev| {
        summarizer.build(ev, &mut ops);
        for op in ops.drain(..) {
            if let What::Sync(n) = op.what {
                at_sync(n, &mut summarizer);
            }
            summarizer.apply(op);
        }
        true
    })?;
    Ok(summarizer.finalize())
}

/// As [`summarize`], but the summarizer runs on its own thread, fed with
/// batches of ops read off the events by the thread that orders them (the
/// faster choice when a core is free). `progress` is called on the calling
/// thread at each Sync with its number; `at_sync` on the summarizer's thread.
/// A summarizer without statistics ([`Summarizer::intervals_only`]) runs on
/// the calling thread: it has too little to do to pay for the hand-off, and
/// leaves out ops by the state of its live goroutines.
pub fn summarize_parallel(
    data: &[u8],
    summarizer: Summarizer,
    mut progress: impl FnMut(u64),
    mut at_sync: impl FnMut(u64, &mut Summarizer) + Send,
) -> Result<Summary, trace_format::Error> {
    const BATCH: usize = 4096;
    if !summarizer.stats {
        return summarize(data, summarizer, |n, s| {
            progress(n);
            at_sync(n, s);
        });
    }
    let mut builder = summarizer.op_builder();
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Op>>(8);
        let (back_tx, back_rx) = std::sync::mpsc::channel::<Vec<Op>>();
        let worker = scope.spawn(move || {
            let mut s = summarizer;
            for mut batch in rx {
                for op in batch.drain(..) {
                    if let What::Sync(n) = op.what {
                        at_sync(n, &mut s);
                    }
                    s.apply(op);
                }
                let _ = back_tx.send(batch);
            }
            s.finalize()
        });
        let mut batch: Vec<Op> = Vec::with_capacity(BATCH);
        let mut tx = Some(tx);
        let read = trace_format::reader::for_each_event(data, |ev| {
            let before = batch.len();
            builder.build(ev, &mut batch);
            // A Sync is the only event whose op is `What::Sync`.
            if batch.len() > before
                && let Some(Op {
                    what: What::Sync(n),
                    ..
                }) = batch.last()
            {
                progress(*n);
            }
            if batch.len() >= BATCH {
                let next = back_rx
                    .try_recv()
                    .unwrap_or_else(|_| Vec::with_capacity(BATCH));
                let full = std::mem::replace(&mut batch, next);
                // The worker only stops early by panicking.
                if tx.as_ref().is_some_and(|t| t.send(full).is_err()) {
                    return false;
                }
            }
            true
        });
        if let Some(t) = tx.take()
            && !batch.is_empty()
        {
            let _ = t.send(std::mem::take(&mut batch));
        }
        let summary = worker
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        read.map(|()| summary)
    })
}
