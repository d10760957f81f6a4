//! User annotations: tasks, regions and logs (`runtime/trace`), matched up
//! across chunks in trace order.

use std::collections::HashMap;

use trace_format::{BACKGROUND_TASK, EventKind, NO_TASK};

use super::build::AnnotEv;
use super::strings::{IdMaps, NONE};

/// A user task.
#[derive(Debug, Clone)]
pub struct Task {
    /// Task ID.
    pub id: u64,
    /// Parent task ID (`NO_TASK` if none).
    pub parent: u64,
    /// Task type (string ID); 0 if its begin was not seen.
    pub typ: u32,
    /// Begin time, if seen.
    pub start: Option<i64>,
    /// End time, if seen.
    pub end: Option<i64>,
    /// Goroutine that began the task (-1 if unknown).
    pub start_goid: i64,
    /// Goroutine that ended the task (-1 if unknown).
    pub end_goid: i64,
    /// IDs of goroutines with task events, regions or logs, sorted.
    pub goids: Vec<i64>,
    /// Indices into `Annotations::regions`.
    pub regions: Vec<u32>,
    /// Indices into `Annotations::logs`.
    pub logs: Vec<u32>,
    /// Child task IDs.
    pub children: Vec<u64>,
}

impl Task {
    /// Whether both begin and end were seen.
    pub fn complete(&self) -> bool {
        self.start.is_some() && self.end.is_some()
    }

    /// Duration if complete.
    pub fn duration(&self) -> Option<i64> {
        Some(self.end? - self.start?)
    }
}

/// A user region on one goroutine.
#[derive(Debug, Clone, Copy)]
pub struct Region {
    /// Goroutine ID.
    pub goid: i64,
    /// Task ID.
    pub task: u64,
    /// Region type (string ID).
    pub typ: u32,
    /// Start (the trace start if the begin was not seen).
    pub start: i64,
    /// End (the trace end if the end was not seen).
    pub end: i64,
    /// Nesting depth on its goroutine (0 = outermost).
    pub depth: u8,
    /// Whether the begin was seen.
    pub start_known: bool,
    /// Whether the end was seen.
    pub end_known: bool,
    /// Stack at the begin (global stack ID or `NONE`).
    pub stack: u32,
}

/// A user log message.
#[derive(Debug, Clone, Copy)]
pub struct LogEntry {
    /// Time.
    pub time: i64,
    /// Goroutine ID.
    pub goid: i64,
    /// Task ID.
    pub task: u64,
    /// Category (string ID).
    pub category: u32,
    /// Message (string ID).
    pub message: u32,
    /// Stack (global stack ID or `NONE`).
    pub stack: u32,
}

/// Tasks, regions and logs of a trace.
#[derive(Debug, Clone, Default)]
pub struct Annotations {
    /// Tasks sorted by ID.
    pub tasks: Vec<Task>,
    /// Regions sorted by (goroutine, start, depth).
    pub regions: Vec<Region>,
    /// Logs in time order.
    pub logs: Vec<LogEntry>,
    /// Indices into `logs` sorted by (goroutine, time).
    pub logs_by_g: Vec<u32>,
}

impl Annotations {
    /// The task with ID `id`.
    pub fn task(&self, id: u64) -> Option<&Task> {
        self.tasks
            .binary_search_by_key(&id, |t| t.id)
            .ok()
            .map(|i| &self.tasks[i])
    }

    /// Regions of goroutine `goid`.
    pub fn regions_of(&self, goid: i64) -> &[Region] {
        let a = self.regions.partition_point(|r| r.goid < goid);
        let b = self.regions.partition_point(|r| r.goid <= goid);
        &self.regions[a..b]
    }

    /// Indices of the logs of goroutine `goid`, in time order.
    pub fn logs_of(&self, goid: i64) -> &[u32] {
        let a = self
            .logs_by_g
            .partition_point(|&i| self.logs[i as usize].goid < goid);
        let b = self
            .logs_by_g
            .partition_point(|&i| self.logs[i as usize].goid <= goid);
        &self.logs_by_g[a..b]
    }

