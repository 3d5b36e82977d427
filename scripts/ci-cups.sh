#!/usr/bin/env bash
# CI: install CUPS with the cups-pdf backend, start cupsd and add the queue the print tests
# use ("dischargedesk-test"). Its jobs come out as PDF files in $DISCHARGEDESK_CUPS_OUT
# (default /var/spool/cups-pdf/dischargedesk-test). Stop it with scripts/ci-cups-stop.sh.
# Needs root (apt-get, /etc/cups). Safe to run twice.
set -euo pipefail
QUEUE=dischargedesk-test
OUT=${DISCHARGEDESK_CUPS_OUT:-/var/spool/cups-pdf/dischargedesk-test}

if ! command -v cupsd >/dev/null || ! command -v lp >/dev/null || \
        [ ! -e /usr/lib/cups/backend/cups-pdf ] || ! command -v pdffonts >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq cups cups-client cups-bsd printer-driver-cups-pdf poppler-utils \
        >/dev/null
fi

# Every job of the test queue, whoever sends it, lands in one folder.
mkdir -p "$OUT"
chmod 1777 "$OUT"
conf=/etc/cups/cups-pdf.conf
sed -i -E '/^(Out|AnonDirName|Label|TitlePref) /d' "$conf"
printf 'Out %s\nAnonDirName %s\nLabel 1\n' "$OUT" "$OUT" >>"$conf"

running() { lpstat -r 2>/dev/null | grep -q "is running"; }
if ! running; then
    if command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
        systemctl start cups
    else
        cupsd  # forks into the background; the stop script ends it by its pid file
    fi
fi
for _ in $(seq 1 50); do running && break; sleep 0.1; done
running || { echo "cupsd did not start" >&2; exit 1; }

ppd=$( (lpinfo -m 2>/dev/null || true) | awk '/CUPS-PDF_opt/ {print $1; exit}')
ppd=${ppd:-lsb/usr/cups-pdf/CUPS-PDF_opt.ppd}
lpadmin -p "$QUEUE" -E -v cups-pdf:/ -m "$ppd" -o media-default=Letter \
    -o printer-error-policy=abort-job
cupsenable "$QUEUE"
cupsaccept "$QUEUE"
echo "CUPS queue $QUEUE ready; its PDFs go to $OUT"
