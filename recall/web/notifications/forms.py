from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from recall.models.notifications import FollowChannel


class FollowForm(FlaskForm):
    channel = SelectField(
        _l("Tell me"),
        choices=[
            SelectChoice(FollowChannel.EMAIL.value, _l("by e-mail")),
            SelectChoice(FollowChannel.NONE.value, _l("nothing (just follow)")),
        ],
        default=FollowChannel.EMAIL.value,
    )
    next = HiddenField()


class EmptyForm(FlaskForm):
    """A form with only the CSRF token (buttons that post)."""

    next = HiddenField()


class WebhookForm(FlaskForm):
    url = URLField(_l("Address (URL)"), validators=[DataRequired(), Length(max=500)])
