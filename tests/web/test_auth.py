"""Sign-in with password + TOTP, rate limiting, session cookies with CSRF, scoped hashed API tokens."""

from __future__ import annotations

import hashlib
import time

import pyotp
import pytest
from sqlalchemy import select

from hague.access import auth
from hague.access.auth_models import ApiToken
from hague.core import Hague
from hague.evidence.models import User
from tests.web.conftest import PASSWORD, SECRETS, World, sign_in, token_for


def test_password_and_current_totp_sign_in(hague: Hague, world: World) -> None:
    user = auth.authenticate(hague, "lead", PASSWORD, pyotp.TOTP(SECRETS["lead"]).now())
    assert user.username == "lead"


def test_a_one_time_code_signs_in_only_once(hague: Hague, world: World) -> None:
    code = pyotp.TOTP(SECRETS["lead"]).now()
    auth.authenticate(hague, "lead", PASSWORD, code)
    with pytest.raises(auth.AuthenticationFailed):
        auth.authenticate(hague, "lead", PASSWORD, code)


def test_a_replayed_code_counts_as_a_failed_sign_in(hague: Hague, world: World) -> None:
    code = pyotp.TOTP(SECRETS["lead"]).now()
    auth.authenticate(hague, "lead", PASSWORD, code)
    for _ in range(auth.MAX_FAILURES_PER_USER):
        with pytest.raises(auth.AuthenticationFailed):
            auth.authenticate(hague, "lead", PASSWORD, code)
    with pytest.raises(auth.TooManyAttempts):
        auth.authenticate(hague, "lead", PASSWORD, code)


