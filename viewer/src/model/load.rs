//! Loading a trace off the UI thread: scan the framing, build one chunk per
//! generation on worker threads, merge chunks in order, and publish the model
//! (a preview while loading big traces, then the final model).
//!
//! Generation bytes are read with `pread` rather than mapped, so the file's
//! pages never count towards the viewer's resident memory.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use trace_format::framing::{self, GenerationExtent};
use trace_format::version::HEADER_LEN;

use super::annotations::AnnotationBuilder;
use super::build::{RangeEv, RangeKind, RawChunk, TimeFix, build_chunk};
use super::strings::{IdMaps, NONE};
use super::{Chunk, Goroutines, Model, RangeSpan, ThreadTracks};

/// Where a trace comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A file on disk.
    Path(PathBuf),
    /// Bytes in memory, with a display name.
    Bytes {
        /// Display name.
        name: String,
        /// Trace bytes.
        data: Arc<[u8]>,
    },
}

impl Source {
    /// Display name.
    pub fn name(&self) -> String {
        match self {
            Source::Path(p) => p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
            Source::Bytes { name, .. } => name.clone(),
        }
    }
}

/// Loading progress, shared with the UI.
#[derive(Debug, Default)]
pub struct Progress {
    /// Work done (bytes of generations processed).
    pub done: AtomicU64,
    /// Total work.
    pub total: AtomicU64,
    /// Set to ask the loader to stop.
    pub cancel: AtomicBool,
    /// What is happening.
    pub stage: Mutex<String>,
}

impl Progress {
    /// Fraction done in [0, 1].
    pub fn fraction(&self) -> f32 {
        let t = self.total.load(Ordering::Relaxed);
        if t == 0 {
            0.0
        } else {
            (self.done.load(Ordering::Relaxed) as f64 / t as f64).min(1.0) as f32
        }
    }

