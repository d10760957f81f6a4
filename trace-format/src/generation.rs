//! Reading one generation: its batches grouped per thread, its string and
//! stack tables, CPU samples and clock data (Go's `generation.go`).

use crate::batch::{Batch, FramedBatch, ThreadId, read_batch};
use crate::error::{Error, ErrorKind, Result};
use crate::gosort;
use crate::order::BaseEvent;
use crate::spec::{
    MAX_EVENT_TRAILER_DATA_SIZE, MAX_FRAMES_PER_STACK, NO_EXPERIMENT, NOT_TIMED, SPECS,
    TABLE_ID_ARGS, TIMED_ARGS, ev,
};
use crate::table::{DataTable, IdMap};
use crate::varint::{uvarint, uvarint_word};
use crate::version::Version;

/// A resolved stack frame. Strings borrow from the trace bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Frame<'a> {
    /// Program counter.
    pub pc: u64,
    /// Function name.
    pub func: &'a [u8],
    /// Source file.
    pub file: &'a [u8],
    /// Line number.
    pub line: u64,
}

/// A stack's frames as a range of the generation's frame vector.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct StackRange {
    start: u32,
    len: u32,
}

/// A CPU profile sample, before it becomes an event.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CpuSample {
    pub m: ThreadId,
    pub p: i64,
    pub g: i64,
    pub time: i64,
    pub stack: u64,
}

/// A batch of an experiment's raw data.
#[derive(Debug, Clone, Copy)]
pub struct ExperimentalBatch<'a> {
    /// Thread that wrote it.
    pub thread: ThreadId,
    /// Unparsed data.
    pub data: &'a [u8],
}

/// Nanoseconds per tick, as Go computes it: `1.0 / (float64(f) / 1e9)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Frequency {
    ns_per_tick: f64,
    /// `log2(ns_per_tick)` when that is a whole number from 0 to 10 (64 ns
    /// per tick is what Go writes on amd64: its trace clock is `nanotime()`
    /// divided by 64); 0 otherwise.
    shift: u32,
    /// Ticks below this are converted with `shift` (2^53 with a shift, 0
    /// without): below 2^53 a tick count is exact as a float64, times a
    /// power of two it stays exact, and below 2^63 truncating it gives it
    /// back, so the shift is Go's conversion in fewer instructions for
    /// every event's time.
    shift_below: u64,
}

impl Default for Frequency {
    /// No frequency yet (0 ns per tick).
    fn default() -> Self {
        Frequency::new(0.0)
    }
}

impl Frequency {
    /// A frequency of `ns_per_tick` nanoseconds per tick.
    pub fn new(ns_per_tick: f64) -> Self {
        let shift = (0..=10).find(|&k| ns_per_tick == f64::from(1u32 << k));
        Frequency {
            ns_per_tick,
            shift: shift.unwrap_or(0),
            shift_below: if shift.is_some() { 1 << 53 } else { 0 },
        }
    }

    /// Nanoseconds per tick.
    pub fn ns_per_tick(self) -> f64 {
        self.ns_per_tick
    }

    /// Ticks to nanoseconds, truncating like Go's `Time(float64(t) * f)`.
    #[inline]
    pub fn mul(self, t: u64) -> i64 {
        if t < self.shift_below {
            return (t << self.shift) as i64;
        }
        go_f64_to_i64(u64_to_f64(t) * self.ns_per_tick)
    }
}

/// `t as f64`. On x86-64, below 2^63 (always, for times) the signed
/// conversion, one instruction, rounds the same as the unsigned one, a
/// longer sequence the compiler emits even when told the value is small.
#[inline]
fn u64_to_f64(t: u64) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if let Ok(t) = i64::try_from(t) {
        let r: f64;
        // SAFETY: two SSE2 instructions (baseline on x86-64) on registers
        // only; zeroing first breaks `cvtsi2sd`'s dependency on the old
        // register value. In assembly because the compiler turns the
        // signed conversion of a value it knows is not negative back into
        // the unsigned sequence.
        unsafe {
            std::arch::asm!(
                "xorps {r}, {r}",
                "cvtsi2sd {r}, {t}",
                r = out(xmm_reg) r,
                t = in(reg) t,
                options(pure, nomem, nostack),
            );
        }
        return r;
    }
    t as f64
}

