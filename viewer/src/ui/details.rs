//! The details panel: what the selected object is, with its full stack and
//! links to related goroutines, tasks and times.

use egui::{RichText, Ui};

use crate::model::spantrack::kind;
use crate::model::state::{Category, code, state_name};
use crate::model::{GSpan, Model, NONE, RangeKind, Resource};

use super::Action;
use super::theme::{self, dur};
use super::timeline::range_list;
use super::view::{Selected, ViewState};

/// Draws the details of `view.selected`.
pub fn show(ui: &mut Ui, model: &Model, view: &ViewState) -> Vec<Action> {
    let mut out = Vec::new();
    let Some(sel) = &view.selected else {
        ui.weak("Click a span, goroutine, region or event to see its details here. Drag on the time ruler (or Shift+drag) to measure and get statistics for a time range.");
        return out;
    };
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| match sel {
            Selected::GSpan { g, span } => gspan(ui, model, *g, span, &mut out),
            Selected::ResSpan {
                res,
                start,
                end,
                kind: k,
                g,
            } => {
                let what = match *k {
                    kind::SYSCALL => "System call",
                    kind::SWEEP => "GC incremental sweep",
                    _ if *g == NONE => "Merged spans",
                    _ => "Running goroutine",
                };
                let res_name = match res {
                    Resource::Proc(p) => format!("P{p}"),
                    Resource::Thread(m) => format!("M{m}"),
                };
                ui.heading(format!("{what} on {res_name}"));
                times(ui, model, *start, *end, &mut out);
                if *g != NONE {
                    goroutine_link(ui, model, *g, Some(*start), &mut out);
                    if let Some(s) = model.goroutine_span_at(*g, *start) {
                        ui.separator();
                        gspan(ui, model, *g, &s, &mut out);
                    }
                }
            }
            Selected::Goroutine(g) => goroutine(ui, model, *g, &mut out),
            Selected::Task(id) => task(ui, model, *id, &mut out),
            Selected::Region(i) => {
                let Some(r) = model.annotations.regions.get(*i) else {
                    return;
                };
                ui.heading(format!("Region \"{}\"", model.strings.get(r.typ)));
                times(ui, model, r.start, r.end, &mut out);
                if !r.start_known {
                    ui.weak("began before the trace started");
                }
                if !r.end_known {
                    ui.weak("had not ended when the trace ended");
                }
                if let Some(g) = model.goroutines.index_of(r.goid) {
                    goroutine_link(ui, model, g, Some(r.start), &mut out);
                }
                task_link(ui, model, r.task, &mut out);
                stack(ui, model, r.stack, "Stack at the region's start");
            }
            Selected::Range(k, i) => {
                let Some(r) = range_list(model, *k).get(*i) else {
                    return;
                };
                let title = match k {
                    RangeKind::GcMark => "GC concurrent mark phase".to_string(),
                    RangeKind::Stw => format!("Stop-the-world ({})", model.strings.get(r.reason)),
                    RangeKind::MarkAssist => "GC mark assist".to_string(),
                };
                ui.heading(title);
                times(ui, model, r.start, r.end, &mut out);
                if !r.complete {
                    ui.weak("had not ended when the trace ended");
                }
                if r.goid >= 0
                    && let Some(g) = model.goroutines.index_of(r.goid)
                {
                    goroutine_link(ui, model, g, Some(r.start), &mut out);
                }
                stack(ui, model, r.stack, "Stack");
            }
            Selected::CpuSample(i) => {
                let Some(s) = model.cpu.get(*i) else { return };
                ui.heading("CPU profile sample");
                ui.label(format!(
                    "at {} on P{} M{}",
                    dur(s.time - model.start),
                    s.proc,
                    s.thread
                ));
                if let Some(g) = model.goroutines.index_of(s.goid) {
                    goroutine_link(ui, model, g, Some(s.time), &mut out);
                }
                stack(ui, model, s.stack, "Stack");
            }
            Selected::Log(i) => {
                let Some(l) = model.annotations.logs.get(*i) else {
                    return;
                };
                ui.heading(format!("Log [{}]", model.strings.get(l.category)));
                ui.label(RichText::new(model.strings.get(l.message)).monospace());
                ui.label(format!("at {}", dur(l.time - model.start)));
                if let Some(g) = model.goroutines.index_of(l.goid) {
                    goroutine_link(ui, model, g, Some(l.time), &mut out);
                }
                task_link(ui, model, l.task, &mut out);
                stack(ui, model, l.stack, "Stack");
            }
        });
    out
}

fn times(ui: &mut Ui, model: &Model, start: i64, end: i64, out: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        ui.label(format!(
            "from {} to {}: ",
            dur(start - model.start),
            dur(end - model.start)
        ));
        ui.strong(dur(end - start));
        if ui.small_button("zoom to it").clicked() {
            let pad = (end - start) / 10 + 1;
            out.push(Action::Reveal(start - pad, end + pad));
        }
    });
}

