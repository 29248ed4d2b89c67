"""Tests that the route and organisation data load, are complete and are written plainly."""

import re
import textwrap
from datetime import date, timedelta
from pathlib import Path

import pytest

from safeshare.advice.eligibility import (
    FACT_SPECS,
    ROUTES_DIRECTORY,
    default_catalogue,
    default_organisations,
    fact_fields,
    load_catalogue,
    load_organisations,
)
from safeshare.advice.rules import Operator, RuleDataError, parse_route

ROUTE_FILES = sorted(ROUTES_DIRECTORY.glob("*.toml"))

EXPECTED_ROUTES = {
    "mvdac",
    "settlement_domestic_abuse",
    "nrm",
    "trafficking_permission_to_stay",
    "asylum",
    "private_life",
    "euss_late_application",
    "legal_aid",
}

# Source IDs that exist in domain.md §9 (there is no S23 or S66).
DOMAIN_SOURCE_IDS = {f"S{n}" for n in range(1, 69)} - {"S23", "S66"}

PROMISES = re.compile(
    r"\b(you will (get|be granted|be given|be allowed|qualify)|guarantee|definitely|certainly"
    r"|you qualify|you are eligible|you are entitled)\b",
    re.IGNORECASE,
)
LEGAL_ADVICE = "free, independent legal advice"
LONGEST_SENTENCE = 20


def parse(text, file="routes/example.toml"):
    return parse_route(textwrap.dedent(text), file=file, facts=FACT_SPECS)


VALID_ROUTE = """
    id = "example"
    order = 1
    title = "A plain title"
    legal_name = "Legal name"
    summary = "You may be able to stay."
    evidence = ["Proof of who you are."]
    how_to_apply = "Ask an adviser."
    legal_advice = "Get free, independent legal advice."
    unsure_reason = "We need to know more."

    [[versions]]
    valid_from = 2021-12-15
    valid_to = 2024-02-15
    change = "Start."

    [[versions]]
    valid_from = 2024-02-16
    change = "Changed."

    [[rules]]
    id = "rule_one"
    reason = "You have lived here a long time."
    [rules.when]
    fact = "years_residence"
    gte = 20
"""


def victim_texts(catalogue):
    """Every piece of route text a victim may read, with where it came from."""
    for route in catalogue.routes:
        yield route.file, "title", route.title
        yield route.file, "legal_advice", route.legal_advice
        yield route.file, "unsure_reason", route.unsure_reason
        for version in route.versions:
            where = f"{route.file} {version.id}"
            yield where, "summary", version.summary
            yield where, "how_to_apply", version.how_to_apply
            for item in version.evidence:
                yield where, "evidence", item
        for rule in (*route.rules, *route.not_this_route):
            yield route.file, f"rule {rule.id}", rule.reason


def sentences(text):
    return [part for part in re.split(r"(?<=[.!?])\s+", text) if part]


def test_every_route_file_loads():
    """Test that the shipped catalogue loads and holds every route the brief asks for."""
    catalogue = default_catalogue()
    assert {route.id for route in catalogue.routes} == EXPECTED_ROUTES
    assert len(ROUTE_FILES) == len(EXPECTED_ROUTES)


@pytest.mark.parametrize("path", ROUTE_FILES, ids=lambda path: path.name)
def test_each_route_file_parses_on_its_own(path):
    """Test that each route file is valid by itself and its id matches its name."""
    route = parse_route(path.read_text(), file=f"routes/{path.name}", facts=FACT_SPECS)
    assert route.id == path.stem
    assert route.rules


def test_every_route_has_exactly_one_version_on_every_day():
    """Test that versions cover every day from the start of the data with no gap or overlap."""
    catalogue = default_catalogue()
    assert catalogue.coverage_start == date(2021, 12, 15)
    change_days = {version.valid_from for route in catalogue.routes for version in route.versions}
    days = {catalogue.coverage_start, date(2030, 1, 1)}
    days |= change_days | {day - timedelta(days=1) for day in change_days}
    for route in catalogue.routes:
        for day in sorted(days):
            if day < catalogue.coverage_start:
                continue
            in_force = [version for version in route.versions if version.in_force(day)]
            assert len(in_force) == 1, (route.id, day)


def test_every_rule_is_in_force_on_some_day_of_its_route():
    """Test that no rule is dated outside the life of its route."""
    for route in default_catalogue().routes:
        first_day = route.versions[0].valid_from
        for rule in (*route.rules, *route.not_this_route):
            start = max(rule.valid_from or first_day, first_day)
            assert rule.in_force(start), (route.id, rule.id)


def test_every_route_cites_domain_sources():
    """Test that every version cites at least one real [S..] source with a URL."""
    for route in default_catalogue().routes:
        for version in route.versions:
            assert version.sources, route.id
            for source in version.sources:
                assert source.id in DOMAIN_SOURCE_IDS, (route.id, source.id)
                assert source.urls


def test_every_route_prompts_for_free_independent_legal_advice():
    """Test that every route tells the victim to get free, independent legal advice."""
    for route in default_catalogue().routes:
        assert LEGAL_ADVICE in route.legal_advice.lower(), route.id


