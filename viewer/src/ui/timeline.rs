//! The timeline: time ruler, global tracks (GC, STW, heap, goroutine counts,
//! CPU samples), then the scrollable P/M and goroutine tracks, with the
//! selection, arrows and a legend. Time stays in i64 ns until converted to
//! x here; spans narrower than `MIN_W` pixels are merged into runs, so the
//! cost grows with the pixels drawn rather than with the events.

use egui::{Align2, Color32, FontId, Key, Pos2, Rect, Sense, Stroke, Ui, pos2, vec2};

use crate::model::spantrack::kind;
use crate::model::state::{Category, code, state_name};
use crate::model::{GItem, GSpan, Model, NONE, PItem, RangeKind, RangeSpan, Resource};

use super::Action;
use super::rows::{G_ROW_H, REGION_ROW_H, RES_ROW_H, Row, Rows, Section};
use super::theme::{self, dur};
use super::view::{ResourceMode, Selected, ViewState};

/// Width of the label column.
pub const GUTTER: f32 = 200.0;
const RULER_H: f32 = 24.0;
const RANGE_H: f32 = 14.0;
const PLOT_H: f32 = 38.0;
const CPU_H: f32 = 14.0;
const LEGEND_H: f32 = 22.0;
const SCROLLBAR_W: f32 = 10.0;
/// Spans narrower than this (px) are merged into runs.
const MIN_W: f32 = 2.0;
const LABEL_FONT: f32 = 11.0;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Drag {
    None,
    Pan,
    Select(i64),
    Scrollbar(f64),
}

/// Timeline state that lives across frames (besides `ViewState`).
#[derive(Debug, Clone)]
pub struct TimelineState {
    /// Vertical scroll offset of the track list.
    pub scroll_y: f64,
    drag: Drag,
    /// What the pointer is over (for tooltips and clicks).
    pub hovered: Option<Selected>,
    /// Rect of the track area in the last frame (for tests).
    pub track_rect: Rect,
    /// Rect of the scrolling track list in the last frame.
    pub list_rect: Rect,
    /// Largest goroutine count, for the plot's scale.
    count_max: f32,
    heap_max: u64,
    /// Number of spans/runs drawn last frame.
    pub drawn: usize,
    /// Shown in the resource section header (e.g. while thread tracks load).
    pub resources_note: Option<String>,
}

impl TimelineState {
    /// State for `model`.
    pub fn new(model: &Model) -> Self {
        let mut count_max = 1f32;
        for c in &model.chunks {
            for (a, b) in c.counts.running.iter().zip(&c.counts.runnable) {
                count_max = count_max.max(*a).max(*b);
            }
        }
        TimelineState {
            scroll_y: 0.0,
            drag: Drag::None,
            hovered: None,
            track_rect: Rect::NOTHING,
            list_rect: Rect::NOTHING,
            count_max,
            heap_max: model.heap.max().max(model.heap_goal.max()).max(1),
            drawn: 0,
            resources_note: None,
        }
    }

    /// Scrolls so that list offset `y` is near the top.
    pub fn scroll_to(&mut self, y: f64) {
        self.scroll_y = (y - 2.0 * RES_ROW_H as f64).max(0.0);
    }
}

/// Geometry of one frame.
struct Geo {
    track: Rect,
    width: f32,
    npp: f64,
    t0: i64,
    t1: i64,
    pointer: Option<Pos2>,
}

impl Geo {
    fn x(&self, t: i64) -> f32 {
        self.track.left() + ((t - self.t0) as f64 / self.npp) as f32
    }
}

/// Accumulates spans narrower than `MIN_W` into one run.
#[derive(Default)]
struct Run {
    x0: f32,
    x1: f32,
    start: i64,
    end: i64,
    n: u32,
    weights: [f32; Category::COUNT],
    /// For resource tracks: colour with the most weight, and busy time.
    top: Option<(Color32, f32)>,
    busy: f64,
}

impl Run {
    fn add(&mut self, a: f32, b: f32, start: i64, end: i64) -> bool {
        if self.n > 0 && a - self.x1 > MIN_W {
            return false;
        }
        if self.n == 0 {
            self.x0 = a;
            self.start = start;
        }
        self.x1 = self.x1.max(b);
        self.end = self.end.max(end);
        self.n += 1;
        true
    }
}

struct Painter<'a> {
    p: &'a egui::Painter,
    geo: &'a Geo,
    hovered: Option<(Selected, String)>,
    drawn: usize,
}

impl Painter<'_> {
    fn span_rect(&self, a: f32, b: f32, y: f32, h: f32) -> Rect {
        let l = self.geo.track.left() - 2.0;
        let r = self.geo.track.right() + 2.0;
        Rect::from_min_max(pos2(a.max(l), y), pos2(b.min(r).max(a.max(l) + 1.0), y + h))
    }

    fn hit(&self, r: Rect) -> bool {
        self.geo.pointer.is_some_and(|p| {
            let r = if r.width() < 4.0 {
                r.expand2(vec2((4.0 - r.width()) / 2.0, 0.0))
            } else {
                r
            };
            r.contains(p)
        })
    }

    fn label(&self, r: Rect, text: &str, color: Color32) {
        if r.width() < 24.0 {
            return;
        }
        let max_chars = ((r.width() - 6.0) / (LABEL_FONT * 0.58)) as usize;
        if max_chars < 2 {
            return;
        }
        let shown: String = if text.chars().count() > max_chars {
            let mut s: String = text.chars().take(max_chars.saturating_sub(1)).collect();
            s.push('…');
            s
        } else {
            text.to_string()
        };
        let x = r.left().max(self.geo.track.left()) + 3.0;
        self.p.with_clip_rect(r.intersect(self.geo.track)).text(
            pos2(x, r.center().y),
            Align2::LEFT_CENTER,
            shown,
            FontId::proportional(LABEL_FONT),
            color,
        );
    }

    fn fill(&mut self, r: Rect, c: Color32) {
        self.p.rect_filled(r, 0.0, c);
        self.drawn += 1;
    }
}

