//! The trace reader: generations in, one validated, ordered event stream out
//! (Go's `reader.go` and `batchcursor.go`).
//!
//! For each generation: emit a Sync event, then repeatedly take the thread
//! whose next event has the smallest timestamp (a min-heap over per-thread
//! cursors) and try to advance the ordering with it; if it cannot advance,
//! sort the frontier by time and try the others in order. CPU samples are
//! merged in by time. Output times are forced to increase strictly.
//!
//! Generations come from a `GenStream`; each thread's events are decoded
//! lazily, as Go's batch cursors do. [`Reader`] orders them one after the
//! other on the caller's thread; [`for_each_event`] orders generations on
//! two threads at once, speculatively (`reader/parallel.rs`), while the
//! caller's thread consumes the events.
//!
//! The ordering hot path is written to avoid per-event overheads measured
//! with callgrind and perf (~440 instructions per ordered event, decoding
//! included): events move as 48-byte values laid out so that copies do not
//! stall on store forwarding, thread states sit in slots the cursors hold,
//! error formatting is out of line, and `Reader::run_fast` skips the
//! general step's checks while the heap's top can advance.

use crate::batch::ThreadId;
use crate::error::{Error, Result};
use crate::event::Event;
use std::sync::Arc;

use crate::generation::Generation;
use crate::genstream::{GenItem, GenStream};
use crate::gosort;
use crate::order::{
    BaseEvent, EV_SYNC, NO_GOROUTINE, NO_PROC, Ordering, Packed, QueuedEvent, SchedCtx,
};
use crate::spec::{SPECS, ev};
use crate::version::{HEADER_LEN, Version, read_header};

mod parallel;
pub use parallel::for_each_event;

/// A cursor over one thread's events in a generation, decoded lazily from
/// the batch bytes (Go's `batchCursor`; no memory beyond the input). It
/// keeps the current batch's unread bytes, so that decoding an event does
/// not go through the generation's batch lists.
#[derive(Debug, Clone, Copy)]
struct BatchCursor<'a> {
    m: ThreadId,
    /// `m`'s state slot in the ordering.
    mslot: u32,
    /// Index of this thread in `Generation::batches`.
    list: usize,
    /// Index of the next batch.
    idx: usize,
    /// The current batch's unread bytes, their file offset and the batch's
    /// base time (ticks).
    rest: &'a [u8],
    rest_off: u64,
    batch_time: u64,
    /// Lazy: timestamp of the previous event in the batch.
    last_ts: i64,
    ev: BaseEvent,
}

impl<'a> BatchCursor<'a> {
    fn new(m: ThreadId, mslot: u32, list: usize) -> Self {
        BatchCursor {
            m,
            mslot,
            list,
            idx: 0,
            rest: &[],
            rest_off: 0,
            batch_time: 0,
            last_ts: 0,
            ev: BaseEvent::TABLED,
        }
    }

    /// Loads the next event; `Ok(false)` when the thread has no more.
    #[inline(always)]
    fn next_event(&mut self, g: &Generation<'a>) -> Result<bool> {
        if self.rest.is_empty() && !self.next_batch(g) {
            return Ok(false);
        }
        let n = g.decode_event(
            self.rest,
            self.rest_off,
            self.batch_time,
            &mut self.last_ts,
            &mut self.ev,
        )?;
        self.rest = self.rest.get(n..).unwrap_or_default();
        self.rest_off += n as u64;
        Ok(true)
    }

    /// Moves to the thread's next non-empty batch; `false` if none is left.
    #[inline(never)]
    fn next_batch(&mut self, g: &Generation<'a>) -> bool {
        let Some((_, batches)) = g.batches.get(self.list) else {
            return false;
        };
        while let Some(b) = batches.get(self.idx) {
            self.idx += 1;
            if !b.data.is_empty() {
                self.rest = b.data;
                self.rest_off = b.offset;
                self.batch_time = b.time;
                self.last_ts = 0;
                return true;
            }
        }
        false
    }
}

/// A frontier entry: a cursor's current event time and its index in
/// `Reader::cursors`. The heap moves these 16-byte keys, not the cursors;
/// since only times are compared, the keys go through exactly the
/// permutations Go's heap of cursors goes through (ties included).
#[derive(Debug, Clone, Copy)]
struct Key {
    time: i64,
    cur: usize,
}

