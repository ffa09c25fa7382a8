"""Forms of the appeal pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from recall.services.appeals.lifecycle import (
    ASK_MAX,
    REASON_MAX,
    RESPONSE_MAX,
    SOURCE_MAX,
    TEXT_MAX,
    TITLE_MAX,
)


class DraftAppealForm(FlaskForm):
    addressee = SelectField(_l("To whom"), choices=[], validate_choice=False)
    title = StringField(
        _l("Title (10 to 200 characters)"), validators=[Length(max=TITLE_MAX + 100)]
    )
    text = TextAreaField(
        _l("Your appeal (50 to 5000 characters)"), validators=[Length(max=TEXT_MAX + 1000)]
    )
    ask = TextAreaField(_l("What exactly you ask for"), validators=[Length(max=ASK_MAX + 500)])
    promise_ids = SelectMultipleField(
        _l("Promises of this deputy that you cite (optional)"),
        coerce=int,
        choices=[],
        validate_choice=False,
    )


class RejectAppealForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=REASON_MAX)])


class MergeAppealForm(FlaskForm):
    original_id = SelectField(
        _l("The open appeal it duplicates"), coerce=int, choices=[], validate_choice=False
    )
    reason = TextAreaField(_l("Note (optional)"), validators=[Length(max=REASON_MAX)])


class AppealTermsForm(FlaskForm):
    open_months = StringField(_l("Open for (months, 1 to 36)"), validators=[Length(max=3)])
    threshold_count = StringField(
        _l("Threshold: constituent signatures"), validators=[Optional(), Length(max=9)]
    )
    threshold_share = StringField(
        _l("or threshold: share of registered voters (0.01 = 1%)"),
        validators=[Optional(), Length(max=12)],
    )
    response_days = StringField(_l("Days to respond (1 to 365)"), validators=[Length(max=4)])
    chair_deputy_id = SelectField(
        _l("Chair of the body (told and answers when an appeal to the whole body is due)"),
        coerce=int,
        validate_choice=False,
    )


class RespondForm(FlaskForm):
    text = TextAreaField(_l("The answer"), validators=[Length(max=RESPONSE_MAX + 1000)])
    source = StringField(
        _l("Where the written answer comes from (a link or the letter's number and date)"),
        validators=[Length(max=SOURCE_MAX + 100)],
    )


class UpdateForm(FlaskForm):
    text = TextAreaField(
        _l("Your update to the followers (10 to 2000 characters; a moderator checks it)"),
        validators=[Length(max=3000)],
    )


class ReplyForm(FlaskForm):
    text = TextAreaField(
        _l("Your reply to this rating (10 to 2000 characters; it never changes the rating)"),
        validators=[Length(max=3000)],
    )
