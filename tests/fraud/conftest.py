"""Fraud-pattern tests reuse the signing fixtures (a collecting petition under a chosen rule)."""

from tests.signing.conftest import collecting_petition  # noqa: F401
