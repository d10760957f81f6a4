//! Cutting a trace into standalone traces of whole generations (`gotrace split`).
//!
//! Go's trace format makes every generation self-contained: each one restates
//! the state of every goroutine and P and carries its own string, stack and
//! clock tables. A chunk is therefore the input's 16-byte header followed by
//! whole generations copied verbatim, exactly as the runtime framed them (the
//! Go 1.26+ end-of-generation byte included; before 1.26 a generation simply
//! ends where the next begins), and Go's tools open it like any other trace.
//!
//! The chunks' events, concatenated, are the input's, Sync events aside, with
//! the differences Go's reader makes when a generation opens a trace: in a
//! chunk's first generation the goroutine and P statuses read as initial
//! states (`Undetermined->Running` for `Running->Running`; a P whose status
//! is `SyscallAbandoned` reads as `Idle`, with the thread's context unknown),
//! a `TaskEnd` for a task begun in an earlier chunk has no parent or type, and
//! events Go's reader had pushed 1 ns past the previous generation's last
//! event keep their own timestamps.
//!
//! Splitting streams: [`GenerationStream`] reads any [`Read`] once, in order,
//! holding a single generation in memory, and [`split_to_dir`] writes each
//! chunk under a temporary name, renaming it only once it is complete.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use crate::batch::{Batch, read_batch};
use crate::error::{Error, ErrorKind};
use crate::framing::{self, GenerationExtent};
use crate::generation::Frequency;
use crate::spec::{NO_EXPERIMENT, SPECS, ev};
use crate::varint::uvarint;
use crate::version::{HEADER_LEN, Version, read_header};

/// Bytes asked of the input per read.
const READ_BLOCK: usize = 1 << 20;
/// The longest batch header: type, experiment, and four 10-byte varints.
const MAX_BATCH_HEADER: usize = 2 + 4 * 10;

