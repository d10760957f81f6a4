#!/usr/bin/env bash
# Short cargo-fuzz runs, seeded with Go's FuzzReader corpus and the fixtures:
# the reader (framing, wire dump, ordered events must not panic), the
# pipelined reader against `Reader` (same events, same error), and the
# analyses (profiles, summary, MMU must not panic).
set -euo pipefail
cd "$(dirname "$0")/../.."
for target in reader pipeline analysis; do
	bash fuzz/run.sh "${FUZZ_SECONDS:-30}" "$target"
done
