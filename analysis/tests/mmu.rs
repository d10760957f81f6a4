//! MMU against Go's own `internal/trace` (gc.go, mud.go) for every fixture:
//! `fixtures/reference/<name>.mmu.json.gz` (written by
//! `fixtures/reference-gen`) holds, per flag set, the utilization series
//! lengths, `MMU` at fixed windows, `Examples`, `MUD` and the plot of
//! `go tool trace`'s MMU page. Floats must agree to 1e-9 relative.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use analysis::mmu::{MmuCurve, MutatorUtil, UtilBuilder, UtilFlags};
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) || (a - b).abs() <= 1e-12
}

/// A JSON number, or Go's string for NaN/Inf.
fn num(v: &Value) -> f64 {
    match v {
        Value::String(s) => match s.as_str() {
            "NaN" => f64::NAN,
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            _ => panic!("bad number {s}"),
        },
        v => v.as_f64().expect("number"),
    }
}

fn same(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || close(a, b)
}

fn int(v: &Value) -> i64 {
    v.as_i64().expect("integer")
}

fn read_gz_json(path: &Path) -> Value {
    let mut s = String::new();
    flate2::read::GzDecoder::new(fs::File::open(path).expect("open reference"))
        .read_to_string(&mut s)
        .expect("gunzip reference");
    serde_json::from_str(&s).expect("reference JSON")
}

/// Utilization functions of a trace for several flag sets, in one pass.
fn utilizations(data: &[u8], flags: &[UtilFlags]) -> Vec<Vec<Vec<MutatorUtil>>> {
    let mut bs: Vec<UtilBuilder> = flags.iter().map(|&f| UtilBuilder::new(f)).collect();
    trace_format::reader::for_each_event(data, |ev| {
        for b in &mut bs {
            b.event(ev);
        }
        true
    })
    .expect("fixture traces are valid");
    bs.into_iter().map(UtilBuilder::finish).collect()
}

/// Compares one flag set; returns the differences found.
fn compare(name: &str, set: &Value, util: Vec<Vec<MutatorUtil>>) -> Vec<String> {
    let flags = set["flags"].as_str().unwrap_or("?");
    let mut errs = Vec::new();
    let mut fail = |what: String| errs.push(format!("{name} [{flags}]: {what}"));
    let go_series: Vec<i64> = set["series"]
        .as_array()
        .map(|a| a.iter().map(int).collect())
        .unwrap_or_default();
    let ours: Vec<i64> = util.iter().map(|u| u.len() as i64).collect();
    if go_series != ours {
        fail(format!("series lengths {ours:?}, Go {go_series:?}"));
        return errs;
    }
    let curve = MmuCurve::new(util);
    for p in set["mmu"].as_array().into_iter().flatten() {
        let w = int(&p["window"]);
        let (got, want) = (curve.mmu(w), num(&p["mmu"]));
        if !same(got, want) {
            fail(format!("MMU({w}) = {got}, Go {want}"));
        }
    }
    for ex in set["examples"].as_array().into_iter().flatten() {
        let (w, n) = (int(&ex["window"]), int(&ex["n"]) as usize);
        let got: Vec<(i64, f64)> = curve
            .examples(w, n)
            .iter()
            .map(|u| (u.time, u.mutator_util))
            .collect();
        let want: Vec<(i64, f64)> = ex["worst"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|u| (int(&u["time"]), num(&u["mutator_util"])))
            .collect();
        let ok = got.len() == want.len()
            && got
                .iter()
                .zip(&want)
                .all(|(a, b)| a.0 == b.0 && same(a.1, b.1));
        if !ok {
            fail(format!("Examples({w}, {n}) = {got:?}, Go {want:?}"));
        }
    }
    for m in set["mud"].as_array().into_iter().flatten() {
        let w = int(&m["window"]);
        let qs: Vec<f64> = m["quantiles"]
            .as_array()
            .into_iter()
            .flatten()
            .map(num)
            .collect();
        let want: Vec<f64> = m["values"]
            .as_array()
            .into_iter()
            .flatten()
            .map(num)
            .collect();
        let got = curve.mud(w, &qs);
        if got.len() != want.len() || !got.iter().zip(&want).all(|(a, b)| same(*a, *b)) {
            fail(format!("MUD({w}, {qs:?}) = {got:?}, Go {want:?}"));
        }
    }
    if let Some(plot) = set["plot"].as_object() {
        match curve.plot(&[]) {
            None => fail("no plot".into()),
            Some(p) => {
                if p.x_min != int(&plot["x_min"]) || p.x_max != int(&plot["x_max"]) {
                    fail(format!(
                        "plot range {}..{}, Go {:?}..{:?}",
                        p.x_min, p.x_max, plot["x_min"], plot["x_max"]
                    ));
                }
                let want = plot["curve"].as_array().cloned().unwrap_or_default();
                if want.len() != p.curve.len() {
                    fail(format!(
                        "plot has {} points, Go {}",
                        p.curve.len(),
                        want.len()
                    ));
                }
                for (ours, go) in p.curve.iter().zip(&want) {
                    let (gw, gm) = (num(&go[0]), num(&go[1]));
                    // The window is a truncated math.Exp, which Go computes with
                    // CPU-dependent code: allow 1ns, then compare at Go's window.
                    if (ours[0] - gw).abs() > 1.0 {
                        fail(format!("plot window {}, Go {gw}", ours[0]));
                    }
                    let m = curve.mmu(gw as i64);
                    if !same(m, gm) {
                        fail(format!("plot MMU({gw}) = {m}, Go {gm}"));
                    }
                }
            }
        }
    }
    errs
}

