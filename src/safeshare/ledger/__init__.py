"""The ledger: a verifiable, append-only transparency log of disclosures and decisions.

The pure core imports nothing from Django: ``merkle`` (RFC 6962 / RFC 9162 tree hashing and
proofs), ``entries`` (canonical entry encoding and the no-personal-data rule), ``checkpoint``
(C2SP signed-note checkpoints), ``cosignature`` (witness cosignatures), ``tiles`` (C2SP
tlog-tiles, written and read), ``receipts`` (inclusion receipts), ``export`` (the export
directory format), ``verify`` (the standalone verifier, ``python -m safeshare.ledger.verify``)
and ``witness`` (the standalone witness, ``safeshare-witness``).
The Django side wraps it: ``models``, ``actions`` (appending, in each action's transaction),
``storage`` (SQL), ``service`` (sequencing, checkpoints, proofs, receipts, verify, export),
``signing`` (keys), ``witnessing`` (asking the witnesses), ``publication`` (checkpoints, keys
and tiles for everyone, ``/ledger/public/``), ``api`` and the ``safeshare ledger`` command.
See docs/ledger.md.
"""
