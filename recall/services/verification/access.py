"""Who may do the commission's work on a petition: its body's commissioners (or the server
operator, ``actor`` None), and the petitions on a commissioner's worklist."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from recall.errors import Forbidden
from recall.extensions import db
from recall.models.petition import Petition, PetitionState
from recall.models.user import User
from recall.services.lookup import get_or_raise


def require_commissioner(actor: User | None, body_id: int) -> None:
    """Raise Forbidden unless ``actor`` is a commissioner of ``body_id`` (None = the server operator)."""
    if actor is not None and not actor.is_commissioner_of(body_id):
        raise Forbidden(_("Only commissioners of this petition's body may do this."))


def get_petition(actor: User | None, petition_id: int) -> Petition:
    """A petition the actor may verify: NotFound or Forbidden otherwise."""
    petition = get_or_raise(Petition, petition_id, _("No such petition."))
    require_commissioner(actor, petition.body_id)
    return petition


def list_petitions(actor: User) -> list[Petition]:
    """Petitions of the actor's body past registration, newest first (the commission's worklist)."""
    if actor.commission_body_id is None:
        raise Forbidden(_("Only commissioners may do this."))
    return list(
        db.session.scalars(
            sa.select(Petition)
            .where(
                Petition.body_id == actor.commission_body_id,
                Petition.state.notin_([PetitionState.GATHERING_GROUP]),
            )
            .order_by(Petition.id.desc())
            .limit(200)
        )
    )
