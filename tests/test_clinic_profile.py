"""Clinic profile loading: each error names the file, the line and the key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dischargedesk.domain.clinic import load_clinic, load_sample_clinic
from dischargedesk.domain.parameters import PARAMETERS, defaults
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
    from dischargedesk.domain.profile_edit import update_profile

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
