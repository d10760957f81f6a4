//! The trace reader: generations in, one validated, ordered event stream out
//! (Go's `reader.go` and `batchcursor.go`).
//!
//! For each generation: emit a Sync event, then repeatedly take the thread
//! whose next event has the smallest timestamp (a min-heap over per-thread
//! cursors) and try to advance the ordering with it; if it cannot advance,
//! sort the frontier by time and try the others in order. CPU samples are
//! merged in by time. Output times are forced to increase strictly.

use crate::batch::{Batch, ThreadId};
use crate::error::{Error, ErrorKind, Result};
use crate::event::Event;
use crate::generation::{Frequency, Generation, read_generation, read_generation_with_spill};
use crate::gosort;
use crate::order::{BaseEvent, EV_SYNC, NO_GOROUTINE, NO_PROC, Ordering, QueuedEvent, SchedCtx};
use crate::spec::{SPECS, ev};
use crate::varint::uvarint;
use crate::version::{HEADER_LEN, Version, read_header};

/// A cursor over one thread's batches in a generation.
#[derive(Debug, Clone, Copy)]
struct BatchCursor {
    m: ThreadId,
    /// Index of this thread's batch list in `Generation::batches`.
    list: usize,
    last_ts: i64,
    idx: usize,
    data_off: usize,
    /// File offset of `ev`.
    ev_offset: u64,
    ev: BaseEvent,
}

