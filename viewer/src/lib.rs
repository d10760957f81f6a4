//! gotrace viewer: a desktop window (egui/eframe) for Go execution traces.
//!
//! [`model`] turns a trace into compact per-goroutine, per-P and per-M tracks
//! without any GUI code; [`ui`] draws them; [`bench`] measures both headless.

pub mod bench;
pub mod model;
pub mod ui;

use std::path::PathBuf;
use std::sync::Arc;

pub use model::Source;
pub use ui::ViewerApp;

/// The example trace bundled with the viewer (`fixtures/traces/example.trace`).
pub static EXAMPLE_TRACE: &[u8] = include_bytes!("../../fixtures/traces/example.trace");

/// The bundled example trace as a source.
pub fn example_source() -> Source {
    Source::Bytes {
        name: "example.trace (bundled)".into(),
        data: Arc::from(EXAMPLE_TRACE),
    }
}

/// Whether a graphical display seems available (X11 or Wayland).
pub fn has_display() -> bool {
    let set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
    set("DISPLAY") || set("WAYLAND_DISPLAY") || set("WAYLAND_SOCKET")
}

/// How to run the window.
#[derive(Debug, Clone)]
pub struct Options {
    /// Trace to open.
    pub source: Source,
    /// Save the first complete frame (after loading) here and exit.
    pub screenshot: Option<PathBuf>,
}

/// Seconds after which a screenshot run gives up.
pub const SCREENSHOT_TIMEOUT_SECS: u64 = 60;

/// Opens the viewer window and runs until it is closed.
pub fn run(opts: Options) -> Result<(), String> {
    if !has_display() {
        return Err(
            "no display (DISPLAY and WAYLAND_DISPLAY are unset), so the viewer cannot open a window; \
             use `gotrace stats`, `gotrace goroutines` or `gotrace pprof` for text analyses"
                .into(),
        );
    }
    let shot = opts.screenshot.clone();
    if shot.is_some() {
        std::thread::spawn(|| {
            std::thread::sleep(std::time::Duration::from_secs(SCREENSHOT_TIMEOUT_SECS));
            eprintln!("gotrace view: no screenshot after {SCREENSHOT_TIMEOUT_SECS} s, giving up");
            std::process::exit(3);
        });
    }
    let title = format!("{} — gotrace", opts.source.name());
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(title)
            .with_inner_size([1440.0, 900.0])
            .with_min_inner_size([640.0, 400.0])
            .with_drag_and_drop(true),
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    let result: Arc<std::sync::Mutex<Option<Result<(), String>>>> = Arc::default();
    let r2 = result.clone();
    eframe::run_native(
        "gotrace",
        native,
        Box::new(move |cc| {
            let mut app = ViewerApp::new(Some(opts.source), &cc.egui_ctx);
            if let Some(p) = shot {
                app.screenshot_to(p);
            }
            Ok(Box::new(ResultApp { app, result: r2 }))
        }),
    )
    .map_err(|e| format!("cannot open the viewer window: {e}"))?;
    let r = result.lock().ok().and_then(|mut g| g.take());
    match (opts.screenshot, r) {
        (Some(_), Some(r)) => r,
        (Some(_), None) => Err("the window closed before the screenshot was taken".into()),
        (None, _) => Ok(()),
    }
}

/// Passes the screenshot result out of eframe.
struct ResultApp {
    app: ViewerApp,
    result: Arc<std::sync::Mutex<Option<Result<(), String>>>>,
}

impl eframe::App for ResultApp {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        eframe::App::ui(&mut self.app, ui, frame);
        if let Some(r) = self.app.screenshot_result.take()
            && let Ok(mut g) = self.result.lock()
        {
            *g = Some(r);
        }
    }
}
