//! [`for_each_event`]: the trace's events, generations ordered on several
//! threads at once.
//!
//! Ordering is the costly part of reading a trace, and it is sequential:
//! each generation starts from the state the previous one left. So each
//! worker thread takes the next generation in turn (framing it and building
//! its tables) and orders it: the first generation exactly, later ones
//! speculatively (`order/speculate.rs`), from an empty state, recording
//! what they assume of the state the previous generation leaves, and
//! keeping their events. Generations are handed out in order. In its turn
//! (the previous generation out), a worker checks its run's assumptions
//! against the previous generation's end state: if they hold, its events go
//! to the caller's thread as they are; if not (or if the run needed state
//! it could not assume, or failed), it orders the generation again from
//! that state, as [`Reader`] does, handing the events out as they come.
//! Either way the caller gets exactly [`Reader`]'s events and error.
//!
//! On the traces the runtime writes, the assumptions hold: it opens every
//! thread's generation with the statuses of its P and goroutine and gives
//! every live goroutine and P a status in every generation. Set
//! `GOTRACE_SPEC_DEBUG` to see on stderr which generations were ordered
//! again and why, and how many were ordered ahead.
//!
//! The price is memory: a speculative generation's ordered events wait
//! until its turn, packed (`order/packed.rs`: 32 bytes each, ~6 times its
//! size on the wire), and packing, keeping and unpacking them costs about
//! 40% of what ordering them does. So a run ahead stops as soon as its turn
//! comes (at its next chunk of events): what it ordered so far is checked
//! as a whole run's would be and handed out, and the rest of the generation
//! is ordered in turn from the real state (the run's merged into the
//! previous generation's), its events going straight to the caller's
//! thread. Nor is a generation ordered ahead when its turn is near (every
//! generation before it not yet handed out was ordered ahead to its end
//! and only waits to be checked), nor one larger than
//! [`SPECULATE_MAX_BYTES`], nor one whose buffers would be new memory that
//! few generations after it would reuse (see `Shared::worth_speculating`).

use super::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering as AtomicOrdering};
use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::{Condvar, Mutex, MutexGuard};

/// A generation is ordered ahead only while the caller's thread is at most
/// this many generations behind (its memory is held until then). With 2,
/// three generations' events at most are held: on the 200 MB trace, `gotrace
/// dump` (a slow caller) peaked at 1.3 GB with no limit.
const AHEAD: usize = 2;

/// At most this many threads order generations (one per core).
const MAX_WORKERS: usize = 4;

/// Generations larger than this (bytes on the wire) are not ordered
/// speculatively: their buffered events would take ~6 times as much.
pub(crate) const SPECULATE_MAX_BYTES: u64 = 32 << 20;

/// State shared by the workers.
struct Shared<'a> {
    version: Version,
    /// Size of the trace in bytes.
    len: u64,
    /// Whether generations after the first are ordered speculatively.
    speculate: bool,
    /// Which generations are ordered ahead.
    ahead: Ahead,
    /// Events per chunk ([`CHUNK`]; fewer in tests).
    chunk: usize,
    /// Where generations come from, in order.
    stream: Mutex<Dispatch<'a>>,
    /// The state after the items handed out so far.
    commit: Mutex<Commit<'a>>,
    /// Signalled when `commit.next` moves or the read stops.
    turn: Condvar,
    /// Drained event buffers handed back by the caller's thread.
    pool: Mutex<Vec<Vec<QueuedEvent>>>,
    /// Drained packed buffers (generations ordered ahead), likewise.
    packed_pool: Mutex<Vec<Packed>>,
    /// Generations the caller's thread has been through (all before this
    /// index); signalled by `drained` when it moves.
    consumed: Mutex<usize>,
    drained: Condvar,
    /// Set when the caller stops, an error is out or the trace is over.
    stop: AtomicBool,
    /// Generations whose speculative run was committed / ordered again.
    committed: AtomicUsize,
    reordered: AtomicUsize,
    /// Runs ahead whose turn came part-way (checked then, the rest of
    /// their generation ordered in turn).
    converted: AtomicUsize,
}

struct Dispatch<'a> {
    stream: GenStream<'a>,
    /// Index of the next item.
    next: usize,
    /// The stream has yielded its last item.
    finished: bool,
    /// Number of the first generation (0 until known).
    initial_gen: u64,
}

