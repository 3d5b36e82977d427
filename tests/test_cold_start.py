"""Issue 17 item 4: a cold `dischargedesk render` loads only what the handouts use.

The timing is in bench/engine.py (--cold-only --baseline) and docs/benchmarks.md; these tests
check the behaviour: what a new process imports and registers, and that the lazy paths print
what the eager ones did (bench/same_pdfs.py compares a whole matrix against another tree).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

_PROBE = """
import json, os, sys
opened = set()
def _audit(event, args):
    if event == "open" and isinstance(args[0], (str, bytes)):
        opened.add(os.path.basename(os.fsdecode(args[0])))
sys.addaudithook(_audit)
from dischargedesk.cli import main
sys.argv[0] = "dischargedesk"
code = main()  # as the installed script runs it (one command, then the process ends)
from dischargedesk.render import fonts
print(json.dumps({"code": code, "modules": sorted(sys.modules), "opened": sorted(opened),
                  "dejavu_pattern": fonts._dejavu_runs.cache_info().currsize}))
"""


def _cold(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, "render", "--procedure", "kyphoplasty", "--levels",
         "T12,L1", "--patient-name", "Ana Diaz", "--mrn", "A1", "--out",
         str(tmp_path / "out"), *args],
        capture_output=True, text=True, timeout=120, check=False,
        env={"PYTHONPATH": str(ROOT / "src"), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin",
             **(env or {})})
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_a_cold_english_render_imports_only_what_it_uses(tmp_path):
    result = _cold(tmp_path)
    assert result["code"] == 0
    modules = set(result["modules"])  # type: ignore[arg-type]
    # xml.sax.saxutils' escape imports urllib.request, http.client, email and ssl
    assert not {"xml.sax.saxutils", "urllib.request", "http.client", "ssl"} & modules
    # the QR code needs ReportLab's encoder only, not the barcode package and its widgets
    assert not {m for m in modules if m.startswith("reportlab.graphics.barcode")}
    # the PNG logo needs Pillow's PNG plugin only
    assert "PIL.PngImagePlugin" in modules
    assert not {"PIL.BmpImagePlugin", "PIL.GifImagePlugin", "PIL.PpmImagePlugin"} & modules
    # no patient context, no chart outbox: the EHR readers and writers stay unloaded
    assert not {"dischargedesk.ehr.context", "dischargedesk.ehr.outbox"} & modules


def test_a_cold_english_render_reads_no_fallback_font(tmp_path):
    """DejaVu Sans prints every character of an English handout: the Chinese and Korean
    fonts (4 MB each) are neither registered nor read for their character maps."""
    from dischargedesk.render import fonts

    opened = set(_cold(tmp_path)["opened"])  # type: ignore[arg-type]
    assert "DejaVuSans.ttf" in opened
    fallback_files = {f for font in fonts.FALLBACKS for f in (font.regular, font.bold) if f}
    assert len(fallback_files) == 3 and not fallback_files & opened


def test_a_cold_english_render_compiles_no_run_pattern(tmp_path):
    """Every text is all DejaVu (a set look-up): the pattern of DejaVu's 5,000 characters
    that cuts mixed text into runs is never compiled."""
    assert _cold(tmp_path)["dejavu_pattern"] == 0


def test_all_dejavu_is_the_run_patterns_full_match():
    from dischargedesk.render import fonts

    covered = sorted(fonts._covered())
    texts = [chr(cp) for cp in range(0x3100)] + [
        "".join(map(chr, covered)), "Ana Diaz, T12-L1 ✓ 5 mg", "王小明", "MRN 12345 王小明",
        "김민준 목요일", "Nguyễn Văn An", "tab\tand\nnew line", "\u00ad\u200b\ufeff", "x\U0001F600"]
    for text in texts:
        assert fonts._all_dejavu(text) == bool(fonts._dejavu_runs().fullmatch(text)), text


def test_the_private_qr_encoder_is_reportlabs_and_makes_the_same_code():
    from reportlab.graphics.barcode import qrencoder

    from dischargedesk.render import drawings

    private = drawings._qrencoder()
    assert private is not qrencoder and private.__file__ == qrencoder.__file__
    for url in ("https://portal.example.org/riverbend", "HTTPS://X.EXAMPLE/" + "a" * 120):
        qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
        qr.addData(url)
        qr.make()
        assert drawings._qr_modules(url) == tuple(tuple(bool(m) for m in row)
                                                  for row in qr.modules)
    assert drawings._qrencoder() is private  # loaded once


def test_an_in_process_render_puts_the_gc_thresholds_back(tmp_path):
    """Only the installed script (the process ends after one command) keeps the raised
    garbage-collector thresholds; a caller that goes on gets its own back."""
    import gc

    from dischargedesk.cli import main

    before = gc.get_threshold()
    assert main(["render", "--procedure", "kyphoplasty", "--levels", "T12", "--mrn", "A1",
                 "--patient-name", "Ana Diaz",
                 "--out", str(tmp_path / "out")]) == 0
    assert gc.get_threshold() == before


def test_the_qr_cache_holds_the_encoders_modules_and_never_changes_a_pdf(
        monkeypatch, sample_clinic, make_request):
    """The portal QR's modules, kept in the user cache folder between processes: the PDF
    is the same byte for byte with the file written, read back, or switched off; a
    damaged file is ignored and written again."""
    from dischargedesk.engine import render_pdf
    from dischargedesk.render import codecache, drawings

    url = sample_clinic.portal_url
    path = drawings._qr_cache_path(url)
    assert path is not None and not path.exists()
    request = make_request()

    def fresh_pdf() -> bytes:
        drawings._qr_modules.cache_clear()  # as in a new process
        return render_pdf(request, sample_clinic)

    monkeypatch.setenv(codecache.ENV_DISABLE, "1")
    without = fresh_pdf()
    assert not path.exists()
    monkeypatch.delenv(codecache.ENV_DISABLE)
    assert fresh_pdf() == without and path.exists()  # encoded, then written
    encode = drawings._qr_encode
    with monkeypatch.context() as m:
        m.setattr(drawings, "_qr_encode", lambda url: pytest.fail("encoded again"))
        assert fresh_pdf() == without  # read back from the file
    data = bytearray(path.read_bytes())
    data[-3] ^= 1  # one module flipped: the digest no longer matches
    path.write_bytes(bytes(data))
    drawings._qr_modules.cache_clear()
    assert drawings._qr_modules(url) == encode(url)
    assert drawings._qr_read(path) == encode(url)  # written again
    other = drawings._qr_cache_path(url + "/x")
    assert other is not None and other != path  # another address: another file
    assert request.patient_name.encode() not in path.read_bytes()


def _pdfs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.pdf"))}


def test_cached_fonts_and_qr_print_the_same_pdfs_and_hold_no_patient_data(tmp_path):
    """Three cold renders: caches off, then written, then read back (the parsed DejaVu
    faces, the dataclasses' compiled methods and the QR modules from the user cache folder:
    ReportLab's encoder is not even loaded): the same PDF bytes; no cache file holds the
    patient's name."""
    off = _cold(tmp_path, env={"DISCHARGEDESK_NO_TEMPLATE_CACHE": "1"})
    pdfs = _pdfs(tmp_path / "out")
    assert len(pdfs) == 2 and not (tmp_path / ".cache").exists()
    written = _cold(tmp_path)
    assert _pdfs(tmp_path / "out") == pdfs
    faces = sorted((tmp_path / ".cache" / "dischargedesk" / "fonts").glob("*.face"))
    assert len(faces) == 2  # DejaVu Sans regular and bold
    code = sorted((tmp_path / ".cache" / "dischargedesk" / "code").glob("dataclasses-*.bin"))
    assert len(code) == 1
    read = _cold(tmp_path)
    assert _pdfs(tmp_path / "out") == pdfs
    opened = set(read["opened"])  # type: ignore[arg-type]
    assert {f.name for f in faces} <= opened and "DejaVuSans.ttf" in opened
    assert "dischargedesk.render._rl_qrencoder" in written["modules"]  # type: ignore[operator]
    assert "dischargedesk.render._rl_qrencoder" not in read["modules"]  # type: ignore[operator]
    assert off["code"] == written["code"] == read["code"] == 0
    for path in (tmp_path / ".cache").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"Diaz" not in data, path


def test_a_cached_face_is_the_parsed_face_and_any_font_byte_is_a_new_key(tmp_path):
    from reportlab.pdfbase.ttfonts import TTFont

    from dischargedesk.render import fontcache
    from dischargedesk.resources import font_path

    for file_name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "NanumGothic.ttf"):
        path = font_path(file_name)
        fresh = TTFont("X", str(path))
        first = fontcache.load_ttfont("X", path)  # parsed, then written
        where = fontcache._cache_file(path.read_bytes())
        assert where.is_file() and fontcache.same_font(first, fresh)
        again = fontcache.load_ttfont("X", path)  # rebuilt from the file
        assert again is not first and again.face is not first.face
        assert fontcache.same_font(again, fresh), file_name
        assert again.face.charWidths == fresh.face.charWidths
        assert [again.face._pdfScale(v) for v in (1, 77, -300)] == \
            [fresh.face._pdfScale(v) for v in (1, 77, -300)]
    data = font_path("DejaVuSans.ttf").read_bytes()
    keys = {fontcache._cache_file(data)}
    for at in (0, 1000, len(data) // 2, len(data) - 1):
        changed = bytearray(data)
        changed[at] ^= 1
        keys.add(fontcache._cache_file(bytes(changed)))
    assert len(keys) == 5  # each changed byte: another file


def test_a_damaged_face_file_is_parsed_again_and_rewritten(tmp_path):
    from reportlab.pdfbase.ttfonts import TTFont

    from dischargedesk.render import fontcache
    from dischargedesk.resources import font_path

    path = font_path("DejaVuSans-Bold.ttf")
    fontcache.load_ttfont("X", path)
    where = fontcache._cache_file(path.read_bytes())
    good = where.read_bytes()
    damaged = bytearray(good)
    damaged[len(damaged) // 2] ^= 0x40
    where.write_bytes(bytes(damaged))
    assert fontcache.same_font(fontcache.load_ttfont("X", path), TTFont("X", str(path)))
    assert where.read_bytes() == good


def test_a_face_the_cache_cannot_rebuild_is_never_written(monkeypatch):
    """As if ReportLab set an attribute the cache does not keep: the rebuilt font differs
    from the parsed one, so no file is written and every load parses."""
    from dischargedesk.render import fontcache
    from dischargedesk.resources import font_path

    monkeypatch.setattr(fontcache, "_NOT_STORED", fontcache._NOT_STORED | {"charWidths"})
    path = font_path("DejaVuSans.ttf")
    font = fontcache.load_ttfont("X", path)
    assert font.face.charWidths and not fontcache._cache_file(path.read_bytes()).exists()


_DATACLASSES = """
from __future__ import annotations
from dataclasses import InitVar, dataclass, field
from typing import ClassVar


@dataclass(frozen=True)
class Frozen:
    a: int
    b: str = "x"
    c: list[int] = field(default_factory=list)
    k: ClassVar[int] = 3


@dataclass(frozen=True)
class FrozenChild(Frozen):
    d: tuple[int, ...] = (1, 2)


@dataclass(order=True, unsafe_hash=True)
class Ordered:
    x: float
    y: float = 0.5
    seed: InitVar[int] = 0

    def __post_init__(self, seed: int) -> None:
        self.y += seed


@dataclass(kw_only=True, slots=True)
class Slotted:
    name: str
    n: int = field(default=2, repr=False, compare=False)


@dataclass(eq=False, repr=False)
class Odd:
    self: int = 0
    object: str = "BUILTINS"
"""


def _made(text: str, monkeypatch) -> dict[str, type]:
    import types

    module = types.ModuleType("dd_dataclass_probe")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(text, "dd_dataclass_probe.py", "exec", dont_inherit=True), vars(module))
    return {k: v for k, v in vars(module).items()
            if isinstance(v, type) and v.__module__ == module.__name__}


def _generated(cls: type) -> dict[str, object]:
    """The methods dataclasses wrote for ``cls``, by what makes them behave."""
    return {name: (fn.__code__, fn.__defaults__, fn.__kwdefaults__, fn.__annotations__,
                   fn.__qualname__)
            for name, fn in vars(cls).items()
            if callable(fn) and getattr(fn, "__code__", None) is not None
            and fn.__code__.co_filename == "<string>"}


def test_dataclasses_made_with_cached_code_are_made_as_without(monkeypatch):
    from dischargedesk import dataclass_code

    plain = _made(_DATACLASSES, monkeypatch)
    with dataclass_code.cached_dataclass_code() as first:
        compiled = _made(_DATACLASSES, monkeypatch)
    assert first.compiled >= 20 and first.hits == 0 and dataclass_code.cache_file().is_file()
    with dataclass_code.cached_dataclass_code() as second:
        cached = _made(_DATACLASSES, monkeypatch)
    assert second.compiled == 0 and second.hits == first.compiled
    assert "exec" not in vars(__import__("dataclasses"))  # put back
    assert plain.keys() == compiled.keys() == cached.keys()
    for name, cls in plain.items():
        methods = _generated(cls)
        assert methods, name
        assert methods == _generated(compiled[name]) == _generated(cached[name]), name
    ordered = cached["Ordered"](1.0, 2.0, seed=1)
    assert ordered == cached["Ordered"](1.0, 3.0) and ordered < cached["Ordered"](2.0)
    assert hash(ordered) == hash(cached["Ordered"](1.0, 3.0)) and ordered.y == 3.0
    with pytest.raises(AttributeError):
        cached["FrozenChild"](1).a = 2  # type: ignore[misc]
    assert repr(cached["Slotted"](name="n")) == "Slotted(name='n')"


def test_a_changed_class_compiles_anew_and_a_damaged_file_is_rewritten(monkeypatch):
    from dischargedesk import dataclass_code

    with dataclass_code.cached_dataclass_code():
        _made(_DATACLASSES, monkeypatch)
    # a default's value is not in the text (dataclasses passes it in): the same code
    with dataclass_code.cached_dataclass_code() as default:
        made = _made(_DATACLASSES.replace('b: str = "x"', 'b: str = "y"'), monkeypatch)
    assert default.compiled == 0 and made["Frozen"](1).b == "y"
    with dataclass_code.cached_dataclass_code() as renamed:  # a field renamed: new text
        made = _made(_DATACLASSES.replace("b: str =", "bee: str ="), monkeypatch)
    assert renamed.compiled >= 3 and renamed.hits >= 10
    assert made["FrozenChild"](1).bee == "x" and not hasattr(made["Frozen"](1), "b")
    path = dataclass_code.cache_file()
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1
    path.write_bytes(bytes(data))
    with dataclass_code.cached_dataclass_code() as damaged:
        _made(_DATACLASSES, monkeypatch)
    assert damaged.hits == 0 and damaged.compiled >= 20  # ignored, all compiled
    with dataclass_code.cached_dataclass_code() as again:
        _made(_DATACLASSES, monkeypatch)
    assert again.compiled == 0 and again.hits == damaged.compiled  # written again