/// Go's float64→int64 conversion on amd64: out-of-range values become `MinInt64`.
/// On x86-64 that is exactly what `CVTTSD2SI` (Go's instruction) returns.
#[inline]
pub(crate) fn go_f64_to_i64(x: f64) -> i64 {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_cvttsd_si64, _mm_set_sd};
        // SAFETY: SSE2, all these intrinsics need, is part of x86-64.
        unsafe { _mm_cvttsd_si64(_mm_set_sd(x)) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        if x.is_nan() || !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&x) {
            i64::MIN
        } else {
            x as i64
        }
    }
}

/// The per-generation tables an event needs to be interpreted (Go's `evTable`).
#[derive(Debug, Default)]
pub struct EvTable<'a> {
    pub(crate) freq: Frequency,
    pub(crate) has_clock_snapshot: bool,
    pub(crate) snap_time: u64,
    pub(crate) snap_mono: u64,
    pub(crate) snap_sec: u64,
    pub(crate) snap_nsec: u64,
    pub(crate) strings: DataTable<&'a [u8]>,
    pub(crate) stacks: DataTable<StackRange>,
    pub(crate) frames: Vec<Frame<'a>>,
    pub(crate) exp_batches: Vec<(u8, Vec<ExperimentalBatch<'a>>)>,
}

impl<'a> EvTable<'a> {
    /// The string with ID `id`, if present (ID 0 is the empty string).
    pub fn string(&self, id: u64) -> Option<&'a [u8]> {
        self.strings.get(id).copied()
    }

    /// The frames of stack `id`, innermost first, if present (ID 0 is empty).
    pub fn stack_frames(&self, id: u64) -> Option<&[Frame<'a>]> {
        let r = self.stacks.get(id)?;
        self.frames
            .get(r.start as usize..(r.start + r.len) as usize)
    }

    /// Whether the stack and string IDs among the arguments of an event of
    /// type `typ` all exist here (Go's `validateTableIDs`, minus the error).
    #[inline(always)]
    pub(crate) fn ids_present(&self, typ: u8, args: &[u64; 4]) -> bool {
        let mut bits = TABLE_ID_ARGS[typ as usize];
        while bits != 0 {
            let b = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let present = match b {
                0..4 => self.stacks.contains(args[b]),
                _ => self.strings.contains(args[(b - 4) & 3]),
            };
            if !present {
                return false;
            }
        }
        true
    }

    /// Experimental batches of this generation, by experiment ID.
    pub fn experimental_batches(&self) -> &[(u8, Vec<ExperimentalBatch<'a>>)] {
        &self.exp_batches
    }
}

/// All the data of one generation.
#[derive(Debug, Default)]
pub struct Generation<'a> {
    /// Generation number.
    pub gen_no: u64,
    /// Event batches per thread, in first-appearance order (Go's `batchMs`).
    pub(crate) batches: Vec<(ThreadId, Vec<Batch<'a>>)>,
    batch_index: IdMap<i64, usize>,
    pub(crate) cpu_samples: Vec<CpuSample>,
    /// Smallest batch timestamp (ticks).
    pub(crate) min_ts: u64,
    pub(crate) table: EvTable<'a>,
    /// File offset of the generation's first byte.
    pub start: u64,
    /// File offset just past the generation (after its end marker, if any).
    pub end: u64,
    /// Intermediate map from PC to its first-seen frame (string IDs).
    pcs: IdMap<u64, (u64, u64, u64)>,
    stack_pcs: Vec<u64>,
}

impl<'a> Generation<'a> {
    fn new(start: u64) -> Self {
        Generation {
            start,
            ..Default::default()
        }
    }

