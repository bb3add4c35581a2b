"""Outside names are made safe: no control characters or separators kept, printable display forms."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from hague.evidence.names import MAX_NAME, display_path, sanitise_name

PIECES = st.characters(codec="utf-8") | st.sampled_from(["/", "\\", "..", "\x00", "\x1b", "\u0301", "\u200b", " "])
NAMES = st.lists(PIECES, max_size=300).map("".join)


@given(NAMES)
def test_sanitised_names_hold_no_control_characters_or_separators(name: str) -> None:
    clean = sanitise_name(name)
    assert clean and len(clean) <= MAX_NAME
    assert not any(unicodedata.category(ch)[0] == "C" for ch in clean)
    assert "/" not in clean and "\\" not in clean and not clean.startswith("..")
    assert clean == unicodedata.normalize("NFC", clean) or clean == "unnamed"
    assert clean == clean.strip()


@given(st.text(st.characters(codec="ascii", categories=["L", "N", "P", "S", "Zs"])))
def test_printable_ascii_names_keep_everything_but_separators(name: str) -> None:
    clean = sanitise_name(name)
    if clean != "unnamed" and not name.strip().startswith(".."):
        assert clean == name.replace("/", "_").replace("\\", "_").strip()[:MAX_NAME]


@given(NAMES | st.binary().map(lambda b: b"\xff" + b))
def test_display_paths_are_printable(raw: str | bytes) -> None:
    shown = display_path(raw)
    assert not any(unicodedata.category(ch)[0] == "C" for ch in shown)
    if isinstance(raw, str) and raw.isascii() and raw.isprintable():
        assert shown == raw


def test_a_control_character_between_a_letter_and_its_accent_still_gives_a_composed_name() -> None:
    assert sanitise_name("A\x1f\u0300.jpg") == "\u00c0.jpg"
