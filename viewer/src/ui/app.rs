//! The application: loading, menus and toolbar, layout of the panels and the
//! timeline, actions, file opening (menu, drag and drop) and screenshots.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use egui::{Color32, Key, RichText, Ui};

use crate::model::{LoadHandle, LoadMsg, Model, Progress, Source, load, load_threads};

use super::Action;
use super::details;
use super::jobs::Job;
use super::panels::{Panels, Tab};
use super::rows::{Filter, Rows, Section};
use super::timeline::{self, TimelineState};
use super::view::{ResourceMode, Selected, ViewState};

/// Building the thread tracks of a model (by address): the job and its progress.
type ThreadsJob = (usize, Job<Result<(), String>>, Arc<Progress>);

/// Saving a screenshot of the first complete frame.
struct Screenshot {
    path: PathBuf,
    settled: u32,
    requested: bool,
    done: Arc<Mutex<Option<Result<(), String>>>>,
}

/// The viewer application.
pub struct ViewerApp {
    /// What is loaded (or loading).
    pub source: Option<Source>,
    loading: Option<LoadHandle>,
    /// The loaded model (or a preview while loading).
    pub model: Option<Arc<Model>>,
    /// Why loading failed entirely.
    pub load_error: Option<String>,
    /// View state.
    pub view: ViewState,
    /// Timeline state.
    pub timeline: TimelineState,
    /// The track list.
    pub rows: Rows,
    rows_key: Option<(usize, ResourceMode, Filter, [bool; 2], bool)>,
    threads_job: Option<ThreadsJob>,
    /// Goroutine filter.
    pub filter: Filter,
    /// Side panels.
    pub panels: Panels,
    show_panels: bool,
    show_help: bool,
    open_dialog: Option<OpenDialog>,
    screenshot: Option<Screenshot>,
    /// Result of the screenshot, once written.
    pub screenshot_result: Option<Result<(), String>>,
    /// Frames drawn.
    pub frames: u64,
    /// Set when the app asked to close.
    pub quit: Arc<AtomicBool>,
    fonts: bool,
}

impl ViewerApp {
    /// Starts loading `src`; `ctx` is repainted when loading progresses.
    pub fn new(src: Option<Source>, ctx: &egui::Context) -> Self {
        let mut app = Self::empty();
        if let Some(s) = src {
            app.open(s, ctx);
        }
        app
    }

    /// An application showing an already loaded model (tests, benchmarks).
    pub fn with_model(model: Arc<Model>, src: Option<Source>) -> Self {
        let mut app = Self::empty();
        app.source = src;
        app.set_model(model);
        app
    }

    fn empty() -> Self {
        ViewerApp {
            source: None,
            loading: None,
            model: None,
            load_error: None,
            view: ViewState::new(0, 1),
            timeline: TimelineState::new(&Model::default()),
            rows: Rows::default(),
            rows_key: None,
            threads_job: None,
            filter: Filter::default(),
            panels: Panels::default(),
            show_panels: true,
            show_help: false,
            open_dialog: None,
            screenshot: None,
            screenshot_result: None,
            frames: 0,
            quit: Arc::new(AtomicBool::new(false)),
            fonts: false,
        }
    }

    /// Saves a PNG of the first complete frame after loading, then closes.
    pub fn screenshot_to(&mut self, path: PathBuf) {
        self.screenshot = Some(Screenshot {
            path,
            settled: 0,
            requested: false,
            done: Arc::new(Mutex::new(None)),
        });
    }

    /// Opens a trace.
    pub fn open(&mut self, src: Source, ctx: &egui::Context) {
        if let Some(l) = &self.loading {
            l.cancel();
        }
        let c = ctx.clone();
        self.loading = Some(load(src.clone(), move || c.request_repaint()));
        self.source = Some(src);
        self.model = None;
        self.load_error = None;
        self.filter = Filter::default();
        self.panels = Panels::default();
        self.rows_key = None;
    }

    /// Whether loading has finished (successfully or not).
    pub fn loaded(&self) -> bool {
        self.loading.is_none() && (self.model.is_some() || self.load_error.is_some())
    }

