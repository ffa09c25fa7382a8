"""Loading a row by id for a service, with the domain error every surface understands."""

from __future__ import annotations

from typing import TypeVar

from recall.errors import NotFound
from recall.extensions import db

M = TypeVar("M")


def get_or_raise(model: type[M], ident: int, message: str, field: str | None = None) -> M:
    """The ``model`` row with primary key ``ident``, or ``NotFound(message)``."""
    row = db.session.get(model, ident)
    if row is None:
        raise NotFound(message, field=field)
    return row