/// Draws the timeline in the remaining space of `ui` and handles its input.
pub fn show(
    ui: &mut Ui,
    model: &Model,
    view: &mut ViewState,
    rows: &Rows,
    st: &mut TimelineState,
) -> Vec<Action> {
    let mut actions = Vec::new();
    let avail = ui.available_rect_before_wrap();
    let (rect, resp) = ui.allocate_exact_size(avail.size(), Sense::click_and_drag());
    let fixed_h = RULER_H + 2.0 * RANGE_H + 2.0 * PLOT_H + CPU_H;
    let track = Rect::from_min_max(
        pos2(rect.left() + GUTTER, rect.top()),
        pos2(rect.right() - SCROLLBAR_W, rect.bottom() - LEGEND_H),
    );
    let list = Rect::from_min_max(
        pos2(rect.left(), rect.top() + fixed_h),
        pos2(rect.right() - SCROLLBAR_W, rect.bottom() - LEGEND_H),
    );
    let scrollbar = Rect::from_min_max(
        pos2(rect.right() - SCROLLBAR_W, list.top()),
        pos2(rect.right(), list.bottom()),
    );
    st.track_rect = track;
    st.list_rect = list;
    let width = track.width().max(1.0);

    // ---- Input ----
    let clicked = resp.clicked();
    let (pointer, modifiers, zoom, scroll, time, keys) = ui.input(|i| {
        (
            i.pointer.hover_pos().or(if clicked {
                i.pointer.interact_pos()
            } else {
                None
            }),
            i.modifiers,
            i.zoom_delta(),
            i.smooth_scroll_delta,
            i.time,
            [
                Key::W,
                Key::S,
                Key::A,
                Key::D,
                Key::F,
                Key::Z,
                Key::Escape,
                Key::Home,
                Key::Backspace,
            ]
            .map(|k| i.key_pressed(k)),
        )
    });
    let over_tracks = pointer.is_some_and(|p| rect.contains(p));
    let pointer_t = pointer
        .filter(|p| track.x_range().contains(p.x))
        .map(|p| view.t_of(p.x - track.left(), width));
    let anchor = pointer_t.unwrap_or(view.start + view.len() / 2);
    let max_scroll = (rows.height() - list.height() as f64).max(0.0);
    if over_tracks {
        if zoom != 1.0 {
            view.gesture(time);
            view.zoom_at(1.0 / zoom as f64, anchor);
        }
        if scroll.x != 0.0 {
            view.gesture(time);
            view.pan_px(-scroll.x, width);
        }
        if scroll.y != 0.0 {
            if modifiers.shift {
                view.gesture(time);
                view.pan_px(-scroll.y, width);
            } else {
                st.scroll_y -= scroll.y as f64;
            }
        }
    }
    let typing = ui.ctx().egui_wants_keyboard_input();
    if !typing {
        let [w, s, a, d, f, z, esc, home, backspace] = keys;
        if w {
            view.gesture(time);
            view.zoom_at(0.8, anchor);
        }
        if s {
            view.gesture(time);
            view.zoom_at(1.25, anchor);
        }
        if a {
            view.gesture(time);
            view.pan_px(-width * 0.15, width);
        }
        if d {
            view.gesture(time);
            view.pan_px(width * 0.15, width);
        }
        if (f && !modifiers.ctrl) || home {
            view.fit();
        }
        if z {
            view.zoom_to_selection();
        }
        if esc {
            view.selection = None;
            actions.push(Action::Select(None));
        }
        if backspace || (modifiers.alt && ui.input(|i| i.key_pressed(Key::ArrowLeft))) {
            view.back();
        }
        if modifiers.alt && ui.input(|i| i.key_pressed(Key::ArrowRight)) {
            view.forward();
        }
    }
    // Drags: on the ruler or with Shift, select a time range; on the scrollbar, scroll; else pan.
    if resp.drag_started_by(egui::PointerButton::Primary)
        || resp.drag_started_by(egui::PointerButton::Middle)
    {
        let p = ui
            .input(|i| i.pointer.press_origin())
            .or(resp.interact_pointer_pos())
            .unwrap_or_default();
        st.drag = if scrollbar.contains(p) {
            Drag::Scrollbar(st.scroll_y)
        } else if (p.y < rect.top() + RULER_H || modifiers.shift) && track.x_range().contains(p.x) {
            let t = view.t_of(p.x - track.left(), width);
            view.selection = Some((t, t));
            Drag::Select(t)
        } else {
            view.gesture(time);
            Drag::Pan
        };
    }
    if resp.dragged() {
        let d = resp.drag_delta();
        match st.drag {
            Drag::Pan => {
                view.pan_px(-d.x, width);
                st.scroll_y -= d.y as f64;
            }
            Drag::Select(t) => {
                if let Some(p) = resp.interact_pointer_pos() {
                    let u = view.t_of(p.x.clamp(track.left(), track.right()) - track.left(), width);
                    view.selection = Some((t.min(u), t.max(u)));
                }
            }
            Drag::Scrollbar(_) => {
                let total = rows.height().max(1.0);
                st.scroll_y += d.y as f64 * total / list.height().max(1.0) as f64;
            }
            Drag::None => {}
        }
    }
    if resp.drag_stopped() {
        if let Drag::Select(_) = st.drag
            && let Some((a, b)) = view.selection
            && b - a < (view.ns_per_px(width) * 3.0) as i64
        {
            view.selection = None;
        }
        st.drag = Drag::None;
    }
    st.scroll_y = st.scroll_y.clamp(0.0, max_scroll);

    // ---- Paint ----
    let geo = Geo {
        track,
        width,
        npp: view.ns_per_px(width),
        t0: view.start,
        t1: view.end,
        pointer: pointer.filter(|p| rect.contains(*p)),
    };
    let painter = ui.painter_at(rect);
    let visuals = ui.visuals().clone();
    painter.rect_filled(rect, 0.0, visuals.extreme_bg_color);
    painter.rect_filled(
        Rect::from_min_max(rect.min, pos2(rect.left() + GUTTER, rect.bottom())),
        0.0,
        visuals.faint_bg_color,
    );
    let mut pa = Painter {
        p: &painter,
        geo: &geo,
        hovered: None,
        drawn: 0,
    };
    let text_color = visuals.text_color();
    let weak = visuals.weak_text_color();

    // List (drawn first; fixed rows are painted over it).
    let list_painter = painter.with_clip_rect(list);
    {
        let mut lp = Painter {
            p: &list_painter,
            geo: &geo,
            hovered: None,
            drawn: 0,
        };
        for (y, row) in rows.visible(st.scroll_y, st.scroll_y + list.height() as f64) {
            let top = list.top() + (y - st.scroll_y) as f32;
            draw_row(
                &mut lp,
                model,
                view,
                rows,
                row,
                top,
                text_color,
                st.resources_note.as_deref(),
                &mut actions,
                &resp,
            );
        }
        draw_arrow(&lp, model, view, rows, st.scroll_y, list);
        pa.drawn += lp.drawn;
        if lp.hovered.is_some() {
            pa.hovered = lp.hovered;
        }
    }

    // Fixed rows.
    let mut y = rect.top();
    painter.rect_filled(
        Rect::from_min_max(rect.min, pos2(rect.right(), rect.top() + fixed_h)),
        0.0,
        visuals.extreme_bg_color,
    );
    draw_ruler(
        &pa,
        model,
        Rect::from_min_max(pos2(track.left(), y), pos2(track.right(), y + RULER_H)),
        text_color,
        weak,
    );
    gutter_label(&painter, rect, y, RULER_H, "time", weak);
    y += RULER_H;
    gutter_label(&painter, rect, y, RANGE_H, "GC", text_color);
    draw_ranges(&mut pa, model, &model.gc, RangeKind::GcMark, y, theme::GC);
    y += RANGE_H;
    gutter_label(&painter, rect, y, RANGE_H, "STW", text_color);
    draw_ranges(&mut pa, model, &model.stw, RangeKind::Stw, y, theme::STW);
    y += RANGE_H;
    gutter_label(
        &painter,
        rect,
        y,
        PLOT_H,
        "Heap (in use / goal)",
        text_color,
    );
    draw_heap(&pa, model, y, st.heap_max);
    y += PLOT_H;
    gutter_label(
        &painter,
        rect,
        y,
        PLOT_H,
        "Goroutines (running / runnable)",
        text_color,
    );
    draw_counts(&pa, model, y, st.count_max);
    y += PLOT_H;
    gutter_label(&painter, rect, y, CPU_H, "CPU samples", text_color);
    draw_cpu(&mut pa, model, y);
    y += CPU_H;
    painter.line_segment(
        [pos2(rect.left(), y), pos2(rect.right(), y)],
        Stroke::new(1.0, visuals.widgets.noninteractive.bg_stroke.color),
    );

    // Selection and ruler.
    if let Some((a, b)) = view.selection {
        let (xa, xb) = (geo.x(a).max(track.left()), geo.x(b).min(track.right()));
        if xb >= xa {
            let r =
                Rect::from_min_max(pos2(xa, rect.top()), pos2(xb.max(xa + 1.0), track.bottom()));
            painter.rect_filled(r, 0.0, theme::SELECTION);
            let s = Stroke::new(1.0, Color32::from_rgb(120, 170, 255));
            painter.line_segment([r.left_top(), r.left_bottom()], s);
            painter.line_segment([r.right_top(), r.right_bottom()], s);
            let label = format!("◀ {} ▶", dur(b - a));
            let g = painter.layout_no_wrap(label, FontId::proportional(12.0), Color32::WHITE);
            let lx = (r.center().x - g.size().x / 2.0)
                .clamp(track.left(), (track.right() - g.size().x).max(track.left()));
            let lr = Rect::from_min_size(pos2(lx, rect.top() + 2.0), g.size()).expand(2.0);
            painter.rect_filled(lr, 3.0, Color32::from_rgb(40, 80, 150));
            painter.galley(lr.min + vec2(2.0, 2.0), g, Color32::WHITE);
        }
    }
    // Cursor line with time.
    if let (Some(p), Some(t)) = (geo.pointer, pointer_t)
        && matches!(st.drag, Drag::None | Drag::Pan)
    {
        painter.line_segment(
            [pos2(p.x, rect.top() + RULER_H), pos2(p.x, track.bottom())],
            Stroke::new(1.0, theme::with_alpha(text_color, 0.25)),
        );
        let label = tick_label(t - model.start, geo.npp.max(1.0) as i64);
        let g = painter.layout_no_wrap(label, FontId::proportional(11.0), Color32::BLACK);
        let r = Rect::from_min_size(
            pos2(p.x + 4.0, rect.top() + RULER_H - g.size().y - 2.0),
            g.size(),
        )
        .expand(1.0);
        painter.rect_filled(r, 2.0, Color32::from_rgb(230, 230, 200));
        painter.galley(r.min + vec2(1.0, 1.0), g, Color32::BLACK);
    }

    // Scrollbar.
    let total = rows.height().max(1.0);
    if total > list.height() as f64 {
        painter.rect_filled(scrollbar, 0.0, visuals.faint_bg_color);
        let h = (list.height() as f64 * list.height() as f64 / total).max(20.0) as f32;
        let top = scrollbar.top() + ((st.scroll_y / total) * list.height() as f64) as f32;
        painter.rect_filled(
            Rect::from_min_size(
                pos2(scrollbar.left() + 2.0, top),
                vec2(SCROLLBAR_W - 4.0, h),
            ),
            3.0,
            visuals.widgets.inactive.bg_fill,
        );
    }
    draw_legend(
        &painter,
        Rect::from_min_max(pos2(rect.left(), rect.bottom() - LEGEND_H), rect.max),
        text_color,
    );

    st.drawn = pa.drawn;
    st.hovered = pa.hovered.as_ref().map(|h| h.0.clone());
    if resp.clicked() {
        actions.push(Action::Select(st.hovered.clone()));
    }
    if resp.double_clicked()
        && let Some(sel) = &st.hovered
        && let Some((a, b)) = selection_extent(model, sel)
    {
        let pad = (b - a) / 10 + 1;
        view.navigate(a - pad, b + pad);
    }
    if let Some((_, text)) = pa.hovered
        && matches!(st.drag, Drag::None)
    {
        resp.on_hover_ui_at_pointer(|ui| {
            ui.label(text);
        });
    }
    actions
}

