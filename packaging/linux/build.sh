#!/usr/bin/env bash
# Build the Linux bundle and the Debian package from a clean checkout, in one command:
#
#     packaging/linux/build.sh
#
# 1. creates a build venv (build/venv, or $BUILD_VENV) and installs the app with its
#    the app, its dependencies and the build tools, every one pinned with its hash in
#    packaging/requirements-lock.txt (pip --require-hashes), then the app itself without
#    dependencies; writes a CycloneDX SBOM of that venv beside the bundle;
# 2. runs PyInstaller on packaging/dischargedesk.spec -> dist/dischargedesk/ (onedir);
# 3. strips every shared object (--strip-unneeded) and removes build-machine RUNPATHs (only
#    $ORIGIN-relative entries stay; patchelf);
# 4. stages the package: the bundle in /opt/dischargedesk, /usr/bin/dischargedesk (symlink),
#    a desktop entry, an icon, copyright and changelog; computes Depends with dpkg-shlibdeps
#    from what the bundle's ELF files link (never hand-kept), then checks it with
#    readelf/ldd (packaging/linux/check_deps.py: every linked system library is covered, no
#    absolute RUNPATH, nothing unstripped) and builds dist/dischargedesk_<version>_<arch>.deb.
# Then run packaging/linux/smoke_test.sh. Build on the oldest Debian/Ubuntu you support
# (the bundle needs that system's C library or newer); Debian 12 here.
#
# Needs: Python >= 3.11 with venv, dpkg-dev (dpkg-deb, dpkg-shlibdeps), binutils, patchelf,
# network access to PyPI. As root on Debian/Ubuntu, missing tools and the system libraries
# the bundle links (dpkg-shlibdeps must find them) are installed with apt-get, waiting for the
# apt lock when another apt is running.
# Environment: PYTHON (default python3), BUILD_VENV (default build/venv),
# DISCHARGEDESK_LOCALES (Babel locales to bundle, default "en es zh vi ko fil").
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
# Tools, and the system libraries Qt links (dpkg-shlibdeps must find each one to name its
# package; a library missing here stops the build with its name).
BUILD_DEBS="dpkg-dev binutils patchelf libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0
 libfontconfig1 libfreetype6 libdbus-1-3 libglib2.0-0 libxcb-cursor0 libxcb-icccm4
 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0
 libxcb-util1 libx11-xcb1 libwayland-client0 libwayland-cursor0 libwayland-egl1 libcups2
 libgssapi-krb5-2 libbrotli1"
need=""
for p in $BUILD_DEBS; do
  dpkg -s "$p" >/dev/null 2>&1 || dpkg -s "${p}t64" >/dev/null 2>&1 || need="$need $p"
