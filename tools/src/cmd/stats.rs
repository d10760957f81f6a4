//! `gotrace stats`: what is in a trace — version, generations, time span,
//! events by kind, wire records by type with their bytes (as
//! `go tool trace -d=footprint`), goroutines, procs and threads.
//!
//! It reads the full ordered, validated event stream, so it fails wherever
//! `dump` fails; with `--time` it is also the command to time the reader.

use std::collections::BTreeMap;

use trace_format::table::FxHashSet;

/// A set of integer IDs with a fast hasher.
type IdSet = FxHashSet<i64>;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use serde::Serialize;
use trace_format::raw::RawReader;
use trace_format::spec::SPECS;
use trace_format::{EventKind, framing, timefmt};

/// Every event kind, in Go's order.
const ALL_KINDS: [EventKind; 15] = [
    EventKind::Bad,
    EventKind::Sync,
    EventKind::Metric,
    EventKind::Label,
    EventKind::StackSample,
    EventKind::RangeBegin,
    EventKind::RangeActive,
    EventKind::RangeEnd,
    EventKind::TaskBegin,
    EventKind::TaskEnd,
    EventKind::RegionBegin,
    EventKind::RegionEnd,
    EventKind::Log,
    EventKind::StateTransition,
    EventKind::Experimental,
];

