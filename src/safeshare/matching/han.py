"""Other Latin readings of Chinese names: Wade–Giles and Hong Kong Cantonese.

A name in Han characters is read in Mandarin pinyin by ``normalise.to_latin`` (``毛泽东`` →
``mao ze dong``). The same person's Latin records are often in another romanisation: Wade–Giles
(``Mao Tse-tung``, Taiwan and older records) or, for Hong Kong and the Cantonese diaspora, the
Hong Kong Government's Cantonese romanisation printed on identity documents (``陳大文`` →
``Chan Tai Man``). This module gives those readings, folded as ``normalise.fold`` folds Latin
text (no apostrophes, hyphens or diacritics):

- ``han_readings``: the Wade–Giles and Cantonese readings of a text with Han characters;
- ``wade_giles_to_pinyin``: the pinyin reading of a Latin name written in Wade–Giles
  (``Hsiao-ming Wang`` → ``xiaoming wang``), so that Latin records of one person in pinyin and
  in Wade–Giles meet.

Wade–Giles is derived from pinyin syllable by syllable with the standard correspondence
(``wade_giles``): there it is a function. Back from folded Wade–Giles it is not (``tung`` is
``dong`` or, written ``t'ung``, ``tong``), so a Latin name is read back only when it can only
be Wade–Giles, the apostrophe deciding when it is there and the unaspirated reading otherwise.
Pinyin Latin names are never read in Wade–Giles: that would fold ``Qiang`` into ``Jiang`` and
split ``Lihua`` into a ``Hua`` that meets other people. Cantonese readings come from
ToJyutping (Jyutping, from the characters and their context), turned into the Hong Kong
Government spelling by ``jyutping_to_hk`` (ADR 51).
"""

from __future__ import annotations

import re
from functools import lru_cache, reduce

from safeshare.matching.normalise import has_han

__all__ = [
    "PINYIN_SYLLABLES",
    "WADE_GILES_SYLLABLES",
    "han_readings",
    "jyutping_to_hk",
    "maybe_wade_giles",
    "wade_giles",
    "wade_giles_to_pinyin",
]

#: Every syllable of standard Mandarin pinyin, without tones; ``ü`` is written ``u``, as it is
#: in names (``Lu``, ``Nu``, ``Xu``) and as ``anyascii`` writes it.
_PINYIN_TEXT = """
    a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can
    cang cao ce cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai
    chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de dei den
    deng di dia dian diao die ding diu dong dou du duan dui dun duo e ei en eng er fa fan fang
    fei fen feng fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang
    gui gun guo ha hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo
    ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei
    ken keng kong kou ku kua kuai kuan kuang kui kun kuo la lai lan lang lao le lei leng li lia
    lian liang liao lie lin ling liu lo long lou lu luan lue lun luo ma mai man mang mao me mei
    men meng mi mian miao mie min ming miu mo mou mu na nai nan nang nao ne nei nen neng ni nian
    niang niao nie nin ning niu nong nou nu nuan nue nun nuo o ou pa pai pan pang pao pei pen
    peng pi pian piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu
    quan que qun ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo sa sai san sang
    sao se sen seng sha shai shan shang shao she shei shen sheng shi shou shu shua shuai shuan
    shuang shui shun shuo si song sou su suan sui sun suo ta tai tan tang tao te teng ti tian
    tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wu xi xia xian
    xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong
    you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei
    zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan
    zui zun zuo
"""
PINYIN_SYLLABLES = frozenset(_PINYIN_TEXT.split())

_INITIALS = ("zh", "ch", "sh", *"bpmfdtnlgkhjqxrzcsyw")
#: Pinyin initial -> Wade–Giles initial, apostrophes of aspiration dropped.
_WG_INITIALS = {
    "b": "p",
    "p": "p",
    "d": "t",
    "t": "t",
    "g": "k",
    "k": "k",
    "z": "ts",
    "c": "ts",
    "zh": "ch",
    "ch": "ch",
    "j": "ch",
    "q": "ch",
    "x": "hs",
    "r": "j",
}
#: Whole syllables that the initial-and-final rules below do not give.
_WG_WHOLE = {
    "zi": "tzu",
    "ci": "tzu",
    "si": "ssu",
    "zhi": "chih",
    "chi": "chih",
    "shi": "shih",
    "ri": "jih",
    "yi": "i",
    "you": "yu",
    "yan": "yen",
    "ye": "yeh",
    "yong": "yung",
    "yue": "yueh",
    "er": "erh",
    "e": "o",
}
_WG_FINALS = {"ie": "ieh", "ian": "ien", "ong": "ung", "iong": "iung", "ue": "ueh"}


