"""Petition pages: list, petition, its rule, opening, the initiative group, and the commission's decision."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from recall.i18n import format_day
from recall.models import Role
from recall.models.petition import PetitionState
from recall.notifications.mail import public_url
from recall.replica import lag_tolerant
from recall.rules.sheets import (
    MAX_SHEETS_PER_PRINT,
    SHEET_COLUMNS,
    SHEET_LINES,
    qr_svg,
    sheet_code,
)
from recall.security import login_required, public, roles_required
from recall.services.appeals.citations import citable_appeals, cited_appeals
from recall.services.deputies import directory
from recall.services.petitions import (
    deputy_answer,
    electorate,
    extensions,
    initiative,
    sheets,
)
from recall.services.petitions import lifecycle as petitions
from recall.services.petitions.states import state_label
from recall.services.promises import queries as promise_queries
from recall.services.rules import recall_rules
from recall.web.actions import redirect_with, submit
from recall.web.forms import ActionForm
from recall.web.page_cache import anonymous_cache
from recall.web.petitions.forms import (
    AnswerForm,
    ExtendForm,
    InviteForm,
    MemberIinForm,
    OpenPetitionForm,
    ReasonForm,
)
from recall.web.signing.forms import SignForm

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
bp.add_app_template_global(sheet_code, "sheet_code")
bp.add_app_template_global(electorate.electorate_basis_label, "electorate_basis_label")


def _viewer():
    return current_user if current_user.is_authenticated else None


def _petition_page(petition_id: int, **forms) -> str:
    petition = petitions.petition_for_page(petition_id)
    viewer = _viewer()
    membership = next((m for m in petition.members if viewer and m.user_id == viewer.id), None)
    context = {
        "petition": petition,
        "rule": petition.rule_version.to_rule(),
        "numbers": petitions.signature_numbers(petition, viewer),
        "basis": electorate.threshold_basis(petition, with_counts=True),
        "promises": petitions.cited_promises(petition),
        "appeals": cited_appeals(petition.id),
        "confirmed_members": petitions.confirmed_members(petition),
        "group_checks": _group_checks(petition),
        "extensions": extensions.shown_extensions(petition),
        "is_initiator": viewer is not None and petition.initiator_id == viewer.id,
        "membership": membership,
        "is_commissioner": viewer is not None and viewer.is_commissioner_of(petition.body_id),
        "answer_deadline": deputy_answer.answer_deadline(petition),
        "may_answer": deputy_answer.may_record_answer(viewer, petition),
        "answer_by_deputy": deputy_answer.answer_filed_by_deputy(petition),
        "S": PetitionState,
        # Blank and without a CSRF token of its own: the page may be shared (csrf_slot()).
        "sign_form": SignForm(formdata=None, meta={"csrf": False}),
    }
    return render_template("petitions/show.html", **context, **_forms(viewer, forms))


def _group_checks(petition):
    """Each member's check while the group matters (before registration), else None."""
    if petition.state in (PetitionState.GATHERING_GROUP, PetitionState.SUBMITTED):
        return initiative.member_checks(petition)
    return None


bp.add_app_template_global(initiative.check_label, "group_check_label")
bp.add_app_template_global(extensions.cause_label, "extension_cause_label")


def _forms(viewer, forms: dict) -> dict:
    """The page's forms, for a signed-in viewer only: an anonymous page carries no CSRF token, so
    the anonymous page cache can share it (its forms are only shown to members and commissioners)."""
    if viewer is None:
        return {}
    return {
        "invite_form": forms.get("invite_form") or InviteForm(formdata=None),
        "iin_form": forms.get("iin_form") or MemberIinForm(formdata=None),
        "reason_form": forms.get("reason_form") or ReasonForm(formdata=None),
        "action_form": forms.get("action_form") or ActionForm(formdata=None),
        "answer_form": forms.get("answer_form") or AnswerForm(formdata=None),
        "extend_form": forms.get("extend_form") or ExtendForm(formdata=None),
    }


@bp.get("/petitions")
@public
@lag_tolerant
@anonymous_cache
def list_petitions():
    filters = petitions.parse_filters(request.args)
    page = petitions.list_petitions(filters, request.args.get("page", type=int))
    return render_template(
        "petitions/list.html",
        page=page,
        filters=filters,
        states=list(PetitionState),
        counts=petitions.public_counts(page.items),
        S=PetitionState,
    )


@bp.get("/petitions/<int:petition_id>")
@public
@lag_tolerant
@anonymous_cache
def show_petition(petition_id: int):
    return _petition_page(petition_id)


@bp.get("/petitions/<int:petition_id>/rule")
@public
@lag_tolerant
def show_petition_rule(petition_id: int):
    petition = petitions.get_petition(petition_id)
    return render_template(
        "petitions/rule.html", petition=petition, rule=petition.rule_version.to_rule()
    )


def _open_page(deputy, form: OpenPetitionForm) -> str:
    return render_template(
        "petitions/open.html",
        form=form,
        deputy=deputy,
        eligibility=recall_rules.deputy_eligibility(deputy),
    )