/// The file offset of an event of `g` (the generation's start if unknown).
fn event_offset(g: &Generation<'_>, ev: &BaseEvent) -> u64 {
    match ev.gen_off {
        u32::MAX => g.start,
        o => g.start + u64::from(o),
    }
}

/// Takes cursor `bc`'s current event in `order` and loads the thread's
/// next one: `Ok(None)` if the event cannot be taken yet, else whether the
/// thread has more events.
#[inline(always)]
fn take_step<'a>(
    order: &mut Ordering<'a>,
    bc: &mut BatchCursor<'a>,
    g: &Generation<'a>,
) -> Result<Option<bool>> {
    let ok = order
        .advance(&mut bc.ev, &g.table, bc.m, bc.mslot, g.gen_no)
        .map_err(|msg| Error::invalid(msg, event_offset(g, &bc.ev)).in_generation(g.gen_no))?;
    if !ok {
        return Ok(None);
    }
    bc.next_event(g).map(Some)
}

#[inline]
fn heap_sift_up(h: &mut [Key], mut i: usize) -> usize {
    while i > 0 && h[(i - 1) / 2].time > h[i].time {
        h.swap((i - 1) / 2, i);
        i = (i - 1) / 2;
    }
    i
}

#[inline]
fn heap_sift_down(h: &mut [Key], mut i: usize) {
    loop {
        let m = min3(h, i, 2 * i + 1, 2 * i + 2);
        if m == i {
            break;
        }
        h.swap(i, m);
        i = m;
    }
}

#[inline]
fn min3(h: &[Key], i0: usize, i1: usize, i2: usize) -> usize {
    let mut min_idx = i0;
    let mut min_t = h.get(i0).map_or(i64::MAX, |c| c.time);
    if let Some(c) = h.get(i1)
        && c.time < min_t
    {
        min_t = c.time;
        min_idx = i1;
    }
    if let Some(c) = h.get(i2)
        && c.time < min_t
    {
        min_idx = i2;
    }
    min_idx
}

fn heap_insert(h: &mut Vec<Key>, c: Key) {
    h.push(c);
    let last = h.len() - 1;
    heap_sift_up(h, last);
}

#[inline]
fn heap_update(h: &mut [Key], i: usize) {
    if heap_sift_up(h, i) != i {
        return;
    }
    heap_sift_down(h, i);
}

fn heap_remove(h: &mut Vec<Key>, mut i: usize) {
    while i > 0 {
        h.swap((i - 1) / 2, i);
        i = (i - 1) / 2;
    }
    let last = h.len() - 1;
    h.swap(0, last);
    h.pop();
    heap_sift_down(h, 0);
}

/// Where generations come from.
enum Source<'a> {
    /// Read as they are needed.
    Inline(GenStream<'a>),
    /// Installed one at a time by the caller ([`parallel`]); nothing comes
    /// after the installed one.
    Detached,
}

impl<'a> Source<'a> {
    fn next_item(&mut self) -> GenItem<'a> {
        match self {
            Source::Inline(s) => s.next_item(),
            Source::Detached => GenItem::End,
        }
    }
}

/// Reads a Go 1.22+ execution trace from bytes, producing events in Go's order.
///
/// ```no_run
/// # fn main() -> Result<(), trace_format::Error> {
/// let data = std::fs::read("trace.out").unwrap();
/// let mut r = trace_format::Reader::new(&data)?;
/// while let Some(ev) = r.read_event()? {
///     println!("{ev}");
/// }
/// # Ok(()) }
/// ```
pub struct Reader<'a> {
    version: Version,
    source: Source<'a>,
    /// The generation being ordered: its tables, shared with the events
    /// handed out (another thread may still read them in `for_each_event`).
    current: Option<Arc<Generation<'a>>>,
    /// Min-heap (by time) of the threads that have events left.
    frontier: Vec<Key>,
    /// This generation's cursors, one per thread, indexed by `Key::cur`.
    cursors: Vec<BatchCursor<'a>>,
    cpu_next: usize,
    order: Ordering<'a>,
    syncs: u64,
    /// Error to return after the Sync that precedes it.
    pending_err: Option<Error>,
    /// Error the fast path met, to return once the events ordered before
    /// it are out.
    fail_next: Option<Error>,
    done: bool,
    failed: Option<Error>,
    /// File offset up to which every generation has been completely read.
    complete_through: u64,
    len: usize,
}

