"""Static checks of the installer files (fast; the real build is packaging/linux/build.sh and
packaging/linux/smoke_test.sh, see docs/admin.md)."""

from __future__ import annotations

import ast
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
SPEC = PACKAGING / "dischargedesk.spec"
CONTROL = PACKAGING / "linux" / "control.in"
SCRIPTS = [PACKAGING / "linux" / "build.sh", PACKAGING / "linux" / "smoke_test.sh",
           PACKAGING / "linux" / "measure_startup.sh", PACKAGING / "macos" / "build_dmg.sh"]


def spec_constant(name: str):
    """A literal assigned at the top level of the spec (without running PyInstaller)."""
    for node in ast.parse(SPEC.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} is not a literal in the spec")


def spec_default_locales() -> list[str]:
    m = re.search(r'DISCHARGEDESK_LOCALES", "([^"]*)"', SPEC.read_text(encoding="utf-8"))
    assert m, "LOCALES default not found"
    return m.group(1).split()


def test_spec_is_valid_python():
    ast.parse(SPEC.read_text(encoding="utf-8"))


def test_spec_lists_every_bundled_file_into_data():
    data = spec_constant("DATA_FILES")
    sources = {src for src, _ in data}
    for src, dest in data:
        assert (ROOT / src).exists(), src
        # same relative layout under dischargedesk/_data as in the checkout (resources.py)
        expected = src if (ROOT / src).is_dir() else str(Path(src).parent)
        assert dest == expected.replace(os.sep, "/")
    assert "templates" in sources
    for entry in (ROOT / "resources").iterdir():
        assert f"resources/{entry.name}" in sources, f"{entry} is not in the spec's DATA_FILES"
    assert "resources/sample-clinic" in sources and "resources/fonts" in sources
    assert 'f"dischargedesk/_data/{dest}"' in SPEC.read_text(encoding="utf-8")


def test_spec_entry_is_the_console_script():
    text = SPEC.read_text(encoding="utf-8")
    assert '"packaging" / "entry.py"' in text
    entry = (PACKAGING / "entry.py").read_text(encoding="utf-8")
    assert "from dischargedesk.cli import main" in entry and "sys.exit(main())" in entry
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dischargedesk = "dischargedesk.cli:main"' in pyproject


def test_spec_excludes_unneeded_qt_modules():
    excludes = spec_constant("EXCLUDES")
    for module in ("PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.Qt3DCore",
                   "PySide6.QtQuick", "PySide6.QtQml", "PySide6.QtMultimedia"):
        assert module in excludes
    used = set()
    for path in (ROOT / "src" / "dischargedesk").rglob("*.py"):
        used.update(re.findall(r"PySide6\.(Qt\w+)", path.read_text(encoding="utf-8")))
    assert used, "the UI imports no Qt module?"
    excluded = {m.split(".", 1)[1] for m in excludes if m.startswith("PySide6.")}
    assert not used & excluded, f"the app imports excluded Qt modules: {used & excluded}"


def test_spec_bundles_babel_data_for_every_shipped_language():
    locales = spec_default_locales()
    assert {"en", "es"} <= set(locales)
    from babel import Locale

    from dischargedesk.textio import loads_toml

    # the Babel data a pack needs: its code's and its locale's language (Tagalog "tl" is
    # formatted with Filipino, "fil")
    missing = set()
    for path in (ROOT / "templates").glob("*/pack.toml"):
        language = loads_toml(path.read_text(encoding="utf-8"))["language"]
        for tag in filter(None, (language["code"], language.get("locale", ""))):
            if Locale.parse(tag.replace("-", "_")).language not in locales:
                missing.add(tag)
    assert not missing, f"add {missing} to LOCALES in the spec (Babel data for the bundle)"


def test_spec_windowed_on_windows_and_macos():
    text = SPEC.read_text(encoding="utf-8")
    assert '_exe("DischargeDesk", console=False)' in text
    assert 'console=not IS_MAC' in text and "BUNDLE(" in text


def control_fields() -> dict[str, str]:
    fields: dict[str, str] = {}
    last = ""
    for line in CONTROL.read_text(encoding="utf-8").splitlines():
        if line.startswith((" ", "\t")):
            fields[last] += "\n" + line
        else:
            last, _, value = line.partition(":")
            fields[last] = value.strip()
    return fields


