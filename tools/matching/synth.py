"""Labelled synthetic identities for estimating and evaluating the matcher.

A *person* is the truth; the police register and Immigration Enforcement each hold their own
*rendering* of that person. Renderings differ by realistic, independently drawn corruptions
(tagged, so results can be broken down by kind). The corruption rules here are deliberately
written without reference to the matcher's rules: transliteration changes are character
rewrites of this module's own, not the matcher's variant groups or phonetic key.

Non-members come from the same population, plus hard negatives: someone else with the same
(common) name and a different date of birth, and relatives who share a family name, address
and nationality.

``python -m tools.matching.train`` uses this with development seeds; ``bench/matching.py``
with evaluation seeds that training never sees.
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from anyascii import anyascii

from safeshare.matching.record import IdentityRecord

__all__ = ["CULTURES", "Dataset", "Person", "Subject", "generate"]


@dataclass(frozen=True, slots=True)
class Culture:
    key: str
    nationalities: tuple[str, ...]
    male: tuple[str, ...]
    female: tuple[str, ...]
    family: tuple[str, ...]
    syllables: tuple[str, ...]  # for long-tail invented names
    family_female: dict[str, str] = field(default_factory=dict)


def _t(text: str) -> tuple[str, ...]:
    return tuple(text.split())


CULTURES: dict[str, Culture] = {
    c.key: c
    for c in (
        Culture(
            "arabic",
            ("SYR", "IRQ", "SDN", "EGY", "YEM", "LBY", "KWT", "PSE"),
            _t(
                "Mohammed Ahmed Ali Omar Mahmoud Hassan Hussein Khalid Ibrahim Youssef Mustafa "
                "Abdullah Karim Samir Tariq Walid Faisal Nabil Rami Hamza Bilal Ziad Majid Adel "
                "Jamal Said Osama Anas Bashar Haitham Marwan Ayman Nasser Fadi Imad Sami Jihad"
            ),
            _t(
                "Fatima Aisha Zainab Mariam Nour Layla Huda Salma Rania Amira Hana Yasmin Dina "
                "Reem Noura Sara Lina Maha Samira Asma Rasha Ghada Manal Amal Iman Heba Suha Wafa"
            ),
            _t(
                "Al-Masri Al-Ahmad Haddad Khalil Hamdan Saleh Al-Hassan Mansour Nasser Youssef "
                "Abbas Darwish Al-Tamimi Al-Jabouri Othman Qasim Aziz Al-Rashid Barakat Hijazi "
                "Al-Khatib Shaker Zaher Suleiman Al-Obeidi Salem Awad Hamad Jaber Farhan"
            ),
            _t("ma ha sa la ra na ja ba da ka fa zi mu ru ad al im ib"),
        ),
        Culture(
            "urdu",
            ("PAK",),
            _t(
                "Muhammad Imran Asif Bilal Usman Kamran Adnan Faisal Zubair Tariq Naveed Shahid "
                "Waqas Hamza Junaid Arshad Javed Rizwan Sajid Nadeem Zeeshan Irfan Khurram Umer "
                "Aamir Babar Danish Fahad Haris Salman"
            ),
            _t(
                "Ayesha Fatima Sana Hina Nazia Rabia Saima Shazia Sadia Amna Bushra Farah Iqra "
                "Kiran Mehwish Nida Uzma Zainab Samina Asma Naila Tahira Shabana Rukhsana Parveen"
            ),
            _t(
                "Khan Ahmed Hussain Ali Shah Iqbal Malik Butt Chaudhry Qureshi Raza Akhtar Mirza "
                "Sheikh Rana Siddiqui Abbasi Awan Bhatti Javed Mahmood Rehman Aslam Anwar Baig"
            ),
            _t("sha za na ra fa ka ja ma ta ba ir um as"),
        ),
        Culture(
            "bengali",
            ("BGD",),
            _t(
                "Mohammad Abdul Rahim Karim Hasan Hossain Rafiq Jamal Kamal Shafiq Aminul "
                "Mizanur Habibur Shahidul Nurul Saiful Anwar Monir Jahangir Alamgir Sohel Rubel "
                "Shamim Faruk Masud Rezaul"
            ),
            _t(
                "Fatema Rokeya Nasrin Shirin Parvin Rahima Salma Taslima Hasina Rina Shahana "
                "Jesmin Morjina Rehana Sultana Nazma Rozina Shilpi Mousumi Laily Ferdousi "
                "Shamima Kulsum Halima Rupa"
            ),
            _t(
                "Begum Akter Khatun Rahman Hossain Islam Uddin Ahmed Miah Chowdhury Sarker Sheikh "
                "Talukder Mondal Haque Alam Biswas Bhuiyan Howlader Molla Khan Kabir Sikder"
            ),
            _t("ra ha sha mo ru na ja ka la sa bu"),
        ),
        Culture(
            "chinese",
            ("CHN", "HKG", "MYS"),
            _t(
                "Wei Qiang Lei Jun Yong Jie Tao Ming Chao Gang Dong Feng Yu Bo Jian Guo Xiaoming "
                "Zhiwei Haoran Yifan Junjie Jianguo Zihao Hao Peng"
            ),
            _t(
                "Fang Na Min Jing Li Yan Juan Xiu Xia Ping Hui Hong Ying Hua Lan Mei Xin Ling "
                "Xiaoling Meiling Xiaohong Yuxin Jingjing Lihua Chun Wen"
            ),
            _t(
                "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Luo "
                "Zheng Liang Xie Tang Han Feng Deng Cao Peng Zeng Xiao"
            ),
            _t("xi ya zh li mi ho ju we qi ch"),
        ),
        Culture(
            "vietnamese",
            ("VNM",),
            _t(
                "Văn_An Văn_Hùng Văn_Minh Văn_Nam Văn_Tuấn Văn_Dũng Văn_Long Văn_Hải Văn_Thành "
                "Văn_Đức Quốc_Bảo Minh_Khoa Văn_Phúc Hữu_Nghĩa Đức_Anh Văn_Quang Văn_Sơn Văn_Hiếu"
            ),
            _t(
                "Thị_Lan Thị_Hương Thị_Mai Thị_Hoa Thị_Hằng Thị_Thu Thị_Nga Thị_Linh Thị_Trang "
                "Thị_Hạnh Thị_Ngọc Thị_Phương Ngọc_Anh Thị_Thảo Thị_Vân Thị_Yến Thị_Nhung Thu_Hà"
            ),
            _t(
                "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh "
                "Trương Đào Mai"
            ),
            _t("ng tr th ph kh qu ch"),
        ),
        Culture(
            "albanian",
            ("ALB", "XKX", "MKD"),
            _t(
                "Arben Besnik Dritan Ermal Fatmir Gentian Ilir Kujtim Luan Mentor Nderim Arjan "
                "Bujar Valon Blerim Agron Shkelzen Fisnik Artan Edmond Gezim Klodian Erion"
            ),
            _t(
                "Anila Blerta Drita Elira Fatjona Gentiana Ilirjana Jonida Klea Lindita Mimoza "
                "Rudina Shpresa Teuta Vjollca Albana Arta Besa Dafina Entela Flutura Ledia"
            ),
            _t(
                "Hoxha Shehu Krasniqi Gashi Berisha Kelmendi Morina Bajrami Hasani Shala Rama "
                "Leka Dervishi Musliu Osmani Thaçi Ahmeti Kastrati Zeneli Bytyçi Dema Hysa"
            ),
            _t("ar be dr er fl gj ll sh xh zh"),
        ),
        Culture(
            "tigrinya",
            ("ERI", "ETH"),
            _t(
                "Yohannes Tesfay Mebrahtu Habtom Kidane Berhane Semere Filmon Ermias Dawit "
                "Yonas Mulugeta Tekle Haile Amanuel Robel Natnael Henok Samson Michael Biniam "
                "Goitom Abraham Tewelde Ghirmay Medhanie"
            ),
            _t(
                "Helen Selam Senait Saba Freweini Mebrat Letekidan Rahel Tsega Winta Yordanos "
                "Almaz Hiwet Feven Luwam Tigist Meron Ruta Eden Lidia Abeba Senay Milen"
            ),
            _t(
                "Gebremedhin Tesfamariam Woldemariam Gebrehiwet Haile Tekle Berhe Kidane "
                "Ghebreyesus Andemariam Asfaha Negash Okbazghi Tsegay Habte Mehari Weldu "
                "Zerezghi Fesehaye Kahsay"
            ),
            _t("ge br te ha mi se ts gh ye"),
        ),
        Culture(
            "nigerian",
            ("NGA",),
            _t(
                "Oluwaseun Adebayo Chukwuemeka Chinedu Emeka Olumide Babatunde Ifeanyi Tunde "
                "Femi Segun Uche Obinna Ibrahim Musa Abdullahi Aminu Yakubu Kelechi Nnamdi "
                "Oluwafemi Kayode Gbenga Chidi Ikenna"
            ),
            _t(
                "Ngozi Chioma Adaeze Funmilayo Blessing Folake Oluwakemi Nneka Amaka Yetunde "
                "Aisha Zainab Hauwa Fatima Chiamaka Ifeoma Temitope Bukola Omolara Precious "
                "Kehinde Taiwo Esther Grace Joy"
            ),
            _t(
                "Okafor Adeyemi Okonkwo Balogun Eze Nwosu Oladipo Ogunleye Bello Abubakar "
                "Ibrahim Okeke Adebayo Olawale Ogundipe Chukwu Nwachukwu Afolabi Obi Usman "
                "Mohammed Ojo Akinola Onyeka Uzor"
            ),
            _t("ol ad ch ng ob ok ak ay ol em"),
        ),
        Culture(
            "polish",
            ("POL",),
            _t(
                "Piotr Krzysztof Andrzej Tomasz Paweł Michał Marcin Grzegorz Łukasz Jakub Adam "
                "Marek Wojciech Mateusz Kamil Dariusz Rafał Sebastian Bartosz Damian Mariusz"
            ),
            _t(
                "Anna Katarzyna Małgorzata Agnieszka Barbara Ewa Magdalena Joanna Aleksandra "
                "Monika Dorota Beata Justyna Karolina Natalia Paulina Marta Agata Żaneta Iwona"
            ),
            _t(
                "Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński "
                "Szymański Woźniak Dąbrowski Kozłowski Jankowski Mazur Kwiatkowski Krawczyk "
                "Piotrowski Grabowski Nowakowski Pawłowski Michalski Zając Król Wieczorek"
            ),
            _t("prz szcz ch rz ow sk ki wa"),
        ),
        Culture(
            "romanian",
            ("ROU", "MDA"),
            _t(
                "Andrei Alexandru Ionuț Mihai Ștefan Florin Cristian Gheorghe Vasile Marius "
                "Adrian Constantin Bogdan Daniel Gabriel Nicolae Răzvan Sorin Cătălin Dumitru"
            ),
            _t(
                "Maria Elena Ioana Andreea Mihaela Alexandra Cristina Gabriela Simona Ana "
                "Florentina Roxana Daniela Raluca Alina Georgiana Larisa Bianca Loredana Nicoleta"
            ),
            _t(
                "Popescu Ionescu Popa Pop Radu Dumitru Stan Stoica Gheorghe Matei Ciobanu Rusu "
                "Munteanu Mihai Constantin Florea Lazăr Dinu Marin Tudor Moldovan Șerban Bălan"
            ),
            _t("es cu an ea or ic ul ur"),
        ),
        Culture(
            "spanish",
            ("ESP", "COL", "VEN", "ECU", "PER", "BOL", "HND"),
            _t(
                "José Juan Carlos Luis Miguel Jorge Alejandro Javier Andrés Diego Fernando "
                "Sergio Pablo Ricardo Eduardo Manuel Francisco Antonio Raúl Óscar"
            ),
            _t(
                "María Carmen Ana Laura Isabel Lucía Paula Sofía Marta Elena Rosa Patricia "
                "Andrea Claudia Gabriela Daniela Valentina Camila Mariana Alejandra"
            ),
            _t(
                "García Rodríguez González Fernández López Martínez Sánchez Pérez Gómez Martín "
                "Jiménez Ruiz Hernández Díaz Moreno Álvarez Romero Torres Ramírez Vargas Castro "
                "Rojas Ortiz Silva Morales"
            ),
            _t("ga ro mo ca be ve le ra"),
        ),
        Culture(
            "portuguese",
            ("PRT", "BRA", "AGO", "CPV"),
            _t(
                "João Pedro Lucas Gabriel Rafael Mateus Gustavo Felipe Bruno Tiago Rodrigo "
                "André Ricardo Paulo Marcelo Luís Diogo Vítor Fábio Leandro"
            ),
            _t(
                "Ana Maria Beatriz Mariana Juliana Fernanda Camila Larissa Letícia Gabriela "
                "Inês Joana Carolina Patrícia Vanessa Aline Bruna Tatiana Raquel Sônia"
            ),
            _t(
                "Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes Costa "
                "Ribeiro Martins Carvalho Almeida Lopes Soares Fernandes Vieira Barbosa Rocha "
                "Dias Nascimento Moreira Gonçalves Conceição"
            ),
            _t("ar go ma ne ri va lo ce"),
        ),
    )
}

# Native-script forms used by the "script" corruption (IE or police keying a document).
_ARABIC_SCRIPT = dict(
    zip(
        _t(
            "Mohammed Ahmed Ali Omar Mahmoud Hassan Hussein Khalid Ibrahim Youssef Mustafa "
            "Abdullah Karim Samir Tariq Fatima Aisha Zainab Mariam Nour Layla Huda Salma"
        ),
        _t(
            "محمد أحمد علي عمر محمود حسن حسين خالد إبراهيم يوسف مصطفى عبدالله كريم سمير طارق "
            "فاطمة عائشة زينب مريم نور ليلى هدى سلمى"
        ),
        strict=True,
    )
)
_BENGALI_SCRIPT = dict(
    zip(
        _t("Fatema Begum Rahman Akter Khatun Hossain Islam Uddin Nasrin Salma"),
        _t("ফাতেমা বেগম রহমান আক্তার খাতুন হোসেন ইসলাম উদ্দিন নাসরিন সালমা"),
        strict=True,
    )
)
_HANZI = {
    anyascii(c): c
    for c in "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢唐韩冯邓曹彭肖伟芳娜敏静丽强磊军洋勇艳"
    "杰娟涛明超秀霞平刚慧红小英华东峰宇波宁兰梅欣文建国玲春"
}
# Cantonese / older romanisations of Mandarin family names.
_CANTONESE = {
    "Chen": "Chan",
    "Wang": "Wong",
    "Zhang": "Cheung",
    "Liu": "Lau",
    "Huang": "Wong",
    "Wu": "Ng",
    "Li": "Lee",
    "Lin": "Lam",
    "Zhou": "Chow",
    "Xu": "Hui",
    "Zhao": "Chiu",
    "Yang": "Yeung",
    "He": "Ho",
    "Zhu": "Chu",
    "Guo": "Kwok",
    "Luo": "Law",
    "Liang": "Leung",
    "Xie": "Tse",
    "Deng": "Tang",
    "Feng": "Fung",
    "Tang": "Tong",
    "Cao": "Tso",
    "Zeng": "Tsang",
    "Ma": "Mah",
    "Han": "Hon",
}
_POLISH_FEMININE = (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka"))

# This module's own transliteration rewrites (pattern, replacement); ``$`` = end of token.
_TRANSLIT = (
    ("ou", "u"),
    ("u", "ou"),
    ("ee", "i"),
    ("i", "ee"),
    ("e", "i"),
    ("i", "e"),
    ("o", "u"),
    ("u", "o"),
    ("a", "e"),
    ("e", "a"),
    ("kh", "k"),
    ("k", "kh"),
    ("q", "k"),
    ("ph", "f"),
    ("f", "ph"),
    ("j", "dj"),
    ("sh", "ch"),
    ("y", "i"),
    ("i", "y"),
    ("w", "v"),
    ("v", "w"),
    ("mm", "m"),
    ("m", "mm"),
    ("dd", "d"),
    ("ss", "s"),
    ("s", "ss"),
    ("a$", "ah"),
    ("ah$", "a"),
    ("e$", "eh"),
    ("th", "t"),
    ("dh", "d"),
    ("z", "s"),
    ("c", "k"),
    ("x", "ks"),
    ("ll", "l"),
    ("l", "ll"),
    ("tt", "t"),
    ("r", "rr"),
    ("ie", "i"),
    ("ei", "ai"),
)
_KEYBOARD = {
    "a": "qwsz", "b": "vghn", "c": "xdfv", "d": "serfcx", "e": "wsdr", "f": "drtgvc",
    "g": "ftyhbv", "h": "gyujnb", "i": "ujko", "j": "huikmn", "k": "jiolm", "l": "kop",
    "m": "njk", "n": "bhjm", "o": "iklp", "p": "ol", "q": "wa", "r": "edft", "s": "awedxz",
    "t": "rfgy", "u": "yhji", "v": "cfgb", "w": "qase", "x": "zsdc", "y": "tghu", "z": "asx",
}  # fmt: skip

#: Share of (given, family) names drawn from the invented long tail rather than the listed
#: pools: real registers are far less concentrated than a 20-30 name list, except for
#: Vietnamese and Chinese family names, where a handful really cover most people.
_LONG_TAIL = {
    "arabic": (0.3, 0.5),
    "urdu": (0.3, 0.35),
    "bengali": (0.3, 0.3),
    "chinese": (0.45, 0.05),
    "vietnamese": (0.3, 0.02),
    "albanian": (0.35, 0.5),
    "tigrinya": (0.35, 0.4),
    "nigerian": (0.4, 0.6),
    "polish": (0.3, 0.6),
    "romanian": (0.3, 0.6),
    "spanish": (0.3, 0.5),
    "portuguese": (0.3, 0.45),
}
_TWO_GIVEN_NAMES = frozenset(("urdu", "bengali", "nigerian", "spanish", "portuguese", "romanian"))
_SCRIPT_CULTURES = frozenset(("chinese", "arabic", "bengali", "vietnamese", "polish", "romanian"))

#: Corruption kinds applied between the two renderings of one person.
NAME_CORRUPTIONS = (
    "translit",
    "typo",
    "order_swap",
    "father_name",
    "dropped_token",
    "honorific",
    "gendered",
    "script",
    "alias",
    "romanisation",
)
DOB_CORRUPTIONS = (
    "dob_missing",
    "dob_year_only",
    "dob_placeholder",
    "dob_swap",
    "dob_year",
    "dob_typo",
)
OTHER_CORRUPTIONS = ("nationality_diff", "sex_missing", "name_only")


@dataclass(frozen=True, slots=True)
class Person:
    """The truth about one person; the police and IE each render it their own way."""

    culture: str
    sex: str
    given: tuple[str, ...]  # given names in the culture's own order
    family: tuple[str, ...]  # family name(s)
    father: str
    grandfather: str
    dob: tuple[int, int, int]
    nationality: str
    passport: str
    ho_ref: str
    address: str
    postcode: str
    aliases: tuple[str, ...] = ()  # other full names the person is known by


@dataclass(frozen=True, slots=True)
class Subject:
    """An IE subject with its label: the register id if a member, else None."""

    record: IdentityRecord
    member_of: int | None
    culture: str
    tags: tuple[str, ...]  # corruption kinds (members) or negative kind (non-members)


@dataclass(slots=True)
class Dataset:
    register: list[tuple[int, IdentityRecord]]
    subjects: list[Subject]
    persons: dict[int, Person]


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.culture_keys = list(CULTURES)
        self._zipf: dict[int, list[float]] = {}

    # -- sampling ---------------------------------------------------------------------------

    def zipf_choice(self, items: tuple[str, ...]) -> str:
        weights = self._zipf.get(len(items))
        if weights is None:
            weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(items))]
            self._zipf[len(items)] = weights
        return self.rng.choices(items, weights)[0]

    def invented(self, culture: Culture) -> str:
        """A long-tail name from the culture's syllables (real registers have long tails)."""
        rng = self.rng
        parts = rng.choices(culture.syllables, k=rng.randint(2, 3))
        vowels = "aeiou"
        word = "".join(p + (rng.choice(vowels) if p[-1] not in vowels else "") for p in parts)
        if rng.random() < 0.5:
            word += rng.choice("nmrld")
        return word.capitalize()

    def name(self, culture: Culture, pool: tuple[str, ...], invent: float | None = None) -> str:
        """A name from ``pool`` (Zipf) or, with the culture's long-tail rate, an invented one."""
        if invent is None:
            invent = _LONG_TAIL[culture.key][1 if pool is culture.family else 0]
        if self.rng.random() < invent:
            return self.invented(culture)
        return self.zipf_choice(pool)

    def person(self, culture_key: str | None = None) -> Person:
        rng = self.rng
        culture = CULTURES[culture_key or rng.choice(self.culture_keys)]
        sex = rng.choice("fm")
        pool = culture.female if sex == "f" else culture.male
        given: tuple[str, ...] = tuple(self.name(culture, pool).split("_"))
        if culture.key in _TWO_GIVEN_NAMES and rng.random() < 0.35:
            given += (self.name(culture, pool),)
        family: tuple[str, ...] = (self.name(culture, culture.family),)
        if culture.key in ("spanish", "portuguese") and rng.random() < 0.7:
            family += (self.name(culture, culture.family),)
        if culture.key == "polish" and sex == "f":
            family = tuple(self._feminine(f) for f in family)
        father = self.name(culture, culture.male)
        grandfather = self.name(culture, culture.male)
        if culture.key == "tigrinya":
            family = (father.replace("_", " "),)
        year = rng.randint(1955, 2008)
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        nationality = rng.choice(culture.nationalities)
        passport = "".join(rng.choices(string.ascii_uppercase, k=rng.choice((0, 1, 2)))) + "".join(
            rng.choices(string.digits, k=rng.choice((7, 8, 9)))
        )
        ho_ref = rng.choice("ABCDGHKMNPRSTW") + "".join(rng.choices(string.digits, k=7))
        address, postcode = self.address()
        aliases: tuple[str, ...] = ()
        if rng.random() < 0.15:
            aliases = (self._alias(culture, sex, given, family),)
        return Person(
            culture.key, sex, given, family, father.replace("_", " "),
            grandfather.replace("_", " "), (year, month, day), nationality, passport, ho_ref,
            address, postcode, aliases,
        )  # fmt: skip

    def address(self) -> tuple[str, str]:
        rng = self.rng
        street = rng.choice(
            _t("High Church Station Victoria Green Park Mill Queen King Albert London Manor")
        )
        kind = rng.choice(("Street", "Road", "Lane", "Avenue", "Close"))
        area = rng.choice(_t("B E N SE SW W NW M L LS BD G CF NG LE S BS HA IG UB"))
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        line = f"{rng.randint(1, 220)} {street} {kind}"
        outward = f"{area}{rng.randint(1, 30)}"
        inward = f"{rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
        return line, f"{outward} {inward}"

    def _feminine(self, surname: str) -> str:
        for masculine, feminine in _POLISH_FEMININE:
            if surname.endswith(masculine):
                return surname[: -len(masculine)] + feminine
        return surname

    def _alias(
        self, culture: Culture, sex: str, given: tuple[str, ...], family: tuple[str, ...]
    ) -> str:
        rng = self.rng
        pool = culture.female if sex == "f" else culture.male
        roll = rng.random()
        if roll < 0.4:  # a different given name (street name, name used in the UK)
            return f"{self.name(culture, pool).replace('_', ' ')} {' '.join(family)}"
        if roll < 0.7 and sex == "f":  # a married or partner's family name
            return f"{' '.join(given)} {self.name(culture, culture.family)}".replace("_", " ")
        # a wholly different name, e.g. one given by traffickers
        other = CULTURES[rng.choice(self.culture_keys)]
        other_pool = other.female if sex == "f" else other.male
        return f"{self.name(other, other_pool)} {self.name(other, other.family)}".replace("_", " ")

    # -- rendering --------------------------------------------------------------------------

    def render(self, person: Person, kinds: tuple[str, ...], side: str) -> IdentityRecord:
        """One organisation's record of ``person`` with the corruption ``kinds`` applied."""
        rng = self.rng
        given = list(person.given)
        family = list(person.family)
        if person.culture == "arabic" and rng.random() < 0.4:
            given.append(person.father)  # given name + father's name
        if person.culture == "albanian" and rng.random() < 0.3:
            given.append(person.father)
        if person.culture == "tigrinya" and rng.random() < 0.3:
            family.append(person.grandfather)
        aliases = list(person.aliases) if side == "police" else []
        if "alias" in kinds and person.aliases:
            # IE knows the person only by the alias (or the police by theirs)
            alias = person.aliases[0].split()
            given, family = alias[:-1], alias[-1:]
        if "father_name" in kinds:
            if person.culture in ("arabic", "tigrinya", "albanian", "urdu", "bengali", "nigerian"):
                family = [person.father if rng.random() < 0.7 else person.grandfather]
            else:
                given.append(person.father)
        if "dropped_token" in kinds:
            if len(family) > 1:
                family.pop(rng.randrange(len(family)))
            elif len(given) > 1:
                given.pop(rng.randrange(1, len(given)))
            else:
                given.append(self.name(CULTURES[person.culture], CULTURES[person.culture].male))
        if "gendered" in kinds and person.culture == "polish":
            family = [
                f[:-3] + "ski" if f.endswith("ska") else f[:-3] + "cki" if f.endswith("cka") else f
                for f in family
            ]
        if "romanisation" in kinds and person.culture == "chinese":
            family = [_CANTONESE.get(f, f) for f in family]
        if "romanisation" in kinds and person.culture == "chinese" and rng.random() < 0.5:
            given = [" ".join(_split_syllables(g)) for g in given]
        tokens_given = " ".join(given).split()
        tokens_family = " ".join(family).split()
        if "translit" in kinds:
            self._mutate(tokens_given, tokens_family, self._translit, rng.randint(1, 2))
        if "typo" in kinds:
            self._mutate(tokens_given, tokens_family, self._typo, 1)
        if "script" in kinds:
            tokens_given, tokens_family = self._script(person.culture, tokens_given, tokens_family)
        elif rng.random() < (0.5 if side == "ie" else 0.2):
            tokens_given = [anyascii(t) for t in tokens_given]
            tokens_family = [anyascii(t) for t in tokens_family]
        if "honorific" in kinds:
            self._honorific(person, tokens_given, tokens_family)
        given_text = " ".join(tokens_given).replace("_", " ")
        family_text = " ".join(tokens_family).replace("_", " ")
        if "order_swap" in kinds or (
            person.culture in ("chinese", "vietnamese") and rng.random() < 0.1
        ):
            given_text, family_text = family_text, given_text
        case = rng.random()
        if case < 0.3:
            given_text, family_text = given_text.upper(), family_text.upper()
        elif case < 0.4:
            given_text, family_text = given_text.lower(), family_text.lower()
        if "name_only" in kinds:
            return IdentityRecord(given_text, family_text)
        address, postcode = person.address, person.postcode
        if side == "ie" and rng.random() < 0.35:  # moved since the police recorded it
            address, postcode = self.address()
        return IdentityRecord(
            given_names=given_text,
            family_name=family_text,
            aliases=tuple(aliases),
            date_of_birth=self._dob(person.dob, kinds),
            sex=None if "sex_missing" in kinds else self._sex(person.sex),
            nationality=self._nationality(person, kinds),
            passport_number=self._passport(person, side),
            home_office_reference=self._ho_ref(person, side),
            address=address if rng.random() < (0.6 if side == "police" else 0.4) else None,
            postcode=postcode if rng.random() < (0.7 if side == "police" else 0.5) else None,
        )

    def _mutate(self, given: list[str], family: list[str], fn, times: int) -> None:
        rng = self.rng
        for _ in range(times):
            target = given if (rng.random() < 0.5 and given) or not family else family
            if not target:
                return
            i = rng.randrange(len(target))
            target[i] = fn(target[i])

    def _translit(self, token: str) -> str:
        rng = self.rng
        lower = anyascii(token).lower()
        options = [
            (p, r)
            for p, r in _TRANSLIT
            if (lower.endswith(p[:-1]) if p.endswith("$") else p in lower[1:])
        ]
        if not options:
            return token
        pattern, repl = rng.choice(options)
        if pattern.endswith("$"):
            out = lower[: -(len(pattern) - 1)] + repl
        else:
            spots = [i for i in range(1, len(lower)) if lower.startswith(pattern, i)]
            i = rng.choice(spots)
            out = lower[:i] + repl + lower[i + len(pattern) :]
        return out.capitalize()

    def _typo(self, token: str) -> str:
        rng = self.rng
        s = anyascii(token).lower()
        if len(s) < 3:
            return token
        i = rng.randrange(1, len(s))
        kind = rng.random()
        if kind < 0.3:
            s = s[:i] + rng.choice(_KEYBOARD.get(s[i], "e")) + s[i + 1 :]
        elif kind < 0.55:
            s = s[:i] + s[i + 1 :]
        elif kind < 0.8:
            s = s[:i] + rng.choice(string.ascii_lowercase) + s[i:]
        elif i < len(s) - 1:
            s = s[:i] + s[i + 1] + s[i] + s[i + 2 :]
        return s.capitalize()

    def _script(
        self, culture: str, given: list[str], family: list[str]
    ) -> tuple[list[str], list[str]]:
        if culture == "chinese":

            def hanzi(tokens: list[str]) -> list[str]:
                out = []
                for t in tokens:
                    sy = _split_syllables(t)
                    out.append(
                        "".join(_HANZI.get(s, s) for s in sy)
                        if all(s in _HANZI for s in sy)
                        else t
                    )
                return out

            return hanzi(family), hanzi(given)  # written family-first, as one string
        table = (
            _ARABIC_SCRIPT
            if culture == "arabic"
            else _BENGALI_SCRIPT
            if culture == "bengali"
            else None
        )
        if table is None:
            return [anyascii(t) for t in given], [anyascii(t) for t in family]
        return [table.get(t, t) for t in given], [table.get(t, t) for t in family]

    def _honorific(self, person: Person, given: list[str], family: list[str]) -> None:
        rng = self.rng
        if person.culture == "bengali":
            given.insert(0, "Mst" if person.sex == "f" else "Md")
        elif person.culture == "arabic" and family:
            family[0] = family[0][3:] if family[0].startswith("Al-") else "Al-" + family[0]
        elif person.culture == "urdu":
            given.insert(0, "Syeda" if person.sex == "f" else "Syed")
        elif person.culture == "nigerian":
            given.insert(0, rng.choice(("Alhaji", "Chief", "Mrs", "Mr")))
        else:
            given.insert(0, rng.choice(("Mr", "Mrs", "Ms", "Miss", "Dr")))

    def _dob(self, dob: tuple[int, int, int], kinds: tuple[str, ...]) -> str | None:
        rng = self.rng
        year, month, day = dob
        if "dob_missing" in kinds:
            return None
        if "dob_year_only" in kinds:
            return f"{year}"
        if "dob_placeholder" in kinds:
            return f"{year + rng.choice((0, 0, 1, -1, 2, -2, 3))}-01-01"
        if "dob_swap" in kinds and day <= 12 and day != month:
            month, day = day, month
        if "dob_year" in kinds:
            year += rng.choice((-1, 1))
        if "dob_typo" in kinds:
            digits = list(f"{year}{month:02d}{day:02d}")
            for _ in range(10):
                i = rng.choice((2, 3, 5, 6, 7))
                trial = digits[:]
                trial[i] = rng.choice(string.digits)
                y, m, d = (
                    int("".join(trial[:4])),
                    int("".join(trial[4:6])),
                    int("".join(trial[6:])),
                )
                if 1 <= m <= 12 and 1 <= d <= 28 and (y, m, d) != (year, month, day):
                    year, month, day = y, m, d
                    break
        return f"{year}-{month:02d}-{day:02d}"

    def _sex(self, sex: str) -> str:
        return self.rng.choice({"f": ("F", "Female", "f"), "m": ("M", "Male", "m")}[sex])

    def _nationality(self, person: Person, kinds: tuple[str, ...]) -> str | None:
        import pycountry

        rng = self.rng
        code = person.nationality
        if "nationality_diff" in kinds:
            others = [c for c in CULTURES[person.culture].nationalities if c != code]
            code = rng.choice(others or ["GBR", "FRA", "ITA", "DEU"])
        if rng.random() < 0.05:
            return None
        country = pycountry.countries.get(alpha_3=code)
        forms = [code, country.alpha_2 if country else code, country.name if country else code]
        adjective = _ADJECTIVES.get(code)
        if adjective:
            forms += [adjective, adjective.upper(), f"{adjective} national"]
        return rng.choice(forms)

    def _passport(self, person: Person, side: str) -> str | None:
        rng = self.rng
        if rng.random() > (0.15 if side == "police" else 0.35):
            return None
        if rng.random() < 0.15:  # a renewed passport: different number
            return "".join(rng.choices(string.digits, k=9))
        p = person.passport
        return (
            p.lower() if rng.random() < 0.2 else (f"{p[:4]} {p[4:]}" if rng.random() < 0.2 else p)
        )

    def _ho_ref(self, person: Person, side: str) -> str | None:
        rng = self.rng
        if rng.random() > (0.1 if side == "police" else 0.6):
            return None
        return person.ho_ref + (f"/{rng.randint(1, 3):03d}" if rng.random() < 0.2 else "")


