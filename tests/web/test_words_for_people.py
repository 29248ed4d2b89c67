"""What people read carries no internal codes: no requirement numbers (R1–R34, N1–N7), no policy
ids and no UUIDs. Every staff role signs in on the demo data and opens each page of its
navigation and the first record each list links to; the victim's own pages are read the same way.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from safeshare.accounts.actors import Actor
from safeshare.accounts.models import User
from safeshare.kernel.roles import Role
from safeshare.protocol.policy import available_policies
from safeshare.web.navigation import navigation_for
from tests.support.two_step import sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Not inside a base64 or base64url value (a key or hash on a page can hold "R5m" by chance).
REQUIREMENT = re.compile(r"(?<![\w+/=-])(?:R(?:3[0-4]|[12]\d|[1-9])[a-z]?|N[1-7])(?![\w+/=-])")
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def policy_id_pattern() -> re.Pattern[str]:
    ids = sorted(available_policies(), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, ids)) + r")(?![\w-])")


class _Text(HTMLParser):
    """The text a person sees: tags, attributes, scripts and styles left out."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


class _MainLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self._in_main = 0

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self._in_main += 1
        elif tag == "a" and self._in_main:
            href = dict(attrs).get("href") or ""
            if href.startswith("/"):
                self.links.append(href)

    def handle_endtag(self, tag):
        if tag == "main" and self._in_main:
            self._in_main -= 1


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def codes_in(text: str) -> list[str]:
    found = REQUIREMENT.findall(text) + UUID.findall(text)
    found += policy_id_pattern().findall(text)
    return found


def assert_plain(where: str, html: str) -> None:
    text = visible_text(html)
    found = codes_in(text)
    assert not found, f"{where} shows internal codes {sorted(set(found))}"


RECORDS = ("/cases/", "/protections/", "/referrals/", "/clearances/", "/overrides/", "/reviews/")
"""Where the pages about one record live: a list links to them."""


def first_records(html: str, page: str, avoid: set[str]) -> list[str]:
    """The first record of each kind the page's main content links to (its own rows first)."""
    parser = _MainLinks()
    parser.feed(html)
    found: dict[str, str] = {}
    for href in parser.links:
        path = urlsplit(href).path
        if path == page or path in avoid or "." in path:
            continue
        kind = next((prefix for prefix in RECORDS if path.startswith(prefix)), None)
        if kind and path != kind and kind not in found:
            found[kind] = path
    return list(found.values())


def test_the_checker_finds_each_kind_of_code():
    assert codes_in("Refused (R33).") == ["R33"]
    assert codes_in("Only doubts (N1, R16)") == ["N1", "R16"]
    assert codes_in("under mvp-2021 today")
    assert codes_in("record 0b6c8a7e-1f2d-4c3b-9a8e-7d6c5b4a3f21")
    assert not codes_in("Reference SS-4KF7-Q2 at R35 and N8, postcode B1 1AA")


# --- Untranslated text in a translated page --------------------------------------------------
# A sentence of the page left in English shows up as a text node that reads exactly as it does on
# the English page. Text marked as English on purpose (an element with ``lang="en"``, as beside an
# unreviewed translation) or as not for translation (``translate="no"``) is left out, and so is
# text of fewer than three words (names, references, dates, telephone numbers, language names).

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
_WORD = re.compile(r"[^\W\d_]{2,}")


class _TextNodes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[str] = []
        self._open: list[tuple[str, bool]] = []
        self._page_language = ""

    def handle_starttag(self, tag, attrs):
        if tag in _VOID or tag in ("track", "wbr"):
            return
        values = dict(attrs)
        language = (values.get("lang") or "").lower()
        if tag == "html":
            self._page_language = language
        in_english_on_purpose = (
            tag != "html"
            and language.startswith("en")
            and not self._page_language.startswith("en")
        )
        skip = (
            tag in ("script", "style", "template")
            or in_english_on_purpose
            or values.get("translate") == "no"
        )
        self._open.append((tag, skip or bool(self._open and self._open[-1][1])))

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                return

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not (self._open and self._open[-1][1]):
            self.nodes.append(text)


def text_nodes(html: str) -> list[str]:
    parser = _TextNodes()
    parser.feed(html)
    return parser.nodes


