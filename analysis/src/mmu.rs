//! Minimum mutator utilization (MMU): a port of Go's
//! `src/internal/trace/gc.go` (`MutatorUtilizationV2`, `MMUCurve` with its
//! `MMU`, `Examples` and `MUD`) and `mud.go`, operation for operation so the
//! floating-point results are Go's (Go's heap and sort orders included).
//!
//! [`UtilBuilder`] consumes the ordered events in one pass; the utilization
//! functions it produces are the only thing kept (one point per change).

use std::cmp::Ordering;

use trace_format::{Event, EventKind, GoId, GoState, RangeName, ResourceId};

use crate::intern::{FxHashMap, FxHashSet};

mod gomath;
mod mud;

use gomath::{go_exp, go_log, go_max, go_min};
use mud::Mud;

/// What counts as GC time (Go's `UtilFlags`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct UtilFlags(u8);

impl UtilFlags {
    /// GC stop-the-world pauses (Go's `UtilSTW`).
    pub const STW: UtilFlags = UtilFlags(1);
    /// Background mark workers (`UtilBackground`).
    pub const BACKGROUND: UtilFlags = UtilFlags(2);
    /// Mark assists (`UtilAssist`).
    pub const ASSIST: UtilFlags = UtilFlags(4);
    /// Sweeping (`UtilSweep`).
    pub const SWEEP: UtilFlags = UtilFlags(8);
    /// One utilization function per P (`UtilPerProc`).
    pub const PER_PROC: UtilFlags = UtilFlags(16);
    /// What `go tool trace`'s MMU page selects by default.
    pub const DEFAULT: UtilFlags = UtilFlags(1 | 2 | 4);

    /// No flag.
    pub const fn empty() -> UtilFlags {
        UtilFlags(0)
    }

    /// Whether every flag of `other` is set.
    pub const fn contains(self, other: UtilFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// The flag names as `go tool trace`'s MMU page writes them
    /// (`perProc|stw|background|assist|sweep` order).
    pub fn names(self) -> String {
        let mut v = Vec::new();
        for (f, n) in [
            (UtilFlags::PER_PROC, "perProc"),
            (UtilFlags::STW, "stw"),
            (UtilFlags::BACKGROUND, "background"),
            (UtilFlags::ASSIST, "assist"),
            (UtilFlags::SWEEP, "sweep"),
        ] {
            if self.contains(f) {
                v.push(n);
            }
        }
        v.join("|")
    }

    /// Parses `stw|background|...` (unknown names are ignored, as Go does).
    pub fn from_names(s: &str) -> UtilFlags {
        let mut f = UtilFlags::empty();
        for n in s.split('|') {
            f = f | match n {
                "perProc" => UtilFlags::PER_PROC,
                "stw" => UtilFlags::STW,
                "background" => UtilFlags::BACKGROUND,
                "assist" => UtilFlags::ASSIST,
                "sweep" => UtilFlags::SWEEP,
                _ => UtilFlags::empty(),
            };
        }
        f
    }
}

impl std::ops::BitOr for UtilFlags {
    type Output = UtilFlags;
    fn bitor(self, o: UtilFlags) -> UtilFlags {
        UtilFlags(self.0 | o.0)
    }
}

/// A change in mutator utilization at a time (Go's `MutatorUtil`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MutatorUtil {
    /// Time (ns).
    pub time: i64,
    /// Mean mutator utilization from `time` on, in [0, 1].
    pub util: f64,
}

#[derive(Clone, Copy)]
struct PerP {
    /// > 0: GC is active on this P.
    gc: i32,
    /// Index of the P's series.
    series: usize,
}

