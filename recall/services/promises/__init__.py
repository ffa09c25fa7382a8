"""Promises: recording and rating them, and reading lists and scorecards."""
