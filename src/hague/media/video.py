"""Video and audio (inside the parser process): ffprobe metadata and pHashes of keyframes via ffmpeg."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import numpy as np

from hague.media.phash import SIDE, phash_orientations

MAX_KEYFRAMES = 64
TOOL_TIMEOUT = 60.0


def ffprobe(path: str) -> dict[str, Any]:
    """Container and stream metadata (duration, codecs, creation time, location tags)."""
    proc = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", "--", path],
        capture_output=True,
        timeout=TOOL_TIMEOUT,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"ffprobe: {proc.stderr.decode('utf-8', 'replace').strip()[:300] or 'failed'}")
    data: dict[str, Any] = json.loads(proc.stdout, parse_float=str)
    return data


def keyframe_hashes(path: str) -> list[list[int]]:
    """pHash orientations of up to 64 keyframes (I-frames only are decoded: fast, and re-encodes keep frame 0)."""
    proc = subprocess.run(
        [
            "ffmpeg", "-nostdin", "-v", "error", "-skip_frame", "nokey", "-i", path, "-map", "0:v:0",
            "-vsync", "vfr", "-frames:v", str(MAX_KEYFRAMES), "-vf", f"scale={SIDE}:{SIDE}:flags=area,format=gray",
            "-f", "rawvideo", "-",
        ],
        capture_output=True,
        timeout=TOOL_TIMEOUT,
        check=False,
    )  # fmt: skip
    frame = SIDE * SIDE
    if proc.returncode != 0 and len(proc.stdout) < frame:
        raise RuntimeError(f"ffmpeg: {proc.stderr.decode('utf-8', 'replace').strip()[:300] or 'no frames'}")
    count = len(proc.stdout) // frame
    frames = np.frombuffer(proc.stdout[: count * frame], dtype=np.uint8).reshape(count, SIDE, SIDE)
    return [phash_orientations(f.astype(np.float64)) for f in frames]
