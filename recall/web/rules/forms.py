"""The form for an edited copy of a recall rule: one input per rule field."""

from __future__ import annotations

from dataclasses import fields as dc_fields

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from recall.rules.recall_rules import (
    MANDATE_TYPES,
    THRESHOLD_BASES,
    VERIFICATION_METHODS,
    VOTE_MAJORITIES,
    RecallRule,
)


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


RULE_FIELD_NAMES = tuple(f.name for f in dc_fields(RecallRule))


class RuleForm(FlaskForm):
    key = StringField(
        _l("Key of the copy (lower-case letters, digits, _)"),
        validators=[InputRequired(), Length(max=64)],
    )
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    jurisdiction = StringField(_l("Jurisdiction"), validators=[InputRequired(), Length(max=200)])
    legal_source = TextAreaField(_l("Legal source"), validators=[InputRequired()])
    notes = TextAreaField(_l("Notes"), validators=[Optional()])
    recallable_mandates = _Checkboxes(
        _l("Mandates that can be recalled"), choices=[SelectChoice(m) for m in MANDATE_TYPES]
    )
    lockout_first_days = IntegerField(
        _l("No recall in the first days of the term"),
        validators=[InputRequired(), NumberRange(min=0)],
    )
    lockout_last_days = IntegerField(
        _l("No recall in the last days of the term"),
        validators=[InputRequired(), NumberRange(min=0)],
    )
    threshold_basis = SelectField(
        _l("Threshold basis"), choices=[SelectChoice(b) for b in THRESHOLD_BASES]
    )
    threshold_bands = TextAreaField(
        _l(
            "Signature bands, one per line: max_voters percent [floor] [signing_days]; '-' for none "
            "(the last band has max_voters '-')"
        ),
        validators=[InputRequired()],
    )
    signing_days = IntegerField(
        _l("Signing period (days)"), validators=[InputRequired(), NumberRange(min=1)]
    )
    min_initiative_group = IntegerField(
        _l("Minimum initiative group"), validators=[InputRequired(), NumberRange(min=0)]
    )
    withdrawal_allowed = BooleanField(_l("Signers may withdraw"))
    running_count_public = BooleanField(_l("A running count may be published during signing"))
    verification_method = SelectField(
        _l("Verification method"), choices=[SelectChoice(v) for v in VERIFICATION_METHODS]
    )
    sample_percent = StringField(
        _l("Sample percent (random sample)"), validators=[Optional(), Length(max=20)]
    )
    sample_minimum = IntegerField(_l("Sample minimum (random sample)"), validators=[Optional()])
    full_count_upper = StringField(
        _l("Full count upper bound (e.g. 1.10)"), validators=[InputRequired(), Length(max=20)]
    )
    full_count_lower = StringField(
        _l("Full count lower bound (e.g. 0.90)"), validators=[InputRequired(), Length(max=20)]
    )
    vote_turnout_quorum = StringField(
        _l("Recall vote turnout quorum (fraction such as 1/3; empty for none)"),
        validators=[Optional(), Length(max=20)],
    )
    vote_majority = SelectField(
        _l("How the recall vote is decided"), choices=[SelectChoice(v) for v in VOTE_MAJORITIES]
    )
    unverified_fields = _Checkboxes(
        _l("Values not verified against a legal text"),
        choices=[SelectChoice(n) for n in RULE_FIELD_NAMES],
    )
