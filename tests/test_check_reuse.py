"""The template check lays out each distinct output once (issue 17.2): combinations whose
handouts come out identical share one PDF and one layout check (a PDF of each handout);
any difference in what the PDF shows is a different output."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from dischargedesk import checks, layout_checks
from dischargedesk.checks import CHECK_DATE, LEVEL_PATTERNS, output_key, sample_variants
from dischargedesk.domain.request import HandoutRequest
from dischargedesk.engine import prepare


def prepared(clinic, **changes):
    data = {"procedure": "kyphoplasty", "anesthesia": "sedation", "language": "en",
            "large_print": False, "procedure_date": CHECK_DATE.isoformat(),
            **LEVEL_PATTERNS["2 levels"], **sample_variants()[1], **changes}
    return prepare(HandoutRequest.from_mapping(data, today=CHECK_DATE), clinic)


def test_any_difference_on_the_page_is_another_output(sample_clinic):
    base = output_key(prepared(sample_clinic))
    assert output_key(prepared(sample_clinic)) == base  # deterministic
    for changes in ({"mrn": "CHK-2"}, {"large_print": True}, {"language": "es"},
                    {"procedure": "vertebroplasty"}, {"levels": ["L1", "L3"]},
                    {"caregiver": "Other Giver"}):
        assert output_key(prepared(sample_clinic, **changes)) != base, changes
    p = prepared(sample_clinic)
    layout = p.layouts[0]
    retitled = dataclasses.replace(p, layouts=(dataclasses.replace(layout, title="X"),
                                               *p.layouts[1:]))
    assert output_key(retitled) != base


def test_identical_outputs_are_laid_out_once(sample_clinic, monkeypatch):
    built: list[str] = []

    def counting_build(prep, layouts, duplex=False):
        built.append(output_key(prep))
        return b"%PDF-counted"

    monkeypatch.setattr(checks, "build_document", counting_build)
    monkeypatch.setattr(layout_checks, "check_handouts", lambda pdf, prep: [])
    report = checks.check_templates(sample_clinic, languages=["en"], grades=False, workers=1)
    assert len(built) == len(set(built))  # never the same output twice
    handouts = 2 * report.combinations // len(sample_variants())  # both, in each PDF case
    assert 0 < len(built) < handouts  # combinations shared their handouts


def _comparable(report: checks.CheckReport) -> tuple[list[str], list[checks.Grade], int]:
    # a runaway names its partial or, rarely under load, the section including it
    # (test_clinic_templates): the same problem either way
    problems = [str(p).replace("clinic en/discharge/20-brace.txt: the template took",
                               "clinic en/partials/spin.inc: the template took")
                for p in report.problems]
    return problems, report.grades, report.combinations


def test_reuse_gives_the_same_report_on_the_sample_clinic(sample_clinic):
    fast = checks.check_templates(sample_clinic, languages=["en", "es"], build_pdfs=False)
    slow = checks.check_templates(sample_clinic, languages=["en", "es"], build_pdfs=False,
                                  reuse=False)
    assert fast.grades and fast.combinations == slow.combinations
    assert _comparable(fast) == _comparable(slow)


def _broken_clinic(tmp_path):
    """The sample clinic with errors that depend on the values a template reads (levels,
    print size, options), markup and font problems, and a runaway partial used only with a
    brace."""
    import shutil

    from dischargedesk.clinic.profile import load_clinic
    from dischargedesk.resources import sample_clinic_dir

    folder = tmp_path / "clinic"
    shutil.copytree(sample_clinic_dir(), folder)

    def write(relative: str, text: str) -> None:
        path = folder / "templates" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    write("en/discharge/30-wound-care.txt",
          "# Wound\n{% if levels.count > 2 %}{{ patient.nmae }}{% endif %}\n- ok\n")
    write("en/discharge/40-pain.txt", "# Pain\n{% if large_print %}<img src='x'>{% endif %}\n")
    write("en/recovery/10-first-days.txt",
          "# Days\n{% if levels.thoracic %}- \ue000{% else %}- {{ dates.day1 }}{% endif %}\n")
    write("en/partials/spin.inc", "{% for a in range(9999) %}"
          "{% for b in range(9999) %}{% set z = a %}{% endfor %}{% endfor %}")
    write("en/discharge/20-brace.txt",
          "# Brace\n{% if brace %}{% include 'partials/spin.inc' %}{% endif %}\n- fine\n")
    return load_clinic(folder)


def test_reuse_gives_the_same_report_with_broken_templates(tmp_path):
    """Each of the broken clinic's problems is reported with the memo as rendering every
    combination does."""
    clinic = _broken_clinic(tmp_path)
    fast = checks.check_templates(clinic, languages=["en"], build_pdfs=False)
    slow = checks.check_templates(clinic, languages=["en"], build_pdfs=False, reuse=False)
    assert len(fast.errors) >= 4, fast.errors
    assert _comparable(fast) == _comparable(slow)


def test_the_memo_renders_each_distinct_input_once(sample_clinic):
    from dischargedesk.engine import RenderMemo

    memo = RenderMemo()
    first = prepared(sample_clinic)
    again = prepare(first.request, sample_clinic, memo=memo)
    rendered = memo.renders
    assert rendered == sum(len(layout.sections) for layout in again.layouts)
    other = HandoutRequest.from_mapping({**_data(), "anesthesia": "general"},
                                        today=CHECK_DATE)
    memo_copy = prepare(other, sample_clinic, memo=memo)
    assert memo.reused > 0 and memo.renders < 2 * rendered  # most sections read no anesthesia
    assert memo_copy == prepare(other, sample_clinic)  # same documents as without the memo
    assert output_key(memo_copy) == output_key(prepare(other, sample_clinic))


def _data(**changes):
    return {"procedure": "kyphoplasty", "anesthesia": "sedation", "language": "en",
            "large_print": False, "procedure_date": CHECK_DATE.isoformat(),
            **LEVEL_PATTERNS["2 levels"], **sample_variants()[1], **changes}


def test_recording_context_sees_names_read_by_partials_and_macros(tmp_path):
    from dischargedesk.render.templating import HandoutEnvironment, recording_reads

    (tmp_path / "en" / "partials").mkdir(parents=True)
    (tmp_path / "en" / "partials" / "p.txt").write_text("{{ inner }}", encoding="utf-8")
    (tmp_path / "en" / "m.txt").write_text(
        "{% macro m() %}{{ in_macro }}{% endmacro %}{% include 'partials/p.txt' %}{{ m() }}"
        "{% if flag %}{{ only_if }}{% endif %}", encoding="utf-8")
    env = HandoutEnvironment([tmp_path], None, "en")
    with recording_reads() as read:
        out = "".join(env.get_template("m.txt").generate(
            {"inner": "a", "in_macro": "b", "flag": False, "only_if": "c", "unused": 1}))
    assert out == "ab"
    assert {"inner", "in_macro", "flag"} <= read
    assert "unused" not in read


def test_the_layout_step_in_a_pool_gives_the_serial_report(sample_clinic):
    """Pool (two spawned processes), serial, and each combination's handouts laid out
    together (one PDF) instead of one PDF a handout: the same problems in the same order, for
    outputs shared by combinations, large print and bilingual print (page budgets compare
    them) and a combination that cannot be laid out."""
    cases = [({}, "2 levels"), ({"anesthesia": "general"}, "2 levels"),
             ({"large_print": True}, "2 levels"), ({"language": "es"}, "1 level"),
             ({"language": "es", "bilingual": True}, "1 level"),
             ({"language": "es", "large_print": True}, "1 level")]
    laid_out = []
    for changes, pattern in cases:
        p = prepared(sample_clinic, **{**LEVEL_PATTERNS[pattern], **changes})
        laid_out.append((p, pattern, ("kyphoplasty", pattern, "sedation",
                                      p.request.language), f"{p.request.language}/kyphoplasty"))
    first = laid_out[0][0]  # a logo that cannot be read: this output cannot be laid out
    broken = dataclasses.replace(first, ident=dataclasses.replace(
        first.ident, logo=Path("/nonexistent/logo.png")))
    laid_out.append((broken, "2 levels", ("kyphoplasty", "2 levels", "local", "en"),
                     "en/kyphoplasty"))
    serial, pooled, both = checks.CheckReport(), checks.CheckReport(), checks.CheckReport()
    checks._layout_step(serial, laid_out, workers=1)
    checks._layout_step(pooled, laid_out, workers=2)
    checks._layout_step(both, laid_out, workers=1, split=False)  # the PDF of both handouts
    assert serial.problems == pooled.problems == both.problems
    assert [p.file for p in serial.problems if "could not be laid out" in p.message] == \
        ["en/kyphoplasty"]


def test_the_memo_never_changes_a_handout(sample_clinic):
    """Every combination the check prepares (en and es, bilingual included) comes out the
    same with the memo as without it: the same documents, so the same PDF (output_key)."""
    import itertools

    from dischargedesk.engine import RenderMemo

    memo = RenderMemo()
    compared = 0
    for proc, pattern, anesthesia, lang, large in itertools.product(
            sorted(sample_clinic.procedures), LEVEL_PATTERNS, checks.ANESTHESIA, ("en", "es"),
            (False, True)):
        bilingual = (False, True) if lang == "es" and anesthesia == "sedation" else (False,)
        for both, variant in itertools.product(bilingual, sample_variants()):
            data = {"procedure": proc, "anesthesia": anesthesia, "language": lang,
                    "large_print": large, "procedure_date": CHECK_DATE.isoformat(),
                    **({"bilingual": True} if both else {}), **LEVEL_PATTERNS[pattern],
                    **variant}
            request = HandoutRequest.from_mapping(data, today=CHECK_DATE)
            with_memo, without = prepare(request, sample_clinic, memo=memo), \
                prepare(request, sample_clinic)
            assert with_memo == without, data
            assert output_key(with_memo) == output_key(without)
            compared += 1
    assert compared == 336 and memo.reused > 10 * memo.renders


def _relative(handout: layout_checks.HandoutPages) -> tuple[object, ...]:
    """A handout's pages and findings with page indexes counted from its first page."""
    first = handout.pages[0].index if handout.pages else 0

    def page(p: layout_checks.Page) -> tuple[object, ...]:
        return (p.index - first, p.width, p.height, p.rules, p.header_rule, p.footer_rule,
                p.label, *([dataclasses.replace(ln, page=ln.page - first) for ln in lines]
                           for lines in (p.lines, p.body, p.label_lines)))

    return (handout.kind, [page(p) for p in handout.pages], handout.problems,
            {n - first for n in handout.kept_starts},
            {n - first: s for n, s in handout.opens.items()})


