//! Tasks and regions grouped as `go tool trace`'s "User-defined tasks" and
//! "User-defined regions" pages do (`cmd/trace/tasks.go`, `regions.go`),
//! with their log-scale duration histogram (`traceviewer.TimeHistogram`).

use std::sync::Arc;

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};
use trace_format::{EventKind, GoId, NO_TASK, goquote::quote_str};

use crate::summary::{Duration, FrameInfo, RegionId, Summary, Time, UserTaskSummary};

/// Go's `traceviewer.TimeHistogram`: five buckets per power of ten.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TimeHistogram {
    /// Number of samples.
    pub count: u64,
    /// Samples per bucket.
    pub buckets: Vec<u64>,
    /// First bucket to show (Go's bookkeeping, quirks included).
    pub min_bucket: usize,
    /// Last bucket to show.
    pub max_bucket: usize,
}

impl TimeHistogram {
    /// The bucket Go puts `d` in: `int(math.Log(float64(d)) / logDiv)`, 0 for
    /// `d <= 0`, from a table computed with Go's own float functions (they
    /// put exact powers of ten one bucket low, e.g. 1µs in the bucket
    /// starting at 630ns).
    pub fn bucket_of(d: Duration) -> usize {
        if d <= 0 {
            return 0;
        }
        THRESHOLDS.partition_point(|&t| t <= d)
    }

    /// Go's `BucketMin`: the smallest duration shown for bucket `i`.
    pub fn bucket_min(i: usize) -> Duration {
        BUCKET_MIN.get(i).copied().unwrap_or(i64::MIN)
    }

    /// Go's `Add`.
    pub fn add(&mut self, d: Duration) {
        let bucket = TimeHistogram::bucket_of(d);
        if self.buckets.len() <= bucket {
            self.buckets.resize(bucket + 1, 0);
        }
        self.buckets[bucket] += 1;
        if bucket < self.min_bucket || self.max_bucket == 0 {
            self.min_bucket = bucket;
        }
        if bucket > self.max_bucket {
            self.max_bucket = bucket;
        }
        self.count += 1;
    }

    /// The rows `go tool trace` draws: `(bucket min, next bucket min, count)`
    /// for buckets `min_bucket..=max_bucket` (none when empty).
    pub fn rows(&self) -> Vec<(Duration, Duration, u64)> {
        if self.count == 0 {
            return Vec::new();
        }
        (self.min_bucket..=self.max_bucket)
            .map(|i| {
                (
                    TimeHistogram::bucket_min(i),
                    TimeHistogram::bucket_min(i + 1),
                    self.buckets.get(i).copied().unwrap_or(0),
                )
            })
            .collect()
    }
}

impl Serialize for TimeHistogram {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Row {
            min: Duration,
            max: Duration,
            count: u64,
        }
        let rows: Vec<Row> = self
            .rows()
            .into_iter()
            .map(|(min, max, count)| Row { min, max, count })
            .collect();
        let mut st = s.serialize_struct("TimeHistogram", 2)?;
        st.serialize_field("count", &self.count)?;
        st.serialize_field("buckets", &rows)?;
        st.end()
    }
}

/// One row of the tasks page: the tasks of one type.
#[derive(Clone, Debug, Serialize)]
pub struct TaskType {
    /// Task type.
    pub name: Arc<str>,
    /// All tasks of this type.
    pub count: u64,
    /// Tasks with both begin and end in the trace.
    pub complete: u64,
    /// The others.
    pub incomplete: u64,
    /// Log messages in these tasks.
    pub logs: u64,
    /// Durations of the complete tasks.
    pub histogram: TimeHistogram,
}