def test_no_route_text_promises_an_outcome():
    """Test that no victim-facing text promises a result."""
    for where, field, text in victim_texts(default_catalogue()):
        assert not PROMISES.search(text), (where, field, text)


def test_route_text_uses_short_sentences():
    """Test that victim-facing sentences stay short, for a reading age of about 9."""
    for where, field, text in victim_texts(default_catalogue()):
        for sentence in sentences(text):
            assert len(sentence.split()) <= LONGEST_SENTENCE, (where, field, sentence)


def test_route_summaries_say_may_not_will():
    """Test that every summary frames the route as something the victim may be able to do."""
    for route in default_catalogue().routes:
        for version in route.versions:
            assert "may" in version.summary.lower(), (route.id, version.id)


def test_unverified_data_always_explains_what_to_check():
    """Test that every verified = false item carries a note."""
    catalogue = default_catalogue()
    items = [(route.id, route.verified, route.note) for route in catalogue.routes]
    for route in catalogue.routes:
        items += [(route.id, v.verified, v.note) for v in route.versions]
        items += [(route.id, r.verified, r.note) for r in (*route.rules, *route.not_this_route)]
    unverified = [(where, note) for where, verified, note in items if not verified]
    assert unverified, "the domain file flags unverified items; some must be marked"
    assert all(note for _, note in unverified)


def test_fact_registry_covers_every_facts_field_but_children():
    """Test that rule data can name every Facts field except children, which is derived from."""
    assert set(fact_fields()) - set(FACT_SPECS) == {"children"}


def test_docs_describe_every_fact_and_operator():
    """Test that docs/advice.md names every fact and operator the rule data may use."""
    docs = (Path(__file__).parents[2] / "docs" / "advice.md").read_text()
    for name in FACT_SPECS:
        assert f"`{name}`" in docs, name
    for operator in Operator:
        assert f"`{operator}`" in docs or f"{operator} = " in docs, operator


def test_catalogue_digest_changes_when_the_data_changes(tmp_path):
    """Test that the digest recorded with advice changes if any route file changes."""
    for path in ROUTE_FILES:
        (tmp_path / path.name).write_text(path.read_text())
    before = load_catalogue(tmp_path, facts=FACT_SPECS).digest
    assert before == default_catalogue().digest
    asylum = tmp_path / "asylum.toml"
    asylum.write_text(asylum.read_text().replace("Start of SafeShare", "Start of the"))
    assert load_catalogue(tmp_path, facts=FACT_SPECS).digest != before


def test_valid_example_route_parses():
    """Test that the example used by the malformed-data tests is itself valid."""
    route = parse(VALID_ROUTE)
    assert [version.id for version in route.versions] == ["2021-12-15", "2024-02-16"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('fact = "years_residence"', 'fact = "years_residense"', "unknown fact"),
        ("gte = 20", "atleast = 20", "unknown operator 'atleast'"),
        ('id = "example"', 'id = "other"', "must match the file name"),
        ('change = "Changed."', 'change = "Changed."\nvalid_form = 2024-01-01', "unknown keys"),
        ("valid_from = 2024-02-16", "valid_from = 2024-03-01", "no gaps, no overlaps"),
        ("valid_from = 2024-02-16", "valid_from = 2024-02-10", "no gaps, no overlaps"),
        ('change = "Changed."', 'change = "Changed."\nvalid_to = 2025-01-01', "no 'valid_to'"),
        ('change = "Start."', 'change = "Start."\nverified = false', "needs a 'note'"),
        ('legal_advice = "Get free, independent legal advice."', "", "'legal_advice'"),
        ('reason = "You have lived here a long time."', 'reason = ""', "'reason'"),
        ("[rules.when]", 'outcome = "maybe"\n[rules.when]', "'outcome' must be"),
        ("[rules.when]", 'prompt = { action = "arrest", text = "x" }\n[rules.when]', "action"),
        ("gte = 20", "gte = 20\nlte = 30", "exactly one operator"),
        ("summary =", "summary = [", "not valid TOML"),
    ],
)
def test_malformed_route_data_fails_naming_file_and_rule(old, new, message):
    """Test that each kind of bad route data is refused with a message saying where."""
    broken = textwrap.dedent(VALID_ROUTE).replace(old, new, 1)
    with pytest.raises(RuleDataError) as error:
        parse(broken)
    assert "routes/example.toml" in str(error.value)
    assert message in str(error.value)


def test_error_in_a_rule_names_the_rule():
    """Test that an error inside a rule's condition names both the file and the rule."""
    broken = textwrap.dedent(VALID_ROUTE).replace('fact = "years_residence"', 'fact = "nope"')
    with pytest.raises(RuleDataError, match=r"routes/example\.toml, rule 'rule_one'"):
        parse(broken)


def test_two_versions_of_a_rule_cannot_overlap():
    """Test that dated versions of the same rule may not both be in force on one day."""
    overlapping = VALID_ROUTE + textwrap.dedent("""
        [[rules]]
        id = "rule_one"
        valid_from = 2024-01-01
        reason = "Again."
        [rules.when]
        fact = "age"
        gte = 18
    """)
    with pytest.raises(RuleDataError, match="rule 'rule_one': two versions"):
        parse(overlapping)


