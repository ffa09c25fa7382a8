"""Commission pages. Every view needs the commissioner role; every service checks the body."""

from __future__ import annotations

import csv
import os
import uuid
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from recall.csv_response import csv_response, streamed_csv_text
from recall.errors import DomainError, Forbidden
from recall.extensions import db
from recall.jobs import voter_roll as roll_job
from recall.models import Role
from recall.security import roles_required
from recall.services import audit
from recall.services.verification import (
    access,
    certification,
    checks,
    export,
    report,
    review,
    sample,
    voter_roll,
)
from recall.services.verification.reason_codes import label_for, rejection_codes
from recall.web.actions import redirect_with, submit
from recall.web.commission.forms import (
    CloseReportForm,
    ConfirmRollForm,
    DecisionForm,
    ProposeForm,
    RollUploadForm,
    SampleForm,
    VoteForm,
)
from recall.web.forms import ActionForm

bp = Blueprint("commission", __name__, url_prefix="/commission")


@bp.app_context_processor
def _helpers():
    # audit_head_info and public_sample serve commission/_audit_head.html and _public_sample.html,
    # which the public petition page includes.
    return {
        "reason_label": label_for,
        "audit_head_info": audit.audit_head_info,
        "public_sample": sample.public_sample,
    }


def _body_id() -> int:
    if current_user.commission_body_id is None:
        raise Forbidden(_("Only commissioners may do this."))
    return current_user.commission_body_id


@bp.get("/")
@roles_required(Role.COMMISSIONER)
def index():
    petitions = access.list_petitions(current_user)
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


def _start_upload(form: RollUploadForm, body_id: int):
    path = _upload_dir() / f"roll-{uuid.uuid4().hex}.csv"
    form.file.data.save(path)  # streamed to disk by Werkzeug, never held in memory whole
    try:
        return roll_job.start_upload(
            current_user,
            body_id,
            form.as_of.data,
            str(path),
            form.file.data.filename or "roll.csv",
            form.skip_invalid.data,
            mode=form.mode.data or "",
        )
    except DomainError:
        os.unlink(path)
        raise


@bp.route("/roll", methods=["GET", "POST"])
@roles_required(Role.COMMISSIONER)
def upload_roll():
    form, body_id = RollUploadForm(), _body_id()
    return submit(
        form,
        lambda: _start_upload(form, body_id),
        done=lambda imp: redirect(url_for("commission.show_import", import_id=imp.id), 303),
        page=lambda: render_template(
            "commission/roll.html",
            form=form,
            imports=voter_roll.list_imports(current_user, body_id),
        ),
    )


def _import_page(import_id: int, confirm_form: ConfirmRollForm | None = None) -> str:
    imp = voter_roll.get_import(current_user, import_id)
    return render_template(
        "commission/import.html",
        imp=imp,
        progress=voter_roll.import_estimate(imp),
        confirm_form=confirm_form or ConfirmRollForm(formdata=None),
        discard_form=ActionForm(formdata=None),
    )


@bp.get("/roll/<int:import_id>")
@roles_required(Role.COMMISSIONER)
def show_import(import_id: int):
    return _import_page(import_id)


@bp.post("/roll/<int:import_id>/confirm")
@roles_required(Role.COMMISSIONER)
def confirm_import(import_id: int):
    """The roll shown in the preview goes live (nothing is in use before this)."""
    voter_roll.get_import(current_user, import_id)  # access before input
    form = ConfirmRollForm()
    return submit(
        form,
        lambda: voter_roll.confirm_import(current_user, import_id, form.mode.data or ""),
        done=lambda _r: redirect_with(
            _("The voter roll is in use."), url_for("commission.show_import", import_id=import_id)
        ),
        page=lambda: _import_page(import_id, confirm_form=form),
    )


@bp.post("/roll/<int:import_id>/discard")
@roles_required(Role.COMMISSIONER)
def discard_import(import_id: int):
    voter_roll.get_import(current_user, import_id)
    form = ActionForm()
    return submit(
        form,
        lambda: voter_roll.discard_import(current_user, import_id),
        done=lambda _r: redirect_with(
            _("The upload was discarded; the roll in use did not change."),
            url_for("commission.upload_roll"),
        ),
        page=lambda: _import_page(import_id),
    )


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
    return csv_response(rows, f"roll-{imp.id}-skipped.csv")


