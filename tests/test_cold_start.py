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

ROOT = Path(__file__).resolve().parents[1]

_PROBE = """
import json, sys
from dischargedesk.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
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
