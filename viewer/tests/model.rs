//! Model invariants on the fixture traces: every goroutine's spans tile its
//! lifetime, P spans never overlap, per-state times match the goroutine
//! analysis of the `analysis` crate (Go's Summarizer), and a truncated trace
//! loads its complete generations.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use viewer::model::load::load_blocking;
use viewer::model::spantrack::kind;
use viewer::model::state::{Category, code};
use viewer::model::{GItem, Model, PItem, Resource, Source};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/traces")
        .join(name)
}

fn load(name: &str) -> Model {
    load_blocking(&Source::Path(fixture(name))).expect("fixture loads")
}

#[test]
fn goroutine_spans_are_contiguous_and_ordered() {
    for name in [
        "example.trace",
        "generations50ms-go1.27.trace",
        "generations-go1.22.trace",
        "syscall-go1.25.trace",
    ] {
        let m = load(name);
        assert!(m.complete && m.error.is_none(), "{name}");
        assert!(m.goroutines.len() > 3, "{name}");
        for g in 0..m.goroutines.len() as u32 {
            let spans = m.goroutine_spans(g);
            assert!(
                !spans.is_empty(),
                "{name}: G{} has no spans",
                m.goroutines.goid[g as usize]
            );
            for w in spans.windows(2) {
                assert_eq!(
                    w[0].end, w[1].start,
                    "{name}: G{} spans not contiguous",
                    m.goroutines.goid[g as usize]
                );
                assert!(w[0].start <= w[0].end);
            }
            let (first, end) = m.lifetime(g);
            assert_eq!(spans[0].start, first, "{name}");
            if let Some(e) = end {
                assert_eq!(spans.last().map(|s| s.end), Some(e), "{name}");
            }
        }
    }
}

#[test]
fn spans_continue_across_generations() {
    // 24 generations of 50 ms: long-blocked goroutines must be one span, not one per generation.
    let m = load("generations50ms-go1.27.trace");
    assert!(m.chunks.len() > 10);
    let long = (0..m.goroutines.len() as u32)
        .flat_map(|g| m.goroutine_spans(g))
        .filter(|s| {
            let c0 = m.chunk_at(s.start);
            let c1 = m.chunk_at(s.end - 1);
            c1 > c0 + 1
        })
        .count();
    assert!(long > 0, "no span crosses two generation boundaries");
    // No two adjacent spans of a goroutine with the same state that both come from status events.
    for g in 0..m.goroutines.len() as u32 {
        let spans = m.goroutine_spans(g);
        for w in spans.windows(2) {
            assert!(
                !(w[0].state == w[1].state
                    && w[1].flags & viewer::model::gtrack::flag::STATUS != 0
                    && w[0].reason == w[1].reason),
                "split span"
            );
        }
    }
}

/// The goroutine-execution spans of a P or M track, in drawing order, as
/// (start, end, goroutine index).
fn exec_spans(m: &Model, r: Resource) -> Vec<(i64, i64, u32)> {
    let mut out = Vec::new();
    m.visit_resource(r, i64::MIN, i64::MAX, i64::MIN, |it| {
        if let PItem::Span {
            start,
            end,
            kind: k,
            g,
        } = it
            && k == kind::EXEC
        {
            out.push((start, end, g));
        }
        true
    });
    out
}

#[test]
fn proc_exec_spans_do_not_overlap() {
    for name in [
        "example.trace",
        "syscall-go1.27.trace",
        "generations50ms-go1.24.trace",
    ] {
        let m = load(name);
        for &p in &m.procs {
            let mut last_end = i64::MIN;
            for (start, end, _) in exec_spans(&m, Resource::Proc(p)) {
                assert!(start >= last_end, "{name}: P{p} spans overlap at {start}");
                assert!(end >= start);
                last_end = end;
            }
        }
    }
}

