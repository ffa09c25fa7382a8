"""Register, log in, log out, change password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from recall.errors import Invalid
from recall.security import login_limit, login_required, public
from recall.services.accounts import users
from recall.web.actions import redirect_with, submit
from recall.web.auth.forms import (
    ChangePasswordForm,
    ConfirmRegistrationForm,
    LoginForm,
    LogoutForm,
    RegisterForm,
)
from recall.web.redirects import local_target

bp = Blueprint("auth", __name__)


def _safe_next(default: str) -> str:
    return local_target(request.args.get("next"), default)


@bp.route("/register", methods=["GET", "POST"])
@public
@login_limit
def register():
    form = RegisterForm()
    return submit(
        form,
        lambda: users.register_user(
            form.email.data, form.password.data, form.display_name.data, str(get_locale())
        ),
        done=lambda _r: redirect_with(
            _(
                "Thank you. We sent a message to %(email)s: follow its link to finish. "
                "If the address has an account already, the message says so instead.",
                email=form.email.data.strip(),
            ),
            url_for("auth.login"),
        ),
        page=lambda: render_template("auth/register.html", form=form),
    )


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
@public
@login_limit
def confirm_registration(token: str):
    form = ConfirmRegistrationForm()
    return submit(
        form,
        lambda: users.confirm_registration(token, form.password.data),
        done=_welcome,
        page=lambda: render_template("auth/confirm_registration.html", form=form),
    )


def _welcome(user):
    login_user(user)
    return redirect_with(_("Welcome! Your account is ready."), url_for("public.home"), 302)


def _authenticate(form: LoginForm):
    user = users.authenticate(form.email.data, form.password.data)
    if user is None:
        raise Invalid(_("Wrong e-mail or password."))
    return user


@bp.route("/login", methods=["GET", "POST"])
@public
@login_limit
def login():
    form = LoginForm()
    return submit(
        form,
        lambda: _authenticate(form),
        done=lambda user: _signed_in(user, form.remember.data),
        page=lambda: render_template("auth/login.html", form=form),
    )


def _signed_in(user, remember: bool):
    login_user(user, remember=remember)
    # A monitor lands on their organization's dashboard (issue 14); everyone else on the home page.
    home = "promises.monitor_dashboard" if user.has_role("monitor") else "public.home"
    return redirect(_safe_next(url_for(home)))


@bp.post("/logout")
@login_required
def logout():
    form = LogoutForm()
    return submit(
        form,
        lambda: users.end_sessions(current_user),
        done=lambda _r: _signed_out(),
        page=lambda: render_template("auth/logout.html", form=form),
    )


def _signed_out():
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("public.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    return submit(
        form,
        lambda: users.change_password(
            current_user, form.current_password.data, form.new_password.data
        ),
        done=lambda _r: _password_changed(),
        page=lambda: render_template("auth/change_password.html", form=form),
    )


def _password_changed():
    login_user(current_user._get_current_object())  # keep this session on the new session version
    return redirect_with(
        _("Your password has been changed; other sessions are signed out."),
        url_for("public.home"),
        302,
    )