@lru_cache(maxsize=1024)
def wade_giles(syllable: str) -> str:
    """The Wade–Giles spelling of one toneless pinyin syllable, folded: no apostrophe of
    aspiration, no umlaut or circumflex (``qing`` → ``ching``, ``xue`` → ``hsueh``,
    ``guo`` → ``kuo``, ``luo`` → ``lo``). A string that is not a pinyin syllable is returned
    unchanged."""
    if syllable not in PINYIN_SYLLABLES:
        return syllable
    if syllable in _WG_WHOLE:
        return _WG_WHOLE[syllable]
    initial = next((i for i in _INITIALS if syllable.startswith(i)), "")
    final = syllable[len(initial) :]
    if final == "uo":
        final = "uo" if initial in ("g", "k", "h", "sh") else "o"
    elif final == "ui" and initial in ("g", "k"):
        final = "uei"
    elif final == "e" and initial in ("g", "k", "h"):
        final = "o"
    else:
        final = _WG_FINALS.get(final, final)
    return _WG_INITIALS.get(initial, initial) + final


def _segment(token: str, syllables: frozenset[str]) -> tuple[str, ...] | None:
    """``token`` cut into the fewest ``syllables`` (the longer first syllable on a tie), or
    None when it cannot be cut."""
    best: dict[int, tuple[str, ...]] = {len(token): ()}
    for start in range(len(token) - 1, -1, -1):
        options = []
        for end in range(min(len(token), start + 6), start, -1):
            rest = best.get(end)
            if rest is not None and token[start:end] in syllables:
                options.append((token[start:end], *rest))
        if options:
            best[start] = min(options, key=len)  # stable: the longest first syllable wins
    return best.get(0)


#: Every Wade–Giles syllable, folded (no apostrophe, umlaut or circumflex), with the common
#: ``szu`` for ``ssu``.
WADE_GILES_SYLLABLES = frozenset({wade_giles(s) for s in PINYIN_SYLLABLES} | {"szu"})


def _wade_giles_to_pinyin() -> dict[tuple[str, bool], str]:
    """(folded Wade–Giles syllable, written with an apostrophe of aspiration) -> pinyin.

    Folding loses what tells some syllables apart: without an apostrophe ``tung`` is read
    unaspirated (``dong``); with one, aspirated (``t'ung`` → ``tong``). ``ü`` is lost too, so
    ``chu`` is read ``zhu`` and ``chun`` ``jun`` (``_prefer``)."""
    kinds: dict[str, dict[str, list[str]]] = {}
    for pinyin in sorted(PINYIN_SYLLABLES):
        if pinyin.startswith(("p", "t", "k", "c", "q")):
            kind = "aspirated"
        elif pinyin.startswith(("b", "d", "g", "z", "j")):
            kind = "plain"
        else:
            kind = "either"
        kinds.setdefault(wade_giles(pinyin), {}).setdefault(kind, []).append(pinyin)
    table: dict[tuple[str, bool], str] = {}
    for folded, by_kind in kinds.items():
        for aspirated, first in ((False, "plain"), (True, "aspirated")):
            other = "aspirated" if first == "plain" else "plain"
            choices = by_kind.get(first, []) + by_kind.get("either", []) or by_kind[other]
            table[(folded, aspirated)] = reduce(_prefer, choices)
    table[("szu", False)] = table[("szu", True)] = "si"
    return table


