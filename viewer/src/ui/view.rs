//! View state, independent of frame geometry: the visible time range (i64 ns),
//! history, the selected time range and the selected object. Pixels come in
//! only as arguments (the current width), so it is unit-testable.

use crate::model::{GSpan, RangeKind, Resource};

/// Smallest visible time range.
pub const MIN_RANGE_NS: i64 = 20;

/// Which resource tracks are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceMode {
    /// One track per P.
    Procs,
    /// One track per thread (M).
    Threads,
}

/// Something the user clicked on.
#[derive(Debug, Clone, PartialEq)]
pub enum Selected {
    /// A goroutine state span.
    GSpan {
        /// Goroutine index.
        g: u32,
        /// The span.
        span: GSpan,
    },
    /// A span on a P or M track.
    ResSpan {
        /// P or M.
        res: Resource,
        /// Start.
        start: i64,
        /// End.
        end: i64,
        /// Kind (`spantrack::kind`).
        kind: u8,
        /// Goroutine index or `NONE`.
        g: u32,
    },
    /// A whole goroutine.
    Goroutine(u32),
    /// A task, by ID.
    Task(u64),
    /// A region (index into `Annotations::regions`).
    Region(usize),
    /// A GC, STW or assist range (index into the model's list).
    Range(RangeKind, usize),
    /// A CPU sample (index into `Model::cpu`).
    CpuSample(usize),
    /// A log message (index into `Annotations::logs`).
    Log(usize),
}

/// Time range, history, selection.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewState {
    /// Visible start (ns).
    pub start: i64,
    /// Visible end (ns).
    pub end: i64,
    /// The trace's extent.
    pub bounds: (i64, i64),
    back: Vec<(i64, i64)>,
    forward: Vec<(i64, i64)>,
    /// Selected time range.
    pub selection: Option<(i64, i64)>,
    /// Selected object.
    pub selected: Option<Selected>,
    /// P or M tracks.
    pub resources: ResourceMode,
    gesture_at: f64,
}

impl ViewState {
    /// Shows all of `[start, end]`.
    pub fn new(start: i64, end: i64) -> Self {
        let end = end.max(start + MIN_RANGE_NS);
        ViewState {
            start,
            end,
            bounds: (start, end),
            back: Vec::new(),
            forward: Vec::new(),
            selection: None,
            selected: None,
            resources: ResourceMode::Procs,
            gesture_at: f64::NEG_INFINITY,
        }
    }

    /// Visible duration.
    pub fn len(&self) -> i64 {
        self.end - self.start
    }

    /// Whether the visible range is empty (never, by construction).
    pub fn is_empty(&self) -> bool {
        self.len() <= 0
    }

    /// Nanoseconds per pixel for a track area `width` px wide.
    pub fn ns_per_px(&self, width: f32) -> f64 {
        self.len() as f64 / width.max(1.0) as f64
    }

    /// X offset (from the track area's left edge) of time `t`.
    pub fn x_of(&self, t: i64, width: f32) -> f32 {
        ((t - self.start) as f64 / self.ns_per_px(width)) as f32
    }

    /// Time at X offset `x` from the left edge.
    pub fn t_of(&self, x: f32, width: f32) -> i64 {
        self.start + (x as f64 * self.ns_per_px(width)).round() as i64
    }

    /// Sets the visible range, keeping it sane (at least `MIN_RANGE_NS`,
    /// not wider than the trace plus a margin, not far outside it).
    pub fn set_range(&mut self, start: i64, end: i64) {
        let (b0, b1) = self.bounds;
        let blen = (b1 - b0).max(MIN_RANGE_NS);
        let max_len = blen + blen / 10;
        let mut len = (end - start).clamp(MIN_RANGE_NS, max_len);
        let mut s = start + ((end - start) - len) / 2;
        if len >= blen {
            len = len.min(max_len);
            s = b0 - (len - blen) / 2;
        } else {
            let margin = len / 20;
            s = s.clamp(b0 - margin, b1 + margin - len);
        }
        self.start = s;
        self.end = s + len;
    }

    /// Moves to a new range as one step of history.
    pub fn navigate(&mut self, start: i64, end: i64) {
        let cur = (self.start, self.end);
        self.set_range(start, end);
        if (self.start, self.end) != cur {
            self.back.push(cur);
            self.forward.clear();
            if self.back.len() > 200 {
                self.back.remove(0);
            }
        }
    }

    /// Records history at the start of a continuous gesture (wheel, drag,
    /// keys held); `now` is the time in seconds.
    pub fn gesture(&mut self, now: f64) {
        if now - self.gesture_at > 0.6 {
            self.back.push((self.start, self.end));
            self.forward.clear();
        }
        self.gesture_at = now;
    }

