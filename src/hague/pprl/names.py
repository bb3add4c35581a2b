"""Transliteration and name folding for record linkage of Ukrainian, Russian and Latin spellings.

`ukrainian_national` is the Ukrainian national system (Cabinet of Ministers resolution No. 55, 2010);
`russian_bgn` follows BGN/PCGN 1947 for Russian (without the hard/soft sign marks). `name_key`
folds any spelling (Cyrillic in either language, or Latin from any common system) to one skeleton,
so Гордієнко, Hordiienko, Gordienko and Hordijenko agree.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_UK_VOWELS = set("аеєиіїоуюяАЕЄИІЇОУЮЯ")
_RU_VOWELS = set("аеёиоуыэюяАЕЁИОУЫЭЮЯ")

_UK = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh", "з": "z",
    "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ь": "", "ю": "iu", "я": "ia", "'": "", "’": "", "ʼ": "",
}  # fmt: skip
_UK_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}

_RU = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "ë", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y",
    "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
# BGN/PCGN: е and ё become ye / yë at the start of a word and after a vowel, й, ъ or ь.
_RU_YE_AFTER = _RU_VOWELS | set("йЙъЪьЬ")


def _match_case(source: str, text: str, next_upper: bool) -> str:
    if not text or not source.isupper():
        return text
    return text.upper() if next_upper else text[0].upper() + text[1:]


def ukrainian_national(text: str) -> str:
    """Romanise Ukrainian Cyrillic by the national system of 2010 (зг → zgh, initial є/ї/й/ю/я → ye/yi/y/yu/ya)."""
    out: list[str] = []
    for i, ch in enumerate(text):
        low = ch.lower()
        prev = text[i - 1].lower() if i else ""
        initial = i == 0 or (not prev.isalpha() and prev not in "'’ʼ")
        if low == "г" and prev == "з":
            mapped = "gh"
        elif initial and low in _UK_INITIAL:
            mapped = _UK_INITIAL[low]
        elif low in _UK:
            mapped = _UK[low]
        else:
            out.append(ch)
            continue
        nxt = text[i + 1] if i + 1 < len(text) else ""
        out.append(_match_case(ch, mapped, nxt.isupper()))
    return "".join(out)


def russian_bgn(text: str) -> str:
    """Romanise Russian Cyrillic by BGN/PCGN 1947 (е → ye initially and after vowels; ы → y)."""
    out: list[str] = []
    for i, ch in enumerate(text):
        low = ch.lower()
        prev = text[i - 1] if i else ""
        initial = i == 0 or not prev.isalpha()
        if low in "её" and (initial or prev in _RU_YE_AFTER):
            mapped = "ye" if low == "е" else "yë"
        elif low in _RU:
            mapped = _RU[low]
        else:
            out.append(ch)
            continue
        nxt = text[i + 1] if i + 1 < len(text) else ""
        out.append(_match_case(ch, mapped, nxt.isupper()))
    return "".join(out)


_UK_ONLY = set("іїєґІЇЄҐ")
_RU_ONLY = set("ыэёъЫЭЁЪ")


def romanise(text: str) -> str:
    """Latin form of a name in any script: Ukrainian letters pick the national system, else BGN/PCGN."""
    if any(ch in _UK_ONLY for ch in text):
        return ukrainian_national(text)
    if any("\u0400" <= ch <= "\u04ff" for ch in text):
        return russian_bgn(text)
    return text


# Folding rules applied in order to lower-case, accent-free Latin text. Multi-letter spellings of
# one Cyrillic letter (German, Polish, French and English habits included) become one symbol;
# г/ґ/х fold together (h, g, kh), as do и/і/й/ї (y, i, j).
_FOLDS: tuple[tuple[str, str], ...] = (
    ("shtsch", "S"), ("tsch", "C"), ("shch", "S"), ("sch", "S"), ("szcz", "S"), ("tch", "C"), ("ch", "C"),
    ("cz", "C"), ("tz", "C"), ("ts", "C"), ("sh", "S"), ("sz", "S"), ("zh", "Z"), ("gh", "G"), ("ck", "k"),
    ("x", "ks"), ("w", "v"), ("q", "k"), ("j", "i"), ("y", "i"), ("h", "G"), ("g", "G"), ("c", "C"), ("ou", "u"),
)  # fmt: skip
_SPLIT = re.compile(r"[^\w'’ʼ]+", re.UNICODE)


def _ascii_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def skeleton(word: str) -> str:
    """The transliteration-independent skeleton of one name word (lower-case symbols, runs collapsed)."""
    latin = _ascii_fold(romanise(word.strip())).lower()
    latin = "".join(ch for ch in latin if ch.isalpha())
    for old, new in _FOLDS:
        latin = latin.replace(old, new)
    # є / е written ie, ye, je or e (and after a vowel, BGN's ye): one symbol
    latin = re.sub(r"(.)\1+", r"\1", latin).replace("ie", "e")
    return re.sub(r"(.)\1+", r"\1", latin)


# Ukrainian and Russian forms of common given names, so Олександр, Александр and Alexander agree.
GIVEN_NAME_PAIRS: tuple[tuple[str, str], ...] = (
    ("Олександр", "Александр"), ("Олексій", "Алексей"), ("Андрій", "Андрей"), ("Сергій", "Сергей"),
    ("Микола", "Николай"), ("Дмитро", "Дмитрий"), ("Юрій", "Юрий"), ("Володимир", "Владимир"),
    ("Євген", "Евгений"), ("Віктор", "Виктор"), ("Василь", "Василий"), ("Петро", "Пётр"),
    ("Григорій", "Григорий"), ("Михайло", "Михаил"), ("Іван", "Иван"), ("Олег", "Олег"),
    ("Павло", "Павел"), ("Анатолій", "Анатолий"), ("Віталій", "Виталий"), ("Богдан", "Богдан"),
    ("Тарас", "Тарас"), ("Степан", "Степан"), ("Ігор", "Игорь"), ("Костянтин", "Константин"),
    ("Максим", "Максим"), ("Артем", "Артём"), ("Денис", "Денис"), ("Роман", "Роман"), ("Федір", "Фёдор"),
    ("Ярослав", "Ярослав"), ("Олена", "Елена"), ("Ольга", "Ольга"), ("Наталія", "Наталья"),
    ("Тетяна", "Татьяна"), ("Світлана", "Светлана"), ("Ірина", "Ирина"), ("Людмила", "Людмила"),
    ("Галина", "Галина"), ("Марія", "Мария"), ("Катерина", "Екатерина"), ("Юлія", "Юлия"),
    ("Анна", "Анна"), ("Оксана", "Оксана"), ("Валентина", "Валентина"), ("Надія", "Надежда"),
    ("Любов", "Любовь"), ("Віра", "Вера"), ("Лариса", "Лариса"), ("Вікторія", "Виктория"),
    ("Дарія", "Дарья"), ("Софія", "София"), ("Христина", "Кристина"), ("Зоя", "Зоя"), ("Ганна", "Анна"),
    ("Єлизавета", "Елизавета"), ("Анастасія", "Анастасия"), ("Раїса", "Раиса"), ("Валерій", "Валерий"),
    ("Геннадій", "Геннадий"), ("Леонід", "Леонид"), ("Борис", "Борис"), ("Ілля", "Илья"),
)  # fmt: skip


# Latin forms in common use that no transliteration system produces.
LATIN_ALIASES: tuple[tuple[str, str], ...] = (
    ("Олександр", "Alexander"), ("Олександр", "Oleksander"), ("Євген", "Eugene"), ("Михайло", "Mykhaylo"),
    ("Петро", "Petr"), ("Федір", "Fedor"), ("Ілля", "Ilya"), ("Ганна", "Hanna"), ("Христина", "Khrystyna"),
)  # fmt: skip


def _given_canon() -> dict[str, str]:
    table: dict[str, str] = {skeleton(latin): skeleton(uk) for uk, latin in LATIN_ALIASES}
    for uk, ru in GIVEN_NAME_PAIRS:
        canon = skeleton(uk)
        for form in (uk, ru, ukrainian_national(uk), russian_bgn(ru), russian_bgn(uk), ukrainian_national(ru)):
            table.setdefault(skeleton(form), canon)
    return table


GIVEN_CANON = _given_canon()


@lru_cache(maxsize=1 << 17)
def name_key(word: str) -> str:
    """The matching key of a name word: its skeleton, with Ukrainian/Russian given-name forms merged."""
    sk = skeleton(word)
    return GIVEN_CANON.get(sk, sk)


def name_words(*names: str) -> list[str]:
    """Matching keys of every word in the given names (any order, any script), sorted, without blanks."""
    words = [w for name in names for w in _SPLIT.split(name) if w]
    return sorted(k for k in (name_key(w) for w in words) if k)
