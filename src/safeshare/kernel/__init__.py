"""The kernel: what every layer above may import and that imports nothing of SafeShare's own.

Vocabularies (``roles``), the domain error base (``errors``), the transaction helper
(``transactions``) and the after-commit hook registry (``hooks``). No models.
"""
