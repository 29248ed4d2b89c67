"""``{% english_beside %}…{% endenglish_beside %}``: a block shown in the reader's language and,
when no qualified translator has reviewed that language, followed by the same block in English.

The English copy is drawn from ``english_context`` when the view gave one (the same values built
in English, see ``advice.languages.with_english``), under ``translation.override("en")``, and is
marked ``lang="en" dir="ltr"``. Its ``id``, ``data-testid`` and ARIA references are left out, so
that the page keeps one of each (ADR 0046). ``{% english_beside page %}`` starts the English copy
on a new page (for printed documents).
"""

from __future__ import annotations

import re

from django import template
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from safeshare.advice.languages import current_language

register = template.Library()

# Attributes that must stay unique on a page, or that point at one.
_UNIQUE_ATTRIBUTES = re.compile(
    r'\s(?:id|data-testid|for|aria-labelledby|aria-describedby|aria-controls)="[^"]*"'
)


_MAIN_HEADING = re.compile(r"<(/?)h1\b")


def english_copy(html: str) -> str:
    """``html`` without the attributes a page may hold once only, its main heading a level
    lower (the page has one main heading, in the reader's language)."""
    return _MAIN_HEADING.sub(r"<\1h2", _UNIQUE_ATTRIBUTES.sub("", html))


class EnglishBesideNode(template.Node):
    def __init__(self, nodelist: template.NodeList, page: bool) -> None:
        self.nodelist = nodelist
        self.page = page

    def render(self, context: template.Context) -> str:
        shown = self.nodelist.render(context)
        if not current_language().awaiting_review:
            return shown
        label = gettext("The same in English:")
        values = context.get("english_context") or {}
        with translation.override("en"), context.push(**values):
            english = self.nodelist.render(context)
        kind = " app-english-beside--page" if self.page else ""
        return format_html(
            '{}<div class="app-english-beside{}"><p class="app-english-beside__label">{}</p>'
            '<div lang="en" dir="ltr">{}</div></div>',
            shown,
            kind,
            label,
            mark_safe(english_copy(english)),  # noqa: S308 - rendered by the template engine
        )


@register.tag("english_beside")
def english_beside(parser: template.base.Parser, token: template.base.Token) -> EnglishBesideNode:
    bits = token.split_contents()
    if len(bits) > 2 or (len(bits) == 2 and bits[1] != "page"):
        raise template.TemplateSyntaxError("{% english_beside %} takes only the word 'page'")
    nodelist = parser.parse(("endenglish_beside",))
    parser.delete_first_token()
    return EnglishBesideNode(nodelist, page=len(bits) == 2)


@register.filter
def marked_english(value: object) -> str:
    """A name that stays in English (a policy's title), marked so for screen readers."""
    return format_html('<span lang="en" dir="ltr">{}</span>', value)