    /// The generation's tables.
    pub fn table(&self) -> &EvTable<'a> {
        &self.table
    }

    /// Number of event batches (all threads).
    pub fn event_batch_count(&self) -> usize {
        self.batches.iter().map(|(_, b)| b.len()).sum()
    }

    fn add_batch(&mut self, b: Batch<'a>, v: Version) -> Result<()> {
        if b.is_strings() {
            self.add_strings(&b)
        } else if b.is_stacks() {
            self.add_stacks(&b)
        } else if b.is_cpu_samples() {
            self.add_cpu_samples(&b)
        } else if b.is_sync(v) {
            self.set_sync(&b, v)
        } else if b.exp != NO_EXPERIMENT {
            let eb = ExperimentalBatch {
                thread: b.m,
                data: b.data,
            };
            match self.table.exp_batches.iter_mut().find(|(e, _)| *e == b.exp) {
                Some((_, list)) => list.push(eb),
                None => self.table.exp_batches.push((b.exp, vec![eb])),
            }
            Ok(())
        } else if b.is_end_of_generation() {
            Err(Error::invalid(
                "internal error: unexpectedly processing EndOfGeneration; broken trace?",
                b.offset,
            ))
        } else {
            match self.batch_index.get(&b.m) {
                Some(&i) => self.batches[i].1.push(b),
                None => {
                    self.batch_index.insert(b.m, self.batches.len());
                    self.batches.push((b.m, vec![b]));
                }
            }
            Ok(())
        }
    }

    fn add_strings(&mut self, b: &Batch<'a>) -> Result<()> {
        let mut c = Cursor::new(b, 1);
        while !c.done() {
            c.event(ev::STRING, "string")?;
            let id = c.uvarint()?;
            let len = c.size(MAX_EVENT_TRAILER_DATA_SIZE, "string")?;
            let s = c.bytes(len as usize)?;
            if !self.table.strings.insert(id, s) {
                let existing = self.table.strings.get(id).copied().unwrap_or_default();
                return Err(c.err(format!(
                    "multiple strings with the same ID: id={id}, new={}, existing={}",
                    String::from_utf8_lossy(s),
                    String::from_utf8_lossy(existing)
                )));
            }
        }
        Ok(())
    }

    fn add_stacks(&mut self, b: &Batch<'a>) -> Result<()> {
        let mut c = Cursor::new(b, 1);
        while !c.done() {
            c.event(ev::STACK, "stack")?;
            let id = c.uvarint()?;
            let n = c.size(MAX_FRAMES_PER_STACK, "stack")?;
            let start = self.stack_pcs.len();
            for _ in 0..n {
                let pc = c.uvarint()?;
                let func = c.uvarint()?;
                let file = c.uvarint()?;
                let line = c.uvarint()?;
                self.stack_pcs.push(pc);
                self.pcs.entry(pc).or_insert((func, file, line));
            }
            let r = StackRange {
                start: start as u32,
                len: n as u32,
            };
            if !self.table.stacks.insert(id, r) {
                return Err(c.err(format!("multiple stacks with the same ID: id={id}")));
            }
        }
        Ok(())
    }

    fn add_cpu_samples(&mut self, b: &Batch<'a>) -> Result<()> {
        let mut c = Cursor::new(b, 1);
        while !c.done() {
            c.event(ev::CPU_SAMPLE, "CPU sample")?;
            let ts = c.uvarint()?;
            let m = c.uvarint()?;
            let p = c.uvarint()?;
            let g = c.uvarint()?;
            let stack = c.uvarint()?;
            self.cpu_samples.push(CpuSample {
                m: m as i64,
                p: p as i64,
                g: if g == 0 { -1 } else { g as i64 },
                // Raw ticks until the frequency is known (fix_up_cpu_samples).
                time: ts as i64,
                stack,
            });
        }
        Ok(())
    }

    fn set_sync(&mut self, b: &Batch<'a>, v: Version) -> Result<()> {
        let mut c = Cursor::new(b, if v >= Version::Go125 { 1 } else { 0 });
        let mut last_ts = b.time;
        while !c.done() {
            let e = c.byte()?;
            match e {
                ev::FREQUENCY => {
                    if self.table.freq.ns_per_tick() != 0.0 {
                        return Err(c.err("found multiple frequency events"));
                    }
                    let f = c.uvarint()?;
                    self.table.freq = Frequency::new(1.0 / (f as f64 / 1e9));
                }
                ev::CLOCK_SNAPSHOT if v >= Version::Go125 => {
                    if self.table.has_clock_snapshot {
                        return Err(c.err("found multiple clock snapshot events"));
                    }
                    self.table.has_clock_snapshot = true;
                    let tdiff = c.uvarint()?;
                    last_ts = last_ts.wrapping_add(tdiff);
                    self.table.snap_time = last_ts;
                    self.table.snap_mono = c.uvarint()?;
                    self.table.snap_sec = c.uvarint()?;
                    self.table.snap_nsec = c.uvarint()?;
                }
                _ => {
                    return Err(c.err(format!(
                        "expected frequency or clock snapshot event, got {e}"
                    )));
                }
            }
        }
        Ok(())
    }

    /// Checks the per-generation invariants and builds the lookup tables.
    fn finish(&mut self, v: Version, need_snapshot: bool) -> Result<()> {
        let fail = |msg: &str| Error::invalid(msg, self.start).in_generation(self.gen_no);
        // Go tests `freq == 0`: a frequency of +Inf ns/tick (f = 0) counts as present.
        if self.table.freq.ns_per_tick() == 0.0 {
            return Err(fail("no frequency event found"));
        }
        if need_snapshot && v >= Version::Go125 && !self.table.has_clock_snapshot {
            return Err(fail("no clock snapshot event found"));
        }
        self.table.stacks.compactify();
        self.table.strings.compactify();

        // Resolve every stack's PCs to frames (first-seen frame per PC wins),
        // validating their strings as Go's validateStackStrings does.
        let mut frames = Vec::with_capacity(self.stack_pcs.len());
        for &pc in &self.stack_pcs {
            let Some(&(func, file, line)) = self.pcs.get(&pc) else {
                return Err(fail(&format!("found unknown pc {pc:x}")));
            };
            let func_s = self.table.strings.get(func).copied();
            let file_s = self.table.strings.get(file).copied();
            let (Some(func_s), Some(file_s)) = (func_s, file_s) else {
                let stack = self.stack_of_pc_index(frames.len());
                let (what, id) = if func_s.is_none() {
                    ("func", func)
                } else {
                    ("file", file)
                };
                return Err(fail(&format!(
                    "found invalid {what} string ID {id} for stack {stack}"
                )));
            };
            frames.push(Frame {
                pc,
                func: func_s,
                file: file_s,
                line,
            });
        }
        self.table.frames = frames;
        self.pcs = IdMap::default();
        self.stack_pcs = Vec::new();

        let freq = self.table.freq;
        for s in &mut self.cpu_samples {
            s.time = freq.mul(s.time as u64);
        }
        gosort::sort_by(&mut self.cpu_samples, |a, b| a.time.cmp(&b.time));
        Ok(())
    }

    /// Decodes the timed event at the front of `data` (file offset `pos`,
    /// in a batch of this generation with base time `batch_time`) into
    /// `ev`: its time in ns from `*last_ts`, the time of the batch's previous
    /// event (0 at the batch's start, as in Go's batch cursor), its offset
    /// and its table-ID check. Returns its length.
    #[inline(always)]
    pub(crate) fn decode_event(
        &self,
        data: &[u8],
        pos: u64,
        batch_time: u64,
        last_ts: &mut i64,
        ev: &mut BaseEvent,
    ) -> Result<usize> {
        let freq = self.table.freq;
        if *last_ts == 0 {
            *last_ts = freq.mul(batch_time);
        }
        let (n, tsdiff) = read_timed_base_event(data, ev)
            .map_err(|msg| Error::invalid(msg, pos).in_generation(self.gen_no))?;
        ev.time = freq.mul(tsdiff).wrapping_add(*last_ts);
        *last_ts = ev.time;
        // The offset from the generation's start; `u32::MAX` if too far.
        ev.gen_off = u32::try_from(pos.wrapping_sub(self.start)).unwrap_or(u32::MAX);
        ev.ids_ok = self.table.ids_present(ev.typ, &ev.args);
        Ok(n)
    }

    fn stack_of_pc_index(&self, i: usize) -> u64 {
        self.table
            .stacks
            .iter()
            .find(|(_, r)| (r.start as usize..(r.start + r.len) as usize).contains(&i))
            .map_or(0, |(id, _)| id)
    }
}

