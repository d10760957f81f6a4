//! `split`: the chunks of every fixture version, cut every way, are valid
//! traces holding exactly the input's generations, byte for byte; their
//! ordered events, concatenated, are the input's; the reported times are the
//! ones the reader shows; damaged input and failing output are handled.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use trace_format::split::{
    ChunkInfo, Cut, GenerationStream, SplitError, SplitOptions, SplitReport, generation_span,
    split_to_dir,
};
use trace_format::version::HEADER_LEN;
use trace_format::{EventKind, Reader, framing, text};

const VERSIONS: [u32; 6] = [22, 23, 24, 25, 26, 27];

fn fixture(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/traces")
        .join(name);
    fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The many-generation fixture (24 generations) of Go 1.`minor`.
fn generations(minor: u32) -> Vec<u8> {
    fixture(&format!("generations50ms-go1.{minor}.trace"))
}

/// A fresh directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("gotrace-split-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&p);
        fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn opts(cut: Cut) -> SplitOptions {
    SplitOptions {
        cut,
        from_ns: None,
        to_ns: None,
        prefix: "t".into(),
    }
}

fn split(data: &[u8], dir: &Path, o: &SplitOptions) -> SplitReport {
    let mut last = 0;
    let report = split_to_dir(data, dir, o, &mut |n| {
        assert!(n >= last, "progress went backwards");
        last = n;
    })
    .unwrap();
    assert!(last <= data.len() as u64);
    report
}

/// One event of a dump: its time, whether it is a Sync, Go's text, and for
/// a Sync with a clock snapshot, the wall clock (Unix ns) at its time.
struct Ev {
    time: i64,
    sync: bool,
    text: String,
    wall: Option<i64>,
}

/// The events of `data`; their text only if `text`.
fn events(data: &[u8], text: bool) -> Vec<Ev> {
    let mut r = Reader::new(data).unwrap();
    let mut out = Vec::new();
    while let Some(ev) = r.read_event().unwrap() {
        let wall = ev
            .sync()
            .and_then(|s| s.clock_snapshot)
            .map(|c| c.wall_sec * 1_000_000_000 + c.wall_nsec + (ev.time() - c.trace));
        out.push(Ev {
            time: ev.time(),
            sync: ev.kind() == EventKind::Sync,
            text: if text { ev.to_string() } else { String::new() },
            wall,
        });
    }
    out
}

/// The parts of `text` that may legitimately differ between a chunk and the
/// input, blanked: Go's reader pushes an event's time to 1 ns after the
/// previous event's when it is not later; in the input, events at the start of
/// a generation may follow later events of the previous generation, which the
/// chunk does not contain.
fn with_time(text: &str, from: i64, to: i64) -> String {
    text.replacen(&format!(" Time={from} "), &format!(" Time={to} "), 1)
}

/// Checks that `chunk_events` (per chunk, in order) concatenated equal
/// `input` with Sync events left out. Where they differ, the difference must
/// be one Go's reader makes because the chunk does not hold what came before:
///
/// - a time: the input's is the previous event's plus 1 (forced increase)
///   and the chunk's is earlier (the true timestamp);
/// - in the chunk's first generation, a state transition's states and the
///   thread's context (M, P, G) before it, but not its resource, time,
///   reason or stacks: Go reads the first generation's statuses as initial
///   states, and a P's `SyscallAbandoned` status is interpreted from the P's
///   state in the previous generation (Running->Running from the thread that
///   held it, vs. Undetermined->Idle);
/// - a `TaskEnd` of a task begun before the chunk has no parent or type
///   (Go takes them from the `TaskBegin`).
fn assert_same_events(input: &[Ev], chunk_events: &[Vec<Ev>], what: &str) {
    let mut orig = input.iter().enumerate().filter(|(_, e)| !e.sync);
    let mut differences = 0;
    for (ci, evs) in chunk_events.iter().enumerate() {
        let mut syncs = 0;
        let mut tasks_begun = Vec::new();
        for e in evs {
            if e.sync {
                syncs += 1;
                continue;
            }
            let Some((oi, o)) = orig.next() else {
                panic!(
                    "{what}: chunk {ci} has more events than the input: {}",
                    e.text
                );
            };
            if e.text.contains(" TaskBegin ") {
                tasks_begun.push(field(&e.text, "ID"));
            }
            if e.text == o.text {
                continue;
            }
            differences += 1;
            let mut c = e.text.clone();
            if e.time != o.time {
                let prev = input[oi - 1].time;
                assert!(
                    o.time == prev + 1 && e.time < o.time,
                    "{what}: chunk {ci}: time differs beyond Go's forced increase:\n input {}\n chunk {}",
                    o.text,
                    e.text
                );
                c = with_time(&c, e.time, o.time);
            }
            let mut o_text = o.text.clone();
            if syncs == 1 && c.contains(" StateTransition ") {
                c = without_history(&c);
                o_text = without_history(&o_text);
            }
            if c.contains(" TaskEnd ") && !tasks_begun.contains(&field(&c, "ID")) {
                c = without_task_info(&c);
                o_text = without_task_info(&o_text);
            }
            assert_eq!(c, o_text, "{what}: chunk {ci} event differs from the input");
        }
    }
    if let Some((_, o)) = orig.next() {
        panic!("{what}: the chunks lack input events from {}", o.text);
    }
    // In real traces the differences are rare: a few events at chunk starts.
    let total = input.iter().filter(|e| !e.sync).count();
    assert!(
        total < 1000 || differences * 20 <= total,
        "{what}: {differences} of {total} events differ"
    );
}

fn field(text: &str, name: &str) -> String {
    let key = format!(" {name}=");
    text.split_once(&key)
        .map(|(_, rest)| rest.split(' ').next().unwrap_or("").to_string())
        .unwrap_or_default()
}

/// A state transition's text without what depends on the state before the
/// chunk: the states and the thread's context (M, P, G).
fn without_history(text: &str) -> String {
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let words: Vec<&str> = first
        .split(' ')
        .filter(|w| !w.starts_with("M=") && !w.starts_with("P=") && !w.starts_with("G="))
        .filter(|w| w.contains('=') || !w.contains("->"))
        .collect();
    format!("{}\n{rest}", words.join(" "))
}

fn without_task_info(text: &str) -> String {
    // `... TaskEnd Time=T ID=N Parent=P Type="..."`, then the stack.
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let first = first.split_once(" Parent=").map_or(first, |(a, _)| a);
    format!("{first}\n{rest}")
}

/// Checks everything about one split of `data`; `exact_end`: the chunks' last
/// times must be exactly the reader's (see `GenerationSpan::end_ns`). The
/// events are compared with the input's if `input_events` have their text
/// (costly in debug builds, so not for every cut).
fn check_split(
    data: &[u8],
    input_events: &[Ev],
    dir: &Path,
    o: &SplitOptions,
    r: &SplitReport,
    exact_end: bool,
) {
    let what = format!("{:?} from={:?} to={:?}", o.cut, o.from_ns, o.to_ns);
    let compare = !input_events[0].text.is_empty();
    assert!(!compare || (o.from_ns.is_none() && o.to_ns.is_none()));
    assert!(r.error.is_none(), "{what}: {:?}", r.error);
    assert_eq!(
        r.warnings.iter().any(|w| w.contains("larger")),
        r.chunks.iter().any(|c| c.oversized)
    );
    let framing = framing::scan(data).unwrap();
    let t0 = input_events[0].time;
    assert_eq!(r.trace_start_ns, Some(t0), "{what}: trace start");

    // Which generations the window keeps, from the events themselves.
    let spans: Vec<_> = framing
        .generations
        .iter()
        .map(|g| {
            let mut one = data[..HEADER_LEN].to_vec();
            one.extend_from_slice(&data[g.start as usize..g.end as usize]);
            generation_span(&one, g).unwrap()
        })
        .collect();
    let kept: Vec<usize> = (0..spans.len())
        .filter(|&i| {
            o.to_ns.is_none_or(|to| spans[i].start_ns - t0 < to)
                && o.from_ns.is_none_or(|from| spans[i].end_ns - t0 >= from)
        })
        .collect();

    let mut next_gen = kept.iter();
    let mut chunk_events = Vec::new();
    let mut chunk_gens = Vec::new();
    for (ci, c) in r.chunks.iter().enumerate() {
        assert_eq!(c.file, format!("t-{:04}.trace", ci + 1));
        let bytes = fs::read(dir.join(&c.file)).unwrap();
        assert_eq!(bytes.len() as u64, c.bytes, "{what}: {} size", c.file);
        // Byte for byte: the header, then the input's generations.
        let mut want = data[..HEADER_LEN].to_vec();
        let mut numbers = Vec::new();
        let mut indices = Vec::new();
        for _ in 0..c.generations {
            let gi = *next_gen.next().expect("more chunks than generations");
            indices.push(gi);
            let g = &framing.generations[gi];
            numbers.push(g.number);
            want.extend_from_slice(&data[g.start as usize..g.end as usize]);
        }
        assert!(
            bytes == want,
            "{what}: {} is not the input's generations",
            c.file
        );
        assert_eq!(numbers.first(), Some(&c.first_generation));
        assert_eq!(numbers.last(), Some(&c.last_generation));
        assert_eq!(c.last_generation - c.first_generation + 1, c.generations);

        // The reader opens it; the reported times are the ones it shows.
        let evs = events(&bytes, compare);
        assert_eq!(c.first_ns, evs[0].time, "{what}: {} first event", c.file);
        let last_real = evs.iter().rev().find(|e| !e.sync).unwrap_or(&evs[0]).time;
        // Unless Go's reader pushed the last events apart (1 ns per event,
        // in Go's synthetic test traces), the latest timestamp is the last
        // event's time.
        let slack = if exact_end { 0 } else { evs.len() as i64 };
        assert!(
            c.last_ns <= last_real && last_real <= c.last_ns + slack,
            "{what}: {} last event: {} vs the reader's {last_real}",
            c.file,
            c.last_ns
        );
        // Wall clock: from the first and the last generation's snapshot.
        assert_eq!(c.wall_first_ns.is_some(), r.version.has_sync_batch());
        assert_eq!(c.wall_first_ns, evs[0].wall);
        let last_sync = evs.iter().rev().find(|e| e.sync && e.wall.is_some());
        assert_eq!(
            c.wall_last_ns,
            last_sync
                .and_then(|s| s.wall)
                .map(|w| w + c.last_ns - last_sync.map_or(0, |s| s.time))
        );

        chunk_events.push(evs);
        chunk_gens.push(indices);
    }
    assert!(
        next_gen.next().is_none(),
        "{what}: generations missing from the chunks"
    );
    let starts: Vec<i64> = spans.iter().map(|s| s.start_ns).collect();
    let sizes: Vec<u64> = framing.generations.iter().map(|g| g.len()).collect();
    check_cut(o.cut, &r.chunks, &chunk_gens, &starts, &sizes, t0, &what);
    if compare {
        assert_same_events(input_events, &chunk_events, &what);
    }
}

/// The chunks obey the cut: `gens[i]` are the indices of chunk `i`'s
/// generations, whose start times and sizes are `starts` and `sizes`.
fn check_cut(
    cut: Cut,
    chunks: &[ChunkInfo],
    gens: &[Vec<usize>],
    starts: &[i64],
    sizes: &[u64],
    t0: i64,
    what: &str,
) {
    for (i, c) in chunks.iter().enumerate() {
        let next = gens.get(i + 1).map(|g| g[0]);
        let last = i + 1 == chunks.len();
        match cut {
            Cut::Every(d) => {
                // One window per chunk, the next chunk in a later one.
                let window = |g: usize| (starts[g] - t0).div_euclid(d);
                let w = window(gens[i][0]);
                assert!(gens[i].iter().all(|&g| window(g) == w), "{what}: chunk {i}");
                assert!(next.is_none_or(|n| window(n) > w), "{what}: chunk {i}");
            }
            Cut::MaxSize(max) => {
                // Within the limit unless a lone big generation, and full:
                // the next generation would not have fit.
                assert_eq!(c.oversized, c.bytes > max, "{what}: chunk {i}");
                assert!(c.bytes <= max || c.generations == 1, "{what}: chunk {i}");
                assert!(
                    next.is_none_or(|n| c.bytes + sizes[n] > max),
                    "{what}: chunk {i}"
                );
            }
            Cut::Generations(n) => {
                assert!(
                    c.generations == n || (last && c.generations < n),
                    "{what}: chunk {i}"
                )
            }
            Cut::Whole => assert_eq!(chunks.len(), 1, "{what}"),
        }
        assert!(!c.oversized || matches!(cut, Cut::MaxSize(_)));
    }
}

#[test]
fn every_version_every_cut() {
    for minor in VERSIONS {
        let data = generations(minor);
        let with_text = events(&data, true);
        let times = events(&data, false);
        let n = framing::scan(&data).unwrap().generations.len() as u64;
        let total = data.len() as u64;
        let span = times.last().unwrap().time - times[0].time;
        // (cut, compare the events): every generation, and a few groupings.
        let cuts = [
            (Cut::Generations(1), true),
            (Cut::Generations(5), false),
            (Cut::Generations(n + 10), false),
            (Cut::Every(100_000_000), false),
            (Cut::Every(span / 3), true),
            (Cut::Every(1), false),
            (Cut::MaxSize(total / 4), true),
            (Cut::MaxSize(1), false),
            (Cut::MaxSize(total + 1), false),
            (Cut::Whole, false),
        ];
        for (cut, compare) in cuts {
            let dir = TempDir::new(&format!("cut-{minor}"));
            let o = opts(cut);
            let r = split(&data, &dir.0, &o);
            let input_events = if compare { &with_text } else { &times };
            check_split(&data, input_events, &dir.0, &o, &r, true);
            let count = r.chunks.len() as u64;
            match cut {
                Cut::Generations(k) => assert_eq!(count, n.div_ceil(k)),
                Cut::Every(1) | Cut::MaxSize(1) => assert_eq!(count, n),
                Cut::MaxSize(m) if m > total => assert_eq!(count, 1),
                Cut::Whole => assert_eq!(count, 1),
                _ => assert!(count > 1 && count < n, "{cut:?}: {count} chunks"),
            }
            if cut == Cut::MaxSize(1) {
                assert!(r.chunks.iter().all(|c| c.oversized));
                assert_eq!(r.warnings.len() as u64, n);
            }
            // One chunk of everything is the input itself.
            if count == 1 {
                assert!(fs::read(dir.0.join("t-0001.trace")).unwrap() == data);
            }
        }
    }
}

#[test]
fn time_windows() {
    for minor in [22, 25, 26] {
        let data = generations(minor);
        let input_events = events(&data, false);
        let span = input_events.last().unwrap().time - input_events[0].time;
        let windows = [
            (Some(span / 3), Some(2 * span / 3), Cut::Whole),
            (Some(span / 2), None, Cut::Generations(3)),
            (None, Some(span / 4), Cut::Every(span / 10)),
            (Some(0), Some(1), Cut::Whole),
            (Some(span + 1_000_000_000), None, Cut::Whole),
        ];
        for (from_ns, to_ns, cut) in windows {
            let dir = TempDir::new(&format!("window-{minor}"));
            let o = SplitOptions {
                from_ns,
                to_ns,
                ..opts(cut)
            };
            let r = split(&data, &dir.0, &o);
            check_split(&data, &input_events, &dir.0, &o, &r, true);
            if from_ns > Some(span) {
                assert!(r.chunks.is_empty());
                assert_eq!(r.warnings.len(), 1);
            } else {
                assert!(!r.chunks.is_empty());
            }
            if to_ns.is_some() {
                // Reading stopped early.
                assert!(r.complete_end < data.len() as u64);
            }
        }
    }
}

#[test]
fn single_generation_traces_are_copied() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/traces");
    let mut n = 0;
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".trace") || name.starts_with("generations") {
            continue;
        }
        let data = fs::read(&path).unwrap();
        let out = TempDir::new("copy");
        let r = split(&data, &out.0, &opts(Cut::Generations(1)));
        assert!(r.error.is_none(), "{name}");
        assert_eq!(r.chunks.len(), 1, "{name}");
        assert!(
            fs::read(out.0.join("t-0001.trace")).unwrap() == data,
            "{name}"
        );
        n += 1;
    }
    assert!(n >= 50, "only {n} fixtures");
}

