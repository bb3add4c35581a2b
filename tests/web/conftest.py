"""A small world for web tests: two organisations, users with roles and clearances, items of each level."""

from __future__ import annotations

import re
import time
import warnings
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyotp
import pytest
from argon2 import PasswordHasher

from hague.access import auth, roles
from hague.core import Hague
from hague.evidence import register
from hague.evidence.register import ItemInput

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from hague.web.app import create_app

PASSWORD = "correct horse battery"
# Hashed once, with argon2id at its lowest cost: verification reads the cost from the hash itself, so
# sign-ins in tests stay fast while the real code path (argon2 verify) is exercised.
PASSWORD_HASH = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
SECRETS = {
    "lead": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
    "analyst": "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU",
    "outsider": "MFRGGZDFMZTWQ2LKMFRGGZDFMZTWQ2LK",
    "partner": "ONSWG4TFOQYTEMZUONSWG4TFOQYTEMZU",
    "partnerlow": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
}


@dataclass
class World:
    """Who exists in the test instance and what they hold."""

    case: str
    erns: dict[str, str] = field(default_factory=dict)  # classification -> ERN
    other_case: str = ""


def make_world(hague: Hague) -> World:
    """OTP owns a case with one item per classification; PGO is the partner."""
    with hague.unit() as unit:
        register.create_organisation(unit, "OTP", "Office of the Prosecutor")
        register.create_organisation(unit, "PGO", "Prosecutor General's Office")
        case = register.create_case(unit, "OTP", "UKR", "Attacks on civilians").code
        other = register.create_case(unit, "OTP", "UKR", "Another case").code
        users = [
            ("lead", "OTP", "strictly_confidential", True, "case_lead"),
            ("analyst", "OTP", "restricted", False, "analyst"),
            ("outsider", "OTP", "strictly_confidential", False, None),
            ("partner", "PGO", "strictly_confidential", False, None),
            ("partnerlow", "PGO", "restricted", False, None),
        ]
        for name, org, clearance, admin, role in users:
            roles.create_user(unit, name, name.title(), org, clearance, None, admin).password_hash = PASSWORD_HASH
            auth.enrol_totp(unit, name, SECRETS[name])
            if role:
                roles.grant_role(unit, case, name, role)
        world = World(case, other_case=other)
        for level in ("public", "restricted", "confidential", "strictly_confidential"):
            item = register.add_item(
                unit,
                case,
                ItemInput(
                    kind="document",
                    title=f"Report {level}",
                    description=f"Звіт про обстріл, {level}",
                    classification=level,
                ),
            )
            world.erns[level] = item.ern
    return world


@pytest.fixture
def world(hague: Hague) -> World:
    return make_world(hague)


@pytest.fixture
def app_client(hague: Hague) -> Iterator[TestClient]:
    with TestClient(
        create_app(hague, max_upload=64 * 1024, extract_media=False), raise_server_exceptions=False
    ) as client:
        yield client


class CodeBook:
    """One-time codes for a test that signs the same user in more than once: the server takes each code once,
    so hand out the current step's code, then the next one's, and wait for a new step when both are spent."""

    def __init__(self) -> None:
        self.used: dict[str, set[int]] = {}

    def code(self, secret: str) -> str:
        totp = pyotp.TOTP(secret)
        while True:
            now = time.time()
            step = int(now // totp.interval)
            used = self.used.setdefault(secret, set())
            # the server takes the previous step's code until this step ends: hand it out only while at least
            # 20 s are left, so a slow browser on a loaded machine still submits it in time
            early = now % totp.interval < totp.interval - 20
            for candidate in (step, step + 1, *((step - 1,) if early else ())):
                if candidate not in used:
                    used.add(candidate)
                    return totp.generate_otp(candidate)
            time.sleep(totp.interval - now % totp.interval + 0.1)


_BOOKS: weakref.WeakKeyDictionary[TestClient, CodeBook] = weakref.WeakKeyDictionary()


def fresh_code(client: TestClient, username: str) -> str:
    """A one-time code for `username` not yet used through this client's instance."""
    return _BOOKS.setdefault(client, CodeBook()).code(SECRETS[username])


def sign_in(client: TestClient, username: str, code: str | None = None, password: str = PASSWORD) -> str:
    """Sign in through the form; returns the session's CSRF token (read from a page)."""
    page = client.get("/signin")
    pre = re.search(r'name="pre_token" value="([^"]+)"', page.text)
    assert pre is not None
    client.post(
        "/signin",
        data={
            "username": username,
            "password": password,
            "code": code or fresh_code(client, username),
            "pre_token": pre.group(1),
        },
        follow_redirects=False,
    )
    home = client.get("/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
    return token.group(1) if token else ""


def token_for(hague: Hague, username: str, scopes: list[str]) -> dict[str, str]:
    """Authorization header with a fresh API token."""
    with hague.unit() as unit:
        secret = auth.create_token(unit, username, "test", scopes)
    return {"authorization": f"Bearer {secret}"}
