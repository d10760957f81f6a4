//! Time per state, summed over goroutines: for the goroutine table (whole
//! trace) and for a selected time range. One sweep over all chunks in order,
//! carrying each goroutine's state across chunks where it has no records.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use super::Model;
use super::gtrack::flag;
use super::state::{Category, code};
use super::strings::NONE;

/// Nanoseconds per category.
pub type Times = [i64; Category::COUNT];

/// Time per state of the goroutines sharing an entry function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRow {
    /// Entry function (string ID).
    pub name: u32,
    /// Goroutines with time in the range.
    pub goroutines: u32,
    /// Time per category.
    pub times: Times,
}

impl GroupRow {
    /// Total time alive (all categories but `None`).
    pub fn total(&self) -> i64 {
        self.times[..Category::None as usize].iter().sum()
    }
}

/// Calls `f(g, category, ns)` for the time each goroutine spends in each
/// state within `[t0, t1)`. Returns false if cancelled.
pub fn sweep(
    model: &Model,
    t0: i64,
    t1: i64,
    cancel: &AtomicBool,
    mut f: impl FnMut(u32, Category, i64),
) -> bool {
    let n = model.goroutines.len();
    // Per goroutine: state carried from its last record (category, since).
    let mut carry: Vec<(u8, i64)> = vec![(u8::MAX, 0); n];
    let clip = |s: i64, e: i64| -> i64 { (e.min(t1) - s.max(t0)).max(0) };
    for ch in &model.chunks {
        if cancel.load(Ordering::Relaxed) {
            return false;
        }
        if ch.start > t1 {
            break;
        }
        let before = ch.end < t0;
        // Category of each local reason string, computed once per chunk.
        let mut cats: HashMap<u32, Category> = HashMap::new();
        let mut cat_of = |state: u8, reason: u32| -> Category {
            if state != code::WAITING {
                return Category::of(state, "");
            }
            *cats.entry(reason).or_insert_with(|| {
                let g = ch.maps.string(reason);
                Category::of(state, if g == NONE { "" } else { model.strings.get(g) })
            })
        };
        for l in 0..ch.gs.len() as u32 {
            let Some(&g) = ch.gs.global.get(l as usize) else {
                continue;
            };
            let seg = ch.gs.segment(l);
            let (mut pos, mut prev) = (0usize, ch.base);
            let c = &mut carry[g as usize];
            if before {
                // Only the final state matters: start at the last checkpoint.
                if let Some(b) = ch.gs.blocks_of(l).last() {
                    pos = b.off as usize;
                    prev = b.prev_time;
                }
                while let Some(r) = ch.decode_g(seg, &mut pos, &mut prev) {
                    *c = (cat_of(r.state(), r.reason) as u8, r.time);
                    if r.state() == code::NOT_EXIST {
                        c.0 = u8::MAX;
                    }
                }
                continue;
            }
            let mut first = true;
            while let Some(r) = ch.decode_g(seg, &mut pos, &mut prev) {
                let cat = cat_of(r.state(), r.reason) as u8;
                if first && r.flags & flag::STATUS != 0 {
                    if c.0 == u8::MAX || c.0 != cat {
                        // First seen (or changed unseen): the state held since the chunk start.
                        if c.0 != u8::MAX {
                            let ns = clip(c.1, ch.start);
                            if ns > 0 {
                                f(g, Category::from_u8(c.0), ns);
                            }
                        }
                        *c = (cat, ch.start);
                    }
                    first = false;
                    continue;
                }
                first = false;
                if c.0 != u8::MAX {
                    let ns = clip(c.1, r.time);
                    if ns > 0 {
                        f(g, Category::from_u8(c.0), ns);
                    }
                }
                *c = if r.state() == code::NOT_EXIST {
                    (u8::MAX, r.time)
                } else {
                    (cat, r.time)
                };
            }
        }
    }
    let end = model.end;
    for (g, c) in carry.iter().enumerate() {
        if c.0 != u8::MAX {
            let ns = clip(c.1, end);
            if ns > 0 {
                f(g as u32, Category::from_u8(c.0), ns);
            }
        }
    }
    true
}

/// Time per state per entry function within `[t0, t1)`, largest total first.
pub fn group_rows(model: &Model, t0: i64, t1: i64, cancel: &AtomicBool) -> Option<Vec<GroupRow>> {
    let mut rows: Vec<GroupRow> = Vec::new();
    let mut index: HashMap<u32, usize> = HashMap::new();
    let mut last_g = u32::MAX;
    let mut seen: Vec<u64> = vec![0; model.goroutines.len().div_ceil(64)];
    let ok = sweep(model, t0, t1, cancel, |g, cat, ns| {
        let name = model.goroutines.name[g as usize];
        let i = *index.entry(name).or_insert_with(|| {
            rows.push(GroupRow {
                name,
                goroutines: 0,
                times: [0; Category::COUNT],
            });
            rows.len() - 1
        });
        rows[i].times[cat as usize] += ns;
        if g != last_g {
            last_g = g;
            let (w, b) = ((g / 64) as usize, g % 64);
            if seen[w] & (1 << b) == 0 {
                seen[w] |= 1 << b;
                rows[i].goroutines += 1;
            }
        }
    });
    if !ok {
        return None;
    }
    rows.sort_by_key(|r| (std::cmp::Reverse(r.total()), r.name));
    Some(rows)
}

/// Time per state of each goroutine for which `keep(g)` holds, within `[t0, t1)`.
pub fn goroutine_rows(
    model: &Model,
    t0: i64,
    t1: i64,
    cancel: &AtomicBool,
    keep: impl Fn(u32) -> bool,
) -> Option<Vec<(u32, Times)>> {
    let mut map: HashMap<u32, Times> = HashMap::new();
    let ok = sweep(model, t0, t1, cancel, |g, cat, ns| {
        if keep(g) {
            map.entry(g).or_insert([0; Category::COUNT])[cat as usize] += ns;
        }
    });
    if !ok {
        return None;
    }
    let mut v: Vec<(u32, Times)> = map.into_iter().collect();
    v.sort_by_key(|(g, _)| *g);
    Some(v)
}