fn gutter_label(p: &egui::Painter, rect: Rect, y: f32, h: f32, text: &str, color: Color32) {
    p.text(
        pos2(rect.left() + 6.0, y + h / 2.0),
        Align2::LEFT_CENTER,
        text,
        FontId::proportional(11.5),
        color,
    );
}

/// Time extent of a selected object, for zooming to it.
pub fn selection_extent(model: &Model, sel: &Selected) -> Option<(i64, i64)> {
    Some(match sel {
        Selected::GSpan { span, .. } => (span.start, span.end),
        Selected::ResSpan { start, end, .. } => (*start, *end),
        Selected::Goroutine(g) => {
            let (a, b) = model.lifetime(*g);
            (a, b.unwrap_or(model.end))
        }
        Selected::Task(id) => {
            let t = model.annotations.task(*id)?;
            (t.start.unwrap_or(model.start), t.end.unwrap_or(model.end))
        }
        Selected::Region(i) => {
            let r = model.annotations.regions.get(*i)?;
            (r.start, r.end)
        }
        Selected::Range(k, i) => {
            let r = range_list(model, *k).get(*i)?;
            (r.start, r.end)
        }
        Selected::CpuSample(i) => {
            let t = model.cpu.get(*i)?.time;
            (t - 1000, t + 1000)
        }
        Selected::Log(i) => {
            let t = model.annotations.logs.get(*i)?.time;
            (t - 1000, t + 1000)
        }
    })
}

