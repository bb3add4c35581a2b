"""CLI of search: `hague search find` over what the acting user may see, and saved searches of a case."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, cast

import typer
from rich.table import Table

from hague.access.policy import visible_case
from hague.access.roles import get_user
from hague.cli.common import console, instance, print_json, require_actor, translate_errors
from hague.evidence.models import Item
from hague.search import saved as saved_searches
from hague.search.query import ItemFilter, matching

search_app = typer.Typer(help="Full-text search and saved searches (run with the acting user's access).")

QOpt = Annotated[str, typer.Option("--q", help="Words to find (titles, descriptions, transcripts, text).")]
KindOpt = Annotated[str | None, typer.Option(help="testimony, physical, digital or document.")]
LevelOpt = Annotated[str | None, typer.Option("--classification", help="Classification level.")]
IncidentOpt = Annotated[int | None, typer.Option(help="Incident id.")]
OrgOpt = Annotated[str | None, typer.Option("--organisation", help="Owning organisation's code.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def _filter(q: str, kind: str | None, level: str | None, incident: int | None, org: str | None) -> ItemFilter:
    return ItemFilter(q=q, kind=kind, classification=level, incident=incident, organisation=org)


def _print_items(rows: list[dict[str, str]], as_json: bool) -> None:
    if as_json:
        print_json(rows)
        return
    table = Table("ERN", "kind", "classification", "title")
    for row in rows:
        table.add_row(row["ern"], row["kind"], row["classification"], row["title"])
    console.print(table)


@search_app.command("find")
@translate_errors
def find_cmd(
    case: Annotated[str, typer.Argument(help="Case code, e.g. UKR-OTP-0001.")],
    q: QOpt = "",
    kind: KindOpt = None,
    classification: LevelOpt = None,
    incident: IncidentOpt = None,
    organisation: OrgOpt = None,
    saved: Annotated[str | None, typer.Option("--saved", help="Run this saved search instead.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Items of a case that match, among those the acting user may see (ERN order)."""
    username = require_actor()
    with instance() as hague, hague.reader() as session:
        user = get_user(session, username)
        case_id = visible_case(session, user, case).id
        if saved is not None:
            flt = saved_searches.get_saved(session, username, case, saved).to_filter(case_id)
        else:
            flt = _filter(q, kind, classification, incident, organisation)
            flt.case_id = case_id
        found = matching(session, user, flt, Item.ern, Item.kind, Item.classification, Item.title)
        rows = [{"ern": e, "kind": k, "classification": c, "title": t} for e, k, c, t in found]
    _print_items(rows, as_json)


@search_app.command("save")
@translate_errors
def save_cmd(
    case: Annotated[str, typer.Argument(help="Case code.")],
    name: Annotated[str, typer.Argument(help="A name unique in the case.")],
    q: QOpt = "",
    kind: KindOpt = None,
    classification: LevelOpt = None,
    incident: IncidentOpt = None,
    organisation: OrgOpt = None,
    shared: Annotated[bool, typer.Option("--shared", help="List it to your organisation's members too.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Keep a search of a case under a name (the filter only; each run applies the runner's access)."""
    flt = _filter(q, kind, classification, incident, organisation)
    with instance() as hague, hague.unit() as unit:
        view = saved_searches.save_search(unit, require_actor(), case, name, flt, shared=shared)
    if as_json:
        print_json(asdict(view))
        return
    console.print(f"saved search {view.name!r} in {view.case}", highlight=False, soft_wrap=True)


@search_app.command("saved")
@translate_errors
def saved_cmd(case: Annotated[str, typer.Argument(help="Case code.")], as_json: JsonOpt = False) -> None:
    """The saved searches of a case the acting user may list."""
    with instance() as hague, hague.reader() as session:
        views = saved_searches.list_saved(session, require_actor(), case)
    if as_json:
        print_json([asdict(v) for v in views])
        return
    table = Table("name", "owner", "shared", "filter")
    for v in views:
        table.add_row(v.name, v.owner, "yes" if v.shared else "no", " ".join(f"{k}={w}" for k, w in v.filters.items()))
    console.print(table)


@search_app.command("delete")
@translate_errors
def delete_cmd(
    case: Annotated[str, typer.Argument(help="Case code.")],
    name: Annotated[str, typer.Argument(help="The saved search's name.")],
) -> None:
    """Forget a saved search (its owner, or the case lead)."""
    with instance() as hague, hague.unit() as unit:
        saved_searches.delete_saved(unit, require_actor(), case, name)
    console.print(f"deleted saved search {name.strip()!r}", highlight=False, soft_wrap=True)


@search_app.command("stemming")
@translate_errors
def stemming_cmd(
    mode: Annotated[str | None, typer.Argument(help="uk (Ukrainian word forms) or off; none: show.")] = None,
) -> None:
    """Show or set Ukrainian stemming of PostgreSQL search (re-indexes every item when it changes)."""
    from hague.search.stemming import Stemming, current, set_stemming

    with instance() as hague:
        if mode is None:
            console.print(f"stemming: {current(hague.engine)}", highlight=False)
            return
        count = set_stemming(hague.engine, cast(Stemming, mode))  # set_stemming refuses other values
    console.print(f"stemming: {mode} ({count} items re-indexed)", highlight=False)
