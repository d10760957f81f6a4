//! Trace format versions and the 16-byte file header.

use crate::error::{Error, ErrorKind};

/// A Go 1.22+ trace format version, as named by the file header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    /// `go 1.22 trace`: written by Go 1.22.
    Go122 = 22,
    /// `go 1.23 trace`: written by Go 1.23 and 1.24.
    Go123 = 23,
    /// `go 1.25 trace`: written by Go 1.25.
    Go125 = 25,
    /// `go 1.26 trace`: written by Go 1.26 and 1.27.
    Go126 = 26,
}

/// Length of the file header in bytes.
pub const HEADER_LEN: usize = 16;

impl Version {
    /// The minor version number (`22` for Go 1.22).
    pub fn minor(self) -> u32 {
        self as u32
    }

    /// The version for a minor number, if gotrace reads it.
    pub fn from_minor(n: u32) -> Option<Version> {
        Some(match n {
            22 => Version::Go122,
            23 => Version::Go123,
            25 => Version::Go125,
            26 => Version::Go126,
            _ => return None,
        })
    }

    /// The 16-byte header Go writes for this version.
    pub fn header(self) -> [u8; HEADER_LEN] {
        let mut h = *b"go 1.00 trace\0\0\0";
        let n = self.minor();
        h[5] = b'0' + (n / 10) as u8;
        h[6] = b'0' + (n % 10) as u8;
        h
    }

    /// Whether generations end with an explicit `EndOfGeneration` byte (Go 1.26+).
    pub fn has_end_of_generation(self) -> bool {
        self >= Version::Go126
    }

    /// Whether the sync batch starts with `EvSync` and carries a clock snapshot (Go 1.25+).
    pub fn has_sync_batch(self) -> bool {
        self >= Version::Go125
    }
}

/// Parses the trace header, as Go's `version.ReadHeader`.
///
/// Go scans `"go 1.%d trace\x00\x00\x00"`; old-format versions (1.11, 1.19,
/// 1.21) are recognised and reported as unsupported.
pub fn read_header(data: &[u8]) -> Result<Version, Error> {
    let bad = || Error::new(ErrorKind::BadHeader, 0);
    let rest = data.strip_prefix(b"go 1.").ok_or_else(bad)?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 9 {
        return Err(bad());
    }
    let n: u32 = std::str::from_utf8(&rest[..digits])
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(bad)?;
    if !rest[digits..].starts_with(b" trace\0\0\0") {
        return Err(bad());
    }
    if 5 + digits + 9 != HEADER_LEN {
        // Go's Fscanf would accept other widths, but no Go version writes them.
        return Err(bad());
    }
    Version::from_minor(n).ok_or_else(|| Error::new(ErrorKind::UnsupportedVersion(n), 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trip() {
        for v in [
            Version::Go122,
            Version::Go123,
            Version::Go125,
            Version::Go126,
        ] {
            assert_eq!(read_header(&v.header()).unwrap(), v);
        }
        assert_eq!(&Version::Go126.header(), b"go 1.26 trace\0\0\0");
    }

    #[test]
    fn bad_headers() {
        assert!(matches!(
            read_header(b"go 1.21 trace\0\0\0").unwrap_err().kind,
            ErrorKind::UnsupportedVersion(21)
        ));
        assert!(matches!(
            read_header(b"go 1.99 trace\0\0\0").unwrap_err().kind,
            ErrorKind::UnsupportedVersion(99)
        ));
        assert!(matches!(
            read_header(b"hello").unwrap_err().kind,
            ErrorKind::BadHeader
        ));
        assert!(matches!(
            read_header(b"").unwrap_err().kind,
            ErrorKind::BadHeader
        ));
    }
}
