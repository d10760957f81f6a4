//! The wire-format event table: every event type Go's runtime writes, its
//! argument names, and which arguments are string or stack IDs.
//!
//! Mirrors `internal/trace/tracev2/events.go`. Argument names are the ones
//! Go's text format (`go tool trace -d=wire`, the golden `.test` files) uses.

use crate::version::Version;

/// A wire event type byte.
pub type EventType = u8;

/// Structural and timed event type bytes (`tracev2.Ev*`).
#[allow(missing_docs)]
pub mod ev {
    use super::EventType;
    pub const NONE: EventType = 0;
    pub const EVENT_BATCH: EventType = 1;
    pub const STACKS: EventType = 2;
    pub const STACK: EventType = 3;
    pub const STRINGS: EventType = 4;
    pub const STRING: EventType = 5;
    pub const CPU_SAMPLES: EventType = 6;
    pub const CPU_SAMPLE: EventType = 7;
    pub const FREQUENCY: EventType = 8;
    pub const PROCS_CHANGE: EventType = 9;
    pub const PROC_START: EventType = 10;
    pub const PROC_STOP: EventType = 11;
    pub const PROC_STEAL: EventType = 12;
    pub const PROC_STATUS: EventType = 13;
    pub const GO_CREATE: EventType = 14;
    pub const GO_CREATE_SYSCALL: EventType = 15;
    pub const GO_START: EventType = 16;
    pub const GO_DESTROY: EventType = 17;
    pub const GO_DESTROY_SYSCALL: EventType = 18;
    pub const GO_STOP: EventType = 19;
    pub const GO_BLOCK: EventType = 20;
    pub const GO_UNBLOCK: EventType = 21;
    pub const GO_SYSCALL_BEGIN: EventType = 22;
    pub const GO_SYSCALL_END: EventType = 23;
    pub const GO_SYSCALL_END_BLOCKED: EventType = 24;
    pub const GO_STATUS: EventType = 25;
    pub const STW_BEGIN: EventType = 26;
    pub const STW_END: EventType = 27;
    pub const GC_ACTIVE: EventType = 28;
    pub const GC_BEGIN: EventType = 29;
    pub const GC_END: EventType = 30;
    pub const GC_SWEEP_ACTIVE: EventType = 31;
    pub const GC_SWEEP_BEGIN: EventType = 32;
    pub const GC_SWEEP_END: EventType = 33;
    pub const GC_MARK_ASSIST_ACTIVE: EventType = 34;
    pub const GC_MARK_ASSIST_BEGIN: EventType = 35;
    pub const GC_MARK_ASSIST_END: EventType = 36;
    pub const HEAP_ALLOC: EventType = 37;
    pub const HEAP_GOAL: EventType = 38;
    pub const GO_LABEL: EventType = 39;
    pub const USER_TASK_BEGIN: EventType = 40;
    pub const USER_TASK_END: EventType = 41;
    pub const USER_REGION_BEGIN: EventType = 42;
    pub const USER_REGION_END: EventType = 43;
    pub const USER_LOG: EventType = 44;
    pub const GO_SWITCH: EventType = 45;
    pub const GO_SWITCH_DESTROY: EventType = 46;
    pub const GO_CREATE_BLOCKED: EventType = 47;
    pub const GO_STATUS_STACK: EventType = 48;
    pub const EXPERIMENTAL_BATCH: EventType = 49;
    pub const SYNC: EventType = 50;
    pub const CLOCK_SNAPSHOT: EventType = 51;
    pub const END_OF_GENERATION: EventType = 52;
    pub const NUM_EVENTS: EventType = 53;
    // Experimental (AllocFree) events.
    pub const MAX_EVENT: EventType = 127;
    pub const SPAN: EventType = 128;
    pub const SPAN_ALLOC: EventType = 129;
    pub const SPAN_FREE: EventType = 130;
    pub const HEAP_OBJECT: EventType = 131;
    pub const HEAP_OBJECT_ALLOC: EventType = 132;
    pub const HEAP_OBJECT_FREE: EventType = 133;
    pub const GOROUTINE_STACK: EventType = 134;
    pub const GOROUTINE_STACK_ALLOC: EventType = 135;
    pub const GOROUTINE_STACK_FREE: EventType = 136;
    pub const MAX_EXPERIMENTAL_EVENT: EventType = 137;
}

