#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the browser tests (test/**/*.browser.test.ts).
# Test tools that download their own browser cannot work on these machines, so the tests drive
# /usr/bin/chromium through playwright-core. Safe to run repeatedly; needs root (or sudo) only
# when Chromium is missing.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [[ ! -x "$CHROMIUM" ]]; then
  echo "ensure-chromium: $CHROMIUM missing, installing Debian's chromium package" >&2
  SUDO=()
  if [[ "$(id -u)" -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
      SUDO=(sudo)
    else
      echo "ensure-chromium: not root and no sudo; install chromium by hand" >&2
      exit 1
    fi
  fi
  ${SUDO[@]+"${SUDO[@]}"} apt-get update
  ${SUDO[@]+"${SUDO[@]}"} env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends chromium
fi

"$CHROMIUM" --version
