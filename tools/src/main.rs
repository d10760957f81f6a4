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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Dump(a) => cmd::dump::run(a),
        Command::Stats(a) => cmd::stats::run(a),
        Command::Split(a) => cmd::split::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("gotrace: {e}");
            ExitCode::FAILURE
        }
    }
}