/// Arguments of `gotrace stats`.
#[derive(clap::Args)]
pub struct Args {
    /// Trace file (`-` for stdin).
    file: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Bytes and count of one wire record type.
#[derive(Serialize)]
struct WireStat {
    name: String,
    count: u64,
    bytes: u64,
}

/// The whole report.
#[derive(Serialize)]
struct Stats {
    file: String,
    bytes: u64,
    version: String,
    generations: usize,
    first_event_ns: i64,
    last_event_ns: i64,
    duration_ns: i64,
    wall_start: Option<String>,
    events: u64,
    events_by_kind: BTreeMap<String, u64>,
    goroutines: usize,
    procs: usize,
    threads: usize,
    cpu_samples: u64,
    wire_records: Vec<WireStat>,
    parse_seconds: f64,
    error: Option<String>,
}

/// Runs the command.
pub fn run(a: Args) -> Result<ExitCode, String> {
    let file = super::open_trace(&a.file)?;
    let data = file.bytes();
    let start = Instant::now();
    let version = trace_format::version::read_header(data).map_err(|e| e.to_string())?;
    let framing = framing::scan(data).map_err(|e| e.to_string())?;
    let mut by_kind: BTreeMap<String, u64> = BTreeMap::new();
    let mut kinds = [0u64; 16];
    let (mut gs, mut ps, mut ms) = (IdSet::default(), IdSet::default(), IdSet::default());
    let mut last_thread = trace_format::NO_THREAD;
    let (mut first, mut last, mut events, mut samples, mut syncs) =
        (0i64, 0i64, 0u64, 0u64, 0usize);
    let mut wall_start = None;
    let progress = super::progress_bar(data.len() as u64);
    let result = trace_format::for_each_event(data, |ev| {
        events += 1;
        if first == 0 {
            first = ev.time();
        }
        last = ev.time();
        let kind = ev.kind();
        kinds[kind as usize] += 1;
        match kind {
            EventKind::StateTransition => {
                if let Some(t) = ev.state_transition() {
                    match t.resource {
                        trace_format::ResourceId::Goroutine(g) => {
                            gs.insert(g);
                        }
                        trace_format::ResourceId::Proc(p) => {
                            ps.insert(p);
                        }
                        _ => {}
                    }
                }
            }
            EventKind::StackSample => samples += 1,
            EventKind::Sync => {
                if let Some(c) = ev.sync().and_then(|s| s.clock_snapshot)
                    && wall_start.is_none()
                {
                    let mut s = String::new();
                    timefmt::rfc3339_nano(c.wall_sec, c.wall_nsec, &mut s);
                    wall_start = Some(s);
                }
                if let (Some(p), Some(g)) = (&progress, framing.generations.get(syncs)) {
                    p.set_position(g.start);
                }
                syncs += 1;
            }
            _ => {}
        }
        if ev.thread() != last_thread && ev.thread() != trace_format::NO_THREAD {
            last_thread = ev.thread();
            ms.insert(last_thread);
        }
        true
    });
    let error = result.err().map(|e| e.to_string());
    for k in ALL_KINDS {
        if kinds[k as usize] > 0 {
            by_kind.insert(k.name().to_string(), kinds[k as usize]);
        }
    }
    let parse_seconds = start.elapsed().as_secs_f64();
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    let stats = Stats {
        file: a.file.display().to_string(),
        bytes: data.len() as u64,
        version: format!("go 1.{}", version.minor()),
        generations: framing.generations.len(),
        first_event_ns: first,
        last_event_ns: last,
        duration_ns: last - first,
        wall_start,
        events,
        events_by_kind: by_kind,
        goroutines: gs.len(),
        procs: ps.len(),
        threads: ms.len(),
        cpu_samples: samples,
        wire_records: wire_stats(data),
        parse_seconds,
        error,
    };
    if a.json {
        let s = serde_json::to_string_pretty(&stats).map_err(|e| e.to_string())?;
        println!("{s}");
    } else {
        print_text(&stats);
    }
    Ok(if stats.error.is_some() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn wire_stats(data: &[u8]) -> Vec<WireStat> {
    let mut counts = [(0u64, 0u64); 256];
    if let Ok(mut rr) = RawReader::new(data) {
        let v = rr.version();
        while let Ok(Some(ev)) = rr.read_event() {
            let c = &mut counts[ev.typ as usize];
            c.0 += 1;
            if let Some(v) = v {
                c.1 += ev.encoded_size(v) as u64;
            }
        }
    }
    let mut out: Vec<WireStat> = counts
        .iter()
        .enumerate()
        .filter(|(_, c)| c.0 > 0)
        .map(|(t, c)| WireStat {
            name: SPECS
                .get(t)
                .map_or_else(|| format!("<unknown ({t})>"), |s| s.name.to_string()),
            count: c.0,
            bytes: c.1,
        })
        .collect();
    out.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.name.cmp(&b.name)));
    out
}

fn print_text(s: &Stats) {
    let dur = super::format_duration(s.duration_ns);
    println!("File:        {} ({} bytes)", s.file, s.bytes);
    println!("Version:     {}", s.version);
    println!("Generations: {}", s.generations);
    println!(
        "Time span:   {} .. {} ns ({dur})",
        s.first_event_ns, s.last_event_ns
    );
    if let Some(w) = &s.wall_start {
        println!("Wall start:  {w}");
    }
    println!(
        "Goroutines:  {}   Procs: {}   Threads: {}",
        s.goroutines, s.procs, s.threads
    );
    println!("CPU samples: {}", s.cpu_samples);
    let rate = s.bytes as f64 / s.parse_seconds / 1e6;
    println!(
        "Events:      {} ordered, read in {:.3} s ({rate:.1} MB/s, {:.2} M events/s)",
        s.events,
        s.parse_seconds,
        s.events as f64 / s.parse_seconds / 1e6
    );
    for (k, n) in &s.events_by_kind {
        println!("  {k:<16} {n:>12}");
    }
    println!("Wire records (bytes as go tool trace -d=footprint counts them):");
    println!(
        "  {:<22} {:>12} {:>8} {:>12}",
        "Record", "Bytes", "%", "Count"
    );
    let total: u64 = s.wire_records.iter().map(|w| w.bytes).sum();
    for w in &s.wire_records {
        let pct = if total > 0 {
            w.bytes as f64 * 100.0 / total as f64
        } else {
            0.0
        };
        println!(
            "  {:<22} {:>12} {:>7.2}% {:>12}",
            w.name, w.bytes, pct, w.count
        );
    }
    if let Some(e) = &s.error {
        eprintln!("error: {e}");
    }
}