/// Builds mutator utilization functions from the ordered events
/// (`MutatorUtilizationV2`). Where Go would index out of range (a range or
/// label on a P beyond GOMAXPROCS, or on no P) the event is ignored.
pub struct UtilBuilder {
    flags: UtilFlags,
    out: Vec<Vec<MutatorUtil>>,
    stw: i32,
    ps: Vec<PerP>,
    in_gc: FxHashSet<GoId>,
    states: FxHashMap<GoId, GoState>,
    bg_mark: FxHashSet<GoId>,
    /// (time, GOMAXPROCS) changes.
    procs: Vec<(i64, usize)>,
    n_sync: u64,
    last_time: Option<i64>,
}

impl UtilBuilder {
    /// A builder for `flags`.
    pub fn new(flags: UtilFlags) -> UtilBuilder {
        UtilBuilder {
            flags,
            out: Vec::new(),
            stw: 0,
            ps: Vec::new(),
            in_gc: FxHashSet::default(),
            states: FxHashMap::default(),
            bg_mark: FxHashSet::default(),
            procs: Vec::new(),
            n_sync: 0,
            last_time: None,
        }
    }

    fn per_proc(&self) -> bool {
        self.flags.contains(UtilFlags::PER_PROC)
    }

    fn handle_stw(&self, r: &RangeName<'_>) -> bool {
        self.flags.contains(UtilFlags::STW)
            && matches!(r, RangeName::StopTheWorld(reason) if contains(reason, b"GC"))
    }

    fn handle_assist(&self, r: &RangeName<'_>) -> bool {
        self.flags.contains(UtilFlags::ASSIST) && *r == RangeName::GcMarkAssist
    }

    fn handle_sweep(&self, r: &RangeName<'_>) -> bool {
        self.flags.contains(UtilFlags::SWEEP) && *r == RangeName::GcSweep
    }

    fn proc_gc(&mut self, ev: &Event<'_>, delta: i32) {
        if let Ok(p) = usize::try_from(ev.proc())
            && let Some(p) = self.ps.get_mut(p)
        {
            p.gc += delta;
        }
    }

    /// Feeds the next event of the ordered stream.
    pub fn event(&mut self, ev: &Event<'_>) {
        let t = ev.time();
        self.last_time = Some(t);
        match ev.kind() {
            EventKind::Sync => {
                if let Some(s) = ev.sync() {
                    self.n_sync = s.n;
                }
            }
            EventKind::Metric => {
                if let Some(m) = ev.metric()
                    && m.name == "/sched/gomaxprocs:threads"
                {
                    self.set_gomaxprocs(t, m.value as usize);
                }
            }
            _ => {}
        }
        if self.ps.is_empty() {
            // Nothing to do until GOMAXPROCS is known.
            return;
        }

        match ev.kind() {
            EventKind::RangeActive | EventKind::RangeBegin => {
                let Some(r) = ev.range() else { return };
                if ev.kind() == EventKind::RangeActive {
                    if self.n_sync > 1 {
                        // Redundant after the first generation.
                        self.record(t);
                        return;
                    }
                    self.range_active_fixup(ev, &r.name);
                }
                if self.handle_stw(&r.name) {
                    self.stw += 1;
                } else if self.handle_sweep(&r.name) {
                    self.proc_gc(ev, 1);
                } else if self.handle_assist(&r.name) {
                    self.proc_gc(ev, 1);
                    if let ResourceId::Goroutine(g) = r.scope {
                        self.in_gc.insert(g);
                    }
                }
            }
            EventKind::RangeEnd => {
                let Some(r) = ev.range() else { return };
                if self.handle_stw(&r.name) {
                    self.stw -= 1;
                } else if self.handle_sweep(&r.name) {
                    self.proc_gc(ev, -1);
                } else if self.handle_assist(&r.name) {
                    self.proc_gc(ev, -1);
                    if let ResourceId::Goroutine(g) = r.scope {
                        self.in_gc.remove(&g);
                    }
                }
            }
            EventKind::StateTransition => {
                if let Some(st) = ev.state_transition()
                    && let ResourceId::Goroutine(g) = st.resource
                    && let Some((old, new)) = st.goroutine()
                {
                    if self.in_gc.contains(&g) || self.bg_mark.contains(&g) {
                        if !old.executing() && new.executing() {
                            self.proc_gc(ev, 1);
                        } else if old.executing() && !new.executing() {
                            self.proc_gc(ev, -1);
                        }
                    }
                    if new == GoState::NotExist {
                        // Same as absent (not executing); keeps memory bounded.
                        self.states.remove(&g);
                        self.bg_mark.remove(&g);
                    } else {
                        self.states.insert(g, new);
                    }
                }
            }
            EventKind::Label => {
                if let Some((label, _)) = ev.label()
                    && self.flags.contains(UtilFlags::BACKGROUND)
                    && label.starts_with(b"GC ")
                    && label != b"GC (idle)"
                    && !(self.per_proc() && label == b"GC (dedicated)")
                {
                    // Background mark worker.
                    self.bg_mark.insert(ev.goroutine());
                    self.proc_gc(ev, 1);
                }
            }
            _ => {}
        }
        self.record(t);
    }

