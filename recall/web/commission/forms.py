"""Forms of the commission pages (shape only; permissions and state live in the services)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional


class RollUploadForm(FlaskForm):
    file = FileField(
        _l("Voter roll (CSV: iin, full_name, district_number or district_code, address)"),
        validators=[FileRequired(_l("Choose the CSV file."))],
    )
    as_of = DateField(
        _l("Roll date"), validators=[DataRequired(_l("Enter the date the roll is valid for."))]
    )
    skip_invalid = BooleanField(_l("Load the good rows and report the malformed ones"))
    mode = SelectField(
        _l("Districts the file does not cover"),
        choices=[
            SelectChoice(
                "",
                _l("Decide after the preview (a file covering every district replaces)"),
            ),
            SelectChoice("partial", _l("Keep their rolls (a partial roll)")),
            SelectChoice("replace", _l("Set them to 0 voters (the file is the whole roll)")),
        ],
        default="",
    )


class ConfirmRollForm(FlaskForm):
    """The commissioner's yes to a previewed roll (and the mode, when the upload left it open)."""

    mode = SelectField(
        _l("Districts the file does not cover"),
        choices=[
            SelectChoice("", _l("— choose —")),
            SelectChoice("partial", _l("Keep their rolls (a partial roll)")),
            SelectChoice("replace", _l("Set them to 0 voters (the file is the whole roll)")),
        ],
        default="",
    )


class SampleForm(FlaskForm):
    seed = StringField(
        _l("Seed (leave empty for a random one)"), validators=[Optional(), Length(max=64)]
    )


class DecisionForm(FlaskForm):
    reason_code = SelectField(_l("Reason (for a rejection)"), choices=[], validate_choice=False)
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    accept = SubmitField(_l("Accept"))
    reject = SubmitField(_l("Reject"))


class ProposeForm(FlaskForm):
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class VoteForm(FlaskForm):
    registered = IntegerField(
        _l("Registered voters"), validators=[DataRequired(), NumberRange(min=1)]
    )
    turnout = IntegerField(_l("Voters who took part"), validators=[NumberRange(min=0)])
    yes = IntegerField(_l("Votes for recall"), validators=[NumberRange(min=0)])
    no = IntegerField(_l("Votes against recall"), validators=[NumberRange(min=0)])
    votes_that_elected = IntegerField(
        _l("Votes that elected the deputy (only some rules)"),
        validators=[Optional(), NumberRange(min=0)],
    )


class CloseReportForm(FlaskForm):
    resolution = TextAreaField(_l("Resolution"), validators=[DataRequired(), Length(max=2000)])


class MisuseForm(FlaskForm):
    petition = IntegerField(
        _l("Petition number"), validators=[DataRequired(_l("Enter the petition number."))]
    )
    iin = StringField(
        _l("Your IIN"), validators=[DataRequired(_l("Enter your IIN.")), Length(max=20)]
    )
    email = EmailField(
        _l("E-mail for our answer"),
        validators=[DataRequired(_l("Enter your e-mail.")), Email(), Length(max=254)],
    )
    message = TextAreaField(_l("What happened"), validators=[Optional(), Length(max=2000)])


class CriteriaForm(FlaskForm):
    """What a bulk invalidation or a shadow ban matches (the service checks the values)."""

    block = StringField(
        _l("Address block (an address, 203.0.113.0/24, or the reference from the sources page)"),
        validators=[Optional(), Length(max=100)],
    )
    address = StringField(_l("One address"), validators=[Optional(), Length(max=64)])
    domain = StringField(_l("E-mail domain"), validators=[Optional(), Length(max=253)])
    user_agent = StringField(
        _l("Browser or client family (e.g. python)"), validators=[Optional(), Length(max=200)]
    )
    collector = StringField(
        _l("Paper collector (the name on the sheets)"), validators=[Optional(), Length(max=200)]
    )
    since = StringField(_l("From (UTC, 2025-05-31T14:00)"), validators=[Optional(), Length(max=40)])
    until = StringField(_l("Until (UTC)"), validators=[Optional(), Length(max=40)])

    def criteria(self) -> dict:
        return {
            name: getattr(self, name).data
            for name in ("block", "address", "domain", "user_agent", "collector", "since", "until")
        }


class InvalidationForm(CriteriaForm):
    reason = TextAreaField(
        _l("Why (goes into the audit log)"), validators=[DataRequired(), Length(max=2000)]
    )


class BanForm(FlaskForm):
    """One source to shadow-ban on a petition."""

    block = StringField(
        _l("Address block (an address, 203.0.113.0/24, or the reference from the sources page)"),
        validators=[Optional(), Length(max=100)],
    )
    address = StringField(_l("One address"), validators=[Optional(), Length(max=64)])
    domain = StringField(_l("E-mail domain"), validators=[Optional(), Length(max=253)])
    reason = TextAreaField(
        _l("Why (goes into the audit log)"), validators=[DataRequired(), Length(max=2000)]
    )

    def criteria(self) -> dict:
        return {name: getattr(self, name).data for name in ("block", "address", "domain")}
