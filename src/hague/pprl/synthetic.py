"""Synthetic witnesses with planted repeats, for measuring repeat-interview detection (tests and bench).

People get Ukrainian names (given names, patronymics, surnames built from common roots and suffixes)
with Zipf-like frequencies. A repeat is the same person recorded again by another team: written in
another script or transliteration system, and with spelling mistakes, swapped name order or a
mistyped date of birth. Everything is generated from a seed; no real person is described.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from hague.pprl.clk import LinkageRecord
from hague.pprl.names import GIVEN_NAME_PAIRS, russian_bgn, ukrainian_national

FEMALE = {
    "Олена", "Ольга", "Наталія", "Тетяна", "Світлана", "Ірина", "Людмила", "Галина", "Марія", "Катерина",
    "Юлія", "Анна", "Оксана", "Валентина", "Надія", "Любов", "Віра", "Лариса", "Вікторія", "Дарія", "Софія",
    "Христина", "Зоя", "Ганна", "Єлизавета", "Анастасія", "Раїса",
}  # fmt: skip
MALE = [uk for uk, _ in GIVEN_NAME_PAIRS if uk not in FEMALE]
FEMALES = [uk for uk, _ in GIVEN_NAME_PAIRS if uk in FEMALE]
RUSSIAN_FORM = dict(GIVEN_NAME_PAIRS)

ROOTS = (
    "Коваль", "Бондар", "Ткач", "Мельник", "Шевч", "Кравч", "Олійн", "Лис", "Гончар", "Петр", "Марч",
    "Савч", "Руд", "Мороз", "Кузьм", "Павл", "Бойч", "Левч", "Харч", "Гриц", "Остап", "Дорош", "Климч",
    "Панч", "Юрч", "Тимош", "Федор", "Гордій", "Лук", "Сидор", "Карп", "Нестер", "Прокоп", "Тарас",
    "Гаврил", "Данил", "Семен", "Степан", "Яковл", "Кирил", "Мирон", "Назар", "Охрім", "Пилип", "Роман",
    "Зінч", "Вакул", "Гнат", "Демч", "Єрем", "Жук", "Зубр", "Іван", "Касьян", "Ляш", "Мацк", "Ничип",
    "Онищ", "Приход", "Ружн", "Сав", "Тесл", "Устим", "Хом", "Цимбал", "Чорн", "Шапов", "Щерб", "Яцен",
    "Бабич", "Вовк", "Грищ", "Дячен", "Заїч", "Костюк", "Литвин", "Мартин", "Новик", "Осадч",
    "Кушнір", "Швец", "Мірош", "Пасіч", "Рибал", "Стельмах", "Пекар", "Різн", "Сокол", "Ворон", "Голуб",
    "Журав", "Орл", "Лебед", "Горобц", "Соловй", "Бурлак", "Козак", "Чумак", "Гайдам", "Сотн", "Писар",
    "Дяк", "Попович", "Паламар", "Титар", "Гуцал", "Бескид", "Дніпр", "Волош", "Литв", "Мазур", "Ляхов",
    "Білоус", "Чорноус", "Сивол", "Рябок", "Кривош", "Довгал", "Коротч", "Товст", "Малиш", "Велич",
    "Білик", "Зелен", "Сірик", "Рудик", "Гнид", "Бабій", "Дідик", "Кум", "Сват", "Брат", "Сироват",
    "Кулик", "Шпак", "Дрозд", "Ґудз", "Ґонт", "Ґалаг", "Вербиц", "Дубов", "Липов", "Березов", "Калин",
    "Явор", "Ясен", "Грабов", "Осик", "Тополь", "Вишн", "Груш", "Яблон", "Малин", "Смородин", "Калинич",
    "Гречан", "Просян", "Житн", "Пшенич", "Медв", "Вовчан", "Зайч", "Лисиц", "Борсук", "Куниц", "Тур",
    "Оліфір", "Опанас", "Тиміш", "Ониськ", "Микит", "Максим", "Мусій", "Лаврін", "Харитон", "Гарас",
    "Дем'ян", "Кость", "Матв", "Олекс", "Юхим", "Якименк", "Сердюк", "Гетьман", "Полтав", "Черніг",
)  # fmt: skip
SUFFIXES = ("енко", "ук", "чук", "ишин", "ів", "ський", "ак", "ович", "ко", "юк", "ець", "ан", "ицький", "овський")


def _surnames() -> list[str]:
    out: list[str] = []
    for root in ROOTS:
        for suffix in SUFFIXES:
            if root[-1] in "йь" and suffix[0] in "еуиі":
                continue
            out.append(root + suffix)
    return out


SURNAMES = _surnames()
_UK_TO_RU = str.maketrans({"і": "и", "ї": "йи", "є": "е", "ґ": "г", "І": "И", "Ї": "Йи", "Є": "Е"})


def patronymic(father: str, female: bool) -> str:
    """A Ukrainian patronymic from the father's given name (Іванович / Іванівна, Сергійович / Сергіївна)."""
    special = {"Микола": ("Миколайович", "Миколаївна"), "Ілля": ("Ілліч", "Іллівна")}
    if father in special:
        return special[father][female]
    if father.endswith("ій"):
        return father[:-1] + ("ївна" if female else "йович")
    stem = father[:-1] if father.endswith("о") else father
    return stem + ("івна" if female else "ович")


