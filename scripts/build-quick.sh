#!/usr/bin/env bash
# Builds the quick launcher (quick/, Go, no modules to download) for this machine:
#   dist/boxscope-quick — bin/boxscope starts `boxscope launch` through it (docs/CLI-SPEED.md).
# Without Go it says so in one line and exits 3: bin/boxscope then runs every command in Node.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if ! command -v go >/dev/null 2>&1; then
  # npm ci's prepare has said so once already (build-daemon.sh's line), so it asks for quiet here.
  [[ -n "${BOXSCOPE_GO_MISSING_SAID:-}" ]] ||
    echo "build-quick: Go is not installed: boxscope launch runs in Node (no quick path through a running boxscope serve)" >&2
  exit 3
fi
mkdir -p "$root/dist"
target="$root/dist/boxscope-quick"
cd "$root/quick"
# Go's build cache makes an unchanged build a no-op; temp name + rename so a running call never sees half a file.
CGO_ENABLED=0 GOFLAGS='-mod=readonly -buildvcs=false' go build -trimpath -ldflags '-s -w' -o "$target.tmp" .
mv -f "$target.tmp" "$target"