/// Why splitting (or streaming generations) stopped.
#[derive(Debug, thiserror::Error)]
pub enum SplitError {
    /// Reading the input failed.
    #[error("reading the trace: {0}")]
    Read(#[source] io::Error),
    /// The input is not a readable trace from this point on.
    #[error("{0}")]
    Trace(#[from] Error),
    /// Creating or writing an output file failed.
    #[error("writing {}: {source}", path.display())]
    Write {
        /// The file being written (its final name).
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
}

/// One complete generation read by [`GenerationStream`].
#[derive(Debug)]
pub struct StreamedGeneration<'a> {
    /// Extent (input file offsets) and clock data.
    pub extent: GenerationExtent,
    /// The input's header followed by this generation alone: a valid
    /// one-generation trace.
    pub trace: &'a [u8],
}

impl StreamedGeneration<'_> {
    /// The generation's bytes as they appear in the input.
    pub fn bytes(&self) -> &[u8] {
        &self.trace[HEADER_LEN..]
    }
}

/// Reads a trace from any [`Read`] one generation at a time, in order. Its
/// buffer holds the current generation and at most one read block (1 MiB)
/// beyond it; it grows by doubling, so it stays under about twice the
/// largest generation.
///
/// Generation boundaries follow Go's reader: the end-of-generation byte for
/// Go 1.26+, otherwise the first batch of the next generation (or a clean end
/// of input after a whole batch).
pub struct GenerationStream<R> {
    input: R,
    version: Version,
    /// The header, then the current generation, then bytes read ahead.
    /// Fully initialised; `filled` bytes are valid.
    buf: Vec<u8>,
    filled: usize,
    /// End in `buf` of the generation handed out last (`HEADER_LEN` if none).
    gen_end: usize,
    /// Input offset of `buf[HEADER_LEN]`.
    base: u64,
    eof: bool,
    done: bool,
    bytes_read: u64,
}

impl<R: Read> GenerationStream<R> {
    /// Reads and checks the header.
    pub fn new(mut input: R) -> Result<GenerationStream<R>, SplitError> {
        let mut buf = vec![0u8; HEADER_LEN];
        let mut n = 0;
        while n < HEADER_LEN {
            match input.read(&mut buf[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(SplitError::Read(e)),
            }
        }
        let version = read_header(&buf[..n])?;
        Ok(GenerationStream {
            input,
            version,
            buf,
            filled: HEADER_LEN,
            gen_end: HEADER_LEN,
            base: HEADER_LEN as u64,
            eof: false,
            done: false,
            bytes_read: HEADER_LEN as u64,
        })
    }

    /// The trace's format version.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The trace's header bytes.
    pub fn header(&self) -> &[u8] {
        &self.buf[..HEADER_LEN]
    }

    /// Bytes read from the input so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// Input offset just past the last complete generation returned.
    pub fn complete_end(&self) -> u64 {
        self.file_offset(self.gen_end)
    }

    fn file_offset(&self, buf_pos: usize) -> u64 {
        self.base + (buf_pos as u64).saturating_sub(HEADER_LEN as u64)
    }

    /// Moves an error found in `buf` to input offsets.
    fn relocate(&self, e: Error) -> Error {
        let mut moved = Error::new(e.kind.clone(), self.file_offset(e.offset as usize));
        if let Some(g) = e.generation {
            moved = moved.in_generation(g);
        }
        moved
    }

    /// Reads until at least `want` more bytes are buffered or the input ends.
    fn fill(&mut self, want: usize) -> Result<(), SplitError> {
        let target = self.filled + want.max(1);
        while self.filled < target {
            let room = READ_BLOCK.max(target - self.filled);
            if self.buf.len() < self.filled + room {
                let grown = (self.buf.len() * 2).max(self.filled + room);
                self.buf.resize(grown, 0);
            }
            let end = self.filled + room;
            match self.input.read(&mut self.buf[self.filled..end]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => {
                    self.filled += n;
                    self.bytes_read += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(SplitError::Read(e)),
            }
        }
        Ok(())
    }

    /// The next complete generation; `Ok(None)` at a clean end of input.
    ///
    /// After an error (a truncated or corrupt generation, a read error) the
    /// stream is finished; every generation before it was returned intact.
    pub fn next_generation(&mut self) -> Result<Option<StreamedGeneration<'_>>, SplitError> {
        if self.done {
            return Ok(None);
        }
        let r = self.find_generation_end();
        if r.is_err() {
            self.done = true;
        }
        let Some(end) = r? else {
            self.done = true;
            return Ok(None);
        };
        let trace = &self.buf[..end];
        let scanned = framing::scan(trace).map_err(|e| self.relocate(e))?;
        let Some(mut extent) = scanned.generations.into_iter().next() else {
            // The walk above accepted the generation, so scan does too.
            let e = scanned
                .error
                .unwrap_or_else(|| Error::invalid("empty generation", HEADER_LEN as u64));
            self.done = true;
            return Err(self.relocate(e).into());
        };
        extent.start = self.file_offset(HEADER_LEN);
        extent.end = self.file_offset(end);
        self.gen_end = end;
        Ok(Some(StreamedGeneration {
            extent,
            trace: &self.buf[..end],
        }))
    }

    /// Drops the previous generation and buffers the next one completely,
    /// returning its end in `buf`.
    fn find_generation_end(&mut self) -> Result<Option<usize>, SplitError> {
        self.base = self.file_offset(self.gen_end);
        self.buf.copy_within(self.gen_end..self.filled, HEADER_LEN);
        self.filled -= self.gen_end - HEADER_LEN;
        self.gen_end = HEADER_LEN;

        let v = self.version;
        let mut pos = HEADER_LEN;
        let mut current: Option<u64> = None;
        loop {
            let fb = match read_batch(&self.buf[..self.filled], pos) {
                Ok(fb) => fb,
                Err(e) => {
                    let more = match e.kind {
                        ErrorKind::TruncatedBatch { read, wanted } => {
                            Some((wanted - read) as usize)
                        }
                        _ if self.filled - pos < MAX_BATCH_HEADER => Some(1),
                        _ => None,
                    };
                    match more {
                        Some(n) if !self.eof => {
                            self.fill(n)?;
                            continue;
                        }
                        _ => return Err(self.relocate(located(e, current)).into()),
                    }
                }
            };
            let Some(fb) = fb else {
                if !self.eof {
                    self.fill(1)?;
                    continue;
                }
                return match current {
                    None => Ok(None),
                    Some(_) if !v.has_end_of_generation() => Ok(Some(pos)),
                    Some(g) => Err(self
                        .relocate(
                            Error::new(ErrorKind::IncompleteGeneration, pos as u64)
                                .in_generation(g),
                        )
                        .into()),
                };
            };
            if fb.batch.is_end_of_generation() {
                if current.is_some() && v.has_end_of_generation() {
                    return Ok(Some(fb.end as usize));
                }
                let e = Error::new(ErrorKind::InvalidGeneration(0), fb.start);
                return Err(self.relocate(e).into());
            }
            if fb.gen_no == 0 {
                let e = Error::new(ErrorKind::InvalidGeneration(0), fb.start);
                return Err(self.relocate(e).into());
            }
            match current {
                None => current = Some(fb.gen_no),
                Some(g) if g != fb.gen_no => {
                    let kind = if v.has_end_of_generation() {
                        ErrorKind::MissingEndOfGeneration
                    } else if fb.gen_no != g.wrapping_add(1) {
                        ErrorKind::GenerationsOutOfOrder
                    } else {
                        // The next generation's first batch: it stays buffered.
                        return Ok(Some(fb.start as usize));
                    };
                    let e = Error::new(kind, fb.start).in_generation(g);
                    return Err(self.relocate(e).into());
                }
                Some(_) => {}
            }
            pos = fb.end as usize;
        }
    }
}

fn located(e: Error, generation: Option<u64>) -> Error {
    match generation {
        Some(g) => e.in_generation(g),
        None => e,
    }
}

/// Where a generation lies in time, as Go's reader sees it when the
/// generation opens a trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenerationSpan {
    /// Time (ns) of the generation's Sync event: its smallest batch timestamp.
    pub start_ns: i64,
    /// Time (ns) of its latest event: the latest of the last events of each
    /// thread's last batch, and of its CPU samples (`start_ns` if it has no
    /// events). Go's reader shows this time on the last event before the
    /// closing Sync, unless it emitted the last events out of timestamp order
    /// and pushed them 1 ns apart; it never shows an earlier one. Computing
    /// it decodes a few batches instead of ordering the whole generation.
    pub end_ns: i64,
    /// Wall clock (Unix ns) at the clock snapshot and the snapshot's trace
    /// time (ns), for Go 1.25+ traces.
    pub clock: Option<(i64, i64)>,
}

impl GenerationSpan {
    /// Wall-clock time (Unix ns) at trace time `t`, if the generation has a
    /// clock snapshot.
    pub fn wall_at(&self, t: i64) -> Option<i64> {
        let (wall, trace) = self.clock?;
        wall.checked_add(t.checked_sub(trace)?)
    }
}

/// Computes the span of a one-generation trace (`header + generation`, as
/// [`StreamedGeneration::trace`]) without ordering its events: only each
/// thread's last batch and the CPU samples are decoded.
pub fn generation_span(trace: &[u8], extent: &GenerationExtent) -> Result<GenerationSpan, Error> {
    let version = read_header(trace)?;
    let fail = |msg: &str| Error::invalid(msg, extent.start).in_generation(extent.number);
    let freq = match extent.ticks_per_sec {
        Some(f) => Frequency::new(1.0 / (f as f64 / 1e9)),
        None => return Err(fail("no frequency event found")),
    };
    let mut min_ts = 0u64;
    let mut last_batches: Vec<Batch<'_>> = Vec::new();
    let mut end_ns = i64::MIN;
    let mut pos = HEADER_LEN;
    while let Some(fb) = read_batch(trace, pos)? {
        pos = fb.end as usize;
        let b = fb.batch;
        if b.is_end_of_generation() {
            break;
        }
        // Go's `if g.minTs == 0 || b.time < g.minTs`.
        if min_ts == 0 || b.time < min_ts {
            min_ts = b.time;
        }
        if b.exp != NO_EXPERIMENT || b.is_strings() || b.is_stacks() || b.is_sync(version) {
            continue;
        }
        if b.is_cpu_samples() {
            end_ns = end_ns.max(last_cpu_sample_time(&b, freq)?);
            continue;
        }
        match last_batches.iter_mut().find(|l| l.m == b.m) {
            Some(l) => *l = b,
            None => last_batches.push(b),
        }
    }
    for b in &last_batches {
        end_ns = end_ns.max(last_event_time(b, freq)?);
    }
    let start_ns = freq.mul(min_ts);
    let clock = match (extent.wall, extent.snapshot_ticks) {
        (Some((sec, nsec)), Some(ticks)) => (sec as i64)
            .checked_mul(1_000_000_000)
            .and_then(|s| s.checked_add(nsec as i64))
            .map(|wall| (wall, freq.mul(ticks))),
        _ => None,
    };
    Ok(GenerationSpan {
        start_ns,
        end_ns: end_ns.max(start_ns),
        clock,
    })
}

/// Time of the last event of an event batch, computed as Go's batch cursor does.
fn last_event_time(b: &Batch<'_>, freq: Frequency) -> Result<i64, Error> {
    let d = b.data;
    let mut p = 0;
    let mut last_ts = 0i64;
    let err = |msg: String, at: usize| Error::invalid(msg, b.offset + at as u64);
    while p < d.len() {
        let at = p;
        let typ = d[p];
        let spec = SPECS
            .get(typ as usize)
            .ok_or_else(|| err(format!("found invalid event type: {typ}"), at))?;
        if spec.args.is_empty() || !spec.is_timed {
            return Err(err(
                format!("found event without a timestamp: type={typ}"),
                at,
            ));
        }
        p += 1;
        let (tsdiff, n) = uvarint(&d[p..])
            .ok_or_else(|| err("found invalid uvarint for timestamp".into(), at))?;
        p += n;
        for _ in 1..spec.args.len() {
            let (_, n) = uvarint(&d[p..]).ok_or_else(|| err("found invalid uvarint".into(), at))?;
            p += n;
        }
        if last_ts == 0 {
            last_ts = freq.mul(b.time);
        }
        last_ts = freq.mul(tsdiff).wrapping_add(last_ts);
    }
    Ok(last_ts)
}

/// Time of the latest sample of a CPU-samples batch.
fn last_cpu_sample_time(b: &Batch<'_>, freq: Frequency) -> Result<i64, Error> {
    let d = b.data;
    let mut p = 1;
    let mut latest = i64::MIN;
    while p < d.len() {
        let at = b.offset + p as u64;
        if d[p] != ev::CPU_SAMPLE {
            return Err(Error::invalid(
                format!("expected CPU sample event, got {}", d[p]),
                at,
            ));
        }
        p += 1;
        for i in 0..5 {
            let (x, n) = uvarint(&d[p..]).ok_or_else(|| Error::invalid("invalid uvarint", at))?;
            if i == 0 {
                latest = latest.max(freq.mul(x));
            }
            p += n;
        }
    }
    Ok(latest)
}

/// How to group generations into chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// Consecutive time windows of this many nanoseconds, counted from the
    /// trace's first event; each generation goes to the window its Sync event
    /// falls in.
    Every(i64),
    /// Chunks of at most this many bytes (header included); a generation too
    /// big for the limit becomes a chunk of its own.
    MaxSize(u64),
    /// This many generations per chunk.
    Generations(u64),
    /// Everything selected in one chunk.
    Whole,
}

