"""The public form where a voter reports that their IIN was used on a petition without consent."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from recall.security import misuse_report_limit, public
from recall.services.fraud import iin_watch
from recall.services.verification import review
from recall.web.actions import submit
from recall.web.commission.forms import MisuseForm
from recall.web.forms import ActionForm

bp = Blueprint("misuse", __name__)


@bp.route("/report-misuse", methods=["GET", "POST"])
@public
@misuse_report_limit
def report_misuse():
    form = MisuseForm()
    if request.method == "GET" and request.args.get("petition", type=int):
        form.petition.data = request.args.get("petition", type=int)
    return submit(
        form,
        lambda: review.report_misuse(
            form.petition.data, form.iin.data, form.email.data, form.message.data or ""
        ),
        done=_thanks,
        page=lambda: render_template("commission/misuse_form.html", form=form),
    )


def _thanks(_report):
    """The same answer whether or not a signature was found under that IIN."""
    return render_template(
        "commission/misuse_thanks.html",
        message=_("Thank you. The commission will look into it and answer by e-mail."),
    )


@bp.route("/iin-watch/report/<token>", methods=["GET", "POST"])
@public
@misuse_report_limit
def report_from_watch(token: str):
    """A watched IIN's one-click report: the link shows a button (mail scanners open links)."""
    _watch, petition = iin_watch.watch_report_target(token)
    form = ActionForm()
    return submit(
        form,
        lambda: iin_watch.report_from_watch(token),
        done=_thanks,
        page=lambda: render_template("commission/watch_report.html", petition=petition, form=form),
    )
