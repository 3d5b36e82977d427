"""Command line: ``dischargedesk [render|sample|templates] ...``; no arguments opens the app.

Contract: PDFs are written under names without patient data, each written path is printed
on its own line, exit 0. Bad input: exit 2 and one line on stderr naming the field. Other
failures: exit 1 with a plain sentence. Never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import logging
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

from ._meta import APP_NAME, __version__
from .archive import cli as archive_cli
from .ehr import cli as ehr_options
from .errors import DischargeDeskError

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse with messages built from option names only.

    argparse's own messages quote what was typed ("invalid choice: 'Smith'", "unrecognized
    arguments: Smith"), and an unquoted surname is exactly what a nurse types. So its text
    is never printed: :meth:`error` keeps only the kind of problem and the names of this
    parser's own options that it mentions, and writes a new sentence from those."""

    def _names(self) -> set[str]:
        names: set[str] = set()
        for action in self._actions:
            names.update(action.option_strings)
            if not action.option_strings:
                names.update(n for n in (action.dest, action.metavar) if isinstance(n, str))
        return names

    def _option(self, message: str) -> str | None:
        m = re.match(r"argument ([^:\s]+(?:/[^:\s]+)*):", message)
        if not m:
            return None
        known = self._names()
        parts = [p for p in m.group(1).split("/") if p in known]
        return parts[-1] if parts else None

    def _action(self, name: str | None) -> argparse.Action | None:
        for action in self._actions:
            if name in action.option_strings or (not action.option_strings and name in (
                    action.dest, action.metavar)):
                return action
        return None

    def _choices(self, option: str | None) -> str:
        action = self._action(option)
        return ", ".join(str(c) for c in action.choices) if action and action.choices else ""

    def _shown(self, name: str) -> str:
        """An option as a person types it; a sub-command slot as "a command (one of ...)"."""
        action = self._action(name)
        if isinstance(action, argparse._SubParsersAction):
            return f"a command (one of: {self._choices(name)})"
        return name

    def error(self, message: str) -> NoReturn:
        option = self._option(message)
        what = option or "an option"
        if "invalid choice" in message:
            choices = self._choices(option)
            if isinstance(self._action(option), argparse._SubParsersAction):
                text = f"the command must be one of: {choices}"
            else:
                text = f"{what} must be one of: {choices}" if choices else \
                    f"{what} is not one of the allowed values"
        elif "invalid int value" in message:
            text = f"{what} must be a whole number"
        elif "expected one argument" in message or "expected at least one" in message:
            text = f"{what} needs a value after it"
        elif "not allowed with argument" in message:
            other = re.search(r"not allowed with argument (\S+)$", message)
            both = [n for n in (option, other.group(1) if other else None)
                    if n in self._names()]
            text = (" and ".join(both) if len(both) == 2 else "two of these options") + \
                " cannot be used together"
        elif message.startswith("the following arguments are required:"):
            missing = [n.strip() for n in message.split(":", 1)[1].split(",")]
            text = "missing " + ", ".join(self._shown(n) for n in missing if n in self._names())
        elif message.startswith("unrecognized arguments"):
            text = ("an argument was not recognised (put a value with spaces, such as a "
                    "name, in quotes)")
        elif "ambiguous option" in message:
            text = "an option name is abbreviated in a way that fits several options"
        else:
            text = f"{what} is not valid here"
        # one line, no usage dump, no typed value
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {text}; see '{self.prog} --help'.\n")


