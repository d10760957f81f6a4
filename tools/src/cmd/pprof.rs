//! `gotrace pprof KIND FILE -o OUT`: blocking and scheduler-latency profiles
//! as gzipped profile.proto, the same samples as `go tool trace -pprof=KIND`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use analysis::pprof::{self, PprofError, ProfileKind};

use super::analysis_input::{FilterArgs, GenerationProgress, complete_generations, usage_error};

const KINDS_HELP: &str = "\
Profile kinds:
  net         time blocked on the network (go tool trace -pprof=net)
  sync        time blocked on channels, select and sync primitives (-pprof=sync)
  syscall     time in system calls (-pprof=syscall)
  sched       scheduler latency: time Runnable before running (-pprof=sched). As in
              Go, the delay is charged to the stack of the event that made the
              goroutine runnable: usually the *waker's* stack, an empty stack for
              timer wakeups; latency before a goroutine first runs is not counted.
  sched-self  scheduler latency charged to the waiting goroutine's *own* stack:
              where it blocked, was preempted or left a syscall, or its entry
              function while it waits to run for the first time; creation-to-
              first-run latency is counted. Not in go tool trace.

Samples have two values, contentions/count and delay/nanoseconds (the default).
Read the result with `go tool pprof OUT`.";

/// Arguments of `gotrace pprof`.
#[derive(clap::Args)]
#[command(after_long_help = KINDS_HELP)]
pub struct Args {
    /// Profile kind: net, sync, syscall, sched or sched-self (see --help).
    #[arg(value_parser = parse_kind)]
    kind: ProfileKind,
    /// Trace file (`-` for stdin).
    file: PathBuf,
    /// Where to write the gzipped profile (`-`: stdout, not a terminal).
    #[arg(short, long, value_name = "OUT")]
    output: PathBuf,
    #[command(flatten)]
    filter: FilterArgs,
}

fn parse_kind(s: &str) -> Result<ProfileKind, String> {
    ProfileKind::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = ProfileKind::ALL.iter().map(|k| k.name()).collect();
        format!(
            "unknown profile kind {s:?} (want one of: {})",
            names.join(", ")
        )
    })
}

/// Runs `gotrace pprof`.
pub fn run(a: Args) -> Result<ExitCode, String> {
    let filter = match a.filter.filter() {
        Ok(f) => f,
        Err(e) => return Ok(usage_error(&e)),
    };
    let to_stdout = a.output.as_os_str() == "-";
    if to_stdout && std::io::stdout().is_terminal() {
        return Ok(usage_error(
            "refusing to write a binary profile to a terminal; use -o FILE",
        ));
    }
    let file = super::open_trace(&a.file)?;
    let (data, framing) = complete_generations(&a.file, file.bytes())?;
    let progress = GenerationProgress::new(&framing, pprof::passes(&filter));
    let result = pprof::compute(data, a.kind, &filter, &mut |n| progress.generation(n));
    progress.finish();
    let records = match result {
        Ok(r) => r,
        Err(PprofError::Filter(e)) => return Ok(usage_error(&e.to_string())),
        Err(PprofError::Trace(e)) => return Err(format!("{}: {e}", a.file.display())),
    };
    let bytes = pprof::to_profile(&records).to_gzip();
    if to_stdout {
        std::io::stdout()
            .write_all(&bytes)
            .map_err(|e| format!("writing the profile: {e}"))?;
    } else {
        std::fs::write(&a.output, &bytes)
            .map_err(|e| format!("writing {}: {e}", a.output.display()))?;
    }
    let (count, delay) = records
        .iter()
        .fold((0u64, 0i64), |(c, d), r| (c + r.count, d + r.delay));
    if records.is_empty() {
        eprintln!("gotrace: warning: the {} profile is empty", a.kind);
    } else if !to_stdout {
        eprintln!(
            "wrote {}: {} stacks, {count} contentions, {} delay",
            a.output.display(),
            records.len(),
            super::format_duration(delay)
        );
    }
    Ok(ExitCode::SUCCESS)
}
