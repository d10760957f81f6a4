//! The ordering and validation state machine (Go's `order.go`).
//!
//! Per-thread batches carry no global order; what orders events across
//! threads is sequence numbers (per goroutine, per P, and for GC) plus the
//! scheduler state each event requires. `Ordering::advance` tries one
//! candidate event: it either applies it (queueing one or more output events),
//! declines it for now (the caller tries another thread), or reports the trace
//! as broken. Every rule here mirrors a handler in Go's `order.go`, with Go's
//! error texts.

use std::sync::Arc;

use crate::batch::{NO_THREAD, ThreadId};
use crate::generation::EvTable;
use crate::intmap::IntMap;
use crate::spec::{EventType, SPECS, ev, gostatus, procstatus};
use crate::table::{DenseIdMap, IdMap};
use crate::version::Version;

mod packed;
mod speculate;
pub(crate) use packed::Packed;
use speculate::{ExtraOp, RangeOp, Spec, TaskEnd};

/// Goroutine ID; `NO_GOROUTINE` when absent.
pub type GoId = i64;
/// No goroutine.
pub const NO_GOROUTINE: GoId = -1;
/// Proc (P) ID; `NO_PROC` when absent.
pub type ProcId = i64;
/// No proc.
pub const NO_PROC: ProcId = -1;
/// Task ID.
pub type TaskId = u64;
/// No task.
pub const NO_TASK: TaskId = u64::MAX;
/// The background task that regions and logs without a task belong to.
pub const BACKGROUND_TASK: TaskId = 0;

/// Event type used for Sync events (not a wire type).
pub(crate) const EV_SYNC: EventType = 255;

/// Public goroutine states (Go's `GoState`).
#[allow(missing_docs)]
pub mod gostate {
    pub const UNDETERMINED: u8 = 0;
    pub const NOT_EXIST: u8 = 1;
    pub const RUNNABLE: u8 = 2;
    pub const RUNNING: u8 = 3;
    pub const WAITING: u8 = 4;
    pub const SYSCALL: u8 = 5;
}

/// Public proc states (Go's `ProcState`).
#[allow(missing_docs)]
pub mod procstate {
    pub const UNDETERMINED: u8 = 0;
    pub const NOT_EXIST: u8 = 1;
    pub const RUNNING: u8 = 2;
    pub const IDLE: u8 = 3;
}

/// Wire goroutine status → public state (`tracev2GoStatus2GoState`).
pub(crate) fn gostatus_to_state(s: u64) -> u8 {
    match s {
        gostatus::RUNNABLE => gostate::RUNNABLE,
        gostatus::RUNNING => gostate::RUNNING,
        gostatus::WAITING => gostate::WAITING,
        gostatus::SYSCALL => gostate::SYSCALL,
        _ => gostate::UNDETERMINED,
    }
}

/// Wire proc status → public state (`tracev2ProcStatus2ProcState`).
pub(crate) fn procstatus_to_state(s: u64) -> u8 {
    match s {
        procstatus::RUNNING | procstatus::SYSCALL => procstate::RUNNING,
        procstatus::IDLE | procstatus::SYSCALL_ABANDONED => procstate::IDLE,
        _ => procstate::UNDETERMINED,
    }
}

/// The scheduling context of an event: what ran where, *before* the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchedCtx {
    /// Goroutine.
    pub g: GoId,
    /// Proc.
    pub p: ProcId,
    /// Thread.
    pub m: ThreadId,
}

/// A decoded timed event: type, time in ns, and arguments after the delta.
///
/// 48 bytes: `has_table` and `gen_off` fill what would be padding after `typ`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct BaseEvent {
    pub typ: EventType,
    /// Whether the event refers to its generation's tables (set when queued;
    /// false only for the Sync that ends the trace or precedes an error).
    pub has_table: bool,
    /// Whether the stack and string IDs among its arguments exist in its
    /// generation's tables: checked where the event is decoded, acted on
    /// when it is queued.
    pub ids_ok: bool,
    /// Offset of the event from its generation's first byte, for errors
    /// (`u32::MAX` if it does not fit).
    pub gen_off: u32,
    pub time: i64,
    pub args: [u64; 4],
}

impl BaseEvent {
    /// An empty event of the current generation (`has_table` set).
    pub const TABLED: BaseEvent = BaseEvent {
        typ: 0,
        has_table: true,
        ids_ok: true,
        gen_off: 0,
        time: 0,
        args: [0; 4],
    };

    /// Index of the first spare argument slot (Go's `extra(version.Go122)`).
    #[inline]
    pub fn extra_idx(&self) -> usize {
        SPECS[self.typ as usize].args.len().saturating_sub(1)
    }
    #[inline]
    pub fn set_extra(&mut self, i: usize, v: u64) {
        let j = self.extra_idx() + i;
        if let Some(a) = self.args.get_mut(j) {
            *a = v;
        }
    }
    #[inline]
    pub fn extra(&self, i: usize) -> u64 {
        self.args.get(self.extra_idx() + i).copied().unwrap_or(0)
    }
}

/// An ordered event waiting to be handed out (72 bytes).
///
/// `repr(C)` with the 48-byte event first: the struct is assembled on the
/// stack and copied into the queue in 16-byte moves, and with the 24-byte
/// context first those moves straddled the stores that built it (a
/// store-forwarding stall on every event, ~10% of ordering time).
#[derive(Debug, Clone, Copy)]
#[repr(C)]
pub(crate) struct QueuedEvent {
    pub base: BaseEvent,
    pub ctx: SchedCtx,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Seq {
    gen_no: u64,
    n: u64,
}

impl Seq {
    fn succeeds(self, prev: Seq) -> bool {
        self.gen_no == prev.gen_no && self.n == prev.n.wrapping_add(1)
    }
}

impl std::fmt::Display for Seq {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (gen={})", self.n, self.gen_no)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RangeType {
    typ: EventType,
    desc: u64,
}

impl std::fmt::Display for RangeType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{{{} {}}}", self.typ, self.desc)
    }
}

fn make_range_type(typ: EventType, desc: u64) -> RangeType {
    let st = SPECS[typ as usize].start_ev;
    RangeType {
        typ: if st != ev::NONE { st } else { typ },
        desc,
    }
}

#[derive(Debug, Default, Clone)]
struct RangeState {
    in_flight: Vec<RangeType>,
}

impl RangeState {
    fn has(&self, r: RangeType) -> bool {
        self.in_flight.contains(&r)
    }
    fn begin(&mut self, r: RangeType) -> Result<(), String> {
        if self.has(r) {
            return Err(format!(
                "discovered event already in-flight for when starting event {}",
                SPECS[r.typ as usize].name
            ));
        }
        self.in_flight.push(r);
        Ok(())
    }
    fn active(&mut self, r: RangeType, initial_gen: bool) -> Result<(), String> {
        if initial_gen {
            if self.has(r) {
                return Err(format!(
                    "found named active range already in first gen: {r}"
                ));
            }
            self.in_flight.push(r);
        } else if !self.has(r) {
            let list: Vec<String> = self.in_flight.iter().map(|r| r.to_string()).collect();
            return Err(format!(
                "resource is missing active range: {} [{}]",
                SPECS[r.typ as usize].name,
                list.join(" ")
            ));
        }
        Ok(())
    }
    /// Speculation: a carried range the previous generation is assumed to
    /// have left in flight (checked when the run is committed).
    fn assume_active(&mut self, r: RangeType) {
        if !self.has(r) {
            self.in_flight.push(r);
        }
    }
    fn end(&mut self, typ: EventType) -> Result<u64, String> {
        let st = SPECS[typ as usize].start_ev;
        let Some(idx) = self.in_flight.iter().position(|r| r.typ == st) else {
            return Err(format!(
                "tried to end event {}, but not in-flight",
                SPECS[st as usize].name
            ));
        };
        Ok(self.in_flight.swap_remove(idx).desc)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct UserRegion<'a> {
    task: TaskId,
    name: &'a [u8],
}

impl std::fmt::Display for UserRegion<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{{{} {}}}",
            self.task,
            String::from_utf8_lossy(self.name)
        )
    }
}