def _request_options(p: argparse.ArgumentParser) -> None:
    """One option per request field, from the field table (domain/fields.py)."""
    from .domain.fields import FIELDS
    from .domain.request import ANESTHESIA

    groups = {"patient": p.add_argument_group("the patient and the procedure"),
              "handouts": p.add_argument_group("the handouts")}
    levels = groups["patient"].add_mutually_exclusive_group()  # levels or only their number
    for f in FIELDS:
        if f.option is None:
            continue
        where = levels if f.kind in ("levels", "count") else groups[f.group]
        kwargs: dict[str, Any] = {"help": f.help or None}
        if f.metavar:
            kwargs["metavar"] = f.metavar
        if f.kind == "flag":
            kwargs.update(action="store_true", default=None)
        elif f.kind == "count":
            kwargs["type"] = int
        elif f.kind == "multiline":  # one option per line
            kwargs.update(action="append", dest=f"{f.name}_lines")
        if f.name == "anesthesia":
            kwargs["choices"] = ANESTHESIA
        where.add_argument(f.option, **kwargs)
    o = groups["handouts"]
    o.add_argument("--clinic", metavar="DIR", type=Path,
                   help="clinic folder (clinic.toml + templates); default: the site's clinic "
                        "(site.toml), else the sample clinic; refused when the site locks it")
    o.add_argument("--request", metavar="FILE.json",
                   help="read request fields from a JSON file ('-' for standard input); "
                        "options given on the command line win")
    o.add_argument("--out", metavar="DIR", type=Path, required=True,
                   help="folder for the PDFs (created if missing)")


def _field_options() -> list[str]:
    """Request fields that are single-value options (multi-line ones are joined by _render)."""
    from .domain.fields import FIELDS

    return [f.name for f in FIELDS if f.option is not None and f.kind != "multiline"]


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="dischargedesk", description=f"{APP_NAME}: discharge and recovery "
                "handouts after kyphoplasty and vertebroplasty. With no command, opens the "
                "app.")
    p.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    p.add_argument("--clinic", dest="app_clinic", metavar="DIR", type=Path,
                   help="clinic folder for the app (default: site setting or sample clinic)")
    ehr_options.add_app_options(p)
    sub = p.add_subparsers(dest="command", parser_class=_Parser)
    r = sub.add_parser("render", help="write handout PDFs for one patient",
                       description="Write the handout PDFs for one patient into --out.")
    _request_options(r)
    ehr_options.add_render_options(r)  # --patient-context, --chart-outbox... (docs/ehr.md)
    s = sub.add_parser("sample", help="write sample handouts for a fictional patient",
                       description="Write both handouts for a fictional patient (the "
                       "site's clinic, else the sample clinic), to see what the app makes.")
    s.add_argument("--out", type=Path, default=Path("sample-handouts"), metavar="DIR")
    s.add_argument("--clinic", metavar="DIR", type=Path)
    s.add_argument("--large-print", action="store_true")
    tp = sub.add_parser("templates", help="export or check clinic templates",
                        description="Work with handout templates.")
    tsub = tp.add_subparsers(dest="templates_command", parser_class=_Parser, required=True)
    ex = tsub.add_parser("export", help="copy the built-in templates and a sample clinic.toml "
                         "into DIR as a starting point")
    ex.add_argument("dir", type=Path, metavar="DIR")
    ex.add_argument("--force", action="store_true", help="overwrite files that exist")
    ck = tsub.add_parser("check", help="render every template for every combination and "
                         "list problems as FILE:LINE: message")
    ck.add_argument("--clinic", type=Path, metavar="DIR")
    ck.add_argument("--no-pdf", action="store_true", help="skip the PDF layout step (faster)")
    ck.add_argument("--no-cache", action="store_true",
                    help="lay out every handout again, not reading what earlier checks found "
                    "for handouts that have not changed")
    ck.add_argument("--language", action="append", metavar="CODE",
                    help="check this language only (repeat for more; bilingual print of "
                    "each non-English one included); default: every language")
    archive_cli.add_parser(sub)  # dischargedesk archive list|reprint|purge|verify|init-key
    t = sub.add_parser("selftest", help="check that this installation works",
                       description="Render the sample handouts in memory and (unless "
                       "--no-window) open and close the main window; prints 'selftest ok'.")
    t.add_argument("--no-window", action="store_true", help="skip the window check")
    return p


MAX_REQUEST_BYTES = 1_000_000  # a request is a few hundred bytes; 1 MB is not one


def _read_request_bytes(spec: str) -> bytes:
    from .errors import RequestError

    shown = "on standard input" if spec == "-" else spec
    try:
        if spec == "-":
            stream = getattr(sys.stdin, "buffer", None)
            if stream is None:  # already text (an embedding program): refuse what it mangled
                text = sys.stdin.read(MAX_REQUEST_BYTES + 1)
                return text.encode("utf-8", errors="strict")
            return bytes(stream.read(MAX_REQUEST_BYTES + 1))
        with open(spec, "rb") as fh:
            return fh.read(MAX_REQUEST_BYTES + 1)
    except UnicodeError:  # lone surrogates: the text layer could not decode the bytes
        raise RequestError("request", f"The request {shown} is not UTF-8 text; save it as "
                           "UTF-8 and try again.") from None
    except OSError:
        raise RequestError("request", f"The request file {shown} cannot be read; check the "
                           "path.") from None


