"""Extraction of a batch of stored files in isolated parser processes, surviving hostile files.

A batch runs in one child (exiftool once over all of it). If the child dies or hangs while parsing a
file, that file gets the failure with its reason and a new child resumes with the rest, so one
hostile file never blocks the batch.
"""

from __future__ import annotations

import functools
import importlib.metadata
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from hague.media.normalise import plain, suggestions
from hague.media.sandbox import Limits, SandboxFailure, stream_isolated

BATCH = 500
PARALLEL = 2
PROBE = "hague.media.probes:probe_batch"


@dataclass(frozen=True)
class FileJob:
    """One stored file to parse: a key the caller chooses, a readable local path, the sniffed MIME type."""

    key: str
    path: str
    mime: str
    name: str = ""


@dataclass
class Extraction:
    """What the parsers found in one file (raw output, suggestions, perceptual hashes) and what failed."""

    key: str
    status: str = "ok"
    tools: dict[str, str] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    suggestions: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)
    phash: list[list[int]] = field(default_factory=list)


@dataclass
class _State:
    job: FileJob
    python: bool = True
    exiftool: bool = True
    result: Extraction = field(default_factory=lambda: Extraction(key=""))


@functools.cache
def package_versions() -> dict[str, str]:
    """Versions of the Python parser packages installed (the parser process runs in the same environment)."""
    out = {}
    for name in ("pillow", "c2pa-python", "warcio", "numpy"):
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _fail(state: _State, parser: str, reason: str) -> None:
    state.result.errors.append({"parser": parser, "reason": reason})


def _run(
    states: dict[str, _State], trust: str | None, limits: Limits, tools: dict[str, str], target: str
) -> tuple[bool, str]:
    """One child over the files still pending: whether anything progressed, and why the child stopped."""
    files = [
        {
            "key": s.job.key,
            "path": s.job.path,
            "mime": s.job.mime,
            "name": s.job.name,
            "python": s.python,
            "exiftool": s.exiftool,
        }
        for s in states.values()
        if s.python or s.exiftool
    ]
    # the child parses files in this order and reports each when done, so if it dies in the per-file
    # phase, the first file not reported is the one it was parsing
    order = [s.job.key for s in states.values() if s.python]
    done, phase, progressed = 0, "startup", False
    try:
        for message in stream_isolated(target, {"files": files, "trust": trust, "tools": package_versions()}, limits):
            event = message.get("event")
            if event == "tools":
                tools.update(message["tools"])
                phase = "per-file"
            elif event == "done":
                state = states[message["key"]]
                _merge_python(state, message["result"])
                state.python, progressed = False, True
                done += 1
            elif event == "wait":
                phase = "exiftool"
            elif event == "exiftool":
                state = states[message["key"]]
                _merge_exiftool(state, message)
                state.exiftool, progressed = False, True
    except SandboxFailure as failure:
        if phase == "per-file" and done < len(order):
            culprit = states[order[done]]
            _fail(culprit, "sandbox", failure.reason)
            culprit.python = False
            return True, failure.reason
        pending = [s for s in states.values() if s.exiftool and not s.python]
        for state in pending:  # died after the per-file parsers: the batch's exiftool step failed
            _fail(state, "exiftool", failure.reason)
            state.exiftool = False
        return progressed or bool(pending), failure.reason
    return progressed, ""


def _merge_python(state: _State, result: dict[str, Any]) -> None:
    state.result.errors.extend(result.pop("errors", []))
    frames = result.pop("phash", None) or []
    state.result.phash = [[int(h) for h in frame][:8] for frame in frames if isinstance(frame, list)]
    state.result.raw.update(result)


def _merge_exiftool(state: _State, message: dict[str, Any]) -> None:
    data = message.get("data") or {}
    if message.get("version"):
        state.result.tools["exiftool"] = str(message["version"])
    if message.get("error"):
        _fail(state, "exiftool", str(message["error"]))
    if isinstance(data, dict):
        if data.get("ExifTool:Error"):
            _fail(state, "exiftool", str(data["ExifTool:Error"]))
        if data.get("ExifTool:Warning"):  # e.g. a looped IFD or truncated data: kept, but not a failure
            state.result.errors.append(
                {"parser": "exiftool", "reason": str(data["ExifTool:Warning"]), "severity": "warning"}
            )
        state.result.raw["exiftool"] = data
    fallback = message.get("pillow_exif")
    if isinstance(fallback, dict):
        if fallback.get("error"):
            _fail(state, "pillow-exif", str(fallback["error"]))
        elif isinstance(fallback.get("exif"), dict):
            state.result.raw.setdefault("pillow", {})["exif"] = fallback["exif"]


def _finish(state: _State, tools: dict[str, str]) -> Extraction:
    result = state.result
    result.key = state.job.key
    result.tools = {**tools, **result.tools}
    result.raw["sniffed_mime"] = state.job.mime
    try:
        result.suggestions = suggestions(result.raw)
    except Exception as exc:  # the normaliser is fuzzed never to raise; if it does, the file still gets a record
        _fail(state, "normalise", f"{type(exc).__name__}: {str(exc)[:300]}")
    result.raw = plain(result.raw)
    useful = any(k in result.raw for k in ("exiftool", "pillow", "ffprobe", "c2pa", "web_capture"))
    failures = [e for e in result.errors if e.get("severity") != "warning"]
    result.status = "failed" if not useful else "partial" if failures else "ok"
    return result


def extract_batch(
    jobs: list[FileJob], *, trust: str | None = None, limits: Limits | None = None, target: str = PROBE
) -> list[Extraction]:
    """Parse `jobs` in isolated children until every file has a result or a recorded failure.

    `target` names the parser entry point ("module:function"); tests substitute a hostile one.
    """
    limits = limits or Limits()
    states = {job.key: _State(job) for job in jobs}
    tools: dict[str, str] = {}
    for _ in range(len(jobs) + 2):
        if not any(s.python or s.exiftool for s in states.values()):
            break
        progressed, reason = _run(states, trust, limits, tools, target)
        if not progressed:
            for state in states.values():
                if state.python or state.exiftool:
                    _fail(state, "sandbox", reason or "parser made no progress")
                    state.python = state.exiftool = False
    return [_finish(states[job.key], tools) for job in jobs]


def _chunks(jobs: Iterable[FileJob], size: int) -> Iterator[list[FileJob]]:
    chunk: list[FileJob] = []
    for job in jobs:
        chunk.append(job)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def extract_files(
    jobs: Iterable[FileJob],
    *,
    trust: str | None = None,
    limits: Limits | None = None,
    batch: int = BATCH,
    parallel: int = PARALLEL,
) -> Iterator[Extraction]:
    """Parse any number of files, `batch` per parser process, up to `parallel` processes at a time (one
    batch starts while another finishes); results come in the order of `jobs`."""
    with ThreadPoolExecutor(max_workers=max(1, parallel), thread_name_prefix="hague-parse") as pool:
        running: deque[Future[list[Extraction]]] = deque()
        for chunk in _chunks(jobs, batch):
            running.append(pool.submit(extract_batch, chunk, trust=trust, limits=limits))
            if len(running) >= max(1, parallel):
                yield from running.popleft().result()
        while running:
            yield from running.popleft().result()
