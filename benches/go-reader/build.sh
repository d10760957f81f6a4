#!/usr/bin/env bash
# Builds the Go reference trace-reading benchmark:
#
#   benches/go-reader/build.sh OUTBIN
#   OUTBIN [-summary] TRACE     # prints one line of JSON, see main.go
#
# Go's trace parser (internal/trace) cannot be imported from outside GOROOT,
# so this copies it, and every internal package it needs (found with
# `go list`), out of the installed GOROOT of Go $GO_READER_GO_VERSION
# (default 1.27.3, installed on demand, see fixtures/go-toolchain.sh) into a
# temporary module "gotracebench", rewrites the import paths
# (internal/trace/... -> gotracebench/trace/..., any other internal/X ->
# gotracebench/internal/X) and builds main.go against it. Nothing from Go's
# source tree is committed.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 OUTBIN" >&2
	exit 2
fi
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../../fixtures/go-toolchain.sh
. "$HERE/../../fixtures/go-toolchain.sh"

mkdir -p "$(dirname "$1")"
OUT="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
GO="$(gotrace_go "${GO_READER_GO_VERSION:-1.27.3}")"
GOROOT_DIR="$("$GO" env GOROOT)"
LANG_VERSION="$("$GO" env GOVERSION | sed -E 's/^go([0-9]+\.[0-9]+).*/\1/')"
WORK="$(mktemp -d /tmp/gotrace-go-reader.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
MOD="$WORK/mod"
mkdir -p "$MOD"
printf 'module gotracebench\n\ngo %s\n' "$LANG_VERSION" >"$MOD/go.mod"

# golist FORMAT PKG: go list inside GOROOT/src (the std module).
golist() { (cd "$GOROOT_DIR/src" && GOFLAGS= "$GO" list -f "$1" "$2"); }

# newpath PKG: import path of the copy of std package PKG.
newpath() {
	case "$1" in
	internal/trace | internal/trace/*) echo "gotracebench/trace${1#internal/trace}" ;;
	*) echo "gotracebench/$1" ;;
	esac
}

# Collect internal/trace and, transitively, every internal package it imports
# (public std packages are used as they are).
declare -A seen=([internal/trace]=1)
queue=(internal/trace)
pkgs=()
while [ ${#queue[@]} -gt 0 ]; do
	p="${queue[0]}"
	queue=("${queue[@]:1}")
	pkgs+=("$p")
	for imp in $(golist '{{join .Imports " "}}' "$p"); do
		case "/$imp/" in
		*/internal/* | /vendor/*)
			if [ -z "${seen[$imp]:-}" ]; then
				seen[$imp]=1
				queue+=("$imp")
			fi
			;;
		esac
	done
done

: >"$WORK/mapping.txt"
for p in "${pkgs[@]}"; do
	case "$p" in
	vendor/*)
		echo "build.sh: $p is vendored in GOROOT; not supported" >&2
		exit 1
		;;
	esac
	np="$(newpath "$p")"
	dest="$MOD/${np#gotracebench/}"
	mkdir -p "$dest"
	dir="$(golist '{{.Dir}}' "$p")"
	extra="$(golist '{{join .SFiles " "}}{{join .CgoFiles " "}}{{join .EmbedFiles " "}}' "$p")"
	if [ -n "$extra" ]; then
		echo "build.sh: $p has non-Go or embedded files ($extra); not supported" >&2
		exit 1
	fi
	for file in $(golist '{{join .GoFiles " "}}' "$p"); do
		cp "$dir/$file" "$dest/$file"
	done
	echo "$p $np" >>"$WORK/mapping.txt"
	echo "build.sh: $p -> $np" >&2
done

# Rewrite import paths by byte offsets of the parsed import specs (so that
# nothing but the import paths changes).
mkdir -p "$WORK/rewrite"
printf 'module rewrite\n\ngo %s\n' "$LANG_VERSION" >"$WORK/rewrite/go.mod"
cat >"$WORK/rewrite/main.go" <<'EOF'
package main

import (
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
)

func main() {
	data, err := os.ReadFile(os.Args[1])
	check(err)
	mapping := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.Fields(line)
		mapping[f[0]] = f[1]
	}
	for _, name := range os.Args[2:] {
		src, err := os.ReadFile(name)
		check(err)
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, name, src, parser.ImportsOnly)
		check(err)
		out := src
		// Edit from the last import backwards so earlier offsets stay valid.
		for i := len(f.Imports) - 1; i >= 0; i-- {
			imp := f.Imports[i]
			path, err := strconv.Unquote(imp.Path.Value)
			check(err)
			np, ok := mapping[path]
			if !ok {
				if path == "internal" || strings.HasPrefix(path, "internal/") || strings.Contains(path, "/internal/") {
					check(fmt.Errorf("%s: unmapped import %q", name, path))
				}
				continue
			}
			start, end := fset.Position(imp.Path.Pos()).Offset, fset.Position(imp.Path.End()).Offset
			out = append(append(append([]byte{}, out[:start]...), strconv.Quote(np)...), out[end:]...)
		}
		check(os.WriteFile(name, out, 0o644))
	}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "rewrite:", err)
		os.Exit(1)
	}
}
EOF
(cd "$WORK/rewrite" && "$GO" build -o "$WORK/rewrite-bin" .)
cp "$HERE/main.go" "$MOD/main.go"
find "$MOD" -name '*.go' -print0 | xargs -0 "$WORK/rewrite-bin" "$WORK/mapping.txt"

(cd "$MOD" && "$GO" vet ./... && "$GO" build -trimpath -o "$OUT" .)
echo "build.sh: built $OUT with $("$GO" env GOVERSION)" >&2
