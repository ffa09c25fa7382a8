"""Domain services: verb-named operations that flush but never commit (the caller commits once)."""
