//! Fuzzes the whole read path: framing scan, raw wire dump, and the ordered
//! reader with every accessor and Go's text form of every event.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = trace_format::framing::scan(data);
    let _ = trace_format::raw::write_wire_dump(data, &mut std::io::sink());
    if let Ok(mut r) = trace_format::Reader::new(data) {
        let mut s = String::new();
        while let Ok(Some(ev)) = r.read_event() {
            s.clear();
            ev.write_go(&mut s);
            let _ = (ev.state_transition(), ev.range(), ev.task(), ev.region(), ev.log());
        }
    }
});
