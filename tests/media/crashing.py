"""A parser entry point for tests: the real one, except that it dies on files named `crash*`, hangs on `hang*`."""

from __future__ import annotations

import os
import time
from typing import Any

from hague.media import probes
from hague.media.sandbox import Emit


def probe_batch(job: dict[str, Any], emit: Emit) -> None:
    """Like `hague.media.probes.probe_batch`, but a file named crash* aborts the process, hang* sleeps."""
    original = probes.probe_file

    def probe_file(entry: dict[str, Any], trust: str | None) -> dict[str, Any]:
        if entry["name"].startswith("crash"):
            os.abort()
        if entry["name"].startswith("hang"):
            time.sleep(3600)
        return original(entry, trust)

    probes.probe_file = probe_file
    probes.probe_batch(job, emit)


def sleep_then(value: int) -> int:
    """Sleeps `value` seconds (for timeout tests)."""
    time.sleep(value)
    return value


def hog(mebibytes: int) -> int:
    """Allocates `mebibytes` (for memory-limit tests)."""
    hoard = [bytearray(1 << 20) for _ in range(mebibytes)]
    return len(hoard)
