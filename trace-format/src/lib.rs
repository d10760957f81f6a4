//! # trace-format
//!
//! A zero-copy reader of Go 1.22+ execution traces (`runtime/trace`,
//! `go test -trace`, `/debug/pprof/trace`) that produces exactly the event
//! stream of Go's own `internal/trace` reader: the same events, in the same
//! order, with the same timestamps.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let file = trace_format::TraceFile::open("trace.out", trace_format::MmapChoice::Auto)?;
//! let mut reader = trace_format::Reader::new(file.bytes())?;
//! while let Some(ev) = reader.read_event()? {
//!     println!("{ev}");
//! }
//! # Ok(()) }
//! ```
//!
//! Layout, one file per concern as in Go's reader: [`spec`] (the event
//! table), [`version`] (header), [`batch`] (framing), [`generation`]
//! (tables per generation), `order` (the ordering state machine),
//! [`reader`] (merging per-thread batches), [`event`] (the public event
//! model and Go's text form), [`raw`]/[`text`] (the wire layer and Go's
//! text trace format), [`source`] (mmap or read).
#![warn(missing_docs)]

pub mod batch;
pub mod error;
pub mod event;
pub mod framing;
pub mod generation;
mod genstream;
pub mod goquote;
pub mod gosort;
mod intmap;
mod order;
pub mod raw;
pub mod reader;
pub mod source;
pub mod spec;
pub mod split;
pub mod table;
#[cfg(test)]
mod testutil;
pub mod text;
pub mod timefmt;
pub mod timeline;
pub mod validate;
pub mod varint;
pub mod version;

pub use batch::{NO_THREAD, ThreadId};
pub use error::{Error, ErrorKind, Result};
pub use event::{
    ClockSnapshot, Event, EventKind, GoState, Log, Metric, ProcState, Range, RangeName, Region,
    ResourceId, Stack, StateTransition, Sync, Task,
};
pub use generation::Frame;
pub use order::{BACKGROUND_TASK, GoId, NO_GOROUTINE, NO_PROC, NO_TASK, ProcId, TaskId};
pub use reader::{Reader, for_each_event};
pub use source::{MmapChoice, TraceFile};
pub use version::Version;
