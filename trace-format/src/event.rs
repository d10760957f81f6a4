//! The public event model (Go's `event.go`): a small `Copy` view of one
//! ordered event plus the generation tables it refers to.

use std::fmt::{self, Write};

use crate::batch::ThreadId;
use crate::generation::{EvTable, Frame};
use crate::goquote::quote_bytes;
use crate::order::{
    BaseEvent, EV_SYNC, GoId, NO_TASK, ProcId, SchedCtx, TaskId, gostate, gostatus_to_state,
    procstate, procstatus_to_state,
};
use crate::spec::{EXPERIMENTS, SPECS, ev, procstatus};

/// What kind of event this is (Go's `EventKind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// Not a valid event.
    Bad,
    /// A synchronization point: the start of a generation, or the end of the trace.
    Sync,
    /// A metric sample (GOMAXPROCS, heap in use, heap goal).
    Metric,
    /// A label applied to a goroutine.
    Label,
    /// A CPU profile sample.
    StackSample,
    /// Start of a special range (GC, STW, sweep, mark assist).
    RangeBegin,
    /// A range already in progress when the generation started.
    RangeActive,
    /// End of a special range.
    RangeEnd,
    /// A user task begins.
    TaskBegin,
    /// A user task ends.
    TaskEnd,
    /// A user region begins.
    RegionBegin,
    /// A user region ends.
    RegionEnd,
    /// A user log message.
    Log,
    /// A goroutine or proc changes state.
    StateTransition,
    /// An experimental event, exposed raw.
    Experimental,
}

impl EventKind {
    /// Go's name for the kind.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Bad => "Bad",
            EventKind::Sync => "Sync",
            EventKind::Metric => "Metric",
            EventKind::Label => "Label",
            EventKind::StackSample => "StackSample",
            EventKind::RangeBegin => "RangeBegin",
            EventKind::RangeActive => "RangeActive",
            EventKind::RangeEnd => "RangeEnd",
            EventKind::TaskBegin => "TaskBegin",
            EventKind::TaskEnd => "TaskEnd",
            EventKind::RegionBegin => "RegionBegin",
            EventKind::RegionEnd => "RegionEnd",
            EventKind::Log => "Log",
            EventKind::StateTransition => "StateTransition",
            EventKind::Experimental => "Experimental",
        }
    }

    fn of(typ: u8) -> EventKind {
        use EventKind::*;
        match typ {
            EV_SYNC => Sync,
            ev::CPU_SAMPLE => StackSample,
            ev::PROCS_CHANGE | ev::HEAP_ALLOC | ev::HEAP_GOAL => Metric,
            ev::PROC_START..=ev::GO_STATUS
            | ev::GO_SWITCH
            | ev::GO_SWITCH_DESTROY
            | ev::GO_CREATE_BLOCKED
            | ev::GO_STATUS_STACK => StateTransition,
            ev::STW_BEGIN | ev::GC_BEGIN | ev::GC_SWEEP_BEGIN | ev::GC_MARK_ASSIST_BEGIN => {
                RangeBegin
            }
            ev::STW_END | ev::GC_END | ev::GC_SWEEP_END | ev::GC_MARK_ASSIST_END => RangeEnd,
            ev::GC_ACTIVE | ev::GC_SWEEP_ACTIVE | ev::GC_MARK_ASSIST_ACTIVE => RangeActive,
            ev::GO_LABEL => Label,
            ev::USER_TASK_BEGIN => TaskBegin,
            ev::USER_TASK_END => TaskEnd,
            ev::USER_REGION_BEGIN => RegionBegin,
            ev::USER_REGION_END => RegionEnd,
            ev::USER_LOG => Log,
            ev::SPAN..=ev::GOROUTINE_STACK_FREE => Experimental,
            _ => Bad,
        }
    }
}

/// Goroutine states (Go's `GoState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GoState {
    /// Nothing known yet (first generation).
    Undetermined,
    /// Does not exist.
    NotExist,
    /// Ready to run.
    Runnable,
    /// Running on a thread.
    Running,
    /// Blocked.
    Waiting,
    /// In a system call.
    Syscall,
}

