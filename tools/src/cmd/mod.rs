//! Subcommands.

pub mod dump;
pub mod split;
pub mod stats;

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

/// Formats nanoseconds like Go's `time.Duration.String` (e.g. `1.386ms`, `2.5s`, `1m30s`).
pub fn format_duration(ns: i64) -> String {
    let u = ns.unsigned_abs();
    let sign = if ns < 0 { "-" } else { "" };
    let fixed = |unit: u64, digits: usize, suffix: &str| {
        let frac = format!("{:0digits$}", u % unit);
        let frac = frac.trim_end_matches('0');
        let dot = if frac.is_empty() { "" } else { "." };
        format!("{sign}{}{dot}{frac}{suffix}", u / unit)
    };
    if u < 1_000 {
        return format!("{sign}{u}ns");
    }
    if u < 1_000_000 {
        return fixed(1_000, 3, "µs");
    }
    if u < 1_000_000_000 {
        return fixed(1_000_000, 6, "ms");
    }
    let secs = u / 1_000_000_000;
    let (h, m) = (secs / 3600, secs / 60 % 60);
    let rest = fixed(1_000_000_000, 9, "s");
    let rest = rest.trim_start_matches('-');
    let sec_part = match rest.split_once('.') {
        Some((whole, frac)) => format!("{}.{frac}", whole.parse::<u64>().unwrap_or(0) % 60),
        None => format!("{}s", secs % 60),
    };
    let mut out = sign.to_string();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if h > 0 || m > 0 {
        out.push_str(&format!("{m}m"));
    }
    out.push_str(&sec_part);
    out
}

#[cfg(test)]
mod tests {
    use super::format_duration;

    #[test]
    fn durations_like_go() {
        // Expected strings from Go's time.Duration.String.
        assert_eq!(format_duration(0), "0ns");
        assert_eq!(format_duration(999), "999ns");
        assert_eq!(format_duration(1_386_000), "1.386ms");
        assert_eq!(format_duration(1_500), "1.5µs");
        assert_eq!(format_duration(2_500_000_000), "2.5s");
        assert_eq!(format_duration(90_000_000_000), "1m30s");
        assert_eq!(format_duration(3_723_000_000_001), "1h2m3.000000001s");
        assert_eq!(format_duration(-1_000), "-1µs");
    }
}
