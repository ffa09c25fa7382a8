"""Constituent petition (appeal) pages: list, drafting, the appeal, moderation, a body's terms."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from recall.models import Role
from recall.models.appeal import AppealState
from recall.replica import lag_tolerant
from recall.rules.charts import bar_chart_svg
from recall.rules.maps import map_svg
from recall.security import login_required, public, roles_required, signing_limit
from recall.services.appeals import lifecycle as appeals
from recall.services.appeals import queries, terms, updates
from recall.services.appeals import signing as appeal_signing
from recall.services.appeals.states import PUBLIC_STATES, state_label
from recall.services.names import district_label
from recall.services.promises import replies
from recall.web.actions import redirect_with, submit
from recall.web.appeals.forms import (
    AppealTermsForm,
    DraftAppealForm,
    MergeAppealForm,
    RejectAppealForm,
    ReplyForm,
    RespondForm,
    UpdateForm,
)
from recall.web.forms import ActionForm
from recall.web.page_cache import anonymous_cache
from recall.web.signing.forms import ConfirmForm, SignForm, StrongSignForm

bp = Blueprint("appeals", __name__)
bp.add_app_template_global(state_label, "appeal_state_label")


@bp.app_template_global("deputy_appeals_panel")
def deputy_appeals_panel(deputy) -> dict:
    """What the deputy page shows about appeals: the responsiveness figures and the newest ones."""
    return {
        "figures": queries.responsiveness(deputy.id),
        "appeals": queries.deputy_appeals(deputy.id),
    }


def _viewer():
    return current_user if current_user.is_authenticated else None


@bp.get("/appeals")
@public
@lag_tolerant
@anonymous_cache
def list_appeals():
    filters = queries.parse_filters(request.args)
    page = queries.list_appeals(filters, request.args.get("page", type=int))
    states = sorted(PUBLIC_STATES, key=list(AppealState).index)
    return render_template("appeals/list.html", page=page, filters=filters, states=states)


def _draft_page(form: DraftAppealForm) -> str:
    return render_template("appeals/new.html", form=form)


def _fill_choices(form: DraftAppealForm) -> DraftAppealForm:
    deputies, bodies = queries.addressees()
    form.addressee.choices = [("", _("choose…"))]
    form.addressee.choices += [(f"deputy:{d.id}", d.full_name) for d in deputies]
    form.addressee.choices += [
        (f"body:{b.id}", _("%(body)s (the whole body)", body=b.name)) for b in bodies
    ]
    return form


def _draft(form: DraftAppealForm):
    deputy_id, body_id = appeals.parse_addressee(form.addressee.data)
    return appeals.draft_appeal(
        current_user,
        deputy_id=deputy_id,
        body_id=body_id,
        title=form.title.data,
        text=form.text.data,
        ask=form.ask.data,
        promise_ids=form.promise_ids.data,
    )


@bp.route("/appeals/new", methods=["GET", "POST"])
@login_required
def new_appeal():
    form = _fill_choices(DraftAppealForm())
    if request.method == "GET" and request.args.get("to"):
        form.addressee.data = request.args["to"]
    return submit(
        form,
        lambda: _draft(form),
        done=lambda a: _to(a.id, _("Your draft is saved. Send it to moderation when it is ready.")),
        page=lambda: _draft_page(form),
    )


def _to(appeal_id: int, message: str):
    return redirect_with(message, url_for("appeals.show_appeal", appeal_id=appeal_id))


def _appeal_page(appeal_id: int, **forms) -> str:
    viewer = _viewer()
    appeal = queries.appeal_for_page(appeal_id, viewer)
    context = {
        "appeal": appeal,
        "districts": _district_figures(appeal),
        "promises": queries.cited_promises(appeal),
        "actors": queries.history_actors(appeal),
        "is_author": viewer is not None and appeal.author_id == viewer.id,
        "is_moderator": viewer is not None and viewer.has_role(Role.MODERATOR),
        "may_respond": appeals.may_respond(viewer, appeal),
        "updates": updates.published_updates("appeal", appeal.id),
        "S": AppealState,
    }
    if viewer is not None:
        context["action_form"] = forms.get("action_form") or ActionForm(formdata=None)
        context["reject_form"] = forms.get("reject_form") or RejectAppealForm(formdata=None)
        context["merge_form"] = _merge_choices(
            forms.get("merge_form") or MergeAppealForm(formdata=None), appeal
        )
    return render_template("appeals/show.html", **context)


@bp.get("/appeals/<int:appeal_id>")
@public
@lag_tolerant
@anonymous_cache
def show_appeal(appeal_id: int):
    return _appeal_page(appeal_id)


@bp.get("/appeals/mine")
@login_required
def my_appeals():
    return render_template("appeals/mine.html", appeals=queries.my_appeals(current_user))


def _act(appeal_id: int, action, message: str):
    form = ActionForm()
    return submit(
        form,
        lambda: action(current_user, appeal_id),
        done=lambda a: _to(a.id, message),
        page=lambda: _appeal_page(appeal_id, action_form=form),
    )


@bp.post("/appeals/<int:appeal_id>/submit")
@login_required
def submit_appeal(appeal_id: int):
    return _act(appeal_id, appeals.submit_appeal, _("Sent to moderation."))


@bp.post("/appeals/<int:appeal_id>/withdraw")
@login_required
def withdraw_draft(appeal_id: int):
    return _act(appeal_id, appeals.withdraw_draft, _("The draft is withdrawn."))


@bp.get("/appeals/moderation")
@roles_required(Role.MODERATOR)
def moderation_queue():
    return render_template(
        "appeals/moderation.html",
        queue=appeals.moderation_queue(current_user),
        updates=updates.pending_updates(current_user),
        form=ActionForm(formdata=None),
        reject_form=RejectAppealForm(formdata=None),
    )


@bp.post("/appeals/<int:appeal_id>/publish")
@roles_required(Role.MODERATOR)
def publish_appeal(appeal_id: int):
    return _act(appeal_id, appeals.publish_appeal, _("The appeal is published: signing is open."))


@bp.post("/appeals/<int:appeal_id>/reject")
@roles_required(Role.MODERATOR)
def reject_appeal(appeal_id: int):
    form = RejectAppealForm()
    return submit(
        form,
        lambda: appeals.reject_appeal(current_user, appeal_id, form.reason.data),
        done=lambda a: _to(a.id, _("The appeal is rejected.")),
        page=lambda: _appeal_page(appeal_id, reject_form=form),
    )


def _merge_choices(form: MergeAppealForm, appeal) -> MergeAppealForm:
    form.original_id.choices = [
        (a.id, f"{a.id}. {a.title}") for a in appeals.merge_candidates(appeal)
    ]
    return form


@bp.post("/appeals/<int:appeal_id>/merge")
@roles_required(Role.MODERATOR)
def merge_appeal(appeal_id: int):
    form = MergeAppealForm()
    return submit(
        form,
        lambda: appeals.merge_appeal(
            current_user, appeal_id, form.original_id.data, form.reason.data
        ),
        done=lambda a: _to(a.id, _("The duplicate is merged; its author is told.")),
        page=lambda: _appeal_page(appeal_id, merge_form=form),
    )


@bp.route("/appeals/terms/<int:body_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def body_terms(body_id: int):
    body = terms.get_body(body_id)
    form = AppealTermsForm(data=terms.terms_form_data(body.id))
    form.chair_deputy_id.choices = [(0, _("No chair named"))] + [
        (d.id, d.full_name) for d in terms.chair_choices(body.id)
    ]
    return submit(
        form,
        lambda: terms.set_body_terms(current_user, body.id, **_terms(form)),
        done=lambda _row: redirect_with(
            _("Saved."), url_for("appeals.body_terms", body_id=body.id)
        ),
        page=lambda: render_template("appeals/terms.html", form=form, body=body),
    )


def _terms(form: AppealTermsForm) -> dict:
    names = (
        "open_months",
        "response_days",
        "threshold_count",
        "threshold_share",
        "chair_deputy_id",
    )
    return {name: getattr(form, name).data for name in names}


def _district_figures(appeal) -> dict | None:
    """The per-district table and its SVG bar chart (for a body or a party-list deputy)."""
    if appeal.opens_at is None or appeal.district_id is not None:
        return None
    rows = appeal_signing.district_counts(appeal)
    chart = bar_chart_svg(
        [(f"{r.designation}. {r.name}", r.confirmed, r.constituent) for r in rows if r.constituent],
        title=_("Confirmed signatures per district"),
    )
    outlines = appeal_signing.body_boundaries(appeal.body_id)
    drawn = [
        (f"{r.designation}. {r.name}", outlines[r.district_id], r.confirmed)
        for r in rows
        if r.district_id in outlines
    ]
    title = _("Confirmed signatures per district, on the map")
    return {"rows": rows, "svg": chart, "map": map_svg(drawn, title=title) if drawn else ""}


def _with_districts(form, appeal):
    form.district_id.choices = [(0, _("Choose your district"))] + [
        (d.id, district_label(d)) for d in appeal_signing.signing_districts(appeal)
    ]
    return form


@bp.route("/appeals/<int:appeal_id>/sign", methods=["GET", "POST"])
@public
@signing_limit
def sign_appeal(appeal_id: int):
    appeal = queries.appeal_for_page(appeal_id, _viewer())
    form = _with_districts(SignForm(), appeal)
    return submit(
        form,
        lambda: _sign(appeal_id, form),
        done=lambda r: (render_template("appeals/signed.html", appeal=appeal, result=r), 202),
        page=lambda: render_template("appeals/sign.html", appeal=appeal, form=form),
    )


def _sign(appeal_id: int, form: SignForm):
    return appeal_signing.sign_appeal(appeal_id=appeal_id, **form.signer_fields())


@bp.route("/appeals/<int:appeal_id>/sign/certificate", methods=["GET", "POST"])
@public
@signing_limit
def sign_appeal_with_certificate(appeal_id: int):
    """Sign with a digital signature: the page shows a challenge, the signer brings it back signed."""
    appeal = queries.appeal_for_page(appeal_id, _viewer())
    form = _with_districts(StrongSignForm(), appeal)
    return submit(
        form,
        lambda: appeal_signing.sign_appeal_strong(appeal_id=appeal_id, **form.signer_fields()),
        done=lambda r: (render_template("appeals/signed.html", appeal=appeal, result=r), 201),
        page=lambda: _strong_page(appeal, form),
    )


def _strong_page(appeal, form: StrongSignForm) -> str:
    challenge, refusal = appeal_signing.challenge_for_page(appeal.id, form.challenge.data)
    form.challenge.data = challenge.text if challenge else ""
    return render_template(
        "appeals/sign_certificate.html",
        appeal=appeal,
        form=form,
        challenge=challenge,
        refusal=refusal,
    )


@bp.get("/appeals/signatures/confirm/<token>")
@public
def confirm_signature_page(token: str):
    """The e-mailed link shows a button; only pressing it confirms (mail scanners open links)."""
    appeal_signing.check_confirmation_link(token)
    return render_template("appeals/confirm.html", token=token, form=ConfirmForm())


@bp.post("/appeals/signatures/confirm/<token>")
@public
def confirm_signature(token: str):
    form = ConfirmForm()
    return submit(
        form,
        lambda: appeal_signing.confirm_appeal_signature(token),
        done=lambda sig: _to(sig.appeal_id, _("Your signature is confirmed and counted.")),
        page=lambda: render_template("appeals/confirm.html", token=token, form=form),
    )


@bp.route("/appeals/<int:appeal_id>/respond", methods=["GET", "POST"])
@roles_required(Role.DEPUTY, Role.MODERATOR)
def respond(appeal_id: int):
    appeal = queries.appeal_for_page(appeal_id, current_user)
    form = RespondForm()
    return submit(
        form,
        lambda: appeals.respond_to_appeal(
            current_user, appeal_id, form.text.data, form.source.data
        ),
        done=lambda a: _to(a.id, _("The answer is published.")),
        page=lambda: render_template("appeals/respond.html", appeal=appeal, form=form),
    )


@bp.get("/appeals/to-answer")
@roles_required(Role.DEPUTY, Role.MODERATOR)
def to_answer():
    items = appeals.appeals_to_answer(current_user)
    return render_template("appeals/to_answer.html", appeals=items)


bp.add_app_template_global(updates.published_updates, "initiator_updates")


def _subject_page(subject_type: str, subject_id: int) -> str:
    if subject_type == "petition":
        return url_for("petitions.show_petition", petition_id=subject_id)
    return url_for("appeals.show_appeal", appeal_id=subject_id)


@bp.route("/updates/<subject_type>/<int:subject_id>/new", methods=["GET", "POST"])
@login_required
def post_update(subject_type: str, subject_id: int):
    form = UpdateForm()
    return submit(
        form,
        lambda: updates.post_update(current_user, subject_type, subject_id, form.text.data),
        done=lambda u: redirect_with(
            _("Your update waits for a moderator."), _subject_page(u.subject_type, u.subject_id)
        ),
        page=lambda: render_template("appeals/update_form.html", form=form),
    )


def _moderate(update_id: int, action, message: str, form):
    return submit(
        form,
        action,
        done=lambda _u: redirect_with(message, url_for("appeals.moderation_queue")),
        page=lambda: render_template(
            "appeals/moderation.html",
            queue=appeals.moderation_queue(current_user),
            updates=updates.pending_updates(current_user),
            form=ActionForm(formdata=None),
            reject_form=form,
        ),
    )


@bp.post("/updates/<int:update_id>/publish")
@roles_required(Role.MODERATOR)
def publish_update(update_id: int):
    action = lambda: updates.publish_update(current_user, update_id)  # noqa: E731
    return _moderate(update_id, action, _("The update is published."), ActionForm())


@bp.post("/updates/<int:update_id>/reject")
@roles_required(Role.MODERATOR)
def reject_update(update_id: int):
    form = RejectAppealForm()
    action = lambda: updates.reject_update(current_user, update_id, form.reason.data)  # noqa: E731
    return _moderate(update_id, action, _("The update is rejected."), form)


bp.add_app_template_global(replies.replies_of, "rating_replies")


@bp.route("/promises/ratings/<int:change_id>/reply", methods=["GET", "POST"])
@roles_required(Role.DEPUTY)
def reply_to_rating(change_id: int):
    """The rated deputy's right of reply (shown beside the rating; it never changes it)."""
    change = replies.rating_for_reply(change_id)
    form = ReplyForm()
    return submit(
        form,
        lambda: replies.reply_to_rating(current_user, change_id, form.text.data),
        done=lambda r: redirect_with(
            _("Your reply is published beside the rating."),
            url_for("promises.show_promise", promise_id=change.promise_id) + f"#change-{change_id}",
        ),
        page=lambda: render_template("appeals/reply.html", form=form, change=change),
    )
