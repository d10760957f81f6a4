//! `gotrace split`: cut a trace into standalone traces of whole generations,
//! with a `manifest.json` describing them. The work is in
//! [`trace_format::split`].

use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::{Deserialize, Serialize};
use trace_format::split::{ChunkInfo, Cut, SplitError, SplitOptions, SplitReport, split_to_dir};

const EXAMPLES: &str = "\
Each chunk is a valid trace of the input's format version: the header, then
whole generations exactly as the runtime wrote them, so `go tool trace` and
gotrace open it. Chunks never cut a generation (Go starts one about every
second), so windows and sizes are approximate. DIR/manifest.json lists every
chunk's generations, first and last event times (trace clock, ns, and since
the trace's first event), wall-clock times (Go 1.25+ traces) and size.

Examples:
  gotrace split app.trace -o parts --every 10s
  gotrace split app.trace -o parts --max-size 50MB
  gotrace split app.trace -o parts --generations 5
  gotrace split app.trace -o window --from 1m --to 1m30s
  curl -s host:6060/debug/pprof/trace?seconds=60 | gotrace split - -o parts --every 10s

Durations as Go writes them: 100ns, 250us, 500ms, 1.5s, 1m, 1h2m3s.
Sizes: 4096, 512KB, 50MB, 1.5GB (powers of 1000) or KiB, MiB, GiB.";

/// Arguments of `gotrace split`.
#[derive(clap::Args)]
#[command(
    after_long_help = EXAMPLES,
    group(clap::ArgGroup::new("cut").required(true).multiple(true)
        .args(["every", "max_size", "generations", "from", "to"])),
)]
pub struct Args {
    /// Trace file (`-` for stdin, read as a stream).
    file: PathBuf,
    /// Output directory (created if missing; must be empty unless --force).
    #[arg(short, long, value_name = "DIR")]
    output: PathBuf,
    /// Cut into consecutive time windows of about this length, counted from
    /// the trace's first event.
    #[arg(long, value_name = "DURATION", value_parser = parse_positive_duration,
          conflicts_with_all = ["max_size", "generations"])]
    every: Option<i64>,
    /// Cut into chunks of at most this size; a generation larger than that
    /// becomes a chunk of its own (with a warning).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, conflicts_with = "generations")]
    max_size: Option<u64>,
    /// Put N generations in each chunk.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    generations: Option<u64>,
    /// Keep only generations with events at or after this time since the
    /// trace's first event. Alone, --from/--to write one chunk.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    from: Option<i64>,
    /// Keep only generations starting before this time since the trace's
    /// first event (reading stops there).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    to: Option<i64>,
    /// Write into a non-empty DIR; the chunks of an earlier split listed in
    /// DIR/manifest.json are deleted first.
    #[arg(long)]
    force: bool,
}

/// `DIR/manifest.json`.
#[derive(Serialize, Deserialize)]
struct Manifest {
    /// The input, as given.
    source: String,
    /// Trace format version, e.g. `1.26`.
    version: String,
    /// Time (ns, trace clock) of the input's first event.
    trace_start_ns: Option<i64>,
    /// Bytes read from the input.
    bytes_read: u64,
    chunks: Vec<ManifestChunk>,
    warnings: Vec<String>,
    /// Why the split stopped early (truncated or corrupt input).
    error: Option<String>,
    /// Input bytes after the last complete generation, when the split stopped early.
    lost_bytes: Option<u64>,
}

#[derive(Serialize, Deserialize)]
struct ManifestChunk {
    file: String,
    first_generation: u64,
    last_generation: u64,
    generations: u64,
    bytes: u64,
    /// Chunk's first event (its opening Sync), trace clock.
    first_ns: i64,
    /// Chunk's latest event, trace clock.
    last_ns: i64,
    /// `first_ns` relative to the input's first event.
    first_since_start_ns: i64,
    /// `last_ns` relative to the input's first event.
    last_since_start_ns: i64,
    /// Wall clock at `first_ns` (RFC 3339, UTC), for Go 1.25+ traces.
    wall_first: Option<String>,
    /// Wall clock at `last_ns`.
    wall_last: Option<String>,
    /// Holds one generation larger than --max-size.
    oversized: bool,
}

/// Just the chunk names of an earlier manifest (for --force).
#[derive(Deserialize)]
struct OldManifest {
    chunks: Vec<OldChunk>,
}

#[derive(Deserialize)]
struct OldChunk {
    file: String,
}

