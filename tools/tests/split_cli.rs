//! `gotrace split` from the command line: the manifest, stdin, refusing a
//! non-empty directory, truncated input, usage errors.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

mod common;
use common::{gotrace, stderr};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/traces")
        .join(name)
}

/// A fresh directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let p =
            std::env::temp_dir().join(format!("gotrace-split-cli-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&p);
        fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    fn path(&self, rest: &str) -> String {
        self.0.join(rest).to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn manifest(dir: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

#[test]
fn manifest_describes_the_chunks() {
    let input = fixture("generations50ms-go1.25.trace");
    let tmp = TempDir::new("manifest");
    let out = tmp.path("out");
    let o = gotrace(&[
        "split",
        input.to_str().unwrap(),
        "-o",
        &out,
        "--every",
        "300ms",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let m = manifest(Path::new(&out));
    assert_eq!(m["version"], "1.25");
    assert_eq!(m["source"], input.to_str().unwrap());
    assert_eq!(m["error"], Value::Null);
    assert_eq!(m["bytes_read"], fs::metadata(&input).unwrap().len());
    let chunks = m["chunks"].as_array().unwrap();
    assert!(chunks.len() > 1);
    let mut files = vec!["manifest.json".to_string()];
    let mut next_gen = 1;
    for (i, c) in chunks.iter().enumerate() {
        let file = c["file"].as_str().unwrap();
        assert_eq!(file, format!("generations50ms-go1.25-{:04}.trace", i + 1));
        assert_eq!(
            c["bytes"],
            fs::metadata(Path::new(&out).join(file)).unwrap().len()
        );
        assert_eq!(c["first_generation"], next_gen);
        next_gen = c["last_generation"].as_u64().unwrap() + 1;
        let start = m["trace_start_ns"].as_i64().unwrap();
        assert_eq!(
            c["first_since_start_ns"].as_i64().unwrap(),
            c["first_ns"].as_i64().unwrap() - start
        );
        assert_eq!(
            c["last_since_start_ns"].as_i64().unwrap(),
            c["last_ns"].as_i64().unwrap() - start
        );
        // Each chunk starts in a later 300ms window.
        assert!(c["first_since_start_ns"].as_i64().unwrap() >= i as i64 * 300_000_000 || i == 0);
        assert!(c["wall_first"].as_str().unwrap().ends_with('Z'));
        assert!(c["wall_first"].as_str() < c["wall_last"].as_str());
        // gotrace opens every chunk.
        let d = gotrace(&["dump", &tmp.path(&format!("out/{file}"))]);
        assert!(d.status.success(), "{file}: {}", stderr(&d));
        files.push(file.to_string());
    }
    assert_eq!(next_gen, 25, "all 24 generations");
    files.sort();
    assert_eq!(names(Path::new(&out)), files);

    // Before Go 1.25, no wall clock.
    let out = tmp.path("old");
    let o = gotrace(&[
        "split",
        fixture("generations50ms-go1.23.trace").to_str().unwrap(),
        "-o",
        &out,
        "--generations",
        "6",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let m = manifest(Path::new(&out));
    assert_eq!(m["version"], "1.23");
    assert_eq!(m["chunks"].as_array().unwrap().len(), 4);
    assert_eq!(m["chunks"][0]["wall_first"], Value::Null);
}

#[test]
fn refuses_a_non_empty_directory_without_force() {
    let input = fixture("generations50ms-go1.26.trace");
    let input = input.to_str().unwrap();
    let tmp = TempDir::new("force");
    fs::write(tmp.0.join("keep.txt"), "mine").unwrap();
    let dir = tmp.path("");
    let o = gotrace(&["split", input, "-o", &dir, "--generations", "1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("not empty"), "{}", stderr(&o));
    assert_eq!(names(&tmp.0), ["keep.txt"]);

    let o = gotrace(&["split", input, "-o", &dir, "--generations", "1", "--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(names(&tmp.0).len(), 24 + 2);

    // Again with --force: the earlier chunks go, other files stay.
    let o = gotrace(&["split", input, "-o", &dir, "--generations", "12", "--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        names(&tmp.0),
        [
            "generations50ms-go1.26-0001.trace",
            "generations50ms-go1.26-0002.trace",
            "keep.txt",
            "manifest.json"
        ]
    );
}

#[test]
fn truncated_input_writes_complete_generations_then_fails() {
    let data = fs::read(fixture("generations50ms-go1.26.trace")).unwrap();
    let tmp = TempDir::new("truncated");
    let cut = data.len() * 2 / 3;
    let input = tmp.path("cut.trace");
    fs::write(&input, &data[..cut]).unwrap();
    let out = tmp.path("out");
    let o = gotrace(&["split", &input, "-o", &out, "--generations", "4"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("truncated") && err.contains("not written"),
        "{err}"
    );
    let m = manifest(Path::new(&out));
    assert!(
        m["error"]
            .as_str()
            .unwrap()
            .contains("failed to read full batch")
    );
    let chunks = m["chunks"].as_array().unwrap();
    let written: u64 = chunks
        .iter()
        .map(|c| c["generations"].as_u64().unwrap())
        .sum();
    let framing = trace_format::framing::scan(&data[..cut]).unwrap();
    assert_eq!(written, framing.generations.len() as u64);
    assert_eq!(m["lost_bytes"], framing.lost_bytes());
    for c in chunks {
        let d = gotrace(&[
            "dump",
            &tmp.path(&format!("out/{}", c["file"].as_str().unwrap())),
        ]);
        assert!(d.status.success());
    }
}

#[test]
fn reads_stdin_as_a_stream() {
    let input = fixture("generations50ms-go1.22.trace");
    let tmp = TempDir::new("stdin");
    let out = tmp.path("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_gotrace"))
        .args(["split", "-", "-o", &out, "--max-size", "40KB"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&fs::read(&input).unwrap())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let from_file = tmp.path("file");
    let f = gotrace(&[
        "split",
        input.to_str().unwrap(),
        "-o",
        &from_file,
        "--max-size",
        "40KB",
    ]);
    assert!(f.status.success());
    let m = manifest(Path::new(&out));
    let chunks = m["chunks"].as_array().unwrap();
    assert!(chunks.len() > 1);
    for (i, c) in chunks.iter().enumerate() {
        assert_eq!(c["file"], format!("trace-{:04}.trace", i + 1));
        assert!(c["bytes"].as_u64().unwrap() <= 40_000);
        let a = fs::read(tmp.0.join("out").join(c["file"].as_str().unwrap())).unwrap();
        let b = fs::read(
            tmp.0
                .join("file")
                .join(format!("generations50ms-go1.22-{:04}.trace", i + 1)),
        )
        .unwrap();
        assert!(a == b);
    }
}

#[test]
fn bad_input_is_a_clear_error() {
    let tmp = TempDir::new("bad");
    let out = tmp.path("out");
    let not_trace = tmp.path("x.txt");
    fs::write(&not_trace, "hello").unwrap();
    for (input, want) in [
        (not_trace.as_str(), "not a Go execution trace"),
        (&tmp.path("missing.trace"), "No such file"),
        (&tmp.path(""), "Is a directory"),
    ] {
        let o = gotrace(&["split", input, "-o", &out, "--generations", "1"]);
        assert_eq!(o.status.code(), Some(1), "{input}");
        let err = stderr(&o);
        assert!(err.contains(input) && err.contains(want), "{input}: {err}");
        assert!(
            !Path::new(&out).exists(),
            "{input}: the new directory is removed"
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    let input = fixture("generations50ms-go1.26.trace");
    let input = input.to_str().unwrap();
    let tmp = TempDir::new("usage");
    let out = tmp.path("out");
    for args in [
        vec![],
        vec!["--every", "1s", "--max-size", "1MB"],
        vec!["--generations", "1", "--every", "1s"],
        vec!["--from", "2s", "--to", "1s"],
        vec!["--every", "0s"],
        vec!["--every", "10"],
        vec!["--max-size", "0"],
        vec!["--max-size", "lots"],
        vec!["--generations", "0"],
    ] {
        let mut all = vec!["split", input, "-o", &out];
        all.extend(&args);
        let o = gotrace(&all);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
    assert!(
        !Path::new(&out).exists(),
        "nothing is written on a usage error"
    );
}

#[test]
fn help_explains_with_examples() {
    let o = gotrace(&["split", "--help"]);
    assert!(o.status.success());
    let help = String::from_utf8_lossy(&o.stdout);
    for want in [
        "--every",
        "--max-size",
        "--generations",
        "--from",
        "--to",
        "--force",
        "Examples:",
        "manifest.json",
    ] {
        assert!(help.contains(want), "{want}");
    }
}
