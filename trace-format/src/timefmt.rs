//! Go's `time.Time.Format(time.RFC3339Nano)` for a UTC wall-clock reading.
//!
//! `go tool trace` formats clock snapshots in the local zone; the reference
//! outputs are made with `TZ=UTC`, so gotrace always prints UTC.

use std::fmt::Write;

/// Appends `sec.nsec` (Unix time) as RFC 3339 with trailing zeros of the
/// fraction trimmed, e.g. `2026-11-21T04:48:21.633620796Z`.
pub fn rfc3339_nano(sec: i64, nsec: i64, out: &mut String) {
    // Normalise like time.Unix.
    let (mut sec, mut nsec) = (sec, nsec);
    if !(0..1_000_000_000).contains(&nsec) {
        sec = sec.wrapping_add(nsec.div_euclid(1_000_000_000));
        nsec = nsec.rem_euclid(1_000_000_000);
    }
    let days = sec.div_euclid(86_400);
    let secs = sec.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    if nsec != 0 {
        let mut frac = format!("{nsec:09}");
        while frac.ends_with('0') {
            frac.pop();
        }
        out.push('.');
        out.push_str(&frac);
    }
    out.push('Z');
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_go() {
        let f = |s, n| {
            let mut o = String::new();
            rfc3339_nano(s, n, &mut o);
            o
        };
        // From go tool trace -d=parsed on a Go 1.26 trace (TZ=UTC).
        assert_eq!(f(1795236501, 633620796), "2026-11-21T04:48:21.633620796Z");
        // Go's golden test go125-sync: Wall=2025-02-28T15:04:09.000000123Z.
        assert_eq!(f(1740755049, 123), "2025-02-28T15:04:09.000000123Z");
        assert_eq!(f(0, 0), "1970-01-01T00:00:00Z");
        assert_eq!(f(0, 500_000_000), "1970-01-01T00:00:00.5Z");
        assert_eq!(f(951_782_400, 0), "2000-02-29T00:00:00Z");
    }
}
