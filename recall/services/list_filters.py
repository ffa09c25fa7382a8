"""Reading list filters from a query string, shared by the listing services (petitions, appeals).

Each list checks its ``state`` against the states it may show and its row-id filters (deputy,
body, district) the same way; a bad value raises ``Invalid`` naming the field, so pages and the
API answer it alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from flask_babel import gettext as _

from recall.errors import Invalid
from recall.services.pagination import MAX_ROW_ID


def parse_state(args: Mapping[str, str], allowed: Sequence[str]) -> str | None:
    """The ``state`` argument, or None when absent or empty; ``Invalid`` (field ``state``)
    listing ``allowed`` in the given order when it is not one of them."""
    state = args.get("state") or None
    if state is not None and state not in allowed:
        raise Invalid(
            _(
                "Unknown state %(state)s: use one of %(states)s.",
                state=state,
                states=", ".join(allowed),
            ),
            field="state",
        )
    return state


def parse_row_ids(args: Mapping[str, str], names: Iterable[str]) -> dict[str, int | None]:
    """Each of ``names`` as a row id (1 to ``MAX_ROW_ID``), or None when absent or empty.
    The names are checked in the given order: the first bad one raises ``Invalid`` naming it."""
    values: dict[str, int | None] = {}
    for name in names:
        raw = args.get(name) or None
        if raw is not None and not (
            str(raw).isascii() and str(raw).isdigit() and 0 < int(raw) <= MAX_ROW_ID
        ):
            raise Invalid(_("%(name)s must be a positive whole number.", name=name), field=name)
        values[name] = int(raw) if raw is not None else None
    return values
