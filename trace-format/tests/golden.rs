//! Go's own parser tests: every `internal/trace/testdata/tests/*.test` file
//! (copied to `fixtures/go-testdata/tests`) is converted from Go's text
//! format to the wire format, read, and every event checked by the port of
//! Go's validator; failures must match Go's expected error. Mirrors Go's
//! `TestReaderGolden` and `TestTraceGenSync`.

use std::path::PathBuf;

use trace_format::text::{Expectation, parse_golden_test};
use trace_format::validate::Validator;
use trace_format::{Reader, Version};

fn testdata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/go-testdata/tests")
}

/// Reads a golden test's trace; returns the validator's complaints and the
/// reader's error message (Go's wording), if any.
fn run(trace: &[u8]) -> (Vec<String>, Option<String>) {
    let mut r = match Reader::new(trace) {
        Ok(r) => r,
        Err(e) => return (Vec::new(), Some(e.go_message())),
    };
    let mut v = Validator::new(r.version());
    let mut problems = Vec::new();
    loop {
        match r.read_event() {
            Ok(Some(ev)) => {
                if let Err(p) = v.event(&ev) {
                    problems.extend(p);
                }
            }
            Ok(None) => return (problems, None),
            Err(e) => return (problems, Some(e.go_message())),
        }
    }
}

#[test]
fn go_golden_tests() {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(testdata())
        .expect("fixtures/go-testdata/tests exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "test"))
        .collect();
    paths.sort();
    assert_eq!(paths.len(), 22, "Go ships 22 golden tests");
    let (mut failures, mut expected_failures) = (Vec::new(), 0);
    for p in &paths {
        let name = p
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let text = std::fs::read_to_string(p).expect("readable");
        let t = match parse_golden_test(&text) {
            Ok(t) => t,
            Err(e) => {
                failures.push(format!("{name}: bad test file: {e}"));
                continue;
            }
        };
        let (problems, err) = run(&t.trace);
        if matches!(t.expect, Expectation::Failure(_)) {
            expected_failures += 1;
        }
        if let Err(e) = t.expect.check(err.as_deref()) {
            failures.push(format!("{name}: {e}"));
        }
        for prob in problems {
            failures.push(format!("{name}: validator: {prob}"));
        }
    }
    assert_eq!(expected_failures, 2, "two golden tests expect a failure");
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A clock snapshot as (trace ns, mono ns, wall time text).
type Snapshot = (i64, u64, &'static str);

/// Sync times (and clock snapshots) of Go's `TestTraceGenSync`.
#[test]
fn go_trace_gen_sync() {
    let check = |name: &str, want: &[(i64, Option<Snapshot>)]| {
        let text = std::fs::read_to_string(testdata().join(name)).expect("readable");
        let t = parse_golden_test(&text).expect("valid test");
        let mut r = Reader::new(&t.trace).expect("header");
        let mut got = Vec::new();
        while let Some(ev) = r.read_event().expect("valid trace") {
            if let Some(s) = ev.sync() {
                let snap = s.clock_snapshot.map(|c| {
                    let mut wall = String::new();
                    trace_format::timefmt::rfc3339_nano(c.wall_sec, c.wall_nsec, &mut wall);
                    (c.trace, c.mono, wall)
                });
                got.push((ev.time(), snap));
            }
        }
        let want: Vec<_> = want
            .iter()
            .map(|(t, s)| (*t, s.map(|(a, b, c)| (a, b, c.to_string()))))
            .collect();
        assert_eq!(got, want, "{name}");
    };
    check(
        "go123-sync.test",
        &[(10, None), (40, None), (60, None), (63, None)],
    );
    check(
        "go125-sync.test",
        &[
            (9, Some((10, 99, "2025-02-28T15:04:09.000000123Z"))),
            (38, Some((40, 199, "2025-02-28T15:04:10.000000123Z"))),
            (58, Some((60, 299, "2025-02-28T15:04:11.000000123Z"))),
            (83, None),
        ],
    );
    assert_eq!(Version::from_minor(25), Some(Version::Go125));
}