    /// Maximum region nesting depth + 1 of goroutine `goid` (0: no regions).
    pub fn region_rows(&self, goid: i64) -> usize {
        self.regions_of(goid)
            .iter()
            .map(|r| r.depth as usize + 1)
            .max()
            .unwrap_or(0)
    }
}

/// Matches annotation events in trace order.
#[derive(Debug, Clone, Default)]
pub(crate) struct AnnotationBuilder {
    tasks: HashMap<u64, Task>,
    regions: Vec<Region>,
    open_regions: HashMap<i64, Vec<u32>>,
    logs: Vec<LogEntry>,
}

impl AnnotationBuilder {
    fn task(&mut self, id: u64) -> &mut Task {
        self.tasks.entry(id).or_insert_with(|| Task {
            id,
            parent: NO_TASK,
            typ: 0,
            start: None,
            end: None,
            start_goid: -1,
            end_goid: -1,
            goids: Vec::new(),
            regions: Vec::new(),
            logs: Vec::new(),
            children: Vec::new(),
        })
    }

    fn touch(&mut self, task: u64, goid: i64) {
        if task != NO_TASK && task != BACKGROUND_TASK && goid >= 0 {
            let t = self.task(task);
            if t.goids.last() != Some(&goid) {
                t.goids.push(goid);
            }
        }
    }

    /// Adds one chunk's events; `chunk_start` is used for regions whose begin was not seen.
    pub fn add(&mut self, evs: &[AnnotEv], maps: &IdMaps, chunk_start: i64) {
        for e in evs {
            let typ = maps.string(e.typ);
            let stack = maps.stack(e.stack);
            match e.kind {
                EventKind::TaskBegin => {
                    let t = self.task(e.task);
                    t.start = Some(e.time);
                    t.parent = e.parent;
                    t.typ = typ;
                    t.start_goid = e.goid;
                    self.touch(e.task, e.goid);
                }
                EventKind::TaskEnd => {
                    let t = self.task(e.task);
                    t.end = Some(e.time);
                    if t.typ == 0 || t.typ == NONE {
                        t.typ = typ;
                    }
                    if t.parent == NO_TASK {
                        t.parent = e.parent;
                    }
                    t.end_goid = e.goid;
                    self.touch(e.task, e.goid);
                }
                EventKind::RegionBegin => {
                    let open = self.open_regions.entry(e.goid).or_default();
                    let depth = open.len().min(u8::MAX as usize) as u8;
                    open.push(self.regions.len() as u32);
                    self.regions.push(Region {
                        goid: e.goid,
                        task: e.task,
                        typ,
                        start: e.time,
                        end: i64::MAX,
                        depth,
                        start_known: true,
                        end_known: false,
                        stack,
                    });
                    self.touch(e.task, e.goid);
                }
                EventKind::RegionEnd => {
                    let open = self.open_regions.entry(e.goid).or_default();
                    match open.pop() {
                        Some(i) => {
                            let r = &mut self.regions[i as usize];
                            r.end = e.time;
                            r.end_known = true;
                        }
                        None => {
                            // Began before the trace: it encloses every region seen so far
                            // on this goroutine, so shift those one level deeper.
                            for r in self.regions.iter_mut().filter(|r| r.goid == e.goid) {
                                r.depth = r.depth.saturating_add(1);
                            }
                            self.regions.push(Region {
                                goid: e.goid,
                                task: e.task,
                                typ,
                                start: chunk_start,
                                end: e.time,
                                depth: 0,
                                start_known: false,
                                end_known: true,
                                stack: NONE,
                            });
                        }
                    }
                    self.touch(e.task, e.goid);
                }
                EventKind::Log => {
                    self.logs.push(LogEntry {
                        time: e.time,
                        goid: e.goid,
                        task: e.task,
                        category: typ,
                        message: maps.string(e.msg),
                        stack,
                    });
                    self.touch(e.task, e.goid);
                }
                _ => {}
            }
        }
    }

