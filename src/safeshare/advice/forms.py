"""Forms: the facts behind advice, issuing letters and packs, safe contact, the victim's sign-in.

Staff forms are in English. The victim's sign-in form is translated.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

from safeshare.advice.eligibility import (
    Child,
    Facts,
    Jurisdiction,
    Means,
    NrmStage,
    OffenceCategory,
    Relationship,
    VisaCategory,
)
from safeshare.advice.languages import choices as language_choices
from safeshare.advice.models import ContactPreference, Delivery, SubjectAccessExemption
from safeshare.advice.passcodes import PASSCODE_DIGITS, normalise_passcode
from safeshare.cases.forms import GovukDateField
from safeshare.protocol.references import (
    ReferenceFormatError,
    is_valid_reference,
    normalise_reference,
)

YES, NO, NOT_KNOWN = "yes", "no", "not_known"
YES_NO_UNKNOWN = [(YES, "Yes"), (NO, "No"), (NOT_KNOWN, "Not known")]
NOT_KNOWN_CHOICE = (NOT_KNOWN, "Not known")

OFFENCE_LABELS = {
    OffenceCategory.DOMESTIC_ABUSE: "Domestic abuse",
    OffenceCategory.MODERN_SLAVERY_TRAFFICKING: "Modern slavery or trafficking",
    OffenceCategory.LABOUR_EXPLOITATION: "Labour exploitation",
    OffenceCategory.SEXUAL_OFFENCES: "Sexual violence",
    OffenceCategory.VIOLENCE_AGAINST_THE_PERSON: "Violence against the person",
    OffenceCategory.FORCED_MARRIAGE_OR_HONOUR_ABUSE: "Forced marriage or so-called honour abuse",
    OffenceCategory.HATE_CRIME: "Hate crime",
    OffenceCategory.OTHER: "Another crime",
}
RELATIONSHIP_LABELS = {
    Relationship.PARTNER: "Their partner",
    Relationship.FORMER_PARTNER: "A former partner",
    Relationship.PARTNERS_FAMILY: "Their partner's family",
    Relationship.OWN_FAMILY: "Their own family",
    Relationship.EMPLOYER: "Their employer",
    Relationship.OTHER_KNOWN_PERSON: "Someone else they know",
    Relationship.STRANGER: "A stranger",
}
VISA_LABELS = {
    VisaCategory.BRITISH_OR_SETTLED: "British, or settled (indefinite leave)",
    VisaCategory.REFUGEE_OR_PROTECTION: "Refugee or humanitarian protection",
    VisaCategory.EUSS_PRE_SETTLED: "Pre-settled status (EU Settlement Scheme)",
    VisaCategory.PARTNER_OF_BRITISH_OR_SETTLED: "Partner of a British or settled person",
    VisaCategory.PARTNER_OF_REFUGEE: "Partner of a refugee",
    VisaCategory.PARTNER_OF_EUSS_PRE_SETTLED: "Partner of someone with pre-settled status",
    VisaCategory.PARTNER_OF_ARMED_FORCES: "Partner of a member of the armed forces",
    VisaCategory.PARTNER_UNDER_APPENDIX_FM: "Partner visa, sponsor's status not known",
    VisaCategory.PARTNER_OF_SKILLED_WORKER: "Partner of a Skilled Worker",
    VisaCategory.PARTNER_OF_OTHER_WORKER: "Partner of another worker",
    VisaCategory.PARTNER_OF_STUDENT: "Partner of a student",
    VisaCategory.PARTNER_OF_GRADUATE: "Partner of a Graduate visa holder",
    VisaCategory.FIANCE: "Fiancé, fiancée or proposed civil partner",
    VisaCategory.EU_EUSS_ELIGIBLE: "Eligible for the EU Settlement Scheme but has not applied",
    VisaCategory.WORKER: "Worker",
    VisaCategory.STUDENT: "Student",
    VisaCategory.VISITOR: "Visitor",
    VisaCategory.ASYLUM_CLAIM_PENDING: "Has claimed asylum and is waiting",
    VisaCategory.OTHER_LEAVE: "Other permission",
    VisaCategory.NO_LEAVE: "Came without permission, or it has run out",
}
NRM_LABELS = {
    NrmStage.NONE: "Not referred",
    NrmStage.REFERRED: "Referred, waiting for a decision",
    NrmStage.POSITIVE_REASONABLE_GROUNDS: "Positive reasonable grounds decision",
    NrmStage.POSITIVE_CONCLUSIVE_GROUNDS: "Positive conclusive grounds decision",
    NrmStage.NEGATIVE: "Negative decision",
}
JURISDICTION_LABELS = {
    Jurisdiction.ENGLAND: "England",
    Jurisdiction.WALES: "Wales",
    Jurisdiction.SCOTLAND: "Scotland",
    Jurisdiction.NORTHERN_IRELAND: "Northern Ireland",
}
MEANS_LABELS = {
    Means.ENOUGH_TO_LIVE_ON: "Enough to live on",
    Means.LOW_INCOME: "A low income",
    Means.DESTITUTE: "No money or safe place to live",
}


@dataclass(frozen=True)
class Question:
    name: str
    kind: str  # "choice", "bool", "date", "number", "int"
    label: str
    help_text: str = ""
    labels: dict | None = None


QUESTIONS = (
    Question(
        "offence_category",
        "choice",
        "What crime is the person a victim of?",
        labels=OFFENCE_LABELS,
    ),
    Question(
        "relationship_to_perpetrator",
        "choice",
        "How does the person know the alleged perpetrator?",
        labels=RELATIONSHIP_LABELS,
    ),
    Question(
        "visa_category",
        "choice",
        "What permission to be in the UK does the person have now, or last had?",
        "For partners, choose the option that says who the sponsoring partner is.",
        labels=VISA_LABELS,
    ),
    Question(
        "relationship_broke_down_due_to_abuse",
        "bool",
        "Did a relationship with a partner end because of domestic abuse?",
    ),
    Question("abandoned_outside_uk", "bool", "Did their partner leave them outside the UK?"),
    Question(
        "trafficking_indicators", "bool", "Are there signs of trafficking or modern slavery?"
    ),
    Question(
        "nrm_stage",
        "choice",
        "Where are they in the National Referral Mechanism?",
        labels=NRM_LABELS,
    ),
    Question(
        "consents_to_nrm_referral",
        "bool",
        "If they are an adult: do they agree to be referred to the National Referral Mechanism?",
    ),
    Question(
        "first_responder_is_public_authority",
        "bool",
        "Are you recording this for a public authority?",
        "Police forces are.",
    ),
    Question("jurisdiction", "choice", "Where does the person live?", labels=JURISDICTION_LABELS),
    Question(
        "eea_or_swiss_national",
        "bool",
        "Are they a citizen of an EU or EEA country, or Switzerland?",
    ),
    Question(
        "uk_arrival_date",
        "date",
        "When did they start living in the UK?",
        "For example 27/3/2016. Leave it empty if not known.",
    ),
    Question(
        "years_residence",
        "number",
        "How many years have they lived in the UK without a long break?",
        "Leave it empty if not known.",
    ),
    Question("age", "int", "How old are they?", "Leave it empty if not known."),
    Question(
        "age_on_arrival",
        "int",
        "How old were they when they came to the UK?",
        "Leave it empty if not known.",
    ),
    Question(
        "means", "choice", "Do they have money and a safe place to live?", labels=MEANS_LABELS
    ),
    Question(
        "no_recourse_to_public_funds",
        "bool",
        "Does their permission say 'no recourse to public funds'?",
    ),
    Question(
        "fears_return", "bool", "Do they fear persecution or serious harm if they are sent back?"
    ),
    Question(
        "cooperating_with_police",
        "bool",
        "Are they helping the police investigation or a criminal case?",
    ),
    Question(
        "seeking_compensation", "bool", "Are they claiming compensation for the exploitation?"
    ),
    Question(
        "needs_help_to_recover",
        "bool",
        "Do they need help in the UK to recover from harm caused by exploitation?",
    ),
)
CHILD_ROWS = 3


def numeric_input(*, decimal: bool = False) -> forms.TextInput:
    """A text input for a number, as GOV.UK advises rather than ``type="number"``: the phone
    shows its number pad (``inputmode``), and nothing is lost to a scroll wheel or rounded."""
    return forms.TextInput(
        attrs={
            "class": "govuk-input--width-3",
            "inputmode": "decimal" if decimal else "numeric",
            "spellcheck": "false",
        }
    )


def _bool(value: str) -> bool | None:
    return {YES: True, NO: False}.get(value)


def _bool_choice(value: bool | None) -> str:
    return {True: YES, False: NO}.get(value, NOT_KNOWN)  # type: ignore[arg-type]


class FactsForm(forms.Form):
    """Every fact behind the advice, each answered explicitly ("Not known" is an answer)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for question in QUESTIONS:
            self.fields[question.name] = self._field(question)
        self.fields["has_children"] = forms.ChoiceField(
            label="Do they have children under 18?",
            choices=YES_NO_UNKNOWN,
            widget=forms.RadioSelect,
            error_messages={"required": "Say whether they have children under 18"},
        )
        for row in range(1, CHILD_ROWS + 1):
            self.fields[f"child_{row}_age"] = forms.IntegerField(
                label=f"Child {row}: age",
                required=False,
                min_value=0,
                max_value=17,
                widget=numeric_input(),
                error_messages={
                    "min_value": "Enter an age from 0 to 17",
                    "max_value": "Enter an age from 0 to 17",
                    "invalid": "Enter the age as a number",
                },
            )
            self.fields[f"child_{row}_years"] = forms.FloatField(
                label=f"Child {row}: years lived in the UK",
                required=False,
                min_value=0,
                max_value=18,
                widget=numeric_input(decimal=True),
                error_messages={"invalid": "Enter the years as a number"},
            )
            self.fields[f"child_{row}_settled"] = forms.ChoiceField(
                label=f"Child {row}: British or settled?",
                choices=YES_NO_UNKNOWN,
                initial=NOT_KNOWN,
                required=False,
            )

    @staticmethod
    def _field(question: Question) -> forms.Field:
        required = f"Answer: {question.label[0].lower()}{question.label[1:]}"
        if question.kind == "bool":
            return forms.ChoiceField(
                label=question.label,
                help_text=question.help_text,
                choices=YES_NO_UNKNOWN,
                widget=forms.RadioSelect,
                error_messages={"required": required},
            )
        if question.kind == "choice":
            choices = [(value.value, label) for value, label in (question.labels or {}).items()]
            return forms.ChoiceField(
                label=question.label,
                help_text=question.help_text,
                choices=[("", "Choose an answer"), NOT_KNOWN_CHOICE, *choices],
                error_messages={"required": required},
            )
        if question.kind == "date":
            return GovukDateField(
                label=question.label, help_text=question.help_text, required=False
            )
        if question.kind == "int":
            return forms.IntegerField(
                label=question.label,
                help_text=question.help_text,
                required=False,
                min_value=0,
                max_value=130,
                widget=numeric_input(),
                error_messages={
                    "invalid": "Enter a whole number",
                    "min_value": "Enter a number from 0 to 130",
                    "max_value": "Enter a number from 0 to 130",
                },
            )
        return forms.FloatField(
            label=question.label,
            help_text=question.help_text,
            required=False,
            min_value=0,
            max_value=130,
            widget=numeric_input(decimal=True),
            error_messages={
                "invalid": "Enter a number of years",
                "min_value": "Enter a number from 0 to 130",
                "max_value": "Enter a number from 0 to 130",
            },
        )

    @classmethod
    def initial_from(cls, facts: Facts) -> dict[str, object]:
        """Initial answers from stored facts (to issue a new pack from an old one)."""
        initial: dict[str, object] = {}
        for question in QUESTIONS:
            value = getattr(facts, question.name)
            if question.kind == "bool":
                initial[question.name] = _bool_choice(value)
            elif question.kind == "choice":
                initial[question.name] = value.value if value is not None else NOT_KNOWN
            else:
                initial[question.name] = value
        if facts.children is None:
            initial["has_children"] = NOT_KNOWN
        else:
            initial["has_children"] = YES if facts.children else NO
            for row, child in enumerate(facts.children[:CHILD_ROWS], 1):
                initial[f"child_{row}_age"] = child.age
                initial[f"child_{row}_years"] = child.years_residence
                initial[f"child_{row}_settled"] = _bool_choice(child.british_or_settled)
        return initial

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        if self.errors:
            return cleaned
        values: dict[str, object] = {}
        for question in QUESTIONS:
            value = cleaned.get(question.name)
            if question.kind == "bool":
                values[question.name] = _bool(str(value))
            elif question.kind == "choice":
                values[question.name] = None if value in (None, "", NOT_KNOWN) else value
            else:
                values[question.name] = value
        has_children = cleaned.get("has_children")
        if has_children == NO:
            values["children"] = ()
        elif has_children == YES:
            children = []
            for row in range(1, CHILD_ROWS + 1):
                age = cleaned.get(f"child_{row}_age")
                years = cleaned.get(f"child_{row}_years")
                settled = _bool(str(cleaned.get(f"child_{row}_settled") or NOT_KNOWN))
                if age is not None or years is not None or settled is not None:
                    children.append(
                        Child(age=age, years_residence=years, british_or_settled=settled)
                    )
            values["children"] = tuple(children) or (Child(),)
        else:
            values["children"] = None
        try:
            self.facts = Facts(**values)  # type: ignore[arg-type]
        except ValueError as error:
            raise forms.ValidationError(f"These answers do not fit together: {error}") from None
        return cleaned


