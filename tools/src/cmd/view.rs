//! `gotrace view`: the desktop viewer (the `viewer` crate), its screenshot
//! mode for CI, and its headless benchmark.

use std::path::PathBuf;
use std::process::ExitCode;

use viewer::Source;

/// Arguments of `gotrace view`.
#[derive(clap::Args)]
#[command(after_help = "\
Keys: Ctrl+wheel or W/S zoom, drag or A/D pan, drag on the time ruler (or Shift+drag) \
selects a time range, Z zooms to it, F fits, Backspace goes back. Click anything for \
details; Help → Keys and mouse lists the rest.

--bench needs no display: it renders frames headless (egui layout and tessellation, \
no GPU) fully zoomed out and at 1 µs per 100 px, and prints frame times, the time to \
the first frame with data and the peak RSS. --bench --window does the same in a real \
window, timing whole frames including OpenGL rasterization (llvmpipe under Xvfb).")]
pub struct Args {
    /// Trace file (default: a small example trace bundled with gotrace).
    file: Option<PathBuf>,
    /// Render the first complete frame after loading to this PNG and exit.
    #[arg(long, value_name = "PNG")]
    screenshot: Option<PathBuf>,
    /// Headless benchmark instead of a window.
    #[arg(long)]
    bench: bool,
    /// Frames per zoom level for --bench.
    #[arg(long, default_value_t = 200, value_name = "N")]
    frames: usize,
    /// With --bench: render in a real window (needs a display), timing whole
    /// frames including the OpenGL driver's rasterization.
    #[arg(long, requires = "bench")]
    window: bool,
}

/// Runs the command.
pub fn run(a: Args) -> Result<ExitCode, String> {
    let source = match a.file {
        Some(p) => Source::Path(p),
        None => viewer::example_source(),
    };
    if a.bench {
        if a.frames == 0 {
            eprintln!("gotrace view: --frames must be at least 1");
            return Ok(ExitCode::from(2));
        }
        let opts = viewer::bench::BenchOptions {
            frames: a.frames,
            ..Default::default()
        };
        let report = if a.window {
            viewer::bench::run_window(source, &opts)?
        } else {
            viewer::bench::run(source, &opts)?
        };
        print!("{report}");
        return Ok(ExitCode::SUCCESS);
    }
    viewer::run(viewer::Options {
        source,
        screenshot: a.screenshot.clone(),
    })?;
    if let Some(p) = a.screenshot {
        eprintln!("gotrace view: wrote {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}
