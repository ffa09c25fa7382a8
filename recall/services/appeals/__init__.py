"""Constituent petitions (appeals)."""
