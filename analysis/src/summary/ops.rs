//! What the summarizer needs of each event, as owned values ([`Op`]), so that
//! reading it off the event (on the thread that orders the trace) and
//! applying it (possibly on another thread) can be split. Events that cannot
//! change the summary produce no op.

use std::sync::Arc;

use trace_format::{
    Event, EventKind, Frame, GoId, GoState, ProcId, ProcState, RangeName, ResourceId, TaskId,
};

use super::{EventRef, FrameInfo, Time};
use crate::intern::{FxHashMap, Interner, go_string};

/// One event, reduced to what the summary uses.
pub struct Op {
    pub(super) time: Time,
    /// `ev.Goroutine()`.
    pub(super) goroutine: GoId,
    /// `ev.Proc()`.
    pub(super) proc: ProcId,
    pub(super) what: What,
}

/// A string interned by the [`OpBuilder`], defined to the summarizer by a
/// [`What::Define`] op before its first use (so that hot ops carry no
/// reference counts across threads).
pub(super) type Sym = u32;

pub(super) enum What {
    /// String `Sym` is this.
    Define(Sym, Arc<str>),
    /// The Nth Sync.
    Sync(u64),
    Go(GoTransition),
    /// A P went idle (from another state).
    ProcIdle(ProcId),
    Range {
        kind: EventKind,
        name: Arc<str>,
        scope: ResourceId,
    },
    Region {
        begin: bool,
        task: TaskId,
        name: Arc<str>,
        ev: Box<EventRef>,
    },
    Task {
        begin: bool,
        id: TaskId,
        parent: TaskId,
        name: Arc<str>,
        ev: Box<EventRef>,
    },
    Log {
        task: TaskId,
        category: Arc<str>,
        message: String,
    },
}

/// A goroutine state change (`old != new`).
pub(super) struct GoTransition {
    pub id: GoId,
    pub old: GoState,
    pub new: GoState,
    /// The reason, for transitions to Waiting.
    pub reason: Option<Sym>,
    /// Whether that reason is `forever` (which ends the goroutine).
    pub forever: bool,
    /// PC and function of the last (outermost) frame of the transition stack.
    pub entry: Option<(u64, Sym)>,
    /// The event itself, for creations and ends when regions are tracked.
    pub ev: Option<Box<EventRef>>,
}

/// A direct-mapped cache keyed by addresses of the current generation's
/// tables (cleared at each Sync, when the tables change): far cheaper than a
/// hash map on the hot path, falling back to the interner on a miss.
struct AddrCache<V> {
    slots: Vec<(usize, usize, Option<V>)>,
}

impl<V: Clone> AddrCache<V> {
    const SLOTS: usize = 1024;

    fn new() -> AddrCache<V> {
        AddrCache {
            slots: vec![(0, 0, None); Self::SLOTS],
        }
    }

    fn slot(addr: usize) -> usize {
        (addr >> 3 ^ addr >> 13) % Self::SLOTS
    }

    fn get(&self, addr: usize, len: usize) -> Option<V> {
        match &self.slots[Self::slot(addr)] {
            (a, l, Some(v)) if *a == addr && *l == len => Some(v.clone()),
            _ => None,
        }
    }

    fn insert(&mut self, addr: usize, len: usize, v: V) {
        self.slots[Self::slot(addr)] = (addr, len, Some(v));
    }

    fn clear(&mut self) {
        for s in &mut self.slots {
            *s = (0, 0, None);
        }
    }
}

/// Turns events into [`Op`]s, interning their strings.
pub struct OpBuilder {
    strings: Interner,
    /// Symbols of the strings on the hot path.
    syms: FxHashMap<Box<[u8]>, Sym>,
    /// Definitions of new symbols, to emit before the op that uses them.
    defines: Vec<(Sym, Arc<str>)>,
    /// Symbols of the current generation's strings by address and length.
    by_addr: AddrCache<Sym>,
    /// Outermost frames of the current generation by address.
    frames: AddrCache<(u64, Sym)>,
    range_name: Vec<u8>,
    annotations: bool,
}

impl OpBuilder {
    /// A builder; `annotations`: also regions, tasks and logs.
    pub fn new(annotations: bool) -> OpBuilder {
        OpBuilder {
            strings: Interner::default(),
            syms: FxHashMap::default(),
            defines: Vec::new(),
            by_addr: AddrCache::new(),
            frames: AddrCache::new(),
            range_name: Vec::new(),
            annotations,
        }
    }

    /// Appends the ops of `ev` to `out`: none if it cannot change the
    /// summary, else its op after the definitions of new strings it uses.
    pub fn build(&mut self, ev: &Event<'_>, out: &mut Vec<Op>) {
        let Some(op) = self.op(ev) else { return };
        if !self.defines.is_empty() {
            for (sym, s) in self.defines.drain(..) {
                out.push(Op {
                    time: op.time,
                    goroutine: op.goroutine,
                    proc: op.proc,
                    what: What::Define(sym, s),
                });
            }
        }
        out.push(op);
    }

