//! Bad input never panics, and a damaged trace still yields every complete
//! generation: fixtures cut at many offsets, fixtures with corrupted bytes,
//! and Go's own `FuzzReader` corpus.

use std::path::PathBuf;

use trace_format::{EventKind, Reader, framing, raw};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// Every event's text until the end or the first error.
fn events(data: &[u8]) -> (Vec<String>, Option<trace_format::Error>) {
    let mut out = Vec::new();
    let mut r = match Reader::new(data) {
        Ok(r) => r,
        Err(e) => return (out, Some(e)),
    };
    loop {
        match r.read_event() {
            Ok(Some(ev)) => {
                // Exercise every accessor, as a consumer would.
                let _ = (
                    ev.stack().frames().len(),
                    ev.state_transition(),
                    ev.range(),
                    ev.task(),
                );
                let _ = (
                    ev.region(),
                    ev.log(),
                    ev.metric(),
                    ev.label(),
                    ev.sync(),
                    ev.experimental(),
                );
                out.push(ev.to_string());
            }
            Ok(None) => return (out, None),
            Err(e) => return (out, Some(e)),
        }
    }
}

/// As [`events`], through `for_each_event` (generations ordered in parallel).
fn events_parallel(data: &[u8]) -> (Vec<String>, Option<trace_format::Error>) {
    let mut out = Vec::new();
    let r = trace_format::for_each_event(data, |ev| {
        out.push(ev.to_string());
        true
    });
    (out, r.err())
}

/// `for_each_event` gives the same events and the same error as `Reader`
/// (returned).
fn assert_same_as_parallel(data: &[u8], what: &str) -> Option<String> {
    let (a, ea) = events(data);
    let (b, eb) = events_parallel(data);
    if a != b {
        let i = a
            .iter()
            .zip(&b)
            .position(|(x, y)| x != y)
            .unwrap_or(a.len().min(b.len()));
        panic!(
            "{what}: events differ at {i} (lengths {} vs {}): {:?} vs {:?}; errors {:?} vs {:?}",
            a.len(),
            b.len(),
            a.get(i),
            b.get(i),
            ea.map(|e| e.to_string()),
            eb.map(|e| e.to_string())
        );
    }
    let ea = ea.map(|e| e.to_string());
    assert_eq!(ea, eb.map(|e| e.to_string()), "{what}: errors differ");
    ea
}

/// Index just past the Sync event that closes the first `n` generations.
fn prefix_through_generations(evs: &[String], n: usize) -> usize {
    let mut syncs = 0;
    for (i, e) in evs.iter().enumerate() {
        if e.contains(" Sync Time=") {
            if syncs == n {
                return i;
            }
            syncs += 1;
        }
    }
    evs.len()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join("traces").join(name)).expect("fixture exists")
}

#[test]
fn truncated_traces_keep_complete_generations() {
    let mut cuts = 0;
    for v in ["22", "23", "25", "26", "27"] {
        let data = fixture(&format!("generations50ms-go1.{v}.trace"));
        let (full, err) = events(&data);
        assert!(err.is_none(), "fixture reads cleanly");
        let step = (data.len() / 97).max(1);
        for cut in (0..data.len()).step_by(step).chain([data.len() - 1]) {
            let part = &data[..cut];
            cuts += 1;
            let (got, err) = events(part);
            if cuts % 4 == 0 {
                assert_same_as_parallel(part, &format!("go1.{v} cut {cut}"));
            }
            let Ok(fr) = framing::scan(part) else {
                assert!(cut < 16, "only a cut header fails the scan");
                continue;
            };
            let complete = fr.generations.len();
            // Everything up to the end of the complete generations is identical.
            let want = prefix_through_generations(&full, complete);
            assert!(
                got.len() >= want,
                "go1.{v} cut {cut}: {} events < {want}",
                got.len()
            );
            assert_eq!(got[..want], full[..want], "go1.{v} cut {cut}");
            // A cut inside a generation is reported, with the bytes lost.
            if fr.complete_end < cut as u64 {
                assert!(
                    fr.error.is_some() || v < "26",
                    "go1.{v} cut {cut}: framing sees the damage"
                );
                if let Some(e) = err {
                    assert!(
                        e.offset <= cut as u64,
                        "error offset {} within the input",
                        e.offset
                    );
                }
            }
            // Reading only the complete generations succeeds (a trace with no
            // generation at all is an error before Go 1.26, as in Go).
            if complete == 0 {
                continue;
            }
            let (clean, err) = events(&part[..fr.complete_end as usize]);
            assert!(
                err.is_none(),
                "go1.{v} cut {cut}: complete prefix reads: {err:?}"
            );
            assert_eq!(clean[..want], full[..want]);
        }
    }
    assert!(cuts > 400);
}

