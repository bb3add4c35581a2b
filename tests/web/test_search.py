"""Full-text search in Ukrainian, Russian and English with access control inside the query."""

from __future__ import annotations

import pytest

from hague.access.roles import get_user
from hague.core import Hague
from hague.errors import ValidationError
from hague.evidence import register
from hague.evidence.register import ItemInput
from hague.search import query as search
from tests.web.conftest import World


def _find(hague: Hague, username: str, q: str) -> list[str]:
    with hague.reader() as session:
        user = get_user(session, username)
        page = search.list_items(session, user, search.ItemFilter(q=q))
        return [i.ern for i in page.items]


def test_ukrainian_word_prefix_finds_the_item(hague: Hague, world: World) -> None:
    assert set(_find(hague, "lead", "обстріл")) == set(world.erns.values())


def test_diacritics_are_folded(hague: Hague, world: World) -> None:
    with hague.unit() as unit:
        ern = register.add_item(unit, world.case, ItemInput(kind="document", title="Raport z Żytomierza, café")).ern
    assert _find(hague, "lead", "zytomierza cafe") == [ern]


def test_russian_text_is_searchable(hague: Hague, world: World) -> None:
    with hague.unit() as unit:
        ern = register.add_item(
            unit, world.case, ItemInput(kind="physical", title="Хвостовик с надписью «За наших детей»")
        ).ern
    assert _find(hague, "lead", "надписью") == [ern]


def test_search_never_returns_what_the_user_may_not_see(hague: Hague, world: World) -> None:
    assert set(_find(hague, "analyst", "обстріл")) == {world.erns["public"], world.erns["restricted"]}
    assert _find(hague, "partner", "обстріл") == []
    assert _find(hague, "outsider", "обстріл") == []


def test_indexed_transcript_text_is_searchable(hague: Hague, world: World) -> None:
    ern = world.erns["restricted"]
    with hague.unit() as unit:
        search.add_text(unit, register.get_item(unit.session, ern), "transcript", "свідок бачив ракету Искандер")
    assert _find(hague, "lead", "искандер") == [ern]


def test_retitled_item_is_found_by_its_new_title(hague: Hague, world: World) -> None:
    ern = world.erns["public"]
    with hague.unit() as unit:
        register.get_item(unit.session, ern).title = "Перейменований протокол"
    assert _find(hague, "lead", "перейменований") == [ern]


def test_facets_count_only_visible_matches(hague: Hague, world: World) -> None:
    with hague.reader() as session:
        facets = search.facets(session, get_user(session, "analyst"), search.ItemFilter(q="обстріл"))
    assert facets["classification"] == {"public": 1, "restricted": 1}


@pytest.mark.parametrize("bad", ["a\x00b", "x" * 501, "line\x07bell"])
def test_malformed_search_text_is_refused(bad: str) -> None:
    with pytest.raises(ValidationError):
        search.terms(bad)


def test_fts_operators_in_the_query_are_plain_words(hague: Hague, world: World) -> None:
    assert _find(hague, "lead", 'NEAR("обстріл" OR *) & ! :*') != None  # noqa: E711


def _stem(hague: Hague, mode: str) -> int:
    from hague.search.stemming import set_stemming

    return set_stemming(hague.engine, mode)  # type: ignore[arg-type]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_with_ukrainian_stemming_an_inflected_form_finds_the_item(hague: Hague, world: World) -> None:
    assert _stem(hague, "uk") == 4  # the world's items are re-indexed through the dictionary
    assert set(_find(hague, "lead", "обстрілами")) == set(world.erns.values())


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_without_stemming_an_inflected_form_finds_nothing(hague: Hague, world: World) -> None:
    _stem(hague, "off")
    assert _find(hague, "lead", "обстрілами") == []


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_with_stemming_prefixes_latin_text_and_access_control_still_hold(hague: Hague, world: World) -> None:
    _stem(hague, "uk")
    with hague.unit() as unit:
        ern = register.add_item(unit, world.case, ItemInput(kind="document", title="Raport z Żytomierza")).ern
    assert _find(hague, "lead", "zytomierza") == [ern]
    assert set(_find(hague, "lead", "обстрі")) == set(world.erns.values())
    assert set(_find(hague, "analyst", "обстрілами")) == {world.erns["public"], world.erns["restricted"]}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_stemming_is_refused_on_sqlite_with_a_clear_error(hague: Hague, world: World) -> None:
    with pytest.raises(ValidationError, match="PostgreSQL"):
        _stem(hague, "uk")


def test_an_unknown_stemming_mode_is_refused(hague: Hague) -> None:
    with pytest.raises(ValidationError, match="'uk' or 'off'"):
        _stem(hague, "english")


def _list(hague: Hague, username: str) -> list[str]:
    with hague.reader() as session:
        user = get_user(session, username)
        return [i.ern for i in search.list_items(session, user, search.ItemFilter()).items]


def test_a_lowered_clearance_hides_items_on_the_very_next_list(hague: Hague, world: World) -> None:
    assert world.erns["confidential"] in _list(hague, "lead")
    with hague.unit() as unit:
        get_user(unit.session, "lead").clearance = "restricted"
    assert set(_list(hague, "lead")) == {world.erns["public"], world.erns["restricted"]}


def test_a_revoked_share_hides_items_on_the_very_next_search(hague: Hague, world: World) -> None:
    from hague.access import sharing

    with hague.unit() as unit:
        sharing.share(unit, world.case, "PGO", get_user(unit.session, "lead"))
    assert _find(hague, "partner", "обстріл")
    with hague.unit() as unit:
        sharing.revoke(unit, world.case, "PGO", get_user(unit.session, "lead"))
    assert _find(hague, "partner", "обстріл") == []


def test_listed_items_carry_their_case_and_owner_codes_and_incident_ids(hague: Hague, world: World) -> None:
    with hague.unit() as unit:
        first = register.add_incident(unit, world.case, "Shelling of the school").id
        second = register.add_incident(unit, world.case, "Strike on the bridge").id
        ern = register.add_item(
            unit, world.case, ItemInput(kind="physical", title="Fragment", incident_ids=(second, first))
        ).ern
    with hague.reader() as session:
        page = search.list_items(session, get_user(session, "lead"), search.ItemFilter(q="fragment"))
    (found,) = page.items
    assert (found.ern, found.case, found.organisation, found.incidents) == (ern, world.case, "OTP", [first, second])
