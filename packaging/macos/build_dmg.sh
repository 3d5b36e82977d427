#!/usr/bin/env bash
# Build "Discharge Desk.app" and a disk image on macOS (14 or newer: the Qt 6.12 wheels need macOS 14), in one command:
#
#     packaging/macos/build_dmg.sh
#
# Uses the same spec as Linux and Windows (packaging/dischargedesk.spec), smoke-tests the app's
# own binary, then makes dist/DischargeDesk-<version>.dmg with hdiutil. Users (or an MDM
# script) copy the app to /Applications:
#     hdiutil attach dist/DischargeDesk-0.1.0.dmg -nobrowse -mountpoint /Volumes/DischargeDesk
#     cp -R "/Volumes/DischargeDesk/Discharge Desk.app" /Applications/
#     hdiutil detach /Volumes/DischargeDesk
# Signing: set MACOS_SIGN_IDENTITY ("Developer ID Application: ...") to sign the app with the
# hardened runtime; notarize the .dmg afterwards with `xcrun notarytool submit --wait` and
# `xcrun stapler staple`. Unsigned builds need right-click > Open the first time.
# Environment: PYTHON (default python3, 3.11+), BUILD_VENV (default build/venv).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-python3}
VENV=${BUILD_VENV:-build/venv}
VERSION=$("$PY" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
APP="dist/Discharge Desk.app"
DMG="dist/DischargeDesk-$VERSION.dmg"

[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q --require-hashes -r packaging/requirements-lock.txt
"$VENV/bin/python" -m pip install -q --no-deps --no-build-isolation .
rm -rf "$APP" dist/dischargedesk
"$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/dischargedesk.spec

BIN="$APP/Contents/MacOS/dischargedesk"
test "$("$BIN" --version)" = "Discharge Desk $VERSION"
QT_QPA_PLATFORM=offscreen "$BIN" selftest

if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
  codesign --force --deep --options runtime --timestamp --sign "$MACOS_SIGN_IDENTITY" "$APP"
  codesign --verify --strict --verbose=2 "$APP"
fi

STAGE=build/dmg
rm -rf "$STAGE" "$DMG" && mkdir -p "$STAGE"
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
hdiutil create -volname "Discharge Desk" -srcfolder "$STAGE" -ov -format UDZO "$DMG"
echo "app: $APP ($(du -sh "$APP" | cut -f1)); dmg: $DMG ($(du -h "$DMG" | cut -f1))"
