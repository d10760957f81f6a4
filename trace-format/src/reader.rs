//! The trace reader: generations in, one validated, ordered event stream out
//! (Go's `reader.go` and `batchcursor.go`).
//!
//! For each generation: emit a Sync event, then repeatedly take the thread
//! whose next event has the smallest timestamp (a min-heap over per-thread
//! cursors) and try to advance the ordering with it; if it cannot advance,
//! sort the frontier by time and try the others in order. CPU samples are
//! merged in by time. Output times are forced to increase strictly.
//!
//! Generations come from a [`GenStream`], inline for [`Reader`] or on a
//! second thread for [`for_each_event`], which frames, builds tables and
//! decodes generation N+1 while generation N is being ordered.

use crate::batch::Batch;
use crate::batch::ThreadId;
use crate::error::{Error, Result};
use crate::event::Event;
use crate::generation::{DecodedEvent, EvTable, Frequency, Generation, read_timed_base_event};
use crate::genstream::{GenItem, GenStream};
use crate::gosort;
use crate::order::{BaseEvent, EV_SYNC, NO_GOROUTINE, NO_PROC, Ordering, QueuedEvent, SchedCtx};
use crate::spec::{SPECS, ev};
use crate::version::{HEADER_LEN, Version, read_header};

/// A cursor over one thread's events in a generation: decoded ahead of
/// time by the generation stream (pipelined mode), or decoded lazily from
/// the batch bytes (Go's `batchCursor`; no memory beyond the input).
#[derive(Debug, Clone, Copy)]
struct BatchCursor {
    m: ThreadId,
    /// Index of this thread in `Generation::batches` / `Generation::decoded`.
    list: usize,
    /// Pre-decoded: index of the next event. Lazy: index of the current batch.
    idx: usize,
    /// Lazy: offset of the next event in the current batch.
    data_off: usize,
    /// Lazy: timestamp of the previous event in the batch.
    last_ts: i64,
    /// File offset of `ev`.
    ev_offset: u64,
    ev: BaseEvent,
}

impl BatchCursor {
    fn new(m: ThreadId, list: usize) -> Self {
        BatchCursor {
            m,
            list,
            idx: 0,
            data_off: 0,
            last_ts: 0,
            ev_offset: 0,
            ev: BaseEvent::default(),
        }
    }

    /// Loads the next event; `Ok(false)` when the thread has no more.
    #[inline]
    fn next_event(&mut self, g: &Generation<'_>) -> Result<bool> {
        match g.decoded.get(self.list) {
            Some(t) => match t.events.get(self.idx) {
                Some(d) => {
                    self.ev = d.base;
                    self.ev_offset = d.offset;
                    self.idx += 1;
                    Ok(true)
                }
                None => match &t.err {
                    Some(e) => Err(e.clone()),
                    None => Ok(false),
                },
            },
            None => self.decode_next(&g.batches[self.list].1, g.table.freq, g.gen_no),
        }
    }

    #[inline]
    fn decode_next(&mut self, batches: &[Batch<'_>], freq: Frequency, gen_no: u64) -> Result<bool> {
        while self.idx < batches.len() && batches[self.idx].data.len() == self.data_off {
            self.idx += 1;
            self.data_off = 0;
            self.last_ts = 0;
        }
        let Some(b) = batches.get(self.idx) else {
            return Ok(false);
        };
        if self.last_ts == 0 {
            self.last_ts = freq.mul(b.time);
        }
        let off = b.offset + self.data_off as u64;
        let (n, tsdiff) = read_timed_base_event(&b.data[self.data_off..], &mut self.ev)
            .map_err(|msg| Error::invalid(msg, off).in_generation(gen_no))?;
        self.ev.time = freq.mul(tsdiff).wrapping_add(self.last_ts);
        self.last_ts = self.ev.time;
        self.ev_offset = off;
        self.data_off += n;
        Ok(true)
    }
}

fn heap_sift_up(h: &mut [BatchCursor], mut i: usize) -> usize {
    while i > 0 && h[(i - 1) / 2].ev.time > h[i].ev.time {
        h.swap((i - 1) / 2, i);
        i = (i - 1) / 2;
    }
    i
}

fn heap_sift_down(h: &mut [BatchCursor], mut i: usize) {
    loop {
        let m = min3(h, i, 2 * i + 1, 2 * i + 2);
        if m == i {
            break;
        }
        h.swap(i, m);
        i = m;
    }
}

fn min3(h: &[BatchCursor], i0: usize, i1: usize, i2: usize) -> usize {
    let mut min_idx = i0;
    let mut min_t = h.get(i0).map_or(i64::MAX, |c| c.ev.time);
    if let Some(c) = h.get(i1)
        && c.ev.time < min_t
    {
        min_t = c.ev.time;
        min_idx = i1;
    }
    if let Some(c) = h.get(i2)
        && c.ev.time < min_t
    {
        min_idx = i2;
    }
    min_idx
}

fn heap_insert(h: &mut Vec<BatchCursor>, c: BatchCursor) {
    h.push(c);
    let last = h.len() - 1;
    heap_sift_up(h, last);
}

fn heap_update(h: &mut [BatchCursor], i: usize) {
    if heap_sift_up(h, i) != i {
        return;
    }
    heap_sift_down(h, i);
}

fn heap_remove(h: &mut Vec<BatchCursor>, mut i: usize) {
    while i > 0 {
        h.swap((i - 1) / 2, i);
        i = (i - 1) / 2;
    }
    let last = h.len() - 1;
    h.swap(0, last);
    h.pop();
    heap_sift_down(h, 0);
}

/// Where generations come from: read inline, or prepared by a producer thread.
enum Source<'a> {
    Inline(GenStream<'a>),
    Channel(
        std::sync::mpsc::Receiver<GenItem<'a>>,
        std::sync::mpsc::Sender<Vec<Vec<DecodedEvent>>>,
    ),
}

impl<'a> Source<'a> {
    /// Returns a finished generation's buffers to whoever decodes the next ones.
    fn recycle(&mut self, g: Box<Generation<'a>>) {
        let bufs = g.into_buffers();
        match self {
            Source::Inline(s) => s.pool.extend(bufs),
            Source::Channel(_, back) => {
                let _ = back.send(bufs);
            }
        }
    }

