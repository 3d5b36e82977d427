"""Chinese handouts (zh-Hans, zh-Hant), checked on the rendered text of every combination.

The text is rendered and parsed exactly as the engine does (context, sandboxed templates,
document parser), without the PDF step, so these checks do not depend on the fonts: every
section is in Han script with no English left except proper names, units and the nurse's
typed lines; every block of every section (headings, bullets, the 911 / call / watch
boxes, checkboxes, table rows, drawings) matches the English handout of the same request;
and the safety lines appear exactly when the English ones do.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, nodes

from dischargedesk.domain.request import HandoutRequest
from dischargedesk.render import document as d
from dischargedesk.render.context import build_context
from dischargedesk.render.language import load_pack, pack_roots
from dischargedesk.render.templating import HandoutEnvironment, render_section, section_sources
from dischargedesk.resources import templates_dir

from .conftest import TODAY, PerCase

CHINESE = ("zh-Hans", "zh-Hant")
LEVELS: dict[str, dict[str, Any]] = {
    "one": {"levels": ["L2"]},
    "two": {"levels": ["L1", "L2"]},
    "three": {"levels": ["L2", "L3", "L4"]},
    "thoracic": {"levels": ["T7", "T8"]},
    "skipped": {"levels": ["T12", "L2"]},
    "count": {"level_count": 2},
    "count_one": {"level_count": 1},
    "ten": {"levels": ["T6", "T7", "T8", "T9", "T10", "T11", "T12", "L1", "L2", "L3"]},
}
ANESTHESIA = ("local", "sedation", "general")
PHONE = "(555) 010-2000"
BLOOD_THINNER = "Restart apixaban on Thursday morning"
MEDICATIONS = "Oxycodone 5 mg: 1 tablet every 6 hours\nSenna 1 tablet at bedtime"
# One patient with no option, one with every option (typed lines in English, as nurses
# type them), one with options and a visit that is booked later than the usual day.
VARIANTS: tuple[dict[str, Any], ...] = (
    {},
    {"brace": True, "opioids": True, "medications": MEDICATIONS,
     "blood_thinner": BLOOD_THINNER, "physician": "Dr. Ana Rivera",
     "follow_up_date": "2026-12-09", "follow_up_time": "14:30",
     "follow_up_with": "Dr. Ana Rivera", "follow_up_where": "Suite 200, Building B",
     "caregiver": "Tom Example"},
    {"brace": True, "follow_up_date": "2026-12-16", "caregiver": "Tom Example"},
)
COMBOS = list(itertools.product(("kyphoplasty", "vertebroplasty"), LEVELS, ANESTHESIA,
                                (False, True), range(len(VARIANTS))))

#: English words a Chinese handout may keep: units, vitamin D, drug brands as on US labels,
#: the bone density test's name, the letters of the spine levels (T12, L1).
ALLOWED_LATIN = {"lb", "kg", "F", "C", "D", "Tylenol", "Advil", "Motrin", "DXA", "QR", "T", "L",
                 "S"}

#: Safety lines, as in test_clinical_matrix, for the Chinese packs (and English, so the
#: checks themselves are checked against the source text).
WORDS = {
    "en": {"late": "even days or months from now", "cement": "you have bone cement",
           "blood": "coughing up blood", "faint": "fainting",
           "strong": "watch your breathing. tell", "alcohol": "do not drink alcohol",
           "legal": "legal papers", "takeback": "take-back", "brace_shower": "to shower",
           "brace_bend": "bend only as far as the brace", "brace": "brace",
           "bt_empty": f"call {PHONE} before you restart it",
           "bt_teach": "when to restart your blood thinner",
           "until_visit": "until your follow-up visit", "book": "to book your visit for about",
           "soreness": "where the needles went in", "balloon": "balloon",
           "bladder": "control urine or stool", "fever": "100.4 °f"},
    "zh-Hans": {"late": "即使是几天或几个月以后", "cement": "骨水泥", "blood": "咳出血",
                "faint": "昏倒", "strong": "【重要】注意您的呼吸。告诉", "alcohol": "不要喝酒",
                "legal": "法律文件", "takeback": "药物回收", "brace_shower": "淋浴时",
                "brace_bend": "只能弯到护具允许的程度", "brace": "护具",
                "bt_empty": f"请先打 {PHONE}", "bt_teach": "什么时候重新开始吃抗凝血药",
                "until_visit": "复诊以前", "book": "预约大约在",
                "soreness": "针扎进去的地方", "balloon": "气球",
                "bladder": "控制不住小便或大便", "fever": "100.4 °f"},
    "zh-Hant": {"late": "即使是幾天或幾個月以後", "cement": "骨水泥", "blood": "咳出血",
                "faint": "昏倒", "strong": "【重要】注意您的呼吸。告訴", "alcohol": "不要喝酒",
                "legal": "法律文件", "takeback": "藥物回收", "brace_shower": "淋浴時",
                "brace_bend": "只能彎到背架允許的程度", "brace": "背架",
                "bt_empty": f"請先打 {PHONE}", "bt_teach": "什麼時候重新開始吃抗凝血藥",
                "until_visit": "回診以前", "book": "預約大約在",
                "soreness": "針扎進去的地方", "balloon": "氣球",
                "bladder": "控制不住小便或大便", "fever": "100.4 °f"},
}
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


_ENVIRONMENTS: dict[tuple[Any, ...], HandoutEnvironment] = {}  # compiled once per language


def render_text(data: dict[str, Any], clinic: Any) -> dict[str, list[d.Section]]:
    """The parsed sections of both handouts, rendered as the engine renders them."""
    request = HandoutRequest.from_mapping(data, today=TODAY)
    pack = load_pack(request.language, clinic.templates_dir)
    context = build_context(request, clinic, pack)
    roots = pack_roots(clinic.templates_dir)
    key = (tuple(roots), pack.code)
    env = _ENVIRONMENTS.get(key) or _ENVIRONMENTS.setdefault(
        key, HandoutEnvironment(roots, clinic.templates_dir, pack.code))
    return {kind: [d.parse_section(render_section(env, source, context), source.name)
                   for source in section_sources(roots, pack.code, kind, clinic.templates_dir)]
            for kind in ("discharge", "recovery")}


def request_data(combo: tuple[Any, ...], language: str) -> dict[str, Any]:
    proc, levels, anesthesia, large, variant = combo
    return {"procedure": proc, "anesthesia": anesthesia, "language": language,
            "large_print": large, "procedure_date": TODAY.isoformat(),
            "patient_name": "Wang Xiaoming", "mrn": "MRN-12345", "date_of_birth": "1948-03-04",
            **LEVELS[levels], **VARIANTS[variant]}


def shape(blocks: Any) -> list[Any]:
    """The structure of a section: block kinds, heading levels, box kinds with their items,
    drawings and table sizes, without the words."""
    out: list[Any] = []
    for b in blocks:
        if isinstance(b, d.Box):
            out.append(("box", b.kind, shape(b.blocks)))
        elif isinstance(b, d.Heading):
            out.append(("heading", b.level))
        elif isinstance(b, d.Table):
            out.append(("table", len(b.rows), len(b.rows[0]) if b.rows else 0))
        elif isinstance(b, d.Directive):
            out.append(("@", b.name))
        else:
            out.append(type(b).__name__)
    return out


def fold(sections: list[d.Section]) -> str:
    return " ".join(" ".join(s for sec in sections for s in sec.plain_sentences()).split()
                    ).lower()


@pytest.fixture(scope="session")
def matrix(sample_clinic):
    """(combo, language) -> rendered sections, for English and both Chinese packs; each
    rendered when a test first reads it (conftest.PerCase)."""
    return PerCase(lambda key: render_text(request_data(*key), sample_clinic))


def typed_values(data: dict[str, Any], clinic: Any) -> list[str]:
    """Text the nurse typed or the clinic set: printed as it is, never translated."""
    values = [str(data.get(k, "")) for k in ("patient_name", "mrn", "blood_thinner",
                                              "physician", "follow_up_with", "follow_up_where",
                                              "caregiver")]
    values += data.get("medications", "").splitlines()
    values += [clinic.name, clinic.portal_name, *clinic.address]
    return sorted((v for v in values if v), key=len, reverse=True)


@pytest.mark.parametrize("lang", CHINESE)
@pytest.mark.parametrize("combo", COMBOS, ids=lambda c: "-".join(map(str, c)))
def test_every_section_is_chinese_with_no_english_left(matrix, sample_clinic, combo, lang):
    data = request_data(combo, lang)
    values = typed_values(data, sample_clinic)
    for kind, sections in matrix[combo, lang].items():
        for section in sections:
            text = " ".join(section.plain_sentences())
            assert _HAN.search(text), (kind, section.source)
            if any(isinstance(b, d.Heading) for b in section.blocks):
                assert _HAN.search(section.title), (kind, section.source)
            for value in values:
                text = text.replace(value, " ")
            left = set(re.findall(r"[A-Za-z]+", text)) - ALLOWED_LATIN
            assert not left, (section.source, sorted(left))


@pytest.mark.parametrize("lang", CHINESE)
@pytest.mark.parametrize("combo", COMBOS, ids=lambda c: "-".join(map(str, c)))
def test_every_block_matches_english(matrix, combo, lang):
    """Same sections, same headings, same number of warning signs in the 911, call-now and
    watch boxes, same checkboxes, calendar rows, drawings and signature blocks."""
    english, chinese = matrix[combo, "en"], matrix[combo, lang]
    for kind in english:
        assert [s.source for s in chinese[kind]] == [s.source for s in english[kind]]
        for en, zh in zip(english[kind], chinese[kind], strict=True):
            assert shape(zh.blocks) == shape(en.blocks), zh.source


@pytest.mark.parametrize("lang", ("en", *CHINESE))
@pytest.mark.parametrize("combo", COMBOS, ids=lambda c: "-".join(map(str, c)))
def test_safety_lines(matrix, combo, lang):
    proc, levels, anesthesia, _, variant = combo
    data = request_data(combo, lang)
    w = WORDS[lang]
    discharge, recovery = (fold(matrix[combo, lang][k]) for k in ("discharge", "recovery"))
    summary = fold(matrix[combo, lang]["discharge"][:1])
    for text in (discharge, recovery, summary):
        for key in ("late", "cement", "blood", "faint", "fever"):
            assert w[key] in text, key
        assert (w["strong"] in text) is (levels not in ("one", "two")), "lung warning"
    sedated = anesthesia != "local"
    assert (w["alcohol"] in discharge) is sedated and (w["legal"] in discharge) is sedated
    assert (w["takeback"] in discharge) is bool(data.get("opioids"))
    brace = bool(data.get("brace"))
    assert (w["brace_bend"] in discharge) is brace and (w["brace"] in summary) is brace
    assert (w["brace_shower"] in discharge) is brace
    assert (w["balloon"] in discharge) is (proc == "kyphoplasty")
    if data.get("blood_thinner"):
        assert BLOOD_THINNER.lower() in summary
        assert f"{w['bt_teach']}: {BLOOD_THINNER.lower()}" in discharge.replace("：", ": ")
        assert w["bt_empty"] not in discharge
    else:
        assert w["bt_empty"] in discharge
    assert discharge.count(w["soreness"]) == 1
    # a visit booked on or after the usual day: "until your follow-up visit"
    assert (w["until_visit"] in discharge + recovery) is (variant in (1, 2))
    assert (w["book"] in discharge) is ("follow_up_date" not in data)
    assert w["bladder"] in summary  # 911 or call-now tier, by the clinic's choice


def test_dates_and_times_are_written_in_chinese(sample_clinic):
    combo = ("kyphoplasty", "two", "sedation", False, 1)
    for lang, time in (("zh-Hans", "下午2:30"), ("zh-Hant", "下午2:30")):
        sections = render_text(request_data(combo, lang), sample_clinic)
        summary = " ".join(sections["discharge"][0].plain_sentences())
        assert summary.startswith("11月25日 星期三，"), summary[:30]  # no year mid-text
        assert f"2026年12月9日 星期三，{time}，" in summary, summary
        calendar = sections["recovery"][0].blocks[2]
        assert isinstance(calendar, d.Table)
        assert all(re.fullmatch(r"\d{1,2}月\d{1,2}日 星期[一二三四五六日]", row[0])
                   for row in calendar.rows[1:]), calendar.rows


def test_packs_declare_an_unreviewed_translation_and_locale():
    for code, locale in (("zh-Hans", "zh_Hans_CN"), ("zh-Hant", "zh_Hant_TW")):
        pack = load_pack(code)
        assert pack.code == code and pack.format_locale == locale
        assert pack.needs_review and pack.status == "unreviewed" and pack.translated_by
        chinese, english = pack.unreviewed_notice.split(" / ")
        assert _HAN.search(chinese)
        assert english == load_pack("es").unreviewed_notice.split(" / ")[1]
        assert "2" in pack.label("levels_count", count=2)
        for key in ("free_text_marker", "bilingual_note"):
            assert _HAN.search(pack.label(key)), key


@pytest.mark.parametrize("code", ["zh-Hans", "zh-Hant"])
def test_pack_has_every_english_label_with_its_placeholders(code):
    """A label the English pack gained (short phones and sample notice for large print, the
    drawings' /Alt) is in Chinese too, with the same {placeholders}: a missing one prints
    or reads out in English."""
    english, pack = load_pack("en").labels, load_pack(code).labels
    assert set(english) - set(pack) == set()
    for key, value in english.items():
        if isinstance(value, str) and value:
            assert set(re.findall(r"{\w+}", pack[key])) == set(re.findall(r"{\w+}", value)), key
            assert _HAN.search(pack[key]), key
    assert len(pack["sample_notice_short"]) < len(pack["sample_notice"])


#: Characters written one way in Simplified and another in Traditional Chinese, among those
#: these handouts use: a Simplified one in the Traditional pack (or the other way) is a slip.
SIMPLIFIED_TRADITIONAL = dict(zip(
    "医药话诊疗术后针见头护时过节织发烧为这样还没问们给开车让觉种剂岁体听说写读"
    "钟复约电关门东带应该会长变儿几个对错实难题边处经决动脑愿离",
    "醫藥話診療術後針見頭護時過節織發燒為這樣還沒問們給開車讓覺種劑歲體聽說寫讀"
    "鐘復約電關門東帶應該會長變兒幾個對錯實難題邊處經決動腦願離", strict=True))


@pytest.mark.parametrize(("code", "wrong"), [
    ("zh-Hans", {t for s, t in SIMPLIFIED_TRADITIONAL.items() if s != t}),
    ("zh-Hant", {s for s, t in SIMPLIFIED_TRADITIONAL.items() if s != t}),
])
def test_each_pack_keeps_to_its_script(code, wrong):
    folder = templates_dir() / code
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            found = wrong & set(path.read_text(encoding="utf-8"))
            assert not found, (path.name, sorted(found))


# -- the templates keep every variable, test, include and directive of the English source ---

def _dotted(node: nodes.Node) -> str | None:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        base = _dotted(node.node)
        return f"{base}.{node.attr}" if base else None
    return None


def template_facts(path: Path) -> dict[str, Any]:
    """What a template uses, whatever its words: variables (dotted, outermost), the tests
    of its if/elif, loops, includes, boxes and @blocks."""
    tree = Environment().parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.find_all((nodes.Getattr, nodes.Name)):
        name = _dotted(node)
        if name and node.ctx == "load":  # type: ignore[union-attr]
            names.add(name)
    # keep the longest paths only ("levels.gaps" covers "levels")
    names = {n for n in names if not any(m.startswith(n + ".") for m in names)}
    tests = {repr(n.test) for n in tree.find_all(nodes.If)}  # each condition, once
    loops = {repr(n.iter) for n in tree.find_all(nodes.For)}
    includes = [repr(n.template) for n in tree.find_all(nodes.Include)]
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks = [ln.strip() for ln in lines if ln.strip().startswith((":::", "@"))]
    return {"names": names, "tests": tests, "loops": loops, "includes": includes,
            "blocks": blocks}


def _template_files(code: str) -> list[str]:
    root = templates_dir() / code
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.txt"))


@pytest.mark.parametrize("code", CHINESE)
def test_templates_keep_every_placeholder_and_condition_of_english(code):
    assert _template_files(code) == _template_files("en")
    for name in _template_files("en"):
        english = template_facts(templates_dir() / "en" / name)
        translated = template_facts(templates_dir() / code / name)
        for key in english:
            assert translated[key] == english[key], (name, key)


def test_lines_of_a_chinese_paragraph_join_without_a_space():
    section = d.parse_section("不需要缝针。\n医生先用一个小气球。\nL1 没有治疗，\nbut English "
                              "keeps\nits spaces. 한국어\n띄어쓰기", "x")
    assert [b.text for b in section.blocks] == ["不需要缝针。医生先用一个小气球。L1 没有治疗，"
                                                "but English keeps its spaces. 한국어 띄어쓰기"]


def test_bcp47_code_parses_for_plurals_and_formats():
    from dischargedesk.render.language import day_text

    pack = load_pack("zh-Hans")
    assert pack.label("levels_count", count=3) == "治疗了 3 节"
    assert "星期四" in day_text(dt.date(2026, 12, 3), pack.format_locale)
