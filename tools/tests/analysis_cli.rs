//! `gotrace goroutines`, `tasks` and `regions` from the command line: JSON
//! against Go's Summarizer reference, text tables, filters, usage errors and
//! truncated traces.

use std::collections::BTreeMap;
use std::io::Read;
use std::process::Output;

use serde_json::Value;

mod common;
use common::{fixtures, gotrace, stderr, trace};

/// Go's Summarizer output for a fixture (fixtures/reference-gen).
fn reference(name: &str) -> Value {
    let path = fixtures()
        .join("reference")
        .join(format!("{name}.summary.json.gz"));
    let mut s = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_string(&mut s)
        .unwrap();
    serde_json::from_str(&s).unwrap()
}

fn json(o: &Output) -> Value {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const ANNOTATIONS: &str = "annotations-go1.27";

#[test]
fn goroutines_json_equals_go() {
    let want = reference(ANNOTATIONS);
    let got = json(&gotrace(&["goroutines", &trace(ANNOTATIONS), "--json"]));
    assert_eq!(got["goroutines"], want["goroutines"]);
    assert_eq!(got["start_time"], want["start_time"]);
    // Groups: counts and execution times are sums over the goroutines.
    let mut by_name: BTreeMap<String, (u64, i64)> = BTreeMap::new();
    for g in want["goroutines"].as_array().unwrap() {
        let e = by_name
            .entry(g["name"].as_str().unwrap().to_owned())
            .or_default();
        e.0 += 1;
        e.1 += g["stats"]["exec_time"].as_i64().unwrap();
    }
    let groups = got["groups"].as_array().unwrap();
    assert_eq!(groups.len(), by_name.len());
    let mut last = i64::MAX;
    for g in groups {
        let (n, exec) = by_name[g["name"].as_str().unwrap()];
        assert_eq!(g["count"].as_u64(), Some(n));
        assert_eq!(g["exec_time"].as_i64(), Some(exec));
        assert_eq!(g["breakdown"]["Execution time"].as_i64(), Some(exec));
        assert!(exec <= last, "groups sorted by execution time");
        last = exec;
    }
}

#[test]
fn goroutines_table() {
    let o = gotrace(&["goroutines", &trace(ANNOTATIONS)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let first = out.lines().next().unwrap();
    assert!(first.starts_with("489 goroutines in 12 groups"), "{first}");
    let header = out.lines().nth(2).unwrap();
    assert!(header.starts_with("Start location"), "{header}");
    assert!(header.contains("Count  ") && header.contains("Execution time"));
    let row = out
        .lines()
        .find(|l| l.starts_with("main.request "))
        .unwrap();
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cells[1], "120");
    // Durations are Go's time.Duration strings.
    assert!(cells[2].ends_with("ms"), "{row}");
}

#[test]
fn one_group_sorted() {
    let o = gotrace(&["goroutines", &trace(ANNOTATIONS), "--group", "main.request"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("Count: 120"), "{out}");
    let rows: Vec<&str> = out
        .lines()
        .skip_while(|l| !(l.starts_with("Goroutine ") && l.contains("Total")))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(rows.len(), 120);

    let sorted = gotrace(&[
        "goroutines",
        &trace(ANNOTATIONS),
        "--group",
        "main.request",
        "--sort",
        "sched wait time",
        "--json",
    ]);
    assert_eq!(json(&sorted)["goroutines"].as_array().unwrap().len(), 120);
}

#[test]
fn usage_errors_exit_2() {
    let t = trace(ANNOTATIONS);
    for args in [
        vec!["goroutines", &t, "--goroutines", "("],
        vec!["goroutines", &t, "--task", "no-such-task"],
        vec!["goroutines", &t, "--region", "no-such-region"],
        vec!["goroutines", &t, "--from", "soon"],
        vec!["goroutines", &t, "--from", "2s", "--to", "1s"],
        vec!["goroutines", &t, "--group", "main.nothing"],
        vec![
            "goroutines",
            &t,
            "--group",
            "main.request",
            "--sort",
            "bogus",
        ],
        vec!["tasks", &t, "--type", "no-such-type"],
        vec!["regions", &t, "--type", "no-such-type"],
    ] {
        let o = gotrace(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).starts_with("gotrace: "),
            "{args:?}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn goroutine_filter_selects_groups() {
    let o = json(&gotrace(&[
        "goroutines",
        &trace(ANNOTATIONS),
        "--json",
        "--goroutines",
        r"^main\.request\.func",
    ]));
    let names: Vec<&str> = o["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.iter().all(|n| n.starts_with("main.request.func")));
}

/// Each goroutine's time inside regions of a type is the length of its
/// outermost such regions.
#[test]
fn region_filter_restricts_time() {
    let want = reference(ANNOTATIONS);
    let got = json(&gotrace(&[
        "goroutines",
        &trace(ANNOTATIONS),
        "--json",
        "--region",
        "db",
    ]));
    let mut expect: BTreeMap<i64, i64> = BTreeMap::new();
    for g in want["goroutines"].as_array().unwrap() {
        for r in g["regions"].as_array().unwrap() {
            if r["name"] == "db" {
                let d = r["end"]["time"].as_i64().unwrap() - r["start"]["time"].as_i64().unwrap();
                *expect.entry(g["id"].as_i64().unwrap()).or_default() += d;
            }
        }
    }
    let gs = got["goroutines"].as_array().unwrap();
    assert_eq!(gs.len(), expect.len());
    assert_eq!(gs.len(), 120);
    for g in gs {
        let id = g["id"].as_i64().unwrap();
        assert_eq!(
            g["stats"]["total_time"].as_i64(),
            Some(expect[&id]),
            "goroutine {id}"
        );
    }
}

/// A window covering the whole trace changes nothing; a narrower one bounds
/// every goroutine's total.
#[test]
fn window_filter() {
    let t = trace(ANNOTATIONS);
    let whole = json(&gotrace(&["goroutines", &t, "--json"]));
    let (start, end) = (
        whole["start_time"].as_i64().unwrap(),
        whole["end_time"].as_i64().unwrap(),
    );
    let all = json(&gotrace(&[
        "goroutines",
        &t,
        "--json",
        "--from",
        &start.to_string(),
        "--to",
        &end.to_string(),
    ]));
    assert_eq!(all["groups"], whole["groups"]);
    let part = json(&gotrace(&[
        "goroutines",
        &t,
        "--json",
        "--from",
        "10ms",
        "--to",
        "20ms",
    ]));
    let gs = part["goroutines"].as_array().unwrap();
    assert!(!gs.is_empty());
    for g in gs {
        let total = g["stats"]["total_time"].as_i64().unwrap();
        assert!((0..=10_000_000).contains(&total), "{g}");
    }
}

#[test]
fn tasks_and_regions() {
    let want = reference(ANNOTATIONS);
    let tasks = json(&gotrace(&["tasks", &trace(ANNOTATIONS), "--json"]));
    let n = want["tasks"].as_array().unwrap().len() as u64;
    let types = tasks["types"].as_array().unwrap();
    assert_eq!(
        types
            .iter()
            .map(|t| t["count"].as_u64().unwrap())
            .sum::<u64>(),
        n
    );
    for t in types {
        assert_eq!(t["histogram"]["count"], t["complete"]);
    }
    let regions = json(&gotrace(&["regions", &trace(ANNOTATIONS), "--json"]));
    let in_goroutines: usize = want["goroutines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["regions"].as_array().unwrap().len())
        .sum();
    assert_eq!(regions["regions"].as_array().unwrap().len(), in_goroutines);

    let text = stdout(&gotrace(&["tasks", &trace(ANNOTATIONS)]));
    assert!(
        text.contains("\"request\"        120       120           0   240"),
        "{text}"
    );
    let text = stdout(&gotrace(&["regions", &trace(ANNOTATIONS), "--type", "db"]));
    assert!(text.starts_with("Regions of type \"db\" (120)"), "{text}");
}

#[test]
fn truncated_trace_is_analysed_up_to_its_last_complete_generation() {
    let data = std::fs::read(trace("generations50ms-go1.27")).unwrap();
    let dir = std::env::temp_dir().join(format!("gotrace-analysis-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cut = dir.join("cut.trace");
    std::fs::write(&cut, &data[..data.len() * 2 / 3]).unwrap();
    let o = gotrace(&["goroutines", cut.to_str().unwrap()]);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("Lost ") && err.contains("% of the latest trace data"),
        "{err}"
    );
    assert!(stdout(&o).contains("goroutines in"));
}