/// The list of ranges of a kind.
pub fn range_list(model: &Model, k: RangeKind) -> &[RangeSpan] {
    match k {
        RangeKind::GcMark => &model.gc,
        RangeKind::Stw => &model.stw,
        RangeKind::MarkAssist => &model.assists,
    }
}

#[allow(clippy::too_many_arguments)]
fn draw_row(
    pa: &mut Painter<'_>,
    model: &Model,
    view: &ViewState,
    rows: &Rows,
    row: Row,
    top: f32,
    text: Color32,
    note: Option<&str>,
    actions: &mut Vec<Action>,
    resp: &egui::Response,
) {
    let geo = pa.geo;
    let left = geo.track.left() - GUTTER;
    let h = row.height();
    let row_rect = Rect::from_min_max(pos2(left, top), pos2(geo.track.right(), top + h));
    match row {
        Row::Header(sec) => {
            pa.p.rect_filled(row_rect, 0.0, Color32::from_gray(45));
            let (name, n, collapsed) = match sec {
                Section::Resources => (
                    match view.resources {
                        ResourceMode::Procs => "Procs",
                        ResourceMode::Threads => "Threads (M)",
                    },
                    rows.resources.len(),
                    rows.collapsed[0],
                ),
                Section::Goroutines => ("Goroutines", rows.goroutines.len(), rows.collapsed[1]),
            };
            let arrow = if collapsed { "▶" } else { "▼" };
            let mut label = format!("{arrow} {name} ({n})");
            if sec == Section::Resources
                && view.resources == ResourceMode::Procs
                && let Some(v) = model
                    .gomaxprocs
                    .at(view.end)
                    .or_else(|| model.gomaxprocs.values.first().copied())
            {
                label.push_str(&format!("   GOMAXPROCS={v}"));
            }
            if sec == Section::Resources
                && let Some(n) = note
            {
                label.push_str(&format!("   {n}"));
            }
            pa.p.text(
                pos2(left + 6.0, top + h / 2.0),
                Align2::LEFT_CENTER,
                label,
                FontId::proportional(12.0),
                text,
            );
            if sec == Section::Resources && view.resources == ResourceMode::Procs {
                // GOMAXPROCS changes.
                let s = &model.gomaxprocs;
                let i0 = s.times.partition_point(|&t| t < geo.t0);
                let (mut last_line, mut last_label) = (f32::NEG_INFINITY, f32::NEG_INFINITY);
                for i in i0..s.len() {
                    let t = s.times[i];
                    if t > geo.t1 {
                        break;
                    }
                    if i == 0 || s.values[i] == s.values[i - 1] {
                        continue;
                    }
                    let x = geo.x(t);
                    if x - last_line >= 2.0 {
                        last_line = x;
                        pa.p.line_segment(
                            [pos2(x, top), pos2(x, top + h)],
                            Stroke::new(1.0, theme::HEAP_GOAL),
                        );
                    }
                    if x - last_label >= 110.0 {
                        last_label = x;
                        pa.p.text(
                            pos2(x + 3.0, top + h / 2.0),
                            Align2::LEFT_CENTER,
                            format!("GOMAXPROCS={}", s.values[i]),
                            FontId::proportional(10.0),
                            theme::HEAP_GOAL,
                        );
                    }
                }
            }
            if resp.clicked()
                && geo
                    .pointer
                    .is_some_and(|p| row_rect.contains(p) && p.x < geo.track.left())
            {
                actions.push(Action::ToggleSection(sec));
            }
        }
        Row::Resource(r) => {
            let name = match r {
                Resource::Proc(p) => format!("P{p}"),
                Resource::Thread(m) => format!("M{m}"),
            };
            pa.p.text(
                pos2(left + 10.0, top + h / 2.0),
                Align2::LEFT_CENTER,
                name,
                FontId::monospace(11.5),
                text,
            );
            draw_resource(pa, model, view, r, top + 1.0, h - 2.0);
            pa.p.line_segment(
                [pos2(left, top + h), pos2(geo.track.right(), top + h)],
                Stroke::new(0.5, Color32::from_gray(40)),
            );
        }
        Row::Goroutine(g, regions) => {
            let title = model.g_title(g);
            let sel = matches!(&view.selected, Some(Selected::Goroutine(x)) if *x == g)
                || matches!(&view.selected, Some(Selected::GSpan { g: x, .. }) if *x == g);
            let lc = if sel {
                Color32::from_rgb(120, 180, 255)
            } else {
                text
            };
            let clip = pa.p.with_clip_rect(Rect::from_min_max(
                pos2(left, top),
                pos2(geo.track.left() - 2.0, top + G_ROW_H),
            ));
            clip.text(
                pos2(left + 10.0, top + G_ROW_H / 2.0),
                Align2::LEFT_CENTER,
                title,
                FontId::proportional(11.0),
                lc,
            );
            let label_rect = Rect::from_min_max(pos2(left, top), pos2(geo.track.left(), top + h));
            if geo.pointer.is_some_and(|p| label_rect.contains(p)) {
                pa.hovered = Some((
                    Selected::Goroutine(g),
                    format!(
                        "{}\nclick for details, double-click to zoom to its lifetime",
                        model.g_title(g)
                    ),
                ));
            }
            draw_goroutine(pa, model, view, g, top + 1.0, G_ROW_H - 2.0);
            if regions > 0 {
                draw_regions(pa, model, view, g, top + G_ROW_H, regions);
            }
            pa.p.line_segment(
                [pos2(left, top + h), pos2(geo.track.right(), top + h)],
                Stroke::new(0.5, Color32::from_gray(38)),
            );
        }
    }
}

fn span_label(model: &Model, s: &GSpan) -> String {
    match s.state {
        code::WAITING if s.reason != NONE => model.strings.get(s.reason).to_string(),
        code::RUNNABLE if s.reason != NONE => format!("runnable ({})", model.strings.get(s.reason)),
        _ => state_name(s.state).to_string(),
    }
}

/// Tooltip text of a goroutine span.
pub fn gspan_text(model: &Model, g: u32, s: &GSpan) -> String {
    let mut t = format!(
        "{}\n{} for {}\nat {}",
        model.g_title(g),
        span_label(model, s),
        dur(s.end - s.start),
        dur(s.start - model.start)
    );
    match s.state {
        code::RUNNING | code::SYSCALL if s.extra >= 0 => t.push_str(&format!("\non P{}", s.extra)),
        code::RUNNABLE if s.extra >= 0 => {
            let how = if s.created() {
                "created by"
            } else {
                "unblocked by"
            };
            t.push_str(&format!("\n{how} G{}", s.extra));
        }
        _ => {}
    }
    t
}

