//! The scrollable list of tracks: a section of P (or M) tracks and a section
//! of goroutine tracks, filtered and ordered. Row heights vary (goroutines
//! with regions get sub-rows), so offsets are kept as prefix sums.

use crate::model::{Model, Resource};

use super::view::ResourceMode;

/// Height of a section header.
pub const SECTION_H: f32 = 20.0;
/// Height of a P/M track.
pub const RES_ROW_H: f32 = 22.0;
/// Height of a goroutine track's state row.
pub const G_ROW_H: f32 = 18.0;
/// Height of one region sub-row.
pub const REGION_ROW_H: f32 = 13.0;

/// Sections of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// P or M tracks.
    Resources,
    /// Goroutine tracks.
    Goroutines,
}

/// One row of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// A section header.
    Header(Section),
    /// A P or M track.
    Resource(Resource),
    /// A goroutine track with this many region sub-rows.
    Goroutine(u32, u8),
}

impl Row {
    /// Height in points.
    pub fn height(&self) -> f32 {
        match self {
            Row::Header(_) => SECTION_H,
            Row::Resource(_) => RES_ROW_H,
            Row::Goroutine(_, r) => G_ROW_H + *r as f32 * REGION_ROW_H,
        }
    }
}

/// Which goroutines to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Search text: a goroutine ID (`123` or `G123`), `task:<id or type>`, or
    /// part of the entry function or label.
    pub text: String,
    /// Only goroutines taking part in this task.
    pub task: Option<u64>,
    /// Only goroutines active in this time range.
    pub active: Option<(i64, i64)>,
}

/// The row list.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    /// Resource tracks shown.
    pub resources: Vec<Resource>,
    /// Goroutines shown, in order.
    pub goroutines: Vec<u32>,
    /// Region sub-rows per shown goroutine.
    region_rows: Vec<u8>,
    /// Prefix sums of goroutine row heights (len = goroutines + 1).
    cum: Vec<f64>,
    /// Collapsed sections.
    pub collapsed: [bool; 2],
}

impl Rows {
    /// Builds the list for `model`.
    pub fn new(model: &Model, mode: ResourceMode, filter: &Filter, collapsed: [bool; 2]) -> Rows {
        let resources = match mode {
            ResourceMode::Procs => model.procs.iter().map(|&p| Resource::Proc(p)).collect(),
            ResourceMode::Threads => model
                .thread_tracks
                .get()
                .map(|t| t.ids.iter().map(|&m| Resource::Thread(m)).collect())
                .unwrap_or_default(),
        };
        let goroutines = filter_goroutines(model, filter);
        let ann = &model.annotations;
        let region_rows: Vec<u8> = goroutines
            .iter()
            .map(|&g| {
                if ann.regions.is_empty() {
                    0
                } else {
                    ann.region_rows(model.goroutines.goid[g as usize]).min(8) as u8
                }
            })
            .collect();
        let mut cum = Vec::with_capacity(goroutines.len() + 1);
        let mut y = 0.0f64;
        cum.push(0.0);
        for &r in &region_rows {
            y += Row::Goroutine(0, r).height() as f64;
            cum.push(y);
        }
        Rows {
            resources,
            goroutines,
            region_rows,
            cum,
            collapsed,
        }
    }

    fn res_height(&self) -> f64 {
        SECTION_H as f64
            + if self.collapsed[0] {
                0.0
            } else {
                self.resources.len() as f64 * RES_ROW_H as f64
            }
    }

    fn g_height(&self) -> f64 {
        if self.collapsed[1] {
            0.0
        } else {
            *self.cum.last().unwrap_or(&0.0)
        }
    }

    /// Total height.
    pub fn height(&self) -> f64 {
        self.res_height() + SECTION_H as f64 + self.g_height()
    }

