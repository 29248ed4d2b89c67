"""Real name pairs per script: each side found from the other, in both directions."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from safeshare.matching import (
    IdentityRecord,
    InMemoryRegister,
    Matcher,
    PreparedIdentity,
    blocking_keys,
    han,
    prepare,
)
from safeshare.matching.compare import NAME_LEVELS, compare_names
from safeshare.matching.names import name_readings, skeleton

# (native script, the same person's Latin record as commonly written)
PAIRS = [
    # Arabic (abjad: no short vowels; definite article joined to the name)
    ("محمد الرشيد", "Mohammed Al-Rashid"),
    ("فاطمة حسين", "Fatima Hussain"),
    ("عمران خان", "Imran Khan"),
    ("احمد شاه", "Ahmad Shah"),
    ("عمر الخطيب", "Omar Al Khatib"),
    ("يوسف ابراهيم", "Yusuf Ibrahim"),
    # Persian, Urdu, Pashto
    ("علی رضایی", "Ali Rezaei"),
    ("محمد حسین", "Mohammad Hossein"),
    ("عمران خان", "Imran Khan"),
    ("گل احمد", "Gul Ahmad"),
    # Bengali
    ("রহিম উদ্দিন", "Rahim Uddin"),
    ("ফাতেমা বেগম", "Fatema Begum"),
    # Devanagari
    ("राजेश कुमार", "Rajesh Kumar"),
    ("सुनीता शर्मा", "Sunita Sharma"),
    # Gurmukhi
    ("ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ", "Gurpreet Singh"),
    ("ਹਰਜੀਤ ਕੌਰ", "Harjit Kaur"),
    # Chinese (Mandarin pinyin)
    ("王小明", "Wang Xiaoming"),
    ("李秀英", "Li Xiuying"),
    # Chinese (Wade–Giles), simplified and traditional characters
    ("毛泽东", "Mao Tse-tung"),
    ("周恩来", "Chou En-lai"),
    ("邓小平", "Teng Hsiao-p'ing"),
    ("朱德", "Chu Te"),
    ("林彪", "Lin Piao"),
    ("刘少奇", "Liu Shao-ch'i"),
    ("蔣經國", "Chiang Ching-kuo"),
    ("張學良", "Chang Hsüeh-liang"),
    ("胡適", "Hu Shih"),
    ("袁世凱", "Yüan Shih-k'ai"),
    ("魯迅", "Lu Hsün"),
    ("彭德怀", "P'eng Te-huai"),
    # Chinese (Hong Kong Government Cantonese romanisation, as on Hong Kong identity cards)
    ("陈大文", "Chan Tai Man"),
    ("陳大文", "Chan Tai Man"),
    ("李嘉誠", "Li Ka Shing"),
    ("劉德華", "Lau Tak Wah"),
    ("刘德华", "Lau Tak Wah"),
    ("張學友", "Cheung Hok Yau"),
    ("陳港生", "Chan Kong Sang"),
    ("孫逸仙", "Sun Yat-sen"),
    ("吳君如", "Ng Kwan Yu"),
    ("周潤發", "Chow Yun Fat"),
    ("曾蔭權", "Tsang Yam Kuen"),
    ("鄭秀文", "Cheng Sau Man"),
    # Cyrillic
    ("Иван Петров", "Ivan Petrov"),
    ("Олександр Шевченко", "Oleksandr Shevchenko"),
    ("Наталья Ковальчук", "Natalia Kovalchuk"),
    # Greek
    ("Γιώργος Παπαδόπουλος", "Giorgos Papadopoulos"),
    # Ge'ez (Amharic, Tigrinya)
    ("ዮሃንስ ተስፋዬ", "Yohannes Tesfaye"),
    ("ሰላም ገብረሚካኤል", "Selam Gebremichael"),
    # Vietnamese with and without diacritics
    ("Nguyễn Văn An", "Nguyen Van An"),
    ("Trần Thị Hương", "Tran Thi Huong"),
]

# The same person's Latin records in pinyin and in Wade–Giles.
LATIN_PAIRS = [
    ("Mao Zedong", "Mao Tse-tung"),
    ("Zhou Enlai", "Chou En-lai"),
    ("Deng Xiaoping", "Teng Hsiao-p'ing"),
    ("Xiaoming Wang", "Hsiao-ming Wang"),
    ("Zhang Xueliang", "Chang Hsüeh-liang"),
    ("Jiang Qing", "Chiang Ch'ing"),
    ("Liu Shaoqi", "Liu Shao-ch'i"),
    ("Xi Jinping", "Hsi Chin-p'ing"),
    ("Lu Xun", "Lu Hsün"),
    ("Jiang Jingguo", "Chiang Ching-kuo"),
]

STRONG = {"exact", "all_phonetic", "all_fuzzy"}


def _split(name: str) -> IdentityRecord:
    given, _, family = name.rpartition(" ")
    return IdentityRecord(given or family, family if given else "", date_of_birth="1988-06-14")


@pytest.mark.parametrize(("native", "latin"), PAIRS)
@pytest.mark.parametrize("direction", ["native_subject", "latin_subject"])
def test_names_agree_across_scripts(native: str, latin: str, direction: str) -> None:
    a, b = prepare(_split(native)), prepare(_split(latin))
    if direction == "latin_subject":
        a, b = b, a
    score = Matcher().score_pair(a, b)
    assert score.fields[0].level in STRONG, (a.names, b.names, score.explain())


@pytest.mark.parametrize(("native", "latin"), PAIRS)
@pytest.mark.parametrize("direction", ["native_subject", "latin_subject"])
def test_same_person_in_another_script_is_not_cleared(
    native: str, latin: str, direction: str
) -> None:
    subject, stored = _split(native), _split(latin)
    if direction == "latin_subject":
        subject, stored = stored, subject
    register = InMemoryRegister()
    register.add(1, stored)
    register.add(2, IdentityRecord("Someone", "Else", date_of_birth="1970-01-02"))
    result = Matcher().match(subject, register)
    assert result.clearance != "clear", result.explain()


@pytest.mark.parametrize(("pinyin", "wade_giles"), LATIN_PAIRS)
@pytest.mark.parametrize("direction", ["pinyin_subject", "wade_giles_subject"])
def test_pinyin_and_wade_giles_records_agree(pinyin: str, wade_giles: str, direction: str) -> None:
    a, b = prepare(_split(pinyin)), prepare(_split(wade_giles))
    if direction == "wade_giles_subject":
        a, b = b, a
    score = Matcher().score_pair(a, b)
    assert score.fields[0].level in STRONG, (a.names, b.names, score.explain())
    register = InMemoryRegister()
    register.add(1, _split(wade_giles if direction == "pinyin_subject" else pinyin))
    result = Matcher().match(
        _split(pinyin if direction == "pinyin_subject" else wade_giles), register
    )
    assert result.clearance != "clear", result.explain()


@pytest.mark.parametrize(
    ("pinyin", "wade_giles"),
    [
        # Whole syllables the rules do not give
        ("zi", "tzu"),
        ("ci", "tzu"),
        ("si", "ssu"),
        ("zhi", "chih"),
        ("chi", "chih"),
        ("shi", "shih"),
        ("ri", "jih"),
        ("yi", "i"),
        ("you", "yu"),
        ("yan", "yen"),
        ("ye", "yeh"),
        ("yong", "yung"),
        ("yue", "yueh"),
        ("er", "erh"),
        ("e", "o"),
        # Initials (the apostrophe of aspiration is dropped, as fold drops it)
        ("bo", "po"),
        ("po", "po"),
        ("de", "te"),
        ("ge", "ko"),
        ("ke", "ko"),
        ("he", "ho"),
        ("ze", "tse"),
        ("cai", "tsai"),
        ("zhang", "chang"),
        ("chang", "chang"),
        ("jiang", "chiang"),
        ("qing", "ching"),
        ("xiao", "hsiao"),
        ("ren", "jen"),
        ("rou", "jou"),
        # Finals
        ("jie", "chieh"),
        ("xian", "hsien"),
        ("dong", "tung"),
        ("xiong", "hsiung"),
        ("xue", "hsueh"),
        ("lue", "lueh"),
        ("guo", "kuo"),
        ("huo", "huo"),
        ("shuo", "shuo"),
        ("luo", "lo"),
        ("zhuo", "cho"),
        ("zuo", "tso"),
        ("gui", "kuei"),
        ("kui", "kuei"),
        ("hui", "hui"),
        ("dui", "tui"),
        ("xu", "hsu"),
        ("juan", "chuan"),
        ("xun", "hsun"),
        ("yuan", "yuan"),
        ("wang", "wang"),
        ("niu", "niu"),
        ("lian", "lien"),
        ("not pinyin", "not pinyin"),
    ],
)
def test_wade_giles_syllables(pinyin: str, wade_giles: str) -> None:
    assert han.wade_giles(pinyin) == wade_giles


def test_every_pinyin_syllable_has_a_wade_giles_spelling() -> None:
    readings = {han.wade_giles(s) for s in han.PINYIN_SYLLABLES}
    assert all(r.isalpha() and r.isascii() for r in readings)
    # Only aspiration is lost: b/p, d/t, g/k, z/c, zh/ch, j/q and zi/ci fall together.
    assert len(han.PINYIN_SYLLABLES) - len(readings) < 120


@pytest.mark.parametrize(
    ("jyutping", "hk"),
    [
        ("can4", "chan"),  # 陳
        ("wong4", "wong"),  # 黃
        ("zoeng1", "cheung"),  # 張
        ("loeng4", "leung"),  # 梁
        ("ng4", "ng"),  # 吳
        ("lei5", "lei"),  # 李
        ("zang1", "tsang"),  # 曾
        ("joeng4", "yeung"),  # 楊
        ("ho4", "ho"),  # 何
        ("lau4", "lau"),  # 劉
        ("zau1", "chau"),  # 周
        ("ze6", "tse"),  # 謝
        ("ceoi4", "tsui"),  # 徐
        ("heoi2", "hui"),  # 許
        ("gwok3", "kwok"),  # 郭
        ("jip6", "yip"),  # 葉
        ("jyun4", "yuen"),  # 袁
        ("syun1", "suen"),  # 孫
        ("sek6", "shek"),  # 石
        ("si1", "sze"),  # 施
        ("gou1", "ko"),  # 高
        ("dang6", "tang"),  # 鄧
        ("daai6", "tai"),  # 大
        ("man4", "man"),  # 文
        ("coek3", "cheuk"),  # 卓
        ("ceon4", "chun"),  # 秦
        ("zyu1", "chu"),  # 朱
        ("jyut6", "yuet"),  # 月
        ("baak6", "pak"),  # 白
        ("m4", "m"),  # 唔
    ],
)
def test_jyutping_to_hong_kong_romanisation(jyutping: str, hk: str) -> None:
    assert han.jyutping_to_hk(jyutping) == hk


def test_traditional_and_simplified_characters_read_alike() -> None:
    for simplified, traditional in (
        ("陈大文", "陳大文"),
        ("刘德华", "劉德華"),
        ("张学友", "張學友"),
    ):
        assert name_readings(simplified) == name_readings(traditional)


# Common names of other cultures, among them names made of Wade–Giles or pinyin syllables
# (Dina, Lina, Juan, Hung, Ojo, Matei, Taiwo) and the Slavic and Spanish names that a careless
# Wade–Giles key would fold together.
OTHER_CULTURES = [
    "Jan Kowalski",
    "Anna Nowak",
    "Piotr Wiśniewski",
    "Katarzyna Wójcik",
    "Tomasz Kowalczyk",
    "Agnieszka Zielińska",
    "Marek Lewandowski",
    "Zofia Szymańska",
    "Damian Dąbrowski",
    "Juan García",
    "María López",
    "José Martínez",
    "Lucía Sánchez",
    "Carmen Pérez",
    "Daniela Gómez",
    "Juan Li",
    "Dina Haddad",
    "Lina Saleh",
    "Bianca Popescu",
    "Ana Matei",
    "Taiwo Ojo",
    "João Lima",
    "Chidi Okafor",
    "Chiara Ricci",
    "Rina Haque",
    "Văn Hùng Nguyễn",
    "Tùng Lê",
    "Hùng Lê",
    "Thị Thu Hương",
    "Min Jung Kim",
    "Ruta Haile",
    "Dan Tan",
    "Xavier Costa",
    "Zena Ceylan",
]


def test_names_of_other_cultures_get_no_wade_giles_reading() -> None:
    read = {n: name_readings(n) for n in OTHER_CULTURES}
    assert {n: r for n, r in read.items() if len(r) > 1} == {}


def test_names_of_other_cultures_keep_their_levels() -> None:
    for a, b in itertools.combinations(OTHER_CULTURES, 2):
        ra, rb = name_readings(a), name_readings(b)
        assert compare_names(ra, rb).level == compare_names(ra[:1], rb[:1]).level, (a, b)


@pytest.mark.parametrize(
    ("wade_giles", "pinyin"),
    [
        ("mao tse-tung", "mao zedong"),
        ("teng hsiao-p'ing", "deng xiaoping"),  # the apostrophe says p, not b
        ("chiang ch'ing", "jiang qing"),
        ("hsiao-ming wang", "xiaoming wang"),
        ("hsiaoming wang", "xiaoming wang"),
        ("liu shao-ch'i", "liu shaoqi"),
        ("chang hsüeh-liang", None),  # to_latin folds the umlaut first
        ("chang hsueh-liang", "zhang xueliang"),
        ("yuan shih-k'ai", "yuan shikai"),
        ("hsi chin-p'ing", "xi jinping"),
        ("li hung-chang", None),  # hung: Vietnamese Hùng as well
        ("tung le", None),
        ("lin piao", None),  # every syllable is also pinyin: the name may be pinyin
        ("chou en-lai", None),  # Chou = Zhou is a variant group instead
        ("jan kowalski", None),
        ("taiwo ojo", None),
    ],
)
def test_wade_giles_to_pinyin(wade_giles: str, pinyin: str | None) -> None:
    assert han.wade_giles_to_pinyin(wade_giles) == pinyin


def test_han_readings_are_marked_and_survive_storage() -> None:
    prepared = prepare(IdentityRecord("大文", "陳", aliases=("Chan Tai Man",)))
    readings = [n for k, n in enumerate(prepared.names) if prepared.han_readings >> k & 1]
    assert ("tai", "man", "chen") in readings  # Cantonese, 陳 Chan in the Chen group
    assert ("ta", "wen", "chen") in readings  # Wade–Giles
    assert prepared.names[0] == ("wen", "chen")  # as written, read in pinyin ("da" a particle)
    assert PreparedIdentity.from_json(prepared.to_json()) == prepared
    assert prepare(IdentityRecord("Hsiao-ming", "Wang")).han_readings == 0


def test_han_readings_give_no_one_token_keys() -> None:
    """One-token keys are counted as name frequencies: a Cantonese syllable must not make a
    Latin name look more common."""
    prepared = prepare(IdentityRecord("大文", "陳", date_of_birth="1988-06-14"))
    as_written = blocking_keys(replace(prepared, names=prepared.names[:1], han_readings=0))
    one_token = {k for k in prepared.keys if k[0] in "tbei"}
    assert one_token == {k for k in as_written if k[0] in "tbei"}
    tai, man = skeleton("tai"), skeleton("man")
    assert f"t:{tai}" not in prepared.keys  # "tai" of the Cantonese reading
    assert f"n:{min(tai, man)}|{max(tai, man)}" in prepared.keys  # found by its pairs
    assert f"d:{tai}|19880614" in prepared.keys  # and by a token with the full date
    joined = skeleton("taiman")  # short syllables of a reading are not run together
    assert not any(joined in key.split(":")[1].split("|") for key in prepared.keys)


def test_two_han_records_compare_only_as_written() -> None:
    """Two records in Han characters are compared on their pinyin: their Cantonese and
    Wade–Giles readings would only add chance agreements between different people."""
    for (given_a, family_a), (given_b, family_b) in (
        (("桂芝 娜", "张"), ("阳 宁", "陈")),  # every reading at once: all_phonetic
        (("岩", "张"), ("承恩 柏宇", "黃")),
    ):
        a, b = (
            prepare(IdentityRecord(given_a, family_a)),
            prepare(IdentityRecord(given_b, family_b)),
        )
        level = compare_names(a.names, b.names, a.han_readings, b.han_readings).level
        assert level == compare_names(a.names[:1], b.names[:1]).level
        assert NAME_LEVELS[level] not in STRONG


def test_a_reading_counts_only_when_the_whole_name_agrees() -> None:
    subject = prepare(IdentityRecord("Yan", "Wang"))
    stored = prepare(IdentityRecord("海燕 金凤", "孟"))
    level = compare_names(subject.names, stored.names, 0, stored.han_readings).level
    assert NAME_LEVELS[level] not in STRONG
