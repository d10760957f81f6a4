//! Batch framing: the records that make up a generation.
//!
//! A batch is `EvEventBatch gen m time size` (or `EvExperimentalBatch exp gen
//! m time size`) followed by `size` bytes of data, borrowed zero-copy from the
//! input. Go 1.26+ ends each generation with a lone `EvEndOfGeneration` byte.

use crate::error::{Error, ErrorKind, Result};
use crate::spec::{MAX_BATCH_SIZE, NO_EXPERIMENT, ev};
use crate::varint::uvarint;
use crate::version::Version;

/// OS thread ID as the trace records it; `NO_THREAD` for tracer-written batches.
pub type ThreadId = i64;
/// Thread ID of batches that belong to no thread.
pub const NO_THREAD: ThreadId = -1;

/// One batch of a generation: its header and a view of its data.
#[derive(Debug, Clone, Copy)]
pub struct Batch<'a> {
    /// Thread that wrote the batch.
    pub m: ThreadId,
    /// Base timestamp (ticks) of the batch.
    pub time: u64,
    /// The batch's data (for end-of-generation, the single marker byte).
    pub data: &'a [u8],
    /// Experiment ID, or `NO_EXPERIMENT`.
    pub exp: u8,
    /// File offset of the first data byte.
    pub offset: u64,
}

impl<'a> Batch<'a> {
    fn first(&self) -> Option<u8> {
        if self.exp == NO_EXPERIMENT {
            self.data.first().copied()
        } else {
            None
        }
    }
    /// A string-table batch.
    pub fn is_strings(&self) -> bool {
        self.first() == Some(ev::STRINGS)
    }
    /// A stack-table batch.
    pub fn is_stacks(&self) -> bool {
        self.first() == Some(ev::STACKS)
    }
    /// A CPU-samples batch.
    pub fn is_cpu_samples(&self) -> bool {
        self.first() == Some(ev::CPU_SAMPLES)
    }
    /// The generation's sync batch (lone Frequency before 1.25, `EvSync` after).
    pub fn is_sync(&self, v: Version) -> bool {
        match self.first() {
            Some(ev::FREQUENCY) => v < Version::Go125,
            Some(ev::SYNC) => v >= Version::Go125,
            _ => false,
        }
    }
    /// The 1.26+ end-of-generation marker.
    pub fn is_end_of_generation(&self) -> bool {
        self.first() == Some(ev::END_OF_GENERATION)
    }
}

/// A batch as read from the file, with its generation number and extent.
#[derive(Debug, Clone, Copy)]
pub struct FramedBatch<'a> {
    /// The batch.
    pub batch: Batch<'a>,
    /// Generation number from the header (0 for end-of-generation markers).
    pub gen_no: u64,
    /// File offset of the batch's first header byte.
    pub start: u64,
    /// File offset just past the batch.
    pub end: u64,
}

/// Reads the batch starting at `pos` in `data`, as Go's `readBatch`.
///
/// Returns `Ok(None)` at end of input. Offsets in errors are file offsets.
pub fn read_batch(data: &[u8], pos: usize) -> Result<Option<FramedBatch<'_>>> {
    let start = pos as u64;
    let Some(&b) = data.get(pos) else {
        return Ok(None);
    };
    if b == ev::END_OF_GENERATION {
        return Ok(Some(FramedBatch {
            batch: Batch {
                m: NO_THREAD,
                time: 0,
                data: &data[pos..pos + 1],
                exp: NO_EXPERIMENT,
                offset: start,
            },
            gen_no: 0,
            start,
            end: start + 1,
        }));
    }
    if b != ev::EVENT_BATCH && b != ev::EXPERIMENTAL_BATCH {
        return Err(Error::new(ErrorKind::ExpectedBatch(b), start));
    }
    let mut p = pos + 1;
    let mut exp = NO_EXPERIMENT;
    if b == ev::EXPERIMENTAL_BATCH {
        exp = *data.get(p).ok_or_else(|| Error::invalid("EOF", start))?;
        p += 1;
    }
    let mut field = |what: &'static str| -> Result<u64> {
        let rest = data.get(p..).unwrap_or(&[]);
        match uvarint(rest) {
            Some((v, n)) => {
                p += n;
                Ok(v)
            }
            None if rest.len() < 10 && rest.iter().all(|&x| x >= 0x80) => {
                // Go's binary.ReadUvarint: io.EOF if nothing was read.
                let eof = if rest.is_empty() {
                    "EOF"
                } else {
                    "unexpected EOF"
                };
                Err(Error::invalid(
                    format!("error reading batch {what}: {eof}"),
                    p as u64,
                ))
            }
            None => Err(Error::invalid(
                format!("error reading batch {what}: binary: varint overflows a 64-bit integer"),
                p as u64,
            )),
        }
    };
    let gen_no = field("gen")?;
    let m = field("M ID")?;
    let time = field("timestamp")?;
    let size = field("size")?;
    if size > MAX_BATCH_SIZE {
        return Err(Error::new(ErrorKind::InvalidBatchSize(size), start).in_generation(gen_no));
    }
    let avail = (data.len() - p) as u64;
    if avail < size {
        return Err(Error::new(
            ErrorKind::TruncatedBatch {
                read: avail,
                wanted: size,
            },
            start,
        )
        .in_generation(gen_no));
    }
    let end = p + size as usize;
    Ok(Some(FramedBatch {
        batch: Batch {
            m: m as i64,
            time,
            data: &data[p..end],
            exp,
            offset: p as u64,
        },
        gen_no,
        start,
        end: end as u64,
    }))
}
