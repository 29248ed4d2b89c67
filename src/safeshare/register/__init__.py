"""The register of protected identities in the database (a Django app).

It stores what the pure matching engine (``safeshare.matching``) searches: register entries
and their blocking-key posting lists (``models``, ``storage``), bulk imports, screens and
IE's background sweeps (``actions``, the only writer of its models; ``sweeps``, ``jobs``),
and the one function a clearance calls (``service.match_subject``). See
docs/adr/0005-register-storage.md and docs/adr/0012-register-app-and-resident-index.md.
"""
