"""The custody PDF and the evidence labels: pdftotext finds the ERN, every actor and every seal number."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy import update

from hague.custody.case_uco import provenance_graph
from hague.custody.events import record
from hague.custody.inputs import EventInput
from hague.custody.labels import write_labels
from hague.custody.models import CustodyEvent
from hague.custody.report import write_report
from tests.custody.conftest import Scene


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def full_trail(scene: Scene) -> None:
    alice, bob = scene.user("alice"), scene.user("bob")
    ern = scene.physical
    record(scene.hague, ern, alice, EventInput("collected", scene.at(0), "Europe/Kyiv", place="Bucha"))
    record(scene.hague, ern, alice, EventInput("sealed", scene.at(1), seal_numbers=("OTP-S-7781", "OTP-S-7782")))
    record(scene.hague, ern, alice, EventInput("transferred", scene.at(2), receiver="bob", reason="storage"))
    record(
        scene.hague,
        ern,
        bob,
        EventInput("received", scene.at(5), seal_numbers=("OTP-S-7781", "OTP-S-7782"), seal_state="intact"),
    )
    record(scene.hague, ern, bob, EventInput("checked_out", scene.at(6), examiner="erin", reason="ballistics"))
    record(scene.hague, ern, scene.user("erin"), EventInput("examined", scene.at(7), method="microscopy", lab="FSL"))
    record(scene.hague, ern, scene.user("erin"), EventInput("checked_in", scene.at(8), seal_numbers=("OTP-S-9001",)))


def test_custody_pdf_names_the_ern_every_actor_and_every_seal(scene: Scene, tmp_path: Path) -> None:
    full_trail(scene)
    text = pdf_text(write_report(scene.hague, scene.physical, tmp_path / "custody.pdf"))
    assert scene.physical in text
    for name in ("Alice Kovalenko", "Bob Martens", "Erin Lab"):
        assert name in text
    for seal in ("OTP-S-7781", "OTP-S-7782", "OTP-S-9001"):
        assert seal in text
    assert "INTACT" in text and "all match" in text


def test_custody_pdf_reports_a_tampered_event_row(scene: Scene, tmp_path: Path) -> None:
    full_trail(scene)
    with scene.hague.unit() as unit:
        unit.session.execute(update(CustodyEvent).where(CustodyEvent.seq == 2).values(place="Somewhere else"))
    text = pdf_text(write_report(scene.hague, scene.physical, tmp_path / "custody.pdf"))
    assert "INTEGRITY PROBLEMS FOUND" in text and "record differs from log entry" in text


def test_custody_pdf_of_a_digital_item_shows_its_verified_hash(scene: Scene, tmp_path: Path) -> None:
    record(scene.hague, scene.digital, scene.user("alice"), EventInput("collected", scene.at(0)))
    text = pdf_text(write_report(scene.hague, scene.digital, tmp_path / "digital.pdf"))
    assert scene.digital_sha[:40] in text.replace("\n", "").replace(" ", "") and "verified" in text


def test_labels_pdf_carries_each_ern_and_its_seals(scene: Scene, tmp_path: Path) -> None:
    full_trail(scene)
    text = pdf_text(write_labels(scene.hague, [scene.physical, scene.digital], tmp_path / "labels.pdf"))
    assert scene.physical in text and scene.digital in text and "OTP-S-9001" in text


def test_label_qr_code_scans_back_to_the_ern(scene: Scene, tmp_path: Path) -> None:
    pdf = write_labels(scene.hague, [scene.physical], tmp_path / "label.pdf")
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", str(pdf), str(tmp_path / "label")], check=True)
    scanned = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(tmp_path / "label.png")], check=True, capture_output=True, text=True
    ).stdout.split()
    assert scanned == [f"hague:ern:{scene.physical}"]


def test_case_uco_export_has_one_action_and_provenance_record_per_event(scene: Scene) -> None:
    full_trail(scene)
    with scene.hague.reader() as session:
        doc = provenance_graph(session, scene.physical)
    nodes = {n["@id"]: n for n in doc["@graph"]}
    actions = [n for n in doc["@graph"] if n["@type"] == "case-investigation:InvestigativeAction"]
    assert [a["uco-core:name"] for a in actions] == [
        "collected",
        "sealed",
        "transferred",
        "received",
        "checked_out",
        "examined",
        "checked_in",
    ]
    for action in actions:
        record = nodes[action["uco-action:result"][0]["@id"]]
        assert record["case-investigation:exhibitNumber"] == scene.physical
        assert nodes[action["uco-action:performer"]["@id"]]["@type"] == "uco-identity:Person"
    people = {n["uco-core:name"] for n in doc["@graph"] if n["@type"] == "uco-identity:Person"}
    assert people == {"Alice Kovalenko", "Bob Martens", "Erin Lab"}
