//! Filters shared by the goroutine table and the profiles:
//! `--goroutines REGEX` (entry function), `--task NAME|ID`, `--region NAME`
//! and `--from/--to` (a time window).
//!
//! A filter resolves, against a [`Summary`], to the time intervals of each
//! goroutine during which its activity counts:
//!
//! - with no option, every goroutine counts from its start to its end (or the
//!   end of the trace) — exactly the intervals `go tool trace -pprof` uses;
//! - `--goroutines` keeps only goroutines whose entry function matches (a
//!   search, like Go's `regexp.MatchString`);
//! - `--region` and `--task` replace those intervals by the goroutine's
//!   regions with that type, or belonging to that task or one of its subtasks
//!   (including the task-inheriting region of a goroutine created inside one
//!   of the task's regions), nested regions merged as `go tool trace` does
//!   for its region profiles;
//! - `--from`/`--to` clip everything to the window.
//!
//! Times for `--from`/`--to` are either absolute trace timestamps in
//! nanoseconds (a bare integer, the unit `gotrace stats` and `dump` print) or
//! an offset from the trace's first event with a unit (`1.5s`, `250ms`).

use std::fmt;

use regex::Regex;
use trace_format::{GoId, TaskId};

use crate::intern::{FxHashMap, FxHashSet};
use crate::summary::{Duration, GoroutineSummary, Summary, Time, UserRegionSummary};

/// A usage error in a filter: the CLI reports it and exits with status 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterError {
    /// `--goroutines` is not a valid regular expression.
    BadRegex(String),
    /// `--from`/`--to` could not be parsed, or `--from` is after `--to`.
    BadTime(String),
    /// No task has that name or ID.
    UnknownTask(String),
    /// No region has that type.
    UnknownRegion(String),
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FilterError::BadRegex(e) => write!(f, "invalid --goroutines regular expression: {e}"),
            FilterError::BadTime(e) => write!(f, "{e}"),
            FilterError::UnknownTask(t) => write!(f, "--task {t:?}: no task has this name or ID"),
            FilterError::UnknownRegion(r) => write!(f, "--region {r:?}: no region has this type"),
        }
    }
}

impl std::error::Error for FilterError {}

/// A point in time given on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeSpec {
    /// An absolute trace timestamp (ns).
    Absolute(Time),
    /// An offset from the trace's first event (ns).
    Offset(Duration),
}

impl TimeSpec {
    /// Parses `674609230336` (absolute ns) or `1.5s` (offset).
    pub fn parse(s: &str) -> Result<TimeSpec, FilterError> {
        let s = s.trim();
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            return s
                .parse()
                .map(TimeSpec::Absolute)
                .map_err(|_| FilterError::BadTime(format!("time {s:?} is out of range")));
        }
        crate::duration::parse(s)
            .map(TimeSpec::Offset)
            .map_err(|e| {
                FilterError::BadTime(format!(
                    "{e}; a time is a trace timestamp in ns (as `gotrace stats` prints) or an offset from the start with a unit"
                ))
            })
    }

    /// The absolute time, for a trace starting at `start`.
    pub fn resolve(self, start: Time) -> Time {
        match self {
            TimeSpec::Absolute(t) => t,
            TimeSpec::Offset(d) => start.saturating_add(d),
        }
    }
}

/// A half-open-in-spirit time interval `[start, end]` (Go's `interval`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Interval {
    /// Start.
    pub start: Time,
    /// End.
    pub end: Time,
}

impl Interval {
    /// The whole time line.
    pub const ALL: Interval = Interval {
        start: Time::MIN,
        end: Time::MAX,
    };

    /// `end - start`.
    pub fn duration(&self) -> Duration {
        self.end.wrapping_sub(self.start)
    }

    /// Go's `interval.overlap`: the length of the intersection (0 if disjoint).
    pub fn overlap(&self, o: &Interval) -> Duration {
        if self.end < o.start || o.end < self.start {
            return 0;
        }
        Interval {
            start: self.start.max(o.start),
            end: self.end.min(o.end),
        }
        .duration()
    }

    /// The intersection, if not empty.
    pub fn intersect(&self, o: &Interval) -> Option<Interval> {
        let i = Interval {
            start: self.start.max(o.start),
            end: self.end.min(o.end),
        };
        (i.start <= i.end).then_some(i)
    }
}

/// Per-goroutine intervals during which activity counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoroutineIntervals(FxHashMap<GoId, Vec<Interval>>);