/// A small deterministic PRNG (xorshift64*), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn corrupted_traces_do_not_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let names = [
        "annotations-go1.22.trace",
        "iterpull-go1.23.trace",
        "cpuprofile-go1.25.trace",
        "gc-go1.27.trace",
    ];
    let mut runs = 0;
    let mut table_id_errors = 0;
    for name in names {
        let data = fixture(name);
        for _ in 0..150 {
            let mut d = data.clone();
            for _ in 0..(1 + rng.next() % 8) {
                let i = 16 + (rng.next() as usize) % (d.len() - 16);
                d[i] = rng.next() as u8;
            }
            let err = assert_same_as_parallel(&d, &format!("{name} corruption {runs}"));
            if err.is_some_and(|e| {
                e.contains("found invalid stack ID") || e.contains("found invalid string ID")
            }) {
                table_id_errors += 1;
            }
            let _ = raw::write_wire_dump(&d, &mut std::io::sink());
            let _ = framing::scan(&d);
            runs += 1;
        }
    }
    assert_eq!(runs, 600);
    eprintln!("table-ID errors: {table_id_errors}");
    assert!(
        table_id_errors > 0,
        "some corruptions hit the table-ID check"
    );
}

#[test]
fn go_fuzz_corpus_does_not_panic() {
    let dir = fixtures().join("go-testdata/fuzz/FuzzReader");
    let mut n = 0;
    for e in std::fs::read_dir(dir).expect("corpus exists") {
        let text = std::fs::read_to_string(e.expect("entry").path()).expect("text");
        let Some(lit) = text
            .lines()
            .nth(1)
            .and_then(|l| l.strip_prefix("[]byte("))
            .and_then(|l| l.strip_suffix(')'))
        else {
            continue;
        };
        let bytes = trace_format::goquote::unquote(lit).expect("Go string literal");
        let (evs, _) = events(&bytes);
        assert_same_as_parallel(&bytes, "FuzzReader corpus");
        let _ = raw::write_wire_dump(&bytes, &mut std::io::sink());
        assert!(evs.iter().all(|e| !e.is_empty()));
        n += 1;
    }
    assert_eq!(n, 17, "Go's FuzzReader corpus has 17 entries");
}

#[test]
fn header_errors_are_clear() {
    let e = Reader::new(b"not a trace at all").err().expect("error");
    assert_eq!(e.go_message(), "bad file format: not a Go execution trace?");
    let e = Reader::new(b"go 1.21 trace\0\0\0").err().expect("error");
    assert_eq!(
        e.go_message(),
        "unknown or unsupported trace version go 1.21"
    );
    // A header-only 1.26 trace: one Sync, then the end (as Go).
    let (evs, err) = events(b"go 1.26 trace\0\0\0");
    assert!(err.is_none());
    assert_eq!(evs, vec!["M=-1 P=-1 G=-1 Sync Time=1 N=1".to_string()]);
    let _ = EventKind::Sync;
}

/// A Go 1.26 trace of one generation holding `batches`: the text of each
/// batch's events (Go's text format), each in a batch of thread `m=-1`
/// sized to fit, after the sync batch.
fn one_generation(batches: &[&str]) -> Vec<u8> {
    use trace_format::text::{encode_binary, parse_text_trace};
    let mut text = String::from("Trace Go1.26\n");
    let sync = "Sync\nFrequency freq=15625000\nClockSnapshot dt=1 mono=1 sec=1 nsec=0\n";
    for body in [sync].iter().chain(batches) {
        let (v, evs) = parse_text_trace(&format!("Trace Go1.26\n{body}")).expect("batch text");
        let size = encode_binary(v, &evs).len() - 16;
        text += &format!("EventBatch gen=1 m=18446744073709551615 time=1 size={size}\n{body}");
    }
    text += "EndOfGeneration\n";
    let (v, evs) = parse_text_trace(&text).expect("trace text");
    encode_binary(v, &evs)
}

#[test]
fn bad_tables_name_what_was_expected() {
    // Go's messages (internal/trace/generation.go); Stack is event 3,
    // String event 5.
    let msg = |batches: &[&str]| {
        let data = one_generation(batches);
        let (evs, err) = events(&data);
        // As Go: a Sync, then the error reading the generation.
        assert_eq!(evs, ["M=-1 P=-1 G=-1 Sync Time=1 N=1"]);
        err.map(|e| e.go_message()).unwrap_or_default()
    };
    // The control: well-formed tables read without error.
    let good = one_generation(&["Strings\nString id=1\n\tdata=\"x\"\n"]);
    assert!(
        events(&good).1.is_none(),
        "{:?}",
        events(&good).1.map(|e| e.to_string())
    );
    let long = "x".repeat(1025);
    assert_eq!(
        msg(&[&format!("Strings\nString id=1\n\tdata=\"{long}\"\n")]),
        "invalid string size 1025, maximum is 1024"
    );
    assert_eq!(
        msg(&["Strings\nStack id=1 nframes=0\n"]),
        "expected string event, got 3"
    );
    let frames = "\tpc=1 func=1 file=1 line=1\n".repeat(129);
    assert_eq!(
        msg(&[&format!("Stacks\nStack id=1 nframes=129\n{frames}")]),
        "invalid stack size 129, maximum is 128"
    );
    assert_eq!(
        msg(&["Stacks\nString id=1\n\tdata=\"x\"\n"]),
        "expected stack event, got 5"
    );
    assert_eq!(
        msg(&["CPUSamples\nString id=1\n\tdata=\"x\"\n"]),
        "expected CPU sample event, got 5"
    );
}
