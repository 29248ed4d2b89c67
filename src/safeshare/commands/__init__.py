"""Commands that span apps (``safeshare demo``, ``safeshare worker``): an edge, like ``web``."""
