"""Administration of recall rules: presets, edited copies and which rule each body runs under."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from recall.errors import Invalid
from recall.extensions import db
from recall.models import Body, Role
from recall.security import roles_required
from recall.services.rules import recall_rules
from recall.web.forms import attach_error
from recall.web.rules.forms import RuleForm

bp = Blueprint("rules", __name__, url_prefix="/admin/rules")


@bp.get("/")
@roles_required(Role.ADMIN)
def list_rules():
    return render_template(
        "rules/index.html",
        versions=recall_rules.list_rule_versions(),
        bodies=db.session.scalars(db.select(Body).order_by(Body.id)).all(),
        assignments=recall_rules.body_assignments(),
        defaults=recall_rules.DEFAULT_PRESET_BY_LEVEL,
    )


@bp.post("/presets")
@roles_required(Role.ADMIN)
def seed_presets():
    recall_rules.ensure_preset_rules()
    db.session.commit()
    flash(_("The preset rules are stored."), "success")
    return redirect(url_for("rules.list_rules"), 303)


@bp.post("/assign")
@roles_required(Role.ADMIN)
def assign_rule():
    try:
        row = recall_rules.assign_rule(
            current_user,
            request.form.get("body_id", type=int),
            request.form.get("rule_version_id", type=int),
        )
    except Invalid as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("rules.list_rules"), 303)
    db.session.commit()
    flash(
        _("%(body)s now runs under %(rule)s.", body=row.body.name, rule=row.rule_version.name),
        "success",
    )
    return redirect(url_for("rules.list_rules"), 303)


@bp.get("/<int:version_id>")
@roles_required(Role.ADMIN)
def show_rule(version_id: int):
    version = recall_rules.get_rule_version(version_id)
    return render_template("rules/show.html", version=version, rule=version.to_rule())


@bp.route("/<int:version_id>/copy", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def copy_rule(version_id: int):
    based_on = recall_rules.get_rule_version(version_id)
    form = RuleForm(
        data=None if request.method == "POST" else recall_rules.form_values_from_rule(based_on)
    )
    status = 200
    if form.validate_on_submit():
        try:
            version = recall_rules.copy_rule(
                current_user, based_on.id, recall_rules.rule_data_from_form(form.data)
            )
        except Invalid as exc:
            db.session.rollback()
            exc.field = recall_rules.rule_error_field(exc.field) if exc.field else None
            attach_error(form, exc)
            status = 422
        else:
            db.session.commit()
            flash(
                _("Stored %(name)s, version %(v)d.", name=version.name, v=version.version),
                "success",
            )
            return redirect(url_for("rules.show_rule", version_id=version.id), 303)
    elif form.is_submitted():
        status = 422
    return render_template("rules/copy.html", form=form, based_on=based_on), status
