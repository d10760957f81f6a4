//! Driving the viewer like a person, headless (egui_kittest): snapshots of
//! the main views, and interactions (zoom, pan, range selection, clicking a
//! span, task selection, jumps) checked against the resulting view state.

use std::path::PathBuf;
use std::sync::Arc;

use egui::{
    Event, Modifiers, MouseWheelSource, MouseWheelUnit, PointerButton, Pos2, TouchPhase, pos2, vec2,
};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use viewer::ViewerApp;
use viewer::model::load::load_blocking;
use viewer::model::state::code;
use viewer::model::{Model, Source};
use viewer::ui::Action;
use viewer::ui::panels::Tab;
use viewer::ui::rows::G_ROW_H;
use viewer::ui::view::{ResourceMode, Selected};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/traces")
        .join(name)
}

fn harness(name: &str) -> Harness<'static, ViewerApp> {
    let src = Source::Path(fixture(name));
    let m = Arc::new(load_blocking(&src).expect("fixture loads"));
    let app = ViewerApp::with_model(m, Some(src));
    let mut b = Harness::builder().with_size([1440.0, 900.0]);
    if name.starts_with("annotations") {
        // Its log messages contain symbols (✓) that the bundled fonts lack;
        // the viewer's own labels must not.
        b = b.allow_missing_glyphs();
    }
    let mut h = b.build_ui_state(|ui, app: &mut ViewerApp| app.show(ui), app);
    settle(&mut h);
    h
}

