"""The contact point a person is told to use, in the language they read.

A protection's contact point is stored in English, as the organisation's administrators set it or
as SafeShare wrote it when the protection opened ("West Midlands Police protocol officer", "…,
via the force control room", "the SafeShare duty protocol officer"). The words SafeShare wrote
are translated around the organisation's name; words an administrator typed are shown as typed.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext

_WRITTEN = re.compile(
    r"^(?P<organisation>.+?) protocol officer(?P<room>, via the force control room)?\.?$"
)
DUTY_OFFICER = "the SafeShare duty protocol officer"


def contact_in_words(contact_point: str) -> str:
    """``contact_point`` in the active language when SafeShare wrote it; else as typed."""
    text = contact_point.strip()
    if text == DUTY_OFFICER:
        return gettext("the SafeShare duty protocol officer")
    found = _WRITTEN.match(text)
    if found is None:
        return text
    organisation = found["organisation"]
    if found["room"]:
        return gettext(
            "the protocol officer at %(organisation)s, through the force control room"
        ) % {"organisation": organisation}
    return gettext("the protocol officer at %(organisation)s") % {"organisation": organisation}
