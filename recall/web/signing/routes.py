"""Signing pages: sign (mobile-first form), confirm by link, look up a receipt, withdraw, paper entry."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from recall.errors import Invalid, NotFound
from recall.models.user import Role
from recall.rules.sheets import sheet_code
from recall.security import public, receipt_limit, request_client, roles_required, signing_limit
from recall.services.petitions import sheets
from recall.services.signing import channels, counting, paper, receipts
from recall.services.signing import online as signing
from recall.web.actions import submit
from recall.web.forms import error_of
from recall.web.signing.forms import (
    ConfirmForm,
    PaperBatchForm,
    PaperUploadForm,
    ReceiptForm,
    SignForm,
    StrongSignForm,
    WithdrawForm,
)

bp = Blueprint("signing", __name__)


@bp.app_template_global("signing_progress")
def signing_progress(petition) -> counting.Progress:
    """Count, threshold and per-day numbers of a petition, for templates (see ``Progress.public``)."""
    return counting.progress(petition)


@bp.app_template_global("signing_ways")
def signing_ways(petition) -> dict:
    """How a petition may be signed, for templates: ``online`` (some online way is offered),
    ``email`` (the e-mail form), ``certificate`` (the digital-signature page), ``channels`` (the
    rule's) and ``how`` (one sentence for voters)."""
    allowed = channels.allowed_channels(petition)
    return {
        "online": channels.signs_online(allowed),
        "email": "online_email" in allowed,
        "certificate": channels.signs_with_certificate(petition),
        "channels": allowed,
        "how": channels.how_to_sign(allowed),
    }


@bp.app_template_global("signing_channel_names")
def signing_channel_names(names) -> str:
    """A rule's channels as people read them ("in person, by post, by proxy")."""
    return ", ".join(channels.channel_name(c) for c in names)


@bp.route("/petitions/<int:petition_id>/sign", methods=["GET", "POST"])
@public
@signing_limit
def sign_petition(petition_id: int):
    petition, _districts = signing.petition_for_signing(petition_id)
    form = SignForm()
    return submit(
        form,
        lambda: _sign(petition_id, form),
        done=lambda result: _signed(petition, result.receipt),
        page=lambda: render_template("signing/sign.html", petition=petition, form=form),
    )


@bp.route("/petitions/<int:petition_id>/sign/certificate", methods=["GET", "POST"])
@public
@signing_limit
def sign_with_certificate(petition_id: int):
    """Sign with a digital signature: the page shows a challenge, the signer brings it back signed."""
    petition, _districts = signing.petition_for_signing(petition_id)
    form = StrongSignForm()
    return submit(
        form,
        lambda: _sign_strong(petition_id, form),
        done=lambda result: _signed_strong(petition, result),
        page=lambda: _strong_page(petition, form),
    )


def _strong_page(petition, form: StrongSignForm) -> str:
    """The page with a challenge: the one posted back while it is good, else a new one."""
    challenge, refusal = signing.challenge_for_page(petition.id, form.challenge.data)
    form.challenge.data = challenge.text if challenge else ""
    return render_template(
        "signing/sign_certificate.html",
        petition=petition,
        form=form,
        challenge=challenge,
        refusal=refusal,
    )


def _sign_strong(petition_id: int, form: StrongSignForm):
    return signing.sign_petition_strong(
        petition_id=petition_id, **form.signer_fields(), client=request_client()
    )


def _signed_strong(petition, result):
    """Confirmed at once (201), or contested: the receipt, shown once, either way."""
    return render_template("signing/signed_certificate.html", petition=petition, result=result), 201


def _sign(petition_id: int, form: SignForm):
    return signing.sign_petition(
        petition_id=petition_id, **form.signer_fields(), client=request_client()
    )


def _signed(petition, receipt: str):
    """The receipt, shown once (202: the signature counts after the e-mailed confirmation)."""
    return render_template("signing/signed.html", petition=petition, receipt=receipt), 202


@bp.get("/signatures/confirm/<token>")
@public
def confirm_signature_page(token: str):
    """The e-mailed link shows a button; only pressing it confirms.

    Mail security scanners open every link in a message: a link that confirmed on GET would
    confirm signatures nobody confirmed.
    """
    petition = signing.petition_of_link(token)
    return render_template(
        "signing/confirm.html", token=token, form=ConfirmForm(), petition=petition
    )


@bp.post("/signatures/confirm/<token>")
@public
def confirm_signature(token: str):
    form = ConfirmForm()
    return submit(
        form,
        lambda: signing.confirm_signature(token),
        done=lambda signature: render_template(
            "signing/confirmed.html", signature=signature, petition=signature.petition
        ),
        page=lambda: render_template("signing/confirm.html", token=token, form=form, petition=None),
    )


@bp.get("/receipts")
@public
@receipt_limit
def lookup_receipt():
    form = ReceiptForm(request.args)
    view, status = None, 200
    if form.code.data and form.validate():
        try:
            view = receipts.lookup_receipt(form.code.data)
        except NotFound as exc:
            form.code.errors = [exc.message]
            status = 404
    return render_template("signing/receipt.html", form=form, view=view), status


@bp.route("/signatures/withdraw", methods=["GET", "POST"])
@public
@signing_limit
def withdraw_signature():
    form = WithdrawForm()
    return submit(
        form,
        lambda: receipts.withdraw_signature(form.receipt.data, form.email.data),
        done=lambda signature: render_template(
            "signing/withdrawn.html", petition=signature.petition
        ),
        page=lambda: render_template("signing/withdraw.html", form=form),
    )


_PAPER_COLUMNS = ("sheet", "line", "full_name", "iin", "district_number")


def _paper_lines(form: PaperBatchForm) -> list[paper.PaperLine]:
    """The lines typed in, blank rows left out (``row`` is the line number on the page)."""
    return [
        paper.PaperLine(
            row=row,
            sheet=data["sheet"],
            line=data["line"],
            full_name=data["full_name"],
            iin=data["iin"],
            district_number=data["district_number"],
            signed_on=data["signed_on"] or None,
            collector=form.collector.data or None,
        )
        for row, data in enumerate((entry.form.data for entry in form.lines.entries), start=1)
        if any((data.get(k) or "").strip() for k in _PAPER_COLUMNS)
    ]


def _enter(petition_id: int, chosen, form: PaperBatchForm) -> paper.PaperReport:
    """Enter the batch typed in, or the CSV uploaded, whichever form was posted."""
    skip_invalid = chosen.skip_invalid.data
    if chosen is form:
        lines = _paper_lines(form)
        return paper.add_paper_signatures(
            current_user, petition_id, lines, skip_invalid=skip_invalid, channel=form.channel.data
        )
    data = request.files["csv-file"].read()
    return paper.import_paper_csv(
        current_user, petition_id, data, skip_invalid=skip_invalid, channel=chosen.channel.data
    )


def _paper_page(petition, form: PaperBatchForm, upload: PaperUploadForm, report=None) -> str:
    error = error_of(form) or error_of(upload)
    return render_template(
        "signing/paper.html",
        petition=petition,
        form=form,
        upload=upload,
        report=report,
        problems=error.problems if isinstance(error, paper.PaperBatchInvalid) else [],
        typed=error_of(form) is not None,  # problems by row of the grid, shown in place
        sheet=_found_sheet(petition, form),
    )


def _found_sheet(petition, form: PaperBatchForm) -> dict | None:
    """A sheet found by its number (``?sheet=12-7``): its lines already entered, and on a fresh
    form its number filled in on every row, lines numbered from the first free one."""
    code = (request.args.get("sheet") or "").strip()
    if not code or request.method != "GET":
        return None
    if code.isdigit():  # a sheet of this petition, typed without the petition's number
        code = sheet_code(petition.id, int(code))
    found, sheet, entered = sheets.find_sheet(current_user, code)
    if found.id != petition.id:
        raise Invalid(
            _("Sheet %(code)s belongs to petition No. %(id)d.", code=code, id=found.id),
            field="sheet",
        )
    free = (n for n in range(1, 10_000) if n not in set(entered))
    for entry, line in zip(form.lines.entries, free, strict=False):
        entry.form.sheet.data, entry.form.line.data = str(sheet), str(line)
    return {"code": sheet_code(petition.id, sheet), "entered": entered}


@bp.get("/sheets/find")
@roles_required(Role.COMMISSIONER)
def find_sheet():
    """The paper entry of the sheet a printed number names (``?code=12-7``)."""
    petition, sheet, _entered = sheets.find_sheet(current_user, request.args.get("code"))
    code = sheet_code(petition.id, sheet)
    return redirect(url_for("signing.enter_paper_signatures", petition_id=petition.id, sheet=code))


@bp.route("/petitions/<int:petition_id>/paper", methods=["GET", "POST"])
@roles_required(Role.COMMISSIONER)
def enter_paper_signatures(petition_id: int):
    petition = paper.petition_for_entry(current_user, petition_id)
    form, upload = PaperBatchForm(prefix="batch"), PaperUploadForm(prefix="csv")
    chosen = upload if "csv-file" in request.files else form
    return submit(
        chosen,
        lambda: _enter(petition_id, chosen, form),
        done=lambda report: _paper_page(
            petition, PaperBatchForm(prefix="batch", formdata=None), upload, report
        ),
        page=lambda: _paper_page(petition, form, upload),
    )