struct Commit<'a> {
    /// Index of the next item to hand out.
    next: usize,
    /// The ordering state after the items before `next` (taken by the
    /// worker whose turn it is).
    order: Option<Ordering<'a>>,
    /// Items ordered ahead whose runs are over: they only wait for their
    /// turn, to be checked and handed out.
    settled: Vec<usize>,
}

/// How the generations of a read were ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Outcome {
    /// Generations ordered speculatively and committed as they were.
    pub committed: usize,
    /// Generations ordered speculatively, then again from the real state.
    pub reordered: usize,
    /// Runs ahead whose turn came part-way: what they had ordered was
    /// checked and handed out, the rest of the generation ordered in turn.
    pub converted: usize,
}

/// Stops the read when dropped while a thread panics (the caller's `f`
/// or a worker): the other threads would otherwise wait for it forever,
/// and the panic could not reach the caller.
struct HaltOnPanic<'s, 'a>(&'s Shared<'a>);

impl Drop for HaltOnPanic<'_, '_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.halt();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl<'a> Shared<'a> {
    fn stopped(&self) -> bool {
        self.stop.load(AtomicOrdering::Relaxed)
    }

    /// Stops the read: every worker returns at its next check.
    fn halt(&self) {
        self.stop.store(true, AtomicOrdering::Relaxed);
        drop(lock(&self.commit));
        self.turn.notify_all();
        drop(lock(&self.consumed));
        self.drained.notify_all();
    }