_ADJECTIVES = {
    "SYR": "Syrian", "IRQ": "Iraqi", "SDN": "Sudanese", "EGY": "Egyptian", "YEM": "Yemeni",
    "LBY": "Libyan", "KWT": "Kuwaiti", "PSE": "Palestinian", "PAK": "Pakistani",
    "BGD": "Bangladeshi", "CHN": "Chinese", "HKG": "Hong Kong", "MYS": "Malaysian",
    "VNM": "Vietnamese", "ALB": "Albanian", "XKX": "Kosovan", "MKD": "Macedonian",
    "ERI": "Eritrean", "ETH": "Ethiopian", "NGA": "Nigerian", "POL": "Polish",
    "ROU": "Romanian", "MDA": "Moldovan", "ESP": "Spanish", "COL": "Colombian",
    "VEN": "Venezuelan", "ECU": "Ecuadorian", "PER": "Peruvian", "BOL": "Bolivian",
    "HND": "Honduran", "PRT": "Portuguese", "BRA": "Brazilian", "AGO": "Angolan",
    "CPV": "Cape Verdean",
}  # fmt: skip


def _split_syllables(token: str) -> list[str]:
    """Split a pinyin given name into syllables known to the hanzi table (greedy)."""
    out: list[str] = []
    rest = token
    while rest:
        for size in (6, 5, 4, 3, 2, 1):
            head = rest[:size].capitalize()
            if head in _HANZI and (size == len(rest) or rest[size:][:1].lower() not in "aeiou"):
                out.append(head)
                rest = rest[size:]
                break
        else:
            return [token]
    return out