impl<'a> Reader<'a> {
    /// Starts reading `data`, which must begin with the trace header.
    pub fn new(data: &'a [u8]) -> Result<Reader<'a>> {
        let version = read_header(data)?;
        Ok(Self::with_source(
            data.len(),
            version,
            Source::Inline(GenStream::new(data, version)),
        ))
    }

    fn with_source(len: usize, version: Version, source: Source<'a>) -> Reader<'a> {
        Reader {
            version,
            source,
            current: None,
            frontier: Vec::new(),
            cursors: Vec::new(),
            cpu_next: 0,
            order: Ordering::new(version),
            syncs: 0,
            pending_err: None,
            fail_next: None,
            done: false,
            failed: None,
            complete_through: HEADER_LEN as u64,
            len,
        }
    }

    /// The trace's format version.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The generation currently being read, if any.
    pub fn generation(&self) -> Option<&Generation<'a>> {
        self.current.as_deref()
    }

    /// Number of Sync events emitted so far.
    pub fn syncs(&self) -> u64 {
        self.syncs
    }

    /// File offset just past the last generation that was fully read.
    pub fn bytes_read(&self) -> u64 {
        self.complete_through
    }

    /// Total input size in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the input is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Reads the next event. `Ok(None)` at the end of the trace; after an
    /// error, every further call returns the same error.
    #[inline]
    pub fn read_event(&mut self) -> Result<Option<Event<'_>>> {
        let Some(q) = self.next_checked()? else {
            return Ok(None);
        };
        let table = match &self.current {
            Some(g) if q.base.has_table => Some(&g.table),
            _ => None,
        };
        Ok(Some(Event::new(
            table,
            self.order.task_names(),
            q.ctx,
            q.base,
        )))
    }

