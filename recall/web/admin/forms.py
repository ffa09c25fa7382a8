from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from recall.models import Role
from recall.services.accounts.users import MIN_PASSWORD_LENGTH

# Role names as people read them (the enum values are identifiers, not words in kk/ru/en).
ROLE_LABELS = {
    Role.CITIZEN: _l("citizen"),
    Role.MONITOR: _l("monitor"),
    Role.COMMISSIONER: _l("commissioner"),
    Role.ADMIN: _l("administrator"),
    Role.MODERATOR: _l("moderator"),
    Role.DEPUTY: _l("deputy account"),
}


class GrantRoleForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(r.value, ROLE_LABELS[r]) for r in Role if r != Role.CITIZEN],
    )
    # Chosen from lists (``set_choices``), never typed: a slug typed wrong granted nothing, and
    # an organization's name typed twice differently made two organizations.
    organization = SelectField(_l("Organization (monitors)"), choices=[], validate_choice=False)
    new_organization = StringField(
        _l("Name of the new organization"), validators=[Optional(), Length(max=200)]
    )
    body = SelectField(_l("Body (commissioners)"), choices=[], validate_choice=False)
    deputy = StringField(_l("Deputy id (deputy accounts)"), validators=[Optional(), Length(max=12)])

    def set_choices(self, bodies, organizations) -> None:
        """Offer the bodies and organizations there are; "new" opens the name field."""
        self.body.choices = [SelectChoice("", _l("— none —"))] + [
            SelectChoice(str(b.id), b.name) for b in bodies
        ]
        self.organization.choices = (
            [SelectChoice("", _l("— none —"))]
            + [SelectChoice(o.name, o.name) for o in organizations]
            + [SelectChoice(NEW_ORGANIZATION, _l("New organization…"))]
        )

    def organization_name(self) -> str | None:
        """The organization to grant: the one chosen, or the new one named."""
        if self.organization.data == NEW_ORGANIZATION:
            return self.new_organization.data or None
        return self.organization.data or None


NEW_ORGANIZATION = "__new__"


class CreateAccountForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)]
    )
    admin = BooleanField(_l("Administrator"))


class FraudSettingsForm(FlaskForm):
    """Fraud settings an administrator changes at run time (``recall.services.fraud.settings``)."""

    flag_share = DecimalField(
        _l("Flag a source with this share of an hour's signatures (0.01-1)"),
        places=2,
        validators=[InputRequired()],
    )
    flag_min_count = IntegerField(
        _l("... when it has at least this many signatures"), validators=[InputRequired()]
    )
    flag_rate = IntegerField(
        _l("Flag a source with this many signatures in an hour, whatever its share"),
        validators=[InputRequired()],
    )
    disposable_email = SelectField(
        _l("Disposable e-mail addresses"),
        choices=[
            SelectChoice("flag", _l("accept and flag")),
            SelectChoice("refuse", _l("refuse")),
            SelectChoice("allow", _l("accept")),
        ],
    )
    rate_per_address = StringField(
        _l("Signing limit per client address (e.g. 20 per minute;200 per day)"),
        validators=[Length(max=200)],
    )
    rate_per_domain = StringField(
        _l("Signing limit per e-mail domain (empty: none)"), validators=[Length(max=200)]
    )
    rate_per_petition = StringField(
        _l("Signing limit per petition (empty: none)"), validators=[Length(max=200)]
    )


class ElectionFiguresForm(FlaskForm):
    """A district's voters at the election and its date (empty: not known)."""

    voters_at_election = IntegerField(
        _l("Registered voters at the election that elected the deputy"), validators=[Optional()]
    )
    election_date = DateField(_l("Date of that election"), validators=[Optional()])


class BodyKindForm(FlaskForm):
    """A body kind (``recall.services.deputies.body_kinds``): the code only when adding one."""

    code = StringField(
        _l("Code (letters, digits, _; how imports name the kind)"),
        validators=[Optional(), Length(max=60)],
    )
    name_kk = StringField(_l("Name in Kazakh"), validators=[Length(max=200)])
    name_ru = StringField(_l("Name in Russian"), validators=[Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Length(max=200)])
    jurisdiction = SelectField(_l("Jurisdiction"), choices=[], validate_choice=False)
    new_jurisdiction = StringField(
        _l("Name of the new jurisdiction"), validators=[Optional(), Length(max=200)]
    )
    list_seats_percent = IntegerField(
        _l("Seats elected by party list, in percent (empty: the law fixes no share)"),
        validators=[Optional()],
    )
    list_deputies_recallable = BooleanField(_l("Voters may recall deputies elected by party list"))
    default_rule_key = SelectField(_l("Default recall rule"), choices=[], validate_choice=False)

    @staticmethod
    def data_of(kind) -> dict:
        """A kind's values as the form shows them (its names per language as ``name_<lang>``)."""
        names = kind.names or {}
        return {
            **{f"name_{lang}": names.get(lang, "") for lang in ("kk", "ru", "en")},
            "jurisdiction": kind.jurisdiction,
            "list_seats_percent": kind.list_seats_percent,
            "list_deputies_recallable": kind.list_deputies_recallable,
            "default_rule_key": kind.default_rule_key or "",
        }

    def set_choices(self, jurisdictions: list[str], rules: list[tuple[str, str]]) -> None:
        """Offer the jurisdictions and recall rules the app knows (the service checks them)."""
        self.jurisdiction.choices = [SelectChoice(j, j) for j in jurisdictions] + [
            SelectChoice(NEW_JURISDICTION, _l("New jurisdiction…"))
        ]
        self.default_rule_key.choices = [
            SelectChoice("", _l("the first preset of the jurisdiction (none: no recall)"))
        ] + [SelectChoice(key, label) for key, label in rules]

    def values(self) -> dict:
        """The keyword arguments of ``add_kind`` and ``update_kind`` (all but code and actor)."""
        new = self.jurisdiction.data == NEW_JURISDICTION
        return {
            "names": {"kk": self.name_kk.data, "ru": self.name_ru.data, "en": self.name_en.data},
            "jurisdiction": (self.new_jurisdiction.data if new else self.jurisdiction.data) or "",
            "new_jurisdiction": new,
            "list_seats_percent": self.list_seats_percent.data,
            "list_deputies_recallable": self.list_deputies_recallable.data,
            "default_rule_key": self.default_rule_key.data or None,
        }


NEW_JURISDICTION = "__new__"
