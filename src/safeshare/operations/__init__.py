"""Running SafeShare in production: health, readiness, metrics, database outages, API lockout."""
