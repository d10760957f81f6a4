#!/usr/bin/env bash
# gotrace dump == go tool trace -d=parsed / -d=wire of the real Go 1.27.3, on
# fresh traces written now by the fixture programs with the newest Go (the
# committed references are checked by `cargo test`; this catches drift in
# what the current runtime writes).
set -euo pipefail
cd "$(dirname "$0")/../.."
. fixtures/go-toolchain.sh
GO=$(gotrace_go 1.27.3)
GOTRACE=target/release/gotrace
[ -x "$GOTRACE" ] || cargo build --release --bin gotrace
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$GO" build -o "$work/gotool-trace" cmd/trace
n=0
for p in sync chan annotations; do
	(cd fixtures/programs/$p && "$GO" build -trimpath -o "$work/$p" .)
	GOMAXPROCS=2 "$work/$p" "$work/$p.trace" >/dev/null
	"$work/gotool-trace" -d=parsed "$work/$p.trace" >"$work/$p.go"
	"$GOTRACE" dump "$work/$p.trace" >"$work/$p.rs"
	cmp "$work/$p.go" "$work/$p.rs"
	"$work/gotool-trace" -d=wire "$work/$p.trace" >"$work/$p.gowire"
	"$GOTRACE" dump --wire "$work/$p.trace" >"$work/$p.rswire"
	cmp "$work/$p.gowire" "$work/$p.rswire"
	n=$((n + 1))
done
echo "dump-vs-go: $n fresh traces, -d=parsed and -d=wire byte-identical"