fn draw_goroutine(pa: &mut Painter<'_>, model: &Model, view: &ViewState, g: u32, y: f32, h: f32) {
    let geo = pa.geo;
    let min_ns = (geo.npp * MIN_W as f64) as i64;
    let mut run = Run::default();
    let selected = match &view.selected {
        Some(Selected::GSpan { g: sg, span }) if *sg == g => Some(span.start),
        _ => None,
    };
    let flush = |pa: &mut Painter<'_>, run: &mut Run| {
        if run.n == 0 {
            return;
        }
        let mut best = 0;
        for i in 0..Category::COUNT {
            if run.weights[i] > run.weights[best] {
                best = i;
            }
        }
        let r = pa.span_rect(run.x0, run.x1.max(run.x0 + 1.0), y, h);
        pa.fill(r, theme::category_color(Category::from_u8(best as u8)));
        if pa.hit(r) {
            pa.hovered = Some((
                Selected::Goroutine(g),
                format!(
                    "{}\nspans merged over {} (zoom in to see them)",
                    model.g_title(g),
                    dur(run.end - run.start)
                ),
            ));
        }
        *run = Run::default();
    };
    model.visit_goroutine(g, geo.t0, geo.t1, min_ns, |item| {
        match item {
            GItem::Span(s) => {
                let (a, b) = (geo.x(s.start), geo.x(s.end));
                if b - a < MIN_W {
                    if !run.add(a, b, s.start, s.end) {
                        flush(pa, &mut run);
                        run.add(a, b, s.start, s.end);
                    }
                    run.weights[s.cat as usize] += (b - a).max(0.01);
                    return true;
                }
                flush(pa, &mut run);
                let r = pa.span_rect(a, b, y, h);
                pa.fill(r, theme::category_color(s.cat));
                if selected == Some(s.start) {
                    pa.p.rect_stroke(
                        r,
                        0.0,
                        Stroke::new(2.0, Color32::WHITE),
                        egui::StrokeKind::Inside,
                    );
                }
                pa.label(r, &span_label(model, &s), theme::SPAN_TEXT);
                if pa.hit(r) {
                    pa.hovered = Some((Selected::GSpan { g, span: s }, gspan_text(model, g, &s)));
                }
            }
            GItem::Merged { start, end, cat } => {
                let (a, b) = (geo.x(start), geo.x(end));
                if !run.add(a, b, start, end) {
                    flush(pa, &mut run);
                    run.add(a, b, start, end);
                }
                run.weights[cat as usize] += (b - a).max(0.01);
            }
        }
        true
    });
    flush(pa, &mut run);
    // Mark assists.
    let goid = model.goroutines.goid[g as usize];
    let a0 = model.assists.partition_point(|r| r.goid < goid);
    for (i, r) in model.assists.iter().enumerate().skip(a0) {
        if r.goid != goid || r.start > geo.t1 {
            break;
        }
        if r.end < geo.t0 {
            continue;
        }
        let rr = pa.span_rect(
            geo.x(r.start),
            geo.x(r.end).max(geo.x(r.start) + 1.0),
            y + h - 4.0,
            4.0,
        );
        pa.fill(rr, theme::GC);
        if pa.hit(rr) {
            pa.hovered = Some((
                Selected::Range(RangeKind::MarkAssist, i),
                format!("GC mark assist\n{}", dur(r.end - r.start)),
            ));
        }
    }
    // Logs.
    let mut last_x = f32::NEG_INFINITY;
    for &li in model.annotations.logs_of(goid) {
        let l = &model.annotations.logs[li as usize];
        if l.time < geo.t0 || l.time > geo.t1 {
            continue;
        }
        let x = geo.x(l.time);
        if x - last_x < 3.0 {
            continue;
        }
        last_x = x;
        let pts = vec![pos2(x - 3.5, y), pos2(x + 3.5, y), pos2(x, y + 6.0)];
        pa.p.add(egui::Shape::convex_polygon(
            pts,
            Color32::WHITE,
            Stroke::new(1.0, Color32::BLACK),
        ));
        if pa.hit(Rect::from_center_size(pos2(x, y + 3.0), vec2(7.0, 7.0))) {
            let cat = model.strings.get(l.category);
            pa.hovered = Some((
                Selected::Log(li as usize),
                format!(
                    "log [{cat}] {}\nat {}",
                    model.strings.get(l.message),
                    dur(l.time - model.start)
                ),
            ));
        }
    }
}

fn draw_regions(pa: &mut Painter<'_>, model: &Model, view: &ViewState, g: u32, y: f32, rows: u8) {
    let geo = pa.geo;
    let goid = model.goroutines.goid[g as usize];
    let regions = model.annotations.regions_of(goid);
    let offset = model.annotations.regions.partition_point(|r| r.goid < goid);
    let mut last_px: Vec<f32> = vec![f32::NEG_INFINITY; rows as usize];
    for (i, r) in regions.iter().enumerate() {
        if r.depth >= rows || r.end < geo.t0 || r.start > geo.t1 {
            continue;
        }
        let (a, b) = (geo.x(r.start), geo.x(r.end));
        let d = r.depth as usize;
        if b - a < 1.0 && a - last_px[d] < 1.0 {
            continue;
        }
        last_px[d] = b;
        let ry = y + r.depth as f32 * REGION_ROW_H;
        let rect = pa.span_rect(a, b.max(a + 1.0), ry + 1.0, REGION_ROW_H - 2.0);
        let selected = matches!(view.selected, Some(Selected::Region(x)) if x == offset + i);
        pa.fill(
            rect,
            if selected {
                Color32::from_rgb(0xb0, 0xd4, 0xff)
            } else {
                theme::REGION
            },
        );
        pa.label(rect, model.strings.get(r.typ), theme::SPAN_TEXT);
        if pa.hit(rect) {
            pa.hovered = Some((
                Selected::Region(offset + i),
                format!(
                    "region \"{}\" (task {})\n{}{}",
                    model.strings.get(r.typ),
                    r.task,
                    dur(r.end - r.start),
                    if r.end_known { "" } else { " (not ended)" }
                ),
            ));
        }
    }
}

/// The selection and tooltip of a span on resource `r`'s track.
fn resource_span_hover(
    model: &Model,
    r: Resource,
    start: i64,
    end: i64,
    k: u8,
    g: u32,
) -> (Selected, String) {
    let sel = Selected::ResSpan {
        res: r,
        start,
        end,
        kind: k,
        g,
    };
    (sel, resource_span_text(model, r, start, end, k, g))
}

