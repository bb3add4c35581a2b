"""`make run` works: its recipe (read from the Makefile, so it cannot drift) ends in a serving Hague."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.s3 import free_port

ROOT = Path(__file__).resolve().parents[2]


def _run_recipe() -> list[list[str]]:
    text = (ROOT / "Makefile").read_text()
    recipe = text.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    steps = [line.strip() for line in recipe.splitlines()[1:] if line.startswith("\t")]
    commands = [re.sub(r"^\$\(BIN\)/hague\s*", "", step).split() for step in steps if step.startswith("$(BIN)/hague")]
    assert commands and commands[-1][0] == "serve", "make run must end in `hague serve`"
    return commands


def test_make_run_recipe_sets_up_loads_the_demo_and_serves(tmp_path: Path) -> None:
    env = {**os.environ, "HAGUE_DATA_DIR": str(tmp_path / "hague-data")}
    env.pop("HAGUE_DATABASE_URL", None)
    cli = [sys.executable, "-m", "hague.cli.main"]
    *setup, serve = _run_recipe()
    for args in setup:
        done = subprocess.run([*cli, *args], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"hague {' '.join(args)}: {done.stdout}{done.stderr}"
    port = free_port()
    server = subprocess.Popen([*cli, *serve, "--port", str(port)], env=env, stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/", follow_redirects=True, timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None, "hague serve did not come up"
                time.sleep(0.2)
        assert response.status_code == 200
        assert "Hague" in response.text
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in out
