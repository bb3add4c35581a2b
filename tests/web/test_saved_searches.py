"""Saved searches: a named filter of a case, listed to its owner (or the owner's organisation when shared),
run with the runner's own access, reachable from the library, the API, the case page and the CLI."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from hague.access.roles import get_user
from hague.access.sharing import share
from hague.cli.main import app
from hague.core import Hague
from hague.errors import Conflict, NotFound, PermissionDenied, ValidationError
from hague.evidence import register
from hague.evidence.models import Item
from hague.search.models import SavedSearch
from hague.search.query import ItemFilter
from hague.search.saved import delete_saved, get_saved, list_saved, run_saved, save_search
from tests.web.conftest import TestClient, World, sign_in, token_for


def _save(hague: Hague, world: World, name: str = "shelling reports", *, by: str = "lead", **flt: object) -> None:
    with hague.unit() as unit:
        save_search(unit, by, world.case, name, ItemFilter(q="обстріл", kind="document", **flt), shared=True)  # type: ignore[arg-type]


def _erns(hague: Hague, ids: list[int]) -> set[str]:
    with hague.reader() as session:
        return set(session.scalars(select(Item.ern).where(Item.id.in_(ids))))


def _count(hague: Hague) -> int:
    with hague.reader() as session:
        return int(session.scalar(select(func.count()).select_from(SavedSearch)) or 0)


def test_a_saved_search_finds_what_its_filter_finds(hague: Hague, world: World) -> None:
    _save(hague, world)
    with hague.reader() as session:
        found = run_saved(session, "lead", world.case, "shelling reports")
    assert _erns(hague, found) == set(world.erns.values())


def test_running_a_shared_search_applies_the_runners_clearance(hague: Hague, world: World) -> None:
    _save(hague, world)
    with hague.reader() as session:
        found = run_saved(session, "analyst", world.case, "shelling reports")
    assert _erns(hague, found) == {world.erns["public"], world.erns["restricted"]}


def test_a_new_matching_item_is_found_by_the_next_run(hague: Hague, world: World) -> None:
    _save(hague, world)
    with hague.unit() as unit:
        ern = register.add_item(unit, world.case, register.ItemInput(kind="document", title="Ще один обстріл")).ern
    with hague.reader() as session:
        found = run_saved(session, "lead", world.case, "shelling reports")
    assert ern in _erns(hague, found)


def test_a_private_search_is_neither_listed_nor_runnable_by_others(hague: Hague, world: World) -> None:
    with hague.unit() as unit:
        save_search(unit, "lead", world.case, "mine only", ItemFilter(q="обстріл"))
    with hague.reader() as session:
        assert [v.name for v in list_saved(session, "lead", world.case)] == ["mine only"]
        assert list_saved(session, "analyst", world.case) == []
        with pytest.raises(NotFound):
            run_saved(session, "analyst", world.case, "mine only")


def test_a_shared_search_stays_within_the_owners_organisation(hague: Hague, world: World) -> None:
    _save(hague, world)
    with hague.unit() as unit:
        share(unit, world.case, "PGO", get_user(unit.session, "lead"))
    with hague.reader() as session:
        assert [v.owner for v in list_saved(session, "analyst", world.case)] == ["lead"]
        assert list_saved(session, "partner", world.case) == []


def test_someone_who_cannot_reach_the_case_cannot_save_a_search_in_it(hague: Hague, world: World) -> None:
    with pytest.raises(NotFound), hague.unit() as unit:
        save_search(unit, "outsider", world.case, "probe", ItemFilter(q="обстріл"))
    assert _count(hague) == 0


def test_a_name_is_unique_within_the_case(hague: Hague, world: World) -> None:
    _save(hague, world)
    with pytest.raises(Conflict), hague.unit() as unit:
        save_search(unit, "analyst", world.case, "shelling reports", ItemFilter(q="інше"))
    assert _count(hague) == 1


@pytest.mark.parametrize(
    "name, flt",
    [
        ("", ItemFilter(q="x")),
        ("../../etc/passwd", ItemFilter(q="x")),
        ("<script>alert(1)</script>", ItemFilter(q="x")),
        ("ok", ItemFilter(kind="weapon")),
        ("ok", ItemFilter(q="bad\x00text")),
    ],
    ids=["empty-name", "path-name", "html-name", "unknown-kind", "control-character"],
)
def test_a_bad_name_or_filter_is_refused_and_nothing_is_kept(
    hague: Hague, world: World, name: str, flt: ItemFilter
) -> None:
    with pytest.raises(ValidationError), hague.unit() as unit:
        save_search(unit, "lead", world.case, name, flt)
    assert _count(hague) == 0


def test_only_the_owner_or_the_case_lead_may_delete(hague: Hague, world: World) -> None:
    _save(hague, world, "by analyst", by="analyst")
    _save(hague, world, "by lead")
    with pytest.raises(PermissionDenied), hague.unit() as unit:
        delete_saved(unit, "analyst", world.case, "by lead")
    with hague.unit() as unit:
        delete_saved(unit, "lead", world.case, "by analyst")
        delete_saved(unit, "lead", world.case, "by lead")
    assert _count(hague) == 0


def test_the_api_saves_lists_runs_and_deletes(app_client: TestClient, hague: Hague, world: World) -> None:
    headers = token_for(hague, "analyst", ["read", "write"])
    base = f"/api/v1/cases/{world.case}/saved-searches"
    made = app_client.post(base, json={"name": "reports", "q": "обстріл", "shared": True}, headers=headers)
    assert made.status_code == 201, made.text
    assert made.json()["filters"] == {"q": "обстріл"}
    assert [s["name"] for s in app_client.get(base, headers=headers).json()] == ["reports"]
    run = app_client.get(f"{base}/reports/items", headers=headers).json()
    assert {i["ern"] for i in run["items"]} == {world.erns["public"], world.erns["restricted"]}
    assert app_client.delete(f"{base}/reports", headers=headers).status_code == 204
    assert app_client.get(f"{base}/reports/items", headers=headers).status_code == 404


def test_the_api_refuses_a_bad_name_with_422(app_client: TestClient, hague: Hague, world: World) -> None:
    headers = token_for(hague, "analyst", ["read", "write"])
    bad = app_client.post(f"/api/v1/cases/{world.case}/saved-searches", json={"name": "a/b"}, headers=headers)
    assert bad.status_code == 422
    assert _count(hague) == 0


def test_the_case_page_saves_the_current_search_and_lists_it(app_client: TestClient, world: World) -> None:
    csrf = sign_in(app_client, "lead")
    saved = app_client.post(
        f"/cases/{world.case}/saved-searches",
        data={"name": "Шукати обстріли", "q": "обстріл", "kind": "document", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    page = app_client.get(saved.headers["location"])
    assert page.status_code == 200
    assert "Шукати обстріли" in page.text
    assert re.search(r'name="q"[^>]*value="обстріл"', page.text)
    assert all(ern in page.text for ern in world.erns.values())


def test_the_case_page_form_needs_the_csrf_token(app_client: TestClient, hague: Hague, world: World) -> None:
    sign_in(app_client, "lead")
    refused = app_client.post(f"/cases/{world.case}/saved-searches", data={"name": "x", "q": "обстріл"})
    assert refused.status_code == 403
    assert _count(hague) == 0


def test_the_cli_saves_lists_and_runs_a_search(hague: Hague, world: World) -> None:
    env = {
        "HAGUE_DATA_DIR": str(hague.settings.data_dir),
        "HAGUE_DATABASE_URL": hague.settings.resolved_database_url,
        "HAGUE_USER": "analyst",
    }
    runner = CliRunner()
    saved = runner.invoke(app, ["search", "save", world.case, "reports", "--q", "обстріл", "--shared"], env=env)
    assert saved.exit_code == 0, saved.output
    listed = runner.invoke(app, ["search", "saved", world.case, "--json"], env=env)
    assert [v["name"] for v in json.loads(listed.output)] == ["reports"]
    found = runner.invoke(app, ["search", "find", world.case, "--saved", "reports", "--json"], env=env)
    assert {r["ern"] for r in json.loads(found.output)} == {world.erns["public"], world.erns["restricted"]}
    missing = runner.invoke(app, ["search", "find", world.case, "--saved", "nope"], env=env)
    assert missing.exit_code == 2 and "no saved search" in missing.output


def test_get_saved_returns_the_kept_filter(hague: Hague, world: World) -> None:
    _save(hague, world, classification="public")
    with hague.reader() as session:
        view = get_saved(session, "lead", world.case, "shelling reports")
    assert view.filters == {"q": "обстріл", "kind": "document", "classification": "public"}