/// Runs the command: chunks and manifest in DIR; on a truncated or corrupt
/// input, the complete generations are written, then the error is reported
/// and the exit status is 1.
pub fn run(a: Args) -> Result<ExitCode, String> {
    if let (Some(from), Some(to)) = (a.from, a.to)
        && from >= to
    {
        usage_error("--from must be earlier than --to");
    }
    let cut = match (a.every, a.max_size, a.generations) {
        (Some(d), _, _) => Cut::Every(d),
        (_, Some(n), _) => Cut::MaxSize(n),
        (_, _, Some(n)) => Cut::Generations(n),
        _ => Cut::Whole,
    };
    let stdin = a.file == Path::new("-");
    let (input, total): (Box<dyn Read>, Option<u64>) = if stdin {
        (Box::new(std::io::stdin().lock()), None)
    } else {
        let f = File::open(&a.file)
            .map_err(|e| format!("failed to read trace file {}: {e}", a.file.display()))?;
        let len = f.metadata().ok().filter(|m| m.is_file()).map(|m| m.len());
        (Box::new(f), len)
    };
    let created = prepare_dir(&a.output, a.force)?;
    let prefix = match a.file.file_stem() {
        Some(s) if !stdin => s.to_string_lossy().into_owned(),
        _ => "trace".to_string(),
    };
    let opts = SplitOptions {
        cut,
        from_ns: a.from,
        to_ns: a.to,
        prefix,
    };
    let bar = total.and_then(super::progress_bar);
    let mut progress = |n: u64| {
        if let Some(b) = &bar {
            b.set_position(n);
        }
    };
    let result = split_to_dir(input, &a.output, &opts, &mut progress);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let report = result.map_err(|e| {
        if created {
            // Only if still empty: nothing of this run is left behind.
            let _ = fs::remove_dir(&a.output);
        }
        match e {
            SplitError::Write { .. } => e.to_string(),
            e => format!("{}: {e}", a.file.display()),
        }
    })?;
    let lost = report.error.as_ref().map(|_| match total {
        Some(t) => t.saturating_sub(report.complete_end),
        None => report.bytes_read.saturating_sub(report.complete_end),
    });
    let manifest = manifest(&a.file, &report, lost);
    write_manifest(&a.output, &manifest)?;
    for w in &report.warnings {
        eprintln!("gotrace: warning: {w}");
    }
    let bytes: u64 = report.chunks.iter().map(|c| c.bytes).sum();
    eprintln!(
        "gotrace: wrote {} chunk{} ({bytes} bytes) and manifest.json to {}",
        report.chunks.len(),
        if report.chunks.len() == 1 { "" } else { "s" },
        a.output.display()
    );
    Ok(match &report.error {
        Some(e) => {
            eprintln!(
                "gotrace: {}: the trace is truncated or damaged after byte {}: {e}; the {} byte(s) from there on were not written",
                a.file.display(),
                report.complete_end,
                lost.unwrap_or(0)
            );
            ExitCode::FAILURE
        }
        None => ExitCode::SUCCESS,
    })
}

/// Exits with clap's usage-error status (2).
fn usage_error(msg: &str) -> ! {
    clap::Error::raw(clap::error::ErrorKind::ArgumentConflict, format!("{msg}\n")).exit()
}

/// Creates `dir` (returning `true`), or checks that it may be written into.
fn prepare_dir(dir: &Path, force: bool) -> Result<bool, String> {
    let shown = dir.display();
    match fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                if !force {
                    return Err(format!(
                        "output directory {shown} is not empty (use --force to write into it)"
                    ));
                }
                remove_earlier_split(dir);
            }
            Ok(false)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => fs::create_dir_all(dir)
            .map(|()| true)
            .map_err(|e| format!("cannot create {shown}: {e}")),
        Err(e) => Err(format!("cannot use output directory {shown}: {e}")),
    }
}

/// Deletes the chunks an earlier manifest in `dir` lists, and the manifest.
fn remove_earlier_split(dir: &Path) {
    let path = dir.join("manifest.json");
    let Ok(text) = fs::read_to_string(&path) else {
        return;
    };
    let Ok(old) = serde_json::from_str::<OldManifest>(&text) else {
        return;
    };
    for c in old.chunks {
        // Only plain names: a manifest cannot point outside its directory.
        if Path::new(&c.file).file_name() == Some(c.file.as_ref()) {
            let _ = fs::remove_file(dir.join(&c.file));
        }
    }
    let _ = fs::remove_file(path);
}

fn manifest(source: &Path, r: &SplitReport, lost_bytes: Option<u64>) -> Manifest {
    let start = r.trace_start_ns.unwrap_or(0);
    Manifest {
        source: source.display().to_string(),
        version: format!("1.{}", r.version.minor()),
        trace_start_ns: r.trace_start_ns,
        bytes_read: r.bytes_read,
        chunks: r.chunks.iter().map(|c| manifest_chunk(c, start)).collect(),
        warnings: r.warnings.clone(),
        error: r.error.as_ref().map(|e| e.to_string()),
        lost_bytes,
    }
}

