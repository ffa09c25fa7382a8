"""Administration: accounts and roles."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from recall.errors import DomainError
from recall.extensions import db
from recall.models import Role
from recall.security import roles_required
from recall.services.accounts import users
from recall.web.admin.forms import ROLE_LABELS, CreateAccountForm, GrantRoleForm
from recall.web.forms import attach_error

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@roles_required(Role.ADMIN)
def index():
    return redirect(url_for("admin.list_users"))


@bp.route("/users", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def list_users():
    form = GrantRoleForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = users.grant_role(
                current_user,
                form.email.data,
                form.role.data,
                organization=form.organization.data or None,
                body=form.body.data or None,
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc)
            status = 422
        else:
            flash(
                _(
                    "%(email)s is now %(role)s.",
                    email=user.email,
                    role=ROLE_LABELS[Role(form.role.data)],
                ),
                "success",
            )
            return redirect(url_for("admin.list_users"))
    elif form.is_submitted():
        status = 422
    page = users.list_users(request.args.get("page", 1, type=int), request.args.get("q"))
    return render_template(
        "admin/users.html", form=form, page=page, role_labels=ROLE_LABELS
    ), status


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def create_account():
    """The page counterpart of `flask users create`; roles are then granted on the accounts page."""
    form = CreateAccountForm()
    if form.validate_on_submit():
        try:
            user = users.create_account(
                current_user,
                form.email.data,
                form.password.data,
                form.display_name.data,
                admin=form.admin.data,
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc)
        else:
            flash(_("Account %(email)s created.", email=user.email), "success")
            return redirect(url_for("admin.list_users"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("admin/new_user.html", form=form), status


@bp.post("/users/<int:user_id>/revoke/<role>")
@roles_required(Role.ADMIN)
def revoke_role(user_id: int, role: str):
    target = db.session.get(users.User, user_id)
    if target is None:
        flash(_("No such account."), "error")
        return redirect(url_for("admin.list_users")), 303
    try:
        users.revoke_role(current_user, target.email, role)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    return redirect(url_for("admin.list_users"))