def _corruptions(rng: random.Random, culture: str) -> tuple[str, ...]:
    """Draw the corruption kinds for one member: usually one or two, sometimes none."""
    kinds: list[str] = []
    n_name = rng.choices((0, 1, 2), (0.3, 0.5, 0.2))[0]
    applicable = [
        k
        for k in NAME_CORRUPTIONS
        if not (k == "gendered" and culture != "polish")
        and not (k == "romanisation" and culture != "chinese")
        and not (k == "script" and culture not in _SCRIPT_CULTURES)
    ]
    kinds += rng.sample(applicable, n_name)
    if rng.random() < 0.45:
        kinds.append(rng.choice(DOB_CORRUPTIONS))
    if rng.random() < 0.08:
        kinds.append("nationality_diff")
    if rng.random() < 0.1:
        kinds.append("sex_missing")
    if rng.random() < 0.03:
        kinds.append("name_only")
    return tuple(kinds)


def generate(
    seed: int,
    register_size: int,
    members: int,
    non_members: int,
    *,
    hard_negative_share: float = 0.4,
) -> Dataset:
    """A register of ``register_size`` identities and labelled IE subjects.

    ``members`` subjects are renderings of register people (with corruptions); ``non_members``
    are other people, ``hard_negative_share`` of them same-name or relative hard negatives.
    """
    gen = _Generator(seed)
    rng = gen.rng
    persons: dict[int, Person] = {}
    register: list[tuple[int, IdentityRecord]] = []
    for identity_id in range(register_size):
        person = gen.person()
        persons[identity_id] = person
        police_noise = rng.choices(
            (
                (),
                ("translit",),
                ("typo",),
                ("dob_year_only",),
                ("dob_placeholder",),
                ("honorific",),
            ),
            (0.7, 0.1, 0.06, 0.06, 0.04, 0.04),
        )[0]
        register.append((identity_id, gen.render(person, police_noise, "police")))
    subjects: list[Subject] = []
    member_ids = rng.sample(range(register_size), min(members, register_size))
    for identity_id in member_ids:
        person = persons[identity_id]
        kinds = _corruptions(rng, person.culture)
        if "alias" in kinds and not person.aliases:
            kinds = tuple(k for k in kinds if k != "alias")
        subjects.append(
            Subject(
                gen.render(person, kinds, "ie"), identity_id, person.culture, kinds or ("clean",)
            )
        )
    for _ in range(non_members):
        roll = rng.random()
        if roll < hard_negative_share / 2:
            kind, person = "same_name", _same_name(gen, persons[rng.randrange(register_size)])
        elif roll < hard_negative_share:
            kind, person = "relative", _relative(gen, persons[rng.randrange(register_size)])
        else:
            kind, person = "other", gen.person()
        kinds = rng.choices(
            ((), ("translit",), ("typo",), ("dob_year_only",)), (0.8, 0.08, 0.07, 0.05)
        )[0]
        subjects.append(Subject(gen.render(person, kinds, "ie"), None, person.culture, (kind,)))
    rng.shuffle(subjects)
    return Dataset(register, subjects, persons)


