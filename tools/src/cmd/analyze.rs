//! Helpers of the goroutine, task and region commands: a summary pass with
//! progress, the `--sort` column, JSON on stdout, Go's duration text.

use std::process::ExitCode;

use analysis::summary::{Summarizer, Summary};

use super::analysis_input::{GenerationProgress, usage_error};

/// Runs one summary pass over `data` (complete generations), advancing
/// `progress` at each generation (`syncs_before`: Sync events of earlier
/// passes); `at_generation` is called at the start of each generation, e.g.
/// to take the goroutines that have ended.
pub fn summarize(
    data: &[u8],
    progress: &GenerationProgress,
    syncs_before: u64,
    summarizer: Summarizer,
    mut at_generation: impl FnMut(&mut Summarizer) + Send,
) -> Result<Summary, String> {
    analysis::summary::summarize_parallel(
        data,
        summarizer,
        |n| progress.generation(syncs_before + n),
        |_, s| at_generation(s),
    )
    .map_err(|e| format!("failed to read trace: {e}"))
}

/// The statistics column `--sort` names among `all_columns` (matched
/// without case), `None` for the total time (the default); an unknown name
/// is a usage error listing the columns.
pub fn sort_column(sort: Option<&str>, all_columns: &[String]) -> Result<Option<String>, ExitCode> {
    match sort {
        None => Ok(None),
        Some(s) if s.eq_ignore_ascii_case("total") || s.eq_ignore_ascii_case("total time") => {
            Ok(None)
        }
        Some(s) => match all_columns.iter().find(|c| c.eq_ignore_ascii_case(s)) {
            Some(c) => Ok(Some(c.clone())),
            None => Err(usage_error(&format!(
                "--sort {s:?}: no such column; columns: Total, {}",
                all_columns.join(", ")
            ))),
        },
    }
}

/// Writes `v` as pretty JSON on stdout (a closed pipe ends quietly).
pub fn print_json(v: &impl serde::Serialize) {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if serde_json::to_writer_pretty(&mut out, v).is_ok() {
        let _ = writeln!(out);
        let _ = out.flush();
    }
}

/// Writes text on stdout (a closed pipe ends quietly).
pub fn emit(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Formats nanoseconds as Go's `time.Duration.String()`.
pub fn dur(ns: i64) -> String {
    analysis::duration::format(ns)
}
