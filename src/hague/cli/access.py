"""CLI for users and per-case roles."""

from __future__ import annotations

from typing import Annotated

import typer

from hague.access import roles
from hague.cli.common import State, console, instance, translate_errors

user_app = typer.Typer(help="Users.", no_args_is_help=True)
role_app = typer.Typer(help="Per-case roles.", no_args_is_help=True)


@user_app.command("add")
@translate_errors
def user_add(
    username: str,
    display_name: str,
    organisation: Annotated[str, typer.Option("--org")],
    clearance: str = "restricted",
    admin: bool = False,
    password: Annotated[str | None, typer.Option(envvar="HAGUE_NEW_PASSWORD", help="Or prompt.")] = None,
) -> None:
    """Create a user in an organisation."""
    with instance() as hague, hague.unit() as unit:
        user = roles.create_user(unit, username, display_name, organisation, clearance, password, admin)
        console.print(f"user {user.username} created")


@role_app.command("grant")
@translate_errors
def role_grant(case: str, username: str, role: str) -> None:
    """Grant a role on a case (viewer, investigator, analyst, custodian, wpo, case_lead, admin)."""
    with instance() as hague, hague.unit() as unit:
        roles.grant_role(unit, case, username, role, granted_by=State.actor or "")
        console.print(f"{username} is {role} on {case}")
