"""Forms of the API token page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

SCOPE_LABELS = {
    "promises:write": _l("promises:write: record promises, rate them, dispute ratings"),
    "webhooks": _l("webhooks: manage your organization's webhooks"),
    "commission:read": _l("commission:read: read your body's verification reports and queues"),
    "commission:write": _l("commission:write: record the deputy's answer to your body's petitions"),
}


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name (what the token is for)"), validators=[DataRequired(), Length(max=100)]
    )
    # The service checks which scopes the person may give.
    scopes = SelectMultipleField(
        _l("Scopes"),
        choices=[SelectChoice(s, label) for s, label in SCOPE_LABELS.items()],
        validate_choice=False,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )


class RevokeForm(FlaskForm):
    """Only the CSRF token."""
