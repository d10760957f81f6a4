//! The sequence of generations of a trace, with Go's rules for when a read
//! error surfaces (Go's `Reader.ReadEvent` refresh logic and
//! `readGenerationWithSpill`).
//!
//! Each generation comes out framed, with its tables built, ready to be
//! ordered (its events are decoded as they are ordered). The stream is
//! independent of the ordering, so generations can be ordered on several
//! threads ([`crate::reader::for_each_event`]).

use crate::batch::Batch;
use crate::error::Error;
use crate::generation::{Generation, read_generation, read_generation_with_spill};
use crate::version::{HEADER_LEN, Version};

/// What the stream yields next.
#[derive(Debug)]
pub(crate) enum GenItem<'a> {
    /// A generation to order.
    Gen(Box<Generation<'a>>),
    /// Reading failed: the reader emits a Sync, then this error.
    Error(Error),
    /// The trace is over: the reader emits the final Sync.
    End,
}

/// Reads generations one after another.
pub(crate) struct GenStream<'a> {
    data: &'a [u8],
    pos: usize,
    version: Version,
    /// Pre-1.26: first batch of the next generation.
    spill: Option<(u64, Batch<'a>)>,
    /// Pre-1.26: an error deferred until the current generation is out.
    deferred: Option<Error>,
    finished: bool,
    /// Generations handed out so far (pre-1.26: none yet means the first
    /// read is still to come).
    started_gens: u64,
}

impl<'a> GenStream<'a> {
    /// A stream over `data`, whose header says `version`.
    pub fn new(data: &'a [u8], version: Version) -> Self {
        GenStream {
            data,
            pos: HEADER_LEN,
            version,
            spill: None,
            deferred: None,
            finished: false,
            started_gens: 0,
        }
    }

    /// The next item; after `End` or `Error`, always `End`.
    pub fn next_item(&mut self) -> GenItem<'a> {
        if self.finished {
            return GenItem::End;
        }
        let item = if self.version >= Version::Go126 {
            match read_generation(self.data, self.pos, self.version) {
                Ok(Some((g, pos))) => {
                    self.pos = pos;
                    GenItem::Gen(Box::new(g))
                }
                Ok(None) => GenItem::End,
                Err(e) => GenItem::Error(e),
            }
        } else if let Some(e) = self.deferred.take() {
            GenItem::Error(e)
        } else if self.started_gens > 0 && self.spill.is_none() {
            GenItem::End
        } else {
            match read_generation_with_spill(self.data, self.pos, self.spill.take(), self.version) {
                Err(e) => GenItem::Error(e),
                Ok(r) => {
                    self.pos = r.pos;
                    self.spill = r.spill;
                    self.deferred = r.spill_err;
                    match r.gen_no {
                        Some(g) => GenItem::Gen(Box::new(g)),
                        None => GenItem::Error(
                            self.deferred
                                .take()
                                .unwrap_or_else(|| Error::invalid("no generation", r.pos as u64)),
                        ),
                    }
                }
            }
        };
        match item {
            GenItem::Gen(g) => {
                self.started_gens += 1;
                GenItem::Gen(g)
            }
            other => {
                self.finished = true;
                other
            }
        }
    }
}
