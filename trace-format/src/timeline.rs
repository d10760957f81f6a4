//! Timelines: every state transition of each goroutine, proc and thread, in
//! time order, stitched by ID across procs, threads and generations.
//!
//! Events borrow per-generation tables, so a timeline interns what it keeps:
//! reasons become [`StrId`]s and stacks [`StackId`]s valid for the whole
//! trace. A [`Scope`] limits what is kept (e.g. one goroutine), so a focused
//! question costs memory proportional to the answer, not to the trace.

use std::collections::HashMap;

use crate::batch::ThreadId;
use crate::error::Result;
use crate::event::{Event, GoState, ProcState, ResourceId, Stack};
use crate::order::{GoId, NO_GOROUTINE, ProcId};
use crate::reader::Reader;

/// An interned string (0 is the empty string).
pub type StrId = u32;
/// An interned stack (0 is the empty stack).
pub type StackId = u32;

/// A stack frame with interned strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FrameRef {
    /// Program counter.
    pub pc: u64,
    /// Function name.
    pub func: StrId,
    /// File.
    pub file: StrId,
    /// Line.
    pub line: u64,
}

/// Strings and stacks interned across generations.
#[derive(Debug, Default)]
pub struct Interner {
    strings: Vec<Vec<u8>>,
    string_ids: HashMap<Vec<u8>, StrId>,
    stacks: Vec<Vec<FrameRef>>,
    stack_ids: HashMap<Vec<FrameRef>, StackId>,
    /// Per generation (Sync count): table stack ID → interned ID.
    by_gen: HashMap<u64, StackId>,
    sync: u64,
}

impl Interner {
    fn new() -> Self {
        let mut i = Interner::default();
        i.strings.push(Vec::new());
        i.string_ids.insert(Vec::new(), 0);
        i.stacks.push(Vec::new());
        i.stack_ids.insert(Vec::new(), 0);
        i
    }

    /// Interns a string.
    pub fn intern_str(&mut self, s: &[u8]) -> StrId {
        if let Some(&id) = self.string_ids.get(s) {
            return id;
        }
        let id = self.strings.len() as StrId;
        self.strings.push(s.to_vec());
        self.string_ids.insert(s.to_vec(), id);
        id
    }

    /// Interns an event's stack (cached per generation by table ID).
    pub fn intern_stack(&mut self, stk: Stack<'_>) -> StackId {
        if stk.id() == 0 {
            return 0;
        }
        let key = (self.sync << 32) ^ stk.id();
        if let Some(&id) = self.by_gen.get(&key) {
            return id;
        }
        let frames: Vec<FrameRef> = stk
            .frames()
            .iter()
            .map(|f| FrameRef {
                pc: f.pc,
                func: self.intern_str(f.func),
                file: self.intern_str(f.file),
                line: f.line,
            })
            .collect();
        let id = match self.stack_ids.get(&frames) {
            Some(&id) => id,
            None => {
                let id = self.stacks.len() as StackId;
                self.stacks.push(frames.clone());
                self.stack_ids.insert(frames, id);
                id
            }
        };
        self.by_gen.insert(key, id);
        id
    }

    /// Call at every Sync event: stack IDs restart per generation.
    fn next_generation(&mut self) {
        self.sync += 1;
        self.by_gen.clear();
    }

    /// The string for `id`.
    pub fn string(&self, id: StrId) -> &[u8] {
        self.strings.get(id as usize).map_or(&[][..], |s| s)
    }

    /// The frames of stack `id`, innermost first.
    pub fn stack(&self, id: StackId) -> &[FrameRef] {
        self.stacks.get(id as usize).map_or(&[][..], |s| s)
    }
}

/// One goroutine state transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GoTransition {
    /// Time, ns.
    pub time: i64,
    /// State before.
    pub from: GoState,
    /// State after.
    pub to: GoState,
    /// Reason (blocking and stopping).
    pub reason: StrId,
    /// The goroutine's stack at the transition (creation: its start stack).
    pub stack: StackId,
    /// Stack of the event's own context (e.g. the unblocker's or creator's stack).
    pub event_stack: StackId,
    /// Goroutine whose action caused it (the unblocker or creator), if another.
    pub by: GoId,
    /// Proc of the event.
    pub proc: ProcId,
    /// Thread of the event.
    pub thread: ThreadId,
}