    /// Rows intersecting `[y0, y1)`, with their top offsets.
    pub fn visible(&self, y0: f64, y1: f64) -> Vec<(f64, Row)> {
        let mut out = Vec::new();
        let mut y = 0.0;
        let push = |y: f64, r: Row, out: &mut Vec<(f64, Row)>| {
            if y + r.height() as f64 > y0 && y < y1 {
                out.push((y, r));
            }
        };
        push(y, Row::Header(Section::Resources), &mut out);
        y += SECTION_H as f64;
        if !self.collapsed[0] {
            let first = ((y0 - y) / RES_ROW_H as f64).floor().max(0.0) as usize;
            for (i, &r) in self.resources.iter().enumerate().skip(first) {
                let ry = y + i as f64 * RES_ROW_H as f64;
                if ry >= y1 {
                    break;
                }
                push(ry, Row::Resource(r), &mut out);
            }
            y += self.resources.len() as f64 * RES_ROW_H as f64;
        }
        push(y, Row::Header(Section::Goroutines), &mut out);
        y += SECTION_H as f64;
        if !self.collapsed[1] && !self.goroutines.is_empty() {
            let first = self.cum.partition_point(|&c| y + c <= y0).saturating_sub(1);
            for i in first..self.goroutines.len() {
                let ry = y + self.cum[i];
                if ry >= y1 {
                    break;
                }
                push(
                    ry,
                    Row::Goroutine(self.goroutines[i], self.region_rows[i]),
                    &mut out,
                );
            }
        }
        out
    }

    /// Top offset of goroutine `g`'s row, if listed.
    pub fn y_of_goroutine(&self, g: u32) -> Option<f64> {
        if self.collapsed[1] {
            return None;
        }
        let i = self.goroutines.iter().position(|&x| x == g)?;
        Some(self.res_height() + SECTION_H as f64 + self.cum[i])
    }

    /// Top offset of a resource row, if listed.
    pub fn y_of_resource(&self, r: Resource) -> Option<f64> {
        if self.collapsed[0] {
            return None;
        }
        let i = self.resources.iter().position(|&x| x == r)?;
        Some(SECTION_H as f64 + i as f64 * RES_ROW_H as f64)
    }
}

/// The goroutines matching `filter`, by goroutine ID.
pub fn filter_goroutines(model: &Model, filter: &Filter) -> Vec<u32> {
    let gt = &model.goroutines;
    let text = filter.text.trim().to_lowercase();
    let mut keep: Option<Vec<bool>> = None;
    if let Some(task) = filter.task {
        let mut k = vec![false; gt.len()];
        if let Some(t) = model.annotations.task(task) {
            for &goid in &t.goids {
                if let Some(g) = gt.index_of(goid) {
                    k[g as usize] = true;
                }
            }
        }
        keep = Some(k);
    }
    let mut out: Vec<u32> = gt.by_goid.clone();
    if let Some(k) = &keep {
        out.retain(|&g| k[g as usize]);
    }
    if let Some((a, b)) = filter.active {
        let k = model.active_goroutines(a, b);
        out.retain(|&g| k[g as usize]);
    }
    if text.is_empty() {
        return out;
    }
    let id_text = text.strip_prefix('g').unwrap_or(&text);
    if let Ok(id) = id_text.parse::<i64>() {
        out.retain(|&g| gt.goid[g as usize] == id);
        return out;
    }
    if let Some(q) = text.strip_prefix("task:") {
        let q = q.trim();
        let mut k = vec![false; gt.len()];
        for t in &model.annotations.tasks {
            let typ = model.strings.get(t.typ).to_lowercase();
            if q.parse::<u64>().ok() == Some(t.id) || (!q.is_empty() && typ.contains(q)) {
                for &goid in &t.goids {
                    if let Some(g) = gt.index_of(goid) {
                        k[g as usize] = true;
                    }
                }
            }
        }
        out.retain(|&g| k[g as usize]);
        return out;
    }
    // Match names once per distinct string.
    let mut name_match: Vec<u8> = vec![2; model.strings.len()];
    let mut matches = |s: u32| -> bool {
        let i = s as usize;
        if name_match.get(i) == Some(&2) {
            name_match[i] = model.strings.get(s).to_lowercase().contains(&text) as u8;
        }
        name_match.get(i) == Some(&1)
    };
    let labels: std::collections::HashMap<u32, u32> = gt.labels.iter().copied().collect();
    out.retain(|&g| matches(gt.name[g as usize]) || labels.get(&g).is_some_and(|&l| matches(l)));
    out
}
