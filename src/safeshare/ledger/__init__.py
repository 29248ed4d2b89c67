"""The ledger: a verifiable, append-only transparency log of disclosures and decisions.

The modules in this package are pure (no Django): ``merkle`` (RFC 6962 / RFC 9162 tree hashing and
proofs), ``entries`` (canonical entry encoding and the no-personal-data rule), ``checkpoint``
(C2SP signed-note checkpoints), ``receipts`` (inclusion receipts), ``export`` (the export
directory format) and ``verify`` (the standalone verifier, ``python -m safeshare.ledger.verify``).
See docs/ledger.md.
"""
