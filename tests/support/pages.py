"""Page text for tests that look for a short code in a whole page.

A page carries random values (the CSP nonce, the form token) that can contain any short run of
letters and digits by chance. Tests that check a code is absent read the page without them.
"""

import re

_RANDOM_VALUES = re.compile(r'(nonce|name="csrfmiddlewaretoken" value)="[^"]*"')


def without_random_values(html: str) -> str:
    """The page with its nonces and form tokens left out."""
    return _RANDOM_VALUES.sub("", html)
