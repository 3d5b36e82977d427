"""Generate docs/templates.md and docs/clinic-profile.md from the code, so they cannot drift.

Run ``python -m dischargedesk.docsgen`` after changing the context, parameters or format;
tests/test_docs.py fails when the committed files differ from what this produces.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .clinic.parameters import PARAMETERS
from .clinic.profile import (
    CLINIC_KEYS,
    MAX_CLINIC_LINES,
    MAX_CLINIC_TEXT,
    MAX_LOGO_BYTES,
    MAX_LOGO_PIXELS,
    MAX_LOGO_SIDE,
)
from .render.context import VARIABLES
from .render.document import BOX_KINDS, DIRECTIVES
from .render.templating import REMOVED_FILTERS, HandoutEnvironment

TEMPLATES_INTRO = """\
# Writing and customizing handout templates

> The shipped English and Spanish text is **sample content**. Your clinic's clinicians must
> review every section (and a qualified translator every translation) before patients see it.

Python owns the layout (fonts, sizes, colours, header, footer, the spine drawing); the
templates own the words. A template is a plain text file that a nurse educator can edit in
any text editor (save as UTF-8).

## Where templates live

```
templates/<language>/pack.toml              language name, translation provenance, labels
templates/<language>/discharge/NN-name.txt  sections of the discharge instructions
templates/<language>/recovery/NN-name.txt   sections of the recovery handout
templates/<language>/partials/*.txt         shared wording, pulled in with {% include %}
```

Sections print in file-name order (`10-summary.txt` before `20-first-day.txt`). A clinic
overrides a built-in file by putting a file with the same relative path in its clinic folder
under `templates/` (`dischargedesk templates export DIR` copies all of them as a start), and
can add sections by adding files. `dischargedesk templates check --clinic DIR` renders every
combination and lists problems as `FILE:LINE: message` before any patient sees them.

## The format

Each file is rendered by Jinja2 first (variables `{{ ... }}`, conditions `{% if ... %}`,
loops `{% for ... %}`, includes), then read line by line:

| a line that starts with | becomes |
|---|---|
| `# Title` | the section heading (one per file, first line) |
| `## Sub` | a sub-heading |
| `- text` | a bullet (one idea per bullet) |
| `[ ] text` | a checkbox item (teach-back) |
| `\\| a \\| b \\|` | a table row; rows in a row make a table; the first row is the header |
| `::: KIND` ... `:::` | a coloured box; KIND is one of: BOXES |
| `@NAME` | a block the program draws: DIRECTIVES |
| anything else | paragraph text; lines next to each other join; a blank line ends it |

Box kinds: `911` = call 911 now (red), `call` = call the clinic now (orange), `watch` =
watch closely (blue), `note` = plain note (grey). Inline markup: `<b>bold</b>` and
`<i>italic</i>` only, opened and closed on the same line. Write `&lt;` and `&gt;` for the
signs < and >. Everything printed with `{{ ... }}` is escaped: a patient called
`<b>O'Brien & Sons` prints exactly like that and can never become markup.

Jinja removes the line break after a `{% ... %}` tag, so that lines holding only a tag
vanish. A line that *ends* with a tag after text (`- When: {{ x }}{% if y %} at {{ y }}{% endif %}`)
would join the next line: end it with `{% endif +%}` instead (the `+` keeps the line break).
`templates check` shows the joined line as a problem in the preview.

Templates are content, not code: they cannot read files outside the language folder,
import anything, call methods (`x.upper()` is refused; use filters such as `x|upper`), or
run for more than a few seconds of work (the time the computer spends on the template, so a
busy computer does not make a template fail). Unknown variables are errors (a typo like
`{{ patient.nmae }}` is reported with its line by `templates check`). Save templates as
UTF-8 text; keep blocks (`for`, `if`, `macro`) at most 10 inside each other, brackets at
most 30, and each `{{ }}` or `{% %}` under 200 parts. The template workspace saves a
template only when its check passes: the save checks what the edited file can change (every
combination of its language and handout), then every language and bilingual print is
checked in the background and listed below the editor.