/// Runs frames until background work (the goroutine analysis) is done.
fn settle(h: &mut Harness<'static, ViewerApp>) {
    for _ in 0..500 {
        h.step();
        if h.state().frames > 3
            && !h.state().panels.analysis.busy()
            && !h.state().panels.range_stats.busy()
            && !h.state().threads_busy()
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    h.run();
}

fn model(h: &Harness<'static, ViewerApp>) -> Arc<Model> {
    h.state().model.clone().expect("model")
}

fn track_center(h: &Harness<'static, ViewerApp>) -> Pos2 {
    let r = h.state().timeline.track_rect;
    pos2(r.center().x, h.state().timeline.list_rect.top() + 5.0)
}

fn wheel(delta: f32, modifiers: Modifiers) -> Event {
    Event::MouseWheel {
        unit: MouseWheelUnit::Line,
        delta: vec2(0.0, delta),
        phase: TouchPhase::Move,
        source: MouseWheelSource::Wheel,
        modifiers,
    }
}

fn press(pos: Pos2, pressed: bool, modifiers: Modifiers) -> Event {
    Event::PointerButton {
        pos,
        button: PointerButton::Primary,
        pressed,
        modifiers,
    }
}

fn click(h: &mut Harness<'static, ViewerApp>, p: Pos2) {
    h.hover_at(p);
    h.step();
    h.event(press(p, true, Modifiers::NONE));
    h.event(press(p, false, Modifiers::NONE));
    h.step();
    // Background jobs (statistics, analysis) may still be running: wait for
    // them rather than for a fixed number of frames.
    settle(h);
}

fn drag(h: &mut Harness<'static, ViewerApp>, from: Pos2, to: Pos2, modifiers: Modifiers) {
    h.event(Event::ModifiersChanged(modifiers));
    h.hover_at(from);
    h.step();
    h.event(press(from, true, modifiers));
    h.step();
    for i in 1..=4 {
        h.hover_at(from + (to - from) * (i as f32 / 4.0));
        h.step();
    }
    h.event(press(to, false, modifiers));
    h.step();
    h.event(Event::ModifiersChanged(Modifiers::NONE));
    settle(h);
}

#[test]
fn main_view_snapshot() {
    let mut h = harness("example.trace");
    let st = h.state();
    assert_eq!(
        (st.view.start, st.view.end),
        (model(&h).start, model(&h).end)
    );
    assert!(st.timeline.drawn > 100, "drew {} spans", st.timeline.drawn);
    assert!(!st.rows.goroutines.is_empty());
    // The goroutine analysis table from the analysis crate is shown.
    h.get_by_label("main.request");
    h.snapshot("main_view");
}

#[test]
fn zoom_with_ctrl_wheel_and_keys_around_the_pointer() {
    let mut h = harness("example.trace");
    let p = track_center(&h);
    let width = h.state().timeline.track_rect.width();
    let x = p.x - h.state().timeline.track_rect.left();
    let t_before = h.state().view.t_of(x, width);
    let len0 = h.state().view.len();
    h.hover_at(p);
    h.step();
    h.event(wheel(3.0, Modifiers::CTRL));
    for _ in 0..30 {
        h.step();
    }
    let v = &h.state().view;
    assert!(
        v.len() < len0 * 9 / 10,
        "ctrl+wheel did not zoom in: {} -> {}",
        len0,
        v.len()
    );
    let t_after = v.t_of(x, width);
    assert!(
        (t_after - t_before).abs() <= v.len() / 100,
        "the time under the pointer moved: {t_before} -> {t_after}"
    );
    let len1 = v.len();
    h.key_press(egui::Key::W);
    h.run();
    assert!(h.state().view.len() < len1);
    h.key_press(egui::Key::S);
    h.key_press(egui::Key::S);
    h.run();
    assert!(h.state().view.len() > len1);
    h.key_press(egui::Key::F);
    h.run();
    assert_eq!(h.state().view.len(), len0);
    // Back goes through the views.
    h.key_press(egui::Key::Backspace);
    h.run();
    assert_ne!(h.state().view.len(), len0);
}

#[test]
fn pan_by_dragging_and_with_keys() {
    let mut h = harness("example.trace");
    h.key_press(egui::Key::W);
    h.key_press(egui::Key::W);
    h.key_press(egui::Key::W);
    h.run();
    let v0 = h.state().view.clone();
    let width = h.state().timeline.track_rect.width();
    let npp = v0.ns_per_px(width);
    let p = track_center(&h);
    drag(&mut h, p, p - vec2(200.0, 0.0), Modifiers::NONE);
    let v1 = h.state().view.clone();
    let moved = v1.start - v0.start;
    assert_eq!(v1.len(), v0.len());
    assert!(
        (moved as f64 - 200.0 * npp).abs() < 3.0 * npp,
        "dragged 200 px = {} ns, moved {moved}",
        200.0 * npp
    );
    assert!(v1.selection.is_none());
    h.key_press(egui::Key::A);
    h.run();
    assert!(h.state().view.start < v1.start);
    h.key_press(egui::Key::D);
    h.key_press(egui::Key::D);
    h.run();
    assert!(h.state().view.start > v1.start);
}

#[test]
fn select_a_range_on_the_ruler_for_statistics() {
    let mut h = harness("example.trace");
    let r = h.state().timeline.track_rect;
    let (x0, x1) = (r.left() + 200.0, r.left() + 600.0);
    let y = r.top() + 10.0; // the time ruler
    drag(&mut h, pos2(x0, y), pos2(x1, y), Modifiers::NONE);
    let v = h.state().view.clone();
    let (a, b) = v.selection.expect("a selection");
    let width = r.width();
    let npp = v.ns_per_px(width);
    assert_eq!(h.state().timeline.track_rect, r, "the track area moved");
    assert!((a - v.t_of(200.0, width)).abs() as f64 <= 2.0 * npp);
    assert!((b - v.t_of(600.0, width)).abs() as f64 <= 2.0 * npp);
    assert_eq!(h.state().panels.tab, Tab::Selection);
    settle(&mut h);
    // Statistics per goroutine group were computed for the range.
    let rows = h
        .state()
        .panels
        .range_stats
        .value
        .as_ref()
        .map(|(k, v)| (*k, v.clone()));
    let (key, rows) = rows.expect("range statistics");
    assert_eq!(key, (a, b));
    assert!(!rows.is_empty());
    let total: i64 = rows.iter().map(|r| r.total()).sum();
    assert!(total > 0);
    h.snapshot("selection_stats");
    // Zoom to it, then back.
    h.key_press(egui::Key::Z);
    h.run();
    let z = h.state().view.clone();
    assert!(z.start <= a && z.end >= b && z.len() < (b - a) * 2);
    h.key_press(egui::Key::Backspace);
    h.run();
    assert_eq!((h.state().view.start, h.state().view.end), (v.start, v.end));
    // Shift+drag on the tracks also selects.
    let p = track_center(&h);
    drag(&mut h, p, p + vec2(150.0, 0.0), Modifiers::SHIFT);
    let (c, d) = h.state().view.selection.expect("shift+drag selects");
    assert!(d > c && (c, d) != (a, b));
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(h.state().view.selection.is_none());
}

/// Zooms to a span of `g` and returns the centre of its rectangle on screen.
fn show_span(
    h: &mut Harness<'static, ViewerApp>,
    g: u32,
    want: impl Fn(&viewer::model::GSpan) -> bool,
) -> (viewer::model::GSpan, Pos2) {
    let m = model(h);
    let span = m
        .goroutine_spans(g)
        .into_iter()
        .find(|s| want(s) && s.end > s.start + 1000)
        .expect("a span");
    h.state_mut().apply(Action::Reveal(
        span.start - (span.end - span.start),
        span.end + (span.end - span.start),
    ));
    h.state_mut().apply(Action::ShowGoroutine { g, at: None });
    h.state_mut().view.selected = None;
    h.run();
    let st = h.state();
    let y = st.rows.y_of_goroutine(g).expect("listed") - st.timeline.scroll_y;
    let y = st.timeline.list_rect.top() + y as f32 + G_ROW_H / 2.0;
    let w = st.timeline.track_rect.width();
    let mid = span.start + (span.end - span.start) / 2;
    let x = st.timeline.track_rect.left() + st.view.x_of(mid, w);
    (span, pos2(x, y))
}

#[test]
fn click_a_span_for_details_and_jump_to_the_unblocker() {
    let mut h = harness("chan-go1.27.trace");
    let m = model(&h);
    // A goroutine with a runnable span that says who unblocked it.
    let (g, _) = (0..m.goroutines.len() as u32)
        .find_map(|g| {
            let s = m.goroutine_spans(g).into_iter().find(|s| {
                s.state == code::RUNNABLE && s.extra >= 0 && !s.created() && s.end > s.start + 1000
            })?;
            m.goroutines.index_of(s.extra).map(|_| (g, s))
        })
        .expect("an unblocked span");
    let (span, p) = show_span(&mut h, g, |s| {
        s.state == code::RUNNABLE && s.extra >= 0 && !s.created()
    });
    click(&mut h, p);
    match &h.state().view.selected {
        Some(Selected::GSpan { g: sg, span: s }) => {
            assert_eq!(*sg, g);
            assert_eq!(s.start, span.start);
        }
        other => panic!("selected {other:?}"),
    }
    // The details panel shows the state and a link to the unblocking goroutine.
    let from = m.goroutines.index_of(span.extra).unwrap();
    let link = format!("→ {}", m.g_title(from));
    h.get_by_label("unblocked by");
    h.snapshot("span_details");
    h.get_by_label(&link).click();
    h.run();
    match &h.state().view.selected {
        Some(Selected::GSpan { g: sg, span: s }) => {
            assert_eq!(*sg, from, "jumped to the unblocker");
            assert!(s.start <= span.start && span.start <= s.end);
        }
        other => panic!("selected {other:?}"),
    }
    assert!(h.state().rows.y_of_goroutine(from).is_some());
}

#[test]
fn select_a_task_in_the_list() {
    let mut h = harness("annotations-go1.27.trace");
    let m = model(&h);
    // The list is sorted by duration, longest first: take the first row.
    let task = m
        .annotations
        .tasks
        .iter()
        .filter(|t| t.complete())
        .max_by_key(|t| (t.duration(), std::cmp::Reverse(t.id)))
        .expect("a complete task")
        .clone();
    assert!(!task.goids.is_empty());
    h.state_mut().panels.tab = Tab::Tasks;
    h.run();
    h.get_by_label(&task.id.to_string()).click();
    h.run();
    let st = h.state();
    assert_eq!(st.filter.task, Some(task.id));
    assert_eq!(st.view.selected, Some(Selected::Task(task.id)));
    let mut shown: Vec<i64> = st
        .rows
        .goroutines
        .iter()
        .map(|&g| m.goroutines.goid[g as usize])
        .collect();
    shown.sort_unstable();
    assert_eq!(shown, task.goids, "only the task's goroutines are listed");
    let (a, b) = (task.start.unwrap(), task.end.unwrap());
    assert!(st.view.start <= a && st.view.end >= b && st.view.len() < (b - a) * 2);
    h.snapshot("task_selected");
    // Clearing the task lists everything again.
    h.state_mut().apply(Action::ClearTask);
    h.run();
    assert_eq!(h.state().rows.goroutines.len(), m.goroutines.len());
}

#[test]
fn threads_view_and_search() {
    let mut h = harness("syscall-go1.27.trace");
    let m = model(&h);
    h.get_by_label("Threads").click();
    h.run();
    assert_eq!(h.state().view.resources, ResourceMode::Threads);
    settle(&mut h);
    let threads = m
        .thread_tracks
        .get()
        .expect("thread tracks built")
        .ids
        .len();
    assert!(threads > 1);
    assert_eq!(h.state().rows.resources.len(), threads);
    h.snapshot("threads_view");
    h.get_by_label("Procs").click();
    h.run();
    assert_eq!(h.state().rows.resources.len(), m.procs.len());
    // Search by goroutine ID and by function.
    let g = m.goroutines.index_of(1).unwrap();
    h.state_mut().apply(Action::Search("G1".into()));
    h.run();
    assert_eq!(h.state().rows.goroutines, vec![g]);
    let name = m.g_name(g).to_string();
    h.state_mut().apply(Action::Search(name.clone()));
    h.run();
    assert!(
        h.state()
            .rows
            .goroutines
            .iter()
            .all(|&x| m.g_name(x).contains(&name))
    );
    assert!(h.state().rows.goroutines.contains(&g));
    // Only the goroutines active in the visible range.
    h.state_mut().apply(Action::Search(String::new()));
    h.state_mut()
        .apply(Action::Reveal(m.start, m.start + m.duration() / 10));
    h.run();
    h.get_by_label("Active in view").click();
    h.run();
    let (a, b) = h.state().filter.active.expect("filter set");
    let active = m.active_goroutines(a, b);
    let shown = &h.state().rows.goroutines;
    assert!(!shown.is_empty() && shown.len() < m.goroutines.len());
    assert!(shown.iter().all(|&x| active[x as usize]));
}

#[test]
fn loading_errors_are_shown_in_the_window() {
    let ctx = egui::Context::default();
    let app = ViewerApp::new(
        Some(Source::Bytes {
            name: "bad".into(),
            data: b"not a trace".as_slice().into(),
        }),
        &ctx,
    );
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(|ui, app: &mut ViewerApp| app.show(ui), app);
    for _ in 0..300 {
        h.step();
        if h.state().loaded() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    h.run();
    assert!(h.state().load_error.is_some());
    h.get_by_label("Cannot open this trace");
    // A truncated trace shows what could be read, with the error.
    let data = std::fs::read(fixture("generations50ms-go1.27.trace")).unwrap();
    let cut = data[..data.len() / 2].to_vec();
    let ctx = h.ctx.clone();
    h.state_mut().open(
        Source::Bytes {
            name: "cut".into(),
            data: cut.into(),
        },
        &ctx,
    );
    for _ in 0..300 {
        h.step();
        if h.state().loaded() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    settle(&mut h);
    let m = model(&h);
    assert!(!m.complete && m.error.is_some() && !m.chunks.is_empty());
    h.get_by_label_contains("truncated");
}