    fn set_gomaxprocs(&mut self, t: i64, n: usize) {
        if self.ps.len() > n {
            if self.per_proc() {
                // End each removed P's series.
                for p in &self.ps[n..] {
                    add_util(&mut self.out[p.series], MutatorUtil { time: t, util: 0.0 });
                }
            }
            self.ps.truncate(n);
        }
        while self.ps.len() < n {
            let mut series = 0;
            if self.per_proc() || self.out.is_empty() {
                series = self.out.len();
                self.out.push(vec![MutatorUtil { time: t, util: 1.0 }]);
            }
            self.ps.push(PerP { gc: 0, series });
        }
        if self.procs.last().is_none_or(|&(_, last)| last != n) {
            self.procs.push((t, n));
        }
    }

    /// A range found active at the start of the trace: subtract its P's
    /// share from the utilization recorded so far (Go's fix-up).
    fn range_active_fixup(&mut self, ev: &Event<'_>, r: &RangeName<'_>) {
        let assist = self.handle_assist(r);
        if assist {
            let running = self
                .states
                .get(&ev.goroutine())
                .is_some_and(|s| s.executing());
            if !running {
                return;
            }
        }
        if !(assist || self.handle_sweep(r)) || self.per_proc() {
            return;
        }
        let Some(out0) = self.out.first_mut() else {
            return;
        };
        let (mut mi, mut pi) = (0, 0);
        while mi < out0.len() {
            if pi + 1 < self.procs.len() && self.procs[pi + 1].0 < out0[mi].time {
                pi += 1;
                continue;
            }
            out0[mi].util -= 1.0 / self.procs[pi].1 as f64;
            if out0[mi].util < 0.0 {
                out0[mi].util = 0.0;
            }
            mi += 1;
        }
    }

    /// Records the utilization after an event.
    fn record(&mut self, t: i64) {
        if !self.per_proc() {
            let gc_ps = if self.stw > 0 {
                self.ps.len()
            } else {
                self.ps.iter().filter(|p| p.gc > 0).count()
            };
            let mu = MutatorUtil {
                time: t,
                util: 1.0 - gc_ps as f64 / self.ps.len() as f64,
            };
            if let Some(out0) = self.out.first_mut() {
                add_util(out0, mu);
            }
        } else {
            for p in &self.ps {
                let util = if self.stw > 0 || p.gc > 0 { 0.0 } else { 1.0 };
                add_util(&mut self.out[p.series], MutatorUtil { time: t, util });
            }
        }
    }

