#!/usr/bin/env bash
# CI: remove the print tests' queue and stop the cupsd that scripts/ci-cups.sh started.
set -uo pipefail
lpadmin -x dischargedesk-test 2>/dev/null || true
if command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
    systemctl stop cups
elif [ -s /run/cups/cupsd.pid ]; then
    kill "$(cat /run/cups/cupsd.pid)" 2>/dev/null || true
fi
