//! The goroutine, task and region summary equals Go's Summarizer exactly on
//! every fixture trace that has a reference (`fixtures/reference-gen`), and a
//! small hand-derived case.

use std::io::Read;
use std::path::{Path, PathBuf};

use analysis::summary::{GoroutineJson, Summarizer, Summary, TaskJson, summarize_parallel};
use serde::Serialize;
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

fn read_gz(path: &Path) -> String {
    let f = std::fs::File::open(path).unwrap();
    let mut s = String::new();
    flate2::read::GzDecoder::new(f)
        .read_to_string(&mut s)
        .unwrap();
    s
}

/// Summarizes a trace up to its last complete generation, as the CLI does.
fn summary_of(path: &Path, s: Summarizer) -> Summary {
    let data = std::fs::read(path).unwrap();
    let framing = trace_format::framing::scan(&data).unwrap();
    summarize_parallel(&data[..framing.complete_end as usize], s, |_| {}, |_, _| {}).unwrap()
}

/// The summary in the reference files' shape.
#[derive(Serialize)]
struct Reference<'a> {
    start_time: i64,
    end_time: i64,
    goroutines: Vec<GoroutineJson<'a>>,
    tasks: Vec<TaskJson<'a>>,
}

/// Encodes the summary as Go's `encoding/json` would (compact, with `<`,
/// `>`, `&`, U+2028 and U+2029 escaped), to compare byte for byte.
fn go_json(s: &Summary) -> String {
    let r = Reference {
        start_time: s.start_time,
        end_time: s.end_time,
        goroutines: s.goroutines.iter().map(|g| s.goroutine_json(g)).collect(),
        tasks: s.tasks.iter().map(|t| s.task_json(t)).collect(),
    };
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, GoFormatter);
    r.serialize(&mut ser).unwrap();
    String::from_utf8(out).unwrap()
}

struct GoFormatter;

impl serde_json::ser::Formatter for GoFormatter {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            let esc = match c {
                '<' => "\\u003c",
                '>' => "\\u003e",
                '&' => "\\u0026",
                '\u{2028}' => "\\u2028",
                '\u{2029}' => "\\u2029",
                _ => continue,
            };
            w.write_all(&fragment.as_bytes()[start..i])?;
            w.write_all(esc.as_bytes())?;
            start = i + c.len_utf8();
        }
        w.write_all(&fragment.as_bytes()[start..])
    }
}

/// Reports the first difference between two JSON values.
fn first_diff(path: &str, a: &Value, b: &Value) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    Some(w) => {
                        if let Some(d) = first_diff(&format!("{path}.{k}"), v, w) {
                            return Some(d);
                        }
                    }
                    None => return Some(format!("{path}.{k}: missing in Go's")),
                }
            }
            y.keys()
                .find(|k| !x.contains_key(*k))
                .map(|k| format!("{path}.{k}: only in Go's"))
        }
        (Value::Array(x), Value::Array(y)) => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                let id = v
                    .get("id")
                    .map(|id| format!("(id {id})"))
                    .unwrap_or_default();
                if let Some(d) = first_diff(&format!("{path}[{i}]{id}"), v, w) {
                    return Some(d);
                }
            }
            (x.len() != y.len()).then(|| format!("{path}: {} vs Go's {} items", x.len(), y.len()))
        }
        _ => (a != b).then(|| format!("{path}: {a} vs Go's {b}")),
    }
}

/// Compares one fixture; `Err` describes the first difference.
fn check(name: &str) -> Result<(), String> {
    let trace = fixtures().join("traces").join(format!("{name}.trace"));
    let reference = fixtures()
        .join("reference")
        .join(format!("{name}.summary.json.gz"));
    let want = read_gz(&reference);
    let got = go_json(&summary_of(&trace, Summarizer::new()));
    if got == want.trim_end() {
        return Ok(());
    }
    let (got, want): (Value, Value) = (
        serde_json::from_str(&got).unwrap(),
        serde_json::from_str(&want).unwrap(),
    );
    Err(first_diff("", &got, &want).unwrap_or_else(|| "JSON text differs".into()))
}

#[test]
fn summary_equals_go_on_every_fixture() {
    let mut names: Vec<String> = std::fs::read_dir(fixtures().join("reference"))
        .unwrap()
        .filter_map(|e| {
            let n = e.ok()?.file_name().into_string().ok()?;
            n.strip_suffix(".summary.json.gz").map(str::to_owned)
        })
        .filter(|n| {
            fixtures()
                .join("traces")
                .join(format!("{n}.trace"))
                .exists()
        })
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no reference summaries");
    // Two threads: the fixtures are independent.
    let (a, b) = names.split_at(names.len() / 2);
    let failures: Vec<String> = std::thread::scope(|sc| {
        let h = sc.spawn(|| {
            a.iter()
                .filter_map(|n| check(n).err().map(|e| format!("{n}: {e}")))
                .collect::<Vec<_>>()
        });
        let mut f: Vec<String> = b
            .iter()
            .filter_map(|n| check(n).err().map(|e| format!("{n}: {e}")))
            .collect();
        f.extend(h.join().unwrap());
        f
    });
    assert!(
        failures.is_empty(),
        "{} of {} differ from Go:\n{}",
        failures.len(),
        names.len(),
        failures.join("\n")
    );
    eprintln!(
        "{} of {} fixtures identical to Go",
        names.len(),
        names.len()
    );
}
