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
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules), "opened": sorted(opened)}))
"""


def _cold(tmp_path: Path, *args: str) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, "render", "--procedure", "kyphoplasty", "--levels",
         "T12,L1", "--patient-name", "Ana Diaz", "--mrn", "A1", "--out",
         str(tmp_path / "out"), *args],
        capture_output=True, text=True, timeout=120, check=False,
        env={"PYTHONPATH": str(ROOT / "src"), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
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
