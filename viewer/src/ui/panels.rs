//! Side panels: the goroutine analysis table (from the `analysis` crate),
//! the task list, and statistics for the selected time range.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use analysis::goroutines::{Group, Groups, display_name};
use egui::{Color32, RichText, Sense, Ui};
use egui_extras::{Column, TableBuilder};

use crate::model::stats::{self, GroupRow};
use crate::model::{Category, Model, Source};

use super::Action;
use super::jobs::{Cached, Job};
use super::theme::{self, dur};
use super::view::{Selected, ViewState};

/// Which side tab is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// Goroutine analysis.
    Goroutines,
    /// Tasks.
    Tasks,
    /// Statistics of the selected time range.
    Selection,
}

/// One goroutine of the analysis.
#[derive(Debug, Clone)]
pub struct GoroutineRow {
    /// Goroutine ID.
    pub id: i64,
    /// Entry function.
    pub name: Arc<str>,
    /// Total time in the trace.
    pub total: i64,
    /// Execution time.
    pub exec: i64,
    /// Breakdown columns.
    pub breakdown: Vec<(String, i64)>,
}

/// Result of the goroutine analysis.
#[derive(Debug, Clone, Default)]
pub struct GoroutineAnalysis {
    /// Groups by entry function, by execution time.
    pub groups: Vec<Group>,
    /// Goroutines (kept for traces with up to `MAX_ROWS` goroutines).
    pub rows: Option<Vec<GoroutineRow>>,
    /// Error, if the analysis failed.
    pub error: Option<String>,
}

/// Goroutines kept for the per-group lists.
const MAX_ROWS: usize = 200_000;

/// Runs `go tool trace`'s goroutine analysis (Go's Summarizer, ported in the
/// `analysis` crate) over the complete generations of `src`.
pub fn analyze_goroutines(src: &Source, cancel: &AtomicBool) -> GoroutineAnalysis {
    let file;
    let data: &[u8] = match src {
        Source::Path(p) => match trace_format::TraceFile::open(p, trace_format::MmapChoice::Auto) {
            Ok(f) => {
                file = f;
                file.bytes()
            }
            Err(e) => {
                return GoroutineAnalysis {
                    error: Some(e.to_string()),
                    ..Default::default()
                };
            }
        },
        Source::Bytes { data, .. } => data,
    };
    let end = match trace_format::framing::scan(data) {
        Ok(f) => f.complete_end as usize,
        Err(e) => {
            return GoroutineAnalysis {
                error: Some(e.to_string()),
                ..Default::default()
            };
        }
    };
    let data = &data[..end.min(data.len())];
    let mut groups = Groups::default();
    let mut rows: Option<Vec<GoroutineRow>> = Some(Vec::new());
    let mut take = |g: analysis::summary::GoroutineSummary, groups: &mut Groups| {
        groups.add(&g.name, &g.stats);
        if let Some(r) = rows.as_mut() {
            if r.len() >= MAX_ROWS {
                rows = None;
                return;
            }
            let breakdown = g.stats.non_overlapping_stats();
            r.push(GoroutineRow {
                id: g.id,
                name: g.name.clone(),
                total: g.stats.total_time,
                exec: g.stats.exec_time,
                breakdown,
            });
        }
    };
    let res = analysis::summary::summarize(
        data,
        analysis::summary::Summarizer::goroutines_only(),
        |_, s| {
            if !cancel.load(Ordering::Relaxed) {
                for g in s.drain_finished() {
                    take(g, &mut groups);
                }
            }
        },
    );
    match res {
        Ok(mut summary) => {
            for g in std::mem::take(&mut summary.goroutines) {
                take(g, &mut groups);
            }
            if let Some(r) = rows.as_mut() {
                r.sort_by_key(|r| r.id);
            }
            GoroutineAnalysis {
                groups: groups.into_sorted(),
                rows,
                error: None,
            }
        }
        Err(e) => GoroutineAnalysis {
            error: Some(e.to_string()),
            ..Default::default()
        },
    }
}

