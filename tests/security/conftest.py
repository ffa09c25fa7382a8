"""Fixtures for the security tests: the signing fixtures, and an ``app_config`` tests can parametrize."""

from __future__ import annotations

import pytest

from tests.signing.conftest import collecting_petition  # noqa: F401  (a fixture)


@pytest.fixture
def app_config(request):
    """``{}`` unless a test passes its own with ``@pytest.mark.parametrize(..., indirect=True)``."""
    return getattr(request, "param", {})
