#!/usr/bin/env bash
# One-time setup on a fresh machine: system packages, the Docker engine, an
# encrypted credential store for the user, npm packages. Run as root (it
# installs Debian packages and starts dockerd); under sudo the credential
# store is set up for the user who ran sudo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/provision.sh
bash scripts/start-engine.sh
if [[ -n "${SUDO_USER:-}" && "$SUDO_USER" != root ]]; then
  sudo -u "$SUDO_USER" -H bash scripts/init-pass.sh
else
  bash scripts/init-pass.sh
fi
npm ci --no-audit --no-fund
