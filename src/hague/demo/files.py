"""Generators for demo evidence files: photos with EXIF, scanned-document PDFs, and text notes."""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

from PIL import Image, ImageDraw

EXIF_DATETIME = 0x9003
EXIF_MAKE = 0x010F
EXIF_MODEL = 0x0110


def _gps(value: float) -> tuple[float, float, float]:
    deg = int(abs(value))
    minutes = int((abs(value) - deg) * 60)
    seconds = round(((abs(value) - deg) * 60 - minutes) * 60, 2)
    return (float(deg), float(minutes), float(seconds))


def photo(path: Path, seed: int, when: datetime, lat: float, lon: float, caption: str) -> Path:
    """A synthetic scene photo (shapes on a gradient) with camera and GPS EXIF tags."""
    rng = random.Random(seed)
    img = Image.new("RGB", (640, 480), (rng.randrange(60, 200), rng.randrange(60, 200), rng.randrange(60, 200)))
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x, y = rng.randrange(0, 600), rng.randrange(0, 440)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.rectangle((x, y, x + rng.randrange(20, 160), y + rng.randrange(20, 120)), fill=colour)
    draw.text((10, 450), caption[:80], fill=(255, 255, 255))
    exif = img.getexif()
    exif[EXIF_MAKE] = "Samsung"
    exif[EXIF_MODEL] = "SM-A525F"
    exif[0x0132] = when.strftime("%Y:%m:%d %H:%M:%S")
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N" if lat >= 0 else "S", 2: _gps(lat), 3: "E" if lon >= 0 else "W", 4: _gps(lon)})
    img.save(path, "JPEG", quality=88, exif=exif)
    return path


def document_pdf(path: Path, title: str, lines: list[str]) -> Path:
    """A one-page 'scanned' document rendered to PDF with Pillow."""
    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    draw.text((100, 100), title, fill="black")
    for n, line in enumerate(lines):
        draw.text((100, 180 + 28 * n), line, fill="black")
    page.save(path, "PDF", resolution=150.0)
    return path


def note(path: Path, text: str) -> Path:
    """A UTF-8 text file."""
    path.write_text(text, encoding="utf-8")
    return path