@bp.route("/deputies/<int:deputy_id>/recall", methods=["GET", "POST"])
@login_required
def open_petition(deputy_id: int):
    deputy = directory.get_deputy(deputy_id)
    form = OpenPetitionForm()
    form.promise_ids.choices = [
        SelectChoice(p.id, p.title) for p in promise_queries.citable_promises(deputy.id)
    ]
    form.appeal_ids.choices = [SelectChoice(a.id, a.title) for a in citable_appeals(deputy.id)]
    return submit(
        form,
        lambda: petitions.open_petition(
            current_user, deputy.id, form.grounds.data, form.promise_ids.data, form.appeal_ids.data
        ),
        done=_opened,
        page=lambda: _open_page(deputy, form),
    )


def _opened(petition):
    return _to_petition(
        petition.id,
        _("Your petition is open. Invite the initiative group, then submit it to the commission."),
    )


def _to_petition(petition_id: int, message: str):
    return redirect_with(message, url_for("petitions.show_petition", petition_id=petition_id))


@bp.post("/petitions/<int:petition_id>/invite")
@login_required
def invite_member(petition_id: int):
    form = InviteForm()
    return submit(
        form,
        lambda: petitions.invite_member(current_user, petition_id, form.email.data),
        done=lambda _r: _to_petition(petition_id, _("Invitation sent.")),
        page=lambda: _petition_page(petition_id, invite_form=form),
    )


@bp.post("/petitions/<int:petition_id>/confirm")
@login_required
def confirm_membership(petition_id: int):
    form = MemberIinForm()
    return submit(
        form,
        lambda: petitions.confirm_membership(current_user, petition_id, form.iin.data),
        done=lambda _r: _to_petition(
            petition_id, _("You are now a member of the initiative group.")
        ),
        page=lambda: _petition_page(petition_id, iin_form=form),
    )


@bp.post("/petitions/<int:petition_id>/submit")
@login_required
def submit_petition(petition_id: int):
    form = ActionForm()
    return submit(
        form,
        lambda: petitions.submit_petition(current_user, petition_id),
        done=lambda _r: _to_petition(
            petition_id, _("The petition was submitted to the commission.")
        ),
        page=lambda: _petition_page(petition_id, action_form=form),
    )


@bp.post("/petitions/<int:petition_id>/withdraw")
@login_required
def withdraw_petition(petition_id: int):
    form = ReasonForm()
    return submit(
        form,
        lambda: petitions.withdraw_petition(current_user, petition_id, form.reason.data),
        done=lambda _r: _to_petition(petition_id, _("The petition was withdrawn.")),
        page=lambda: _petition_page(petition_id, reason_form=form),
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


@bp.route("/petitions/<int:petition_id>/register", methods=["GET", "POST"])
@roles_required(Role.COMMISSIONER)
def register_petition(petition_id: int):
    """GET asks "register it and open signing?"; the POST from that page registers."""
    petition = petitions.petition_to_register(current_user, petition_id)
    form = ActionForm()
    return submit(
        form,
        lambda: petitions.register_petition(current_user, petition_id),
        done=lambda _r: _to_petition(
            petition_id, _("The petition is registered: signing is open.")
        ),
        page=lambda: render_template("petitions/register.html", petition=petition, form=form),
    )


@bp.post("/petitions/<int:petition_id>/reject")
@roles_required(Role.COMMISSIONER)
def reject_petition(petition_id: int):
    form = ReasonForm()
    return submit(
        form,
        lambda: petitions.reject_petition(current_user, petition_id, form.reason.data),
        done=lambda _r: _to_petition(petition_id, _("The petition was rejected.")),
        page=lambda: _petition_page(petition_id, reason_form=form),
    )


@bp.post("/petitions/<int:petition_id>/answer")
@roles_required(Role.COMMISSIONER, Role.DEPUTY)
def record_deputy_answer(petition_id: int):
    form = AnswerForm()
    return submit(
        form,
        lambda: deputy_answer.record_deputy_answer(current_user, petition_id, form.answer.data),
        done=lambda _r: _to_petition(petition_id, _("The deputy's answer is recorded.")),
        page=lambda: _petition_page(petition_id, answer_form=form),
    )


@bp.post("/petitions/<int:petition_id>/extend")
@roles_required(Role.COMMISSIONER)
def extend_signing(petition_id: int):
    form = ExtendForm()
    return submit(
        form,
        lambda: extensions.extend_signing(
            current_user, petition_id, form.days.data, form.cause.data, form.description.data
        ),
        done=lambda ext: _to_petition(
            petition_id,
            _("The signing period is extended to %(date)s.", date=format_day(ext.closes_at)),
        ),
        page=lambda: _petition_page(petition_id, extend_form=form),
    )


@bp.get("/petitions/<int:petition_id>/sheet")
@public
@lag_tolerant
def print_sheet(petition_id: int):
    """Printable signature sheets (``?from=N&count=K``), one A4 page each: the grounds, the
    deputy's answer beside them, the sheet's number, numbered lines and a QR code to the petition."""
    petition = petitions.petition_for_page(petition_id)
    numbers = sheets.sheets_to_print(request.args.get("from"), request.args.get("count"))
    return render_template("petitions/sheet.html", sheets=numbers, **_sheet_context(petition))


def _sheet_context(petition) -> dict:
    url = public_url("petitions.show_petition", petition_id=petition.id)
    return {
        "petition": petition,
        "rule": petition.rule_version.to_rule(),
        "petition_url": url,
        "qr": Markup(qr_svg(url, title=_("QR code: %(url)s", url=url))),
        "sheet_columns": SHEET_COLUMNS,
        "sheet_lines": SHEET_LINES,
        "max_sheets": MAX_SHEETS_PER_PRINT,
    }
