//! `go tool trace`'s "Goroutine analysis" page (`cmd/trace/goroutines.go`):
//! goroutines grouped by entry function, with their breakdown columns.

use std::sync::Arc;

use crate::intern::FxHashMap;
use crate::summary::{Duration, EXECUTION_TIME, ExecStats};

/// The name Go shows for goroutines whose entry function is unknown.
pub const INACTIVE: &str = "(Inactive, no stack trace sampled)";

/// The name shown for an entry function (`INACTIVE` for an empty one).
pub fn display_name(name: &str) -> &str {
    if name.is_empty() { INACTIVE } else { name }
}

/// The goroutines of one entry function.
#[derive(Clone, Debug)]
pub struct Group {
    /// Entry function (empty: unknown).
    pub name: Arc<str>,
    /// Number of goroutines.
    pub count: u64,
    /// Sums of the goroutines' statistics.
    pub stats: ExecStats,
    /// Sum of the goroutines' unknown times (not the unknown time of the sums).
    pub unknown_time: Duration,
}

impl Group {
    /// Total execution time (Go's group column).
    pub fn exec_time(&self) -> Duration {
        self.stats.exec_time
    }

    /// Sums of the goroutines' `NonOverlappingStats`, sorted by name.
    pub fn breakdown(&self) -> Vec<(String, Duration)> {
        let mut v = self.stats.non_overlapping_stats();
        for (k, d) in &mut v {
            if k == "Unknown time" {
                *d = self.unknown_time;
            }
        }
        v
    }
}

/// Accumulates goroutines into groups, one goroutine at a time (so that a
/// streaming pass can drop each goroutine once it is counted).
#[derive(Default)]
pub struct Groups {
    groups: Vec<Group>,
    /// Index in `groups` by name.
    by_name: FxHashMap<Arc<str>, usize>,
    /// Index in `groups` by the address of the group's own name. Names are
    /// interned, so goroutines of one group usually share that string: this
    /// finds the group without hashing it. (The group keeps the string
    /// alive, so its address is not reused.)
    by_addr: FxHashMap<usize, usize>,
}

impl Groups {
    /// Counts one goroutine with entry function `name` and statistics `stats`.
    pub fn add(&mut self, name: &Arc<str>, stats: &ExecStats) {
        let i = match self.by_addr.get(&addr(name)) {
            Some(&i) => i,
            None => self.group_of(name),
        };
        let Some(g) = self.groups.get_mut(i) else {
            return;
        };
        g.count += 1;
        g.stats.add(stats);
        g.unknown_time = g.unknown_time.wrapping_add(stats.unknown_time());
    }

    /// The index of the group named `name`, made if new.
    #[cold]
    fn group_of(&mut self, name: &Arc<str>) -> usize {
        if let Some(&i) = self.by_name.get(name) {
            return i;
        }
        let i = self.groups.len();
        self.groups.push(Group {
            name: name.clone(),
            count: 0,
            stats: ExecStats::default(),
            unknown_time: 0,
        });
        self.by_name.insert(name.clone(), i);
        self.by_addr.insert(addr(name), i);
        i
    }

    /// The groups by total execution time, largest first (then by name;
    /// Go's order of ties is random).
    pub fn into_sorted(self) -> Vec<Group> {
        let mut v = self.groups;
        v.sort_by(|a, b| {
            b.exec_time()
                .cmp(&a.exec_time())
                .then_with(|| a.name.cmp(&b.name))
        });
        v
    }
}

/// The address of a shared string.
fn addr(s: &Arc<str>) -> usize {
    Arc::as_ptr(s).cast::<u8>() as usize
}

/// Go's column order of breakdown tables: `Execution time` first, then by name.
pub fn sort_columns(names: &mut [String]) {
    names.sort_by(|a, b| {
        (a != EXECUTION_TIME)
            .cmp(&(b != EXECUTION_TIME))
            .then_with(|| a.cmp(b))
    });
}

/// The union of the column names of several breakdowns, in Go's order.
pub fn columns<'a>(breakdowns: impl IntoIterator<Item = &'a [(String, Duration)]>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for b in breakdowns {
        for (k, _) in b {
            if !names.contains(k) {
                names.push(k.clone());
            }
        }
    }
    sort_columns(&mut names);
    names
}

/// The columns worth printing: `Execution time` and those not zero in every
/// breakdown.
pub fn nonzero_columns(columns: &[String], breakdowns: &[Vec<(String, Duration)>]) -> Vec<String> {
    columns
        .iter()
        .filter(|c| *c == EXECUTION_TIME || breakdowns.iter().any(|b| column(b, c) != 0))
        .cloned()
        .collect()
}

/// The breakdown columns of several goroutines' statistics, in Go's order.
pub fn stat_columns<'a>(stats: impl IntoIterator<Item = &'a ExecStats>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for s in stats {
        for n in s.non_overlapping_names() {
            if !names.contains(&n) {
                names.push(n);
            }
        }
    }
    sort_columns(&mut names);
    names
}

/// Of `columns`, those worth printing: `Execution time` and those not zero
/// for every one of `stats`.
pub fn nonzero_stat_columns<'a>(
    columns: &[String],
    stats: impl IntoIterator<Item = &'a ExecStats> + Clone,
) -> Vec<String> {
    columns
        .iter()
        .filter(|c| {
            *c == EXECUTION_TIME || stats.clone().into_iter().any(|s| s.non_overlapping(c) != 0)
        })
        .cloned()
        .collect()
}

/// The value of column `name` in a breakdown (0 when absent).
pub fn column(breakdown: &[(String, Duration)], name: &str) -> Duration {
    breakdown
        .iter()
        .find(|(k, _)| k == name)
        .map_or(0, |&(_, d)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_in_go_order() {
        let mut v: Vec<String> = [
            "Unknown time",
            "Block time (sync)",
            "Execution time",
            "Sched wait time",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        sort_columns(&mut v);
        assert_eq!(
            v,
            [
                "Execution time",
                "Block time (sync)",
                "Sched wait time",
                "Unknown time"
            ]
        );
    }

    #[test]
    fn one_column_equals_the_map() {
        let mut s = ExecStats {
            exec_time: 5,
            syscall_block_time: 7,
            total_time: 100,
            ..Default::default()
        };
        s.block_time_by_reason.add(&Arc::from("syscall"), 3);
        s.block_time_by_reason.add(&Arc::from("chan send"), 11);
        let all = s.non_overlapping_stats();
        assert_eq!(all.len(), 6);
        for (name, d) in &all {
            assert_eq!(s.non_overlapping(name), *d, "{name}");
        }
        assert_eq!(s.non_overlapping("Block time (syscall)"), 10);
        assert_eq!(stat_columns([&s]).len(), all.len());
    }

    #[test]
    fn groups_sum_unknown_per_goroutine() {
        let name: Arc<str> = Arc::from("main.f");
        let mut gs = Groups::default();
        let a = ExecStats {
            exec_time: 10,
            total_time: 30,
            ..Default::default()
        };
        // Over-accounted goroutine: its unknown time is 0, not negative.
        let b = ExecStats {
            exec_time: 50,
            total_time: 40,
            ..Default::default()
        };
        gs.add(&name, &a);
        gs.add(&name, &b);
        let g = &gs.into_sorted()[0];
        assert_eq!((g.count, g.exec_time(), g.unknown_time), (2, 60, 20));
        assert_eq!(column(&g.breakdown(), "Unknown time"), 20);
        assert_eq!(display_name(""), INACTIVE);
    }
}
