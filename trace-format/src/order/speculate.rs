//! Speculation: ordering generation N before generation N−1 is done.
//!
//! Each generation's ordering starts from the state the previous one left
//! (goroutine, proc and thread states, region stacks and ranges, tasks, the
//! GC sequence, the last time handed out). A speculative run orders
//! generation N from an empty state instead and, wherever it reads state it
//! has not written itself in this generation, records what it assumed:
//! - a `GoStatus`/`ProcStatus` for an unknown goroutine or proc assumes it
//!   exists with that status (what Go checks it against); a proc abandoned
//!   in a syscall, that it was in the syscall;
//! - a goroutine created, or a task begun, assumes its ID is not in use;
//! - each thread's scheduling context is guessed from its leading status
//!   events (the runtime opens a thread's generation with the statuses of
//!   its P and goroutine); a thread a proc is stolen from, before its own
//!   first event, holds that proc; a thread without events that a
//!   goroutine's syscall status names holds that goroutine;
//! - the GC sequence is guessed from the first GC event;
//! - region and range operations on carried goroutines and procs are
//!   logged, to be replayed on the real stacks;
//! - what only shows in the output is resolved at commit: a task ended
//!   here but begun earlier, the thread a stolen proc's status is
//!   attributed to, and the first times' clamp.
//!
//! Reads that cannot succeed whatever the previous state was (an event
//! whose sequence number is of this generation, on an entity not yet
//! touched in it) need no assumption: the sequential run would not advance
//! either. Reads that would need the previous state in any other way end
//! the run with an error, as does any error.
//!
//! Once N−1 is done, [`Ordering::commit_speculation`] checks every
//! assumption against its real end state. If they all hold, the run read
//! exactly what a sequential run would have read, so it made the same
//! decisions and queued the same events; what is left is to clamp the
//! first times, resolve the task names and merge the states. If one fails,
//! the caller orders generation N again, sequentially. The same holds of a
//! run stopped part-way (its turn came): the merged state is then the
//! state a sequential run has at that point, from which the rest of the
//! generation is ordered as a sequential run orders it.

use super::*;
use crate::intmap::IntMap;
use crate::table::FxHashSet;

/// A region or range operation on a goroutine carried from the previous
/// generation, replayed on its real state at commit.
#[derive(Debug, Clone, Copy)]
pub(super) enum ExtraOp<'a> {
    /// A region began (`true`) or ended.
    Region(bool, UserRegion<'a>),
    Range(RangeOp),
}

/// A range operation on a carried goroutine or proc.
#[derive(Debug, Clone, Copy)]
pub(super) enum RangeOp {
    Begin(RangeType),
    /// Assumed in flight (a non-initial generation's `...Active`).
    Active(RangeType),
    /// Ended, and its begin's argument.
    End(EventType, u64),
}

/// A `TaskEnd`, resolved at commit.
#[derive(Debug, Clone, Copy)]
pub(super) enum TaskEnd<'a> {
    /// The task began in this generation.
    Known(TaskState<'a>),
    /// Not begun in this generation: maybe in an earlier one.
    Carried(TaskId),
    /// Ended before in this generation.
    Unknown,
}