fn resource_span_text(model: &Model, r: Resource, start: i64, end: i64, k: u8, g: u32) -> String {
    let what = match k {
        kind::SYSCALL => "syscall",
        kind::SWEEP => "GC incremental sweep",
        _ => "running",
    };
    let who = if g == NONE {
        String::new()
    } else {
        model.g_title(g)
    };
    let res = match r {
        Resource::Proc(p) => format!("P{p}"),
        Resource::Thread(m) => format!("M{m}"),
    };
    format!(
        "{who}\n{what} on {res} for {}\nat {}",
        dur(end - start),
        dur(start - model.start)
    )
}

fn draw_resource(
    pa: &mut Painter<'_>,
    model: &Model,
    view: &ViewState,
    r: Resource,
    y: f32,
    h: f32,
) {
    let geo = pa.geo;
    let min_ns = (geo.npp * MIN_W as f64) as i64;
    let mut run = Run::default();
    let mut last_overlay = [f32::NEG_INFINITY; 3];
    let sel = match &view.selected {
        Some(Selected::ResSpan {
            res, start, kind, ..
        }) if *res == r => Some((*start, *kind)),
        _ => None,
    };
    let flush = |pa: &mut Painter<'_>, run: &mut Run| {
        if run.n == 0 {
            return;
        }
        let r2 = pa.span_rect(run.x0, run.x1.max(run.x0 + 1.0), y, h);
        let frac = (run.busy / (run.end - run.start).max(1) as f64).clamp(0.3, 1.0) as f32;
        let c = run.top.map_or(Color32::GRAY, |t| t.0);
        pa.fill(r2, theme::with_alpha(c, frac));
        if pa.hit(r2) {
            pa.hovered = Some((
                Selected::ResSpan {
                    res: r,
                    start: run.start,
                    end: run.end,
                    kind: kind::EXEC,
                    g: NONE,
                },
                format!(
                    "spans merged over {}, {:.0}% busy (zoom in to see them)",
                    dur(run.end - run.start),
                    frac * 100.0
                ),
            ));
        }
        *run = Run::default();
    };
    let color_of = |g: u32| -> Color32 {
        if g == NONE {
            return Color32::GRAY;
        }
        let n = model.goroutines.name[g as usize];
        theme::function_color(n, model.strings.get(n))
    };
    model.visit_resource(r, geo.t0, geo.t1, min_ns, |item| {
        match item {
            PItem::Span {
                start,
                end,
                kind: k,
                g,
            } => {
                let (a, b) = (geo.x(start), geo.x(end));
                match k {
                    kind::EXEC => {
                        if b - a < MIN_W {
                            if !run.add(a, b, start, end) {
                                flush(pa, &mut run);
                                run.add(a, b, start, end);
                            }
                            run.busy += (end - start) as f64;
                            let w = b - a;
                            if run.top.is_none_or(|t| w > t.1) {
                                run.top = Some((color_of(g), w));
                            }
                            return true;
                        }
                        flush(pa, &mut run);
                        let rect = pa.span_rect(a, b, y, h);
                        pa.fill(rect, color_of(g));
                        if sel == Some((start, kind::EXEC)) {
                            pa.p.rect_stroke(
                                rect,
                                0.0,
                                Stroke::new(2.0, Color32::WHITE),
                                egui::StrokeKind::Inside,
                            );
                        }
                        if g != NONE {
                            pa.label(rect, &model.g_title(g), theme::SPAN_TEXT);
                        }
                        if pa.hit(rect) {
                            pa.hovered = Some(resource_span_hover(model, r, start, end, k, g));
                        }
                        // System calls while holding the P, from the goroutine's records.
                        if matches!(r, Resource::Proc(_)) && g != NONE && rect.width() >= 4.0 {
                            let (s0, s1) = (start.max(geo.t0), end.min(geo.t1));
                            let sys = theme::category_color(Category::Syscall);
                            model.visit_goroutine(g, s0, s1, min_ns, |it| {
                                if let GItem::Span(gs) = it
                                    && gs.state == code::SYSCALL
                                {
                                    let (a, b) =
                                        (geo.x(gs.start.max(start)), geo.x(gs.end.min(end)));
                                    let strip = pa.span_rect(a, b.max(a + 1.0), y + h - 5.0, 5.0);
                                    pa.fill(strip, sys);
                                    if pa.hit(strip) {
                                        pa.hovered = Some((
                                            Selected::GSpan { g, span: gs },
                                            gspan_text(model, g, &gs),
                                        ));
                                    }
                                }
                                true
                            });
                        }
                    }
                    _ => {
                        let (oy, oh, c) = if k == kind::SYSCALL {
                            (y + h - 5.0, 5.0, theme::category_color(Category::Syscall))
                        } else {
                            (y, 4.0, theme::SWEEP)
                        };
                        let slot = (k as usize).min(2);
                        if b - a < 1.0 && a - last_overlay[slot] < 1.0 {
                            return true;
                        }
                        last_overlay[slot] = b.max(a + 1.0);
                        let rect = pa.span_rect(a, b.max(a + 1.0), oy, oh);
                        pa.fill(rect, c);
                        if pa.hit(rect) {
                            pa.hovered = Some(resource_span_hover(model, r, start, end, k, g));
                        }
                    }
                }
            }
            PItem::Merged {
                start,
                end,
                busy,
                g,
            } => {
                let (a, b) = (geo.x(start), geo.x(end));
                if !run.add(a, b, start, end) {
                    flush(pa, &mut run);
                    run.add(a, b, start, end);
                }
                run.busy += busy as f64;
                let w = busy as f32 / geo.npp as f32;
                if run.top.is_none_or(|t| w > t.1) {
                    run.top = Some((color_of(g), w));
                }
            }
        }
        true
    });
    flush(pa, &mut run);
}

fn draw_ranges(
    pa: &mut Painter<'_>,
    model: &Model,
    list: &[RangeSpan],
    k: RangeKind,
    y: f32,
    color: Color32,
) {
    let geo = pa.geo;
    let i0 = list.partition_point(|r| r.end < geo.t0);
    let mut last = f32::NEG_INFINITY;
    for (i, r) in list.iter().enumerate().skip(i0) {
        if r.start > geo.t1 {
            break;
        }
        let (a, b) = (geo.x(r.start), geo.x(r.end).max(geo.x(r.start) + 1.0));
        if b < last + 1.0 {
            continue;
        }
        last = b;
        let rect = pa.span_rect(a, b, y + 1.0, RANGE_H - 2.0);
        pa.fill(rect, color);
        let name = match k {
            RangeKind::Stw => format!("STW ({})", model.strings.get(r.reason)),
            RangeKind::GcMark => "GC".to_string(),
            RangeKind::MarkAssist => "mark assist".to_string(),
        };
        pa.label(rect, &name, Color32::WHITE);
        if pa.hit(rect) {
            let what = match k {
                RangeKind::GcMark => "GC concurrent mark phase".to_string(),
                RangeKind::Stw => format!("stop-the-world ({})", model.strings.get(r.reason)),
                RangeKind::MarkAssist => "GC mark assist".to_string(),
            };
            pa.hovered = Some((
                Selected::Range(k, i),
                format!(
                    "{what}\n{}{}\nat {}",
                    dur(r.end - r.start),
                    if r.complete { "" } else { " (not ended)" },
                    dur(r.start - model.start)
                ),
            ));
        }
    }
}