# ---------------------------------------------------------------- petition verification


def _petition_url(petition_id: int) -> str:
    return url_for("commission.show_petition", petition_id=petition_id)


def _petition_page(petition_id: int, **forms) -> str:
    petition = access.get_petition(current_user, petition_id)
    rep = report.report(current_user, petition_id)
    return render_template(
        "commission/petition.html",
        petition=petition,
        report=rep,
        proposal=certification.pending_proposal(petition_id),
        vote=certification.vote_result(petition_id),
        audit_entries=audit.list_entries(subject=("petition", petition_id), limit=20),
        action_form=forms.get("action_form") or ActionForm(formdata=None),
        sample_form=forms.get("sample_form") or SampleForm(formdata=None),
        propose_form=forms.get("propose_form") or ProposeForm(formdata=None),
        vote_form=forms.get("vote_form") or VoteForm(formdata=None),
    )


@bp.get("/petitions/<int:petition_id>")
@roles_required(Role.COMMISSIONER)
def show_petition(petition_id: int):
    return _petition_page(petition_id)


@bp.post("/petitions/<int:petition_id>/checks")
@roles_required(Role.COMMISSIONER)
def run_checks(petition_id: int):
    access.get_petition(current_user, petition_id)  # access before input
    form = ActionForm()
    return submit(
        form,
        lambda: checks.run_checks(current_user, petition_id),
        done=lambda _r: redirect_with(_("Checks finished."), _petition_url(petition_id)),
        page=lambda: _petition_page(petition_id, action_form=form),
    )


@bp.post("/petitions/<int:petition_id>/sample")
@roles_required(Role.COMMISSIONER)
def draw_sample(petition_id: int):
    access.get_petition(current_user, petition_id)
    form = SampleForm()
    return submit(
        form,
        lambda: sample.draw_sample(current_user, petition_id, seed=form.seed.data or None),
        done=lambda _r: redirect_with(
            _("Sample drawn; its seed is published in the report."), _petition_url(petition_id)
        ),
        page=lambda: _petition_page(petition_id, sample_form=form),
    )


@bp.post("/petitions/<int:petition_id>/sample/complete")
@roles_required(Role.COMMISSIONER)
def complete_sample(petition_id: int):
    access.get_petition(current_user, petition_id)
    form = ActionForm()
    return submit(
        form,
        lambda: sample.complete_sample(current_user, petition_id),
        done=lambda _r: redirect_with(_("Projection computed."), _petition_url(petition_id)),
        page=lambda: _petition_page(petition_id, action_form=form),
    )


@bp.get("/petitions/<int:petition_id>/report.csv")
@roles_required(Role.COMMISSIONER)
def report_csv(petition_id: int):
    rep = report.report(current_user, petition_id)
    return csv_response(
        [report.REPORT_CSV_HEADER, *report.report_rows(rep)],
        f"petition-{petition_id}-verification.csv",
    )


@bp.get("/petitions/<int:petition_id>/report/print")
@roles_required(Role.COMMISSIONER)
def report_print(petition_id: int):
    petition = access.get_petition(current_user, petition_id)
    return render_template(
        "commission/report_print.html",
        petition=petition,
        report=report.report(current_user, petition_id),
        proposal=certification.latest_proposal(petition_id),
        head=audit.audit_head_info(),
    )


@bp.post("/petitions/<int:petition_id>/certification")
@roles_required(Role.COMMISSIONER)
def propose_certification(petition_id: int):
    access.get_petition(current_user, petition_id)
    form = ProposeForm()
    return submit(
        form,
        lambda: certification.propose_certification(current_user, petition_id, note=form.note.data),
        done=lambda _r: redirect_with(
            _("Certification proposed; another commissioner must confirm it."),
            _petition_url(petition_id),
        ),
        page=lambda: _petition_page(petition_id, propose_form=form),
    )


@bp.post("/certifications/<int:proposal_id>/confirm")
@roles_required(Role.COMMISSIONER)
def confirm_certification(proposal_id: int):
    petition_id = certification.get_proposal(current_user, proposal_id).petition_id
    form = ActionForm()
    return submit(
        form,
        lambda: certification.confirm_certification(current_user, proposal_id),
        done=lambda _r: redirect_with(_("Certification confirmed."), _petition_url(petition_id)),
        page=lambda: _petition_page(petition_id, action_form=form),
    )