def _prefer(a: str, b: str) -> str:
    """Of two pinyin syllables with one folded Wade–Giles spelling and the same aspiration,
    the one names use more: ``zh-`` before ``u`` alone (``zhu``), else ``j-``/``q-`` (``jun``,
    ``juan``, ``quan``) over ``zh-``/``ch-``; ``zi`` over ``ci`` is settled by aspiration."""
    palatal = {x for x in (a, b) if x[0] in "jq"}
    retroflex = {x for x in (a, b) if x[:2] in ("zh", "ch")}
    if palatal and retroflex:
        (p,), (r,) = palatal, retroflex
        return r if r[2:] == "u" else p
    return min(a, b)


_WG_TO_PINYIN = _wade_giles_to_pinyin()
_WORD = re.compile(r"[a-z'’‘`ʼʻ]+")
_APOSTROPHE = "'’‘`ʼʻ"


def _wade_giles_only(syllable: str) -> bool:
    """A syllable that only Wade–Giles spells so: not pinyin, and with a spelling of its own
    (``hs-``, ``ts-``, ``tz-``, ``ss-``, ``chi-``; ``-ih``, ``-ieh``, ``-ien``, ``-ueh``,
    ``-erh``). ``j-`` (``jen``, ``jo``), ``-o`` (``to``, ``ko``) and ``-ung`` (``tung``,
    ``hung``) are not enough: Spanish, Portuguese, Yoruba, Polish and Vietnamese names have
    them."""
    return syllable not in PINYIN_SYLLABLES and (
        syllable.startswith(("hs", "ts", "tz", "ss", "sz", "chi"))
        or syllable.endswith(("ih", "ieh", "ien", "ueh", "erh"))
    )


#: Quick test before the syllable-by-syllable reading: a name without any of these cannot have
#: a syllable that only Wade–Giles spells so (``_wade_giles_only``) nor an apostrophe.
_MAYBE_WADE_GILES = re.compile("hs|ts|tz|ss|sz|chi|ih|ie[hn]|ueh|erh|['’‘`ʼʻ]")


def maybe_wade_giles(text: str) -> bool:
    """False when ``text`` cannot be a name that ``wade_giles_to_pinyin`` reads (a quick test
    on the text as given, before transliteration)."""
    return _MAYBE_WADE_GILES.search(text.lower()) is not None


@lru_cache(maxsize=1 << 16)
def wade_giles_to_pinyin(latin: str) -> str | None:
    """The pinyin reading of a Latin name written in Wade–Giles (``mao tse-tung`` → ``mao
    zedong``, ``teng hsiao-p'ing`` → ``deng xiaoping``, ``chiang ch'ing`` → ``jiang qing``),
    or None when the name is not Wade–Giles.

    ``latin`` is lower case, as ``normalise.to_latin`` gives it (apostrophes and hyphens kept).
    Every word must be Wade–Giles: one syllable, or two written as one word or joined by a
    hyphen (a given name, written as one word in pinyin); and one syllable at least must be
    spelt as only Wade–Giles spells it (``_wade_giles_only``: ``hsiao``, ``tse``, ``tung``,
    ``chih``…) or carry an apostrophe of aspiration. Names of other cultures are rarely made
    only of Wade–Giles syllables (no ``b``, ``d``, ``g``, ``r``, ``v``, ``z`` or ``x``), and the
    tests check that they keep their levels against each other."""
    if not maybe_wade_giles(latin):
        return None
    words: list[str] = []
    only_wade_giles = False
    for word in latin.split():
        parts = re.split("[-‐‑]", word)
        syllables: list[tuple[str, bool]] = []
        for part in parts:
            plain = part.strip(_APOSTROPHE)
            folded = "".join(ch for ch in plain if ch not in _APOSTROPHE)
            if not folded.isalpha() or not folded.isascii():
                return None
            found = (
                (folded,)
                if folded in WADE_GILES_SYLLABLES
                else _segment(folded, WADE_GILES_SYLLABLES)
            )
            if found is None:
                return None
            marked = any(ch in _APOSTROPHE for ch in plain)
            syllables.extend((f, marked and i == 0) for i, f in enumerate(found))
        if len(syllables) > 2 or (
            len(syllables) == 2 and (len(syllables[1][0]) < 2 or syllables[1][0][0] in "aeiou")
        ):
            return None
        pinyin = []
        for syllable, aspirated in syllables:
            only_wade_giles = only_wade_giles or aspirated or _wade_giles_only(syllable)
            pinyin.append(_WG_TO_PINYIN.get((syllable, aspirated), syllable))
        words.append("".join(pinyin))
    return " ".join(words) if only_wade_giles and words else None


