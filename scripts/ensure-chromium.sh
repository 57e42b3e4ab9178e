#!/usr/bin/env bash
# The browser tests (tests/browser) drive Debian's Chromium through Playwright. Installs it
# when missing and we are root; otherwise says how, and the browser tests skip (or fail under
# CROUPIER_REQUIRE_SERVICES=1, as in CI).
set -euo pipefail
if [ -n "${CROUPIER_CHROMIUM:-}" ] || command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium for the browser tests (apt-get)…"
    apt-get install -y --no-install-recommends chromium >/dev/null \
        || { apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium >/dev/null; }
    exit 0
fi
echo "chromium not found: the browser tests need it (as root: apt-get install chromium," \
     "or set CROUPIER_CHROMIUM to a Chromium binary)" >&2