/// Experiment IDs (`tracev2.Experiment`).
pub const NO_EXPERIMENT: u8 = 0;
/// The alloc/free experiment.
pub const EXPERIMENT_ALLOC_FREE: u8 = 1;
/// Experiment names, indexed by ID.
pub const EXPERIMENTS: [&str; 2] = ["None", "AllocFree"];

/// Maximum size of one batch's data.
pub const MAX_BATCH_SIZE: u64 = 64 << 10;
/// Maximum frames in one stack.
pub const MAX_FRAMES_PER_STACK: u64 = 128;
/// Maximum size of a string (event trailer data).
pub const MAX_EVENT_TRAILER_DATA_SIZE: u64 = 1 << 10;
/// Maximum number of arguments of a timed event, including the timestamp delta.
pub const MAX_TIMED_EVENT_ARGS: usize = 5;

/// The specification of one wire event type.
#[derive(Debug, Clone, Copy)]
pub struct EventSpec {
    /// Human-readable name, as in Go's text format.
    pub name: &'static str,
    /// Argument names, in wire order (timed events start with `dt`).
    pub args: &'static [&'static str],
    /// Argument indices (into `args`) that are string IDs.
    pub string_ids: &'static [usize],
    /// Argument indices (into `args`) that are stack IDs; the first is the
    /// stack of the event's own execution context.
    pub stack_ids: &'static [usize],
    /// For an "end" event, the type of its "begin" event; otherwise `NONE`.
    pub start_ev: EventType,
    /// Whether the event appears in event batches and has a timestamp.
    pub is_timed: bool,
    /// Whether the event has a length-prefixed data trailer.
    pub has_data: bool,
    /// Whether the event is a stack table entry (followed by frames).
    pub is_stack: bool,
    /// Experiment the event belongs to, or `NO_EXPERIMENT`.
    pub experiment: u8,
}