fn goroutine_link(ui: &mut Ui, model: &Model, g: u32, at: Option<i64>, out: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        ui.label("goroutine:");
        if ui.link(model.g_title(g)).clicked() {
            out.push(Action::ShowGoroutine { g, at });
        }
    });
}

fn task_link(ui: &mut Ui, model: &Model, task: u64, out: &mut Vec<Action>) {
    if let Some(t) = model.annotations.task(task) {
        ui.horizontal(|ui| {
            ui.label("task:");
            if ui
                .link(format!("{} \"{}\"", t.id, model.strings.get(t.typ)))
                .clicked()
            {
                out.push(Action::ShowTask(t.id));
            }
        });
    }
}

/// Shows a stack, innermost frame first.
pub fn stack(ui: &mut Ui, model: &Model, id: u32, title: &str) {
    let frames = model.stacks.frames(id);
    if frames.is_empty() {
        return;
    }
    ui.add_space(4.0);
    ui.strong(title);
    for f in frames {
        ui.label(RichText::new(model.strings.get(f.func)).monospace());
        ui.label(
            RichText::new(format!("    {}:{}", model.strings.get(f.file), f.line))
                .monospace()
                .weak(),
        );
    }
}

fn gspan(ui: &mut Ui, model: &Model, g: u32, s: &GSpan, out: &mut Vec<Action>) {
    let what = match s.state {
        code::WAITING => format!(
            "Blocked ({})",
            if s.reason == NONE {
                "no reason given"
            } else {
                model.strings.get(s.reason)
            }
        ),
        code::RUNNABLE if s.reason != NONE => format!("Runnable ({})", model.strings.get(s.reason)),
        st => {
            let n = state_name(st);
            let mut c = n.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        }
    };
    ui.horizontal(|ui| {
        ui.painter().rect_filled(
            egui::Rect::from_min_size(
                ui.cursor().min + egui::vec2(0.0, 4.0),
                egui::vec2(12.0, 12.0),
            ),
            2.0,
            theme::category_color(s.cat),
        );
        ui.add_space(16.0);
        ui.heading(what);
    });
    goroutine_link(ui, model, g, None, out);
    times(ui, model, s.start, s.end, out);
    match s.state {
        code::RUNNING | code::SYSCALL if s.extra >= 0 => {
            ui.label(format!("on P{}", s.extra));
        }
        code::RUNNABLE if s.extra >= 0 => {
            let how = if s.created() {
                "created by"
            } else {
                "unblocked by"
            };
            ui.horizontal(|ui| {
                ui.label(how);
                match model.goroutines.index_of(s.extra) {
                    Some(from) => {
                        if ui
                            .link(format!("→ {}", model.g_title(from)))
                            .on_hover_text("jump to it")
                            .clicked()
                        {
                            out.push(Action::ShowGoroutine {
                                g: from,
                                at: Some(s.start),
                            });
                        }
                    }
                    None => {
                        ui.label(format!("G{}", s.extra));
                    }
                }
            });
        }
        _ => {}
    }
    if s.cat.is_blocked() {
        ui.weak(format!("category: {}", s.cat.name()));
    }
    let title = match s.state {
        code::WAITING => "Where it blocked",
        code::SYSCALL => "System call stack",
        code::RUNNABLE if s.created() => "Where it was created (in the parent)",
        code::RUNNABLE if s.reason != NONE => "Where it stopped",
        code::RUNNABLE => "Stack of the goroutine that unblocked it",
        _ => "Stack",
    };
    stack(ui, model, s.stack, title);
}

