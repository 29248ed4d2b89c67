"""Forms for the oversight pages: the statistics and alerts filters and the policy comparison."""

from __future__ import annotations

from django import forms

from safeshare.kernel.dates import GovukMonthField
from safeshare.oversight.statistics import OFFENCE_CHOICES, Filters
from safeshare.protocol.policy import available_policies, load_policy


class FiltersForm(forms.Form):
    """Year, force and offence. Years are whole calendar years (see statistics.py)."""

    year = forms.TypedChoiceField(label="Year", coerce=int)
    force = forms.ChoiceField(label="Police force", required=False)
    offence = forms.ChoiceField(label="Offence", required=False)

    def __init__(
        self,
        data,
        *,
        years: list[int],
        forces: list[tuple[int, str, str]],
        with_force_and_offence: bool = True,
    ) -> None:
        super().__init__(data)
        # ``fields`` is typed as plain ``Field``s; these three are choice fields.
        self.fields["year"].choices = [(y, str(y)) for y in years]  # type: ignore[attr-defined]
        self.fields["force"].choices = [("", "All forces")] + [  # type: ignore[attr-defined]
            (c, n) for _, c, n in forces
        ]
        self.fields["offence"].choices = [("", "All offences"), *OFFENCE_CHOICES]  # type: ignore[attr-defined]
        self.default_year = years[0]
        if not with_force_and_offence:
            del self.fields["force"]
            del self.fields["offence"]

    def filters(self) -> Filters:
        """The chosen filters, or the defaults where the choice is not valid."""
        if self.is_bound and self.is_valid():
            data = self.cleaned_data
            return Filters(data["year"], data.get("force") or "", data.get("offence") or "")
        return Filters(self.default_year)


class AlertsFilterForm(forms.Form):
    """Which alerts to list: all or those not yet acknowledged, and the month they were raised
    in (typed in the GOV.UK date input's month and year boxes; empty for every month)."""

    show = forms.ChoiceField(
        label="Show",
        choices=[("all", "All alerts"), ("unacknowledged", "Not yet acknowledged")],
        required=False,
        error_messages={
            "invalid_choice": "Choose all alerts or those not yet acknowledged",
        },
    )
    month = GovukMonthField(
        label="Month raised (optional)",
        help_text="For example, 3 2026. Leave empty for every month.",
        required=False,
    )

    def shown(self) -> str:
        """The chosen ``show``, or ``all`` when none (or none valid) was chosen."""
        if self.is_valid():
            return self.cleaned_data.get("show") or "all"
        return "all"


def policy_choices() -> list[tuple[str, str]]:
    return [(pid, load_policy(pid).title) for pid in available_policies()]


class ComparisonForm(forms.Form):
    policy_a = forms.ChoiceField(label="Policy A (usually the policy in force)")
    policy_b = forms.ChoiceField(label="Policy B (the alternative)")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = policy_choices()
        # ``fields`` is typed as plain ``Field``s; these two are choice fields.
        self.fields["policy_a"].choices = choices  # type: ignore[attr-defined]
        self.fields["policy_b"].choices = choices  # type: ignore[attr-defined]

    def clean(self):
        data = super().clean()
        if data.get("policy_a") and data.get("policy_a") == data.get("policy_b"):
            self.add_error("policy_b", "Choose a different policy to compare with policy A")
        return data
