//! Every analysis over any input: profiles of each kind (plain and filtered
//! by task and region), the goroutine summary and the MMU curves. None may
//! panic; errors are fine.
#![no_main]

use analysis::filter::Filter;
use analysis::mmu::{UtilFlags, mutator_utilization};
use analysis::pprof::{ProfileKind, compute};
use analysis::summary::{Summarizer, summarize};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let filters = [
        Filter::default(),
        Filter {
            task: Some("t".into()),
            ..Filter::default()
        },
        Filter {
            region: Some("r".into()),
            ..Filter::default()
        },
    ];
    for kind in ProfileKind::ALL {
        for f in &filters {
            let _ = compute(data, kind, f, &mut |_| {});
        }
    }
    if let Ok(s) = summarize(data, Summarizer::new(), |_, _| {}) {
        let _ = analysis::tasks::task_types(&s);
    }
    let _ = mutator_utilization(data, UtilFlags::DEFAULT | UtilFlags::PER_PROC, &mut |_| {});
});