def _record_vote(petition_id: int, form: VoteForm):
    return certification.record_vote(
        current_user,
        petition_id,
        registered=form.registered.data,
        turnout=form.turnout.data,
        yes=form.yes.data,
        no=form.no.data,
        votes_that_elected=form.votes_that_elected.data,
    )


@bp.post("/petitions/<int:petition_id>/vote")
@roles_required(Role.COMMISSIONER)
def record_vote(petition_id: int):
    access.get_petition(current_user, petition_id)
    form = VoteForm()
    return submit(
        form,
        lambda: _record_vote(petition_id, form),
        done=lambda _r: redirect_with(_("Recall vote recorded."), _petition_url(petition_id)),
        page=lambda: _petition_page(petition_id, vote_form=form),
    )


# ---------------------------------------------------------------- review


@bp.get("/petitions/<int:petition_id>/review")
@roles_required(Role.COMMISSIONER)
def review_queue(petition_id: int):
    petition = access.get_petition(current_user, petition_id)
    return render_template(
        "commission/review_queue.html",
        petition=petition,
        items=review.review_queue(current_user, petition_id),
    )


@bp.get("/petitions/<int:petition_id>/review/next")
@roles_required(Role.COMMISSIONER)
def review_next(petition_id: int):
    petition = access.get_petition(current_user, petition_id)
    item = review.claim_next(current_user, petition_id)
    db.session.commit()
    if item is None:
        flash(_("Nothing left to review."), "success")
        return redirect(url_for("commission.show_petition", petition_id=petition_id))
    return _decision_page(petition, item, _decision_form())


def _decision_form() -> DecisionForm:
    form = DecisionForm()
    # No reason is preselected: a rejection must name its reason on purpose.
    form.reason_code.choices = [SelectChoice("", _("— choose the reason —"))] + [
        SelectChoice(c.code, label_for(c.code)) for c in rejection_codes()
    ]
    return form


def _decision_page(petition, item, form) -> str:
    return render_template("commission/review_item.html", petition=petition, item=item, form=form)


def _decide(signature_id: int, form: DecisionForm):
    return review.decide(
        current_user,
        signature_id,
        accept=bool(form.accept.data),
        reason_code=form.reason_code.data,
        note=form.note.data or "",
    )


@bp.post("/signatures/<int:signature_id>/decision")
@roles_required(Role.COMMISSIONER)
def decide(signature_id: int):
    signature = review.get_signature(current_user, signature_id)  # access before input
    form = _decision_form()
    return submit(
        form,
        lambda: _decide(signature_id, form),
        done=lambda _r: redirect_with(
            _("Decision saved."),
            url_for("commission.review_next", petition_id=signature.petition_id),
        ),
        page=lambda: _decision_page(
            signature.petition, review.item_for(current_user, signature_id), form
        ),
    )


@bp.get("/misuse-reports")
@roles_required(Role.COMMISSIONER)
def misuse_reports():
    return _misuse_reports_page()


@bp.post("/misuse-reports/<int:report_id>/close")
@roles_required(Role.COMMISSIONER)
def close_misuse_report(report_id: int):
    review.get_misuse_report(current_user, report_id)  # access before input
    form = CloseReportForm()
    return submit(
        form,
        lambda: review.close_misuse_report(current_user, report_id, form.resolution.data),
        done=lambda _r: redirect_with(_("Report closed."), url_for("commission.misuse_reports")),
        page=lambda: _misuse_reports_page(form, report_id),
    )


def _misuse_reports_page(posted: CloseReportForm | None = None, report_id: int | None = None):
    """The open reports, each with its close form (the one just posted keeps its input and errors)."""
    return render_template(
        "commission/misuse_reports.html",
        reports=review.list_misuse_reports(current_user),
        posted=posted,
        posted_id=report_id,
        form=CloseReportForm(formdata=None),
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
    chunks = export.export_csv(current_user, petition_id)  # access checked here, eagerly
    return streamed_csv_text(chunks, f"petition-{petition_id}-signatures.csv")
