//! Getting trace bytes: memory-mapped when possible, read into memory otherwise.
//!
//! Mapping is `unsafe` because another process may modify or truncate the
//! file while it is mapped, which Rust cannot guard against (see ripgrep's
//! `MmapChoice`). gotrace maps regular files by default: traces are written
//! once and then read, and mapping lets a 1 GB trace be read without copying
//! it. Pipes, stdin and special files are read into memory instead.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Whether to memory-map the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MmapChoice {
    /// Map regular files, read everything else.
    #[default]
    Auto,
    /// Always read into memory.
    Never,
}

enum Backing {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

/// The bytes of a trace file, mapped or owned.
pub struct TraceFile {
    backing: Backing,
}

impl TraceFile {
    /// Opens `path` (`-` for stdin).
    pub fn open(path: impl AsRef<Path>, choice: MmapChoice) -> std::io::Result<TraceFile> {
        let path = path.as_ref();
        if path == Path::new("-") {
            let mut buf = Vec::new();
            std::io::stdin().lock().read_to_end(&mut buf)?;
            return Ok(TraceFile {
                backing: Backing::Owned(buf),
            });
        }
        let mut file = File::open(path)?;
        let meta = file.metadata()?;
        if choice == MmapChoice::Auto && meta.is_file() && meta.len() > 0 {
            // SAFETY: see the module documentation. The mapping is read-only and
            // every access is bounds-checked against its length; if the file is
            // truncated by another process while mapped, reads may fault (SIGBUS),
            // which is the documented trade-off of memory-mapping.
            if let Ok(m) = unsafe { memmap2::Mmap::map(&file) } {
                return Ok(TraceFile {
                    backing: Backing::Mapped(m),
                });
            }
        }
        let mut buf = Vec::new();
        file.read_to_end(&mut buf)?;
        Ok(TraceFile {
            backing: Backing::Owned(buf),
        })
    }

    /// Wraps bytes already in memory.
    pub fn from_vec(v: Vec<u8>) -> TraceFile {
        TraceFile {
            backing: Backing::Owned(v),
        }
    }

    /// The trace bytes.
    pub fn bytes(&self) -> &[u8] {
        match &self.backing {
            Backing::Mapped(m) => m,
            Backing::Owned(v) => v,
        }
    }

    /// Whether the file is memory-mapped.
    pub fn is_mapped(&self) -> bool {
        matches!(self.backing, Backing::Mapped(_))
    }
}
