#!/usr/bin/env bash
# Installs Debian's Chromium for the console's browser tests (playwright-core drives it; it
# downloads no browser of its own). Does nothing when /usr/bin/chromium is already there.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "ensure-chromium: $CHROMIUM is missing and neither root nor passwordless sudo is available;" >&2
  echo "  install it with: apt-get install -y chromium" >&2
  exit 1
fi

echo "ensure-chromium: installing Debian's chromium (apt-get)..." >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium >&2
"$CHROMIUM" --version >&2
