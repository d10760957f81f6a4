//! What the summarizer needs of each event, as owned values ([`Op`]), so that
//! reading it off the event (on the thread that orders the trace) and
//! applying it (possibly on another thread) can be split. Events that cannot
//! change the summary produce no op.
//!
//! A builder without statistics (see [`super::Summarizer::intervals_only`])
//! leaves out what only statistics use: P and range ops, block reasons, and
//! the transitions that neither create, name, start nor end a goroutine.
//!
//! Nearly every op is a goroutine transition, so ops are laid out for it: an
//! [`Op`] is 40 bytes, and a transition is plain data (strings and entry
//! frames travel as numbers defined by earlier ops). Ops with owned payloads
//! (ranges, regions, tasks, logs, transitions carrying their event) are rare
//! and boxed, so that they do not make every op larger.

use std::num::NonZeroU32;
use std::sync::Arc;

use trace_format::{
    Event, EventKind, Frame, GoId, GoState, ProcId, ProcState, RangeName, ResourceId, Stack,
    StateTransition, TaskId,
};

use super::{EventRef, FrameInfo, Time};
use crate::intern::{FxHashMap, Interner, go_string};

/// One event, reduced to what the summary uses.
pub struct Op {
    pub(super) time: Time,
    pub(super) what: What,
}

/// A string interned by the [`OpBuilder`], defined to the summarizer by a
/// [`What::Define`] op before its first use (so that hot ops carry no
/// reference counts across threads). Numbered from 1, so that an
/// `Option<Sym>` takes 4 bytes.
pub(super) type Sym = NonZeroU32;

/// An entry frame (PC and function) interned by the [`OpBuilder`], defined
/// by a [`What::DefineEntry`] op before its first use.
pub(super) type EntryId = NonZeroU32;

pub(super) enum What {
    /// The hot op.
    Go(GoTransition),
    /// A goroutine creation or end with the event itself, which regions
    /// keep (only when regions are tracked).
    GoEvent(Box<(GoTransition, EventRef)>),
    /// A P went idle (from another state).
    ProcIdle(ProcId),
    /// The Nth Sync.
    Sync(u64),
    /// String `Sym` is this.
    Define(Sym, Arc<str>),
    /// Entry `EntryId` is this PC in this function.
    DefineEntry(EntryId, u64, Sym),
    Rare(Box<Rare>),
}

/// Ops that are rare and carry owned data.
pub(super) enum Rare {
    Range {
        /// `ev.Goroutine()`.
        goroutine: GoId,
        kind: EventKind,
        name: Arc<str>,
        scope: ResourceId,
    },
    Region {
        begin: bool,
        task: TaskId,
        name: Arc<str>,
        ev: EventRef,
    },
    Task {
        begin: bool,
        id: TaskId,
        parent: TaskId,
        name: Arc<str>,
        ev: EventRef,
    },
    Log {
        /// `ev.Goroutine()`.
        goroutine: GoId,
        task: TaskId,
        category: Arc<str>,
        message: String,
    },
}

/// A goroutine state change (`old != new`). Not `Copy`: applying an op
/// moves it out, which spares dropping the op afterwards.
pub(super) struct GoTransition {
    pub id: GoId,
    /// `ev.Proc()` (where a syscall runs).
    pub proc: ProcId,
    /// The reason, for transitions to Waiting.
    pub reason: Option<Sym>,
    /// The last (outermost) frame of the transition stack.
    pub entry: Option<EntryId>,
    pub old: GoState,
    pub new: GoState,
    /// Whether the reason is `forever` (which ends the goroutine).
    pub forever: bool,
}

/// What an [`OpBuilder`] may ask of the summarizer's live goroutines, to
/// leave out ops that cannot change the summary.
pub(super) trait Live {
    /// Whether goroutine `id` is live and its name or start time is not
    /// known yet (asked only without statistics).
    fn unsettled(&self, id: GoId) -> bool;
    /// Whether goroutine `id` is live and inside regions.
    fn in_region(&self, id: GoId) -> bool;
}

