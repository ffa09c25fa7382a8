"""Forms of the promise tracker. They check shape only; the services check meaning and access."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from recall.models.promise import BrokenReason, PromiseLevel, PromiseStatus
from recall.services.words import lazy_word


def status_label(status: str):
    return lazy_word("promise_status", status)  # the one mapping (recall.services.words)


def broken_reason_label(reason: str):
    return {
        "no_priority": _l("Not a priority"),
        "changed_position": _l("Changed position"),
        "no_majority": _l("No majority for it"),
        "outside_powers": _l("Outside the deputy's powers"),
        "other": _l("Other reason"),
    }[reason]


def level_label(level: str):
    return {"national": _l("National"), "regional": _l("Regional"), "local": _l("Local")}[level]


def _status_choices():
    return [SelectChoice(s.value, status_label(s.value)) for s in PromiseStatus]


def _reason_choices():
    return [SelectChoice("", _l("— only for a broken promise —"))] + [
        SelectChoice(r.value, broken_reason_label(r.value)) for r in BrokenReason
    ]


class PromiseForm(FlaskForm):
    title = StringField(_l("Short title"), validators=[DataRequired(), Length(max=200)])
    statement = TextAreaField(
        _l("The promise as stated"), validators=[DataRequired(), Length(max=5000)]
    )
    made_on = DateField(_l("Date it was made"), validators=[DataRequired()])
    source_url = StringField(
        _l("Source link (where it was said)"), validators=[DataRequired(), Length(max=1000)]
    )
    quotation = TextAreaField(_l("Quotation (optional)"), validators=[Optional(), Length(max=5000)])
    topic = SelectField(_l("Topic"), choices=[])
    level = SelectField(
        _l("Level it concerns"),
        choices=[SelectChoice(lv.value, level_label(lv.value)) for lv in PromiseLevel],
    )
    # Set by the buttons shown when a similar promise exists.
    merge_into = HiddenField()
    confirm_distinct = HiddenField()


class EditPromiseForm(FlaskForm):
    title = StringField(_l("Short title"), validators=[DataRequired(), Length(max=200)])
    statement = TextAreaField(
        _l("The promise as stated"), validators=[DataRequired(), Length(max=5000)]
    )
    reason = TextAreaField(
        _l("Why the wording changes (shown in the corrections log)"),
        validators=[DataRequired(), Length(max=5000)],
    )


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"), choices=_status_choices, validate_choice=False)
    broken_reason = SelectField(
        _l("Why it was broken"), choices=_reason_choices, validate_choice=False
    )
    changed_on = DateField(_l("Date of the outcome"), validators=[DataRequired()])
    explanation = TextAreaField(_l("Explanation"), validators=[DataRequired(), Length(max=5000)])
    evidence = TextAreaField(
        _l("Evidence links (one per line, at least one)"), validators=[Length(max=10000)]
    )
    corrects = BooleanField(
        _l("This corrects the current rating, which was wrong (listed in the corrections log)")
    )


class DisputeForm(FlaskForm):
    reason = TextAreaField(
        _l("Why the rating is wrong"), validators=[DataRequired(), Length(max=5000)]
    )
    evidence = TextAreaField(
        _l("Evidence links (one per line, at least one)"), validators=[Length(max=10000)]
    )


class ResolveForm(FlaskForm):
    resolution = TextAreaField(_l("Resolution"), validators=[DataRequired(), Length(max=5000)])
    outcome = SelectField(
        _l("Outcome"),
        choices=[
            SelectChoice("upheld", _l("The rating stands")),
            SelectChoice("corrected", _l("Correct the rating")),
        ],
    )
    status = SelectField(_l("Corrected status"), choices=_status_choices, validate_choice=False)
    broken_reason = SelectField(
        _l("Why it was broken"), choices=_reason_choices, validate_choice=False
    )
    changed_on = DateField(_l("Date of the outcome"), validators=[Optional()])
    evidence = TextAreaField(
        _l("Evidence links for the corrected rating (one per line)"), validators=[Length(max=10000)]
    )


class MergeForm(FlaskForm):
    target = IntegerField(
        _l("Merge into promise number"), validators=[DataRequired(), NumberRange(min=1)]
    )
    reason = TextAreaField(
        _l("Why these are the same promise"), validators=[DataRequired(), Length(max=5000)]
    )


class TopicForm(FlaskForm):
    slug = StringField(
        _l("Slug (latin letters, digits, - and _)"), validators=[DataRequired(), Length(max=60)]
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])


class TipForm(FlaskForm):
    """A citizen's tip or evidence on a promise (shape only; the service checks the rest)."""

    link = StringField(
        _l("Link (a news item, a document, a video)"), validators=[Optional(), Length(max=1000)]
    )
    description = TextAreaField(
        _l("What you saw, or what your photo shows"), validators=[Optional(), Length(max=2000)]
    )
    place = StringField(_l("Where"), validators=[Optional(), Length(max=200)])
    observed_on = DateField(_l("When"), validators=[Optional()])


class DismissTipForm(FlaskForm):
    reason = TextAreaField(_l("Why it is dismissed"), validators=[DataRequired(), Length(max=1000)])
