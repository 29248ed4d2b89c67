"""Static files as production serves them: WhiteNoise finds every file once, when the
application starts (the rest of the suite looks each file up when asked, to start faster)."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/static/safeshare/application.css", "text/css"),
        ("/static/safeshare/application.mjs", "javascript"),
        ("/static/safeshare/favicon.svg", "image/svg+xml"),
    ],
)
def test_the_pages_assets_are_served(settings, path, kind):
    settings.WHITENOISE_AUTOREFRESH = False
    response = Client().get(path)
    assert response.status_code == 200
    assert kind in response["Content-Type"]
    assert "max-age" in response["Cache-Control"]
    assert b"".join(response.streaming_content)


def test_a_missing_static_file_is_not_found(settings):
    settings.WHITENOISE_AUTOREFRESH = False
    assert Client().get("/static/safeshare/no-such-file.css").status_code == 404
