"""A command group that imports each area's CLI module only when one of its commands runs.

Area modules pull in heavy libraries (splink, statsmodels, pandas, scipy); importing them all made
every `hague` invocation slow and large. The root group knows each command's name and module and
loads the module on first use (help listings load them all).
"""

from __future__ import annotations

import importlib
from typing import Any

import typer
from typer.core import TyperGroup

# command name -> (module, attribute): a Typer sub-app or a command function.
LAZY: dict[str, tuple[str, str]] = {}


def load(ctx: Any, module: str, attribute: str, name: str) -> Any:
    """The click command `name`, built from `module.attribute`."""
    target = getattr(importlib.import_module(module), attribute)
    command: Any
    if isinstance(target, typer.Typer):
        command = typer.main.get_command(target)
    else:
        holder = typer.Typer()
        holder.command(name)(target)
        holder.command("-", hidden=True)(lambda: None)  # a second command keeps the holder a group
        group = typer.main.get_command(holder)
        if not isinstance(group, TyperGroup):
            raise TypeError(f"cannot build command {name!r}")
        command = group.get_command(ctx, name)
    if command is not None:
        command.name = name
    return command


class LazyGroup(TyperGroup):
    """Root group: eager commands as usual, plus the lazily imported ones in `LAZY`."""

    def list_commands(self, ctx: Any) -> list[str]:
        """Eager commands in creation order, then the lazy ones."""
        eager = super().list_commands(ctx)
        return [*eager, *(name for name in LAZY if name not in eager)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """Build a lazy command on first use; eager ones as usual."""
        if cmd_name in LAZY and cmd_name not in self.commands:
            return load(ctx, *LAZY[cmd_name], cmd_name)
        return super().get_command(ctx, cmd_name)