/// The tasks page: task types sorted by name.
pub fn task_types(s: &Summary) -> Vec<TaskType> {
    let mut out: Vec<TaskType> = Vec::new();
    let mut index: crate::intern::FxHashMap<Arc<str>, usize> = Default::default();
    for t in &s.tasks {
        let i = *index.entry(t.name.clone()).or_insert_with(|| {
            out.push(TaskType {
                name: t.name.clone(),
                count: 0,
                complete: 0,
                incomplete: 0,
                logs: 0,
                histogram: TimeHistogram::default(),
            });
            out.len() - 1
        });
        let ty = &mut out[i];
        ty.count += 1;
        ty.logs += t.logs.len() as u64;
        match (&t.start, &t.end) {
            (Some(b), Some(e)) => {
                ty.complete += 1;
                ty.histogram.add(e.time.wrapping_sub(b.time));
            }
            _ => ty.incomplete += 1,
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// One event of a task, as listed on `go tool trace`'s task page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TaskEvent {
    /// Time.
    pub time: Time,
    /// The goroutine involved.
    pub goroutine: GoId,
    /// What happened, as Go's `describeEvent` (e.g. `region "x" begin`).
    pub what: String,
}

/// A task's begin, end, logs and region begins/ends in time order (Go's
/// `UserTaskHandlerFunc`; goroutine transitions that end a region are
/// described as `goroutine ends`).
pub fn task_events(s: &Summary, t: &UserTaskSummary) -> Vec<TaskEvent> {
    let mut out: Vec<TaskEvent> = Vec::new();
    if let Some(e) = &t.start {
        let parent = t.parent.unwrap_or(NO_TASK);
        out.push(TaskEvent {
            time: e.time,
            goroutine: e.goroutine,
            what: format!(
                "task {} (ID {}, parent {parent}) begin",
                quote_str(&t.name),
                t.id
            ),
        });
    }
    if let Some(e) = &t.end {
        out.push(TaskEvent {
            time: e.time,
            goroutine: e.goroutine,
            what: "task end".to_owned(),
        });
    }
    for l in &t.logs {
        let what = if l.category.is_empty() {
            format!("log {}", quote_str(&l.message))
        } else {
            format!("log (category: {}): {}", l.category, quote_str(&l.message))
        };
        out.push(TaskEvent {
            time: l.time,
            goroutine: l.goroutine,
            what,
        });
    }
    for r in t.regions.iter().filter_map(|&rid| s.regions.get(rid)) {
        for (e, what) in [(&r.start, "begin"), (&r.end, "end")] {
            let Some(e) = e else { continue };
            let what = match e.kind {
                EventKind::RegionBegin | EventKind::RegionEnd => {
                    format!("region {} {what}", quote_str(&r.name))
                }
                _ => "goroutine ends".to_owned(),
            };
            out.push(TaskEvent {
                time: e.time,
                goroutine: if e.kind == EventKind::StateTransition {
                    r.goroutine
                } else {
                    e.goroutine
                },
                what,
            });
        }
    }
    out.sort_by_key(|e| e.time);
    out
}

/// One row of the regions page: regions of one type started at one place.
#[derive(Clone, Debug, Serialize)]
pub struct RegionType {
    /// Region type.
    pub name: Arc<str>,
    /// Outermost frame of the region's start stack (Go's fingerprint).
    pub frame: Option<FrameInfo>,
    /// Durations of all these regions (incomplete ones up to the trace's
    /// start or end, as Go does); its count is the page's Count.
    pub histogram: TimeHistogram,
    /// The regions, by goroutine (in [`Summary::regions`]).
    #[serde(skip)]
    pub regions: Vec<RegionId>,
}

/// The regions page: every region of every goroutine grouped by type and
/// start frame, sorted by type then PC.
pub fn region_types(s: &Summary) -> Vec<RegionType> {
    region_types_of(
        s,
        s.goroutines.iter().flat_map(|g| g.regions.iter().copied()),
    )
}

/// [`region_types`] of the regions `ids` of `s` (for callers that took the
/// goroutines out of the summary as they ended, keeping their regions' IDs).
pub fn region_types_of(s: &Summary, ids: impl IntoIterator<Item = RegionId>) -> Vec<RegionType> {
    type Key = (Arc<str>, u64, Arc<str>, Arc<str>, u64);
    let mut out: Vec<RegionType> = Vec::new();
    let mut index: crate::intern::FxHashMap<Key, usize> = Default::default();
    let empty: Arc<str> = Arc::from("");
    for rid in ids {
        let Some(r) = s.regions.get(rid) else {
            continue;
        };
        let frame = r.start.as_ref().and_then(|e| e.frame.clone());
        let key: Key = match &frame {
            Some(f) => (r.name.clone(), f.pc, f.func.clone(), f.file.clone(), f.line),
            None => (r.name.clone(), 0, empty.clone(), empty.clone(), 0),
        };
        let i = *index.entry(key).or_insert_with(|| {
            out.push(RegionType {
                name: r.name.clone(),
                frame,
                histogram: TimeHistogram::default(),
                regions: Vec::new(),
            });
            out.len() - 1
        });
        let (start, end) = s.region_interval(r);
        out[i].histogram.add(end.wrapping_sub(start));
        out[i].regions.push(rid);
    }
    let pc = |r: &RegionType| r.frame.as_ref().map_or(0, |f| f.pc);
    out.sort_by(|a, b| a.name.cmp(&b.name).then(pc(a).cmp(&pc(b))));
    out
}

/// THRESHOLDS[i]: the smallest duration in bucket i+1 or above.
const THRESHOLDS: [i64; 94] = [
    2,
    3,
    4,
    7,
    11,
    16,
    26,
    40,
    64,
    101,
    159,
    252,
    399,
    631,
    1001,
    1585,
    2512,
    3982,
    6310,
    10001,
    15849,
    25119,
    39811,
    63096,
    100001,
    158490,
    251189,
    398108,
    630958,
    1000001,
    1584894,
    2511887,
    3981072,
    6309574,
    10000001,
    15848932,
    25118865,
    39810718,
    63095735,
    100000001,
    158489320,
    251188644,
    398107171,
    630957345,
    1000000001,
    1584893193,
    2511886432,
    3981071706,
    6309573445,
    10000000001,
    15848931925,
    25118864316,
    39810717056,
    63095734449,
    100000000001,
    158489319247,
    251188643151,
    398107170554,
    630957344481,
    1000000000001,
    1584893192462,
    2511886431510,
    3981071705535,
    6309573444802,
    10000000000001,
    15848931924612,
    25118864315096,
    39810717055350,
    63095734448020,
    100000000000001,
    158489319246112,
    251188643150959,
    398107170553500,
    630957344480196,
    1000000000000003,
    1584893192461115,
    2511886431509595,
    3981071705534988,
    6309573444801944,
    10000000000000071,
    15848931924611218,
    25118864315095883,
    39810717055349781,
    63095734448019733,
    100000000000000457,
    158489319246111761,
    251188643150959984,
    398107170553499616,
    630957344480195776,
    1000000000000002113,
    1584893192461124992,
    2511886431509593856,
    3981071705534986497,
    6309573444801942017,
];

/// BUCKET_MIN[i]: Go's BucketMin(i).
const BUCKET_MIN: [i64; 96] = [
    1,
    1,
    2,
    3,
    6,
    10,
    15,
    25,
    39,
    63,
    100,
    158,
    251,
    398,
    630,
    1000,
    1584,
    2511,
    3981,
    6309,
    10000,
    15848,
    25118,
    39810,
    63095,
    100000,
    158489,
    251188,
    398107,
    630957,
    1000000,
    1584893,
    2511886,
    3981071,
    6309573,
    10000000,
    15848931,
    25118864,
    39810717,
    63095734,
    100000000,
    158489319,
    251188643,
    398107170,
    630957344,
    1000000000,
    1584893192,
    2511886431,
    3981071705,
    6309573444,
    10000000000,
    15848931924,
    25118864315,
    39810717055,
    63095734448,
    100000000000,
    158489319246,
    251188643150,
    398107170553,
    630957344480,
    1000000000000,
    1584893192461,
    2511886431509,
    3981071705534,
    6309573444801,
    10000000000000,
    15848931924611,
    25118864315095,
    39810717055349,
    63095734448019,
    100000000000000,
    158489319246112,
    251188643150959,
    398107170553501,
    630957344480198,
    1000000000000005,
    1584893192461119,
    2511886431509603,
    3981071705535001,
    6309573444801966,
    10000000000000034,
    15848931924611272,
    25118864315095968,
    39810717055349920,
    63095734448019960,
    100000000000000816,
    158489319246112320,
    251188643150959104,
    398107170553500992,
    630957344480198016,
    1000000000000005760,
    1584893192461130752,
    2511886431509602816,
    3981071705535000576,
    6309573444801965056,
    -9223372036854775808,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_match_go() {
        // Go: 1000ns lands in bucket 14 (math.Log(1000)/logDiv = 14.999…).
        assert_eq!(TimeHistogram::bucket_of(1000), 14);
        assert_eq!(TimeHistogram::bucket_of(1001), 15);
        assert_eq!(TimeHistogram::bucket_of(0), 0);
        assert_eq!(TimeHistogram::bucket_of(-5), 0);
        assert_eq!(TimeHistogram::bucket_of(1), 0);
        assert_eq!(TimeHistogram::bucket_of(2), 1);
        assert_eq!(TimeHistogram::bucket_of(i64::MAX), 94);
        assert_eq!(TimeHistogram::bucket_min(15), 1000);
    }

    #[test]
    fn histogram_bookkeeping_like_go() {
        let mut h = TimeHistogram::default();
        h.add(1); // bucket 0; max stays 0
        h.add(5000); // bucket 18: Go resets min because max == 0
        assert_eq!((h.min_bucket, h.max_bucket, h.count), (18, 18, 2));
        h.add(100); // bucket 9
        assert_eq!((h.min_bucket, h.max_bucket), (9, 18));
        assert_eq!(h.rows().len(), 10);
        assert_eq!(h.rows()[0], (63, 100, 1));
    }
}
