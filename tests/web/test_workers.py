"""`hague serve --workers N`: each worker listens on the port with its own socket, so the kernel spreads clients."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hague.web.workers import listening_socket, reuse_port_supported

pytestmark = pytest.mark.skipif(not reuse_port_supported(), reason="SO_REUSEPORT balancing is Linux-only")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listeners(port: int) -> int:
    """TCP sockets in LISTEN state on `port` (from /proc/net/tcp: local address, state 0A)."""
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(1 for row in rows if row.split()[1].endswith(f":{port:04X}") and row.split()[3] == "0A")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = _free_port()
    env = {**os.environ, "HAGUE_DATA_DIR": str(tmp_path), "HAGUE_SECRET_KEY": "k" * 40}
    hague_cmd = Path(sys.executable).parent / "hague"
    proc = subprocess.Popen(
        [str(hague_cmd), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            if _listeners(port) == 2:
                break
            time.sleep(0.1)
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=60)


def _healthy(port: int) -> bool:
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            time.sleep(0.2)
    return False


def test_each_worker_listens_on_the_port_with_a_socket_of_its_own(served: tuple[subprocess.Popen[bytes], int]) -> None:
    _, port = served
    assert _healthy(port)
    assert _listeners(port) == 2


def test_sigterm_stops_every_worker_and_frees_the_port(served: tuple[subprocess.Popen[bytes], int]) -> None:
    proc, port = served
    assert _healthy(port)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0
    assert _listeners(port) == 0


def test_a_port_taken_by_another_program_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "HAGUE_DATA_DIR": str(tmp_path), "HAGUE_SECRET_KEY": "k" * 40}
        done = subprocess.run(
            [str(Path(sys.executable).parent / "hague"), "serve", "--port", str(port), "--workers", "2"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in done.stdout + done.stderr


def test_workers_sockets_share_the_port() -> None:
    port = _free_port()
    first, second = listening_socket("127.0.0.1", port), listening_socket("127.0.0.1", port)
    try:
        assert _listeners(port) == 2
    finally:
        first.close()
        second.close()
