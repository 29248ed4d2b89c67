"""A second synthetic population, built differently from ``synth.py``, for evaluation only.

The matcher was never trained or tuned on it. Differences from ``synth.py``:

* names come from Faker's locale providers (other pools, other frequency shapes), many in
  their native script: Arabic, Persian, Bengali, Devanagari (Hindi, Nepali), Han (mainland and
  Taiwan), Cyrillic (Russian, Ukrainian), Greek, Georgian, Armenian, Vietnamese with
  diacritics, and Latin-script Polish, Romanian, Spanish, Brazilian, Turkish, Yoruba, Indian;
* a record in a native script is kept in that script by one side and romanised by the other
  half of the time; the romanisation then drifts (vowels and doubled letters), as clerks'
  spellings do;
* its own corruption mix: keyboard-neighbour typos, a dropped or added middle name, names
  swapped, a nickname-like shortening, dates shifted by a day, entered as the 1st of the
  month, as 1 January with the age rounded to 5 years, year only, day and month swapped, or
  missing; documents renewed or missing; nationality as a code, a name or missing; sex missing;
* non-members: 70 % random people of the same locales, 30 % namesakes (the same name and
  nationality with another date of birth).

    generate2(seed, register_size, members, non_members) -> Dataset (as synth.generate)
"""

from __future__ import annotations

import random
from dataclasses import replace

from anyascii import anyascii
from faker import Faker

from safeshare.matching import IdentityRecord
from tools.matching.synth import Dataset, Subject

__all__ = ["LOCALES", "generate2"]

# locale -> (nationality as an ISO alpha-3 code, share of the population)
LOCALES: dict[str, tuple[str, float]] = {
    "ar_AA": ("SYR", 0.08),
    "fa_IR": ("IRN", 0.06),
    "bn_BD": ("BGD", 0.07),
    "hi_IN": ("IND", 0.05),
    "en_IN": ("IND", 0.05),
    "ne_NP": ("NPL", 0.03),
    "zh_CN": ("CHN", 0.07),
    "zh_TW": ("TWN", 0.02),
    "ru_RU": ("RUS", 0.04),
    "uk_UA": ("UKR", 0.05),
    "el_GR": ("GRC", 0.02),
    "ka_GE": ("GEO", 0.02),
    "hy_AM": ("ARM", 0.02),
    "vi_VN": ("VNM", 0.08),
    "pl_PL": ("POL", 0.06),
    "ro_RO": ("ROU", 0.06),
    "es_ES": ("ESP", 0.03),
    "pt_BR": ("BRA", 0.05),
    "tr_TR": ("TUR", 0.05),
    "yo_NG": ("NGA", 0.09),
}
_NATIONALITY_FORMS = {
    "SYR": ("Syria", "SY", "Syrian"),
    "IRN": ("Iran", "IR", "Iranian"),
    "BGD": ("Bangladesh", "BD", "Bangladeshi"),
    "IND": ("India", "IN", "Indian"),
    "NPL": ("Nepal", "NP", "Nepalese"),
    "CHN": ("China", "CN", "Chinese"),
    "TWN": ("Taiwan", "TW", "Taiwanese"),
    "RUS": ("Russia", "RU", "Russian"),
    "UKR": ("Ukraine", "UA", "Ukrainian"),
    "GRC": ("Greece", "GR", "Greek"),
    "GEO": ("Georgia", "GE", "Georgian"),
    "ARM": ("Armenia", "AM", "Armenian"),
    "VNM": ("Vietnam", "VN", "Vietnamese"),
    "POL": ("Poland", "PL", "Polish"),
    "ROU": ("Romania", "RO", "Romanian"),
    "ESP": ("Spain", "ES", "Spanish"),
    "BRA": ("Brazil", "BR", "Brazilian"),
    "TUR": ("Turkey", "TR", "Turkish"),
    "NGA": ("Nigeria", "NG", "Nigerian"),
}
_KEYBOARD = {
    c: n
    for row in ("qwertyuiop", "asdfghjkl", "zxcvbnm")
    for i, c in enumerate(row)
    for n in [row[max(i - 1, 0)] + row[min(i + 1, len(row) - 1)]]
}
_VOWEL_DRIFT = {"a": "ae", "e": "ai", "i": "ey", "o": "ou", "u": "ou", "y": "i"}


