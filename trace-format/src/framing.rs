//! A fast scan of a trace's framing: where each generation starts and ends,
//! without decoding events. Used to split traces, to report statistics, and
//! to cut a truncated trace back to its last complete generation.

use crate::batch::{FramedBatch, read_batch};
use crate::error::{Error, ErrorKind, Result};
use crate::spec::ev;
use crate::varint::uvarint;
use crate::version::{HEADER_LEN, Version, read_header};

/// The extent and clock data of one generation.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerationExtent {
    /// Generation number.
    pub number: u64,
    /// File offset of the generation's first batch.
    pub start: u64,
    /// File offset just past the generation (past its end marker for 1.26+).
    pub end: u64,
    /// Number of batches (all kinds).
    pub batches: u64,
    /// Smallest batch timestamp, in ticks.
    pub min_ticks: u64,
    /// Largest batch timestamp, in ticks (a lower bound of the last event's time).
    pub max_ticks: u64,
    /// Ticks per second from the generation's frequency record, if found.
    pub ticks_per_sec: Option<u64>,
    /// Wall clock at the clock snapshot (Unix seconds, nanoseconds), 1.25+.
    pub wall: Option<(u64, u64)>,
    /// Trace clock (ticks) at the clock snapshot, 1.25+.
    pub snapshot_ticks: Option<u64>,
}

impl GenerationExtent {
    /// Nanoseconds per tick as Go computes it, if the frequency is known.
    pub fn ns_per_tick(&self) -> Option<f64> {
        self.ticks_per_sec.map(|f| 1.0 / (f as f64 / 1e9))
    }

    /// Size in bytes.
    pub fn len(&self) -> u64 {
        self.end - self.start
    }

    /// Whether the generation has no bytes.
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// The framing of a whole trace.
#[derive(Debug, Clone)]
pub struct Framing {
    /// Format version.
    pub version: Version,
    /// Complete generations, in file order.
    pub generations: Vec<GenerationExtent>,
    /// File offset up to which the trace consists of complete generations.
    pub complete_end: u64,
    /// Total input size.
    pub total: u64,
    /// Why the scan stopped early, if it did (the trace is truncated or corrupt).
    pub error: Option<Error>,
}

impl Framing {
    /// Bytes after the last complete generation.
    pub fn lost_bytes(&self) -> u64 {
        self.total - self.complete_end
    }
}

/// Scans `data`'s framing. Only the header being unreadable is an error; a
/// damaged tail is reported in [`Framing::error`] and excluded from
/// `generations`.
///
/// Before Go 1.26 a generation has no end marker, so the last generation is
/// known complete only if the file ends cleanly after a whole batch.
pub fn scan(data: &[u8]) -> Result<Framing> {
    let version = read_header(data)?;
    let mut gens: Vec<GenerationExtent> = Vec::new();
    let mut cur: Option<GenerationExtent> = None;
    let mut pos = HEADER_LEN;
    let mut error = None;
    let mut complete_end = HEADER_LEN as u64;
    loop {
        let fb = match read_batch(data, pos) {
            Ok(Some(fb)) => fb,
            Ok(None) => {
                if let Some(g) = cur.take() {
                    if version.has_end_of_generation() {
                        error = Some(
                            Error::new(ErrorKind::IncompleteGeneration, pos as u64)
                                .in_generation(g.number),
                        );
                    } else {
                        complete_end = g.end;
                        gens.push(g);
                    }
                }
                break;
            }
            Err(e) => {
                error = Some(e);
                break;
            }
        };
        let FramedBatch {
            batch,
            gen_no,
            start,
            end,
        } = fb;
        pos = end as usize;
        if batch.is_end_of_generation() {
            match cur.take() {
                Some(mut g) if version.has_end_of_generation() => {
                    g.end = end;
                    complete_end = end;
                    gens.push(g);
                }
                _ => {
                    error = Some(Error::new(ErrorKind::InvalidGeneration(0), start));
                    break;
                }
            }
            continue;
        }
        if gen_no == 0 {
            error = Some(Error::new(ErrorKind::InvalidGeneration(0), start));
            break;
        }
        if let Some(g) = &cur
            && gen_no != g.number
        {
            if version.has_end_of_generation() {
                error = Some(
                    Error::new(ErrorKind::MissingEndOfGeneration, start).in_generation(g.number),
                );
                break;
            }
            if gen_no != g.number.wrapping_add(1) {
                error = Some(
                    Error::new(ErrorKind::GenerationsOutOfOrder, start).in_generation(g.number),
                );
                break;
            }
            if let Some(g) = cur.take() {
                complete_end = g.end;
                gens.push(g);
            }
        }
        let g = cur.get_or_insert(GenerationExtent {
            number: gen_no,
            start,
            end,
            batches: 0,
            min_ticks: u64::MAX,
            max_ticks: 0,
            ticks_per_sec: None,
            wall: None,
            snapshot_ticks: None,
        });
        g.end = end;
        g.batches += 1;
        g.min_ticks = g.min_ticks.min(batch.time);
        g.max_ticks = g.max_ticks.max(batch.time);
        if batch.is_sync(version) {
            read_sync(batch.data, batch.time, version, g);
        }
    }
    Ok(Framing {
        version,
        generations: gens,
        complete_end,
        total: data.len() as u64,
        error,
    })
}

fn read_sync(d: &[u8], base: u64, v: Version, g: &mut GenerationExtent) {
    let mut p = if v >= Version::Go125 { 1 } else { 0 };
    let next = |p: &mut usize| -> Option<u64> {
        let (x, n) = uvarint(d.get(*p..)?)?;
        *p += n;
        Some(x)
    };
    while p < d.len() {
        let t = d[p];
        p += 1;
        match t {
            ev::FREQUENCY => match next(&mut p) {
                Some(f) => g.ticks_per_sec = Some(f),
                None => return,
            },
            ev::CLOCK_SNAPSHOT => {
                let (Some(dt), Some(_mono), Some(sec), Some(nsec)) =
                    (next(&mut p), next(&mut p), next(&mut p), next(&mut p))
                else {
                    return;
                };
                g.snapshot_ticks = Some(base.wrapping_add(dt));
                g.wall = Some((sec, nsec));
            }
            _ => return,
        }
    }
}