    fn poll_loader(&mut self) {
        let Some(l) = &self.loading else { return };
        let msgs: Vec<LoadMsg> = l.rx.try_iter().collect();
        let mut finished = false;
        for msg in msgs {
            match msg {
                LoadMsg::Preview(m) => self.set_model(m),
                LoadMsg::Done(m) => {
                    self.set_model(m);
                    finished = true;
                }
                LoadMsg::Failed(e) => {
                    self.load_error = Some(e);
                    finished = true;
                }
            }
        }
        if finished {
            self.loading = None;
        }
    }

    fn set_model(&mut self, m: Arc<Model>) {
        let first = self.model.is_none();
        if first {
            self.view = ViewState::new(m.start, m.end);
        } else {
            let full = (self.view.start, self.view.end) == self.view.bounds;
            self.view.bounds = (m.start, m.end.max(m.start + 1));
            if full {
                self.view.set_range(m.start, m.end);
            }
        }
        let scroll = self.timeline.scroll_y;
        self.timeline = TimelineState::new(&m);
        self.timeline.scroll_y = scroll;
        self.model = Some(m);
        self.rows_key = None;
    }

    /// Starts building the thread tracks when the thread view is shown;
    /// returns a note for the section header while they are not ready.
    fn ensure_threads(&mut self, ctx: &egui::Context) -> Option<String> {
        let m = self.model.as_ref()?;
        if self.view.resources != ResourceMode::Threads || m.thread_tracks.get().is_some() {
            return None;
        }
        if !m.complete && m.error.is_none() {
            return Some("after loading…".into());
        }
        let key = Arc::as_ptr(m) as usize;
        if self.threads_job.as_ref().is_none_or(|j| j.0 != key) {
            let Some(src) = self.source.clone() else {
                return Some("unavailable".into());
            };
            let (m2, c) = (m.clone(), ctx.clone());
            let progress = Arc::new(Progress::default());
            let p2 = progress.clone();
            let job = Job::spawn(
                move |_| {
                    Some(match load_threads(&src, &m2, &p2) {
                        Ok(Some(t)) => {
                            let _ = m2.thread_tracks.set(t);
                            Ok(())
                        }
                        Ok(None) => Ok(()),
                        Err(e) => Err(e),
                    })
                },
                move || c.request_repaint(),
            );
            self.threads_job = Some((key, job, progress));
        }
        let (_, job, progress) = self.threads_job.as_ref()?;
        if let Some(Err(e)) = job.take() {
            return Some(format!("failed: {e}"));
        }
        ctx.request_repaint_after(std::time::Duration::from_millis(100));
        Some(format!(
            "reading thread timelines… {:.0}%",
            progress.fraction() * 100.0
        ))
    }

    /// Whether the thread tracks are being built.
    pub fn threads_busy(&self) -> bool {
        self.view.resources == ResourceMode::Threads
            && self
                .model
                .as_ref()
                .is_some_and(|m| m.thread_tracks.get().is_none())
    }

    fn ensure_rows(&mut self) {
        let Some(m) = &self.model else { return };
        let key = (
            Arc::as_ptr(m) as usize,
            self.view.resources,
            self.filter.clone(),
            self.rows.collapsed,
            m.thread_tracks.get().is_some(),
        );
        if self.rows_key.as_ref() != Some(&key) {
            self.rows = Rows::new(m, self.view.resources, &self.filter, self.rows.collapsed);
            self.rows_key = Some(key);
        }
    }