/// Decodes one timed event from `b` (non-empty) into `e`, returning the bytes
/// used and the raw timestamp delta (Go's `readTimedBaseEvent`).
#[inline(always)]
pub(crate) fn read_timed_base_event(b: &[u8], e: &mut BaseEvent) -> Result<(usize, u64), String> {
    if let Some(w) = b.first_chunk::<FAST_WINDOW>()
        && let Some(r) = read_timed_fast(w, e)
    {
        return Ok(r);
    }
    read_timed_checked(b, e)
}

/// Bytes [`read_timed_fast`] needs in front of it: a timed event is at most
/// 5 varints after its type byte, and it reads 8 bytes at the start of each
/// (the last starts at most `1 + 4 * 8` bytes in, so 41 bytes at most; the
/// window leaves room to spare).
const FAST_WINDOW: usize = 56;

/// [`read_timed_base_event`] where `w` holds the whole event and its varints
/// are at most 8 bytes long (all but padded ones); `None` otherwise (and for
/// any error), leaving the event to [`read_timed_checked`].
#[inline(always)]
fn read_timed_fast(w: &[u8; FAST_WINDOW], e: &mut BaseEvent) -> Option<(usize, u64)> {
    let word = |at: usize| {
        let at = at.min(FAST_WINDOW - 8);
        w[at..].first_chunk::<8>().map(|b| u64::from_le_bytes(*b))
    };
    let typ = w[0];
    let nargs = TIMED_ARGS[typ as usize];
    if nargs == NOT_TIMED {
        return None;
    }
    let (ts, len) = uvarint_word(word(1)?)?;
    let mut n = 1 + len;
    // On `None` half-way, the checked decoding rewrites these arguments.
    for a in e.args.iter_mut().take(nargs as usize) {
        let (v, len) = uvarint_word(word(n)?)?;
        *a = v;
        n += len;
    }
    e.typ = typ;
    Some((n, ts))
}

