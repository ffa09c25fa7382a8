"""Administration: accounts and roles, fraud settings, election figures, body kinds."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from recall.models import Role
from recall.security import roles_required
from recall.services.accounts import users
from recall.services.deputies import body_kinds, directory, election_figures
from recall.services.fraud import settings as fraud_settings
from recall.web.actions import redirect_with, submit
from recall.web.admin.forms import (
    ROLE_LABELS,
    BodyKindForm,
    CreateAccountForm,
    ElectionFiguresForm,
    FraudSettingsForm,
    GrantRoleForm,
)
from recall.web.forms import ActionForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@roles_required(Role.ADMIN)
def index():
    return redirect(url_for("admin.list_users"))


def _users_page(form: GrantRoleForm) -> str:
    page = users.list_users(request.args.get("page", 1, type=int), request.args.get("q"))
    return render_template("admin/users.html", form=form, page=page, role_labels=ROLE_LABELS)


def _grant_form() -> GrantRoleForm:
    form = GrantRoleForm()
    form.set_choices(*users.role_choices())
    return form


def _grant(form: GrantRoleForm):
    return users.grant_role(
        current_user,
        form.email.data,
        form.role.data,
        organization=form.organization_name(),
        body=form.body.data or None,
        deputy=form.deputy.data or None,
    )


@bp.route("/users", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def list_users():
    form = _grant_form()
    return submit(
        form,
        lambda: _grant(form),
        done=lambda user: _to_users(
            _(
                "%(email)s is now %(role)s.",
                email=user.email,
                role=ROLE_LABELS[Role(form.role.data)],
            )
        ),
        page=lambda: _users_page(form),
    )


def _to_users(message: str):
    return redirect_with(message, url_for("admin.list_users"), 302)


def _create(form: CreateAccountForm):
    return users.create_account(
        current_user,
        form.email.data,
        form.password.data,
        form.display_name.data,
        admin=form.admin.data,
    )


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def create_account():
    """The page counterpart of `flask users create`; roles are then granted on the accounts page."""
    form = CreateAccountForm()
    return submit(
        form,
        lambda: _create(form),
        done=lambda user: _to_users(_("Account %(email)s created.", email=user.email)),
        page=lambda: render_template("admin/new_user.html", form=form),
    )


@bp.route("/users/<int:user_id>/revoke/<role>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def revoke_role(user_id: int, role: str):
    """GET asks "revoke this role from this person?"; only the POST from that page revokes."""
    target = users.get_user(user_id)
    if role not in set(Role):
        abort(404)
    label = ROLE_LABELS[Role(role)]
    form = ActionForm()
    return submit(
        form,
        lambda: users.revoke_role(current_user, target.email, role),
        done=lambda _r: _to_users(
            _("%(email)s is no longer %(role)s.", email=target.email, role=label)
        ),
        page=lambda: render_template(
            "admin/revoke.html", form=form, target=target, role=role, label=label
        ),
    )


@bp.route("/fraud", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def fraud_settings_page():
    """Flag share and rate, disposable e-mail policy: in force everywhere within seconds."""
    form = FraudSettingsForm(data=vars(fraud_settings.current_settings(fresh=True)))
    return submit(
        form,
        lambda: fraud_settings.update_settings(current_user, **_fraud_values(form)),
        done=lambda _s: redirect_with(
            _("Fraud settings saved."), url_for("admin.fraud_settings_page")
        ),
        page=lambda: render_template("admin/fraud.html", form=form),
    )


def _fraud_values(form: FraudSettingsForm) -> dict:
    share = form.flag_share.data
    return {
        "flag_share": float(share) if share is not None else None,
        "flag_min_count": form.flag_min_count.data,
        "flag_rate": form.flag_rate.data,
        "disposable_email": form.disposable_email.data,
        "rate_per_address": form.rate_per_address.data or "",
        "rate_per_domain": form.rate_per_domain.data or "",
        "rate_per_petition": form.rate_per_petition.data or "",
    }


@bp.route("/districts/<int:district_id>/election", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def district_election(district_id: int):
    """A district's voters at the election and its date (the ``election`` electorate basis)."""
    district = directory.get_district(district_id)
    form = ElectionFiguresForm(obj=district if request.method == "GET" else None)
    return submit(
        form,
        lambda: election_figures.set_election_figures(
            current_user, district.id, form.voters_at_election.data, form.election_date.data
        ),
        done=lambda d: redirect_with(
            _("The election figures of %(name)s are saved.", name=d.name),
            url_for("public.show_district", district_id=d.id),
        ),
        page=lambda: render_template("admin/district_election.html", form=form, district=district),
    )


@bp.get("/kinds")
@roles_required(Role.ADMIN)
def list_kinds():
    """The body kinds: names, jurisdiction, seat rule, default recall rule."""
    return render_template("admin/kinds.html", kinds=body_kinds.list_kinds())


def _kind_form(kind=None) -> BodyKindForm:
    form = BodyKindForm(
        data=BodyKindForm.data_of(kind) if kind and request.method == "GET" else None
    )
    form.set_choices(body_kinds.known_jurisdictions(), body_kinds.rule_choices())
    return form


def _to_kinds(message: str):
    return redirect_with(message, url_for("admin.list_kinds"))


@bp.route("/kinds/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def add_kind():
    """The page counterpart of ``flask deputies add-kind``."""
    form = _kind_form()
    return submit(
        form,
        lambda: body_kinds.add_kind(form.code.data or "", **form.values(), actor=current_user),
        done=lambda kind: _to_kinds(_("Body kind %(code)s added.", code=kind.code)),
        page=lambda: render_template("admin/kind.html", form=form, kind=None),
    )


@bp.route("/kinds/<int:kind_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_kind(kind_id: int):
    """Change a kind's names, jurisdiction, seat rule and default rule (its code stays)."""
    kind = body_kinds.get_kind_by_id(kind_id)
    form = _kind_form(kind)
    return submit(
        form,
        lambda: body_kinds.update_kind(current_user, kind.id, **form.values()),
        done=lambda k: _to_kinds(_("Body kind %(code)s saved.", code=k.code)),
        page=lambda: render_template("admin/kind.html", form=form, kind=kind),
    )