/// What [`split_to_dir`] writes.
#[derive(Debug, Clone)]
pub struct SplitOptions {
    /// How generations are grouped.
    pub cut: Cut,
    /// Keep only generations with events at or after this time (ns since the
    /// trace's first event).
    pub from_ns: Option<i64>,
    /// Keep only generations starting before this time (ns since the trace's
    /// first event); reading stops at the first generation past it.
    pub to_ns: Option<i64>,
    /// Chunk file names are `<prefix>-0001.trace`, `<prefix>-0002.trace`, ….
    pub prefix: String,
}

/// One chunk written by [`split_to_dir`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkInfo {
    /// File name, in the output directory.
    pub file: String,
    /// Number of the chunk's first generation in the input.
    pub first_generation: u64,
    /// Number of its last generation.
    pub last_generation: u64,
    /// How many generations it holds.
    pub generations: u64,
    /// Size of the file.
    pub bytes: u64,
    /// Time (ns) of the chunk's first event, its opening Sync, as Go's reader
    /// (and `gotrace dump`) shows it for the chunk.
    pub first_ns: i64,
    /// Time (ns) of the chunk's latest event (see [`GenerationSpan::end_ns`]).
    pub last_ns: i64,
    /// Wall clock (Unix ns) at `first_ns`, for Go 1.25+ traces.
    pub wall_first_ns: Option<i64>,
    /// Wall clock (Unix ns) at `last_ns`, for Go 1.25+ traces.
    pub wall_last_ns: Option<i64>,
    /// Whether it holds a single generation larger than the size limit.
    pub oversized: bool,
}

