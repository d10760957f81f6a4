//! Time series: metrics sampled by the runtime (heap, heap goal, GOMAXPROCS)
//! and goroutine counts (running, runnable) bucketed per chunk.

/// A step series of `(time, value)` samples in time order.
#[derive(Debug, Clone, Default)]
pub struct Series {
    /// Sample times (ns).
    pub times: Vec<i64>,
    /// Values.
    pub values: Vec<u64>,
}

impl Series {
    /// Appends a sample.
    pub fn push(&mut self, t: i64, v: u64) {
        self.times.push(t);
        self.values.push(v);
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.times.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    /// Value in effect at `t` (the last sample at or before it).
    pub fn at(&self, t: i64) -> Option<u64> {
        let i = self.times.partition_point(|&x| x <= t);
        i.checked_sub(1).map(|i| self.values[i])
    }

    /// Largest value.
    pub fn max(&self) -> u64 {
        self.values.iter().copied().max().unwrap_or(0)
    }

    /// Per-column `(min, max)` of the step function over `cols` columns of
    /// `ns_per_col` starting at `t0` (M4-style downsampling without first/last).
    pub fn columns(&self, t0: i64, ns_per_col: f64, cols: usize) -> Vec<Option<(u64, u64)>> {
        let mut out = vec![None; cols];
        if self.is_empty() || cols == 0 {
            return out;
        }
        let t1 = t0 as f64 + ns_per_col * cols as f64;
        let mut i = self.times.partition_point(|&x| x <= t0).saturating_sub(1);
        let mut col = 0usize;
        let mut cur = (self.times[i] <= t0).then(|| self.values[i]);
        if cur.is_some() {
            i += 1;
        }
        while col < cols {
            let col_end = t0 as f64 + ns_per_col * (col + 1) as f64;
            let mut lo_hi = cur.map(|v| (v, v));
            while i < self.times.len() && (self.times[i] as f64) < col_end {
                let v = self.values[i];
                lo_hi = Some(lo_hi.map_or((v, v), |(a, b)| (a.min(v), b.max(v))));
                cur = Some(v);
                i += 1;
            }
            out[col] = lo_hi;
            col += 1;
            if i >= self.times.len() && col_end > t1 {
                break;
            }
        }
        out
    }
}

/// Buckets per chunk for goroutine counts.
pub const COUNT_BUCKETS: usize = 2048;

/// Time-weighted average numbers of running and runnable goroutines in
/// fixed-width buckets over one chunk.
#[derive(Debug, Clone, Default)]
pub struct CountBuckets {
    /// Start of bucket 0 (ns).
    pub start: i64,
    /// Bucket width (ns, ≥ 1).
    pub width: i64,
    /// Average running goroutines per bucket.
    pub running: Vec<f32>,
    /// Average runnable goroutines per bucket.
    pub runnable: Vec<f32>,
}

/// Accumulates intervals into buckets.
pub(crate) struct CountBuilder {
    start: i64,
    width: i64,
    acc: [Vec<i64>; 2],
    diff: [Vec<i64>; 2],
}

impl CountBuilder {
    pub fn new(start: i64, end: i64) -> Self {
        let width = ((end - start).max(1) as u64)
            .div_ceil(COUNT_BUCKETS as u64)
            .max(1) as i64;
        let n = ((end - start) / width + 1).max(1) as usize;
        CountBuilder {
            start,
            width,
            acc: [vec![0; n], vec![0; n]],
            diff: [vec![0; n + 1], vec![0; n + 1]],
        }
    }

    /// Adds `[s, e)` to series `which` (0 running, 1 runnable).
    pub fn add(&mut self, which: usize, s: i64, e: i64) {
        let n = self.acc[which].len() as i64;
        let (s, e) = (s.max(self.start), e.min(self.start + n * self.width));
        if e <= s {
            return;
        }
        let b0 = (s - self.start) / self.width;
        let b1 = (e - self.start) / self.width;
        let (acc, diff) = (&mut self.acc[which], &mut self.diff[which]);
        if b0 == b1 {
            acc[b0 as usize] += e - s;
            return;
        }
        acc[b0 as usize] += self.start + (b0 + 1) * self.width - s;
        diff[(b0 + 1) as usize] += self.width;
        diff[b1 as usize] -= self.width;
        if b1 < n {
            acc[b1 as usize] += e - (self.start + b1 * self.width);
        }
    }

    pub fn finish(self) -> CountBuckets {
        let w = self.width as f64;
        let series = |acc: &Vec<i64>, diff: &Vec<i64>| -> Vec<f32> {
            let mut run = 0i64;
            acc.iter()
                .zip(diff)
                .map(|(&a, &d)| {
                    run += d;
                    ((a + run) as f64 / w) as f32
                })
                .collect()
        };
        CountBuckets {
            start: self.start,
            width: self.width,
            running: series(&self.acc[0], &self.diff[0]),
            runnable: series(&self.acc[1], &self.diff[1]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_time_weighted_averages() {
        let mut b = CountBuilder::new(0, 2048 * 10 - 1);
        assert_eq!(b.width, 10);
        b.add(0, 0, 100); // one goroutine running for buckets 0..10
        b.add(0, 5, 25); // another, half of bucket 0, all of 1, half of 2
        b.add(1, 15, 16);
        let c = b.finish();
        assert_eq!(c.running[0], 1.5);
        assert_eq!(c.running[1], 2.0);
        assert_eq!(c.running[2], 1.5);
        assert_eq!(c.running[9], 1.0);
        assert_eq!(c.running[10], 0.0);
        assert!((c.runnable[1] - 0.1).abs() < 1e-6);
    }

    #[test]
    fn series_columns_min_max() {
        let mut s = Series::default();
        for (t, v) in [(10, 1), (12, 5), (14, 3), (35, 7)] {
            s.push(t, v);
        }
        assert_eq!(s.at(9), None);
        assert_eq!(s.at(13), Some(5));
        assert_eq!(s.max(), 7);
        let c = s.columns(0, 10.0, 5);
        assert_eq!(c[0], None);
        assert_eq!(c[1], Some((1, 5)));
        assert_eq!(c[2], Some((3, 3)));
        assert_eq!(c[3], Some((3, 7)));
        assert_eq!(c[4], Some((7, 7)));
    }
}
