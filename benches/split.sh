#!/usr/bin/env bash
# `gotrace split` vs `cp` on big traces, from the page cache: wall time,
# throughput and peak RSS of each, and the time ratio split/cp.
#
#   benches/split.sh [SIZE_MB...]   (default: 200 1000; traces made by
#                                    fixtures/make-big-trace.sh, cached in /tmp)
#
# RUNS (default 3) runs each, best time kept. Splits with --every 10s; set
# SPLIT_ARGS to try another cut.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${RUNS:-3}"
split_args="${SPLIT_ARGS:---every 10s}"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(200 1000)
command -v /usr/bin/time >/dev/null || { echo "install GNU time (apt-get install time)" >&2; exit 1; }
cargo build --release -q -p gotrace-tools
bin="${CARGO_TARGET_DIR:-target}/release/gotrace"
out=$(mktemp -d /tmp/gotrace-split-bench.XXXXXX)
trap 'rm -rf "$out"' EXIT

# shellcheck source=benches/lib.sh
. benches/lib.sh
# Each run starts with an empty output directory and no dirty pages to write back.
before_run() {
	rm -rf "$out/x" "$out/copy.trace"
	sync
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); split $split_args; best of $runs"
printf '%-8s %8s | %8s %8s %8s | %8s %8s %8s | %6s\n' size chunks cp GB/s "RSS MB" split GB/s "RSS MB" ratio
for mb in "${sizes[@]}"; do
	f="/tmp/gotrace-big$mb.trace"
	[ -s "$f" ] || fixtures/make-big-trace.sh "$mb" "$f"
	bytes=$(stat -L -c %s "$f")
	cat "$f" >/dev/null # into the page cache
	res=$(best_of "$out" cp "$f" "$out/copy.trace") || exit 1
	read -r cp_t cp_rss <<<"$res"
	# shellcheck disable=SC2086 # split_args is several words on purpose
	res=$(best_of "$out" "$bin" split "$f" -o "$out/x" $split_args) || exit 1
	read -r sp_t sp_rss <<<"$res"
	rm -rf "$out/x"
	# shellcheck disable=SC2086
	"$bin" split "$f" -o "$out/x" $split_args 2>/dev/null
	chunks=$(find "$out/x" -name '*.trace' | wc -l)
	python3 - "$mb" "$bytes" "$chunks" "$cp_t" "$cp_rss" "$sp_t" "$sp_rss" <<'PY'
import sys
mb, b, chunks, ct, cr, st, sr = sys.argv[1:]
b, ct, st = int(b), float(ct), float(st)
print(f"{mb + ' MB':<8} {chunks:>8} | {ct:>7.3f}s {b / ct / 1e9:>8.2f} {int(cr) / 1024:>8.1f} | "
      f"{st:>7.3f}s {b / st / 1e9:>8.2f} {int(sr) / 1024:>8.1f} | {st / ct:>6.2f}")
PY
done