def test_the_next_steps_code_still_signs_in_after_one_was_used(hague: Hague, world: World) -> None:
    totp = pyotp.TOTP(SECRETS["lead"])
    step = int(time.time() // totp.interval)
    auth.authenticate(hague, "lead", PASSWORD, totp.generate_otp(step))
    assert auth.authenticate(hague, "lead", PASSWORD, totp.generate_otp(step + 1)).username == "lead"


def test_a_code_two_steps_away_is_refused(hague: Hague, world: World) -> None:
    totp = pyotp.TOTP(SECRETS["lead"])
    step = int(time.time() // totp.interval)
    assert auth.totp_step(SECRETS["lead"], totp.generate_otp(step + 3)) is None
    with pytest.raises(auth.AuthenticationFailed):
        auth.authenticate(hague, "lead", PASSWORD, totp.generate_otp(step - 3))


def test_the_same_code_is_used_by_each_user_independently(hague: Hague, world: World) -> None:
    with hague.unit() as unit:
        auth.enrol_totp(unit, "analyst", SECRETS["lead"])
    code = pyotp.TOTP(SECRETS["lead"]).now()
    auth.authenticate(hague, "lead", PASSWORD, code)
    assert auth.authenticate(hague, "analyst", PASSWORD, code).username == "analyst"


def test_right_password_with_wrong_code_is_refused(hague: Hague, world: World) -> None:
    code = pyotp.TOTP(SECRETS["lead"]).now()
    wrong = f"{(int(code) + 500000) % 1000000:06d}"
    with pytest.raises(auth.AuthenticationFailed):
        auth.authenticate(hague, "lead", PASSWORD, wrong)


def test_unknown_user_gets_the_same_error_as_a_wrong_password(hague: Hague, world: World) -> None:
    with pytest.raises(auth.AuthenticationFailed) as unknown:
        auth.authenticate(hague, "nobody", PASSWORD, "000000")
    with pytest.raises(auth.AuthenticationFailed) as wrong:
        auth.authenticate(hague, "lead", "wrong password!", "000000")
    assert unknown.value.message == wrong.value.message


def test_sign_in_is_rate_limited_per_account(hague: Hague, world: World) -> None:
    for _ in range(auth.MAX_FAILURES_PER_USER):
        with pytest.raises(auth.AuthenticationFailed):
            auth.authenticate(hague, "lead", "wrong password!", "000000", client="10.9.9.9")
    with pytest.raises(auth.TooManyAttempts):
        auth.authenticate(hague, "lead", PASSWORD, pyotp.TOTP(SECRETS["lead"]).now(), client="10.9.9.8")


def test_session_cookie_is_signed_httponly_and_samesite_strict(app_client, world: World) -> None:
    page = app_client.get("/signin")
    assert page.status_code == 200
    sign_in(app_client, "lead")
    cookie = next(c for c in app_client.cookies.jar if c.name == "hague_session")
    assert cookie.has_nonstandard_attr("HttpOnly")
    assert cookie.get_nonstandard_attr("SameSite") in {"strict", "Strict"}
    assert "." in cookie.value  # itsdangerous signature


def test_forged_session_cookie_is_refused(app_client, world: World) -> None:
    app_client.cookies.set("hague_session", "made-up.signature")
    assert app_client.get("/api/v1/me").status_code == 401


def test_form_post_without_csrf_token_is_refused(app_client, world: World) -> None:
    sign_in(app_client, "lead")
    response = app_client.post("/cases", data={"situation": "UKR", "title": "No token"})
    assert response.status_code == 403


def test_api_post_with_session_needs_the_csrf_header(app_client, world: World) -> None:
    csrf = sign_in(app_client, "lead")
    body = {"situation": "UKR", "title": "Via session"}
    assert app_client.post("/api/v1/cases", json=body).status_code == 403
    assert app_client.post("/api/v1/cases", json=body, headers={"x-csrf-token": csrf}).status_code == 201


def test_sign_out_ends_the_session(app_client, world: World) -> None:
    csrf = sign_in(app_client, "lead")
    cookie = app_client.cookies.get("hague_session")
    app_client.post("/signout", data={"csrf_token": csrf})
    app_client.cookies.set("hague_session", cookie)
    assert app_client.get("/api/v1/me").status_code == 401


def test_api_tokens_are_stored_hashed(hague: Hague, world: World) -> None:
    header = token_for(hague, "analyst", ["read"])
    secret = header["authorization"].split()[1]
    with hague.reader() as session:
        row = session.scalar(select(ApiToken))
        assert row is not None
        assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in (row.secret_hash, row.prefix, row.name)


def test_token_scope_limits_what_it_can_do(app_client, hague: Hague, world: World) -> None:
    read_only = token_for(hague, "lead", ["read"])
    assert app_client.get("/api/v1/cases", headers=read_only).status_code == 200
    response = app_client.post("/api/v1/cases", json={"situation": "UKR", "title": "x"}, headers=read_only)
    assert response.status_code == 403
    assert "scope" in response.json()["message"]


def test_revoked_token_is_refused(app_client, hague: Hague, world: World) -> None:
    header = token_for(hague, "lead", ["read"])
    prefix = header["authorization"].split("_")[1]
    with hague.unit() as unit:
        lead = unit.session.scalar(select(User).where(User.username == "lead"))
        assert lead is not None
        auth.revoke_token(unit, prefix, lead)
    assert app_client.get("/api/v1/cases", headers=header).status_code == 401


def test_unknown_scope_is_refused(hague: Hague, world: World) -> None:
    from hague.errors import ValidationError

    with pytest.raises(ValidationError), hague.unit() as unit:
        auth.create_token(unit, "lead", "bad", ["admin"])


@pytest.fixture
def database_url(sqlite_factory, tmp_path) -> str:
    """Session and token mechanics run on SQLite here; the SQL-heavy policy and search tests run on both."""
    return sqlite_factory.new(tmp_path)


def test_failed_sign_in_shows_a_fixed_message_and_forged_messages_are_ignored(app_client, world: World) -> None:
    sign_in(app_client, "lead", code="000000", password="wrong password!")
    failed = app_client.get("/signin?error=failed")
    assert "Wrong username, password or one-time code." in failed.text
    forged = app_client.get("/signin?error=Your+account+is+locked,+call+%2B1-555")
    assert "call" not in forged.text and 'role="alert"' not in forged.text


def test_sign_in_page_after_too_many_failures_says_so(app_client, world: World) -> None:
    import re

    for _ in range(auth.MAX_FAILURES_PER_USER):
        sign_in(app_client, "analyst", code="000000", password="wrong password!")
    page = app_client.get("/signin")
    pre = re.search(r'name="pre_token" value="([^"]+)"', page.text)
    assert pre is not None
    code = pyotp.TOTP(SECRETS["analyst"]).now()
    response = app_client.post(
        "/signin",
        data={"username": "analyst", "password": PASSWORD, "code": code, "pre_token": pre.group(1)},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/signin?error=limited"
    assert "Too many failed sign-ins" in app_client.get(response.headers["location"]).text
