"""Statistics of the loop after a decision: notices to victims, what IE did after its
clearances, referrals the policy refused, and consents to sharing with IE. Same disclosure
control as every statistic."""

from __future__ import annotations

import statistics as pystats
from datetime import timedelta
from typing import cast

from django.conf import settings
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone

from safeshare.oversight.disclosure import MARGIN
from safeshare.oversight.statistics import (
    MIN_FOR_AVERAGES,
    MONTH_LABELS,
    SCOPE_NOTE_IE,
    Context,
    Counted,
    Filters,
    StatisticResult,
    _actions,
    _hours_text,
    _marker,
    _positions,
    _reviews_marker,
)
from safeshare.oversight.tables import matrix_table

NOTICE_EVENTS = (
    ("protection_opened", "Protection opened"),
    ("transition_notice", "End-of-protection notice"),
    ("protection_ended", "Protection ended"),
    ("protection_reactivated", "Protection active again"),
    ("case_update", "Case update"),
    ("advice_pack_ready", "Advice ready"),
)
NOTICE_STATUSES = (
    ("queued", "Waiting"),
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("failed", "Failed"),
    ("returned", "Returned"),
    ("withheld", "Not sent for safety"),
)
OUTCOMES = (
    ("valid", "Action taken on a valid clear"),
    ("invalid", "Action taken without a valid clear"),
    ("cancelled", "Cancelled"),
    ("not_reported", "Not reported yet"),
)
REFUSAL_RULES = (
    ("role_not_allowed", "Role not allowed by the policy"),
    ("role_in_other_case", "Protected role in another case"),
    ("jurisdiction_safe_reporting", "Safe reporting only: jurisdiction"),
    ("force_safe_reporting", "Safe reporting only: force"),
    ("no_trigger", "No reason recorded"),
    ("status_check_only", "Only to check immigration status"),
    ("status_doubt_only", "Only doubts about immigration status"),
    ("no_consent", "The person was not asked for consent"),
    ("consent_refused", "The person refused consent"),
    ("consent_withdrawn", "The person withdrew consent"),
    ("consent_not_free", "Consent possibly not freely given"),
)
CONSENT_STATES = (
    ("given", "Gave consent, still in force"),
    ("withdrawn", "Gave consent, later withdrew it"),
    ("not_freely_given", "Gave consent, possibly not freely given"),
    ("refused", "Refused consent"),
)
ROLES = (("victim", "Victim"), ("witness", "Witness"), ("dependant", "Dependant"))
HOLD_TARGET_STATES = (
    ("within_target", "Decided within the target"),
    ("late", "Decided after the target"),
    ("waiting", "Waiting, within the target"),
    ("overdue", "Waiting past the target"),
)


def _result(slug, title, description, table, cube, suppressed, scope_note=None):
    total_key = cube.total((MARGIN,))
    return StatisticResult(
        slug=slug,
        title=title,
        description=description,
        tables=[table],
        scope_note=scope_note,
        headline=None if total_key in suppressed else cube.values[total_key],
        headline_suppressed=total_key in suppressed,
    )


def notices(filters: Filters, context: Context) -> StatisticResult:
    from safeshare.notifications.models import Notification

    def build() -> Counted:
        event_position, status_position = _positions(NOTICE_EVENTS), _positions(NOTICE_STATUSES)
        counts: dict[tuple[int, ...], int] = {}
        rows = Notification.objects.filter(created_at__year=filters.year).values("event", "status")
        for row in rows.annotate(n=Count("id")).order_by():
            e, s = event_position.get(row["event"]), status_position.get(row["status"])
            if e is not None and s is not None:
                counts[(e, s)] = counts.get((e, s), 0) + row["n"]
        return Counted((len(NOTICE_EVENTS),), {"status": (len(NOTICE_STATUSES), counts)})

    cube, suppressed = context.cube(
        "notices",
        filters.year,
        build,
        lambda: _marker(Notification.objects, "sent_at", "delivered_at"),
    )
    table = matrix_table(
        slug="notices",
        title="Notices to protected people by kind and what became of them",
        row_heading="Notice",
        row_labels=NOTICE_EVENTS,
        column_labels=NOTICE_STATUSES,
        key=lambda r, c: cube.cell("status", (r,), c) if c != MARGIN else cube.total((r,)),
        values=cube.values,
        suppressed=suppressed,
        notes=(
            "A notice is not sent for safety when the person's only channel is unsafe, the "
            "address is shared with the alleged perpetrator, or no safe contact is recorded; "
            "the protocol officer gives it another way.",
        ),
    )
    return _result(
        "notices",
        "Notices to protected people",
        "Notices sent, delivered, failed and not sent for safety.",
        table,
        cube,
        suppressed,
    )


