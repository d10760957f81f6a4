#!/usr/bin/env bash
# Renders the viewer's first complete frame of a fixture trace to a PNG under
# Xvfb (installed from Debian if missing) and checks that the image is not
# trivial: at least 1280x800 and not a single colour.
#
# Usage: viewer/ci-screenshot.sh [GOTRACE_BINARY] [TRACE] [OUT.png]
# Defaults: target/release/gotrace, fixtures/traces/example.trace,
# target/viewer-screenshot.png.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${1:-${CARGO_TARGET_DIR:-target}/release/gotrace}
trace=${2:-fixtures/traces/example.trace}
out=${3:-${CARGO_TARGET_DIR:-target}/viewer-screenshot.png}

if [ ! -x "$bin" ]; then
    echo "ci-screenshot: $bin not found; build it with cargo build --release -p gotrace-tools" >&2
    exit 1
fi
if ! command -v Xvfb >/dev/null 2>&1; then
    echo "ci-screenshot: installing xvfb" >&2
    if [ "$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq xvfb >/dev/null
fi

runtime=$(mktemp -d)
chmod 700 "$runtime"
display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 1600x1000x24 -nolisten tcp >"$runtime/xvfb.log" 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true; rm -rf "$runtime"' EXIT
for _ in $(seq 50); do
    [ -e "/tmp/.X11-unix/X${display#:}" ] && break
    sleep 0.1
done

rm -f "$out"
start=$(date +%s.%N)
DISPLAY=$display XDG_RUNTIME_DIR=$runtime timeout 90 "$bin" view "$trace" --screenshot "$out"
end=$(date +%s.%N)

python3 - "$out" <<'PY'
import struct, sys, zlib
path = sys.argv[1]
data = open(path, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h, depth, ctype = struct.unpack(">IIBB", data[16:26])
assert (w, h) >= (1280, 800) and w >= 1280 and h >= 800, f"image too small: {w}x{h}"
# Decode IDAT to check the picture is not a single colour.
idat = b""
pos = 8
while pos < len(data):
    n, typ = struct.unpack(">I4s", data[pos:pos + 8])
    if typ == b"IDAT":
        idat += data[pos + 8:pos + 8 + n]
    pos += 12 + n
raw = zlib.decompress(idat)
bpp = {2: 3, 6: 4}[ctype]
stride = w * bpp + 1
# Sample pixels (filtered bytes still vary when the image does).
rows = [raw[y * stride + 1:(y + 1) * stride] for y in range(0, h, max(1, h // 50))]
distinct = len({r[i:i + bpp] for r in rows for i in range(0, len(r), bpp * 7)})
assert distinct > 20, f"image looks blank ({distinct} distinct samples)"
print(f"ci-screenshot: {path}: {w}x{h}, {len(data)} bytes, {distinct} distinct samples: ok")
PY
python3 -c "print(f\"ci-screenshot: took {$end - $start:.2f} s\")"