impl GoroutineIntervals {
    /// The intervals of goroutine `g` (empty: it does not count at all).
    pub fn get(&self, g: GoId) -> &[Interval] {
        self.0.get(&g).map_or(&[], Vec::as_slice)
    }

    /// Whether goroutine `g` has any interval.
    pub fn contains(&self, g: GoId) -> bool {
        !self.get(g).is_empty()
    }

    /// Go's `pprofOverlappingDuration`: how much of `sample` (on goroutine
    /// `g`) falls in `g`'s intervals.
    pub fn overlapping(&self, g: GoId, sample: Interval) -> Duration {
        self.get(g)
            .iter()
            .map(|i| i.overlap(&sample))
            .filter(|&o| o > 0)
            .fold(0, Duration::wrapping_add)
    }

    /// The goroutines with intervals.
    pub fn goroutines(&self) -> impl Iterator<Item = GoId> + Clone + '_ {
        self.0.keys().copied()
    }

    /// Every `(goroutine, interval)`.
    pub fn iter(&self) -> impl Iterator<Item = (GoId, Interval)> + '_ {
        self.0
            .iter()
            .flat_map(|(&g, v)| v.iter().map(move |&i| (g, i)))
    }

    /// Number of goroutines with intervals.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no goroutine has intervals.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn insert(&mut self, g: GoId, v: Vec<Interval>) {
        if !v.is_empty() {
            self.0.insert(g, v);
        }
    }
}

/// The filter options.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Entry-function regular expression.
    pub goroutines: Option<Regex>,
    /// Task name or ID.
    pub task: Option<String>,
    /// Region type.
    pub region: Option<String>,
    /// Window start.
    pub from: Option<TimeSpec>,
    /// Window end.
    pub to: Option<TimeSpec>,
}

