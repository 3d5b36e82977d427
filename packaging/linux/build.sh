#!/usr/bin/env bash
# Build the Linux bundle and the Debian package from a clean checkout, in one command:
#
#     packaging/linux/build.sh
#
# 1. creates a build venv (build/venv, or $BUILD_VENV) and installs the app with its
#    the app (its default dependencies) and PyInstaller (packaging/requirements-build.txt) from PyPI;
# 2. runs PyInstaller on packaging/dischargedesk.spec -> dist/dischargedesk/ (onedir);
# 3. strips debug info, then checks with readelf/ldd that every system library the bundle
#    links belongs to a package named in Depends (packaging/linux/check_deps.py);
# 4. builds dist/dischargedesk_<version>_<arch>.deb with dpkg-deb: the bundle in
#    /opt/dischargedesk, /usr/bin/dischargedesk (symlink), a desktop entry and an icon.
# Then run packaging/linux/smoke_test.sh. Build on the oldest Debian/Ubuntu you support
# (the bundle needs that system's C library or newer); Debian 12 here.
#
# Needs: Python >= 3.11 with venv, dpkg-deb, binutils (readelf, strip), network access to
# PyPI. As root on Debian/Ubuntu, missing tools and the runtime libraries named in Depends
# are installed with apt-get (the dependency check needs them present).
# Environment: PYTHON (default python3), BUILD_VENV (default build/venv),
# DISCHARGEDESK_LOCALES (Babel locales to bundle, default "en es").
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PY=${PYTHON:-python3}
VENV=${BUILD_VENV:-build/venv}
APP=dischargedesk
t0=$(date +%s)
say() { printf '\n== %s\n' "$*"; }

# -- 0. tools and the runtime libraries the dependency check resolves ---------------------------
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "build.sh needs Python 3.11 or newer as \$PYTHON (now: $PY)." >&2; exit 1
fi
VERSION=$("$PY" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
ARCH=$(dpkg --print-architecture)
# every "a | b" group of Depends: installed if any alternative is
depends_groups() {
  sed -n '/^Depends:/,/^[A-Z]/p' packaging/linux/control.in | sed '$d' | sed 's/^Depends://' |
    tr '\n' ' ' | tr ',' '\n' | sed 's/([^)]*)//g; s/^ *//; s/ *$//' | grep -v '^$'
}
need=""
command -v dpkg-deb >/dev/null || need="$need dpkg"
command -v readelf >/dev/null || need="$need binutils"
while IFS= read -r group; do
  ok=""
  for alt in ${group//|/ }; do dpkg -s "$alt" >/dev/null 2>&1 && ok=1 && break; done
  if [ -z "$ok" ]; then
    for alt in ${group//|/ }; do
      if apt-cache show "$alt" >/dev/null 2>&1; then need="$need $alt"; break; fi
    done
  fi
done < <(depends_groups)
if [ -n "$need" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing build tools and runtime libraries:$need"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
  else
    echo "Install these first: sudo apt-get install$need" >&2; exit 1
  fi
fi

# -- 1. build venv ------------------------------------------------------------------------------
say "build venv $VENV"
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install -q --disable-pip-version-check \
  -r packaging/requirements-build.txt .
t1=$(date +%s)

# -- 2. PyInstaller -----------------------------------------------------------------------------
say "PyInstaller -> dist/$APP"
rm -rf "dist/$APP"
"$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/dischargedesk.spec 2>&1 |
  grep -v -E "Library not found: could not resolve '(libgtk|libgdk|libpango|libatk|libcairo)" || true
[ -x "dist/$APP/$APP" ] || { echo "PyInstaller did not produce dist/$APP/$APP" >&2; exit 1; }
t2=$(date +%s)

# -- 3. strip debug info; check Depends against what the bundle links ---------------------------
say "strip debug info, check Depends"
find "dist/$APP" -type f \( -name '*.so' -o -name '*.so.*' \) -print0 |
  xargs -0 -r strip --strip-debug 2>/dev/null || true
"$VENV/bin/python" packaging/linux/check_deps.py "dist/$APP" packaging/linux/control.in

# -- 4. .deb ------------------------------------------------------------------------------------
say "dpkg-deb"
STAGE=build/deb/$APP
rm -rf "$STAGE"
install -d "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
  "$STAGE/usr/share/icons/hicolor/256x256/apps" "$STAGE/usr/share/doc/$APP"
cp -a "dist/$APP" "$STAGE/opt/$APP"
ln -s "../../opt/$APP/$APP" "$STAGE/usr/bin/$APP"   # relative: works in any root
install -m 644 packaging/linux/dischargedesk.desktop "$STAGE/usr/share/applications/"
install -m 644 resources/images/icon.png "$STAGE/usr/share/icons/hicolor/256x256/apps/$APP.png"
install -m 644 packaging/linux/copyright "$STAGE/usr/share/doc/$APP/copyright"
install -m 644 packaging/site.toml.example "$STAGE/usr/share/doc/$APP/site.toml.example"
chmod -R u+rwX,go+rX,go-w "$STAGE"
SIZE_KB=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@INSTALLED_SIZE@/$SIZE_KB/" \
  packaging/linux/control.in > "$STAGE/DEBIAN/control"
DEB="dist/${APP}_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$DEB" >/dev/null
t3=$(date +%s)

say "done"
echo "bundle: dist/$APP  $(du -sh "dist/$APP" | cut -f1)"
echo "deb:    $DEB  $(du -h "$DEB" | cut -f1)"
echo "time:   venv $((t1 - t0)) s, PyInstaller $((t2 - t1)) s, check+deb $((t3 - t2)) s," \
     "total $((t3 - t0)) s"
echo "next:   packaging/linux/smoke_test.sh"
