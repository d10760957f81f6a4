#!/usr/bin/env bash
# Profiles and MMU: `gotrace pprof KIND` (every kind) and `gotrace mmu` vs
# `go tool trace -pprof=sync` on the same big trace. Prints wall time, peak
# RSS and the ratio to Go's time.
#
#   benches/analysis.sh [TRACE]   (default: a 200 MB trace made by
#                                  fixtures/make-big-trace.sh, cached in /tmp)
#
# Go needs ~77 s and ~18 GB of RAM for a 200 MB trace, so it runs once
# (GO_RUNS), under `timeout GO_TIMEOUT` (default 900 s); SKIP_GO=1 skips it
# and GO_SECONDS=N GO_RSS_MB=M use numbers measured before instead.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${RUNS:-3}"
trace="${1:-}"
if [ -z "$trace" ]; then
	for t in /tmp/gotrace-big200.trace /tmp/big200.trace; do
		[ -s "$t" ] && trace="$t" && break
	done
	if [ -z "$trace" ]; then
		trace=/tmp/gotrace-big200.trace
		fixtures/make-big-trace.sh 200 "$trace"
	fi
fi
command -v /usr/bin/time >/dev/null || { echo "install GNU time (apt-get install time)" >&2; exit 1; }
cargo build --release -q -p gotrace-tools
bin="${CARGO_TARGET_DIR:-target}/release/gotrace"
tmp=$(mktemp -d /tmp/gotrace-analysis-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=benches/lib.sh
. benches/lib.sh

cat "$trace" >/dev/null # into the page cache
echo "trace: $trace ($(stat -c %s "$trace") bytes); load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# Go first: its time is the reference for every ratio.
if [ -n "${GO_SECONDS:-}" ]; then
	go_t="$GO_SECONDS"
	go_rss="$((${GO_RSS_MB:-0} * 1024))"
	echo "go tool trace -pprof=sync: ${go_t}s (given), RSS ${GO_RSS_MB:-?} MB"
elif [ "${SKIP_GO:-}" = 1 ]; then
	go_t=""
else
	go="$(. fixtures/go-toolchain.sh && gotrace_go 1.27.3)"
	export GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod GOCACHE="${GOCACHE:-/tmp/gocache}"
	(cd "$tmp" && "$go" build -o "$tmp/trace" cmd/trace)
	t0=$EPOCHREALTIME
	status=0
	/usr/bin/time -f '%M' -o "$tmp/rss" timeout "${GO_TIMEOUT:-900}" "$tmp/trace" -pprof=sync "$trace" >/dev/null 2>&1 || status=$?
	t1=$EPOCHREALTIME
	go_t=$(python3 -c "print(f'{$t1 - $t0:.3f}')")
	go_rss=$(tail -1 "$tmp/rss")
	if [ "$status" -eq 124 ]; then
		echo "go tool trace -pprof=sync: timed out after ${GO_TIMEOUT:-900}s (ratios below are lower bounds)"
	elif [ "$status" -ne 0 ]; then
		echo "go tool trace -pprof=sync failed (exit $status), e.g. out of memory"
	fi
	echo "go tool trace -pprof=sync: ${go_t}s, RSS $((go_rss / 1024)) MB"
fi

printf '%-28s | %9s %8s | %8s\n' command time "RSS MB" "vs Go"
row() {
	local label="$1"
	shift
	res=$(best_of "$tmp" "$@") || exit 1
	read -r t rss <<<"$res"
	python3 - "$label" "$t" "$rss" "${go_t:-}" <<'PY'
import sys
label, t, rss, go_t = sys.argv[1:]
ratio = f"{float(go_t) / float(t):>7.1f}x" if go_t else "      -"
print(f"{label:<28} | {float(t):>8.2f}s {int(rss) / 1024:>8.0f} | {ratio}")
PY
}
for kind in sync net syscall sched sched-self; do
	row "gotrace pprof $kind" "$bin" pprof "$kind" "$trace" -o "$tmp/out.pb.gz"
done
row "gotrace pprof sync --region ${REGION:-outer}" "$bin" pprof sync "$trace" -o "$tmp/out.pb.gz" --region "${REGION:-outer}"
row "gotrace mmu" "$bin" mmu "$trace"
