"""Request + clinic profile + computed facts -> the plain-data template context.

The context holds only str, int, float, bool, lists and dicts, so the sandboxed templates
cannot call methods on application objects. Every variable is documented in
``VARIABLES`` (which generates docs/templates.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..clinic.profile import ClinicProfile
from ..domain.calendar import calendar_events, recovery_dates, restriction_limits
from ..domain.request import HandoutRequest
from .language import (
    LanguagePack,
    birth_date_text,
    day_text,
    full_date_text,
    list_text,
    number_text,
    sentence_start,
    time_text,
)
from .templating import free_text

LB_TO_KG = 0.45359237


def fahrenheit_to_celsius(f: float) -> float:
    return (f - 32) * 5 / 9


def in_sentence(name: str) -> str:
    """A procedure name as written mid-sentence: "Kyphoplasty" -> "kyphoplasty" (English
    and Spanish write these names in lower case); an acronym such as "PVP" stays."""
    if len(name) > 1 and name[1].isupper():
        return name
    return name[:1].lower() + name[1:]


def build_context(request: HandoutRequest, clinic: ClinicProfile, pack: LanguagePack,
                  shared: dict[tuple[Any, ...], Any] | None = None) -> dict[str, Any]:
    """The template context of a request. ``shared`` (a template check's, engine.RenderMemo)
    keeps the parts that depend only on the clinic, the language and the dates, so the
    combinations of one language and dates share them (the sandbox cannot change a value:
    ImmutableSandboxedEnvironment); never a name, birth date, number or free text."""
    lang = pack.format_locale
    pattern = pack.dates.get  # the pack's own date forms ([dates]), else the locale's
    # (a field marked untranslated in the field table must be wrapped below: a test
    # renders each one and looks for the marker)
    facts = request.level_facts
    procedure = clinic.procedures[request.procedure]
    name = pack.procedures.get(procedure.id, procedure.id.capitalize())
    gaps = facts.gaps
    if shared is None:
        dated = _dated(request.procedure_date, request.follow_up_date, clinic, pack)
    else:  # (the clinic and the pack are kept with their parts: their ids stay theirs)
        key = (id(clinic), id(pack), request.procedure_date, request.follow_up_date)
        if key not in shared:
            shared[key] = (clinic, pack, _dated(request.procedure_date,
                                                request.follow_up_date, clinic, pack))
        dated = shared[key][2]
    return {
        "language": pack.code,
        "large_print": request.large_print,
        "patient": {
            "name": request.patient_name,
            "date_of_birth": birth_date_text(request.date_of_birth, lang, pattern("birth"))
            if request.date_of_birth else "",
            "mrn": request.mrn,
            "caregiver": request.caregiver,
        },
        "procedure": {
            "id": procedure.id,
            "name": name,
            "in_sentence": in_sentence(name),
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
        # the nurse's free text (field table: untranslated) is marked so that a
        # translated handout prints it flagged, whatever the template does with it
        "medications": [free_text(line) for line in request.medication_lines],
        "blood_thinner": free_text(request.blood_thinner),
        "physician": request.physician,
        "follow_up": {
            "scheduled": request.follow_up_date is not None,
            "date": dated["follow_up_date"],
            "time": time_text(request.follow_up_time, lang, pattern("time"))
            if request.follow_up_time else "",
            "with_whom": request.follow_up_with,
            "where": free_text(request.follow_up_where),
        },
        "clinic": dated["clinic"],
        "params": dated["params"],
        "limits": dated["limits"],
        # a calendar row starts with its date: "Jueves, 3 de diciembre"
        "calendar": dated["calendar"],
        "dates": dated["dates"],
    }


def _dated(procedure_date: dt.date, follow_up_date: dt.date | None, clinic: ClinicProfile,
           pack: LanguagePack) -> dict[str, Any]:
    """The parts of the context made from the clinic, the language and the two dates."""
    lang = pack.format_locale
    pattern = pack.dates.get

    def day(value: dt.date) -> str:  # inside a sentence: "jueves, 3 de diciembre"
        return day_text(value, lang, pattern("day"))

    p = clinic.parameters
    dates = recovery_dates(procedure_date, p, follow_up_date)
    limits = restriction_limits(procedure_date, p, follow_up_date)
    events = calendar_events(procedure_date, p, follow_up_date)
    fever_f = float(p["fever_threshold_f"])
    lift_lb = float(p["lifting_limit_lb"])
    return {
        "follow_up_date": full_date_text(follow_up_date, lang, pattern("full"))
        if follow_up_date else "",
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
            "sedation_rules_hours": p["sedation_rules_hours"],
            "brace_in_shower": p["brace_in_shower"] == "on",
            "brace_in_bed": p["brace_in_bed"] == "on",
        },
        "limits": {key: {"date": day(limit.end), "until_visit": limit.until_visit}
                   for key, limit in limits.items()},
        # a calendar row starts with its date: "Jueves, 3 de diciembre"
        "calendar": [{"date": sentence_start(day_text(when, lang, pattern("calendar")
                                                      or pattern("day"))), "events": ids}
                     for when, ids in events],
        "dates": {
            **{key: day(value) for key, value in dates.items()},
            "procedure": full_date_text(procedure_date, lang, pattern("full")),
            "procedure_short": day(procedure_date),
        },
    }


#: Every template variable, documented (docs/templates.md is generated from this; a test
#: checks that it matches the context exactly).
VARIABLES: dict[str, str] = {
    "language": "Handout language code, e.g. `en`.",
    "large_print": "True when the nurse chose large print.",
    "patient.name": "Patient name as typed (printed in the footer of every page already).",
    "patient.date_of_birth": "Date of birth, formatted for the language; empty if not given.",
    "patient.mrn": "Medical record number; empty if not given.",
    "patient.caregiver": "Caregiver name; may be empty.",
    "procedure.id": "`kyphoplasty`, `vertebroplasty` or a clinic's own procedure id.",
    "procedure.name": "Procedure name in the handout language (from pack.toml).",
    "procedure.in_sentence": "Procedure name as written mid-sentence (`kyphoplasty`; an "
                             "acronym stays as it is).",
    "procedure.uses_balloon": "True for kyphoplasty: a balloon made a space before the cement.",
    "levels.known": "True when the levels were recorded; false when only a count was given.",
    "levels.list": "Treated levels in spine order, e.g. `['T12', 'L1']`; empty when unknown.",
    "levels.text": "The levels as words: `T12 and L1`, or `2 levels treated` when unknown.",
    "levels.count": "Number of treated levels.",
    "levels.several": "True when more than one level was treated.",
    "levels.thoracic": "True when any treated level is thoracic (T1-T12).",
    "levels.three_or_more": "True with 3 or more treated levels.",
    "levels.lung_risk": "True with 3+ levels or any thoracic level: print the stronger "
                        "breathing warning.",
    "levels.gaps": "Untreated levels between treated ones (they break again more often).",
    "levels.gaps_text": "`levels.gaps` as words, e.g. `L1`.",
    "levels.sites_min": "Fewest needle sites (one per level).",
    "levels.sites_max": "Most needle sites (two per level).",
    "anesthesia.id": "`local`, `sedation` or `general`.",
    "anesthesia.sedated": "True after sedation or general anesthesia (an adult stays).",
    "brace": "True when a brace was prescribed.",
    "opioids": "True when opioid pain medicine was prescribed.",
    "medications": "The nurse's medication instructions, one list item per line (free "
                   "text: in a translated handout each printed line is followed by the "
                   "language's \"written in English\" marker).",
    "blood_thinner": "When to restart blood thinners; empty if not given (free text, "
                     "marked like `medications`).",
    "physician": "The physician's name; may be empty.",
    "follow_up.scheduled": "True when a follow-up date was entered.",
    "follow_up.date": "Follow-up date with weekday and year; empty when not scheduled.",
    "follow_up.time": "Follow-up time, e.g. `10:30 AM`; may be empty.",
    "follow_up.with_whom": "Who the follow-up is with; may be empty.",
    "follow_up.where": "Where the follow-up is; may be empty (free text, marked like "
                       "`medications`).",
    "clinic.name": "Clinic name.",
    "clinic.address": "Clinic address, a list of lines.",
    "clinic.phone": "Clinic phone (daytime).",
    "clinic.after_hours_phone": "After-hours phone; may be empty.",
    "clinic.emergency_number": "Emergency number, `911` unless the clinic sets another.",
    "clinic.portal_name": "Patient portal name; may be empty.",
    "clinic.portal_url": "Patient portal web address; may be empty.",
    "params.lifting_limit": "Lifting limit with both units, e.g. `10 lb (4.5 kg)`.",
    "params.lifting_limit_lb": "Lifting limit in pounds.",
    "params.first_shower_hours": "Hours before the first shower.",
    "params.bandage_hours": "Hours before the bandages come off.",
    "params.no_driving_hours": "Hours of no driving.",
    "params.fever": "Fever threshold with both units, e.g. `100.4 °F (38 °C)`.",
    "params.bladder_bowel_911": "True: loss of bladder or bowel control is a 911 sign; false: "
                                "call the clinic now.",
    "params.ice_on_minutes": "Minutes of ice on.",
    "params.ice_off_minutes": "Minutes of ice off.",
    "params.follow_up_days": "Days to the follow-up visit when none is booked.",
    "params.adult_stay_hours": "Hours an adult stays after sedation.",
    "params.bending_until_follow_up": "True: no bending or twisting until the follow-up visit; "
                                      "false: until the doctor clears it.",
    "params.tub_until_follow_up": "True: no tub, pool or hot tub until the follow-up visit; "
                                  "false: until the doctor clears it.",
    "params.desk_work_days": "Days before desk work may start.",
    "params.sedation_rules_hours": "Hours after sedation with no alcohol, driving, important "
                                   "decisions or legal papers.",
    "params.brace_in_shower": "True: keep the brace on in the shower; false: take it off.",
    "params.brace_in_bed": "True: keep the brace on in bed; false: take it off to sleep.",
    "limits.lifting.date": "Last day of the lifting limit: the booked follow-up visit, or "
                           "the limit's minimum when the visit is earlier or not booked.",
    "limits.lifting.until_visit": "True only when a booked visit falls on or after the "
                                  "minimum: then say \"until your follow-up visit\".",
    "limits.bending.date": "Last day of the no-bending, no-twisting rule (as above).",
    "limits.bending.until_visit": "True when the bending rule ends at the booked visit.",
    "limits.soaking.date": "Last day with no tub bath, pool or hot tub (as above).",
    "limits.soaking.until_visit": "True when the soaking rule ends at the booked visit.",
    "calendar": "Recovery calendar rows in date order: `row.date` (text) and `row.events` "
                "(ids: procedure, day1, bandage_off, shower, pain_relief, driving, desk_work, "
                "follow_up or book_visit, limits_end or lifting_end, bending_end, soaking_end, "
                "light_work, healed, month3).",
    "dates.procedure": "Procedure date with weekday and year.",
    "dates.procedure_short": "Procedure date with weekday, no year.",
    "dates.day1": "Day after the procedure.",
    "dates.day2": "Two days after.",
    "dates.day3": "Three days after (latest usual pain relief).",
    "dates.bandage_off": "When the bandages come off.",
    "dates.shower": "First shower.",
    "dates.driving": "First day driving may be allowed.",
    "dates.week1": "One week after.",
    "dates.desk_work": "When desk work may start.",
    "dates.follow_up": "Follow-up visit (booked, or the day to aim for).",
    "dates.week2": "Two weeks after.",
    "dates.week3": "Three weeks after.",
    "dates.week4": "Four weeks after.",
    "dates.week6": "Six weeks after.",
    "dates.month3": "Three months after (lifting limit review).",
}


def flatten_keys(context: dict[str, Any], prefix: str = "") -> set[str]:
    """Dotted names of a context (nested dicts become ``a.b``)."""
    keys: set[str] = set()
    for key, value in context.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            keys |= flatten_keys(value, name + ".")
        else:
            keys.add(name)
    return keys