def _same_name(gen: _Generator, person: Person) -> Person:
    """Someone else with the same name: a different date of birth and documents."""
    other = gen.person(person.culture)
    year, _, _ = person.dob
    shift = gen.rng.choice((-1, 1)) * gen.rng.randint(3, 25)
    new_dob = (min(max(year + shift, 1940), 2010), gen.rng.randint(1, 12), gen.rng.randint(1, 28))
    return replace(
        other, given=person.given, family=person.family, sex=person.sex, dob=new_dob, aliases=()
    )


def _relative(gen: _Generator, person: Person) -> Person:
    """A sibling, parent or child: same family name, address and nationality."""
    other = gen.person(person.culture)
    while other.given == person.given:
        other = gen.person(person.culture)
    year, _, _ = person.dob
    shift = gen.rng.choice((-1, 1)) * gen.rng.choice((1, 2, 3, 4, 6, 8, 22, 25, 28, 30))
    dob = (min(max(year + shift, 1935), 2015), other.dob[1], other.dob[2])
    family = person.family
    if person.culture == "polish":
        family = tuple(gen._feminine(f) if other.sex == "f" else _masculine(f) for f in family)
    return replace(
        other, family=family, father=person.father if abs(shift) < 10 else other.father,
        nationality=person.nationality, address=person.address, postcode=person.postcode, dob=dob,
        aliases=(),
    )  # fmt: skip


def _masculine(surname: str) -> str:
    for masculine, feminine in _POLISH_FEMININE:
        if surname.endswith(feminine):
            return surname[: -len(feminine)] + masculine
    return surname


def iter_records(dataset: Dataset) -> Iterator[tuple[int, IdentityRecord]]:
    return iter(dataset.register)