/// What a speculative run assumed.
#[derive(Debug, Default)]
pub(crate) struct Spec<'a> {
    /// Goroutines assumed to exist with this status.
    pub(super) g_present: Vec<(GoId, u64)>,
    /// Goroutine IDs assumed unused.
    pub(super) g_absent: Vec<GoId>,
    /// Goroutines whose state came from the previous generation (their
    /// region stacks and ranges are only partly known: `g_ops`).
    pub(super) g_carried: IntMap<()>,
    /// Carried goroutines that ended in this generation (known not to
    /// exist).
    pub(super) g_gone: IntMap<()>,
    pub(super) g_ops: Vec<(GoId, ExtraOp<'a>)>,
    pub(super) p_present: Vec<(ProcId, u64)>,
    pub(super) p_carried: FxHashSet<ProcId>,
    pub(super) p_ops: Vec<(ProcId, RangeOp)>,
    /// Threads' guessed scheduling contexts.
    m_pred: Vec<(ThreadId, MState)>,
    /// Threads assumed to exist (read by another thread's event first).
    pub(super) m_present: Vec<ThreadId>,
    /// Threads without events here assumed to exist and hold a goroutine
    /// (in a syscall since an earlier generation).
    pub(super) m_holds: Vec<(ThreadId, GoId)>,
    /// The GC sequence and state assumed at the first GC event.
    gc: Option<(u64, GcState)>,
    pub(super) task_absent: Vec<TaskId>,
    pub(super) task_gone: FxHashSet<TaskId>,
    /// `TaskEnd` events by index in the generation's output.
    pub(super) task_ends: Vec<(usize, TaskEnd<'a>)>,
    /// `ProcStatus` events of procs abandoned in a syscall, by index in the
    /// generation's output: their context is the thread that holds the
    /// proc, looked for at commit among the previous generation's threads
    /// and (as they were at the event) the threads met by the run.
    steal_scans: Vec<StealScan>,
}

#[derive(Debug)]
struct StealScan {
    at: usize,
    proc: ProcId,
    /// The threads the run had met, in slot order, and their states.
    met: Vec<(ThreadId, MState)>,
}

impl Spec<'_> {
    fn clear(&mut self) {
        self.g_present.clear();
        self.g_absent.clear();
        self.g_carried.clear();
        self.g_gone.clear();
        self.g_ops.clear();
        self.p_present.clear();
        self.p_carried.clear();
        self.p_ops.clear();
        self.m_pred.clear();
        self.m_present.clear();
        self.m_holds.clear();
        self.gc = None;
        self.task_absent.clear();
        self.task_gone.clear();
        self.task_ends.clear();
        self.steal_scans.clear();
    }
}

impl<'a> Ordering<'a> {
    /// An ordering for a generation after the first (`initial_gen`), from an
    /// empty state, recording what it assumes of the previous generation's.
    pub fn speculative(version: Version, initial_gen: u64) -> Self {
        let mut o = Ordering::new(version);
        o.restart_speculation(initial_gen);
        o
    }

    /// Empties this ordering for another speculative run, keeping its
    /// memory (a generation's maps are large: allocating them anew for each
    /// generation cost page faults and rehashing).
    pub fn restart_speculation(&mut self, initial_gen: u64) {
        self.g_states.clear();
        for _ in self.p_states.drain() {}
        self.m_index.clear();
        self.m_slots.clear();
        self.active_tasks.clear();
        self.gc_seq = 0;
        self.gc_state = GcState::Undetermined;
        self.initial_gen = initial_gen;
        self.queue.clear();
        self.head = 0;
        self.last_ts = i64::MIN;
        self.task_names = Arc::default();
        self.poison = None;
        self.taken = 0;
        match &mut self.spec {
            Some(sp) => sp.clear(),
            None => self.spec = Some(Box::default()),
        }
    }

    /// Whether this is a speculative run.
    pub fn is_speculative(&self) -> bool {
        self.spec.is_some()
    }

