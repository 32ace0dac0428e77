#!/usr/bin/env bash
# Builds the in-box daemon as static binaries for the engines' two architectures:
#   daemon/bin/boxlite-daemon-linux-amd64, daemon/bin/boxlite-daemon-linux-arm64
# Skips the build when the sources, go.mod/go.sum, the Go version and this
# script are unchanged since the last build. FORCE=1 rebuilds anyway.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/daemon"
out="$src/bin"
arches=(amd64 arm64)

if ! command -v go >/dev/null 2>&1; then
  echo "build-daemon: Go is not installed (need Go >= $(sed -n 's/^go //p' "$src/go.mod")); install it and retry" >&2
  exit 1
fi

stamp_of() {
  {
    go version
    cat "${BASH_SOURCE[0]}"
    cd "$src"
    find . \( -path ./bin -o -path ./testdata \) -prune -o -type f \( -name '*.go' ! -name '*_test.go' -o -name go.mod -o -name go.sum \) -print \
      | LC_ALL=C sort | xargs sha256sum
  } | sha256sum | cut -d' ' -f1
}

stamp="$(stamp_of)"
stamp_file="$out/.build-stamp"
up_to_date=1
for arch in "${arches[@]}"; do
  [[ -x "$out/boxlite-daemon-linux-$arch" ]] || up_to_date=0
done
if [[ "${FORCE:-}" != 1 && $up_to_date == 1 && -f "$stamp_file" && "$(cat "$stamp_file")" == "$stamp" ]]; then
  echo "build-daemon: up to date ($out)"
  exit 0
fi

mkdir -p "$out"
rm -f "$stamp_file"
cd "$src"
for arch in "${arches[@]}"; do
  target="$out/boxlite-daemon-linux-$arch"
  # Build to a temp name and rename, so a box never bind-mounts a half-written file.
  CGO_ENABLED=0 GOOS=linux GOARCH="$arch" GOFLAGS='-mod=readonly -buildvcs=false' \
    go build -trimpath -ldflags '-s -w' -o "$target.tmp" .
  mv -f "$target.tmp" "$target"
  echo "build-daemon: $target ($(stat -c %s "$target") bytes)"
done
echo "$stamp" >"$stamp_file"