/// Live goroutines not at hand (ops made on another thread): all may matter.
struct Unknown;

impl Live for Unknown {
    fn unsettled(&self, _: GoId) -> bool {
        true
    }

    fn in_region(&self, _: GoId) -> bool {
        true
    }
}

/// A direct-mapped cache keyed by a pair of the current generation (the
/// address and length of a string of its tables, a stack ID), cleared at
/// each Sync, when the tables change: far cheaper than a hash map on the hot
/// path, falling back to the interners on a miss. `SHIFT`: low bits of the
/// key that vary little (alignment of addresses).
struct DirectCache<V, const SHIFT: u32> {
    slots: Vec<(usize, usize, Option<V>)>,
}

impl<V: Copy, const SHIFT: u32> DirectCache<V, SHIFT> {
    const SLOTS: usize = 1024;

    fn new() -> Self {
        DirectCache {
            slots: vec![(0, 0, None); Self::SLOTS],
        }
    }

    fn slot(key: usize) -> usize {
        (key >> SHIFT ^ key >> 13) % Self::SLOTS
    }

    #[inline]
    fn get(&self, key: (usize, usize)) -> Option<V> {
        match self.slots[Self::slot(key.0)] {
            (a, l, v) if (a, l) == key => v,
            _ => None,
        }
    }

    fn insert(&mut self, key: (usize, usize), v: V) {
        self.slots[Self::slot(key.0)] = (key.0, key.1, Some(v));
    }

    fn clear(&mut self) {
        self.slots.fill((0, 0, None));
    }
}

/// Turns events into [`Op`]s, interning their strings.
pub struct OpBuilder {
    strings: Interner,
    /// Symbols of the strings on the hot path.
    syms: FxHashMap<Box<[u8]>, Sym>,
    /// Entries by PC and function.
    entries: FxHashMap<(u64, Sym), EntryId>,
    /// Symbols of the current generation's strings by address and length.
    by_addr: DirectCache<Sym, 3>,
    /// Entries of the current generation's stacks (`None`: no frames) by
    /// stack ID: stacks repeat, and the ID spares the frame lookup.
    stacks: DirectCache<Option<EntryId>, 0>,
    range_name: Vec<u8>,
    annotations: bool,
    stats: bool,
}

impl OpBuilder {
    /// A builder; `annotations`: also regions, tasks and logs.
    pub fn new(annotations: bool) -> OpBuilder {
        OpBuilder::with_stats(annotations, true)
    }

    /// A builder; `stats`: also what only execution statistics use.
    pub(super) fn with_stats(annotations: bool, stats: bool) -> OpBuilder {
        OpBuilder {
            strings: Interner::default(),
            syms: FxHashMap::default(),
            entries: FxHashMap::default(),
            by_addr: DirectCache::new(),
            stacks: DirectCache::new(),
            range_name: Vec::new(),
            annotations,
            stats,
        }
    }

    /// Appends the ops of `ev` to `out`: none if it cannot change the
    /// summary, else its op after the definitions of new strings it uses.
    pub fn build(&mut self, ev: &Event<'_>, out: &mut Vec<Op>) {
        self.build_with(ev, out, &Unknown);
    }

    /// [`OpBuilder::build`], leaving out what cannot matter given the
    /// summarizer's `live` goroutines at this event. Returns whether the
    /// event changes the summary with statistics, hence is its last event
    /// so far, even if no op was made.
    #[inline(always)]
    pub(super) fn build_with(
        &mut self,
        ev: &Event<'_>,
        out: &mut Vec<Op>,
        live: &impl Live,
    ) -> bool {
        // `state_transition` is `Some` exactly for the StateTransition
        // events (most events): trying it first spares finding the kind.
        self.build_given(ev, ev.state_transition().as_ref(), out, live)
    }

