#!/usr/bin/env bash
# One-time setup on a fresh machine: system packages, the Docker engine, npm
# packages. Run as root (it installs Debian packages and starts dockerd).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/provision.sh
bash scripts/start-engine.sh
npm ci --no-audit --no-fund