#[test]
fn mmu_equals_go_for_every_fixture() {
    let dir = fixtures().join("reference");
    let mut traces: Vec<PathBuf> = fs::read_dir(fixtures().join("traces"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    traces.sort();
    let (mut compared, mut errs) = (0, Vec::new());
    for path in traces {
        let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let reference = dir.join(format!("{name}.mmu.json.gz"));
        if !reference.exists() {
            continue;
        }
        let json = read_gz_json(&reference);
        let sets: Vec<&Value> = json["flag_sets"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| s["error"].as_str().unwrap_or("").is_empty())
            .collect();
        let flags: Vec<UtilFlags> = sets
            .iter()
            .map(|s| UtilFlags::from_names(s["flags"].as_str().unwrap_or("")))
            .collect();
        let data = fs::read(&path).expect("read trace");
        for (set, util) in sets.iter().zip(utilizations(&data, &flags)) {
            compared += 1;
            errs.extend(compare(name, set, util));
        }
    }
    eprintln!(
        "MMU parity: {compared} fixture×flag-set curves compared, {} differences",
        errs.len()
    );
    assert!(
        compared >= 60 * 7,
        "expected MMU references, found {compared}"
    );
    assert!(errs.is_empty(), "{}", errs.join("\n"));
}

/// Invariants on every fixture: 0 ≤ MMU ≤ 1, non-decreasing in the window
/// size, 1 when nothing counts as GC.
#[test]
fn mmu_invariants() {
    let path = fixtures().join("traces/gc-go1.27.trace");
    let data = fs::read(&path).expect("read trace");
    let utils = utilizations(&data, &[UtilFlags::DEFAULT, UtilFlags::empty()]);
    let mut it = utils.into_iter();
    let (gc, none) = (it.next().unwrap_or_default(), it.next().unwrap_or_default());
    let curve = MmuCurve::new(gc);
    let mut prev = 0.0;
    for exp in 0..10 {
        let w = 10i64.pow(exp);
        let m = curve.mmu(w);
        assert!((0.0..=1.0).contains(&m), "MMU({w}) = {m}");
        assert!(m >= prev, "MMU not monotone: {prev} then {m} at {w}");
        prev = m;
    }
    // The GC fixture does collect: small windows see 0.
    assert_eq!(curve.mmu(1000), 0.0);
    // With no flag nothing is GC: utilization 1 except the final 0 point,
    // which no window reaches.
    let curve = MmuCurve::new(none);
    assert_eq!(curve.mmu(1_000_000), 1.0);
}

/// A hand-made utilization function: 1 for 10ns, 0 for 10ns, 1 for 80ns,
/// then the end. The worst 20ns window holds the 10ns gap: MMU 0.5; the
/// worst 10ns window is the gap itself; the whole 100ns has 0.9.
#[test]
fn mmu_hand_derived() {
    let u = |time, util| MutatorUtil { time, util };
    let series = vec![u(0, 1.0), u(10, 0.0), u(20, 1.0), u(100, 0.0)];
    let curve = MmuCurve::new(vec![series]);
    assert_eq!(curve.mmu(10), 0.0);
    assert_eq!(curve.mmu(20), 0.5);
    assert!((curve.mmu(100) - 0.9).abs() < 1e-12);
    assert_eq!(curve.mmu(5), 0.0);
    let worst = curve.examples(10, 3);
    assert_eq!(worst[0].time, 10);
    assert_eq!(worst[0].mutator_util, 0.0);
    assert!(
        worst
            .windows(2)
            .all(|w| w[0].mutator_util <= w[1].mutator_util)
    );
    let _ = UtilFlags::DEFAULT.names();
}