    /// Zooms by `factor` (< 1 zooms in) keeping time `anchor` at the same place.
    pub fn zoom_at(&mut self, factor: f64, anchor: i64) {
        let len = self.len() as f64;
        let new_len = (len * factor).round().max(MIN_RANGE_NS as f64);
        let a = ((anchor - self.start) as f64 / len).clamp(0.0, 1.0);
        let s = anchor as f64 - a * new_len;
        self.set_range(s.round() as i64, (s + new_len).round() as i64);
    }

    /// Pans by `dx` pixels (positive moves the view later), in whole pixels of time.
    pub fn pan_px(&mut self, dx: f32, width: f32) {
        let ns = (dx.round() as f64 * self.ns_per_px(width)).round() as i64;
        self.set_range(self.start + ns, self.end + ns);
    }

    /// Shows the whole trace.
    pub fn fit(&mut self) {
        let (a, b) = self.bounds;
        self.navigate(a, b);
    }

    /// Zooms to the selected time range, if any.
    pub fn zoom_to_selection(&mut self) {
        if let Some((a, b)) = self.selection {
            let pad = (b - a) / 20;
            self.navigate(a - pad, b + pad);
        }
    }

    /// Whether there is a previous view.
    pub fn can_back(&self) -> bool {
        !self.back.is_empty()
    }

    /// Whether there is a next view.
    pub fn can_forward(&self) -> bool {
        !self.forward.is_empty()
    }

    /// Goes back to the previous view.
    pub fn back(&mut self) {
        if let Some(r) = self.back.pop() {
            self.forward.push((self.start, self.end));
            self.set_range(r.0, r.1);
        }
    }

    /// Goes forward again.
    pub fn forward(&mut self) {
        if let Some(r) = self.forward.pop() {
            self.back.push((self.start, self.end));
            self.set_range(r.0, r.1);
        }
    }

    /// Makes `[a, b]` visible: zooms out if needed, else pans, as one history step.
    pub fn reveal(&mut self, a: i64, b: i64) {
        if a >= self.start && b <= self.end {
            return;
        }
        let len = self.len().max((b - a) + (b - a) / 5);
        let mid = a + (b - a) / 2;
        self.navigate(mid - len / 2, mid + len / 2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_keeps_the_anchor_and_round_trips() {
        let mut v = ViewState::new(0, 1_000_000);
        v.zoom_at(0.5, 250_000);
        assert_eq!((v.start, v.end), (125_000, 625_000));
        v.zoom_at(2.0, 250_000);
        assert_eq!((v.start, v.end), (0, 1_000_000));
        // Cannot zoom in below the minimum.
        for _ in 0..100 {
            v.zoom_at(0.5, 500_000);
        }
        assert_eq!(v.len(), MIN_RANGE_NS);
        // Nor out beyond the trace plus 10%.
        for _ in 0..100 {
            v.zoom_at(2.0, 500_000);
        }
        assert_eq!(v.len(), 1_100_000);
        assert_eq!(v.start, -50_000);
    }

    #[test]
    fn pixels_and_times() {
        let mut v = ViewState::new(1000, 2000);
        assert_eq!(v.ns_per_px(100.0), 10.0);
        assert_eq!(v.x_of(1500, 100.0), 50.0);
        assert_eq!(v.t_of(25.0, 100.0), 1250);
        v.navigate(1000, 1500);
        v.pan_px(10.0, 100.0); // 5 ns per px
        assert_eq!((v.start, v.end), (1050, 1550));
        v.pan_px(-1000.0, 100.0); // clamped near the start
        assert_eq!(v.start, 1000 - 25);
    }

    #[test]
    fn history_back_and_forward() {
        let mut v = ViewState::new(0, 1000);
        v.navigate(100, 200);
        v.navigate(150, 160);
        assert!(v.can_back() && !v.can_forward());
        v.back();
        assert_eq!((v.start, v.end), (100, 200));
        v.back();
        assert_eq!((v.start, v.end), (0, 1000));
        assert!(!v.can_back());
        v.forward();
        assert_eq!((v.start, v.end), (100, 200));
        v.selection = Some((400, 600));
        v.zoom_to_selection();
        assert_eq!((v.start, v.end), (390, 610));
        v.back();
        assert_eq!((v.start, v.end), (100, 200));
        v.forward();
        assert_eq!((v.start, v.end), (390, 610));
        assert!(!v.can_forward());
        v.fit();
        assert_eq!((v.start, v.end), (0, 1000));
        v.reveal(10, 20);
        assert_eq!((v.start, v.end), (0, 1000));
        v.navigate(0, 100);
        v.reveal(500, 520);
        assert!(v.start <= 500 && v.end >= 520 && v.len() == 100);
    }

    #[test]
    fn gestures_record_one_history_step() {
        let mut v = ViewState::new(0, 1000);
        v.gesture(1.0);
        v.zoom_at(0.5, 500);
        v.gesture(1.1);
        v.zoom_at(0.5, 500);
        v.back();
        assert_eq!((v.start, v.end), (0, 1000));
    }
}
