//! The goroutine summary of a small hand-written trace, with every number
//! derived by hand from Go's rules (`internal/trace/summary.go`).

use analysis::summary::{ExecStats, Summarizer, Summary, summarize, summarize_parallel};
use trace_format::text::{encode_binary, parse_text_trace};

/// Frequency 1e9: one tick is one nanosecond, so times read directly.
const TRACE: &str = "Trace Go1.23
EventBatch gen=1 m=0 time=100 size=0
ProcStatus dt=1 p=0 pstatus=1
GoStatus dt=1 g=1 m=0 gstatus=2
UserRegionBegin dt=10 task=0 name_string=3 stack=1
GoCreate dt=3 new_g=5 new_stack=2 stack=1
GoBlock dt=5 reason_string=1 stack=1
GoStart dt=5 g=5 g_seq=1
GoUnblock dt=15 g=1 g_seq=1 stack=2
GoSyscallBegin dt=10 p_seq=1 stack=2
GoSyscallEnd dt=30
GoDestroy dt=20
GoStart dt=5 g=1 g_seq=2
UserRegionEnd dt=45 task=0 name_string=3 stack=1
GoStop dt=50 reason_string=2 stack=1
EventBatch gen=1 m=18446744073709551615 time=100 size=0
Frequency freq=1000000000
EventBatch gen=1 m=18446744073709551615 time=100 size=0
Stacks
Stack id=1 nframes=2
	pc=4097 func=4 file=6 line=10
	pc=4096 func=5 file=6 line=20
Stack id=2 nframes=1
	pc=8192 func=7 file=6 line=30
EventBatch gen=1 m=18446744073709551615 time=100 size=0
Strings
String id=1
	data=\"chan receive\"
String id=2
	data=\"preempted\"
String id=3
	data=\"r\"
String id=4
	data=\"main.f\"
String id=5
	data=\"main.main\"
String id=6
	data=\"main.go\"
String id=7
	data=\"main.worker\"
";

/// Encodes the text trace, filling in each batch's size.
fn binary(text: &str) -> Vec<u8> {
    let (v, mut events) = parse_text_trace(text).unwrap();
    let batch = events[0].typ;
    let mut i = 0;
    while i < events.len() {
        let mut size = 0;
        let mut j = i + 1;
        while j < events.len() && events[j].typ != batch {
            size += events[j].encoded_size(v) as u64;
            j += 1;
        }
        events[i].args[3] = size;
        i = j;
    }
    encode_binary(v, &events)
}

fn summary() -> Summary {
    summarize(&binary(TRACE), Summarizer::new(), |_, _| {}).unwrap()
}

fn stats(exec: i64, sched: i64, block: &[(&str, i64)], syscall: i64, total: i64) -> ExecStats {
    let mut s = ExecStats {
        exec_time: exec,
        sched_wait_time: sched,
        syscall_time: syscall,
        total_time: total,
        ..Default::default()
    };
    for (reason, d) in block {
        s.block_time_by_reason.add(&(*reason).into(), *d);
    }
    s
}

#[test]
fn goroutines_by_hand() {
    let s = summary();
    // The reader's final Sync comes 1ns after the last event.
    assert_eq!((s.start_time, s.end_time), (100, 301));
    assert_eq!(s.goroutines.len(), 2);

    // G1: first seen running at 102 (created at the Sync, 100: 2ns of
    // execution), blocks at 120 (18ns more), unblocked at 140 (20ns chan
    // receive), runs at 205 (65ns waiting), stops at 300 (95ns), and is
    // runnable until the end at 301 (1ns): total 201ns.
    let g1 = &s.goroutines[0];
    assert_eq!(g1.id, 1);
    assert_eq!(&*g1.name, "main.main");
    assert_eq!(g1.pc, 4096);
    assert_eq!(
        (g1.creation_time, g1.start_time, g1.end_time),
        (100, 102, 0)
    );
    assert_eq!(g1.stats, stats(115, 66, &[("chan receive", 20)], 0, 201));
    assert_eq!(g1.stats.unknown_time(), 0);

    // G5: created at 115 in G1's region, runs 125–150 and 180–200 (45ns)
    // after 10ns runnable, 30ns in a syscall that kept its P, ends at 200.
    let g5 = &s.goroutines[1];
    assert_eq!(g5.id, 5);
    assert_eq!(&*g5.name, "main.worker");
    assert_eq!(
        (g5.creation_time, g5.start_time, g5.end_time),
        (115, 125, 200)
    );
    assert_eq!(g5.stats, stats(45, 10, &[], 30, 85));
}

