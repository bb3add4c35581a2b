"""Shared CLI plumbing: opening the instance, printing JSON, and the one place errors become exits."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console

from hague.core import Hague
from hague.errors import HagueError
from hague.settings import load_settings

console = Console()
err_console = Console(stderr=True)
P = ParamSpec("P")
R = TypeVar("R")


class State:
    """Global options given before the command (`hague --data-dir X ...`)."""

    data_dir: Path | None = None
    config: Path | None = None
    actor: str | None = None


def require_actor() -> str:
    """The username given with `--as` / `HAGUE_USER`; commands that act for someone need it."""
    if not State.actor:
        from hague.errors import ValidationError

        raise ValidationError("say who is acting: hague --as USERNAME ... (or set HAGUE_USER)")
    return State.actor


def open_hague() -> Hague:
    """The instance configured by global options and `HAGUE_*` variables (migrated on open)."""
    settings = load_settings(State.config, data_dir=State.data_dir)
    return Hague.open(settings)


@contextmanager
def instance() -> Iterator[Hague]:
    """Open the instance for one command and close it afterwards."""
    hague = open_hague()
    try:
        yield hague
    finally:
        hague.close()


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(type(value).__name__)


def print_json(value: Any) -> None:
    """Machine-readable output on stdout."""
    sys.stdout.write(json.dumps(value, default=_default, ensure_ascii=False, indent=2) + "\n")


def translate_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn library errors into a one-line message and exit code 2 (1 is kept for partial failures)."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except HagueError as exc:
            err_console.print(f"[bold red]error[/]: {exc.message}", markup=True, highlight=False)
            raise typer.Exit(2) from None

    return wrapper
