"""Printable signature sheets and finding one again by its number (recall/rules/sheets.py)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from recall.errors import Forbidden, Invalid
from recall.extensions import db
from recall.models.petition import Petition
from recall.models.signature import Signature
from recall.models.user import User
from recall.rules.numbers import int_or_none
from recall.rules.sheets import MAX_SHEET, MAX_SHEETS_PER_PRINT, parse_sheet_code
from recall.services.lookup import get_or_raise


def sheets_to_print(first: str | None, count: str | None) -> range:
    """The sheet numbers asked for (``?from=&count=``; default sheet 1 alone); ``Invalid`` for a
    number that is not a whole number, or more than ``MAX_SHEETS_PER_PRINT`` sheets at once."""
    start = 1 if first in (None, "") else int_or_none(first)
    many = 1 if count in (None, "") else int_or_none(count)
    if start is None or not 1 <= start <= MAX_SHEET:
        raise Invalid(
            _("The first sheet must be a whole number from 1 to %(max)d.", max=MAX_SHEET),
            field="from",
        )
    if many is None or not 1 <= many <= MAX_SHEETS_PER_PRINT:
        raise Invalid(
            _("Print from 1 to %(max)d sheets at once.", max=MAX_SHEETS_PER_PRINT), field="count"
        )
    return range(start, min(start + many, MAX_SHEET + 1))


def find_sheet(actor: User, code: str | None) -> tuple[Petition, int, list[int]]:
    """The petition and sheet a printed code names (``12-7``), and the lines of that sheet already
    entered. ``Invalid`` for a code that is not one, ``NotFound`` for no such petition,
    ``Forbidden`` unless ``actor`` is a commissioner of its body."""
    parsed = parse_sheet_code(code)
    if parsed is None:
        raise Invalid(
            _("Type the number printed on the sheet, such as 12-7 (petition 12, sheet 7)."),
            field="code",
        )
    petition = get_or_raise(
        Petition, parsed[0], _("There is no petition No. %(id)d.", id=parsed[0])
    )
    if not actor.is_commissioner_of(petition.body_id):
        raise Forbidden(
            _("Only a commissioner of %(body)s enters its sheets.", body=petition.body.name)
        )
    lines = db.session.scalars(
        sa.select(Signature.paper_line)
        .where(Signature.petition_id == petition.id, Signature.paper_sheet == parsed[1])
        .order_by(Signature.paper_line)
    )
    return petition, parsed[1], list(lines)
