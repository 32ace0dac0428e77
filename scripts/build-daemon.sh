#!/usr/bin/env bash
# Builds the in-box daemon as static binaries for the engines' two architectures:
#   daemon/bin/boxlite-daemon-linux-amd64, daemon/bin/boxlite-daemon-linux-arm64
# BOXSCOPE_DAEMON_ARCHES="amd64" builds only those (npm ci and npm start build
# the host's only: the other one costs a minute for an engine this machine lacks).
# Skips an architecture when the sources, go.mod/go.sum, the Go version and
# this script are unchanged since its last build. FORCE=1 rebuilds anyway.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/daemon"
out="$src/bin"
read -r -a arches <<<"${BOXSCOPE_DAEMON_ARCHES:-amd64 arm64}"
for arch in "${arches[@]}"; do
  case "$arch" in amd64 | arm64) ;; *) echo "build-daemon: unknown architecture '$arch' (amd64, arm64)" >&2; exit 1 ;; esac
done

if ! command -v go >/dev/null 2>&1; then
  echo "build-daemon: Go is not installed (need Go >= $(sed -n 's/^go //p' "$src/go.mod")): boxes launch without the in-box daemon (no sandbox.boot span), and boxscope launch without the quick launcher, until you install it and run npm run build:daemon" >&2
  exit 3 # scripts/build-host.mjs tells "Go missing" from a failed build by this code
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
mkdir -p "$out"
cd "$src"
for arch in "${arches[@]}"; do
  target="$out/boxlite-daemon-linux-$arch"
  # One stamp per architecture, so building one never marks the other current.
  stamp_file="$out/.build-stamp-$arch"
  if [[ "${FORCE:-}" != 1 && -x "$target" && -f "$stamp_file" && "$(cat "$stamp_file")" == "$stamp" ]]; then
    echo "build-daemon: up to date ($target)"
    continue
  fi
  rm -f "$stamp_file"
  echo "build-daemon: building linux/$arch (the first build downloads Go modules)"
  # Build to a temp name and rename, so a box never bind-mounts a half-written file.
  CGO_ENABLED=0 GOOS=linux GOARCH="$arch" GOFLAGS='-mod=readonly -buildvcs=false' \
    go build -trimpath -ldflags '-s -w' -o "$target.tmp" .
  mv -f "$target.tmp" "$target"
  echo "$stamp" >"$stamp_file"
  echo "build-daemon: $target ($(stat -c %s "$target") bytes)"
done
rm -f "$out/.build-stamp"