const fn s(name: &'static str, args: &'static [&'static str]) -> EventSpec {
    EventSpec {
        name,
        args,
        string_ids: &[],
        stack_ids: &[],
        start_ev: ev::NONE,
        is_timed: false,
        has_data: false,
        is_stack: false,
        experiment: NO_EXPERIMENT,
    }
}

const fn t(name: &'static str, args: &'static [&'static str]) -> EventSpec {
    EventSpec {
        is_timed: true,
        ..s(name, args)
    }
}

const fn stk(mut e: EventSpec, ids: &'static [usize]) -> EventSpec {
    e.stack_ids = ids;
    e
}

const fn strs(mut e: EventSpec, ids: &'static [usize]) -> EventSpec {
    e.string_ids = ids;
    e
}

const fn end(mut e: EventSpec, start: EventType) -> EventSpec {
    e.start_ev = start;
    e
}

const fn exp(name: &'static str, args: &'static [&'static str]) -> EventSpec {
    EventSpec {
        experiment: EXPERIMENT_ALLOC_FREE,
        ..t(name, args)
    }
}

const EMPTY: EventSpec = s("", &[]);

/// The full table of event specs, indexed by event type (length 137).
pub static SPECS: [EventSpec; ev::MAX_EXPERIMENTAL_EVENT as usize] = build_specs();

/// Per event type, the number of arguments after the timestamp of a timed
/// event, or `NOT_TIMED` for a type that is not a timed event (invalid or
/// structural): one table load instead of a spec lookup per decoded event.
pub(crate) static TIMED_ARGS: [u8; 256] = build_timed_args();

/// [`TIMED_ARGS`] entry of a type that is not a timed event.
pub(crate) const NOT_TIMED: u8 = u8::MAX;

const fn build_timed_args() -> [u8; 256] {
    let mut m = [NOT_TIMED; 256];
    let mut t = 0;
    while t < SPECS.len() {
        let sp = &SPECS[t];
        if !sp.args.is_empty() && sp.is_timed {
            // `BaseEvent::args` holds four (checked when this table is built).
            assert!(sp.args.len() - 1 <= 4);
            m[t] = (sp.args.len() - 1) as u8;
        }
        t += 1;
    }
    m
}

/// Per event type, which of `BaseEvent::args` are table IDs: bit `i` (0–3)
/// marks `args[i]` as a stack ID, bit `4 + i` as a string ID. Lets the
/// reader skip ID checks for most events with one load and one test.
pub(crate) static TABLE_ID_ARGS: [u8; 256] = build_table_id_args();

const fn build_table_id_args() -> [u8; 256] {
    let mut m = [0u8; 256];
    let mut t = 0;
    while t < SPECS.len() {
        let sp = &SPECS[t];
        let mut j = 0;
        while j < sp.stack_ids.len() {
            // Argument `i` of the spec is `args[i - 1]` (`args[0]` of the spec is dt).
            m[t] |= 1 << (sp.stack_ids[j] - 1);
            j += 1;
        }
        j = 0;
        while j < sp.string_ids.len() {
            m[t] |= 1 << (4 + sp.string_ids[j] - 1);
            j += 1;
        }
        t += 1;
    }
    m
}

const fn build_specs() -> [EventSpec; ev::MAX_EXPERIMENTAL_EVENT as usize] {
    let mut a = [EMPTY; ev::MAX_EXPERIMENTAL_EVENT as usize];
    a[ev::EVENT_BATCH as usize] = s("EventBatch", &["gen", "m", "time", "size"]);
    a[ev::STACKS as usize] = s("Stacks", &[]);
    a[ev::STACK as usize] = EventSpec {
        is_stack: true,
        ..s("Stack", &["id", "nframes"])
    };
    a[ev::STRINGS as usize] = s("Strings", &[]);
    a[ev::STRING as usize] = EventSpec {
        has_data: true,
        ..s("String", &["id"])
    };
    a[ev::CPU_SAMPLES as usize] = s("CPUSamples", &[]);
    a[ev::CPU_SAMPLE as usize] = stk(s("CPUSample", &["time", "m", "p", "g", "stack"]), &[4]);
    a[ev::FREQUENCY as usize] = s("Frequency", &["freq"]);
    a[ev::EXPERIMENTAL_BATCH as usize] = EventSpec {
        has_data: true,
        ..s("ExperimentalBatch", &["exp", "gen", "m", "time"])
    };
    a[ev::SYNC as usize] = s("Sync", &[]);
    a[ev::END_OF_GENERATION as usize] = s("EndOfGeneration", &[]);

    a[ev::PROCS_CHANGE as usize] = stk(t("ProcsChange", &["dt", "procs_value", "stack"]), &[2]);
    a[ev::PROC_START as usize] = t("ProcStart", &["dt", "p", "p_seq"]);
    a[ev::PROC_STOP as usize] = t("ProcStop", &["dt"]);
    a[ev::PROC_STEAL as usize] = t("ProcSteal", &["dt", "p", "p_seq", "m"]);
    a[ev::PROC_STATUS as usize] = t("ProcStatus", &["dt", "p", "pstatus"]);
    a[ev::GO_CREATE as usize] = stk(
        t("GoCreate", &["dt", "new_g", "new_stack", "stack"]),
        &[3, 2],
    );
    a[ev::GO_CREATE_SYSCALL as usize] = t("GoCreateSyscall", &["dt", "new_g"]);
    a[ev::GO_START as usize] = t("GoStart", &["dt", "g", "g_seq"]);
    a[ev::GO_DESTROY as usize] = t("GoDestroy", &["dt"]);
    a[ev::GO_DESTROY_SYSCALL as usize] = t("GoDestroySyscall", &["dt"]);
    a[ev::GO_STOP as usize] = strs(
        stk(t("GoStop", &["dt", "reason_string", "stack"]), &[2]),
        &[1],
    );
    a[ev::GO_BLOCK as usize] = strs(
        stk(t("GoBlock", &["dt", "reason_string", "stack"]), &[2]),
        &[1],
    );
    a[ev::GO_UNBLOCK as usize] = stk(t("GoUnblock", &["dt", "g", "g_seq", "stack"]), &[3]);
    a[ev::GO_SYSCALL_BEGIN as usize] = stk(t("GoSyscallBegin", &["dt", "p_seq", "stack"]), &[2]);
    a[ev::GO_SYSCALL_END as usize] = end(t("GoSyscallEnd", &["dt"]), ev::GO_SYSCALL_BEGIN);
    a[ev::GO_SYSCALL_END_BLOCKED as usize] =
        end(t("GoSyscallEndBlocked", &["dt"]), ev::GO_SYSCALL_BEGIN);
    a[ev::GO_STATUS as usize] = t("GoStatus", &["dt", "g", "m", "gstatus"]);
    a[ev::STW_BEGIN as usize] = strs(
        stk(t("STWBegin", &["dt", "kind_string", "stack"]), &[2]),
        &[1],
    );
    a[ev::STW_END as usize] = end(t("STWEnd", &["dt"]), ev::STW_BEGIN);
    a[ev::GC_ACTIVE as usize] = end(t("GCActive", &["dt", "gc_seq"]), ev::GC_BEGIN);
    a[ev::GC_BEGIN as usize] = stk(t("GCBegin", &["dt", "gc_seq", "stack"]), &[2]);
    a[ev::GC_END as usize] = end(t("GCEnd", &["dt", "gc_seq"]), ev::GC_BEGIN);
    a[ev::GC_SWEEP_ACTIVE as usize] = end(t("GCSweepActive", &["dt", "p"]), ev::GC_SWEEP_BEGIN);
    a[ev::GC_SWEEP_BEGIN as usize] = stk(t("GCSweepBegin", &["dt", "stack"]), &[1]);
    a[ev::GC_SWEEP_END as usize] = end(
        t("GCSweepEnd", &["dt", "swept_value", "reclaimed_value"]),
        ev::GC_SWEEP_BEGIN,
    );
    a[ev::GC_MARK_ASSIST_ACTIVE as usize] = end(
        t("GCMarkAssistActive", &["dt", "g"]),
        ev::GC_MARK_ASSIST_BEGIN,
    );
    a[ev::GC_MARK_ASSIST_BEGIN as usize] = stk(t("GCMarkAssistBegin", &["dt", "stack"]), &[1]);
    a[ev::GC_MARK_ASSIST_END as usize] =
        end(t("GCMarkAssistEnd", &["dt"]), ev::GC_MARK_ASSIST_BEGIN);
    a[ev::HEAP_ALLOC as usize] = t("HeapAlloc", &["dt", "heapalloc_value"]);
    a[ev::HEAP_GOAL as usize] = t("HeapGoal", &["dt", "heapgoal_value"]);
    a[ev::GO_LABEL as usize] = strs(t("GoLabel", &["dt", "label_string"]), &[1]);
    a[ev::USER_TASK_BEGIN as usize] = strs(
        stk(
            t(
                "UserTaskBegin",
                &["dt", "task", "parent_task", "name_string", "stack"],
            ),
            &[4],
        ),
        &[3],
    );
    a[ev::USER_TASK_END as usize] = stk(t("UserTaskEnd", &["dt", "task", "stack"]), &[2]);
    a[ev::USER_REGION_BEGIN as usize] = strs(
        stk(
            t("UserRegionBegin", &["dt", "task", "name_string", "stack"]),
            &[3],
        ),
        &[2],
    );
    a[ev::USER_REGION_END as usize] = end(
        strs(
            stk(
                t("UserRegionEnd", &["dt", "task", "name_string", "stack"]),
                &[3],
            ),
            &[2],
        ),
        ev::USER_REGION_BEGIN,
    );
    a[ev::USER_LOG as usize] = strs(
        stk(
            t(
                "UserLog",
                &["dt", "task", "key_string", "value_string", "stack"],
            ),
            &[4],
        ),
        &[2, 3],
    );
    a[ev::GO_SWITCH as usize] = t("GoSwitch", &["dt", "g", "g_seq"]);
    a[ev::GO_SWITCH_DESTROY as usize] = t("GoSwitchDestroy", &["dt", "g", "g_seq"]);
    a[ev::GO_CREATE_BLOCKED as usize] = stk(
        t("GoCreateBlocked", &["dt", "new_g", "new_stack", "stack"]),
        &[3, 2],
    );
    a[ev::GO_STATUS_STACK as usize] = stk(
        t("GoStatusStack", &["dt", "g", "m", "gstatus", "stack"]),
        &[4],
    );
    a[ev::CLOCK_SNAPSHOT as usize] = t("ClockSnapshot", &["dt", "mono", "sec", "nsec"]);

    a[ev::SPAN as usize] = exp("Span", &["dt", "id", "npages_value", "kindclass"]);
    a[ev::SPAN_ALLOC as usize] = exp("SpanAlloc", &["dt", "id", "npages_value", "kindclass"]);
    a[ev::SPAN_FREE as usize] = exp("SpanFree", &["dt", "id"]);
    a[ev::HEAP_OBJECT as usize] = exp("HeapObject", &["dt", "id", "type"]);
    a[ev::HEAP_OBJECT_ALLOC as usize] = exp("HeapObjectAlloc", &["dt", "id", "type"]);
    a[ev::HEAP_OBJECT_FREE as usize] = exp("HeapObjectFree", &["dt", "id"]);
    a[ev::GOROUTINE_STACK as usize] = exp("GoroutineStack", &["dt", "id", "order"]);
    a[ev::GOROUTINE_STACK_ALLOC as usize] = exp("GoroutineStackAlloc", &["dt", "id", "order"]);
    a[ev::GOROUTINE_STACK_FREE as usize] = exp("GoroutineStackFree", &["dt", "id"]);
    a
}

/// The spec of event type `typ`, if it is one Go defines (any version).
pub fn spec(typ: EventType) -> Option<&'static EventSpec> {
    SPECS.get(typ as usize).filter(|s| !s.name.is_empty())
}

/// The specs a trace of version `v` may contain on the wire, as Go's
/// `version.Version.Specs()` (used by the raw reader, `-d=wire`).
pub fn version_specs(v: Version) -> &'static [EventSpec] {
    let n = match v {
        Version::Go122 => ev::USER_LOG as usize + 1,
        Version::Go123 => ev::EXPERIMENTAL_BATCH as usize + 1,
        Version::Go125 => ev::CLOCK_SNAPSHOT as usize + 1,
        Version::Go126 => SPECS.len(),
    };
    &SPECS[..n]
}

/// Names of the four fields of a stack frame, in wire order.
pub const FRAME_FIELDS: [&str; 4] = ["pc", "func", "file", "line"];

/// Goroutine status values on the wire (`tracev2.GoStatus`).
#[allow(missing_docs)]
pub mod gostatus {
    pub const BAD: u64 = 0;
    pub const RUNNABLE: u64 = 1;
    pub const RUNNING: u64 = 2;
    pub const SYSCALL: u64 = 3;
    pub const WAITING: u64 = 4;
}

/// Proc status values on the wire (`tracev2.ProcStatus`).
#[allow(missing_docs)]
pub mod procstatus {
    pub const BAD: u64 = 0;
    pub const RUNNING: u64 = 1;
    pub const IDLE: u64 = 2;
    pub const SYSCALL: u64 = 3;
    pub const SYSCALL_ABANDONED: u64 = 4;
}

/// Name of a wire goroutine status, as Go's `tracev2.GoStatus.String`.
pub fn gostatus_name(s: u64) -> &'static str {
    match s {
        gostatus::RUNNABLE => "Runnable",
        gostatus::RUNNING => "Running",
        gostatus::SYSCALL => "Syscall",
        gostatus::WAITING => "Waiting",
        _ => "Bad",
    }
}