def _words(text: str) -> int:
    """How many words of letters: a reference, an address or a number is not one."""
    return sum(1 for token in text.split() if _WORD.fullmatch(token.strip(".,:;!?()«»“”\"'")))


def untranslated_in(translated_html: str, english_html: str) -> list[str]:
    """The sentences of a translated page that read exactly as on the English page."""
    english = {node for node in text_nodes(english_html) if _words(node) >= 3}
    return sorted({node for node in text_nodes(translated_html) if node in english})


VICTIM_PAGES = (
    "advice:victim-protection",
    "advice:victim-shared",
    "advice:victim-advice",
    "advocates:victim-consents",
)


@pytest.fixture
def victim_pages_in_every_language(settings):
    """Each victim page as the victim reads it, in English and in every other language."""
    from safeshare.ledger import service
    from tests.advice_web.support import issue_letter, issue_pack, officer, protected_victim

    police = officer()
    protection = protected_victim(police)
    issued = issue_letter(protection, police)
    issue_pack(protection, police)
    service.sequence_pending()
    service.make_checkpoint()
    signed, anonymous = Client(), Client()
    signed.post(
        reverse("advice:victim-sign-in"),
        {"reference": protection.reference, "passcode": issued.passcode},
    )
    pages: dict[str, dict[str, str]] = {}
    for code, _ in settings.LANGUAGES:
        for client in (signed, anonymous):
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
        pages[code] = {"advice:victim-sign-in": anonymous.get("/my-protection/").content.decode()}
        for name in VICTIM_PAGES:
            response = signed.get(reverse(name))
            assert response.status_code == 200, name
            pages[code][name] = response.content.decode()
    return pages


def test_every_victim_page_is_translated_whole_and_shows_no_internal_code(
    victim_pages_in_every_language,
):
    """Every victim page in every language, against the English page; then the checks must
    fail on a real Welsh page with an English sentence of the same page put back into it, and
    with a requirement number, a policy id and a UUID (one fixture for both: it is the slow
    part)."""
    english = victim_pages_in_every_language["en"]
    translated = {k: v for k, v in victim_pages_in_every_language.items() if k != "en"}
    assert translated, "no language other than English to check"
    failures = []
    for code, pages in translated.items():
        for name, html in pages.items():
            assert f'lang="{code}"' in html, f"{name} is not shown in {code}"
            left = untranslated_in(html, english[name])
            if left:
                failures.append(f"{code} {name} left in English: {left}")
            found = codes_in(visible_text(html))
            if found:
                failures.append(f"{code} {name} shows internal codes {sorted(set(found))}")
    assert not failures, "\n".join(failures)

    page = "advice:victim-protection"
    welsh = translated["cy"][page]
    sentence = next(n for n in text_nodes(english[page]) if _words(n) >= 6)
    spoilt = welsh.replace("</main>", f"<p>{sentence}</p></main>")
    assert untranslated_in(spoilt, english[page]) == [sentence]
    # The same sentence marked as English on purpose (shown beside a translation) is allowed.
    beside = welsh.replace("</main>", f'<p lang="en">{sentence}</p></main>')
    assert untranslated_in(beside, english[page]) == []
    for code in ("R12", "mvp-2021", "0b6c8a7e-1f2d-4c3b-9a8e-7d6c5b4a3f21"):
        spoilt = welsh.replace("</main>", f"<p>Cyfeirnod {code}</p></main>")
        assert codes_in(visible_text(spoilt)) == [code]


def test_reasons_lose_their_requirement_references_and_keep_their_sense():
    from safeshare.kernel.wording import for_people

    assert for_people("WMP does not refer victims (R33).") == "WMP does not refer victims."
    assert for_people("Never (R13, N5).") == "Never."
    assert (
        for_people("Refused (R16, Safe to share? recommendation 1).")
        == "Refused (Safe to share? recommendation 1)."
    )
    assert for_people("Closed (case concluded).") == "Closed (case concluded)."
    assert (
        for_people("Your clear (28977545-35d2-4a7e-bc0d-7ba7df87957c) is suspended.")
        == "Your clear (28977545) is suspended."
    )


