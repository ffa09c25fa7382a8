"""Commission pages about fraud patterns: sources per hour and flags, bulk invalidation by
criteria (preview, tracked run, cancel), shadow bans (issue 18)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from recall.jobs import fraud as fraud_job
from recall.models import Role
from recall.security import roles_required
from recall.services.fraud import bans, collectors, invalidation, patterns
from recall.web.actions import submit
from recall.web.commission.forms import BanForm, CriteriaForm, InvalidationForm
from recall.web.forms import ActionForm

bp = Blueprint("fraud", __name__, url_prefix="/commission")


@bp.get("/petitions/<int:petition_id>/sources")
@roles_required(Role.COMMISSIONER)
def petition_sources(petition_id: int):
    """Per hour: the top sources by address block, e-mail domain and user agent; the flags."""
    return _sources_page(petition_id)


def _sources_page(petition_id: int, ban_form: BanForm | None = None):
    return render_template(
        "commission/sources.html",
        petition_id=petition_id,
        hours=patterns.hourly_sources(current_user, petition_id),
        flags=patterns.flags_of(current_user, petition_id),
        runs=invalidation.list_invalidations(current_user, petition_id),
        bans=bans.list_bans(current_user, petition_id),
        collectors=collectors.collector_stats(current_user, petition_id),
        form=InvalidationForm(formdata=None),
        ban_form=ban_form or BanForm(formdata=None),
        lift_form=ActionForm(formdata=None),
    )


def _preview_page(petition_id: int, form: InvalidationForm):
    preview = invalidation.preview_invalidation(current_user, petition_id, form.criteria())
    return render_template(
        "commission/invalidation_preview.html", petition_id=petition_id, preview=preview, form=form
    )


@bp.get("/petitions/<int:petition_id>/invalidations/preview")
@roles_required(Role.COMMISSIONER)
def preview_invalidation(petition_id: int):
    """The count and a sample of what the criteria match; the form to start the run."""
    criteria = CriteriaForm(request.args, meta={"csrf": False}).criteria()
    return _preview_page(petition_id, InvalidationForm(formdata=None, data=criteria))


@bp.post("/petitions/<int:petition_id>/invalidations")
@roles_required(Role.COMMISSIONER)
def start_invalidation(petition_id: int):
    form = InvalidationForm()
    return submit(
        form,
        lambda: fraud_job.start(current_user, petition_id, form.criteria(), form.reason.data),
        done=lambda run: redirect(url_for("fraud.show_invalidation", invalidation_id=run.id), 303),
        page=lambda: _preview_page(petition_id, form),
    )


@bp.get("/invalidations/<int:invalidation_id>")
@roles_required(Role.COMMISSIONER)
def show_invalidation(invalidation_id: int):
    """A run's progress (the page refreshes itself while it runs) and its cancel button."""
    run = invalidation.get_invalidation(current_user, invalidation_id)
    return render_template("commission/invalidation.html", run=run, form=ActionForm())


@bp.post("/invalidations/<int:invalidation_id>/cancel")
@roles_required(Role.COMMISSIONER)
def cancel_invalidation(invalidation_id: int):
    form = ActionForm()
    return submit(
        form,
        lambda: invalidation.cancel_invalidation(current_user, invalidation_id),
        done=lambda run: redirect(url_for("fraud.show_invalidation", invalidation_id=run.id), 303),
        page=lambda: show_invalidation(invalidation_id),
    )


@bp.post("/petitions/<int:petition_id>/bans")
@roles_required(Role.COMMISSIONER)
def ban_source(petition_id: int):
    """Shadow-ban one source (a block, an address or a domain) on the petition."""
    form = BanForm()
    return submit(
        form,
        lambda: bans.ban_source(current_user, petition_id, form.criteria(), form.reason.data),
        done=lambda _ban: redirect(url_for("fraud.petition_sources", petition_id=petition_id), 303),
        page=lambda: _sources_page(petition_id, form),
    )


@bp.post("/bans/<int:ban_id>/lift")
@roles_required(Role.COMMISSIONER)
def lift_ban(ban_id: int):
    form = ActionForm()
    return submit(
        form,
        lambda: bans.lift_ban(current_user, ban_id),
        done=lambda ban: redirect(
            url_for("fraud.petition_sources", petition_id=ban.petition_id), 303
        ),
        page=lambda: "",
    )
