//! Subcommands.

pub mod analysis_input;
pub mod analyze;
pub mod dump;
pub mod goroutines;
pub mod mmu;
pub mod pprof;
pub mod regions;
pub mod split;
pub mod stats;
pub mod table;
pub mod tasks;
pub mod view;

use std::path::Path;

use trace_format::{MmapChoice, TraceFile};

/// Opens a trace file (or `-` for stdin), with a readable error.
pub fn open_trace(path: &Path) -> Result<TraceFile, String> {
    TraceFile::open(path, MmapChoice::Auto)
        .map_err(|e| format!("failed to read trace file {}: {e}", path.display()))
}

/// A byte-progress bar on stderr, only when stderr is a terminal.
pub fn progress_bar(total: u64) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec}, ETA {eta})",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    Some(bar)
}

/// Formats nanoseconds like Go's `time.Duration.String` (e.g. `1.386ms`).
pub fn format_duration(ns: i64) -> String {
    analysis::duration::format(ns)
}