#[test]
fn merged_blocks_cover_the_same_time() {
    let m = load("chan-go1.27.trace");
    // The goroutine with the most spans.
    let g = (0..m.goroutines.len() as u32)
        .max_by_key(|&g| m.goroutine_spans(g).len())
        .unwrap();
    let all = m.goroutine_spans(g);
    assert!(all.len() > 200, "need a busy goroutine, got {}", all.len());
    let (a, b) = (all[0].start, all.last().unwrap().end);
    let mut covered = 0i64;
    let mut merged = 0;
    let mut last = a;
    m.visit_goroutine(g, a, b, (b - a) / 50, |it| {
        let (s, e) = match it {
            GItem::Span(s) => (s.start, s.end),
            GItem::Merged { start, end, .. } => {
                merged += 1;
                (start, end)
            }
        };
        assert_eq!(s, last, "gap or overlap");
        last = e;
        covered += e - s;
        true
    });
    assert!(merged > 0);
    assert_eq!(covered, b - a);
}

#[test]
fn state_times_match_the_goroutine_analysis() {
    // Running time per goroutine must equal the execution time of Go's
    // Summarizer (ported in the analysis crate) wherever both see the whole life.
    for name in [
        "example.trace",
        "sync-go1.27.trace",
        "net-go1.23.trace",
        "generations50ms-go1.24.trace",
        "generations-go1.27.trace",
    ] {
        let path = fixture(name);
        let m = load(name);
        let data = std::fs::read(&path).unwrap();
        let summary = analysis::summary::summarize(
            &data,
            analysis::summary::Summarizer::goroutines_only(),
            |_, _| {},
        )
        .unwrap();
        let mut checked = 0;
        for gs in &summary.goroutines {
            let Some(g) = m.goroutines.index_of(gs.id) else {
                panic!("{name}: G{} missing", gs.id)
            };
            let mut running = 0;
            let mut runnable = 0;
            for s in m.goroutine_spans(g) {
                match s.state {
                    code::RUNNING => running += s.end - s.start,
                    code::RUNNABLE => runnable += s.end - s.start,
                    _ => {}
                }
            }
            assert_eq!(
                running, gs.stats.exec_time,
                "{name}: G{} execution time",
                gs.id
            );
            assert_eq!(
                runnable, gs.stats.sched_wait_time,
                "{name}: G{} scheduler wait",
                gs.id
            );
            assert_eq!(m.g_name(g), &*gs.name, "{name}: G{} name", gs.id);
            checked += 1;
        }
        assert!(checked > 5);
        // The range statistics agree with the spans.
        let rows =
            viewer::model::stats::group_rows(&m, m.start, m.end, &AtomicBool::new(false)).unwrap();
        let run: i64 = rows
            .iter()
            .map(|r| r.times[Category::Running as usize])
            .sum();
        let total_exec: i64 = summary.goroutines.iter().map(|g| g.stats.exec_time).sum();
        assert_eq!(run, total_exec, "{name}");
    }
}

#[test]
fn truncated_trace_loads_complete_generations() {
    let data = std::fs::read(fixture("generations50ms-go1.27.trace")).unwrap();
    let cut = &data[..data.len() * 2 / 3];
    let m = load_blocking(&Source::Bytes {
        name: "cut".into(),
        data: cut.into(),
    })
    .unwrap();
    assert!(!m.complete);
    let e = m.error.as_deref().unwrap();
    assert!(e.contains("truncated"), "{e}");
    assert!(m.chunks.len() >= 10, "{}", m.chunks.len());
    let whole = load("generations50ms-go1.27.trace");
    assert!(m.end < whole.end && m.events < whole.events);
    // Not a trace at all.
    let bad = load_blocking(&Source::Bytes {
        name: "bad".into(),
        data: b"hello world, not a trace at all".as_slice().into(),
    });
    assert!(bad.unwrap_err().contains("not a Go execution trace"));
    let missing = load_blocking(&Source::Path("/nonexistent/x.trace".into()));
    assert!(missing.unwrap_err().contains("cannot read"));
}

