//! `gotrace dump`: Go's `-d=parsed` and `-d=wire` text forms.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `gotrace dump`.
#[derive(clap::Args)]
pub struct Args {
    /// Trace file (`-` for stdin).
    file: PathBuf,
    /// Print the raw wire records instead (as `go tool trace -d=wire`).
    #[arg(long)]
    wire: bool,
}

/// Runs the command: events on stdout; on a broken trace, the events before
/// the error, then the error on stderr and exit status 1 (as Go does).
pub fn run(a: Args) -> Result<ExitCode, String> {
    let file = super::open_trace(&a.file)?;
    let data = file.bytes();
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    if a.wire {
        return Ok(match trace_format::raw::write_wire_dump(data, &mut out) {
            Ok(()) => flush(out),
            Err(e) => {
                let _ = out.flush();
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        });
    }
    let mut line = String::with_capacity(4096);
    let mut write_failed = false;
    let result = trace_format::for_each_event(data, |ev| {
        line.clear();
        ev.write_go(&mut line);
        line.push('\n');
        write_failed = out.write_all(line.as_bytes()).is_err();
        !write_failed
    });
    if write_failed {
        return Ok(ExitCode::FAILURE);
    }
    match result {
        Ok(()) => Ok(flush(out)),
        Err(e) => {
            let _ = out.flush();
            // Go's wording first (as `go tool trace` prints it), then where.
            eprintln!("{e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn flush(mut out: impl Write) -> ExitCode {
    match out.flush() {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}
