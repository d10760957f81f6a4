//! `gotrace pprof` and `gotrace mmu` from the command line: the written
//! profile against Go's, usage errors (exit 2), truncated traces, and the
//! MMU text and JSON output.

use std::path::PathBuf;

use analysis::filter::Filter;
use analysis::pprof::{self, ProfileKind};
use analysis::profile_proto::Profile;

mod common;
use common::{fixtures, gotrace, stderr, trace};

fn tmp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("gotrace-cli-{}-{name}", std::process::id()))
}

fn samples(path: &PathBuf) -> Vec<analysis::profile_proto::ResolvedSample> {
    let bytes = std::fs::read(path).expect("read profile");
    Profile::decode_any(&bytes)
        .expect("decode profile")
        .resolved_samples()
        .expect("consistent profile")
}

#[test]
fn writes_go_s_samples() {
    let out = tmp("sync.pb.gz");
    let o = gotrace(&[
        "pprof",
        "sync",
        &trace("sync-go1.27"),
        "-o",
        &out.to_string_lossy(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let go = fixtures().join("reference/sync-go1.27.sync.pprof");
    assert_eq!(samples(&out), samples(&go));
    let p = Profile::decode_any(&std::fs::read(&out).expect("read")).expect("decode");
    assert_eq!(p.string(p.default_sample_type), b"delay");
    let _ = std::fs::remove_file(out);
}

#[test]
fn usage_errors_exit_2() {
    let t = trace("annotations-go1.27");
    let out = tmp("usage.pb.gz");
    let out = out.to_string_lossy();
    for args in [
        vec!["pprof", "blocking", &t, "-o", &out],
        vec!["pprof", "sync", &t, "-o", &out, "--goroutines", "("],
        vec!["pprof", "sync", &t, "-o", &out, "--task", "no-such-task"],
        vec![
            "pprof",
            "sched",
            &t,
            "-o",
            &out,
            "--region",
            "no-such-region",
        ],
        vec!["pprof", "sync", &t, "-o", &out, "--from", "soon"],
        vec!["mmu", &t, "--window", "wide"],
        vec!["mmu", &t, "--window", "0s"],
    ] {
        let o = gotrace(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn filters_restrict_the_profile() {
    let t = trace("annotations-go1.27");
    let all = tmp("all.pb.gz");
    let some = tmp("some.pb.gz");
    let o = gotrace(&["pprof", "sched-self", &t, "-o", &all.to_string_lossy()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = gotrace(&[
        "pprof",
        "sched-self",
        &t,
        "-o",
        &some.to_string_lossy(),
        "--task",
        "request",
        "--from",
        "1ms",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let total = |s: &[analysis::profile_proto::ResolvedSample]| -> i64 {
        s.iter().map(|s| s.values[1]).sum()
    };
    let (all_s, some_s) = (samples(&all), samples(&some));
    assert!(!some_s.is_empty());
    assert!(total(&some_s) < total(&all_s));
    let _ = std::fs::remove_file(all);
    let _ = std::fs::remove_file(some);
}

/// A trace cut in the middle: a warning, and the profile of its complete
/// generations.
#[test]
fn truncated_trace_uses_complete_generations() {
    let data = std::fs::read(trace("generations50ms-go1.27")).expect("read trace");
    let cut = &data[..data.len() * 6 / 10];
    let path = tmp("cut.trace");
    std::fs::write(&path, cut).expect("write");
    let out = tmp("cut.pb.gz");
    let o = gotrace(&[
        "pprof",
        "sched",
        &path.to_string_lossy(),
        "-o",
        &out.to_string_lossy(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("warning"), "{}", stderr(&o));

    let framing = trace_format::framing::scan(cut).expect("header");
    assert!(framing.error.is_some() && !framing.generations.is_empty());
    let complete = &cut[..framing.complete_end as usize];
    let records = pprof::compute(
        complete,
        ProfileKind::Sched,
        &Filter::default(),
        &mut |_| {},
    )
    .expect("complete part reads");
    let want = pprof::to_profile(&records)
        .resolved_samples()
        .expect("consistent");
    assert_eq!(samples(&out), want);

    let o = gotrace(&["mmu", &path.to_string_lossy()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let _ = std::fs::remove_file(path);
    let _ = std::fs::remove_file(out);
}

#[test]
fn mmu_text_and_json() {
    let t = trace("gc-go1.27");
    let o = gotrace(&["mmu", &t]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.starts_with("Mutator utilization (stw|background|assist), 1 function"));
    // Header lines plus go tool trace's 100 window sizes.
    assert_eq!(text.lines().count(), 2 + 100, "{text}");

    let o = gotrace(&[
        "mmu",
        &t,
        "--json",
        "--per-proc",
        "--sweep",
        "--window",
        "1ms",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["flags"], "perProc|sweep");
    assert!(v["series"].as_array().is_some_and(|s| s.len() > 1));
    let worst = v["worst"]["windows"].as_array().expect("worst windows");
    assert!(!worst.is_empty() && worst.len() <= 10);
    let utils: Vec<f64> = worst
        .iter()
        .filter_map(|w| w["mutator_util"].as_f64())
        .collect();
    assert!(utils.windows(2).all(|w| w[0] <= w[1]));

    let o = gotrace(&["mmu", &t, "--percentiles"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("p0.1"));
}
