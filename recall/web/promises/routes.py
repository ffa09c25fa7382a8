"""Promise tracker pages: public reading (list, promise, summaries, corrections) and monitors' forms."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from recall.csv_response import csv_response
from recall.errors import Invalid
from recall.models import Role
from recall.replica import lag_tolerant
from recall.rules.charts import share_bar_svg
from recall.rules.scorecard import PROMISE_STATUSES
from recall.security import public, roles_required
from recall.services.deputies import directory
from recall.services.promises import dashboard, queries, tips
from recall.services.promises import recording as service
from recall.web.actions import redirect_with, submit
from recall.web.forms import error_of
from recall.web.promises import forms

bp = Blueprint("promises", __name__)


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


# Kept and broken first: what a reader of a scorecard looks for (issue 14).
SCORE_ORDER = ("kept", "broken", "in_the_works", "stalled", "compromise", "not_yet_rated")


@bp.app_template_global("share_bar")
def share_bar(card) -> Markup:
    """The kept share as a bar (kept, broken, the other rated), with its text alternative."""
    other = card.rated - card.kept - card.counts["broken"]
    title = (
        _(
            "Kept %(share)s of rated promises: %(kept)d kept, %(broken)d broken, %(other)d other"
            " ratings, of %(rated)d rated",
            share=_percent(card.kept_share),
            kept=card.kept,
            broken=card.counts["broken"],
            other=other,
            rated=card.rated,
        )
        if card.rated
        else _("No promise is rated yet.")
    )
    parts = [(card.kept, "#1e7a3a"), (card.counts["broken"], "#b3261e"), (other, "#94a3b8")]
    return Markup(share_bar_svg(parts, title=title))


bp.add_app_template_global(SCORE_ORDER, "score_order")
# Globals rather than context variables, so imported macros can use them.
bp.add_app_template_global(forms.status_label, "promise_status_label")
bp.add_app_template_global(forms.broken_reason_label, "broken_reason_label")
bp.add_app_template_global(forms.level_label, "promise_level_label")


# --- public pages ----------------------------------------------------------------------------


@bp.get("/promises")
@public
@lag_tolerant
def list_promises():
    try:
        filters = queries.parse_filters(request.args)
    except Invalid as exc:
        return _list_page(filters=None, error=exc), 422
    return _list_page(filters=filters, error=None)


def _list_page(filters: queries.PromiseFilters | None, error: Invalid | None) -> str:
    """The filtered list, or only the filter form and the error when a filter value is wrong."""
    return render_template(
        "promises/list.html",
        page=None if filters is None else queries.list_promises(filters, _page_number()),
        error=error,
        filters=filters,
        choices=_choices(),
        card=None if filters is None else queries.scorecard(queries.status_counts(filters)),
    )


def _page_number() -> int | None:
    return request.args.get("page", type=int)


def _choices() -> dict[str, Any]:
    return {
        **directory.filter_choices(),
        "topics": service.list_topics(),
        "statuses": PROMISE_STATUSES,
        "sorts": queries.SORTS,
    }


@bp.get("/promises.csv")
@public
@lag_tolerant
def export_promises_csv():
    filters = queries.parse_filters(request.args)
    return csv_response(queries.csv_rows(filters), "promises.csv")


@bp.get("/promises/<int:promise_id>")
@public
@lag_tolerant
def show_promise(promise_id: int):
    promise = service.get_promise(promise_id)
    return render_template(
        "promises/show.html",
        promise=promise,
        open_disputes=queries.open_disputes(promise),
        petitions=queries.petitions_citing(promise.id),
        tips=tips.accepted_tips(promise.id),
    )


@bp.get("/promises/summary/bodies")
@public
@lag_tolerant
def summary_bodies():
    return _summary("body")


@bp.get("/promises/summary/parties")
@public
@lag_tolerant
def summary_parties():
    return _summary("party")


@bp.get("/promises/summary/districts")
@public
@lag_tolerant
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
@lag_tolerant
def list_corrections():
    return render_template(
        "promises/corrections.html",
        page=queries.corrections_log(_page_number()),
    )


# --- monitors' forms -------------------------------------------------------------------------


def _to_promise(promise_id: int, message: str):
    return redirect_with(message, url_for("promises.show_promise", promise_id=promise_id), 302)


@bp.get("/monitor")
@roles_required(Role.MONITOR)
def monitor_dashboard():
    """Where a monitor lands after log-in: the organization's ratings, disputes, open work."""
    return render_template(
        "promises/dashboard.html", board=dashboard.monitor_dashboard(current_user)
    )


@bp.get("/monitor/record")
@roles_required(Role.MONITOR)
def pick_deputy():
    """The dashboard's "record a promise": the deputy chosen there, then the promise form."""
    deputy = directory.get_deputy(request.args.get("deputy", 0, type=int))
    return redirect(url_for("promises.new_promise", deputy_id=deputy.id))


@bp.route("/deputies/<int:deputy_id>/promises/new", methods=["GET", "POST"])
@roles_required(Role.MONITOR)
def new_promise(deputy_id: int):
    deputy = directory.get_deputy(deputy_id)
    form = forms.PromiseForm()
    form.topic.choices = [SelectChoice(t.slug, _(t.name)) for t in service.list_topics()]
    merging = form.is_submitted() and bool(form.merge_into.data)
    return submit(
        form,
        (lambda: _add_source(form)) if merging else (lambda: _record(deputy, form)),
        done=_source_added if merging else _recorded,
        page=lambda: render_template(
            "promises/form.html", form=form, deputy=deputy, candidates=_candidates(form)
        ),
    )


