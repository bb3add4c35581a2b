"""Varied synthetic pictures (so unrelated images really differ) and the copies investigators receive."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance

TRANSFORMS = ("resize", "reencode", "rotate90", "rotate180", "rotate270", "mirror", "crop", "brightness", "tilt")


def scene(seed: int, size: tuple[int, int] = (320, 240)) -> Image.Image:
    """A random picture: a low-frequency colour field, then shapes of random colour, place and size."""
    rng = np.random.default_rng(seed)
    width, height = size
    coarse = rng.integers(0, 256, size=(4, 4, 3), dtype=np.uint8)
    image = Image.fromarray(coarse, "RGB").resize(size, Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(4, 10))):
        colour = tuple(int(c) for c in rng.integers(0, 256, size=3))
        x0, y0 = int(rng.integers(-width // 4, width)), int(rng.integers(-height // 4, height))
        w, h = int(rng.integers(width // 8, width // 2)), int(rng.integers(height // 8, height // 2))
        shape = int(rng.integers(0, 3))
        if shape == 0:
            draw.ellipse((x0, y0, x0 + w, y0 + h), fill=colour)
        elif shape == 1:
            draw.rectangle((x0, y0, x0 + w, y0 + h), fill=colour)
        else:
            points = [(int(rng.integers(0, width)), int(rng.integers(0, height))) for _ in range(3)]
            draw.polygon(points, fill=colour)
    noise = rng.normal(0, 6, size=(height, width, 3))
    return Image.fromarray(np.clip(np.asarray(image, dtype=np.float64) + noise, 0, 255).astype(np.uint8), "RGB")


def jpeg_bytes(image: Image.Image, quality: int = 90) -> bytes:
    """The picture as JPEG."""
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def transform(image: Image.Image, kind: str, seed: int = 0) -> Image.Image:
    """A copy as it arrives again: resized, re-encoded, turned, mirrored, cropped, brightened or tilted."""
    rng = np.random.default_rng(seed)
    w, h = image.size
    if kind == "resize":
        factor = float(rng.uniform(0.3, 0.8))
        return image.resize((max(16, int(w * factor)), max(16, int(h * factor))), Image.Resampling.BILINEAR)
    if kind == "reencode":
        return Image.open(io.BytesIO(jpeg_bytes(image, int(rng.integers(25, 60))))).convert("RGB")
    if kind == "rotate90":
        return image.transpose(Image.Transpose.ROTATE_90)
    if kind == "rotate180":
        return image.transpose(Image.Transpose.ROTATE_180)
    if kind == "rotate270":
        return image.transpose(Image.Transpose.ROTATE_270)
    if kind == "mirror":
        return image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    if kind == "crop":
        dx, dy = int(w * rng.uniform(0.01, 0.04)), int(h * rng.uniform(0.01, 0.04))
        return image.crop((dx, dy, w - dx, h - dy))
    if kind == "brightness":
        return ImageEnhance.Brightness(image).enhance(float(rng.uniform(0.8, 1.2)))
    if kind == "tilt":
        return image.rotate(float(rng.uniform(-2, 2)), resample=Image.Resampling.BILINEAR, fillcolor=(128, 128, 128))
    raise ValueError(kind)
