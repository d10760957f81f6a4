//! The egui user interface: the application window, the timeline and the
//! panels. View state (`view`) is kept apart from per-frame geometry.

pub mod app;
pub mod details;
pub mod jobs;
pub mod panels;
pub mod rows;
pub mod theme;
pub mod timeline;
pub mod view;

pub use app::ViewerApp;

/// Something a panel asks the application to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Select an object (or clear the selection).
    Select(Option<view::Selected>),
    /// Scroll to goroutine `g` (listing it if it was filtered out), selecting
    /// its span at `at` if given, else the goroutine.
    ShowGoroutine {
        /// Goroutine index.
        g: u32,
        /// Time of the span to select.
        at: Option<i64>,
    },
    /// Select a task: list only its goroutines and zoom to it.
    ShowTask(u64),
    /// Stop showing only a task's goroutines.
    ClearTask,
    /// Make a time range visible.
    Reveal(i64, i64),
    /// Collapse or expand a section of the track list.
    ToggleSection(rows::Section),
    /// Set the goroutine search text.
    Search(String),
}
