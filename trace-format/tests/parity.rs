//! Parity with Go 1.27.3: for every fixture trace (from every Go version
//! 1.22–1.27), `gotrace dump`'s text must equal `go tool trace -d=parsed`
//! byte for byte (references in `fixtures/reference/*.parsed.gz`, made by
//! `fixtures/generate.sh`), and every event must pass the validator.

use std::io::Read;
use std::path::{Path, PathBuf};

use trace_format::Reader;
use trace_format::validate::Validator;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

fn gunzip(p: &Path) -> Vec<u8> {
    let f = std::fs::File::open(p).expect("reference exists");
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(f)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

/// Our dump of `data`: Go's text of every event, and the error if any.
fn dump(data: &[u8]) -> (Vec<u8>, Option<String>, Vec<String>) {
    let mut out = String::new();
    let mut problems = Vec::new();
    let mut r = match Reader::new(data) {
        Ok(r) => r,
        Err(e) => return (Vec::new(), Some(e.go_message()), problems),
    };
    let mut v = Validator::new(r.version());
    let err = loop {
        match r.read_event() {
            Ok(Some(ev)) => {
                ev.write_go(&mut out);
                out.push('\n');
                if let Err(p) = v.event(&ev) {
                    problems.extend(p);
                }
            }
            Ok(None) => break None,
            Err(e) => break Some(e.go_message()),
        }
    };
    (out.into_bytes(), err, problems)
}

#[test]
fn dump_matches_go_on_every_fixture() {
    let mut traces: Vec<PathBuf> = std::fs::read_dir(fixtures().join("traces"))
        .expect("fixtures/traces exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "trace"))
        .collect();
    traces.sort();
    let mut checked = 0;
    let mut failures = Vec::new();
    for t in &traces {
        let name = t
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let reference = fixtures()
            .join("reference")
            .join(format!("{name}.parsed.gz"));
        if !reference.exists() {
            continue;
        }
        let data = std::fs::read(t).expect("readable");
        let (ours, err, problems) = dump(&data);
        let want = gunzip(&reference);
        // `for_each_event` (generations ordered in parallel) gives the same
        // stream and error.
        let mut piped = String::new();
        let piped_err = trace_format::for_each_event(&data, |ev| {
            ev.write_go(&mut piped);
            piped.push('\n');
            true
        })
        .err()
        .map(|e| e.go_message());
        if piped.as_bytes() != ours.as_slice() || piped_err != err {
            failures.push(format!("{name}: for_each_event differs from Reader"));
        }
        if ours != want {
            let line = ours
                .split(|&b| b == b'\n')
                .zip(want.split(|&b| b == b'\n'))
                .position(|(a, b)| a != b);
            failures.push(format!(
                "{name}: dump differs from go tool trace -d=parsed (first differing line {line:?})"
            ));
        }
        let go_err = std::fs::read_to_string(
            fixtures()
                .join("reference")
                .join(format!("{name}.parsed.err")),
        )
        .ok();
        match (&err, &go_err) {
            (None, None) => {}
            (Some(e), Some(g)) if g.starts_with(e.as_str()) => {}
            _ => failures.push(format!("{name}: error {err:?} vs Go's {go_err:?}")),
        }
        if !problems.is_empty() {
            failures.push(format!("{name}: validator: {}", problems.join("; ")));
        }
        checked += 1;
    }
    assert!(
        checked >= 60,
        "expected the fixture set (60+ traces), found {checked}"
    );
    assert!(
        failures.is_empty(),
        "{} of {checked} fixtures differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
