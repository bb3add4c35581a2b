"""Transliteration of Ukrainian and Russian names, and the folding of every spelling to one comparison key.

Systems: the Ukrainian national system (Cabinet of Ministers Resolution 55, 2010), BGN/PCGN (Ukrainian
and Russian). A name written in Cyrillic, in any of these Latin forms, ad hoc, or in its Russian form
(Aleksandr for Oleksandr) folds to the same key: the Ukrainian/Russian letter differences (г/h/g, и/і/ы,
е/є/э, й/y/i/j) and multigraphs are merged, vowels dropped after the first letter, and Russian forms of
given names and places mapped to the Ukrainian one.
"""

from __future__ import annotations

import re
import unicodedata

# Ukrainian national system, 2010: (initial position, elsewhere)
_UA_2010: dict[str, tuple[str, str]] = {
    "а": ("a", "a"), "б": ("b", "b"), "в": ("v", "v"), "г": ("h", "h"), "ґ": ("g", "g"), "д": ("d", "d"),
    "е": ("e", "e"), "є": ("ye", "ie"), "ж": ("zh", "zh"), "з": ("z", "z"), "и": ("y", "y"), "і": ("i", "i"),
    "ї": ("yi", "i"), "й": ("y", "i"), "к": ("k", "k"), "л": ("l", "l"), "м": ("m", "m"), "н": ("n", "n"),
    "о": ("o", "o"), "п": ("p", "p"), "р": ("r", "r"), "с": ("s", "s"), "т": ("t", "t"), "у": ("u", "u"),
    "ф": ("f", "f"), "х": ("kh", "kh"), "ц": ("ts", "ts"), "ч": ("ch", "ch"), "ш": ("sh", "sh"),
    "щ": ("shch", "shch"), "ь": ("", ""), "ю": ("yu", "iu"), "я": ("ya", "ia"), "'": ("", ""), "’": ("", ""),
}  # fmt: skip
# BGN/PCGN 1965 for Ukrainian
_UA_BGN: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ye", "ж": "zh", "з": "z",
    "и": "y", "і": "i", "ї": "yi", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ь": "’", "ю": "yu", "я": "ya", "'": "”", "’": "”",
}  # fmt: skip
# BGN/PCGN 1947 for Russian (simplified: ё always yë, е initial ye)
_RU_BGN: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "ë", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "”", "ы": "y",
    "ь": "’", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
# Folding: every Cyrillic letter (both languages) to one Latin approximation
_FOLD_CYR: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "h", "д": "d", "е": "e", "ё": "o", "є": "e", "ж": "z",
    "з": "z", "и": "i", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "c", "ч": "c", "ш": "s",
    "щ": "s", "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip
_LATIN_MULTI = [
    ("shch", "s"), ("sch", "s"), ("shh", "s"), ("zh", "z"), ("kh", "h"), ("ch", "c"), ("sh", "s"),
    ("ts", "c"), ("tz", "c"), ("tc", "c"), ("ck", "k"), ("ph", "f"), ("w", "v"), ("x", "ks"), ("q", "k"),
    ("g", "h"), ("y", "i"), ("j", "i"),
]  # fmt: skip
_VOWELS = set("aeiou")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")

# Russian (or Russified) forms of Ukrainian given names and places -> the Ukrainian form
RUSSIAN_FORMS: dict[str, str] = {
    "Aleksandr": "Oleksandr", "Aleksei": "Oleksii", "Anatolii": "Anatolii", "Andrei": "Andrii",
    "Bogdan": "Bohdan", "Vasilii": "Vasyl", "Vladimir": "Volodymyr", "Vitalii": "Vitalii",
    "Viacheslav": "Viacheslav", "Grigorii": "Hryhorii", "Dmitrii": "Dmytro", "Evgenii": "Yevhen",
    "Igor": "Ihor", "Kirill": "Kyrylo", "Maksim": "Maksym", "Mikhail": "Mykhailo", "Nikolai": "Mykola",
    "Oleg": "Oleh", "Pavel": "Pavlo", "Petr": "Petro", "Sergei": "Serhii", "Stepan": "Stepan",
    "Fedor": "Fedir", "Iurii": "Yurii", "Iakov": "Yakiv", "Denis": "Denys", "Vadim": "Vadym",
    "Artem": "Artem", "Ilia": "Illia", "Konstantin": "Kostiantyn", "Leonid": "Leonid", "Matvei": "Matvii",
    "Timofei": "Tymofii", "Filipp": "Pylyp", "Semen": "Semen", "Gennadii": "Hennadii", "Valerii": "Valerii",
    "Elena": "Olena", "Ekaterina": "Kateryna", "Natalia": "Nataliia", "Irina": "Iryna", "Tatiana": "Tetiana",
    "Liudmila": "Liudmyla", "Galina": "Halyna", "Valentina": "Valentyna", "Svetlana": "Svitlana",
    "Nadezhda": "Nadiia", "Liubov": "Liubov", "Anna": "Hanna", "Olga": "Olha", "Larisa": "Larysa",
    "Iulia": "Yuliia", "Mariia": "Mariia", "Oksana": "Oksana", "Vera": "Vira", "Zinaida": "Zinaida",
    "Raisa": "Raisa", "Nina": "Nina", "Alla": "Alla", "Viktoriia": "Viktoriia", "Daria": "Daryna",
    "Sofia": "Sofiia", "Polina": "Polina", "Evdokiia": "Yevdokiia", "Khristina": "Khrystyna", "Kristina": "Khrystyna",
    "Kharkov": "Kharkiv", "Kiev": "Kyiv", "Nikolaev": "Mykolaiv", "Zaporozhe": "Zaporizhzhia",
    "Chernigov": "Chernihiv", "Odessa": "Odesa", "Dnepr": "Dnipro", "Rovno": "Rivne", "Lugansk": "Luhansk",
    "Nikopol": "Nikopol", "Izium": "Izium", "Irpen": "Irpin", "Gostomel": "Hostomel", "Borodianka": "Borodianka",
    "Krivoi Rog": "Kryvyi Rih", "Kherson": "Kherson", "Sumy": "Sumy", "Bakhmut": "Bakhmut",
    "Artemovsk": "Bakhmut", "Volnovakha": "Volnovakha", "Chuguev": "Chuhuiv", "Kupiansk": "Kupiansk",
}  # fmt: skip


