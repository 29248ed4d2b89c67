"""Criminal cases, the people in them and their roles, and the case lifecycle."""