    fn op(&mut self, ev: &Event<'_>) -> Option<Op> {
        let what = match ev.kind() {
            EventKind::Sync => {
                self.by_addr.clear();
                self.frames.clear();
                What::Sync(ev.sync().map_or(0, |s| s.n))
            }
            EventKind::StateTransition => {
                let st = ev.state_transition()?;
                match st.resource {
                    ResourceId::Goroutine(id) => {
                        let (old, new) = st.goroutine()?;
                        if old == new {
                            return None;
                        }
                        let waiting = new == GoState::Waiting;
                        let reason = waiting.then(|| self.intern_fast(st.reason));
                        let forever = waiting && st.reason == b"forever";
                        let entry = st.stack.frames().last().map(|f| self.entry(f));
                        let ends = new == GoState::NotExist || forever;
                        let ev = (self.annotations && (old == GoState::NotExist || ends))
                            .then(|| self.event_ref(ev));
                        What::Go(GoTransition {
                            id,
                            old,
                            new,
                            reason,
                            forever,
                            entry,
                            ev: ev.map(Box::new),
                        })
                    }
                    ResourceId::Proc(id) => {
                        let (old, new) = st.proc()?;
                        if old == new || new != ProcState::Idle {
                            return None;
                        }
                        What::ProcIdle(id)
                    }
                    _ => return None,
                }
            }
            kind @ (EventKind::RangeBegin | EventKind::RangeActive | EventKind::RangeEnd) => {
                let r = ev.range()?;
                What::Range {
                    kind,
                    name: self.range_name(r.name),
                    scope: r.scope,
                }
            }
            kind @ (EventKind::RegionBegin | EventKind::RegionEnd) if self.annotations => {
                let r = ev.region()?;
                What::Region {
                    begin: kind == EventKind::RegionBegin,
                    task: r.task,
                    name: self.strings.get(r.typ),
                    ev: Box::new(self.event_ref(ev)),
                }
            }
            kind @ (EventKind::TaskBegin | EventKind::TaskEnd) if self.annotations => {
                let t = ev.task()?;
                What::Task {
                    begin: kind == EventKind::TaskBegin,
                    id: t.id,
                    parent: t.parent,
                    name: self.strings.get(t.typ),
                    ev: Box::new(self.event_ref(ev)),
                }
            }
            EventKind::Log if self.annotations => {
                let l = ev.log()?;
                What::Log {
                    task: l.task,
                    category: self.strings.get(l.category),
                    message: go_string(l.message),
                }
            }
            _ => return None,
        };
        Some(Op {
            time: ev.time(),
            goroutine: ev.goroutine(),
            proc: ev.proc(),
            what,
        })
    }

    /// Interns a string of the current generation, first by its address.
    /// The symbol of `b`, defining it if new.
    fn sym(&mut self, b: &[u8]) -> Sym {
        if let Some(&s) = self.syms.get(b) {
            return s;
        }
        let s = self.syms.len() as Sym;
        self.syms.insert(b.into(), s);
        self.defines.push((s, self.strings.get(b)));
        s
    }

    /// The symbol of a string of the current generation, first by address.
    fn intern_fast(&mut self, b: &[u8]) -> Sym {
        if let Some(s) = self.by_addr.get(b.as_ptr() as usize, b.len()) {
            return s;
        }
        let s = self.sym(b);
        self.by_addr.insert(b.as_ptr() as usize, b.len(), s);
        s
    }

    fn entry(&mut self, f: &Frame<'_>) -> (u64, Sym) {
        let addr = f as *const Frame<'_> as usize;
        if let Some(e) = self.frames.get(addr, 0) {
            return e;
        }
        let e = (f.pc, self.sym(f.func));
        self.frames.insert(addr, 0, e);
        e
    }

    fn range_name(&mut self, name: RangeName<'_>) -> Arc<str> {
        let buf = &mut self.range_name;
        buf.clear();
        match name {
            RangeName::StopTheWorld(r) => {
                buf.extend_from_slice(b"stop-the-world (");
                buf.extend_from_slice(r);
                buf.push(b')');
            }
            RangeName::GcMark => buf.extend_from_slice(b"GC concurrent mark phase"),
            RangeName::GcSweep => buf.extend_from_slice(b"GC incremental sweep"),
            RangeName::GcMarkAssist => buf.extend_from_slice(b"GC mark assist"),
        }
        self.strings.get(&self.range_name)
    }

    fn event_ref(&mut self, ev: &Event<'_>) -> EventRef {
        EventRef {
            kind: ev.kind(),
            time: ev.time(),
            goroutine: ev.goroutine(),
            frame: ev.stack().frames().last().map(|f| FrameInfo {
                pc: f.pc,
                func: self.strings.get(f.func),
                file: self.strings.get(f.file),
                line: f.line,
            }),
        }
    }
}