/// One proc state transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcTransition {
    /// Time, ns.
    pub time: i64,
    /// State before.
    pub from: ProcState,
    /// State after.
    pub to: ProcState,
    /// Thread of the event.
    pub thread: ThreadId,
}

/// A transition that happened on a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadEntry {
    /// A goroutine transition (index into that goroutine's timeline).
    Goroutine(GoId, u32),
    /// A proc transition (index into that proc's timeline).
    Proc(ProcId, u32),
}

/// What to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Everything.
    All,
    /// One goroutine only.
    Goroutine(GoId),
    /// One proc only.
    Proc(ProcId),
    /// One thread only (with the goroutine and proc transitions on it).
    Thread(ThreadId),
}

/// Timelines of a trace.
#[derive(Debug)]
pub struct Timelines {
    goroutines: HashMap<GoId, Vec<GoTransition>>,
    procs: HashMap<ProcId, Vec<ProcTransition>>,
    threads: HashMap<ThreadId, Vec<ThreadEntry>>,
    /// Interned strings and stacks referenced by the transitions.
    pub interner: Interner,
}

impl Timelines {
    /// Reads the whole trace and builds the timelines in `scope`.
    pub fn build(data: &[u8], scope: Scope) -> Result<Timelines> {
        let mut b = TimelineBuilder::new(scope);
        let mut r = Reader::new(data)?;
        while let Some(ev) = r.read_event()? {
            b.push(&ev);
        }
        Ok(b.finish())
    }

    /// Goroutine `id`'s transitions in time order.
    pub fn goroutine(&self, id: GoId) -> &[GoTransition] {
        self.goroutines.get(&id).map_or(&[][..], |v| v)
    }

    /// Proc `id`'s transitions in time order.
    pub fn proc(&self, id: ProcId) -> &[ProcTransition] {
        self.procs.get(&id).map_or(&[][..], |v| v)
    }

    /// Transitions that happened on thread `id`, in time order.
    pub fn thread(&self, id: ThreadId) -> &[ThreadEntry] {
        self.threads.get(&id).map_or(&[][..], |v| v)
    }

    /// IDs of all goroutines with a timeline, sorted.
    pub fn goroutine_ids(&self) -> Vec<GoId> {
        let mut v: Vec<_> = self.goroutines.keys().copied().collect();
        v.sort_unstable();
        v
    }

    /// IDs of all procs with a timeline, sorted.
    pub fn proc_ids(&self) -> Vec<ProcId> {
        let mut v: Vec<_> = self.procs.keys().copied().collect();
        v.sort_unstable();
        v
    }

    /// IDs of all threads with a timeline, sorted.
    pub fn thread_ids(&self) -> Vec<ThreadId> {
        let mut v: Vec<_> = self.threads.keys().copied().collect();
        v.sort_unstable();
        v
    }
}

/// Builds [`Timelines`] from events pushed in order (for callers that already
/// run their own reading loop).
#[derive(Debug)]
pub struct TimelineBuilder {
    scope: Scope,
    t: Timelines,
}

impl TimelineBuilder {
    /// A builder keeping what `scope` selects.
    pub fn new(scope: Scope) -> Self {
        TimelineBuilder {
            scope,
            t: Timelines {
                goroutines: HashMap::new(),
                procs: HashMap::new(),
                threads: HashMap::new(),
                interner: Interner::new(),
            },
        }
    }