    /// [`OpBuilder::build_with`] given `ev.state_transition()`.
    #[inline(always)]
    pub(super) fn build_given(
        &mut self,
        ev: &Event<'_>,
        st: Option<&StateTransition<'_>>,
        out: &mut Vec<Op>,
        live: &impl Live,
    ) -> bool {
        match st {
            Some(st) => self.transition(ev, st, out, live),
            None => self.build_other(ev, out),
        }
    }

    /// [`OpBuilder::build_with`] for events other than state transitions.
    #[inline(never)]
    fn build_other(&mut self, ev: &Event<'_>, out: &mut Vec<Op>) -> bool {
        let what = match ev.kind() {
            EventKind::Sync => {
                self.by_addr.clear();
                self.stacks.clear();
                What::Sync(ev.sync().map_or(0, |s| s.n))
            }
            kind => match self.rare(ev, kind) {
                Some(Some(r)) => What::Rare(Box::new(r)),
                Some(None) => return true,
                None => return false,
            },
        };
        out.push(Op {
            time: ev.time(),
            what,
        });
        true
    }

    /// Appends the op of a state transition, if it can change the summary
    /// (after the definitions of the new strings it uses); returns as
    /// [`OpBuilder::build_with`].
    #[inline(always)]
    fn transition(
        &mut self,
        ev: &Event<'_>,
        st: &StateTransition<'_>,
        out: &mut Vec<Op>,
        live: &impl Live,
    ) -> bool {
        let time = ev.time();
        let what = match st.resource {
            ResourceId::Goroutine(id) => {
                let Some((old, new)) = st.goroutine() else {
                    return false;
                };
                if old == new {
                    return false;
                }
                let waiting = new == GoState::Waiting;
                let forever = waiting && st.reason == b"forever";
                if !self.stats
                    && !matches!(old, GoState::Undetermined | GoState::NotExist)
                    && new != GoState::NotExist
                    && !forever
                    && !((st.stack.id() != 0 || new == GoState::Running) && live.unsettled(id))
                {
                    // Neither creates, names, starts nor ends it.
                    return true;
                }
                // The reason only counts in statistics.
                let reason = if waiting && self.stats {
                    Some(self.intern_fast(st.reason, Defs { out, time }))
                } else {
                    None
                };
                let tr = GoTransition {
                    id,
                    proc: ev.proc(),
                    reason,
                    entry: self.entry(st.stack, Defs { out, time }),
                    old,
                    new,
                    forever,
                };
                let ends = new == GoState::NotExist || tr.forever;
                // Regions keep the event of a creation inside a region (the
                // creator's), which starts the new goroutine's, and of the
                // end of a goroutine inside regions, which ends them.
                let kept = if old == GoState::NotExist {
                    live.in_region(ev.goroutine())
                } else {
                    ends && live.in_region(id)
                };
                if self.annotations && kept {
                    // Without statistics, regions keep only the event's time.
                    let ev = if self.stats {
                        self.event_ref(ev)
                    } else {
                        EventRef {
                            kind: ev.kind(),
                            time,
                            goroutine: ev.goroutine(),
                            frame: None,
                        }
                    };
                    What::GoEvent(Box::new((tr, ev)))
                } else {
                    What::Go(tr)
                }
            }
            ResourceId::Proc(id) => match st.proc() {
                Some((old, new)) if old != new && new == ProcState::Idle => {
                    if !self.stats {
                        return true;
                    }
                    What::ProcIdle(id)
                }
                _ => return false,
            },
            _ => return false,
        };
        out.push(Op { time, what });
        true
    }