/// A goroutine's ordering state. Kept to 32 bytes: it is looked up for most
/// events; the rarely used region stack and ranges live behind `extra`.
#[derive(Debug, Default)]
struct GState<'a> {
    status: u64,
    seq: Seq,
    extra: Option<Box<GExtra<'a>>>,
}

/// The parts of a goroutine's state few goroutines use.
#[derive(Debug, Default, Clone)]
struct GExtra<'a> {
    regions: Vec<UserRegion<'a>>,
    ranges: RangeState,
}

impl<'a> GState<'a> {
    fn new(status: u64, seq: Seq) -> Self {
        GState {
            status,
            seq,
            extra: None,
        }
    }

    fn extra(&mut self) -> &mut GExtra<'a> {
        self.extra.get_or_insert_with(Box::default)
    }
}

#[derive(Debug)]
struct PState {
    status: u64,
    seq: Seq,
    ranges: RangeState,
}

#[derive(Debug, Clone, Copy)]
struct MState {
    g: GoId,
    p: ProcId,
}

/// Thread states live in a vector so that a thread's batch cursor can hold
/// its slot for the whole trace: the current thread's state is needed by
/// every event, and a slot index is cheaper than a hash lookup. A slot is
/// reserved when a cursor first needs it but stays `present: false` until
/// Go's reader would have created the entry (its first event, or a
/// syscalling goroutine's status naming the thread).
#[derive(Debug, Clone, Copy)]
struct MSlot {
    id: ThreadId,
    present: bool,
    /// Speculation: `st` is the predicted state the previous generation
    /// left (kept at the thread's first event instead of reset).
    predicted: bool,
    st: MState,
}

const NO_M_STATE: MState = MState {
    g: NO_GOROUTINE,
    p: NO_PROC,
};

#[derive(Debug, Clone, Copy)]
struct TaskState<'a> {
    name: &'a [u8],
    parent: TaskId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GcState {
    Undetermined,
    NotRunning,
    Running,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Req {
    Absent,
    Optional,
    Present,
}

/// Requirements on an event's context as bit masks (bit 0 thread, bit 1
/// proc, bit 2 goroutine): checking them is two ANDs on every event.
#[derive(Clone, Copy)]
struct SchedReqs {
    present: u8,
    absent: u8,
}

const USER_GO_REQS: SchedReqs = reqs(Req::Present, Req::Present, Req::Present);

/// Requirements on the thread, proc and goroutine of an event's context.
const fn reqs(m: Req, p: Req, g: Req) -> SchedReqs {
    let (mut present, mut absent) = (0, 0);
    let all = [m, p, g];
    let mut i = 0;
    while i < 3 {
        match all[i] {
            Req::Present => present |= 1 << i,
            Req::Absent => absent |= 1 << i,
            Req::Optional => {}
        }
        i += 1;
    }
    SchedReqs { present, absent }
}

impl SchedReqs {
    /// The requirement on context part `i` (0 thread, 1 proc, 2 goroutine).
    fn req(self, i: u8) -> Req {
        if self.present & (1 << i) != 0 {
            Req::Present
        } else if self.absent & (1 << i) != 0 {
            Req::Absent
        } else {
            Req::Optional
        }
    }
}

#[inline(always)]
fn validate_ctx(ctx: SchedCtx, r: SchedReqs) -> Result<(), String> {
    let have = u8::from(ctx.m != NO_THREAD)
        | u8::from(ctx.p != NO_PROC) << 1
        | u8::from(ctx.g != NO_GOROUTINE) << 2;
    if have & r.present == r.present && have & r.absent == 0 {
        return Ok(());
    }
    Err(ctx_error(r, have))
}

/// Go's message for the first requirement `validate_ctx` found broken.
#[cold]
#[inline(never)]
fn ctx_error(r: SchedReqs, have: u8) -> String {
    for (i, what) in [(0, "thread"), (1, "proc"), (2, "goroutine")] {
        let present = have & (1 << i) != 0;
        match r.req(i) {
            Req::Present if !present => return format!("expected a {what} but didn't have one"),
            Req::Absent if present => return format!("expected no {what} but had one"),
            _ => {}
        }
    }
    String::new()
}

/// Go's message for an event of the running goroutine `g` that is missing
/// (`exists` false) or not in the state `want`.
#[cold]
#[inline(never)]
fn running_g_error(name: EvName, g: GoId, exists: bool, want: &str) -> String {
    if exists {
        format!("{name} event for goroutine that's not {want}")
    } else {
        format!("event {name} for goroutine ({g}) that doesn't exist")
    }
}

/// An event's name in a version's spec, or `Invalid(N)` (Go's `Version.EventName`).
#[derive(Clone, Copy)]
struct EvName(Version, EventType);

impl std::fmt::Display for EvName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match crate::spec::version_specs(self.0).get(self.1 as usize) {
            Some(s) if !s.name.is_empty() => f.write_str(s.name),
            _ => write!(f, "Invalid({})", self.1),
        }
    }
}

/// Outcome of one `advance` attempt: applied (events queued; the thread's
/// new context, if it changed, set with `Ordering::moved`), not yet possible,
/// or an error. The context does not come back in the result: as part of a
/// returned aggregate it went through the stack, and loading it whole after
/// the handlers stored it field by field stalled on store forwarding (perf
/// put ~15% of ordering time on that one load).
type Adv = Result<bool, String>;

/// The ordering state, persisting across generations.
pub(crate) struct Ordering<'a> {
    version: Version,
    g_states: IntMap<GState<'a>>,
    p_states: DenseIdMap<PState>,
    m_index: IdMap<ThreadId, u32>,
    m_slots: Vec<MSlot>,
    active_tasks: IdMap<TaskId, TaskState<'a>>,
    gc_seq: u64,
    gc_state: GcState,
    initial_gen: u64,
    /// Ordered events not yet handed out: `queue[head..]`. A vector with a
    /// read index rather than a ring buffer: it is drained (and reset)
    /// after almost every event.
    queue: Vec<QueuedEvent>,
    head: usize,
    /// The next buffer `take_queue` installs (handed back by the consumer).
    spare: Vec<QueuedEvent>,
    /// Time of the last queued event. Queue order is hand-out order, so
    /// Go's rule that handed-out times increase strictly is applied here.
    last_ts: i64,
    /// Names of tasks ended in this generation but begun in an earlier one
    /// (its string table lacks them); a `TaskEnd` refers to its name by
    /// index + 1. Append-only within a generation and shared with the
    /// events handed out, so a snapshot is an `Arc` clone.
    task_names: Arc<Vec<&'a [u8]>>,
    /// Set when a queued event names a stack or string its generation
    /// lacks: the queue was cut before it, and the trace ends with this
    /// error (Go's `validateTableIDs`) once the events before it are out.
    poison: Option<String>,
    /// Events taken out of the queue so far (`take_queue`): a queued
    /// event's index in its generation is `taken` + its queue index.
    taken: usize,
    /// The current thread's context after a successful advance, when the
    /// handler changed it (`moved`).
    new_g: GoId,
    new_p: ProcId,
    moved: bool,
    /// Set when `emit` queued an event whose table IDs are missing.
    ids_missing: bool,
    /// Set when ordering a generation before the previous one is done:
    /// what the run assumed of the state the previous generation leaves
    /// (see `speculate.rs`).
    spec: Option<Box<Spec<'a>>>,
}