/// Go's `go122-task-across-generations` test trace with a CPU sample after
/// the last event of each generation (tick = 64 ns).
const CPU_SAMPLE_LAST: &str = "Trace Go1.22
EventBatch gen=1 m=0 time=0 size=15
ProcStatus dt=1 p=0 pstatus=1
GoStatus dt=1 g=1 m=0 gstatus=2
UserTaskBegin dt=1 task=2 parent_task=0 name_string=1 stack=0
EventBatch gen=1 m=18446744073709551615 time=0 size=7
CPUSamples
CPUSample time=4 m=0 p=0 g=1 stack=0
EventBatch gen=1 m=18446744073709551615 time=0 size=5
Frequency freq=15625000
EventBatch gen=1 m=18446744073709551615 time=0 size=1
Stacks
EventBatch gen=1 m=18446744073709551615 time=0 size=11
Strings
String id=1
	data=\"my task\"
EventBatch gen=2 m=0 time=5 size=13
ProcStatus dt=1 p=0 pstatus=1
GoStatus dt=1 g=1 m=0 gstatus=2
UserTaskEnd dt=1 task=2 stack=0
EventBatch gen=2 m=18446744073709551615 time=0 size=7
CPUSamples
CPUSample time=20 m=0 p=0 g=1 stack=0
EventBatch gen=2 m=18446744073709551615 time=0 size=5
Frequency freq=15625000
EventBatch gen=2 m=18446744073709551615 time=0 size=1
Stacks
EventBatch gen=2 m=18446744073709551615 time=0 size=1
Strings
";

