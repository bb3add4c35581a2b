"""End-to-end journeys in Debian's Chromium (Playwright) against a real `hague serve` on a loopback port."""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from PIL import Image
from playwright.sync_api import expect

from hague.access import auth, roles
from hague.core import Hague
from hague.evidence import register
from hague.evidence.register import ItemInput
from hague.settings import Settings
from tests.web.conftest import CodeBook

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
LEAD = ("lead", "lead password 123", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
PARTNER = ("partner", "partner password 456", "ONSWG4TFOQYTEMZUONSWG4TFOQYTEMZU")
KEEPER = ("keeper", "keeper password 789", "MFRGGZDFMZTWQ2LKMFRGGZDFMZTWQ2LK")
CODES = CodeBook()  # one server for the module: each one-time code signs in once


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _prepare(data_dir: Path) -> None:
    """OTP (owner, with a lead) and PGO (partner); a first case with two incidents for the map."""
    hague = Hague.open(Settings(data_dir=data_dir))
    try:
        with hague.unit() as unit:
            register.create_organisation(unit, "OTP", "Office of the Prosecutor")
            register.create_organisation(unit, "PGO", "Prosecutor General's Office")
            for (name, password, secret), org, admin in (
                (LEAD, "OTP", True),
                (PARTNER, "PGO", False),
                (KEEPER, "OTP", False),
            ):
                roles.create_user(unit, name, name.title(), org, "strictly_confidential", password, admin)
                auth.enrol_totp(unit, name, secret)
            case = register.create_case(unit, "OTP", "UKR", "Mapped incidents").code
            roles.grant_role(unit, case, "lead", "case_lead")
            roles.grant_role(unit, case, "keeper", "custodian")
            register.add_item(unit, case, ItemInput(kind="physical", title="Fragment of 9M55K cargo section"))
            register.add_incident(
                unit,
                case,
                "Strike on railway station",
                place_name="Kramatorsk",
                lat=48.7237,
                lon=37.5386,
                date_from=date(2022, 4, 8),
            )
            register.add_incident(
                unit,
                case,
                "Shelling of residential block",
                place_name="Kharkiv",
                lat=50.0303,
                lon=36.3470,
                date_from=date(2022, 3, 7),
            )
    finally:
        hague.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/setup-system.sh installs it)")
    data_dir = tmp_path_factory.mktemp("served")
    _prepare(data_dir)
    port = _free_port()
    env = {**os.environ, "HAGUE_DATA_DIR": str(data_dir)}
    hague_cmd = Path(sys.executable).parent / "hague"
    proc = subprocess.Popen(
        [str(hague_cmd), "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("hague serve did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield instance
        instance.close()


def _shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def _sign_in(page: object, base: str, who: tuple[str, str, str]) -> None:
    name, password, secret = who
    page.goto(base + "/signin")  # type: ignore[attr-defined]
    page.get_by_label("Username").fill(name)  # type: ignore[attr-defined]
    page.get_by_label("Password").fill(password)  # type: ignore[attr-defined]
    page.get_by_label("One-time code from your authenticator app").fill(CODES.code(secret))  # type: ignore[attr-defined]
    page.get_by_role("button", name="Sign in").click()  # type: ignore[attr-defined]
    page.wait_for_url(base + "/")  # type: ignore[attr-defined]


def _files(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    photo = folder / "фото_воронки.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (320, 200), (120, 90, 60)).save(buf, "JPEG")
    photo.write_bytes(buf.getvalue())
    scan = folder / "схема_місця.png"
    Image.new("RGB", (200, 200), (30, 60, 160)).save(scan, "PNG")
    notes = folder / "протокол_огляду.txt"
    notes.write_text("Протокол огляду місця події: уламки ракети.\n" * 2000, encoding="utf-8")
    return [photo, scan, notes]


def test_lead_creates_a_case_uploads_searches_and_shares_and_partner_sees_only_that(
    server: str, browser: object, tmp_path: Path
) -> None:
    context = browser.new_context(locale="en-GB")  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    _sign_in(page, server, LEAD)
    _shot(page, "01-dashboard")

    page.get_by_label("Title").fill("Обстріл Харкова, березень 2022")
    page.get_by_role("button", name="Open case").click()
    page.wait_for_url(re.compile(r".*/cases/UKR-OTP-0002$"))
    _shot(page, "02-new-case")

    page.get_by_role("link", name="Upload files").click()
    page.get_by_label("Files").set_input_files([str(p) for p in _files(tmp_path / "upload")])
    page.get_by_role("button", name="Upload").click()
    page.wait_for_selector("#upload[data-finished='3']", timeout=30000)
    bars = page.locator("#progress progress")
    assert bars.count() == 3
    assert all(bars.nth(n).get_attribute("value") == "100" for n in range(3))
    assert page.locator("#progress li.ok").count() == 3
    _shot(page, "03-uploaded-with-progress")

    page.goto(server + "/cases/UKR-OTP-0002")
    page.get_by_label("Search", exact=True).fill("воронки")
    row = page.locator("#items tbody tr")
    expect(row).to_have_count(1)  # polls without eval (the page's CSP forbids it)
    expect(row).to_contain_text("воронки")
    assert "фото_воронки.jpg" in row.inner_text()
    _shot(page, "04-search-ukrainian")
    page.reload()  # the save form carries the filter of the page as loaded
    page.get_by_label("Save this search as").fill("Воронки")
    page.get_by_role("button", name="Save search").click()
    expect(page.locator("section[aria-labelledby='saved'] li")).to_contain_text("Воронки")
    expect(page.locator("#items tbody tr")).to_have_count(1)
    _shot(page, "04b-saved-search")

    row.get_by_role("link").click()
    page.wait_for_selector("img.preview")
    ern = page.locator("h1").inner_text().split(":")[0]
    metadata = page.locator("section.extraction dl dt")
    expect(metadata.first).to_be_visible()
    assert "mime_type" in page.locator("section.extraction").inner_text()
    page.get_by_role("button", name="Check integrity").click()
    page.wait_for_selector("p.ok")
    _shot(page, "05-item-intact")

    page.goto(server + "/cases/UKR-OTP-0002")
    page.get_by_label("Partner organisation").select_option("PGO")
    page.get_by_label("Item ERN (empty for the whole case)").fill(ern)
    page.get_by_role("button", name="Apply").click()
    page.wait_for_selector("text=PGO: " + ern)
    page.get_by_role("button", name="Sign out").click()
    context.close()

    partner = browser.new_context(locale="uk-UA")  # type: ignore[attr-defined]
    page = partner.new_page()
    _sign_in_uk(page, server)
    page.goto(server + "/cases/UKR-OTP-0002")
    rows = page.locator("#items tbody tr")
    assert rows.count() == 1 and ern in rows.inner_text()
    _shot(page, "06-partner-sees-only-shared")
    other = ern[:-4] + ("0002" if not ern.endswith("0002") else "0003")
    response = page.goto(server + "/items/" + other)
    assert response is not None and response.status == 404
    assert page.goto(server + "/cases/UKR-OTP-0001").status == 404  # type: ignore[union-attr]
    partner.close()
    assert [e for e in errors if "404 (Not Found)" not in e] == []  # the deliberate 404s above log one each


def _sign_in_uk(page: object, base: str) -> None:
    name, password, secret = PARTNER
    page.goto(base + "/signin")  # type: ignore[attr-defined]
    page.get_by_label("Ім'я користувача").fill(name)  # type: ignore[attr-defined]
    page.get_by_label("Пароль").fill(password)  # type: ignore[attr-defined]
    page.get_by_label("Одноразовий код із застосунку автентифікації").fill(CODES.code(secret))  # type: ignore[attr-defined]
    page.get_by_role("button", name="Увійти").click()  # type: ignore[attr-defined]
    page.wait_for_url(base + "/")  # type: ignore[attr-defined]
    _shot(page, "06a-partner-dashboard-uk")


def test_incidents_show_on_the_map_over_the_offline_base_layer(server: str, browser: object) -> None:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    _sign_in(page, server, LEAD)
    page.goto(server + "/cases/UKR-OTP-0001/map")
    page.wait_for_selector("#map[data-ready='2']", timeout=20000)
    assert page.locator("path.leaflet-interactive").count() >= 2
    _shot(page, "07-map")
    assert all(url.startswith(server) for url in requests)
    context.close()


def test_keyboard_alone_can_sign_in(server: str, browser: object) -> None:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    name, password, secret = LEAD
    page.goto(server + "/signin")
    # Chromium applies autofocus at a rendering update that can come after "load" on a slow machine: check the
    # focus (no click, no fill) before typing, or the first keystrokes go to the page
    expect(page.locator("#username")).to_be_focused()
    page.keyboard.type(name)  # the username field has focus on load
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Tab")
    page.keyboard.type(CODES.code(secret))
    page.keyboard.press("Enter")
    page.wait_for_url(server + "/")
    context.close()


def test_custody_transfer_to_a_second_user_who_receives_it(server: str, browser: object) -> None:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    _sign_in(page, server, LEAD)
    page.goto(server + "/items/UKR-OTP-0001-0001")
    page.get_by_label("Custody event").select_option("collected")
    page.get_by_label("Place", exact=True).fill("Kharkiv, Saltivka")
    page.get_by_role("button", name="Record custody event").click()
    page.get_by_label("Custody event").select_option("transferred")
    page.get_by_label("Receiver (username, for a transfer)").fill("keeper")
    page.get_by_label("Reason").fill("to the evidence store")
    page.get_by_role("button", name="Record custody event").click()
    expect(page.locator("p.custody-state")).to_contain_text("awaiting receipt by keeper")
    _shot(page, "08-custody-transferred")
    page.get_by_role("button", name="Sign out").click()
    context.close()

    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    _sign_in(page, server, KEEPER)
    page.goto(server + "/items/UKR-OTP-0001-0001")
    page.get_by_label("Custody event").select_option("received")
    page.get_by_role("button", name="Record custody event").click()
    expect(page.locator("p.custody-state")).to_contain_text("custodian keeper")
    expect(page.locator("ol.custody li")).to_have_count(3)
    _shot(page, "09-custody-received")
    context.close()
