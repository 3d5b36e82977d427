"""Issue 12 items 2 and 3, as printed: dates in each language's own form (the packs'
[dates] patterns) and the header/footer typography of each language (the colon after a
label, the page label), read back from the PDF text."""

from __future__ import annotations

import re

import pytest

from dischargedesk.domain.request import HandoutRequest
from dischargedesk.engine import render_pdf

from .conftest import TODAY, base_request_data, pdf_pages_text, pdf_text

#: a Thursday: the follow-up visit prints with its weekday and year
FOLLOW_UP = {"follow_up_date": "2026-12-03", "follow_up_time": "14:30"}
NAMES = {"zh-Hans": "王小明", "zh-Hant": "王小明", "ko": "김민준", "vi": "Nguyễn Văn An",
         "tl": "Maria Santos", "en": "Maria Example"}


def _pdf(sample_clinic, code: str, **extra: object) -> bytes:
    data = base_request_data(language=code, patient_name=NAMES[code], **FOLLOW_UP, **extra)
    return render_pdf(HandoutRequest.from_mapping(data, today=TODAY), sample_clinic)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("large", [False, True])
def test_vietnamese_dates_read_ngay_d_thang_m(sample_clinic, large):
    """"Thứ Năm, ngày 3 tháng 12" (was "Thứ Năm, 3 tháng 12"); with the year "Thứ Năm,
    ngày 3/12/2026" (was "Thứ Năm, 3 tháng 12, 2026"); the birth date "15/06/1950"; diary
    days "Thứ 5, 3/12"."""
    text = pdf_text(_pdf(sample_clinic, "vi", large_print=large))
    assert "Thứ Năm, ngày 3/12/2026" in text  # the follow-up visit
    assert "Thứ Tư, ngày 25/11/2026" in text  # the procedure, under the title
    assert "Ngày sinh: 15/06/1950" in text  # date of birth, in the footer
    assert not re.search(r"tháng \d+, \d{4}", text), "no English-style ', 2026'"
    # every day-and-month date says "ngày" before its day
    dates = re.findall(r"(\S+) (\d{1,2}) tháng \d{1,2}", text)
    assert len(dates) >= 3 and all(word == "ngày" for word, _ in dates), dates
    assert re.search(r"Thứ \d, \d{1,2}/\d{1,2}|CN, \d{1,2}/\d{1,2}", text), "diary rows"
    assert "Thứ Năm, 26/11" in text  # the recovery calendar's row for the next day


@pytest.mark.parametrize(("code", "day", "full"), [
    ("zh-Hans", "12月3日星期四", "2026年12月3日星期四"),
    ("zh-Hant", "12月3日星期四", "2026年12月3日星期四"),
    ("ko", "12월3일목요일", "2026년12월3일목요일"),
])
def test_chinese_and_korean_dates_month_day_weekday(sample_clinic, code, day, full):
    pdf = _pdf(sample_clinic, code)
    flat = squeeze(pdf_text(pdf))
    assert full in flat and day in flat
    assert "Thursday" not in flat and "December" not in flat
    # the weekday follows the day with a space, as the packs' [dates] write it
    text = pdf_text(pdf)
    spaced = "12月3日 星期四" if code.startswith("zh") else "12월 3일 목요일"
    assert spaced in text


@pytest.mark.parametrize("code", ["zh-Hans", "zh-Hant"])
def test_chinese_labels_take_the_full_width_colon(sample_clinic, code):
    """"病人：王小明", "出生日期：", "白天：" in the header and footer, the spine caption
    "治疗部位：" (was the English ": ")."""
    pages = pdf_pages_text(_pdf(sample_clinic, code))
    flat = [squeeze(p) for p in pages]
    mrn = "病历号" if code == "zh-Hans" else "病歷號碼"
    for page in flat:
        assert "病人：王小明" in page and f"{mrn}：MRN-12345" in page
        assert "出生日期：" in page
    assert any("白天：" in p for p in flat)
    assert not any(re.search(r"[\u4e00-\u9fff]:", p) for p in flat), "no ASCII colon"
    treated = "治疗部位：T12和L1" if code == "zh-Hans" else "治療部位：T12和L1"
    assert treated in flat[0]


def test_english_and_other_packs_keep_colon_space(sample_clinic):
    """label_colon is optional: a pack without it joins with ": "."""
    for code, label in (("en", "Patient: Maria Example"), ("vi", "Bệnh nhân: Nguyễn Văn An"),
                        ("ko", "환자: 김민준"), ("tl", "Pasyente: Maria Santos")):
        assert label in pdf_text(_pdf(sample_clinic, code)), code


@pytest.mark.parametrize(("code", "pattern"), [
    ("ko", r"(\d+)쪽중{page}쪽"),
    ("vi", r"Trang{page}/(\d+)"),
    ("tl", r"Pahina{page}ng(\d+)"),
    ("zh-Hans", r"第{page}页，共(\d+)页"),
    ("zh-Hant", r"第{page}頁，共(\d+)頁"),
    ("en", r"Page{page}of(\d+)"),
])
def test_page_labels_in_the_language(sample_clinic, code, pattern):
    """Korean prints "4쪽 중 1쪽" (was the bare "1/4"); every page of both handouts has its
    number and its handout's page count."""
    pages = [squeeze(p) for p in pdf_pages_text(_pdf(sample_clinic, code))]
    seen = []
    number = 0
    for page in pages:
        number += 1
        found = re.search(pattern.format(page=number), page)
        if not found:  # the second handout starts again at page 1
            number = 1
            found = re.search(pattern.format(page=number), page)
        assert found, (code, page[-80:])
        seen.append((number, int(found.group(1))))
    assert seen[0] == (1, seen[0][1]) and len(seen) == len(pages)
    assert sum(1 for n, _ in seen if n == 1) == 2  # two handouts
    if code == "ko":
        assert not any(re.search(r"(?<![\d쪽])\d/\d(?!\d)", p) for p in pages)


@pytest.mark.parametrize("code", ["zh-Hans", "zh-Hant", "ko"])
def test_layout_checks_find_the_pages_of_chinese_and_korean_handouts(sample_clinic, code):
    """The layout checks group pages by the footer's page label. A label of several runs
    (Chinese digits print in DejaVu, "第 1 页，共 4 页") or with the count first
    ("4쪽 중 1쪽") was never found: the checks saw no handout and passed blind."""
    from dischargedesk import layout_checks as lc
    from dischargedesk.engine import build_document, prepare

    data = base_request_data(language=code, patient_name=NAMES[code])
    prepared = prepare(HandoutRequest.from_mapping(data, today=TODAY), sample_clinic)
    handouts = lc.check_handouts(build_document(prepared, prepared.layouts), prepared)
    assert [h.kind for h in handouts] == ["discharge", "recovery"]
    assert all(h.count >= 3 for h in handouts)
    assert [p.label for p in handouts[0].pages] == \
        [(n, handouts[0].count) for n in range(1, handouts[0].count + 1)]
    assert not [p for p in lc.problems_of(handouts) if p.severity == "error"]
