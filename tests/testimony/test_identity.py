"""Identity values never show up in repr, str, rich output or validation errors."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from hague.errors import ValidationError
from hague.testimony.identity import Identity, parse_identity
from tests.testimony.conftest import IDENTITY


def _values() -> list[str]:
    return ["Оксана", "Гордієнко", "1979-11-23", "+380671112233", "Садова", "Тарас"]


def test_repr_and_str_withhold_every_value(identity: Identity) -> None:
    for text in (repr(identity), str(identity), f"{identity}", repr(identity.relatives), repr([identity])):
        assert not any(v in text for v in _values())


def test_rich_printing_withholds_values(identity: Identity) -> None:
    out = io.StringIO()
    Console(file=out, width=200).print(identity)
    assert not any(v in out.getvalue() for v in _values())


def test_validation_error_names_fields_not_values() -> None:
    bad = {**IDENTITY, "date_of_birth": "1979-13-45", "given_name": ""}
    with pytest.raises(ValidationError) as err:
        parse_identity(bad)
    assert "date_of_birth" in err.value.message and "given_name" in err.value.message
    assert "1979-13-45" not in err.value.message + str(err.value.details)


def test_round_trip_through_bytes(identity: Identity) -> None:
    assert Identity.from_bytes(identity.to_bytes()) == identity


names = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40)


@given(
    st.builds(
        Identity,
        given_name=names.filter(str.strip),
        family_name=names.filter(str.strip),
        date_of_birth=st.one_of(st.none(), st.dates()),
        phones=st.lists(st.from_regex(r"\+[0-9]{9,13}", fullmatch=True), max_size=3),
    )
)
def test_any_identity_round_trips_and_never_shows_in_repr(identity: Identity) -> None:
    assert Identity.from_bytes(identity.to_bytes()) == identity
    assert repr(identity) == str(identity) == "Identity(<withheld>)"