fn draw_heap(pa: &Painter<'_>, model: &Model, y: f32, max: u64) {
    let geo = pa.geo;
    let cols = geo.width.ceil() as usize;
    let scale = (PLOT_H - 4.0) / max as f32;
    let bottom = y + PLOT_H - 2.0;
    let heap = model.heap.columns(geo.t0, geo.npp, cols);
    for (i, c) in heap.iter().enumerate() {
        if let Some((lo, hi)) = c {
            // Dim below the column's minimum, bright over its range: the
            // sawtooth between collections stays visible when zoomed out.
            let x = geo.track.left() + i as f32 + 0.5;
            let (ylo, yhi) = (bottom - *lo as f32 * scale, bottom - *hi as f32 * scale);
            pa.p.line_segment(
                [pos2(x, bottom), pos2(x, ylo)],
                Stroke::new(1.0, theme::with_alpha(theme::HEAP, 0.35)),
            );
            pa.p.line_segment(
                [pos2(x, ylo + 0.5), pos2(x, yhi - 0.5)],
                Stroke::new(1.0, theme::HEAP),
            );
        }
    }
    let goal = model.heap_goal.columns(geo.t0, geo.npp, cols);
    let mut pts = Vec::new();
    for (i, c) in goal.iter().enumerate() {
        if let Some((_, hi)) = c {
            pts.push(pos2(
                geo.track.left() + i as f32,
                bottom - *hi as f32 * scale,
            ));
        } else if pts.len() > 1 {
            pa.p.add(egui::Shape::line(
                std::mem::take(&mut pts),
                Stroke::new(1.5, theme::HEAP_GOAL),
            ));
        } else {
            pts.clear();
        }
    }
    if pts.len() > 1 {
        pa.p.add(egui::Shape::line(pts, Stroke::new(1.5, theme::HEAP_GOAL)));
    }
    pa.p.text(
        pos2(geo.track.right() - 4.0, y + 2.0),
        Align2::RIGHT_TOP,
        theme::bytes(max),
        FontId::proportional(10.0),
        Color32::GRAY,
    );
    if let Some(p) = geo.pointer
        && p.y >= y
        && p.y < y + PLOT_H
        && geo.track.x_range().contains(p.x)
    {
        let t = geo.t0 + ((p.x - geo.track.left()) as f64 * geo.npp) as i64;
        let h = model.heap.at(t).map_or("-".into(), theme::bytes);
        let g = model.heap_goal.at(t).map_or("-".into(), theme::bytes);
        pa.p.text(
            pos2(geo.track.left() + 4.0, y + 2.0),
            Align2::LEFT_TOP,
            format!("heap {h} / goal {g}"),
            FontId::proportional(10.0),
            Color32::LIGHT_GRAY,
        );
    }
}

fn draw_counts(pa: &Painter<'_>, model: &Model, y: f32, max: f32) {
    let geo = pa.geo;
    let cols = geo.width.ceil() as usize;
    let scale = (PLOT_H - 4.0) / max.max(1.0);
    let bottom = y + PLOT_H - 2.0;
    let counts = model.count_columns(geo.t0, geo.npp, cols);
    let (cr, cq) = (
        theme::category_color(Category::Running),
        theme::category_color(Category::Runnable),
    );
    for (i, &(run, runq)) in counts.iter().enumerate() {
        if run <= 0.0 && runq <= 0.0 {
            continue;
        }
        let x = geo.track.left() + i as f32 + 0.5;
        let y1 = bottom - run * scale;
        if run > 0.0 {
            pa.p.line_segment([pos2(x, bottom), pos2(x, y1)], Stroke::new(1.0, cr));
        }
        if runq > 0.0 {
            pa.p.line_segment(
                [pos2(x, y1), pos2(x, y1 - runq * scale)],
                Stroke::new(1.0, cq),
            );
        }
    }
    pa.p.text(
        pos2(geo.track.right() - 4.0, y + 2.0),
        Align2::RIGHT_TOP,
        format!("{max:.0}"),
        FontId::proportional(10.0),
        Color32::GRAY,
    );
    if let Some(p) = geo.pointer
        && p.y >= y
        && p.y < y + PLOT_H
        && geo.track.x_range().contains(p.x)
    {
        let i = (p.x - geo.track.left()) as usize;
        if let Some(&(a, b)) = counts.get(i) {
            pa.p.text(
                pos2(geo.track.left() + 4.0, y + 2.0),
                Align2::LEFT_TOP,
                format!("running {a:.1}, runnable {b:.1}"),
                FontId::proportional(10.0),
                Color32::LIGHT_GRAY,
            );
        }
    }
}

fn draw_cpu(pa: &mut Painter<'_>, model: &Model, y: f32) {
    let geo = pa.geo;
    let i0 = model.cpu.partition_point(|s| s.time < geo.t0);
    let mut last = f32::NEG_INFINITY;
    for (i, s) in model.cpu.iter().enumerate().skip(i0) {
        if s.time > geo.t1 {
            break;
        }
        let x = geo.x(s.time);
        if x - last < 1.0 {
            continue;
        }
        last = x;
        let r = Rect::from_min_max(pos2(x, y + 2.0), pos2(x + 1.0, y + CPU_H - 2.0));
        pa.fill(r, theme::CPU);
        if pa.hit(r) {
            let g = if s.goid >= 0 {
                format!("G{}", s.goid)
            } else {
                "no goroutine".into()
            };
            pa.hovered = Some((
                Selected::CpuSample(i),
                format!(
                    "CPU sample, {g} on P{}\nat {}",
                    s.proc,
                    dur(s.time - model.start)
                ),
            ));
        }
    }
}

