#!/usr/bin/env bash
# Runs a fuzz target for SECONDS (default 60), seeded with Go's FuzzReader
# corpus and the fixture traces:
#   fuzz/run.sh [SECONDS] [TARGET]
# TARGET: reader (default; the reader, raw dump and framing must not panic),
# pipeline (the pipelined reader must equal `Reader`, events and error), or
# analysis (profiles, summary and MMU must not panic). Works on stable Rust through
# RUSTC_BOOTSTRAP (cargo-fuzz needs -Zsanitizer); installs cargo-fuzz if missing.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-60}"
target="${2:-reader}"
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2
rm -f target/.rustc_info.json
corpus=corpus/$target
mkdir -p "$corpus"
cp ../fixtures/traces/*-go1.2[2-7].trace "$corpus"/ 2>/dev/null || true
python3 - "$corpus" <<'PY'
import codecs, os, sys
src = "../fixtures/go-testdata/fuzz/FuzzReader"
for name in os.listdir(src):
    lines = open(os.path.join(src, name), encoding="utf-8").read().splitlines()
    lit = lines[1][len("[]byte("):-1]
    # Go's corpus quotes bytes with \x, \a, \b, \", \\ escapes and raw UTF-8.
    data = codecs.escape_decode(lit[1:-1].encode("utf-8"))[0]
    open(os.path.join(sys.argv[1], "go-" + name), "wb").write(data)
PY
# The pipeline and analysis targets start threads: LeakSanitizer reports
# std's per-thread state (thread handles, the thread-locals of channel waits)
# as leaked when it runs while those threads exit, after an input or at the
# end of the run. Leak detection is for the single-threaded reader target.
leaks=1
if [ "$target" != reader ]; then
	leaks=0
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
fi
cargo fuzz run "$target" "$corpus" -- -max_total_time="$secs" -max_len=262144 -rss_limit_mb=4096 -detect_leaks="$leaks"