impl GoState {
    fn from_u8(s: u8) -> GoState {
        match s {
            gostate::NOT_EXIST => GoState::NotExist,
            gostate::RUNNABLE => GoState::Runnable,
            gostate::RUNNING => GoState::Running,
            gostate::WAITING => GoState::Waiting,
            gostate::SYSCALL => GoState::Syscall,
            _ => GoState::Undetermined,
        }
    }
    /// Whether the goroutine occupies a thread (Running or Syscall).
    pub fn executing(self) -> bool {
        matches!(self, GoState::Running | GoState::Syscall)
    }
    /// Go's name.
    pub fn name(self) -> &'static str {
        match self {
            GoState::Undetermined => "Undetermined",
            GoState::NotExist => "NotExist",
            GoState::Runnable => "Runnable",
            GoState::Running => "Running",
            GoState::Waiting => "Waiting",
            GoState::Syscall => "Syscall",
        }
    }
}

/// Proc states (Go's `ProcState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProcState {
    /// Nothing known yet (first generation).
    Undetermined,
    /// Does not exist.
    NotExist,
    /// Running.
    Running,
    /// Idle.
    Idle,
}

impl ProcState {
    fn from_u8(s: u8) -> ProcState {
        match s {
            procstate::NOT_EXIST => ProcState::NotExist,
            procstate::RUNNING => ProcState::Running,
            procstate::IDLE => ProcState::Idle,
            _ => ProcState::Undetermined,
        }
    }
    /// Go's name.
    pub fn name(self) -> &'static str {
        match self {
            ProcState::Undetermined => "Undetermined",
            ProcState::NotExist => "NotExist",
            ProcState::Running => "Running",
            ProcState::Idle => "Idle",
        }
    }
}

/// A resource an event refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceId {
    /// No resource (global).
    None,
    /// A goroutine.
    Goroutine(GoId),
    /// A proc.
    Proc(ProcId),
    /// A thread.
    Thread(ThreadId),
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResourceId::None => f.write_str("None"),
            ResourceId::Goroutine(id) => write!(f, "Goroutine({id})"),
            ResourceId::Proc(id) => write!(f, "Proc({id})"),
            ResourceId::Thread(id) => write!(f, "Thread({id})"),
        }
    }
}

/// A handle to a stack; compare IDs only within one generation.
#[derive(Clone, Copy)]
pub struct Stack<'r> {
    table: Option<&'r EvTable<'r>>,
    id: u64,
}

impl<'r> Stack<'r> {
    /// No stack at all (Go's `NoStack`).
    pub const NONE: Stack<'static> = Stack { table: None, id: 0 };

    /// The stack's ID within its generation (0: empty).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Whether the stack has no frames.
    pub fn is_empty(&self) -> bool {
        self.frames().is_empty()
    }

    /// Go's `stk != NoStack`: a stack reference exists, even if it is empty.
    pub fn is_present(&self) -> bool {
        self.table.is_some() || self.id != 0
    }

    /// The frames, innermost first.
    pub fn frames(&self) -> &'r [Frame<'r>] {
        match self.table {
            Some(t) if self.id != 0 => t.stack_frames(self.id).unwrap_or(&[]),
            _ => &[],
        }
    }
}

impl fmt::Debug for Stack<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(
                self.frames()
                    .iter()
                    .map(|fr| String::from_utf8_lossy(fr.func)),
            )
            .finish()
    }
}

/// Details of a goroutine or proc state change.
#[derive(Debug, Clone, Copy)]
pub struct StateTransition<'r> {
    /// The resource changing state.
    pub resource: ResourceId,
    /// Reason (for goroutines blocking or stopping), e.g. `"chan receive"`.
    pub reason: &'r [u8],
    /// Stack of the transitioning goroutine (for creation: the new goroutine's start).
    pub stack: Stack<'r>,
    old: u8,
    new: u8,
}

