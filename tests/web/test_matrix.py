"""Authorisation matrix generated from one table (tests/web/matrix.py): zero unexpected allows or denials."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hague.access import auth, policy
from hague.access.roles import get_user
from hague.core import Hague
from hague.evidence.models import Case, Item
from hague.evidence.register import get_case
from hague.web.app import create_app
from tests.web import matrix
from tests.web.conftest import PASSWORD_HASH, TestClient

ALLOWED = {200, 201}
DENIED = {403, 404}


def test_policy_predicates_match_the_table(hague: Hague) -> None:
    world = matrix.build(hague, PASSWORD_HASH)
    wrong = []
    with hague.reader() as session:
        for s in world.subjects:
            user = get_user(session, s.username)
            seen = set(session.scalars(select(Item.ern).where(policy.item_visible(user))))
            expected = {i.ern for i in world.items if matrix.item_visible(s, i)}
            if seen != expected:
                wrong.append((s, "items", sorted(seen ^ expected)))
            cases = {c.code for c in session.scalars(select(Case).where(policy.case_visible(user)))}
            if cases != {c.code for c in world.cases if matrix.case_access(s, c)}:
                wrong.append((s, "cases", cases))
            for c in world.cases:
                case = get_case(session, c.code)
                for action in policy.ACTIONS:
                    if policy.may(session, user, case, action) != s.may(action):
                        wrong.append((s, action, c.code))
    assert wrong == []


def _request(client: TestClient, route: matrix.Route, url: str, n: int, headers: dict[str, str]) -> int:
    extra = route.body(n) if route.body else {}
    return client.request(route.method, url, headers=headers, **extra).status_code


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_route_role_classification_and_share_state(hague: Hague) -> None:
    world = matrix.build(hague, PASSWORD_HASH)
    app = create_app(hague, extract_media=False)
    unexpected_allows: list[tuple[str, str, str, int]] = []
    unexpected_denials: list[tuple[str, str, str, int]] = []
    other: list[tuple[str, str, str, int]] = []
    leaks: list[tuple[str, str, list[str]]] = []
    checked = 0
    with TestClient(app, raise_server_exceptions=False) as client:
        credentials = {}
        for s in world.subjects:
            with hague.reader() as session:
                user = get_user(session, s.username)
            with hague.unit() as unit:
                token = auth.create_token(unit, s.username, "matrix", list(auth.SCOPES))
            opened = auth.open_session(hague, user)
            credentials[s.username] = (
                {"authorization": f"Bearer {token}"},
                {"cookie": f"hague_session={app.state.signer.sign(opened.secret).decode()}"},
            )
        ordered = sorted(matrix.ROUTES, key=lambda r: r.method != "GET")
        for route in ordered:
            for s in world.subjects:
                api_headers, ui_headers = credentials[s.username]
                headers = ui_headers if route.ui else api_headers
                targets: list[object] = list(world.cases if route.target == "case" else world.items)
                for target in targets:
                    if isinstance(target, matrix.ItemTarget):
                        url = route.path.format(ern=target.ern, file=target.file_id)
                        expected = route.rule(s, target)  # type: ignore[arg-type]
                        label = f"{target.classification}/{'shared' if target.shared else 'not shared'}"
                    else:
                        assert isinstance(target, matrix.CaseTarget)
                        url = route.path.format(case=target.code)
                        expected = route.rule(s, target)  # type: ignore[arg-type]
                        label = target.code
                    checked += 1
                    status = _request(client, route, url, checked, headers)
                    row = (route.name, s.username, label, status)
                    if status in ALLOWED and not expected:
                        unexpected_allows.append(row)
                    elif status in DENIED and expected:
                        unexpected_denials.append(row)
                    elif status not in ALLOWED | DENIED:
                        other.append(row)
                    if route.name in {"api.items.list", "api.search"} and status == 200:
                        assert isinstance(target, matrix.CaseTarget)
                        got = {i["ern"] for i in client.get(url, headers=headers).json()["items"]}
                        allowed = {i.ern for i in world.items if i.case == target and matrix.item_visible(s, i)}
                        if got - allowed:
                            leaks.append((route.name, s.username, sorted(got - allowed)))
    assert checked > 2000
    assert unexpected_allows == []
    assert leaks == []
    assert unexpected_denials == []
    assert other == []