/// State of the side panels.
pub struct Panels {
    /// Open tab.
    pub tab: Tab,
    /// Goroutine analysis (computed in the background).
    pub analysis: Cached<usize, GoroutineAnalysis>,
    /// Whether the user asked for the analysis of a big trace.
    pub analysis_requested: bool,
    group_filter: String,
    /// Expanded group (entry function).
    pub open_group: Option<Arc<str>>,
    group_sort: (usize, bool),
    task_filter: String,
    task_sort: (usize, bool),
    task_order: Option<TaskOrder>,
    /// Statistics of the selected range.
    pub range_stats: Cached<(i64, i64), Vec<GroupRow>>,
}

impl Default for Panels {
    fn default() -> Self {
        Panels {
            tab: Tab::Goroutines,
            analysis: Cached::default(),
            analysis_requested: false,
            group_filter: String::new(),
            open_group: None,
            group_sort: (2, true),
            task_filter: String::new(),
            task_sort: (2, true),
            task_order: None,
            range_stats: Cached::default(),
        }
    }
}

/// Task indices for (model address, filter, sort).
type TaskOrder = ((usize, String, (usize, bool)), Vec<usize>);

/// Traces up to this size are analysed without asking.
const AUTO_ANALYZE_BYTES: u64 = 64 << 20;

