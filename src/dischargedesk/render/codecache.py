"""A disk cache of compiled handout templates (Jinja bytecode), so a new process does not
compile every template again (about 150 ms of a cold render under the sandbox).

What is stored: the code object Jinja compiled from a template file's text, and nothing
else. Compiling sees only the template's own text (the sandbox folds constants from the
source, never from the context), so no patient value can reach the cache; a test renders a
canary patient and searches every cache file for it.

Where: the per-user cache folder (platformdirs ``user_cache_dir``), ``templates-<tag>/``.

Keyed by content: a file's name is the SHA-256 of the template's text, its file name (the
code carries it: the sandbox's time limit and error lines find template frames by it), the
app version, the Jinja version, the Python bytecode magic and the sandbox module's own
source (a change of the code generator or its limits is a new key). Any change of any byte
of a template is a new file; the old one is never read again and is pruned later.

A file holds a fixed header, the SHA-256 of its payload and the payload (``marshal`` of the
code object). A file that is short, corrupt or from another build fails the digest check and
is ignored, and the template is compiled and written again (atomic: temporary file, then
rename). Templates with unsaved editor text (the workspace overlay) are never cached.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import marshal
import sys
from pathlib import Path
from types import CodeType
from typing import Any

import jinja2
from jinja2.bccache import Bucket, BytecodeCache

from .._meta import __version__
from . import usercache

MAGIC = b"DDTPL1\n"
SUFFIX = ".jtc"
MAX_FILES = 2_000  # pruned to the newest half when passed (a few MB at most)
ENV_DISABLE = usercache.ENV_DISABLE
_DIGEST = 32


def _build_tag() -> str:
    """What the compiled code depends on besides the template text."""
    digest = hashlib.sha256()
    for part in (__version__, jinja2.__version__, importlib.util.MAGIC_NUMBER.hex(),
                 sys.implementation.cache_tag or ""):
        digest.update(part.encode() + b"\0")
    with contextlib.suppress(OSError):  # frozen builds: the version parts still apply
        digest.update(Path(__file__).with_name("templating.py").read_bytes())
    return digest.hexdigest()


def default_folder() -> Path:
    return usercache.root() / "templates"


class TemplateCodeCache(BytecodeCache):
    """Jinja ``BytecodeCache`` with content-hash keys, verified files and atomic writes."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or default_folder()
        self.tag = _build_tag()
        self._pruned = False
        self.hits = self.misses = 0

    # Jinja asks for a key per (name, file) and a checksum per source; both go into the
    # file's name, so the file is found only for exactly this text in exactly this place.
    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        digest = hashlib.sha256(self.tag.encode())
        digest.update(b"\0" + (filename or name).encode("utf-8", "surrogatepass"))
        return digest.hexdigest()[:32]

    def get_source_checksum(self, source: str) -> str:
        return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()[:32]

    def get_bucket(self, environment: Any, name: str, filename: str | None,
                   source: str) -> Bucket:
        bucket = super().get_bucket(environment, name, filename, source)
        code = bucket.code
        if code is not None:
            if code.co_filename != (filename or name):  # never another file's code
                bucket.reset()
                return bucket
            # the environment learns of the file as if it had compiled it (the sandbox's
            # time limit and messages find template code by its file name)
            loaded = getattr(environment, "loaded_from_cache", None)
            if loaded is not None:
                loaded(filename or name, source)
        return bucket

    def _path(self, bucket: Bucket) -> Path:
        return self.folder / f"{bucket.key}-{bucket.checksum}{SUFFIX}"

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            data = self._path(bucket).read_bytes()
        except OSError:
            self.misses += 1
            return
        code = _decode(data, bucket)
        if code is None:
            self.misses += 1
            return  # ignored: compiled again and rewritten by Jinja's loader
        bucket.code = code
        self.hits += 1

    def dump_bytecode(self, bucket: Bucket) -> None:
        if bucket.code is None:
            return
        payload = marshal.dumps(bucket.code)
        header = MAGIC + f"{bucket.key}-{bucket.checksum}\n".encode()
        data = header + hashlib.sha256(header + payload).digest() + payload
        with contextlib.suppress(OSError):  # no cache folder: compile every time
            self.folder.mkdir(parents=True, exist_ok=True)
            usercache.write_atomic(self._path(bucket), data)
            self._prune()

    def clear(self) -> None:
        for path in self.folder.glob(f"*{SUFFIX}"):
            with contextlib.suppress(OSError):
                path.unlink()

    def _prune(self) -> None:
        if self._pruned:
            return
        self._pruned = True
        usercache.prune(self.folder, f"*{SUFFIX}", MAX_FILES)


def _decode(data: bytes, bucket: Bucket) -> CodeType | None:
    header = MAGIC + f"{bucket.key}-{bucket.checksum}\n".encode()
    body = data[len(header):]
    if not data.startswith(header) or len(body) < _DIGEST:
        return None
    digest, payload = body[:_DIGEST], body[_DIGEST:]
    if hashlib.sha256(header + payload).digest() != digest:
        return None  # partial or corrupt: never handed to marshal
    try:
        code = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None


_shared: dict[str, Any] = {}


def shared_cache() -> TemplateCodeCache | None:
    """The process's cache (None when ``DISCHARGEDESK_NO_TEMPLATE_CACHE`` is set)."""
    if not usercache.enabled():
        return None
    folder = default_folder()
    cache = _shared.get(str(folder))
    if cache is None:
        cache = _shared[str(folder)] = TemplateCodeCache(folder)
    return cache
