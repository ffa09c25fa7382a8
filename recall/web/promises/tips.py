"""Tips and evidence from citizens on a promise, and the monitors' triage page."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from recall.models import Role
from recall.security import login_required, roles_required, tip_limit
from recall.services.promises import recording, tips
from recall.web.actions import redirect_with, submit
from recall.web.forms import ActionForm
from recall.web.promises.forms import DismissTipForm, TipForm
from recall.web.promises.routes import bp


def _send(promise_id: int, form: TipForm):
    return tips.send_tip(
        current_user,
        promise_id,
        link=form.link.data,
        description=form.description.data,
        place=form.place.data,
        observed_on=form.observed_on.data,
    )


@bp.route("/promises/<int:promise_id>/tip", methods=["GET", "POST"])
@login_required
@tip_limit
def send_tip(promise_id: int):
    """A citizen sends a link, a photo's description, where and when; monitors triage it."""
    promise = recording.get_promise(promise_id)
    form = TipForm()
    return submit(
        form,
        lambda: _send(promise_id, form),
        done=lambda _t: redirect_with(
            _("Thank you. A monitor will look at what you sent."),
            url_for("promises.show_promise", promise_id=promise_id),
        ),
        page=lambda: render_template("promises/tip.html", promise=promise, form=form),
    )


def _triage_page(posted: DismissTipForm | None = None, tip_id: int | None = None) -> str:
    return render_template(
        "promises/tips.html",
        tips=tips.new_tips(current_user),
        accept_form=ActionForm(formdata=None),
        form=DismissTipForm(formdata=None),
        posted=posted,
        posted_id=tip_id,
    )


@bp.get("/monitor/tips")
@roles_required(Role.MONITOR)
def triage_tips():
    return _triage_page()


@bp.post("/monitor/tips/<int:tip_id>/accept")
@roles_required(Role.MONITOR)
def accept_tip(tip_id: int):
    form = ActionForm()
    return submit(
        form,
        lambda: tips.accept_tip(current_user, tip_id),
        done=lambda _t: redirect_with(
            _("Taken as evidence: it shows on the promise page."), url_for("promises.triage_tips")
        ),
        page=lambda: _triage_page(),
    )


@bp.post("/monitor/tips/<int:tip_id>/dismiss")
@roles_required(Role.MONITOR)
def dismiss_tip(tip_id: int):
    form = DismissTipForm()
    return submit(
        form,
        lambda: tips.dismiss_tip(current_user, tip_id, form.reason.data),
        done=lambda _t: redirect_with(_("Tip dismissed."), url_for("promises.triage_tips")),
        page=lambda: _triage_page(form, tip_id),
    )