    /// The utilization functions: one, or one per P with `PER_PROC`; each
    /// ends with a 0 at the last event. Empty if GOMAXPROCS never appeared.
    pub fn finish(mut self) -> Vec<Vec<MutatorUtil>> {
        let Some(t) = self.last_time else {
            return Vec::new();
        };
        for p in &self.ps {
            add_util(&mut self.out[p.series], MutatorUtil { time: t, util: 0.0 });
        }
        self.out
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn add_util(util: &mut Vec<MutatorUtil>, mu: MutatorUtil) {
    if let Some(last) = util.last_mut() {
        if mu.util == last.util {
            return;
        }
        if mu.time == last.time {
            // Take the lowest utilization at a time stamp.
            if mu.util < last.util {
                *last = mu;
            }
            return;
        }
    }
    util.push(mu);
}

/// Computes the utilization functions of a whole trace (complete
/// generations only), with the time of its first event. `progress` is
/// called at each generation start with the number of generations started.
pub fn mutator_utilization(
    data: &[u8],
    flags: UtilFlags,
    progress: &mut dyn FnMut(u64),
) -> Result<(i64, Vec<Vec<MutatorUtil>>), trace_format::Error> {
    let mut b = UtilBuilder::new(flags);
    let mut first = None;
    trace_format::reader::for_each_event(data, |ev| {
        first.get_or_insert(ev.time());
        if let Some(s) = ev.sync() {
            progress(s.n);
        }
        b.event(ev);
        true
    })?;
    Ok((first.unwrap_or(0), b.finish()))
}

// ---------------------------------------------------------------- MMU curve

/// Go's `bandsPerSeries`.
const BANDS_PER_SERIES: usize = 1000;

/// A window and its mean mutator utilization (Go's `UtilWindow`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UtilWindow {
    /// Start of the window (ns).
    pub time: i64,
    /// Mean mutator utilization in the window.
    pub mutator_util: f64,
}

/// The minimum mutator utilization curve across window sizes (`MMUCurve`).
pub struct MmuCurve {
    series: Vec<MmuSeries>,
}

struct MmuSeries {
    util: Vec<MutatorUtil>,
    /// sums[j]: integral of util[..j].
    sums: Vec<f64>,
    bands: Vec<MmuBand>,
    band_dur: i64,
}

#[derive(Clone, Copy)]
struct MmuBand {
    min_util: f64,
    cum_util: f64,
    integrator: Integrator,
}

/// A position in a utilization function (Go's `integrator`).
#[derive(Clone, Copy)]
struct Integrator {
    /// Index of the current time's non-strict predecessor.
    pos: isize,
}

impl Integrator {
    /// The integral of the utilization from the start to `time`.
    fn advance(&mut self, s: &MmuSeries, time: i64) -> f64 {
        let util = &s.util;
        let n = util.len() as isize;
        let mut pos = self.pos;
        const MAX_SEQ: isize = 8;
        if pos + MAX_SEQ < n && util[(pos + MAX_SEQ) as usize].time > time {
            while pos + 1 < n && util[(pos + 1) as usize].time <= time {
                pos += 1;
            }
        } else {
            let (mut l, mut r) = (pos, n);
            while l < r {
                let h = ((l + r) as usize >> 1) as isize;
                if util[h as usize].time <= time {
                    l = h + 1;
                } else {
                    r = h;
                }
            }
            pos = l - 1;
        }
        // Go would index util[-1] here (time before the series): clamp.
        let pos = pos.max(0);
        self.pos = pos;
        let u = util[pos as usize];
        let partial = if time != u.time {
            total_util_of(u.util, time.wrapping_sub(u.time))
        } else {
            0.0
        };
        s.sums[pos as usize] + partial
    }

