#!/usr/bin/env bash
# The viewer on big traces, headless (`gotrace view --bench`): time to the
# first frame and to the first frame with data, full load time, model size,
# peak RSS (and its ratio to the file size), and frame times (p50/p99) fully
# zoomed out and at 1 µs per 100 px. Frames are egui layout + tessellation on
# the CPU; rasterizing them is the GPU's (or llvmpipe's) job and not timed.
#
#   benches/viewer.sh [SIZE_MB...]   (default: 200; traces made by
#                                     fixtures/make-big-trace.sh, cached in /tmp)
#
# FRAMES (default 300) frames per zoom level.
set -euo pipefail
cd "$(dirname "$0")/.."
frames="${FRAMES:-300}"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(200)
cargo build --release -q -p gotrace-tools
bin="${CARGO_TARGET_DIR:-target}/release/gotrace"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
for mb in "${sizes[@]}"; do
	trace="/tmp/big${mb}.trace"
	[ -f "$trace" ] || fixtures/make-big-trace.sh "$mb" "$trace"
	echo "== $trace"
	"$bin" view --bench --frames "$frames" "$trace"
done
