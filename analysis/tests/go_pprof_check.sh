#!/usr/bin/env bash
# Checks gotrace's profiles with the real Go tools (Go 1.27.3):
#
#  1. For every fixture and kind with a Go reference: `gotrace pprof KIND`
#     writes a profile, the real `go tool pprof -raw` must read it, and its
#     samples (stack as pc/function/file/line, contentions, delay) must equal,
#     as a set, those of Go's own profile (fixtures/reference/NAME.KIND.raw.txt).
#  2. Filters against `go tool trace`'s web UI, which serves the same
#     profiles restricted to a goroutine name (/block?name=N) or a region
#     type (/regionblock?type=T) as profile.proto with raw=1:
#     `--goroutines '^N$'` and `--region T` must give the same samples.
#
#   GOTRACE_GO=~/go1.27/bin/go analysis/tests/go_pprof_check.sh [GOTRACE_BINARY]
#
# Go is GOTRACE_GO, or `go` on PATH; without it the script says so and exits
# 0 (skipped) unless GOTRACE_REQUIRE_GO=1. Needs python3 and curl. Without a
# binary argument it builds `gotrace` with cargo (release).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FIXTURES="$ROOT/fixtures"
GO="${GOTRACE_GO:-$(command -v go || true)}"
if [ -z "$GO" ] || ! "$GO" version >/dev/null 2>&1; then
	echo "go_pprof_check: SKIPPED (no Go toolchain; set GOTRACE_GO)" >&2
	[ "${GOTRACE_REQUIRE_GO:-}" = 1 ] && exit 1
	exit 0
fi
export GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod
export GOCACHE="${GOCACHE:-/tmp/gotrace-gocache}"