    /// Applies an action from a panel or the timeline.
    pub fn apply(&mut self, a: Action) {
        let Some(m) = self.model.clone() else { return };
        match a {
            Action::Select(s) => {
                if s.is_none() && self.view.selected.is_none() {
                    self.view.selection = None;
                }
                self.view.selected = s;
            }
            Action::ShowGoroutine { g, at } => {
                self.ensure_rows();
                if !self.rows.goroutines.contains(&g) {
                    self.filter = Filter::default();
                }
                self.rows.collapsed[1] = false;
                self.rows_key = None;
                self.ensure_rows();
                if let Some(y) = self.rows.y_of_goroutine(g) {
                    self.timeline.scroll_to(y);
                }
                match at.and_then(|t| m.goroutine_span_at(g, t).map(|s| (t, s))) {
                    Some((t, s)) => {
                        self.view.selected = Some(Selected::GSpan { g, span: s });
                        let len = self.view.len();
                        if t < self.view.start || t > self.view.end {
                            self.view.navigate(t - len / 2, t + len / 2);
                        }
                    }
                    None => self.view.selected = Some(Selected::Goroutine(g)),
                }
            }
            Action::ShowTask(id) => {
                self.filter.task = Some(id);
                self.filter.text.clear();
                self.view.selected = Some(Selected::Task(id));
                self.timeline.scroll_y = 0.0;
                if let Some(t) = m.annotations.task(id) {
                    let (a, b) = (t.start.unwrap_or(m.start), t.end.unwrap_or(m.end));
                    let pad = (b - a) / 20 + 1;
                    self.view.navigate(a - pad, b + pad);
                }
            }
            Action::ClearTask => self.filter.task = None,
            Action::Reveal(a, b) => self.view.navigate(a, b),
            Action::ToggleSection(s) => {
                let i = match s {
                    Section::Resources => 0,
                    Section::Goroutines => 1,
                };
                self.rows.collapsed[i] = !self.rows.collapsed[i];
            }
            Action::Search(t) => {
                self.filter.text = t;
                self.timeline.scroll_y = 0.0;
            }
        }
    }

    /// Draws the whole application into `ui`.
    pub fn show(&mut self, ui: &mut Ui) {
        self.frames += 1;
        self.poll_loader();
        let ctx = ui.ctx().clone();
        if !self.fonts {
            install_fonts(&ctx);
            self.fonts = true;
        }
        // Drag and drop.
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if let Some(p) = dropped.into_iter().next() {
            self.open(Source::Path(p), &ctx);
        }
        if ctx.input(|i| i.modifiers.command && i.key_pressed(Key::O)) {
            self.open_dialog = Some(OpenDialog::new());
        }
        let mut actions = Vec::new();
        let had_selection = self.view.selection;
        egui::Panel::top("menu").show(ui, |ui| {
            egui::MenuBar::new().ui(ui, |ui| self.menu(ui, &ctx));
        });
        egui::Panel::top("toolbar").show(ui, |ui| self.toolbar(ui));
        let Some(model) = self.model.clone() else {
            egui::CentralPanel::default().show(ui, |ui| self.placeholder(ui));
            self.dialogs(&ctx);
            self.screenshot_step(&ctx);
            return;
        };
        self.timeline.resources_note = self.ensure_threads(&ctx);
        self.ensure_rows();
        if let Some(e) = &model.error {
            egui::Panel::top("error").show(ui, |ui| {
                ui.colored_label(Color32::from_rgb(255, 140, 120), format!("Warning: {e}"));
            });
        }
        egui::Panel::bottom("details")
            .resizable(true)
            .default_size(240.0)
            .min_size(140.0)
            .show(ui, |ui| {
                actions.extend(details::show(ui, &model, &self.view));
            });
        if self.show_panels {
            egui::Panel::left("side")
                .resizable(true)
                .default_size(380.0)
                .max_size(720.0)
                .min_size(200.0)
                .show(ui, |ui| {
                    actions.extend(
                        self.panels
                            .show(ui, &model, self.source.as_ref(), &self.view),
                    );
                });
        }
        egui::CentralPanel::default()
            .frame(egui::Frame::NONE)
            .show(ui, |ui| {
                actions.extend(timeline::show(
                    ui,
                    &model,
                    &mut self.view,
                    &self.rows,
                    &mut self.timeline,
                ));
            });
        for a in actions {
            self.apply(a);
        }
        if self.view.selection.is_some() && self.view.selection != had_selection {
            self.panels.tab = Tab::Selection;
        }
        self.dialogs(&ctx);
        self.screenshot_step(&ctx);
    }