impl Panels {
    /// Draws the open tab.
    pub fn show(
        &mut self,
        ui: &mut Ui,
        model: &Arc<Model>,
        src: Option<&Source>,
        view: &ViewState,
    ) -> Vec<Action> {
        let mut out = Vec::new();
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.tab, Tab::Goroutines, "Goroutines");
            ui.selectable_value(
                &mut self.tab,
                Tab::Tasks,
                format!("Tasks ({})", model.annotations.tasks.len()),
            );
            ui.selectable_value(&mut self.tab, Tab::Selection, "Selection");
        });
        ui.separator();
        match self.tab {
            Tab::Goroutines => self.goroutines(ui, model, src, &mut out),
            Tab::Tasks => self.tasks(ui, model, view, &mut out),
            Tab::Selection => self.selection(ui, model, view, &mut out),
        }
        out
    }

    fn goroutines(
        &mut self,
        ui: &mut Ui,
        model: &Arc<Model>,
        src: Option<&Source>,
        out: &mut Vec<Action>,
    ) {
        let Some(src) = src else { return };
        if !model.complete && model.error.is_none() {
            ui.weak("waiting for loading to finish…");
            return;
        }
        if model.size > AUTO_ANALYZE_BYTES && !self.analysis_requested {
            ui.label(format!(
                "The goroutine analysis reads the whole trace again ({}); it can take a while on big traces.",
                theme::bytes(model.size)
            ));
            if ui.button("Analyze goroutines").clicked() {
                self.analysis_requested = true;
            }
            return;
        }
        let ctx = ui.ctx().clone();
        let src2 = src.clone();
        let key = Arc::as_ptr(model) as usize;
        let busy = self.analysis.busy();
        let Some(a) = self.analysis.get(&key, || {
            Job::spawn(
                move |c| Some(analyze_goroutines(&src2, c)),
                move || ctx.request_repaint(),
            )
        }) else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(if busy {
                    "analyzing goroutines…"
                } else {
                    "starting…"
                });
            });
            return;
        };
        if let Some(e) = &a.error {
            ui.colored_label(
                Color32::from_rgb(255, 120, 120),
                format!("goroutine analysis failed: {e}"),
            );
            return;
        }
        ui.horizontal(|ui| {
            ui.label("Filter:");
            ui.add(
                egui::TextEdit::singleline(&mut self.group_filter)
                    .hint_text("function")
                    .desired_width(160.0),
            );
        });
        let f = self.group_filter.to_lowercase();
        let total_exec: i64 = a.groups.iter().map(|g| g.exec_time()).sum::<i64>().max(1);
        let mut groups: Vec<&Group> = a
            .groups
            .iter()
            .filter(|g| f.is_empty() || g.name.to_lowercase().contains(&f))
            .collect();
        let (col, desc) = self.group_sort;
        groups.sort_by(|x, y| {
            let o = match col {
                0 => x.name.cmp(&y.name),
                1 => x.count.cmp(&y.count),
                _ => x.exec_time().cmp(&y.exec_time()),
            };
            if desc { o.reverse() } else { o }
        });
        if let Some(open) = self.open_group.clone() {
            ui.horizontal(|ui| {
                if ui.button("⬅ all groups").clicked() {
                    self.open_group = None;
                }
                ui.strong(display_name(&open));
            });
            match &a.rows {
                Some(rows) => {
                    let rows: Vec<&GoroutineRow> = rows.iter().filter(|r| r.name == open).collect();
                    goroutine_table(ui, model, &rows, out);
                }
                None => {
                    ui.weak("Too many goroutines to list here; use `gotrace goroutines --group` or search the timeline.");
                    if ui.button("list them in the timeline").clicked() {
                        out.push(Action::Search(open.to_string()));
                    }
                }
            }
            return;
        }
        let sort = &mut self.group_sort;
        let mut open = None;
        TableBuilder::new(ui)
            .id_salt("groups")
            .striped(true)
            .sense(Sense::click())
            .column(Column::remainder().at_least(120.0).clip(true))
            .column(Column::auto().at_least(50.0))
            .column(Column::auto().at_least(80.0))
            .header(20.0, |mut h| {
                for (i, name) in ["Entry function", "Count", "Execution"].iter().enumerate() {
                    h.col(|ui| sort_button(ui, name, i, sort, i != 0));
                }
            })
            .body(|body| {
                body.rows(18.0, groups.len(), |mut row| {
                    let g = groups[row.index()];
                    row.col(|ui| {
                        if ui
                            .selectable_label(false, display_name(&g.name))
                            .on_hover_text(display_name(&g.name))
                            .clicked()
                        {
                            open = Some(g.name.clone());
                        }
                    });
                    row.col(|ui| {
                        ui.label(g.count.to_string());
                    });
                    row.col(|ui| {
                        ui.horizontal(|ui| {
                            let frac = g.exec_time() as f32 / total_exec as f32;
                            let (r, _) =
                                ui.allocate_exact_size(egui::vec2(30.0, 10.0), Sense::hover());
                            ui.painter().rect_filled(r, 1.0, Color32::from_gray(60));
                            ui.painter().rect_filled(
                                egui::Rect::from_min_size(r.min, egui::vec2(30.0 * frac, 10.0)),
                                1.0,
                                theme::category_color(Category::Running),
                            );
                            ui.label(dur(g.exec_time()));
                        });
                    });
                    if row.response().clicked() {
                        open = Some(g.name.clone());
                    }
                });
            });
        if let Some(o) = open {
            self.open_group = Some(o);
        }
    }

    fn tasks(&mut self, ui: &mut Ui, model: &Arc<Model>, view: &ViewState, out: &mut Vec<Action>) {
        let ann = &model.annotations;
        if ann.tasks.is_empty() {
            ui.weak("No user tasks in this trace (runtime/trace.NewTask).");
            return;
        }
        ui.horizontal(|ui| {
            ui.label("Filter:");
            ui.add(
                egui::TextEdit::singleline(&mut self.task_filter)
                    .hint_text("type or ID")
                    .desired_width(160.0),
            );
        });
        let key = (
            Arc::as_ptr(model) as usize,
            self.task_filter.clone(),
            self.task_sort,
        );
        if self.task_order.as_ref().is_none_or(|(k, _)| *k != key) {
            let order = self.sorted_tasks(model);
            self.task_order = Some((key, order));
        }
        let Some((_, tasks)) = &self.task_order else {
            return;
        };
        let tasks = tasks.clone();
        let selected = match view.selected {
            Some(Selected::Task(id)) => Some(id),
            _ => None,
        };
        self.task_table(ui, model, &tasks, selected, out);
    }

    /// Task indices filtered and sorted as asked.
    fn sorted_tasks(&self, model: &Model) -> Vec<usize> {
        let ann = &model.annotations;
        let f = self.task_filter.to_lowercase();
        let mut tasks: Vec<usize> = (0..ann.tasks.len())
            .filter(|&i| {
                let t = &ann.tasks[i];
                f.is_empty()
                    || model.strings.get(t.typ).to_lowercase().contains(&f)
                    || t.id.to_string() == f
            })
            .collect();
        let (col, desc) = self.task_sort;
        tasks.sort_by(|&a, &b| {
            let (x, y) = (&ann.tasks[a], &ann.tasks[b]);
            let o = match col {
                0 => x.id.cmp(&y.id),
                1 => model.strings.get(x.typ).cmp(model.strings.get(y.typ)),
                // Incomplete tasks last, whatever the direction.
                _ => match (x.duration(), y.duration()) {
                    (Some(a), Some(b)) => {
                        let o = a.cmp(&b);
                        return if desc { o.reverse() } else { o };
                    }
                    (a, b) => return a.is_none().cmp(&b.is_none()),
                },
            };
            if desc { o.reverse() } else { o }
        });
        tasks
    }

    fn task_table(
        &mut self,
        ui: &mut Ui,
        model: &Model,
        tasks: &[usize],
        selected: Option<u64>,
        out: &mut Vec<Action>,
    ) {
        let ann = &model.annotations;
        let sort = &mut self.task_sort;
        TableBuilder::new(ui)
            .id_salt("tasks")
            .striped(true)
            .sense(Sense::click())
            .column(Column::auto().at_least(40.0))
            .column(Column::remainder().at_least(80.0).clip(true))
            .column(Column::auto().at_least(80.0))
            .header(20.0, |mut h| {
                for (i, name) in ["ID", "Type", "Duration"].iter().enumerate() {
                    h.col(|ui| sort_button(ui, name, i, sort, i == 2));
                }
            })
            .body(|body| {
                body.rows(18.0, tasks.len(), |mut row| {
                    let t = &ann.tasks[tasks[row.index()]];
                    row.set_selected(selected == Some(t.id));
                    let mut clicked = false;
                    row.col(|ui| {
                        clicked |= ui
                            .selectable_label(selected == Some(t.id), t.id.to_string())
                            .clicked();
                    });
                    row.col(|ui| {
                        ui.label(model.strings.get(t.typ));
                    });
                    row.col(|ui| {
                        match t.duration() {
                            Some(d) => ui.label(dur(d)),
                            None => ui.weak("incomplete"),
                        };
                    });
                    if clicked || row.response().clicked() {
                        out.push(Action::ShowTask(t.id));
                    }
                });
            });
    }

    fn selection(
        &mut self,
        ui: &mut Ui,
        model: &Arc<Model>,
        view: &ViewState,
        out: &mut Vec<Action>,
    ) {
        let Some((a, b)) = view.selection else {
            ui.weak("Drag on the time ruler (or Shift+drag on the tracks) to select a time range.");
            return;
        };
        ui.horizontal(|ui| {
            ui.strong(format!("{} selected", dur(b - a)));
            ui.label(format!(
                "({} – {})",
                dur(a - model.start),
                dur(b - model.start)
            ));
        });
        ui.horizontal(|ui| {
            if ui.button("Zoom to selection (Z)").clicked() {
                out.push(Action::Reveal(a, b));
            }
            if ui.button("Clear").clicked() {
                out.push(Action::Select(None));
            }
        });
        let m = model.clone();
        let ctx = ui.ctx().clone();
        let Some(rows) = self.range_stats.get(&(a, b), || {
            Job::spawn(
                move |c: &AtomicBool| stats::group_rows(&m, a, b, c),
                move || ctx.request_repaint(),
            )
        }) else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("computing…");
            });
            return;
        };
        let rows = rows.clone();
        ui.label("Time per state by entry function:");
        legend_small(ui);
        let max_total = rows.iter().map(|r| r.total()).max().unwrap_or(1).max(1);
        TableBuilder::new(ui)
            .id_salt("range_stats")
            .striped(true)
            .sense(Sense::click())
            .column(Column::remainder().at_least(120.0).clip(true))
            .column(Column::auto().at_least(30.0))
            .column(Column::exact(110.0))
            .column(Column::auto().at_least(60.0))
            .header(20.0, |mut h| {
                for name in ["Entry function", "G", "States", "Running"] {
                    h.col(|ui| {
                        ui.strong(name);
                    });
                }
            })
            .body(|body| {
                body.rows(18.0, rows.len(), |mut row| {
                    let r = &rows[row.index()];
                    let name = model.strings.get(r.name);
                    let name = if name.is_empty() { "(unknown)" } else { name };
                    row.col(|ui| {
                        ui.label(name);
                    });
                    row.col(|ui| {
                        ui.label(r.goroutines.to_string());
                    });
                    row.col(|ui| {
                        let (rect, resp) =
                            ui.allocate_exact_size(egui::vec2(104.0, 12.0), Sense::hover());
                        let scale = 104.0 * r.total() as f32 / max_total as f32;
                        let total = r.total().max(1) as f32;
                        let mut x = rect.left();
                        for c in Category::ALL {
                            let t = r.times[c as usize];
                            if t == 0 || c == Category::None {
                                continue;
                            }
                            let w = scale * t as f32 / total;
                            ui.painter().rect_filled(
                                egui::Rect::from_min_size(
                                    egui::pos2(x, rect.top()),
                                    egui::vec2(w, 12.0),
                                ),
                                0.0,
                                theme::category_color(c),
                            );
                            x += w;
                        }
                        resp.on_hover_ui(|ui| {
                            for c in Category::ALL {
                                let t = r.times[c as usize];
                                if t > 0 && c != Category::None {
                                    ui.label(format!("{}: {}", c.name(), dur(t)));
                                }
                            }
                        });
                    });
                    row.col(|ui| {
                        ui.label(dur(r.times[Category::Running as usize]));
                    });
                    if row.response().clicked() {
                        out.push(Action::Search(name.to_string()));
                    }
                });
            });
    }
}

