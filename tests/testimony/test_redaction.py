"""Redacted versions for disclosure: -Red/-Red2 derivatives, nothing redacted in the PDF, original untouched."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

from hague.core import Hague
from hague.errors import PermissionDenied, ValidationError
from hague.evidence.models import File
from hague.testimony.interviews import add_interview_file
from hague.testimony.redaction import RedactionSpec, lift, redact
from tests.testimony.conftest import user

TRANSCRIPT = (
    "Свідок Оксана Гордієнко, народилася 23.11.1979, телефон +380671112233.\n"
    "Вона мешкає на вулиці Садова 14 в Ірпені з сином Тарасом.\n"
    "Q: What did you see on 4 March? A: Shelling of the bridge near the church.\n"
)
SECRETS = ["Оксана Гордієнко", "23.11.1979", "+380671112233", "Садова 14", "Тарасом"]
SPECS = [
    RedactionSpec("A.1", "identifies the witness", "Оксана Гордієнко"),
    RedactionSpec("A.1", "identifies the witness", "23.11.1979"),
    RedactionSpec("A.4", "contact details", "+380671112233"),
    RedactionSpec("A.4", "whereabouts", "Садова 14"),
    RedactionSpec("A.2", "identifies a family member", "Тарасом"),
]


@pytest.fixture
def transcript(hague: Hague, interview_ern: str, tmp_path: Path) -> File:
    path = tmp_path / "transcript.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    with hague.unit() as unit:
        return add_interview_file(unit, hague.store, interview_ern, path, "transcript", user(unit.session, "wpo-user"))


def _read(hague: Hague, file_id: int) -> bytes:
    with hague.reader() as session:
        row = session.get(File, file_id)
        assert row is not None
    with hague.store.open(row.sha256) as fh:
        return fh.read()


def _pdf_text(hague: Hague, file_id: int, tmp_path: Path) -> str:
    pdf = tmp_path / "version.pdf"
    pdf.write_bytes(_read(hague, file_id))
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_red_pdf_contains_none_of_the_redacted_strings(
    hague: Hague, interview_ern: str, transcript: File, tmp_path: Path
) -> None:
    with hague.unit() as unit:
        version = redact(
            unit,
            hague.store,
            interview_ern,
            transcript.sha256,
            SPECS,
            "ICC-01/22-45-Red",
            user(unit.session, "case_lead-user"),
        )
        suffix, pdf_id, text_id = version.ern_suffix, version.pdf_file_id, version.text_file_id
    assert suffix == "-Red"
    text = _pdf_text(hague, pdf_id, tmp_path)
    assert "Shelling of the bridge" in text and "[REDACTED A.1]" in text
    assert not [s for s in SECRETS if s in text]
    assert not [s for s in SECRETS if s in _read(hague, text_id).decode()]


def test_original_transcript_is_untouched(hague: Hague, interview_ern: str, transcript: File) -> None:
    with hague.unit() as unit:
        redact(
            unit,
            hague.store,
            interview_ern,
            transcript.sha256,
            SPECS,
            "decision 1",
            user(unit.session, "case_lead-user"),
        )
    data = _read(hague, transcript.id)
    assert hashlib.sha256(data).hexdigest() == transcript.sha256
    assert data.decode() == TRANSCRIPT


def test_lifting_a_redaction_makes_red2_from_the_original(
    hague: Hague, interview_ern: str, transcript: File, tmp_path: Path
) -> None:
    with hague.unit() as unit:
        redact(
            unit,
            hague.store,
            interview_ern,
            transcript.sha256,
            SPECS,
            "decision 1",
            user(unit.session, "case_lead-user"),
        )
    with hague.unit() as unit:
        # numbering is in text order: 1 name, 2 birth date, 3 phone, 4 street, 5 son
        second = lift(
            unit, hague.store, interview_ern, "-Red", [2], "decision 2 (lifting)", user(unit.session, "wpo-user")
        )
        assert (second.ern_suffix, len(second.redactions)) == ("-Red2", 4)
        assert second.source_file_id == transcript.id and second.supersedes_id is not None
        pdf_id = second.pdf_file_id
    text = _pdf_text(hague, pdf_id, tmp_path)
    assert "23.11.1979" in text and "Оксана Гордієнко" not in text


def test_each_redaction_keeps_category_and_justification(hague: Hague, interview_ern: str, transcript: File) -> None:
    with hague.unit() as unit:
        version = redact(
            unit, hague.store, interview_ern, transcript.sha256, SPECS, "decision 1", user(unit.session, "analyst-user")
        )
        assert [(r.category, r.justification) for r in version.redactions] == [
            (s.category, s.justification) for s in SPECS
        ]


def test_unknown_category_is_refused(hague: Hague, interview_ern: str, transcript: File) -> None:
    with hague.unit() as unit, pytest.raises(ValidationError, match="category"):
        redact(
            unit,
            hague.store,
            interview_ern,
            transcript.sha256,
            [RedactionSpec("Z.9", "why not", "Свідок")],
            "d",
            user(unit.session, "case_lead-user"),
        )


def test_text_not_found_error_does_not_echo_the_text(hague: Hague, interview_ern: str, transcript: File) -> None:
    with hague.unit() as unit, pytest.raises(ValidationError) as err:
        redact(
            unit,
            hague.store,
            interview_ern,
            transcript.sha256,
            [RedactionSpec("A.1", "identifies", "Людмила Шевчук")],
            "d",
            user(unit.session, "case_lead-user"),
        )
    assert "Людмила" not in err.value.message


def test_investigator_cannot_redact(hague: Hague, interview_ern: str, transcript: File) -> None:
    with hague.unit() as unit, pytest.raises(PermissionDenied):
        redact(unit, hague.store, interview_ern, transcript.sha256, SPECS, "d", user(unit.session, "investigator-user"))
