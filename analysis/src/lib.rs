//! Analyses of Go execution traces, computed in one streaming pass over the
//! ordered events of `trace_format`: the goroutine summary of Go's
//! `internal/trace` ([`summary`]), tasks and regions ([`tasks`]), and the
//! filters shared by the goroutine table and the profiles ([`filter`]).
//! Also the blocking and scheduler-latency profiles of `go tool trace -pprof`
//! ([`pprof`], written as pprof's [`profile_proto`]) and minimum mutator
//! utilization ([`mmu`]).

pub mod duration;
pub mod filter;
pub mod goroutines;
pub mod intern;
pub mod mmu;
pub mod pprof;
pub mod profile_proto;
pub mod summary;
pub mod tasks;
