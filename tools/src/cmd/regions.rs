//! `gotrace regions`: `go tool trace`'s "User-defined regions" — regions
//! grouped by type and start location with the distribution of their
//! durations, or (`--type`) every region of one type with where its time went.

use std::fmt::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use analysis::goroutines;
use analysis::summary::{RegionId, RegionJson, Summarizer, UserRegionSummary};
use analysis::tasks::{RegionType, region_types_of};
use serde::Serialize;
use trace_format::GoId;

use super::analysis_input::{GenerationProgress, complete_generations, usage_error};
use super::analyze::{self, dur};
use super::table::Table;
use super::tasks::{histogram, quote};

/// Arguments of `gotrace regions`.
#[derive(clap::Args)]
#[command(after_help = "\
Regions are grouped by type and by the outermost frame of the stack that started \
them. As in go tool trace, counts and durations include regions that began before \
or ended after the trace (measured from its start or to its end); regions that stayed \
open in goroutines of the runtime are not counted.")]
pub struct Args {
    /// Trace file (`-` for stdin).
    file: PathBuf,
    /// List every region of this type with its time breakdown.
    #[arg(long, value_name = "NAME")]
    r#type: Option<String>,
    /// With --type: sort by this column, largest first (default: Total).
    #[arg(long, value_name = "COLUMN")]
    sort: Option<String>,
    /// Print JSON: the groups with their histograms and every region (times in ns).
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct RegionOut<'a> {
    goroutine: GoId,
    #[serde(flatten)]
    region: RegionJson<'a>,
}

#[derive(Serialize)]
struct Json<'a> {
    start_time: i64,
    end_time: i64,
    types: Vec<RegionType>,
    regions: Vec<RegionOut<'a>>,
}

/// Runs the command.
pub fn run(a: Args) -> Result<ExitCode, String> {
    let file = super::open_trace(&a.file)?;
    let (data, framing) = complete_generations(&a.file, file.bytes())?;
    let progress = GenerationProgress::new(&framing, 1);
    // Only the goroutines' regions are needed: keep their IDs as they end.
    let mut ids: Vec<RegionId> = Vec::new();
    let summary = analyze::summarize(data, &progress, 0, Summarizer::new(), |s| {
        ids.extend(s.drain_finished().flat_map(|g| g.regions))
    })?;
    ids.extend(
        summary
            .goroutines
            .iter()
            .flat_map(|g| g.regions.iter().copied()),
    );
    progress.finish();
    let types: Vec<RegionType> = region_types_of(&summary, ids)
        .into_iter()
        .filter(|t| a.r#type.as_deref().is_none_or(|n| *t.name == *n))
        .collect();
    if let (Some(t), true) = (&a.r#type, types.is_empty()) {
        return Ok(usage_error(&format!(
            "--type {t:?}: no region has this type"
        )));
    }
    let regions: Vec<&UserRegionSummary> = types
        .iter()
        .flat_map(|t| t.regions.iter())
        .filter_map(|&rid| summary.regions.get(rid))
        .collect();
    if a.json {
        let out = Json {
            start_time: summary.start_time,
            end_time: summary.end_time,
            regions: regions
                .iter()
                .map(|r| RegionOut {
                    goroutine: r.goroutine,
                    region: RegionJson(r),
                })
                .collect(),
            types,
        };
        analyze::print_json(&out);
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = String::new();
    match &a.r#type {
        Some(name) => {
            if let Err(code) = print_regions(&mut out, name, &regions, a.sort.as_deref()) {
                return Ok(code);
            }
        }
        None => print_types(&mut out, &types),
    }
    analyze::emit(&out);
    Ok(ExitCode::SUCCESS)
}

fn print_types(out: &mut String, types: &[RegionType]) {
    let n: u64 = types.iter().map(|t| t.histogram.count).sum();
    let _ = writeln!(out, "{n} regions in {} groups", types.len());
    if types.is_empty() {
        return;
    }
    let _ = writeln!(out);
    let mut t = Table::new(["Region type", "Start location", "Count"]).left(&[0, 1]);
    for ty in types {
        t.row(vec![
            quote(&ty.name),
            location(ty),
            ty.histogram.count.to_string(),
        ]);
    }
    let _ = write!(out, "{}", t.render());
    for ty in types {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Duration distribution of {} at {} ({}):",
            quote(&ty.name),
            location(ty),
            ty.histogram.count
        );
        let _ = write!(out, "{}", histogram(&ty.histogram));
    }
}

/// `func @ 0xpc file:line`, as `go tool trace` shows a region's start.
fn location(t: &RegionType) -> String {
    match &t.frame {
        Some(f) => format!("{} @ {:#x} {}:{}", f.func, f.pc, f.file, f.line),
        None => " @ 0x0 :0".to_owned(),
    }
}

/// Go's region page: every region of the type, by total time.
fn print_regions(
    out: &mut String,
    name: &str,
    regions: &[&UserRegionSummary],
    sort: Option<&str>,
) -> Result<(), ExitCode> {
    let stats = || regions.iter().map(|r| &r.stats);
    let all_columns = goroutines::stat_columns(stats());
    let columns = goroutines::nonzero_stat_columns(&all_columns, stats());
    let key_col = analyze::sort_column(sort, &all_columns)?;
    let value = |i: usize| match &key_col {
        Some(c) => regions[i].stats.non_overlapping(c),
        None => regions[i].stats.total_time,
    };
    let mut order: Vec<usize> = (0..regions.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(value(i)));
    let _ = writeln!(out, "Regions of type {} ({})", quote(name), regions.len());
    let _ = writeln!(out);
    let mut t = Table::new(
        ["Goroutine", "Task", "Total"]
            .into_iter()
            .map(str::to_owned)
            .chain(columns.iter().cloned()),
    );
    for i in order {
        let r = regions[i];
        let task = if r.task_id == 0 {
            String::new()
        } else {
            r.task_id.to_string()
        };
        let mut cells = vec![r.goroutine.to_string(), task, dur(r.stats.total_time)];
        cells.extend(columns.iter().map(|c| dur(r.stats.non_overlapping(c))));
        t.row(cells);
    }
    let _ = write!(out, "{}", t.render());
    Ok(())
}