    /// Waits until generation `idx` is at most [`AHEAD`] generations ahead
    /// of the caller's thread: ordering further ahead would only add to
    /// the memory held while the caller is the slower side.
    fn wait_for_caller(&self, idx: usize) {
        let mut c = lock(&self.consumed);
        while idx > *c + AHEAD && !self.stopped() {
            c = self.drained.wait(c).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Waits until item `idx` is next to be handed out and returns the
    /// state the items before it left; `None` if the read stopped. The turn
    /// lasts until `end_turn`, so that items go out in order.
    fn take_turn(&self, idx: usize) -> Option<Ordering<'a>> {
        let mut c = lock(&self.commit);
        while c.next != idx && !self.stopped() {
            c = self.turn.wait(c).unwrap_or_else(|e| e.into_inner());
        }
        if self.stopped() {
            return None;
        }
        Some(
            c.order
                .take()
                .unwrap_or_else(|| Ordering::new(self.version)),
        )
    }

    /// Item `idx` is out: `order` is the state after it.
    fn end_turn(&self, idx: usize, order: Ordering<'a>) {
        let mut c = lock(&self.commit);
        c.next = idx + 1;
        c.order = Some(order);
        c.settled.retain(|&i| i > idx);
        self.turn.notify_all();
    }

    /// Whether item `idx` is next to be handed out.
    fn turn_has_come(&self, idx: usize) -> bool {
        lock(&self.commit).next == idx
    }

    /// Item `idx`'s run ahead is over; it waits for its turn.
    fn settle(&self, idx: usize) {
        lock(&self.commit).settled.push(idx);
    }

    /// Whether every item before `idx` not yet out was ordered ahead and
    /// only waits for its turn: then `idx`'s turn comes as soon as they are
    /// checked, and ordering it ahead would only keep its events waiting
    /// (packed, in memory) for nothing.
    fn turn_is_near(&self, idx: usize) -> bool {
        let c = lock(&self.commit);
        (c.next..idx).all(|i| c.settled.contains(&i))
    }

    /// The next item of the stream, its index and the first generation's
    /// number; `None` once the stream is over.
    fn next_item(&self) -> Option<(usize, GenItem<'a>, u64)> {
        let mut d = lock(&self.stream);
        if d.finished || self.stopped() {
            return None;
        }
        let item = d.stream.next_item();
        let idx = d.next;
        d.next += 1;
        match &item {
            GenItem::Gen(g) if idx == 0 => d.initial_gen = g.gen_no,
            GenItem::Gen(_) => {}
            _ => d.finished = true,
        }
        Some((idx, item, d.initial_gen))
    }

    /// Whether to order `g` speculatively. Its buffered events need memory:
    /// new memory costs a page fault per 4 KiB on first use (~0.1 s of CPU
    /// for the first two generations of the 200 MB trace, more than
    /// ordering ahead gains on a trace of a few generations), and buffers
    /// are reused once the caller's thread has drained them. So: once two
    /// generations have been ordered ahead (their buffers are there to
    /// reuse), or if at least 8 more generations of its size follow
    /// (measured on the 200 MB trace cut into 3, 4, 8 and 28 generations:
    /// ordering ahead was slower up to 4, even at 8, 25% faster at 28).
    fn worth_speculating(&self, g: &Generation<'_>) -> bool {
        let size = g.end.saturating_sub(g.start);
        if self.ahead != Ahead::Measured {
            return true;
        }
        if size > SPECULATE_MAX_BYTES {
            return false;
        }
        let warm = self.committed.load(AtomicOrdering::Relaxed)
            + self.converted.load(AtomicOrdering::Relaxed)
            + self.reordered.load(AtomicOrdering::Relaxed)
            >= 2;
        warm || self.len.saturating_sub(g.start) >= 8 * size
    }

    /// `chunk`'s events packed (into a drained buffer if there is one);
    /// `chunk`'s buffer goes back to the pool.
    fn pack(&self, chunk: Vec<QueuedEvent>) -> Packed {
        let mut p = lock(&self.packed_pool).pop().unwrap_or_default();
        p.reserve_total(self.chunk + CHUNK_SLACK);
        p.extend_from(&chunk);
        self.recycle(chunk);
        p
    }

    /// Empties `chunk` and gives its buffer back for the next chunk.
    fn recycle(&self, mut chunk: Vec<QueuedEvent>) {
        chunk.clear();
        lock(&self.pool).push(chunk);
    }

    /// Empties `packed` buffers and gives them back for the next run ahead.
    fn recycle_packed(&self, packed: impl IntoIterator<Item = Packed>) {
        lock(&self.packed_pool).extend(packed.into_iter().map(|mut p| {
            p.clear();
            p
        }));
    }

    /// A reader over generations installed one by one, ordering with `order`.
    fn reader(&self, order: Ordering<'a>, syncs: u64) -> Reader<'a> {
        let mut r = Reader::with_source(0, self.version, Source::Detached);
        r.order = order;
        r.syncs = syncs;
        r
    }
}

/// Reads every event of `data`, calling `f` on each: the same events, order
/// and errors as [`Reader`], with generations ordered on up to one thread
/// per core (at most 4) while the calling thread runs `f` (see the module's
/// documentation). Memory is bounded by a few generations' ordered events,
/// not by the trace. `f` returning `false` stops early (and stops the other
/// threads). Returns the reader's error, if any.
pub fn for_each_event<F>(data: &[u8], f: F) -> Result<()>
where
    F: FnMut(&Event<'_>) -> bool,
{
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    read_with(data, workers.clamp(1, MAX_WORKERS), Ahead::Measured, f).0
}

/// Which generations are ordered ahead of their turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) enum Ahead {
    /// Where it pays (`Shared::worth_speculating`, `Shared::turn_is_near`).
    Measured,
    /// Tests: every generation after the first that can be, whatever it
    /// costs.
    Always,
    /// Tests: every run ahead that gets to its `n`th chunk waits there for
    /// its turn, is checked, and its generation's rest is ordered in turn.
    TurnAt(usize),
}

/// [`for_each_event`] on `workers` threads (one: no speculation), ordering
/// generations `ahead`, and how the generations were ordered.
pub(crate) fn read_with<F>(data: &[u8], workers: usize, ahead: Ahead, f: F) -> (Result<()>, Outcome)
where
    F: FnMut(&Event<'_>) -> bool,
{
    read_in_chunks(data, workers, ahead, CHUNK, f)
}

/// [`read_with`], ordering in chunks of `chunk` events.
fn read_in_chunks<F>(
    data: &[u8],
    workers: usize,
    ahead: Ahead,
    chunk: usize,
    mut f: F,
) -> (Result<()>, Outcome)
where
    F: FnMut(&Event<'_>) -> bool,
{
    let version = match read_header(data) {
        Ok(v) => v,
        Err(e) => return (Err(e), Outcome::default()),
    };
    let sh = Shared {
        version,
        len: data.len() as u64,
        speculate: workers > 1,
        ahead,
        chunk,
        stream: Mutex::new(Dispatch {
            stream: GenStream::new(data, version),
            next: 0,
            finished: false,
            initial_gen: 0,
        }),
        commit: Mutex::new(Commit {
            next: 0,
            order: None,
            settled: Vec::new(),
        }),
        turn: Condvar::new(),
        pool: Mutex::new(Vec::new()),
        packed_pool: Mutex::new(Vec::new()),
        consumed: Mutex::new(0),
        drained: Condvar::new(),
        stop: AtomicBool::new(false),
        committed: AtomicUsize::new(0),
        reordered: AtomicUsize::new(0),
        converted: AtomicUsize::new(0),
    };
    let result = std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Msg<'_>>(CHUNKS_QUEUED);
        for _ in 0..workers.max(1) {
            let tx = tx.clone();
            let sh = &sh;
            scope.spawn(move || worker(sh, &tx));
        }
        drop(tx);
        let _halt = HaltOnPanic(&sh);
        let result = consume(&rx, &sh, &mut f);
        sh.halt();
        drop(rx);
        result
    });
    let outcome = Outcome {
        committed: sh.committed.load(AtomicOrdering::Relaxed),
        reordered: sh.reordered.load(AtomicOrdering::Relaxed),
        converted: sh.converted.load(AtomicOrdering::Relaxed),
    };
    if std::env::var_os("GOTRACE_SPEC_DEBUG").is_some() {
        let items = lock(&sh.stream).next;
        eprintln!(
            "gotrace: {} generations: {} ordered ahead and committed, {} ordered again, the rest in turn ({} of them after a run ahead whose turn came part-way)",
            items.saturating_sub(1),
            outcome.committed,
            outcome.reordered,
            outcome.converted
        );
    }
    (result, outcome)
}

/// The caller's side: hands each chunk's events to `f`.
fn consume<F>(rx: &Receiver<Msg<'_>>, sh: &Shared<'_>, f: &mut F) -> Result<()>
where
    F: FnMut(&Event<'_>) -> bool,
{
    for msg in rx.iter() {
        for chunk in msg.chunks {
            if !consume_chunk(chunk, sh, f)? {
                return Ok(());
            }
        }
        if let Some(idx) = msg.ends {
            *lock(&sh.consumed) = idx + 1;
            sh.drained.notify_all();
        }
    }
    Ok(())
}

/// Hands a chunk's events to `f`; `Ok(false)` if `f` asked to stop.
fn consume_chunk<F>(chunk: Chunk<'_>, sh: &Shared<'_>, f: &mut F) -> Result<bool>
where
    F: FnMut(&Event<'_>) -> bool,
{
    let mut hand = |q: &QueuedEvent| {
        let table = match &chunk.generation {
            Some(g) if q.base.has_table => Some(&g.table),
            _ => None,
        };
        f(&Event::new(table, &chunk.task_names, q.ctx, q.base))
    };
    let done = match &chunk.events {
        ChunkEvents::Queued(events) => events.iter().all(&mut hand),
        ChunkEvents::Packed(events) => events.iter().all(|q| hand(&q)),
    };
    if !done {
        return Ok(false);
    }
    if let Some(e) = chunk.err {
        return Err(e);
    }
    match chunk.events {
        ChunkEvents::Queued(events) => sh.recycle(events),
        ChunkEvents::Packed(events) => sh.recycle_packed([events]),
    }
    Ok(true)
}

/// What goes to the caller's thread: chunks of ordered events, all of a
/// committed generation or one at a time as ordered in turn; `ends` is the
/// index of the item they end, if they do.
struct Msg<'a> {
    chunks: Vec<Chunk<'a>>,
    ends: Option<usize>,
}

/// Hands chunks to the caller's thread; `false` once the read is over (the
/// caller stopped, or these chunks end with an error).
fn send<'a>(sh: &Shared<'a>, tx: &SyncSender<Msg<'a>>, msg: Msg<'a>) -> bool {
    let last = msg.chunks.last().is_some_and(|c| c.err.is_some());
    if tx.send(msg).is_err() || last {
        sh.halt();
        return false;
    }
    true
}

/// A worker: takes the next item, orders it (speculatively after the first
/// generation) and, in its turn, hands it out.
fn worker<'a>(sh: &Shared<'a>, tx: &SyncSender<Msg<'a>>) {
    let _halt = HaltOnPanic(sh);
    // The speculative state, emptied and reused from run to run.
    let mut spare: Option<Ordering<'a>> = None;
    while let Some((idx, item, initial_gen)) = sh.next_item() {
        let generation = match item {
            GenItem::Gen(g) => Arc::<Generation<'a>>::from(g),
            end => {
                // The trace is over (or cannot be read further): a last
                // Sync, then the error if any.
                let Some(mut order) = sh.take_turn(idx) else {
                    return;
                };
                let last_ts = order.last_ts();
                order.push(sync_event(last_ts, idx as u64 + 1, false), None);
                let chunk = Chunk {
                    generation: None,
                    task_names: order.task_names().clone(),
                    events: ChunkEvents::Queued(order.take_queue(0)),
                    err: match end {
                        GenItem::Error(e) => Some(e),
                        _ => None,
                    },
                };
                let msg = Msg {
                    chunks: vec![chunk],
                    ends: Some(idx),
                };
                send(sh, tx, msg);
                sh.end_turn(idx, order);
                sh.halt();
                return;
            }
        };
        // Speculation needs the first generation's number, and a nonzero
        // one (the ordering takes 0 for "not known yet").
        let ahead = sh.speculate
            && idx > 0
            && initial_gen != 0
            && sh.worth_speculating(&generation)
            && (sh.ahead != Ahead::Measured || !sh.turn_is_near(idx));
        let run = if ahead {
            sh.wait_for_caller(idx);
            let run = speculate(sh, &generation, idx, initial_gen, &mut spare);
            if run.as_ref().is_some_and(|run| !run.part) {
                sh.settle(idx);
            }
            run
        } else {
            None
        };
        let Some(mut order) = sh.take_turn(idx) else {
            return;
        };
        // As `install` would have, before the run's threads are merged in:
        // the generation's threads get the slots a sequential run gives
        // them.
        order.reserve_threads(generation.batches.iter().map(|(m, _)| *m));
        if let Some(mut run) = run {
            let mut s = std::mem::replace(&mut run.r.order, Ordering::new(sh.version));
            let committed = order.commit_speculation(&mut s, &mut run.events);
            spare = Some(s);
            match committed {
                Ok(()) => {
                    let count = if run.part {
                        &sh.converted
                    } else {
                        &sh.committed
                    };
                    count.fetch_add(1, AtomicOrdering::Relaxed);
                    // A whole run's events in one message: the worker goes
                    // on to its next generation while the caller's thread
                    // works through them.
                    let msg = Msg {
                        chunks: packed_chunks(&generation, &order, run.events),
                        ends: (!run.part).then_some(idx),
                    };
                    let ok = send(sh, tx, msg);
                    if !run.part {
                        sh.end_turn(idx, order);
                    } else if ok {
                        // The rest in turn, from the real state.
                        run.r.order = order;
                        run.r.reslot_cursors();
                        if !hand_out(sh, tx, &generation, idx, run.r, Ok(())) {
                            return;
                        }
                    }
                    if !ok {
                        return;
                    }
                    continue;
                }
                Err(why) => {
                    sh.reordered.fetch_add(1, AtomicOrdering::Relaxed);
                    debug_note(idx, why);
                    sh.recycle_packed(run.events);
                }
            }
        }
        let mut r = sh.reader(order, idx as u64);
        let installed = r.install(generation.clone());
        if !hand_out(sh, tx, &generation, idx, r, installed) {
            return;
        }
    }
}

/// A committed run's packed chunks, as handed out.
fn packed_chunks<'a>(
    generation: &Arc<Generation<'a>>,
    order: &Ordering<'a>,
    events: Vec<Packed>,
) -> Vec<Chunk<'a>> {
    let task_names = order.task_names();
    events
        .into_iter()
        .map(|events| Chunk {
            generation: Some(generation.clone()),
            task_names: task_names.clone(),
            events: ChunkEvents::Packed(events),
            err: None,
        })
        .collect()
}

