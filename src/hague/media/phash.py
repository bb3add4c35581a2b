"""Perceptual hashes: 64-bit DCT pHash (the imagehash algorithm) of images and of video keyframes.

A copy rotated by a quarter turn or mirrored has a different pHash, so every image also yields the
hashes of its eight orientations (the dihedral group); a query uses all eight.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

SIDE = 32
LOW = 8
# DCT-II basis (unnormalised, as scipy.fftpack.dct): only the 8 lowest frequencies are needed
_N = np.arange(SIDE)
DCT = 2 * np.cos(np.pi * np.outer(np.arange(LOW), 2 * _N + 1) / (2 * SIDE))


def bits_to_int(bits: NDArray[np.bool_]) -> int:
    """An 8×8 boolean block → unsigned 64-bit integer, first bit most significant."""
    return int(np.packbits(bits.reshape(-1)).view(">u8")[0])


def low_frequencies(pixels: NDArray[np.floating]) -> NDArray[np.floating]:
    """The 8×8 lowest DCT-II coefficients, rounded so that float noise cannot decide a tie with the median."""
    coeffs: NDArray[np.floating] = np.round(DCT @ np.asarray(pixels, dtype=np.float64) @ DCT.T, 6)
    return coeffs


def phash_pixels(pixels: NDArray[np.floating]) -> int:
    """pHash of a 32×32 grayscale array: top-left 8×8 DCT coefficients against their median."""
    coeffs = low_frequencies(pixels)
    return bits_to_int(coeffs > np.median(coeffs))


def orientations(pixels: NDArray[np.floating]) -> list[NDArray[np.floating]]:
    """The eight rotations and mirror images of a square array; the first is the array itself."""
    out = []
    for flipped in (pixels, np.fliplr(pixels)):
        for turns in range(4):
            out.append(np.rot90(flipped, turns))
    return out


def _coefficient_orientations(coeffs: NDArray[np.floating]) -> NDArray[np.floating]:
    """DCT blocks of the eight orientations, from the upright block alone (same order as `orientations`).

    Mirroring an axis multiplies frequency k by (-1)^k, transposing swaps axes: exact, no new transform.
    """
    sign = (-1.0) ** np.arange(LOW)

    def rot90(c: NDArray[np.floating]) -> NDArray[np.floating]:  # np.rot90 = flip rows of the transpose
        return sign[:, None] * c.T

    out = []
    for base in (coeffs, coeffs * sign[None, :]):  # as is, mirrored left-right
        for _ in range(4):
            out.append(base)
            base = rot90(base)
    return np.stack(out)


def phash_orientations(pixels: NDArray[np.floating]) -> list[int]:
    """pHash of each of the eight orientations; element 0 is the hash of the image as it is."""
    flat = _coefficient_orientations(low_frequencies(pixels)).reshape(8, -1)
    bits = flat > np.median(flat, axis=1, keepdims=True)
    return [int(v) for v in np.packbits(bits, axis=1).view(">u8").ravel()]


def to_signed(value: int) -> int:
    """Unsigned 64-bit → signed (how a BIGINT column stores it)."""
    return value - (1 << 64) if value >= 1 << 63 else value


def to_unsigned(value: int) -> int:
    """Signed 64-bit (from the database) → unsigned."""
    return value + (1 << 64) if value < 0 else value


def hex64(value: int) -> str:
    """16 hex digits, as imagehash prints a hash."""
    return f"{to_unsigned(value):016x}"
