"""Shared values and small helpers for the page tests."""

from __future__ import annotations

import html as html_lib
import re

from safeshare.accounts.models import User
from safeshare.kernel.wording import UUID
from safeshare.referrals.actions import LegalBasis

BASIS = LegalBasis(
    controller="Chief Constable of West Midlands Police",
    regime="uk_gdpr_part_2",
    lawful_basis="Public task",
    gateway="Immigration and Asylum Act 1999 s.20",
    agreement_id="DSA-2026-014",
    dpia_version="3.1",
)
AGREEMENT_NAME = "Home Office data-sharing agreement 2026"


def set_up_agreement(force, name: str = AGREEMENT_NAME) -> str:
    """The force's data-sharing agreement with the legal basis of ``BASIS``, set up by the
    operator as an administrator would; its slug, which the referral form posts."""
    from django.utils.text import slugify

    from safeshare.accounts.administration import operator_actor
    from safeshare.referrals.agreements import do_create_agreement
    from safeshare.referrals.models import DataSharingAgreement

    if not DataSharingAgreement.objects.filter(organisation=force, slug=slugify(name)).exists():
        do_create_agreement(
            operator_actor(force),
            force,
            name=name,
            controller=BASIS.controller,
            regime=BASIS.regime,
            lawful_basis=BASIS.lawful_basis,
            gateway=BASIS.gateway,
            reference=BASIS.agreement_id,
            dpia_version=BASIS.dpia_version,
        )
    return slugify(name)


VICTIM = {
    "given_names": "Fatema",
    "family_name": "Begum",
    "date_of_birth": "1991-03-14",
    "nationality": "BGD",
    "sex": "female",
}


def signed_in(client, user: User):
    client.force_login(user)
    return client


def error_summary(response) -> str:
    """The text of the GOV.UK error summary, or '' when there is none."""
    html = response.content.decode()
    if "govuk-error-summary" not in html:
        return ""
    start = html.index("govuk-error-summary")
    return html_lib.unescape(html[start : html.index("</ul>", start)])


def text(response) -> str:
    """The page's HTML with entities decoded, for plain-text assertions."""
    return html_lib.unescape(response.content.decode())


class FakeMatchResult:
    """Stands in for the matcher's result: only its explanation is used by the actions."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def explain(self) -> str:
        return "\n".join(self.lines)


def fake_matcher(monkeypatch, decision: str, protections=()) -> None:
    """Make the matcher find ``protections`` at ``decision`` (match, possible or none), so page
    tests do not depend on the trained model. The actions themselves run for real."""
    from safeshare.protocol.clearance import MatchCandidate, MatchDecision, MatchOutcome

    def match_subject(subject_ref: str, fields) -> tuple[MatchOutcome, FakeMatchResult]:
        candidates = tuple(
            MatchCandidate(
                identity_id=str(protection.person.identities.first().pk),
                protection_ids=(str(protection.pk),),
                score=9.5,
                decision=MatchDecision(decision),
            )
            for protection in protections
            if decision != "none"
        )
        outcome = MatchOutcome(
            subject_ref=subject_ref,
            decision=MatchDecision(decision if candidates else "none"),
            candidates=candidates,
            matcher_version="test",
        )
        lines = [
            f"{decision}; model test",
            "  Family name sounds the same (Begom ~ Begum)",
            "  Date of birth agrees exactly",
        ]
        return outcome, FakeMatchResult(lines)

    monkeypatch.setattr("safeshare.protocol.actions.match_subject", match_subject)


def panel(response) -> str:
    """The words of the page's confirmation panel, tags removed."""
    match = re.search(r'<div class="govuk-panel[^"]*">(.*?)</div>\s*</div>', text(response), re.S)
    assert match, "the page has no confirmation panel"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def shows_short_reference_only(words: str, record) -> bool:
    """``words`` name ``record`` by its short reference, and carry no UUID at all."""
    return record.reference in words and not UUID.search(words)