    /// Guesses thread `m`'s scheduling context at the start of the
    /// generation from its first events: the runtime opens a thread's
    /// generation with status events, among them its running (or
    /// syscalling) P's `ProcStatus` and its running goroutine's `GoStatus`
    /// (or that of a goroutine in a syscall on `m`); statuses of other
    /// goroutines (one it is about to unblock, say) may come first.
    pub fn predict_thread(&mut self, m: ThreadId, first: &[BaseEvent]) {
        let mut st = NO_M_STATE;
        let (mut have_p, mut have_g) = (false, false);
        for e in first {
            match e.typ {
                ev::PROC_STATUS if !have_p => {
                    have_p = true;
                    if matches!(e.args[1], procstatus::RUNNING | procstatus::SYSCALL) {
                        st.p = e.args[0] as i64;
                    }
                }
                ev::GO_STATUS | ev::GO_STATUS_STACK => {
                    if !have_g
                        && (e.args[2] == gostatus::RUNNING
                            || (e.args[2] == gostatus::SYSCALL && e.args[1] as i64 == m))
                    {
                        have_g = true;
                        st.g = e.args[0] as i64;
                    }
                }
                _ => break,
            }
        }
        let slot = self.m_slot(m) as usize;
        if let (Some(s), Some(sp)) = (self.m_slots.get_mut(slot), self.spec.as_mut()) {
            s.predicted = true;
            s.st = st;
            sp.m_pred.push((m, st));
        }
    }

    /// Proc `p` is stolen from thread `m`: if `m`'s state is a guess no
    /// event has read yet, guess that it holds `p` (a thread blocked in a
    /// syscall since the previous generation keeps its proc until stolen;
    /// its own first events do not name it).
    pub(super) fn spec_thread_holds(&mut self, m: ThreadId, p: ProcId) {
        let Some(sp) = &mut self.spec else {
            return;
        };
        let Some(&slot) = self.m_index.get(&m) else {
            return;
        };
        if let Some(s) = self.m_slots.get_mut(slot as usize)
            && s.predicted
            && !s.present
        {
            s.st.p = p;
            if let Some(pred) = sp.m_pred.iter_mut().find(|(id, _)| *id == m) {
                pred.1.p = p;
            }
        }
    }

    /// Goroutine `g` was looked up and not found: assume it does not exist.
    #[inline]
    pub(super) fn spec_g_absent(&mut self, g: GoId) {
        if let Some(sp) = &mut self.spec
            && !sp.g_gone.contains_key(&g)
        {
            sp.g_absent.push(g);
        }
    }

    /// Task `id` was looked up and not found: assume it is not active.
    pub(super) fn spec_task_absent(&mut self, id: TaskId) {
        if let Some(sp) = &mut self.spec
            && !sp.task_gone.contains(&id)
        {
            sp.task_absent.push(id);
        }
    }

    /// Removes goroutine `g`. A run records the end only of a goroutine it
    /// carried: one it created was assumed absent before the generation
    /// (`g_absent`), so the previous state has nothing to remove, and a
    /// later lookup that assumes its absence again assumes nothing new.
    /// (Recording every end kept ~70,000 IDs per generation of the 200 MB
    /// trace in a table that missed the cache on every goroutine created.)
    #[inline]
    pub(super) fn g_remove(&mut self, g: GoId) {
        self.g_states.remove(&g);
        if let Some(sp) = &mut self.spec
            && sp.g_carried.remove(&g).is_some()
        {
            sp.g_gone.insert(g, ());
        }
    }

    pub(super) fn spec_g_carried(&self, g: GoId) -> bool {
        self.spec
            .as_ref()
            .is_some_and(|sp| sp.g_carried.contains_key(&g))
    }

    pub(super) fn spec_p_carried(&self, p: ProcId) -> bool {
        self.spec
            .as_ref()
            .is_some_and(|sp| sp.p_carried.contains(&p))
    }

    /// A `ProcStatus` of proc `p` abandoned in a syscall is about to be
    /// queued: record what its context will be looked up in.
    pub(super) fn spec_steal_scan(&mut self, p: ProcId) {
        let met = self
            .m_slots
            .iter()
            .filter(|s| s.present)
            .map(|s| (s.id, s.st))
            .collect();
        if let Some(sp) = &mut self.spec {
            sp.steal_scans.push(StealScan {
                at: self.taken + self.queue.len(),
                proc: p,
                met,
            });
        }
    }

