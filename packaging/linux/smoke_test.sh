#!/usr/bin/env bash
# Smoke test of what packaging/linux/build.sh made. Run it right after the build:
#
#     packaging/linux/smoke_test.sh
#
# A. the frozen bundle dist/dischargedesk/: --version, selftest (headless, window included),
#    render of a handout checked by its text (pdftotext), templates check;
# B. the .deb unpacked with dpkg-deb -x into an empty folder, the command run through the
#    installed /usr/bin/dischargedesk link (proves the file layout; system libraries come from
#    this machine);
# C. the .deb installed with apt into a clean minimal Debian root made by debootstrap (no
#    container; chroot as root), so that only the packages named in Depends are there. Proves
#    that Depends is complete: --version, selftest, render and apt remove inside that root.
#    Needs root, debootstrap and access to a Debian mirror; skipped otherwise (say why), or
#    on purpose with SMOKE_CLEAN_ROOT=0. The minimal root is cached in build/smoke/.
#
# Needs poppler-utils (pdftotext); as root, it and debootstrap are installed with apt-get when
# missing. Environment: SMOKE_MIRROR (Debian mirror URL),
# SMOKE_SUITE (default: this system's codename). Exit 0 only if every step passed.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
APP=dischargedesk
VERSION=$(python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
ARCH=$(dpkg --print-architecture)
BUNDLE=dist/$APP
DEB=dist/${APP}_${VERSION}_${ARCH}.deb
WORK=$(mktemp -d "${TMPDIR:-/tmp}/dischargedesk-smoke.XXXXXX")
CHROOT=""
cleanup() {
  if [ -n "$CHROOT" ]; then
    umount "$CHROOT/proc" 2>/dev/null || true
    rm -rf "$CHROOT"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
export QT_QPA_PLATFORM=offscreen
export HOME=$WORK/home XDG_CONFIG_HOME=$WORK/home/.config XDG_DATA_HOME=$WORK/home/.local/share
mkdir -p "$HOME"
TODAY=$(date +%F)
pass=0
step() { printf '%-66s' "$1"; }
ok() { echo "ok${1:+ ($1)}"; pass=$((pass + 1)); }
fail() { echo "FAILED"; echo "  $*" >&2; exit 1; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

want=""
command -v pdftotext >/dev/null || want="$want poppler-utils"
command -v lintian >/dev/null || want="$want lintian"
[ "${SMOKE_CLEAN_ROOT:-1}" = 1 ] && ! command -v debootstrap >/dev/null && want="$want debootstrap"
if [ -n "$want" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $want >/dev/null 2>&1 || true
fi
command -v pdftotext >/dev/null || { echo "smoke_test.sh needs pdftotext (apt-get install poppler-utils)" >&2; exit 1; }
[ -x "$BUNDLE/$APP" ] && [ -f "$DEB" ] || { echo "Build first: packaging/linux/build.sh" >&2; exit 1; }

# render_check CMD... : writes a handout for a fictional patient, checks the PDF text
render_check() {
  local out=$1; shift
  "$@" render --procedure kyphoplasty --levels T12,L1 --patient-name "Smoke Test Patient" \
    --date-of-birth 1950-06-15 --procedure-date "$TODAY" --handouts discharge --out "$out" > "$out.list" 2>&1 ||
    { cat "$out.list" >&2; return 1; }
  local pdf
  pdf=$(grep '\.pdf$' "$out.list" | head -1)
  [ -f "$pdf" ] || { echo "no PDF written" >&2; return 1; }
  pdftotext -layout "$pdf" "$out.txt"
  for want in "Smoke Test Patient" "Discharge instructions" "T12 and L1" "Riverbend Spine Center"; do
    grep -q "$want" "$out.txt" || { echo "PDF text lacks '$want'" >&2; return 1; }
  done
}

echo "== A. frozen bundle $BUNDLE"
step "--version prints the version"
out=$("$BUNDLE/$APP" --version) && [ "$out" = "Discharge Desk $VERSION" ] && ok "$out" || fail "got: $out"
step "selftest (render + main window, offscreen)"
t=$(date +%s%N)
"$BUNDLE/$APP" selftest > "$WORK/selftest.txt" 2>&1 && grep -q "window ok" "$WORK/selftest.txt" &&
  grep -q "selftest ok" "$WORK/selftest.txt" && ok "$(ms_since "$t") ms" || fail "$(cat "$WORK/selftest.txt")"
step "render a handout; its text names patient, levels, clinic"
t=$(date +%s%N)
render_check "$WORK/out-bundle" "$BUNDLE/$APP" && ok "$(ms_since "$t") ms" || fail "render failed"
step "templates check of the sample clinic (no PDF step)"
"$BUNDLE/$APP" templates check --no-pdf > "$WORK/check.txt" 2>&1 &&
  ok "$(tail -1 "$WORK/check.txt")" || fail "$(tail -5 "$WORK/check.txt")"

echo "== B. $DEB unpacked with dpkg-deb -x"
step "package metadata: name, version, Depends"
info=$(dpkg-deb --field "$DEB" Package Version Depends)
grep -q "^Package: $APP" <<<"$info" && grep -q "^Version: $VERSION" <<<"$info" &&
  grep -q "libxkbcommon0" <<<"$info" && ok || fail "$info"
X=$WORK/unpacked
dpkg-deb -x "$DEB" "$X"
step "layout: /opt, /usr/bin link, desktop file, icon, man page"
[ -x "$X/opt/$APP/$APP" ] && [ -L "$X/usr/bin/$APP" ] &&
  [ "$(readlink "$X/usr/bin/$APP")" = "/opt/$APP/$APP" ] &&
  [ -f "$X/usr/share/man/man1/$APP.1.gz" ] &&
  [ -f "$X/usr/share/applications/$APP.desktop" ] &&
  [ -f "$X/usr/share/icons/hicolor/256x256/apps/$APP.png" ] && ok || fail "files missing"
step "unpacked command renders a handout"
render_check "$WORK/out-unpacked" "$X/opt/$APP/$APP" && ok || fail "render failed"
# lintian: no error except the ones a self-contained vendor bundle in /opt must carry:
#   dir-or-file-in-opt             the whole app lives in /opt/dischargedesk by design
#   embedded-library               Qt, Pillow and Python ship their own copies of zlib,
#                                  freetype, libjpeg, expat ... inside the frozen bundle
#   library-not-linked-against-libc  CPython's _statistics extension needs only libm
step "lintian: no errors but the vendor-bundle ones"
if command -v lintian >/dev/null; then
  lintian --tag-display-limit 0 "$DEB" > "$WORK/lintian.txt" 2>/dev/null || true
  errors=$(grep '^E: ' "$WORK/lintian.txt" | grep -v -E ': (dir-or-file-in-opt|embedded-library|library-not-linked-against-libc) ' || true)
  [ -z "$errors" ] && ok "$(grep -c '^W: ' "$WORK/lintian.txt" || true) warnings" || fail "$errors"
else
  fail "lintian is not installed (apt-get install lintian)"
fi

echo "== C. apt install into a clean minimal Debian root"
why=""
[ "${SMOKE_CLEAN_ROOT:-1}" = 0 ] && why="SMOKE_CLEAN_ROOT=0"
[ -z "$why" ] && [ "$(id -u)" != 0 ] && why="needs root (debootstrap, chroot)"
[ -z "$why" ] && ! command -v debootstrap >/dev/null && why="debootstrap not installed (apt-get install debootstrap)"
if [ -n "$why" ]; then
  echo "skipped: $why"
else
  SUITE=${SMOKE_SUITE:-$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")}
  MIRROR=${SMOKE_MIRROR:-http://deb.debian.org/debian}
  CACHE=build/smoke/$SUITE-minbase.tar
  mkdir -p build/smoke
  if [ ! -f "$CACHE" ]; then
    step "debootstrap --variant=minbase $SUITE (once; cached)"
    t=$(date +%s%N)
    debootstrap --variant=minbase "$SUITE" "$WORK/base" "$MIRROR" > "$WORK/debootstrap.log" 2>&1 ||
      fail "debootstrap failed: $(tail -3 "$WORK/debootstrap.log")"
    tar -C "$WORK/base" -cf "$CACHE" . && rm -rf "$WORK/base" && ok "$(ms_since "$t") ms"
  fi
  CHROOT=$WORK/root
  mkdir -p "$CHROOT" && tar -C "$CHROOT" -xf "$CACHE"
  mount -t proc proc "$CHROOT/proc"
  cp /etc/resolv.conf "$CHROOT/etc/resolv.conf" 2>/dev/null || true
  cp "$DEB" "$CHROOT/tmp/$APP.deb" && chmod 644 "$CHROOT/tmp/$APP.deb"
  in_root() { chroot "$CHROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen DEBIAN_FRONTEND=noninteractive "$@"; }
  step "apt-get install ./$APP.deb (pulls only Depends)"
  t=$(date +%s%N)
  { in_root apt-get update -qq && in_root apt-get install -y -qq --no-install-recommends "/tmp/$APP.deb"; } \
    > "$WORK/apt.log" 2>&1 || fail "$(tail -5 "$WORK/apt.log")"
  ok "$(in_root dpkg-query -W -f='${db:Status-Abbrev}\n' | grep -c '^ii') packages in root, $(ms_since "$t") ms"
  step "dischargedesk --version (installed)"
  out=$(in_root dischargedesk --version) && [ "$out" = "Discharge Desk $VERSION" ] && ok || fail "got: $out"
  step "dischargedesk selftest (installed, window offscreen)"
  in_root dischargedesk selftest > "$WORK/selftest-root.txt" 2>&1 &&
    grep -q "window ok" "$WORK/selftest-root.txt" && ok || fail "$(cat "$WORK/selftest-root.txt")"
  step "installed dischargedesk renders a handout"
  mkdir -p "$CHROOT/tmp/out"
  in_root dischargedesk render --procedure kyphoplasty --levels T12,L1 \
    --patient-name "Smoke Test Patient" --date-of-birth 1950-06-15 --procedure-date "$TODAY" \
    --handouts discharge \
    --out /tmp/out > "$WORK/render-root.txt" 2>&1 || fail "$(cat "$WORK/render-root.txt")"
  pdf=$(ls "$CHROOT"/tmp/out/*.pdf | head -1)
  pdftotext -layout "$pdf" "$WORK/root.txt"
  grep -q "Smoke Test Patient" "$WORK/root.txt" && grep -q "T12 and L1" "$WORK/root.txt" &&
    ok "$(basename "$pdf")" || fail "PDF text wrong"
  step "no library unresolved inside the root (ldd)"
  missing=$(in_root sh -c 'export LD_LIBRARY_PATH=/opt/dischargedesk/_internal; find /opt/dischargedesk -name "*.so*" -type f -exec ldd {} + 2>/dev/null | grep "not found" | sort -u' || true)
  [ -z "$missing" ] && ok || fail "$missing"
  step "apt-get remove: /opt/$APP and the command are gone"
  in_root apt-get remove -y -qq "$APP" > "$WORK/remove.log" 2>&1 &&
    [ ! -e "$CHROOT/opt/$APP/$APP" ] && [ ! -e "$CHROOT/usr/bin/$APP" ] && ok ||
    fail "$(tail -3 "$WORK/remove.log")"
fi

echo "smoke test: $pass passed, 0 failed"