#[test]
fn cpu_samples_count_for_the_end_time() {
    let (v, evs) = text::parse_text_trace(CPU_SAMPLE_LAST).unwrap();
    let data = text::encode_binary(v, &evs);
    let input_events = events(&data, true);
    for cut in [Cut::Generations(1), Cut::Whole] {
        let dir = TempDir::new("cpu");
        let o = opts(cut);
        let r = split(&data, &dir.0, &o);
        check_split(&data, &input_events, &dir.0, &o, &r, true);
        let times: Vec<_> = r.chunks.iter().map(|c| (c.first_ns, c.last_ns)).collect();
        // A generation's Sync is at its smallest batch time, tick 0 here (the
        // metadata batches), which Go's reader moves to 1 ns.
        match cut {
            Cut::Whole => assert_eq!(times, [(1, 20 * 64)]),
            _ => assert_eq!(times, [(1, 4 * 64), (1, 20 * 64)]),
        }
    }
}

#[test]
fn go_test_traces_across_generations() {
    // Go's own test traces with several generations: tasks and sequence
    // numbers across generations, and the sync batches of 1.23 and 1.25.
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/go-testdata/tests");
    for name in [
        "go122-task-across-generations.test",
        "go122-confuse-seq-across-generations.test",
        "go123-sync.test",
        "go125-sync.test",
    ] {
        let golden = text::parse_golden_test(&fs::read_to_string(dir.join(name)).unwrap()).unwrap();
        let data = golden.trace;
        let input_events = events(&data, true);
        let out = TempDir::new("golden");
        let o = opts(Cut::Generations(1));
        let r = split(&data, &out.0, &o);
        assert!(r.chunks.len() >= 2, "{name}");
        check_split(&data, &input_events, &out.0, &o, &r, false);
    }
}