def _feminine(surname: str) -> str:
    return surname[:-2] + "а" if surname.endswith("ький") else surname


def _zipf(items: list[str], rng: random.Random, s: float) -> list[float]:
    weights = [1.0 / (rank + 1) ** s for rank in range(len(items))]
    rng.shuffle(weights)
    return weights


@dataclass
class Person:
    """A synthetic person in Ukrainian Cyrillic (the ground truth)."""

    given: str
    family: str
    patronymic: str
    date_of_birth: date
    phone: str


@dataclass
class SyntheticRecord:
    """One record of a person as some team wrote it down; `person` links repeats (ground truth)."""

    person: int
    given: str
    family: str
    patronymic: str
    date_of_birth: date
    phone: str
    changes: tuple[str, ...] = field(default=())

    def linkage(self) -> LinkageRecord:
        """The linkage record of this entry."""
        return LinkageRecord((self.given, self.family), self.patronymic, self.date_of_birth)

    def identity(self) -> dict[str, object]:
        """Input for `hague.testimony.identity.parse_identity`."""
        return {
            "given_name": self.given,
            "family_name": self.family,
            "patronymic": self.patronymic,
            "date_of_birth": self.date_of_birth.isoformat(),
            "phones": [self.phone],
        }


class Generator:
    """Seeded generator of people and of the ways teams write them down."""

    def __init__(self, seed: int = 5) -> None:
        self.rng = random.Random(seed)
        self.male_w = _zipf(MALE, self.rng, 0.8)
        self.female_w = _zipf(FEMALES, self.rng, 0.8)
        self.surname_w = _zipf(SURNAMES, self.rng, 0.5)

    def person(self) -> Person:
        """A new random person."""
        rng = self.rng
        female = rng.random() < 0.55
        given = rng.choices(FEMALES if female else MALE, self.female_w if female else self.male_w)[0]
        father = rng.choices(MALE, self.male_w)[0]
        family = rng.choices(SURNAMES, self.surname_w)[0]
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(25_000))
        return Person(
            given,
            _feminine(family) if female else family,
            patronymic(father, female),
            born,
            "+380" + "".join(rng.choice("0123456789") for _ in range(9)),
        )

    def write(self, person: Person, pid: int) -> SyntheticRecord:
        """The person as written by one team: Cyrillic (Ukrainian or Russian forms) or a transliteration."""
        rng = self.rng
        given, family, pat = person.given, person.family, person.patronymic
        style = rng.choice(("uk", "ru", "national", "bgn", "loose"))
        if style in ("ru", "bgn"):
            given = RUSSIAN_FORM.get(given, given)
            family, pat = family.translate(_UK_TO_RU), pat.translate(_UK_TO_RU)
        if style == "national":
            given, family, pat = ukrainian_national(given), ukrainian_national(family), ukrainian_national(pat)
        elif style == "bgn":
            given, family, pat = russian_bgn(given), russian_bgn(family), russian_bgn(pat)
        elif style == "loose":
            given, family, pat = (self._loose(ukrainian_national(x)) for x in (given, family, pat))
        return SyntheticRecord(pid, given, family, pat, person.date_of_birth, person.phone, (style,))

    def _loose(self, latin: str) -> str:
        """Informal Latin spellings seen in documents (y for i, German/Polish habits)."""
        swaps = [("ii", "iy"), ("ia", "ya"), ("iu", "yu"), ("kh", "h"), ("ts", "tz"), ("ch", "tsch"), ("v", "w")]
        for old, new in swaps:
            if old in latin and self.rng.random() < 0.5:
                latin = latin.replace(old, new)
        return latin

    def typo(self, word: str) -> str:
        """One keyboard slip inside a word (never the first letter): drop, double, swap or replace."""
        rng = self.rng
        if len(word) < 4:
            return word + word[-1]
        i = rng.randrange(1, len(word) - 1)
        kind = rng.choice(("drop", "double", "swap", "replace"))
        if kind == "drop":
            return word[:i] + word[i + 1 :]
        if kind == "double":
            return word[: i + 1] + word[i:]
        if kind == "swap":
            return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        alphabet = "абвгдеиклмнопрстувх" if "\u0400" <= word[0] <= "\u04ff" else "abdeiklmnoprstuvy"
        return word[:i] + rng.choice(alphabet) + word[i + 1 :]

    def dob_typo(self, born: date) -> date:
        """A mistyped date of birth: day and month swapped, one digit of the day or of the year wrong."""
        rng = self.rng
        for _ in range(20):
            kind = rng.choice(("swap", "day", "year"))
            try:
                if kind == "swap" and born.day <= 12 and born.day != born.month:
                    return date(born.year, born.day, born.month)
                if kind == "day":
                    return born.replace(day=max(1, min(28, born.day + rng.choice((-10, -1, 1, 10)))))
                if kind == "year":
                    return born.replace(year=born.year + rng.choice((-10, -1, 1, 10)))
            except ValueError:
                continue
        return born + timedelta(days=1)

    def repeat(self, person: Person, pid: int) -> SyntheticRecord:
        """The person heard again: another way of writing, plus one or two of typo / swapped order / DOB typo."""
        rec = self.write(person, pid)
        changes = list(rec.changes)
        kinds = self.rng.choice((("typo",), ("swap",), ("dob",), ("typo", "swap"), ("swap", "dob")))
        for kind in kinds:
            if kind == "typo":
                if self.rng.random() < 0.5:
                    rec.family = self.typo(rec.family)
                else:
                    rec.given = self.typo(rec.given)
            elif kind == "swap":
                rec.given, rec.family = rec.family, rec.given
            else:
                rec.date_of_birth = self.dob_typo(rec.date_of_birth)
            changes.append(kind)
        rec.changes = tuple(changes)
        return rec


