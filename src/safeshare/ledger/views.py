"""The published log, without a token: ``/ledger/public/<path>`` (``publication``).

Read only; the same files ``safeshare ledger publish DIR`` writes for a static web server.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from safeshare.ledger import publication


@require_safe
def published(request: HttpRequest, path: str) -> HttpResponse:
    """One published file: checkpoint, checkpoints/<size>, keys, or a tile."""
    found = publication.static_file(path)
    if found is None:
        raise Http404("No such published file.")
    data, content_type = found
    response = HttpResponse(data, content_type=content_type)
    response["Access-Control-Allow-Origin"] = "*"
    # Full tiles never change; everything else (checkpoint, partial tiles) may.
    immutable = path.startswith("tile/") and ".p/" not in path
    response["Cache-Control"] = "public, max-age=31536000, immutable" if immutable else "no-cache"
    return response
