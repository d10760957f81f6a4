//! `go tool trace -d=wire` / `-d=footprint` equivalence on the fixture
//! traces, text→binary→text round trips of Go's golden `.test` files, and
//! truncation robustness of the raw reader.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use trace_format::goquote::unquote;
use trace_format::raw::{RawReader, is_go_eof, write_footprint, write_wire_dump};
use trace_format::text::{Expectation, parse_golden_test, parse_text_trace, parse_txtar};

/// The workspace's `fixtures/` directory (overridable with `GOTRACE_FIXTURES`).
fn fixtures() -> PathBuf {
    match std::env::var_os("GOTRACE_FIXTURES") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures"),
    }
}

/// Files in `dir` with extension `ext`, sorted; empty if `dir` is missing.
fn files_with_ext(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == ext))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn gunzip(path: &Path) -> Vec<u8> {
    let f = fs::File::open(path).unwrap();
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(f)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// First differing line, for readable failures.
fn first_diff(a: &[u8], b: &[u8]) -> String {
    let a = String::from_utf8_lossy(a);
    let b = String::from_utf8_lossy(b);
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {}: ours {x:?}, Go's {y:?}", i + 1);
        }
    }
    format!(
        "lengths differ: ours {} lines, Go's {} lines",
        a.lines().count(),
        b.lines().count()
    )
}

/// Fixture traces that have a `-d=wire` reference.
fn referenced_traces() -> Vec<(String, PathBuf, PathBuf)> {
    let root = fixtures();
    files_with_ext(&root.join("traces"), "trace")
        .into_iter()
        .filter_map(|t| {
            let name = t.file_stem()?.to_str()?.to_string();
            let wire = root.join("reference").join(format!("{name}.wire.gz"));
            wire.exists().then_some((name, t, wire))
        })
        .collect()
}

#[test]
fn wire_dumps_match_go() {
    let traces = referenced_traces();
    let mut ok = 0;
    for (name, trace, wire) in &traces {
        let data = fs::read(trace).unwrap();
        let want = gunzip(wire);
        let mut got = Vec::with_capacity(want.len());
        if let Err(e) = write_wire_dump(&data, &mut got) {
            // Go printed its error on stderr; the reference holds stdout.
            eprintln!("{name}: dump ended with error: {e}");
        }
        assert!(
            got == want,
            "{name}: wire dump differs: {}",
            first_diff(&got, &want)
        );
        ok += 1;
    }
    eprintln!("{ok}/{} fixtures byte-identical wire dumps", traces.len());
}

#[test]
fn footprints_match_go() {
    let root = fixtures();
    let mut n = 0;
    for (name, trace, _) in referenced_traces() {
        let fp = root.join("reference").join(format!("{name}.footprint.txt"));
        let Ok(want) = fs::read(&fp) else { continue };
        let data = fs::read(&trace).unwrap();
        let mut got = Vec::new();
        let res = write_footprint(&data, &mut got);
        assert!(res.is_ok() || want.is_empty(), "{name}: {res:?}");
        assert!(
            got == want,
            "{name}: footprint differs: {}",
            first_diff(&got, &want)
        );
        n += 1;
    }
    eprintln!("{n} fixtures byte-identical footprints");
}

/// Go's golden tests: from the fixtures copy, else from the Go installation.
fn golden_tests() -> Vec<PathBuf> {
    for dir in ["go-testdata/tests", "go-testdata"] {
        let copied = files_with_ext(&fixtures().join(dir), "test");
        if !copied.is_empty() {
            return copied;
        }
    }
    let mut roots: Vec<PathBuf> = std::env::var_os("GOROOT")
        .map(PathBuf::from)
        .into_iter()
        .collect();
    if let Some(home) = std::env::var_os("HOME") {
        roots.push(Path::new(&home).join("go1.27/lib/python3.11/site-packages/go"));
    }
    roots
        .iter()
        .map(|r| files_with_ext(&r.join("src/internal/trace/testdata/tests"), "test"))
        .find(|v| !v.is_empty())
        .unwrap_or_default()
}