impl<'a> Ordering<'a> {
    pub fn new(version: Version) -> Self {
        Ordering {
            version,
            g_states: IntMap::default(),
            p_states: DenseIdMap::default(),
            m_index: IdMap::default(),
            m_slots: Vec::new(),
            active_tasks: IdMap::default(),
            gc_seq: 0,
            gc_state: GcState::Undetermined,
            initial_gen: 0,
            queue: Vec::new(),
            head: 0,
            spare: Vec::new(),
            task_names: Arc::default(),
            last_ts: 0,
            poison: None,
            taken: 0,
            new_g: NO_GOROUTINE,
            new_p: NO_PROC,
            moved: false,
            ids_missing: false,
            spec: None,
        }
    }

    /// Pops the next ordered event.
    #[inline]
    pub fn next(&mut self) -> Option<QueuedEvent> {
        let q = *self.queue.get(self.head)?;
        self.head += 1;
        if self.head == self.queue.len() {
            self.queue.clear();
            self.head = 0;
        }
        Some(q)
    }

    /// Go's `Version.EventName`, formatted only if an error needs it.
    fn ev_name(&self, typ: EventType) -> EvName {
        EvName(self.version, typ)
    }

    /// Whether no ordered event is waiting.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.head == self.queue.len()
    }

    /// Queues an event made outside the ordering (Sync, CPU sample);
    /// `table` is its generation's, if it refers to one.
    pub fn push(&mut self, mut q: QueuedEvent, table: Option<&EvTable<'_>>) {
        if let Some(t) = table {
            q.base.ids_ok = t.ids_present(q.base.typ, &q.base.args);
        }
        let from = self.queue.len();
        self.queue_event(q.ctx, q.base, q.base.has_table & !q.base.ids_ok);
        if std::mem::take(&mut self.ids_missing)
            && let Some(t) = table
        {
            self.cut_at_missing_ids(from, t);
        }
    }

    /// Cuts the queue before the first event from index `from` on whose
    /// table IDs are missing (see `poison_at`). The last time stays that of
    /// the events cut: nothing is ordered after them (the read ends with
    /// the error once the events before them are out).
    #[cold]
    #[inline(never)]
    fn cut_at_missing_ids(&mut self, from: usize, t: &EvTable<'_>) {
        let bad = self
            .queue
            .get(from..)
            .and_then(|q| q.iter().position(|q| q.base.has_table && !q.base.ids_ok));
        if let Some(i) = bad {
            self.poison_at(from + i, t);
        }
    }

    /// Cuts the queue before event `i`, whose table IDs are missing, and
    /// keeps the error for when the events before it are out. Out of line:
    /// the error's formatting would otherwise weigh on every event queued.
    #[cold]
    #[inline(never)]
    fn poison_at(&mut self, i: usize, t: &EvTable<'_>) {
        if let Some(q) = self.queue.get(i) {
            self.poison = Some(validate_table_ids(t, &q.base).err().unwrap_or_default());
        }
        self.queue.truncate(i);
    }

    /// The names `TaskEnd` events of this generation refer to.
    pub fn task_names(&self) -> &Arc<Vec<&'a [u8]>> {
        &self.task_names
    }

    /// Starts a new generation's task-name list.
    pub fn new_generation(&mut self) {
        self.task_names = Arc::default();
    }

    /// The index + 1 of `name` in the task-name list (0 for no name).
    fn add_task_name(&mut self, name: &'a [u8]) -> u64 {
        if name.is_empty() {
            return 0;
        }
        if let Some(i) = self.task_names.iter().position(|x| *x == name) {
            return i as u64 + 1;
        }
        let names = Arc::make_mut(&mut self.task_names);
        names.push(name);
        names.len() as u64
    }

    /// Time of the last queued event.
    pub fn last_ts(&self) -> i64 {
        self.last_ts
    }

    /// The table-ID error waiting behind the queue, once the queue is drained.
    pub fn take_poison(&mut self) -> Option<String> {
        if self.is_empty() {
            self.poison.take()
        } else {
            None
        }
    }

    /// The waiting table-ID error, whatever is still queued before it.
    pub fn take_poison_now(&mut self) -> String {
        self.poison.take().unwrap_or_default()
    }

    /// Number of events in the queue buffer (handed out or not).
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Drops queued events from index `n` of the buffer on.
    pub fn truncate(&mut self, n: usize) {
        self.queue.truncate(n.max(self.head));
    }

    /// Whether a table-ID error is waiting.
    pub fn poisoned(&self) -> bool {
        self.poison.is_some()
    }

    /// Takes every queued event out, leaving the spare buffer in its place
    /// with room for `room` events.
    pub fn take_queue(&mut self, room: usize) -> Vec<QueuedEvent> {
        let mut next = std::mem::take(&mut self.spare);
        next.clear();
        next.reserve_exact(room);
        let mut out = std::mem::replace(&mut self.queue, next);
        out.drain(..self.head);
        self.head = 0;
        self.taken += out.len();
        out
    }

    /// Room for `n` queued events without growing (a generation's first
    /// chunk would otherwise grow its queue from the few events queued at
    /// its start: reallocations and fresh memory for every generation),
    /// in `buf` if the queue needs a larger one.
    pub fn ensure_room(&mut self, n: usize, buf: impl FnOnce() -> Option<Vec<QueuedEvent>>) {
        if self.queue.capacity() >= n {
            return;
        }
        if self.head == 0
            && let Some(mut b) = buf()
        {
            b.clear();
            b.extend_from_slice(&self.queue);
            self.queue = b;
        }
        self.queue.reserve_exact(n.saturating_sub(self.queue.len()));
    }

    /// Gives a drained buffer back for the next `take_queue`.
    pub fn set_spare(&mut self, buf: Vec<QueuedEvent>) {
        self.spare = buf;
    }

    /// Queues an event of the step being taken, its time made later than
    /// the last queued (Go's rule that handed-out times increase strictly).
    /// Whether its table IDs are missing is noted, for `advance` to cut the
    /// queue there once the step succeeds, without going over the step's
    /// events again.
    #[inline]
    fn emit(&mut self, ctx: SchedCtx, base: BaseEvent) {
        // `base` comes with `has_table` set (decoded or made here): setting
        // it now would cost a store-forwarding stall on every event.
        debug_assert!(base.has_table);
        self.queue_event(ctx, base, !base.ids_ok);
    }

    /// Queues an event, its time made later than the last queued, noting
    /// in `ids_missing` that it refers to table IDs its generation lacks
    /// if `missing` (for the caller to cut the queue there).
    #[inline(always)]
    fn queue_event(&mut self, ctx: SchedCtx, mut base: BaseEvent, missing: bool) {
        if base.time <= self.last_ts {
            base.time = self.last_ts.wrapping_add(1);
        }
        self.last_ts = base.time;
        self.ids_missing |= missing;
        self.queue.push(QueuedEvent { ctx, base });
    }

    /// Tries to advance with `e`, read from thread `m` in generation `gen`.
    ///
    /// `Ok(true)`: applied, events queued. `Ok(false)`: not yet possible.
    /// `Err`: the trace is invalid (Go's message).
    /// `mslot` is `m`'s slot from [`Ordering::m_slot`] (ignored for `NO_THREAD`).
    #[inline(always)]
    pub fn advance(
        &mut self,
        e: &mut BaseEvent,
        evt: &EvTable<'a>,
        m: ThreadId,
        mslot: u32,
        gen_no: u64,
    ) -> Result<bool, String> {
        if self.initial_gen == 0 {
            self.initial_gen = gen_no;
        }
        let has_m = m != NO_THREAD;
        let st = if has_m {
            let Some(slot) = self.m_slots.get_mut(mslot as usize).filter(|s| s.id == m) else {
                return Err(format!("internal error: no state slot for thread {m}"));
            };
            if !slot.present {
                slot.present = true;
                if !slot.predicted {
                    slot.st = NO_M_STATE;
                }
            }
            slot.st
        } else {
            NO_M_STATE
        };
        let cur = SchedCtx {
            g: st.g,
            p: st.p,
            m,
        };
        let from = self.queue.len();
        let ok = match e.typ {
            ev::PROCS_CHANGE | ev::GO_LABEL | ev::USER_LOG => self.annotation(e, cur),
            ev::PROC_START => self.proc_start(e, gen_no, cur),
            ev::PROC_STOP => self.proc_stop(e, cur),
            ev::PROC_STEAL => self.proc_steal(e, gen_no, cur),
            ev::PROC_STATUS => self.proc_status(e, gen_no, cur),
            ev::GO_CREATE | ev::GO_CREATE_BLOCKED => self.go_create(e, gen_no, cur),
            ev::GO_CREATE_SYSCALL => self.go_create_syscall(e, gen_no, cur),
            ev::GO_START => self.go_start(e, gen_no, cur),
            ev::GO_DESTROY | ev::GO_STOP | ev::GO_BLOCK => self.go_stop_exec(e, cur),
            ev::GO_DESTROY_SYSCALL => self.go_destroy_syscall(e, cur),
            ev::GO_UNBLOCK => self.go_unblock(e, gen_no, cur),
            ev::GO_SYSCALL_BEGIN => self.go_syscall_begin(e, gen_no, cur),
            ev::GO_SYSCALL_END => self.go_syscall_end(e, cur),
            ev::GO_SYSCALL_END_BLOCKED => self.go_syscall_end_blocked(e, cur),
            ev::GO_STATUS | ev::GO_STATUS_STACK => self.go_status(e, gen_no, cur),
            ev::STW_BEGIN | ev::GC_MARK_ASSIST_BEGIN => self.go_range_begin(e, cur),
            ev::STW_END | ev::GC_MARK_ASSIST_END => self.go_range_end(e, cur),
            ev::GC_ACTIVE => self.gc_active(e, gen_no, cur),
            ev::GC_BEGIN => self.gc_begin(e, cur),
            ev::GC_END => self.gc_end(e, cur),
            ev::GC_SWEEP_ACTIVE => self.gc_sweep_active(e, gen_no, cur),
            ev::GC_SWEEP_BEGIN => self.gc_sweep_begin(e, cur),
            ev::GC_SWEEP_END => self.gc_sweep_end(e, cur),
            ev::GC_MARK_ASSIST_ACTIVE => self.go_range_active(e, gen_no, cur),
            ev::HEAP_ALLOC | ev::HEAP_GOAL => self.heap_metric(e, cur),
            ev::USER_TASK_BEGIN => self.user_task_begin(e, evt, cur),
            ev::USER_TASK_END => self.user_task_end(e, cur),
            ev::USER_REGION_BEGIN | ev::USER_REGION_END => self.user_region(e, evt, cur),
            ev::GO_SWITCH | ev::GO_SWITCH_DESTROY => self.go_switch(e, gen_no, cur),
            ev::SPAN..=ev::GOROUTINE_STACK_FREE => self.alloc_free(e, cur),
            t => return Err(format!("bad event type found while ordering: {t}")),
        }?;
        if ok {
            if std::mem::take(&mut self.moved)
                && has_m
                && let Some(slot) = self.m_slots.get_mut(mslot as usize)
            {
                // SAFETY: reads of two initialized fields of `self`; volatile
                // so that they are not merged into one 16-byte load.
                let (g, p) = unsafe {
                    (
                        std::ptr::read_volatile(&self.new_g),
                        std::ptr::read_volatile(&self.new_p),
                    )
                };
                slot.st = MState { g, p };
            }
            // The check made at decoding still holds for the events as
            // queued: the ordering only rewrites arguments that are not
            // table IDs.
            debug_assert!(self.queue.get(from..).is_some_and(|q| q.iter().all(|q| {
                !q.base.has_table || evt.ids_present(q.base.typ, &q.base.args) == q.base.ids_ok
            })));
            if std::mem::take(&mut self.ids_missing) {
                self.cut_at_missing_ids(from, evt);
            }
        } else {
            // Nothing was queued (a step that cannot be taken yet queues
            // nothing), so nothing moved the last time.
            debug_assert_eq!(self.queue.len(), from);
            self.ids_missing = false;
        }
        Ok(ok)
    }

    /// Records the current thread's new context (see [`Adv`]); true.
    #[inline(always)]
    fn moved(&mut self, new: SchedCtx) -> bool {
        self.new_g = new.g;
        self.new_p = new.p;
        self.moved = true;
        true
    }

    /// Reserves state slots for threads `ms`, in order, as installing a
    /// generation with those threads does.
    pub fn reserve_threads(&mut self, ms: impl Iterator<Item = ThreadId>) {
        for m in ms {
            self.m_slot(m);
        }
    }

    /// The state slot of thread `m`, reserved (not yet present) if new.
    pub fn m_slot(&mut self, m: ThreadId) -> u32 {
        let next = self.m_slots.len() as u32;
        let slot = *self.m_index.entry(m).or_insert(next);
        if slot == next {
            self.m_slots.push(MSlot {
                id: m,
                present: false,
                predicted: false,
                st: NO_M_STATE,
            });
        }
        slot
    }

    fn m_get_mut(&mut self, m: ThreadId) -> Option<&mut MState> {
        let slot = *self.m_index.get(&m)?;
        let s = self.m_slots.get_mut(slot as usize)?;
        if !s.present && s.predicted {
            // Another thread's event reads a predicted state before the
            // thread's own first event: assume the previous generation
            // left the thread present.
            s.present = true;
            if let Some(sp) = &mut self.spec {
                sp.m_present.push(m);
            }
        }
        Some(&mut s.st).filter(|_| s.present)
    }

    fn m_insert(&mut self, m: ThreadId, st: MState) {
        let slot = self.m_slot(m) as usize;
        if let Some(s) = self.m_slots.get_mut(slot) {
            s.present = true;
            s.st = st;
        }
    }

    fn m_present(&self) -> impl Iterator<Item = (ThreadId, &MState)> {
        self.m_slots
            .iter()
            .filter(|s| s.present)
            .map(|s| (s.id, &s.st))
    }

    fn proc_status(&mut self, e: &mut BaseEvent, gen_no: u64, mut cur: SchedCtx) -> Adv {
        let pid = e.args[0] as i64;
        let status = e.args[1];
        if status > procstatus::SYSCALL_ABANDONED {
            return Err(format!("invalid status for proc {pid}: {status}"));
        }
        let mut old = procstatus_to_state(status);
        if let Some(s) = self.p_states.get_mut(pid) {
            if status == procstatus::SYSCALL_ABANDONED && s.status == procstatus::SYSCALL {
                old = procstate::RUNNING;
                e.args[1] = procstatus::SYSCALL;
            } else if status == procstatus::SYSCALL_ABANDONED
                && s.status == procstatus::SYSCALL_ABANDONED
            {
                old = procstate::IDLE;
                e.args[1] = procstatus::SYSCALL_ABANDONED;
            } else if s.status != status {
                return Err(format!(
                    "inconsistent status for proc {pid}: old {} vs. new {}",
                    crate::spec::procstatus_name(s.status),
                    crate::spec::procstatus_name(status)
                ));
            }
            s.seq = Seq { gen_no, n: 0 };
        } else {
            let mut known = status;
            if let Some(sp) = &mut self.spec {
                // Assume the proc exists with that status; a proc abandoned
                // in a syscall was in the syscall (the runtime's case: its
                // thread is stolen from, as below).
                if status == procstatus::SYSCALL_ABANDONED {
                    old = procstate::RUNNING;
                    e.args[1] = procstatus::SYSCALL;
                    known = procstatus::SYSCALL;
                }
                sp.p_present.push((pid, known));
                sp.p_carried.insert(pid);
            } else if gen_no == self.initial_gen {
                old = procstate::UNDETERMINED;
            } else {
                old = procstate::NOT_EXIST;
            }
            self.p_states.insert(
                pid,
                PState {
                    status: known,
                    seq: Seq { gen_no, n: 0 },
                    ranges: RangeState::default(),
                },
            );
        }
        e.set_extra(0, old as u64);
        let mut new = cur;
        if status == procstatus::RUNNING || status == procstatus::SYSCALL {
            new.p = pid;
        }
        if status == procstatus::SYSCALL_ABANDONED && old == procstate::RUNNING {
            if self.spec.is_some() {
                // The thread is found among all threads, including those
                // the run has not met: at commit.
                self.spec_steal_scan(pid);
            } else {
                let mut found = false;
                for (mid, ms) in self.m_present() {
                    if ms.p == pid {
                        cur.m = mid;
                        cur.p = pid;
                        cur.g = ms.g;
                        found = true;
                    }
                }
                if !found {
                    return Err(format!(
                        "failed to find sched context for proc {pid} that's about to be stolen"
                    ));
                }
            }
        }
        self.emit(cur, *e);
        Ok(self.moved(new))
    }

    #[inline(always)]
    fn proc_start(&mut self, e: &mut BaseEvent, gen_no: u64, cur: SchedCtx) -> Adv {
        let pid = e.args[0] as i64;
        let seq = Seq {
            gen_no,
            n: e.args[1],
        };
        let Some(state) = self.p_states.get_mut(pid) else {
            return Ok(false);
        };
        if state.status != procstatus::IDLE || !seq.succeeds(state.seq) || cur.p != NO_PROC {
            return Ok(false);
        }
        validate_ctx(cur, reqs(Req::Present, Req::Absent, Req::Optional))?;
        state.status = procstatus::RUNNING;
        state.seq = seq;
        let mut new = cur;
        new.p = pid;
        self.emit(cur, *e);
        Ok(self.moved(new))
    }

    #[inline(always)]
    fn proc_stop(&mut self, e: &mut BaseEvent, cur: SchedCtx) -> Adv {
        let name = self.ev_name(e.typ);
        let Some(state) = self.p_states.get_mut(cur.p) else {
            return Err(format!(
                "event {name} for proc ({}) that doesn't exist",
                cur.p
            ));
        };
        if state.status != procstatus::RUNNING && state.status != procstatus::SYSCALL {
            return Err(format!(
                "{name} event for proc that's not Running or Syscall"
            ));
        }
        validate_ctx(cur, reqs(Req::Present, Req::Present, Req::Optional))?;
        state.status = procstatus::IDLE;
        let mut new = cur;
        new.p = NO_PROC;
        self.emit(cur, *e);
        Ok(self.moved(new))
    }

    fn proc_steal(&mut self, e: &mut BaseEvent, gen_no: u64, cur: SchedCtx) -> Adv {
        let pid = e.args[0] as i64;
        let seq = Seq {
            gen_no,
            n: e.args[1],
        };
        let Some(state) = self.p_states.get_mut(pid) else {
            return Ok(false);
        };
        if (state.status != procstatus::SYSCALL && state.status != procstatus::SYSCALL_ABANDONED)
            || !seq.succeeds(state.seq)
        {
            return Ok(false);
        }
        validate_ctx(cur, reqs(Req::Present, Req::Optional, Req::Optional))?;
        let old_status = state.status;
        e.set_extra(0, old_status);
        state.status = procstatus::IDLE;
        state.seq = seq;
        if old_status == procstatus::SYSCALL_ABANDONED {
            self.emit(cur, *e);
            return Ok(true);
        }
        let mid = e.args[2] as i64;
        let mut new = cur;
        if mid == cur.m {
            if cur.p != pid {
                return Err(format!(
                    "tried to self-steal proc {pid} (thread {mid}), but got proc {} instead",
                    cur.p
                ));
            }
            new.p = NO_PROC;
            self.emit(cur, *e);
            return Ok(self.moved(new));
        }
        self.spec_thread_holds(mid, pid);
        let Some(ms) = self.m_get_mut(mid) else {
            return Err(format!("stole proc from non-existent thread {mid}"));
        };
        if ms.p != pid {
            return Err(format!(
                "tried to steal proc {pid} from thread {mid}, but got proc {} instead",
                ms.p
            ));
        }
        ms.p = NO_PROC;
        self.emit(cur, *e);
        Ok(self.moved(new))
    }

    fn go_status(&mut self, e: &mut BaseEvent, gen_no: u64, mut cur: SchedCtx) -> Adv {
        let gid = e.args[0] as i64;
        let mid = e.args[1] as i64;
        let status = e.args[2];
        if status > gostatus::WAITING {
            return Err(format!("invalid status for goroutine {gid}: {status}"));
        }
        let mut old = gostatus_to_state(status);
        if let Some(s) = self.g_states.get_mut(&gid) {
            if s.status != status {
                return Err(format!(
                    "inconsistent status for goroutine {gid}: old {} vs. new {}",
                    crate::spec::gostatus_name(s.status),
                    crate::spec::gostatus_name(status)
                ));
            }
            s.seq = Seq { gen_no, n: 0 };
        } else if gen_no == self.initial_gen {
            self.g_states
                .insert(gid, GState::new(status, Seq { gen_no, n: 0 }));
            old = gostate::UNDETERMINED;
        } else if let Some(sp) = self
            .spec
            .as_mut()
            .filter(|sp| !sp.g_gone.contains_key(&gid))
        {
            sp.g_present.push((gid, status));
            sp.g_carried.insert(gid, ());
            self.g_states
                .insert(gid, GState::new(status, Seq { gen_no, n: 0 }));
        } else {
            return Err(format!(
                "found goroutine status for new goroutine after the first generation: id={gid} status={}",
                crate::spec::gostatus_name(status)
            ));
        }
        e.args[2] = (old as u64) << 32 | status;
        let mut new = cur;
        match status {
            gostatus::RUNNING => new.g = gid,
            gostatus::SYSCALL => {
                if mid == NO_THREAD {
                    return Err(format!("found goroutine {gid} in syscall without a thread"));
                }
                if mid == cur.m {
                    if gen_no != self.initial_gen && cur.g != gid {
                        return Err(format!(
                            "inconsistent thread for syscalling goroutine {gid}: thread has goroutine {}",
                            cur.g
                        ));
                    }
                    new.g = gid;
                } else {
                    let speculative = self.spec.is_some();
                    match self.m_get_mut(mid) {
                        Some(ms) => {
                            if ms.g != gid {
                                return Err(format!(
                                    "inconsistent thread for syscalling goroutine {gid}: thread has goroutine {}",
                                    ms.g
                                ));
                            }
                            cur.g = ms.g;
                        }
                        None if speculative => {
                            // A thread with no events in this generation,
                            // in a syscall since an earlier one: assume it
                            // holds the goroutine.
                            if let Some(sp) = &mut self.spec {
                                sp.m_holds.push((mid, gid));
                            }
                            cur.g = gid;
                        }
                        None => {
                            self.m_insert(mid, MState { g: gid, p: NO_PROC });
                        }
                    }
                    cur.m = mid;
                }
            }
            _ => {}
        }
        self.emit(cur, *e);
        Ok(self.moved(new))
    }

    #[inline(always)]
    fn go_create(&mut self, e: &mut BaseEvent, gen_no: u64, cur: SchedCtx) -> Adv {
        validate_ctx(cur, reqs(Req::Present, Req::Present, Req::Optional))?;
        match self.g_states.get(&cur.g) {
            Some(s) if s.status != gostatus::RUNNING => {
                return Err(format!(
                    "{} event for goroutine that's not Running",
                    self.ev_name(e.typ)
                ));
            }
            Some(_) => {}
            None => self.spec_g_absent(cur.g),
        }
        let newg = e.args[0] as i64;
        if self.g_states.contains_key(&newg) {
            return Err(format!(
                "tried to create goroutine ({newg}) that already exists"
            ));
        }
        self.spec_g_absent(newg);
        let status = if e.typ == ev::GO_CREATE_BLOCKED {
            gostatus::WAITING
        } else {
            gostatus::RUNNABLE
        };
        self.g_states
            .insert(newg, GState::new(status, Seq { gen_no, n: 0 }));
        self.emit(cur, *e);
        Ok(true)
    }

    /// The running goroutine's state, checked to be `status` (Go's shared preamble).
    #[inline(always)]
    fn running_g(
        &mut self,
        typ: EventType,
        cur: SchedCtx,
        status: u64,
        want: &str,
    ) -> Result<&mut GState<'a>, String> {
        let version = self.version;
        match self.g_states.get_mut(&cur.g) {
            Some(s) if s.status == status => Ok(s),
            other => Err(running_g_error(
                EvName(version, typ),
                cur.g,
                other.is_some(),
                want,
            )),
        }
    }

    #[inline(always)]
    fn go_stop_exec(&mut self, e: &mut BaseEvent, cur: SchedCtx) -> Adv {
        validate_ctx(cur, USER_GO_REQS)?;
        let s = self.running_g(e.typ, cur, gostatus::RUNNING, "Running")?;
        match e.typ {
            ev::GO_STOP => s.status = gostatus::RUNNABLE,
            ev::GO_BLOCK => s.status = gostatus::WAITING,
            _ => {}
        }
        if e.typ == ev::GO_DESTROY {
            self.g_remove(cur.g);
        }
        let mut new = cur;
        new.g = NO_GOROUTINE;
        self.emit(cur, *e);
        Ok(self.moved(new))
    }

    /// Goroutine `gid`'s state, if it is in `status` and `seq` immediately
    /// follows its sequence number. Otherwise the event cannot be ordered yet
    /// (Go: "we can't make an inference as to whether this is bad").
    #[inline(always)]
    fn next_in_seq(&mut self, gid: GoId, status: u64, seq: Seq) -> Option<&mut GState<'a>> {
        self.g_states
            .get_mut(&gid)
            .filter(|s| s.status == status && seq.succeeds(s.seq))
    }

    #[inline(always)]
    fn go_start(&mut self, e: &mut BaseEvent, gen_no: u64, cur: SchedCtx) -> Adv {
        let gid = e.args[0] as i64;
        let seq = Seq {
            gen_no,
            n: e.args[1],
        };
        let Some(s) = self.next_in_seq(gid, gostatus::RUNNABLE, seq) else {
            return Ok(false);
        };
        validate_ctx(cur, reqs(Req::Present, Req::Present, Req::Absent))?;
        s.status = gostatus::RUNNING;
        s.seq = seq;
        let mut new = cur;
        new.g = gid;
        self.emit(cur, *e);
        Ok(self.moved(new))
    }

    #[inline(always)]
    fn go_unblock(&mut self, e: &mut BaseEvent, gen_no: u64, cur: SchedCtx) -> Adv {
        let gid = e.args[0] as i64;
        let seq = Seq {
            gen_no,
            n: e.args[1],
        };
        let Some(s) = self.next_in_seq(gid, gostatus::WAITING, seq) else {
            return Ok(false);
        };
        s.status = gostatus::RUNNABLE;
        s.seq = seq;
        self.emit(cur, *e);
        Ok(true)
    }

    fn go_switch(&mut self, e: &mut BaseEvent, gen_no: u64, cur: SchedCtx) -> Adv {
        validate_ctx(cur, USER_GO_REQS)?;
        self.running_g(e.typ, cur, gostatus::RUNNING, "Running")?;
        let nextg = e.args[0] as i64;
        let seq = Seq {
            gen_no,
            n: e.args[1],
        };
        match self.g_states.get(&nextg) {
            Some(n) if n.status == gostatus::WAITING && seq.succeeds(n.seq) => {}
            _ => return Ok(false),
        }
        self.emit(cur, *e);
        let time = e.time;
        if e.typ == ev::GO_SWITCH {
            if let Some(s) = self.g_states.get_mut(&cur.g) {
                s.status = gostatus::WAITING;
            }
            self.emit(
                cur,
                BaseEvent {
                    typ: ev::GO_BLOCK,
                    time,
                    args: [0; 4],
                    ..BaseEvent::TABLED
                },
            );
        } else {
            self.g_remove(cur.g);
            self.emit(
                cur,
                BaseEvent {
                    typ: ev::GO_DESTROY,
                    time,
                    args: [0; 4],
                    ..BaseEvent::TABLED
                },
            );
        }
        if let Some(n) = self.g_states.get_mut(&nextg) {
            n.status = gostatus::RUNNING;
            n.seq = seq;
        }
        let mut new = cur;
        new.g = nextg;
        let start_ctx = SchedCtx {
            g: NO_GOROUTINE,
            ..cur
        };
        self.emit(
            start_ctx,
            BaseEvent {
                typ: ev::GO_START,
                time,
                args: [nextg as u64, e.args[1], 0, 0],
                ..BaseEvent::TABLED
            },
        );
        Ok(self.moved(new))
    }

    #[inline(always)]
    fn go_syscall_begin(&mut self, e: &mut BaseEvent, gen_no: u64, cur: SchedCtx) -> Adv {
        validate_ctx(cur, USER_GO_REQS)?;
        let name = self.ev_name(e.typ);
        self.running_g(e.typ, cur, gostatus::RUNNING, "Running")?
            .status = gostatus::SYSCALL;
        let Some(p) = self.p_states.get_mut(cur.p) else {
            return Err(format!("uninitialized proc {} found during {name}", cur.p));
        };
        p.status = procstatus::SYSCALL;
        let pseq = Seq {
            gen_no,
            n: e.args[0],
        };
        if !pseq.succeeds(p.seq) {
            return Err(format!(
                "failed to advance {name}: can't make sequence: {} -> {pseq}",
                p.seq
            ));
        }
        p.seq = pseq;
        self.emit(cur, *e);
        Ok(true)
    }

    #[inline(always)]
    fn go_syscall_end(&mut self, e: &mut BaseEvent, cur: SchedCtx) -> Adv {
        validate_ctx(cur, USER_GO_REQS)?;
        let name = self.ev_name(e.typ);
        self.running_g(e.typ, cur, gostatus::SYSCALL, "Running")?
            .status = gostatus::RUNNING;
        let Some(p) = self.p_states.get_mut(cur.p) else {
            return Err(format!("uninitialized proc {} found during {name}", cur.p));
        };
        if p.status != procstatus::SYSCALL {
            return Err(format!(
                "expected proc {} in state Syscall, but got {} instead",
                cur.p,
                crate::spec::procstatus_name(p.status)
            ));
        }
        p.status = procstatus::RUNNING;
        self.emit(cur, *e);
        Ok(true)
    }

    fn go_syscall_end_blocked(&mut self, e: &mut BaseEvent, cur: SchedCtx) -> Adv {
        if cur.p != NO_PROC {
            let Some(p) = self.p_states.get(cur.p) else {
                return Err(format!(
                    "uninitialized proc {} found during {}",
                    cur.p,
                    self.ev_name(e.typ)
                ));
            };
            if p.status == procstatus::SYSCALL {
                return Ok(false);
            }
        }
        validate_ctx(cur, reqs(Req::Present, Req::Optional, Req::Present))?;
        self.running_g(e.typ, cur, gostatus::SYSCALL, "Running")?
            .status = gostatus::RUNNABLE;
        let mut new = cur;
        new.g = NO_GOROUTINE;
        self.emit(cur, *e);
        Ok(self.moved(new))
    }

    fn go_create_syscall(&mut self, e: &mut BaseEvent, gen_no: u64, cur: SchedCtx) -> Adv {
        validate_ctx(cur, reqs(Req::Present, Req::Optional, Req::Absent))?;
        let newg = e.args[0] as i64;
        if self.g_states.contains_key(&newg) {
            return Err(format!(
                "tried to create goroutine ({newg}) in syscall that already exists"
            ));
        }
        self.spec_g_absent(newg);
        self.g_states
            .insert(newg, GState::new(gostatus::SYSCALL, Seq { gen_no, n: 0 }));
        let mut new = cur;
        new.g = newg;
        self.emit(cur, *e);
        Ok(self.moved(new))
    }

    fn go_destroy_syscall(&mut self, e: &mut BaseEvent, cur: SchedCtx) -> Adv {
        validate_ctx(cur, reqs(Req::Present, Req::Optional, Req::Present))?;
        let name = self.ev_name(e.typ);
        let Some(s) = self.g_states.get(&cur.g) else {
            return Err(format!(
                "event {name} for goroutine ({}) that doesn't exist",
                cur.g
            ));
        };
        if s.status != gostatus::SYSCALL {
            return Err(format!("{name} event for goroutine that's not Syscall"));
        }
        self.g_remove(cur.g);
        let mut new = cur;
        new.g = NO_GOROUTINE;
        if cur.p != NO_PROC {
            let Some(p) = self.p_states.get_mut(cur.p) else {
                return Err(format!("found invalid proc {} during {name}", cur.p));
            };
            if p.status != procstatus::SYSCALL {
                return Err(format!(
                    "proc {} in unexpected state {} during {name}",
                    cur.p,
                    crate::spec::procstatus_name(p.status)
                ));
            }
            p.status = procstatus::SYSCALL_ABANDONED;
            new.p = NO_PROC;
            let mut steal = BaseEvent {
                typ: ev::PROC_STEAL,
                time: e.time,
                args: [cur.p as u64, 0, 0, 0],
                ..BaseEvent::TABLED
            };
            steal.set_extra(0, procstatus::SYSCALL);
            self.emit(cur, steal);
        }
        self.emit(cur, *e);
        Ok(self.moved(new))
    }

    fn user_task_begin(&mut self, e: &mut BaseEvent, evt: &EvTable<'a>, cur: SchedCtx) -> Adv {
        let id = e.args[0];
        if self.active_tasks.contains_key(&id) {
            return Err(format!("task ID conflict: {id}"));
        }
        self.spec_task_absent(id);
        let mut parent = e.args[1];
        if parent == BACKGROUND_TASK {
            parent = NO_TASK;
            e.args[1] = NO_TASK;
        }
        let name_id = e.args[2];
        let Some(name) = evt.string(name_id) else {
            return Err(format!("invalid string ID {name_id} for {} event", e.typ));
        };
        self.active_tasks.insert(id, TaskState { name, parent });
        validate_ctx(cur, USER_GO_REQS)?;
        self.emit(cur, *e);
        Ok(true)
    }

    fn user_task_end(&mut self, e: &mut BaseEvent, cur: SchedCtx) -> Adv {
        let id = e.args[0];
        if let Some(sp) = &mut self.spec {
            // Resolved when the run is committed, in event order, so that
            // task names get the indices a sequential run gives them.
            let end = match self.active_tasks.remove(&id) {
                Some(ts) => TaskEnd::Known(ts),
                None if sp.task_gone.contains(&id) => TaskEnd::Unknown,
                None => TaskEnd::Carried(id),
            };
            sp.task_gone.insert(id);
            sp.task_ends.push((self.taken + self.queue.len(), end));
            e.set_extra(0, NO_TASK);
            e.set_extra(1, 0);
        } else if let Some(ts) = self.active_tasks.remove(&id) {
            e.set_extra(0, ts.parent);
            let sid = self.add_task_name(ts.name);
            e.set_extra(1, sid);
        } else {
            e.set_extra(0, NO_TASK);
            e.set_extra(1, 0);
        }
        validate_ctx(cur, USER_GO_REQS)?;
        self.emit(cur, *e);
        Ok(true)
    }

    fn user_region(&mut self, e: &mut BaseEvent, evt: &EvTable<'a>, cur: SchedCtx) -> Adv {
        validate_ctx(cur, USER_GO_REQS)?;
        let task = e.args[0];
        let name_id = e.args[1];
        let Some(name) = evt.string(name_id) else {
            return Err(format!("invalid string ID {name_id} for {} event", e.typ));
        };
        let begin = e.typ == ev::USER_REGION_BEGIN;
        let Some(s) = self.g_states.get_mut(&cur.g) else {
            let which = if begin {
                "EvUserRegionBegin"
            } else {
                "EvUserRegionEnd"
            };
            return Err(format!(
                "encountered {which} without known state for current goroutine {}",
                cur.g
            ));
        };
        let r = UserRegion { task, name };
        if begin {
            s.extra().regions.push(r);
        } else if let Some(&top) = s.extra.as_ref().and_then(|x| x.regions.last()) {
            if top != r {
                return Err(format!(
                    "misuse of region in goroutine {}: region end {r} when the inner-most active region start event is {top}",
                    cur.g
                ));
            }
            s.extra().regions.pop();
        }
        self.spec_g_op(cur.g, ExtraOp::Region(begin, r));
        self.emit(cur, *e);
        Ok(true)
    }

    fn gc_active(&mut self, e: &mut BaseEvent, gen_no: u64, cur: SchedCtx) -> Adv {
        let seq = e.args[0];
        self.spec_gc(seq, GcState::Running);
        if gen_no == self.initial_gen {
            if self.gc_state != GcState::Undetermined {
                return Err("GCActive in the first generation isn't first GC event".into());
            }
            self.gc_seq = seq;
            self.gc_state = GcState::Running;
            self.emit(cur, *e);
            return Ok(true);
        }
        if seq != self.gc_seq.wrapping_add(1) {
            return Ok(false);
        }
        if self.gc_state != GcState::Running {
            return Err("encountered GCActive while GC was not in progress".into());
        }
        self.gc_seq = seq;
        validate_ctx(cur, USER_GO_REQS)?;
        self.emit(cur, *e);
        Ok(true)
    }

    fn gc_begin(&mut self, e: &mut BaseEvent, cur: SchedCtx) -> Adv {
        let seq = e.args[0];
        self.spec_gc(seq, GcState::NotRunning);
        if self.gc_state == GcState::Undetermined {
            self.gc_seq = seq;
            self.gc_state = GcState::Running;
            self.emit(cur, *e);
            return Ok(true);
        }
        if seq != self.gc_seq.wrapping_add(1) {
            return Ok(false);
        }
        if self.gc_state == GcState::Running {
            return Err("encountered GCBegin while GC was already in progress".into());
        }
        self.gc_seq = seq;
        self.gc_state = GcState::Running;
        validate_ctx(cur, USER_GO_REQS)?;
        self.emit(cur, *e);
        Ok(true)
    }

    fn gc_end(&mut self, e: &mut BaseEvent, cur: SchedCtx) -> Adv {
        let seq = e.args[0];
        self.spec_gc(seq, GcState::Running);
        if seq != self.gc_seq.wrapping_add(1) {
            return Ok(false);
        }
        match self.gc_state {
            GcState::NotRunning => {
                return Err("encountered GCEnd when GC was not in progress".into());
            }
            GcState::Undetermined => {
                return Err("encountered GCEnd when GC was in an undetermined state".into());
            }
            GcState::Running => {}
        }
        self.gc_seq = seq;
        self.gc_state = GcState::NotRunning;
        validate_ctx(cur, USER_GO_REQS)?;
        self.emit(cur, *e);
        Ok(true)
    }

    fn annotation(&mut self, e: &mut BaseEvent, cur: SchedCtx) -> Adv {
        validate_ctx(cur, USER_GO_REQS)?;
        self.emit(cur, *e);
        Ok(true)
    }

    fn heap_metric(&mut self, e: &mut BaseEvent, cur: SchedCtx) -> Adv {
        validate_ctx(cur, reqs(Req::Present, Req::Present, Req::Optional))?;
        self.emit(cur, *e);
        Ok(true)
    }

    fn gc_sweep_begin(&mut self, e: &mut BaseEvent, cur: SchedCtx) -> Adv {
        validate_ctx(cur, reqs(Req::Present, Req::Present, Req::Optional))?;
        let p = self
            .p_states
            .get_mut(cur.p)
            .ok_or_else(|| format!("uninitialized proc {}", cur.p))?;
        let r = make_range_type(e.typ, 0);
        p.ranges.begin(r)?;
        self.spec_p_op(cur.p, RangeOp::Begin(r));
        self.emit(cur, *e);
        Ok(true)
    }

    fn gc_sweep_active(&mut self, e: &mut BaseEvent, gen_no: u64, cur: SchedCtx) -> Adv {
        let pid = e.args[0] as i64;
        let initial = gen_no == self.initial_gen;
        let carried = self.spec_p_carried(pid);
        let Some(p) = self.p_states.get_mut(pid) else {
            return Err(format!("encountered GCSweepActive for unknown proc {pid}"));
        };
        let r = make_range_type(e.typ, 0);
        if carried {
            p.ranges.assume_active(r);
            self.spec_p_op(pid, RangeOp::Active(r));
        } else {
            p.ranges.active(r, initial)?;
        }
        self.emit(cur, *e);
        Ok(true)
    }

    fn gc_sweep_end(&mut self, e: &mut BaseEvent, cur: SchedCtx) -> Adv {
        validate_ctx(cur, reqs(Req::Present, Req::Present, Req::Optional))?;
        let p = self
            .p_states
            .get_mut(cur.p)
            .ok_or_else(|| format!("uninitialized proc {}", cur.p))?;
        let desc = p.ranges.end(e.typ)?;
        self.spec_p_op(cur.p, RangeOp::End(e.typ, desc));
        self.emit(cur, *e);
        Ok(true)
    }

    fn go_range_begin(&mut self, e: &mut BaseEvent, cur: SchedCtx) -> Adv {
        validate_ctx(cur, USER_GO_REQS)?;
        let desc = if e.typ == ev::STW_BEGIN { e.args[0] } else { 0 };
        let Some(s) = self.g_states.get_mut(&cur.g) else {
            return Err(format!(
                "encountered event of type {} without known state for current goroutine {}",
                e.typ, cur.g
            ));
        };
        let r = make_range_type(e.typ, desc);
        s.extra().ranges.begin(r)?;
        self.spec_g_op(cur.g, ExtraOp::Range(RangeOp::Begin(r)));
        self.emit(cur, *e);
        Ok(true)
    }

    fn go_range_active(&mut self, e: &mut BaseEvent, gen_no: u64, cur: SchedCtx) -> Adv {
        let gid = e.args[0] as i64;
        let initial = gen_no == self.initial_gen;
        let name = self.ev_name(e.typ);
        let carried = self.spec_g_carried(gid);
        let Some(s) = self.g_states.get_mut(&gid) else {
            return Err(format!("uninitialized goroutine {gid} found during {name}"));
        };
        let r = make_range_type(e.typ, 0);
        if carried {
            s.extra().ranges.assume_active(r);
            self.spec_g_op(gid, ExtraOp::Range(RangeOp::Active(r)));
        } else {
            s.extra().ranges.active(r, initial)?;
        }
        self.emit(cur, *e);
        Ok(true)
    }

    fn go_range_end(&mut self, e: &mut BaseEvent, cur: SchedCtx) -> Adv {
        validate_ctx(cur, USER_GO_REQS)?;
        let Some(s) = self.g_states.get_mut(&cur.g) else {
            return Err(format!(
                "encountered event of type {} without known state for current goroutine {}",
                e.typ, cur.g
            ));
        };
        let desc = s.extra().ranges.end(e.typ)?;
        self.spec_g_op(cur.g, ExtraOp::Range(RangeOp::End(e.typ, desc)));
        if e.typ == ev::STW_END {
            e.args[0] = desc;
        }
        self.emit(cur, *e);
        Ok(true)
    }

    fn alloc_free(&mut self, e: &mut BaseEvent, cur: SchedCtx) -> Adv {
        validate_ctx(cur, reqs(Req::Present, Req::Optional, Req::Optional))?;
        self.emit(cur, *e);
        Ok(true)
    }

    /// A description of the state, for "failed to advance" errors.
    pub fn dump(&self) -> String {
        use crate::spec::{gostatus_name, procstatus_name};
        let gs = sorted(self.g_states.iter().map(|(k, v)| (*k, v)), |id, st| {
            format!(
                "G {id} [status={} seq={}]",
                gostatus_name(st.status),
                st.seq
            )
        });
        let ps = sorted(self.p_states.iter(), |id, st| {
            format!(
                "P {id} [status={} seq={}]",
                procstatus_name(st.status),
                st.seq
            )
        });
        let mut m_list: Vec<_> = self.m_present().collect();
        m_list.sort_by_key(|(id, _)| *id);
        let ms: String = m_list
            .iter()
            .map(|(id, st)| format!("M {id} [g={} p={}]\n", st.g, st.p))
            .collect();
        format!("{gs}\n{ps}\n{ms}\nGC {} {:?}\n", self.gc_seq, self.gc_state)
    }
}