# Jyutping -> Hong Kong Government Cantonese romanisation (as on Hong Kong identity cards).
_JYUTPING = re.compile(r"^(gw|kw|ng|[bpmfdtnlgkhwzcsj]?)([a-z]+?)([1-6]?)$")
_HK_INITIALS = {
    "b": "p",
    "d": "t",
    "g": "k",
    "gw": "kw",
    "z": "ch",
    "c": "ch",
    "j": "y",
}
_HK_FINALS = {
    "aa": "a",
    "aai": "ai",
    "aau": "au",
    "aam": "am",
    "aan": "an",
    "aang": "ang",
    "aap": "ap",
    "aat": "at",
    "aak": "ak",
    "ou": "o",
    "oe": "oe",
    "oeng": "eung",
    "oet": "eut",
    "oek": "euk",
    "eoi": "ui",
    "eon": "un",
    "eot": "ut",
    "yu": "u",
    "yun": "uen",
    "yut": "uet",
}
#: Finals after which ``z``/``c`` are written ``ts`` (曾 Tsang, 謝 Tse, 徐 Tsui, 曹 Tso) and
#: ``s`` is written ``sh`` (石 Shek, 水 Shui, 書 Shu, 信 Shun).
_TS_FINALS = frozenset(["ang", "ak", "e", "eoi", "ou"])
_SH_FINALS = frozenset(["e", "ek", "eng", "eoi", "eon", "yu"])


@lru_cache(maxsize=4096)
def jyutping_to_hk(syllable: str) -> str:
    """One Jyutping syllable (tone optional) in the Hong Kong Government romanisation:
    ``can4`` → ``chan``, ``daai6`` → ``tai``, ``zoeng1`` → ``cheung``, ``jyun4`` → ``yuen``,
    ``seoi2`` → ``shui``, ``ng4`` → ``ng``, ``si1`` → ``sze``."""
    match = _JYUTPING.match(syllable)
    if match is None:
        return syllable
    initial, final, _tone = match.groups()
    if not final:
        return initial  # a syllabic nasal: 吳 ng, 唔 m
    if initial == "" and final in ("m", "ng"):
        return final
    if initial == "s" and final == "i":
        return "sze"
    if initial in ("z", "c") and final in _TS_FINALS:
        spelt = "ts"
    elif initial == "s" and final in _SH_FINALS:
        spelt = "sh"
    elif initial == "j" and final.startswith("yu"):
        spelt = ""  # jyu -> yu, jyun -> yuen
        return "y" + _HK_FINALS[final]
    else:
        spelt = _HK_INITIALS.get(initial, initial)
    return spelt + _HK_FINALS.get(final, final)


def _cantonese(text: str) -> str:
    """``text`` with each Han character replaced by its Cantonese reading (Jyutping from
    ToJyutping, which reads characters in context and knows traditional and simplified
    forms), spaced as ``to_latin`` spaces Han characters."""
    from ToJyutping import get_jyutping_list  # about 1 s to load: only when needed

    out = []
    for char, jyutping in get_jyutping_list(text):
        if jyutping and has_han(char):
            out.append(f" {jyutping_to_hk(jyutping.split()[0])} ")
        else:
            out.append(char)
    return "".join(out)


@lru_cache(maxsize=1 << 14)
def han_readings(text: str, pinyin: str) -> tuple[str, ...]:
    """The Wade–Giles and Cantonese readings of ``text``, a name with Han characters whose
    folded Mandarin reading (``normalise.fold``) is ``pinyin``: texts for ``fold`` to fold in
    turn. Latin parts of ``text`` are kept as they are in both."""
    if not has_han(text):
        return ()
    wade = " ".join(wade_giles(t) for t in pinyin.split())
    return (wade, _cantonese(text))