done
if [ -n "$need" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing build tools and libraries:$need"
    # wait up to 10 minutes for another apt/dpkg (unattended upgrades) instead of failing
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
      --no-install-recommends $need >/dev/null
  else
    echo "Install these first: sudo apt-get install$need" >&2; exit 1
  fi
fi

# -- 1. build venv ------------------------------------------------------------------------------
say "build venv $VENV"
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --require-hashes \
  -r packaging/requirements-lock.txt
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation .
t1=$(date +%s)

# -- 2. PyInstaller -----------------------------------------------------------------------------
say "PyInstaller -> dist/$APP"
rm -rf "dist/$APP"
"$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/dischargedesk.spec 2>&1 |
  grep -v -E "Library not found: could not resolve '(libgtk|libgdk|libpango|libatk|libcairo)" || true
[ -x "dist/$APP/$APP" ] || { echo "PyInstaller did not produce dist/$APP/$APP" >&2; exit 1; }
t2=$(date +%s)

# -- 3. strip; drop build-machine RUNPATHs ------------------------------------------------------
# The PyInstaller executable itself is left alone: its archive is appended to the ELF file.
say "strip --strip-unneeded, RUNPATH"
while IFS= read -r -d '' f; do
  head -c 4 "$f" | grep -q 'ELF' || continue
  strip --strip-unneeded "$f"
  rpath=$(patchelf --print-rpath "$f" 2>/dev/null || true)
  [ -n "$rpath" ] || continue
  keep=$(tr ':' '\n' <<<"$rpath" | grep '^\$ORIGIN' | paste -sd: - || true)
  if [ "$keep" != "$rpath" ]; then
    if [ -n "$keep" ]; then patchelf --set-rpath "$keep" "$f"; else patchelf --remove-rpath "$f"; fi
  fi
done < <(find "dist/$APP/_internal" -type f \( -name '*.so' -o -name '*.so.*' \) -print0)

# -- 4. stage, Depends from dpkg-shlibdeps, check, .deb ----------------------------------------
say "stage, dpkg-shlibdeps, check, dpkg-deb"
STAGE=build/deb/$APP
rm -rf "$STAGE"
install -d "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
  "$STAGE/usr/share/icons/hicolor/256x256/apps" "$STAGE/usr/share/doc/$APP" \
  "$STAGE/usr/share/man/man1"
cp -a "dist/$APP" "$STAGE/opt/$APP"
# absolute: Debian policy 10.5 for a link between top-level folders (/usr -> /opt)
ln -s "/opt/$APP/$APP" "$STAGE/usr/bin/$APP"
install -m 644 packaging/linux/dischargedesk.desktop "$STAGE/usr/share/applications/"
install -m 644 resources/images/icon.png "$STAGE/usr/share/icons/hicolor/256x256/apps/$APP.png"
install -m 644 packaging/linux/copyright "$STAGE/usr/share/doc/$APP/copyright"
gzip -9n < packaging/linux/changelog > "$STAGE/usr/share/doc/$APP/changelog.gz"
install -m 644 packaging/site.toml.example "$STAGE/usr/share/doc/$APP/site.toml.example"
gzip -9n < packaging/linux/dischargedesk.1 > "$STAGE/usr/share/man/man1/$APP.1.gz"
chmod -R u+rwX,go+rX,go-w "$STAGE"
# shared objects are loaded, not run (lintian: shared-library-is-executable)
find "$STAGE/opt" -type f \( -name '*.so' -o -name '*.so.*' \) -exec chmod 644 {} +
chmod 644 "$STAGE/usr/share/man/man1/$APP.1.gz" "$STAGE/usr/share/doc/$APP/changelog.gz"
# dpkg-shlibdeps reads debian/control of the "source" in the current folder
SHL=build/deb/shlibdeps
rm -rf "$SHL"; install -d "$SHL/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$APP" "$APP" > "$SHL/debian/control"
mapfile -t ELVES < <(find "$STAGE/opt" -type f -exec sh -c 'head -c 4 "$1" | grep -q ELF' _ {} \; -print)
mapfile -t LIBDIRS < <(printf '%s\n' "${ELVES[@]}" | xargs -n1 dirname | sort -u)
DEPENDS=$(cd "$SHL" && dpkg-shlibdeps -O --ignore-missing-info \
  "${LIBDIRS[@]/#/-l$ROOT/}" "${ELVES[@]/#/-e$ROOT/}" 2>shlibdeps.log |
  sed -n 's/^shlibs:Depends=//p')
[ -n "$DEPENDS" ] || { cat "$SHL/shlibdeps.log" >&2; echo "dpkg-shlibdeps found nothing" >&2; exit 1; }
# Debian 13 / Ubuntu 24.04 renamed these libraries for 64-bit time (t64); accept either name.
for lib in libssl3 libglib2.0-0 libcups2; do
  DEPENDS=$(sed -E "s/(^|, )$lib( \([^)]*\))?(,|$)/\1${lib}t64\2 | $lib\2\3/" <<<"$DEPENDS")
done
SIZE_KB=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@INSTALLED_SIZE@/$SIZE_KB/" \
  -e "s/@DEPENDS@/$DEPENDS/" packaging/linux/control.in > "$STAGE/DEBIAN/control"
echo "Depends: $DEPENDS"
"$VENV/bin/python" packaging/linux/check_deps.py "$STAGE/opt/$APP" "$STAGE/DEBIAN/control"
DEB="dist/${APP}_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$DEB" >/dev/null
t3=$(date +%s)

# -- 5. SBOM: every package inside the bundle's venv, with versions and hashes --------------
SBOM="dist/${APP}_${VERSION}_${ARCH}.sbom.cdx.json"
"$VENV/bin/cyclonedx-py" environment --of JSON --output-reproducible -o "$SBOM" "$VENV/bin/python"

say "done"
echo "bundle: dist/$APP  $(du -sh "dist/$APP" | cut -f1)"
echo "deb:    $DEB  $(du -h "$DEB" | cut -f1)"
echo "sbom:   $SBOM"
echo "time:   venv $((t1 - t0)) s, PyInstaller $((t2 - t1)) s, check+deb $((t3 - t2)) s," \
     "total $((t3 - t0)) s"
echo "next:   packaging/linux/smoke_test.sh"
