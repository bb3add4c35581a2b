"""Need-to-know: every role sees pseudonyms; only wpo and case_lead reveal and export; reveals are audited."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import select

from hague.access.roles import ROLES
from hague.core import Hague
from hague.errors import PermissionDenied, ValidationError
from hague.ledger.models import LogEntry
from hague.pprl.exchange import export_encodings
from hague.testimony.policy import EXPORT, REVEAL
from hague.testimony.vault import Vault
from hague.testimony.witnesses import list_witnesses, reveal, reveals_of
from tests.testimony.conftest import IDENTITY, PARTNER, user

SECRET = b"partners-shared-secret-2026"
REASON = "relocation assessment by the protection unit"


ALL = [*ROLES, "norole", "partner"]


def test_every_role_on_the_case_sees_the_pseudonym_and_outsiders_do_not(hague: Hague, case: str, witness: str) -> None:
    for name in ALL:
        with hague.reader() as session:
            if name in ROLES:
                rows = list_witnesses(session, case, user(session, f"{name}-user"))
                assert [r["pseudonym"] for r in rows] == [witness], name
            else:
                with pytest.raises(PermissionDenied):
                    list_witnesses(session, case, user(session, f"{name}-user"))


def test_only_wpo_and_case_lead_can_reveal(hague: Hague, vault: Vault, witness: str) -> None:
    allowed = []
    for name in ALL:
        try:
            with hague.unit() as unit:
                shown = reveal(unit, vault, witness, user(unit.session, f"{name}-user"), REASON)
            assert shown.family_name == IDENTITY["family_name"]
            allowed.append(name)
        except PermissionDenied:
            pass
    assert set(allowed) == REVEAL == {"wpo", "case_lead"}
    with hague.reader() as session:
        assert sorted(a.username for a in reveals_of(session, witness)) == ["case_lead-user", "wpo-user"]


def test_only_wpo_and_case_lead_can_export(hague: Hague, vault: Vault, case: str, interview_ern: str) -> None:
    allowed = []
    for name in ALL:
        try:
            with hague.unit() as unit:
                assert (
                    len(
                        export_encodings(unit, vault, case, PARTNER, SECRET, user(unit.session, f"{name}-user"))[
                            "records"
                        ]
                    )
                    == 1
                )
            allowed.append(name)
        except PermissionDenied:
            pass
    assert set(allowed) == EXPORT == {"wpo", "case_lead"}


def test_reveal_leaves_an_audit_record_and_a_log_entry_without_identity(
    hague: Hague, vault: Vault, witness: str
) -> None:
    with hague.unit() as unit:
        reveal(unit, vault, witness, user(unit.session, "wpo-user"), REASON)
    with hague.reader() as session:
        audits = reveals_of(session, witness)
        entry = session.scalars(select(LogEntry).where(LogEntry.kind == "identity.revealed")).one()
    assert [(a.username, a.role, a.reason) for a in audits] == [("wpo-user", "wpo", REASON)]
    body = json.loads(entry.body)
    assert body["pseudonym"] == witness and body["user"] == "wpo-user"
    assert body["reason_sha256"] == hashlib.sha256(REASON.encode()).hexdigest()
    text = entry.body.decode()
    assert REASON not in text and not any(str(v) in text for v in IDENTITY.values() if isinstance(v, str))


def test_refused_reveal_is_not_audited(hague: Hague, vault: Vault, witness: str) -> None:
    with hague.unit() as unit, pytest.raises(PermissionDenied):
        reveal(unit, vault, witness, user(unit.session, "analyst-user"), REASON)
    with hague.reader() as session:
        assert reveals_of(session, witness) == []


def test_reveal_needs_a_reason(hague: Hague, vault: Vault, witness: str) -> None:
    with hague.unit() as unit, pytest.raises(ValidationError, match="reason"):
        reveal(unit, vault, witness, user(unit.session, "case_lead-user"), "because")