    /// Takes one event (in stream order).
    pub fn push(&mut self, ev: &Event<'_>) {
        if ev.sync().is_some() {
            self.t.interner.next_generation();
            return;
        }
        let Some(tr) = ev.state_transition() else {
            return;
        };
        let thread = ev.thread();
        match tr.resource {
            ResourceId::Goroutine(g) => {
                let keep = match self.scope {
                    Scope::All => true,
                    Scope::Goroutine(x) => x == g,
                    Scope::Thread(m) => m == thread,
                    Scope::Proc(_) => false,
                };
                let Some((from, to)) = tr.goroutine() else {
                    return;
                };
                if !keep {
                    return;
                }
                let i = &mut self.t.interner;
                let by = if ev.goroutine() != g {
                    ev.goroutine()
                } else {
                    NO_GOROUTINE
                };
                let entry = GoTransition {
                    time: ev.time(),
                    from,
                    to,
                    reason: i.intern_str(tr.reason),
                    stack: i.intern_stack(tr.stack),
                    event_stack: i.intern_stack(ev.stack()),
                    by,
                    proc: ev.proc(),
                    thread,
                };
                let list = self.t.goroutines.entry(g).or_default();
                list.push(entry);
                let idx = (list.len() - 1) as u32;
                self.on_thread(thread, ThreadEntry::Goroutine(g, idx));
            }
            ResourceId::Proc(p) => {
                let keep = match self.scope {
                    Scope::All => true,
                    Scope::Proc(x) => x == p,
                    Scope::Thread(m) => m == thread,
                    Scope::Goroutine(_) => false,
                };
                let Some((from, to)) = tr.proc() else { return };
                if !keep {
                    return;
                }
                let list = self.t.procs.entry(p).or_default();
                list.push(ProcTransition {
                    time: ev.time(),
                    from,
                    to,
                    thread,
                });
                let idx = (list.len() - 1) as u32;
                self.on_thread(thread, ThreadEntry::Proc(p, idx));
            }
            _ => {}
        }
    }

    /// Records in `thread`'s list (if threads are in scope) the transition
    /// `entry` points at.
    fn on_thread(&mut self, thread: ThreadId, entry: ThreadEntry) {
        if thread != crate::batch::NO_THREAD && matches!(self.scope, Scope::All | Scope::Thread(_))
        {
            self.t.threads.entry(thread).or_default().push(entry);
        }
    }

    /// The timelines.
    pub fn finish(self) -> Timelines {
        self.t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/traces")
            .join(name);
        std::fs::read(p).unwrap_or_default()
    }

    #[test]
    fn goroutine_timelines_are_consistent() {
        let data = fixture("sync-go1.27.trace");
        let t = Timelines::build(&data, Scope::All).expect("fixture reads");
        let ids = t.goroutine_ids();
        assert!(ids.len() > 5);
        for g in ids {
            let tl = t.goroutine(g);
            // Each transition starts where the previous one ended, in time order.
            for w in tl.windows(2) {
                assert!(w[0].time < w[1].time, "G{g} out of order");
                assert_eq!(w[0].to, w[1].from, "G{g} at {}", w[1].time);
            }
            // Blocking transitions carry a reason.
            for tr in tl
                .iter()
                .filter(|tr| tr.to == GoState::Waiting && tr.from == GoState::Running)
            {
                assert!(
                    !t.interner.string(tr.reason).is_empty(),
                    "G{g} blocked without reason"
                );
            }
        }
        // The focused build equals the corresponding slice of the full build.
        let one = Timelines::build(&data, Scope::Goroutine(1)).expect("fixture reads");
        assert_eq!(one.goroutine_ids(), vec![1]);
        assert_eq!(one.goroutine(1).len(), t.goroutine(1).len());
        // Per-thread entries point at transitions that happened on that thread,
        // and a build focused on one thread lists the same entries.
        let ms = t.thread_ids();
        assert!(ms.len() > 1 && ms.iter().all(|m| !t.thread(*m).is_empty()));
        let only = Timelines::build(&data, Scope::Thread(ms[0])).expect("fixture reads");
        assert_eq!(only.thread_ids(), vec![ms[0]]);
        assert_eq!(only.thread(ms[0]).len(), t.thread(ms[0]).len());
        for m in ms {
            for e in t.thread(m) {
                let th = match *e {
                    ThreadEntry::Goroutine(g, i) => t.goroutine(g)[i as usize].thread,
                    ThreadEntry::Proc(p, i) => t.proc(p)[i as usize].thread,
                };
                assert_eq!(th, m);
            }
        }
    }
}
