"""The voters at the election of a district (issue 10): the figure a rule with the electorate
basis ``election`` counts (Philippines RA 9244 s. 70: registered voters at the election that
elected the official), and the election's date. Imports set them (``flask deputies import``
columns ``voters_at_election``, ``election_date``); an administrator corrects them on
``/admin/districts/<id>/election``. Audited (``district.election_figures``): a changed figure
changes the required number of every petition registered afterwards.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from recall.errors import Forbidden, Invalid
from recall.extensions import db
from recall.models import District, Role, User
from recall.models.base import utcnow
from recall.rules.numbers import is_int
from recall.services.audit import append_audit
from recall.services.lookup import get_or_raise


def set_election_figures(
    actor: User, district_id: int, voters: int | None, election_date: date | None
) -> District:
    """Set (or clear, with None) a district's ``voters_at_election`` and ``election_date``.

    Raises ``Forbidden`` unless ``actor`` is an administrator, ``NotFound`` for an unknown
    district, ``Invalid`` (naming the field) for a figure that is not a positive whole number or
    a date in the future; writes nothing then. Flushes.
    """
    if actor is None or not actor.has_role(Role.ADMIN):
        raise Forbidden(_("Only an administrator may change a district's election figures."))
    district = get_or_raise(District, district_id, _("No such district."))
    if voters is not None and (not is_int(voters) or voters < 1):
        raise Invalid(
            _("The voters at the election must be a whole number, 1 or more."),
            field="voters_at_election",
        )
    if election_date is not None and election_date > utcnow().date():
        raise Invalid(_("The election date cannot be in the future."), field="election_date")
    before = {
        "voters_at_election": district.voters_at_election,
        "election_date": district.election_date.isoformat() if district.election_date else None,
    }
    district.voters_at_election = voters
    district.election_date = election_date
    db.session.flush()
    append_audit(
        "district.election_figures",
        actor.id,
        "district",
        district.id,
        district.body_id,
        {
            "before": before,
            "voters_at_election": voters,
            "election_date": election_date.isoformat() if election_date else None,
        },
    )
    return district
