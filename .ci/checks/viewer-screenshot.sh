#!/usr/bin/env bash
# The viewer opens a real window under Xvfb (installed from Debian if
# missing), renders a fixture and writes a PNG that must be at least
# 1280x800 and not blank.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash viewer/ci-screenshot.sh "$PWD/target/release/gotrace" fixtures/traces/annotations-go1.27.trace /tmp/gotrace-ci-screenshot.png
