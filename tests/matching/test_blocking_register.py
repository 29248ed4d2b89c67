"""Blocking keys, prepared identities and the in-memory register."""

from hypothesis import given, settings
from hypothesis import strategies as st
from tools.matching.synth import CULTURES, _Generator

from safeshare.matching import (
    IdentityRecord,
    InMemoryRegister,
    PreparedIdentity,
    blocking_keys,
    prepare,
    query_keys,
)
from safeshare.matching.fields import format_date, parse_canonical_date, parse_date_of_birth

BASE = IdentityRecord(
    given_names="Fatema",
    family_name="Begum",
    aliases=("Fatema Khatun",),
    date_of_birth="1990-03-04",
    sex="F",
    nationality="Bangladeshi",
    passport_number="BD1234567",
)


def found(register_record: IdentityRecord, subject: IdentityRecord) -> bool:
    return bool(prepare(register_record).keys & query_keys(prepare(subject)))


def test_keys_are_short_strings_and_query_keys_extend_blocking_keys():
    prepared = prepare(BASE)
    assert prepared.keys == blocking_keys(prepared)
    assert prepared.keys <= query_keys(prepared)
    assert all(isinstance(k, str) and len(k) < 40 for k in prepared.keys)


def test_each_single_error_still_shares_a_key():
    r = BASE
    assert found(r, IdentityRecord("Begum", "Fatema", date_of_birth="1990-03-04"))  # order
    assert found(r, IdentityRecord("Fatema", "Bxgum", date_of_birth="1990-03-04"))  # typo
    assert found(r, IdentityRecord("Fatema", "Begum", date_of_birth="1990-04-03"))  # swap
    assert found(r, IdentityRecord("Fatema", "Begum"))  # no date
    assert found(r, IdentityRecord("Fatema", "Begum", date_of_birth="1991-03-04"))  # year
    assert found(r, IdentityRecord("Fatema", "Begum", date_of_birth="1990-01-01"))  # placeholder
    assert found(r, IdentityRecord("Fatema", "Khatun", date_of_birth="1985"))  # alias
    assert found(r, IdentityRecord("Xyz", "Qrs", passport_number="bd 1234567"))  # document
    assert found(r, IdentityRecord("Fatiam", "Begun", date_of_birth="1990-03-04"))  # two typos
    assert not found(r, IdentityRecord("Omar", "Malik", date_of_birth="1960-11-23"))


SINGLE_ERRORS = ("translit", "typo", "order_swap", "alias", "honorific", "dob_swap", "dob_missing",
                 "dob_year", "dob_placeholder", "dob_year_only", "script")  # fmt: skip


@settings(max_examples=150)
@given(st.integers(0, 10**6), st.sampled_from(sorted(CULTURES)), st.sampled_from(SINGLE_ERRORS))
def test_no_single_corruption_loses_the_true_candidate(seed, culture, kind):
    generator = _Generator(seed)
    person = generator.person(culture)
    if kind == "alias" and not person.aliases:
        return
    police = generator.render(person, (), "police")
    subject = generator.render(person, (kind,), "ie")
    assert found(police, subject), (police, subject)


@given(
    st.text(max_size=30),
    st.text(max_size=30),
    st.lists(st.text(max_size=20), max_size=2),
    st.one_of(st.none(), st.dates().map(str), st.integers(1900, 2020).map(str)),
    st.sampled_from(["F", "m", None]),
    st.sampled_from(["PAK", "Eritrean", "Viet Nam", None, "somewhere"]),
)
def test_prepared_identity_round_trips_through_json(given_names, family, aliases, dob, sex, nat):
    prepared = prepare(IdentityRecord(given_names, family, tuple(aliases), dob, sex, nat, "X1"))
    restored = PreparedIdentity.from_json(prepared.to_json())
    assert restored == prepared
    assert restored.keys == prepared.keys
    candidate = PreparedIdentity.from_json(prepared.to_json(), with_keys=False)
    assert candidate == prepared  # everything a comparison reads
    assert candidate.keys == frozenset()


@given(
    st.one_of(
        st.just((0, 0, 0)),
        st.tuples(st.integers(1850, 2200), st.just(0), st.just(0)),
        st.tuples(st.integers(1850, 2200), st.integers(1, 12), st.just(0)),
        st.tuples(st.integers(1850, 2200), st.integers(1, 12), st.integers(1, 31)),
    )
)
def test_a_stored_date_reads_back_as_it_was(date):
    assert parse_canonical_date(format_date(date)) == date
    assert parse_canonical_date(format_date(date)) == parse_date_of_birth(format_date(date))


