"""The forms of the recall-rule pages: an edited copy (one input per rule field) and assigning a
rule to a body; and the conversions between a stored rule and the copy form's plain values."""

from __future__ import annotations

from dataclasses import fields as dc_fields
from typing import Any

from flask_babel import gettext as _
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

from recall.errors import Invalid
from recall.models import RecallRuleVersion
from recall.rules.recall_rules import (
    APPROVAL_BASES,
    DECIDED_BY,
    MANDATE_TYPES,
    SIGNING_CHANNELS,
    THRESHOLD_BASES,
    VERIFICATION_METHODS,
    VOTE_CONDITION_KINDS,
    RecallRule,
)
from recall.services.signing.channels import CHANNEL_NAMES


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
    electorate_basis = SelectField(
        _l("Registered voters counted"),
        choices=[
            SelectChoice("registration", _l("the register at the petition's registration")),
            SelectChoice(
                "last_day", _l("the register on the last day of signing, less those under 18")
            ),
            SelectChoice("election", _l("the voters at the election that elected the official")),
        ],
        default="registration",
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
    max_extension_days = IntegerField(
        _l("Days the commission may extend the signing period by, in all (0: none)"),
        validators=[InputRequired(), NumberRange(min=0)],
        default=0,
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
    full_count_max_signatures = IntegerField(
        _l("Check every signature when at most this many are filed (empty: no such size)"),
        validators=[Optional(), NumberRange(min=0)],
    )
    # One list says who may sign and how: the online channels name how identity is confirmed.
    signing_channels = _Checkboxes(
        _l("How voters may sign"),
        choices=[SelectChoice(c, CHANNEL_NAMES[c]) for c in SIGNING_CHANNELS],
    )
    deputy_answer_max_words = IntegerField(
        _l("The deputy may answer the grounds in at most this many words (empty: no answer)"),
        validators=[Optional(), NumberRange(min=1)],
    )
    deputy_answer_days = IntegerField(
        _l("... filed within this many days of the petition's submission"),
        validators=[Optional(), NumberRange(min=1)],
    )
    decided_by = SelectField(
        _l("What decides the recall: a vote, or the petition itself"),
        choices=[SelectChoice(d) for d in DECIDED_BY],
    )
    vote_conditions = TextAreaField(
        _l(
            "Conditions of the recall vote, all of which must hold, one per line: "
            "'turnout_quorum SHARE [strict]' (of registered voters), "
            "'approval SHARE votes_cast|turnout|registered [strict]', 'yes_more_than_no', "
            "'yes_at_least_votes_that_elected'; SHARE is a fraction such as 1/3; strict means "
            "more than instead of at least. Empty when the petition decides."
        ),
        validators=[Optional()],
    )
    unverified_fields = _Checkboxes(
        _l("Values not verified against a legal text"),
        choices=[SelectChoice(n) for n in RULE_FIELD_NAMES],
    )


class AssignForm(FlaskForm):
    """The rule in force for one body (the service names a missing body or rule)."""

    body_id = IntegerField(validators=[Optional()])
    rule_version_id = IntegerField(validators=[Optional()])


def bands_to_text(bands: list[dict[str, Any]]) -> str:
    """Signature bands as editable lines ``max_voters percent floor signing_days`` ('-' for none)."""

    def cell(value):
        return "-" if value is None else str(value)

    return "\n".join(
        f"{cell(b['max_voters'])} {b['percent']} {b.get('floor', 0)} {cell(b.get('signing_days'))}"
        for b in bands
    )


def bands_from_text(text: str) -> list[dict[str, Any]]:
    """Parse :func:`bands_to_text` lines; raises ``Invalid`` (field ``threshold_bands``) naming the line."""
    bands = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        cells = line.split()
        if not cells:
            continue
        if len(cells) < 2 or len(cells) > 4:
            raise Invalid(
                _(
                    "Line %(n)d: write max_voters, percent, and optionally floor and signing days.",
                    n=number,
                ),
                field="threshold_bands",
            )
        cells += ["0", "-"][len(cells) - 2 :]
        try:
            max_voters = None if cells[0] == "-" else int(cells[0])
            floor = int(cells[2])
            days = None if cells[3] == "-" else int(cells[3])
        except ValueError:
            raise Invalid(
                _(
                    "Line %(n)d: max_voters, floor and signing days are whole numbers or '-'.",
                    n=number,
                ),
                field="threshold_bands",
            ) from None
        bands.append(
            {"max_voters": max_voters, "percent": cells[1], "floor": floor, "signing_days": days}
        )
    if not bands:
        raise Invalid(_("Give at least one signature band."), field="threshold_bands")
    return bands


def conditions_to_text(conditions: list[dict[str, Any]]) -> str:
    """Vote conditions (``VoteCondition.to_dict()`` shape) as editable lines."""
    lines = []
    for c in conditions:
        cells = [c["kind"]]
        if c.get("share") is not None:
            cells.append(str(c["share"]))
        if c.get("of") is not None:
            cells.append(c["of"])
        if c.get("strict"):
            cells.append("strict")
        lines.append(" ".join(cells))
    return "\n".join(lines)


def conditions_from_text(text: str) -> list[dict[str, Any]]:
    """Parse :func:`conditions_to_text` lines; raises ``Invalid`` (field ``vote_conditions``)
    naming the line. Shares and kinds are checked again, exactly, by the rule itself."""
    conditions = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        cells = line.split()
        if not cells:
            continue
        kind, rest = cells[0], cells[1:]
        strict = bool(rest) and rest[-1] == "strict"
        if strict:
            rest = rest[:-1]
        shape = {
            "turnout_quorum": 1,
            "approval": 2,
            "yes_more_than_no": 0,
            "yes_at_least_votes_that_elected": 0,
        }
        if kind not in shape:
            raise Invalid(
                _(
                    "Line %(n)d: a condition is one of %(kinds)s.",
                    n=number,
                    kinds=", ".join(VOTE_CONDITION_KINDS),
                ),
                field="vote_conditions",
            )
        if len(rest) != shape[kind] or (kind == "approval" and rest[1] not in APPROVAL_BASES):
            raise Invalid(
                _(
                    "Line %(n)d: write 'turnout_quorum 1/3', 'approval 1/2 turnout strict' "
                    "(of votes_cast, turnout or registered), 'yes_more_than_no' or "
                    "'yes_at_least_votes_that_elected'.",
                    n=number,
                ),
                field="vote_conditions",
            )
        condition: dict[str, Any] = {"kind": kind}
        if rest:
            condition["share"] = rest[0]
        if kind == "approval":
            condition["of"] = rest[1]
        if kind in ("turnout_quorum", "approval") or strict:
            condition["strict"] = strict
        conditions.append(condition)
    return conditions


def rule_data_from_form(values: dict[str, Any]) -> dict[str, Any]:
    """Turn the rule form's plain values into ``RecallRule.to_dict()`` shape (bands parsed, blanks to None)."""
    data = {k: v for k, v in values.items() if k not in ("csrf_token", "submit")}
    data["threshold_bands"] = bands_from_text(values.get("threshold_bands") or "")
    data["sample_percent"] = (values.get("sample_percent") or "").strip() or None
    data["vote_conditions"] = conditions_from_text(values.get("vote_conditions") or "")
    data["signing_channels"] = list(values.get("signing_channels") or [])
    for name in (
        "key",
        "name",
        "jurisdiction",
        "legal_source",
        "full_count_upper",
        "full_count_lower",
    ):
        data[name] = (values.get(name) or "").strip()
    data["notes"] = (values.get("notes") or "").strip()
    data["recallable_mandates"] = list(values.get("recallable_mandates") or [])
    data["unverified_fields"] = list(values.get("unverified_fields") or [])
    return data


def form_values_from_rule(version: RecallRuleVersion) -> dict[str, Any]:
    """Values to pre-fill the copy form with ``version``'s rule (suggesting a new key).

    The rule is read through ``RecallRule`` first, so an older stored layout fills the form as
    today's (vote conditions, the default signing channels).
    """
    data = version.to_rule().to_dict()
    data.pop("schema_version", None)
    data["threshold_bands"] = bands_to_text(data["threshold_bands"])
    data["vote_conditions"] = conditions_to_text(data["vote_conditions"])
    data["key"] = data["key"] if not version.is_preset else f"{data['key']}_edited"
    return data