    fn menu(&mut self, ui: &mut Ui, ctx: &egui::Context) {
        ui.menu_button("File", |ui| {
            if ui.button("Open…  (Ctrl+O)").clicked() {
                self.open_dialog = Some(OpenDialog::new());
            }
            if ui.button("Open the example trace").clicked() {
                self.open(crate::example_source(), ctx);
            }
            ui.separator();
            if ui.button("Quit").clicked() {
                self.quit.store(true, Ordering::Relaxed);
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        });
        ui.menu_button("View", |ui| {
            if ui
                .radio(
                    self.view.resources == ResourceMode::Procs,
                    "Per-P timelines",
                )
                .clicked()
            {
                self.view.resources = ResourceMode::Procs;
            }
            if ui
                .radio(
                    self.view.resources == ResourceMode::Threads,
                    "Per-thread (M) timelines",
                )
                .clicked()
            {
                self.view.resources = ResourceMode::Threads;
            }
            ui.separator();
            ui.checkbox(&mut self.show_panels, "Side panel");
        });
        ui.menu_button("Navigate", |ui| {
            if ui
                .add_enabled(self.view.can_back(), egui::Button::new("Back  (Backspace)"))
                .clicked()
            {
                self.view.back();
            }
            if ui
                .add_enabled(
                    self.view.can_forward(),
                    egui::Button::new("Forward  (Alt+→)"),
                )
                .clicked()
            {
                self.view.forward();
            }
            if ui.button("Zoom to fit  (F)").clicked() {
                self.view.fit();
            }
            if ui
                .add_enabled(
                    self.view.selection.is_some(),
                    egui::Button::new("Zoom to selection  (Z)"),
                )
                .clicked()
            {
                self.view.zoom_to_selection();
            }
        });
        ui.menu_button("Help", |ui| {
            if ui.button("Keys and mouse").clicked() {
                self.show_help = true;
            }
        });
    }

    fn toolbar(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            let v = &mut self.view;
            if ui
                .add_enabled(v.can_back(), egui::Button::new("⬅"))
                .on_hover_text("Back (Backspace)")
                .clicked()
            {
                v.back();
            }
            if ui
                .add_enabled(v.can_forward(), egui::Button::new("➡"))
                .on_hover_text("Forward (Alt+→)")
                .clicked()
            {
                v.forward();
            }
            if ui.button("Fit").on_hover_text("Zoom to fit (F)").clicked() {
                v.fit();
            }
            if ui
                .add_enabled(
                    v.selection.is_some(),
                    egui::Button::new("Zoom to selection"),
                )
                .on_hover_text("Z")
                .clicked()
            {
                v.zoom_to_selection();
            }
            ui.separator();
            ui.selectable_value(&mut v.resources, ResourceMode::Procs, "Procs");
            ui.selectable_value(&mut v.resources, ResourceMode::Threads, "Threads");
            ui.separator();
            ui.label("Search goroutines:");
            let r = ui.add(
                egui::TextEdit::singleline(&mut self.filter.text)
                    .hint_text("function, G123 or task:<id|type>")
                    .desired_width(220.0),
            );
            if r.changed() {
                self.timeline.scroll_y = 0.0;
            }
            if !self.filter.text.is_empty() && ui.small_button("×").clicked() {
                self.filter.text.clear();
            }
            match self.filter.active {
                None => {
                    if ui
                        .button("Active in view")
                        .on_hover_text(
                            "list only the goroutines that do something in the visible time range",
                        )
                        .clicked()
                    {
                        self.filter.active = Some((self.view.start, self.view.end));
                        self.timeline.scroll_y = 0.0;
                    }
                }
                Some((a, b)) => {
                    let origin = self.model.as_ref().map_or(0, |m| m.start);
                    let label = format!(
                        "active in {} – {} ×",
                        super::theme::dur(a - origin),
                        super::theme::dur(b - origin)
                    );
                    if ui
                        .button(label)
                        .on_hover_text("list all goroutines again")
                        .clicked()
                    {
                        self.filter.active = None;
                    }
                }
            }
            if let Some(t) = self.filter.task {
                let label = self
                    .model
                    .as_ref()
                    .and_then(|m| {
                        m.annotations
                            .task(t)
                            .map(|x| m.strings.get(x.typ).to_string())
                    })
                    .unwrap_or_default();
                if ui
                    .button(format!("task {t} \"{label}\" ×"))
                    .on_hover_text("showing only this task's goroutines; click to show all")
                    .clicked()
                {
                    self.filter.task = None;
                }
            }
            ui.separator();
            if let Some(l) = &self.loading {
                ui.add(
                    egui::ProgressBar::new(l.progress.fraction())
                        .desired_width(160.0)
                        .show_percentage(),
                );
                ui.label(l.progress.stage());
            } else if let Some(m) = &self.model {
                ui.label(format!(
                    "{} · {} · {} · {} events · {} goroutines · {}",
                    m.name,
                    m.version,
                    super::theme::bytes(m.size),
                    m.events,
                    m.goroutines.len(),
                    super::theme::dur(m.duration()),
                ));
            }
        });
    }

    fn placeholder(&mut self, ui: &mut Ui) {
        ui.vertical_centered(|ui| {
            ui.add_space(ui.available_height() / 3.0);
            if let Some(l) = &self.loading {
                let name = self.source.as_ref().map(|s| s.name()).unwrap_or_default();
                ui.heading(format!("Loading {name}"));
                ui.add(egui::ProgressBar::new(l.progress.fraction()).desired_width(400.0).show_percentage());
                ui.label(l.progress.stage());
                if ui.button("Cancel").clicked() {
                    l.cancel();
                }
            } else if let Some(e) = &self.load_error {
                ui.heading(RichText::new("Cannot open this trace").color(Color32::from_rgb(255, 140, 120)));
                ui.label(e);
                ui.add_space(8.0);
                if ui.button("Open another file…").clicked() {
                    self.open_dialog = Some(OpenDialog::new());
                }
            } else {
                ui.heading("gotrace viewer");
                ui.label("Open a Go execution trace (File → Open, Ctrl+O) or drop a file on this window.");
            }
        });
    }

    fn dialogs(&mut self, ctx: &egui::Context) {
        if self.show_help {
            egui::Window::new("Keys and mouse")
                .open(&mut self.show_help)
                .show(ctx, |ui| {
                    for (k, v) in [
                        ("Ctrl+wheel, W / S", "zoom in / out around the pointer"),
                        ("drag, A / D, Shift+wheel", "pan"),
                        ("wheel", "scroll the tracks"),
                        (
                            "drag on the time ruler, Shift+drag",
                            "select a time range (duration, statistics)",
                        ),
                        ("Z", "zoom to the selection"),
                        ("F, Home", "zoom to fit"),
                        ("Backspace, Alt+← / Alt+→", "back / forward through views"),
                        (
                            "click",
                            "details (with stack) of a span, goroutine, region, event",
                        ),
                        ("double-click", "zoom to the clicked object"),
                        ("Esc", "clear the selection"),
                        ("Ctrl+O, drop a file", "open a trace"),
                    ] {
                        ui.horizontal(|ui| {
                            ui.strong(k);
                            ui.label(v);
                        });
                    }
                });
        }
        let mut open_path = None;
        let mut close = false;
        if let Some(d) = &mut self.open_dialog {
            egui::Window::new("Open trace")
                .collapsible(false)
                .default_width(520.0)
                .show(ctx, |ui| match d.show(ui) {
                    DialogResult::Open(p) => open_path = Some(p),
                    DialogResult::Cancel => close = true,
                    DialogResult::None => {}
                });
        }
        if let Some(p) = open_path {
            self.open_dialog = None;
            self.open(Source::Path(p), ctx);
        } else if close {
            self.open_dialog = None;
        }
    }

    fn screenshot_step(&mut self, ctx: &egui::Context) {
        let waiting = !self.loaded() || self.panels.analysis.busy();
        let Some(s) = &mut self.screenshot else {
            return;
        };
        if let Some(r) = s.done.lock().ok().and_then(|mut g| g.take()) {
            self.screenshot_result = Some(r);
            self.screenshot = None;
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        if waiting {
            ctx.request_repaint();
            return;
        }
        s.settled += 1;
        if s.settled < 3 {
            ctx.request_repaint();
            return;
        }
        if !s.requested {
            s.requested = true;
            let (path, done, c) = (s.path.clone(), s.done.clone(), ctx.clone());
            ctx.request_screenshot(move |img| {
                let r = save_png(&path, &img);
                if let Ok(mut g) = done.lock() {
                    *g = Some(r);
                }
                c.request_repaint();
            });
        }
        ctx.request_repaint();
    }
}