if [ $# -ge 1 ]; then
	GOTRACE="$1"
else
	(cd "$ROOT" && cargo build --release -q -p gotrace-tools)
	GOTRACE="${CARGO_TARGET_DIR:-$ROOT/target}/release/gotrace"
fi

WORK="$(mktemp -d /tmp/gotrace-pprof-check.XXXXXX)"
SERVER_PID=""
cleanup() {
	if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi
	rm -rf "$WORK"
}
trap cleanup EXIT

# The same programs as `go tool pprof` / `go tool trace`, built once.
(cd "$WORK" && "$GO" build -o "$WORK/pprof" cmd/pprof && "$GO" build -o "$WORK/trace" cmd/trace)
export PPROF_TMPDIR="$WORK/pprof-tmp"
mkdir -p "$PPROF_TMPDIR"

# same_samples GO OURS: compares the samples of two `pprof -raw` listings as
# sets (pprof lists samples in file order; Go writes them in random order),
# frames spelled out as pc/function/file:line; prints the differences.
same_samples() {
	python3 - "$1" "$2" <<'PY'
import re, sys
def samples(path):
    section, out, locs, cur = None, [], {}, None
    raw = []
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if line in ("Samples:", "Locations", "Mappings"):
            section = line
            continue
        if section == "Samples:":
            m = re.match(r"^\s*(\d+)\s+(\d+):((?:\s+\d+)*)\s*$", line)
            if m:
                raw.append((m.group(1), m.group(2), m.group(3).split()))
        elif section == "Locations":
            m = re.match(r"^\s*(\d+): (0x[0-9a-f]+) M=\d+ (.*) s=\d+$", line)
            if m:
                cur = m.group(1)
                locs[cur] = [m.group(2) + " " + m.group(3)]
            elif cur and re.match(r"^\s+\S.* s=\d+$", line):
                locs[cur].append(locs[cur][0].split()[0] + " " + line.strip().rsplit(" s=", 1)[0])
    for count, delay, ids in raw:
        frames = [f for i in ids for f in locs.get(i, ["?" + i])]
        out.append(count + " " + delay + " | " + " ; ".join(frames))
    return sorted(out)
go, ours = samples(sys.argv[1]), samples(sys.argv[2])
if go != ours:
    for s in sorted(set(go) - set(ours))[:10]:
        print("< " + s)
    for s in sorted(set(ours) - set(go))[:10]:
        print("> " + s)
    if set(go) == set(ours):
        print("(same samples, different multiplicities)")
    sys.exit(1)
PY
}

fail=0
checked=0

# ---------------------------------------------------------------- 1. fixtures
for ref in "$FIXTURES"/reference/*.raw.txt; do
	base="$(basename "$ref" .raw.txt)" # NAME.KIND
	name="${base%.*}"
	kind="${base##*.}"
	trace="$FIXTURES/traces/$name.trace"
	[ -f "$trace" ] || continue
	out="$WORK/$base.pb.gz"
	if ! "$GOTRACE" pprof "$kind" "$trace" -o "$out" 2>"$WORK/err"; then
		echo "FAIL $base: gotrace pprof failed: $(cat "$WORK/err")"
		fail=$((fail + 1))
		continue
	fi
	if ! "$WORK/pprof" -raw "$out" >"$WORK/ours.raw" 2>"$WORK/err"; then
		echo "FAIL $base: go tool pprof cannot read our profile: $(cat "$WORK/err")"
		fail=$((fail + 1))
		continue
	fi
	checked=$((checked + 1))
	if ! same_samples "$ref" "$WORK/ours.raw" >"$WORK/diff"; then
		echo "FAIL $base: samples differ from go tool trace -pprof=$kind (< Go, > ours):"
		head -20 "$WORK/diff"
		fail=$((fail + 1))
	fi
done
echo "go_pprof_check: $((checked - fail))/$checked fixture profiles read by go tool pprof with Go's samples" >&2

# ---------------------------------------------------------------- truncated
# Traces cut in the middle of a generation: go tool trace analyses what it
# could read; gotrace the complete generations. Same samples.
# vs_go_tool_trace TRACE KIND LABEL: `go tool trace -pprof=KIND` and
# `gotrace pprof KIND` on TRACE must give the same samples (both read back
# with `go tool pprof -raw`); a difference is a FAIL. Returns 1, comparing
# nothing, when go tool trace itself fails on TRACE.
vs_go_tool_trace() {
	local trace=$1 kind=$2 label=$3
	"$WORK/trace" -pprof="$kind" "$trace" >"$WORK/vs.go.pprof" 2>/dev/null || return 1
	"$WORK/pprof" -raw "$WORK/vs.go.pprof" >"$WORK/vs.go.raw" 2>/dev/null
	"$GOTRACE" pprof "$kind" "$trace" -o "$WORK/vs.pb.gz" 2>/dev/null
	"$WORK/pprof" -raw "$WORK/vs.pb.gz" >"$WORK/vs.raw" 2>/dev/null
	if ! same_samples "$WORK/vs.go.raw" "$WORK/vs.raw" >"$WORK/diff"; then
		echo "FAIL $label $kind (< Go, > ours):"
		head -20 "$WORK/diff"
		fail=$((fail + 1))
	fi
}

cut_checked=0
for name in generations50ms-go1.22 generations50ms-go1.27 annotations-go1.27; do
	trace="$FIXTURES/traces/$name.trace"
	[ -f "$trace" ] || continue
	size="$(stat -c %s "$trace")"
	head -c "$((size * 6 / 10))" "$trace" >"$WORK/cut.trace"
	for kind in sync net syscall sched; do
		vs_go_tool_trace "$WORK/cut.trace" "$kind" "truncated $name" || continue
		cut_checked=$((cut_checked + 1))
	done
done
echo "go_pprof_check: truncated traces: $cut_checked profiles compared" >&2

# ---------------------------------------------------------------- deep stacks
# Stacks deeper than the 128 frames Go's profiles deduplicate and cut at
# (recursion through an inlined call: 256 logical frames), made on the spot.
mkdir -p "$WORK/deepstack"
cat >"$WORK/deepstack/go.mod" <<'GO'
module deepstack

go 1.22
GO
cat >"$WORK/deepstack/main.go" <<'GO'
// Goroutines blocking with stacks deeper than 128 frames, for profile tests.
package main

import (
	"os"
	"runtime/trace"
	"sync"
	"time"
)

var mu sync.Mutex

// wrap is inlined into deep: each physical frame holds two logical frames.
func wrap(n int, ch chan int, wg *sync.WaitGroup) {
	deep(n, ch, wg)
}

//go:noinline
func deep(n int, ch chan int, wg *sync.WaitGroup) {
	if n > 0 {
		wrap(n-1, ch, wg)
		return
	}
	mu.Lock()
	time.Sleep(100 * time.Microsecond)
	mu.Unlock()
	<-ch
	wg.Done()
}

func main() {
	f, _ := os.Create(os.Args[1])
	trace.Start(f)
	var wg sync.WaitGroup
	for _, depth := range []int{120, 125, 126, 127, 128, 129, 130, 200, 300} {
		ch := make(chan int)
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go deep(depth+i, ch, &wg)
		}
		time.Sleep(2 * time.Millisecond)
		close(ch)
	}
	wg.Wait()
	trace.Stop()
	f.Close()
}
GO
(cd "$WORK/deepstack" && "$GO" build -o "$WORK/deep" . && "$WORK/deep" "$WORK/deep.trace")
deep_checked=0
for kind in sync net syscall sched; do
	if vs_go_tool_trace "$WORK/deep.trace" "$kind" "deep stacks"; then
		deep_checked=$((deep_checked + 1))
	else
		echo "FAIL deep stacks $kind: go tool trace failed on the trace"
		fail=$((fail + 1))
	fi
done
echo "go_pprof_check: deep stacks: $deep_checked profiles compared" >&2

# ---------------------------------------------------------------- 2. filters
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# serve TRACE: start go tool trace's web server on it.
serve() {
	if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
	PORT="$(free_port)"
	BROWSER=none "$WORK/trace" -http="127.0.0.1:$PORT" "$1" >"$WORK/server.log" 2>&1 &
	SERVER_PID=$!
	for _ in $(seq 1 100); do
		curl -sf "http://127.0.0.1:$PORT/" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	echo "go tool trace did not start: $(cat "$WORK/server.log")" >&2
	return 1
}

# check_filter LABEL URL_PATH KIND TRACE GOTRACE_ARGS...: Go's raw profile at
# URL_PATH against `gotrace pprof KIND TRACE GOTRACE_ARGS...`.
filter_checked=0
filter_failed=0
check_filter() {
	local label="$1" path="$2" kind="$3" trace="$4"
	shift 4
	if ! curl -sf "http://127.0.0.1:$PORT$path" -o "$WORK/go.pb.gz"; then
		echo "  (Go has no profile for $label; skipped)" >&2
		return 0
	fi
	"$WORK/pprof" -raw "$WORK/go.pb.gz" >"$WORK/go.raw" 2>/dev/null
	"$GOTRACE" pprof "$kind" "$trace" -o "$WORK/f.pb.gz" "$@" 2>/dev/null
	"$WORK/pprof" -raw "$WORK/f.pb.gz" >"$WORK/f.raw" 2>/dev/null
	filter_checked=$((filter_checked + 1))
	if ! same_samples "$WORK/go.raw" "$WORK/f.raw" >"$WORK/diff"; then
		echo "FAIL filter $label (< Go, > ours):"
		head -20 "$WORK/diff"
		filter_failed=$((filter_failed + 1))
	fi
}

urlencode() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
reescape() { python3 -c 'import sys, re; print("^" + re.escape(sys.argv[1]) + "$")' "$1"; }

declare -A GO_PATH=([net]=io [sync]=block [syscall]=syscall [sched]=sched)
for name in annotations-go1.27 annotations-go1.22 sync-go1.27 chan-go1.23; do
	trace="$FIXTURES/traces/$name.trace"
	summary="$FIXTURES/reference/$name.summary.json.gz"
	[ -f "$trace" ] && [ -f "$summary" ] || continue
	serve "$trace"
	names="$(zcat "$summary" | python3 -c 'import json, sys; print("\n".join(sorted({g["name"] for g in json.load(sys.stdin)["goroutines"] if g["name"]})))')"
	regions="$(zcat "$summary" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("\n".join(sorted({r["name"] for g in d["goroutines"] for r in (g.get("regions") or []) if r.get("name")})))')"
	for kind in sync sched syscall; do
		while IFS= read -r g; do
			[ -n "$g" ] || continue
			check_filter "$name $kind --goroutines $g" "/${GO_PATH[$kind]}?raw=1&name=$(urlencode "$g")" "$kind" "$trace" --goroutines "$(reescape "$g")"
		done <<<"$names"
		while IFS= read -r r; do
			[ -n "$r" ] || continue
			check_filter "$name $kind --region $r" "/region${GO_PATH[$kind]}?raw=1&type=$(urlencode "$r")" "$kind" "$trace" --region "$r"
		done <<<"$regions"
	done
done
echo "go_pprof_check: $((filter_checked - filter_failed))/$filter_checked filtered profiles equal to go tool trace's (web UI)" >&2

[ "$fail" -eq 0 ] && [ "$filter_failed" -eq 0 ] && [ "$checked" -gt 0 ]
