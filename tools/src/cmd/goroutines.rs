//! `gotrace goroutines`: `go tool trace`'s "Goroutine analysis" — goroutines
//! grouped by entry function with where their time went, or (`--group`) the
//! goroutines of one group.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use analysis::filter::{Filter, GoroutineIntervals};
use analysis::goroutines::{self, Group, Groups, INACTIVE, display_name};
use analysis::intern::FxHashMap;
use analysis::summary::{ExecStats, GoroutineSummary, Summarizer, Summary};
use serde::Serialize;

use super::analysis_input::{FilterArgs, GenerationProgress, complete_generations, usage_error};
use super::analyze::{self, dur};
use super::table::{Table, TableWriter};

/// Arguments of `gotrace goroutines`.
#[derive(clap::Args)]
#[command(after_help = "\
Numbers are those of `go tool trace` (Go's internal/trace Summarizer): per goroutine, \
execution, scheduler wait, block time by reason, syscall execution and block, unknown \
time, and special ranges (GC mark assist, sweep, stop-the-world), which overlap the rest. Columns that are zero in every row are not printed (--json has them all).

With --task, --region, --from or --to, each goroutine's statistics are restricted to \
that time (its regions of the task or type, the window), and goroutines with no such \
time are left out; --goroutines only selects goroutines.")]
pub struct Args {
    /// Trace file (`-` for stdin).
    file: PathBuf,
    /// Show the goroutines of one group: its entry function (`""` or
    /// "(Inactive, no stack trace sampled)" for goroutines without one).
    #[arg(long, value_name = "FN")]
    group: Option<String>,
    /// With --group: sort by this column, largest first (default: Total).
    #[arg(long, value_name = "COLUMN")]
    sort: Option<String>,
    /// Print JSON: the groups and every goroutine (with its regions), times in ns.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    filter: FilterArgs,
}

/// The trace to read, and the progress bar of its passes.
struct Input<'a> {
    data: &'a [u8],
    progress: &'a GenerationProgress,
    /// Sync events in one pass.
    syncs: u64,
}

/// One goroutine as shown: its summary and, with a time filter, the
/// statistics restricted to it.
struct Row {
    g: GoroutineSummary,
    clipped: Option<ExecStats>,
}

impl Row {
    /// The statistics that count.
    fn stats(&self) -> &ExecStats {
        self.clipped.as_ref().unwrap_or(&self.g.stats)
    }
}