def test_a_handout_laid_out_alone_prints_as_in_the_pdf_of_both(sample_clinic):
    """The check lays out each handout in a PDF of its own (shared by more combinations
    than the PDF of both): over en and es, normal and large print, one language and
    bilingual, the level patterns (procedure and anesthesia taking turns through them, so
    every value of each appears), every handout prints the same text at the same places, on
    the same pages, with the same layout findings as in the PDF of both handouts. (The
    whole en+es matrix, 168 combinations, took 89 s of the CI run; these 18 cover each
    value of every factor.)"""
    from dischargedesk.engine import RenderMemo, build_document

    memo, seen = RenderMemo(), set()
    procedures = sorted(sample_clinic.procedures)
    configs = (("en", False, False), ("en", True, False), ("es", False, False),
               ("es", True, False), ("es", False, True), ("es", True, True))
    for c, (lang, large, both) in enumerate(configs):
        for n, pattern in enumerate(LEVEL_PATTERNS):
            if n % 2 != c % 2:  # half the patterns each: every pattern in three of them
                continue
            data = {"procedure": procedures[n % len(procedures)],
                    "anesthesia": checks.ANESTHESIA[n % len(checks.ANESTHESIA)],
                    "language": lang, "large_print": large,
                    "procedure_date": CHECK_DATE.isoformat(),
                    **({"bilingual": True} if both else {}), **LEVEL_PATTERNS[pattern],
                    **sample_variants()[1]}
            p = prepare(HandoutRequest.from_mapping(data, today=CHECK_DATE), sample_clinic,
                        memo=memo)
            together = layout_checks.check_handouts(build_document(p, p.layouts), p)
            assert [h.kind for h in together] == [h.kind for h in p.layouts]
            parts = checks._parts(p, split=True)
            assert len(parts) == 2, data  # (en and es are always laid out apart)
            for (key, one), handout in zip(parts, together, strict=True):
                if key in seen:
                    continue
                seen.add(key)
                (alone,) = layout_checks.check_handouts(build_document(one, one.layouts), one)
                assert _relative(alone) == _relative(handout), (data, handout.kind)


