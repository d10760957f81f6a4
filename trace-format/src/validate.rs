//! Consistency checks over an ordered event stream, ported from Go's
//! `internal/trace/testtrace/validation.go`: strictly increasing time,
//! sequential Syncs with sane clock snapshots, goroutine and proc state
//! machines with their thread bindings, range pairing, task pairing and
//! complete stack frames.

use std::collections::HashMap;

use crate::batch::{NO_THREAD, ThreadId};
use crate::event::{ClockSnapshot, Event, EventKind, GoState, ProcState, ResourceId, Stack};
use crate::order::{BACKGROUND_TASK, GoId, NO_GOROUTINE, NO_PROC, NO_TASK, ProcId, TaskId};
use crate::version::Version;

#[derive(Debug, Clone, Copy)]
struct Ctx {
    p: ProcId,
    g: GoId,
}

/// Validates events one at a time. Feed it every event of a trace in order.
pub struct Validator {
    last_ts: i64,
    gs: HashMap<GoId, (GoState, Option<ThreadId>)>,
    ps: HashMap<ProcId, (ProcState, Option<ThreadId>)>,
    ms: HashMap<ThreadId, Ctx>,
    ranges: HashMap<ResourceId, Vec<String>>,
    tasks: HashMap<TaskId, Vec<u8>>,
    last_sync_n: u64,
    last_snapshot: Option<ClockSnapshot>,
    version: Version,
    skip_clock_snapshot_checks: bool,
}

impl Validator {
    /// A validator for a trace of version `version`.
    pub fn new(version: Version) -> Validator {
        Validator {
            last_ts: 0,
            gs: HashMap::new(),
            ps: HashMap::new(),
            ms: HashMap::new(),
            ranges: HashMap::new(),
            tasks: HashMap::new(),
            last_sync_n: 0,
            last_snapshot: None,
            version,
            skip_clock_snapshot_checks: false,
        }
    }

    /// Skips monotonicity checks of clock snapshots (some platforms' clocks aren't).
    pub fn skip_clock_snapshot_checks(&mut self) {
        self.skip_clock_snapshot_checks = true;
    }

