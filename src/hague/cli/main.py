"""Entry point of the `hague` command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hague.cli import access as access_cli
from hague.cli import bundle as bundle_cli
from hague.cli import casualties as casualties_cli
from hague.cli import custody as custody_cli
from hague.cli import evidence as evidence_cli
from hague.cli import identify as identify_cli
from hague.cli import ledger as ledger_cli
from hague.cli import media as media_cli
from hague.cli import testimony as testimony_cli
from hague.cli import web as web_cli
from hague.cli.common import State, console, instance, print_json, translate_errors

app = typer.Typer(help="Hague: evidence platform for international crimes investigations.", no_args_is_help=True)


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
        console.print(
            f"Hague ready: database {hague.engine.url.render_as_string(hide_password=True)}, store {hague.store.url}",
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
app.add_typer(custody_cli.custody_app, name="custody")
app.add_typer(custody_cli.workflow_app, name="workflow")
app.add_typer(custody_cli.forensic_app, name="forensic")
app.add_typer(identify_cli.identify_app, name="identify")
app.add_typer(media_cli.media_app, name="media")
app.add_typer(casualties_cli.app, name="casualties")
testimony_cli.register(app)
ledger_cli.register(app)
bundle_cli.register(app)
app.command("ingest")(evidence_cli.ingest_cmd)
app.command("serve")(web_cli.serve)
app.command("demo-users")(web_cli.demo_users)
app.add_typer(web_cli.token_app, name="token")

if __name__ == "__main__":
    app()