fn draw_ruler(pa: &Painter<'_>, model: &Model, r: Rect, text: Color32, weak: Color32) {
    let geo = pa.geo;
    let target = geo.npp * 110.0;
    let mut step = 1i64;
    while (step as f64) < target {
        step = match step.to_string().as_bytes()[0] {
            b'1' => step * 2,
            b'2' => step / 2 * 5,
            _ => step * 2,
        };
    }
    let origin = model.start;
    let first = (geo.t0 - origin).div_euclid(step) * step + origin;
    let mut t = first;
    while t <= geo.t1 {
        let x = geo.x(t);
        if x >= r.left() - 1.0 {
            pa.p.line_segment(
                [pos2(x, r.bottom() - 8.0), pos2(x, r.bottom())],
                Stroke::new(1.0, weak),
            );
            pa.p.line_segment(
                [pos2(x, r.bottom()), pos2(x, geo.track.bottom())],
                Stroke::new(1.0, Color32::from_rgba_unmultiplied(255, 255, 255, 10)),
            );
            pa.p.text(
                pos2(x + 3.0, r.top() + 3.0),
                Align2::LEFT_TOP,
                tick_label(t - origin, step),
                FontId::proportional(11.0),
                text,
            );
        }
        for k in 1..5 {
            let xm = geo.x(t + step * k / 5);
            pa.p.line_segment(
                [pos2(xm, r.bottom() - 3.0), pos2(xm, r.bottom())],
                Stroke::new(1.0, weak),
            );
        }
        t += step;
    }
}

/// A ruler label for time `t` (ns from the trace start) with enough digits
/// to tell ticks `step` ns apart: "13.841236 s", "250 µs".
fn tick_label(t: i64, step: i64) -> String {
    let a = t.unsigned_abs() as f64;
    let (unit, name) = if a >= 1e9 {
        (1e9, "s")
    } else if a >= 1e6 {
        (1e6, "ms")
    } else if a >= 1e3 {
        (1e3, "µs")
    } else {
        (1.0, "ns")
    };
    let decimals = (unit / step.max(1) as f64).log10().ceil().max(0.0) as usize;
    format!("{:.*} {name}", decimals.min(9), t as f64 / unit)
}

fn draw_arrow(
    pa: &Painter<'_>,
    model: &Model,
    view: &ViewState,
    rows: &Rows,
    scroll_y: f64,
    list: Rect,
) {
    let Some(Selected::GSpan { g, span }) = &view.selected else {
        return;
    };
    if span.state != code::RUNNABLE || span.extra < 0 {
        return;
    }
    let Some(from) = model.goroutines.index_of(span.extra) else {
        return;
    };
    let y_of = |g: u32| {
        rows.y_of_goroutine(g)
            .map(|y| list.top() + (y - scroll_y) as f32 + G_ROW_H / 2.0)
    };
    let (Some(y0), Some(y1)) = (y_of(from), y_of(*g)) else {
        return;
    };
    let x = pa.geo.x(span.start);
    if x < pa.geo.track.left()
        || x > pa.geo.track.right()
        || (y0 < list.top() && y1 < list.top())
        || (y0 > list.bottom() && y1 > list.bottom())
    {
        return;
    }
    let c = Color32::WHITE;
    let (a, b) = (
        y0.clamp(list.top(), list.bottom()),
        y1.clamp(list.top(), list.bottom()),
    );
    let dir = if b > a { 1.0 } else { -1.0 };
    let head = 7.0;
    if y0 == a {
        pa.p.circle_filled(pos2(x, a), 3.0, c);
    }
    pa.p.line_segment([pos2(x, a), pos2(x, b - dir * head)], Stroke::new(1.5, c));
    if y1 == b {
        let tip = pos2(x, b - dir * (G_ROW_H / 2.0 - 2.0));
        let base = tip.y - dir * head;
        pa.p.add(egui::Shape::convex_polygon(
            vec![tip, pos2(x - 4.5, base), pos2(x + 4.5, base)],
            c,
            Stroke::NONE,
        ));
    }
    let label = format!("unblocked by {}", model.g_title(from));
    let mid = pos2(x + 6.0, (a + b) / 2.0);
    let gal =
        pa.p.layout_no_wrap(label, FontId::proportional(11.0), Color32::BLACK);
    let r = Rect::from_min_size(mid - vec2(0.0, gal.size().y / 2.0), gal.size()).expand(2.0);
    pa.p.rect_filled(r, 3.0, Color32::from_rgb(230, 230, 230));
    pa.p.galley(r.min + vec2(2.0, 2.0), gal, Color32::BLACK);
}

fn draw_legend(p: &egui::Painter, r: Rect, text: Color32) {
    p.rect_filled(r, 0.0, Color32::from_gray(30));
    let mut x = r.left() + 8.0;
    let y = r.center().y;
    let font = FontId::proportional(11.0);
    let short = |c: Category| c.name().trim_start_matches("blocked: ");
    let groups: [(&str, Vec<(Color32, &str)>); 3] = [
        (
            "",
            [Category::Running, Category::Runnable, Category::Syscall]
                .map(|c| (theme::category_color(c), short(c)))
                .to_vec(),
        ),
        (
            "blocked:",
            Category::BLOCKED
                .map(|c| (theme::category_color(c), short(c)))
                .to_vec(),
        ),
        (
            "",
            vec![
                (theme::GC, "GC / assist"),
                (theme::STW, "STW"),
                (theme::SWEEP, "sweep"),
                (theme::REGION, "region"),
                (theme::CPU, "CPU sample"),
            ],
        ),
    ];
    for (title, items) in groups {
        if !title.is_empty() {
            let rr = p.text(pos2(x, y), Align2::LEFT_CENTER, title, font.clone(), text);
            x = rr.right() + 6.0;
        }
        for (c, name) in items {
            p.rect_filled(
                Rect::from_center_size(pos2(x + 5.0, y), vec2(10.0, 10.0)),
                2.0,
                c,
            );
            let rr = p.text(
                pos2(x + 13.0, y),
                Align2::LEFT_CENTER,
                name,
                font.clone(),
                text,
            );
            x = rr.right() + 10.0;
        }
        x += 10.0;
    }
}

#[cfg(test)]
mod tests {
    use super::tick_label;

    #[test]
    fn tick_labels_have_the_step_precision() {
        assert_eq!(tick_label(0, 20_000_000), "0 ns");
        assert_eq!(tick_label(20_000_000, 20_000_000), "20 ms");
        assert_eq!(tick_label(13_841_236_000, 2_000), "13.841236 s");
        assert_eq!(tick_label(13_841_238_000, 2_000), "13.841238 s");
        assert_eq!(tick_label(250_000, 50_000), "250 µs");
        assert_eq!(tick_label(1_500_000_000, 500_000_000), "1.5 s");
    }
}
