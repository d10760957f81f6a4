//! `gotrace dump`: Go's `-d=parsed` and `-d=wire` text forms.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use trace_format::Reader;

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
    let mut r = match Reader::new(data) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{}", e.go_message());
            return Ok(ExitCode::FAILURE);
        }
    };
    let mut line = String::with_capacity(4096);
    loop {
        match r.read_event() {
            Ok(Some(ev)) => {
                line.clear();
                ev.write_go(&mut line);
                line.push('\n');
                if out.write_all(line.as_bytes()).is_err() {
                    return Ok(ExitCode::FAILURE);
                }
            }
            Ok(None) => return Ok(flush(out)),
            Err(e) => {
                let _ = out.flush();
                eprintln!("{e}");
                return Ok(ExitCode::FAILURE);
            }
        }
    }
}

fn flush(mut out: impl Write) -> ExitCode {
    match out.flush() {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}