    /// Final (or preview) annotations; open regions end at `end`.
    pub fn finish(&self, trace_start: i64, end: i64) -> Annotations {
        let mut regions = self.regions.clone();
        for r in regions.iter_mut() {
            if !r.end_known {
                r.end = end;
            }
            if !r.start_known {
                r.start = r.start.max(trace_start);
            }
        }
        let mut order: Vec<u32> = (0..regions.len() as u32).collect();
        order.sort_by_key(|&i| {
            let r = &regions[i as usize];
            (r.goid, r.start, r.depth)
        });
        let regions: Vec<Region> = order.iter().map(|&i| regions[i as usize]).collect();
        let mut tasks: Vec<Task> = self.tasks.values().cloned().collect();
        tasks.sort_by_key(|t| t.id);
        let find = |tasks: &[Task], id: u64| tasks.binary_search_by_key(&id, |t| t.id).ok();
        for (i, r) in regions.iter().enumerate() {
            if let Some(t) = find(&tasks, r.task) {
                tasks[t].regions.push(i as u32);
            }
        }
        for (i, l) in self.logs.iter().enumerate() {
            if let Some(t) = find(&tasks, l.task) {
                tasks[t].logs.push(i as u32);
            }
        }
        for i in 0..tasks.len() {
            let (id, parent) = (tasks[i].id, tasks[i].parent);
            if let Some(p) = find(&tasks, parent) {
                tasks[p].children.push(id);
            }
        }
        for t in tasks.iter_mut() {
            t.goids.sort_unstable();
            t.goids.dedup();
        }
        let mut logs_by_g: Vec<u32> = (0..self.logs.len() as u32).collect();
        logs_by_g.sort_by_key(|&i| (self.logs[i as usize].goid, self.logs[i as usize].time));
        Annotations {
            tasks,
            regions,
            logs: self.logs.clone(),
            logs_by_g,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(time: i64, kind: EventKind, goid: i64, task: u64, typ: u32) -> AnnotEv {
        AnnotEv {
            time,
            kind,
            goid,
            task,
            parent: NO_TASK,
            typ,
            msg: NONE,
            stack: NONE,
        }
    }

    #[test]
    fn regions_nest_and_tasks_collect_goroutines() {
        let maps = IdMaps {
            strings: (0..10).collect(),
            stacks: Vec::new(),
        };
        let mut b = AnnotationBuilder::default();
        b.add(
            &[
                ev(10, EventKind::RegionEnd, 7, 0, 3), // began before the trace
                ev(20, EventKind::TaskBegin, 1, 5, 1),
                ev(30, EventKind::RegionBegin, 2, 5, 2),
                ev(40, EventKind::RegionBegin, 2, 5, 3),
                ev(50, EventKind::RegionEnd, 2, 5, 3),
            ],
            &maps,
            0,
        );
        b.add(
            &[
                ev(60, EventKind::Log, 3, 5, 4),
                ev(70, EventKind::TaskEnd, 1, 5, 1),
            ],
            &maps,
            55,
        );
        let a = b.finish(0, 100);
        let t = a.task(5).unwrap();
        assert!(t.complete());
        assert_eq!(t.duration(), Some(50));
        assert_eq!(t.goids, vec![1, 2, 3]);
        assert_eq!(t.regions.len(), 2);
        assert_eq!(t.logs.len(), 1);
        let g2 = a.regions_of(2);
        assert_eq!(g2.len(), 2);
        assert_eq!(
            (g2[0].start, g2[0].end, g2[0].depth, g2[0].end_known),
            (30, 100, 0, false)
        );
        assert_eq!((g2[1].start, g2[1].end, g2[1].depth), (40, 50, 1));
        assert_eq!(a.region_rows(2), 2);
        let g7 = a.regions_of(7);
        assert_eq!((g7[0].start, g7[0].start_known, g7[0].end), (0, false, 10));
        assert!(a.task(6).is_none());
        assert_eq!(a.logs_of(3), &[0]);
        assert!(a.logs_of(2).is_empty());
    }
}