/// Adds the bundled monospace font as a fallback of the proportional one,
/// for the arrows and triangles used in labels.
fn install_fonts(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    if let Some(p) = fonts.families.get_mut(&egui::FontFamily::Proportional)
        && !p.iter().any(|f| f == "Hack")
    {
        p.push("Hack".into());
    }
    ctx.set_fonts(fonts);
}

/// Writes an egui image as PNG.
pub fn save_png(path: &std::path::Path, img: &egui::ColorImage) -> Result<(), String> {
    let [w, h] = img.size;
    let buf: Vec<u8> = img.pixels.iter().flat_map(|p| p.to_array()).collect();
    image::save_buffer(
        path,
        &buf,
        w as u32,
        h as u32,
        image::ExtendedColorType::Rgba8,
    )
    .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

impl eframe::App for ViewerApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }
}

enum DialogResult {
    None,
    Open(PathBuf),
    Cancel,
}

/// A minimal file chooser (no desktop portal needed).
struct OpenDialog {
    dir: PathBuf,
    path: String,
    entries: Vec<(String, bool)>,
    error: Option<String>,
}

impl OpenDialog {
    fn new() -> Self {
        let dir = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
        let mut d = OpenDialog {
            dir: dir.clone(),
            path: String::new(),
            entries: Vec::new(),
            error: None,
        };
        d.list(dir);
        d
    }

