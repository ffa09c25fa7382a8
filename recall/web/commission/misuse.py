"""The public form where a voter reports that their IIN was used on a petition without consent."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _

from recall.errors import DomainError
from recall.extensions import db, limiter
from recall.security import public
from recall.services.verification import review
from recall.web.commission.forms import MisuseForm
from recall.web.forms import attach_error

bp = Blueprint("misuse", __name__)


def _misuse_limit() -> str:
    return current_app.config["MISUSE_REPORT_RATE_LIMIT"]


@bp.route("/report-misuse", methods=["GET", "POST"])
@public
@limiter.limit(_misuse_limit, methods=["POST"])
def report_misuse():
    form = MisuseForm()
    if request.method == "GET" and request.args.get("petition", type=int):
        form.petition.data = request.args.get("petition", type=int)
    if form.validate_on_submit():
        try:
            review.report_misuse(
                form.petition.data, form.iin.data, form.email.data, form.message.data or ""
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            attach_error(form, exc)
        else:
            # The same answer whether or not a signature was found under that IIN.
            return render_template(
                "commission/misuse_thanks.html",
                message=_("Thank you. The commission will look into it and answer by e-mail."),
            )
    status = 422 if form.errors or form.form_errors else 200
    return render_template("commission/misuse_form.html", form=form), status