The layout keeps things together (never shrinking type below 12 pt, 18 pt in large
print): each warning box, and warning boxes that follow each other, stay on one page; the
teach-back checklist stays with its signature block; a heading stays with at least its
first two lines; a list never leaves one bullet alone on a page. A section that ends with
`@pagebreak` is a page of its own (the summary): it must fit page 1 (pages 1-2 in large
print). `@pagebreak` starts a new page only when the page is at least 40% full.
`templates check` measures all of this in the printed PDF of every combination, with the
page budget (a standard case: at most 4 pages for each handout), and names the section.

Laying out every combination's PDF is most of the check's time (the sample clinic: about
650 distinct handouts, a minute or more on two cores). The check keeps what it found for
each handout in the user cache folder (`layout/` under `~/.cache/dischargedesk`,
`%LOCALAPPDATA%\\DischargeDesk\\Cache`, `~/Library/Caches/DischargeDesk`), so the next check
lays out only the handouts whose printed text changed: after an edit of one Spanish
section, the Spanish handouts that print it; after an English one, the English handouts and
every bilingual print. A kept result is read only for exactly the same handout text, logo
file, program version, program files and fonts; the check's own sample patients are the
only people in it. `templates check --no-cache` lays out everything again;
`DISCHARGEDESK_NO_TEMPLATE_CACHE=1` turns off all the caches. A frozen installer build keeps
no layout results.

Write for a 6th-grade reading level (never above 8th): short sentences (under 15 words),
everyday words, one idea per bullet, actions first ("Call ... if ..."), numbers as digits.
`templates check` prints the Flesch-Kincaid grade of every section and warns above 8
(Crawford for Spanish). Chinese, Korean and Vietnamese have no grade formula: the check
prints sentence length and characters per sentence instead and warns when a section's
sentences average more than 20 Han characters (Chinese), 12 words (Korean) or 20 words
(Vietnamese); see docs/languages.md.

Example:

```
# Caring for your needle sites
{% if levels.known %}
{% for level in levels.list %}
- {{ level }}: you may be sore where the needle went in.
{% endfor %}
{% endif %}
- Take the bandages off on {{ dates.bandage_off }}.
::: call
## Call us now at {{ clinic.phone }} if:
- You have a fever of {{ params.fever }} or higher.
:::
```

## Adding a language

Copy `templates/en` to `templates/<code>` (a BCP 47 language tag such as `vi` or `zh-Hans`,
the PDF's /Lang), translate every file, and fill in `pack.toml`: `[language]` code, name (in
the language itself), optionally `english_name` (default: Babel's, e.g. "Chinese,
Simplified") and `locale` (the Babel locale for dates, times, numbers and plural rules, e.g.
`es_US` for 12-hour times; default: the code); optionally `[dates]`, CLDR patterns that
replace the locale's own date forms: `day` (weekday and date, no year: `M月d日 EEEE`,
`EEEE, 'ngày' d MMMM`), `full`, `birth`, `diary`, `time`; `[translation]` translated_by,
reviewed_by, date, status (`reviewed` only after a qualified translator has reviewed it,
otherwise `unreviewed`) and `unreviewed_notice` (the notice printed on every handout while
the pack is unreviewed, in the language and in English). A clinic records its own review in
`clinic.toml` under `[translation_reviews.<code>]` (`reviewed_by`, `date`), which removes the
notice. US Section 1557 requires review by a qualified translator.

