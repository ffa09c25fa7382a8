"""Commission pages. Every view needs the commissioner role; every service checks the body."""

from __future__ import annotations

import csv
import io
import os
import uuid
from pathlib import Path

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from recall.errors import DomainError, Forbidden
from recall.extensions import db
from recall.models import Role
from recall.security import roles_required
from recall.services import audit
from recall.services.verification import certification, review, voter_roll
from recall.services.verification import checks as verification
from recall.services.verification.reason_codes import label_for, rejection_codes
from recall.web.commission.forms import (
    ActionForm,
    CloseReportForm,
    DecisionForm,
    ProposeForm,
    RollUploadForm,
    SampleForm,
    VoteForm,
)
from recall.web.forms import attach_error

bp = Blueprint("commission", __name__, url_prefix="/commission")


@bp.app_context_processor
def _helpers():
    # audit_head_info and public_sample are called only by pages that include
    # commission/_audit_head.html or commission/_public_sample.html.
    return {
        "reason_label": label_for,
        "audit_head_info": audit.audit_head_info,
        "public_sample": verification.public_sample,
    }


def _body_id() -> int:
    if current_user.commission_body_id is None:
        raise Forbidden(_("Only commissioners may do this."))
    return current_user.commission_body_id


def _act(form, action, success: str, target: str, check=None):
    """Run ``check()`` (access, raises Forbidden), validate the POSTed form, run ``action()``,
    commit, flash and redirect (errors flashed)."""
    if check is not None:
        check()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(target), 303
    try:
        action()
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        if exc.status_code == 403:
            raise
        flash(exc.message, "error")
    else:
        flash(success, "success")
    return redirect(target), 303


def _petition_check(petition_id: int):
    return lambda: verification.get_petition(current_user, petition_id)


@bp.get("/")
@roles_required(Role.COMMISSIONER)
def index():
    petitions = verification.list_petitions(current_user)
    imports = voter_roll.list_imports(current_user, _body_id())
    return render_template(
        "commission/index.html",
        petitions=petitions,
        imports=imports,
        reports=review.list_misuse_reports(current_user),
    )


# ---------------------------------------------------------------- voter roll


def _upload_dir() -> Path:
    path = Path(current_app.instance_path) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


@bp.route("/roll", methods=["GET", "POST"])
@roles_required(Role.COMMISSIONER)
def upload_roll():
    form = RollUploadForm()
    body_id = _body_id()
    if form.validate_on_submit():
        path = _upload_dir() / f"roll-{uuid.uuid4().hex}.csv"
        form.file.data.save(path)  # streamed to disk by Werkzeug, never held in memory whole
        try:
            imp = voter_roll.start_upload(
                current_user,
                body_id,
                form.as_of.data,
                str(path),
                form.file.data.filename or "roll.csv",
                form.skip_invalid.data,
            )
        except DomainError as exc:
            db.session.rollback()
            os.unlink(path)
            attach_error(form, exc)
        else:
            return redirect(url_for("commission.show_import", import_id=imp.id), 303)
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "commission/roll.html", form=form, imports=voter_roll.list_imports(current_user, body_id)
    ), status


@bp.get("/roll/<int:import_id>")
@roles_required(Role.COMMISSIONER)
def show_import(import_id: int):
    imp = voter_roll.get_import(current_user, import_id)
    return render_template("commission/import.html", imp=imp)


