//! Differential: `for_each_event` (generations ordered in parallel) must give
//! exactly the events and the error the single-threaded `Reader` gives, on any input.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// Go's text form of every event, and the error that ended the trace.
fn read_inline(data: &[u8]) -> (Vec<String>, Option<String>) {
    let mut out = Vec::new();
    let mut r = match trace_format::Reader::new(data) {
        Ok(r) => r,
        Err(e) => return (out, Some(e.to_string())),
    };
    loop {
        match r.read_event() {
            Ok(Some(ev)) => out.push(ev.to_string()),
            Ok(None) => return (out, None),
            Err(e) => return (out, Some(e.to_string())),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let (inline, inline_err) = read_inline(data);
    let mut piped = Vec::new();
    let piped_err = trace_format::for_each_event(data, |ev| {
        piped.push(ev.to_string());
        true
    })
    .err()
    .map(|e| e.to_string());
    assert_eq!(inline, piped, "events differ");
    assert_eq!(inline_err, piped_err, "errors differ");
});
