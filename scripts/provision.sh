#!/usr/bin/env bash
# Installs the Debian packages the app and its tests use: the Docker engine,
# the distribution registry with htpasswd and TLS tools, busybox for test
# images, Chromium for the browser tests, and a real credential store.
set -euo pipefail
pkgs=(docker.io docker-registry apache2-utils openssl busybox-static chromium
      golang-docker-credential-helpers pass gnupg ca-certificates curl socat openssh-server)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "provision: run as root to install: ${missing[*]}" >&2; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  echo "provision: installed ${missing[*]}"
else
  echo "provision: all packages were already installed"
fi
command -v go >/dev/null || { echo "provision: Go is needed to build the in-box daemon (go.dev/dl)" >&2; exit 1; }
