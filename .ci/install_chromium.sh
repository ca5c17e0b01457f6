#!/usr/bin/env bash
# Install Debian's headless Chromium for the conformance HTML report test
# (conformance/html_browser_test.ts), only when `chromium` is not on PATH. Uses apt-get; runs as
# root, or through sudo when available. Safe to run twice.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  echo "chromium already installed: $(command -v chromium)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install_chromium: need root or sudo to apt-get install chromium" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium
chromium --version
