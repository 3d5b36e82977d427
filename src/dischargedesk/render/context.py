"""Request + clinic profile + computed facts -> the plain-data template context.

The context holds only str, int, float, bool, lists and dicts, so the sandboxed templates
cannot call methods on application objects. Every variable is documented in
``VARIABLES`` (which generates docs/templates.md).
"""

from __future__ import annotations

from typing import Any

from ..domain.calendar import recovery_dates
from ..domain.clinic import ClinicProfile
from ..domain.request import HandoutRequest
from .language import (
    LanguagePack,
    birth_date_text,
    day_text,
    full_date_text,
    list_text,
    number_text,
    time_text,
)

LB_TO_KG = 0.45359237


def fahrenheit_to_celsius(f: float) -> float:
    return (f - 32) * 5 / 9


def build_context(request: HandoutRequest, clinic: ClinicProfile,
                  pack: LanguagePack) -> dict[str, Any]:
    lang = pack.code
    p = clinic.parameters
    facts = request.level_facts
    procedure = clinic.procedures[request.procedure]
    dates = recovery_dates(request.procedure_date, p, request.follow_up_date)
    gaps = facts.gaps
    fever_f = float(p["fever_threshold_f"])
    lift_lb = float(p["lifting_limit_lb"])
    return {
        "language": lang,
        "large_print": request.large_print,
        "patient": {
            "name": request.patient_name,
            "date_of_birth": birth_date_text(request.date_of_birth, lang)
            if request.date_of_birth else "",
            "mrn": request.mrn,
            "caregiver": request.caregiver,
        },
        "procedure": {
            "id": procedure.id,
            "name": pack.procedures.get(procedure.id, procedure.id.capitalize()),
            "uses_balloon": procedure.uses_balloon,
        },
        "levels": {
            "known": facts.known,
            "list": list(facts.names),
            "text": list_text(facts.names, lang) if facts.known
            else pack.label("levels_count", count=facts.count),
            "count": facts.count,
            "several": facts.count > 1,
            "thoracic": facts.thoracic,
            "three_or_more": facts.three_or_more,
            "lung_risk": facts.lung_risk,
            "gaps": gaps,
            "gaps_text": list_text(gaps, lang),
            "sites_min": facts.count,
            "sites_max": facts.count * 2,
        },
        "anesthesia": {
            "id": request.anesthesia,
            "sedated": request.anesthesia in ("sedation", "general"),
        },
        "brace": request.brace,
        "opioids": request.opioids,
        "medications": request.medication_lines,
        "blood_thinner": request.blood_thinner,
        "physician": request.physician,
        "follow_up": {
            "scheduled": request.follow_up_date is not None,
            "date": full_date_text(request.follow_up_date, lang)
            if request.follow_up_date else "",
            "time": time_text(request.follow_up_time, lang) if request.follow_up_time else "",
            "with_whom": request.follow_up_with,
            "where": request.follow_up_where,
        },
        "clinic": {
            "name": clinic.name,
            "address": list(clinic.address),
            "phone": clinic.phone,
            "after_hours_phone": clinic.after_hours_phone,
            "emergency_number": clinic.emergency_number,
            "portal_name": clinic.portal_name,
            "portal_url": clinic.portal_url,
        },
        "params": {
            "lifting_limit": f"{number_text(lift_lb, lang)} lb "
                             f"({number_text(lift_lb * LB_TO_KG, lang)} kg)",
            "lifting_limit_lb": number_text(lift_lb, lang),
            "first_shower_hours": p["first_shower_hours"],
            "bandage_hours": p["bandage_removal_hours"],
            "no_driving_hours": p["no_driving_hours"],
            "fever": f"{number_text(fever_f, lang)} °F "
                     f"({number_text(fahrenheit_to_celsius(fever_f), lang)} °C)",
            "bladder_bowel_911": p["bladder_bowel_tier"] == "911",
            "ice_on_minutes": p["ice_on_minutes"],
            "ice_off_minutes": p["ice_off_minutes"],
            "follow_up_days": p["follow_up_days"],
            "adult_stay_hours": p["adult_stay_hours"],
            "bending_until_follow_up": p["bending_restriction"] == "until_follow_up",
            "tub_until_follow_up": p["tub_bath"] == "until_follow_up",
            "desk_work_days": p["desk_work_days"],
        },
        "dates": {
            **{key: day_text(value, lang) for key, value in dates.items()},
            "procedure": full_date_text(request.procedure_date, lang),
            "procedure_short": day_text(request.procedure_date, lang),
        },
    }