def is_cyrillic(text: str) -> bool:
    """True if `text` contains Cyrillic letters."""
    return bool(_CYRILLIC.search(text))


def _cyrillic_to(text: str, table: dict[str, str]) -> str:
    out = []
    for ch in text:
        low = ch.lower()
        if low in table:
            latin = table[low]
            out.append(latin.capitalize() if ch != low and latin else latin)
        else:
            out.append(ch)
    return "".join(out)


def ukrainian_2010(text: str) -> str:
    """Ukrainian national transliteration (2010): word-initial є, ї, й, ю, я take the Y- forms; зг is zgh."""
    out: list[str] = []
    start = True
    for i, ch in enumerate(text):
        low = ch.lower()
        if low == "г" and i > 0 and text[i - 1].lower() == "з":
            latin = "gh"
        elif low in _UA_2010:
            latin = _UA_2010[low][0 if start else 1]
        else:
            out.append(ch)
            start = not ch.isalpha()
            continue
        out.append(latin.capitalize() if ch != low and latin else latin)
        start = False
    return "".join(out)


def bgn_pcgn_ukrainian(text: str) -> str:
    """BGN/PCGN (1965) romanisation of Ukrainian."""
    return _cyrillic_to(text, _UA_BGN)


def bgn_pcgn_russian(text: str) -> str:
    """BGN/PCGN (1947) romanisation of Russian."""
    return _cyrillic_to(text, _RU_BGN)


def transliterations(text: str) -> list[str]:
    """The Latin forms of a Cyrillic name under the systems above (distinct, in a fixed order)."""
    if not is_cyrillic(text):
        return []
    forms = [ukrainian_2010(text), bgn_pcgn_ukrainian(text).replace("’", "").replace("”", "")]
    return list(dict.fromkeys(forms))


def fold(text: str | None) -> str:
    """A spelling-insensitive Latin form: both scripts, all systems, merged multigraphs and letter variants."""
    if not text:
        return ""
    text = text.lower()
    text = "".join(_FOLD_CYR.get(ch, ch) for ch in text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if "a" <= ch <= "z")
    while True:  # to a fixed point, so that folding a folded name changes nothing
        before = text
        for source, target in _LATIN_MULTI:
            text = text.replace(source, target)
        text = re.sub(r"(.)\1+", r"\1", text)
        if text == before:
            return text


def _skeleton(folded: str) -> str:
    if not folded:
        return ""
    rest = re.sub(r"(.)\1+", r"\1", "".join(ch for ch in folded[1:] if ch not in _VOWELS))
    return folded[0] + rest


_CANONICAL = {_skeleton(fold(variant)): _skeleton(fold(ukrainian)) for variant, ukrainian in RUSSIAN_FORMS.items()}


def name_key(text: str | None) -> str:
    """The comparison key of a given name, surname or place: its folded consonant skeleton, Russian forms mapped."""
    key = _skeleton(fold(text))
    return _CANONICAL.get(key, key)


_PATRONYMIC_SUFFIX = re.compile(r"(ovic|evic|ivic|ovna|evna|ivna|iic|ic|na)$")


def patronymic_key(text: str | None) -> str:
    """Key of a patronymic: the father's given name (Oleksandrovych, Aleksandrovich -> Oleksandr's key)."""
    folded = fold(text)
    stem = _PATRONYMIC_SUFFIX.sub("", folded)
    for russian, ukrainian in (("aleksandr", "oleksandr"), ("nikola", "mikola"), ("sergee", "serhi")):
        if stem.startswith(russian):
            stem = ukrainian + stem[len(russian) :]
    stem = stem.rstrip("ei")
    return _skeleton(stem)
