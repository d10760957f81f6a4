//! Times the goroutine summary of a trace:
//! `cargo run --release -p analysis --example summarize TRACE [--annotations] [--serial]`.

use std::time::Instant;

use analysis::summary::{Summarizer, summarize, summarize_parallel};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: summarize TRACE [--annotations] [--serial]");
        std::process::exit(2);
    };
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let start = Instant::now();
    let s = if args.iter().any(|a| a == "--annotations") {
        Summarizer::new()
    } else {
        Summarizer::goroutines_only()
    };
    let drain = |_: u64, s: &mut Summarizer| s.drain_finished().for_each(drop);
    let result = if args.iter().any(|a| a == "--serial") {
        summarize(&data, s, drain)
    } else {
        summarize_parallel(&data, s, |_| {}, drain)
    };
    match result {
        Ok(sum) => println!(
            "{} goroutines live at the end, {} tasks, {} regions in {:.3} s",
            sum.goroutines.len(),
            sum.tasks.len(),
            sum.regions.len(),
            start.elapsed().as_secs_f64()
        ),
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    }
}
