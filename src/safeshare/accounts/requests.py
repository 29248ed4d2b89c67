"""The request a signed-in page receives, typed for the checker.

``AccessControlMiddleware`` lets a request reach a page that is not public only when its user is
signed in, so such a page's ``request.user`` is a ``User``, never ``AnonymousUser``. Pages declare
their request as ``AuthenticatedHttpRequest`` to say so (as the django-stubs documentation
recommends); at run time it is an ordinary ``HttpRequest``.
"""

from __future__ import annotations

from django.http import HttpRequest

from safeshare.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