    /// The smallest time after `time` where the utilization changes.
    fn next(&self, s: &MmuSeries, time: i64) -> i64 {
        s.util[self.pos.max(0) as usize..]
            .iter()
            .find(|u| u.time > time)
            .map_or(i64::MAX, |u| u.time)
    }
}

fn total_util_of(mean: f64, dur: i64) -> f64 {
    mean * dur as f64
}

impl MmuSeries {
    fn new(util: Vec<MutatorUtil>) -> MmuSeries {
        let mut sums = Vec::with_capacity(util.len());
        let mut prev = MutatorUtil { time: 0, util: 0.0 };
        let mut sum = 0.0;
        for u in &util {
            sum += total_util_of(prev.util, u.time.wrapping_sub(prev.time));
            sums.push(sum);
            prev = *u;
        }
        let num_bands = BANDS_PER_SERIES.min(util.len());
        let dur = match (util.first(), util.last()) {
            (Some(a), Some(b)) => b.time - a.time,
            _ => 0,
        };
        let band_dur = if num_bands == 0 {
            1
        } else {
            ((dur + num_bands as i64 - 1) / num_bands as i64).max(1)
        };
        let mut s = MmuSeries {
            util,
            sums,
            bands: Vec::new(),
            band_dur,
        };
        if s.util.is_empty() {
            return s;
        }
        let mut bands = Vec::with_capacity(num_bands + 1);
        let mut left = Integrator { pos: 0 };
        for i in 0..=num_bands {
            let (start, end) = s.band_time(i);
            let cum_util = left.advance(&s, start);
            let pred = left.pos.max(0) as usize;
            let mut min_util = 1.0f64;
            for u in s.util[pred..].iter().take_while(|u| u.time < end) {
                min_util = go_min(min_util, u.util);
            }
            bands.push(MmuBand {
                min_util,
                cum_util,
                integrator: left,
            });
        }
        s.bands = bands;
        s
    }

    fn band_time(&self, i: usize) -> (i64, i64) {
        let start = (i as i64)
            .wrapping_mul(self.band_dur)
            .wrapping_add(self.util[0].time);
        (start, start.wrapping_add(self.band_dur))
    }

    fn duration(&self) -> i64 {
        match (self.util.first(), self.util.last()) {
            (Some(a), Some(b)) => b.time - a.time,
            _ => 0,
        }
    }

    /// Worst-case utilization bounds for windows starting in each band.
    fn mk_band_util(&self, series: usize, window: i64) -> Vec<BandUtil> {
        if window <= 0 || self.bands.is_empty() {
            // Go would index out of range here.
            return Vec::new();
        }
        let bd = self.band_dur;
        let min_bands = ((window + bd - 1) / bd) as usize;
        let max_bands = ((window + 2 * (bd - 1)) / bd) as usize;
        let tail_dur = window % bd;
        let n_util = (self.bands.len() + 1).saturating_sub(max_bands);
        let mut out = Vec::with_capacity(n_util);
        for i in 0..n_util {
            let mut util = 0.0;
            let l = self.bands[i].min_util;
            let r1 = self.bands[i + min_bands - 1].min_util;
            let r2 = self.bands[i + max_bands - 1].min_util;
            let min_band = go_min(l, go_min(r1, r2));
            if min_bands == 1 {
                util += total_util_of(min_band, window);
            } else {
                util += total_util_of(min_band, bd);
                let mid_band = if min_band == l {
                    go_min(r1, r2)
                } else if min_band == r1 {
                    go_min(l, r2)
                } else if min_band == r2 {
                    go_min(l, r1)
                } else {
                    0.0
                };
                util += total_util_of(mid_band, tail_dur);
            }
            if min_bands > 2 {
                util += self.bands[i + min_bands - 1].cum_util - self.bands[i + 1].cum_util;
            }
            out.push(BandUtil {
                series,
                i,
                util_bound: util / window as f64,
            });
        }
        out
    }

