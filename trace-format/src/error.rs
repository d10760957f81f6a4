//! Errors: what went wrong (Go's wording where Go names the case), where in
//! the file, and in which generation.

use std::fmt;

/// What kind of problem was found. The `Display` text matches the wording of
/// Go's `internal/trace` for the same condition, so scripts matching Go's
/// errors keep working.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// The file does not start with a Go trace header.
    BadHeader,
    /// The header names a version gotrace does not read (e.g. pre-1.22 formats).
    UnsupportedVersion(u32),
    /// The file ended inside a batch: `read` of `wanted` bytes were present.
    TruncatedBatch {
        /// Bytes present.
        read: u64,
        /// Bytes the batch header announced.
        wanted: u64,
    },
    /// A batch announced more data than a batch may hold.
    InvalidBatchSize(u64),
    /// Expected the start of a batch, found another byte.
    ExpectedBatch(u8),
    /// Generation number 0.
    InvalidGeneration(u64),
    /// A pre-1.26 trace whose batches jump between generations.
    GenerationsOutOfOrder,
    /// A 1.26+ trace whose generation lacks its end marker.
    MissingEndOfGeneration,
    /// A 1.26+ trace that ends inside a generation.
    IncompleteGeneration,
    /// Any other malformed or inconsistent input, with Go's message.
    Invalid(String),
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::BadHeader => write!(f, "bad file format: not a Go execution trace?"),
            ErrorKind::UnsupportedVersion(n) => {
                write!(f, "unknown or unsupported trace version go 1.{n}")
            }
            ErrorKind::TruncatedBatch { read, wanted } => {
                write!(
                    f,
                    "failed to read full batch: read {read} but wanted {wanted}"
                )
            }
            ErrorKind::InvalidBatchSize(n) => write!(
                f,
                "invalid batch size {n}, maximum is {}",
                crate::spec::MAX_BATCH_SIZE
            ),
            ErrorKind::ExpectedBatch(b) => write!(f, "expected batch event, got event {b}"),
            ErrorKind::InvalidGeneration(g) => write!(f, "invalid generation number {g}"),
            ErrorKind::GenerationsOutOfOrder => write!(f, "generations out of order"),
            ErrorKind::MissingEndOfGeneration => write!(
                f,
                "broken trace: missing end-of-generation event, or generations are interleaved"
            ),
            ErrorKind::IncompleteGeneration => {
                write!(f, "incomplete generation found; trace likely truncated")
            }
            ErrorKind::Invalid(s) => f.write_str(s),
        }
    }
}

/// Where and what: the details of an [`Error`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorInfo {
    /// What went wrong.
    pub kind: ErrorKind,
    /// Byte offset in the file of the record that was being read.
    pub offset: u64,
    /// The generation being read, when known.
    pub generation: Option<u64>,
}

/// A trace reading error with its location. Boxed so that `Result`s on the
/// hot path stay one word wide; fields are reachable through `Deref`
/// (`err.kind`, `err.offset`, `err.generation`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(Box<ErrorInfo>);

impl std::ops::Deref for Error {
    type Target = ErrorInfo;
    fn deref(&self) -> &ErrorInfo {
        &self.0
    }
}

impl Error {
    /// An error at `offset` with no generation yet.
    pub fn new(kind: ErrorKind, offset: u64) -> Error {
        Error(Box::new(ErrorInfo {
            kind,
            offset,
            generation: None,
        }))
    }

    /// An `Invalid` error with Go's message.
    pub fn invalid(msg: impl Into<String>, offset: u64) -> Error {
        Error::new(ErrorKind::Invalid(msg.into()), offset)
    }

    /// Attaches the generation number.
    pub fn in_generation(mut self, g: u64) -> Error {
        if self.0.generation.is_none() && g != 0 {
            self.0.generation = Some(g);
        }
        self
    }

    /// Go's message alone, without location (what `go tool trace` prints).
    pub fn go_message(&self) -> String {
        self.kind.to_string()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte offset {}", self.kind, self.offset)?;
        if let Some(g) = self.generation {
            write!(f, ", generation {g}")?;
        }
        write!(f, ")")
    }
}

impl std::error::Error for Error {}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
