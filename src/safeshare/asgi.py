"""ASGI entry point: the production server (``safeshare.server``) runs SafeShare through this."""

import os

from django.conf import settings
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeshare.settings")
application = get_asgi_application()

# Under ASGI each request's synchronous code runs in a thread of its own, so a connection kept
# open for reuse would be left behind with that thread: Django's documentation asks for
# persistent connections to be off (CONN_MAX_AGE 0) when serving through ASGI.
for _database in settings.DATABASES.values():
    _database["CONN_MAX_AGE"] = 0
