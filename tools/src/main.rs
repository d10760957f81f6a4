//! `gotrace`: the command-line front end. Each subcommand lives in `cmd/`;
//! the work itself is done by the library crates.

mod cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// gotrace: fast, exact tools for Go execution traces (Go 1.22+).
#[derive(Parser)]
#[command(name = "gotrace", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print every event, exactly as `go tool trace -d=parsed` (or `-d=wire`).
    Dump(cmd::dump::Args),
    /// Summarize a trace: version, generations, span, event counts and bytes.
    Stats(cmd::stats::Args),
    /// Cut a trace into standalone traces of whole generations (by time, size or count).
    Split(cmd::split::Args),
    /// Write a blocking or scheduler-latency profile (pprof), like `go tool trace -pprof=KIND`.
    Pprof(cmd::pprof::Args),
    /// Minimum mutator utilization (GC impact) curve and worst windows, like go tool trace's MMU page.
    Mmu(cmd::mmu::Args),
    /// Goroutine analysis: goroutines by entry function and where their time went.
    Goroutines(cmd::goroutines::Args),
    /// User tasks by type: counts and duration distribution (or one type's tasks).
    Tasks(cmd::tasks::Args),
    /// User regions by type and start location: counts and duration distribution.
    Regions(cmd::regions::Args),
    /// Open the trace viewer window (no FILE: a bundled example trace).
    View(cmd::view::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Dump(a) => cmd::dump::run(a),
        Command::Stats(a) => cmd::stats::run(a),
        Command::Split(a) => cmd::split::run(a),
        Command::Pprof(a) => cmd::pprof::run(a),
        Command::Mmu(a) => cmd::mmu::run(a),
        Command::Goroutines(a) => cmd::goroutines::run(a),
        Command::Tasks(a) => cmd::tasks::run(a),
        Command::Regions(a) => cmd::regions::run(a),
        Command::View(a) => cmd::view::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("gotrace: {e}");
            ExitCode::FAILURE
        }
    }
}