    /// The op of an event that is neither a state transition nor a Sync:
    /// `None` if the event cannot change the summary, `Some(None)` if it
    /// changes only statistics that this builder leaves out.
    #[inline(never)]
    fn rare(&mut self, ev: &Event<'_>, kind: EventKind) -> Option<Option<Rare>> {
        Some(Some(match kind {
            kind @ (EventKind::RangeBegin | EventKind::RangeActive | EventKind::RangeEnd) => {
                let r = ev.range()?;
                if !self.stats {
                    return Some(None);
                }
                Rare::Range {
                    goroutine: ev.goroutine(),
                    kind,
                    name: self.range_name(r.name),
                    scope: r.scope,
                }
            }
            kind @ (EventKind::RegionBegin | EventKind::RegionEnd) if self.annotations => {
                let r = ev.region()?;
                Rare::Region {
                    begin: kind == EventKind::RegionBegin,
                    task: r.task,
                    name: self.strings.get(r.typ),
                    ev: self.event_ref(ev),
                }
            }
            kind @ (EventKind::TaskBegin | EventKind::TaskEnd) if self.annotations => {
                let t = ev.task()?;
                Rare::Task {
                    begin: kind == EventKind::TaskBegin,
                    id: t.id,
                    parent: t.parent,
                    name: self.strings.get(t.typ),
                    ev: self.event_ref(ev),
                }
            }
            EventKind::Log if self.annotations => {
                let l = ev.log()?;
                Rare::Log {
                    goroutine: ev.goroutine(),
                    task: l.task,
                    category: self.strings.get(l.category),
                    message: go_string(l.message),
                }
            }
            _ => return None,
        }))
    }

    /// The symbol of `b`, defining it if new.
    fn sym(&mut self, b: &[u8], defs: Defs<'_>) -> Sym {
        if let Some(&s) = self.syms.get(b) {
            return s;
        }
        let s = next_id(self.syms.len());
        self.syms.insert(b.into(), s);
        defs.push(What::Define(s, self.strings.get(b)));
        s
    }

    /// The symbol of a string of the current generation, first by address.
    #[inline]
    fn intern_fast(&mut self, b: &[u8], defs: Defs<'_>) -> Sym {
        let key = (b.as_ptr() as usize, b.len());
        if let Some(s) = self.by_addr.get(key) {
            return s;
        }
        let s = self.sym(b, defs);
        self.by_addr.insert(key, s);
        s
    }

    /// The entry of a stack of the current generation (its outermost
    /// frame), first by stack ID.
    #[inline]
    fn entry(&mut self, stack: Stack<'_>, defs: Defs<'_>) -> Option<EntryId> {
        // Most transitions have no stack (ID 0).
        let id = usize::try_from(stack.id()).ok().filter(|&id| id != 0)?;
        if let Some(e) = self.stacks.get((id, 0)) {
            return e;
        }
        let e = stack.frames().last().map(|f| self.new_entry(f, defs));
        self.stacks.insert((id, 0), e);
        e
    }

    /// The entry of `f`, defining it if new.
    #[cold]
    fn new_entry(&mut self, f: &Frame<'_>, mut defs: Defs<'_>) -> EntryId {
        let key = (f.pc, self.sym(f.func, defs.reborrow()));
        if let Some(&e) = self.entries.get(&key) {
            return e;
        }
        let e = next_id(self.entries.len());
        self.entries.insert(key, e);
        defs.push(What::DefineEntry(e, key.0, key.1));
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

/// Where definitions go: straight into the output, before the op of the
/// event that needs them (and at its time).
struct Defs<'a> {
    out: &'a mut Vec<Op>,
    time: Time,
}

impl Defs<'_> {
    fn push(self, what: What) {
        self.out.push(Op {
            time: self.time,
            what,
        });
    }

    fn reborrow(&mut self) -> Defs<'_> {
        Defs {
            out: self.out,
            time: self.time,
        }
    }
}

/// The ID after `n` IDs numbered from 1 (saturating: past 2³²−1 distinct
/// strings, which no trace has, the last one is reused).
fn next_id(n: usize) -> NonZeroU32 {
    u32::try_from(n + 1).map_or(NonZeroU32::MAX, |i| {
        NonZeroU32::new(i).unwrap_or(NonZeroU32::MIN)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_stay_small() {
        assert!(std::mem::size_of::<Op>() <= 40);
    }
}