impl StateTransition<'_> {
    /// Goroutine states before and after (only for goroutine resources).
    pub fn goroutine(&self) -> Option<(GoState, GoState)> {
        match self.resource {
            ResourceId::Goroutine(_) => {
                Some((GoState::from_u8(self.old), GoState::from_u8(self.new)))
            }
            _ => None,
        }
    }
    /// Proc states before and after (only for proc resources).
    pub fn proc(&self) -> Option<(ProcState, ProcState)> {
        match self.resource {
            ResourceId::Proc(_) => {
                Some((ProcState::from_u8(self.old), ProcState::from_u8(self.new)))
            }
            _ => None,
        }
    }
}

/// Details of a Range event.
#[derive(Debug, Clone, Copy)]
pub struct Range<'r> {
    /// Range name, e.g. `GC concurrent mark phase` or `stop-the-world (…)`.
    pub name: RangeName<'r>,
    /// What the range is scoped to.
    pub scope: ResourceId,
}

/// A range's name; STW ranges carry the runtime's reason string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeName<'r> {
    /// `stop-the-world (<reason>)`.
    StopTheWorld(&'r [u8]),
    /// `GC concurrent mark phase`.
    GcMark,
    /// `GC incremental sweep`.
    GcSweep,
    /// `GC mark assist`.
    GcMarkAssist,
}

impl fmt::Display for RangeName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RangeName::StopTheWorld(r) => {
                write!(f, "stop-the-world ({})", String::from_utf8_lossy(r))
            }
            RangeName::GcMark => f.write_str("GC concurrent mark phase"),
            RangeName::GcSweep => f.write_str("GC incremental sweep"),
            RangeName::GcMarkAssist => f.write_str("GC mark assist"),
        }
    }
}

impl RangeName<'_> {
    /// Name as bytes, for quoting.
    fn write_bytes(&self, out: &mut Vec<u8>) {
        match self {
            RangeName::StopTheWorld(r) => {
                out.extend_from_slice(b"stop-the-world (");
                out.extend_from_slice(r);
                out.push(b')');
            }
            other => out.extend_from_slice(other.to_string().as_bytes()),
        }
    }
}

/// Details of a task event.
#[derive(Debug, Clone, Copy)]
pub struct Task<'r> {
    /// Task ID.
    pub id: TaskId,
    /// Parent task ID, or `NO_TASK`.
    pub parent: TaskId,
    /// Task type given to `trace.NewTask` (empty if its begin was not seen).
    pub typ: &'r [u8],
}

/// Details of a region event.
#[derive(Debug, Clone, Copy)]
pub struct Region<'r> {
    /// Task the region belongs to.
    pub task: TaskId,
    /// Region type.
    pub typ: &'r [u8],
}

/// Details of a log event.
#[derive(Debug, Clone, Copy)]
pub struct Log<'r> {
    /// Task the log belongs to.
    pub task: TaskId,
    /// Category.
    pub category: &'r [u8],
    /// Message.
    pub message: &'r [u8],
}

/// Details of a metric event.
#[derive(Debug, Clone, Copy)]
pub struct Metric {
    /// Metric name in `runtime/metrics` style.
    pub name: &'static str,
    /// Value.
    pub value: u64,
}

/// A clock snapshot taken at the start of a generation (Go 1.25+).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockSnapshot {
    /// Trace clock, ns.
    pub trace: i64,
    /// Monotonic clock, ns.
    pub mono: u64,
    /// Wall clock: seconds since the Unix epoch.
    pub wall_sec: i64,
    /// Wall clock: nanoseconds.
    pub wall_nsec: i64,
}

/// Details of a Sync event.
#[derive(Debug, Clone, Copy)]
pub struct Sync {
    /// This is the Nth sync event.
    pub n: u64,
    /// Clock snapshot, for Go 1.25+ generation starts.
    pub clock_snapshot: Option<ClockSnapshot>,
}