/// Name of a wire proc status, as Go's `tracev2.ProcStatus.String`.
pub fn procstatus_name(s: u64) -> &'static str {
    match s {
        procstatus::RUNNING => "Running",
        procstatus::IDLE => "Idle",
        procstatus::SYSCALL => "Syscall",
        procstatus::SYSCALL_ABANDONED => "SyscallAbandoned",
        _ => "Bad",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timed_events_fit_in_args() {
        for (i, sp) in SPECS.iter().enumerate() {
            if sp.is_timed {
                assert!(sp.args.len() <= MAX_TIMED_EVENT_ARGS, "{i} {}", sp.name);
                assert_eq!(sp.args[0], "dt", "{}", sp.name);
            }
            for &j in sp.string_ids.iter().chain(sp.stack_ids) {
                assert!(j < sp.args.len(), "{}", sp.name);
            }
        }
    }

    #[test]
    fn names_match_go() {
        // Spot checks against tracev2/events.go.
        assert_eq!(SPECS[ev::GO_STATUS_STACK as usize].name, "GoStatusStack");
        assert_eq!(
            SPECS[ev::GOROUTINE_STACK_FREE as usize].name,
            "GoroutineStackFree"
        );
        assert_eq!(version_specs(Version::Go122).len(), 45);
        assert_eq!(version_specs(Version::Go123).len(), 50);
        assert_eq!(version_specs(Version::Go125).len(), 52);
        assert_eq!(version_specs(Version::Go126).len(), 137);
    }
}
