//! What the analysis subcommands (profiles, MMU, goroutines, …) share: the
//! filter options, the complete part of a possibly truncated trace, and a
//! progress bar driven by generations.

use std::path::Path;

use analysis::filter::Filter;
use trace_format::framing::{self, Framing};

/// `--goroutines`, `--task`, `--region`, `--from`, `--to`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct FilterArgs {
    /// Only goroutines whose entry function matches this regular expression
    /// (searched anywhere in the name, like Go's regexp.MatchString).
    #[arg(long, value_name = "REGEX")]
    pub goroutines: Option<String>,
    /// Only time inside regions of this task (name or ID) or its subtasks.
    #[arg(long, value_name = "NAME|ID")]
    pub task: Option<String>,
    /// Only time inside regions of this type (outermost ones, as go tool trace).
    #[arg(long, value_name = "NAME")]
    pub region: Option<String>,
    /// Only time from here: a trace timestamp in ns (as `gotrace stats`
    /// prints) or an offset from the first event with a unit (`1.5s`).
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// Only time up to here (same forms as --from).
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,
}

impl FilterArgs {
    /// The filter; an error here is a usage error (exit status 2).
    pub fn filter(&self) -> Result<Filter, String> {
        Filter::new(
            self.goroutines.as_deref(),
            self.task.as_deref(),
            self.region.as_deref(),
            self.from.as_deref(),
            self.to.as_deref(),
        )
        .map_err(|e| e.to_string())
    }
}

/// The complete generations of a trace, warning on stderr about what a
/// truncated or damaged tail loses; an error if nothing is complete.
pub fn complete_generations<'a>(
    path: &Path,
    data: &'a [u8],
) -> Result<(&'a [u8], Framing), String> {
    let framing = framing::scan(data).map_err(|e| format!("{}: {e}", path.display()))?;
    if framing.generations.is_empty() {
        let why = framing
            .error
            .as_ref()
            .map_or_else(|| "empty trace".to_string(), |e| e.to_string());
        return Err(format!(
            "{}: no complete generation to analyse: {why}",
            path.display()
        ));
    }
    if let Some(e) = &framing.error {
        // As go tool trace: "Lost X% of the latest trace data due to error (A of B)".
        let pct = framing.lost_bytes() as f64 / framing.total.max(1) as f64 * 100.0;
        eprintln!(
            "gotrace: warning: {}: {e}; Lost {pct:.2}% of the latest trace data due to error ({} of {}); analysing the first {} complete generations",
            path.display(),
            byte_count(framing.lost_bytes()),
            byte_count(framing.total),
            framing.generations.len(),
        );
    }
    let end = usize::try_from(framing.complete_end)
        .unwrap_or(data.len())
        .min(data.len());
    Ok((&data[..end], framing))
}

/// `go tool trace`'s `byteCount`: `512 B`, `1.5 KiB`, `190.9 MiB`.
pub fn byte_count(b: u64) -> String {
    const UNITS: [(u64, &str); 4] = [
        (1 << 10, "B"),
        (1 << 20, "KiB"),
        (1 << 30, "MiB"),
        (1 << 40, "GiB"),
    ];
    let mut divisor = 1u64;
    for (limit, suffix) in UNITS {
        if b < limit {
            return if divisor == 1 {
                format!("{b} {suffix}")
            } else {
                format!("{:.1} {suffix}", b as f64 / divisor as f64)
            };
        }
        divisor = limit;
    }
    format!("{:.1} TiB", b as f64 / (1u64 << 40) as f64)
}

/// A byte progress bar over `passes` passes through the complete
/// generations, advanced by "generation N started" callbacks (the Sync
/// count, over all passes, as the analysis functions report it).
pub struct GenerationProgress {
    bar: Option<indicatif::ProgressBar>,
    starts: Vec<u64>,
    bytes: u64,
}

impl GenerationProgress {
    /// A bar (only on a terminal) for `passes` passes over `framing`'s generations.
    pub fn new(framing: &Framing, passes: u64) -> GenerationProgress {
        GenerationProgress {
            bar: super::progress_bar(framing.complete_end * passes),
            starts: framing.generations.iter().map(|g| g.start).collect(),
            bytes: framing.complete_end,
        }
    }

    /// Generation `n` (1-based, counted over all passes) has started.
    pub fn generation(&self, n: u64) {
        let Some(bar) = &self.bar else { return };
        let per_pass = self.starts.len() as u64 + 1;
        let (pass, i) = (
            n.saturating_sub(1) / per_pass,
            n.saturating_sub(1) % per_pass,
        );
        let within = self.starts.get(i as usize).copied().unwrap_or(self.bytes);
        bar.set_position(pass * self.bytes + within);
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Prints a usage error and returns exit status 2, as clap does for its own.
pub fn usage_error(msg: &str) -> std::process::ExitCode {
    eprintln!("gotrace: {msg}");
    std::process::ExitCode::from(2)
}

#[cfg(test)]
mod tests {
    use super::byte_count;

    #[test]
    fn byte_counts_like_go() {
        assert_eq!(byte_count(512), "512 B");
        assert_eq!(byte_count(1536), "1.5 KiB");
        assert_eq!(byte_count(200_179_689), "190.9 MiB");
    }
}