class _Person:
    __slots__ = ("dob", "family", "given", "ho_ref", "locale", "passport", "postcode", "sex")

    def __init__(self, **kw) -> None:
        for k, v in kw.items():
            setattr(self, k, v)

    def copy(self, **kw) -> _Person:
        values = {k: getattr(self, k) for k in self.__slots__}
        values.update(kw)
        return _Person(**values)


class _Gen:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fakers: dict[str, Faker] = {}
        for i, locale in enumerate(LOCALES):
            fake = Faker(locale)
            fake.seed_instance(seed * 31 + i)
            self.fakers[locale] = fake
        self.locales = list(LOCALES)
        self.weights = [share for _, share in LOCALES.values()]

    def person(self, locale: str | None = None) -> _Person:
        rng = self.rng
        locale = locale or rng.choices(self.locales, self.weights)[0]
        fake = self.fakers[locale]
        sex = rng.choice("fm")
        first = fake.first_name_female() if sex == "f" else fake.first_name_male()
        if rng.random() < 0.25:
            extra = fake.first_name_female() if sex == "f" else fake.first_name_male()
            if extra != first:
                first = f"{first} {extra}"
        year = rng.randint(1950, 2008)
        return _Person(
            given=first,
            family=fake.last_name(),
            sex=sex,
            dob=(year, rng.randint(1, 12), rng.randint(1, 28)),
            locale=locale,
            passport=f"{rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}{rng.randint(10**7, 10**8 - 1)}",
            ho_ref=f"{rng.choice('BFGHKMRSTU')}{rng.randint(10**6, 10**7 - 1)}"
            if rng.random() < 0.6
            else None,
            postcode=f"{rng.choice(['E', 'N', 'SE', 'B', 'M', 'LS', 'G', 'CF'])}"
            f"{rng.randint(1, 20)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
            f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
        )

    # -- rendering ----------------------------------------------------------------------

    def romanise(self, text: str) -> str:
        if text.isascii():
            return text
        latin = anyascii(text)
        if self.rng.random() < 0.5:  # clerks' spellings drift
            out = []
            for ch in latin:
                low = ch.lower()
                if low in _VOWEL_DRIFT and self.rng.random() < 0.15:
                    ch = self.rng.choice(_VOWEL_DRIFT[low])
                out.append(ch)
                if ch.isalpha() and self.rng.random() < 0.04:
                    out.append(ch)
            latin = "".join(out)
        return latin.title()

    def typo(self, name: str) -> str:
        letters = [i for i, c in enumerate(name) if c.isascii() and c.isalpha()]
        if not letters:
            return name
        i = self.rng.choice(letters)
        c = name[i].lower()
        if c in _KEYBOARD and self.rng.random() < 0.6:
            new = self.rng.choice(_KEYBOARD[c])
            return name[:i] + new + name[i + 1 :]
        if self.rng.random() < 0.5:
            return name[:i] + name[i + 1 :]
        j = min(i + 1, len(name) - 1)
        return name[:i] + name[j] + name[i] + name[j + 1 :]

    def record(self, p: _Person, kinds: tuple[str, ...], native: bool) -> IdentityRecord:
        rng = self.rng
        given, family = p.given, p.family
        if not native:
            given, family = self.romanise(given), self.romanise(family)
        if "typo" in kinds:
            if rng.random() < 0.5:
                given = self.typo(given)
            else:
                family = self.typo(family)
        if "drop_middle" in kinds and " " in given:
            given = given.split(" ")[0]
        if "add_middle" in kinds:
            other = self.person(p.locale)
            extra = other.given.split(" ")[0]
            given = f"{given} {extra if native else self.romanise(extra)}"
        if "short_given" in kinds and given.isascii() and len(given.split(" ")[0]) > 4:
            first = given.split(" ")[0]
            given = first[: rng.randint(3, len(first) - 1)]
        if "swap" in kinds:
            given, family = family, given
        year, month, day = p.dob
        dob: str | None = f"{year:04d}-{month:02d}-{day:02d}"
        if "dob_day" in kinds:
            day = day + 1 if day < 28 else day - 1
            dob = f"{year:04d}-{month:02d}-{day:02d}"
        elif "dob_first" in kinds:
            dob = f"{year:04d}-{month:02d}-01"
        elif "dob_age" in kinds:
            dob = f"{year - year % 5 + rng.choice((0, 5)):04d}-01-01"
        elif "dob_year" in kinds:
            dob = f"{year:04d}"
        elif "dob_swap" in kinds and day <= 12:
            dob = f"{year:04d}-{day:02d}-{month:02d}"
        elif "dob_missing" in kinds:
            dob = None
        code = LOCALES[p.locale][0]
        forms = (code, *_NATIONALITY_FORMS[code])
        nationality = None if "nat_missing" in kinds else rng.choice(forms)
        passport = p.passport
        if "passport_renewed" in kinds:
            passport = f"{passport[0]}{rng.randint(10**7, 10**8 - 1)}"
        elif "passport_missing" in kinds or rng.random() < 0.3:
            passport = None
        return IdentityRecord(
            given_names=given,
            family_name=family,
            date_of_birth=dob,
            sex=None if "sex_missing" in kinds else p.sex,
            nationality=nationality,
            passport_number=passport,
            home_office_reference=p.ho_ref if rng.random() < 0.7 else None,
            postcode=p.postcode if rng.random() < 0.3 else None,
        )


