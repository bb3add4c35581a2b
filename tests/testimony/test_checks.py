"""Every testimony log entry's record hash is recomputed from the rows; tampering with a row is detected."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from hague.core import Hague
from hague.ledger.attest import CHECKS
from hague.ledger.models import LogEntry
from hague.pprl.exchange import export_encodings
from hague.testimony.consent import withdraw_consent
from hague.testimony.interviews import add_interview_file, interview_of
from hague.testimony.redaction import RedactionSpec, redact
from hague.testimony.vault import MasterKey, Vault, rotate_master_key
from hague.testimony.witnesses import reveal
from tests.testimony.conftest import PARTNER, user

KINDS = {
    "vault.key_created",
    "witness.registered",
    "interview.recorded",
    "identity.revealed",
    "consent.withdrawn",
    "redaction.applied",
    "pprl.exported",
    "vault.rotated",
}


def _entries(hague: Hague) -> list[tuple[str, dict[str, object]]]:
    with hague.reader() as session:
        rows = session.scalars(select(LogEntry).where(LogEntry.kind.in_(KINDS)).order_by(LogEntry.seq))
        return [(r.kind, json.loads(r.body)) for r in rows]


def _mismatches(hague: Hague) -> list[str]:
    with hague.reader() as session:
        return [kind for kind, body in _entries(hague) if CHECKS[kind](session, body) != body["record"]]


def test_every_testimony_entry_recomputes(
    hague: Hague, vault: Vault, case: str, witness: str, interview_ern: str, tmp_path: Path
) -> None:
    path = tmp_path / "t.txt"
    path.write_text("Свідок Оксана Гордієнко.\n", encoding="utf-8")
    with hague.unit() as unit:
        reveal(unit, vault, witness, user(unit.session, "wpo-user"), "protection review of the witness")
        f = add_interview_file(unit, hague.store, interview_ern, path, "transcript", user(unit.session, "wpo-user"))
        redact(
            unit,
            hague.store,
            interview_ern,
            f.sha256,
            [RedactionSpec("A.1", "the name", "Оксана Гордієнко")],
            "d1",
            user(unit.session, "wpo-user"),
        )
        export_encodings(unit, vault, case, PARTNER, b"partners-secret-0123456789", user(unit.session, "wpo-user"))
        withdraw_consent(unit, interview_ern, "partner", user(unit.session, "wpo-user"), PARTNER)
        rotate_master_key(unit, vault.master, MasterKey.generate())
    assert {kind for kind, _ in _entries(hague)} == KINDS
    assert _mismatches(hague) == []


def test_a_changed_interview_row_no_longer_matches_its_entry(hague: Hague, interview_ern: str) -> None:
    with hague.unit() as unit:
        interview_of(unit.session, interview_ern).consent_partners = ["PGO", "OTHER"]
    assert _mismatches(hague) == ["interview.recorded"]


def test_verify_passes_then_names_a_witness_written_around_the_log(
    hague: Hague, vault: Vault, witness: str, interview_ern: str
) -> None:
    from hague.ledger.fsck import verify
    from hague.testimony.models import Witness

    assert verify(hague, blobs=False).findings == []
    with hague.unit() as unit:
        original = unit.session.scalar(select(Witness).where(Witness.pseudonym == witness))
        assert original is not None
        unit.session.add(
            Witness(
                case_id=original.case_id,
                organisation_id=original.organisation_id,
                pseudonym="UKR-OTP-P-9999",
                number=9999,
                clk=original.clk,
            )
        )
    findings = verify(hague, blobs=False).findings
    assert [(f.kind, f.subject) for f in findings] == [("row without entry", "witness UKR-OTP-P-9999")]
