"""Interview records: no save without consent and mandatory fields; files belong to the testimony item."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from hague.core import Hague
from hague.errors import HagueError, PermissionDenied, ValidationError
from hague.evidence.models import Item
from hague.evidence.register import get_item
from hague.testimony.interviews import add_interview, add_interview_file, list_interviews, parse_interview
from tests.testimony.conftest import interview_data, user


def _add(hague: Hague, pseudonym: str, data: dict[str, object], username: str = "investigator-user") -> str:
    with hague.unit() as unit:
        return add_interview(unit, pseudonym, parse_interview(data), user(unit.session, username)).item.ern


def _items(hague: Hague) -> int:
    with hague.reader() as session:
        return int(session.scalar(select(func.count()).select_from(Item)) or 0)


def test_complete_interview_is_a_confidential_testimony_item(hague: Hague, witness: str) -> None:
    ern = _add(hague, witness, interview_data())
    with hague.reader() as session:
        item = get_item(session, ern)
        assert (item.kind, item.classification) == ("testimony", "confidential")
        assert witness in item.title
        assert [i.item.ern for i in list_interviews(session, witness, user(session, "viewer-user"))] == [ern]


def test_missing_fields_are_all_listed_and_nothing_is_saved(hague: Hague, witness: str) -> None:
    data = interview_data(place=None, interviewers=[], read_back=None)
    del data["consent"]
    before = _items(hague)
    with pytest.raises(ValidationError) as err:
        _add(hague, witness, data)
    missing = err.value.details["missing"]
    assert {"place", "interviewers", "read_back", "consent.given", "consent.scope", "consent.form"} <= set(missing)
    assert _items(hague) == before


def test_refused_consent_blocks_the_interview(hague: Hague, witness: str) -> None:
    data = interview_data()
    data["consent"] = {**data["consent"], "given": False}
    with pytest.raises(ValidationError, match=r"consent\.given"):
        _add(hague, witness, data)


def test_end_before_start_is_refused(hague: Hague, witness: str) -> None:
    with pytest.raises(ValidationError, match="after start_time"):
        _add(hague, witness, interview_data(start_time="14:00", end_time="13:00"))


def test_unknown_partner_in_consent_is_refused(hague: Hague, witness: str) -> None:
    data = interview_data()
    data["consent"] = {**data["consent"], "partners": ["NOPE"]}
    with pytest.raises(ValidationError, match="partner"):
        _add(hague, witness, data)


def test_viewer_cannot_record_an_interview(hague: Hague, witness: str) -> None:
    with pytest.raises(PermissionDenied):
        _add(hague, witness, interview_data(), "viewer-user")


def test_transcript_and_translation_are_derivatives_named_by_pseudonym(
    hague: Hague, witness: str, interview_ern: str, tmp_path: Path
) -> None:
    recording = tmp_path / "Oksana recording.wav"
    recording.write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt " + bytes(64))
    transcript = tmp_path / "transcript.txt"
    transcript.write_text("Питання: що ви бачили?\nВідповідь: обстріл.\n")
    translation = tmp_path / "translation.txt"
    translation.write_text("Q: what did you see?\nA: shelling.\n")
    investigator = user(hague, "investigator-user")
    with hague.unit() as unit:
        rec = add_interview_file(unit, hague.store, interview_ern, recording, "recording", investigator)
        tr = add_interview_file(unit, hague.store, interview_ern, transcript, "transcript", investigator, rec.sha256)
        tl = add_interview_file(unit, hague.store, interview_ern, translation, "translation", investigator, tr.sha256)
        assert rec.is_original and "Oksana" not in rec.original_name and rec.original_name.startswith(witness)
        assert (tr.derivation, tr.derived_from_id) == ("transcript", rec.id)
        assert (tl.derivation, tl.derived_from_id) == ("translation", tr.id)


def test_translation_without_its_source_is_refused(hague: Hague, interview_ern: str, tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("text")
    with hague.unit() as unit, pytest.raises(ValidationError, match="derivative"):
        add_interview_file(
            unit, hague.store, interview_ern, path, "translation", user(unit.session, "investigator-user")
        )


def test_unreadable_upload_error_does_not_name_the_file(hague: Hague, interview_ern: str, tmp_path: Path) -> None:
    missing = tmp_path / "Гордієнко Оксана.wav"
    with hague.unit() as unit, pytest.raises(HagueError) as err:
        add_interview_file(unit, hague.store, interview_ern, missing, "recording", user(unit.session, "wpo-user"))
    assert "Гордієнко" not in err.value.message and interview_ern in err.value.message