/// Orders the rest of generation `idx` with `r` (installed, or the install's
/// error), in turn: handing the events out as they come, then ending the
/// turn; `false` if the read is over.
fn hand_out<'a>(
    sh: &Shared<'a>,
    tx: &SyncSender<Msg<'a>>,
    generation: &Arc<Generation<'a>>,
    idx: usize,
    mut r: Reader<'a>,
    installed: Result<()>,
) -> bool {
    let chunk = |task_names, events, err| Chunk {
        generation: Some(generation.clone()),
        task_names,
        events: ChunkEvents::Queued(events),
        err,
    };
    let result = installed.and_then(|()| {
        r.order_generation(sh.chunk, &sh.pool, &mut |task_names, events| {
            let msg = Msg {
                chunks: vec![chunk(task_names, events, None)],
                ends: None,
            };
            send(sh, tx, msg)
        })
    });
    // Unless the read stopped: the rest of the generation, or the events
    // before the error and the error (which ends the read).
    let ok = match result {
        Ok(false) => false,
        result => {
            let rest = chunk(
                r.order.task_names().clone(),
                r.order.take_queue(0),
                result.err(),
            );
            let msg = Msg {
                chunks: vec![rest],
                ends: Some(idx),
            };
            send(sh, tx, msg)
        }
    };
    sh.end_turn(
        idx,
        std::mem::replace(&mut r.order, Ordering::new(sh.version)),
    );
    ok
}

