"""Perceptual hashes: the imagehash pHash, orientation hashes derived exactly from one DCT, 64-bit storage."""

from __future__ import annotations

import imagehash
import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from hague.media.phash import (
    hex64,
    low_frequencies,
    orientations,
    phash_orientations,
    phash_pixels,
    to_signed,
    to_unsigned,
)

grey = arrays(np.uint8, (32, 32), elements=st.integers(0, 255))


@settings(max_examples=100, deadline=None)
@given(pixels=grey)
def test_phash_is_the_imagehash_phash(pixels: np.ndarray) -> None:
    coeffs = low_frequencies(pixels)
    assume(np.min(np.abs(coeffs - np.median(coeffs))) > 1e-3)  # an exact tie is decided by float noise in scipy
    assert hex64(phash_pixels(pixels.astype(np.float64))) == str(imagehash.phash(Image.fromarray(pixels)))


@settings(max_examples=100, deadline=None)
@given(pixels=grey)
def test_orientation_hashes_equal_hashing_each_turned_picture(pixels: np.ndarray) -> None:
    values = pixels.astype(np.float64)
    assert phash_orientations(values) == [phash_pixels(p) for p in orientations(values)]


@given(value=st.integers(0, 2**64 - 1))
def test_hashes_round_trip_through_a_signed_bigint(value: int) -> None:
    signed = to_signed(value)
    assert -(2**63) <= signed < 2**63
    assert to_unsigned(signed) == value
