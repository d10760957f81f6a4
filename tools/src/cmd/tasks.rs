//! `gotrace tasks`: `go tool trace`'s "User-defined tasks" — tasks grouped by
//! type with counts and the distribution of their durations, or (`--type`) the
//! tasks of one type with their events.

use std::fmt::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use analysis::summary::{Summarizer, Summary, TaskJson, UserTaskSummary};
use analysis::tasks::{TaskType, task_events, task_types};
use serde::Serialize;

use super::analysis_input::{GenerationProgress, complete_generations, usage_error};
use super::analyze::{self, dur};
use super::table::{self, Table};

/// Arguments of `gotrace tasks`.
#[derive(clap::Args)]
#[command(after_help = "\
A task is complete when both its begin and end are in the trace; the duration \
distribution counts complete tasks only (as go tool trace). Durations are bucketed \
on a log scale, five buckets per power of ten; each row shows its lower bound.")]
pub struct Args {
    /// Trace file (`-` for stdin).
    file: PathBuf,
    /// List the tasks of this type, shortest first, with their events.
    #[arg(long, value_name = "NAME")]
    r#type: Option<String>,
    /// Print JSON: the types with their histograms and every task (times in ns).
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct TaskOut<'a> {
    #[serde(flatten)]
    task: TaskJson<'a>,
    /// `go tool trace`'s task interval: begin (or trace start) to end (or trace end).
    duration: i64,
}

#[derive(Serialize)]
struct Json<'a> {
    start_time: i64,
    end_time: i64,
    types: Vec<TaskType>,
    tasks: Vec<TaskOut<'a>>,
}

/// Runs the command.
pub fn run(a: Args) -> Result<ExitCode, String> {
    let file = super::open_trace(&a.file)?;
    let (data, framing) = complete_generations(&a.file, file.bytes())?;
    let progress = GenerationProgress::new(&framing, 1);
    // Goroutines are not needed: drop them as they end.
    let summary = analyze::summarize(data, &progress, 0, Summarizer::new(), |s| {
        s.drain_finished().for_each(drop)
    })?;
    progress.finish();
    let types = task_types(&summary);
    if let Some(t) = &a.r#type
        && !types.iter().any(|x| *x.name == **t)
    {
        return Ok(usage_error(&format!("--type {t:?}: no task has this type")));
    }
    let selected: Vec<&UserTaskSummary> = summary
        .tasks
        .iter()
        .filter(|t| a.r#type.as_deref().is_none_or(|n| *t.name == *n))
        .collect();
    if a.json {
        let duration = |t: &UserTaskSummary| {
            let (s, e) = summary.task_interval(t);
            e - s
        };
        let out = Json {
            start_time: summary.start_time,
            end_time: summary.end_time,
            types: types
                .into_iter()
                .filter(|x| a.r#type.as_deref().is_none_or(|n| *x.name == *n))
                .collect(),
            tasks: selected
                .iter()
                .map(|t| TaskOut {
                    task: summary.task_json(t),
                    duration: duration(t),
                })
                .collect(),
        };
        analyze::print_json(&out);
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = String::new();
    match &a.r#type {
        Some(name) => print_tasks(&mut out, &summary, name, selected),
        None => print_types(&mut out, &summary, &types),
    }
    analyze::emit(&out);
    Ok(ExitCode::SUCCESS)
}

fn print_types(out: &mut String, summary: &Summary, types: &[TaskType]) {
    let _ = writeln!(
        out,
        "{} tasks of {} types",
        summary.tasks.len(),
        types.len()
    );
    if types.is_empty() {
        return;
    }
    let _ = writeln!(out);
    let mut t = Table::new(["Task type", "Count", "Complete", "Incomplete", "Logs"]);
    for ty in types {
        t.row(vec![
            quote(&ty.name),
            ty.count.to_string(),
            ty.complete.to_string(),
            ty.incomplete.to_string(),
            ty.logs.to_string(),
        ]);
    }
    let _ = write!(out, "{}", t.render());
    for ty in types.iter().filter(|t| t.histogram.count > 0) {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Duration distribution of complete {} tasks ({}):",
            quote(&ty.name),
            ty.histogram.count
        );
        let _ = write!(out, "{}", histogram(&ty.histogram));
    }
}

/// Histogram rows labelled with their lower bound, as `go tool trace`.
pub fn histogram(h: &analysis::tasks::TimeHistogram) -> String {
    let rows: Vec<(String, u64)> = h
        .rows()
        .into_iter()
        .map(|(min, _, n)| (dur(min), n))
        .collect();
    table::histogram(&rows, "  ")
}

/// Go's `%q` of a string.
pub fn quote(s: &str) -> String {
    trace_format::goquote::quote_str(s)
}

/// Go's task page: tasks by duration, each with its events.
fn print_tasks(out: &mut String, summary: &Summary, name: &str, mut tasks: Vec<&UserTaskSummary>) {
    let start = summary.start_time;
    let duration = |t: &UserTaskSummary| {
        let (s, e) = summary.task_interval(t);
        e - s
    };
    tasks.sort_by(|a, b| duration(a).cmp(&duration(b)).then(a.id.cmp(&b.id)));
    let _ = writeln!(
        out,
        "Tasks of type {} ({}), shortest first",
        quote(name),
        tasks.len()
    );
    let _ = writeln!(out);
    let mut t = Table::new(["When", "Elapsed", "Goroutine", "Events"]).left(&[3]);
    for task in tasks {
        let (s, _) = summary.task_interval(task);
        let state = if task.complete() {
            "complete"
        } else {
            "incomplete"
        };
        t.row(vec![
            format!("{:.9}s", seconds(s - start)),
            dur(duration(task)),
            String::new(),
            format!("Task {} ({state})", task.id),
        ]);
        let mut last = start;
        for ev in task_events(summary, task) {
            t.row(vec![
                format!("{:.9}", seconds(ev.time - start)),
                elapsed(ev.time - last),
                ev.goroutine.to_string(),
                ev.what,
            ]);
            last = ev.time;
        }
    }
    let _ = write!(out, "{}", t.render());
}

fn seconds(ns: i64) -> f64 {
    ns as f64 / 1e9
}

/// Go's `elapsed`: seconds with 9 decimals; below a second, the leading
/// zeros are blanked (`     .000123456` reads as 123.456µs).
fn elapsed(ns: i64) -> String {
    let s = format!("{:.9}", seconds(ns));
    if ns >= 1_000_000_000 {
        return s;
    }
    let mut b: Vec<char> = s.chars().collect();
    if let Some(dot) = b.iter().position(|&c| c == '.') {
        for c in b.iter_mut().take(dot) {
            *c = ' ';
        }
        for c in b.iter_mut().skip(dot + 1) {
            if *c == '0' {
                *c = ' ';
            } else {
                break;
            }
        }
    }
    b.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::elapsed;

    #[test]
    fn elapsed_like_go() {
        assert_eq!(elapsed(123_456), " .   123456");
        assert_eq!(elapsed(1_500_000_000), "1.500000000");
    }
}
