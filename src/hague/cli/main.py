"""Entry point of the `hague` command.

Evidence, access and set-up commands load at once; each other area's commands load on first use
(`hague.cli.lazy`), so a command pays only for the libraries it needs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hague.cli import access as access_cli
from hague.cli import evidence as evidence_cli
from hague.cli.common import State, console, instance, print_json, translate_errors
from hague.cli.lazy import LAZY, LazyGroup
from hague.store.local import LocalStore

app = typer.Typer(
    cls=LazyGroup, help="Hague: evidence platform for international crimes investigations.", no_args_is_help=True
)


@app.callback()
def main(
    data_dir: Annotated[Path | None, typer.Option(envvar="HAGUE_DATA_DIR", help="Data folder.")] = None,
    config: Annotated[Path | None, typer.Option(envvar="HAGUE_CONFIG", help="TOML settings file.")] = None,
    actor: Annotated[str | None, typer.Option("--as", envvar="HAGUE_USER", help="Acting user.")] = None,
) -> None:
    """Global options."""
    State.data_dir = data_dir
    State.config = config
    State.actor = actor


@app.command()
@translate_errors
def init() -> None:
    """Create the data folder, database schema and store (safe to run again)."""
    with instance() as hague:
        swept = hague.store.sweep_temporary() if isinstance(hague.store, LocalStore) else 0
        console.print(
            f"Hague ready: database {hague.engine.url.render_as_string(hide_password=True)}, store {hague.store.url}"
            + (f" ({swept} stale temporary files from interrupted writes removed)" if swept else ""),
            highlight=False,
        )


@app.command()
@translate_errors
def demo(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Load the demo case (Ukraine situation); does nothing if it is already loaded."""
    from hague.demo import load_demo

    with instance() as hague:
        summary = load_demo(hague)
    print_json(summary) if as_json else console.print(
        f"demo case {summary['case']}: {summary['incidents']} incidents, {summary['items']} items "
        f"({'loaded' if summary['created'] else 'already present'})"
    )


app.add_typer(evidence_cli.org_app, name="org")
app.add_typer(access_cli.user_app, name="user")
app.add_typer(access_cli.role_app, name="role")
app.add_typer(evidence_cli.case_app, name="case")
app.add_typer(evidence_cli.incident_app, name="incident")
app.add_typer(evidence_cli.item_app, name="item")
app.command("ingest")(evidence_cli.ingest_cmd)

LAZY.update(
    {
        # chain of custody, forensic forms, workflow tracing
        "custody": ("hague.cli.custody", "custody_app"),
        "workflow": ("hague.cli.custody", "workflow_app"),
        "forensic": ("hague.cli.custody", "forensic_app"),
        # victim identification
        "identify": ("hague.cli.identify", "identify_app"),
        # digital evidence
        "media": ("hague.cli.media", "media_app"),
        # casualties
        "casualties": ("hague.cli.casualties", "app"),
        # testimony and witness protection
        "vault": ("hague.cli.testimony", "vault_app"),
        "witness": ("hague.cli.testimony", "witness_app"),
        "interview": ("hague.cli.testimony", "interview_app"),
        "pprl": ("hague.cli.testimony", "pprl_app"),
        "redact": ("hague.cli.testimony", "redact_cmd"),
        # the verifiable log (its partner witnesses are `log-witness`: `witness` is the testimony's)
        "keys": ("hague.cli.ledger", "keys_app"),
        "proof": ("hague.cli.ledger", "proof_app"),
        "log-witness": ("hague.cli.ledger", "witness_app"),
        "checkpoint": ("hague.cli.ledger", "checkpoint_cmd"),
        "verify-proof": ("hague.cli.ledger", "verify_proof_cmd"),
        "verify": ("hague.cli.ledger", "verify_cmd"),
        # web application and API
        "serve": ("hague.cli.web", "serve"),
        "demo-users": ("hague.cli.web", "demo_users"),
        "token": ("hague.cli.web", "token_app"),
        "search": ("hague.cli.search", "search_app"),
        # court bundles and exchange
        "bundle": ("hague.cli.bundle", "bundle_app"),
        "export": ("hague.cli.bundle", "export_app"),
    }
)

if __name__ == "__main__":
    app()