fn goroutine(ui: &mut Ui, model: &Model, g: u32, out: &mut Vec<Action>) {
    ui.heading(model.g_title(g));
    let (first, end) = model.lifetime(g);
    ui.horizontal(|ui| {
        ui.label(format!(
            "alive from {} to {}",
            dur(first - model.start),
            end.map_or("the end of the trace".into(), |e| dur(e - model.start))
        ));
        if ui.small_button("zoom to lifetime").clicked() {
            let e = end.unwrap_or(model.end);
            out.push(Action::Reveal(
                first - (e - first) / 20 - 1,
                e + (e - first) / 20 + 1,
            ));
        }
        if ui.small_button("list only this goroutine").clicked() {
            out.push(Action::Search(format!(
                "G{}",
                model.goroutines.goid[g as usize]
            )));
        }
    });
    let creation = model.creation(g);
    if let Some((t, parent, _)) = creation {
        ui.horizontal(|ui| {
            ui.label(format!("created at {} by", dur(t - model.start)));
            match model.goroutines.index_of(parent) {
                Some(p) => {
                    if ui.link(model.g_title(p)).clicked() {
                        out.push(Action::ShowGoroutine { g: p, at: Some(t) });
                    }
                }
                None => {
                    ui.label(if parent >= 0 {
                        format!("G{parent}")
                    } else {
                        "the runtime".into()
                    });
                }
            }
        });
    } else {
        ui.weak("existed when the trace started");
    }
    // Time per state.
    let mut times = [0i64; Category::COUNT];
    let mut spans = 0usize;
    model.visit_goroutine(g, i64::MIN, i64::MAX, i64::MIN, |it| {
        if let crate::model::GItem::Span(s) = it {
            times[s.cat as usize] += s.end - s.start;
            spans += 1;
        }
        true
    });
    let total: i64 = times.iter().sum::<i64>().max(1);
    ui.add_space(4.0);
    ui.strong(format!("Time per state ({spans} spans)"));
    egui::Grid::new("gstates").striped(true).show(ui, |ui| {
        for c in Category::ALL {
            let t = times[c as usize];
            if t == 0 {
                continue;
            }
            let (r, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
            ui.painter().rect_filled(r, 2.0, theme::category_color(c));
            ui.label(c.name());
            ui.label(dur(t));
            ui.label(format!("{:.1}%", t as f64 * 100.0 / total as f64));
            ui.end_row();
        }
    });
    let goid = model.goroutines.goid[g as usize];
    let tasks: Vec<u64> = model
        .annotations
        .tasks
        .iter()
        .filter(|t| t.goids.binary_search(&goid).is_ok())
        .map(|t| t.id)
        .take(50)
        .collect();
    if !tasks.is_empty() {
        ui.horizontal_wrapped(|ui| {
            ui.label("tasks:");
            for id in tasks {
                if ui.link(id.to_string()).clicked() {
                    out.push(Action::ShowTask(id));
                }
            }
        });
    }
    if let Some((_, _, st)) = creation {
        stack(ui, model, st, "Created at (in the parent)");
    }
}

fn task(ui: &mut Ui, model: &Model, id: u64, out: &mut Vec<Action>) {
    let Some(t) = model.annotations.task(id) else {
        ui.label(format!("task {id} not found"));
        return;
    };
    ui.heading(format!("Task {} \"{}\"", t.id, model.strings.get(t.typ)));
    match (t.start, t.end) {
        (Some(a), Some(b)) => times(ui, model, a, b, out),
        (Some(a), None) => {
            ui.label(format!(
                "began at {}, not ended in the trace",
                dur(a - model.start)
            ));
        }
        (None, Some(b)) => {
            ui.label(format!(
                "began before the trace, ended at {}",
                dur(b - model.start)
            ));
        }
        (None, None) => {
            ui.label("neither begin nor end seen");
        }
    }
    if ui
        .small_button("stop showing only this task's goroutines")
        .clicked()
    {
        out.push(Action::ClearTask);
    }
    task_link_parent(ui, model, t.parent, out);
    if !t.children.is_empty() {
        ui.horizontal_wrapped(|ui| {
            ui.label("subtasks:");
            for &c in t.children.iter().take(100) {
                if ui.link(c.to_string()).clicked() {
                    out.push(Action::ShowTask(c));
                }
            }
        });
    }
    ui.add_space(4.0);
    ui.strong(format!("Goroutines ({})", t.goids.len()));
    for &goid in t.goids.iter().take(200) {
        if let Some(g) = model.goroutines.index_of(goid)
            && ui.link(model.g_title(g)).clicked()
        {
            out.push(Action::ShowGoroutine { g, at: t.start });
        }
    }
    if !t.regions.is_empty() {
        ui.add_space(4.0);
        ui.strong(format!("Regions ({})", t.regions.len()));
        egui::Grid::new("task_regions")
            .striped(true)
            .show(ui, |ui| {
                for &ri in t.regions.iter().take(500) {
                    let r = &model.annotations.regions[ri as usize];
                    if ui.link(model.strings.get(r.typ)).clicked() {
                        out.push(Action::Select(Some(Selected::Region(ri as usize))));
                        out.push(Action::Reveal(r.start, r.end));
                    }
                    ui.label(format!("G{}", r.goid));
                    ui.label(dur(r.start - model.start));
                    ui.label(dur(r.end - r.start));
                    ui.end_row();
                }
            });
    }
    if !t.logs.is_empty() {
        ui.add_space(4.0);
        ui.strong(format!("Logs ({})", t.logs.len()));
        egui::Grid::new("task_logs").striped(true).show(ui, |ui| {
            for &li in t.logs.iter().take(500) {
                let l = &model.annotations.logs[li as usize];
                if ui.link(dur(l.time - model.start)).clicked() {
                    out.push(Action::Select(Some(Selected::Log(li as usize))));
                }
                ui.label(format!("G{}", l.goid));
                ui.label(model.strings.get(l.category));
                ui.label(RichText::new(model.strings.get(l.message)).monospace());
                ui.end_row();
            }
        });
    }
}

fn task_link_parent(ui: &mut Ui, model: &Model, parent: u64, out: &mut Vec<Action>) {
    if let Some(p) = model.annotations.task(parent) {
        ui.horizontal(|ui| {
            ui.label("parent task:");
            if ui
                .link(format!("{} \"{}\"", p.id, model.strings.get(p.typ)))
                .clicked()
            {
                out.push(Action::ShowTask(p.id));
            }
        });
    }
}
