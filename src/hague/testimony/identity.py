"""The identity of a witness as a value object; its repr, str and errors never show the values.

Only the vault (`hague.testimony.vault`) turns it into bytes, and only as AES-GCM ciphertext.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from hague.errors import ValidationError

WITHHELD = "<withheld>"


class _Withheld(BaseModel):
    """A model whose repr/str/rich output names the type only, so values cannot reach logs or tracebacks."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True, str_strip_whitespace=True)

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        return iter(())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({WITHHELD})"

    def __str__(self) -> str:
        return self.__repr__()

    def __rich_repr__(self) -> Iterator[Any]:
        yield WITHHELD


class Relative(_Withheld):
    """A relative or contact person of the witness."""

    relation: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=300)
    contact: str = Field(default="", max_length=300)


class Identity(_Withheld):
    """Who the witness is: names (original script and transliterations), birth date, contacts, address."""

    given_name: str = Field(min_length=1, max_length=200)
    family_name: str = Field(min_length=1, max_length=200)
    patronymic: str = Field(default="", max_length=200)
    names_original: list[str] = Field(default_factory=list, max_length=20)
    transliterations: list[str] = Field(default_factory=list, max_length=20)
    date_of_birth: date | None = None
    phones: list[str] = Field(default_factory=list, max_length=20)
    emails: list[str] = Field(default_factory=list, max_length=20)
    address: str = Field(default="", max_length=1000)
    relatives: list[Relative] = Field(default_factory=list, max_length=50)

    def to_bytes(self) -> bytes:
        """Canonical JSON plaintext for the vault."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> Identity:
        """Inverse of `to_bytes`."""
        return cls.model_validate_json(data)


def parse_identity(data: dict[str, Any] | str | bytes) -> Identity:
    """Validate identity input; the error lists the fields at fault and never the values given."""
    try:
        if isinstance(data, str | bytes):
            return Identity.model_validate_json(data)
        return Identity.model_validate(data)
    except pydantic.ValidationError as exc:
        problems = sorted({".".join(str(p) for p in err["loc"]) or "identity" for err in exc.errors()})
        raise ValidationError(f"identity is incomplete or invalid in: {', '.join(problems)}", fields=problems) from None
