"""Regenerate the page pictures in docs/ (shown in the README) from the sample patient.

    PYTHONPATH=src QT_QPA_PLATFORM=offscreen python scripts/render_doc_pages.py

Writes page 1 of the discharge instructions and of the recovery plan, in normal and in large
print, as docs/page-discharge-1.png, docs/page-recovery-1.png, docs/page-discharge-1-large.png
and docs/page-recovery-1-large.png (80 dpi). Run it after any change to the templates or the
layout. The pages are drawn with Qt's PDF renderer (the one the app's preview uses), so no
other tool is needed. The date is fixed, so the pictures only change when the pages do.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"
TODAY = dt.date(2026, 11, 25)
DPI = 80


def main() -> int:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtPdf import QPdfDocument

    from dischargedesk.clinic.profile import load_sample_clinic
    from dischargedesk.domain.request import HandoutRequest
    from dischargedesk.engine import render_handouts
    from dischargedesk.sample import sample_request_data

    app = QGuiApplication.instance() or QGuiApplication(sys.argv)
    clinic = load_sample_clinic()
    for large, suffix in ((False, ""), (True, "-large")):
        data = {**sample_request_data(TODAY), "large_print": large}
        request = HandoutRequest.from_mapping(data, today=TODAY)
        for handout in render_handouts(request, clinic):
            raw = QByteArray(handout.pdf)
            buffer = QBuffer(raw)
            buffer.open(QIODevice.OpenModeFlag.ReadOnly)
            doc = QPdfDocument(app)
            doc.load(buffer)
            points = doc.pagePointSize(0)
            size = QSize(round(points.width() * DPI / 72), round(points.height() * DPI / 72))
            image = QImage(size, QImage.Format.Format_RGB32)  # on white paper
            image.fill(Qt.GlobalColor.white)
            painter = QPainter(image)
            painter.drawImage(0, 0, doc.render(0, size))
            painter.end()
            out = DOCS / f"page-{handout.kind}-1{suffix}.png"
            if not image.save(str(out)):
                print(f"could not write {out}", file=sys.stderr)
                return 1
            print(out.relative_to(DOCS.parent))
            doc.close()
            buffer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