def clearance_outcomes(filters: Filters, context: Context) -> StatisticResult:
    from safeshare.protocol.models import Clearance, OutcomeReport

    def build() -> Counted:
        action_labels = _actions()
        action_position = _positions(action_labels)
        outcome_position = _positions(OUTCOMES)
        final = OutcomeReport.objects.filter(clearance=OuterRef("pk")).exclude(
            outcome=OutcomeReport.Outcome.NOT_YET
        )
        counts: dict[tuple[int, ...], int] = {}
        clearances = (
            Clearance.objects.filter(created_at__year=filters.year)
            .annotate(reported=Exists(final))
            .values("pk", "action_code", "reported")
        )
        reports = {
            r.clearance_id: r
            for r in OutcomeReport.objects.filter(
                clearance__created_at__year=filters.year
            ).exclude(outcome=OutcomeReport.Outcome.NOT_YET)
        }
        for row in clearances.iterator(chunk_size=5000):
            a = action_position.get(row["action_code"])
            if a is None:
                continue
            report = reports.get(row["pk"])
            if report is None:
                outcome = "not_reported"
            elif report.outcome == OutcomeReport.Outcome.CANCELLED:
                outcome = "cancelled"
            else:
                outcome = "valid" if report.valid_basis else "invalid"
            key = (a, outcome_position[outcome])
            counts[key] = counts.get(key, 0) + 1
        return Counted((len(action_labels),), {"outcome": (len(OUTCOMES), counts)})

    cube, suppressed = context.cube(
        "clearance-outcomes",
        filters.year,
        build,
        lambda: _marker(Clearance.objects, "decided_at") + "|" + _marker(OutcomeReport.objects),
    )
    table = matrix_table(
        slug="clearance-outcomes",
        title="Clearances by enforcement action and what Immigration Enforcement reported",
        row_heading="Enforcement action",
        row_labels=_actions(),
        column_labels=OUTCOMES,
        key=lambda r, c: cube.cell("outcome", (r,), c) if c != MARGIN else cube.total((r,)),
        values=cube.values,
        suppressed=suppressed,
        notes=(
            "A clear stands for the action asked about and for the hours the policy sets. An "
            "action taken without a valid clear also reached the oversight inbox at once.",
        ),
    )
    return _result(
        "clearance-outcomes",
        "What was done after clearances",
        "Actions taken on a valid clear, without one, cancelled, or not reported.",
        table,
        cube,
        suppressed,
        SCOPE_NOTE_IE,
    )


def refused_referrals(filters: Filters, context: Context) -> StatisticResult:
    from safeshare.referrals.models import RefusedReferral

    def build() -> Counted:
        rule_position, role_position = _positions(REFUSAL_RULES), _positions(ROLES)
        counts: dict[tuple[int, ...], int] = {}
        rows = RefusedReferral.objects.filter(created_at__year=filters.year).values_list(
            "rule_codes", "role"
        )
        for codes, role in rows.iterator(chunk_size=5000):
            r = role_position.get(role)
            for code in dict.fromkeys(codes):
                c = rule_position.get(code)
                if c is not None and r is not None:
                    counts[(c, r)] = counts.get((c, r), 0) + 1
        return Counted((len(REFUSAL_RULES),), {"role": (len(ROLES), counts)})

    cube, suppressed = context.cube(
        "refused-referrals",
        filters.year,
        build,
        lambda: _marker(RefusedReferral.objects),
    )
    table = matrix_table(
        slug="refused-referrals",
        title="Referrals the policy refused, by rule and role",
        row_heading="Rule that refused it",
        row_labels=REFUSAL_RULES,
        column_labels=ROLES,
        key=lambda r, c: cube.cell("role", (r,), c) if c != MARGIN else cube.total((r,)),
        values=cube.values,
        suppressed=suppressed,
        notes=(
            "Nothing about the person was sent. A referral refused by two rules is counted "
            "under each.",
        ),
    )
    return _result(
        "refused-referrals",
        "Refused referrals",
        "Referrals the policy did not allow, by the rule that refused them.",
        table,
        cube,
        suppressed,
    )


def _hold_state(created_at, resolved_at, now, target: timedelta) -> str:
    if resolved_at is not None:
        return "within_target" if resolved_at - created_at <= target else "late"
    return "waiting" if now - created_at <= target else "overdue"