    /// Refines band `band_idx` into exact windows (Go's `bandMMU`).
    fn band_mmu(&self, band_idx: usize, window: i64, acc: &mut Accumulator) {
        let util = &self.util;
        let mut left = self.bands[band_idx].integrator;
        let mut right = left;
        let (mut time, mut end_time) = self.band_time(band_idx);
        if let Some(last) = util.last() {
            let util_end = last.time - window;
            if util_end < end_time {
                end_time = util_end;
            }
        }
        acc.reset_time();
        loop {
            let mu = (right.advance(self, time.wrapping_add(window)) - left.advance(self, time))
                / window as f64;
            if acc.add_mu(time, mu, window) {
                break;
            }
            if time == end_time {
                break;
            }
            let min_time = time.wrapping_add(((mu - acc.bound) * window as f64) as i64);
            let t1 = left.next(self, time);
            let t2 = right
                .next(self, time.wrapping_add(window))
                .wrapping_sub(window);
            time = if t1 < t2 { t1 } else { t2 };
            if time < min_time {
                time = min_time;
            }
            if time >= end_time {
                time = end_time;
            }
        }
    }
}

#[derive(Clone, Copy)]
struct BandUtil {
    series: usize,
    i: usize,
    util_bound: f64,
}

/// Go's `container/heap` on a slice with a `less` function.
mod goheap {
    pub fn init<T>(h: &mut [T], less: impl Fn(&T, &T) -> bool) {
        let n = h.len();
        for i in (0..n / 2).rev() {
            down(h, i, n, &less);
        }
    }

    pub fn push<T>(h: &mut Vec<T>, x: T, less: impl Fn(&T, &T) -> bool) {
        h.push(x);
        let j = h.len() - 1;
        up(h, j, &less);
    }

    pub fn pop<T>(h: &mut Vec<T>, less: impl Fn(&T, &T) -> bool) -> Option<T> {
        let n = h.len().checked_sub(1)?;
        h.swap(0, n);
        down(h, 0, n, &less);
        h.pop()
    }

    pub fn remove<T>(h: &mut Vec<T>, i: usize, less: impl Fn(&T, &T) -> bool) -> Option<T> {
        let n = h.len().checked_sub(1)?;
        if n != i {
            h.swap(i, n);
            if !down(h, i, n, &less) {
                up(h, i, &less);
            }
        }
        h.pop()
    }

    fn up<T>(h: &mut [T], mut j: usize, less: &impl Fn(&T, &T) -> bool) {
        while j > 0 {
            let i = (j - 1) / 2;
            if !less(&h[j], &h[i]) {
                break;
            }
            h.swap(i, j);
            j = i;
        }
    }

    fn down<T>(h: &mut [T], i0: usize, n: usize, less: &impl Fn(&T, &T) -> bool) -> bool {
        let mut i = i0;
        loop {
            let j1 = 2 * i + 1;
            if j1 >= n {
                break;
            }
            let mut j = j1;
            let j2 = j1 + 1;
            if j2 < n && less(&h[j2], &h[j1]) {
                j = j2;
            }
            if !less(&h[j], &h[i]) {
                break;
            }
            h.swap(i, j);
            i = j;
        }
        i > i0
    }
}

fn band_less(a: &BandUtil, b: &BandUtil) -> bool {
    a.util_bound < b.util_bound
}

/// `utilHeap.Less`: the heap keeps the *best* of the worst windows on top.
fn window_less(a: &UtilWindow, b: &UtilWindow) -> bool {
    if a.mutator_util != b.mutator_util {
        return a.mutator_util > b.mutator_util;
    }
    a.time > b.time
}

/// Tracks statistics of the windowed utilization function (`accumulator`).
struct Accumulator {
    mmu: f64,
    bound: f64,
    n_worst: usize,
    w_heap: Vec<UtilWindow>,
    mud: Option<Mud>,
    last_time: i64,
    last_mu: f64,
}

impl Accumulator {
    fn new(n_worst: usize, mud: Option<Mud>) -> Accumulator {
        Accumulator {
            mmu: 1.0,
            bound: 1.0,
            n_worst,
            w_heap: Vec::new(),
            mud,
            last_time: 0,
            last_mu: 0.0,
        }
    }

    fn reset_time(&mut self) {
        self.last_time = i64::MAX;
    }

