"""Forms for the oversight pages: the statistics filters and the policy comparison."""

from __future__ import annotations

from django import forms

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
