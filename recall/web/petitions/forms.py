"""Forms of the petition pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from recall.services.petitions.extensions import DESCRIPTION_MAX
from recall.services.petitions.lifecycle import GROUNDS_MAX, REASON_MAX


class OpenPetitionForm(FlaskForm):
    grounds = TextAreaField(
        _l("Grounds for the recall (50 to 5000 characters)"),
        validators=[DataRequired(), Length(max=GROUNDS_MAX + 1000)],
    )
    promise_ids = SelectMultipleField(
        _l("Promises of this deputy that you cite"), coerce=int, choices=[], validate_choice=False
    )
    appeal_ids = SelectMultipleField(
        _l("Unanswered appeals to this deputy that you cite"),
        coerce=int,
        choices=[],
        validate_choice=False,
    )


class InviteForm(FlaskForm):
    email = EmailField(
        _l("E-mail of the person to invite"), validators=[DataRequired(), Length(max=254)]
    )


class MemberIinForm(FlaskForm):
    """A group member's IIN (the service checks it: the group is made of voters of the district)."""

    iin = StringField(_l("Your IIN (12 digits)"), validators=[DataRequired(), Length(max=40)])


class ExtendForm(FlaskForm):
    """A commission's extension of the signing period (the service checks it against the rule)."""

    days = IntegerField(_l("Extend by (days)"), validators=[InputRequired()])
    cause = SelectField(
        _l("Cause"),
        choices=[
            SelectChoice("outage", _l("an outage")),
            SelectChoice("other", _l("another cause")),
        ],
    )
    description = TextAreaField(
        _l("What happened (for an outage: what was down, from when to when)"),
        validators=[DataRequired(), Length(max=DESCRIPTION_MAX + 1000)],
    )


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=REASON_MAX)])


class AnswerForm(FlaskForm):
    """The deputy's answer to the grounds (the service counts its words against the rule)."""

    answer = TextAreaField(_l("The deputy's answer, as filed"), validators=[Length(max=20000)])
