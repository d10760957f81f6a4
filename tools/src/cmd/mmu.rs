//! `gotrace mmu FILE`: the minimum mutator utilization curve of
//! `go tool trace`'s MMU page, and the worst windows of a given size.

use std::path::PathBuf;
use std::process::ExitCode;

use analysis::mmu::{self, MmuCurve, PLOT_QUANTILES, UtilFlags};
use serde::Serialize;

use super::analysis_input::{GenerationProgress, complete_generations, usage_error};
use super::format_duration;

/// Arguments of `gotrace mmu`.
#[derive(clap::Args)]
#[command(after_long_help = "\
Without GC flags, STW, background workers and mark assists count as GC, as on
go tool trace's MMU page; giving any of --stw/--background/--assist/--sweep
selects exactly those. The curve has go tool trace's 100 window sizes.")]
pub struct Args {
    /// Trace file (`-` for stdin).
    file: PathBuf,
    /// Count GC stop-the-world pauses.
    #[arg(long)]
    stw: bool,
    /// Count background mark workers.
    #[arg(long)]
    background: bool,
    /// Count mark assists.
    #[arg(long)]
    assist: bool,
    /// Count sweeping.
    #[arg(long)]
    sweep: bool,
    /// One utilization function per P (go tool trace's "Per-goroutine" view)
    /// instead of the system-wide one.
    #[arg(long)]
    per_proc: bool,
    /// Also print the mutator utilization distribution: the utilization the
    /// worst 0.1%, 1% and 5% of windows stay below (go tool trace's percentiles).
    #[arg(long)]
    percentiles: bool,
    /// Print the worst windows of this size (e.g. `1ms`) instead of the curve.
    #[arg(long, value_name = "DUR")]
    window: Option<String>,
    /// How many worst windows to print (disjoint windows; go tool trace shows 10).
    #[arg(long, value_name = "N", default_value_t = 10)]
    worst: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

impl Args {
    fn flags(&self) -> UtilFlags {
        let mut f = UtilFlags::empty();
        for (on, flag) in [
            (self.stw, UtilFlags::STW),
            (self.background, UtilFlags::BACKGROUND),
            (self.assist, UtilFlags::ASSIST),
            (self.sweep, UtilFlags::SWEEP),
        ] {
            if on {
                f = f | flag;
            }
        }
        if f == UtilFlags::empty() {
            f = UtilFlags::DEFAULT;
        }
        if self.per_proc {
            f = f | UtilFlags::PER_PROC;
        }
        f
    }
}

#[derive(Serialize)]
struct Report {
    file: String,
    flags: String,
    first_event_ns: i64,
    /// Number of points of each utilization function.
    series: Vec<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    plot: Option<Plot>,
    #[serde(skip_serializing_if = "Option::is_none")]
    worst: Option<Worst>,
}

#[derive(Serialize)]
struct Plot {
    x_min: i64,
    x_max: i64,
    /// Empty: each point is [window ns, MMU]; else [window ns, MUD at each quantile].
    quantiles: Vec<f64>,
    curve: Vec<Vec<f64>>,
}

#[derive(Serialize)]
struct Worst {
    window_ns: i64,
    windows: Vec<WorstWindow>,
}

#[derive(Serialize)]
struct WorstWindow {
    time_ns: i64,
    offset_ns: i64,
    mutator_util: f64,
}

/// Runs `gotrace mmu`.
pub fn run(a: Args) -> Result<ExitCode, String> {
    let window = match a
        .window
        .as_deref()
        .map(analysis::duration::parse)
        .transpose()
    {
        Ok(Some(w)) if w <= 0 => return Ok(usage_error("--window must be positive")),
        Ok(w) => w,
        Err(e) => return Ok(usage_error(&format!("--window: {e}"))),
    };
    let flags = a.flags();
    let file = super::open_trace(&a.file)?;
    let (data, framing) = complete_generations(&a.file, file.bytes())?;
    let progress = GenerationProgress::new(&framing, 1);
    let result = mmu::mutator_utilization(data, flags, &mut |n| progress.generation(n));
    progress.finish();
    let (first, util) = result.map_err(|e| format!("{}: {e}", a.file.display()))?;
    let series: Vec<usize> = util.iter().map(Vec::len).collect();
    let curve = MmuCurve::new(util);
    if curve.is_empty() {
        return Err(format!(
            "{}: no utilization data (the trace never reports GOMAXPROCS)",
            a.file.display()
        ));
    }
    let mut report = Report {
        file: a.file.display().to_string(),
        flags: flags.names(),
        first_event_ns: first,
        series,
        plot: None,
        worst: None,
    };
    if let Some(w) = window {
        report.worst = Some(Worst {
            window_ns: w,
            windows: curve
                .examples(w, a.worst)
                .into_iter()
                .map(|u| WorstWindow {
                    time_ns: u.time,
                    offset_ns: u.time - first,
                    mutator_util: u.mutator_util,
                })
                .collect(),
        });
    } else {
        let quantiles: &[f64] = if a.percentiles { &PLOT_QUANTILES } else { &[] };
        report.plot = curve.plot(quantiles).map(|p| Plot {
            x_min: p.x_min,
            x_max: p.x_max,
            quantiles: p.quantiles,
            curve: p.curve,
        });
    }
    if a.json {
        let s = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        println!("{s}");
    } else {
        print_text(&report);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_text(r: &Report) {
    let n = r.series.len();
    println!(
        "Mutator utilization ({}), {n} function{}",
        r.flags,
        if n == 1 { "" } else { "s (one per P)" }
    );
    if let Some(w) = &r.worst {
        println!(
            "Lowest mutator utilization in {} windows:",
            format_duration(w.window_ns)
        );
        println!(
            "  {:>16}  {:>20}  {:>11}",
            "from start", "time (ns)", "utilization"
        );
        for u in &w.windows {
            println!(
                "  {:>16}  {:>20}  {:>10.2}%",
                format_duration(u.offset_ns),
                u.time_ns,
                u.mutator_util * 100.0
            );
        }
    }
    if let Some(p) = &r.plot {
        if p.quantiles.is_empty() {
            println!("  {:>12}  {:>8}", "window", "MMU");
        } else {
            let heads: Vec<String> = p
                .quantiles
                .iter()
                .map(|&q| {
                    if q == 0.0 {
                        "MMU".to_string()
                    } else {
                        format!("p{}", (q * 1000.0).round() / 10.0)
                    }
                })
                .map(|h| format!("{h:>8}"))
                .collect();
            println!("  {:>12}  {}", "window", heads.join("  "));
        }
        for point in &p.curve {
            let Some((w, vals)) = point.split_first() else {
                continue;
            };
            let vals: Vec<String> = vals.iter().map(|v| format!("{v:>8.4}")).collect();
            println!("  {:>12}  {}", format_duration(*w as i64), vals.join("  "));
        }
    }
}