def test_dated_versions_of_a_rule_may_follow_each_other():
    """Test that a rule may have one version until a date and another after it."""
    dated = VALID_ROUTE.replace('id = "rule_one"', 'id = "rule_one"\nvalid_to = 2024-02-15')
    dated += textwrap.dedent("""
        [[rules]]
        id = "rule_one"
        valid_from = 2024-02-16
        reason = "Again."
        [rules.when]
        fact = "years_residence"
        gte = 10
    """)
    route = parse(dated)
    assert [rule.in_force(date(2024, 2, 16)) for rule in route.rules] == [False, True]


def test_a_broken_file_in_a_directory_is_named(tmp_path):
    """Test that loading a directory names the file that is broken."""
    (tmp_path / "example.toml").write_text(textwrap.dedent(VALID_ROUTE))
    (tmp_path / "broken.toml").write_text('id = "broken"\norder = 2\n')
    with pytest.raises(RuleDataError, match=rf"^{tmp_path.name}/broken\.toml: "):
        load_catalogue(tmp_path, facts=FACT_SPECS)


def test_duplicate_route_order_is_refused(tmp_path):
    """Test that two routes cannot share a position in lists."""
    (tmp_path / "example.toml").write_text(textwrap.dedent(VALID_ROUTE))
    second = textwrap.dedent(VALID_ROUTE).replace('id = "example"', 'id = "second"')
    (tmp_path / "second.toml").write_text(second)
    with pytest.raises(RuleDataError, match="duplicate route order"):
        load_catalogue(tmp_path, facts=FACT_SPECS)


# --- Support organisations -----------------------------------------------------------------


def test_organisations_load_with_the_names_from_the_domain_file():
    """Test that the support organisations load and include the key helplines."""
    names = {organisation.name for organisation in default_organisations()}
    assert {
        "National Domestic Abuse Helpline",
        "Modern Slavery & Exploitation Helpline",
        "Southall Black Sisters",
        "Latin American Women's Rights Service (LAWRS)",
        "Live Fear Free helpline",
        "Rights of Women",
    } <= names
    assert len(names) >= 30


def test_only_the_two_known_helpline_numbers_are_marked_verified():
    """Test that no phone number is marked verified except the two national helplines."""
    verified = {o.phone for o in default_organisations() if o.phone and o.phone_verified}
    assert verified == {"0808 2000 247", "08000 121 700"}


def test_unverified_contact_details_are_hidden_from_victims():
    """Test that phone_to_show and url_to_show hide contact details nobody has checked."""
    for organisation in default_organisations():
        assert organisation.phone_to_show == (
            organisation.phone if organisation.phone_verified else None
        )
        assert organisation.url_to_show == (
            organisation.url if organisation.url_verified else None
        )
    crimestoppers = next(o for o in default_organisations() if o.id == "crimestoppers")
    assert crimestoppers.phone
    assert crimestoppers.phone_to_show is None


def test_organisation_text_uses_short_sentences_and_no_promises():
    """Test that what victims read about organisations is short and promises nothing."""
    for organisation in default_organisations():
        for text in (organisation.helps_with, organisation.who_for):
            assert not PROMISES.search(text), organisation.id
            for sentence in sentences(text):
                assert len(sentence.split()) <= LONGEST_SENTENCE, (organisation.id, sentence)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('topics = ["domestic_abuse"]', 'topics = ["abuse"]', "unknown value in 'topics'"),
        ('jurisdictions = ["england"]', 'jurisdictions = ["london"]', "'jurisdictions'"),
        ('kind = "helpline"', 'kind = "charity"', "unknown 'kind'"),
        ("phone_verified = true\n", "", "give 'phone_verified'"),
        ('url = "https://x.example"', 'url = "http://x.example"', "must start with https://"),
        ('note = "Checked."', "", "needs a 'note'"),
        ('match = "any"', 'match = "most"', "'match' must be"),
    ],
)
def test_malformed_organisation_data_fails_naming_the_organisation(tmp_path, old, new, message):
    """Test that bad organisation data is refused with a message naming the organisation."""
    valid = textwrap.dedent("""
        [[organisations]]
        id = "example_helpline"
        name = "Example helpline"
        kind = "helpline"
        helps_with = "Help."
        who_for = "Anyone."
        topics = ["domestic_abuse"]
        match = "any"
        jurisdictions = ["england"]
        phone = "0800 000 000"
        phone_verified = true
        url = "https://x.example"
        url_verified = false
        verified = false
        note = "Checked."
    """)
    path = Path(tmp_path / "organisations.toml")
    path.write_text(valid)
    assert load_organisations(path)[0].id == "example_helpline"
    path.write_text(valid.replace(old, new, 1))
    with pytest.raises(RuleDataError) as error:
        load_organisations(path)
    assert "organisations.toml, organisation 'example_helpline'" in str(error.value)
    assert message in str(error.value)
