"""The one table of request fields: name, label, kind, length cap, command-line option and
help text. The request's labels and caps, the CLI's options, the JSON Schema and the form's
limits all come from here, so a new field is added in one place (and the dataclass in
request.py, which a test keeps in step with this table).
"""

from __future__ import annotations

from dataclasses import dataclass

#: The kinds of value; the form picks its widget by kind (text line, text box, date field,
#: time field, choice box, check box, the level picker).
KINDS = ("text", "multiline", "date", "time", "choice", "flag", "levels", "count", "list")


@dataclass(frozen=True)
class Field:
    name: str
    label: str  # in messages and on the form
    kind: str
    cap: int | None = None  # length cap of free text (characters)
    metavar: str | None = None  # the CLI's placeholder
    help: str = ""  # one line for --help and the schema's description
    group: str = "patient"  # "patient": who and what; "handouts": how they print
    cli: str | None = ""  # option name; "" = derived from the name; None = not an option
    #: free text the nurse writes in English that a translated handout prints as typed:
    #: the handout marks it in its own language (pack label ``free_text_marker``) and the
    #: form says it will print in English. Names (patient, physician, caregiver, "with
    #: whom") are not marked: a name reads the same in every language.
    untranslated: bool = False

    @property
    def option(self) -> str | None:
        if self.cli is None:
            return None
        return self.cli or "--" + self.name.replace("_", "-")


FIELDS: tuple[Field, ...] = (
    Field("procedure", "Procedure", "choice",
          help="kyphoplasty or vertebroplasty (or a clinic's own)"),
    Field("levels", "Levels treated", "levels",
          help="levels treated, in any order, e.g. T12,L1 or a range T11-L1"),
    Field("level_count", "Number of levels", "count", metavar="N",
          help="number of levels (1-10) when the levels were not recorded"),
    Field("patient_name", "Patient name", "text", cap=100, metavar="NAME"),
    Field("date_of_birth", "Date of birth", "date", metavar="YYYY-MM-DD"),
    Field("mrn", "MRN", "text", cap=30, metavar="ID", help="medical record number"),
    Field("procedure_date", "Procedure date", "date", metavar="YYYY-MM-DD",
          help="default: today"),
    Field("anesthesia", "Anesthesia", "choice", help="local, sedation or general "
          "(default: sedation)"),
    Field("brace", "Brace prescribed", "flag", help="a brace was prescribed"),
    Field("opioids", "Opioid pain medicine", "flag", help="opioid pain medicine was "
          "prescribed"),
    Field("medications", "Medication instructions", "multiline", cap=2000, metavar="LINE",
          cli="--medication",
          help="one line of medication instructions (repeat for more lines)",
          untranslated=True),
    Field("blood_thinner", "Blood thinner restart", "text", cap=300, metavar="TEXT",
          help="when to restart blood thinners", untranslated=True),
    Field("physician", "Physician", "text", cap=100, metavar="NAME"),
    Field("follow_up_date", "Follow-up date", "date", metavar="YYYY-MM-DD"),
    Field("follow_up_time", "Follow-up time", "time", metavar="HH:MM"),
    Field("follow_up_with", "Follow-up with", "text", cap=100, metavar="NAME"),
    Field("follow_up_where", "Follow-up place", "text", cap=200, metavar="PLACE",
          untranslated=True),
    Field("caregiver", "Caregiver name", "text", cap=100, metavar="NAME"),
    Field("language", "Language", "choice", group="handouts",
          help="handout language code, default en"),
    Field("large_print", "Large print", "flag", group="handouts", help="body text at 18 pt"),
    Field("bilingual", "Bilingual", "flag", group="handouts",
          help="print the clinic's English text after each section of a handout in "
               "another language"),
    Field("handouts", "Handouts", "list", metavar="LIST", group="handouts",
          help="discharge,recovery (default: both)"),
)

FIELD: dict[str, Field] = {f.name: f for f in FIELDS}
#: Fields whose text prints as typed (in English) and is marked in a translated handout.
UNTRANSLATED: frozenset[str] = frozenset(f.name for f in FIELDS if f.untranslated)
