"""The ledger: a verifiable, append-only transparency log of disclosures and decisions.

The pure core imports nothing from Django: ``merkle`` (RFC 6962 / RFC 9162 tree hashing and
proofs), ``entries`` (canonical entry encoding and the no-personal-data rule), ``checkpoint``
(C2SP signed-note checkpoints), ``receipts`` (inclusion receipts), ``export`` (the export
directory format) and ``verify`` (the standalone verifier, ``python -m safeshare.ledger.verify``).
The Django side wraps it: ``models``, ``actions`` (appending, in each action's transaction),
``storage`` (SQL), ``service`` (sequencing, checkpoints, proofs, receipts, verify, export),
``signing`` (keys), ``api`` and the ``safeshare ledger`` command. See docs/ledger.md.
"""