/// Go's `Event.validateTableIDs`: every stack and string ID the event
/// refers to exists in its generation.
fn validate_table_ids(table: &EvTable<'_>, e: &BaseEvent) -> Result<(), String> {
    let spec = &SPECS[e.typ as usize];
    for &i in spec.stack_ids {
        let id = e.args[i - 1];
        if table.stacks.get(id).is_none() {
            return Err(format!(
                "found invalid stack ID {id} for event {}",
                spec.name
            ));
        }
    }
    for &i in spec.string_ids {
        let id = e.args[i - 1];
        if table.strings.get(id).is_none() {
            return Err(format!(
                "found invalid string ID {id} for event {}",
                spec.name
            ));
        }
    }
    Ok(())
}

/// One line per entry of `m`, sorted by key.
fn sorted<'v, V: 'v>(
    m: impl Iterator<Item = (i64, &'v V)>,
    line: impl Fn(i64, &V) -> String,
) -> String {
    let mut entries: Vec<_> = m.collect();
    entries.sort_by_key(|(id, _)| *id);
    entries.iter().map(|(id, v)| line(*id, v) + "\n").collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(time: i64) -> QueuedEvent {
        QueuedEvent {
            base: BaseEvent {
                typ: EV_SYNC,
                time,
                ..BaseEvent::TABLED
            },
            ctx: SchedCtx {
                g: NO_GOROUTINE,
                p: NO_PROC,
                m: crate::batch::NO_THREAD,
            },
        }
    }

    /// `ensure_room` gives the queue room without losing what it holds,
    /// taking the offered buffer only when it needs a larger one.
    #[test]
    fn room_is_made_and_queued_events_kept() {
        let mut o = Ordering::new(Version::Go126);
        o.push(event(1), None);
        o.push(event(2), None);
        let offered = Vec::with_capacity(100);
        let ptr = offered.as_ptr();
        o.ensure_room(64, || Some(offered));
        assert!(o.queue.capacity() >= 64);
        assert_eq!(o.queue.as_ptr(), ptr, "the offered buffer is used");
        let times: Vec<i64> = o.queue.iter().map(|q| q.base.time).collect();
        assert_eq!(times, [1, 2]);
        o.ensure_room(32, || panic!("no buffer needed: room enough"));
        // A queue partly handed out keeps its buffer and grows in place.
        assert!(o.next().is_some());
        o.ensure_room(1000, || {
            panic!("not offered a buffer with events handed out")
        });
        assert!(o.queue.capacity() >= 1000);
        assert_eq!(o.next().map(|q| q.base.time), Some(2));
    }
}
