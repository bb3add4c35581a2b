"""The parser process: exiftool once over the whole batch, Pillow/ffmpeg/C2PA/WARC per file.

Runs only inside `sandbox.stream_isolated`. For each file it emits `start` then `done` (so the parent
knows which file was being parsed if the process dies), then one `exiftool` message for the batch.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import tempfile
import time
from typing import Any

from hague.media import imaging, provenance, video, webcapture
from hague.media.normalise import plain
from hague.media.sandbox import Emit

EXIFTOOL_ARGS = ["exiftool", "-json", "-G1", "-n", "-charset", "filename=utf8", "-api", "LargeFileSupport=1"]
EXIFTOOL_SECONDS_PER_FILE = 2.0


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def tool_versions(videos: bool) -> dict[str, str]:
    """Versions of the parsers this process uses (recorded with every extraction)."""
    tools = {"pillow": _version("pillow"), "c2pa-python": _version("c2pa-python"), "warcio": _version("warcio")}
    if videos:
        first = subprocess.run(["ffprobe", "-version"], capture_output=True, timeout=10, check=False).stdout
        tools["ffmpeg"] = first.decode("utf-8", "replace").split("\n", 1)[0].split(" ")[2:3][0] if first else "unknown"
    return tools


def _start_exiftool(paths: list[str], workdir: str) -> tuple[subprocess.Popen[bytes], str]:
    argfile = os.path.join(workdir, "args.txt")
    with open(argfile, "w", encoding="utf-8") as fh:
        fh.write("\n".join(paths) + "\n")
    out = os.path.join(workdir, "exif.json")
    with open(out, "wb") as sink:
        proc = subprocess.Popen([*EXIFTOOL_ARGS, "-@", argfile], stdout=sink, stderr=subprocess.DEVNULL)
    return proc, out


def _exiftool_result(proc: subprocess.Popen[bytes], out: str, timeout: float) -> tuple[list[Any], str | None]:
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return [], f"exiftool timed out after {timeout:g} s"
    with open(out, "rb") as fh:
        raw = fh.read()
    if not raw.strip():
        return [], f"exiftool produced no output (exit status {proc.returncode})"
    try:
        return json.loads(raw, parse_float=str), None
    except ValueError as exc:
        return [], f"exiftool output unreadable: {exc}"


def _embedded_zip(path: str, mime: str) -> str | None:
    """A ZIP archive riding on a non-archive file (polyglot): a well-formed end-of-central-directory at the end."""
    if "zip" in mime or mime.startswith(
        ("application/vnd.openxmlformats", "application/vnd.oasis", "application/java")
    ):
        return None
    with open(path, "rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - 65557))
        tail = fh.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    comment = int.from_bytes(tail[at + 20 : at + 22], "little")
    cd_size = int.from_bytes(tail[at + 12 : at + 16], "little")
    if at + 22 + comment != len(tail) or cd_size > size:
        return None
    where = size - len(tail) + at
    return f"polyglot: a ZIP archive is appended to this {mime} file (end of central directory at byte {where})"


def probe_file(entry: dict[str, Any], trust: str | None) -> dict[str, Any]:
    """Everything but exiftool for one file; each parser's failure is kept with its reason."""
    path, mime = entry["path"], entry["mime"]
    result: dict[str, Any] = {"errors": []}

    def attempt(name: str, func: Any) -> Any:
        try:
            return func()
        except Exception as exc:  # any parser error is a finding about the file, not a crash
            result["errors"].append({"parser": name, "reason": f"{type(exc).__name__}: {str(exc)[:300]}"})
            return None

    with open(path, "rb") as fh:
        head = fh.read(4096)
    polyglot = attempt("structure", lambda: _embedded_zip(path, mime))
    if polyglot:
        result["errors"].append({"parser": "structure", "reason": polyglot})
    if mime.startswith("image/") and mime != "image/svg+xml":
        pillow = attempt("pillow", lambda: imaging.probe_image(path))
        if pillow:
            result["phash"] = [pillow.pop("phash")]
            result["pillow"] = plain(pillow)
    if mime.startswith(("video/", "audio/")) or mime == "application/mp4":
        result["ffprobe"] = plain(attempt("ffprobe", lambda: video.ffprobe(path)))
        if not mime.startswith("audio/"):
            frames = attempt("ffmpeg", lambda: video.keyframe_hashes(path))
            if frames:
                result["phash"] = frames
    if attempt("c2pa", lambda: provenance.has_manifest_marker(path)):
        credentials = attempt("c2pa", lambda: provenance.read_credentials(path, mime, trust))
        if credentials:
            result["c2pa"] = plain(credentials)
    if webcapture.is_warc(head):
        with open(path, "rb") as fh:
            capture = attempt("warcio", lambda: webcapture.warc_records(fh))
        if capture:
            result["web_capture"] = plain({"format": "warc", **capture})
    elif head.startswith(b"PK\x03\x04") and (entry.get("name", "").lower().endswith(".wacz") or "zip" in mime):
        capture = attempt("wacz", lambda: _wacz_if_package(path))
        if capture:
            result["web_capture"] = plain(capture)
    return result


def _wacz_if_package(path: str) -> dict[str, Any] | None:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        if "datapackage.json" not in archive.namelist():
            return None
    return webcapture.wacz_package(path)


def probe_batch(job: dict[str, Any], emit: Emit) -> None:
    """Parse a batch: exiftool runs over all files in the background while Python parsers go file by file."""
    imaging.configure()
    files: list[dict[str, Any]] = job["files"]
    exif_paths = [f["path"] for f in files if f.get("exiftool", True)]
    videos = any(f["mime"].startswith("video/") for f in files)
    emit({"event": "tools", "tools": tool_versions(videos)})
    with tempfile.TemporaryDirectory(prefix="hague-probe-") as workdir:
        proc = _start_exiftool(exif_paths, workdir) if exif_paths else None
        for entry in files:
            if not entry.get("python", True):
                continue
            emit({"event": "start", "key": entry["key"]})
            emit({"event": "done", "key": entry["key"], "result": probe_file(entry, job.get("trust"))})
        if proc is None:
            return
        timeout = 30 + EXIFTOOL_SECONDS_PER_FILE * len(exif_paths)
        emit({"event": "wait", "seconds": timeout})
        started = time.monotonic()
        records, error = _exiftool_result(proc[0], proc[1], timeout)
        by_path = {str(r.get("SourceFile")): r for r in records if isinstance(r, dict)}
        version = next((str(r.get("ExifTool:ExifToolVersion")) for r in records if isinstance(r, dict)), None)
        for entry in files:
            if entry.get("exiftool", True):
                record = by_path.get(entry["path"])
                body = {k: v for k, v in (record or {}).items() if not k.startswith(("System:", "SourceFile"))}
                emit(
                    {"event": "exiftool", "key": entry["key"], "data": plain(body), "error": error, "version": version}
                )
        emit({"event": "exiftool_done", "seconds": round(time.monotonic() - started, 3)})
