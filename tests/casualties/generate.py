"""Generator of overlapping casualty lists with known truth: Ukrainian and Russian names, transliteration
variants (2010 national, BGN/PCGN, ad hoc, Russian forms), typos, swapped names, partial and missing dates.

Used by the linkage tests and by `bench/bench_casualties.py`.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from hague.casualties.translit import bgn_pcgn_russian, bgn_pcgn_ukrainian, ukrainian_2010

# (Ukrainian, Russian form)
MALE = [
    ("Олександр", "Александр"), ("Андрій", "Андрей"), ("Сергій", "Сергей"), ("Микола", "Николай"),
    ("Володимир", "Владимир"), ("Іван", "Иван"), ("Василь", "Василий"), ("Михайло", "Михаил"),
    ("Дмитро", "Дмитрий"), ("Олексій", "Алексей"), ("Юрій", "Юрий"), ("Віктор", "Виктор"),
    ("Петро", "Петр"), ("Григорій", "Григорий"), ("Богдан", "Богдан"), ("Ігор", "Игорь"),
    ("Олег", "Олег"), ("Павло", "Павел"), ("Максим", "Максим"), ("Євген", "Евгений"), ("Тарас", "Тарас"),
    ("Анатолій", "Анатолий"), ("Віталій", "Виталий"), ("Роман", "Роман"), ("Ярослав", "Ярослав"),
    ("Степан", "Степан"), ("Федір", "Федор"), ("Денис", "Денис"), ("Вадим", "Вадим"), ("Артем", "Артем"),
    ("Кирило", "Кирилл"), ("Костянтин", "Константин"), ("Леонід", "Леонид"), ("Геннадій", "Геннадий"),
    ("Валерій", "Валерий"), ("Вячеслав", "Вячеслав"), ("Руслан", "Руслан"), ("Станіслав", "Станислав"),
    ("Назар", "Назар"), ("Тимофій", "Тимофей"), ("Ілля", "Илья"), ("Борис", "Борис"), ("Яків", "Яков"),
]  # fmt: skip
FEMALE = [
    ("Олена", "Елена"), ("Тетяна", "Татьяна"), ("Наталія", "Наталья"), ("Ірина", "Ирина"),
    ("Людмила", "Людмила"), ("Галина", "Галина"), ("Валентина", "Валентина"), ("Світлана", "Светлана"),
    ("Надія", "Надежда"), ("Любов", "Любовь"), ("Ганна", "Анна"), ("Ольга", "Ольга"), ("Лариса", "Лариса"),
    ("Юлія", "Юлия"), ("Марія", "Мария"), ("Оксана", "Оксана"), ("Катерина", "Екатерина"), ("Віра", "Вера"),
    ("Зінаїда", "Зинаида"), ("Раїса", "Раиса"), ("Ніна", "Нина"), ("Алла", "Алла"), ("Вікторія", "Виктория"),
    ("Софія", "София"), ("Поліна", "Полина"), ("Христина", "Кристина"), ("Анастасія", "Анастасия"),
    ("Дарина", "Дарья"), ("Ліна", "Лина"), ("Мирослава", "Мирослава"), ("Богдана", "Богдана"),
]  # fmt: skip
ROOTS = [
    "Шевч", "Коваль", "Бойк", "Ткач", "Кравч", "Мельник", "Олійник", "Шевчук", "Поліщук", "Бондар", "Лисен",
    "Марчен", "Руден", "Савчен", "Петрен", "Мороз", "Гончар", "Павлен", "Левчен", "Кузьмен", "Клименк",
    "Тимошен", "Карпен", "Романен", "Остапен", "Яценк", "Симонен", "Гриценк", "Мацюк", "Ковальчук",
    "Сидор", "Дорош", "Панас", "Гуменюк", "Стецюк", "Кушнір", "Пономар", "Савчук", "Зінченк", "Литвин",
    "Мазур", "Кравець", "Білик", "Захарч", "Вовк", "Костен", "Приходьк", "Демчен", "Чорновол", "Ярош",
    "Онищен", "Юрчен", "Мартинюк", "Федорч", "Назарен", "Бабен", "Дяч", "Гаврилюк", "Антонюк", "Волош",
    "Головат", "Сердюк", "Гайов", "Тарасен", "Лук'янен", "Нестерен", "Кирилен", "Вакуленк", "Горбан",
    "Рибак", "Шаповал", "Коломієць", "Жук", "Кошов", "Семен", "Черненк", "Грищен", "Коновал", "Щербак",
]  # fmt: skip
SUFFIXES = ["енко", "ук", "юк", "ко", "ишин", "ович", "ак", "ець", "ський", "ов", "ін", "ій"]
# first syllables that, put before a root, make further real-sounding surnames (Гриць+ак, Бо+ндар...)
PREFIXES = ["", "", "", "", "Бі", "Ве", "Гри", "До", "За", "Ку", "Ли", "Ма", "Не", "Пи", "Ре", "Са", "Те", "Фе", "Хо",
            "Ци", "Че", "Шу", "Яр", "Ост", "Пів", "Під", "Над", "Вер", "Біл", "Чор"]  # fmt: skip
# (Ukrainian, Russian, oblast)
PLACES = [
    ("Харків", "Харьков", "Kharkivska"), ("Ізюм", "Изюм", "Kharkivska"), ("Чугуїв", "Чугуев", "Kharkivska"),
    ("Куп'янськ", "Купянск", "Kharkivska"), ("Маріуполь", "Мариуполь", "Donetska"),
    ("Бахмут", "Бахмут", "Donetska"), ("Волноваха", "Волноваха", "Donetska"),
    ("Краматорськ", "Краматорск", "Donetska"), ("Покровськ", "Покровск", "Donetska"),
    ("Київ", "Киев", "Kyiv"), ("Буча", "Буча", "Kyivska"), ("Ірпінь", "Ирпень", "Kyivska"),
    ("Гостомель", "Гостомель", "Kyivska"), ("Бородянка", "Бородянка", "Kyivska"),
    ("Чернігів", "Чернигов", "Chernihivska"), ("Суми", "Сумы", "Sumska"), ("Херсон", "Херсон", "Khersonska"),
    ("Миколаїв", "Николаев", "Mykolaivska"), ("Запоріжжя", "Запорожье", "Zaporizka"),
    ("Енергодар", "Энергодар", "Zaporizka"), ("Одеса", "Одесса", "Odeska"), ("Дніпро", "Днепр", "Dnipropetrovska"),
    ("Нікополь", "Никополь", "Dnipropetrovska"), ("Кривий Ріг", "Кривой Рог", "Dnipropetrovska"),
    ("Сєвєродонецьк", "Северодонецк", "Luhanska"), ("Лисичанськ", "Лисичанск", "Luhanska"),
]  # fmt: skip
STYLES = ("ua_cyrillic", "ru_cyrillic", "latin_2010", "latin_bgn", "latin_adhoc", "latin_russian")
_ADHOC = [("kh", "h"), ("y", "i"), ("ii", "iy"), ("ts", "c"), ("ia", "ya"), ("iu", "yu"), ("zh", "j"), ("i", "y")]


def _surname(rng: np.random.Generator, sex: str) -> str:
    root = ROOTS[rng.integers(len(ROOTS))]
    prefix = PREFIXES[rng.integers(len(PREFIXES))]
    if prefix:
        root = prefix + root.lower()
    suffix = SUFFIXES[rng.integers(len(SUFFIXES))]
    name = root + suffix
    if sex == "female":
        if name.endswith("ський"):
            name = name[:-5] + "ська"
        elif name.endswith(("ов", "ін")):
            name += "а"
    return name


def _russify(text: str) -> str:
    """A crude Russian form of a Ukrainian surname or patronymic (letters, suffixes)."""
    for ua, ru in (("ський", "ский"), ("ська", "ская"), ("ович", "ович"), ("ївна", "ьевна"), ("ійович", "еевич")):
        text = text.replace(ua, ru)
    return text.replace("і", "и").replace("ї", "и").replace("є", "е").replace("'", "")


def _patronymic(father: tuple[str, str], sex: str, russian: bool) -> str:
    stem = father[1] if russian else father[0]
    if russian:
        stem = stem.rstrip("йь")
        if stem.endswith(("и", "е")):
            return stem[:-1] + ("евич" if sex == "male" else "еевна")
        if stem.endswith("а"):
            return stem[:-1] + ("ич" if sex == "male" else "ична")
        return stem + ("ович" if sex == "male" else "овна")
    if stem.endswith("ій"):
        return stem[:-2] + ("ійович" if sex == "male" else "іївна")
    if stem.endswith("о") or stem.endswith("а"):
        return stem[:-1] + ("ович" if sex == "male" else "івна")
    if stem.endswith("ь"):
        return stem[:-1] + ("ьович" if sex == "male" else "івна")
    return stem + ("ович" if sex == "male" else "івна")


def _typo(rng: np.random.Generator, text: str) -> str:
    if len(text) < 4:
        return text
    i = int(rng.integers(1, len(text) - 1))
    kind = rng.integers(4)
    letters = "абвгдеиклмнопрстуaeiounrstlk" if any("\u0400" <= c <= "\u04ff" for c in text) else "aeiounrstlkmv"
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + letters[rng.integers(len(letters))] + text[i:]
    if kind == 2:
        return text[:i] + letters[rng.integers(len(letters))] + text[i + 1 :]
    return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]


def _render(rng: np.random.Generator, text: str, style: str) -> str:
    if style in ("ua_cyrillic", "ru_cyrillic"):
        return text
    if style == "latin_2010":
        return ukrainian_2010(text)
    if style == "latin_bgn":
        return bgn_pcgn_ukrainian(text).replace("’", "").replace("”", "")
    if style == "latin_russian":
        return bgn_pcgn_russian(text).replace("’", "").replace("”", "")
    latin = ukrainian_2010(text)
    for _ in range(2):
        a, b = _ADHOC[rng.integers(len(_ADHOC))]
        latin = latin.replace(a, b)
    return latin


def generate(
    victims: int,
    lists: int = 4,
    seed: int = 1,
    capture: tuple[float, ...] = (0.55, 0.45, 0.35, 0.3, 0.25),
    duplicate_rate: float = 0.03,
    typo_rate: float = 0.08,
) -> pd.DataFrame:
    """Records of `lists` overlapping lists over `victims` people; column `truth` names the person."""
    rng = np.random.default_rng(seed)
    sexes = np.where(rng.random(victims) < 0.62, "male", "female")
    ages = np.where(rng.random(victims) < 0.1, rng.integers(0, 18, victims), rng.integers(18, 90, victims))
    start = date(2022, 2, 24)
    days = rng.integers(0, 1000, victims)
    place_idx = rng.integers(len(PLACES), size=victims)
    # list membership with heterogeneity and a dependence between lists 0 and 1
    visible = rng.random(victims) < 0.35
    membership = np.zeros((victims, lists), dtype=bool)
    for j in range(lists):
        p = capture[j] * np.where(visible, 1.4, 0.8)
        if j == 1:
            p = np.where(membership[:, 0], np.minimum(p * 1.3, 0.95), p)
        membership[:, j] = rng.random(victims) < np.minimum(p, 0.95)
    none = ~membership.any(axis=1)
    membership[none, rng.integers(lists, size=int(none.sum()))] = True  # every generated victim is documented
    styles = [STYLES[(j * 2 + seed) % len(STYLES)] for j in range(lists)]
    rows: list[dict[str, object]] = []
    for v in range(victims):
        sex = str(sexes[v])
        given = (MALE if sex == "male" else FEMALE)[rng.integers(len(MALE if sex == "male" else FEMALE))]
        father = MALE[rng.integers(len(MALE))]
        surname = _surname(rng, sex)
        place = PLACES[place_idx[v]]
        when = start + timedelta(days=int(days[v]))
        for j in np.flatnonzero(membership[v]):
            copies = 2 if rng.random() < duplicate_rate else 1
            for _ in range(copies):
                style = styles[j] if rng.random() < 0.8 else STYLES[rng.integers(len(STYLES))]
                russian = style in ("ru_cyrillic", "latin_russian") or rng.random() < 0.1
                g = given[1] if russian else given[0]
                s = _russify(surname) if russian else surname
                pat = _patronymic(father, sex, russian)
                fields = [_render(rng, x, style) for x in (g, s, pat)]
                fields = [_typo(rng, x) if rng.random() < typo_rate else x for x in fields]
                g_out, s_out, p_out = fields
                if rng.random() < 0.03:
                    g_out, s_out = s_out, g_out
                shown = when + timedelta(days=int(rng.integers(-1, 2))) if rng.random() < 0.05 else when
                roll = rng.random()
                date_text = (
                    ""
                    if roll < 0.08
                    else shown.isoformat()[:4]
                    if roll < 0.11
                    else shown.isoformat()[:7]
                    if roll < 0.2
                    else shown.isoformat()
                )
                age_value = int(ages[v]) + (int(rng.integers(-1, 2)) if rng.random() < 0.2 else 0)
                place_name = place[1] if russian else place[0]
                rows.append(
                    {
                        "truth": v,
                        "source": f"L{j + 1}",
                        "given_name": g_out,
                        "surname": s_out,
                        "patronymic": "" if rng.random() < 0.35 else p_out,
                        "sex": "" if rng.random() < 0.05 else sex,
                        "age": None if rng.random() < 0.3 else max(age_value, 0),
                        "date": date_text,
                        "place": "" if rng.random() < 0.05 else _render(rng, place_name, style),
                        "region": place[2],
                    }
                )
    frame = pd.DataFrame(rows)
    frame.insert(0, "unique_id", np.arange(1, len(frame) + 1, dtype=np.int64))
    return frame
