"""API tokens of organizations and commissions: create (shown once), list, revoke."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from recall.models import Role
from recall.security import roles_required
from recall.services.accounts import api_tokens
from recall.web.actions import redirect_with, submit
from recall.web.tokens.forms import SCOPE_LABELS, RevokeForm, TokenForm

bp = Blueprint("tokens", __name__, url_prefix="/account/tokens")


def _page(form, revoke_form=None, created=None) -> str:
    allowed = api_tokens.allowed_scopes(current_user)
    form.scopes.choices = [
        SelectChoice(s, label) for s, label in SCOPE_LABELS.items() if s in allowed
    ]
    return render_template(
        "tokens/tokens.html",
        form=form,
        revoke_form=revoke_form or RevokeForm(formdata=None),
        tokens=api_tokens.list_tokens(current_user),
        created=created,
    )


@bp.route("", methods=["GET", "POST"])
@roles_required(Role.MONITOR, Role.COMMISSIONER)
def list_tokens():
    form = TokenForm()
    return submit(
        form,
        lambda: api_tokens.create_token(current_user, form.name.data, form.scopes.data),
        # The token text is shown on this answer only: it is not stored, so it cannot be again.
        done=lambda made: _page(TokenForm(formdata=None), created=made),
        page=lambda: _page(form),
    )


@bp.post("/<int:token_id>/revoke")
@roles_required(Role.MONITOR, Role.COMMISSIONER)
def revoke_token(token_id: int):
    form = RevokeForm()
    return submit(
        form,
        lambda: api_tokens.revoke_token(current_user, token_id),
        done=lambda _t: redirect_with(_("The token is revoked."), url_for("tokens.list_tokens")),
        page=lambda: _page(TokenForm(formdata=None), revoke_form=form),
    )
