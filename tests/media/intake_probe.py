"""An intake run in a fresh process, reporting its own peak RSS (the "main process" of intake).

`python -m tests.media.intake_probe DATA_DIR DATABASE_URL CASE PATH...` prints JSON: rows and peak_rss.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from hague.core import Hague
from hague.media import pipeline
from hague.settings import Settings


def peak_rss() -> int:
    """VmHWM of this process, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM")


def main(argv: list[str]) -> None:
    """Ingest the paths with media extraction, then report."""
    data_dir, database_url, case_code, *paths = argv
    hague = Hague(Settings(data_dir=Path(data_dir), database_url=database_url))
    try:
        rows, report = pipeline.ingest_with_media(hague, case_code, [Path(p) for p in paths])
    finally:
        hague.close()
    out = {"rows": [r.status for r in rows], "statuses": [f.status for f in report.files], "peak_rss": peak_rss()}
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
