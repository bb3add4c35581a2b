"""The identity vault: envelope encryption, binding to the witness, key files and master-key rotation."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from hague.core import Hague
from hague.errors import ConfigurationError, Conflict, IntegrityError
from hague.settings import Settings
from hague.testimony.identity import Identity
from hague.testimony.models import VaultKey, Witness, WitnessIdentity
from hague.testimony.vault import MasterKey, Vault, init_key_file, load_master_key, rotate_master_key
from hague.testimony.witnesses import get_witness


def test_sealed_identity_opens_to_the_same_values(hague: Hague, vault: Vault, witness: str, identity: Identity) -> None:
    with hague.reader() as session:
        assert vault.open(session, get_witness(session, witness)) == identity


def test_ciphertext_moved_to_another_witness_fails_authentication(
    hague: Hague, vault: Vault, case: str, witness: str, identity: Identity
) -> None:
    from hague.access.roles import get_user
    from hague.testimony.witnesses import add_witness

    other = identity.model_copy(update={"given_name": "Марія"})
    with hague.unit() as unit:
        second = add_witness(unit, vault, case, other, get_user(unit.session, "wpo-user")).witness.pseudonym
    with hague.unit() as unit:
        a = unit.session.get(WitnessIdentity, get_witness(unit.session, witness).id)
        b = unit.session.get(WitnessIdentity, get_witness(unit.session, second).id)
        assert a is not None and b is not None
        b.nonce, b.ciphertext = a.nonce, a.ciphertext
    with hague.reader() as session, pytest.raises(IntegrityError):
        vault.open(session, get_witness(session, second))


def test_wrong_master_key_is_refused(hague: Hague, witness: str) -> None:
    with hague.reader() as session, pytest.raises(ConfigurationError):
        Vault(MasterKey.generate()).open(session, get_witness(session, witness))


def test_rotation_rewraps_data_keys_and_leaves_identity_ciphertext_untouched(
    hague: Hague, vault: Vault, witness: str, identity: Identity
) -> None:
    with hague.reader() as session:
        before = [(r.witness_id, r.nonce, r.ciphertext) for r in session.scalars(select(WitnessIdentity))]
        wrapped_before = {r.id: r.wrapped for r in session.scalars(select(VaultKey))}
    new = MasterKey.generate()
    with hague.unit() as unit:
        assert rotate_master_key(unit, vault.master, new) == len(wrapped_before)
    with hague.reader() as session:
        assert [(r.witness_id, r.nonce, r.ciphertext) for r in session.scalars(select(WitnessIdentity))] == before
        assert all(r.wrapped != wrapped_before[r.id] for r in session.scalars(select(VaultKey)))
        witness_row = session.scalar(select(Witness).where(Witness.pseudonym == witness))
        assert witness_row is not None
        assert Vault(new).open(session, witness_row) == identity
        with pytest.raises(ConfigurationError):
            vault.open(session, witness_row)


def test_key_file_is_owner_only_and_never_overwritten(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    path = init_key_file(settings)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_master_key(settings).key_id == MasterKey.decode(path.read_text()).key_id
    with pytest.raises(Conflict):
        init_key_file(settings)


def test_missing_master_key_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="vault init"):
        load_master_key(Settings(data_dir=tmp_path))


def test_malformed_master_key_is_refused_without_echoing_it() -> None:
    with pytest.raises(ConfigurationError) as err:
        MasterKey.decode("c2hvcnQ=")
    assert "c2hvcnQ" not in err.value.message