def witnesses(total: int, repeats: int, seed: int = 5) -> list[SyntheticRecord]:
    """`total` records of `total - repeats` people; `repeats` of them heard twice (shuffled)."""
    gen = Generator(seed)
    people = [gen.person() for _ in range(total - repeats)]
    records = [gen.write(p, i) for i, p in enumerate(people)]
    for pid in gen.rng.sample(range(len(people)), repeats):
        records.append(gen.repeat(people[pid], pid))
    gen.rng.shuffle(records)
    return records


def two_organisations(
    size_a: int, size_b: int, shared: int, seed: int = 7
) -> tuple[list[SyntheticRecord], list[SyntheticRecord]]:
    """Records of organisation A and B; `shared` people of A were also heard by B (as repeats)."""
    gen = Generator(seed)
    people_a = [gen.person() for _ in range(size_a)]
    a = [gen.write(p, i) for i, p in enumerate(people_a)]
    b = [gen.repeat(people_a[pid], pid) for pid in gen.rng.sample(range(size_a), shared)]
    b += [gen.write(gen.person(), size_a + i) for i in range(size_b - shared)]
    gen.rng.shuffle(b)
    return a, b


def true_pairs(records: list[SyntheticRecord]) -> set[tuple[int, int]]:
    """Index pairs (i < j) of records of the same person."""
    by_person: dict[int, list[int]] = {}
    for i, rec in enumerate(records):
        by_person.setdefault(rec.person, []).append(i)
    return {(x, y) for rows in by_person.values() for x in rows for y in rows if x < y}


def true_cross_pairs(a: list[SyntheticRecord], b: list[SyntheticRecord]) -> set[tuple[int, int]]:
    """Index pairs (row in A, row in B) of the same person."""
    where = {rec.person: i for i, rec in enumerate(a)}
    return {(where[rec.person], j) for j, rec in enumerate(b) if rec.person in where}


def precision_recall(found: set[tuple[int, int]], truth: set[tuple[int, int]]) -> tuple[float, float]:
    """Precision and recall of found pairs against the planted ones."""
    hits = len(found & truth)
    return (hits / len(found) if found else 1.0), (hits / len(truth) if truth else 1.0)
