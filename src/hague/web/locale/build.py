"""Write and compile the message catalogues: `python -m hague.web.locale.build` (run when messages change)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

from hague.web.locale.uk import UK

HERE = Path(__file__).resolve().parent
# English wording for values that are shown through the catalogue (identifiers otherwise map to themselves).
EN = {
    "strictly_confidential": "strictly confidential",
    "case_shared": "whole case shared",
    "items_shared": "some items shared",
}


def build(locale: str, messages: dict[str, str]) -> Path:
    """Write `<locale>/LC_MESSAGES/messages.po` and `.mo` from a message dict (English maps to itself)."""
    catalog = Catalog(locale=locale, domain="messages", project="Hague", fuzzy=False)
    for msgid, text in messages.items():
        catalog.add(msgid, text)
    folder = HERE / locale / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "messages.po").open("wb") as fh:
        write_po(fh, catalog, omit_header=False, width=120)
    with (folder / "messages.mo").open("wb") as fh:
        write_mo(fh, catalog)
    return folder


def main() -> None:
    """Build both catalogues."""
    build("uk", UK)
    build("en", {msgid: EN.get(msgid, msgid) for msgid in UK})


if __name__ == "__main__":
    main()
