"""Still images with Pillow (inside the parser process): size, EXIF fallback, perceptual hashes."""

from __future__ import annotations

import warnings
from fractions import Fraction
from typing import Any

import numpy as np
from PIL import ExifTags, Image

from hague.media.phash import SIDE, phash_orientations

MAX_PIXELS = 50_000_000  # Pillow refuses images over twice this (decompression bombs)
EXIF_IFD = 0x8769
GPS_IFD = 0x8825


def configure() -> None:
    """Make Pillow refuse decompression bombs outright (a warning becomes an error)."""
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    warnings.simplefilter("error", Image.DecompressionBombWarning)


def _rational(value: Any) -> float:
    if isinstance(value, tuple) and len(value) == 2:
        return float(Fraction(int(value[0]), int(value[1]) or 1))
    return float(value)


def _dms(value: Any, ref: Any) -> str | None:
    try:
        degrees, minutes, seconds = (_rational(v) for v in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    number = degrees + minutes / 60 + seconds / 3600
    if str(ref).strip().upper() in ("S", "W"):
        number = -number
    return f"{number:.7f}"


def _exif(image: Image.Image) -> dict[str, Any]:
    exif = image.getexif()
    out: dict[str, Any] = {}
    for tag, value in exif.items():
        out[f"IFD0:{ExifTags.TAGS.get(tag, str(tag))}"] = value
    for tag, value in exif.get_ifd(EXIF_IFD).items():
        out[f"ExifIFD:{ExifTags.TAGS.get(tag, str(tag))}"] = value
    gps = exif.get_ifd(GPS_IFD)
    if gps:
        lat, lon = _dms(gps.get(2), gps.get(1)), _dms(gps.get(4), gps.get(3))
        if lat and lon:
            out["GPS:GPSLatitude"], out["GPS:GPSLongitude"] = lat, lon
    return {k: v if isinstance(v, str | int) and not isinstance(v, bool) else repr(v)[:200] for k, v in out.items()}


def grey_square(image: Image.Image) -> np.ndarray[Any, np.dtype[np.float64]]:
    """The image as stored, grey, resized to 32×32 as pHash expects (queries try all eight orientations,
    so the EXIF orientation tag need not be applied)."""
    small = image.convert("L").resize((SIDE, SIDE), Image.Resampling.LANCZOS)
    return np.asarray(small, dtype=np.float64)


def probe_image(path: str) -> dict[str, Any]:
    """Pillow's view of an image: format, size and pHash orientations."""
    with Image.open(path) as image:
        info: dict[str, Any] = {"format": image.format, "width": image.width, "height": image.height}
        if image.format == "JPEG":
            image.draft("L", (SIDE, SIDE))  # decode luma only, at up to 1/8 scale: enough for a 32×32 hash
        image.load()
        info["phash"] = phash_orientations(grey_square(image))
    return info


def exif_fallback(path: str) -> dict[str, Any]:
    """EXIF as Pillow reads it, for files exiftool could not read (keys in exiftool's `Group:Name` form)."""
    with Image.open(path) as image:
        return _exif(image)