def test_deb_control_template():
    fields = control_fields()
    for key in ("Package", "Version", "Architecture", "Maintainer", "Installed-Size",
                "Depends", "Description"):
        assert key in fields
    assert fields["Version"] == "@VERSION@" and fields["Architecture"] == "@ARCH@"
    # Depends is computed at build time from what the bundle links, never kept by hand
    assert fields["Depends"] == "@DEPENDS@"
    build = (PACKAGING / "linux" / "build.sh").read_text(encoding="utf-8")
    assert "dpkg-shlibdeps" in build and "@DEPENDS@" in build
    assert "strip --strip-unneeded" in build and "patchelf" in build
    assert "DPkg::Lock::Timeout" in build


def test_check_deps_reads_depends_with_alternatives_and_versions(tmp_path: Path):
    sys.path.insert(0, str(PACKAGING / "linux"))
    try:
        import check_deps
    finally:
        sys.path.pop(0)
    control = tmp_path / "control"
    control.write_text("Package: dischargedesk\nDepends: libc6 (>= 2.35), libglib2.0-0t64 "
                       "(>= 2.26.0) | libglib2.0-0 (>= 2.26.0),\n libxkbcommon0 (>= 0.5.0)\n"
                       "Description: x\n", encoding="utf-8")
    names = check_deps.depends(control)
    assert names == {"libc6", "libglib2.0-0t64", "libglib2.0-0", "libxkbcommon0"}


def test_changelog_is_a_debian_changelog():
    text = (PACKAGING / "linux" / "changelog").read_text(encoding="utf-8")
    version = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M)
    assert version
    assert re.match(rf"dischargedesk \({re.escape(version.group(1))}\) \w+; urgency=\w+\n",
                    text)
    assert re.search(r"^ -- .+ <.+>  \w{3}, \d{2} \w{3} \d{4} [\d:]{8} [+-]\d{4}$", text, re.M)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_scripts_are_executable_strict_bash(script: Path):
    assert os.access(script, os.X_OK), f"chmod +x {script}"
    text = script.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    if shutil.which("bash"):
        subprocess.run(["bash", "-n", str(script)], check=True)


def test_build_script_uses_the_spec_and_version_from_pyproject():
    text = (PACKAGING / "linux" / "build.sh").read_text(encoding="utf-8")
    assert "packaging/dischargedesk.spec" in text and "pyproject.toml" in text
    assert "dpkg-deb" in text and "check_deps.py" in text
    assert "/opt/$APP" in text and 'ln -s "/opt/$APP/$APP"' in text


def test_desktop_entry():
    text = (PACKAGING / "linux" / "dischargedesk.desktop").read_text(encoding="utf-8")
    lines = dict(line.split("=", 1) for line in text.splitlines()[1:] if "=" in line)
    assert text.startswith("[Desktop Entry]\n")
    assert lines["Type"] == "Application" and lines["Exec"] == "dischargedesk"
    assert lines["Icon"] == "dischargedesk" and lines["Categories"].endswith(";")
    if shutil.which("desktop-file-validate"):  # installed by .ci/run
        result = subprocess.run(["desktop-file-validate",
                                 str(PACKAGING / "linux" / "dischargedesk.desktop")],
                                capture_output=True, text=True)
        assert result.returncode == 0 and not result.stdout.strip(), result.stdout