def _read_request_file(spec: str) -> dict[str, Any]:
    from .errors import RequestError
    from .textio import TextFormatError, decode_utf8, loads_json

    shown = "on standard input" if spec == "-" else spec
    raw = _read_request_bytes(spec)
    if len(raw) > MAX_REQUEST_BYTES:
        raise RequestError("request", f"The request file {shown} is larger than 1 MB, so it "
                           "is not a request; check the file.")
    try:
        data = loads_json(decode_utf8(raw))
    except TextFormatError as exc:
        where = f", line {exc.line}" if exc.line else ""
        raise RequestError("request", f"The request file {shown}{where} cannot be used: "
                           f"{exc.reason}.") from None
    if not isinstance(data, dict):
        raise RequestError("request", "The request file must hold one JSON object.")
    return data


def _render(args: argparse.Namespace, today: dt.date) -> list[Path]:
    data: dict[str, Any] = _read_request_file(args.request) if args.request else {}
    for name in _field_options():
        value = getattr(args, name)
        if value is not None:
            data[name] = value
    if args.medications_lines:
        data["medications"] = "\n".join(args.medications_lines)
    source = _clinic_source(args.clinic)  # once: the record, the render and the chart use it
    data = ehr_options.apply_context(args, data, source.clinic)  # fills what options left
    if "levels" in data and args.level_count is not None:
        data.pop("levels")
    if "level_count" in data and args.levels is not None:
        data.pop("level_count")
    archive = archive_cli.open_for_render(args)  # None when off; a wrong key stops here
    paths = _write_handouts(data, source, args.out, today)
    archive_cli.record_render(archive, args, data, source, paths, today)
    return paths + ehr_options.file_to_chart(args, data, paths, today, source.clinic)


def _write_handouts(data: dict[str, Any], source: Any, out: Path,
                    today: dt.date) -> list[Path]:
    from .domain.calendar import procedure_date_warning, request_warnings
    from .domain.request import HandoutRequest
    from .engine import render_handouts
    from .output import write_files_atomic

    request = HandoutRequest.from_mapping(data, today=today)
    for warning in request_warnings(request, source.clinic):
        print(f"dischargedesk: warning: {warning}", file=sys.stderr)
    handouts = render_handouts(request, source.clinic)
    paths = write_files_atomic(out, [(h.file_name, h.pdf) for h in handouts],
                               create_folder=True)
    warning = procedure_date_warning(request.procedure_date, today)
    if warning:  # written anyway (a late print can be right), but never unnoticed
        print(f"dischargedesk: warning: {warning}", file=sys.stderr)
    return paths


def _clinic_source(folder: Path | None) -> Any:
    """The clinic exactly as the app chooses it (site settings, checked share copy, lock on
    --clinic); the banner of a fallback becomes one warning line on stderr."""
    from .clinic.source import resolve_clinic

    source = resolve_clinic(folder=folder)
    if source.banner:
        print(f"dischargedesk: warning: {source.banner}", file=sys.stderr)
    return source


def _sample(args: argparse.Namespace, today: dt.date) -> list[Path]:
    from .sample import sample_request_data

    data = sample_request_data(today) | ({"large_print": True} if args.large_print else {})
    return _write_handouts(data, _clinic_source(args.clinic), args.out, today)