fn legend_small(ui: &mut Ui) {
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 3.0;
        for c in Category::ALL {
            if c == Category::None {
                continue;
            }
            let mut job = egui::text::LayoutJob::default();
            let font = egui::FontId::proportional(11.0);
            job.append(
                "■ ",
                0.0,
                egui::TextFormat::simple(font.clone(), theme::category_color(c)),
            );
            job.append(
                c.name(),
                0.0,
                egui::TextFormat::simple(font, ui.visuals().text_color()),
            );
            ui.label(job);
            ui.add_space(4.0);
        }
    });
}

fn goroutine_table(ui: &mut Ui, model: &Model, rows: &[&GoroutineRow], out: &mut Vec<Action>) {
    let mut cols: Vec<String> =
        analysis::goroutines::columns(rows.iter().map(|r| r.breakdown.as_slice()));
    let bds: Vec<Vec<(String, i64)>> = rows.iter().map(|r| r.breakdown.clone()).collect();
    cols = analysis::goroutines::nonzero_columns(&cols, &bds);
    cols.truncate(6);
    let n = cols.len();
    TableBuilder::new(ui)
        .id_salt("group_goroutines")
        .striped(true)
        .sense(Sense::click())
        .column(Column::auto().at_least(60.0))
        .column(Column::auto().at_least(70.0))
        .columns(Column::auto().at_least(70.0), n)
        .header(20.0, |mut h| {
            h.col(|ui| {
                ui.strong("Goroutine");
            });
            h.col(|ui| {
                ui.strong("Total");
            });
            for c in &cols {
                h.col(|ui| {
                    ui.strong(c.as_str());
                });
            }
        })
        .body(|body| {
            body.rows(18.0, rows.len(), |mut row| {
                let r = rows[row.index()];
                row.col(|ui| {
                    if ui.link(format!("G{}", r.id)).clicked()
                        && let Some(g) = model.goroutines.index_of(r.id)
                    {
                        out.push(Action::ShowGoroutine { g, at: None });
                    }
                });
                row.col(|ui| {
                    ui.label(dur(r.total));
                });
                for c in &cols {
                    row.col(|ui| {
                        ui.label(dur(analysis::goroutines::column(&r.breakdown, c)));
                    });
                }
                if row.response().clicked()
                    && let Some(g) = model.goroutines.index_of(r.id)
                {
                    out.push(Action::ShowGoroutine { g, at: None });
                }
            });
        });
}

/// A table header button for column `i` of a table sorted by `sort`
/// (column, descending): clicking flips the order of the sorted column, or
/// sorts by this one, descending when `descending_first`.
fn sort_button(
    ui: &mut egui::Ui,
    name: &str,
    i: usize,
    sort: &mut (usize, bool),
    descending_first: bool,
) {
    let arrow = match (sort.0 == i, sort.1) {
        (true, true) => " ▼",
        (true, false) => " ▲",
        (false, _) => "",
    };
    if ui
        .button(RichText::new(format!("{name}{arrow}")).strong())
        .clicked()
    {
        *sort = if sort.0 == i {
            (i, !sort.1)
        } else {
            (i, descending_first)
        };
    }
}