def hold_times(filters: Filters, context: Context) -> StatisticResult:
    """Holds by the month they began and how their decision stood against the target time
    (``SAFESHARE_HOLD_TARGET_HOURS``), with the median and 90th percentile time to a decision
    when at least five were decided."""
    from safeshare.protocol.models import Review

    target = timedelta(hours=settings.SAFESHARE_HOLD_TARGET_HOURS)

    def build() -> Counted:
        now = timezone.now()
        state_position = _positions(HOLD_TARGET_STATES)
        counts: dict[tuple[int, ...], int] = {}
        hours: list[float] = []
        rows = Review.objects.filter(created_at__year=filters.year).values_list(
            "created_at", "resolved_at"
        )
        for created_at, resolved_at in rows.iterator(chunk_size=5000):
            if resolved_at is not None:
                hours.append((resolved_at - created_at).total_seconds() / 3600)
            month = timezone.localtime(created_at).month - 1
            key = (month, state_position[_hold_state(created_at, resolved_at, now, target)])
            counts[key] = counts.get(key, 0) + 1
        extras: dict[str, object] = {"decided": len(hours)}
        if len(hours) >= MIN_FOR_AVERAGES:
            ordered = sorted(hours)
            extras["median_hours"] = pystats.median(ordered)
            extras["p90_hours"] = ordered[round(0.9 * (len(ordered) - 1))]
        return Counted((len(MONTH_LABELS),), {"state": (len(HOLD_TARGET_STATES), counts)}, extras)

    cube, suppressed = context.cube("hold-times", filters.year, build, _reviews_marker)
    extras = context.counted[("hold-times", filters.year)].extras
    table = matrix_table(
        slug="hold-times",
        title="Holds by month and time to a decision against the target",
        row_heading="Month the hold began",
        row_labels=MONTH_LABELS,
        column_labels=HOLD_TARGET_STATES,
        key=lambda r, c: cube.cell("state", (r,), c) if c != MARGIN else cube.total((r,)),
        values=cube.values,
        suppressed=suppressed,
        notes=(
            f"The target is a protocol officer's decision within "
            f"{settings.SAFESHARE_HOLD_TARGET_HOURS} hours. A hold past it is escalated to the "
            "force's protocol officers and to oversight.",
        ),
    )
    result = _result(
        "hold-times",
        "Holds' time to a decision",
        "Possible matches decided within the target time, after it, or still waiting.",
        table,
        cube,
        suppressed,
        SCOPE_NOTE_IE,
    )
    result.facts = [("Target", f"{settings.SAFESHARE_HOLD_TARGET_HOURS} hours")]
    if "median_hours" in extras:
        result.facts += [
            ("Median time to a decision", _hours_text(cast(float, extras["median_hours"]))),
            ("90% decided within", _hours_text(cast(float, extras["p90_hours"]))),
        ]
    elif extras.get("decided"):
        result.facts.append(
            ("Median time to a decision", "Not shown: fewer than 5 holds were decided")
        )
    return result


def consent_state(answer: str, withdrawn: bool, not_freely_given: bool) -> str:
    """Where a person's answer stands now: a refusal stays a refusal; a consent given may since
    have been withdrawn or marked as possibly not freely given."""
    if answer == "refused":
        return "refused"
    if withdrawn:
        return "withdrawn"
    if not_freely_given:
        return "not_freely_given"
    return "given"


def consents(filters: Filters, context: Context) -> StatisticResult:
    from safeshare.referrals.models import Consent

    def build() -> Counted:
        state_position, role_position = _positions(CONSENT_STATES), _positions(ROLES)
        counts: dict[tuple[int, ...], int] = {}
        rows = (
            Consent.objects.filter(asked_at__year=filters.year)
            .annotate(
                withdrawn=ExpressionWrapper(
                    Q(withdrawn_at__isnull=False), output_field=BooleanField()
                )
            )
            .values("answer", "not_freely_given", "withdrawn", "party__role")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            state = consent_state(row["answer"], bool(row["withdrawn"]), row["not_freely_given"])
            c, r = state_position[state], role_position.get(row["party__role"])
            if r is not None:
                counts[(c, r)] = counts.get((c, r), 0) + row["n"]
        return Counted((len(CONSENT_STATES),), {"role": (len(ROLES), counts)})

    cube, suppressed = context.cube(
        "consents",
        filters.year,
        build,
        # A doubt recorded later changes a flag and no date: counted into the marker.
        lambda: (
            _marker(Consent.objects, "withdrawn_at")
            + f",{Consent.objects.filter(not_freely_given=True).count()}"
        ),
    )
    table = matrix_table(
        slug="consents",
        title="Consents to sharing with Immigration Enforcement, by answer and role",
        row_heading="Answer",
        row_labels=CONSENT_STATES,
        column_labels=ROLES,
        key=lambda r, c: cube.cell("role", (r,), c) if c != MARGIN else cube.total((r,)),
        values=cube.values,
        suppressed=suppressed,
        notes=(
            "Every time a person was asked in the year. The total is the number asked; the "
            "first three rows are those who gave consent.",
            "Consent possibly not freely given: the suspect, or someone connected to them, "
            "was there when they were asked, or an officer recorded a doubt. It blocks sharing.",
        ),
    )
    return _result(
        "consents",
        "Consent to sharing",
        "People asked whether their details may be shared with Immigration Enforcement, and "
        "what they answered.",
        table,
        cube,
        suppressed,
    )