/// A run ahead that got to its generation's end, or part-way to its turn.
struct Run<'a> {
    /// The reader where the run stopped (its ordering speculative).
    r: Reader<'a>,
    /// The events it ordered, packed.
    events: Vec<Packed>,
    /// Whether it stopped part-way, its turn come.
    part: bool,
}

/// Orders generation `idx` speculatively (with `spare`'s memory, if any),
/// until its end or until its turn comes (`Ahead`); `None` if it needed the
/// previous generation's state, failed, or the read stopped. The events
/// wait for their turn packed (`order/packed.rs`): the buffer they were
/// ordered into goes straight back to be ordered into again.
fn speculate<'a>(
    sh: &Shared<'a>,
    generation: &Arc<Generation<'a>>,
    idx: usize,
    initial_gen: u64,
    spare: &mut Option<Ordering<'a>>,
) -> Option<Run<'a>> {
    let order = match spare.take() {
        Some(mut o) => {
            o.restart_speculation(initial_gen);
            o
        }
        None => Ordering::speculative(sh.version, initial_gen),
    };
    let mut r = sh.reader(order, idx as u64);
    let mut events = Vec::new();
    // Once its turn has come, a run stops at its next chunk: what it
    // ordered so far is checked, and the rest of its generation ordered in
    // turn, its events going straight to the caller instead of waiting
    // packed.
    let mut turn = false;
    let result = r.install(generation.clone()).and_then(|()| {
        r.order_generation(sh.chunk, &sh.pool, &mut |_, chunk| {
            events.push(sh.pack(chunk));
            turn = match sh.ahead {
                Ahead::Measured => sh.turn_has_come(idx),
                Ahead::Always => false,
                Ahead::TurnAt(n) => events.len() >= n,
            };
            !turn && !sh.stopped()
        })
    });
    match result {
        Ok(true) => {
            events.push(sh.pack(r.order.take_queue(0)));
            return Some(Run {
                r,
                events,
                part: false,
            });
        }
        Ok(false) if turn && !sh.stopped() => {
            return Some(Run {
                r,
                events,
                part: true,
            });
        }
        Ok(false) => {}
        Err(e) => {
            sh.reordered.fetch_add(1, AtomicOrdering::Relaxed);
            debug_note(idx, &e.to_string());
        }
    }
    *spare = Some(r.order);
    sh.recycle_packed(events);
    None
}

