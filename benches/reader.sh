#!/usr/bin/env bash
# Reader throughput: gotrace's ordered event stream vs Go's own
# internal/trace reader (built from the installed Go 1.27.3 GOROOT), on the
# same files. Prints MB/s, events/s, peak RSS and the ratio.
#
#   benches/reader.sh [TRACE...]     (default: a 200 MB trace made by
#                                     fixtures/make-big-trace.sh, cached in /tmp)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${RUNS:-3}"
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
	big=/tmp/gotrace-big200.trace
	[ -s "$big" ] || fixtures/make-big-trace.sh 200 "$big"
	files=("$big")
fi
cargo build --release -q -p trace-format --example read
gobin=/tmp/gotrace-go-reader
[ -x "$gobin" ] || benches/go-reader/build.sh "$gobin"
command -v /usr/bin/time >/dev/null || { echo "install GNU time (apt-get install time)"; exit 1; }

# fastest_run CMD...: the run with the highest mb_per_s, plus its peak RSS (KB).
fastest_run() {
	local best="" best_rate=0 out rss rate
	for _ in $(seq "$runs"); do
		out=$(/usr/bin/time -f 'RSS %M' "$@" 2>/tmp/gotrace-bench-time)
		rss=$(awk '/^RSS/ {print $2}' /tmp/gotrace-bench-time)
		rate=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["mb_per_s"])' "$out")
		if python3 -c "import sys; sys.exit(0 if $rate > $best_rate else 1)"; then
			best_rate=$rate
			best="$out $rss"
		fi
	done
	echo "$best"
}

printf '%-28s %10s %12s %10s | %10s %12s %10s | %6s\n' file "gotrace" "events/s" "RSS MB" "Go" "events/s" "RSS MB" ratio
for f in "${files[@]}"; do
	ours=$(fastest_run target/release/examples/read "$f")
	theirs=$(fastest_run "$gobin" "$f")
	python3 - "$f" "$ours" "$theirs" <<'PY'
import json, os, sys
f, ours, theirs = sys.argv[1], sys.argv[2], sys.argv[3]
def parse(s):
    j, rss = s.rsplit(" ", 1)
    return json.loads(j), int(rss) / 1024
o, orss = parse(ours)
g, grss = parse(theirs)
print(f"{os.path.basename(f)[:28]:<28} {o['mb_per_s']:>7.1f} MB/s {o['events_per_s']/1e6:>9.2f} M {orss:>9.0f} | "
      f"{g['mb_per_s']:>7.1f} MB/s {g['events_per_s']/1e6:>9.2f} M {grss:>9.0f} | {o['mb_per_s']/g['mb_per_s']:>5.1f}x")
PY
done
echo "(machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
