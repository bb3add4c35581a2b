"""Importing casualty lists: saved mappings, CSV and XLSX, one logged batch, withdrawal by decision."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from hague.casualties import imports
from hague.casualties import models as m
from hague.core import Hague
from hague.errors import Conflict, PermissionDenied, ValidationError
from tests.casualties.conftest import MAPPING, check_entries, write_csv

ROWS = [
    {"ПІБ": "Шевченко Олена Іванівна", "стать": "ж", "вік": "34", "дата": "05.03.2022", "населений пункт": "Харків",
     "область": "Kharkivska", "статус": "загинув", "верифікація": "verified", "контроль": "government",
     "документ": "act 17"},
    {"ПІБ": "Коваленко Андрій", "стать": "ч", "вік": "9", "дата": "2022-03", "населений пункт": "Ізюм",
     "область": "Kharkivska", "статус": "поранений", "верифікація": "", "контроль": "occupied", "документ": ""},
]  # fmt: skip


@pytest.fixture
def source(hague: Hague, case_code: str, people: dict[str, str]) -> str:
    with hague.unit() as unit:
        imports.create_source(unit, case_code, "OBL", "Regional administration list", "local_authority", "ana")
        imports.save_mapping(unit, case_code, "OBL", MAPPING, "ana")
    return "OBL"


def test_csv_import_uses_the_saved_mapping(hague: Hague, case_code: str, source: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "list.csv", ROWS)
    with hague.unit() as unit:
        batch = imports.import_file(unit, case_code, source, path, "ana")
    with hague.reader() as session:
        records = session.scalars(select(m.CasualtyRecord).where(m.CasualtyRecord.import_id == batch.id)).all()
    first, second = sorted(records, key=lambda r: r.row_number)
    assert (first.surname, first.given_name, first.patronymic) == ("Шевченко", "Олена", "Іванівна")
    assert "Shevchenko Olena Ivanivna" in first.transliterations
    assert (first.sex, first.age_group, first.date_text, first.status) == ("female", "adult", "2022-03-05", "killed")
    assert (second.age_group, second.date_text, second.verification) == ("child", "2022-03", "reported")


def test_xlsx_import_reads_the_first_sheet(hague: Hague, case_code: str, source: str, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(ROWS[0]))
    for row in ROWS:
        sheet.append(list(row.values()))
    book.save(tmp_path / "list.xlsx")
    with hague.unit() as unit:
        batch = imports.import_file(unit, case_code, source, tmp_path / "list.xlsx", "ana")
    assert batch.rows == 2 and batch.file_format == "xlsx"


def test_every_import_is_a_logged_batch_that_verifies(
    hague: Hague, case_code: str, source: str, tmp_path: Path
) -> None:
    with hague.unit() as unit:
        imports.import_file(unit, case_code, source, write_csv(tmp_path / "a.csv", ROWS), "ana")
    assert check_entries(hague) == 3  # source, mapping, import


def test_tampered_record_fails_its_record_check(hague: Hague, case_code: str, source: str, tmp_path: Path) -> None:
    with hague.unit() as unit:
        imports.import_file(unit, case_code, source, write_csv(tmp_path / "a.csv", ROWS), "ana")
    with hague.unit() as unit:
        record = unit.session.scalars(select(m.CasualtyRecord)).first()
        assert record is not None
        record.status = "injured"
    with pytest.raises(AssertionError, match=r"casualties\.imported"):
        check_entries(hague)


def test_bad_row_rejects_the_whole_file_without_quoting_names(
    hague: Hague, case_code: str, source: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rows = [ROWS[0], {**ROWS[1], "вік": "дев'ять"}]
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ValidationError) as caught, hague.unit() as unit:
        imports.import_file(unit, case_code, source, write_csv(tmp_path / "bad.csv", rows), "ana")
    assert "row 2" in caught.value.message
    assert "Коваленко" not in caught.value.message and "Коваленко" not in caplog.text
    with hague.reader() as session:
        assert session.scalar(select(m.CasualtyRecord.id)) is None


def test_same_file_twice_is_a_conflict(hague: Hague, case_code: str, source: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", ROWS)
    with hague.unit() as unit:
        imports.import_file(unit, case_code, source, path, "ana")
    with pytest.raises(Conflict), hague.unit() as unit:
        imports.import_file(unit, case_code, source, path, "ana")


def test_withdrawal_marks_rows_and_keeps_them(hague: Hague, case_code: str, source: str, tmp_path: Path) -> None:
    with hague.unit() as unit:
        batch = imports.import_file(unit, case_code, source, write_csv(tmp_path / "a.csv", ROWS), "ana")
    with hague.unit() as unit:
        imports.withdraw_import(unit, case_code, batch.id, "lead", "duplicate submission of the March list")
    with hague.reader() as session:
        flags = session.scalars(select(m.CasualtyRecord.withdrawn)).all()
        stored = session.get(m.CasualtyImport, batch.id)
    assert flags == [True, True]
    assert stored is not None and stored.withdrawn_by == "lead" and stored.withdrawal_reason
    assert check_entries(hague) == 4


def test_only_a_case_lead_may_withdraw(hague: Hague, case_code: str, source: str, tmp_path: Path) -> None:
    with hague.unit() as unit:
        batch = imports.import_file(unit, case_code, source, write_csv(tmp_path / "a.csv", ROWS), "ana")
    with pytest.raises(PermissionDenied), hague.unit() as unit:
        imports.withdraw_import(unit, case_code, batch.id, "ana", "no reason")


def test_viewer_cannot_import(hague: Hague, case_code: str, source: str, tmp_path: Path) -> None:
    with pytest.raises(PermissionDenied), hague.unit() as unit:
        imports.import_file(unit, case_code, source, write_csv(tmp_path / "a.csv", ROWS), "vic")


def test_mapping_with_unknown_field_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown record fields"):
        imports.check_mapping({"columns": {"name": "a", "shoe_size": "b"}})


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2022-03-05", "2022-03-05"), ("05.03.2022", "2022-03-05"), ("2022-03", "2022-03"), ("03.2022", "2022-03"),
     ("2022", "2022"), ("", "")],
)  # fmt: skip
def test_partial_dates_keep_their_precision(text: str, expected: str) -> None:
    assert imports.parse_date(text) == expected


@pytest.mark.parametrize("text", ["2022-13-01", "31.02.2022", "yesterday", "1800"])
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        imports.parse_date(text)


def test_hague_verify_recomputes_casualty_records(hague: Hague, case_code: str, source: str, tmp_path: Path) -> None:
    from hague.ledger.fsck import verify

    with hague.unit() as unit:
        imports.import_file(unit, case_code, source, write_csv(tmp_path / "a.csv", ROWS), "ana")
    assert verify(hague, blobs=False).ok
    with hague.unit() as unit:
        record = unit.session.scalars(select(m.CasualtyRecord)).first()
        assert record is not None
        record.age = 35
    report = verify(hague, blobs=False)
    assert not report.ok
    assert any("casualties.imported" in str(finding) for finding in report.findings)


def test_links_to_incident_and_evidence_items(hague: Hague, case_code: str, source: str, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from hague.evidence import register

    with hague.unit() as unit:
        incident = register.add_incident(unit, case_code, "Shelling of the market", place_name="Kharkiv")
        item = register.add_item(
            unit,
            case_code,
            register.ItemInput(kind="document", title="Morgue register page", collected_at=datetime.now(UTC),
                               collected_by="ana", collected_tz="Europe/Kyiv"),
        )  # fmt: skip
        mapping = {**MAPPING, "columns": {**MAPPING["columns"], "incident_id": "інцидент", "evidence_erns": "докази"}}
        imports.save_mapping(unit, case_code, source, mapping, "ana")
    rows = [{**ROWS[0], "інцидент": str(incident.id), "докази": item.ern}]
    with hague.unit() as unit:
        batch = imports.import_file(unit, case_code, source, write_csv(tmp_path / "a.csv", rows), "ana")
    with hague.reader() as session:
        record = session.scalars(select(m.CasualtyRecord).where(m.CasualtyRecord.import_id == batch.id)).one()
    assert record.incident_id == incident.id and record.evidence_erns == [item.ern]


def test_unknown_evidence_ern_is_refused(hague: Hague, case_code: str, source: str, tmp_path: Path) -> None:
    with hague.unit() as unit:
        mapping = {**MAPPING, "columns": {**MAPPING["columns"], "evidence_erns": "докази"}}
        imports.save_mapping(unit, case_code, source, mapping, "ana")
    rows = [{**ROWS[0], "докази": "UKR-OTP-0001-999999"}]
    with pytest.raises(ValidationError, match="ERN"), hague.unit() as unit:
        imports.import_file(unit, case_code, source, write_csv(tmp_path / "a.csv", rows), "ana")


def test_coordinates_out_of_range_are_refused() -> None:
    mapping = {"columns": {"name": "n", "lat": "lat", "lon": "lon"}}
    with pytest.raises(ValidationError, match="coordinates"):
        imports.build_record({"n": "Коваленко Андрій", "lat": "95", "lon": "36.2"}, mapping, 1)
