"""Recall rules in the database: presets, edited copies and the rule in force for a body."""
