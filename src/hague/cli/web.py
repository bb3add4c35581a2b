"""CLI of the web face: `hague serve`, `hague demo-users`, `hague token create|revoke`."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from hague.cli.common import State, console, instance, open_hague, require_actor, translate_errors

token_app = typer.Typer(help="Scoped API tokens for scripts.", no_args_is_help=True)


@translate_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes (each opens the instance).")] = 1,
) -> None:
    """Run the web application and API (uvicorn); prints the URL, and demo accounts if loaded."""
    import uvicorn

    from hague.web.app import create_app
    from hague.web.demo import credentials_text, demo_users_present
    from hague.web.deps import secret_key
    from hague.web.security import configure_access_log
    from hague.web.workers import reuse_port_supported, serve_workers

    hague = open_hague()
    url = f"http://{host}:{port}/"
    console.print(credentials_text(url) if demo_users_present(hague) else f"Hague is at {url}", highlight=False)
    configure_access_log()
    try:
        if workers > 1:
            # Each worker opens its own instance from the environment: hand it the same settings and key.
            secret_key(hague)
            os.environ["HAGUE_DATA_DIR"] = str(hague.settings.data_dir)
            if State.config:
                os.environ["HAGUE_CONFIG"] = str(State.config)
            hague.close()
            if reuse_port_supported():
                raise typer.Exit(serve_workers(host, port, workers))
            uvicorn.run(
                "hague.web.app:app_from_environment",
                factory=True,
                workers=workers,
                timeout_worker_healthcheck=120,  # a worker imports the whole library before it answers
                host=host,
                port=port,
                access_log=False,
                log_level="warning",
            )
        else:
            uvicorn.run(create_app(hague, server=True), host=host, port=port, access_log=False, log_level="warning")
    finally:
        hague.close()


@translate_errors
def demo_users() -> None:
    """Load the demo case and its demo accounts (two organisations, roles, TOTP). Demo only."""
    from hague.web.demo import load_demo_users

    with instance() as hague:
        summary = load_demo_users(hague)
    created = ", ".join(summary["created"]) or "none (already present)"
    console.print(f"demo case {summary['case']}: accounts created: {created}", highlight=False)


@token_app.command("create")
@translate_errors
def token_create(
    name: Annotated[str, typer.Argument(help="What the token is for.")],
    scope: Annotated[list[str] | None, typer.Option("--scope", help="read, write, share (repeat).")] = None,
    days: Annotated[int, typer.Option(help="Days until it expires (0: never).")] = 90,
) -> None:
    """Create an API token for the acting user (`--as`); the secret is printed once."""
    from hague.access import auth

    username = require_actor()
    with instance() as hague, hague.unit() as unit:
        secret = auth.create_token(unit, username, name, scope or ["read"], days or None)
    sys.stdout.write(secret + "\n")


@token_app.command("revoke")
@translate_errors
def token_revoke(prefix: Annotated[str, typer.Argument(help="The token's prefix (hg_PREFIX_...).")]) -> None:
    """Revoke a token (its owner or an administrator of the same organisation)."""
    from hague.access import auth
    from hague.access.roles import get_user

    username = require_actor()
    with instance() as hague, hague.unit() as unit:
        auth.revoke_token(unit, prefix, get_user(unit.session, username))
    console.print(f"token {prefix} revoked")
