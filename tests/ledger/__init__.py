"""Tests of the pure ledger core."""