impl BatchCursor {
    /// Decodes the next event; `Ok(false)` when the thread has no more.
    #[inline]
    fn next_event(&mut self, batches: &[Batch<'_>], freq: Frequency) -> Result<bool> {
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
            .map_err(|msg| Error::invalid(msg, off))?;
        self.ev.time = freq.mul(tsdiff).wrapping_add(self.last_ts);
        self.last_ts = self.ev.time;
        self.ev_offset = off;
        self.data_off += n;
        Ok(true)
    }
}

/// Decodes one timed event from `b` (non-empty) into `e`, returning the bytes
/// used and the raw timestamp delta.
#[inline]
fn read_timed_base_event(b: &[u8], e: &mut BaseEvent) -> Result<(usize, u64), String> {
    let typ = b[0];
    let Some(spec) = SPECS.get(typ as usize) else {
        return Err(format!("found invalid event type: {typ}"));
    };
    if spec.args.is_empty() || !spec.is_timed {
        return Err(format!("found event without a timestamp: type={typ}"));
    }
    e.typ = typ;
    let mut n = 1;
    let Some((ts, nb)) = uvarint(&b[n..]) else {
        return Err("found invalid uvarint for timestamp".into());
    };
    n += nb;
    for i in 0..spec.args.len() - 1 {
        let Some((a, nb)) = uvarint(&b[n..]) else {
            return Err("found invalid uvarint".into());
        };
        e.args[i] = a;
        n += nb;
    }
    Ok((n, ts))
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
    if let Some(c) = h.get(i1) {
        if c.ev.time < min_t {
            min_t = c.ev.time;
            min_idx = i1;
        }
    }
    if let Some(c) = h.get(i2) {
        if c.ev.time < min_t {
            min_idx = i2;
        }
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
    data: &'a [u8],
    pos: usize,
    version: Version,
    last_ts: i64,
    current: Option<Generation<'a>>,
    frontier: Vec<BatchCursor>,
    cpu_next: usize,
    order: Ordering<'a>,
    syncs: u64,
    read_gen_err: Option<Error>,
    done: bool,
    spill: Option<(u64, Batch<'a>)>,
    spill_err: Option<Error>,
    spill_err_sync: bool,
    failed: Option<Error>,
    cur: QueuedEvent,
    /// File offset up to which every generation has been completely read.
    complete_through: u64,
}

impl<'a> Reader<'a> {
    /// Starts reading `data`, which must begin with the trace header.
    pub fn new(data: &'a [u8]) -> Result<Reader<'a>> {
        let version = read_header(data)?;
        Ok(Reader {
            data,
            pos: HEADER_LEN,
            version,
            last_ts: 0,
            current: None,
            frontier: Vec::new(),
            cpu_next: 0,
            order: Ordering::new(version),
            syncs: 0,
            read_gen_err: None,
            done: false,
            spill: None,
            spill_err: None,
            spill_err_sync: false,
            failed: None,
            cur: sync_event(0, 0, false),
            complete_through: HEADER_LEN as u64,
        })
    }

    /// The trace's format version.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The generation currently being read, if any.
    pub fn generation(&self) -> Option<&Generation<'a>> {
        self.current.as_ref()
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
        self.data.len()
    }

    /// Whether the input is empty.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Reads the next event. `Ok(None)` at the end of the trace; after an
    /// error, every further call returns the same error.
    pub fn read_event(&mut self) -> Result<Option<Event<'_>>> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if self.done {
            return Ok(None);
        }
        let q = match self.next_queued() {
            Ok(q) => q,
            Err(e) => {
                let e = match self.current.as_ref() {
                    Some(g) => e.in_generation(g.gen_no),
                    None => e,
                };
                self.failed = Some(e.clone());
                return Err(e);
            }
        };
        let mut q = q;
        if let Err(msg) = self.validate_table_ids(&q) {
            let e = Error::invalid(msg, self.pos as u64);
            self.failed = Some(e.clone());
            return Err(e);
        }
        if q.base.time <= self.last_ts {
            q.base.time = self.last_ts.wrapping_add(1);
        }
        self.last_ts = q.base.time;
        self.cur = q;
        let table = if q.has_table {
            self.current.as_ref().map(|g| &g.table)
        } else {
            None
        };
        Ok(Some(Event::new(table, q.ctx, q.base)))
    }

    fn validate_table_ids(&self, q: &QueuedEvent) -> Result<(), String> {
        if q.base.typ == EV_SYNC {
            return Ok(());
        }
        let Some(table) = self
            .current
            .as_ref()
            .map(|g| &g.table)
            .filter(|_| q.has_table)
        else {
            return Ok(());
        };
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

    fn next_sync(&mut self, with_table: bool, time: i64) -> QueuedEvent {
        self.syncs += 1;
        sync_event(time, self.syncs, with_table)
    }

    fn next_queued(&mut self) -> Result<QueuedEvent> {
        if let Some(q) = self.order.next() {
            return Ok(q);
        }
        let cpu_left = self
            .current
            .as_ref()
            .is_some_and(|g| self.cpu_next < g.cpu_samples.len());
        if self.frontier.is_empty() && !cpu_left {
            if self.version < Version::Go126 {
                return self.next_gen_with_spill();
            }
            if let Some(e) = &self.read_gen_err {
                return Err(e.clone());
            }
            return match read_generation(self.data, self.pos, self.version) {
                Err(e) => {
                    self.read_gen_err = Some(e);
                    self.current = None;
                    Ok(self.next_sync(false, self.last_ts))
                }
                Ok(None) => self.install_gen(None),
                Ok(Some((g, pos))) => {
                    self.pos = pos;
                    self.install_gen(Some(g))
                }
            };
        }
        let Some(gen_no) = self.current.as_mut() else {
            return Err(Error::invalid(
                "internal error: no generation",
                self.pos as u64,
            ));
        };
        // Inject a CPU sample if it comes next.
        if let Some(s) = gen_no.cpu_samples.get(self.cpu_next) {
            if self.frontier.is_empty() || s.time < self.frontier[0].ev.time {
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
        }
        if self.frontier.is_empty() {
            return Err(Error::invalid(
                format!(
                    "broken trace: frontier is empty:\n[gen={}]\n\n\n{}\n",
                    gen_no.gen_no,
                    self.order.dump()
                ),
                self.pos as u64,
            ));
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
                    .map_or(self.pos as u64, |c| c.ev_offset);
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
                self.pos as u64,
            )
        })
    }

    fn try_advance(&mut self, i: usize) -> Result<bool> {
        let Some(gen_no) = self.current.as_mut() else {
            return Ok(false);
        };
        let bc = &mut self.frontier[i];
        let ok = self
            .order
            .advance(&mut bc.ev, &mut gen_no.table, bc.m, gen_no.gen_no)
            .map_err(|msg| Error::invalid(msg, bc.ev_offset).in_generation(gen_no.gen_no))?;
        if !ok {
            return Ok(false);
        }
        let more = bc.next_event(&gen_no.batches[bc.list].1, gen_no.table.freq)?;
        if more {
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

    fn next_gen_with_spill(&mut self) -> Result<QueuedEvent> {
        if let Some(e) = &self.spill_err {
            if self.spill_err_sync {
                return Err(e.clone());
            }
            self.spill_err_sync = true;
            return Ok(self.next_sync(false, self.last_ts));
        }
        if self.current.is_some() && self.spill.is_none() {
            self.done = true;
            return Ok(self.next_sync(false, self.last_ts));
        }
        match read_generation_with_spill(self.data, self.pos, self.spill.take(), self.version) {
            Err(e) => {
                self.spill_err = Some(e);
                self.current = None;
                self.spill_err_sync = true;
                Ok(self.next_sync(false, self.last_ts))
            }
            Ok(r) => {
                self.pos = r.pos;
                self.spill = r.spill;
                self.spill_err = r.spill_err;
                match r.gen_no {
                    Some(g) => self.install_gen(Some(g)),
                    None => {
                        self.current = None;
                        self.spill_err_sync = true;
                        Ok(self.next_sync(false, self.last_ts))
                    }
                }
            }
        }
    }

    fn install_gen(&mut self, gen_no: Option<Generation<'a>>) -> Result<QueuedEvent> {
        let Some(gen_no) = gen_no else {
            self.current = None;
            self.done = true;
            return Ok(self.next_sync(false, self.last_ts));
        };
        if let Some(prev) = &self.current {
            self.complete_through = self.complete_through.max(prev.end);
        }
        self.cpu_next = 0;
        self.frontier.clear();
        for (list, (m, batches)) in gen_no.batches.iter().enumerate() {
            let mut bc = BatchCursor {
                m: *m,
                list,
                last_ts: 0,
                idx: 0,
                data_off: 0,
                ev_offset: 0,
                ev: BaseEvent::default(),
            };
            if !bc
                .next_event(batches, gen_no.table.freq)
                .map_err(|e| e.in_generation(gen_no.gen_no))?
            {
                continue;
            }
            heap_insert(&mut self.frontier, bc);
        }
        let time = gen_no.table.freq.mul(gen_no.min_ts);
        self.current = Some(gen_no);
        Ok(self.next_sync(true, time))
    }
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

/// Whether `e` is an error that only says the input ends early.
pub fn is_truncation(e: &Error) -> bool {
    matches!(
        e.kind,
        ErrorKind::TruncatedBatch { .. } | ErrorKind::IncompleteGeneration
    )
}
