"""Draw the application icon (a simple spine mark) as resources/images/icon.png.

Run once when the mark changes: ``python packaging/make_icon.py``. PyInstaller turns the
PNG into .ico/.icns on Windows/macOS (Pillow is installed with ReportLab).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

SIZE = 256
OUT = Path(__file__).resolve().parent.parent / "resources" / "images" / "icon.png"


def draw(size: int = SIZE) -> Image.Image:
    scale = 4  # draw large, then downsample for smooth edges
    s = size * scale
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((0, 0, s - 1, s - 1), radius=s // 6, fill=(18, 94, 112, 255))
    # five vertebrae, slightly curved like a lumbar spine; the middle one treated (orange)
    count, top, bottom = 5, s * 0.14, s * 0.86
    step = (bottom - top) / count
    for i in range(count):
        cx = s / 2 + (s * 0.05) * (1 - abs(i - 2) / 2) - s * 0.02
        w, h = s * (0.30 + 0.03 * i), step * 0.72
        y = top + i * step + (step - h) / 2
        color = (245, 166, 35, 255) if i == 2 else (255, 255, 255, 255)
        d.rounded_rectangle((cx - w / 2, y, cx + w / 2, y + h), radius=int(h * 0.35),
                            fill=color)
    return img.resize((size, size), Image.Resampling.LANCZOS)


if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    draw().save(OUT, optimize=True)
    print(OUT)
