"""Following, unsubscribing, webhook endpoints and failed deliveries."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from recall.extensions import csrf
from recall.models import Role
from recall.security import login_required, public, roles_required
from recall.services.notifications import endpoints, follows, webhook_activity
from recall.web.actions import redirect_with, submit
from recall.web.notifications.forms import EmptyForm, FollowForm, UnsubscribeForm, WebhookForm
from recall.web.redirects import local_target

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.app_template_global()
def current_follow(target_type: str, target_id: int):
    """The signed-in user's follow of a target, for the follow button."""
    if not current_user.is_authenticated:
        return None
    return follows.find_follow(current_user, target_type, target_id)


def _back_url() -> str:
    return local_target(request.form.get("next"), url_for("public.home"))


def _follow_page(form, button: str) -> str:
    """A follow or unfollow button posted from another page, again with its errors."""
    return render_template("notifications/follow.html", form=form, button=button, back=_back_url())


@bp.post("/follow/<target_type>/<int:target_id>")
@login_required
def follow(target_type: str, target_id: int):
    form = FollowForm()
    return submit(
        form,
        lambda: follows.follow(current_user, target_type, target_id, form.channel.data),
        done=lambda _r: redirect_with(_("You follow this now."), _back_url()),
        page=lambda: _follow_page(form, _("Follow")),
    )


@bp.post("/unfollow/<target_type>/<int:target_id>")
@login_required
def unfollow(target_type: str, target_id: int):
    form = EmptyForm()
    return submit(
        form,
        lambda: follows.unfollow(current_user, target_type, target_id),
        done=lambda _r: redirect_with(_("You no longer follow this."), _back_url()),
        page=lambda: _follow_page(form, _("Unfollow")),
    )


@bp.get("/unsubscribe/<token>")
@public
def unsubscribe(token: str):
    row = follows.follow_for_token(token)  # a bad link answers 400
    return _unsubscribe_page(token, UnsubscribeForm(formdata=None), follow=row)


def _unsubscribe_page(token: str, form, follow=None, done: bool = False) -> str:
    return render_template(
        "notifications/unsubscribe.html", token=token, form=form, follow=follow, done=done
    )


# Mail programs post here without a CSRF token (RFC 8058 one-click); the signed token is the proof.
@bp.post("/unsubscribe/<token>")
@public
@csrf.exempt
def confirm_unsubscribe(token: str):
    follows.follow_for_token(token)  # a bad link answers 400, as on the page that asks
    form = UnsubscribeForm()
    return submit(
        form,
        lambda: follows.unsubscribe(token),
        done=lambda _r: _unsubscribe_page(token, form, done=True),
        page=lambda: _unsubscribe_page(token, form),
    )


@bp.route("/webhooks", methods=["GET", "POST"])
@roles_required(Role.MONITOR, Role.ADMIN)
def list_webhooks():
    form = WebhookForm()
    return submit(
        form,
        lambda: endpoints.register_endpoint(current_user, form.url.data),
        done=lambda created: _webhooks_page(WebhookForm(formdata=None), created=created),
        page=lambda: _webhooks_page(form),
    )


def _webhooks_page(form, action_form=None, created=None) -> str:
    return render_template(
        "notifications/webhooks.html",
        form=form,
        created=created,
        overview=webhook_activity.webhook_overview(current_user),
        action_form=action_form or EmptyForm(formdata=None),
    )


@bp.post("/webhooks/<int:endpoint_id>/test")
@roles_required(Role.MONITOR, Role.ADMIN)
def test_webhook(endpoint_id: int):
    form = EmptyForm()
    return submit(
        form,
        lambda: webhook_activity.send_test_delivery(current_user, endpoint_id),
        done=lambda _r: redirect_with(
            _("A test delivery is on its way; its status appears below."),
            url_for("notifications.list_webhooks"),
        ),
        page=lambda: _webhooks_page(WebhookForm(formdata=None), action_form=form),
    )


@bp.post("/webhooks/<int:endpoint_id>/deactivate")
@roles_required(Role.MONITOR, Role.ADMIN)
def deactivate_webhook(endpoint_id: int):
    form = EmptyForm()
    return submit(
        form,
        lambda: endpoints.deactivate_endpoint(current_user, endpoint_id),
        done=lambda _r: redirect_with(
            _("Webhook deactivated."), url_for("notifications.list_webhooks")
        ),
        page=lambda: _webhooks_page(WebhookForm(formdata=None), action_form=form),
    )


@bp.get("/admin/deliveries")
@roles_required(Role.ADMIN)
def list_failed_deliveries():
    return _failed_page(EmptyForm(formdata=None))


def _failed_page(form) -> str:
    page = endpoints.list_failed_deliveries(current_user, request.args.get("page", 1, type=int))
    return render_template("notifications/failed.html", page=page, form=form)


@bp.post("/admin/deliveries/<int:delivery_id>/resend")
@roles_required(Role.ADMIN)
def resend_delivery(delivery_id: int):
    form = EmptyForm()
    return submit(
        form,
        lambda: endpoints.resend_delivery(current_user, delivery_id),
        done=lambda _r: redirect_with(
            _("Delivery %(id)s is being sent again.", id=delivery_id),
            url_for("notifications.list_failed_deliveries"),
        ),
        page=lambda: _failed_page(form),
    )
