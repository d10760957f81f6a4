//! Profiles against `go tool trace -pprof=KIND` (Go 1.27.3) for every fixture:
//! Go's reference `.pprof` files, decoded with our prost types, must hold
//! exactly the same samples (stack as (func, file, line, pc) frames, count
//! and delay) as ours, compared as sets since Go writes them in random order.

use std::fs;
use std::path::{Path, PathBuf};

use analysis::filter::Filter;
use analysis::pprof::{PprofBuilder, ProfileKind, ProfileRecord, to_profile};
use analysis::profile_proto::{Profile, ResolvedSample};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// Every fixture trace that has Go reference profiles, by name.
fn traces() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let Ok(dir) = fs::read_dir(fixtures().join("traces")) else {
        return out;
    };
    for e in dir.flatten() {
        let path = e.path();
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".trace"))
        else {
            continue;
        };
        out.push((name.to_string(), path));
    }
    out.sort();
    out
}

/// Computes several profiles of one trace in a single pass.
fn profiles(data: &[u8], kinds: &[ProfileKind]) -> Vec<Vec<ProfileRecord>> {
    let mut builders: Vec<PprofBuilder> = kinds
        .iter()
        .map(|&k| PprofBuilder::new(k, &Filter::default()))
        .collect();
    let mut r = trace_format::Reader::new(data).expect("trace header");
    while let Some(ev) = r.read_event().expect("fixture traces are valid") {
        for b in &mut builders {
            b.event(&ev);
        }
    }
    builders.into_iter().map(PprofBuilder::finish).collect()
}

fn resolved(records: &[ProfileRecord]) -> Vec<ResolvedSample> {
    to_profile(records)
        .resolved_samples()
        .expect("our profile is consistent")
}

fn describe(s: &ResolvedSample) -> String {
    let top: Vec<String> = s
        .stack
        .iter()
        .take(3)
        .map(|f| format!("{}@{:#x}", String::from_utf8_lossy(&f.func), f.pc))
        .collect();
    format!("{:?} {}", s.values, top.join(" < "))
}

const GO_KINDS: [ProfileKind; 4] = [
    ProfileKind::Net,
    ProfileKind::Sync,
    ProfileKind::Syscall,
    ProfileKind::Sched,
];

