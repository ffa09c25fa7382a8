"""Whole numbers from untyped input (JSON, payloads, rule data): one place that refuses bools.

``bool`` is a subclass of ``int`` in Python, so ``isinstance(True, int)`` holds; a count of
``True`` voters or a petition id of ``true`` is a bug, never a number. Pure: no database, no Flask.
"""

import re
from typing import Final, TypeGuard

_DIGITS: Final = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() also accepts "²", int() does not


def is_int(value: object) -> TypeGuard[int]:
    """True for an ``int`` that is not a ``bool``."""
    return isinstance(value, int) and not isinstance(value, bool)


def check_count(name: str, value: object) -> None:
    """Raise ValueError naming ``name`` unless ``value`` is a non-negative int (not a bool)."""
    if not is_int(value):
        raise ValueError(f"{name} must be an int")
    if value < 0:
        raise ValueError(f"{name} must not be negative")


def int_or_none(value: object) -> int | None:
    """An integer given as a number or as a string of digits (spaces around ignored), else None.

    Bools, floats, negative numbers written as text and anything else are None.
    """
    if is_int(value):
        return value
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        return int(value.strip())
    return None
