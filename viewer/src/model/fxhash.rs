//! The workspace's Fx hasher (from `trace_format::table`) for the loader's hot maps.

pub use trace_format::table::FxHashMap;