@pytest.mark.sqlite_only  # the words on the pages do not depend on the engine
def test_no_page_a_role_or_a_victim_reads_shows_an_internal_code(demo_logins):
    """One demo for both (seeding it is the slow part): every role's pages, then the victim's."""
    failures: list[str] = []
    for login in demo_logins:
        client = Client()
        user = User.objects.get(email=login.email)
        sign_in(client, user, login.password)
        items = navigation_for(login.role, "")
        avoid = {str(item["href"]) for item in items}
        seen: set[str] = set()
        for item in items:
            href = str(item["href"])
            response = client.get(href)
            if response.status_code != 200:
                continue
            html = response.content.decode()
            found = codes_in(visible_text(html))
            if found:
                failures.append(f"{login.role} {href}: {sorted(set(found))}")
            # The first record of each kind this page links to, and those that record links to.
            queue = [(record, 1) for record in first_records(html, href, avoid)]
            while queue:
                record, depth = queue.pop(0)
                if record in seen:
                    continue
                seen.add(record)
                detail = client.get(record)
                if detail.status_code != 200:
                    continue
                html = detail.content.decode()
                found = codes_in(visible_text(html))
                if found:
                    failures.append(f"{login.role} {record}: {sorted(set(found))}")
                if depth < 2:
                    queue += [(more, depth + 1) for more in first_records(html, record, avoid)]
        if login.role == Role.POLICE_OFFICER:
            # Reached from a protection's page, not from a list: how notices reach the person.
            from safeshare.protocol.models import Protection

            protection = Protection.objects.filter(opened_by=user.organisation).first()
            reach = reverse("notifications:reach", kwargs={"reference": protection.reference})
            response = client.get(reach)
            assert response.status_code == 200
            found = codes_in(visible_text(response.content.decode()))
            if found:
                failures.append(f"{login.role} {reach}: {sorted(set(found))}")
    assert not failures, "\n".join(failures)
    check_the_victims_pages(Client())


