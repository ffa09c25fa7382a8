"""Following, unsubscribing, webhook endpoints and failed deliveries."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from recall.errors import DomainError, Invalid
from recall.extensions import csrf, db
from recall.models import Role
from recall.security import login_required, public, roles_required
from recall.services.notifications import endpoints, follows
from recall.web.forms import attach_error
from recall.web.notifications.forms import EmptyForm, FollowForm, WebhookForm
from recall.web.redirects import local_target

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.app_template_global()
def current_follow(target_type: str, target_id: int):
    """The signed-in user's follow of a target, for the follow button."""
    if not current_user.is_authenticated:
        return None
    return follows.find_follow(current_user, target_type, target_id)


def _back():
    return redirect(local_target(request.form.get("next"), url_for("public.home")), 303)


def _commit_or_flash(action, success: str) -> None:
    """Run one service call, commit, and flash its outcome (a domain error rolls back)."""
    try:
        action()
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        flash(success, "success")


@bp.post("/follow/<target_type>/<int:target_id>")
@login_required
def follow(target_type: str, target_id: int):
    form = FollowForm()
    if not form.validate_on_submit():
        flash(_("Choose e-mail or nothing."), "error")
    else:
        _commit_or_flash(
            lambda: follows.follow(current_user, target_type, target_id, form.channel.data),
            _("You follow this now."),
        )
    return _back()


@bp.post("/unfollow/<target_type>/<int:target_id>")
@login_required
def unfollow(target_type: str, target_id: int):
    if EmptyForm().validate_on_submit():
        _commit_or_flash(
            lambda: follows.unfollow(current_user, target_type, target_id),
            _("You no longer follow this."),
        )
    return _back()


@bp.get("/unsubscribe/<token>")
@public
def unsubscribe(token: str):
    try:
        row = follows.follow_for_token(token)
    except Invalid as exc:
        return render_template("notifications/unsubscribe.html", error=exc.message, done=False), 400
    return render_template("notifications/unsubscribe.html", follow=row, done=False, token=token)


# Mail programs post here without a CSRF token (RFC 8058 one-click); the signed token is the proof.
@bp.post("/unsubscribe/<token>")
@public
@csrf.exempt
def confirm_unsubscribe(token: str):
    try:
        follows.unsubscribe(token)
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        return render_template("notifications/unsubscribe.html", error=exc.message, done=False), 400
    return render_template("notifications/unsubscribe.html", done=True)


@bp.route("/webhooks", methods=["GET", "POST"])
@roles_required(Role.MONITOR, Role.ADMIN)
def list_webhooks():
    form = WebhookForm()
    status, created = 200, None
    if form.validate_on_submit():
        try:
            created = endpoints.register_endpoint(current_user, form.url.data)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc)
            status = 422
    elif form.is_submitted():
        status = 422
    return render_template(
        "notifications/webhooks.html",
        form=form,
        created=created,
        endpoints=endpoints.list_endpoints(current_user),
        action_form=EmptyForm(),
    ), status


@bp.post("/webhooks/<int:endpoint_id>/deactivate")
@roles_required(Role.MONITOR, Role.ADMIN)
def deactivate_webhook(endpoint_id: int):
    if EmptyForm().validate_on_submit():
        _commit_or_flash(
            lambda: endpoints.deactivate_endpoint(current_user, endpoint_id),
            _("Webhook deactivated."),
        )
    return redirect(url_for("notifications.list_webhooks"), 303)


@bp.get("/admin/deliveries")
@roles_required(Role.ADMIN)
def list_failed_deliveries():
    page = endpoints.list_failed_deliveries(current_user, request.args.get("page", 1, type=int))
    return render_template("notifications/failed.html", page=page, form=EmptyForm())


@bp.post("/admin/deliveries/<int:delivery_id>/resend")
@roles_required(Role.ADMIN)
def resend_delivery(delivery_id: int):
    if EmptyForm().validate_on_submit():
        _commit_or_flash(
            lambda: endpoints.resend_delivery(current_user, delivery_id),
            _("Delivery %(id)s is being sent again.", id=delivery_id),
        )
    return redirect(url_for("notifications.list_failed_deliveries"), 303)