def test_a_handout_with_more_characters_than_one_subset_is_laid_out_with_the_other(
        sample_clinic):
    """Chinese: more characters than a font's first subset holds, so the PDF of one handout
    cuts its text runs elsewhere than the PDF of both; the check lays such a combination
    out as one PDF of both handouts."""
    from dischargedesk.engine import build_document

    p = prepared(sample_clinic, language="zh-Hans")
    assert len(checks._parts(p, split=True)) == 1
    assert len(checks._parts(prepared(sample_clinic, language="es"), split=True)) == 2
    recovery = dataclasses.replace(p, layouts=p.layouts[1:])
    (alone,) = layout_checks.split_handouts(build_document(recovery, recovery.layouts),
                                            recovery)
    together = layout_checks.split_handouts(build_document(p, p.layouts), p)[1]
    # (in other pieces, and a space the runs' ends drop falls elsewhere: "每30" and "每 30")
    assert [ln.text for ln in alone.pages[0].lines] != \
        [ln.text for ln in together.pages[0].lines]


def test_the_memo_knows_a_dict_or_list_by_the_object(sample_clinic):
    """The memo takes the text of a dict or list once per object (the clinic, language and
    date parts every context of a language shares): another object with other contents is
    another input, and the object is kept, so its id stays its own. It relies on no value
    changing in place once it is in a context - changed, it would still be taken for the
    old value (which is why nothing after build_context writes to one, and the sandbox
    cannot: the reports and handouts above are the same with the memo as without)."""
    from dischargedesk.engine import RenderMemo

    memo = RenderMemo()
    shared = {"day": 1}
    names = ("dates", "large_print")
    first = memo._values({"dates": shared, "large_print": False}, names)
    for _ in range(3):  # (a dropped dict's id would be reused at once)
        assert memo._values({"dates": {"day": 2}, "large_print": False}, names) != first
    assert memo._values({"dates": shared, "large_print": True}, names) != first
    assert memo._values({"dates": shared, "large_print": False}, names) == first
    shared["day"] = 2  # changed in place: taken for the value it had
    assert memo._values({"dates": shared, "large_print": False}, names) == first