fn manifest_chunk(c: &ChunkInfo, start: i64) -> ManifestChunk {
    ManifestChunk {
        file: c.file.clone(),
        first_generation: c.first_generation,
        last_generation: c.last_generation,
        generations: c.generations,
        bytes: c.bytes,
        first_ns: c.first_ns,
        last_ns: c.last_ns,
        first_since_start_ns: c.first_ns - start,
        last_since_start_ns: c.last_ns - start,
        wall_first: c.wall_first_ns.map(rfc3339),
        wall_last: c.wall_last_ns.map(rfc3339),
        oversized: c.oversized,
    }
}

fn rfc3339(unix_ns: i64) -> String {
    let mut s = String::new();
    trace_format::timefmt::rfc3339_nano(
        unix_ns.div_euclid(1_000_000_000),
        unix_ns.rem_euclid(1_000_000_000),
        &mut s,
    );
    s
}

/// Writes `DIR/manifest.json` under a temporary name, then renames it.
fn write_manifest(dir: &Path, m: &Manifest) -> Result<(), String> {
    let path = dir.join("manifest.json");
    let tmp = dir.join(".manifest.json.partial");
    let fail = |e: &dyn std::fmt::Display| format!("writing {}: {e}", path.display());
    let mut text = serde_json::to_string_pretty(m).map_err(|e| fail(&e))?;
    text.push('\n');
    if let Err(e) = fs::write(&tmp, text).and_then(|()| fs::rename(&tmp, &path)) {
        let _ = fs::remove_file(&tmp);
        return Err(fail(&e));
    }
    Ok(())
}

/// Parses a duration as Go's `time.ParseDuration` does (the shared
/// `analysis::duration::parse`), without a sign: decimal numbers with units
/// `ns`, `us` (`µs`), `ms`, `s`, `m`, `h`, possibly several (`1m30s`); `0`
/// alone needs no unit.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    if s.starts_with(['-', '+']) {
        return Err(format!(
            "invalid duration {s:?}: a window length has no sign (examples: 500ms, 10s, 1.5m)"
        ));
    }
    analysis::duration::parse(s)
}

fn parse_positive_duration(s: &str) -> Result<i64, String> {
    match parse_duration(s)? {
        0 => Err("the duration must be positive".into()),
        d => Ok(d),
    }
}

/// Parses a byte size: a decimal number with an optional unit `B`, `KB`,
/// `MB`, `GB`, `TB` (powers of 1000; `K`, `M`, … too) or `KiB`, `MiB`,
/// `GiB`, `TiB` (powers of 1024), case-insensitive.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let bad = || format!("invalid size {s:?} (examples: 50MB, 512KiB, 1.5GB, 100000)");
    let t = s.trim();
    let num_len = t
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b'.')
        .count();
    let (num, unit) = t.split_at(num_len);
    let scale: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024.0f64.powi(4),
        _ => return Err(bad()),
    };
    let n: f64 = num.parse().map_err(|_| bad())?;
    let bytes = (n * scale).round();
    if !(1.0..=u64::MAX as f64).contains(&bytes) {
        return Err(format!("invalid size {s:?}: must be at least 1 byte"));
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        // Values from Go's time.ParseDuration.
        let ok = [
            ("0", 0),
            ("100ns", 100),
            ("250us", 250_000),
            ("250µs", 250_000),
            ("500ms", 500_000_000),
            ("10s", 10_000_000_000),
            ("1.5s", 1_500_000_000),
            (".5s", 500_000_000),
            ("1m", 60_000_000_000),
            ("1m30s", 90_000_000_000),
            ("1h2m3.000000001s", 3_723_000_000_001),
            ("1.0000000019s", 1_000_000_001),
            ("2562047h47m16.854775807s", i64::MAX),
        ];
        for (s, want) in ok {
            assert_eq!(parse_duration(s), Ok(want), "{s}");
        }
        for s in [
            "",
            "10",
            "s",
            "1x",
            "-1s",
            "1.s.",
            "2562047h47m16.854775808s",
            "1 s",
        ] {
            assert!(parse_duration(s).is_err(), "{s}");
        }
        assert!(parse_positive_duration("0s").is_err());
    }

    #[test]
    fn sizes() {
        let ok = [
            ("1", 1),
            ("4096", 4096),
            ("512KB", 512_000),
            ("50MB", 50_000_000),
            ("50mb", 50_000_000),
            ("1.5GB", 1_500_000_000),
            ("1MiB", 1 << 20),
            ("2 GiB", 2 << 30),
            ("10k", 10_000),
        ];
        for (s, want) in ok {
            assert_eq!(parse_size(s), Ok(want), "{s}");
        }
        for s in ["", "0", "MB", "1XB", "-5MB", "1..5MB"] {
            assert!(parse_size(s).is_err(), "{s}");
        }
    }
}
