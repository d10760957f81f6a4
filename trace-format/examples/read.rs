//! Reads a trace's ordered event stream and prints throughput (used by
//! `benches/reader.sh`): `cargo run --release -p trace-format --example read FILE`.

use std::time::Instant;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: read FILE");
        std::process::exit(2);
    };
    let file = match trace_format::TraceFile::open(&path, trace_format::MmapChoice::Auto) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let data = file.bytes();
    let start = Instant::now();
    let mut n = 0u64;
    let mut sum = 0i64;
    // `--inline`: the single-threaded Reader; default: `for_each_event`,
    // which orders generations on several threads.
    let inline = std::env::args().any(|a| a == "--inline");
    let result = if inline {
        trace_format::Reader::new(data).and_then(|mut r| {
            while let Some(ev) = r.read_event()? {
                n += 1;
                sum = sum.wrapping_add(ev.time());
            }
            Ok(())
        })
    } else {
        trace_format::for_each_event(data, |ev| {
            n += 1;
            sum = sum.wrapping_add(ev.time());
            true
        })
    };
    let secs = start.elapsed().as_secs_f64();
    let mb = data.len() as f64 / 1e6;
    println!(
        "{{\"events\": {n}, \"bytes\": {}, \"seconds\": {secs:.4}, \"mb_per_s\": {:.1}, \"events_per_s\": {:.0}, \"checksum\": {sum}}}",
        data.len(),
        mb / secs,
        n as f64 / secs
    );
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