    fn list(&mut self, dir: PathBuf) {
        match std::fs::read_dir(&dir) {
            Ok(rd) => {
                let mut v: Vec<(String, bool)> = rd
                    .filter_map(|e| e.ok())
                    .map(|e| {
                        (
                            e.file_name().to_string_lossy().into_owned(),
                            e.file_type().is_ok_and(|t| t.is_dir()),
                        )
                    })
                    .filter(|(n, _)| !n.starts_with('.'))
                    .collect();
                v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                self.entries = v;
                self.dir = dir;
                self.error = None;
            }
            Err(e) => self.error = Some(format!("{}: {e}", dir.display())),
        }
    }

    fn show(&mut self, ui: &mut Ui) -> DialogResult {
        let mut res = DialogResult::None;
        ui.horizontal(|ui| {
            ui.label("File:");
            let r = ui.add(
                egui::TextEdit::singleline(&mut self.path)
                    .desired_width(360.0)
                    .hint_text("path to a trace"),
            );
            if (r.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)))
                || ui.button("Open").clicked()
            {
                let p = PathBuf::from(&self.path);
                let p = if p.is_relative() { self.dir.join(p) } else { p };
                if p.is_dir() {
                    self.list(p);
                    self.path.clear();
                } else {
                    res = DialogResult::Open(p);
                }
            }
            if ui.button("Cancel").clicked() {
                res = DialogResult::Cancel;
            }
        });
        ui.label(RichText::new(self.dir.display().to_string()).monospace());
        if let Some(e) = &self.error {
            ui.colored_label(Color32::from_rgb(255, 140, 120), e);
        }
        let mut go = None;
        egui::ScrollArea::vertical()
            .max_height(320.0)
            .show(ui, |ui| {
                if ui.selectable_label(false, "▸ ..").double_clicked()
                    && let Some(p) = self.dir.parent()
                {
                    go = Some((p.to_path_buf(), true));
                }
                for (name, is_dir) in &self.entries {
                    let label = if *is_dir {
                        format!("▸ {name}/")
                    } else {
                        name.clone()
                    };
                    let r = ui.selectable_label(self.path == *name, label);
                    if r.clicked() && !is_dir {
                        self.path = name.clone();
                    }
                    if r.double_clicked() {
                        go = Some((self.dir.join(name), *is_dir));
                    }
                }
            });
        if let Some((p, is_dir)) = go {
            if is_dir {
                self.list(p);
            } else {
                res = DialogResult::Open(p);
            }
        }
        res
    }
}