    /// Adds a point of the windowed function; true if more are pointless.
    fn add_mu(&mut self, time: i64, mu: f64, window: i64) -> bool {
        if mu < self.mmu {
            self.mmu = mu;
        }
        self.bound = self.mmu;

        if self.n_worst == 0 {
            return mu == 0.0;
        }

        if self.w_heap.len() < self.n_worst || mu < self.w_heap[0].mutator_util {
            let mut keep = false;
            let mut replace = None;
            for (i, ui) in self.w_heap.iter().enumerate() {
                if time.wrapping_add(window) > ui.time && ui.time.wrapping_add(window) > time {
                    if ui.mutator_util <= mu {
                        keep = true;
                    } else {
                        replace = Some(i);
                    }
                    break;
                }
            }
            if !keep {
                if let Some(i) = replace {
                    goheap::remove(&mut self.w_heap, i, window_less);
                }
                goheap::push(
                    &mut self.w_heap,
                    UtilWindow {
                        time,
                        mutator_util: mu,
                    },
                    window_less,
                );
                if self.w_heap.len() > self.n_worst {
                    goheap::pop(&mut self.w_heap, window_less);
                }
            }
        }

        if self.w_heap.len() < self.n_worst {
            self.bound = 1.0;
        } else {
            self.bound = go_max(self.bound, self.w_heap[0].mutator_util);
        }

        if let Some(mud) = &mut self.mud {
            if self.last_time != i64::MAX {
                mud.add(self.last_mu, mu, time.wrapping_sub(self.last_time) as f64);
            }
            self.last_time = time;
            self.last_mu = mu;
            match mud.approx_inv_cumulative_sum() {
                Some((_, upper)) => self.bound = go_max(self.bound, upper),
                None => self.bound = 1.0,
            }
            return false;
        }

        self.w_heap.len() == self.n_worst && self.w_heap[0].mutator_util == 0.0
    }
}

impl MmuCurve {
    /// The curve for utilization functions (`NewMMUCurve`).
    pub fn new(utils: Vec<Vec<MutatorUtil>>) -> MmuCurve {
        MmuCurve {
            series: utils.into_iter().map(MmuSeries::new).collect(),
        }
    }

    /// Whether there is no data (no GOMAXPROCS in the trace).
    pub fn is_empty(&self) -> bool {
        self.series.iter().all(|s| s.util.is_empty())
    }

    /// The first and last time of the utilization functions.
    pub fn span(&self) -> Option<(i64, i64)> {
        let mut out: Option<(i64, i64)> = None;
        for s in &self.series {
            if let (Some(a), Some(b)) = (s.util.first(), s.util.last()) {
                out = Some(match out {
                    Some((lo, hi)) => (lo.min(a.time), hi.max(b.time)),
                    None => (a.time, b.time),
                });
            }
        }
        out
    }

    /// The minimum mutator utilization over all windows of this size (ns).
    pub fn mmu(&self, window: i64) -> f64 {
        let mut acc = Accumulator::new(0, None);
        self.run(window, &mut acc);
        acc.mmu
    }

