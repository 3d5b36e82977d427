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


# -- generated input: the readers fail only with TextFormatError ---------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_JSON_PIECES = st.sampled_from(['[', ']', '{', '}', '"a":', '1', '-1e999', 'NaN', 'Infinity',
                                ',', '"x"', 'true', 'null', '9' * 4400, ' ', '\n', '"\\u00e9"'])
_TOML_PIECES = st.sampled_from(['[', ']', '{', '}', 'a = ', 'b.c = ', '1', 'nan', '-inf',
                                ',', '"x"', "'[['", 'true', '9' * 4400, '\n', '[t]\n',
                                '[[u]]\n', '# [[[\n', '1979-05-27', '"""\n[[\n"""'])


def _only_text_format_errors(parse, text):
    try:
        parse(text)
    except TextFormatError as exc:
        assert exc.reason and (exc.line is None or exc.line >= 1)


@given(st.lists(_JSON_PIECES, max_size=300), st.integers(0, 3000))
def test_generated_json_never_crashes(pieces, depth):
    _only_text_format_errors(textio.loads_json, "[" * depth + "".join(pieces) + "]" * depth)


@given(st.lists(_TOML_PIECES, max_size=300), st.integers(0, 3000))
def test_generated_toml_never_crashes(pieces, depth):
    _only_text_format_errors(textio.loads_toml,
                             "a = " + "[" * depth + "".join(pieces) + "]" * depth)


@given(st.text(max_size=200), st.sampled_from(["cp1252", "latin-1", "utf-16", "utf-8",
                                                 "utf-8-sig"]))
def test_any_encoding_is_either_read_exactly_or_refused(text, encoding):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    try:
        decoded = textio.decode_utf8(data)
    except TextFormatError as exc:
        assert "UTF-8" in exc.reason
        return
    # accepted only when it really is UTF-8 (with or without a BOM)
    assert decoded == textio.strip_bom(data.decode("utf-8"))
    if encoding in ("utf-8", "utf-8-sig"):
        assert decoded == textio.strip_bom(text)


@given(st.binary(max_size=500))
def test_any_bytes_decode_or_are_refused(data):
    _only_text_format_errors(textio.decode_utf8, data)
