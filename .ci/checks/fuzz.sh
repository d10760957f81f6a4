#!/usr/bin/env bash
# A short cargo-fuzz run of the reader (framing, wire dump, ordered events),
# seeded with Go's FuzzReader corpus and the fixtures.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash fuzz/run.sh "${FUZZ_SECONDS:-45}"