def _in_two_shares(clinic, languages):
    """The template pass of a check as two processes run it (each share of languages with
    a memo of its own), merged in the check's order; and merged share after share."""
    combos = list(enumerate(checks.combinations(clinic, languages)))
    job = checks._PassJob(clinic, None, None, None, True, True, False)
    first, second = (checks._template_pass(job, share, len(combos), None, [])
                     for share in checks._shares(combos, languages))
    merged, concatenated = checks.CheckReport(), checks.CheckReport()
    checks._replay(merged, sorted(first + second, key=lambda e: e[0]))
    checks._replay(concatenated, first + second)
    return merged, concatenated


def test_two_processes_give_the_report_of_one(sample_clinic, tmp_path):
    """The template pass split by language over two processes (no PDFs, two idle cores)
    reports what one process does, in the same order: problems once (a runaway partial
    found in both shares), each section's grade from the first combination showing it (the
    English text of a bilingual print is graded in either share). Merging share after share
    instead of in the check's order would not."""
    languages = ["es", "ko", "en", "zh-Hans"]  # (shares: es and en, ko and zh-Hans)
    one = checks.check_templates(sample_clinic, languages=languages, build_pdfs=False,
                                 workers=1)
    merged, concatenated = _in_two_shares(sample_clinic, languages)
    assert one.grades and _comparable(merged) == _comparable(one)
    assert concatenated.grades != one.grades  # (the order is what the merge keeps)
    broken = _broken_clinic(tmp_path)
    one = checks.check_templates(broken, languages=["en", "es"], build_pdfs=False, workers=1)
    merged, _ = _in_two_shares(broken, ["en", "es"])
    assert len(one.errors) >= 4 and _comparable(merged) == _comparable(one)


def test_a_forked_process_checks_half_the_languages(sample_clinic, monkeypatch):
    """A real second process (forked: this test's process has one thread) takes half of
    the languages, and the report is the one of a single process."""
    import pytest

    if checks._pass_workers(2, 2) < 2:
        pytest.skip("this process cannot fork (threads, or no fork on this system)")
    forked: list[int] = []
    start = checks._in_fork

    def counting(job, combos):
        forked.append(len(combos))
        return start(job, combos)

    monkeypatch.setattr(checks, "_in_fork", counting)
    languages = ["en", "es", "vi"]
    two = checks.check_templates(sample_clinic, languages=languages, build_pdfs=False,
                                 workers=2)
    one = checks.check_templates(sample_clinic, languages=languages, build_pdfs=False,
                                 workers=1)
    assert forked and 0 < forked[0] < two.combinations // 2
    assert _comparable(two) == _comparable(one)


def test_a_quiet_machine_counts_its_cores_as_idle(monkeypatch):
    """Two cores at load 0.3 (a shell and the check's own start) are two idle cores: the
    load was once cut down to whole cores, so the second process never ran on such a
    machine."""
    import os

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    for load, idle in ((0.0, 2), (0.3, 2), (0.8, 1), (1.6, 1), (5.0, 1)):
        monkeypatch.setattr(os, "getloadavg", lambda load=load: (load, load, load))
        assert checks._idle_cores() == idle, load
