"""Promise tracker pages: public reading (list, promise, summaries, corrections) and monitors' forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from recall.errors import DomainError, Invalid
from recall.extensions import db
from recall.models import Role
from recall.rules.scorecard import PROMISE_STATUSES
from recall.security import public, roles_required
from recall.services.deputies import directory
from recall.services.promises import queries
from recall.services.promises import recording as service
from recall.web.forms import attach_error
from recall.web.promises import forms

bp = Blueprint("promises", __name__)


def _submit(form, action: Callable[[], Any]) -> tuple[Any, int]:
    """Run ``action`` for a valid submitted form and commit; on a domain error attach it (422)."""
    if not form.validate_on_submit():
        return None, (422 if form.is_submitted() else 200)
    try:
        result = action()
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        attach_error(form, exc)
        return exc, 422
    return result, 200


# --- helpers shared with templates -----------------------------------------------------------


@bp.app_template_filter("percent")
def _percent(share) -> str:
    return "—" if share is None else f"{float(share) * 100:.0f}%"


@bp.app_template_global("promise_section")
def promise_section(deputy) -> dict[str, Any]:
    """Promises and scorecard of a deputy, for the deputy page's include."""
    return {
        "promises": queries.deputy_promises(deputy.id),
        "card": queries.deputy_scorecard(deputy.id),
    }


# Globals rather than context variables, so imported macros can use them.
bp.add_app_template_global(forms.status_label, "promise_status_label")
bp.add_app_template_global(forms.broken_reason_label, "broken_reason_label")
bp.add_app_template_global(forms.level_label, "promise_level_label")


# --- public pages ----------------------------------------------------------------------------


@bp.get("/promises")
@public
def list_promises():
    try:
        filters = queries.parse_filters(request.args)
    except Invalid as exc:
        return render_template(
            "promises/list.html", page=None, error=exc, filters=None, choices=_choices(), card=None
        ), 422
    page = queries.list_promises(filters, request.args.get("page", type=int))
    return render_template(
        "promises/list.html",
        page=page,
        error=None,
        filters=filters,
        choices=_choices(),
        card=queries.scorecard(queries.status_counts(filters)),
    )


def _choices() -> dict[str, Any]:
    return {
        **directory.filter_choices(),
        "topics": service.list_topics(),
        "statuses": PROMISE_STATUSES,
        "sorts": queries.SORTS,
    }


def csv_response(filters: queries.PromiseFilters) -> Response:
    """The CSV export of a filtered list (shared with the API)."""
    return Response(
        "".join(queries.csv_lines(filters)),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=promises.csv"},
    )


@bp.get("/promises.csv")
@public
def export_promises_csv():
    return csv_response(queries.parse_filters(request.args))


@bp.get("/promises/<int:promise_id>")
@public
def show_promise(promise_id: int):
    promise = service.get_promise(promise_id)
    return render_template(
        "promises/show.html",
        promise=promise,
        open_disputes=queries.open_disputes(promise),
        petitions=queries.petitions_citing(promise.id),
    )


@bp.get("/promises/summary/bodies")
@public
def summary_bodies():
    return _summary("body")


@bp.get("/promises/summary/parties")
@public
def summary_parties():
    return _summary("party")


@bp.get("/promises/summary/districts")
@public
def summary_districts():
    return _summary("district")


def _summary(group: str):
    body_id = request.args.get("body", type=int)
    return render_template(
        "promises/summary.html",
        group=group,
        rows=queries.summary(group, body_id=body_id),
        body_id=body_id,
        choices=directory.filter_choices(),
    )


@bp.get("/promises/corrections")
@public
def list_corrections():
    return render_template(
        "promises/corrections.html",
        page=queries.corrections_log(request.args.get("page", type=int)),
    )


# --- monitors' forms -------------------------------------------------------------------------


@bp.route("/deputies/<int:deputy_id>/promises/new", methods=["GET", "POST"])
@roles_required(Role.MONITOR)
def new_promise(deputy_id: int):
    deputy = directory.get_deputy(deputy_id)
    form = forms.PromiseForm()
    form.topic.choices = [SelectChoice(t.slug, _(t.name)) for t in service.list_topics()]
    if form.is_submitted() and form.merge_into.data:
        return _merge_instead(deputy, form)
    result, status = _submit(
        form,
        lambda: service.record_promise(
            current_user,
            service.PromiseInput(
                deputy_id=deputy.id,
                title=form.title.data,
                statement=form.statement.data,
                made_on=form.made_on.data,
                source_url=form.source_url.data,
                quotation=form.quotation.data,
                topic=form.topic.data,
                level=form.level.data,
            ),
            confirm_distinct=form.confirm_distinct.data == "1",
        ),
    )
    if status == 200 and result is not None:
        flash(_("The promise is recorded."), "success")
        return redirect(url_for("promises.show_promise", promise_id=result.id))
    candidates = getattr(result, "candidates", [])
    return render_template(
        "promises/form.html", form=form, deputy=deputy, candidates=candidates
    ), status


