"""Check that the .deb's Depends cover every system library the bundle links.

    python3 packaging/linux/check_deps.py dist/dischargedesk packaging/linux/control.in

For every ELF file in the bundle, its direct dependencies (DT_NEEDED, from ``readelf -d``)
that the bundle does not ship itself are resolved with ``ldd`` and mapped to the Debian
package owning that file (dpkg's file lists). Each such package must appear in Depends
(as itself or as an alternative). Transitive libraries are the business of those packages'
own Depends. Exit 0 when complete; 1 with the missing packages or unresolved libraries.
Packages in Depends that nothing links are reported too (not an error: the xcb platform
plugin's helpers, for example, are only opened at run time). It also fails when a shared
object keeps a RUNPATH outside the bundle (a build machine's folder) or its symbol table
(build.sh strips with --strip-unneeded).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

# Libraries that come with the C library or the loader (always present).
ALWAYS = {"ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "linux-vdso.so.1"}


def is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(4) == b"\x7fELF"
    except OSError:
        return False


def needed(path: Path) -> list[str]:
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def runpath_outside_bundle(path: Path) -> list[str]:
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True).stdout
    entries: list[str] = []
    for value in re.findall(r"\((?:RUNPATH|RPATH)\)\s+Library r(?:un)?path: \[([^\]]*)\]", out):
        entries += [e for e in value.split(":") if e and not e.startswith("$ORIGIN")]
    return entries


def has_symtab(path: Path) -> bool:
    out = subprocess.run(["readelf", "-S", "-W", str(path)], capture_output=True,
                         text=True).stdout
    return " .symtab " in out


def resolved(path: Path, env: dict[str, str]) -> dict[str, str]:
    out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env).stdout
    result = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\S+) => (not found|\S+)", line)
        if m:
            result[m.group(1)] = m.group(2)
    return result


def dpkg_owners() -> dict[str, str]:
    """Real path of every library file dpkg installed -> package name (without :arch).

    Symlinks are skipped: a -dev package's libfoo.so points at the runtime package's file.
    """
    owners: dict[str, str] = {}
    info = Path("/var/lib/dpkg/info")
    for lst in info.glob("*.list"):
        package = lst.stem.split(":")[0]
        for line in lst.read_text(errors="replace").splitlines():
            if ".so" in line and not os.path.islink(line) and os.path.isfile(line):
                owners[os.path.realpath(line)] = package
    return owners


def depends(control: Path) -> set[str]:
    text = control.read_text(encoding="utf-8")
    m = re.search(r"^Depends:(.*(?:\n[ \t].*)*)", text, re.M)
    if not m:
        return set()
    names = set()
    for alt in m.group(1).replace("\n", " ").split(","):
        for name in alt.split("|"):
            name = re.sub(r"\(.*?\)", "", name).strip()
            if name:
                names.add(name)
    return names


def main(bundle: str, control: str, verbose: bool = False) -> int:
    root = Path(bundle).resolve()
    elves = [p for p in root.rglob("*") if p.is_file() and not p.is_symlink() and is_elf(p)]
    shipped = {p.name for p in root.rglob("*") if ".so" in p.name}
    env = dict(os.environ, LD_LIBRARY_PATH=str(root / "_internal"))
    owners = dpkg_owners()
    declared = depends(Path(control))
    used: dict[str, set[str]] = {}
    users: dict[str, set[str]] = {}
    problems: list[str] = []
    for elf in elves:
        rel = elf.relative_to(root)
        for entry in runpath_outside_bundle(elf):
            problems.append(f"{rel}: RUNPATH {entry} points outside the bundle")
        if ".so" in elf.name and has_symtab(elf):
            problems.append(f"{rel}: not stripped")
        libs = [n for n in needed(elf) if n not in shipped and n not in ALWAYS]
        if not libs:
            continue
        where = resolved(elf, env)
        for lib in libs:
            path = where.get(lib, "not found")
            if path == "not found" or path.startswith(str(root)):
                if path == "not found":
                    problems.append(f"{rel}: {lib} not found on this system")
                continue
            package = owners.get(os.path.realpath(path))
            if package is None:
                problems.append(f"{rel}: {lib} ({path}) belongs to no Debian package")
                continue
            used.setdefault(package, set()).add(lib)
            users.setdefault(package, set()).add(str(rel))
    missing = sorted(p for p in used if p not in declared)
    print(f"{len(elves)} ELF files; system packages linked directly:")
    for package in sorted(used):
        mark = "ok " if package in declared else "MISSING"
        print(f"  {mark:7s} {package:24s} {', '.join(sorted(used[package]))}")
        if verbose:
            print("            used by " + ", ".join(sorted(users[package])[:6]))
    unused = sorted(declared - set(used))
    if unused:
        print("  in Depends, not linked directly (opened at run time or alternatives): "
              + ", ".join(unused))
    for problem in problems:
        print(f"  problem: {problem}")
    if missing:
        print(f"Depends lacks: {', '.join(missing)}; the build computes it with dpkg-shlibdeps.")
    return 1 if missing or problems else 0


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "-v"]
    if len(args) != 2:
        sys.exit(__doc__)
    sys.exit(main(args[0], args[1], verbose="-v" in sys.argv))
