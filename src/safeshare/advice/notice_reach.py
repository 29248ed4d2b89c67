"""The safe contact recorded with the advice, as the notifications app's fallback."""

from __future__ import annotations

from safeshare.advice.actions import latest_contact_preference
from safeshare.advice.models import ContactPreference
from safeshare.notifications.actions import Reach
from safeshare.notifications.models import Channel
from safeshare.people.models import Person


def reach_from_advice(person: Person) -> Reach:
    """Where notices may go, from the safe contact recorded with the advice (R29)."""
    preference = latest_contact_preference(person)
    if preference is None:
        return Reach(Channel.NONE, withheld="No safe way to contact the person is recorded.")
    language = preference.language
    chosen = preference.safe_channel
    if chosen == ContactPreference.Channel.EMAIL and preference.safe_email:
        return Reach(Channel.EMAIL, recipient=preference.safe_email, language=language)
    if chosen == ContactPreference.Channel.PHONE and preference.safe_phone:
        return Reach(Channel.SMS, recipient=preference.safe_phone, language=language)
    if chosen == ContactPreference.Channel.POST:
        if preference.post_is_safe:
            return Reach(
                Channel.LETTER, recipient=preference.safe_postal_address, language=language
            )
        return Reach(
            Channel.LETTER,
            withheld="The postal address is shared with the alleged perpetrator, or may be.",
            language=language,
        )
    return Reach(
        Channel.NONE,
        withheld=f"The person chose contact {preference.get_safe_channel_display().lower()}; "
        "give notices that way.",
        language=language,
    )
