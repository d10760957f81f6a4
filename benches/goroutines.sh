#!/usr/bin/env bash
# The goroutine table: `gotrace goroutines` vs Go's own Summarizer (what
# `go tool trace` computes for its goroutine pages), on the same files.
# Prints wall time, peak RSS and the ratio.
#
#   benches/goroutines.sh [TRACE...]   (default: a 200 MB trace made by
#                                       fixtures/make-big-trace.sh, cached in /tmp)
#
# Go side: benches/go-reader -summary (internal/trace of Go 1.27.3 reading the
# trace and feeding every event to trace.NewSummarizer, streaming; cheaper
# than `go tool trace`, which also keeps every event in memory). With
# GO_TOOL_TRACE=1, `go tool trace -pprof=sync` is timed too (it needs about
# 18 GB of RAM on a 200 MB trace).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${RUNS:-3}"
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
	big=/tmp/gotrace-big200.trace
	[ -s "$big" ] || fixtures/make-big-trace.sh 200 "$big"
	files=("$big")
fi
command -v /usr/bin/time >/dev/null || { echo "install GNU time (apt-get install time)" >&2; exit 1; }
cargo build --release -q -p gotrace-tools
bin="${CARGO_TARGET_DIR:-target}/release/gotrace"
gobin=/tmp/gotrace-go-reader
[ -x "$gobin" ] || benches/go-reader/build.sh "$gobin"
tmp=$(mktemp -d /tmp/gotrace-goroutines-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=benches/lib.sh
. benches/lib.sh

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); best of $runs"
printf '%-24s | %9s %8s | %9s %8s | %6s\n' file gotrace "RSS MB" "Go" "RSS MB" ratio
for f in "${files[@]}"; do
	cat "$f" >/dev/null # into the page cache
	res=$(best_of "$tmp" "$bin" goroutines "$f") || exit 1
	read -r g_t g_rss <<<"$res"
	res=$(best_of "$tmp" "$gobin" -summary "$f") || exit 1
	read -r go_t go_rss <<<"$res"
	python3 - "$f" "$g_t" "$g_rss" "$go_t" "$go_rss" <<'PY'
import os, sys
f, gt, gr, got, gor = sys.argv[1:]
gt, got = float(gt), float(got)
print(f"{os.path.basename(f)[:24]:<24} | {gt:>8.2f}s {int(gr) / 1024:>8.0f} | {got:>8.2f}s {int(gor) / 1024:>8.0f} | {got / gt:>5.1f}x")
PY
	if [ "${GO_TOOL_TRACE:-}" = 1 ]; then
		go="$(. fixtures/go-toolchain.sh && gotrace_go 1.27.3)"
		t0=$EPOCHREALTIME
		/usr/bin/time -f '%M' -o "$tmp/rss" "$go" tool trace -pprof=sync "$f" >/dev/null 2>&1 || true
		t1=$EPOCHREALTIME
		python3 -c "print(f'go tool trace -pprof=sync: {$t1 - $t0:.2f}s, RSS {int(open(\"$tmp/rss\").read().split()[-1]) / 1024:.0f} MB')"
	fi
done
