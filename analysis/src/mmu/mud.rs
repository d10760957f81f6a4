//! The mutator utilization distribution: a port of Go's
//! `src/internal/trace/mud.go`.

use std::cmp::Ordering;

/// Go's `mudDegree`.
const MUD_DEGREE: usize = 1024;

#[derive(Clone, Copy)]
struct Edge {
    x: f64,
    delta: f64,
    dirac: f64,
}

/// An updatable mutator utilization distribution (Go's `mud`).
pub(super) struct Mud {
    sorted: Vec<Edge>,
    unsorted: Vec<Edge>,
    track_mass: f64,
    track_bucket: usize,
    track_sum: f64,
    hist: Box<[f64; MUD_DEGREE]>,
}

impl Default for Mud {
    fn default() -> Self {
        Mud {
            sorted: Vec::new(),
            unsorted: Vec::new(),
            track_mass: 0.0,
            track_bucket: 0,
            track_sum: 0.0,
            hist: Box::new([0.0; MUD_DEGREE]),
        }
    }
}

/// Go's `math.Modf` for the finite values used here.
fn modf(f: f64) -> (f64, f64) {
    let i = f.trunc();
    (i, f - i)
}

impl Mud {
    /// Adds a uniform distribution over [l, r] with total weight `area`.
    pub(super) fn add(&mut self, l: f64, r: f64, area: f64) {
        if area == 0.0 {
            return;
        }
        let (l, r) = if r < l { (r, l) } else { (l, r) };
        if l == r {
            self.unsorted.push(Edge {
                x: l,
                delta: 0.0,
                dirac: area,
            });
        } else {
            let delta = area / (r - l);
            self.unsorted.push(Edge {
                x: l,
                delta,
                dirac: 0.0,
            });
            self.unsorted.push(Edge {
                x: r,
                delta: -delta,
                dirac: 0.0,
            });
        }

        let degree = MUD_DEGREE as f64;
        let (lb_f, mut lf) = modf(l * degree);
        let mut lb = lb_f as i64;
        if lb >= MUD_DEGREE as i64 {
            lb = MUD_DEGREE as i64 - 1;
            lf = 1.0;
        }
        let lb = lb.max(0) as usize;
        if l == r {
            self.hist[lb] += area;
        } else {
            let (rb_f, mut rf) = modf(r * degree);
            let mut rb = rb_f as i64;
            if rb >= MUD_DEGREE as i64 {
                rb = MUD_DEGREE as i64 - 1;
                rf = 1.0;
            }
            let rb = rb.max(0) as usize;
            if lb == rb {
                self.hist[lb] += area;
            } else {
                let per_bucket = area / (r - l) / degree;
                self.hist[lb] += per_bucket * (1.0 - lf);
                self.hist[rb] += per_bucket * rf;
                for i in lb + 1..rb {
                    self.hist[i] += per_bucket;
                }
            }
        }

        let thresh = self.track_bucket as f64 / degree;
        if l < thresh {
            if r < thresh {
                self.track_sum += area;
            } else {
                self.track_sum += area * (thresh - l) / (r - l);
            }
            if self.track_sum >= self.track_mass {
                self.set_track_mass(self.track_mass);
            }
        }
    }

    pub(super) fn set_track_mass(&mut self, mass: f64) {
        self.track_mass = mass;
        let mut sum = 0.0;
        for (i, &val) in self.hist.iter().enumerate() {
            let new_sum = sum + val;
            if new_sum > mass {
                self.track_bucket = i;
                self.track_sum = sum;
                return;
            }
            sum = new_sum;
        }
        self.track_bucket = MUD_DEGREE;
        self.track_sum = sum;
    }

    /// Lower and upper bounds of the tracked mass's inverse cumulative sum.
    pub(super) fn approx_inv_cumulative_sum(&self) -> Option<(f64, f64)> {
        if self.track_bucket == MUD_DEGREE {
            return None;
        }
        let d = MUD_DEGREE as f64;
        Some((
            self.track_bucket as f64 / d,
            (self.track_bucket + 1) as f64 / d,
        ))
    }

    /// The utilization x such that `y` time was spent at or below x.
    pub(super) fn inv_cumulative_sum(&mut self, y: f64) -> (f64, bool) {
        if self.sorted.is_empty() && self.unsorted.is_empty() {
            return (f64::NAN, false);
        }
        let mut edges = std::mem::take(&mut self.unsorted);
        trace_format::gosort::sort_by(&mut edges, |a, b| go_cmp_f64(a.x, b.x));
        if self.sorted.is_empty() {
            self.sorted = edges;
        } else {
            let old = std::mem::take(&mut self.sorted);
            let mut merged = Vec::with_capacity(old.len() + edges.len());
            let (mut i, mut j) = (0, 0);
            while i < old.len() || j < edges.len() {
                if i >= old.len() {
                    merged.extend_from_slice(&edges[j..]);
                    break;
                } else if j >= edges.len() {
                    merged.extend_from_slice(&old[i..]);
                    break;
                } else if old[i].x < edges[j].x {
                    merged.push(old[i]);
                    i += 1;
                } else {
                    merged.push(edges[j]);
                    j += 1;
                }
            }
            self.sorted = merged;
        }

        let (mut csum, mut rate, mut prev_x) = (0.0, 0.0, 0.0);
        for e in &self.sorted {
            let mut new_csum = csum + (e.x - prev_x) * rate;
            if new_csum >= y {
                if rate == 0.0 {
                    return (e.x, true);
                }
                return ((y - csum) / rate + prev_x, true);
            }
            new_csum += e.dirac;
            if new_csum >= y {
                return (e.x, true);
            }
            csum = new_csum;
            prev_x = e.x;
            rate += e.delta;
        }
        (prev_x, false)
    }
}

/// Go's `cmp.Compare` on floats (NaN first).
fn go_cmp_f64(a: f64, b: f64) -> Ordering {
    let (an, bn) = (a.is_nan(), b.is_nan());
    match (an, bn) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        _ => {
            if a < b {
                Ordering::Less
            } else if a > b {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        }
    }
}