def test_register_add_update_remove():
    register = InMemoryRegister()
    register.add(1, BASE)
    register.add(2, IdentityRecord("Omar", "Malik", date_of_birth="1960-11-23"))
    subject = prepare(IdentityRecord("Fatema", "Begum", date_of_birth="1990-03-04"))
    keys = query_keys(subject)
    assert {i for i, _ in register.candidates(keys)} == {1}
    register.update(1, IdentityRecord("Someone", "Else", date_of_birth="1950"))
    assert not register.candidates(keys)
    register.update(1, BASE)
    assert {i for i, _ in register.candidates(keys)} == {1}
    register.remove(1)
    register.remove(99)  # unknown ids are ignored
    assert not register.candidates(keys)
    assert len(register) == 1


def test_posting_lists_grow_and_shrink_consistently():
    register = InMemoryRegister()
    for i in range(150):  # past the list-to-set switch
        register.add(i, IdentityRecord("Mohammed", "Khan", date_of_birth="1985"))
    key = "n:KN|MHMD"
    assert register.key_counts([key]) == {key: 150}
    for i in range(149):
        register.remove(i)
    assert register.key_counts([key]) == {key: 1}
    assert [i for i, _ in register.candidates([key])] == [149]
    register.remove(149)
    assert register.key_counts([key]) == {}


def _retrieved(register: InMemoryRegister, subject: IdentityRecord) -> set:
    from safeshare.matching import Matcher

    _, _, candidates, _ = Matcher().retrieve(prepare(subject), register)
    return {i for i, _ in candidates}


def test_a_common_name_a_misspelt_name_and_a_date_error_still_find_the_person():
    """A common token over the caps, the other token misspelt and one error in the date: the
    token with the day and month (a wrong year) or the token with the year (a wrong day or
    month, an estimated date two years off) find the person."""
    register = InMemoryRegister()
    for i in range(450):  # "Mohammed" alone is over the caps, with each year under them
        register.add(
            i, IdentityRecord("Mohammed", f"Zz{i:03d}x", date_of_birth=f"{1995 + i % 9}-06-15")
        )
    register.add("true", IdentityRecord("Mohammed", "Irofaaser", date_of_birth="2001-04-04"))
    assert "true" in _retrieved(
        register, IdentityRecord("Mohammed", "Irofazser", date_of_birth="2011-04-04")
    )
    assert "true" in _retrieved(
        register, IdentityRecord("Mohammed", "Irofazser", date_of_birth="2001-04-14")
    )
    assert "true" in _retrieved(
        register, IdentityRecord("Mohammed", "Irofazser", date_of_birth="2002-04-04")
    )
    assert "true" in _retrieved(
        register, IdentityRecord("Mohammed", "Irofazser", date_of_birth="2003")
    )


def test_a_common_name_and_a_misspelt_name_with_no_date_find_the_person():
    """One token over the caps and the other misspelt, with no date to key on: the register's
    tokens one edit from the subject's make the pairs that find the person."""
    register = InMemoryRegister()
    for i in range(450):
        register.add(i, IdentityRecord("Mohammed", f"Zz{i:03d}x"))
    register.add("true", IdentityRecord("Mohammed", "Irofaaser", date_of_birth="2001-04-04"))
    register.add("tran", IdentityRecord("Dung", "Tran"))
    for i in range(150):
        register.add(f"d{i}", IdentityRecord("Dung", f"Qq{i:03d}x"))
    assert "true" in _retrieved(register, IdentityRecord("Mohammed", "Irofazser"))
    assert "tran" in _retrieved(register, IdentityRecord("Dung", "Trsn"))
    assert "true" not in _retrieved(register, IdentityRecord("Mohammed", "Bashir"))


def test_similar_tokens_are_one_edit_away_and_kept_current():
    register = InMemoryRegister([(1, IdentityRecord("Fatema", "Begum"))])
    assert register.similar_tokens(["BGN"]) == {"BGN": {"BGM"}}
    assert register.similar_tokens(["BGM", "XYZW"]) == {}  # itself, nothing near
    register.add(2, IdentityRecord("Fatema", "Bagam"))  # the same key: nothing new
    register.add(3, IdentityRecord("Fatema", "Begun"))
    assert register.similar_tokens(["BGM"]) == {"BGM": {"BGN"}}
