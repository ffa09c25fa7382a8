"""Petition pages: list, petition, its rule, opening, the initiative group, and the commission's decision."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError
from wtforms.fields.choices import SelectChoice

from recall.errors import DomainError, Forbidden, NotFound
from recall.extensions import db
from recall.models import Role
from recall.models.petition import PetitionState
from recall.security import login_required, public, roles_required
from recall.services.deputies import directory
from recall.services.petitions import lifecycle as petitions
from recall.services.petitions.states import state_label
from recall.services.rules import recall_rules
from recall.web.forms import attach_error
from recall.web.petitions.forms import ActionForm, InviteForm, OpenPetitionForm, ReasonForm

bp = Blueprint("petitions", __name__)


@bp.app_template_global("deputy_recall_panel")
def deputy_recall_panel(deputy) -> dict:
    """What the deputy page shows about recall: eligibility and the petitions against the deputy."""
    eligibility = recall_rules.deputy_eligibility(deputy)
    active = petitions.active_petition(deputy.id)
    return {
        "eligibility": eligibility,
        "petitions": petitions.deputy_petitions(deputy),
        "can_start": eligibility.allowed and active is None,
        "active": active,
    }


bp.add_app_template_global(state_label, "petition_state_label")


@bp.app_template_global("promise_url")
def promise_url(promise) -> str | None:
    """The page of a cited promise, if the promises area has one."""
    try:
        return url_for("promises.show_promise", promise_id=promise.id)
    except BuildError:
        return None


def _viewer():
    return current_user if current_user.is_authenticated else None


def _render_petition(petition, status: int = 200, **forms):
    viewer = _viewer()
    membership = next((m for m in petition.members if viewer and m.user_id == viewer.id), None)
    context = {
        "petition": petition,
        "rule": petition.rule_version.to_rule(),
        "numbers": petitions.signature_numbers(petition, viewer),
        "promises": petitions.cited_promises(petition),
        "confirmed_members": petitions.confirmed_members(petition),
        "is_initiator": viewer is not None and petition.initiator_id == viewer.id,
        "membership": membership,
        "is_commissioner": viewer is not None and viewer.is_commissioner_of(petition.body_id),
        "invite_form": forms.get("invite_form") or InviteForm(formdata=None),
        "reason_form": forms.get("reason_form") or ReasonForm(formdata=None),
        "action_form": forms.get("action_form") or ActionForm(formdata=None),
        "S": PetitionState,
    }
    return render_template("petitions/show.html", **context), status


@bp.get("/petitions")
@public
def list_petitions():
    filters = petitions.parse_filters(request.args)
    page = petitions.list_petitions(filters, request.args.get("page", type=int))
    return render_template(
        "petitions/list.html", page=page, filters=filters, states=list(PetitionState)
    )


@bp.get("/petitions/<int:petition_id>")
@public
def show_petition(petition_id: int):
    return _render_petition(petitions.get_petition(petition_id))


@bp.get("/petitions/<int:petition_id>/rule")
@public
def show_petition_rule(petition_id: int):
    petition = petitions.get_petition(petition_id)
    return render_template(
        "petitions/rule.html", petition=petition, rule=petition.rule_version.to_rule()
    )


@bp.route("/deputies/<int:deputy_id>/recall", methods=["GET", "POST"])
@login_required
def open_petition(deputy_id: int):
    deputy = directory.get_deputy(deputy_id)
    form = OpenPetitionForm()
    form.promise_ids.choices = [SelectChoice(p.id, p.title) for p in _deputy_promises(deputy)]
    status = 200
    if form.validate_on_submit():
        try:
            petition = petitions.open_petition(
                current_user, deputy.id, form.grounds.data, form.promise_ids.data
            )
        except DomainError as exc:
            if isinstance(exc, (Forbidden, NotFound)):
                raise
            db.session.rollback()
            attach_error(form, exc)
            status = exc.status_code
        else:
            db.session.commit()
            flash(
                _(
                    "Your petition is open. Invite the initiative group, then submit it to the commission."
                ),
                "success",
            )
            return redirect(url_for("petitions.show_petition", petition_id=petition.id), 303)
    elif form.is_submitted():
        status = 422
    return render_template(
        "petitions/open.html",
        form=form,
        deputy=deputy,
        eligibility=recall_rules.deputy_eligibility(deputy),
    ), status


def _deputy_promises(deputy) -> list:
    try:
        from recall.models.promise import Promise
    except ImportError:
        return []
    # Merged duplicates left the lists: cite the promise they were merged into.
    return list(
        db.session.scalars(
            db.select(Promise)
            .where(Promise.deputy_id == deputy.id, Promise.merged_into_id.is_(None))
            .order_by(Promise.id)
        )
    )


def _act(petition_id: int, form, action, success: str, form_name: str):
    """Run one petition action from a form; on a domain error re-render the petition page with it."""
    if not form.validate_on_submit():
        return _render_petition(petitions.get_petition(petition_id), 422, **{form_name: form})
    try:
        action(form)
    except DomainError as exc:
        if isinstance(exc, (Forbidden, NotFound)):
            raise
        db.session.rollback()
        attach_error(form, exc)
        return _render_petition(
            petitions.get_petition(petition_id), exc.status_code, **{form_name: form}
        )
    db.session.commit()
    flash(success, "success")
    return redirect(url_for("petitions.show_petition", petition_id=petition_id), 303)


@bp.post("/petitions/<int:petition_id>/invite")
@login_required
def invite_member(petition_id: int):
    return _act(
        petition_id,
        InviteForm(),
        lambda f: petitions.invite_member(current_user, petition_id, f.email.data),
        _("Invitation sent."),
        "invite_form",
    )


@bp.post("/petitions/<int:petition_id>/confirm")
@login_required
def confirm_membership(petition_id: int):
    return _act(
        petition_id,
        ActionForm(),
        lambda f: petitions.confirm_membership(current_user, petition_id),
        _("You are now a member of the initiative group."),
        "action_form",
    )


@bp.post("/petitions/<int:petition_id>/submit")
@login_required
def submit_petition(petition_id: int):
    return _act(
        petition_id,
        ActionForm(),
        lambda f: petitions.submit_petition(current_user, petition_id),
        _("The petition was submitted to the commission."),
        "action_form",
    )


@bp.post("/petitions/<int:petition_id>/withdraw")
@login_required
def withdraw_petition(petition_id: int):
    return _act(
        petition_id,
        ReasonForm(),
        lambda f: petitions.withdraw_petition(current_user, petition_id, f.reason.data),
        _("The petition was withdrawn."),
        "reason_form",
    )


@bp.get("/petitions/review")
@roles_required(Role.COMMISSIONER)
def review_petitions():
    return render_template(
        "petitions/review.html",
        petitions=petitions.petitions_awaiting_commission(current_user),
        action_form=ActionForm(formdata=None),
        reason_form=ReasonForm(formdata=None),
    )


@bp.post("/petitions/<int:petition_id>/register")
@roles_required(Role.COMMISSIONER)
def register_petition(petition_id: int):
    return _act(
        petition_id,
        ActionForm(),
        lambda f: petitions.register_petition(current_user, petition_id),
        _("The petition is registered: signing is open."),
        "action_form",
    )


@bp.post("/petitions/<int:petition_id>/reject")
@roles_required(Role.COMMISSIONER)
def reject_petition(petition_id: int):
    return _act(
        petition_id,
        ReasonForm(),
        lambda f: petitions.reject_petition(current_user, petition_id, f.reason.data),
        _("The petition was rejected."),
        "reason_form",
    )