/// A reader handing out a few bytes at a time.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.step = self.step % 7 + 1;
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

#[test]
fn stream_finds_the_generations_scan_finds() {
    for minor in VERSIONS {
        let data = generations(minor);
        let want = framing::scan(&data).unwrap().generations;
        for step in [0, 1000] {
            let mut s = GenerationStream::new(Trickle { data: &data, step }).unwrap();
            let mut got = Vec::new();
            while let Some(g) = s.next_generation().unwrap() {
                assert_eq!(
                    g.bytes(),
                    &data[g.extent.start as usize..g.extent.end as usize]
                );
                got.push(g.extent);
            }
            assert_eq!(got, want, "go1.{minor}");
            assert_eq!(s.bytes_read(), data.len() as u64);
            assert_eq!(s.complete_end(), data.len() as u64);
        }
    }
}

#[test]
fn truncated_input_keeps_complete_generations() {
    for minor in [22, 25, 26] {
        let data = generations(minor);
        let gens = framing::scan(&data).unwrap().generations;
        let g5 = &gens[5];
        let cuts = [
            g5.end as usize - 1,   // inside generation 6's last batch
            g5.start as usize + 3, // inside a batch header
            g5.end as usize,       // at a generation boundary
            g5.end as usize + 1,
            HEADER_LEN + 1,
            HEADER_LEN,
        ];
        for cut in cuts {
            let part = &data[..cut];
            let f = framing::scan(part).unwrap();
            let dir = TempDir::new(&format!("trunc-{minor}"));
            let r = split(part, &dir.0, &opts(Cut::Generations(2)));
            let written: u64 = r.chunks.iter().map(|c| c.generations).sum();
            assert_eq!(
                written as usize,
                f.generations.len(),
                "go1.{minor} cut at {cut}"
            );
            assert_eq!(r.complete_end, f.complete_end, "go1.{minor} cut at {cut}");
            match (&r.error, &f.error) {
                (Some(SplitError::Trace(e)), Some(want)) => {
                    assert_eq!((&e.kind, e.offset), (&want.kind, want.offset))
                }
                (None, None) => {}
                (got, want) => panic!("go1.{minor} cut at {cut}: {got:?}, scan: {want:?}"),
            }
            let mut files: Vec<_> = fs::read_dir(&dir.0)
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            files.sort();
            let want: Vec<std::ffi::OsString> =
                r.chunks.iter().map(|c| c.file.clone().into()).collect();
            assert_eq!(files, want, "only complete chunks, under their final names");
        }
    }
}

