"""Files people save on Windows: a UTF-8 BOM is accepted, other encodings are refused with
"save it as UTF-8" (shared reader: dischargedesk.textio)."""

from __future__ import annotations

import shutil

import pytest

from dischargedesk.errors import DischargeDeskError
from dischargedesk.render import language
from dischargedesk.resources import templates_dir


def _pack_copy(tmp_path):
    root = tmp_path / "templates"
    shutil.copytree(templates_dir() / "es", root / "es")
    return root, root / "es" / "pack.toml"


def test_pack_toml_with_a_bom_loads(tmp_path):
    root, pack = _pack_copy(tmp_path)
    pack.write_bytes(b"\xef\xbb\xbf" + pack.read_bytes())
    language._read_pack.cache_clear()
    assert language.load_pack("es", root).code == "es"


def test_pack_toml_in_windows_1252_is_refused_with_its_line(tmp_path):
    root, pack = _pack_copy(tmp_path)
    text = pack.read_text(encoding="utf-8")
    pack.write_bytes(text.encode("cp1252", errors="replace"))
    language._read_pack.cache_clear()
    with pytest.raises(DischargeDeskError, match=r"pack.toml, line \d+: it is not UTF-8"):
        language.load_pack("es", root)
