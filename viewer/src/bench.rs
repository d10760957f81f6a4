//! Headless benchmark: load a trace the way the window does, then render
//! frames (egui layout + tessellation, no GPU) fully zoomed out and at
//! 1 µs per 100 px, and report frame times, time to the first interactive
//! frame and peak memory.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::model::{Model, Source};
use crate::ui::ViewerApp;

/// Benchmark settings.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Frames rendered per zoom level.
    pub frames: usize,
    /// Window size in points.
    pub size: [f32; 2],
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            frames: 200,
            size: [1440.0, 900.0],
        }
    }
}

/// Frame time statistics of one zoom level.
#[derive(Debug, Clone)]
pub struct ZoomStats {
    /// What was measured.
    pub name: String,
    /// Median frame time.
    pub p50: Duration,
    /// 99th percentile.
    pub p99: Duration,
    /// Worst frame.
    pub max: Duration,
    /// Spans and runs drawn per frame (median).
    pub drawn: usize,
}

/// Results.
#[derive(Debug, Clone)]
pub struct BenchReport {
    /// Input size.
    pub file_size: u64,
    /// Events.
    pub events: u64,
    /// Goroutines.
    pub goroutines: usize,
    /// First frame (window content, loading screen).
    pub first_frame: Duration,
    /// First frame showing trace data (a preview for big traces).
    pub first_data_frame: Duration,
    /// Fully loaded.
    pub loaded: Duration,
    /// Approximate heap size of the model.
    pub model_bytes: usize,
    /// The same by part.
    pub model_parts: Vec<(&'static str, usize)>,
    /// Peak resident set size (VmHWM), if known.
    pub peak_rss: Option<u64>,
    /// Resident set size once loaded.
    pub loaded_rss: Option<u64>,
    /// Per zoom level.
    pub zooms: Vec<ZoomStats>,
    /// What rendered the frames.
    pub renderer: String,
}

impl std::fmt::Display for BenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mb = |b: u64| b as f64 / 1e6;
        writeln!(
            f,
            "file: {:.1} MB, {} events, {} goroutines",
            mb(self.file_size),
            self.events,
            self.goroutines
        )?;
        writeln!(
            f,
            "first frame:              {:>8.1} ms",
            ms(self.first_frame)
        )?;
        writeln!(
            f,
            "first frame with data:    {:>8.1} ms",
            ms(self.first_data_frame)
        )?;
        writeln!(f, "fully loaded:             {:>8.1} ms", ms(self.loaded))?;
        writeln!(
            f,
            "model heap:               {:>8.1} MB",
            mb(self.model_bytes as u64)
        )?;
        let parts: Vec<String> = self
            .model_parts
            .iter()
            .map(|(n, b)| format!("{n} {:.1}", mb(*b as u64)))
            .collect();
        writeln!(f, "  ({} MB)", parts.join(", "))?;
        if let Some(r) = self.loaded_rss {
            writeln!(f, "RSS when loaded:          {:>8.1} MB", mb(r))?;
        }
        if let Some(r) = self.peak_rss {
            writeln!(
                f,
                "peak RSS:                 {:>8.1} MB ({:.2}x the file)",
                mb(r),
                r as f64 / self.file_size.max(1) as f64
            )?;
        }
        writeln!(f, "renderer: {}", self.renderer)?;
        for z in &self.zooms {
            writeln!(
                f,
                "{:<28} frame p50 {:>6.2} ms  p99 {:>6.2} ms  max {:>6.2} ms  ({} spans/runs drawn)",
                z.name,
                ms(z.p50),
                ms(z.p99),
                ms(z.max),
                z.drawn
            )?;
        }
        Ok(())
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Peak resident set size of this process (Linux `VmHWM`).
pub fn peak_rss() -> Option<u64> {
    status_kb("VmHWM:")
}

/// Current resident set size (Linux `VmRSS`).
pub fn rss_now() -> Option<u64> {
    status_kb("VmRSS:")
}

fn status_kb(key: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(key))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// A headless egui frame driver.
struct Headless {
    ctx: egui::Context,
    size: [f32; 2],
    time: f64,
}

impl Headless {
    fn frame(&mut self, app: &mut ViewerApp, events: Vec<egui::Event>) -> Duration {
        let t = Instant::now();
        self.time += 1.0 / 60.0;
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                self.size.into(),
            )),
            time: Some(self.time),
            events,
            ..Default::default()
        };
        let out = self.ctx.run_ui(input, |ui| app.show(ui));
        let prims = self.ctx.tessellate(out.shapes, out.pixels_per_point);
        std::hint::black_box(prims);
        t.elapsed()
    }
}