/// The outcome of [`split_to_dir`].
#[derive(Debug)]
pub struct SplitReport {
    /// Format version of the input (and of every chunk).
    pub version: Version,
    /// Time (ns) of the input's first event, its first Sync; `None` if it has
    /// no generation.
    pub trace_start_ns: Option<i64>,
    /// The chunks written, in order.
    pub chunks: Vec<ChunkInfo>,
    /// Things the user should know (oversized generations, empty windows).
    pub warnings: Vec<String>,
    /// Bytes read from the input.
    pub bytes_read: u64,
    /// Input offset just past the last complete generation read.
    pub complete_end: u64,
    /// Why reading stopped early, if it did: every complete generation before
    /// it was written.
    pub error: Option<SplitError>,
}

/// The chunk being written.
struct OpenChunk {
    info: ChunkInfo,
    path: PathBuf,
    tmp: PathBuf,
    file: File,
    /// Window index, for [`Cut::Every`].
    window: i64,
}

/// Writes chunks into a directory, each under a temporary name until complete.
struct ChunkWriter<'a> {
    dir: &'a Path,
    prefix: &'a str,
    header: [u8; HEADER_LEN],
    open: Option<OpenChunk>,
    done: Vec<ChunkInfo>,
}

impl ChunkWriter<'_> {
    /// Closes the open chunk, if any, and opens the next one.
    fn start(&mut self, window: i64) -> Result<(), SplitError> {
        self.finish()?;
        let name = format!("{}-{:04}.trace", self.prefix, self.done.len() + 1);
        let path = self.dir.join(&name);
        let tmp = self.dir.join(format!(".{name}.partial"));
        let fail = |source| SplitError::Write {
            path: path.clone(),
            source,
        };
        let mut file = File::create(&tmp).map_err(fail)?;
        if let Err(e) = file.write_all(&self.header) {
            let _ = fs::remove_file(&tmp);
            return Err(fail(e));
        }
        let info = ChunkInfo {
            file: name,
            first_generation: 0,
            last_generation: 0,
            generations: 0,
            bytes: HEADER_LEN as u64,
            first_ns: 0,
            last_ns: 0,
            wall_first_ns: None,
            wall_last_ns: None,
            oversized: false,
        };
        self.open = Some(OpenChunk {
            info,
            path,
            tmp,
            file,
            window,
        });
        Ok(())
    }

    /// Appends a generation to the open chunk, or to a new one if
    /// `new_chunk` (or none is open).
    fn append(
        &mut self,
        generation: &StreamedGeneration<'_>,
        span: &GenerationSpan,
        new_chunk: bool,
        window: i64,
    ) -> Result<(), SplitError> {
        if new_chunk || self.open.is_none() {
            self.start(window)?;
        }
        let Some(c) = self.open.as_mut() else {
            return Ok(());
        };
        if let Err(source) = c.file.write_all(generation.bytes()) {
            let path = c.path.clone();
            self.abandon();
            return Err(SplitError::Write { path, source });
        }
        let i = &mut c.info;
        if i.generations == 0 {
            i.first_generation = generation.extent.number;
            i.first_ns = first_event_time(span.start_ns);
            i.wall_first_ns = span.wall_at(i.first_ns);
            i.last_ns = i.first_ns;
        }
        i.generations += 1;
        i.last_generation = generation.extent.number;
        i.bytes += generation.bytes().len() as u64;
        i.last_ns = i.last_ns.max(span.end_ns);
        i.wall_last_ns = span.wall_at(i.last_ns);
        Ok(())
    }

    /// Closes the open chunk and gives it its final name.
    fn finish(&mut self) -> Result<(), SplitError> {
        let Some(c) = self.open.take() else {
            return Ok(());
        };
        let OpenChunk {
            info,
            path,
            tmp,
            file,
            ..
        } = c;
        // Dropping closes the file; its data is in the page cache, like `cp`'s
        // (no fsync).
        drop(file);
        if let Err(source) = fs::rename(&tmp, &path) {
            let _ = fs::remove_file(&tmp);
            return Err(SplitError::Write { path, source });
        }
        self.done.push(info);
        Ok(())
    }

    /// Removes the open chunk's temporary file.
    fn abandon(&mut self) {
        if let Some(c) = self.open.take() {
            drop(c.file);
            let _ = fs::remove_file(&c.tmp);
        }
    }
}