    fn next_item(&mut self) -> GenItem<'a> {
        match self {
            Source::Inline(s) => s.next_item(),
            Source::Channel(rx, _) => rx.recv().unwrap_or_else(|_| {
                GenItem::Error(Error::invalid(
                    "internal error: generation reader stopped",
                    0,
                ))
            }),
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
    last_ts: i64,
    current: Option<Box<Generation<'a>>>,
    frontier: Vec<BatchCursor>,
    cpu_next: usize,
    order: Ordering<'a>,
    syncs: u64,
    /// Error to return after the Sync that precedes it.
    pending_err: Option<Error>,
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
            Source::Inline(GenStream::new(data, version, false)),
        ))
    }

    fn with_source(len: usize, version: Version, source: Source<'a>) -> Reader<'a> {
        Reader {
            version,
            source,
            last_ts: 0,
            current: None,
            frontier: Vec::new(),
            cpu_next: 0,
            order: Ordering::new(version),
            syncs: 0,
            pending_err: None,
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
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if self.done {
            return Ok(None);
        }
        let mut q = match self.order.next() {
            Some(q) => q,
            None => match self.next_queued() {
                Ok(q) => q,
                Err(e) => {
                    let e = match self.current.as_ref() {
                        Some(g) => e.in_generation(g.gen_no),
                        None => e,
                    };
                    self.failed = Some(e.clone());
                    return Err(e);
                }
            },
        };
        let table = if q.has_table {
            self.current.as_ref().map(|g| &g.table)
        } else {
            None
        };
        if let (Some(t), Some(g)) = (table, self.current.as_ref())
            && let Err(msg) = validate_table_ids(t, &q)
        {
            // The generation's tables lack an ID its events use.
            let e = Error::invalid(msg, g.start).in_generation(g.gen_no);
            self.failed = Some(e.clone());
            return Err(e);
        }
        if q.base.time <= self.last_ts {
            q.base.time = self.last_ts.wrapping_add(1);
        }
        self.last_ts = q.base.time;
        Ok(Some(Event::new(table, q.ctx, q.base)))
    }

    fn next_sync(&mut self, with_table: bool, time: i64) -> QueuedEvent {
        self.syncs += 1;
        sync_event(time, self.syncs, with_table)
    }

    /// The next event once the ordering queue is empty.
    fn next_queued(&mut self) -> Result<QueuedEvent> {
        let cpu_left = self
            .current
            .as_ref()
            .is_some_and(|g| self.cpu_next < g.cpu_samples.len());
        if self.frontier.is_empty() && !cpu_left {
            return self.next_generation();
        }
        let Some(generation) = self.current.as_mut() else {
            return Err(Error::invalid(
                "internal error: no generation",
                self.complete_through,
            ));
        };
        // Inject a CPU sample if it comes next.
        if let Some(s) = generation.cpu_samples.get(self.cpu_next)
            && (self.frontier.is_empty() || s.time < self.frontier[0].ev.time)
        {
            let mut base = BaseEvent {
                typ: ev::CPU_SAMPLE,
                time: s.time,
                args: [0; 4],
            };
            base.args[0] = s.stack;
            let ctx = SchedCtx {
                g: s.g,
                p: s.p,
                m: s.m,
            };
            self.cpu_next += 1;
            return Ok(QueuedEvent {
                ctx,
                base,
                has_table: true,
            });
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
            gosort::sort_by(&mut self.frontier, |a, b| a.ev.time.cmp(&b.ev.time));
            let mut success = false;
            for i in 1..self.frontier.len() {
                if self.try_advance(i)? {
                    success = true;
                    break;
                }
            }
            if !success {
                let gen_no = self.current.as_ref().map_or(0, |g| g.gen_no);
                let off = self
                    .frontier
                    .first()
                    .map_or(self.complete_through, |c| c.ev_offset);
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
        self.order.next().ok_or_else(|| {
            Error::invalid(
                "invariant violation: advance successful, but queue is empty",
                self.complete_through,
            )
        })
    }

    #[inline]
    fn try_advance(&mut self, i: usize) -> Result<bool> {
        let Some(generation) = self.current.as_mut() else {
            return Ok(false);
        };
        let bc = &mut self.frontier[i];
        let ok = self
            .order
            .advance(&mut bc.ev, &mut generation.table, bc.m, generation.gen_no)
            .map_err(|msg| Error::invalid(msg, bc.ev_offset).in_generation(generation.gen_no))?;
        if !ok {
            return Ok(false);
        }
        if bc.next_event(generation)? {
            heap_update(&mut self.frontier, i);
        } else {
            heap_remove(&mut self.frontier, i);
        }
        Ok(true)
    }

    fn dump_frontier(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        for bc in &self.frontier {
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
    fn next_generation(&mut self) -> Result<QueuedEvent> {
        if let Some(e) = self.pending_err.take() {
            return Err(e);
        }
        if let Some(prev) = self.current.take() {
            self.complete_through = self.complete_through.max(prev.end);
            self.source.recycle(prev);
        }
        match self.source.next_item() {
            GenItem::Gen(g) => self.install_gen(g),
            GenItem::End => {
                self.current = None;
                self.done = true;
                Ok(self.next_sync(false, self.last_ts))
            }
            GenItem::Error(e) => {
                self.current = None;
                self.pending_err = Some(e);
                Ok(self.next_sync(false, self.last_ts))
            }
        }
    }

    fn install_gen(&mut self, generation: Box<Generation<'a>>) -> Result<QueuedEvent> {
        self.cpu_next = 0;
        self.frontier.clear();
        for (list, (m, _)) in generation.batches.iter().enumerate() {
            let mut bc = BatchCursor::new(*m, list);
            if !bc.next_event(&generation)? {
                continue;
            }
            heap_insert(&mut self.frontier, bc);
        }
        let time = generation.table.freq.mul(generation.min_ts);
        self.current = Some(generation);
        Ok(self.next_sync(true, time))
    }
}

/// Go's `Event.validateTableIDs`: every stack and string ID the event
/// refers to exists in its generation.
#[inline]
fn validate_table_ids(table: &EvTable<'_>, q: &QueuedEvent) -> Result<(), String> {
    if q.base.typ == EV_SYNC {
        return Ok(());
    }
    let spec = &SPECS[q.base.typ as usize];
    for &i in spec.stack_ids {
        let id = q.base.args[i - 1];
        if table.stacks.get(id).is_none() {
            return Err(format!(
                "found invalid stack ID {id} for event {}",
                spec.name
            ));
        }
    }
    for &i in spec.string_ids {
        let id = q.base.args[i - 1];
        if table.strings.get(id).is_none() {
            return Err(format!(
                "found invalid string ID {id} for event {}",
                spec.name
            ));
        }
    }
    Ok(())
}

/// Reads every event of `data`, calling `f` on each, with generations framed
/// and decoded on a second thread while the calling thread orders the
/// previous one. Same events, order and errors as [`Reader`]; `f` returning
/// `false` stops early. Returns the reader's error, if any.
pub fn for_each_event<F>(data: &[u8], mut f: F) -> Result<()>
where
    F: FnMut(&Event<'_>) -> bool,
{
    let version = read_header(data)?;
    std::thread::scope(|scope| {
        // One generation in flight ahead of the one being ordered bounds memory.
        let (tx, rx) = std::sync::mpsc::sync_channel::<GenItem<'_>>(0);
        let (back_tx, back_rx) = std::sync::mpsc::channel::<Vec<Vec<DecodedEvent>>>();
        scope.spawn(move || {
            let mut stream = GenStream::new(data, version, true);
            loop {
                while let Ok(bufs) = back_rx.try_recv() {
                    stream.pool.extend(bufs);
                }
                let item = stream.next_item();
                let last = !matches!(item, GenItem::Gen(_));
                if tx.send(item).is_err() || last {
                    break;
                }
            }
        });
        let mut r = Reader::with_source(data.len(), version, Source::Channel(rx, back_tx));
        while let Some(ev) = r.read_event()? {
            if !f(&ev) {
                break;
            }
        }
        Ok(())
    })
}

fn sync_event(time: i64, n: u64, has_table: bool) -> QueuedEvent {
    let mut base = BaseEvent {
        typ: EV_SYNC,
        time,
        args: [0; 4],
    };
    base.args[0] = n;
    QueuedEvent {
        ctx: SchedCtx {
            g: NO_GOROUTINE,
            p: NO_PROC,
            m: crate::batch::NO_THREAD,
        },
        base,
        has_table,
    }
}