def test_icon_is_a_256_px_png():
    data = (ROOT / "resources" / "images" / "icon.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (256, 256)


def test_inno_setup_script():
    text = (PACKAGING / "windows" / "dischargedesk.iss").read_text(encoding="utf-8")
    assert re.search(r"^AppId=\{\{[0-9A-F-]{36}\}$", text, re.M)
    assert "PrivilegesRequired=admin" in text and "{autopf}" in text
    assert '{autoprograms}\\{#AppName}"; Filename: "{app}\\DischargeDesk.exe"' in text
    assert "/VERYSILENT /SUPPRESSMSGBOXES /NORESTART" in text
    assert '#define Bundle "..\\..\\dist\\dischargedesk"' in text


def test_workflow_builds_all_three():
    text = (ROOT / ".github" / "workflows" / "installers.yml").read_text(encoding="utf-8")
    for needle in ("packaging/linux/build.sh", "packaging/linux/smoke_test.sh",
                   "dischargedesk.iss", "packaging/macos/build_dmg.sh", "/VERYSILENT"):
        assert needle in text


def test_site_example_documents_every_key(tmp_path: Path):
    from dischargedesk.siteconfig import KEYS, load_config

    lines = (PACKAGING / "site.toml.example").read_text(encoding="utf-8").splitlines()
    enabled = [re.sub(r"^# ", "", line) for line in lines
               if re.match(r"^# [a-z_]+ = ", line) and "'\\\\" not in line]
    site = tmp_path / "site.toml"
    site.write_text("\n".join(enabled) + "\n", encoding="utf-8")
    config = load_config(site_file=site, user_file=tmp_path / "none.toml")
    assert config.messages == ()
    assert {k.name for k in KEYS} <= {line.split(" =")[0] for line in enabled}


def test_admin_doc_lists_every_key():
    from dischargedesk.siteconfig import KEYS

    text = (ROOT / "docs" / "admin.md").read_text(encoding="utf-8")
    for key in KEYS:
        assert f"| `{key.name}` |" in text, key.name
    for needle in ("/VERYSILENT /SUPPRESSMSGBOXES /NORESTART", "unins000.exe",
                   "apt install ./dischargedesk_", "apt remove dischargedesk",
                   "dischargedesk selftest", "templates check --clinic"):
        assert needle in text, needle


def test_build_lock_pins_every_dependency_with_hashes():
    """packaging/requirements-lock.txt must cover pyproject's dependencies (regenerate it with
    the command in packaging/requirements-build.in when they change)."""
    import tomllib

    from packaging.requirements import Requirement

    lock = (PACKAGING / "requirements-lock.txt").read_text(encoding="utf-8")
    pinned = {m.group(1).lower().replace("_", "-").replace(".", "-"): m.group(2)
              for m in re.finditer(r"^([A-Za-z0-9._-]+)==(\S+)", lock, re.M)}
    blocks = re.split(r"\n(?=[A-Za-z0-9])", lock.split("\n", 1)[1])
    for block in blocks:
        if re.match(r"[A-Za-z0-9._-]+==", block):
            assert "--hash=sha256:" in block, block.splitlines()[0]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for spec in project["dependencies"]:
        req = Requirement(spec)
        name = req.name.lower().replace("_", "-").replace(".", "-")
        assert name in pinned, f"{name} missing from the lock"
        assert req.specifier.contains(pinned[name], prereleases=True), (name, pinned[name])
    for tool in ("pyinstaller", "cyclonedx-bom", "hatchling"):
        assert tool in pinned


def test_installers_are_versioned_and_upgrade_cleanly():
    spec = (PACKAGING / "dischargedesk.spec").read_text(encoding="utf-8")
    assert "version=_windows_version_info(name) if IS_WIN else None" in spec
    assert '"LSMinimumSystemVersion": "14.0"' in spec
    iss = (PACKAGING / "windows" / "dischargedesk.iss").read_text(encoding="utf-8")
    install_delete = iss.split("[InstallDelete]", 1)[1].split("\n[", 1)[0]
    assert 'Name: "{app}\\_internal"' in install_delete
    assert "{commonappdata}\\DischargeDesk" in iss and "admins-full" in iss
    assert "users-modify" not in iss and "users-full" not in iss


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _runtime_distributions() -> set[str]:
    """The [project] dependencies and everything they install here (markers evaluated,
    extras followed): what a plain `pip install dischargedesk` puts beside the package."""
    import importlib.metadata as md
    import tomllib

    from packaging.requirements import Requirement

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    todo = [(Requirement(r), "") for r in declared["project"]["dependencies"]]
    found: set[str] = set()
    while todo:
        req, extra = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": extra}):
            continue
        name = _normal(req.name)
        key = f"{name}[{','.join(sorted(req.extras))}]"
        if key in found:
            continue
        found |= {key, name}
        try:
            requires = md.requires(req.name) or []
        except md.PackageNotFoundError:
            continue
        for r in requires:
            todo += [(Requirement(r), e) for e in ("", *req.extras)]
    return {f for f in found if "[" not in f}


def _imported_top_modules(folder: Path) -> dict[str, set[str]]:
    """Top-level modules imported anywhere under ``folder`` (lazy imports too), outside the
    standard library and the package itself -> the files importing them."""
    out: dict[str, set[str]] = {}
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "dischargedesk":
                    out.setdefault(top, set()).add(path.relative_to(ROOT).as_posix())
    return out


def test_src_imports_only_declared_runtime_dependencies():
    """Everything src/ imports is installed by the [project] dependencies (a test-only
    package such as pypdf is not: `templates check` with PDFs failed on a plain install and
    in the bundle, whose spec excludes the test tools)."""
    import importlib.metadata as md

    runtime = _runtime_distributions()
    owners = md.packages_distributions()
    imported = _imported_top_modules(ROOT / "src" / "dischargedesk")
    missing = {mod: sorted(files) for mod, files in imported.items()
               if not {_normal(d) for d in owners.get(mod, [mod])} & runtime}
    assert not missing, f"imported under src/ but not a runtime dependency: {missing}"
    excluded = set(spec_constant("EXCLUDES"))
    assert not excluded & set(imported), "the bundle excludes a module the app imports"
    assert "pypdf" not in imported and "pypdf" not in runtime