/// [`read_timed_base_event`] byte by byte, with Go's error texts.
fn read_timed_checked(b: &[u8], e: &mut BaseEvent) -> Result<(usize, u64), String> {
    let typ = b.first().copied().unwrap_or(0);
    let nargs = TIMED_ARGS[typ as usize];
    if nargs == NOT_TIMED {
        return Err(not_timed_error(typ));
    }
    e.typ = typ;
    let mut n = 1;
    let Some((ts, nb)) = uvarint(b.get(n..).unwrap_or_default()) else {
        return Err("found invalid uvarint for timestamp".into());
    };
    n += nb;
    for a in e.args.iter_mut().take(nargs as usize) {
        let Some((v, nb)) = uvarint(b.get(n..).unwrap_or_default()) else {
            return Err("found invalid uvarint".into());
        };
        *a = v;
        n += nb;
    }
    Ok((n, ts))
}

/// Go's error for a byte that does not start a timed event.
#[cold]
#[inline(never)]
fn not_timed_error(typ: u8) -> String {
    match SPECS.get(typ as usize) {
        None => format!("found invalid event type: {typ}"),
        Some(_) => format!("found event without a timestamp: type={typ}"),
    }
}

/// A cursor over a structural batch's data, producing Go's error texts.
struct Cursor<'a> {
    d: &'a [u8],
    p: usize,
    base: u64,
}

impl<'a> Cursor<'a> {
    fn new(b: &Batch<'a>, skip: usize) -> Self {
        Cursor {
            d: b.data,
            p: skip.min(b.data.len()),
            base: b.offset,
        }
    }
    fn done(&self) -> bool {
        self.p >= self.d.len()
    }
    fn err(&self, msg: impl Into<String>) -> Error {
        Error::invalid(msg, self.base + self.p as u64)
    }
    fn byte(&mut self) -> Result<u8> {
        let b = *self.d.get(self.p).ok_or_else(|| self.err("EOF"))?;
        self.p += 1;
        Ok(b)
    }
    /// Reads an event byte that must be `want` (`what` names it in the error).
    fn event(&mut self, want: u8, what: &str) -> Result<()> {
        match self.byte()? {
            e if e == want => Ok(()),
            e => Err(self.err(format!("expected {what} event, got {e}"))),
        }
    }
    /// Reads a size that must be at most `max` (`what` names it in the error).
    fn size(&mut self, max: u64, what: &str) -> Result<u64> {
        match self.uvarint()? {
            n if n <= max => Ok(n),
            n => Err(self.err(format!("invalid {what} size {n}, maximum is {max}"))),
        }
    }
    fn uvarint(&mut self) -> Result<u64> {
        let rest = &self.d[self.p..];
        match uvarint(rest) {
            Some((v, n)) => {
                self.p += n;
                Ok(v)
            }
            None if rest.is_empty() => Err(self.err("EOF")),
            None if rest.len() < 10 && rest.iter().all(|&x| x >= 0x80) => {
                Err(self.err("unexpected EOF"))
            }
            None => Err(self.err("binary: varint overflows a 64-bit integer")),
        }
    }
    fn bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        let avail = self.d.len() - self.p;
        if avail < n {
            return Err(self.err(format!(
                "failed to read full string: read {avail} but wanted {n}"
            )));
        }
        let s = &self.d[self.p..self.p + n];
        self.p += n;
        Ok(s)
    }
}

