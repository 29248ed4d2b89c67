"""SafeShare: the Migrant Victims Protocol, in practice."""