impl Filter {
    /// Builds a filter from command-line strings.
    pub fn new(
        goroutines: Option<&str>,
        task: Option<&str>,
        region: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Filter, FilterError> {
        let goroutines = goroutines
            .map(|re| Regex::new(re).map_err(|e| FilterError::BadRegex(e.to_string())))
            .transpose()?;
        let from = from.map(TimeSpec::parse).transpose()?;
        let to = to.map(TimeSpec::parse).transpose()?;
        if let (Some(TimeSpec::Absolute(a)), Some(TimeSpec::Absolute(b)))
        | (Some(TimeSpec::Offset(a)), Some(TimeSpec::Offset(b))) = (from, to)
            && a > b
        {
            return Err(FilterError::BadTime("--from is after --to".into()));
        }
        Ok(Filter {
            goroutines,
            task: task.map(str::to_owned),
            region: region.map(str::to_owned),
            from,
            to,
        })
    }

    /// No option set.
    pub fn is_empty(&self) -> bool {
        self.goroutines.is_none() && !self.clips_time()
    }

    /// Whether resolving needs tasks and regions (a summary with annotations).
    pub fn needs_annotations(&self) -> bool {
        self.task.is_some() || self.region.is_some()
    }

    /// Whether the filter restricts time (task, region or window), not only
    /// which goroutines count.
    pub fn clips_time(&self) -> bool {
        self.needs_annotations() || self.from.is_some() || self.to.is_some()
    }

    /// Whether an entry function passes `--goroutines`.
    pub fn matches_name(&self, name: &str) -> bool {
        self.goroutines.as_ref().is_none_or(|re| re.is_match(name))
    }

    /// The window in absolute time for a trace starting at `start`.
    pub fn window(&self, start: Time) -> Interval {
        Interval {
            start: self.from.map_or(Time::MIN, |t| t.resolve(start)),
            end: self.to.map_or(Time::MAX, |t| t.resolve(start)),
        }
    }

    /// The intervals for profiles: Go's `[start, end]` per goroutine, or the
    /// goroutine's matching regions, clipped to the window.
    pub fn profile_intervals(&self, s: &Summary) -> Result<GoroutineIntervals, FilterError> {
        self.resolve(s, |g| {
            let (start, end) = s.goroutine_interval(g);
            Interval { start, end }
        })
    }

    /// The intervals to restrict goroutine statistics to, or `None` when the
    /// filter does not restrict time (then whole goroutines count).
    pub fn stat_intervals(&self, s: &Summary) -> Result<Option<GoroutineIntervals>, FilterError> {
        if !self.clips_time() {
            return Ok(None);
        }
        self.resolve(s, |_| Interval::ALL).map(Some)
    }

    fn resolve(
        &self,
        s: &Summary,
        whole: impl Fn(&GoroutineSummary) -> Interval,
    ) -> Result<GoroutineIntervals, FilterError> {
        let tasks = self.selected_tasks(s)?;
        if let Some(name) = &self.region
            && !s.regions.iter().any(|r| &*r.name == name.as_str())
        {
            return Err(FilterError::UnknownRegion(name.clone()));
        }
        let window = self.window(s.start_time);
        let mut out = GoroutineIntervals::default();
        for g in &s.goroutines {
            if !self.matches_name(&g.name) {
                continue;
            }
            let base = if self.needs_annotations() {
                let matching = g
                    .regions
                    .iter()
                    .filter_map(|&rid| s.regions.get(rid))
                    .filter(|r| self.region_matches(r, tasks.as_ref()));
                outermost(matching.map(|r| {
                    let (start, end) = s.region_interval(r);
                    Interval { start, end }
                }))
            } else {
                vec![whole(g)]
            };
            out.insert(
                g.id,
                base.iter().filter_map(|i| i.intersect(&window)).collect(),
            );
        }
        Ok(out)
    }

    fn region_matches(&self, r: &UserRegionSummary, tasks: Option<&FxHashSet<TaskId>>) -> bool {
        self.region.as_deref().is_none_or(|n| &*r.name == n)
            && tasks.is_none_or(|t| t.contains(&r.task_id))
    }

    /// The tasks `--task` selects, with their subtasks.
    fn selected_tasks(&self, s: &Summary) -> Result<Option<FxHashSet<TaskId>>, FilterError> {
        let Some(want) = &self.task else {
            return Ok(None);
        };
        let mut roots: Vec<TaskId> = Vec::new();
        if let Ok(id) = want.parse::<TaskId>()
            && s.task(id).is_some()
        {
            roots.push(id);
        }
        if roots.is_empty() {
            roots.extend(
                s.tasks
                    .iter()
                    .filter(|t| &*t.name == want.as_str())
                    .map(|t| t.id),
            );
        }
        if roots.is_empty() {
            return Err(FilterError::UnknownTask(want.clone()));
        }
        Ok(Some(
            roots.iter().flat_map(|&id| s.descendants(id)).collect(),
        ))
    }
}

/// `go tool trace`'s selection of outermost regions: sorted by (start, end),
/// keeping those that start at or after the end of the last one kept.
fn outermost(intervals: impl Iterator<Item = Interval>) -> Vec<Interval> {
    let mut v: Vec<Interval> = intervals.collect();
    v.sort_unstable();
    let mut last: Time = 0;
    let mut out = Vec::with_capacity(v.len());
    for i in v {
        if last <= i.start {
            last = i.end;
            out.push(i);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_like_go() {
        let a = Interval { start: 10, end: 20 };
        assert_eq!(a.overlap(&Interval { start: 15, end: 30 }), 5);
        assert_eq!(a.overlap(&Interval { start: 20, end: 30 }), 0);
        assert_eq!(a.overlap(&Interval { start: 21, end: 30 }), 0);
        assert_eq!(a.overlap(&Interval { start: 0, end: 100 }), 10);
    }

    #[test]
    fn outermost_drops_nested() {
        let iv = |start, end| Interval { start, end };
        let got = outermost([iv(5, 6), iv(1, 10), iv(10, 12), iv(11, 20)].into_iter());
        assert_eq!(got, vec![iv(1, 10), iv(10, 12)]);
    }

    #[test]
    fn time_specs() {
        assert_eq!(TimeSpec::parse("12345"), Ok(TimeSpec::Absolute(12345)));
        assert_eq!(TimeSpec::parse("1.5ms"), Ok(TimeSpec::Offset(1_500_000)));
        assert!(TimeSpec::parse("soon").is_err());
        assert_eq!(TimeSpec::Offset(5).resolve(100), 105);
    }

    #[test]
    fn bad_input_is_a_usage_error() {
        assert!(matches!(
            Filter::new(Some("("), None, None, None, None),
            Err(FilterError::BadRegex(_))
        ));
        assert!(matches!(
            Filter::new(None, None, None, Some("2s"), Some("1s")),
            Err(FilterError::BadTime(_))
        ));
        let s = Summary::default();
        let f = Filter::new(None, Some("nope"), None, None, None).unwrap();
        assert_eq!(
            f.profile_intervals(&s),
            Err(FilterError::UnknownTask("nope".into()))
        );
    }
}