/// Outcome of reading a generation in the pre-1.26 framing.
pub(crate) struct SpillRead<'a> {
    pub gen_no: Option<Generation<'a>>,
    /// First batch of the next generation and its generation number.
    pub spill: Option<(u64, Batch<'a>)>,
    /// An error met while reading what may be the next generation.
    pub spill_err: Option<Error>,
    /// File offset after everything consumed.
    pub pos: usize,
}

/// Reads one generation of a Go 1.26+ trace at `pos` (Go's `readGeneration`).
/// Returns `Ok(None)` at a clean end of input.
pub(crate) fn read_generation<'a>(
    data: &'a [u8],
    mut pos: usize,
    v: Version,
) -> Result<Option<(Generation<'a>, usize)>> {
    let mut g = Generation::new(pos as u64);
    let mut event_batches = 0usize;
    loop {
        let fb = read_batch(data, pos).map_err(|e| e.in_generation(g.gen_no))?;
        let Some(FramedBatch {
            batch,
            gen_no,
            end,
            start,
        }) = fb
        else {
            if event_batches != 0 {
                return Err(
                    Error::new(ErrorKind::IncompleteGeneration, pos as u64).in_generation(g.gen_no)
                );
            }
            return Ok(None);
        };
        pos = end as usize;
        if g.gen_no == 0 {
            g.gen_no = gen_no;
        }
        if batch.is_end_of_generation() {
            break;
        }
        if gen_no == 0 {
            return Err(Error::new(ErrorKind::InvalidGeneration(gen_no), start));
        }
        if gen_no != g.gen_no {
            return Err(
                Error::new(ErrorKind::MissingEndOfGeneration, start).in_generation(g.gen_no)
            );
        }
        if g.min_ts == 0 || batch.time < g.min_ts {
            g.min_ts = batch.time;
        }
        if batch.exp == NO_EXPERIMENT
            && !batch.is_strings()
            && !batch.is_stacks()
            && !batch.is_cpu_samples()
            && !batch.is_sync(v)
        {
            event_batches += 1;
        }
        g.add_batch(batch, v)
            .map_err(|e| e.in_generation(g.gen_no))?;
    }
    g.end = pos as u64;
    g.finish(v, true)?;
    Ok(Some((g, pos)))
}

