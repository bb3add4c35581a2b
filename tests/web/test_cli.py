"""`hague token create|revoke` and what `hague serve` prints for the demo."""

from __future__ import annotations

import pyotp
import pytest
from typer.testing import CliRunner

from hague.access import auth
from hague.cli.main import app
from hague.core import Hague
from hague.web.demo import DEMO_USERS, credentials_text
from tests.web.conftest import World


@pytest.fixture
def database_url(sqlite_factory, tmp_path) -> str:
    return sqlite_factory.new(tmp_path)


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, hague: Hague, world: World) -> CliRunner:
    monkeypatch.setenv("HAGUE_DATA_DIR", str(hague.settings.data_dir))
    monkeypatch.setenv("HAGUE_DATABASE_URL", str(hague.settings.database_url))
    return CliRunner()


def test_token_create_prints_a_working_scoped_token(cli_env: CliRunner, hague: Hague) -> None:
    result = cli_env.invoke(app, ["--as", "analyst", "token", "create", "report script", "--scope", "read"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    assert secret.startswith("hg_")
    user, scopes = auth.token_user(hague, secret)
    assert (user.username, scopes) == ("analyst", frozenset({"read"}))


def test_token_revoke_by_prefix(cli_env: CliRunner, hague: Hague) -> None:
    secret = cli_env.invoke(app, ["--as", "analyst", "token", "create", "tmp"]).output.strip()
    prefix = secret.split("_")[1]
    result = cli_env.invoke(app, ["--as", "analyst", "token", "revoke", prefix])
    assert result.exit_code == 0, result.output
    with pytest.raises(auth.AuthenticationFailed):
        auth.token_user(hague, secret)


def test_token_create_refuses_an_unknown_scope(cli_env: CliRunner) -> None:
    result = cli_env.invoke(app, ["--as", "analyst", "token", "create", "x", "--scope", "root"])
    assert result.exit_code == 2
    assert "scopes must be" in result.output


def test_demo_credentials_name_the_url_every_account_and_its_current_code() -> None:
    text = credentials_text("http://127.0.0.1:8000/")
    assert "http://127.0.0.1:8000/" in text
    for demo in DEMO_USERS:
        assert demo.username in text and demo.password in text and demo.totp_secret in text
        assert pyotp.TOTP(demo.totp_secret).now() in text or pyotp.TOTP(demo.totp_secret).verify(
            text.split(demo.totp_secret)[1].split("code now ")[1][:6], valid_window=1
        )


@pytest.mark.slow
def test_demo_users_sign_in_and_the_partner_sees_only_the_shared_items(hague: Hague) -> None:
    from hague.search import query as search
    from hague.web.demo import SHARED_WITH_PARTNER, load_demo_users

    summary = load_demo_users(hague)
    assert summary["created"] == [d.username for d in DEMO_USERS]
    assert load_demo_users(hague)["created"] == []
    for demo in DEMO_USERS:
        user = auth.authenticate(hague, demo.username, demo.password, pyotp.TOTP(demo.totp_secret).now())
        assert user.organisation.code == demo.organisation
    partner = next(d for d in DEMO_USERS if d.organisation == "PGO")
    with hague.reader() as session:
        from hague.access.roles import get_user

        page = search.list_items(session, get_user(session, partner.username), search.ItemFilter(), limit=200)
    assert len(page.items) == SHARED_WITH_PARTNER
