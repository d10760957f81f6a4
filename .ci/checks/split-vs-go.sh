#!/usr/bin/env bash
# Chunks written by `gotrace split` open in the real `go tool trace` (Go 1.27.3)
# with output identical to `gotrace dump` (one fixture per Go version).
set -euo pipefail
cd "$(dirname "$0")/../.."
. fixtures/go-toolchain.sh
GOTRACE_GO="$(gotrace_go 1.27.3)" GOTRACE_BIN="$PWD/target/release/gotrace" bash tools/tests/split_go.sh