/// Runs the benchmark on `src`.
pub fn run(src: Source, opts: &BenchOptions) -> Result<BenchReport, String> {
    let start = Instant::now();
    let ctx = egui::Context::default();
    let mut h = Headless {
        ctx: ctx.clone(),
        size: opts.size,
        time: 0.0,
    };
    let mut app = ViewerApp::new(Some(src), &ctx);
    // The side panel's goroutine analysis is a separate pass over the file;
    // keep it out of the measurement.
    app.panels.tab = crate::ui::panels::Tab::Tasks;
    h.frame(&mut app, Vec::new());
    let first_frame = start.elapsed();
    let mut first_data = None;
    while !app.loaded() {
        h.frame(&mut app, Vec::new());
        if first_data.is_none() && app.model.is_some() {
            first_data = Some(start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let loaded = start.elapsed();
    let first_data = first_data.unwrap_or(loaded);
    let Some(model) = app.model.clone() else {
        return Err(app
            .load_error
            .clone()
            .unwrap_or_else(|| "nothing loaded".into()));
    };
    let rss_loaded = rss_now();
    let mut zooms = Vec::new();
    for (level, name) in LEVELS.iter().enumerate() {
        let mut times = Vec::with_capacity(opts.frames);
        let mut drawn = Vec::with_capacity(opts.frames);
        for i in 0..opts.frames + WARMUP {
            set_view(&mut app, &model, level, i);
            let pointer = egui::Event::PointerMoved(egui::pos2(
                opts.size[0] * 0.6,
                opts.size[1] * 0.3 + (i % 7) as f32,
            ));
            let d = h.frame(&mut app, vec![pointer]);
            if i >= WARMUP {
                times.push(d);
                drawn.push(app.timeline.drawn);
            }
        }
        zooms.push(ZoomStats::of(name, times, drawn));
    }
    Ok(BenchReport {
        file_size: model.size,
        events: model.events,
        goroutines: model.goroutines.len(),
        first_frame,
        first_data_frame: first_data,
        loaded,
        model_bytes: model.heap_bytes(),
        model_parts: model.memory(),
        peak_rss: peak_rss(),
        loaded_rss: rss_loaded,
        zooms,
        renderer: "none (headless: egui layout and tessellation on the CPU)".into(),
    })
}

/// The zoom levels measured.
const LEVELS: [&str; 2] = ["fully zoomed out", "1 µs per 100 px"];
/// Frames rendered before measuring each level.
const WARMUP: usize = 3;

/// Sets the view for frame `i` of zoom level `level`: fully zoomed out while
/// scrolling through the goroutine list, or 10 ns per pixel in the middle of
/// the trace while panning.
fn set_view(app: &mut ViewerApp, model: &Model, level: usize, i: usize) {
    let full = (model.start, model.end);
    if level == 0 {
        app.view.set_range(full.0, full.1);
        app.timeline.scroll_y = (i % 50) as f64 * 40.0;
    } else {
        let w = app.timeline.track_rect.width().max(100.0) as i64;
        let len = w * 10;
        let mid = full.0 + (full.1 - full.0) / 2 + i as i64 * 37;
        app.view.set_range(mid - len / 2, mid - len / 2 + len);
        app.timeline.scroll_y = 0.0;
    }
}

impl ZoomStats {
    fn of(name: &str, mut times: Vec<Duration>, mut drawn: Vec<usize>) -> ZoomStats {
        times.sort();
        drawn.sort();
        let pick = |q: f64| {
            times
                .get(((times.len().max(1) - 1) as f64 * q).round() as usize)
                .copied()
                .unwrap_or_default()
        };
        ZoomStats {
            name: name.to_string(),
            p50: pick(0.5),
            p99: pick(0.99),
            max: times.last().copied().unwrap_or_default(),
            drawn: drawn.get(drawn.len() / 2).copied().unwrap_or(0),
        }
    }
}

/// Runs the benchmark in a real window (needs a display): frame times are
/// the intervals between frames, so they include rendering by the OpenGL
/// driver (under Xvfb, Mesa's llvmpipe software rasterizer).
pub fn run_window(src: Source, opts: &BenchOptions) -> Result<BenchReport, String> {
    if !crate::has_display() {
        return Err("--window needs a display (DISPLAY or WAYLAND_DISPLAY)".into());
    }
    let out: Arc<Mutex<Option<BenchReport>>> = Arc::default();
    let out2 = out.clone();
    let frames = opts.frames;
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("gotrace view --bench --window")
            .with_inner_size(opts.size),
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    let start = Instant::now();
    eframe::run_native(
        "gotrace-bench",
        native,
        Box::new(move |cc| {
            let mut app = ViewerApp::new(Some(src), &cc.egui_ctx);
            app.panels.tab = crate::ui::panels::Tab::Tasks;
            Ok(Box::new(WindowBench {
                app,
                start,
                frames,
                first_frame: None,
                first_data: None,
                loaded: None,
                rss_loaded: None,
                level: None,
                i: 0,
                last: None,
                times: Vec::new(),
                drawn: Vec::new(),
                zooms: Vec::new(),
                renderer: String::new(),
                out: out2,
            }))
        }),
    )
    .map_err(|e| format!("cannot open the benchmark window: {e}"))?;
    let r = out.lock().ok().and_then(|mut g| g.take());
    r.ok_or_else(|| "the window closed before the benchmark finished".into())
}

struct WindowBench {
    app: ViewerApp,
    start: Instant,
    frames: usize,
    first_frame: Option<Duration>,
    first_data: Option<Duration>,
    loaded: Option<Duration>,
    rss_loaded: Option<u64>,
    level: Option<usize>,
    i: usize,
    last: Option<Instant>,
    times: Vec<Duration>,
    drawn: Vec<usize>,
    zooms: Vec<ZoomStats>,
    renderer: String,
    out: Arc<Mutex<Option<BenchReport>>>,
}

impl eframe::App for WindowBench {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        let now = Instant::now();
        let ctx = ui.ctx().clone();
        if self.renderer.is_empty()
            && let Some(gl) = frame.gl()
        {
            use eframe::glow::HasContext as _;
            // SAFETY: called on the thread that owns the current GL context,
            // as eframe does for its own painting.
            let (vendor, renderer) = unsafe {
                (
                    gl.get_parameter_string(eframe::glow::VENDOR),
                    gl.get_parameter_string(eframe::glow::RENDERER),
                )
            };
            self.renderer = format!("OpenGL via glow: {renderer} ({vendor})");
        }
        let Some(level) = self.level else {
            self.app.show(ui);
            self.first_frame.get_or_insert(self.start.elapsed());
            if self.first_data.is_none() && self.app.model.is_some() {
                self.first_data = Some(self.start.elapsed());
            }
            if self.app.loaded() {
                self.loaded = Some(self.start.elapsed());
                self.rss_loaded = rss_now();
                self.level = Some(0);
            }
            ctx.request_repaint();
            return;
        };
        let Some(model) = self.app.model.clone() else {
            self.finish(&ctx);
            return;
        };
        if self.i >= WARMUP
            && let Some(last) = self.last
        {
            self.times.push(now - last);
            self.drawn.push(self.app.timeline.drawn);
        }
        if self.i >= self.frames + WARMUP {
            self.zooms.push(ZoomStats::of(
                LEVELS[level],
                std::mem::take(&mut self.times),
                std::mem::take(&mut self.drawn),
            ));
            self.i = 0;
            self.last = None;
            if level + 1 < LEVELS.len() {
                self.level = Some(level + 1);
            } else {
                self.finish(&ctx);
                return;
            }
        }
        let level = self.level.unwrap_or(level);
        set_view(&mut self.app, &model, level, self.i);
        self.app.show(ui);
        self.i += 1;
        self.last = Some(now);
        ctx.request_repaint();
    }
}

impl WindowBench {
    fn finish(&mut self, ctx: &egui::Context) {
        let report = self.app.model.as_ref().map(|model| BenchReport {
            file_size: model.size,
            events: model.events,
            goroutines: model.goroutines.len(),
            first_frame: self.first_frame.unwrap_or_default(),
            first_data_frame: self.first_data.unwrap_or_default(),
            loaded: self.loaded.unwrap_or_default(),
            model_bytes: model.heap_bytes(),
            model_parts: model.memory(),
            peak_rss: peak_rss(),
            loaded_rss: self.rss_loaded,
            zooms: std::mem::take(&mut self.zooms),
            renderer: std::mem::take(&mut self.renderer),
        });
        if let (Some(r), Ok(mut g)) = (report, self.out.lock()) {
            *g = Some(r);
        }
        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
    }
}
