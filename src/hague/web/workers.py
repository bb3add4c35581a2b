"""`hague serve --workers N`: N uvicorn processes, each listening on the port with a socket of its own.

With one shared listening socket, whichever worker wakes first accepts a whole burst of connections: under a
load test every one of 50 keep-alive clients ended on one of two workers, the other idle. With SO_REUSEPORT
each worker has its own socket and the kernel spreads new connections across them.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import time
from types import FrameType

from hague.errors import ConfigurationError

log = logging.getLogger("hague.web")
FAST_EXIT = 10.0  # a worker that dies this soon after starting failed to start: stop rather than loop


def reuse_port_supported() -> bool:
    """True where the kernel balances connections across SO_REUSEPORT sockets (Linux)."""
    return hasattr(socket, "SO_REUSEPORT") and sys.platform.startswith("linux")


def listening_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port that other workers may bind too (SO_REUSEPORT)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def _worker(host: str, port: int) -> None:
    """One worker process: its own socket, then uvicorn on the app configured by the environment."""
    import uvicorn

    sock = listening_socket(host, port)
    config = uvicorn.Config("hague.web.app:app_from_environment", factory=True, access_log=False, log_level="warning")
    uvicorn.Server(config).run(sockets=[sock])


def serve_workers(host: str, port: int, workers: int) -> int:
    """Run `workers` worker processes until SIGINT/SIGTERM; a worker that dies is restarted. Returns the exit
    status: 0 after a signal, 1 if a worker failed right after starting (bad settings, port taken)."""
    try:
        listening_socket(host, port).close()  # fail here, once, if the port is taken by something else
    except OSError as exc:
        raise ConfigurationError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    ctx = multiprocessing.get_context("spawn")
    stopping = False

    def stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    running: dict[int, tuple[multiprocessing.process.BaseProcess, float]] = {}
    status = 0
    try:
        for slot in range(workers):
            running[slot] = _start(ctx, host, port)
        while not stopping:
            time.sleep(0.2)
            for slot, (proc, started) in list(running.items()):
                if proc.is_alive() or stopping:
                    continue
                if time.monotonic() - started < FAST_EXIT:
                    log.error("a web worker exited with status %s right after starting; stopping", proc.exitcode)
                    stopping, status = True, 1
                    break
                log.warning("a web worker exited with status %s; starting another", proc.exitcode)
                running[slot] = _start(ctx, host, port)
    finally:
        for proc, _ in running.values():
            if proc.is_alive():
                proc.terminate()
        for proc, _ in running.values():
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return status


def _start(
    ctx: multiprocessing.context.SpawnContext, host: str, port: int
) -> tuple[multiprocessing.process.BaseProcess, float]:
    proc = ctx.Process(target=_worker, args=(host, port), name="hague-web-worker")
    proc.start()
    return proc, time.monotonic()