#[test]
fn tasks_regions_and_metrics() {
    let m = load("annotations-go1.27.trace");
    let ann = &m.annotations;
    assert!(!ann.tasks.is_empty() && !ann.regions.is_empty() && !ann.logs.is_empty());
    let complete = ann.tasks.iter().filter(|t| t.complete()).count();
    assert!(complete > 0);
    for t in &ann.tasks {
        for &r in &t.regions {
            assert_eq!(ann.regions[r as usize].task, t.id);
        }
        assert!(t.goids.windows(2).all(|w| w[0] < w[1]));
    }
    assert!(!m.heap.is_empty() && !m.heap_goal.is_empty() && !m.gomaxprocs.is_empty());
    let g = load("gc-go1.27.trace");
    assert!(!g.gc.is_empty() && !g.stw.is_empty());
    assert!(g.gc.iter().all(|r| r.start <= r.end));
    let c = load("cpuprofile-go1.27.trace");
    assert!(!c.cpu.is_empty());
    assert!(c.cpu.windows(2).all(|w| w[0].time <= w[1].time));
}

#[test]
fn thread_tracks_match_goroutine_execution() {
    // On threads, a goroutine executes while running or in a syscall
    // (cmd/trace's threadgen): the thread spans add up to exactly that time.
    for name in ["syscall-go1.27.trace", "generations50ms-go1.25.trace"] {
        let src = Source::Path(fixture(name));
        let m = load_blocking(&src).unwrap();
        let t = viewer::model::load_threads(&src, &m, &Default::default())
            .unwrap()
            .unwrap();
        assert!(t.ids.len() > 1, "{name}");
        assert_eq!(t.chunks.len(), m.chunks.len());
        m.thread_tracks.set(t).unwrap();
        let mut on_threads = 0i64;
        for &id in &m.thread_tracks.get().unwrap().ids {
            let mut last_end = i64::MIN;
            for (start, end, g) in exec_spans(&m, Resource::Thread(id)) {
                assert!(start >= last_end, "{name}: M{id} spans overlap");
                assert!(g != viewer::model::NONE);
                last_end = end;
                on_threads += end - start;
            }
        }
        let executing: i64 = (0..m.goroutines.len() as u32)
            .flat_map(|g| m.goroutine_spans(g))
            .filter(|s| s.state == code::RUNNING || s.state == code::SYSCALL)
            .map(|s| s.end - s.start)
            .sum();
        assert_eq!(on_threads, executing, "{name}");
    }
}

#[test]
fn active_goroutines_in_a_window() {
    let m = load("generations50ms-go1.27.trace");
    let (t0, t1) = (
        m.start + m.duration() / 3,
        m.start + m.duration() / 3 + 2_000_000,
    );
    let active = m.active_goroutines(t0, t1);
    let mut n = 0;
    for g in 0..m.goroutines.len() as u32 {
        let spans = m.goroutine_spans(g);
        let changes = spans.iter().any(|s| s.start >= t0 && s.start <= t1);
        let busy_at_start = spans.iter().any(|s| {
            s.start < t0
                && s.end > t0
                && matches!(s.state, code::RUNNING | code::RUNNABLE | code::SYSCALL)
        });
        let (_, end) = m.lifetime(g);
        if changes {
            assert!(
                active[g as usize],
                "G{} changes state in the window",
                m.goroutines.goid[g as usize]
            );
        }
        if end.is_some_and(|e| e < t0) {
            assert!(
                !active[g as usize],
                "G{} ended before the window",
                m.goroutines.goid[g as usize]
            );
        }
        if active[g as usize] {
            n += 1;
            assert!(
                changes || busy_at_start,
                "G{} is not active",
                m.goroutines.goid[g as usize]
            );
        }
    }
    assert!(n > 0 && n < m.goroutines.len());
}

#[test]
fn damaged_traces_never_panic() {
    // Bytes changed all over a real trace: loading gives a model or an error.
    let data = std::fs::read(fixture("annotations-go1.24.trace")).unwrap();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut loaded = 0;
    for i in 0..120 {
        let mut d = data.clone();
        for _ in 0..1 + i % 3 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let pos = 16 + (seed as usize) % (d.len() - 16);
            d[pos] = (seed >> 32) as u8;
        }
        let src = Source::Bytes {
            name: "damaged".into(),
            data: d.into(),
        };
        if let Ok(m) = load_blocking(&src) {
            loaded += 1;
            for g in 0..m.goroutines.len() as u32 {
                let _ = m.goroutine_spans(g);
            }
            let _ = viewer::model::stats::group_rows(&m, m.start, m.end, &AtomicBool::new(false));
        }
    }
    assert!(loaded > 0);
}
