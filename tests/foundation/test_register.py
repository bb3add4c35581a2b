"""Cases, incidents and items: ERNs, validation, and a log entry for every registration."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from hague.core import Hague
from hague.errors import Conflict, NotFound, ValidationError
from hague.evidence import register
from hague.evidence.models import Item
from hague.evidence.register import ItemInput
from hague.ledger import log_size
from hague.ledger.models import LogEntry


def test_case_codes_count_per_organisation_and_situation(hague: Hague, case_code: str) -> None:
    with hague.unit() as unit:
        second = register.create_case(unit, "OTP", "UKR", "Second")
        other = register.create_case(unit, "OTP", "SYR", "Other situation")
    assert (case_code, second.code, other.code) == ("UKR-OTP-0001", "UKR-OTP-0002", "SYR-OTP-0001")


def test_items_get_consecutive_erns_in_their_case(hague: Hague, case_code: str) -> None:
    with hague.unit() as unit:
        erns = [register.add_item(unit, case_code, ItemInput(kind="physical", title=f"t{n}")).ern for n in range(3)]
    assert erns == ["UKR-OTP-0001-0001", "UKR-OTP-0001-0002", "UKR-OTP-0001-0003"]


def test_ern_of_a_rolled_back_registration_is_not_visible(hague: Hague, case_code: str) -> None:
    with pytest.raises(RuntimeError), hague.unit() as unit:
        register.add_item(unit, case_code, ItemInput(kind="physical", title="lost"))
        raise RuntimeError("crash before commit")
    with hague.unit() as unit:
        item = register.add_item(unit, case_code, ItemInput(kind="physical", title="kept"))
    with hague.reader() as session:
        assert session.scalars(select(Item.ern)).all() == [item.ern]


def test_registering_an_item_appends_a_log_entry_in_the_same_transaction(hague: Hague, case_code: str) -> None:
    with hague.reader() as session:
        before = log_size(session)
    with hague.unit() as unit:
        register.add_item(unit, case_code, ItemInput(kind="document", title="Order"))
    with hague.reader() as session:
        assert log_size(session) == before + 1
        last = session.scalars(select(LogEntry).order_by(LogEntry.seq.desc())).first()
        assert last is not None and last.kind == "item.registered"
        assert b'"ern":"UKR-OTP-0001-0001"' in last.body


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kind", "rumour", "kind must be"),
        ("classification", "top", "classification must be"),
        ("title", "   ", "title is required"),
        ("collected_tz", "Mars/Olympus", "unknown time zone"),
        ("lat", 95.0, "both latitude"),
        ("collected_at", datetime.now(UTC) + timedelta(days=1), "future"),
        ("title", "bad\x00name", "control characters"),
    ],
)
def test_invalid_item_is_refused_and_nothing_written(
    hague: Hague, case_code: str, field: str, value: object, message: str
) -> None:
    data = ItemInput(kind="physical", title="ok")
    setattr(data, field, value)
    with pytest.raises(ValidationError, match=message), hague.unit() as unit:
        register.add_item(unit, case_code, data)
    with hague.reader() as session:
        assert session.scalars(select(Item)).all() == []


def test_incident_with_unknown_crime_code_is_refused(hague: Hague, case_code: str) -> None:
    with pytest.raises(ValidationError, match="Rome Statute"), hague.unit() as unit:
        register.add_incident(unit, case_code, "Strike", alleged_crimes=["murder"])


def test_incident_keeps_dates_place_and_crimes(hague: Hague, case_code: str) -> None:
    with hague.unit() as unit:
        register.add_incident(
            unit,
            case_code,
            "Strike on station",
            date_from=date(2022, 4, 8),
            place_name="Kramatorsk",
            lat=48.72,
            lon=37.54,
            alleged_crimes=["8(2)(b)(i)"],
        )
    with hague.reader() as session:
        (incident,) = register.list_incidents(session, case_code)
    assert (incident.date_to, incident.lat, incident.alleged_crimes) == (date(2022, 4, 8), 48.72, ["8(2)(b)(i)"])


def test_item_links_only_incidents_of_its_own_case(hague: Hague, case_code: str) -> None:
    with hague.unit() as unit:
        other = register.create_case(unit, "OTP", "SYR", "Other")
        foreign = register.add_incident(unit, other.code, "Elsewhere")
    with pytest.raises(NotFound), hague.unit() as unit:
        register.add_item(unit, case_code, ItemInput(kind="physical", title="x", incident_ids=(foreign.id,)))


def test_duplicate_organisation_code_is_a_conflict(hague: Hague, case_code: str) -> None:
    with pytest.raises(Conflict), hague.unit() as unit:
        register.create_organisation(unit, "otp", "Again")


def test_unknown_case_is_not_found(hague: Hague) -> None:
    with pytest.raises(NotFound), hague.reader() as session:
        register.get_case(session, "UKR-XXX-0009")


def test_redacted_derivatives_get_red_suffixes_and_leave_the_original(hague: Hague, case_code: str) -> None:
    with hague.unit() as unit:
        item = register.add_item(unit, case_code, ItemInput(kind="testimony", title="Statement"))
        original = register.attach_file(unit, item, "a" * 64, 10, "text/plain", "statement.txt")
        red1 = register.add_derivative(unit, original, "b" * 64, 9, "text/plain", "redacted", "protect witness")
        red2 = register.add_derivative(unit, original, "c" * 64, 9, "text/plain", "redacted", "lesser redaction")
        transcript = register.add_derivative(unit, original, "d" * 64, 9, "text/plain", "transcript", "typed")
    assert (red1.ern_suffix, red2.ern_suffix, transcript.ern_suffix) == ("-Red", "-Red2", "")
    assert original.sha256 == "a" * 64 and red1.derived_from_id == original.id
