#!/usr/bin/env bash
# Our pprof profiles, read by the real `go tool pprof -raw` (Go 1.27.3), equal
# Go's own `go tool trace -pprof=KIND` profiles of every fixture, as sample
# sets; and Go's parser test traces give the same profiles as Go's.
set -euo pipefail
cd "$(dirname "$0")/../.."
. fixtures/go-toolchain.sh
export GOTRACE_GO="$(gotrace_go 1.27.3)" GOTRACE_REQUIRE_GO=1
bash analysis/tests/go_pprof_check.sh "$PWD/target/release/gotrace"
cargo test --release -q -p analysis --test go_golden_pprof
