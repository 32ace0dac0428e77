#!/usr/bin/env bash
# Builds a real Jaeger (all-in-one, v2) for the trace-source tests into .cache/jaeger/jaeger:
# the module github.com/jaegertracing/jaeger v1.76.0, program cmd/jaeger, in a throwaway Go module.
# Safe to run again (does nothing when the binary is there). A few minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$PWD/.cache/jaeger"
[ -x "$out/jaeger" ] && { echo "build-jaeger: up to date ($out/jaeger)"; exit 0; }
command -v go >/dev/null || { echo "build-jaeger: Go is missing" >&2; exit 1; }
mkdir -p "$out/module"
cd "$out/module"
[ -f go.mod ] || go mod init boxscope-jaeger-build >/dev/null 2>&1
go get -tool github.com/jaegertracing/jaeger/cmd/jaeger@v1.76.0
go build -o "$out/jaeger" github.com/jaegertracing/jaeger/cmd/jaeger
echo "build-jaeger: built $out/jaeger"
