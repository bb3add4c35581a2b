"""Transliteration systems and the folding of every spelling of a name to one comparison key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hague.casualties.translit import (
    bgn_pcgn_russian,
    fold,
    name_key,
    patronymic_key,
    transliterations,
    ukrainian_2010,
)
from tests.casualties.generate import FEMALE, MALE, PLACES, ROOTS, SUFFIXES


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [("Олександр", "Oleksandr"), ("Юрій", "Yurii"), ("Згурський", "Zghurskyi"), ("Їжакевич", "Yizhakevych"),
     ("Наталія", "Nataliia"), ("Шевченко", "Shevchenko"), ("Щербак", "Shcherbak")],
)  # fmt: skip
def test_ukrainian_national_2010(cyrillic: str, latin: str) -> None:
    assert ukrainian_2010(cyrillic) == latin


def test_bgn_pcgn_russian() -> None:
    assert bgn_pcgn_russian("Александр Щербаков") == "Aleksandr Shcherbakov"


def test_latin_names_have_no_transliterations() -> None:
    assert transliterations("Olena") == []


@pytest.mark.parametrize(
    "spellings",
    [
        ["Олександр", "Oleksandr", "Aleksandr", "Александр", "Alexandr"],
        ["Григорій", "Hryhorii", "Hryhoriy", "Grigoriy", "Григорий"],
        ["Шевченко", "Shevchenko", "Ševčenko", "Shevtchenko"],
        ["Харків", "Kharkiv", "Kharkov", "Харьков"],
        ["Миколаїв", "Mykolaiv", "Nikolaev", "Николаев"],
        ["Євген", "Yevhen", "Ievgen", "Evgeny", "Евгений"],
        ["Юлія", "Yuliia", "Yulia", "Iuliia", "Юлия"],
    ],
)
def test_spellings_fold_to_one_key(spellings: list[str]) -> None:
    assert len({name_key(s) for s in spellings}) == 1


def test_different_names_keep_different_keys() -> None:
    assert name_key("Oleksandr") != name_key("Oleksii")
    assert name_key("Ivan") != name_key("Iryna")


@pytest.mark.parametrize(
    "spellings",
    [
        ["Олександрович", "Oleksandrovych", "Aleksandrovich", "Александрович"],
        ["Миколаївна", "Mykolaivna", "Nikolaevna"],
        ["Сергійович", "Serhiiovych", "Sergeevich"],
    ],
)
def test_patronymics_fold_to_the_fathers_name(spellings: list[str]) -> None:
    assert len({patronymic_key(s) for s in spellings}) == 1


@given(st.sampled_from([m[0] for m in MALE] + [f[0] for f in FEMALE] + [p[0] for p in PLACES]))
def test_national_and_bgn_systems_fold_like_the_cyrillic(name: str) -> None:
    key = name_key(name)
    assert name_key(ukrainian_2010(name)) == key
    assert all(name_key(latin) == key for latin in transliterations(name))


@given(st.sampled_from(MALE + FEMALE))
def test_russian_forms_of_given_names_fold_to_the_ukrainian(pair: tuple[str, str]) -> None:
    ukrainian, russian = pair
    assert name_key(russian) == name_key(ukrainian) or name_key(bgn_pcgn_russian(russian)) == name_key(ukrainian)


@given(st.sampled_from(ROOTS), st.sampled_from(SUFFIXES))
def test_surnames_fold_alike_in_both_scripts(root: str, suffix: str) -> None:
    surname = root + suffix
    assert name_key(ukrainian_2010(surname)) == name_key(surname)


@given(st.text(max_size=40))
def test_fold_never_fails_and_is_plain_latin(text: str) -> None:
    assert set(fold(text)) <= set("abcdefghiklmnoprstuvz")


@given(st.text(alphabet="абвгґдеєжзиіїйклмнопрстуфхцчшщьюяыэъ'khzcsyj aeiou", max_size=30))
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)
    assert name_key(fold(text)) == name_key(text)