/// An experimental event: its name, its experiment, and `(argument name, value)` pairs.
pub type Experimental = (&'static str, &'static str, Vec<(&'static str, u64)>);

/// One event of the ordered stream. Borrowing the reader, it is valid until
/// the next `read_event` call; copy out what you need to keep.
#[derive(Clone, Copy)]
pub struct Event<'r> {
    table: Option<&'r EvTable<'r>>,
    /// Task names carried from earlier generations (see `Ordering`).
    task_names: &'r [&'r [u8]],
    ctx: SchedCtx,
    base: BaseEvent,
}

impl<'r> Event<'r> {
    pub(crate) fn new(
        table: Option<&'r EvTable<'r>>,
        task_names: &'r [&'r [u8]],
        ctx: SchedCtx,
        base: BaseEvent,
    ) -> Self {
        Event {
            table,
            task_names,
            ctx,
            base,
        }
    }

    /// The event's kind.
    #[inline]
    pub fn kind(&self) -> EventKind {
        EventKind::of(self.base.typ)
    }

    /// The wire event type the event came from (255 for Sync).
    #[inline]
    pub fn wire_type(&self) -> u8 {
        self.base.typ
    }

    /// Timestamp in nanoseconds.
    #[inline]
    pub fn time(&self) -> i64 {
        self.base.time
    }

    /// Goroutine running when the event happened (before any transition).
    #[inline]
    pub fn goroutine(&self) -> GoId {
        self.ctx.g
    }

    /// Proc the event happened on (before any transition).
    #[inline]
    pub fn proc(&self) -> ProcId {
        self.ctx.p
    }

    /// Thread the event happened on.
    #[inline]
    pub fn thread(&self) -> ThreadId {
        self.ctx.m
    }

    fn string(&self, id: u64) -> &'r [u8] {
        self.table.and_then(|t| t.string(id)).unwrap_or(b"")
    }

    fn stack_at(&self, id: u64) -> Stack<'r> {
        Stack {
            table: self.table,
            id,
        }
    }

    /// The stack of the event's own execution context.
    pub fn stack(&self) -> Stack<'r> {
        let typ = self.base.typ;
        if typ == EV_SYNC {
            return Stack::NONE;
        }
        if typ == ev::CPU_SAMPLE {
            return self.stack_at(self.base.args[0]);
        }
        let spec = &SPECS[typ as usize];
        match spec.stack_ids.first() {
            Some(&i) if self.base.args[i - 1] != 0 => self.stack_at(self.base.args[i - 1]),
            _ => Stack::NONE,
        }
    }

    /// Metric details (for `EventKind::Metric`).
    pub fn metric(&self) -> Option<Metric> {
        let name = match self.base.typ {
            ev::PROCS_CHANGE => "/sched/gomaxprocs:threads",
            ev::HEAP_ALLOC => "/memory/classes/heap/objects:bytes",
            ev::HEAP_GOAL => "/gc/heap/goal:bytes",
            _ => return None,
        };
        Some(Metric {
            name,
            value: self.base.args[0],
        })
    }

    /// Label details (for `EventKind::Label`): the label and the goroutine.
    pub fn label(&self) -> Option<(&'r [u8], ResourceId)> {
        (self.base.typ == ev::GO_LABEL).then(|| {
            (
                self.string(self.base.args[0]),
                ResourceId::Goroutine(self.ctx.g),
            )
        })
    }

    /// Range details (for RangeBegin/Active/End).
    pub fn range(&self) -> Option<Range<'r>> {
        let a = self.base.args[0];
        let (name, scope) = match self.base.typ {
            ev::STW_BEGIN | ev::STW_END => (
                RangeName::StopTheWorld(self.string(a)),
                ResourceId::Goroutine(self.ctx.g),
            ),
            ev::GC_BEGIN | ev::GC_ACTIVE | ev::GC_END => (RangeName::GcMark, ResourceId::None),
            ev::GC_SWEEP_ACTIVE => (RangeName::GcSweep, ResourceId::Proc(a as i64)),
            ev::GC_SWEEP_BEGIN | ev::GC_SWEEP_END => {
                (RangeName::GcSweep, ResourceId::Proc(self.ctx.p))
            }
            ev::GC_MARK_ASSIST_ACTIVE => (RangeName::GcMarkAssist, ResourceId::Goroutine(a as i64)),
            ev::GC_MARK_ASSIST_BEGIN | ev::GC_MARK_ASSIST_END => {
                (RangeName::GcMarkAssist, ResourceId::Goroutine(self.ctx.g))
            }
            _ => return None,
        };
        Some(Range { name, scope })
    }

    /// Attributes of a completed range: `(bytes swept, bytes reclaimed)` for sweeps.
    pub fn range_attributes(&self) -> Option<(u64, u64)> {
        (self.base.typ == ev::GC_SWEEP_END).then_some((self.base.args[0], self.base.args[1]))
    }

    /// Task details (for TaskBegin/TaskEnd).
    pub fn task(&self) -> Option<Task<'r>> {
        let (parent, typ) = match self.base.typ {
            ev::USER_TASK_BEGIN => (self.base.args[1], self.string(self.base.args[2])),
            ev::USER_TASK_END => {
                let t = match self.base.extra(1) {
                    0 => &b""[..],
                    i => self.task_names.get(i as usize - 1).copied().unwrap_or(b""),
                };
                (self.base.extra(0), t)
            }
            _ => return None,
        };
        Some(Task {
            id: self.base.args[0],
            parent,
            typ,
        })
    }

    /// Region details (for RegionBegin/RegionEnd).
    pub fn region(&self) -> Option<Region<'r>> {
        matches!(self.base.typ, ev::USER_REGION_BEGIN | ev::USER_REGION_END).then(|| Region {
            task: self.base.args[0],
            typ: self.string(self.base.args[1]),
        })
    }

    /// Log details (for `EventKind::Log`).
    pub fn log(&self) -> Option<Log<'r>> {
        (self.base.typ == ev::USER_LOG).then(|| Log {
            task: self.base.args[0],
            category: self.string(self.base.args[1]),
            message: self.string(self.base.args[2]),
        })
    }

    /// State transition details (for `EventKind::StateTransition`).
    pub fn state_transition(&self) -> Option<StateTransition<'r>> {
        use gostate as gs;
        let a = &self.base.args;
        let g = |id: i64, old: u8, new: u8| StateTransition {
            resource: ResourceId::Goroutine(id),
            reason: b"",
            stack: Stack::NONE,
            old,
            new,
        };
        let p = |id: i64, old: u8, new: u8| StateTransition {
            resource: ResourceId::Proc(id),
            reason: b"",
            stack: Stack::NONE,
            old,
            new,
        };
        let s = match self.base.typ {
            ev::PROC_START => p(a[0] as i64, procstate::IDLE, procstate::RUNNING),
            ev::PROC_STOP => p(self.ctx.p, procstate::RUNNING, procstate::IDLE),
            ev::PROC_STEAL => {
                let before = if self.base.extra(0) == procstatus::SYSCALL_ABANDONED {
                    procstate::IDLE
                } else {
                    procstate::RUNNING
                };
                p(a[0] as i64, before, procstate::IDLE)
            }
            ev::PROC_STATUS => p(
                a[0] as i64,
                self.base.extra(0) as u8,
                procstatus_to_state(a[1]),
            ),
            ev::GO_CREATE | ev::GO_CREATE_BLOCKED => {
                let new = if self.base.typ == ev::GO_CREATE_BLOCKED {
                    gs::WAITING
                } else {
                    gs::RUNNABLE
                };
                StateTransition {
                    stack: self.stack_at(a[1]),
                    ..g(a[0] as i64, gs::NOT_EXIST, new)
                }
            }
            ev::GO_CREATE_SYSCALL => g(a[0] as i64, gs::NOT_EXIST, gs::SYSCALL),
            ev::GO_START => g(a[0] as i64, gs::RUNNABLE, gs::RUNNING),
            ev::GO_DESTROY => g(self.ctx.g, gs::RUNNING, gs::NOT_EXIST),
            ev::GO_DESTROY_SYSCALL => g(self.ctx.g, gs::SYSCALL, gs::NOT_EXIST),
            ev::GO_STOP | ev::GO_BLOCK => {
                let new = if self.base.typ == ev::GO_STOP {
                    gs::RUNNABLE
                } else {
                    gs::WAITING
                };
                StateTransition {
                    reason: self.string(a[0]),
                    stack: self.stack(),
                    ..g(self.ctx.g, gs::RUNNING, new)
                }
            }
            ev::GO_UNBLOCK | ev::GO_SWITCH | ev::GO_SWITCH_DESTROY => {
                g(a[0] as i64, gs::WAITING, gs::RUNNABLE)
            }
            ev::GO_SYSCALL_BEGIN => StateTransition {
                stack: self.stack(),
                ..g(self.ctx.g, gs::RUNNING, gs::SYSCALL)
            },
            ev::GO_SYSCALL_END => g(self.ctx.g, gs::SYSCALL, gs::RUNNING),
            ev::GO_SYSCALL_END_BLOCKED => g(self.ctx.g, gs::SYSCALL, gs::RUNNABLE),
            ev::GO_STATUS | ev::GO_STATUS_STACK => {
                let packed = a[2];
                let (from, to) = (
                    (packed >> 32) as u8,
                    gostatus_to_state(packed & 0xffff_ffff),
                );
                StateTransition {
                    stack: self.stack(),
                    ..g(a[0] as i64, from, to)
                }
            }
            _ => return None,
        };
        Some(s)
    }

    /// Sync details (for `EventKind::Sync`).
    pub fn sync(&self) -> Option<Sync> {
        if self.base.typ != EV_SYNC {
            return None;
        }
        let clock_snapshot = self
            .table
            .filter(|t| t.has_clock_snapshot)
            .map(|t| ClockSnapshot {
                trace: t.freq.mul(t.snap_time),
                mono: t.snap_mono,
                wall_sec: t.snap_sec as i64,
                wall_nsec: t.snap_nsec as i64,
            });
        Some(Sync {
            n: self.base.args[0],
            clock_snapshot,
        })
    }

    /// Experimental event details: name, experiment, and `(arg name, value)` pairs.
    pub fn experimental(&self) -> Option<Experimental> {
        if self.kind() != EventKind::Experimental {
            return None;
        }
        let spec = &SPECS[self.base.typ as usize];
        let args = spec.args[1..]
            .iter()
            .zip(self.base.args)
            .map(|(n, v)| (*n, v))
            .collect();
        Some((
            spec.name,
            EXPERIMENTS
                .get(spec.experiment as usize)
                .copied()
                .unwrap_or(""),
            args,
        ))
    }

    /// Experimental batches attached to this (Sync) event's generation.
    pub fn experimental_batches(
        &self,
    ) -> &'r [(u8, Vec<crate::generation::ExperimentalBatch<'r>>)] {
        match self.table {
            Some(t) if self.base.typ == EV_SYNC => t.experimental_batches(),
            _ => &[],
        }
    }

    /// Writes the event as Go's `Event.String()` does (what `go tool trace -d=parsed` prints).
    pub fn write_go(&self, out: &mut String) {
        let _ = write!(
            out,
            "M={} P={} G={} {} Time={}",
            self.ctx.m,
            self.ctx.p,
            self.ctx.g,
            self.kind().name(),
            self.base.time
        );
        let kind = self.kind();
        match kind {
            EventKind::Metric => {
                if let Some(m) = self.metric() {
                    let _ = write!(
                        out,
                        " Name=\"{}\" Value=Value{{Uint64({})}}",
                        m.name, m.value
                    );
                }
            }
            EventKind::Label => {
                if let Some((l, r)) = self.label() {
                    out.push_str(" Label=");
                    quote_bytes(l, out);
                    let _ = write!(out, " Resource={r}");
                }
            }
            EventKind::RangeBegin | EventKind::RangeActive | EventKind::RangeEnd => {
                if let Some(r) = self.range() {
                    let mut name = Vec::new();
                    r.name.write_bytes(&mut name);
                    out.push_str(" Name=");
                    quote_bytes(&name, out);
                    let _ = write!(out, " Scope={}", r.scope);
                    if kind == EventKind::RangeEnd {
                        out.push_str(" Attributes=[");
                        if let Some((swept, reclaimed)) = self.range_attributes() {
                            let _ = write!(
                                out,
                                "\"bytes swept\"=Value{{Uint64({swept})}} \"bytes reclaimed\"=Value{{Uint64({reclaimed})}}"
                            );
                        }
                        out.push(']');
                    }
                }
            }
            EventKind::TaskBegin | EventKind::TaskEnd => {
                if let Some(t) = self.task() {
                    let _ = write!(out, " ID={} Parent={} Type=", t.id, t.parent);
                    quote_bytes(t.typ, out);
                }
            }
            EventKind::RegionBegin | EventKind::RegionEnd => {
                if let Some(r) = self.region() {
                    let _ = write!(out, " Task={} Type=", r.task);
                    quote_bytes(r.typ, out);
                }
            }
            EventKind::Log => {
                if let Some(l) = self.log() {
                    let _ = write!(out, " Task={} Category=", l.task);
                    quote_bytes(l.category, out);
                    out.push_str(" Message=");
                    quote_bytes(l.message, out);
                }
            }
            EventKind::StateTransition => {
                if let Some(s) = self.state_transition() {
                    match s.resource {
                        ResourceId::Goroutine(id) => {
                            let (o, n) = (GoState::from_u8(s.old), GoState::from_u8(s.new));
                            let _ = write!(out, " GoID={id} {}->{}", o.name(), n.name());
                        }
                        ResourceId::Proc(id) => {
                            let (o, n) = (ProcState::from_u8(s.old), ProcState::from_u8(s.new));
                            let _ = write!(out, " ProcID={id} {}->{}", o.name(), n.name());
                        }
                        _ => {}
                    }
                    out.push_str(" Reason=");
                    quote_bytes(s.reason, out);
                    if s.stack.is_present() {
                        out.push_str("\nTransitionStack=\n");
                        write_frames(out, s.stack.frames());
                    }
                }
            }
            EventKind::Experimental => {
                if let Some((name, _, args)) = self.experimental() {
                    let _ = write!(out, " Name={name} Args=[");
                    for (i, (n, v)) in args.iter().enumerate() {
                        if i != 0 {
                            out.push_str(", ");
                        }
                        let _ = write!(out, "{n}=Value{{Uint64({v})}}");
                    }
                    out.push(']');
                }
            }
            EventKind::Sync => {
                if let Some(s) = self.sync() {
                    let _ = write!(out, " N={}", s.n);
                    if let Some(c) = s.clock_snapshot {
                        let _ = write!(out, " Trace={} Mono={} Wall=", c.trace, c.mono);
                        crate::timefmt::rfc3339_nano(c.wall_sec, c.wall_nsec, out);
                    }
                }
            }
            EventKind::Bad | EventKind::StackSample => {}
        }
        let stk = self.stack();
        if stk.is_present() {
            out.push_str("\nStack=\n");
            write_frames(out, stk.frames());
        }
    }
}

fn write_frames(out: &mut String, frames: &[Frame<'_>]) {
    for f in frames {
        out.push('\t');
        push_lossless(out, f.func);
        let _ = writeln!(out, " @ 0x{:x}", f.pc);
        out.push_str("\t\t");
        push_lossless(out, f.file);
        let _ = writeln!(out, ":{}", f.line);
    }
}

/// Appends bytes that are almost always UTF-8; invalid sequences become U+FFFD
/// (Go writes the raw bytes; only hostile input differs).
fn push_lossless(out: &mut String, b: &[u8]) {
    match std::str::from_utf8(b) {
        Ok(s) => out.push_str(s),
        Err(_) => out.push_str(&String::from_utf8_lossy(b)),
    }
}

impl fmt::Display for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.write_go(&mut s);
        f.write_str(&s)
    }
}

impl fmt::Debug for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// No task (re-exported for convenience).
pub const NO_TASK_ID: TaskId = NO_TASK;