#[test]
fn profiles_equal_go_tool_trace_for_every_fixture() {
    let reference = fixtures().join("reference");
    let mut compared = 0;
    let mut failures = Vec::new();
    for (name, path) in traces() {
        let refs: Vec<(ProfileKind, PathBuf)> = GO_KINDS
            .iter()
            .map(|&k| (k, reference.join(format!("{name}.{}.pprof", k.name()))))
            .filter(|(_, p)| p.exists())
            .collect();
        if refs.is_empty() {
            continue;
        }
        let data = fs::read(&path).expect("read trace");
        let kinds: Vec<ProfileKind> = refs.iter().map(|(k, _)| *k).collect();
        let ours = profiles(&data, &kinds);
        for ((kind, ref_path), records) in refs.iter().zip(&ours) {
            let go = Profile::decode_any(&fs::read(ref_path).expect("read reference"))
                .expect("decode Go's profile")
                .resolved_samples()
                .expect("Go's profile is consistent");
            let ours = resolved(records);
            compared += 1;
            if go != ours {
                let only_go: Vec<String> = go
                    .iter()
                    .filter(|s| !ours.contains(s))
                    .map(describe)
                    .collect();
                let only_ours: Vec<String> = ours
                    .iter()
                    .filter(|s| !go.contains(s))
                    .map(describe)
                    .collect();
                failures.push(format!(
                    "{name} {kind}: {} Go samples, {} ours\n  only Go:   {only_go:?}\n  only ours: {only_ours:?}",
                    go.len(),
                    ours.len()
                ));
            }
        }
    }
    eprintln!(
        "pprof parity: {}/{compared} fixture×kind profiles equal to Go's",
        compared - failures.len()
    );
    assert!(
        compared >= 4 * 60,
        "expected Go reference profiles for the fixtures, found {compared}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `sched-self` measures the same Runnable periods as `sched` (charged to
/// other stacks) plus the creation-to-first-run latency `sched` drops, so its
/// totals can only be larger; and it never uses an empty (timer) stack for a
/// goroutine whose own stack is known.
#[test]
fn sched_self_counts_at_least_what_sched_counts() {
    let mut checked = 0;
    for (name, path) in traces() {
        if name.starts_with("example") {
            continue;
        }
        let data = fs::read(&path).expect("read trace");
        let p = profiles(&data, &[ProfileKind::Sched, ProfileKind::SchedSelf]);
        let total = |rs: &[ProfileRecord]| -> (u64, i64) {
            rs.iter()
                .fold((0, 0), |(c, d), r| (c + r.count, d + r.delay))
        };
        let (sched, own) = (total(&p[0]), total(&p[1]));
        assert!(
            own.0 >= sched.0 && own.1 >= sched.1,
            "{name}: sched-self {own:?} < sched {sched:?}"
        );
        // Goroutines created during the trace are charged to their entry
        // function for their first wait, so sched-self has strictly more.
        if sched.0 > 0 {
            assert!(own.0 > sched.0, "{name}: no creation latency counted");
        }
        checked += 1;
    }
    assert!(checked > 0);
}

/// The one-pass profiles with `--goroutines` and `--from/--to` (which learn
/// goroutine start/end times and names as they go and hold undecided samples)
/// must equal profiles restricted to the final intervals that the goroutine
/// summary gives for the same filter (Go's two-pass way).
#[test]
fn one_pass_filters_equal_summary_intervals() {
    use analysis::summary::{Summarizer, summarize};
    let filters = [
        Filter::new(Some(r"^main\."), None, None, None, None).expect("regex"),
        Filter::new(
            Some("func1$|runtime"),
            None,
            None,
            Some("5ms"),
            Some("150ms"),
        )
        .expect("regex and window"),
    ];
    let mut compared = 0;
    // The oldest and newest trace formats.
    for (name, path) in traces()
        .into_iter()
        .filter(|(n, _)| n.ends_with("go1.22") || n.ends_with("go1.27"))
    {
        let data = fs::read(&path).expect("read trace");
        let summary = summarize(&data, Summarizer::goroutines_only(), |_, _| {}).expect("summary");
        let mut builders = Vec::new();
        for filter in &filters {
            let intervals = filter.profile_intervals(&summary).expect("intervals");
            for kind in GO_KINDS {
                builders.push(PprofBuilder::new(kind, filter));
                builders.push(PprofBuilder::with_intervals(kind, intervals.clone()));
            }
        }
        trace_format::reader::for_each_event(&data, |ev| {
            for b in &mut builders {
                b.event(ev);
            }
            true
        })
        .expect("valid trace");
        let mut it = builders.into_iter();
        for filter in &filters {
            for kind in GO_KINDS {
                let (Some(one), Some(two)) = (it.next(), it.next()) else {
                    unreachable!()
                };
                let (one, two) = (resolved(&one.finish()), resolved(&two.finish()));
                assert_eq!(one, two, "{name} {kind} with {filter:?}");
                compared += 1;
            }
        }
    }
    assert!(compared > 0);
}

/// `--task` and `--region`: the summary without statistics gives the same
/// intervals as the full one, and the profile made in one pass (samples
/// waiting for those intervals), or in two when too many wait, equals the
/// profile restricted to the full summary's intervals (Go's way).
#[test]
fn task_and_region_filters_equal_full_summary_intervals() {
    use analysis::pprof::compute_with_limit;
    use analysis::summary::{Summarizer, summarize};
    let mut compared = 0;
    // The oldest and newest trace formats.
    for (name, path) in traces()
        .into_iter()
        .filter(|(n, _)| n.ends_with("go1.22") || n.ends_with("go1.27"))
    {
        let data = fs::read(&path).expect("read trace");
        let full = summarize(&data, Summarizer::new(), |_, _| {}).expect("summary");
        let light = summarize(&data, Summarizer::intervals_only(), |_, _| {}).expect("summary");
        let mut names: Vec<(Option<String>, Option<String>)> = Vec::new();
        for r in &full.regions {
            names.push((None, Some(r.name.to_string())));
        }
        for t in &full.tasks {
            names.push((Some(t.name.to_string()), None));
            names.push((Some(t.id.to_string()), None));
        }
        names.sort();
        names.dedup();
        // A few regions and tasks of each trace keep the test short.
        let (mut regions, mut tasks) = (0, 0);
        names.retain(|(task, _)| {
            let n = if task.is_some() {
                &mut tasks
            } else {
                &mut regions
            };
            *n += 1;
            *n <= 2
        });
        for (task, region) in names {
            for goroutines in [None, Some("main")] {
                let filter = Filter::new(
                    goroutines,
                    task.as_deref(),
                    region.as_deref(),
                    Some("1ms"),
                    None,
                )
                .expect("filter");
                let Ok(intervals) = filter.profile_intervals(&full) else {
                    continue;
                };
                assert_eq!(
                    filter.profile_intervals(&light).ok().as_ref(),
                    Some(&intervals),
                    "{name} {filter:?}"
                );
                for kind in ProfileKind::ALL {
                    let mut two = PprofBuilder::with_intervals(kind, intervals.clone());
                    trace_format::reader::for_each_event(&data, |ev| {
                        two.event(ev);
                        true
                    })
                    .expect("valid trace");
                    let two = two.finish();
                    for limit in [usize::MAX, 0] {
                        let one = compute_with_limit(&data, kind, &filter, &mut |_| {}, limit)
                            .expect("profile");
                        assert_eq!(one, two, "{name} {kind} {filter:?} limit {limit}");
                    }
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 0);
}