def _record(deputy, form: forms.PromiseForm):
    data = service.PromiseInput(
        deputy_id=deputy.id,
        title=form.title.data,
        statement=form.statement.data,
        made_on=form.made_on.data,
        source_url=form.source_url.data,
        quotation=form.quotation.data,
        topic=form.topic.data,
        level=form.level.data,
    )
    confirmed = form.confirm_distinct.data == "1"
    return service.record_promise(current_user, data, confirm_distinct=confirmed)


def _add_source(form: forms.PromiseForm):
    """The monitor chose to add their source to an existing similar promise."""
    target_id = int(form.merge_into.data) if form.merge_into.data.isdigit() else 0
    return service.add_source_to_promise(
        current_user,
        target_id,
        url=form.source_url.data,
        quotation=form.quotation.data,
        note=form.title.data,
    )


def _candidates(form: forms.PromiseForm) -> list:
    """The similar promises a suspected duplicate offers to merge into."""
    error = error_of(form)
    return error.candidates if isinstance(error, service.DuplicateSuspected) else []


def _recorded(promise):
    return _to_promise(promise.id, _("The promise is recorded."))


def _source_added(source):
    return _to_promise(source.promise_id, _("Your source was added to the existing promise."))


def _wording(form: forms.EditPromiseForm) -> dict[str, str]:
    return {"title": form.title.data, "statement": form.statement.data, "reason": form.reason.data}


@bp.route("/promises/<int:promise_id>/edit", methods=["GET", "POST"])
@roles_required(Role.MONITOR)
def edit_promise(promise_id: int):
    promise = service.get_promise(promise_id)
    form = forms.EditPromiseForm(obj=promise)
    return submit(
        form,
        lambda: service.edit_promise(current_user, promise.id, **_wording(form)),
        done=lambda _r: _to_promise(
            promise.id, _("The wording is changed; the earlier one is kept as a revision.")
        ),
        page=lambda: render_template("promises/edit.html", form=form, promise=promise),
    )


def _change_status(promise, form: forms.StatusForm):
    return service.change_status(
        current_user,
        promise.id,
        status=form.status.data,
        changed_on=form.changed_on.data,
        explanation=form.explanation.data,
        evidence=form.evidence.data,
        broken_reason=form.broken_reason.data or None,
        corrects=form.corrects.data,
    )


@bp.route("/promises/<int:promise_id>/status", methods=["GET", "POST"])
@roles_required(Role.MONITOR)
def change_status(promise_id: int):
    promise = service.get_promise(promise_id)
    form = forms.StatusForm()
    return submit(
        form,
        lambda: _change_status(promise, form),
        done=lambda _r: _to_promise(
            promise.id, _("The new status is recorded in the promise's history.")
        ),
        page=lambda: render_template("promises/status.html", form=form, promise=promise),
    )


@bp.route("/promises/<int:promise_id>/dispute", methods=["GET", "POST"])
@roles_required(Role.MONITOR)
def raise_dispute(promise_id: int):
    promise = service.get_promise(promise_id)
    form = forms.DisputeForm()
    return submit(
        form,
        lambda: service.raise_dispute(
            current_user, promise.id, reason=form.reason.data, evidence=form.evidence.data
        ),
        done=lambda _r: _to_promise(
            promise.id,
            _("Your dispute is shown beside the rating until another organization resolves it."),
        ),
        page=lambda: render_template("promises/dispute.html", form=form, promise=promise),
    )


def _resolve(dispute, form: forms.ResolveForm):
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


@bp.route("/promises/disputes/<int:dispute_id>/resolve", methods=["GET", "POST"])
@roles_required(Role.MONITOR)
def resolve_dispute(dispute_id: int):
    dispute = service.get_dispute(dispute_id)
    form = forms.ResolveForm()
    return submit(
        form,
        lambda: _resolve(dispute, form),
        done=lambda _r: _to_promise(dispute.promise_id, _("The dispute is resolved.")),
        page=lambda: render_template("promises/resolve.html", form=form, dispute=dispute),
    )


@bp.route("/promises/<int:promise_id>/merge", methods=["GET", "POST"])
@roles_required(Role.MONITOR)
def merge_promise(promise_id: int):
    promise = service.get_promise(promise_id)
    form = forms.MergeForm()
    return submit(
        form,
        lambda: service.merge_promises(
            current_user, promise.id, form.target.data, form.reason.data
        ),
        done=lambda merged: _to_promise(merged.id, _("The promises are merged.")),
        page=lambda: _merge_page(promise, form),
    )


def _merge_page(promise, form: forms.MergeForm) -> str:
    similar = service.find_similar_promises(promise.deputy_id, promise.title, exclude_id=promise.id)
    return render_template("promises/merge.html", form=form, promise=promise, similar=similar)


@bp.route("/admin/promise-topics", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def manage_topics():
    form = forms.TopicForm()
    return submit(
        form,
        lambda: service.add_topic(current_user, form.slug.data, form.name.data),
        done=lambda _r: redirect_with(
            _("The topic is added."), url_for("promises.manage_topics"), 302
        ),
        page=lambda: render_template(
            "promises/topics.html", form=form, topics=service.list_topics()
        ),
    )
