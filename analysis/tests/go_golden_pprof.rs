//! Profiles of Go's own parser test traces (`internal/trace/testdata/tests`,
//! copied to `fixtures/go-testdata/tests`: edge cases such as goroutines of C
//! threads calling into Go, whose IDs are reused, and syscalls whose P is
//! stolen) against the real `go tool trace -pprof=KIND`.
//!
//! Needs Go 1.27.3: set `GOTRACE_GO` to its `go` binary (CI does); without it
//! the test passes without checking anything and says so.

use std::path::{Path, PathBuf};
use std::process::Command;

use analysis::filter::Filter;
use analysis::pprof::{self, ProfileKind};
use analysis::profile_proto::Profile;
use trace_format::text::{Expectation, parse_golden_test};

fn go_command(go: &str) -> Command {
    let mut c = Command::new(go);
    c.env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOFLAGS", "-mod=mod");
    if std::env::var_os("GOCACHE").is_none() {
        c.env("GOCACHE", std::env::temp_dir().join("gotrace-gocache"));
    }
    c
}

#[test]
fn golden_traces_profile_like_go() {
    let Some(go) = std::env::var_os("GOTRACE_GO") else {
        eprintln!("go_golden_pprof: SKIPPED (set GOTRACE_GO to a Go 1.27.3 `go` binary)");
        return;
    };
    let go = go.to_string_lossy().into_owned();
    let work = std::env::temp_dir().join(format!("gotrace-golden-pprof-{}", std::process::id()));
    std::fs::create_dir_all(&work).expect("temp dir");
    let tool = work.join("trace");
    let built = go_command(&go)
        .args(["build", "-o"])
        .arg(&tool)
        .arg("cmd/trace")
        .current_dir(&work)
        .status()
        .expect("run go build");
    assert!(built.success(), "go build cmd/trace failed");

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/go-testdata/tests");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures/go-testdata/tests")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "test"))
        .collect();
    paths.sort();
    let (mut compared, mut failures) = (0, Vec::new());
    for path in &paths {
        let name = path.file_stem().unwrap_or_default().to_string_lossy();
        let text = std::fs::read_to_string(path).expect("read test");
        let Ok(t) = parse_golden_test(&text) else {
            continue;
        };
        if !matches!(t.expect, Expectation::Success) {
            continue;
        }
        let file = work.join(format!("{name}.trace"));
        std::fs::write(&file, &t.trace).expect("write trace");
        for kind in [
            ProfileKind::Net,
            ProfileKind::Sync,
            ProfileKind::Syscall,
            ProfileKind::Sched,
        ] {
            let out = Command::new(&tool)
                .arg(format!("-pprof={}", kind.name()))
                .arg(&file)
                .output()
                .expect("run go tool trace");
            if !out.status.success() {
                // E.g. no goroutine at all: Go refuses to write a profile.
                continue;
            }
            let go_samples = Profile::decode_any(&out.stdout)
                .and_then(|p| p.resolved_samples())
                .expect("Go's profile decodes");
            let records = pprof::compute(&t.trace, kind, &Filter::default(), &mut |_| {})
                .expect("golden trace reads");
            let ours = pprof::to_profile(&records)
                .resolved_samples()
                .expect("our profile is consistent");
            compared += 1;
            if ours != go_samples {
                failures.push(format!(
                    "{name} {kind}:\n  Go   {go_samples:?}\n  ours {ours:?}"
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    eprintln!(
        "go_golden_pprof: {}/{compared} profiles of Go's test traces equal",
        compared - failures.len()
    );
    assert!(compared > 0, "no profile compared");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