/// Reads one generation of a pre-1.26 trace (Go's `readGenerationWithSpill`).
///
/// Without an end marker, a generation ends where a batch of the next one
/// starts; that batch is returned as the spill for the next call.
pub(crate) fn read_generation_with_spill<'a>(
    data: &'a [u8],
    mut pos: usize,
    spill: Option<(u64, Batch<'a>)>,
    v: Version,
) -> Result<SpillRead<'a>> {
    let mut g = Generation::new(pos as u64);
    if let Some((gen_no, b)) = spill {
        g.gen_no = gen_no;
        g.min_ts = b.time;
        g.start = b.offset;
        g.add_batch(b, v).map_err(|e| e.in_generation(gen_no))?;
    }
    let mut next_spill = None;
    let mut spill_err = None;
    loop {
        let fb = match read_batch(data, pos) {
            Ok(fb) => fb,
            Err(e) => {
                if g.gen_no != 0 {
                    spill_err = Some(e.in_generation(g.gen_no));
                    break;
                }
                return Err(e);
            }
        };
        let Some(FramedBatch {
            batch,
            gen_no,
            end,
            start,
        }) = fb
        else {
            break;
        };
        if gen_no == 0 {
            return Err(Error::new(ErrorKind::InvalidGeneration(gen_no), start));
        }
        if g.gen_no == 0 {
            g.gen_no = gen_no;
            g.start = start;
        }
        if gen_no == g.gen_no.wrapping_add(1) {
            next_spill = Some((gen_no, batch));
            pos = end as usize;
            break;
        }
        if gen_no != g.gen_no {
            return Err(Error::new(ErrorKind::GenerationsOutOfOrder, start).in_generation(g.gen_no));
        }
        pos = end as usize;
        if g.min_ts == 0 || batch.time < g.min_ts {
            g.min_ts = batch.time;
        }
        g.add_batch(batch, v)
            .map_err(|e| e.in_generation(g.gen_no))?;
    }
    g.end = pos as u64;
    g.finish(v, true)?;
    Ok(SpillRead {
        gen_no: Some(g),
        spill: next_spill,
        spill_err,
        pos,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::xorshift;

    /// The conversions give what the plain casts and Go's amd64 code give.
    #[test]
    fn tick_conversions() {
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        let mut values = vec![0, 1, (1 << 53) + 1, (1 << 63) - 1, 1 << 63, u64::MAX];
        for _ in 0..1000 {
            let x = next();
            values.push(x >> (x % 64));
        }
        for t in values {
            assert_eq!(u64_to_f64(t).to_bits(), (t as f64).to_bits(), "{t}");
        }
        // Go: CVTTSD2SI truncates, and NaN or out of range is MinInt64.
        for (f, want) in [
            (1.9, 1),
            (-1.9, -1),
            (4_611_686_018_427_387_904.0, 1 << 62),
            (9.223_372_036_854_776e18, i64::MIN),
            (-9.223_372_036_854_776e18, i64::MIN),
            (1e300, i64::MIN),
            (f64::NAN, i64::MIN),
            (f64::INFINITY, i64::MIN),
        ] {
            assert_eq!(go_f64_to_i64(f), want, "{f}");
        }
        // 15.625 MHz: 64 ns per tick, converted by a shift below 2^53.
        let freq = Frequency::new(1.0 / (15_625_000.0 / 1e9));
        assert_eq!((freq.shift, freq.shift_below), (6, 1 << 53));
        assert_eq!(freq.mul(3), 192);
        assert_eq!(freq.mul(u64::MAX), i64::MIN);
        // The shift gives the float conversion's result, around its bound
        // and at random, for every power of two it is used for; other
        // frequencies take the float conversion.
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        for k in 0..=10 {
            let freq = Frequency::new(f64::from(1u32 << k));
            assert_eq!(freq.shift, k);
            let float = |t: u64| go_f64_to_i64(t as f64 * freq.ns_per_tick());
            let edges = [0, 1, (1 << 53) - 1, 1 << 53, (1 << 53) + 1, u64::MAX];
            for t in edges
                .into_iter()
                .chain((0..10_000).map(|_| next() >> (next() % 64)))
            {
                assert_eq!(freq.mul(t), float(t), "{t} ticks at {} ns", 1u32 << k);
            }
        }
        for ns in [0.0, 0.5, 3.0, 2048.0, 1.0 / (1_000_000_007.0 / 1e9)] {
            assert_eq!(Frequency::new(ns).shift_below, 0, "{ns}");
        }
    }

    /// The fast decoding, wherever it answers, agrees with the checked one:
    /// random events of every type byte, with varints of 1 to 10 bytes
    /// (padded ones too) and random bytes after them.
    #[test]
    fn fast_decoding_agrees_with_checked() {
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        let (mut fast, mut total) = (0, 0);
        for _ in 0..200_000 {
            let mut b = vec![next() as u8];
            for _ in 0..5 {
                let len = 1 + (next() % 10) as usize;
                for i in 0..len {
                    let last = i + 1 == len;
                    b.push(next() as u8 & 0x7f | if last { 0 } else { 0x80 });
                }
            }
            while b.len() < FAST_WINDOW + 8 {
                b.push(next() as u8);
            }
            let w = b.first_chunk::<FAST_WINDOW>().unwrap();
            let (mut e1, mut e2) = (BaseEvent::TABLED, BaseEvent::TABLED);
            total += 1;
            if let Some(r) = read_timed_fast(w, &mut e1) {
                fast += 1;
                assert_eq!(Ok(r), read_timed_checked(&b, &mut e2), "{b:x?}");
                let n = TIMED_ARGS[e1.typ as usize] as usize;
                assert_eq!((e1.typ, &e1.args[..n]), (e2.typ, &e2.args[..n]));
            }
        }
        // Most random events are not timed types; enough of them are.
        assert!(fast > total / 20, "{fast} of {total} decoded fast");
    }
}
