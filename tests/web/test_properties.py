"""Property tests: any search text is either refused cleanly or searched (never an engine syntax error),
upload names never keep a path, and download headers always round-trip the stored name."""

from __future__ import annotations

import re
from urllib.parse import unquote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hague.access.roles import get_user
from hague.core import Hague
from hague.errors import ValidationError
from hague.search import query as search
from hague.web.api import content_disposition
from hague.web.service import check_upload_name
from tests.web.conftest import World

SEARCH_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("\"'*:&|!()^-+~<>{}[]@#$%\\/.,;?NEAR AND OR NOT_")),
        st.characters(codec="utf-8"),
    ),
    max_size=60,
)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=SEARCH_TEXT)
def test_any_search_text_is_refused_cleanly_or_searched(hague: Hague, world: World, text: str) -> None:
    with hague.reader() as session:
        user = get_user(session, "lead")
        try:
            page = search.list_items(session, user, search.ItemFilter(q=text))
        except ValidationError:
            return
        assert all(item.ern.startswith(world.case) for item in page.items)


@given(st.text(max_size=80))
def test_search_terms_are_plain_words(text: str) -> None:
    try:
        words = search.terms(text)
    except ValidationError:
        return
    assert all(re.fullmatch(r"\w+", w) for w in words)
    assert len(words) <= search.MAX_TERMS


@given(st.text(min_size=1, max_size=300))
def test_an_accepted_upload_name_holds_no_path(name: str) -> None:
    try:
        clean = check_upload_name(name)
    except ValidationError:
        return
    assert "/" not in clean and "\\" not in clean and not clean.startswith("..")
    assert all(ord(ch) >= 32 for ch in clean)


@given(st.text(min_size=1, max_size=120))
def test_content_disposition_carries_the_exact_name(name: str) -> None:
    header = content_disposition(name, inline=False)
    assert header.isascii() and "\r" not in header and "\n" not in header
    encoded = header.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded, errors="strict") == name