    /// The next event (table IDs checked, time clamped, by the ordering).
    #[inline]
    fn next_checked(&mut self) -> Result<Option<QueuedEvent>> {
        // After an error, nothing more: not even what the failed step queued.
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        // Every event, ordered or injected, goes through the ordering queue.
        loop {
            if let Some(q) = self.order.next() {
                return Ok(Some(q));
            }
            // An error met by the fast path, once the events of the steps
            // before it are out. It comes before a missing table ID of the
            // failed step's events (which are never handed out): Go meets
            // the error while taking the step, and checks IDs only as it
            // hands an event out.
            if let Some(e) = self.fail_next.take() {
                self.failed = Some(e.clone());
                return Err(e);
            }
            if let Some(msg) = self.order.take_poison() {
                return Err(self.fail_table_ids(msg));
            }
            // The fast path orders a few events when it can; `fill` does
            // the rest.
            let before = self.order.queued();
            if let Err(e) = self.run_fast(before + INLINE_BATCH) {
                self.fail_next = Some(e);
                continue;
            }
            if self.order.queued() == before && !self.order.poisoned() && !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// The generation's tables lack an ID one of its events uses.
    #[cold]
    fn fail_table_ids(&mut self, msg: String) -> Error {
        let (start, gen_no) = self
            .current
            .as_ref()
            .map_or((0, 0), |g| (g.start, g.gen_no));
        let e = Error::invalid(msg, start).in_generation(gen_no);
        self.failed = Some(e.clone());
        e
    }

    /// Refills the empty ordering queue (after almost every event: most
    /// advances queue one event); `Ok(false)` at the end of the trace.
    fn fill(&mut self) -> Result<bool> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if self.done {
            return Ok(false);
        }
        if let Err(e) = self.next_queued() {
            return Err(self.fail(e));
        }
        Ok(true)
    }

    /// Records `e`, met ordering the current generation, as the error the
    /// read ends with.
    fn fail(&mut self, e: Error) -> Error {
        let e = match self.current.as_ref() {
            Some(g) => e.in_generation(g.gen_no),
            None => e,
        };
        self.failed = Some(e.clone());
        e
    }

    /// Whether CPU samples of the current generation are still to come.
    fn cpu_left(&self) -> bool {
        self.current
            .as_ref()
            .is_some_and(|g| self.cpu_next < g.cpu_samples.len())
    }

    /// The ordering fast path: while the thread with the
    /// earliest event can advance and no CPU sample comes first, orders its
    /// events until `limit` are queued. Everything else (a generation's end,
    /// a CPU sample, an event that cannot advance yet, which needs Go's
    /// sort-and-retry) is left to [`Reader::fill`], which behaves the same
    /// for what this loop does: it is `fill` minus its per-event checks.
    /// On an error, what the failed advance queued is dropped, as `Reader`
    /// never hands it out (the events before it are handed out first).
    ///
    /// Nine events in ten come from the thread whose event came before (its
    /// batch runs on while the others' next events are later), so the inner
    /// loop keeps to one cursor: it stays on top of the heap (where Go's
    /// `heap.Fix` leaves it) as long as its next event is no later than
    /// the earlier of its two children, which do not move meanwhile.
    #[inline(always)]
    fn run_fast(&mut self, limit: usize) -> Result<()> {
        if self.failed.is_some() || self.order.poisoned() {
            return Ok(());
        }
        let Reader {
            current,
            frontier,
            cursors,
            order,
            cpu_next,
            ..
        } = self;
        let Some(g) = current.as_deref() else {
            return Ok(());
        };
        let cpu_at = g.cpu_samples.get(*cpu_next).map_or(i64::MAX, |s| s.time);
        while order.queued() < limit {
            let Some(&top) = frontier.first() else {
                break;
            };
            if top.time > cpu_at {
                break;
            }
            let Some(bc) = cursors.get_mut(top.cur) else {
                break;
            };
            let bound = frontier
                .iter()
                .skip(1)
                .take(2)
                .map(|k| k.time)
                .min()
                .unwrap_or(i64::MAX);
            loop {
                let before = order.queued();
                let more = match take_step(order, bc, g) {
                    Ok(Some(more)) => more,
                    Ok(None) => return Ok(()),
                    Err(e) => {
                        order.truncate(before);
                        return Err(e);
                    }
                };
                if !more {
                    heap_remove(frontier, 0);
                    break;
                }
                let t = bc.ev.time;
                frontier[0].time = t;
                if t > bound {
                    heap_update(frontier, 0);
                    break;
                }
                if order.poisoned() || order.queued() >= limit || t > cpu_at {
                    return Ok(());
                }
            }
            if order.poisoned() {
                break;
            }
        }
        Ok(())
    }

    fn next_sync(&mut self, with_table: bool, time: i64) {
        self.syncs += 1;
        self.order
            .push(sync_event(time, self.syncs, with_table), None);
    }

    /// Queues the next event(s) once the ordering queue is empty.
    fn next_queued(&mut self) -> Result<()> {
        if self.frontier.is_empty() && !self.cpu_left() {
            return self.next_generation();
        }
        let Some(generation) = self.current.as_deref() else {
            return Err(Error::invalid(
                "internal error: no generation",
                self.complete_through,
            ));
        };
        // Inject a CPU sample if it comes next.
        if let Some(s) = generation.cpu_samples.get(self.cpu_next)
            && (self.frontier.is_empty() || s.time < self.frontier[0].time)
        {
            let mut base = BaseEvent {
                typ: ev::CPU_SAMPLE,
                time: s.time,
                args: [0; 4],
                ..BaseEvent::TABLED
            };
            base.args[0] = s.stack;
            let ctx = SchedCtx {
                g: s.g,
                p: s.p,
                m: s.m,
            };
            self.cpu_next += 1;
            self.order
                .push(QueuedEvent { ctx, base }, Some(&generation.table));
            return Ok(());
        }
        if self.frontier.is_empty() {
            let msg = format!(
                "broken trace: frontier is empty:\n[gen={}]\n\n\n{}\n",
                generation.gen_no,
                self.order.dump()
            );
            return Err(Error::invalid(msg, self.complete_through));
        }
        if !self.try_advance(0)? {
            gosort::sort_by(&mut self.frontier, |a, b| a.time.cmp(&b.time));
            let mut success = false;
            for i in 1..self.frontier.len() {
                if self.try_advance(i)? {
                    success = true;
                    break;
                }
            }
            if !success {
                let gen_no = self.current.as_ref().map_or(0, |g| g.gen_no);
                let off = match (self.frontier.first(), self.current.as_deref()) {
                    (Some(k), Some(g)) => self
                        .cursors
                        .get(k.cur)
                        .map_or(g.start, |c| event_offset(g, &c.ev)),
                    _ => self.complete_through,
                };
                return Err(Error::invalid(
                    format!(
                        "broken trace: failed to advance: frontier:\n[gen={gen_no}]\n\n{}\n{}\n",
                        self.dump_frontier(),
                        self.order.dump()
                    ),
                    off,
                ));
            }
        }
        if self.order.is_empty() && !self.order.poisoned() {
            return Err(Error::invalid(
                "invariant violation: advance successful, but queue is empty",
                self.complete_through,
            ));
        }
        Ok(())
    }

    #[inline(always)]
    fn try_advance(&mut self, i: usize) -> Result<bool> {
        let Some(generation) = self.current.as_deref() else {
            return Ok(false);
        };
        let Some(bc) = self.cursors.get_mut(self.frontier[i].cur) else {
            return Ok(false);
        };
        let Some(more) = take_step(&mut self.order, bc, generation)? else {
            return Ok(false);
        };
        if more {
            self.frontier[i].time = bc.ev.time;
            heap_update(&mut self.frontier, i);
        } else {
            heap_remove(&mut self.frontier, i);
        }
        Ok(true)
    }

    fn dump_frontier(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        for bc in self.frontier.iter().filter_map(|k| self.cursors.get(k.cur)) {
            let spec = &SPECS[bc.ev.typ as usize];
            let _ = write!(s, "M {} [{} time={}", bc.m, spec.name, bc.ev.time);
            for (i, a) in spec.args.iter().skip(1).enumerate() {
                let _ = write!(s, " {a}={}", bc.ev.args.get(i).copied().unwrap_or(0));
            }
            s.push_str("]\n");
        }
        s
    }

    /// Moves to the next generation (Go's generation refresh): a Sync event
    /// opens each generation; a read error is preceded by a Sync; the end of
    /// the trace is a final Sync.
    fn next_generation(&mut self) -> Result<()> {
        if let Some(e) = self.pending_err.take() {
            return Err(e);
        }
        if let Some(prev) = self.current.take() {
            self.complete_through = self.complete_through.max(prev.end);
        }
        match self.source.next_item() {
            GenItem::Gen(g) => self.install(Arc::from(g)),
            GenItem::End => {
                self.current = None;
                self.done = true;
                self.next_sync(false, self.order.last_ts());
                Ok(())
            }
            GenItem::Error(e) => {
                self.current = None;
                self.pending_err = Some(e);
                self.next_sync(false, self.order.last_ts());
                Ok(())
            }
        }
    }

    /// Makes `generation` the one being ordered and queues its Sync.
    fn install(&mut self, generation: Arc<Generation<'a>>) -> Result<()> {
        self.order.new_generation();
        self.cpu_next = 0;
        self.frontier.clear();
        self.cursors.clear();
        for (list, (m, _)) in generation.batches.iter().enumerate() {
            let mslot = self.order.m_slot(*m);
            let mut bc = BatchCursor::new(*m, mslot, list);
            if !bc.next_event(&generation)? {
                continue;
            }
            let key = Key {
                time: bc.ev.time,
                cur: self.cursors.len(),
            };
            if self.order.is_speculative() {
                // Its first events, for the guess of its context.
                let mut first = [bc.ev; 4];
                let mut n = 1;
                let mut next = bc;
                while n < first.len() && matches!(next.next_event(&generation), Ok(true)) {
                    first[n] = next.ev;
                    n += 1;
                }
                self.order.predict_thread(bc.m, &first[..n]);
            }
            self.cursors.push(bc);
            heap_insert(&mut self.frontier, key);
        }
        let time = generation.table.freq.mul(generation.min_ts);
        self.current = Some(generation);
        self.next_sync(true, time);
        Ok(())
    }

    /// Points each cursor at its thread's slot in the current ordering
    /// (after the ordering was replaced part-way through a generation).
    fn reslot_cursors(&mut self) {
        for bc in &mut self.cursors {
            bc.mslot = self.order.m_slot(bc.m);
        }
    }

    /// Orders the installed generation to its end ([`parallel`]), passing
    /// the ordered events to `out` in chunks of about [`CHUNK`] (buffers
    /// from `pool`); what is left when it returns stays queued. `Ok(false)`
    /// if `out` asked to stop. On an error, the events of the steps before
    /// the failed one are still queued, as [`Reader`] hands them out.
    fn order_generation(
        &mut self,
        chunk: usize,
        pool: &std::sync::Mutex<Vec<Vec<QueuedEvent>>>,
        out: &mut dyn FnMut(Arc<Vec<&'a [u8]>>, Vec<QueuedEvent>) -> bool,
    ) -> Result<bool> {
        self.order.ensure_room(chunk + CHUNK_SLACK, || {
            pool.lock().ok().and_then(|mut p| p.pop())
        });
        loop {
            let queued = self.order.queued();
            self.run_fast(chunk)?;
            if self.order.poisoned() {
                let msg = self.order.take_poison_now();
                return Err(self.fail_table_ids(msg));
            }
            if self.order.queued() >= chunk {
                if let Some(buf) = pool.lock().ok().and_then(|mut p| p.pop()) {
                    self.order.set_spare(buf);
                }
                let events = self.order.take_queue(chunk + CHUNK_SLACK);
                if !out(self.order.task_names().clone(), events) {
                    return Ok(false);
                }
                continue;
            }
            if self.order.queued() > queued {
                continue;
            }
            if self.frontier.is_empty() && !self.cpu_left() {
                return Ok(true);
            }
            if let Err(e) = self.next_queued() {
                // As with `Reader`, what the failed step queued is never
                // handed out (Go returns the error first).
                self.order.truncate(queued);
                return Err(self.fail(e));
            }
        }
    }
}

/// A run of ordered events, passed from an ordering thread to the caller's
/// thread by [`for_each_event`]. `generation` holds the tables the events
/// refer to; `err` ends the trace after `events`.
struct Chunk<'a> {
    generation: Option<Arc<Generation<'a>>>,
    task_names: Arc<Vec<&'a [u8]>>,
    events: ChunkEvents,
    err: Option<Error>,
}

/// A [`Chunk`]'s events: as ordered, or packed while they waited for their
/// generation's turn.
enum ChunkEvents {
    Queued(Vec<QueuedEvent>),
    Packed(Packed),
}

/// Events per [`Chunk`] (2.4 MB as ordered, 1 MB packed): small enough to
/// keep the threads busy together and memory flat, large enough that
/// hand-offs are rare. A hand-off costs ~9 µs here, mostly waking the
/// caller's thread, which empties the channel faster than it fills and
/// sleeps: at 4096 events per chunk that was 8% of the 200 MB trace's read
/// time. Measured on that trace (11 alternating runs, median): 8192 events
/// 0.618 s, 16384 0.610 s, 32768 0.586–0.595 s, 65536 0.606 s, 131072
/// 0.639 s.
const CHUNK: usize = 32768;

/// Events the inline [`Reader`] orders at a time when it can (its fast
/// path's inner loop then runs on: most steps continue the same thread's
/// run): few enough that its queue stays in cache.
const INLINE_BATCH: usize = 256;

/// Room for the events past `CHUNK` that a chunk's last step may queue
/// (a step queues a few at most).
const CHUNK_SLACK: usize = 64;

/// Messages (a chunk, or a committed generation's chunks) in flight
/// between the ordering threads and the caller's.
const CHUNKS_QUEUED: usize = 8;

fn sync_event(time: i64, n: u64, has_table: bool) -> QueuedEvent {
    let mut base = BaseEvent {
        typ: EV_SYNC,
        time,
        args: [0; 4],
        ..BaseEvent::default()
    };
    base.args[0] = n;
    base.has_table = has_table;
    QueuedEvent {
        ctx: SchedCtx {
            g: NO_GOROUTINE,
            p: NO_PROC,
            m: crate::batch::NO_THREAD,
        },
        base,
    }
}