def check_the_victims_pages(client) -> None:
    from safeshare.advice import actions as advice_actions
    from safeshare.protocol.models import Protection

    protection = Protection.objects.filter(status="active").first() or Protection.objects.first()
    officer = User.objects.filter(role=Role.POLICE_OFFICER).first()
    issued = advice_actions.do_issue_protection_letter(
        protection,
        Actor.for_user(officer),
        language="en",
        delivery="handed_over",
        view_url="http://testserver/my-protection/",
    )
    client.post(
        reverse("advice:victim-sign-in"),
        {"reference": protection.reference, "passcode": issued.passcode},
    )
    for name in (
        "advice:victim-protection",
        "advice:victim-shared",
        "advice:victim-advice",
        "advocates:victim-consents",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert_plain(name, response.content.decode())


# --- The messages the main forms give --------------------------------------------------------
# The records come from the page tests' fixtures, made through the actions layer.

from tests.pages.conftest import (  # noqa: E402
    approver,
    case,
    caseworker,
    force,
    ie_unit,
    officer,
    other_force,
    protected_victim,
    protection,
    victim,
)
from tests.pages.helpers import fake_matcher, signed_in  # noqa: E402

_FIXTURES = (approver, case, caseworker, force, ie_unit, officer, other_force)
_FIXTURES += (protected_victim, protection, victim)

REFERRAL = {
    "triggers": ["safeguarding", "victim_request"],
    "channel": "web",
    "source_of_information": "police",
}


def _basis(officer) -> dict[str, str]:
    from tests.pages.helpers import set_up_agreement

    return {"agreement": set_up_agreement(officer.organisation)}


def _referral_url(name: str, party) -> str:
    return reverse(name, kwargs={"case_id": party.case.public_id, "party_id": party.pk})


@pytest.mark.parametrize(
    ("sources", "words"),
    [
        (["immigration_records"], "do not act"),
        (["alleged_perpetrator"], "do not act"),
    ],
)
def test_a_blocked_clearance_says_why_in_plain_words(
    client, monkeypatch, caseworker, protection, sources, words
):
    fake_matcher(monkeypatch, "match", [protection])
    response = signed_in(client, caseworker).post(
        reverse("protocol:clearance-new"),
        {
            "action": "immigration_arrest_or_detention",
            "given_names": "Fatema",
            "family_name": "Begum",
            "date_of_birth": "1991-03-14",
            "information_sources": sources,
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    html = page.content.decode()
    assert words in visible_text(html)
    assert_plain("blocked clearance", html)


def test_a_refused_clearance_request_says_why_in_plain_words(client, caseworker):
    response = signed_in(client, caseworker).post(
        reverse("protocol:clearance-new"),
        {"action": "immigration_arrest_or_detention", "given_names": "Fatema"},
    )
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()
    assert_plain("refused clearance request", response.content.decode())


def test_a_refused_override_says_why_in_plain_words(client, monkeypatch, caseworker, protection):
    fake_matcher(monkeypatch, "match", [protection])
    asked = signed_in(client, caseworker).post(
        reverse("protocol:clearance-new"),
        {
            "action": "immigration_arrest_or_detention",
            "given_names": "Fatema",
            "family_name": "Begum",
            "information_sources": ["immigration_records"],
        },
    )
    override = asked["Location"] + "override/"
    for data in (
        {
            "category": "suspect_in_public_protection_offence",
            "reasons": "The subject is wanted for a serious assault and is a risk to the public.",
            "offence_code": "illegal_entry",
            "offence_description": "Entered the UK illegally",
            "offence_linked_to_public_protection": "on",
        },
        {"category": "national_security_or_public_protection", "reasons": "Risky."},
    ):
        response = client.post(override, data)
        assert response.status_code == 400
        assert "govuk-error-summary" in response.content.decode()
        assert_plain("refused override", response.content.decode())


def test_a_refused_referral_says_why_in_plain_words(client, officer, victim):
    signed_in(client, officer).post(
        _referral_url("referrals:start", victim),
        {**REFERRAL, **_basis(officer), "triggers": ["status_enquiry"]},
    )
    check = client.get(_referral_url("referrals:check", victim))
    assert "This referral cannot be sent" in check.content.decode()
    assert_plain("referral check", check.content.decode())
    refused = client.post(_referral_url("referrals:check", victim))
    assert "govuk-error-summary" in refused.content.decode()
    assert_plain("refused referral", refused.content.decode())


def test_a_referral_under_the_firewall_names_the_policy_by_its_title(
    client, settings, officer, case
):
    from safeshare.cases import actions as case_actions
    from safeshare.people.identity import IdentityIn
    from tests.pages.helpers import VICTIM

    settings.SAFESHARE_POLICY = "firewall"
    party = case_actions.do_add_party(
        case, Actor.for_user(officer), role="victim", identity=IdentityIn(**VICTIM)
    )
    signed_in(client, officer).post(
        _referral_url("referrals:start", party), {**REFERRAL, **_basis(officer)}
    )
    check = client.get(_referral_url("referrals:check", party))
    assert "Firewall" in visible_text(check.content.decode())
    assert_plain("referral check under the firewall", check.content.decode())
    refused = client.post(_referral_url("referrals:check", party))
    assert refused.status_code == 400
    assert_plain("refused referral under the firewall", refused.content.decode())


def test_the_modern_slavery_page_and_its_refusals_say_why_in_plain_words(client, officer, case):
    from safeshare.cases.actions import do_add_party
    from safeshare.people.identity import IdentityIn

    party = do_add_party(
        case,
        officer_actor(officer),
        role="victim",
        identity=IdentityIn(given_names="Amina", family_name="Yusuf"),
        trafficking_indicators=["debt_bondage"],
        nrm_consent="refused",
    )
    url = _referral_url("cases:party-nrm", party)
    page = signed_in(client, officer).get(url)
    assert page.status_code == 200
    assert_plain("modern slavery page", page.content.decode())
    refused = client.post(
        url,
        {
            "record": "referral",
            "referral-kind": "nrm_referral",
            "referral-made_on-day": "3",
            "referral-made_on-month": "1",
            "referral-made_on-year": "2026",
            "referral-first_responder": "West Midlands Police",
        },
    )
    assert refused.status_code == 400
    assert "did not agree to be referred" in refused.content.decode()
    assert_plain("refused NRM referral", refused.content.decode())
    refused = client.post(url, {"record": "decision", "decision-stage": "final"})
    assert refused.status_code == 400
    assert_plain("refused NRM decision", refused.content.decode())


def officer_actor(user):
    from safeshare.accounts.actors import Actor

    return Actor.for_user(user)