#[test]
fn bad_header_is_an_error() {
    let dir = TempDir::new("header");
    for input in [
        &b""[..],
        b"go 1.21 trace\0\0\0",
        b"hello, world, this is not a trace",
    ] {
        match split_to_dir(input, &dir.0, &opts(Cut::Whole), &mut |_| {}) {
            Err(SplitError::Trace(_)) => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(fs::read_dir(&dir.0).unwrap().count(), 0);
}

#[test]
fn write_failures_leave_no_chunk_under_its_final_name() {
    let data = generations(26);
    // A full disk: the second chunk's temporary name leads to /dev/full.
    let dir = TempDir::new("full");
    std::os::unix::fs::symlink("/dev/full", dir.0.join(".t-0002.trace.partial")).unwrap();
    match split_to_dir(&data[..], &dir.0, &opts(Cut::Generations(10)), &mut |_| {}) {
        Err(SplitError::Write { path, source }) => {
            assert_eq!(path, dir.0.join("t-0002.trace"));
            assert_eq!(source.kind(), io::ErrorKind::StorageFull);
        }
        other => panic!("{other:?}"),
    }
    let files: Vec<_> = fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        files,
        ["t-0001.trace"],
        "the first chunk is complete, nothing else remains"
    );

    // A directory that is not there.
    let missing = dir.0.join("missing");
    match split_to_dir(&data[..], &missing, &opts(Cut::Whole), &mut |_| {}) {
        Err(SplitError::Write { path, .. }) => assert_eq!(path, missing.join("t-0001.trace")),
        other => panic!("{other:?}"),
    }

    // A read-only directory (root writes anyway: skip then).
    let ro = TempDir::new("readonly");
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&ro.0, fs::Permissions::from_mode(0o555)).unwrap();
    if fs::write(ro.0.join("probe"), b"").is_err() {
        let r = split_to_dir(&data[..], &ro.0, &opts(Cut::Whole), &mut |_| {});
        assert!(matches!(r, Err(SplitError::Write { .. })), "{r:?}");
    }
    fs::set_permissions(&ro.0, fs::Permissions::from_mode(0o755)).unwrap();
}
