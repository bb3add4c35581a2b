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