def _merge_instead(deputy, form):
    """The monitor chose to add their source to an existing similar promise."""
    target_id = int(form.merge_into.data) if form.merge_into.data.isdigit() else 0
    result, status = _submit(
        form,
        lambda: service.add_source_to_promise(
            current_user,
            target_id,
            url=form.source_url.data,
            quotation=form.quotation.data,
            note=form.title.data,
        ),
    )
    if status == 200 and result is not None:
        flash(_("Your source was added to the existing promise."), "success")
        return redirect(url_for("promises.show_promise", promise_id=result.promise_id))
    return render_template("promises/form.html", form=form, deputy=deputy, candidates=[]), status


@bp.route("/promises/<int:promise_id>/edit", methods=["GET", "POST"])
@roles_required(Role.MONITOR)
def edit_promise(promise_id: int):
    promise = service.get_promise(promise_id)
    form = forms.EditPromiseForm(obj=promise)
    result, status = _submit(
        form,
        lambda: service.edit_promise(
            current_user,
            promise.id,
            title=form.title.data,
            statement=form.statement.data,
            reason=form.reason.data,
        ),
    )
    if status == 200 and result is not None:
        flash(_("The wording is changed; the earlier one is kept as a revision."), "success")
        return redirect(url_for("promises.show_promise", promise_id=promise.id))
    return render_template("promises/edit.html", form=form, promise=promise), status


@bp.route("/promises/<int:promise_id>/status", methods=["GET", "POST"])
@roles_required(Role.MONITOR)
def change_status(promise_id: int):
    promise = service.get_promise(promise_id)
    form = forms.StatusForm()
    result, status = _submit(
        form,
        lambda: service.change_status(
            current_user,
            promise.id,
            status=form.status.data,
            changed_on=form.changed_on.data,
            explanation=form.explanation.data,
            evidence=form.evidence.data,
            broken_reason=form.broken_reason.data or None,
            corrects=form.corrects.data,
        ),
    )
    if status == 200 and result is not None:
        flash(_("The new status is recorded in the promise's history."), "success")
        return redirect(url_for("promises.show_promise", promise_id=promise.id))
    return render_template("promises/status.html", form=form, promise=promise), status


@bp.route("/promises/<int:promise_id>/dispute", methods=["GET", "POST"])
@roles_required(Role.MONITOR)
def raise_dispute(promise_id: int):
    promise = service.get_promise(promise_id)
    form = forms.DisputeForm()
    result, status = _submit(
        form,
        lambda: service.raise_dispute(
            current_user, promise.id, reason=form.reason.data, evidence=form.evidence.data
        ),
    )
    if status == 200 and result is not None:
        flash(
            _("Your dispute is shown beside the rating until another organization resolves it."),
            "success",
        )
        return redirect(url_for("promises.show_promise", promise_id=promise.id))
    return render_template("promises/dispute.html", form=form, promise=promise), status


@bp.route("/promises/disputes/<int:dispute_id>/resolve", methods=["GET", "POST"])
@roles_required(Role.MONITOR)
def resolve_dispute(dispute_id: int):
    dispute = service.get_dispute(dispute_id)
    form = forms.ResolveForm()

    def action():
        corrected = None
        if form.outcome.data == "corrected":
            corrected = service.CorrectedRating(
                status=form.status.data,
                changed_on=form.changed_on.data,
                evidence=form.evidence.data,
                broken_reason=form.broken_reason.data or None,
            )
        return service.resolve_dispute(
            current_user, dispute.id, resolution=form.resolution.data, corrected=corrected
        )

    result, status = _submit(form, action)
    if status == 200 and result is not None:
        flash(_("The dispute is resolved."), "success")
        return redirect(url_for("promises.show_promise", promise_id=dispute.promise_id))
    return render_template("promises/resolve.html", form=form, dispute=dispute), status


@bp.route("/promises/<int:promise_id>/merge", methods=["GET", "POST"])
@roles_required(Role.MONITOR)
def merge_promise(promise_id: int):
    promise = service.get_promise(promise_id)
    form = forms.MergeForm()
    result, status = _submit(
        form,
        lambda: service.merge_promises(
            current_user, promise.id, form.target.data, form.reason.data
        ),
    )
    if status == 200 and result is not None:
        flash(_("The promises are merged."), "success")
        return redirect(url_for("promises.show_promise", promise_id=result.id))
    return render_template(
        "promises/merge.html",
        form=form,
        promise=promise,
        similar=service.find_similar_promises(
            promise.deputy_id, promise.title, exclude_id=promise.id
        ),
    ), status


@bp.route("/admin/promise-topics", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def manage_topics():
    form = forms.TopicForm()
    result, status = _submit(
        form, lambda: service.add_topic(current_user, form.slug.data, form.name.data)
    )
    if status == 200 and result is not None:
        flash(_("The topic is added."), "success")
        return redirect(url_for("promises.manage_topics"))
    return render_template("promises/topics.html", form=form, topics=service.list_topics()), status
