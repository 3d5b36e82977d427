#!/usr/bin/env bash
# Start-up times of the frozen app (for docs/benchmarks.md):
#
#     packaging/linux/measure_startup.sh [RUNS] [APP]      (default: 5, dist/dischargedesk/dischargedesk)
#
# * window: from starting the process to its main window being mapped on an X server (Xvfb),
#   found with xdotool; the app is then closed (its own pid only);
# * --version and `selftest --no-window` (render both sample handouts) wall time.
# Each run starts a new process. As root the page cache is dropped before every run ("cold",
# as after a reboot; COLD=0 keeps it); otherwise the runs are warm and the output says so. Prints the median
# and the range. Needs xvfb and xdotool (apt-get install xvfb xdotool).
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-5}
APP=${2:-dist/dischargedesk/dischargedesk}
command -v Xvfb >/dev/null && command -v xdotool >/dev/null ||
  { echo "needs: apt-get install xvfb xdotool" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/dischargedesk-startup.XXXXXX")
Xvfb -displayfd 5 -screen 0 1600x1000x24 -nolisten tcp 5>"$WORK/display" >/dev/null 2>&1 &
XVFB=$!
trap 'kill "$XVFB" 2>/dev/null || true; wait "$XVFB" 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do [ -s "$WORK/display" ] && break; sleep 0.1; done  # a free display
DISP=:$(head -1 "$WORK/display")
export HOME=$WORK/home XDG_CONFIG_HOME=$WORK/home/.config XDG_DATA_HOME=$WORK/home/.local/share
mkdir -p "$HOME"
cold="warm (page cache kept: not root, or COLD=0)"
drop() { :; }
if [ "${COLD:-1}" = 1 ] && [ "$(id -u)" = 0 ] && ( sync && echo 3 > /proc/sys/vm/drop_caches ) 2>/dev/null; then
  cold="cold (page cache dropped before each run)"
  drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }
fi
now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {printf "median %d ms (min %d, max %d, n=%d)\n", a[int((NR+1)/2)], a[1], a[NR], NR}'; }

window_ms() {
  drop
  local t0 pid ms=""
  t0=$(now)
  DISPLAY=$DISP QT_QPA_PLATFORM=xcb "$APP" > "$WORK/app.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 3000); do
    if DISPLAY=$DISP xdotool search --onlyvisible --pid "$pid" >/dev/null 2>&1; then
      ms=$(( ($(now) - t0) / 1000000 )); break
    fi
    sleep 0.005
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ -n "$ms" ] || { echo "no window after 15 s: $(cat "$WORK/app.log")" >&2; return 1; }
  echo "$ms"
}

cmd_ms() {
  drop
  local t0
  t0=$(now)
  QT_QPA_PLATFORM=offscreen "$APP" "$@" > /dev/null
  echo $(( ($(now) - t0) / 1000000 ))
}

echo "$APP, $RUNS runs each, $cold"
printf 'window shown:           '; for _ in $(seq "$RUNS"); do window_ms; done | median
printf -- '--version:              '; for _ in $(seq "$RUNS"); do cmd_ms --version; done | median
printf 'selftest --no-window:   '; for _ in $(seq "$RUNS"); do cmd_ms selftest --no-window; done | median
