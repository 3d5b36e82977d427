"""The shared strict readers: UTF-8 only (BOM dropped), JSON/TOML that refuse non-finite
numbers, deep nesting and over-long integers with a plain reason and a line."""

from __future__ import annotations

import pytest

from dischargedesk import textio
from dischargedesk.textio import TextFormatError


def test_windows_1252_is_refused_with_its_line(tmp_path):
    path = tmp_path / "r.json"
    path.write_bytes('{"patient_name":\n "José Muñoz"}'.encode("cp1252"))
    with pytest.raises(TextFormatError) as err:
        textio.read_text_utf8(path)
    assert err.value.line == 2
    assert "UTF-8" in err.value.reason and "Jos" not in str(err.value)


def test_bom_is_dropped(tmp_path):
    path = tmp_path / "c.toml"
    path.write_bytes("\ufeff[clinic]\nname = 'É'\n".encode())
    assert textio.loads_toml(textio.read_text_utf8(path)) == {"clinic": {"name": "É"}}
    assert textio.loads_json("\ufeff{}") == {}


@pytest.mark.parametrize("text", ["NaN", '{"a": Infinity}', '{"a": -Infinity}', '{"a": 1e999}',
                                  "9" * 5000, "[" * 100_000, '{"a":' * 3000])
def test_json_refuses_what_would_crash_or_mislead(text):
    with pytest.raises(TextFormatError):
        textio.loads_json(text)


def test_json_brackets_inside_strings_do_not_count():
    assert textio.loads_json('{"a": "' + "[" * 500 + '"}') == {"a": "[" * 500}


@pytest.mark.parametrize(("text", "line"), [
    ("x = 1\na = nan", 2), ("a = [1, inf]", 1), ("a = -inf", 1), ("s = 'nan'\nb = +nan", 2),
    ("x = 1\na = " + "9" * 5000, 2), ("a = " + "[" * 3000 + "]" * 3000, 1),
    ("[t]\na = " + "{ b = " * 60 + "1" + " }" * 60, 2),
])
def test_toml_refuses_what_would_crash_or_mislead(text, line):
    with pytest.raises(TextFormatError) as err:
        textio.loads_toml(text)
    assert err.value.line == line


def test_toml_syntax_error_keeps_the_line():
    with pytest.raises(TextFormatError) as err:
        textio.loads_toml("a = 1\nb = [\n")
    assert "TOML" in err.value.reason