/// Runs the command.
pub fn run(a: Args) -> Result<ExitCode, String> {
    let filter = match a.filter.filter() {
        Ok(f) => f,
        Err(e) => return Ok(usage_error(&e)),
    };
    let file = super::open_trace(&a.file)?;
    let (data, framing) = complete_generations(&a.file, file.bytes())?;
    let passes = if filter.clips_time() { 2 } else { 1 };
    let progress = GenerationProgress::new(&framing, passes);
    let input = Input {
        data,
        progress: &progress,
        syncs: framing.generations.len() as u64 + 1,
    };
    // Which goroutines to keep whole (beyond the groups).
    let group = a
        .group
        .as_deref()
        .map(|g| if g == INACTIVE { "" } else { g });
    let keep = |g: &GoroutineSummary| a.json || group.is_some_and(|n| *g.name == *n);

    let (summary, rows, groups) = if filter.clips_time() {
        match clipped(&input, &filter, a.json)? {
            Ok(x) => x,
            Err(code) => return Ok(code),
        }
    } else {
        whole(&input, &filter, keep, a.json)?
    };
    progress.finish();

    if let Some(name) = group
        && !groups.iter().any(|g| *g.name == *name)
    {
        return Ok(usage_error(&format!(
            "--group {name:?}: no goroutine has this entry function"
        )));
    }
    let rows: Vec<Row> = rows
        .into_iter()
        .filter(|r| group.is_none_or(|n| *r.g.name == *n))
        .collect();
    if a.json {
        print_json(&summary, &groups, &rows);
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    // A closed pipe ends the output quietly.
    let _ = match group {
        Some(name) => {
            let total_exec: i64 = groups.iter().map(Group::exec_time).sum();
            match print_group(&mut out, name, &rows, total_exec, a.sort.as_deref()) {
                Ok(r) => r,
                Err(code) => return Ok(code),
            }
        }
        None => print_groups(&mut out, &summary, &groups),
    }
    .and_then(|()| out.flush());
    Ok(ExitCode::SUCCESS)
}

type Result3 = (Summary, Vec<Row>, Vec<Group>);

/// One pass, whole goroutines: groups are counted as goroutines end, and
/// only the goroutines `keep` selects are kept.
fn whole(
    input: &Input<'_>,
    filter: &Filter,
    keep: impl Fn(&GoroutineSummary) -> bool + Sync,
    annotations: bool,
) -> Result<Result3, String> {
    let mut groups = Groups::default();
    let mut rows = Vec::new();
    let take = |g: GoroutineSummary, groups: &mut Groups, rows: &mut Vec<Row>| {
        if !filter.matches_name(&g.name) {
            return;
        }
        groups.add(&g.name, &g.stats);
        if keep(&g) {
            rows.push(Row { g, clipped: None });
        }
    };
    let s = if annotations {
        Summarizer::new()
    } else {
        Summarizer::goroutines_only()
    };
    let mut summary = analyze::summarize(input.data, input.progress, 0, s, |s| {
        for g in s.drain_finished() {
            take(g, &mut groups, &mut rows);
        }
    })?;
    for g in std::mem::take(&mut summary.goroutines) {
        take(g, &mut groups, &mut rows);
    }
    rows.sort_by_key(|r| r.g.id);
    Ok((summary, rows, groups.into_sorted()))
}

/// Two passes: the first resolves the filter's intervals, the second
/// snapshots each goroutine at their bounds.
fn clipped(
    input: &Input<'_>,
    filter: &Filter,
    annotations: bool,
) -> Result<Result<Result3, ExitCode>, String> {
    let first = if filter.needs_annotations() {
        Summarizer::new()
    } else {
        Summarizer::goroutines_only()
    };
    let first = analyze::summarize(input.data, input.progress, 0, first, |_| {})?;
    let intervals: GoroutineIntervals = match filter.stat_intervals(&first) {
        Ok(i) => i.unwrap_or_default(),
        Err(e) => return Ok(Err(usage_error(&e.to_string()))),
    };
    drop(first);
    let mut second = if annotations {
        Summarizer::new()
    } else {
        Summarizer::goroutines_only()
    };
    second.clip_to(intervals.iter().map(|(g, i)| (g, i.start, i.end)));
    let mut summary = analyze::summarize(input.data, input.progress, input.syncs, second, |_| {})?;
    let clipped: FxHashMap<_, _> = summary.clipped.take().unwrap_or_default();
    let mut groups = Groups::default();
    let mut rows = Vec::new();
    for g in &summary.goroutines {
        if let Some(stats) = clipped.get(&g.id) {
            groups.add(&g.name, stats);
            rows.push(Row {
                g: g.clone(),
                clipped: Some(stats.clone()),
            });
        }
    }
    Ok(Ok((summary, rows, groups.into_sorted())))
}

fn print_groups(out: &mut impl Write, summary: &Summary, groups: &[Group]) -> io::Result<()> {
    let breakdowns: Vec<Vec<(String, i64)>> = groups.iter().map(Group::breakdown).collect();
    let all_columns = goroutines::columns(breakdowns.iter().map(Vec::as_slice));
    let columns = goroutines::nonzero_columns(&all_columns, &breakdowns);
    let count: u64 = groups.iter().map(|g| g.count).sum();
    writeln!(
        out,
        "{count} goroutines in {} groups; trace {} .. {} ns ({})",
        groups.len(),
        summary.start_time,
        summary.end_time,
        dur(summary.end_time - summary.start_time)
    )?;
    writeln!(out)?;
    let mut t = Table::new(
        ["Start location", "Count", "Total"]
            .into_iter()
            .map(str::to_owned)
            .chain(columns.iter().cloned()),
    );
    for (g, b) in groups.iter().zip(&breakdowns) {
        let mut cells = vec![
            display_name(&g.name).to_owned(),
            g.count.to_string(),
            dur(g.stats.total_time),
        ];
        cells.extend(columns.iter().map(|c| dur(goroutines::column(b, c))));
        t.row(cells);
    }
    write!(out, "{}", t.render())
}

/// The goroutines of one group, as Go's goroutine page: a breakdown table
/// and a table of special ranges. Streamed (a group may hold millions).
fn print_group(
    out: &mut impl Write,
    name: &str,
    rows: &[Row],
    total_exec: i64,
    sort: Option<&str>,
) -> Result<io::Result<()>, ExitCode> {
    let all_columns = goroutines::stat_columns(rows.iter().map(Row::stats));
    let columns = goroutines::nonzero_stat_columns(&all_columns, rows.iter().map(Row::stats));
    // Sort (Go: by the chosen column, else by total time; largest first).
    let key_col = analyze::sort_column(sort, &all_columns)?;
    let value = |r: &Row| match &key_col {
        Some(c) => r.stats().non_overlapping(c),
        None => r.stats().total_time,
    };
    let mut order: Vec<&Row> = rows.iter().collect();
    order.sort_by(|x, y| value(y).cmp(&value(x)).then(x.g.id.cmp(&y.g.id)));
    let exec: i64 = rows.iter().map(|r| r.stats().exec_time).sum();
    Ok(write_group(out, name, &order, exec, total_exec, &columns))
}

fn write_group(
    out: &mut impl Write,
    name: &str,
    order: &[&Row],
    exec: i64,
    total_exec: i64,
    columns: &[String],
) -> io::Result<()> {
    writeln!(out, "Goroutine start location: {}", display_name(name))?;
    writeln!(out, "Count: {}", order.len())?;
    if total_exec > 0 {
        writeln!(
            out,
            "Execution time: {:.2}% of total program execution time",
            exec as f64 / total_exec as f64 * 100.0
        )?;
    }
    writeln!(out)?;
    let cells = |r: &Row| {
        let mut c = vec![r.g.id.to_string(), dur(r.stats().total_time)];
        c.extend(columns.iter().map(|k| dur(r.stats().non_overlapping(k))));
        c
    };
    let headers = ["Goroutine", "Total"].into_iter().map(str::to_owned);
    let mut t = TableWriter::new(headers.clone().chain(columns.iter().cloned()).collect());
    order.iter().for_each(|r| t.fit(&cells(r)));
    t.header(out)?;
    for r in order {
        t.row(out, &cells(r))?;
    }

    // Special ranges: goroutines with any range time.
    let mut ranges: Vec<String> = Vec::new();
    for r in order {
        for (k, _) in r.stats().range_time.iter() {
            if !ranges.iter().any(|x| **x == **k) {
                ranges.push(k.to_string());
            }
        }
    }
    ranges.sort();
    let with_ranges = || order.iter().filter(|r| r.stats().range_time.total() != 0);
    if with_ranges().next().is_none() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "Special ranges (overlapping the times above):")?;
    let cells = |r: &Row| {
        let mut c = vec![r.g.id.to_string(), dur(r.stats().total_time)];
        c.extend(ranges.iter().map(|k| dur(r.stats().range_time.get(k))));
        c
    };
    let mut t = TableWriter::new(headers.chain(ranges.iter().cloned()).collect());
    with_ranges().for_each(|r| t.fit(&cells(r)));
    t.header(out)?;
    for r in with_ranges() {
        t.row(out, &cells(r))?;
    }
    Ok(())
}

#[derive(Serialize)]
struct GroupJson<'a> {
    name: &'a str,
    count: u64,
    total_time: i64,
    exec_time: i64,
    breakdown: std::collections::BTreeMap<String, i64>,
    range_time: &'a analysis::summary::StatMap,
}

#[derive(Serialize)]
struct Json<'a> {
    start_time: i64,
    end_time: i64,
    groups: Vec<GroupJson<'a>>,
    goroutines: Vec<analysis::summary::GoroutineJson<'a>>,
}

fn print_json(summary: &Summary, groups: &[Group], rows: &[Row]) {
    let out = Json {
        start_time: summary.start_time,
        end_time: summary.end_time,
        groups: groups
            .iter()
            .map(|g| GroupJson {
                name: &g.name,
                count: g.count,
                total_time: g.stats.total_time,
                exec_time: g.exec_time(),
                breakdown: g.breakdown().into_iter().collect(),
                range_time: &g.stats.range_time,
            })
            .collect(),
        goroutines: rows
            .iter()
            .map(|r| {
                let mut j = summary.goroutine_json(&r.g);
                j.stats = Some(r.stats());
                j
            })
            .collect(),
    };
    super::analyze::print_json(&out);
}
