"""The template sandbox: payloads refused with a file and line, runaway templates stopped."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from dischargedesk.errors import TemplateError
from dischargedesk.render import document as d
from dischargedesk.render.templating import (
    HandoutEnvironment,
    SectionSource,
    escape_value,
    render_section,
)

CONTEXT = {"patient": {"name": "<b>O'Brien & Sons"}, "items": ["a", "b"], "n": 3}


def render(tmp_path: Path, source: str, context=CONTEXT, name="discharge/10-x.txt") -> str:
    root = tmp_path / "root"
    path = root / "en" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")
    env = HandoutEnvironment([root], root, "en")
    return render_section(env, SectionSource(name, path, True, "en"), context)


def refused(tmp_path: Path, source: str, line: int | None = 1) -> TemplateError:
    with pytest.raises(TemplateError) as info:
        render(tmp_path, source)
    err = info.value
    assert "template error in clinic en/discharge/10-x.txt" in str(err)
    if line is not None:
        assert err.line == line, str(err)
    return err


def test_values_are_escaped_and_parse_back_literally(tmp_path):
    out = render(tmp_path, "# Title\n- {{ patient.name }}\n")
    section = d.parse_section(out, "x")
    assert isinstance(section.blocks[1], d.Bullet)
    assert d.plain_text(section.blocks[1].text) == "<b>O'Brien & Sons"


@pytest.mark.parametrize("value", ["# heading", "- bullet", "[ ] box", "| a | b |", "::: 911",
                                   "@spine", "<i>x</i>", "a\n# b", "&amp;", "&#9999999;"])
def test_user_value_never_becomes_markup(value):
    text = f"- {escape_value(value)}"
    section = d.parse_section(text, "x")
    assert len(section.blocks) == 1
    assert d.plain_text(section.blocks[0].text) == " ".join(value.splitlines())


@pytest.mark.parametrize("payload", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ '{0.__class__}'.format(1) }}",
    "{{ ''|attr('__class__') }}",
    "{{ patient.name.upper() }}",
    "{{ items.append(1) }}",
    "{{ 'a' * 300000000 }}",
    "{{ 2 ** 999999 }}",
    "{{ range(99999999)|list }}",
    "{{ lipsum() }}",
    "{{ patient.name|safe }}",
    "{{ 'x'|center(300000000) }}",
])
def test_sandbox_payloads_refused(tmp_path, payload):
    refused(tmp_path, payload)


def test_include_outside_root_refused(tmp_path):
    err = refused(tmp_path, "{% include '../../etc/passwd' %}")
    assert "cannot be included" in str(err)


def test_symlink_out_of_root_refused(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    root = tmp_path / "root" / "en"
    root.mkdir(parents=True)
    (root / "leak.txt").symlink_to(outside)
    with pytest.raises(TemplateError):
        render(tmp_path, "{% include 'leak.txt' %}")


def test_unknown_variable_names_line(tmp_path):
    err = refused(tmp_path, "# T\nok\n{{ patient.nmae }}\n", line=3)
    assert "nmae" in str(err)


def test_syntax_error_names_line(tmp_path):
    err = refused(tmp_path, "# T\n{% if %}\n", line=2)
    assert "syntax error" in str(err)


def test_runaway_loop_stopped_in_time(tmp_path):
    start = time.monotonic()
    err = refused(tmp_path, "{% for i in range(9999) %}{% for j in range(9999) %}"
                  "{% for k in range(9999) %}{% endfor %}{% endfor %}{% endfor %}", line=None)
    assert time.monotonic() - start < 10
    assert "longer than" in str(err)


def test_runaway_string_loops_stopped(tmp_path):
    err = refused(tmp_path, "{% for a in 'x'*9999 %}{% for b in 'y'*9999 %}{% endfor %}"
                  "{% endfor %}", line=None)
    assert "longer than" in str(err)


def test_recursive_macro_stopped(tmp_path):
    refused(tmp_path, "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", line=None)


def test_join_filter_output_is_escaped_once(tmp_path):
    out = render(tmp_path, "- {{ ['<a>', '&'] | join(', ') }}\n")
    assert d.plain_text(d.parse_section(out, "x").blocks[0].text) == "<a>, &"


@pytest.mark.parametrize(("text", "problem"), [
    ("<img src='x.png'>", "allowed"),
    ('<a href="javascript:alert(1)">x</a>', "allowed"),
    ("<font size=40>x</font>", "allowed"),
    ("<b>open", "not closed"),
    ("</b>", "does not close"),
    ("::: danger", "unknown box"),
    ("@image", "unknown block"),
    ("::: 911\n- x", "not closed"),
    (":::", "no box is open"),
])
def test_markup_the_format_does_not_allow(text, problem):
    with pytest.raises(d.MarkupProblem) as info:
        d.parse_section(text, "x")
    assert problem in str(info.value)


def test_block_syntax():
    s = d.parse_section("# Title\nline one\nline two\n\n- b1\n[ ] c1\n| h1 | h2 |\n| a | b |\n"
                        "::: 911\n## Call\n- chest pain\n:::\n@spine\n", "x")
    kinds = [type(b).__name__ for b in s.blocks]
    assert kinds == ["Heading", "Paragraph", "Bullet", "Checkbox", "Table", "Box", "Directive"]
    assert s.blocks[1].text == "line one line two"
    assert s.blocks[4].rows == (("h1", "h2"), ("a", "b"))
    assert s.title == "Title"


def test_error_messages_never_quote_patient_data(tmp_path):
    with pytest.raises(TemplateError) as info:
        render(tmp_path, "{{ patient[patient.name] }}")
    assert "O'Brien" not in str(info.value) and "unknown variable" in str(info.value)