/// Why generation `idx` was ordered again, on stderr if `GOTRACE_SPEC_DEBUG`
/// is set.
fn debug_note(idx: usize, why: &str) {
    if std::env::var_os("GOTRACE_SPEC_DEBUG").is_some() {
        eprintln!("gotrace: generation #{idx} ordered again: {why}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn fixture(name: &str) -> Vec<u8> {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/traces")
            .join(name);
        std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    /// The fixture traces' names, sorted.
    fn fixture_names() -> Vec<String> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/traces");
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .expect("fixtures/traces")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".trace"))
            .collect();
        names.sort();
        names
    }

    /// `Reader`'s events (as text) and error.
    fn inline(data: &[u8]) -> (Vec<String>, Option<String>) {
        let mut out = Vec::new();
        let mut r = match Reader::new(data) {
            Ok(r) => r,
            Err(e) => return (out, Some(e.to_string())),
        };
        loop {
            match r.read_event() {
                Ok(Some(ev)) => out.push(ev.to_string()),
                Ok(None) => return (out, None),
                Err(e) => return (out, Some(e.to_string())),
            }
        }
    }

    fn parallel(data: &[u8], workers: usize) -> (Vec<String>, Option<String>, Outcome) {
        parallel_in(data, workers, Ahead::Always, CHUNK)
    }

    fn parallel_in(
        data: &[u8],
        workers: usize,
        ahead: Ahead,
        chunk: usize,
    ) -> (Vec<String>, Option<String>, Outcome) {
        let mut out = Vec::new();
        let (r, outcome) = read_in_chunks(data, workers, ahead, chunk, |ev| {
            out.push(ev.to_string());
            true
        });
        (out, r.err().map(|e| e.to_string()), outcome)
    }

    /// Asserts that `data` read on `workers` threads gives `Reader`'s events
    /// and error; returns how its generations were ordered.
    fn same_as_reader(data: &[u8], workers: usize, what: &str) -> Outcome {
        same_as_reader_in(data, workers, Ahead::Always, CHUNK, what)
    }

    /// [`same_as_reader`], ordering `ahead` in chunks of `chunk` events.
    fn same_as_reader_in(
        data: &[u8],
        workers: usize,
        ahead: Ahead,
        chunk: usize,
        what: &str,
    ) -> Outcome {
        let want = inline(data);
        let (events, err, outcome) = parallel_in(data, workers, ahead, chunk);
        assert!(
            events == want.0 && err == want.1,
            "{what} on {workers} threads, {ahead:?}: {} events, error {err:?}; Reader: {} events, error {:?}",
            events.len(),
            want.0.len(),
            want.1
        );
        outcome
    }

    /// Every fixture, on one to three threads: `Reader`'s events and error.
    #[test]
    fn same_events_as_reader_on_any_number_of_threads() {
        let names = fixture_names();
        assert!(names.len() >= 60, "fixture set: {}", names.len());
        for name in &names {
            let data = fixture(name);
            for workers in 1..=3 {
                same_as_reader(&data, workers, name);
            }
        }
    }

    /// Every fixture read in 64-event chunks, on two threads: with every
    /// generation ordered ahead that can be (the commit's fix-ups then span
    /// many chunks), and with every run ahead stopped at its first or third
    /// chunk to wait for its turn, checked there and its generation's rest
    /// ordered in turn. Either way `Reader`'s events and error.
    #[test]
    fn small_chunks_and_runs_stopped_part_way_read_as_reader() {
        let names = fixture_names();
        let (mut committed, mut converted) = (0, [0; 2]);
        for name in &names {
            let data = fixture(name);
            for ahead in [Ahead::Always, Ahead::TurnAt(1), Ahead::TurnAt(3)] {
                let outcome = same_as_reader_in(&data, 2, ahead, 64, name);
                match ahead {
                    Ahead::TurnAt(n) => converted[n / 2] += outcome.converted,
                    _ => committed += outcome.committed,
                }
            }
        }
        // The 24-generation fixtures alone have over 100 generations of
        // more than 3 × 64 events after their first.
        assert!(committed > 100, "{committed} committed");
        assert!(
            converted.iter().all(|&n| n > 100),
            "{converted:?} stopped part-way"
        );
    }

    /// On traces the runtime wrote (every Go version), speculation holds:
    /// every generation after the first is committed as ordered ahead.
    #[test]
    fn speculation_commits_on_runtime_traces() {
        for v in ["1.22", "1.23", "1.24", "1.25", "1.26", "1.27"] {
            let name = format!("generations50ms-go{v}.trace");
            let data = fixture(&name);
            // A Sync opens each generation and one ends the trace.
            let syncs = inline(&data)
                .0
                .iter()
                .filter(|e| e.contains(" Sync "))
                .count();
            let generations = syncs - 1;
            assert!(generations >= 20, "{name}: {generations} generations");
            let (_, err, outcome) = parallel(&data, 2);
            assert_eq!(err, None);
            let all = Outcome {
                committed: generations - 1,
                ..Outcome::default()
            };
            assert_eq!(outcome, all, "{name}");
            // By default, only while the turn is not near: with these small
            // generations a worker may well find every turn near (ordering
            // one takes well under a millisecond), so how many are ordered
            // ahead depends on timing; none has to be ordered again.
            let (r, outcome) = read_with(&data, 2, Ahead::Measured, |_| true);
            assert!(r.is_ok());
            assert_eq!(outcome.reordered, 0, "{name}");
            // One thread: no speculation.
            assert_eq!(parallel(&data, 1).2, Outcome::default(), "{name}");
        }
    }

    /// Corrupt traces of many generations, every generation ordered ahead
    /// that can be, to its end or stopped part-way: still `Reader`'s events
    /// and error, whether the runs' assumptions hold, fail, or the runs
    /// fail.
    #[test]
    fn corrupt_traces_read_as_reader_reads_them() {
        let mut next = crate::testutil::xorshift(0x9e37_79b9_7f4a_7c15);
        let (mut reordered, mut reordered_part) = (0, 0);
        for v in ["1.22", "1.25", "1.27"] {
            let data = fixture(&format!("generations50ms-go{v}.trace"));
            for i in 0..40 {
                let mut bad = data.clone();
                for _ in 0..1 + i % 3 {
                    let at = 16 + (next() as usize) % (bad.len() - 16);
                    bad[at] ^= 1 << (next() % 8);
                }
                let what = format!("go{v} corruption {i}");
                let outcome = same_as_reader(&bad, 2, &what);
                reordered += outcome.reordered;
                // Runs ahead stopped part-way, in small chunks: the check
                // at the stop, or the rest in turn, meets the corruption.
                let outcome = same_as_reader_in(&bad, 2, Ahead::TurnAt(2), 64, &what);
                reordered_part += outcome.reordered;
            }
        }
        // The corruptions did reach speculative runs.
        assert!(reordered > 0);
        assert!(reordered_part > 0);
    }

    /// A panic in the caller's function reaches the caller (the threads
    /// waiting for it are stopped rather than left waiting).
    #[test]
    fn a_panic_in_f_reaches_the_caller() {
        let data = fixture("generations50ms-go1.27.trace");
        let r = std::panic::catch_unwind(|| {
            let mut seen = 0;
            read_with(&data, 2, Ahead::Always, |_| {
                seen += 1;
                assert!(seen < 5000, "the caller's panic");
                true
            })
        });
        assert!(r.is_err());
    }

    /// Stopping early stops every thread and hands out nothing more.
    #[test]
    fn stops_when_asked() {
        let data = fixture("generations-go1.27.trace");
        let mut seen = 0;
        let (r, _) = read_with(&data, 3, Ahead::Always, |_| {
            seen += 1;
            seen < 1000
        });
        assert!(r.is_ok());
        assert_eq!(seen, 1000);
    }
}