#[test]
fn regions_and_tasks_by_hand() {
    let s = summary();
    // G1's region "r" (112–250): execution 112–120 and 205–250 (53ns),
    // chan receive 120–140, runnable 140–205.
    let g1 = &s.goroutines[0];
    assert_eq!(g1.regions.len(), 1);
    let r = &s.regions[g1.regions[0]];
    assert_eq!(&*r.name, "r");
    assert_eq!(r.task_id, 0);
    assert_eq!(r.start.as_ref().map(|e| e.time), Some(112));
    assert_eq!(r.end.as_ref().map(|e| e.time), Some(250));
    assert_eq!(r.stats, stats(53, 65, &[("chan receive", 20)], 0, 138));
    assert_eq!(
        r.start
            .as_ref()
            .and_then(|e| e.frame.as_ref())
            .map(|f| &*f.func),
        Some("main.main")
    );

    // G5 inherits the task through a nameless region from its creation to
    // its end, with all of its time.
    let g5 = &s.goroutines[1];
    assert_eq!(g5.regions.len(), 1);
    let inherited = &s.regions[g5.regions[0]];
    assert_eq!(&*inherited.name, "");
    assert_eq!(
        inherited.start.as_ref().map(|e| (e.time, e.goroutine)),
        Some((115, 1))
    );
    assert_eq!(inherited.end.as_ref().map(|e| e.time), Some(200));
    assert_eq!(inherited.stats, g5.stats);

    // The background task 0 appears, holding only the explicit region.
    assert_eq!(s.tasks.len(), 1);
    let t = &s.tasks[0];
    assert_eq!(
        (t.id, t.complete(), t.goroutines.as_slice()),
        (0, false, &[1][..])
    );
    assert_eq!(t.regions, vec![g1.regions[0]]);
}

#[test]
fn streaming_gives_the_same_goroutines() {
    let whole = summary();
    let mut taken = Vec::new();
    let mut rest = summarize(&binary(TRACE), Summarizer::goroutines_only(), |_, s| {
        taken.extend(s.drain_finished());
    })
    .unwrap();
    taken.append(&mut rest.goroutines);
    taken.sort_by_key(|g| g.id);
    let stats: Vec<_> = taken.iter().map(|g| (g.id, g.stats.clone())).collect();
    let want: Vec<_> = whole
        .goroutines
        .iter()
        .map(|g| (g.id, g.stats.clone()))
        .collect();
    assert_eq!(stats, want);
}

#[test]
fn parallel_equals_serial() {
    let serial = summary();
    let parallel =
        summarize_parallel(&binary(TRACE), Summarizer::new(), |_| {}, |_, _| {}).unwrap();
    assert_eq!(parallel.goroutines, serial.goroutines);
    assert_eq!(parallel.tasks, serial.tasks);
    assert_eq!(parallel.regions, serial.regions);
}

#[test]
fn clipping_to_a_window_by_hand() {
    // G1 between 110 and 210: running 110–120 and 205–210, blocked 120–140,
    // runnable 140–205.
    let mut s = Summarizer::new();
    s.clip_to([(1, 110, 210)]);
    let sum = summarize(&binary(TRACE), s, |_, _| {}).unwrap();
    let clipped = sum.clipped.unwrap();
    assert_eq!(clipped[&1], stats(15, 65, &[("chan receive", 20)], 0, 100));
}
