from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from recall.models.notifications import FollowChannel


class FollowForm(FlaskForm):
    # The follow service checks the value ("Choose e-mail or nothing.").
    channel = SelectField(
        _l("Tell me"),
        choices=[
            SelectChoice(FollowChannel.EMAIL.value, _l("by e-mail")),
            SelectChoice(FollowChannel.NONE.value, _l("nothing (just follow)")),
        ],
        default=FollowChannel.EMAIL.value,
        validate_choice=False,
    )
    next = HiddenField()


class EmptyForm(FlaskForm):
    """A form with only the CSRF token (buttons that post)."""

    next = HiddenField()


class UnsubscribeForm(FlaskForm):
    """The one-click unsubscribe: mail programs post it without a CSRF token (RFC 8058)."""

    class Meta:
        csrf = False


class WebhookForm(FlaskForm):
    url = URLField(_l("Address (URL)"), validators=[DataRequired(), Length(max=500)])
