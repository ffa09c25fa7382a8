"""Administration of recall rules: presets, edited copies and which rule each body runs under."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from recall.models import Role
from recall.security import roles_required
from recall.services.deputies import directory
from recall.services.rules import recall_rules
from recall.web.actions import redirect_with, submit
from recall.web.forms import ActionForm
from recall.web.rules.forms import AssignForm, RuleForm, form_values_from_rule, rule_data_from_form

bp = Blueprint("rules", __name__, url_prefix="/admin/rules")


def _rules_page(action_form=None, assign_form=None) -> str:
    return render_template(
        "rules/index.html",
        versions=recall_rules.list_rule_versions(),
        bodies=(bodies := directory.list_bodies()),
        defaults=recall_rules.default_rule_keys(bodies),
        assignments=recall_rules.body_assignments(),
        action_form=action_form or ActionForm(formdata=None),
        assign_form=assign_form or AssignForm(formdata=None),
    )


def _to_rules(message: str):
    return redirect_with(message, url_for("rules.list_rules"))


@bp.get("/")
@roles_required(Role.ADMIN)
def list_rules():
    return _rules_page()


@bp.post("/presets")
@roles_required(Role.ADMIN)
def seed_presets():
    form = ActionForm()
    return submit(
        form,
        recall_rules.ensure_preset_rules,
        done=lambda _r: _to_rules(_("The preset rules are stored.")),
        page=lambda: _rules_page(action_form=form),
    )


@bp.post("/assign")
@roles_required(Role.ADMIN)
def assign_rule():
    form = AssignForm()
    return submit(
        form,
        lambda: recall_rules.assign_rule(
            current_user, form.body_id.data, form.rule_version_id.data
        ),
        done=lambda row: _to_rules(
            _("%(body)s now runs under %(rule)s.", body=row.body.name, rule=row.rule_version.name)
        ),
        page=lambda: _rules_page(assign_form=form),
    )


@bp.get("/<int:version_id>")
@roles_required(Role.ADMIN)
def show_rule(version_id: int):
    version = recall_rules.get_rule_version(version_id)
    return render_template("rules/show.html", version=version, rule=version.to_rule())


@bp.route("/<int:version_id>/copy", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def copy_rule(version_id: int):
    based_on = recall_rules.get_rule_version(version_id)
    form = RuleForm(data=None if request.method == "POST" else form_values_from_rule(based_on))
    return submit(
        form,
        lambda: recall_rules.copy_rule(current_user, based_on.id, rule_data_from_form(form.data)),
        done=lambda version: redirect_with(
            _("Stored %(name)s, version %(v)d.", name=version.name, v=version.version),
            url_for("rules.show_rule", version_id=version.id),
        ),
        page=lambda: render_template("rules/copy.html", form=form, based_on=based_on),
    )