    /// Up to `n` disjoint windows of this size with the lowest utilization,
    /// lowest first (`Examples`).
    pub fn examples(&self, window: i64, n: usize) -> Vec<UtilWindow> {
        let mut acc = Accumulator::new(n, None);
        self.run(window, &mut acc);
        let mut w = acc.w_heap;
        // sort.Sort(sort.Reverse(heap)): a total order, so any sort agrees.
        w.sort_by(|a, b| {
            if window_less(b, a) {
                Ordering::Less
            } else if window_less(a, b) {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        });
        w
    }

    /// Mutator utilization distribution quantiles for windows of this size
    /// (`MUD`).
    pub fn mud(&self, window: i64, quantiles: &[f64]) -> Vec<f64> {
        if quantiles.is_empty() {
            return Vec::new();
        }
        let mut max_q = quantiles[0];
        for &q in quantiles {
            if q > max_q {
                max_q = q;
            }
        }
        let mut duration: i64 = 0;
        for s in &self.series {
            let d = s.duration();
            if d >= window {
                duration += d - window;
            }
        }
        let q_mass = duration as f64 * max_q;
        let mut mud = Mud::default();
        mud.set_track_mass(q_mass);
        let mut acc = Accumulator::new(0, Some(mud));
        self.run(window, &mut acc);
        let mmu = acc.mmu;
        let Some(mut mud) = acc.mud else {
            return Vec::new();
        };
        quantiles
            .iter()
            .map(|&q| {
                let (mu, _) = mud.inv_cumulative_sum(duration as f64 * q);
                if mu.is_nan() { mmu } else { mu }
            })
            .collect()
    }

    fn run(&self, window: i64, acc: &mut Accumulator) {
        if window <= 0 {
            acc.mmu = 0.0;
            return;
        }
        let mut band_u: Vec<BandUtil> = Vec::new();
        let mut windows = Vec::with_capacity(self.series.len());
        for (i, s) in self.series.iter().enumerate() {
            let w = window.min(s.duration());
            windows.push(w);
            band_u.extend(s.mk_band_util(i, w));
        }
        goheap::init(&mut band_u, band_less);
        while let Some(b) = band_u.first().copied() {
            if b.util_bound >= acc.bound {
                break;
            }
            self.series[b.series].band_mmu(b.i, windows[b.series], acc);
            goheap::pop(&mut band_u, band_less);
        }
    }
}

// ---------------------------------------------------------------- plot

/// The curve `go tool trace`'s MMU page plots (`HandlePlot`): 100
/// log-spaced windows from the smallest power-of-1000 ns window (≤ 1 s)
/// whose MMU is below 0.0001 up to 10⁶ times that, capped at the trace's
/// length. With `quantiles`, each point also has the MUD at them.
#[derive(Debug, Clone, PartialEq)]
pub struct MmuPlot {
    /// Smallest window (ns).
    pub x_min: i64,
    /// Largest window (ns).
    pub x_max: i64,
    /// The quantiles of the MUD columns (empty: MMU only).
    pub quantiles: Vec<f64>,
    /// Per point: window (ns), then the MMU, or the MUD at each quantile.
    pub curve: Vec<Vec<f64>>,
}

/// The quantiles `go tool trace` shows with "Show percentiles".
pub const PLOT_QUANTILES: [f64; 4] = [0.0, 1.0 - 0.999, 1.0 - 0.99, 1.0 - 0.95];

impl MmuCurve {
    /// The plot of `go tool trace`'s MMU page; `None` without data.
    pub fn plot(&self, quantiles: &[f64]) -> Option<MmuPlot> {
        let (min_event, max_event) = self.span()?;
        let mut x_min: i64 = 1_000_000_000;
        while x_min > 1 {
            if self.mmu(x_min) < 0.0001 {
                break;
            }
            x_min /= 1000;
        }
        let mut x_max = x_min.wrapping_mul(1_000_000);
        let max_max = max_event - min_event;
        if x_max > max_max {
            x_max = max_max;
        }
        let (log_min, log_max) = (go_log(x_min as f64), go_log(x_max as f64));
        const SAMPLES: usize = 100;
        let mut curve = Vec::with_capacity(SAMPLES);
        for i in 0..SAMPLES {
            let window =
                go_exp(i as f64 / (SAMPLES - 1) as f64 * (log_max - log_min) + log_min) as i64;
            let mut point = vec![window as f64];
            if quantiles.is_empty() {
                point.push(self.mmu(window));
            } else {
                point.extend(self.mud(window, quantiles));
            }
            curve.push(point);
        }
        Some(MmuPlot {
            x_min,
            x_max,
            quantiles: quantiles.to_vec(),
            curve,
        })
    }
}