def _templates(args: argparse.Namespace) -> int:
    if args.templates_command == "export":
        from .clinic.folder import export_starter

        for path in export_starter(args.dir, force=args.force):
            print(path)
        return EXIT_OK
    from .checks import check_templates
    from .clinic.profile import load_clinic, load_sample_clinic

    clinic = load_clinic(args.clinic) if args.clinic else load_sample_clinic()
    languages = None
    if args.language:
        from .errors import RequestError
        from .render.language import available_languages

        offered = available_languages(clinic.templates_dir)
        unknown = [code for code in args.language if code not in offered]
        if unknown:
            raise RequestError("language", f"Language must be one of: {', '.join(offered)}.")
        languages = list(dict.fromkeys(args.language))
    report = check_templates(clinic, languages=languages, build_pdfs=not args.no_pdf,
                             cache=not args.no_cache)
    for g in report.grades:
        print(f"{g.file}: {g.describe()} - {g.title}")
    for problem in report.problems:
        print(problem)
    errors = len(report.errors)
    warnings = len(report.problems) - errors
    if report.kept:
        print(f"{report.kept} of {report.kept + report.laid_out} handouts unchanged since an "
              "earlier check: their layout results were reused (--no-cache lays them out again)")
    print(f"checked {report.combinations} combinations: {errors} error(s), "
          f"{warnings} warning(s)")
    return EXIT_OK if report.ok else EXIT_FAILURE


def _selftest(args: argparse.Namespace, today: dt.date) -> int:
    from .clinic.profile import load_sample_clinic
    from .domain.request import HandoutRequest
    from .engine import render_handouts
    from .output import looks_like_pdf
    from .resources import install_mode
    from .sample import sample_request_data

    request = HandoutRequest.from_mapping(sample_request_data(today), today=today)
    handouts = render_handouts(request, load_sample_clinic())
    if not all(looks_like_pdf(h.pdf) for h in handouts):
        print("dischargedesk: selftest failed: a handout came out incomplete.", file=sys.stderr)
        return EXIT_FAILURE
    print(f"render ok: {', '.join(h.file_name for h in handouts)} ({install_mode()})")
    if not args.no_window:
        from .app import run_selftest_window

        if run_selftest_window() != 0:
            return EXIT_FAILURE
        print("window ok")
    print("selftest ok")
    return EXIT_OK


@contextlib.contextmanager
def _few_collections(restore: bool) -> Iterator[None]:
    """A render makes many objects that live on (modules, fonts, templates) and little
    garbage: Python's default thresholds run ~200 collections that find almost nothing
    (about 100 ms of CPU in a cold command). A collection runs after every 50,000 new objects
    instead. ``restore``: the thresholds are put back afterwards (a caller that goes on);
    the installed script does not, as putting them back sets off a collection of everything
    the render made, just before the process ends."""
    old = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        if restore:
            gc.set_threshold(*old)


def main(argv: Sequence[str] | None = None) -> int:
    """The command; with ``argv`` None (the installed script) the process ends after it."""
    if argv is not None:
        return _main(argv)
    from .dataclass_code import cached_dataclass_code

    try:
        with cached_dataclass_code():  # the classes a command imports: compiled code kept
            return _main(sys.argv[1:], one_shot=True)
    finally:
        # all that is left is freed at exit: the final collections need not walk it
        gc.freeze()


def _main(argv: Sequence[str], one_shot: bool = False) -> int:
    argv = list(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        context = None
        if args.app_patient_context is not None:
            context = ehr_options.app_context(args)
            if isinstance(context, int):
                return context
        from .app import run_app

        return run_app(clinic=args.app_clinic, context=context)
    today = dt.date.today()
    # the engine's event log ("layout failed: ...") is for the app's log file; on the
    # command line Python's last-resort handler would add it to the one-line contract
    logging.getLogger("dischargedesk").addHandler(logging.NullHandler())
    try:
        if args.command == "render":
            with _few_collections(restore=not one_shot):
                paths = _render(args, today)
        elif args.command == "sample":
            with _few_collections(restore=not one_shot):
                paths = _sample(args, today)
        elif args.command == "templates":
            return _templates(args)
        elif args.command == "selftest":
            return _selftest(args, today)
        elif args.command == "archive":
            return archive_cli.run(args)
        else:  # pragma: no cover - argparse guards this
            parser.error(f"unknown command {args.command}")
        for path in paths:
            print(path)
        return EXIT_OK
    except DischargeDeskError as exc:
        print(f"dischargedesk: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("dischargedesk: stopped.", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:  # noqa: BLE001 - last resort: no traceback, no message text (may hold PHI)
        print(f"dischargedesk: an unexpected error stopped the command ({type(exc).__name__}); "
              "please report it to your support team.", file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
