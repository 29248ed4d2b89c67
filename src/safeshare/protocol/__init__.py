"""The protocol's rules as pure code: policies, referrals, protections, clearances, overrides.

Nothing in this package imports Django. The actions layer calls these functions inside its
transactions and records the policy id and version that every decision carries.
"""