Two labels are for translated handouts. `free_text_marker` is printed, in italics and in
brackets, after every line of the nurse's own text (medication lines, the blood-thinner
restart, the follow-up place): that text prints as typed, not translated, so a patient who
reads no English is told to ask the interpreter ("Not translated: ask your interpreter to
read this line to you." in English; it says *not translated* rather than *written in
English* because a nurse may type in another language or script). Every non-English pack
must have it (a pack without it is refused with its file and line); an English handout
prints no marker, so English packs may leave it empty or out. The marking happens in the
engine, not in the templates: every printed value of these fields carries it, whatever a
template does with the value (filters, `~`, macros), and a template cannot forget it.
(A template that compares these values, or counts their `|length`, sees two hidden
characters at the ends.) `bilingual_note` is printed once in a bilingual handout
(`--bilingual`, the form's Bilingual box): each section in the patient's language is
followed by the English pack's section of the same file name, without the drawings, QR
code, signatures and diary (they print once); the one-page summary keeps page 1 in the
patient's language and its English follows from page 2. A pack without `bilingual_note`
gets the built-in one of its language, else the English one.

Three texts print in the pack's language and then in English, and a screen reader reads
the English part in English (a `Span /Lang en` in the tagged PDF): `unreviewed_notice`
(English after ` / `), the label `unreviewed_short` (its one-line form on the summary page)
and the label `english_copy` (the label over each English copy in bilingual print; English
after ` · `). Keep that form: what follows the last separator is taken as English. A label
a pack lacks and takes from the English pack is read in English as a whole.
"""


def templates_md() -> str:
    env = HandoutEnvironment([])
    text = TEMPLATES_INTRO.replace("BOXES", ", ".join(f"`{k}`" for k in BOX_KINDS))
    text = text.replace("DIRECTIVES", ", ".join(f"`@{d}`" for d in DIRECTIVES))
    lines = [text, "## Variables", "", "| variable | meaning |", "|---|---|"]
    lines += [f"| `{name}` | {desc} |" for name, desc in VARIABLES.items()]
    lines += ["", "## Filters", "",
              "Jinja2's built-in filters, except these (refused for safety): "
              + ", ".join(f"`{f}`" for f in sorted(REMOVED_FILTERS)) + ".", "",
              "Available: " + ", ".join(f"`{f}`" for f in sorted(env.filters)) + ".", ""]
    return "\n".join(lines)


def clinic_profile_md() -> str:
    lines = [
        "# The clinic profile (`clinic.toml`)", "",
        "A clinic folder holds `clinic.toml`, its logo and optional `templates/` overrides. "
        "Start from `dischargedesk templates export DIR`. Every problem is reported as "
        "`FILE, line N: message` naming the key and what is allowed.", "",
        "## [clinic]", "",
        "| key | kind | required | meaning |", "|---|---|---|---|",
    ]
    cap, lines_cap = MAX_CLINIC_TEXT, MAX_CLINIC_LINES
    meaning = {
        "name": f"Clinic name, shown at the top of every page (at most {cap['name']} "
                "characters).",
        "address": f"Address lines (at most {lines_cap['address']}, {cap['address']} "
                   "characters each).",
        "phone": "Daytime phone.",
        "after_hours_phone": "After-hours phone.",
        "emergency_number": "Emergency number (default 911).",
        "portal_name": "Patient portal name.",
        "portal_url": "Patient portal address (https://); printed as a QR code.",
        "logo": f"PNG or JPEG file inside the clinic folder, at most {MAX_LOGO_BYTES // 1_000_000} "
                f"MB, {MAX_LOGO_SIDE} x {MAX_LOGO_SIDE} pixels and {MAX_LOGO_PIXELS:,} pixels "
                "in all (such as 1000 x 1000 or 2000 x 500).",
        "physicians": f"Physician names offered in the form (at most {cap['physicians']} "
                      "characters each).",
        "version": "Your version label for the profile and templates (shown in the app).",
    }
    for key, kind in CLINIC_KEYS.items():
        kind_name = "list of text" if kind is list else "text"
        req = "yes" if key in ("name", "phone") else "no"
        lines.append(f"| `{key}` | {kind_name} | {req} | {meaning[key]} |")
    lines += ["", "Text is cleaned as in the form (control and invisible characters removed) "
              "and must be printable with the handout font; a value of invisible characters "
              "only counts as empty.",
              "", "## [parameters]", "",
              "Every number that published sources disagree on is the clinic's choice. "
              "Defaults are conservative.", "",
              "| key | default | unit | allowed | meaning |", "|---|---|---|---|---|"]
    for p in PARAMETERS:
        default = f'"{p.default}"' if isinstance(p.default, str) else p.default
        lines.append(f"| `{p.key}` | {default} | {p.unit} | {p.range_text} | "
                     f"{p.description} |")
    lines += ["", "## [procedures.NAME]", "",
              "Add a procedure: `uses_balloon = true|false`. Give it a name in every language "
              "pack (`[procedures]` in `pack.toml`, in the clinic's `templates/<lang>/`).", "",
              "## [translation_reviews.LANG]", "",
              "Record the qualified translator's review of a language pack: `reviewed_by` "
              "and `date`. Until then handouts in that language carry a notice.", ""]
    return "\n".join(lines)


def main(root: Path | None = None) -> int:
    root = root or Path.cwd()
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "templates.md").write_text(templates_md(), encoding="utf-8")
    (root / "docs" / "clinic-profile.md").write_text(clinic_profile_md(), encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