class AdvicePackForm(FactsForm):
    """The facts, and the language and way the pack is given."""

    field_order = ["language", "channel"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"] = forms.ChoiceField(
            label="Which language should the pack be in?",
            choices=[("", "Choose a language"), *language_choices()],
            error_messages={"required": "Choose the language the person wants to read"},
        )
        self.fields["channel"] = forms.ChoiceField(
            label="How will the person get the pack?",
            help_text="Post and email only go to safe contact details you have recorded.",
            choices=[(d.value, d.label) for d in Delivery],
            widget=forms.RadioSelect,
            error_messages={"required": "Choose how the person will get the pack"},
        )
        self.order_fields(["language", "channel"])

    SECTIONS = (
        ("The pack", ("language", "channel")),
        (
            "The crime",
            (
                "offence_category",
                "relationship_to_perpetrator",
                "relationship_broke_down_due_to_abuse",
                "abandoned_outside_uk",
            ),
        ),
        (
            "Immigration status",
            (
                "visa_category",
                "eea_or_swiss_national",
                "uk_arrival_date",
                "years_residence",
                "age",
                "age_on_arrival",
                "no_recourse_to_public_funds",
                "fears_return",
            ),
        ),
        (
            "Trafficking and modern slavery",
            (
                "trafficking_indicators",
                "nrm_stage",
                "consents_to_nrm_referral",
                "first_responder_is_public_authority",
                "cooperating_with_police",
                "seeking_compensation",
                "needs_help_to_recover",
            ),
        ),
        (
            "Home, money and children",
            (
                "jurisdiction",
                "means",
                "has_children",
                *(
                    f"child_{row}_{part}"
                    for row in range(1, CHILD_ROWS + 1)
                    for part in ("age", "years", "settled")
                ),
            ),
        ),
    )

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fields in the order and groups the page shows them."""
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]


#: The advice pack's task list: each section is one short question page (slug, title).
PACK_TASKS = (
    ("pack", "Language and how it is given"),
    ("crime", "The crime"),
    ("status", "Immigration status"),
    ("trafficking", "Trafficking and modern slavery"),
    ("home", "Home, money and children"),
)


class PackSectionForm(AdvicePackForm):
    """One section of the advice pack's questions, in the order the page shows them. Whether
    the answers fit together is checked once every section is answered (``AdvicePackForm``)."""

    def __init__(self, *args, section: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        index = [slug for slug, _ in PACK_TASKS].index(section)
        self.section_title, names = self.SECTIONS[index]
        self.fields = {name: self.fields[name] for name in names}

    def clean(self) -> dict[str, object]:
        cleaned = forms.Form.clean(self)
        assert cleaned is not None
        return cleaned

    @classmethod
    def names(cls, section: str) -> tuple[str, ...]:
        index = [slug for slug, _ in PACK_TASKS].index(section)
        return cls.SECTIONS[index][1]


class ProtectionLetterForm(forms.Form):
    language = forms.ChoiceField(
        label="Which language should the letter be in?",
        choices=[("", "Choose a language"), *language_choices()],
        error_messages={"required": "Choose the language the person wants to read"},
    )
    delivery = forms.ChoiceField(
        label="How will the person get the letter?",
        help_text=(
            "A letter is only posted to a safe address you have recorded: never to an address "
            "the person shares with the alleged perpetrator."
        ),
        choices=[
            (Delivery.HANDED_OVER.value, Delivery.HANDED_OVER.label),
            (Delivery.POSTED.value, Delivery.POSTED.label),
            (Delivery.SUPPORT_ORGANISATION.value, Delivery.SUPPORT_ORGANISATION.label),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the person will get the letter"},
    )


class ContactPreferenceForm(forms.Form):
    """Safe contact and language (R28, R29), held apart from the case."""

    language = forms.ChoiceField(
        label="Which language does the person want to read?",
        choices=[("", "Choose a language"), *language_choices()],
        error_messages={"required": "Choose the language the person wants to read"},
    )
    interpreter_needed = forms.ChoiceField(
        label="Do they need an interpreter?",
        choices=[(YES, "Yes"), (NO, "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether they need an interpreter"},
    )
    interpreter_language = forms.CharField(
        label="Interpreter's language",
        required=False,
        max_length=100,
        help_text="Only if they need an interpreter. Include the dialect if it matters.",
    )
    address_shared_with_perpetrator = forms.ChoiceField(
        label="Does the person share their address with the alleged perpetrator?",
        help_text=(
            "Include anyone who could see their post for the alleged perpetrator. Nothing is "
            "ever posted to a shared address."
        ),
        choices=ContactPreference.Shared.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Say whether the address is shared with the alleged perpetrator"
        },
    )
    safe_channel = forms.ChoiceField(
        label="What is the safe way to contact them about their case?",
        choices=ContactPreference.Channel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a safe way to contact the person"},
    )
    safe_postal_address = forms.CharField(
        label="Safe postal address",
        required=False,
        max_length=500,
        help_text="Only an address the alleged perpetrator does not share.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    safe_phone = forms.CharField(label="Safe phone number", required=False, max_length=40)
    safe_email = forms.CharField(label="Safe email address", required=False, max_length=254)


NOT_FOR_A_REQUEST = "none"


class SubjectAccessForm(forms.Form):
    """The format of the export and, while advocates' requests about the person wait, which of
    them it answers (or that it answers none): only the export made for a request closes it."""

    format = forms.ChoiceField(
        label="Which format?",
        choices=[("pdf", "PDF, to print or send to the person"), ("json", "JSON, for systems")],
        widget=forms.RadioSelect,
        initial="pdf",
        error_messages={"required": "Choose a format"},
    )
    answers = forms.ChoiceField(
        label="Does this export answer an advocate's request?",
        help_text="The request you choose leaves the worklist, and shows when and by whom it "
        "was answered.",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the request this export answers, or say it answers none",
            "invalid_choice": "That request is no longer waiting. Choose again",
        },
    )

    def __init__(self, *args, waiting=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.waiting = {str(item.public_id): item for item in waiting}
        if not self.waiting:
            del self.fields["answers"]
            return
        self.fields["answers"].choices = [  # type: ignore[attr-defined]
            *(
                (
                    key,
                    f"Yes: the request from {item.requested_by_org.name}, asked "
                    f"{date_format(timezone.localtime(item.created_at), 'j F Y H:i')}",
                )
                for key, item in self.waiting.items()
            ),
            (NOT_FOR_A_REQUEST, "No: it is for another reason, and every request stays waiting"),
        ]

    def clean_answers(self):
        return self.waiting.get(self.cleaned_data["answers"])


EXEMPTION_ITEM_KINDS = [
    ("referral", "A referral"),
    ("clearance", "A clearance"),
    ("override", "An override"),
    ("identity", "An identity record"),
    ("party", "A role in a case"),
    ("register_entry", "A matching register entry"),
    ("contact_preference", "A safe contact preference"),
]


class ExemptionForm(forms.Form):
    """Withhold one item from subject access (R21, N7): the basis, the harm, a review date."""

    item_kind = forms.ChoiceField(
        label="What kind of item?",
        choices=EXEMPTION_ITEM_KINDS,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of item to withhold"},
    )
    item_id = forms.CharField(
        label="The item's identifier",
        help_text="As it appears in the export, for example the referral's id.",
        max_length=64,
        error_messages={"required": "Enter the identifier of the one item to withhold"},
    )
    basis = forms.ChoiceField(
        label="The basis in the Data Protection Act 2018",
        choices=SubjectAccessExemption.Basis.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the basis for withholding it"},
    )
    risk_assessment = forms.CharField(
        label="The harm withholding it prevents",
        help_text="Why giving this item now would prejudice the purpose the exemption protects. "
        "The person is told the basis, never this assessment.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        error_messages={"required": "Write the risk assessment"},
    )
    review_on = GovukDateField(
        label="Review by",
        help_text="For example, 27/3/2027.",
        error_messages={"required": "Enter the date by which the exemption must be reviewed"},
    )

    def clean_review_on(self):
        value = self.cleaned_data["review_on"]
        if value <= timezone.localdate():
            raise forms.ValidationError("The review date must be in the future")
        return value


class ExemptionReviewForm(forms.Form):
    review_on = GovukDateField(
        label="Next review by",
        help_text="For example, 27/3/2027.",
        error_messages={"required": "Enter the next review date"},
    )
    reasons = forms.CharField(
        label="Why it is still withheld",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Explain why the item is still withheld"},
    )


class ExemptionWithdrawForm(forms.Form):
    reasons = forms.CharField(
        label="Why the item is released",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Explain why the item is released"},
    )


class VictimSignInForm(forms.Form):
    """The victim signs in with the reference and passcode on their letter. No account."""

    reference = forms.CharField(
        label=gettext_lazy("Protection reference"),
        help_text=gettext_lazy(
            "It is on your letter. It starts with PR, for example PR-7K3D-QX9M-2VHT-A."
        ),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "characters",
                "dir": "ltr",
            }
        ),
        error_messages={"required": gettext_lazy("Enter your protection reference")},
    )
    passcode = forms.CharField(
        label=gettext_lazy("Passcode"),
        help_text=gettext_lazy("It is on your letter, under your reference. It has 12 numbers."),
        max_length=40,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "off", "inputmode": "numeric", "dir": "ltr"}
        ),
        error_messages={"required": gettext_lazy("Enter your passcode")},
    )

    def clean_reference(self) -> str:
        text = self.cleaned_data["reference"]
        message = gettext_lazy(
            "Enter the protection reference exactly as it is on your letter, for example "
            "PR-7K3D-QX9M-2VHT-A"
        )
        try:
            reference = normalise_reference(text)
        except ReferenceFormatError:
            raise forms.ValidationError(message) from None
        if not is_valid_reference(reference):
            raise forms.ValidationError(message)
        return reference

    def clean_passcode(self) -> str:
        digits = normalise_passcode(self.cleaned_data["passcode"])
        if len(digits) != PASSCODE_DIGITS:
            raise forms.ValidationError(
                gettext_lazy("Enter the 12 numbers of the passcode on your letter")
            )
        return digits
