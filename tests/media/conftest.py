"""The media fixture set, made once per test session: photos with and without GPS and their copies,
a video and its re-encode, a C2PA-signed JPEG, WARC/WACZ captures and documents."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from PIL import Image

from hague.core import Hague
from hague.evidence import register
from hague.media.extract import Extraction, FileJob, extract_batch
from hague.settings import Settings
from tests.media import builders
from tests.media.synthetic import jpeg_bytes, scene, transform

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ATTACKS = (
    "decompression_bomb.png",
    "absurd_dimensions.png",
    "recursive_ifd.jpg",
    "zip_bomb.wacz",
    "truncated.mp4",
    "jpeg_zip_polyglot.jpg",
)


@dataclass
class MediaSet:
    """Paths of the generated files, by role."""

    root: Path
    gps_photo: Path
    plain_photo: Path
    copies: dict[str, Path]
    unrelated: list[Path]
    video: Path
    video_reencoded: Path
    other_video: Path
    c2pa_photo: Path
    pki: builders.TestPKI
    warc: Path
    wacz: Path
    wacz_unsigned: Path
    wacz_tampered: Path
    wacz_bad_signature: Path
    pdf: Path
    docx: Path
    png_in_capture: bytes


def _photo_with_exif(path: Path) -> None:
    image = scene(1)
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0x0110] = "Canon EOS R6"  # Model
    exif[0x0131] = "Adobe Photoshop 25.1"  # Software
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (50.0, 0.0, 21.6)  # 50.006
    gps[3], gps[4] = "E", (36.0, 13.0, 48.0)  # 36.23
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = "2024:03:01 10:22:33"  # DateTimeOriginal
    sub[0x9011] = "+02:00"  # OffsetTimeOriginal
    sub[0xA431] = "083024001234"  # BodySerialNumber
    image.save(path, "JPEG", quality=92, exif=exif)
    subprocess.run(
        ["exiftool", "-q", "-overwrite_original", "-IPTC:City=Kharkiv", "-IPTC:By-line=Field Team 3",
         "-XMP-dc:Description=Checkpoint after shelling", str(path)],
        check=True,
    )  # fmt: skip


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


@pytest.fixture(scope="session")
def media_set(tmp_path_factory: pytest.TempPathFactory) -> MediaSet:
    root = tmp_path_factory.mktemp("media-set")
    gps_photo = root / "gps_photo.jpg"
    _photo_with_exif(gps_photo)
    plain_photo = root / "plain_photo.png"
    scene(2).save(plain_photo, "PNG")
    original = scene(1)
    copies = {}
    for kind in ("resize", "reencode", "rotate90", "mirror", "crop", "brightness"):
        copies[kind] = root / f"copy_{kind}.jpg"
        copies[kind].write_bytes(jpeg_bytes(transform(original, kind, seed=3), quality=80))
    unrelated = []
    for seed in (11, 12, 13):
        unrelated.append(root / f"unrelated_{seed}.jpg")
        unrelated[-1].write_bytes(jpeg_bytes(scene(seed)))
    video, video_re, other = root / "video.mp4", root / "video_reencoded.mp4", root / "other_video.mp4"
    h264 = ("-c:v", "libx264", "-pix_fmt", "yuv420p")
    tags = ("-metadata", "creation_time=2024-03-01T08:00:00Z", "-metadata", "location=+50.0060+036.2300/")
    _ffmpeg("-f", "lavfi", "-i", "testsrc=duration=2:size=320x240:rate=25", *h264, *tags, str(video))
    _ffmpeg("-i", str(video), "-c:v", "libx264", "-crf", "38", "-vf", "scale=160:120", str(video_re))
    _ffmpeg("-f", "lavfi", "-i", "mandelbrot=size=320x240:rate=25", "-t", "2", *h264, str(other))
    pki = builders.make_pki()
    c2pa_photo = root / "c2pa_signed.jpg"
    c2pa_photo.write_bytes(builders.c2pa_signed_jpeg(pki, jpeg_bytes(scene(5))))
    png = root / "crater.png"
    scene(6).save(png, "PNG")
    warc_data = builders.warc_bytes(png.read_bytes())
    warc = root / "capture.warc.gz"
    warc.write_bytes(warc_data)
    key = ec.generate_private_key(ec.SECP256R1())
    wacz = root / "capture.wacz"
    wacz.write_bytes(builders.wacz_bytes(warc_data, key))
    wacz_unsigned = root / "unsigned.wacz"
    wacz_unsigned.write_bytes(builders.wacz_bytes(warc_data, None))
    wacz_tampered = root / "tampered.wacz"
    wacz_tampered.write_bytes(builders.wacz_bytes(warc_data, key, tamper="package"))
    wacz_bad = root / "bad_signature.wacz"
    wacz_bad.write_bytes(builders.wacz_bytes(warc_data, key, tamper="signature"))
    pdf = root / "list.pdf"
    pdf.write_bytes(builders.pdf_bytes())
    docx = root / "draft.docx"
    docx.write_bytes(builders.docx_bytes())
    return MediaSet(
        root, gps_photo, plain_photo, copies, unrelated, video, video_re, other, c2pa_photo, pki, warc, wacz,
        wacz_unsigned, wacz_tampered, wacz_bad, pdf, docx, png.read_bytes(),
    )  # fmt: skip


def job_for(path: Path) -> FileJob:
    """A parser job for a local file, MIME type sniffed from its content as intake does."""
    from hague.evidence.sniff import HEAD, sniff_mime

    with path.open("rb") as fh:
        return FileJob(path.name, str(path), sniff_mime(fh.read(HEAD)), path.name)


@pytest.fixture(scope="session")
def extracted(media_set: MediaSet) -> dict[str, Extraction]:
    """Every file of the set parsed once (one batch, as intake does), by file name."""
    paths = [
        media_set.gps_photo, media_set.plain_photo, media_set.video, media_set.video_reencoded, media_set.c2pa_photo,
        media_set.warc, media_set.wacz, media_set.wacz_unsigned, media_set.wacz_tampered, media_set.wacz_bad_signature,
        media_set.pdf, media_set.docx,
    ]  # fmt: skip
    return {r.key: r for r in extract_batch([job_for(p) for p in paths])}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def shared_hague(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hague]:
    """One instance per test module and backend, for tests that read what one intake wrote."""
    root = tmp_path_factory.mktemp("shared-hague")
    if request.param == "sqlite":
        url = request.getfixturevalue("sqlite_factory").new(root)
    else:
        factory = request.getfixturevalue("postgres_factory")
        url = factory.new()
    settings = Settings(data_dir=root / "data", database_url=url)
    settings.data_dir.mkdir(parents=True)
    instance = Hague(settings)
    with instance.unit() as unit:
        register.create_organisation(unit, "OTP", "Office of the Prosecutor")
    yield instance
    instance.close()
    if request.param == "postgresql":
        factory.drop(url)


def new_case(hague: Hague, title: str = "media test") -> str:
    """A fresh case in `hague` (cases keep shared-instance tests apart)."""
    with hague.unit() as unit:
        return register.create_case(unit, "OTP", "UKR", title).code
