"""Register, log in, log out, change password."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from recall.errors import DomainError
from recall.extensions import db, limiter
from recall.security import login_required, public
from recall.services.accounts import users
from recall.web.auth.forms import ChangePasswordForm, LoginForm, RegisterForm
from recall.web.forms import attach_error
from recall.web.redirects import local_target

bp = Blueprint("auth", __name__)


def _safe_next(default: str) -> str:
    return local_target(request.args.get("next"), default)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = users.register_user(
                form.email.data, form.password.data, form.display_name.data, str(get_locale())
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc)
        else:
            login_user(user)
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(url_for("public.home"))
    return render_template(
        "auth/register.html", form=form
    ), 422 if form.errors or form.form_errors else 200


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = users.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(url_for("public.home")))
        form.form_errors.append(_("Wrong e-mail or password."))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("public.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            users.change_password(current_user, form.current_password.data, form.new_password.data)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc)
        else:
            login_user(
                current_user._get_current_object()
            )  # keep this session on the new session version
            flash(_("Your password has been changed; other sessions are signed out."), "success")
            return redirect(url_for("public.home"))
    return render_template(
        "auth/change_password.html", form=form
    ), 422 if form.errors or form.form_errors else 200
