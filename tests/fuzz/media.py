"""Fuzz targets for the metadata layer: the normaliser in-process, every parser through the sandbox.

The property is the same for both: the main process never crashes; each file ends with a result or a
recorded failure, and nothing extracted is a float (the log refuses them).
"""

from __future__ import annotations

import functools
import io
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from hague.media.extract import FileJob, extract_batch
from hague.media.normalise import parse_time, plain, suggestions
from tests.media import builders

MUTANTS_PER_BATCH = 16
EXIF_NAMES = (
    "GPSLatitude", "GPSLongitude", "GPSAltitude", "DateTimeOriginal", "OffsetTimeOriginal", "CreateDate", "Make",
    "Model", "SerialNumber", "Software", "MIMEType", "ImageWidth", "PageCount", "Keywords", "Title",
)  # fmt: skip
json_leaf = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=40),
    st.sampled_from(["2024:03:01 10:22:33", "+02:00", "-99:99", "50.1", "1e308", "0000:00:00 00:00:00", ""]),
)  # fmt: skip
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
exif_keys = st.builds(
    lambda group, name: f"{group}:{name}",
    st.sampled_from(["IFD0", "ExifIFD", "GPS", "Composite", "QuickTime", "XMP-dc", "PDF", "System"]),
    st.sampled_from(EXIF_NAMES),
)
ffprobe_like = st.fixed_dictionaries(
    {},
    optional={
        "format": st.dictionaries(st.sampled_from(["duration", "tags", "format_name"]), json_value, max_size=3)
        | json_value,
        "streams": st.lists(
            st.dictionaries(st.sampled_from(["codec_name", "codec_type", "width", "height", "tags"]), json_value),
            max_size=3,
        )
        | json_value,
    },
)
raw_output = st.fixed_dictionaries(
    {},
    optional={
        "exiftool": st.dictionaries(exif_keys | st.text(max_size=10), json_value, max_size=12),
        "pillow": st.dictionaries(
            st.sampled_from(["exif", "format", "width"]),
            st.dictionaries(exif_keys, json_value, max_size=6) | json_value,
            max_size=3,
        ),
        "ffprobe": ffprobe_like | json_value,
        "c2pa": json_value,
        "web_capture": json_value,
        "sniffed_mime": json_value,
    },
)


def _no_floats(value: Any) -> None:
    assert not isinstance(value, float), value
    if isinstance(value, dict):
        for item in value.values():
            _no_floats(item)
    elif isinstance(value, list):
        for item in value:
            _no_floats(item)


@functools.cache
def seeds() -> dict[str, bytes]:
    """Small valid files of each kind the parsers handle, to mutate."""
    exif = Image.Exif()
    exif[0x010F], exif[0x0131] = "Canon", "Editor"
    exif.get_ifd(0x8825).update({1: "N", 2: (50.0, 1.0, 2.0), 3: "E", 4: (36.0, 1.0, 2.0)})
    exif.get_ifd(0x8769).update({0x9003: "2024:03:01 10:22:33", 0x9011: "+02:00"})
    jpeg, png = io.BytesIO(), io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(jpeg, "JPEG", exif=exif)
    Image.new("RGBA", (40, 30), (0, 90, 200, 128)).save(png, "PNG")
    with tempfile.TemporaryDirectory() as tmp:
        video = Path(tmp) / "v.mp4"
        subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=duration=1:size=64x48:rate=5",
             "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(video)],
            check=True,
        )  # fmt: skip
        mp4 = video.read_bytes()
    warc = builders.warc_bytes(png.getvalue())
    return {
        "seed.jpg": jpeg.getvalue(),
        "seed.png": png.getvalue(),
        "seed.mp4": mp4,
        "seed.warc.gz": warc,
        "seed.wacz": builders.wacz_bytes(warc, None),
        "seed.pdf": builders.pdf_bytes(),
    }


@st.composite
def mutant(draw: st.DrawFn) -> tuple[str, bytes]:
    """A seed file with bytes flipped, cut, duplicated or spliced in."""
    name = draw(st.sampled_from(sorted(seeds())))
    data = bytearray(seeds()[name])
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "cut", "dup", "insert", "zero"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "cut":
            del data[at : at + draw(st.integers(1, 4096))]
        elif op == "dup":
            data[at:at] = data[at : at + draw(st.integers(1, 2048))]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif op == "zero":
            data[at : at + 4] = b"\xff\xff\xff\xff"
    return name, bytes(data)


def fuzz_normaliser(examples: int) -> None:
    """Arbitrary parser output MUST normalise without raising and without floats."""

    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(raw=raw_output, text=st.text(max_size=40), zone=json_leaf)
    def check(raw: dict[str, Any], text: str, zone: Any) -> None:
        _no_floats(suggestions(raw))
        _no_floats(plain(raw))
        parse_time(text, zone)

    check()


def fuzz_parsers(examples: int) -> None:
    """Mutated files, 16 per parser process: every file MUST come back with a status; the caller survives."""

    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(batch=st.lists(mutant(), min_size=MUTANTS_PER_BATCH, max_size=MUTANTS_PER_BATCH))
    def check(batch: list[tuple[str, bytes]]) -> None:
        from hague.evidence.sniff import sniff_mime

        with tempfile.TemporaryDirectory(prefix="hague-fuzz-") as tmp:
            jobs = []
            for i, (name, data) in enumerate(batch):
                path = Path(tmp) / f"{i}-{name}"
                path.write_bytes(data)
                jobs.append(FileJob(str(i), str(path), sniff_mime(data[:65536]), name))
            results = extract_batch(jobs)
        assert [r.key for r in results] == [j.key for j in jobs]
        for result in results:
            assert result.status in ("ok", "partial", "failed")
            _no_floats(result.suggestions)
            _no_floats(result.raw)

    check()


TARGETS = {"media.normaliser": (fuzz_normaliser, 200), "media.parsers": (fuzz_parsers, 2)}
