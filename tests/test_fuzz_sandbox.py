"""Property tests of the template sandbox with generated nested constructs (hypothesis).

For any template built from loops, conditions, macros, ``set``, parentheses, filters and
operators at random depth, over a context holding a patient canary:

* rendering ends within the time limit (plus compile and a busy machine);
* it either returns text or raises TemplateError: never any other exception;
* the message names the file and never contains any part of the canary, whatever the
  template did to the value (slices, case changes, concatenation, keys, includes).

HYPOTHESIS_PROFILE=nightly runs 1,000 examples per property.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dischargedesk.errors import TemplateError
from dischargedesk.render import document as d
from dischargedesk.render.templating import (
    TIME_LIMIT_SECONDS,
    HandoutEnvironment,
    SectionSource,
    render_section,
)

from .test_sandbox_limits import run_bounded

CANARY = "Zqxjv Wkqpfb"
CONTEXT = {"patient": {"name": CANARY, "mrn": "QZX-7781"}, "items": ["a", CANARY, "c"],
           "n": 3, "clinic": {"phone": "(555) 010-2000"}}
BOUND = TIME_LIMIT_SECONDS * 2 + 8
NAME = "discharge/10-x.txt"


def canary_parts() -> set[str]:
    """Every 4-letter piece of the canary values, in lower case."""
    parts = set()
    for value in (CANARY, "QZX-7781"):
        letters = value.lower().replace(" ", "")
        parts.update(letters[i:i + 4] for i in range(len(letters) - 3))
    return parts


PARTS = canary_parts()

ATOMS = st.sampled_from([
    "patient.name", "patient.mrn", "patient.name[2:]", "patient.name[:-3]", "n", "items",
    "'x'", "1", "0", "-1", "2.5", "''", "patient", "clinic.phone", "v", "loop.index",
    "range(3)", "range(9999)", "patient[patient.name]", "patient.nmae", "undefined_thing",
    "'%c'", "'%s'", "'%1000000000s'", "[1, 2]", "{'a': patient.name}",
])
FILTERS = st.sampled_from([
    "upper", "lower", "title", "length", "first", "last", "join", "join(', ')", "reverse",
    "string", "list", "int", "float", "trim", "center(5)", "replace('a', patient.name)",
    "replace('', 'yy')", "format(patient.name)", "format(-1)", "default(patient.name)",
    "sort", "unique", "sum", "batch(2)", "wordwrap(3)", "truncate(5)", "attr('x')",
    "nosuchfilter", "e", "urlencode", "round", "abs", "map('upper')", "select", "count",
])
OPERATORS = st.sampled_from(["+", "~", "*", "%", "-", "//", "/", "==", "in", "and", "or"])


def expressions() -> st.SearchStrategy[str]:
    return st.recursive(ATOMS, lambda inner: st.one_of(
        inner.map(lambda e: f"({e})"),
        st.tuples(inner, FILTERS).map(lambda t: f"{t[0]}|{t[1]}"),
        st.tuples(inner, OPERATORS, inner).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]}[{t[1]}]"),
        inner.map(lambda e: f"({e} is defined)"),
        inner.map(lambda e: f"({e} is defind)"),
        inner.map(lambda e: f"not {e}"),
        st.tuples(st.integers(1, 36), inner).map(lambda t: "(" * t[0] + t[1] + ")" * t[0]),
    ), max_leaves=12)


EXPR = expressions()


def statements() -> st.SearchStrategy[str]:
    base = st.one_of(EXPR.map(lambda e: "{{ " + e + " }}\n"),
                     st.sampled_from(["- plain text\n", "# Title\n", "@{{ patient.name }}\n",
                                      "<{{ patient.name }}>\n", "::: {{ patient.mrn }}\n",
                                      "{% include patient.name %}\n",
                                      "{% include 'partials/p.txt' %}\n"]))
    return st.recursive(base, lambda body: st.one_of(
        st.tuples(EXPR, body).map(lambda t: "{% for v in " + t[0] + " %}\n" + t[1]
                                  + "{% endfor %}\n"),
        st.tuples(EXPR, body, body).map(lambda t: "{% if " + t[0] + " %}\n" + t[1]
                                        + "{% else %}\n" + t[2] + "{% endif %}\n"),
        st.tuples(body, EXPR).map(lambda t: "{% macro m(v) %}\n" + t[0] + "{% endmacro %}\n"
                                  "{{ m(" + t[1] + ") }}\n"),
        st.tuples(EXPR, body).map(lambda t: "{% set v = " + t[0] + " %}\n" + t[1]),
        st.tuples(body, body).map(lambda t: t[0] + t[1]),
        st.tuples(st.integers(1, 14), body).map(
            lambda t: "{% if n %}" * t[0] + "\n" + t[1] + "{% endif %}" * t[0] + "\n"),
    ), max_leaves=10)


def check_one(root: Path, source: str) -> None:
    path = root / "en" / NAME
    path.write_text(source, encoding="utf-8")
    env = HandoutEnvironment([root], root, "en")
    out, error, _ = run_bounded(
        lambda: render_section(env, SectionSource(NAME, path, True, "en"), CONTEXT), BOUND)
    if error is None:
        try:  # what the engine does next: markup problems are reported by category only
            d.parse_section(out, "x")
        except d.MarkupProblem as exc:
            message = exc.category.lower()
            assert not any(p in message for p in PARTS), (source, message)
        return
    assert isinstance(error, TemplateError), (source, type(error).__name__)
    message = str(error)
    assert message.startswith("template error in clinic en/"), (source, message)
    assert "unexpected" not in message, (source, message)
    assert not any(p in message.lower() for p in PARTS), (source, message)


def make_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fuzz") / "root"
    (root / "en" / "discharge").mkdir(parents=True)
    (root / "en" / "partials").mkdir()
    (root / "en" / "partials" / "p.txt").write_text("- {{ patient.name|upper }} "
                                                    "{{ patient[patient.name[3:]] }}\n",
                                                    encoding="utf-8")
    return root


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.filter_too_much])
@given(source=statements())
def test_generated_templates_end_in_time_and_never_leak(tmp_path_factory, source):
    check_one(make_root(tmp_path_factory), source)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(expr=EXPR, depth=st.integers(0, 80), kind=st.sampled_from(["for", "if", "paren"]))
def test_generated_deep_nesting_is_a_plain_message(tmp_path_factory, expr, depth, kind):
    if kind == "paren":
        source = "{{ " + "(" * depth + expr + ")" * depth + " }}\n"
    elif kind == "for":
        source = "{% for v in items %}" * depth + "{{ " + expr + " }}" + \
            "{% endfor %}" * depth + "\n"
    else:
        source = "{% if n %}\n" * depth + "{{ " + expr + " }}\n" + "{% endif %}\n" * depth
    check_one(make_root(tmp_path_factory), source)
