"""The parser process: exiftool once over the whole batch, Pillow/ffmpeg/C2PA/WARC per file.

Runs only inside `sandbox.stream_isolated`. It emits `tools`, then `done` for each file in the order given
(so if the process dies, the parent knows the first file not done was being parsed), then `wait` and
one `exiftool` message per file.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from typing import Any

from hague.media import imaging, provenance, video, webcapture
from hague.media.normalise import plain
from hague.media.sandbox import Emit

# -e: no Composite tags (derived values; the normaliser derives what it needs), which costs exiftool ~40% less
EXIFTOOL_ARGS = ["exiftool", "-json", "-G1", "-n", "-e", "-charset", "filename=utf8", "-api", "LargeFileSupport=1"]
EXIFTOOL_SECONDS_PER_FILE = 2.0
EXIFTOOL_PROCESSES = max(1, min(4, os.cpu_count() or 1))
EXIFTOOL_MIN_SLICE = 50


def tool_versions(videos: bool, known: dict[str, str]) -> dict[str, str]:
    """Versions of the parsers this process uses (recorded with every extraction); Python packages come
    from the parent (same environment), so this process need not load package metadata."""
    tools = dict(known)
    if videos:
        try:
            first = subprocess.run(["ffprobe", "-version"], capture_output=True, timeout=10, check=False).stdout
        except (OSError, subprocess.TimeoutExpired):
            first = b""
        words = first.decode("utf-8", "replace").split("\n", 1)[0].split(" ")
        tools["ffmpeg"] = words[2] if len(words) > 2 else "unavailable"
    return tools


def _start_exiftool(paths: list[str], workdir: str) -> list[tuple[subprocess.Popen[bytes], str, list[str]]]:
    """exiftool in batch mode over `paths`: one process per CPU (at least 50 files each), never one per file."""
    count = max(1, min(EXIFTOOL_PROCESSES, len(paths) // EXIFTOOL_MIN_SLICE))
    runs = []
    for n in range(count):
        part = paths[n::count]
        argfile, out = os.path.join(workdir, f"args{n}.txt"), os.path.join(workdir, f"exif{n}.json")
        with open(argfile, "w", encoding="utf-8") as fh:
            fh.write("\n".join(part) + "\n")
        with open(out, "wb") as sink:
            proc = subprocess.Popen([*EXIFTOOL_ARGS, "-@", argfile], stdout=sink, stderr=subprocess.DEVNULL)
        runs.append((proc, out, part))
    return runs


def _exiftool_results(
    runs: list[tuple[subprocess.Popen[bytes], str, list[str]]], timeout: float
) -> tuple[list[Any], dict[str, str]]:
    """Every record the exiftool processes wrote, and for the files of a failed process, why it failed."""
    deadline = time.monotonic() + timeout
    records: list[Any] = []
    errors: dict[str, str] = {}
    for proc, out, part in runs:
        error = None
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            error = f"exiftool timed out after {timeout:g} s"
        if error is None:
            with open(out, "rb") as fh:
                raw = fh.read()
            try:
                found = json.loads(raw, parse_float=str) if raw.strip() else None
            except ValueError as exc:
                found, error = None, f"exiftool output unreadable: {exc}"
            if isinstance(found, list):
                records.extend(found)
            elif error is None:
                error = f"exiftool produced no output (exit status {proc.returncode})"
        if error:
            errors.update(dict.fromkeys(part, error))
    return records, errors


def _ends(path: str) -> tuple[bytes, bytes, int]:
    """The first and last 4 MB of a file (the tail is empty when the head already holds all of it), and its size."""
    with open(path, "rb") as fh:
        head = fh.read(provenance.SCAN)
        size = fh.seek(0, 2)
        tail = b""
        if size > len(head):
            fh.seek(max(len(head), size - provenance.SCAN))
            tail = fh.read(provenance.SCAN)
    return head, tail, size


def _embedded_zip(head: bytes, tail: bytes, size: int, mime: str) -> str | None:
    """A ZIP archive riding on a non-archive file (polyglot): a well-formed end-of-central-directory at the end."""
    if "zip" in mime or mime.startswith(
        ("application/vnd.openxmlformats", "application/vnd.oasis", "application/java")
    ):
        return None
    end = (head + tail)[-65557:] if not tail or len(tail) < 65557 else tail[-65557:]
    at = end.rfind(b"PK\x05\x06")
    if at < 0 or len(end) - at < 22:
        return None
    comment = int.from_bytes(end[at + 20 : at + 22], "little")
    cd_size = int.from_bytes(end[at + 12 : at + 16], "little")
    if at + 22 + comment != len(end) or cd_size > size:
        return None
    where = size - len(end) + at
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

    head, tail, size = _ends(path)
    polyglot = attempt("structure", lambda: _embedded_zip(head, tail, size, mime))
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
    if provenance.has_manifest_marker(head, tail):
        credentials = attempt("c2pa", lambda: provenance.read_credentials(path, mime, trust))
        if credentials:
            result["c2pa"] = plain(credentials)
    if webcapture.is_warc(head[:4096]):
        with open(path, "rb") as fh:
            capture = attempt("warcio", lambda: webcapture.warc_records(fh))
        if capture:
            result["web_capture"] = plain({"format": "warc", **capture})
    elif head.startswith(b"PK\x03\x04") and (entry.get("name", "").lower().endswith(".wacz") or "zip" in mime):
        capture = attempt("wacz", lambda: _wacz_if_package(path))
        if capture:
            result["web_capture"] = plain(capture)
    return result


def _pillow_exif(path: str) -> dict[str, Any]:
    """Pillow's reading of the EXIF block, when exiftool could not give one."""
    try:
        return {"exif": plain(imaging.exif_fallback(path))}
    except Exception as exc:  # a malformed EXIF block is a finding, not a crash
        return {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}


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
    emit({"event": "tools", "tools": tool_versions(videos, job.get("tools") or {})})
    with tempfile.TemporaryDirectory(prefix="hague-probe-") as workdir:
        try:
            runs = _start_exiftool(exif_paths, workdir) if exif_paths else []
            missing = None
        except OSError as exc:  # exiftool not installed: Pillow's EXIF reading stands in
            runs, missing = [], f"exiftool could not run: {exc.strerror or exc}"
        for entry in files:
            if not entry.get("python", True):
                continue
            emit({"event": "done", "key": entry["key"], "result": probe_file(entry, job.get("trust"))})
        if not exif_paths:
            return
        timeout = 30 + EXIFTOOL_SECONDS_PER_FILE * len(exif_paths)
        emit({"event": "wait", "seconds": timeout})
        started = time.monotonic()
        records, errors = _exiftool_results(runs, timeout) if runs else ([], dict.fromkeys(exif_paths, str(missing)))
        by_path = {str(r.get("SourceFile")): r for r in records if isinstance(r, dict)}
        version = next((str(r.get("ExifTool:ExifToolVersion")) for r in records if isinstance(r, dict)), None)
        for entry in files:
            if entry.get("exiftool", True):
                record = by_path.get(entry["path"])
                body = {k: v for k, v in (record or {}).items() if not k.startswith(("System:", "SourceFile"))}
                error = errors.get(entry["path"])
                message = {"event": "exiftool", "key": entry["key"], "data": plain(body), "error": error}
                if (error or not record or "ExifTool:Error" in record) and entry["mime"].startswith("image/"):
                    message["pillow_exif"] = _pillow_exif(entry["path"])
                emit(message | {"version": version})
        emit({"event": "exiftool_done", "seconds": round(time.monotonic() - started, 3)})
