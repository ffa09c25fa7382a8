"""Signing pages: sign (mobile-first form), confirm by link, look up a receipt, withdraw, paper entry."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from recall.api.signatures import receipt_limit, signing_limit
from recall.errors import Invalid, NotFound
from recall.extensions import db
from recall.models.user import Role
from recall.security import public, roles_required
from recall.services.signing import counting, paper
from recall.services.signing import online as signing
from recall.web.forms import attach_error
from recall.web.signing.forms import (
    ConfirmForm,
    PaperBatchForm,
    PaperUploadForm,
    ReceiptForm,
    SignForm,
    WithdrawForm,
)

bp = Blueprint("signing", __name__)


@bp.app_template_global("signing_progress")
def signing_progress(petition) -> counting.Progress:
    """Count, threshold and per-day numbers of a petition, for templates (see ``Progress.public``)."""
    return counting.progress(petition)


def _status(form) -> int:
    return 422 if form.errors or form.form_errors else 200


@bp.route("/petitions/<int:petition_id>/sign", methods=["GET", "POST"])
@public
@signing_limit
def sign_petition(petition_id: int):
    petition, districts = signing.petition_for_signing(petition_id)
    form = SignForm()
    form.district_id.choices = [(0, _("Choose your district"))] + [
        (d.id, f"{d.number}. {d.name}") for d in districts
    ]
    if form.validate_on_submit():
        try:
            result = signing.sign_petition(
                petition_id=petition_id,
                full_name=form.full_name.data,
                iin=form.iin.data,
                email=form.email.data,
                district_id=form.district_id.data or None,
                consent=form.consent.data,
            )
            db.session.commit()
        except Invalid as exc:
            db.session.rollback()
            attach_error(form, exc)
        else:
            return render_template(
                "signing/signed.html", petition=petition, receipt=result.receipt
            ), 202
    return render_template("signing/sign.html", petition=petition, form=form), _status(form)


@bp.get("/signatures/confirm/<token>")
@public
def confirm_signature_page(token: str):
    """The e-mailed link shows a button; only pressing it confirms.

    Mail security scanners open every link in a message: a link that confirmed on GET would
    confirm signatures nobody confirmed.
    """
    signing.check_confirmation_link(token)
    return render_template("signing/confirm.html", token=token, form=ConfirmForm())


@bp.post("/signatures/confirm/<token>")
@public
def confirm_signature(token: str):
    signature = signing.confirm_signature(token)
    db.session.commit()
    return render_template(
        "signing/confirmed.html", signature=signature, petition=signature.petition
    )


@bp.get("/receipts")
@public
@receipt_limit
def lookup_receipt():
    form = ReceiptForm(request.args)
    view, status = None, 200
    if form.code.data and form.validate():
        try:
            view = signing.lookup_receipt(form.code.data)
        except NotFound as exc:
            form.code.errors = [exc.message]
            status = 404
    return render_template("signing/receipt.html", form=form, view=view), status


@bp.route("/signatures/withdraw", methods=["GET", "POST"])
@public
@signing_limit
def withdraw_signature():
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            signature = signing.withdraw_signature(form.receipt.data, form.email.data)
            db.session.commit()
        except Invalid as exc:
            db.session.rollback()
            attach_error(form, exc)
        else:
            return render_template("signing/withdrawn.html", petition=signature.petition)
    return render_template("signing/withdraw.html", form=form), _status(form)


def _paper_lines(form: PaperBatchForm) -> list[paper.PaperLine]:
    lines = []
    for row, entry in enumerate(form.lines.entries, start=1):
        data = entry.form.data
        if any(
            (data.get(k) or "").strip()
            for k in ("sheet", "line", "full_name", "iin", "district_number")
        ):
            lines.append(
                paper.PaperLine(
                    row=row,
                    sheet=data["sheet"],
                    line=data["line"],
                    full_name=data["full_name"],
                    iin=data["iin"],
                    district_number=data["district_number"],
                    signed_on=data["signed_on"] or None,
                )
            )
    return lines


@bp.route("/petitions/<int:petition_id>/paper", methods=["GET", "POST"])
@roles_required(Role.COMMISSIONER)
def enter_paper_signatures(petition_id: int):
    petition = paper.petition_for_entry(current_user, petition_id)
    form, upload = PaperBatchForm(prefix="batch"), PaperUploadForm(prefix="csv")
    report, problems = None, []
    if request.method == "POST":
        chosen = upload if "csv-file" in request.files else form
        if chosen.validate_on_submit():
            try:
                if chosen is upload:
                    report = paper.import_paper_csv(
                        current_user,
                        petition_id,
                        request.files["csv-file"].read(),
                        skip_invalid=upload.skip_invalid.data,
                    )
                else:
                    report = paper.add_paper_signatures(
                        current_user,
                        petition_id,
                        _paper_lines(form),
                        skip_invalid=form.skip_invalid.data,
                    )
                db.session.commit()
            except paper.PaperBatchInvalid as exc:
                db.session.rollback()
                chosen.form_errors.append(exc.message)
                problems = exc.problems
            except Invalid as exc:
                db.session.rollback()
                attach_error(chosen, exc)
        if report is not None:
            form = PaperBatchForm(prefix="batch", formdata=None)
    status = 422 if problems or form.form_errors or upload.form_errors or upload.errors else 200
    return render_template(
        "signing/paper.html",
        petition=petition,
        form=form,
        upload=upload,
        report=report,
        problems=problems,
    ), status
