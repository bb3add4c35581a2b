"""Run a parser in a separate process with address-space, CPU and wall-clock limits.

Evidence comes from adversaries: a parser that explodes, loops or crashes MUST take down only its
own process (and the tools it started, in its own session). The child is a fresh interpreter
(`python -m hague.media.sandbox`) that sets its limits before reading the job, then streams
length-prefixed JSON messages; the parent reads each within `idle_seconds` and at most
`max_message` bytes, so a hostile file can neither hang nor inflate the main process.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import resource
import select
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import IO, Any

Emit = Callable[[dict[str, Any]], None]
HEADER = 4


@dataclass(frozen=True)
class Limits:
    """Resource limits of one parser process (the tools it runs inherit them)."""

    memory_bytes: int = 1536 * 1024 * 1024
    cpu_seconds: int = 600
    idle_seconds: float = 60.0  # longest silence between two messages before the child is killed
    max_message: int = 128 * 1024 * 1024


class SandboxFailure(Exception):
    """The isolated parser stopped without finishing: `reason` says why (limit hit, crash, timeout)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _exit_reason(code: int | None, limits: Limits) -> str:
    if code is None:
        return "did not finish"
    if code < 0:
        if -code == signal.SIGXCPU:
            return f"exceeded the CPU limit ({limits.cpu_seconds} s)"
        if -code == signal.SIGKILL:
            return "was killed (memory or time limit)"
        return f"crashed with signal {signal.Signals(-code).name}"
    return f"exited with status {code}"


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # the whole session: exiftool/ffmpeg too
    proc.wait()


def _read_exact(fd: int, size: int, timeout: float) -> bytes | None:
    """`size` bytes from `fd`, None on end of stream; TimeoutError if nothing arrives for `timeout` s."""
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            raise TimeoutError
        data = os.read(fd, min(remaining, 1 << 20))
        if not data:
            return None
        chunks.append(data)
        remaining -= len(data)
    return b"".join(chunks)


def stream_isolated(target: str, arg: Any, limits: Limits | None = None) -> Iterator[dict[str, Any]]:
    """Messages that `target` ("module:function", called as f(arg, emit)) sends from a limited child.

    Raises SandboxFailure if the child dies, hangs, over-talks or reports a failure.
    """
    limits = limits or Limits()
    job = json.dumps({"target": target, "arg": arg, "limits": asdict(limits)}).encode("utf-8")
    with tempfile.TemporaryFile() as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hague.media.sandbox"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            start_new_session=True,
            env={**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "PYTHONHASHSEED": "0"},
        )
        try:
            yield from _messages(proc, job, limits, stderr)
        finally:
            if proc.poll() is None:
                _kill(proc)


def _messages(proc: subprocess.Popen[bytes], job: bytes, limits: Limits, stderr: IO[bytes]) -> Iterator[dict[str, Any]]:
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(job)
        proc.stdin.close()
    except BrokenPipeError:
        pass
    fd = proc.stdout.fileno()
    idle = limits.idle_seconds
    while True:
        try:
            header = _read_exact(fd, HEADER, idle)
            size = int.from_bytes(header or b"", "big")
            if header is not None and size > limits.max_message:
                _kill(proc)
                raise SandboxFailure(f"parser sent a message larger than {limits.max_message} bytes")
            body = _read_exact(fd, size, idle) if header is not None else None
        except TimeoutError:
            _kill(proc)
            raise SandboxFailure(f"parser timed out after {idle:g} s without progress") from None
        if body is None:
            code = proc.wait()
            stderr.seek(max(0, stderr.seek(0, 2) - 300))
            tail = stderr.read().decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise SandboxFailure(f"parser {_exit_reason(code, limits)} {tail[0][:200]}".strip())
        message = json.loads(body)
        if message.get("event") == "exit":
            if not message.get("ok"):
                raise SandboxFailure(f"parser failed: {message.get('reason', 'unknown error')}")
            return
        # the child announces a long step (exiftool over a whole batch) so silence is expected
        idle = (
            max(limits.idle_seconds, float(message.get("seconds", 0)) + 5)
            if message.get("event") == "wait"
            else limits.idle_seconds
        )
        yield message


def _value(arg: dict[str, Any], emit: Emit) -> None:
    module, name = str(arg["target"]).split(":")
    emit({"event": "value", "value": getattr(importlib.import_module(module), name)(arg["arg"])})


def run_isolated(target: str, arg: Any, limits: Limits | None = None) -> Any:
    """`target(arg)` ("module:function") in a limited child: its JSON-able result, or SandboxFailure."""
    for message in stream_isolated("hague.media.sandbox:_value", {"target": target, "arg": arg}, limits):
        if message.get("event") == "value":
            return message["value"]
    raise SandboxFailure("parser returned nothing")


def _child_main() -> None:
    """Entry point of the parser process: limits first, then the job from stdin, messages on stdout."""
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # stray prints MUST NOT corrupt the message stream
    job = json.loads(sys.stdin.buffer.read())
    limits = Limits(**job["limits"])
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    def emit(message: dict[str, Any]) -> None:
        body = json.dumps(message, ensure_ascii=False, default=str).encode("utf-8")
        out.write(len(body).to_bytes(HEADER, "big") + body)
        out.flush()

    module, name = str(job["target"]).split(":")
    try:
        getattr(importlib.import_module(module), name)(job["arg"], emit)
        reply: dict[str, Any] = {"event": "exit", "ok": True}
    except MemoryError:
        reply = {"event": "exit", "ok": False, "reason": f"exceeded the memory limit ({limits.memory_bytes >> 20} MB)"}
    except BaseException as exc:  # the child reports every failure to its parent before exiting
        reply = {"event": "exit", "ok": False, "reason": f"{type(exc).__name__}: {str(exc)[:500]}"}
    try:
        emit(reply)
    except (MemoryError, ValueError, OSError):
        os._exit(3)


if __name__ == "__main__":
    _child_main()