    /// Current stage description.
    pub fn stage(&self) -> String {
        self.stage.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn set_stage(&self, s: &str) {
        if let Ok(mut g) = self.stage.lock() {
            *g = s.to_string();
        }
    }
}

/// Messages from the loader.
#[derive(Debug)]
pub enum LoadMsg {
    /// The part loaded so far (big traces only).
    Preview(Arc<Model>),
    /// Loading finished; the model may be partial, with `error` set.
    Done(Arc<Model>),
    /// Nothing could be loaded.
    Failed(String),
}

/// A running load.
pub struct LoadHandle {
    /// Progress.
    pub progress: Arc<Progress>,
    /// Messages.
    pub rx: mpsc::Receiver<LoadMsg>,
    /// When loading started.
    pub started: Instant,
}

impl LoadHandle {
    /// Asks the loader to stop.
    pub fn cancel(&self) {
        self.progress.cancel.store(true, Ordering::Relaxed);
    }
}

/// Starts loading `src` on a background thread; `notify` is called after each message.
pub fn load(src: Source, notify: impl Fn() + Send + Sync + 'static) -> LoadHandle {
    let progress = Arc::new(Progress::default());
    let (tx, rx) = mpsc::channel();
    let p = progress.clone();
    let started = Instant::now();
    let spawned = std::thread::Builder::new()
        .name("trace-loader".into())
        .spawn(move || {
            let send = |m: LoadMsg| {
                let _ = tx.send(m);
                notify();
            };
            match run(&src, &p, &send) {
                Ok(m) => send(LoadMsg::Done(Arc::new(m))),
                Err(e) => send(LoadMsg::Failed(e)),
            }
        });
    let (tx2, rx2) = mpsc::channel();
    let rx = match spawned {
        Ok(_) => rx,
        Err(e) => {
            let _ = tx2.send(LoadMsg::Failed(format!("cannot start loader thread: {e}")));
            rx2
        }
    };
    LoadHandle {
        progress,
        rx,
        started,
    }
}

/// Loads synchronously (tests, benchmarks).
pub fn load_blocking(src: &Source) -> Result<Model, String> {
    run(src, &Progress::default(), &|_| {})
}

enum Data {
    File(std::fs::File),
    Bytes(Arc<[u8]>),
}

impl Data {
    /// A standalone trace of one generation: the header and the generation's bytes.
    fn generation(&self, g: &GenerationExtent) -> std::io::Result<Vec<u8>> {
        let len = (g.end - g.start) as usize;
        let mut buf = vec![0u8; HEADER_LEN + len];
        match self {
            Data::File(f) => {
                use std::os::unix::fs::FileExt;
                f.read_exact_at(&mut buf[..HEADER_LEN], 0)?;
                f.read_exact_at(&mut buf[HEADER_LEN..], g.start)?;
            }
            Data::Bytes(b) => {
                let (s, e) = (g.start as usize, g.end as usize);
                match (b.get(..HEADER_LEN), b.get(s..e)) {
                    (Some(h), Some(d)) => {
                        buf[..HEADER_LEN].copy_from_slice(h);
                        buf[HEADER_LEN..].copy_from_slice(d);
                    }
                    _ => return Err(std::io::Error::other("generation out of range")),
                }
            }
        }
        Ok(buf)
    }
}

/// Opens `src` and scans its framing: the data, the framing and the size.
fn open(src: &Source) -> Result<(Data, framing::Framing, u64), String> {
    match src {
        Source::Path(p) => {
            let tf = trace_format::TraceFile::open(p, trace_format::MmapChoice::Auto)
                .map_err(|e| format!("cannot read {}: {e}", p.display()))?;
            let fr = framing::scan(tf.bytes()).map_err(|e| format!("{}: {e}", p.display()))?;
            let size = tf.bytes().len() as u64;
            let data = if tf.is_mapped() {
                drop(tf);
                Data::File(
                    std::fs::File::open(p)
                        .map_err(|e| format!("cannot read {}: {e}", p.display()))?,
                )
            } else {
                Data::Bytes(Arc::from(tf.bytes()))
            };
            Ok((data, fr, size))
        }
        Source::Bytes { data, name } => {
            let fr = framing::scan(data).map_err(|e| format!("{name}: {e}"))?;
            Ok((Data::Bytes(data.clone()), fr, data.len() as u64))
        }
    }
}

/// Builds the chunks of `gens` on worker threads and hands them to `on_chunk`
/// in order, until it returns false. Returns the first error.
fn parse_in_order(
    data: &Data,
    gens: &[GenerationExtent],
    threads_only: bool,
    progress: &Progress,
    mut on_chunk: impl FnMut(usize, RawChunk) -> bool,
) -> Option<String> {
    let workers = std::env::var("GOTRACE_VIEW_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .clamp(1, 8)
        .min(gens.len());
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<(usize, Result<RawChunk, String>)>();
    let mut error = None;
    std::thread::scope(|s| {
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, stop) = (&next, &stop);
            s.spawn(move || {
                loop {
                    // Stay at most a few chunks ahead of the merge (bounds memory).
                    if stop.load(Ordering::Relaxed) || progress.cancel.load(Ordering::Relaxed) {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(g) = gens.get(i) else { break };
                    let res = data
                        .generation(g)
                        .map_err(|e| format!("reading generation {}: {e}", g.number))
                        .and_then(|buf| {
                            let extent = tick_extent(g);
                            build_chunk(&buf, threads_only, &progress.done, g.len(), extent)
                                .map_err(|e| format!("generation {}: {e}", g.number))
                        });
                    let failed = res.is_err();
                    if tx.send((i, res)).is_err() || failed {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut pending: BTreeMap<usize, Result<RawChunk, String>> = BTreeMap::new();
        let mut want = 0usize;
        'recv: for (i, r) in rx.iter() {
            pending.insert(i, r);
            while let Some(r) = pending.remove(&want) {
                let more = match r {
                    Ok(raw) => on_chunk(want, raw),
                    Err(e) => {
                        error = Some(e);
                        false
                    }
                };
                want += 1;
                if !more || progress.cancel.load(Ordering::Relaxed) {
                    stop.store(true, Ordering::Relaxed);
                    break 'recv;
                }
            }
        }
    });
    error
}

fn run(src: &Source, progress: &Progress, send: &dyn Fn(LoadMsg)) -> Result<Model, String> {
    progress.set_stage("scanning");
    let (data, framing, size) = open(src)?;
    let gens = framing.generations.clone();
    let scan_error = framing.error.as_ref().map(|e| {
        format!(
            "the trace is truncated or damaged after {} complete generation(s) ({} bytes not read): {e}",
            gens.len(),
            framing.lost_bytes()
        )
    });
    if gens.is_empty() {
        return Err(scan_error.unwrap_or_else(|| "the trace has no events".into()));
    }
    progress
        .total
        .store(gens.iter().map(|g| g.len()).sum(), Ordering::Relaxed);
    progress.set_stage("reading events");

    let mut merger = Merger::new(
        src.name(),
        size,
        format!("Go 1.{}", framing.version.minor()),
    );
    let started = Instant::now();
    let mut last_preview: Option<Instant> = None;
    let mut error = parse_in_order(&data, &gens, false, progress, |i, raw| {
        merger.push(raw);
        let due = match last_preview {
            None => started.elapsed() > Duration::from_millis(400),
            Some(t) => t.elapsed() > Duration::from_secs(3),
        };
        if due && i + 1 < gens.len() && merger.goroutines.len() < 500_000 {
            last_preview = Some(Instant::now());
            send(LoadMsg::Preview(Arc::new(merger.snapshot(false, None))));
        }
        true
    });
    if progress.cancel.load(Ordering::Relaxed) && error.is_none() {
        error = Some("loading was cancelled".into());
    }
    if merger.chunks.is_empty() {
        return Err(error
            .or(scan_error)
            .unwrap_or_else(|| "the trace has no events".into()));
    }
    let complete = error.is_none() && scan_error.is_none();
    let error = match (error, scan_error) {
        (Some(e), _) => Some(format!(
            "loading stopped at {e}; showing the {} generation(s) before it",
            merger.chunks.len()
        )),
        (None, s) => s,
    };
    progress.set_stage("done");
    Ok(merger.finish(complete, error))
}

/// Builds the per-thread (M) tracks of `model`, loaded from `src`, with a
/// second pass over its generations. Returns `None` if cancelled.
pub fn load_threads(
    src: &Source,
    model: &Model,
    progress: &Progress,
) -> Result<Option<ThreadTracks>, String> {
    let (data, framing, _) = open(src)?;
    let n = model.chunks.len().min(framing.generations.len());
    let gens = &framing.generations[..n];
    progress
        .total
        .store(gens.iter().map(|g| g.len()).sum(), Ordering::Relaxed);
    let mut chunks = Vec::with_capacity(n);
    let mut ids = std::collections::BTreeSet::new();
    let error = parse_in_order(&data, gens, true, progress, |_, raw| {
        ids.extend(raw.threads.iter().map(|t| t.id));
        chunks.push(raw.threads);
        true
    });
    if let Some(e) = error {
        return Err(e);
    }
    if progress.cancel.load(Ordering::Relaxed) {
        return Ok(None);
    }
    Ok(Some(ThreadTracks {
        ids: ids.into_iter().collect(),
        chunks,
    }))
}

/// A generation's approximate time extent in ns (for progress only).
fn tick_extent(g: &GenerationExtent) -> (i64, i64) {
    let k = g.ns_per_tick().unwrap_or(1.0);
    (
        (g.min_ticks as f64 * k) as i64,
        (g.max_ticks as f64 * k) as i64,
    )
}

/// Merges chunks in trace order into the global tables.
struct Merger {
    model: Model,
    chunks: Vec<Arc<Chunk>>,
    goroutines: Goroutines,
    gindex: GoidIndex,
    labels: HashMap<u32, u32>,
    open_ranges: HashMap<(RangeKind, i64), (i64, u32, u32)>,
    annots: AnnotationBuilder,
    procs: std::collections::BTreeSet<i64>,
}

impl Merger {
    fn new(name: String, size: u64, version: String) -> Self {
        Merger {
            model: Model {
                name,
                size,
                version,
                ..Model::default()
            },
            chunks: Vec::new(),
            goroutines: Goroutines::default(),
            gindex: GoidIndex::default(),
            labels: HashMap::new(),
            open_ranges: HashMap::new(),
            annots: AnnotationBuilder::default(),
            procs: Default::default(),
        }
    }

    fn push(&mut self, mut raw: RawChunk) {
        let m = &mut self.model;
        let maps = IdMaps::merge(&raw.tables, &mut m.strings, &mut m.stacks);
        let ci = self.chunks.len() as u32;
        let fix = if ci == 0 {
            TimeFix::none()
        } else {
            TimeFix::new(m.end, std::mem::take(&mut raw.early))
        };
        let start = if ci == 0 { raw.base } else { m.end };
        if ci == 0 {
            m.start = raw.base;
        }
        // Goroutines.
        let gt = &mut self.goroutines;
        raw.gs.global = Vec::with_capacity(raw.goids.len());
        for (l, &goid) in raw.goids.iter().enumerate() {
            let n = gt.goid.len() as u32;
            let g = self.gindex.get_or_insert(goid, n);
            if g == n {
                gt.goid.push(goid);
                gt.name.push(0);
                gt.first_chunk.push(ci);
                gt.last_chunk.push(ci);
            }
            gt.last_chunk[g as usize] = ci;
            if gt.name[g as usize] == 0 {
                let st = maps.stack(raw.name_stacks[l]);
                if st != NONE
                    && let Some(f) = m.stacks.frames(st).last()
                {
                    gt.name[g as usize] = f.func;
                }
            }
            raw.gs.global.push(g);
        }
        let mut by: Vec<u32> = (0..raw.goids.len() as u32).collect();
        by.sort_unstable_by_key(|&l| raw.gs.global[l as usize]);
        raw.gs.by_global = by;
        for &(goid, label) in &raw.labels {
            if let Some(g) = self.gindex.get(goid) {
                self.labels.insert(g, maps.string(label));
            }
        }
        // Ranges, metrics, samples, annotations.
        for r in raw.ranges.iter_mut() {
            r.time = fix.fix(r.time);
        }
        for r in &raw.ranges {
            self.range(r, &maps, start);
        }
        let m = &mut self.model;
        for e in &raw.metrics {
            let t = fix.fix(e.time);
            match e.which {
                0 => m.gomaxprocs.push(t, e.value),
                1 => m.heap.push(t, e.value),
                _ => m.heap_goal.push(t, e.value),
            }
        }
        for s in &raw.cpu {
            let mut s = *s;
            s.stack = maps.stack(s.stack);
            s.time = fix.fix(s.time);
            m.cpu.push(s);
        }
        for a in raw.annots.iter_mut() {
            a.time = fix.fix(a.time);
        }
        self.annots.add(&raw.annots, &maps, start);
        self.procs.extend(raw.procs.iter().map(|t| t.id));
        let end = fix.fix(raw.end);
        m.end = end.max(m.end);
        m.events += raw.events;
        self.chunks.push(Arc::new(Chunk {
            start,
            end,
            base: raw.base,
            events: raw.events,
            gs: raw.gs,
            procs: raw.procs,
            counts: raw.counts,
            maps,
            fix,
        }));
    }

    fn range(&mut self, r: &RangeEv, maps: &IdMaps, chunk_start: i64) {
        let key = (
            r.what,
            if r.what == RangeKind::MarkAssist {
                r.goid
            } else {
                -1
            },
        );
        let (reason, stack) = (maps.string(r.reason), maps.stack(r.stack));
        match r.edge {
            0 => {
                self.open_ranges.insert(key, (r.time, reason, stack));
            }
            1 => {
                self.open_ranges
                    .entry(key)
                    .or_insert((chunk_start, reason, stack));
            }
            _ => {
                let (start, reason0, stack0) =
                    self.open_ranges
                        .remove(&key)
                        .unwrap_or((chunk_start, reason, NONE));
                let span = RangeSpan {
                    start,
                    end: r.time,
                    goid: key.1,
                    reason: if reason0 != NONE { reason0 } else { reason },
                    stack: stack0,
                    complete: true,
                };
                let m = &mut self.model;
                match r.what {
                    RangeKind::GcMark => m.gc.push(span),
                    RangeKind::Stw => m.stw.push(span),
                    RangeKind::MarkAssist => m.assists.push(span),
                }
            }
        }
    }

    /// The model so far (cloned, so loading can continue).
    fn snapshot(&self, complete: bool, error: Option<String>) -> Model {
        self.assemble(self.model.clone(), self.goroutines.clone(), complete, error)
    }

    /// The final model (moved out, dropping the merge-time index first).
    fn finish(mut self, complete: bool, error: Option<String>) -> Model {
        self.gindex = GoidIndex::default();
        let m = std::mem::take(&mut self.model);
        let g = std::mem::take(&mut self.goroutines);
        self.assemble(m, g, complete, error)
    }

    fn assemble(
        &self,
        mut m: Model,
        mut g: Goroutines,
        complete: bool,
        error: Option<String>,
    ) -> Model {
        m.chunks = self.chunks.clone();
        let mut by: Vec<u32> = (0..g.goid.len() as u32).collect();
        by.sort_unstable_by_key(|&i| g.goid[i as usize]);
        g.by_goid = by;
        let mut labels: Vec<(u32, u32)> = self.labels.iter().map(|(&a, &b)| (a, b)).collect();
        labels.sort_unstable();
        g.labels = labels;
        m.goroutines = g;
        for (&(what, goid), &(start, reason, stack)) in &self.open_ranges {
            let span = RangeSpan {
                start,
                end: m.end,
                goid,
                reason,
                stack,
                complete: false,
            };
            match what {
                RangeKind::GcMark => m.gc.push(span),
                RangeKind::Stw => m.stw.push(span),
                RangeKind::MarkAssist => m.assists.push(span),
            }
        }
        m.gc.sort_by_key(|r| r.start);
        m.stw.sort_by_key(|r| r.start);
        m.assists.sort_by_key(|r| (r.goid, r.start));
        m.annotations = self.annots.finish(m.start, m.end);
        m.procs = self.procs.iter().copied().collect();
        m.wait_cats = (0..m.strings.len() as u32)
            .map(|i| super::state::wait_category(m.strings.get(i)) as u8)
            .collect();
        m.complete = complete;
        m.error = error;
        m
    }
}

/// Goroutine ID → index while merging. Goroutine IDs are small and dense in
/// practice, so a vector indexed by ID (4 bytes per ID) does the job of a
/// hash map at a fraction of its memory; unusual IDs go to a map.
#[derive(Default)]
struct GoidIndex {
    dense: Vec<u32>,
    sparse: HashMap<i64, u32>,
}

impl GoidIndex {
    /// IDs below this are kept in the vector.
    const DENSE_MAX: i64 = 1 << 25;

    fn get(&self, goid: i64) -> Option<u32> {
        if (0..Self::DENSE_MAX).contains(&goid) {
            self.dense
                .get(goid as usize)
                .copied()
                .filter(|&g| g != NONE)
        } else {
            self.sparse.get(&goid).copied()
        }
    }

    /// The index of `goid`, inserting `new` if absent.
    fn get_or_insert(&mut self, goid: i64, new: u32) -> u32 {
        if (0..Self::DENSE_MAX).contains(&goid) {
            let i = goid as usize;
            if i >= self.dense.len() {
                let want = (i + 1).next_power_of_two().min(Self::DENSE_MAX as usize);
                self.dense.resize(want, NONE);
            }
            if self.dense[i] == NONE {
                self.dense[i] = new;
            }
            self.dense[i]
        } else {
            *self.sparse.entry(goid).or_insert(new)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goid_index() {
        let mut x = GoidIndex::default();
        assert_eq!(x.get(5), None);
        assert_eq!(x.get_or_insert(5, 0), 0);
        assert_eq!(x.get_or_insert(5, 1), 0);
        assert_eq!(x.get_or_insert(-3, 1), 1);
        assert_eq!(x.get_or_insert(1 << 40, 2), 2);
        assert_eq!(
            (x.get(5), x.get(-3), x.get(1 << 40), x.get(6)),
            (Some(0), Some(1), Some(2), None)
        );
    }
}
