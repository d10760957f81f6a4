//! Subcommands.

pub mod dump;
pub mod stats;

use std::path::Path;

use trace_format::{MmapChoice, TraceFile};

/// Opens a trace file (or `-` for stdin), with a readable error.
pub fn open_trace(path: &Path) -> Result<TraceFile, String> {
    TraceFile::open(path, MmapChoice::Auto)
        .map_err(|e| format!("failed to read trace file {}: {e}", path.display()))
}
