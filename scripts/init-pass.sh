#!/usr/bin/env bash
# Leaves an encrypted `pass` store for the user running it, so
# docker-credential-pass (and Boxscope's saved credentials) work: uses the
# user's GPG secret key if there is one, else generates one without a
# passphrase (a desktop app cannot answer a pinentry prompt), then `pass init`.
# Safe to run again: an initialised store is left as it is.
set -euo pipefail
store="${PASSWORD_STORE_DIR:-$HOME/.password-store}"
if [[ -s "$store/.gpg-id" ]]; then
  echo "init-pass: the pass store in $store is already initialised"
  exit 0
fi
first_key() { gpg --batch --with-colons --list-secret-keys 2>/dev/null | awk -F: '/^fpr:/ { print $10; exit }'; }
fpr="$(first_key)"
if [[ -z "$fpr" ]]; then
  user="$(id -un)"
  gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
    --quick-gen-key "Boxscope credentials ($user) <$user@boxscope.invalid>" default default never
  fpr="$(first_key)"
  echo "init-pass: generated GPG key $fpr (no passphrase) for $user"
fi
pass init "$fpr" >/dev/null
echo "init-pass: pass store initialised in $store with key $fpr"