/// The event lines of a text trace: without the header, comments and blank
/// lines.
fn canonical_events(text: &str) -> String {
    let mut out = String::new();
    let mut header_seen = false;
    for line in text.lines() {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if !header_seen {
            header_seen = true;
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[test]
fn golden_tests_round_trip() {
    let tests = golden_tests();
    let (mut ok, mut failures) = (0, 0);
    for path in &tests {
        let name = path.file_name().unwrap().to_string_lossy();
        let txtar = fs::read_to_string(path).unwrap();
        let golden = parse_golden_test(&txtar).unwrap_or_else(|e| panic!("{name}: {e}"));
        if let Expectation::Failure(p) = &golden.expect {
            failures += 1;
            assert!(
                golden
                    .expect
                    .check(Some(&format!("x: {}", p.trim_matches(['.', '*']))))
                    .is_ok()
            );
        }
        let (_, files) = parse_txtar(&txtar);
        let (v, events) = parse_text_trace(&files[1].data).unwrap();
        assert_eq!(&golden.trace[..16], &v.header(), "{name}");
        assert!(!events.is_empty(), "{name}");
        let mut dumped = Vec::new();
        write_wire_dump(&golden.trace, &mut dumped).unwrap_or_else(|e| panic!("{name}: {e}"));
        let want = canonical_events(&files[1].data);
        assert!(
            dumped == want.as_bytes(),
            "{name}: round trip differs: {}",
            first_diff(&dumped, want.as_bytes())
        );
        ok += 1;
    }
    eprintln!(
        "{ok}/{} golden tests round-trip ({failures} FAILURE expectations)",
        tests.len()
    );
}

/// Start offsets of every record, and the end of the last one.
fn record_offsets(data: &[u8]) -> Vec<usize> {
    let mut r = RawReader::new(data).unwrap();
    let mut offs = vec![r.offset()];
    while let Some(ev) = r.read_event().unwrap() {
        drop(ev);
        offs.push(r.offset());
    }
    offs
}

fn check_truncations(data: &[u8], step: usize) -> usize {
    let offs = record_offsets(data);
    let header = offs[0];
    let mut cuts = 0;
    for cut in (0..=data.len()).step_by(step.max(1)) {
        let t = &data[..cut];
        cuts += 1;
        // The dumps must not panic; errors name Go's message only.
        let mut sink = Vec::new();
        let dump = write_wire_dump(t, &mut sink);
        let _ = write_footprint(t, &mut Vec::new());
        let Ok(mut r) = RawReader::new(t) else {
            assert!(cut < header, "cut {cut}: header rejected");
            assert!(dump.is_err());
            continue;
        };
        let mut last_err = None;
        for item in r.by_ref() {
            if let Err(e) = item {
                last_err = Some(e);
            }
        }
        assert!(r.next().is_none(), "reader is fused after the end");
        // The record containing the cut, if the cut is inside one.
        let start = offs.partition_point(|&o| o <= cut).saturating_sub(1);
        let inside = offs[start] != cut;
        match (inside, last_err) {
            (false, None) => assert!(dump.is_ok(), "cut {cut}: {dump:?}"),
            (true, Some(e)) => {
                assert_eq!(e.offset as usize, offs[start], "cut {cut}: {e}");
                assert!(
                    e.to_string()
                        .contains(&format!("at byte offset {}", offs[start])),
                    "{e}"
                );
                // Go ends silently on io.EOF and fails on anything else.
                assert_eq!(dump.is_ok(), is_go_eof(&e), "cut {cut}: {e}");
                if let Err(d) = &dump {
                    assert_eq!(d.to_string(), "unexpected EOF", "cut {cut}");
                }
            }
            (inside, err) => panic!("cut {cut}: inside={inside} err={err:?}"),
        }
    }
    cuts
}

#[test]
fn truncated_traces_fail_cleanly() {
    let mut cuts = 0;
    let traces = referenced_traces();
    let size = |p: &PathBuf| fs::metadata(p).map(|m| m.len()).unwrap_or(u64::MAX);
    if let Some((_, smallest, _)) = traces.iter().min_by_key(|(_, p, _)| size(p)) {
        let data = fs::read(smallest).unwrap();
        cuts += check_truncations(&data, data.len() / 500);
    }
    // Every offset of the smallest golden tests.
    let mut golden = golden_tests();
    golden.sort_by_key(size);
    for path in golden.iter().take(6) {
        let txtar = fs::read_to_string(path).unwrap();
        let golden = parse_golden_test(&txtar).unwrap();
        cuts += check_truncations(&golden.trace, 1);
    }
    eprintln!("{cuts} truncations checked");
}

#[test]
fn hostile_bytes_never_panic() {
    // Deterministic pseudo-random mutations of a small valid trace.
    let text = "Trace Go1.26\nEventBatch gen=1 m=0 time=1 size=12\nFrequency freq=15625000\n\
                EventBatch gen=1 m=0 time=1 size=20\nStrings\nString id=1\n\tdata=\"hello\"\n\
                Stacks\nStack id=1 nframes=1\n\tpc=1 func=1 file=1 line=3\nEndOfGeneration\n";
    let (v, events) = parse_text_trace(text).unwrap();
    let base = trace_format::text::encode_binary(v, &events);
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..20000 {
        let mut d = base.clone();
        for _ in 0..1 + next() % 4 {
            let i = (next() as usize) % d.len();
            d[i] = next() as u8;
        }
        let cut = (next() as usize) % (d.len() + 1);
        d.truncate(cut.max(d.len() / 2));
        let _ = write_wire_dump(&d, &mut Vec::new());
        let _ = write_footprint(&d, &mut Vec::new());
        if let Ok(s) = std::str::from_utf8(&d) {
            let _ = parse_text_trace(s);
        }
    }
}

/// Go's `FuzzReader` seed corpus: `go test fuzz v1` files holding one
/// Go-quoted `[]byte` trace, mostly malformed.
fn fuzz_corpus() -> Vec<(String, Vec<u8>)> {
    let mut dirs = vec![fixtures().join("go-testdata/fuzz/FuzzReader")];
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(Path::new(&home).join(
            "go1.27/lib/python3.11/site-packages/go/src/internal/trace/testdata/fuzz/FuzzReader",
        ));
    }
    for dir in dirs {
        let Ok(rd) = fs::read_dir(&dir) else { continue };
        let mut out: Vec<(String, Vec<u8>)> = rd
            .filter_map(|e| {
                let p = e.ok()?.path();
                let text = fs::read_to_string(&p).ok()?;
                let lit = text
                    .lines()
                    .nth(1)?
                    .strip_prefix("[]byte(")?
                    .strip_suffix(')')?;
                Some((
                    p.file_name()?.to_string_lossy().into_owned(),
                    unquote(lit).ok()?,
                ))
            })
            .collect();
        if !out.is_empty() {
            out.sort();
            return out;
        }
    }
    Vec::new()
}

#[test]
fn go_fuzz_corpus_never_panics() {
    let corpus = fuzz_corpus();
    for (name, data) in &corpus {
        let mut out = Vec::new();
        let res = write_wire_dump(data, &mut out);
        let _ = write_footprint(data, &mut Vec::new());
        if let Err(trace_format::raw::WireDumpError::Trace(e)) = &res {
            assert!(e.offset as usize <= data.len(), "{name}: {e}");
        }
        for cut in 0..data.len() {
            let _ = write_wire_dump(&data[..cut], &mut Vec::new());
        }
    }
    eprintln!("{} fuzz corpus entries", corpus.len());
}