/// Go's reader forces event times to increase strictly from 0.
fn first_event_time(t: i64) -> i64 {
    t.max(1)
}

/// Splits the trace read from `input` into chunks written in `dir` (which
/// must exist), calling `progress` with the bytes read so far after each
/// generation.
///
/// Returns `Err` if the input is not a trace or an output file cannot be
/// written (no partial chunk is left under a final name). A truncated or
/// corrupt input is not an `Err`: every complete generation before the damage
/// is written and [`SplitReport::error`] says what stopped the split.
pub fn split_to_dir(
    input: impl Read,
    dir: &Path,
    opts: &SplitOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<SplitReport, SplitError> {
    let mut stream = GenerationStream::new(input)?;
    let mut header = [0u8; HEADER_LEN];
    header.copy_from_slice(stream.header());
    let mut out = ChunkWriter {
        dir,
        prefix: &opts.prefix,
        header,
        open: None,
        done: Vec::new(),
    };
    let mut report = SplitReport {
        version: stream.version(),
        trace_start_ns: None,
        chunks: Vec::new(),
        warnings: Vec::new(),
        bytes_read: 0,
        complete_end: 0,
        error: None,
    };
    match split_stream(&mut stream, &mut out, opts, progress, &mut report) {
        Ok(error) => report.error = error,
        Err(e) => {
            out.abandon();
            return Err(e);
        }
    }
    out.finish()?;
    report.chunks = out.done;
    report.bytes_read = stream.bytes_read();
    report.complete_end = stream.complete_end();
    if report.chunks.is_empty() && report.error.is_none() && report.trace_start_ns.is_some() {
        report
            .warnings
            .push("no generation lies in the requested time window".into());
    }
    Ok(report)
}

/// The split loop: fills in the report's start time and warnings, returns
/// the input error that ended it early, if any, and fails on write errors.
fn split_stream<R: Read>(
    stream: &mut GenerationStream<R>,
    out: &mut ChunkWriter<'_>,
    opts: &SplitOptions,
    progress: &mut dyn FnMut(u64),
    report: &mut SplitReport,
) -> Result<Option<SplitError>, SplitError> {
    loop {
        let g = match stream.next_generation() {
            Ok(Some(g)) => g,
            Ok(None) => return Ok(None),
            Err(e) => return Ok(Some(e)),
        };
        let span = match generation_span(g.trace, &g.extent) {
            Ok(s) => s,
            Err(e) => return Ok(Some(e.into())),
        };
        let t0 = *report
            .trace_start_ns
            .get_or_insert(first_event_time(span.start_ns));
        let since = |t: i64| t.saturating_sub(t0);
        if opts.to_ns.is_some_and(|to| since(span.start_ns) >= to) {
            return Ok(None);
        }
        if opts.from_ns.is_some_and(|from| since(span.end_ns) < from) {
            progress(g.extent.end);
            continue;
        }
        let len = g.bytes().len() as u64;
        let window = match opts.cut {
            Cut::Every(d) if d > 0 => since(span.start_ns).div_euclid(d),
            _ => 0,
        };
        let oversized = matches!(opts.cut, Cut::MaxSize(max) if HEADER_LEN as u64 + len > max);
        let new_chunk = match (&out.open, opts.cut) {
            (None, _) => true,
            (Some(c), Cut::Every(_)) => c.window != window,
            (Some(c), Cut::MaxSize(max)) => c.info.bytes + len > max,
            (Some(c), Cut::Generations(n)) => c.info.generations >= n,
            (Some(_), Cut::Whole) => false,
        };
        out.append(&g, &span, new_chunk, window)?;
        if oversized && let Some(c) = out.open.as_mut() {
            c.info.oversized = true;
            report.warnings.push(format!(
                "generation {} ({len} bytes) is larger than the size limit: {} holds it alone",
                g.extent.number, c.info.file
            ));
        }
        progress(g.extent.end);
    }
}
