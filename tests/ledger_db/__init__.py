"""The ledger's Django side: sequencing, checkpoints, proofs, receipts, API, verify, export."""
