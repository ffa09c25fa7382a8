"""Commission pages about fraud patterns: sources per hour and flags (issue 18)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from recall.models import Role
from recall.security import roles_required
from recall.services.fraud import patterns

bp = Blueprint("fraud", __name__, url_prefix="/commission")


@bp.get("/petitions/<int:petition_id>/sources")
@roles_required(Role.COMMISSIONER)
def petition_sources(petition_id: int):
    """Per hour: the top sources by address block, e-mail domain and user agent; the flags."""
    hours = patterns.hourly_sources(current_user, petition_id)
    flags = patterns.flags_of(current_user, petition_id)
    return render_template(
        "commission/sources.html", petition_id=petition_id, hours=hours, flags=flags
    )