    /// Logs a region or range operation on goroutine `g` if it is carried.
    pub(super) fn spec_g_op(&mut self, g: GoId, op: ExtraOp<'a>) {
        if let Some(sp) = &mut self.spec
            && sp.g_carried.contains_key(&g)
        {
            sp.g_ops.push((g, op));
        }
    }

    /// Logs a range operation on proc `p` if it is carried.
    pub(super) fn spec_p_op(&mut self, p: ProcId, op: RangeOp) {
        if let Some(sp) = &mut self.spec
            && sp.p_carried.contains(&p)
        {
            sp.p_ops.push((p, op));
        }
    }

    /// At a GC event with sequence number `seq`: if this is the run's first,
    /// assume the GC sequence and state that let it advance.
    pub(super) fn spec_gc(&mut self, seq: u64, state: GcState) {
        if let Some(sp) = &mut self.spec
            && sp.gc.is_none()
        {
            self.gc_seq = seq.wrapping_sub(1);
            self.gc_state = state;
            sp.gc = Some((self.gc_seq, state));
        }
    }

    /// Checks the speculative run `s` (whose output is `chunks`, in order)
    /// against this state, which the previous generation left. On success
    /// the output is fixed up (times clamped after the previous
    /// generation's, task ends resolved) and this becomes the state after
    /// `s`'s events (at its generation's end, or part-way), taken out of
    /// `s`. On failure nothing changes and the reason is returned: the
    /// generation must be ordered again.
    pub fn commit_speculation(
        &mut self,
        s: &mut Ordering<'a>,
        chunks: &mut [Packed],
    ) -> Result<(), &'static str> {
        let Some(sp) = s.spec.take() else {
            return Err("not speculative");
        };
        let checked = self
            .check(&sp)
            .and_then(|x| Ok((x, self.steal_contexts(&sp)?)));
        let result = checked.map(|((g_extras, p_ranges), steals)| {
            patch(chunks, &steals);
            self.merge(s, &sp, chunks, g_extras, p_ranges)
        });
        s.spec = Some(sp);
        result
    }

    /// The second half of `commit_speculation`, once the checks passed.
    fn merge(
        &mut self,
        s: &mut Ordering<'a>,
        sp: &Spec<'a>,
        chunks: &mut [Packed],
        g_extras: IdMap<GoId, GExtra<'a>>,
        p_ranges: IdMap<ProcId, RangeState>,
    ) {
        self.clamp_times(s, chunks);
        self.resolve_task_ends(s, sp, chunks);
        // Goroutines: removals first (a goroutine may end and its ID be
        // created again), then this generation's states over the old.
        for (g, ()) in sp.g_gone.iter() {
            self.g_states.remove(g);
        }
        let mut g_extras = g_extras;
        for (g, mut st) in s.g_states.drain() {
            if sp.g_carried.contains_key(&g) {
                st.extra = match g_extras.remove(&g) {
                    Some(x) => Some(Box::new(x)),
                    None => self.g_states.get_mut(&g).and_then(|old| old.extra.take()),
                };
            }
            self.g_states.insert(g, st);
        }
        let mut p_ranges = p_ranges;
        for (p, mut st) in s.p_states.drain() {
            if sp.p_carried.contains(&p) {
                st.ranges = match p_ranges.remove(&p) {
                    Some(r) => r,
                    None => self
                        .p_states
                        .get_mut(p)
                        .map(|old| std::mem::take(&mut old.ranges))
                        .unwrap_or_default(),
                };
            }
            self.p_states.insert(p, st);
        }
        for slot in s.m_slots.iter().filter(|slot| slot.present) {
            self.m_insert(slot.id, slot.st);
        }
        if sp.gc.is_some() {
            self.gc_seq = s.gc_seq;
            self.gc_state = s.gc_state;
        }
        self.active_tasks.extend(s.active_tasks.drain());
        self.task_names = std::mem::take(&mut s.task_names);
    }

    /// Checks `sp`'s assumptions against this state; returns the carried
    /// goroutines' and procs' region stacks and ranges after replaying the
    /// run's operations on them.
    #[allow(clippy::type_complexity)]
    fn check(
        &self,
        sp: &Spec<'a>,
    ) -> Result<(IdMap<GoId, GExtra<'a>>, IdMap<ProcId, RangeState>), &'static str> {
        for &(g, status) in &sp.g_present {
            if self.g_states.get(&g).map(|s| s.status) != Some(status) {
                return Err("goroutine status");
            }
        }
        if sp.g_absent.iter().any(|g| self.g_states.contains_key(g)) {
            return Err("goroutine exists");
        }
        for &(p, status) in &sp.p_present {
            if self.p_states.get(p).map(|s| s.status) != Some(status) {
                return Err("proc status");
            }
        }
        for &(m, st) in &sp.m_pred {
            let old = self
                .m_slot_of(m)
                .filter(|s| s.present)
                .map_or(NO_M_STATE, |s| s.st);
            if (old.g, old.p) != (st.g, st.p) {
                return Err("thread context");
            }
        }
        if sp
            .m_present
            .iter()
            .any(|&m| !self.m_slot_of(m).is_some_and(|s| s.present))
        {
            return Err("thread exists");
        }
        if sp
            .m_holds
            .iter()
            .any(|&(m, g)| !self.m_slot_of(m).is_some_and(|s| s.present && s.st.g == g))
        {
            return Err("thread's goroutine");
        }
        match sp.gc {
            // A GCBegin first advances the same way if no GC was seen yet.
            Some((_, GcState::NotRunning)) if self.gc_state == GcState::Undetermined => {}
            Some(gc) if (self.gc_seq, self.gc_state) != gc => return Err("GC state"),
            _ => {}
        }
        if sp
            .task_absent
            .iter()
            .any(|t| self.active_tasks.contains_key(t))
        {
            return Err("task exists");
        }
        let mut g_extras: IdMap<GoId, GExtra<'a>> = IdMap::default();
        for &(g, op) in &sp.g_ops {
            let x = g_extras.entry(g).or_insert_with(|| {
                self.g_states
                    .get(&g)
                    .and_then(|s| s.extra.as_deref())
                    .cloned()
                    .unwrap_or_default()
            });
            let ok = match op {
                ExtraOp::Region(true, r) => {
                    x.regions.push(r);
                    true
                }
                ExtraOp::Region(false, r) => match x.regions.last() {
                    Some(&top) if top != r => false,
                    Some(_) => {
                        x.regions.pop();
                        true
                    }
                    None => true,
                },
                ExtraOp::Range(op) => replay_range(&mut x.ranges, op),
            };
            if !ok {
                return Err("goroutine regions or ranges");
            }
        }
        let mut p_ranges: IdMap<ProcId, RangeState> = IdMap::default();
        for &(p, op) in &sp.p_ops {
            let r = p_ranges.entry(p).or_insert_with(|| {
                self.p_states
                    .get(p)
                    .map(|s| s.ranges.clone())
                    .unwrap_or_default()
            });
            if !replay_range(r, op) {
                return Err("proc ranges");
            }
        }
        Ok((g_extras, p_ranges))
    }

    /// The contexts of the run's `ProcStatus` events of procs abandoned in
    /// a syscall (by output index): Go's scan of every thread for the one
    /// holding the proc (the last in slot order), over this state's threads
    /// and the run's as they were at the event. Threads new in the run come
    /// after this state's, in the order the run met them, as in a
    /// sequential run.
    fn steal_contexts(&self, sp: &Spec<'a>) -> Result<Vec<(usize, SchedCtx)>, &'static str> {
        let mut out = Vec::with_capacity(sp.steal_scans.len());
        for scan in &sp.steal_scans {
            let met = |m: ThreadId| scan.met.iter().find(|(id, _)| *id == m).map(|(_, st)| *st);
            let old = self.m_slots.iter().map(|s| {
                let st = met(s.id).or(s.present.then_some(s.st));
                (s.id, st)
            });
            let new = scan
                .met
                .iter()
                .filter(|(m, _)| !self.m_index.contains_key(m))
                .map(|&(m, st)| (m, Some(st)));
            let found = old
                .chain(new)
                .filter_map(|(m, st)| st.filter(|st| st.p == scan.proc).map(|st| (m, st.g)))
                .next_back();
            let Some((m, g)) = found else {
                return Err("thread of a stolen proc");
            };
            out.push((scan.at, SchedCtx { g, p: scan.proc, m }));
        }
        Ok(out)
    }

    /// Thread `m`'s slot, if it has one.
    fn m_slot_of(&self, m: ThreadId) -> Option<&MSlot> {
        self.m_slots.get(*self.m_index.get(&m)? as usize)
    }

    /// Clamps the run's first times after this state's last (Go's rule that
    /// handed-out times increase strictly): once an event's time is past
    /// the clamp, the run's own clamping gave the rest their final times.
    fn clamp_times(&mut self, s: &Ordering<'a>, chunks: &mut [Packed]) {
        let mut last = self.last_ts;
        for chunk in chunks {
            for i in 0..chunk.len() {
                let Some(mut q) = chunk.get(i) else { break };
                if q.base.time > last {
                    self.last_ts = s.last_ts;
                    return;
                }
                q.base.time = last.wrapping_add(1);
                last = q.base.time;
                chunk.set(i, &q);
            }
        }
        self.last_ts = last;
    }

    /// Fills in the parent and name of each `TaskEnd`, in event order (the
    /// name list gets the indices a sequential run gives it), taking tasks
    /// begun in earlier generations from this state.
    fn resolve_task_ends(&mut self, s: &mut Ordering<'a>, sp: &Spec<'a>, chunks: &mut [Packed]) {
        if sp.task_ends.is_empty() {
            return;
        }
        for &(i, end) in &sp.task_ends {
            let ts = match end {
                TaskEnd::Known(ts) => Some(ts),
                TaskEnd::Carried(id) => self.active_tasks.remove(&id),
                TaskEnd::Unknown => None,
            };
            let (parent, sid) = match ts {
                Some(ts) => (ts.parent, s.add_task_name(ts.name)),
                None => (NO_TASK, 0),
            };
            modify_at(chunks, i, |q| {
                q.base.set_extra(0, parent);
                q.base.set_extra(1, sid);
            });
        }
    }
}

/// Applies `f` to the event at output index `i` of a run whose output is
/// `chunks`.
fn modify_at(chunks: &mut [Packed], mut i: usize, f: impl FnOnce(&mut QueuedEvent)) {
    for chunk in chunks {
        if i < chunk.len() {
            if let Some(mut q) = chunk.get(i) {
                f(&mut q);
                chunk.set(i, &q);
            }
            return;
        }
        i -= chunk.len();
    }
}

/// Sets the contexts of the events at the given output indices.
fn patch(chunks: &mut [Packed], ctxs: &[(usize, SchedCtx)]) {
    for &(at, ctx) in ctxs {
        modify_at(chunks, at, |q| q.ctx = ctx);
    }
}

/// Go's range rules for a non-initial generation, replayed on real state:
/// whether the operation succeeds as the speculative run assumed.
fn replay_range(r: &mut RangeState, op: RangeOp) -> bool {
    match op {
        RangeOp::Begin(t) => r.begin(t).is_ok(),
        RangeOp::Active(t) => r.has(t),
        RangeOp::End(typ, desc) => r.end(typ) == Ok(desc),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queued(time: i64) -> QueuedEvent {
        QueuedEvent {
            base: BaseEvent {
                time,
                ..BaseEvent::TABLED
            },
            ctx: SchedCtx {
                g: NO_GOROUTINE,
                p: NO_PROC,
                m: NO_THREAD,
            },
        }
    }

    fn packed(chunks: &[&[QueuedEvent]]) -> Vec<Packed> {
        chunks
            .iter()
            .map(|c| {
                let mut p = Packed::default();
                p.extend_from(c);
                p
            })
            .collect()
    }

    fn times(chunks: &[Packed]) -> Vec<Vec<i64>> {
        chunks
            .iter()
            .map(|c| c.iter().map(|q| q.base.time).collect())
            .collect()
    }

    /// Times are clamped after the previous generation's last as a
    /// sequential run clamps them: each one past the one before.
    #[test]
    fn times_continue_from_the_previous_generation() {
        let v = Version::Go126;
        let mut prev = Ordering::new(v);
        prev.last_ts = 100;
        let mut spec = Ordering::speculative(v, 1);
        spec.last_ts = 201;
        let mut chunks = packed(&[&[queued(50), queued(60)], &[queued(200), queued(201)]]);
        prev.clamp_times(&spec, &mut chunks);
        assert_eq!(times(&chunks), [vec![101, 102], vec![200, 201]]);
        assert_eq!(prev.last_ts, 201);
        // Every event before the previous generation's last: all moved.
        prev.last_ts = 100;
        spec.last_ts = 60;
        let mut chunks = packed(&[&[queued(50)], &[queued(60)]]);
        prev.clamp_times(&spec, &mut chunks);
        assert_eq!(times(&chunks), [vec![101], vec![102]]);
        assert_eq!(prev.last_ts, 102);
    }

    /// A run records the end of a goroutine it carried (the commit removes
    /// it from the previous state), not of one it created (assumed absent
    /// before; nothing to remove, and looking it up again assumes its
    /// absence again).
    #[test]
    fn ends_recorded_for_carried_goroutines_only() {
        let v = Version::Go126;
        let st = |status| GState::new(status, Seq { gen_no: 1, n: 0 });
        let mut prev = Ordering::new(v);
        prev.g_states.insert(5, st(gostatus::WAITING));
        let mut run = Ordering::speculative(v, 1);
        // Goroutine 5's status read (carried), goroutine 7 created; both end.
        if let Some(sp) = run.spec.as_mut() {
            sp.g_present.push((5, gostatus::WAITING));
            sp.g_carried.insert(5, ());
        }
        run.g_states.insert(5, st(gostatus::WAITING));
        run.spec_g_absent(7);
        run.g_states.insert(7, st(gostatus::RUNNABLE));
        run.g_remove(5);
        run.g_remove(7);
        run.spec_g_absent(5);
        run.spec_g_absent(7);
        let sp = run.spec.as_ref().expect("speculative");
        assert!(sp.g_gone.contains_key(&5));
        assert!(!sp.g_gone.contains_key(&7));
        assert!(!sp.g_carried.contains_key(&5));
        assert_eq!(sp.g_absent, [7, 7]);
        assert_eq!(prev.commit_speculation(&mut run, &mut []), Ok(()));
        assert!(prev.g_states.get(&5).is_none());
        assert!(prev.g_states.get(&7).is_none());
        // Had 7 existed before the generation, the run could not commit.
        let mut prev = Ordering::new(v);
        prev.g_states.insert(5, st(gostatus::WAITING));
        prev.g_states.insert(7, st(gostatus::WAITING));
        let mut run = Ordering::speculative(v, 1);
        run.spec_g_absent(7);
        run.g_states.insert(7, st(gostatus::RUNNABLE));
        run.g_remove(7);
        assert!(prev.commit_speculation(&mut run, &mut []).is_err());
    }

    #[test]
    fn contexts_are_patched_by_output_index() {
        let mut chunks = packed(&[&[queued(1), queued(2)], &[queued(3), queued(4), queued(5)]]);
        let ctx = |g| SchedCtx { g, p: 7, m: 9 };
        patch(&mut chunks, &[(1, ctx(11)), (3, ctx(13))]);
        let gs: Vec<i64> = chunks
            .iter()
            .flat_map(Packed::iter)
            .map(|q| q.ctx.g)
            .collect();
        assert_eq!(gs, [NO_GOROUTINE, 11, NO_GOROUTINE, 13, NO_GOROUTINE]);
    }

    fn event(typ: EventType, args: [u64; 3]) -> BaseEvent {
        BaseEvent {
            typ,
            args: [args[0], args[1], args[2], 0],
            ..BaseEvent::TABLED
        }
    }

    /// A thread's context at a generation's start, from its first events.
    #[test]
    fn thread_guesses() {
        let m = 5;
        let guess = |first: BaseEvent, second: Option<BaseEvent>| {
            let mut o = Ordering::speculative(Version::Go126, 1);
            let events: Vec<BaseEvent> = std::iter::once(first).chain(second).collect();
            o.predict_thread(m, &events);
            let st = o.spec.as_ref().map(|sp| sp.m_pred[0].1);
            st.map(|st| (st.g, st.p))
        };
        let ps = |p, s| event(ev::PROC_STATUS, [p, s, 0]);
        let gs = |g, mid: i64, s| event(ev::GO_STATUS, [g, mid as u64, s]);
        // Running on P 2 with goroutine 8.
        assert_eq!(
            guess(
                ps(2, procstatus::RUNNING),
                Some(gs(8, NO_THREAD, gostatus::RUNNING))
            ),
            Some((8, 2))
        );
        // In a syscall with goroutine 8, its P idle (handed off).
        assert_eq!(
            guess(ps(2, procstatus::IDLE), Some(gs(8, m, gostatus::SYSCALL))),
            Some((8, NO_PROC))
        );
        // A goroutine in a syscall on another thread is not this one's.
        assert_eq!(
            guess(gs(8, 6, gostatus::SYSCALL), None),
            Some((NO_GOROUTINE, NO_PROC))
        );
        // The status of a goroutine it unblocks first, then its own.
        let mut o = Ordering::speculative(Version::Go126, 1);
        o.predict_thread(
            m,
            &[
                gs(9, NO_THREAD, gostatus::WAITING),
                ps(0, procstatus::RUNNING),
                gs(1, m, gostatus::RUNNING),
                event(ev::GO_UNBLOCK, [9, 1, 0]),
                gs(4, m, gostatus::RUNNING),
            ],
        );
        let st = o.spec.as_ref().map(|sp| sp.m_pred[0].1);
        assert_eq!(st.map(|st| (st.g, st.p)), Some((1, 0)));
        // Starting afresh: nothing.
        assert_eq!(
            guess(event(ev::PROC_START, [2, 1, 0]), None),
            Some((NO_GOROUTINE, NO_PROC))
        );
    }

    /// Range operations replayed on real state follow Go's rules.
    #[test]
    fn ranges_replay_as_go_would() {
        let assist = make_range_type(ev::GC_MARK_ASSIST_BEGIN, 0);
        let mut r = RangeState::default();
        assert!(!replay_range(&mut r, RangeOp::Active(assist)));
        assert!(replay_range(&mut r, RangeOp::Begin(assist)));
        assert!(!replay_range(&mut r, RangeOp::Begin(assist)));
        assert!(replay_range(&mut r, RangeOp::Active(assist)));
        // Ended, but its begin's argument was not the one the run saw.
        assert!(!replay_range(
            &mut r.clone(),
            RangeOp::End(ev::GC_MARK_ASSIST_END, 1)
        ));
        assert!(replay_range(
            &mut r,
            RangeOp::End(ev::GC_MARK_ASSIST_END, 0)
        ));
        assert!(!replay_range(
            &mut r,
            RangeOp::End(ev::GC_MARK_ASSIST_END, 0)
        ));
    }
}
