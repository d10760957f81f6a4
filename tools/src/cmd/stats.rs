//! `gotrace stats`: a summary of a trace.

use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `gotrace stats`.
#[derive(clap::Args)]
pub struct Args {
    /// Trace file (`-` for stdin).
    file: PathBuf,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(_a: Args) -> Result<ExitCode, String> {
    Err("not yet".into())
}