#[cfg(test)]
mod mismatch_tests {
    use super::*;
    use crate::raw::RawReader;
    use crate::spec::{ev, gostatus};
    use std::path::PathBuf;

    /// A goroutine's status changed in a late generation: the speculative
    /// run assumes the new status, the check against the previous
    /// generation fails, and the generation is ordered again, giving
    /// `Reader`'s error.
    #[test]
    fn a_failed_assumption_orders_the_generation_again() {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/traces/generations50ms-go1.27.trace");
        let mut data = std::fs::read(&p).expect("fixture");
        // The status byte of the first waiting goroutine's GoStatus in the
        // 10th generation: Waiting becomes Runnable.
        let mut raw = RawReader::new(&data).expect("header");
        let mut gen_no = 0;
        let mut at = None;
        while let Ok(Some(e)) = raw.read_event() {
            if e.typ == ev::EVENT_BATCH {
                gen_no = e.args[0];
            }
            if gen_no == 10 && e.typ == ev::GO_STATUS && e.args[3] == gostatus::WAITING {
                at = Some(raw.offset() - 1);
                break;
            }
        }
        let at = at.expect("a waiting goroutine in generation 10");
        assert_eq!(data[at], gostatus::WAITING as u8);
        data[at] = gostatus::RUNNABLE as u8;

        let mut r = Reader::new(&data).expect("header");
        let mut want = 0;
        let want_err = loop {
            match r.read_event() {
                Ok(Some(_)) => want += 1,
                Ok(None) => break None,
                Err(e) => break Some(e.to_string()),
            }
        };
        let want_err = want_err.expect("Reader fails");
        assert!(want_err.contains("inconsistent status"), "{want_err}");
        // Ordered ahead to the generation's end, and stopped part-way (in
        // 64-event chunks) at the first and third chunk, before or after
        // the changed status is read.
        for (ahead, chunk) in [
            (Ahead::Always, CHUNK),
            (Ahead::TurnAt(1), 64),
            (Ahead::TurnAt(3), 64),
        ] {
            let mut got = 0;
            let (result, outcome) = read_in_chunks(&data, 2, ahead, chunk, |_| {
                got += 1;
                true
            });
            assert_eq!(
                result.err().map(|e| e.to_string()).as_ref(),
                Some(&want_err),
                "{ahead:?}"
            );
            assert_eq!(got, want, "{ahead:?}");
            assert!(outcome.reordered >= 1, "{ahead:?}: {outcome:?}");
        }
    }
}
