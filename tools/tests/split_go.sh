#!/usr/bin/env bash
# `gotrace split` writes traces Go itself reads: the multi-generation fixture
# of every Go version (1.22-1.27), split three ways; Go 1.27.3's
# `go tool trace -d=parsed` must read every chunk (exit 0) and print exactly
# what `gotrace dump` prints for it.
#
#   tools/tests/split_go.sh      (GOTRACE_GO=path/to/go and GOTRACE_BIN=path/to/gotrace
#                                 override the defaults: Go 1.27.3 via
#                                 fixtures/go-toolchain.sh, a release build)
set -euo pipefail
cd "$(dirname "$0")/../.."
. fixtures/go-toolchain.sh
GO=${GOTRACE_GO:-$(gotrace_go 1.27.3)}
GOTRACE=${GOTRACE_BIN:-${CARGO_TARGET_DIR:-target}/release/gotrace}
[ -x "$GOTRACE" ] || cargo build --release --bin gotrace
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$GO" build -o "$work/gotool-trace" cmd/trace

n=0
for v in 22 23 24 25 26 27; do
	in=fixtures/traces/generations50ms-go1.$v.trace
	for cut in "--generations 5" "--every 200ms" "--max-size 30KB"; do
		out="$work/go1.$v${cut// /}"
		# shellcheck disable=SC2086 # $cut is two words on purpose
		"$GOTRACE" split "$in" -o "$out" $cut 2>/dev/null
		chunks=0
		for c in "$out"/*.trace; do
			if ! "$work/gotool-trace" -d=parsed "$c" >"$c.go" 2>"$c.goerr"; then
				echo "split-vs-go: go tool trace rejects $in split with $cut: $(basename "$c"): $(cat "$c.goerr")" >&2
				exit 1
			fi
			"$GOTRACE" dump "$c" >"$c.rs"
			if ! cmp -s "$c.go" "$c.rs"; then
				echo "split-vs-go: $in split with $cut: $(basename "$c"): gotrace dump differs from go tool trace -d=parsed" >&2
				diff "$c.go" "$c.rs" | head -20 >&2
				exit 1
			fi
			chunks=$((chunks + 1))
		done
		if [ "$chunks" -lt 2 ]; then
			echo "split-vs-go: $in split with $cut: only $chunks chunk(s)" >&2
			exit 1
		fi
		n=$((n + chunks))
	done
done
echo "split-vs-go: $n chunks of 6 Go versions read by go tool trace -d=parsed, identical to gotrace dump"
