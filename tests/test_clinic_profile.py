"""Clinic profile loading: each error names the file, the line and the key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dischargedesk.clinic.parameters import PARAMETERS, defaults
from dischargedesk.clinic.profile import load_clinic, load_sample_clinic
from dischargedesk.errors import ClinicProfileError
from dischargedesk.resources import sample_clinic_dir


def clinic_dir(tmp_path: Path, toml: str, logo: bool = True) -> Path:
    folder = tmp_path / "clinic"
    folder.mkdir()
    (folder / "clinic.toml").write_text(toml, encoding="utf-8")
    if logo:
        shutil.copy(sample_clinic_dir() / "logo.png", folder / "logo.png")
    return folder


GOOD = """[clinic]
name = "Test Clinic"
phone = "555-0100"
logo = "logo.png"

[parameters]
fever_threshold_f = 101
"""


def test_sample_clinic_loads_with_every_parameter():
    c = load_sample_clinic()
    assert c.name == "Riverbend Spine Center"
    assert set(c.parameters) == {p.key for p in PARAMETERS}
    assert c.logo is not None and c.logo.is_file()
    assert set(c.procedures) >= {"kyphoplasty", "vertebroplasty"}


def test_minimal_profile_uses_defaults(tmp_path):
    c = load_clinic(clinic_dir(tmp_path, GOOD))
    assert c.parameters["fever_threshold_f"] == 101.0
    assert c.parameters["lifting_limit_lb"] == defaults()["lifting_limit_lb"]
    assert c.emergency_number == "911"


def error_for(tmp_path: Path, toml: str, logo: bool = True) -> ClinicProfileError:
    with pytest.raises(ClinicProfileError) as info:
        load_clinic(clinic_dir(tmp_path, toml, logo))
    assert "clinic.toml" in str(info.value)
    return info.value


def test_fever_of_95_refused_with_line(tmp_path):
    err = error_for(tmp_path, GOOD.replace("101", "95"))
    assert err.line == 7
    assert err.key == "parameters.fever_threshold_f"
    assert "99 to 102" in str(err)


def test_unknown_key(tmp_path):
    err = error_for(tmp_path, GOOD + "lifting_limt_lb = 10\n")
    assert err.line == 8
    assert "not a known clinical parameter" in str(err)


def test_unknown_clinic_key(tmp_path):
    err = error_for(tmp_path, GOOD.replace('phone = "555-0100"', 'phone = "555-0100"\nfax = "1"'))
    assert err.line == 4 and "clinic.fax" in str(err)


def test_wrong_type(tmp_path):
    err = error_for(tmp_path, GOOD.replace("101", '"101"'))
    assert "must be a number" in str(err)



def test_whole_number_parameter(tmp_path):
    err = error_for(tmp_path, GOOD + "follow_up_days = 7.5\n")
    assert "whole number" in str(err)


def test_choice_parameter(tmp_path):
    err = error_for(tmp_path, GOOD + 'bladder_bowel_tier = "doctor"\n')
    assert "'911'" in str(err) and "'clinic'" in str(err)


def test_missing_logo(tmp_path):
    err = error_for(tmp_path, GOOD, logo=False)
    assert err.key == "clinic.logo" and err.line == 4
    assert "does not exist" in str(err)


def test_logo_outside_folder(tmp_path):
    err = error_for(tmp_path, GOOD.replace('"logo.png"', '"../logo.png"'))
    assert "inside the clinic folder" in str(err)


def test_bad_toml_names_line(tmp_path):
    err = error_for(tmp_path, GOOD + "oops = \n")
    assert err.line == 8 and "not valid TOML" in str(err)


def test_missing_required(tmp_path):
    err = error_for(tmp_path, '[clinic]\nname = "X"\n')
    assert "clinic.phone" in str(err)



def test_missing_clinic_section(tmp_path):
    err = error_for(tmp_path, "[parameters]\n")
    assert "[clinic]" in str(err)


def test_bad_url_and_phone(tmp_path):
    err = error_for(tmp_path, GOOD.replace('logo =', 'portal_url = "javascript:alert(1)"\nlogo ='))
    assert "https://" in str(err)


def test_bad_phone(tmp_path):
    err = error_for(tmp_path, GOOD.replace("555-0100", "call <b>me</b>"))
    assert "phone number" in str(err)


def test_missing_folder_and_file(tmp_path):
    with pytest.raises(ClinicProfileError, match="does not exist"):
        load_clinic(tmp_path / "nope")
    with pytest.raises(ClinicProfileError, match=r"no clinic\.toml"):
        load_clinic(tmp_path)


def test_clinic_can_add_a_procedure(tmp_path):
    c = load_clinic(clinic_dir(tmp_path, GOOD + "\n[procedures.sacroplasty]\n"
                                               "uses_balloon = false\n"))
    assert "sacroplasty" in c.procedures


def test_translation_review_needs_reviewer(tmp_path):
    err = error_for(tmp_path, GOOD + '\n[translation_reviews.es]\ndate = "2026-11-01"\n')
    assert "reviewed_by" in str(err)


def test_profile_editor_keeps_comments_and_validates(tmp_path):
    from dischargedesk.clinic.editing import update_profile

    folder = tmp_path / "c"
    shutil.copytree(sample_clinic_dir(), folder)
    clinic = update_profile(folder, {"phone": "(555) 010-3000", "portal_url": ""},
                            {"fever_threshold_f": 101.0, "tub_bath": "until_cleared"})
    assert clinic.phone == "(555) 010-3000" and clinic.portal_url == ""
    assert clinic.parameters["fever_threshold_f"] == 101.0
    text = (folder / "clinic.toml").read_text()
    assert "# Sample clinic profile" in text  # comments survive
    before = text
    with pytest.raises(ClinicProfileError, match="too low"):
        update_profile(folder, {}, {"fever_threshold_f": 95.0})
    assert (folder / "clinic.toml").read_text() == before  # refused: file untouched
    assert [p.name for p in folder.iterdir() if p.suffix == ".tmp"] == []  # no temp left


# -- issue 11: numbers that are not numbers, crashes, text that cannot print --------------

@pytest.mark.parametrize("literal", ["nan", "inf", "-inf", "+nan"])
def test_non_finite_parameter_refused_with_line(tmp_path, literal):
    err = error_for(tmp_path, GOOD + f"lifting_limit_lb = {literal}\n")
    assert err.line == 8 and "“lifting_limit_lb” is nan or inf" in str(err)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_every_number_parameter_refuses_non_finite_values(value):
    """Parameter.check is what the profile editor and every loader use."""
    for p in PARAMETERS:
        if not p.choices:
            assert p.check(value) is not None, p.key


def test_profile_editor_refuses_nan(tmp_path):
    from dischargedesk.clinic.editing import update_profile

    folder = tmp_path / "c"
    shutil.copytree(sample_clinic_dir(), folder)
    with pytest.raises(ClinicProfileError, match="lifting_limit_lb"):
        update_profile(folder, {}, {"lifting_limit_lb": float("nan")})


@pytest.mark.parametrize(("extra", "key", "line"), [
    ("procedures = 'x'\n", "procedures", 1),
    ("translation_reviews = 5\n", "translation_reviews", 1),
    ("[translation_reviews]\n'../x' = { reviewed_by = 'A', date = '2026-11-01' }\n",
     "translation_reviews", 8),
    ("[translation_reviews]\nes = 'yes'\n", "translation_reviews.es", 9),
    ("[translation_reviews.es]\nreviewed_by = ['A']\ndate = 2026-11-01\n",
     "translation_reviews.es", 8),
    ("[procedures]\nsacroplasty = 3\n", "procedures.sacroplasty", 9),
])
def test_badly_shaped_sections_get_a_plain_message(tmp_path, extra, key, line):
    toml = extra + GOOD if line == 1 else GOOD + extra
    err = error_for(tmp_path, toml)
    assert key in str(err)
    assert err.line == line


def test_deep_arrays_and_huge_numbers_get_file_and_line(tmp_path):
    err = error_for(tmp_path, GOOD + "desk_work_days = " + "[" * 3000 + "]" * 3000 + "\n")
    assert err.line == 8 and "nested" in str(err)
    shutil.rmtree(tmp_path / "clinic")
    err = error_for(tmp_path, GOOD + "desk_work_days = " + "9" * 5000 + "\n")
    assert err.line == 8 and "too long" in str(err)


def test_bom_and_windows_1252_clinic_toml(tmp_path):
    folder = clinic_dir(tmp_path, GOOD)
    (folder / "clinic.toml").write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert load_clinic(folder).name == "Test Clinic"  # PowerShell writes a BOM
    (folder / "clinic.toml").write_bytes(GOOD.replace("Test", "Clínica").encode("cp1252"))
    with pytest.raises(ClinicProfileError) as err:
        load_clinic(folder)
    assert "UTF-8" in str(err.value) and err.value.line == 2


def _logo(folder: Path, data: bytes) -> None:
    (folder / "logo.png").write_bytes(data)


@pytest.mark.parametrize("kind", ["empty", "corrupt", "svg", "truncated"])
def test_unreadable_logo_says_so_and_which_formats_work(tmp_path, kind):
    folder = clinic_dir(tmp_path, GOOD)
    good = (folder / "logo.png").read_bytes()
    _logo(folder, {"empty": b"", "corrupt": b"\x89PNG\r\n\x1a\nnot really",
                   "svg": b'<svg xmlns="http://www.w3.org/2000/svg"/>',
                   "truncated": good[: len(good) // 2]}[kind])
    with pytest.raises(ClinicProfileError) as err:
        load_clinic(folder)
    assert "cannot be read" in str(err.value) and "PNG or JPEG" in str(err.value)
    assert err.value.key == "clinic.logo" and err.value.line == 4


def test_huge_logo_refused_from_its_header_before_decoding(tmp_path):
    """A 20000 x 20000 PNG (a few hundred kB, 1.6 GB decoded) is refused quickly."""
    import time

    from PIL import Image

    folder = clinic_dir(tmp_path, GOOD)
    Image.new("1", (20000, 20000)).save(folder / "logo.png", optimize=True)
    assert (folder / "logo.png").stat().st_size < 2_000_000
    start = time.perf_counter()
    with pytest.raises(ClinicProfileError, match=r"pixels; use an image of at most 4000 x 4000"):
        load_clinic(folder)
    assert time.perf_counter() - start < 1.0


def test_clinic_text_fields_capped_and_font_checked(tmp_path):
    err = error_for(tmp_path, GOOD.replace('logo =', 'address = ["' + "A" * 100_000 +
                                           '"]\nlogo ='))
    assert err.key == "clinic.address" and "too long" in str(err) and "AAAA" not in str(err)
    shutil.rmtree(tmp_path / "clinic")
    # (Chinese prints since issue 12: Thai is a script no embedded font has)
    err = error_for(tmp_path, GOOD.replace("Test Clinic", "คลินิก"))
    assert err.key == "clinic.name" and "font" in str(err)
    shutil.rmtree(tmp_path / "clinic")
    err = error_for(tmp_path, GOOD.replace('logo =', 'physicians = ["Dr สมชาย"]\nlogo ='))
    assert err.key == "clinic.physicians" and "font" in str(err)


@pytest.mark.parametrize("blank", ["\u200d\u200c", "\u2800\u2800", "\u034f", "\u3164",
                                   "\u00a0\u2003"])
def test_invisible_clinic_name_is_missing(tmp_path, blank):
    err = error_for(tmp_path, GOOD.replace("Test Clinic", blank))
    assert err.key == "clinic.name" and "required" in str(err)
