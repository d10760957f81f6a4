//! Serialization of summaries in the shape of the Go reference files
//! (`fixtures/reference/*.summary.json.gz`, written by
//! `fixtures/reference-gen`).

use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::{ExecStats, GoroutineSummary, RegionId, Summary, UserRegionSummary, UserTaskSummary};

/// A goroutine with its regions inline, serialized in the shape of the Go
/// reference files (`fixtures/reference/*.summary.json.gz`).
pub struct GoroutineJson<'a> {
    /// The summary holding the regions.
    pub summary: &'a Summary,
    /// The goroutine.
    pub g: &'a GoroutineSummary,
    /// Statistics to print instead of the goroutine's own (e.g. clipped ones).
    pub stats: Option<&'a ExecStats>,
}

impl Serialize for GoroutineJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let g = self.g;
        let mut st = s.serialize_struct("Goroutine", 8)?;
        st.serialize_field("id", &g.id)?;
        st.serialize_field("name", &g.name)?;
        st.serialize_field("pc", &g.pc)?;
        st.serialize_field("creation_time", &g.creation_time)?;
        st.serialize_field("start_time", &g.start_time)?;
        st.serialize_field("end_time", &g.end_time)?;
        st.serialize_field("stats", self.stats.unwrap_or(&g.stats))?;
        st.serialize_field("regions", &RegionsJson(self.summary, &g.regions))?;
        st.end()
    }
}

/// Regions by index, serialized inline.
struct RegionsJson<'a>(&'a Summary, &'a [RegionId]);

impl Serialize for RegionsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(
            self.1
                .iter()
                .filter_map(|&rid| self.0.regions.get(rid))
                .map(RegionJson),
        )
    }
}

/// A region in the shape of the Go reference files.
pub struct RegionJson<'a>(pub &'a UserRegionSummary);

impl Serialize for RegionJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let mut st = s.serialize_struct("Region", 5)?;
        st.serialize_field("task_id", &r.task_id)?;
        st.serialize_field("name", &r.name)?;
        st.serialize_field("start", &r.start)?;
        st.serialize_field("end", &r.end)?;
        st.serialize_field("stats", &r.stats)?;
        st.end()
    }
}

/// A task with its regions inline, in the shape of the Go reference files.
pub struct TaskJson<'a> {
    /// The summary holding the regions.
    pub summary: &'a Summary,
    /// The task.
    pub t: &'a UserTaskSummary,
}

impl Serialize for TaskJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let t = self.t;
        let mut st = s.serialize_struct("Task", 10)?;
        st.serialize_field("id", &t.id)?;
        st.serialize_field("name", &t.name)?;
        st.serialize_field("parent", &t.parent)?;
        st.serialize_field("children", &t.children)?;
        st.serialize_field("start", &t.start)?;
        st.serialize_field("end", &t.end)?;
        st.serialize_field("complete", &t.complete())?;
        st.serialize_field("logs", &t.logs)?;
        st.serialize_field("regions", &RegionsJson(self.summary, &t.regions))?;
        st.serialize_field("goroutines", &t.goroutines)?;
        st.end()
    }
}

impl Summary {
    /// Goroutine `g` in the reference JSON shape.
    pub fn goroutine_json<'a>(&'a self, g: &'a GoroutineSummary) -> GoroutineJson<'a> {
        GoroutineJson {
            summary: self,
            g,
            stats: None,
        }
    }

    /// Task `t` in the reference JSON shape.
    pub fn task_json<'a>(&'a self, t: &'a UserTaskSummary) -> TaskJson<'a> {
        TaskJson { summary: self, t }
    }
}