    /// Checks one event; returns every problem found with it.
    pub fn event(&mut self, ev: &Event<'_>) -> Result<(), Vec<String>> {
        let mut e = Vec::new();
        if self.last_ts != 0 {
            if ev.time() <= self.last_ts {
                e.push(format!(
                    "timestamp out-of-order (want > {}) for {ev}",
                    self.last_ts
                ));
            } else {
                self.last_ts = ev.time();
            }
        } else {
            self.last_ts = ev.time();
        }
        check_stack(&mut e, ev.stack());
        match ev.kind() {
            EventKind::Sync => self.sync(&mut e, ev),
            EventKind::Metric => {
                if let Some(m) = ev.metric()
                    && !m.name.contains(':')
                {
                    e.push(format!("invalid metric name {:?}", m.name));
                }
            }
            EventKind::Label => {
                if let Some((l, r)) = ev.label() {
                    if l.is_empty() {
                        e.push("invalid label \"\"".into());
                    }
                    let known = match r {
                        ResourceId::Goroutine(id) => self.gs.contains_key(&id),
                        ResourceId::Proc(id) => self.ps.contains_key(&id),
                        ResourceId::Thread(id) => self.ms.contains_key(&id),
                        ResourceId::None => false,
                    };
                    if !known {
                        e.push(format!("label for invalid resource {r}"));
                    }
                }
            }
            EventKind::StateTransition => self.transition(&mut e, ev),
            EventKind::RangeBegin | EventKind::RangeActive | EventKind::RangeEnd => {
                if let Some(r) = ev.range() {
                    let name = r.name.to_string();
                    let has = self.ranges.get(&r.scope).is_some_and(|v| v.contains(&name));
                    match ev.kind() {
                        EventKind::RangeBegin => {
                            if has {
                                e.push(format!(
                                    "already active range {name:?} on {} begun again",
                                    r.scope
                                ));
                            }
                            self.ranges.entry(r.scope).or_default().push(name);
                        }
                        EventKind::RangeActive => {
                            if !has {
                                self.ranges.entry(r.scope).or_default().push(name);
                            }
                        }
                        _ => {
                            if !has {
                                e.push(format!("inactive range {name:?} on {} ended", r.scope));
                            }
                            if let Some(v) = self.ranges.get_mut(&r.scope)
                                && let Some(i) = v.iter().position(|x| *x == name)
                            {
                                v.remove(i);
                            }
                        }
                    }
                }
            }
            EventKind::TaskBegin => {
                if let Some(t) = ev.task() {
                    let typ = String::from_utf8_lossy(t.typ);
                    if t.id == NO_TASK || t.id == BACKGROUND_TASK {
                        e.push(format!("found invalid task ID for task of type {typ}"));
                    }
                    if t.parent == BACKGROUND_TASK {
                        e.push(format!(
                            "found background task as the parent for task of type {typ}"
                        ));
                    }
                    self.tasks.insert(t.id, t.typ.to_vec());
                }
            }
            EventKind::TaskEnd => {
                if let Some(t) = ev.task()
                    && let Some(typ) = self.tasks.remove(&t.id)
                    && t.typ != typ.as_slice()
                {
                    e.push(format!(
                        "task end type {:?} doesn't match task start type {:?} for task {}",
                        String::from_utf8_lossy(t.typ),
                        String::from_utf8_lossy(&typ),
                        t.id
                    ));
                }
            }
            _ => {}
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }

    fn sync(&mut self, e: &mut Vec<String>, ev: &Event<'_>) {
        let Some(s) = ev.sync() else { return };
        if s.n != self.last_sync_n + 1 {
            e.push(format!(
                "sync count is not sequential: expected {}, got {}",
                self.last_sync_n + 1,
                s.n
            ));
        }
        if self.version >= Version::Go125 && !(s.n > 1 && s.clock_snapshot.is_none()) {
            match s.clock_snapshot {
                None => e.push(format!("sync {} has no clock snapshot", s.n)),
                Some(c) => {
                    if c.wall_sec == 0 && c.wall_nsec == 0 {
                        e.push(format!("sync {} has zero wall time", s.n));
                    }
                    if c.mono == 0 {
                        e.push(format!("sync {} has zero mono time", s.n));
                    }
                    if c.trace == 0 {
                        e.push(format!("sync {} has zero trace time", s.n));
                    }
                    if !self.skip_clock_snapshot_checks
                        && s.n >= 2
                        && let Some(l) = self.last_snapshot
                    {
                        if (c.wall_sec, c.wall_nsec) <= (l.wall_sec, l.wall_nsec) {
                            e.push(format!("sync {} has non-increasing wall time", s.n));
                        }
                        if c.mono <= l.mono {
                            e.push(format!("sync {} has non-increasing mono time", s.n));
                        }
                        if c.trace <= l.trace {
                            e.push(format!("sync {} has non-increasing trace time", s.n));
                        }
                    }
                }
            }
        }
        self.last_sync_n = s.n;
        self.last_snapshot = s.clock_snapshot;
    }

    fn thread(&mut self, e: &mut Vec<String>, m: ThreadId) -> Option<ThreadId> {
        if m == NO_THREAD {
            e.push("must have thread, but thread ID is none".into());
            return None;
        }
        self.ms.entry(m).or_insert(Ctx {
            p: NO_PROC,
            g: NO_GOROUTINE,
        });
        Some(m)
    }

    fn transition(&mut self, e: &mut Vec<String>, ev: &Event<'_>) {
        let Some(tr) = ev.state_transition() else {
            return;
        };
        check_stack(e, tr.stack);
        if let (ResourceId::Goroutine(id), Some((old, new))) = (tr.resource, tr.goroutine()) {
            if new == GoState::Undetermined {
                e.push(format!(
                    "transition to undetermined state for goroutine {id}"
                ));
            }
            if self.last_sync_n > 1 && old == GoState::Undetermined {
                e.push(format!(
                    "undetermined goroutine {id} after first global sync"
                ));
            }
            if new == GoState::NotExist
                && self.ranges.get(&tr.resource).is_some_and(|v| !v.is_empty())
            {
                e.push(format!("goroutine {id} died with active ranges"));
            }
            let binding = match self.gs.get_mut(&id) {
                Some(st) => {
                    if old != st.0 {
                        e.push(format!(
                            "bad old state for goroutine {id}: got {}, want {}",
                            old.name(),
                            st.0.name()
                        ));
                    }
                    st.0 = new;
                    st.1
                }
                None => {
                    if old != GoState::Undetermined && old != GoState::NotExist {
                        e.push(format!(
                            "bad old state for unregistered goroutine {id}: {}",
                            old.name()
                        ));
                    }
                    self.gs.insert(id, (new, None));
                    None
                }
            };
            if new.executing() {
                if let Some(m) = self.thread(e, ev.thread()) {
                    if let Some(ctx) = self.ms.get_mut(&m) {
                        if ctx.g != NO_GOROUTINE && ctx.g != id {
                            e.push(format!(
                                "tried to run goroutine {id} when one was already executing ({}) on thread {m}",
                                ctx.g
                            ));
                        }
                        ctx.g = id;
                    }
                    if let Some(st) = self.gs.get_mut(&id) {
                        st.1 = Some(m);
                    }
                }
            } else if old.executing() && !new.executing() {
                let (ts, es) = (tr.stack, ev.stack());
                if ts.is_present() != es.is_present() || ts.id() != es.id() {
                    e.push("StateTransition.Stack doesn't match Event.Stack".into());
                }
                match binding.and_then(|m| self.ms.get_mut(&m).map(|c| (m, c))) {
                    Some((m, ctx)) => {
                        if ctx.g != id {
                            e.push(format!(
                                "tried to stop goroutine {id} when it wasn't currently executing (currently executing {}) on thread {m}",
                                ctx.g
                            ));
                        }
                        ctx.g = NO_GOROUTINE;
                        if let Some(st) = self.gs.get_mut(&id) {
                            st.1 = None;
                        }
                    }
                    None => e.push(format!(
                        "stopping goroutine {id} not bound to any active context"
                    )),
                }
            }
        } else if let (ResourceId::Proc(id), Some((old, new))) = (tr.resource, tr.proc()) {
            if new == ProcState::Undetermined {
                e.push(format!("transition to undetermined state for proc {id}"));
            }
            if self.last_sync_n > 1 && old == ProcState::Undetermined {
                e.push(format!("undetermined proc {id} after first global sync"));
            }
            if new == ProcState::NotExist
                && self.ranges.get(&tr.resource).is_some_and(|v| !v.is_empty())
            {
                e.push(format!("proc {id} died with active ranges"));
            }
            let binding = match self.ps.get_mut(&id) {
                Some(st) => {
                    if old != st.0 {
                        e.push(format!(
                            "bad old state for proc {id}: got {}, want {}",
                            old.name(),
                            st.0.name()
                        ));
                    }
                    st.0 = new;
                    st.1
                }
                None => {
                    if old != ProcState::Undetermined && old != ProcState::NotExist {
                        e.push(format!(
                            "bad old state for unregistered proc {id}: {}",
                            old.name()
                        ));
                    }
                    self.ps.insert(id, (new, None));
                    None
                }
            };
            let executing = |s: ProcState| s == ProcState::Running;
            if executing(new) {
                if let Some(m) = self.thread(e, ev.thread()) {
                    if let Some(ctx) = self.ms.get_mut(&m) {
                        if ctx.p != NO_PROC && ctx.p != id {
                            e.push(format!(
                                "tried to run proc {id} when one was already executing ({}) on thread {m}",
                                ctx.p
                            ));
                        }
                        ctx.p = id;
                    }
                    if let Some(st) = self.ps.get_mut(&id) {
                        st.1 = Some(m);
                    }
                }
            } else if executing(old) && !executing(new) {
                match binding.and_then(|m| self.ms.get_mut(&m).map(|c| (m, c))) {
                    Some((m, ctx)) => {
                        if ctx.p != id {
                            e.push(format!(
                                "tried to stop proc {id} when it wasn't currently executing (currently executing {}) on thread {m}",
                                ctx.p
                            ));
                        }
                        ctx.p = NO_PROC;
                        if let Some(st) = self.ps.get_mut(&id) {
                            st.1 = None;
                        }
                    }
                    None => e.push(format!(
                        "stopping proc {id} not bound to any active context"
                    )),
                }
            }
        }
    }
}

fn check_stack(e: &mut Vec<String>, stk: Stack<'_>) {
    for (i, f) in stk.frames().iter().enumerate() {
        if i == 0 {
            continue;
        }
        if f.func.is_empty() || f.file.is_empty() || f.pc == 0 || f.line == 0 {
            e.push(format!("invalid stack frame {f:?}: missing information"));
        }
    }
}