_NAME_KINDS = ("typo", "drop_middle", "add_middle", "short_given", "swap")
_DATE_KINDS = ("dob_day", "dob_first", "dob_age", "dob_year", "dob_swap", "dob_missing")
_OTHER_KINDS = ("passport_renewed", "passport_missing", "nat_missing", "sex_missing")


def _kinds(rng: random.Random) -> tuple[str, ...]:
    kinds: list[str] = []
    if rng.random() < 0.45:
        kinds.append(rng.choice(_NAME_KINDS))
    if rng.random() < 0.45:
        kinds.append(rng.choice(_DATE_KINDS))
    if rng.random() < 0.35:
        kinds.append(rng.choice(_OTHER_KINDS))
    return tuple(kinds)


def generate2(seed: int, register_size: int, members: int, non_members: int) -> Dataset:
    gen = _Gen(seed)
    rng = gen.rng
    people = [gen.person() for _ in range(register_size)]
    # The police enter a native-script name as written on a document 40 % of the time.
    native_register = [not p.given.isascii() and rng.random() < 0.4 for p in people]
    register = [
        (i, gen.record(p, (), native))
        for i, (p, native) in enumerate(zip(people, native_register, strict=True))
    ]
    subjects: list[Subject] = []
    for i in rng.sample(range(register_size), min(members, register_size)):
        p = people[i]
        kinds = _kinds(rng)
        native = not p.given.isascii() and rng.random() < 0.5
        if native != native_register[i] and not p.given.isascii():
            kinds = (*kinds, "script")
        subjects.append(Subject(gen.record(p, kinds, native), i, p.locale, kinds or ("clean",)))
    for _ in range(non_members):
        if rng.random() < 0.3:
            model = people[rng.randrange(register_size)]
            other = gen.person(model.locale)
            p = model.copy(
                dob=other.dob, passport=other.passport, ho_ref=other.ho_ref, sex=model.sex
            )
            kind = "namesake"
        else:
            p, kind = gen.person(), "other"
        native = not p.given.isascii() and rng.random() < 0.5
        record = gen.record(p, _kinds(rng) if rng.random() < 0.3 else (), native)
        if kind == "namesake":
            record = replace(record, passport_number=None) if rng.random() < 0.5 else record
        subjects.append(Subject(record, None, p.locale, (kind,)))
    rng.shuffle(subjects)
    return Dataset(register, subjects, {})