@bp.get("/roll/<int:import_id>/skipped.csv")
@roles_required(Role.COMMISSIONER)
def download_skipped(import_id: int):
    imp = voter_roll.get_import(current_user, import_id)
    rows = [("line", "field", "reason")] + [
        (e["line"], e["field"], e["reason"]) for e in imp.errors
    ]
    if imp.report_path and os.path.exists(imp.report_path):
        with open(imp.report_path, encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    return _csv_response(rows, f"roll-{imp.id}-skipped.csv")


def _csv_response(rows, filename: str) -> Response:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# ---------------------------------------------------------------- petition verification


def _petition_page(petition_id: int, status: int = 200, **forms):
    petition = verification.get_petition(current_user, petition_id)
    rep = verification.report(current_user, petition_id)
    return render_template(
        "commission/petition.html",
        petition=petition,
        report=rep,
        proposal=certification.pending_proposal(petition_id),
        vote=certification.vote_result(petition_id),
        audit_entries=audit.list_entries(subject=("petition", petition_id), limit=20),
        action_form=forms.get("action_form") or ActionForm(),
        sample_form=forms.get("sample_form") or SampleForm(),
        propose_form=forms.get("propose_form") or ProposeForm(),
        vote_form=forms.get("vote_form") or VoteForm(),
    ), status


@bp.get("/petitions/<int:petition_id>")
@roles_required(Role.COMMISSIONER)
def show_petition(petition_id: int):
    return _petition_page(petition_id)


@bp.post("/petitions/<int:petition_id>/checks")
@roles_required(Role.COMMISSIONER)
def run_checks(petition_id: int):
    return _act(
        ActionForm(),
        lambda: verification.run_checks(current_user, petition_id),
        _("Checks finished."),
        url_for("commission.show_petition", petition_id=petition_id),
        _petition_check(petition_id),
    )


@bp.post("/petitions/<int:petition_id>/sample")
@roles_required(Role.COMMISSIONER)
def draw_sample(petition_id: int):
    form = SampleForm()
    return _act(
        form,
        lambda: verification.draw_sample(current_user, petition_id, seed=form.seed.data or None),
        _("Sample drawn; its seed is published in the report."),
        url_for("commission.show_petition", petition_id=petition_id),
        _petition_check(petition_id),
    )


@bp.post("/petitions/<int:petition_id>/sample/complete")
@roles_required(Role.COMMISSIONER)
def complete_sample(petition_id: int):
    return _act(
        ActionForm(),
        lambda: verification.complete_sample(current_user, petition_id),
        _("Projection computed."),
        url_for("commission.show_petition", petition_id=petition_id),
        _petition_check(petition_id),
    )


@bp.get("/petitions/<int:petition_id>/report.csv")
@roles_required(Role.COMMISSIONER)
def report_csv(petition_id: int):
    rep = verification.report(current_user, petition_id)
    return _csv_response(
        [verification.REPORT_CSV_HEADER, *verification.report_rows(rep)],
        f"petition-{petition_id}-verification.csv",
    )


@bp.get("/petitions/<int:petition_id>/report/print")
@roles_required(Role.COMMISSIONER)
def report_print(petition_id: int):
    petition = verification.get_petition(current_user, petition_id)
    return render_template(
        "commission/report_print.html",
        petition=petition,
        report=verification.report(current_user, petition_id),
        proposal=certification.pending_proposal(petition_id),
        head=audit.audit_head_info(),
    )


@bp.post("/petitions/<int:petition_id>/certification")
@roles_required(Role.COMMISSIONER)
def propose_certification(petition_id: int):
    form = ProposeForm()
    return _act(
        form,
        lambda: certification.propose_certification(current_user, petition_id, note=form.note.data),
        _("Certification proposed; another commissioner must confirm it."),
        url_for("commission.show_petition", petition_id=petition_id),
        _petition_check(petition_id),
    )


@bp.post("/certifications/<int:proposal_id>/confirm")
@roles_required(Role.COMMISSIONER)
def confirm_certification(proposal_id: int):
    proposal = certification.get_proposal(current_user, proposal_id)
    return _act(
        ActionForm(),
        lambda: certification.confirm_certification(current_user, proposal_id),
        _("Certification confirmed."),
        url_for("commission.show_petition", petition_id=proposal.petition_id),
    )


@bp.post("/petitions/<int:petition_id>/vote")
@roles_required(Role.COMMISSIONER)
def record_vote(petition_id: int):
    form = VoteForm()
    return _act(
        form,
        lambda: certification.record_vote(
            current_user,
            petition_id,
            registered=form.registered.data,
            turnout=form.turnout.data,
            yes=form.yes.data,
            no=form.no.data,
            votes_that_elected=form.votes_that_elected.data,
        ),
        _("Recall vote recorded."),
        url_for("commission.show_petition", petition_id=petition_id),
        _petition_check(petition_id),
    )


# ---------------------------------------------------------------- review


@bp.get("/petitions/<int:petition_id>/review")
@roles_required(Role.COMMISSIONER)
def review_queue(petition_id: int):
    petition = verification.get_petition(current_user, petition_id)
    return render_template(
        "commission/review_queue.html",
        petition=petition,
        items=review.review_queue(current_user, petition_id),
    )


@bp.get("/petitions/<int:petition_id>/review/next")
@roles_required(Role.COMMISSIONER)
def review_next(petition_id: int):
    petition = verification.get_petition(current_user, petition_id)
    item = review.claim_next(current_user, petition_id)
    db.session.commit()
    if item is None:
        flash(_("Nothing left to review."), "success")
        return redirect(url_for("commission.show_petition", petition_id=petition_id))
    return _decision_page(petition, item, DecisionForm())


def _reason_choices() -> list[SelectChoice]:
    return [SelectChoice(c.code, label_for(c.code)) for c in rejection_codes()]


def _decision_page(petition, item, form, status: int = 200):
    form.reason_code.choices = _reason_choices()
    if item.misuse_report is not None and not form.reason_code.data:
        form.reason_code.data = "misuse_reported"
    return render_template(
        "commission/review_item.html", petition=petition, item=item, form=form
    ), status


@bp.post("/signatures/<int:signature_id>/decision")
@roles_required(Role.COMMISSIONER)
def decide(signature_id: int):
    form = DecisionForm()
    signature = review.get_signature(current_user, signature_id)
    form.reason_code.choices = _reason_choices()
    if form.validate_on_submit():
        try:
            review.decide(
                current_user,
                signature_id,
                accept=bool(form.accept.data),
                reason_code=form.reason_code.data,
                note=form.note.data or "",
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            if exc.status_code == 403:
                raise
            attach_error(form, exc)
        else:
            flash(_("Decision saved."), "success")
            return redirect(
                url_for("commission.review_next", petition_id=signature.petition_id), 303
            )
    petition = verification.get_petition(current_user, signature.petition_id)
    return _decision_page(petition, review.item_for(current_user, signature_id), form, 422)


@bp.get("/misuse-reports")
@roles_required(Role.COMMISSIONER)
def misuse_reports():
    return render_template(
        "commission/misuse_reports.html",
        reports=review.list_misuse_reports(current_user),
        form=CloseReportForm(),
    )


@bp.post("/misuse-reports/<int:report_id>/close")
@roles_required(Role.COMMISSIONER)
def close_misuse_report(report_id: int):
    form = CloseReportForm()
    return _act(
        form,
        lambda: review.close_misuse_report(current_user, report_id, form.resolution.data),
        _("Report closed."),
        url_for("commission.misuse_reports"),
        lambda: review.get_misuse_report(current_user, report_id),
    )


@bp.get("/audit")
@roles_required(Role.COMMISSIONER)
def audit_log():
    return render_template(
        "commission/audit.html",
        entries=audit.list_entries(body_id=_body_id()),
        head=audit.audit_head_info(),
    )


@bp.get("/petitions/<int:petition_id>/signatures.csv")
@roles_required(Role.COMMISSIONER)
def signatures_csv(petition_id: int):
    """Every signature with verdict, channel, sheet, line and roll match (streamed CSV)."""
    from flask import stream_with_context

    from recall.services.verification import export

    rows = export.export_signatures(current_user, petition_id)  # access checked here, eagerly

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(export.EXPORT_HEADER)
        for n, row in enumerate(rows, 1):
            writer.writerow(row)
            if n % 1000 == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return Response(
        stream_with_context(lines()),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="petition-{petition_id}-signatures.csv"'
        },
    )
