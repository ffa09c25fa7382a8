"""Body kinds: the seeded Kazakh kinds, kinds an administrator adds, and what follows from a kind.

A kind carries what code used to decide by a body's level: the seat rule, the recall preset its
bodies run under when none is assigned, and whether party-list deputies can be recalled.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from recall.errors import Forbidden, Invalid, NotFound
from recall.extensions import db
from recall.models import Body, BodyKind, BodyLevel, RecallRuleVersion, Role, User
from recall.rules.rule_presets import PRESETS
from recall.services.audit import append_audit
from recall.services.lookup import get_or_raise

KAZAKHSTAN = "Kazakhstan"

# The kinds every installation has (migration 0027 wrote the same rows; ``flask seed`` adds any
# that are missing). Seat rules after the 2022-23 reform (DOMAIN.md).
SEEDED_KINDS: tuple[dict, ...] = (
    {
        "code": BodyLevel.MAZHILIS.value,
        "names": {"en": "Mazhilis", "ru": "Мажилис", "kk": "Мәжіліс"},
        "jurisdiction": KAZAKHSTAN,
        "list_seats_percent": 70,
        "list_deputies_recallable": False,
        "default_rule_key": "kz_mazhilis_single_mandate",
    },
    {
        "code": BodyLevel.OBLAST_MASLIKHAT.value,
        "names": {
            "en": "Regional maslikhat",
            "ru": "Областной маслихат",
            "kk": "Облыстық мәслихат",
        },
        "jurisdiction": KAZAKHSTAN,
        "list_seats_percent": 50,
        "list_deputies_recallable": False,
        "default_rule_key": "kz_maslikhat_single_mandate",
    },
    {
        "code": BodyLevel.DISTRICT_MASLIKHAT.value,
        "names": {
            "en": "District maslikhat",
            "ru": "Районный маслихат",
            "kk": "Аудандық мәслихат",
        },
        "jurisdiction": KAZAKHSTAN,
        "list_seats_percent": 0,
        "list_deputies_recallable": False,
        "default_rule_key": "kz_maslikhat_single_mandate",
    },
)
_SEEDED = {k["code"]: k for k in SEEDED_KINDS}


def ensure_seeded_kinds() -> int:
    """Add the seeded kinds that are missing (an existing row is left as an administrator left
    it); returns how many were added. Flushes."""
    have = set(db.session.scalars(sa.select(BodyKind.code)))
    added = [BodyKind(**dict(k)) for k in SEEDED_KINDS if k["code"] not in have]
    db.session.add_all(added)
    db.session.flush()
    return len(added)


def find_kind(code: str) -> BodyKind | None:
    return db.session.scalar(sa.select(BodyKind).where(BodyKind.code == code))


def get_kind(code: str | BodyLevel) -> BodyKind:
    """The kind with ``code``; a seeded kind missing from the database is added first."""
    code = str(code)
    kind = find_kind(code)
    if kind is None and code in _SEEDED:
        ensure_seeded_kinds()
        kind = find_kind(code)
    if kind is None:
        raise NotFound(_("No body kind %(code)s.", code=code), field="kind")
    return kind


def known_rule_keys() -> set[str]:
    return set(PRESETS) | set(db.session.scalars(sa.select(RecallRuleVersion.key).distinct()))


# Jurisdictions are checked names, not rows of a table of their own. A jurisdiction means
# something only through the rows that name it: recall rules (a body runs under its kind's default
# rule, else the first preset of its jurisdiction), kinds and bodies; so the jurisdictions there
# are can be read off those rows, and a separate table would be one more list to keep in step with
# them. What the check is for is the typo ("United Kingdon") that would quietly leave every body
# of a kind without a rule. A jurisdiction nothing names yet (Nigeria: no preset) is still
# allowed, but only when the caller says it is new (``new=True``: the form's "New jurisdiction…",
# ``flask deputies add-kind --new-jurisdiction``); from then on the kind makes it known.
def known_jurisdictions() -> list[str]:
    """The jurisdictions the app knows, sorted: the presets', and any a rule version (an
    administrator's copy may name a new one), a kind or a body already uses."""
    known = {rule.jurisdiction for rule in PRESETS.values()}
    known |= set(db.session.scalars(sa.select(BodyKind.jurisdiction).distinct()))
    known |= set(db.session.scalars(sa.select(Body.jurisdiction).distinct()))
    for data in db.session.scalars(sa.select(RecallRuleVersion.data)):
        if (data or {}).get("jurisdiction"):
            known.add(data["jurisdiction"])
    return sorted(known)


def check_jurisdiction(value: str, *, new: bool = False) -> str:
    """The jurisdiction ``value`` names, spelled as the app knows it (case and spacing do not
    matter: "united kingdom" is "United Kingdom"). Invalid (field ``jurisdiction``) when it is
    empty, or unknown and not declared ``new``; a new one is taken as written (at most 200
    characters)."""
    name = " ".join((value or "").split())
    if not name:
        raise Invalid(_("Name the kind's jurisdiction."), field="jurisdiction")
    known = known_jurisdictions()
    match = next((j for j in known if j.casefold() == name.casefold()), None)
    if match is not None:
        return match
    if not new:
        raise Invalid(
            _(
                "Unknown jurisdiction %(value)s. Known: %(known)s. A jurisdiction no recall rule "
                "names yet must be added as a new one.",
                value=name[:200],
                known=", ".join(known),
            ),
            field="jurisdiction",
        )
    if len(name) > 200:
        raise Invalid(_("A jurisdiction is at most 200 characters."), field="jurisdiction")
    return name


def rule_choices() -> list[tuple[str, str]]:
    """The recall rules a kind may name as its default: (key, "name (key)"), by key."""
    names = {key: rule.name for key, rule in PRESETS.items()}
    for key, name in db.session.execute(sa.select(RecallRuleVersion.key, RecallRuleVersion.name)):
        names.setdefault(key, name)
    return [(key, f"{names[key]} ({key})") for key in sorted(names)]


def _require_admin(actor: User | None) -> None:
    """``actor`` None is the server operator (``flask deputies add-kind``): trusted."""
    if actor is not None and not actor.has_role(Role.ADMIN):
        raise Forbidden(_("Only an administrator may change body kinds."))


def _checked(
    jurisdiction: str,
    list_seats_percent: int | None,
    default_rule_key: str | None,
    new_jurisdiction: bool,
) -> dict:
    """What a kind may be set to, checked (Invalid naming the field): the same for adding and
    changing one."""
    jurisdiction = check_jurisdiction(jurisdiction, new=new_jurisdiction)
    if list_seats_percent is not None and not 0 <= list_seats_percent <= 100:
        raise Invalid(_("The party-list share is 0 to 100 percent."), field="list_seats_percent")
    if default_rule_key and default_rule_key not in known_rule_keys():
        raise Invalid(_("No recall rule %(key)s.", key=default_rule_key), field="default_rule_key")
    return {
        "jurisdiction": jurisdiction,
        "list_seats_percent": list_seats_percent,
        "default_rule_key": default_rule_key or None,
    }


def _merged_names(before: dict[str, str], names: dict[str, str]) -> dict[str, str]:
    """``before`` with the languages in ``names`` set (an empty name removes the language's)."""
    merged = dict(before)
    for lang, name in names.items():
        if name.strip():
            merged[lang] = name.strip()
        else:
            merged.pop(lang, None)
    if not merged:
        raise Invalid(_("Give the kind a name in at least one language."), field="names")
    return merged


def _state(kind: BodyKind) -> dict:
    """A kind as the audit log records it."""
    return {
        "code": kind.code,
        "names": dict(kind.names or {}),
        "jurisdiction": kind.jurisdiction,
        "list_seats_percent": kind.list_seats_percent,
        "list_deputies_recallable": kind.list_deputies_recallable,
        "default_rule_key": kind.default_rule_key,
    }


def add_kind(
    code: str,
    names: dict[str, str],
    jurisdiction: str,
    list_seats_percent: int | None = None,
    list_deputies_recallable: bool = False,
    default_rule_key: str | None = None,
    *,
    new_jurisdiction: bool = False,
    actor: User | None = None,
) -> BodyKind:
    """Add a body kind (``flask deputies add-kind``, ``/admin/kinds/new``).

    ``actor`` None is the server operator; anyone else must be an administrator (Forbidden).
    Invalid, naming the field, for a code that is empty, too long or taken, no name, an empty
    or unknown jurisdiction (``new_jurisdiction``: one no rule, kind or body names yet, taken as
    written), a share outside 0-100 or an unknown rule; nothing is written then. Appends an
    audit entry (``body_kind.added``). Flushes; the caller commits.
    """
    _require_admin(actor)
    code = code.strip()
    if not code or len(code) > 60:
        raise Invalid(_("A kind's code is 1 to 60 characters."), field="code")
    if find_kind(code) is not None:
        raise Invalid(_("There is a body kind %(code)s already.", code=code), field="code")
    kind = BodyKind(
        code=code,
        names=_merged_names({}, names),
        list_deputies_recallable=list_deputies_recallable,
        **_checked(jurisdiction, list_seats_percent, default_rule_key, new_jurisdiction),
    )
    db.session.add(kind)
    db.session.flush()
    append_audit(
        "body_kind.added", actor.id if actor else None, "body_kind", kind.id, None, _state(kind)
    )
    return kind


def get_kind_by_id(kind_id: int) -> BodyKind:
    """The kind with ``kind_id`` (NotFound)."""
    return get_or_raise(BodyKind, kind_id, _("No such body kind."))


def update_kind(
    actor: User | None,
    kind_id: int,
    names: dict[str, str],
    jurisdiction: str,
    list_seats_percent: int | None,
    list_deputies_recallable: bool,
    default_rule_key: str | None,
    *,
    new_jurisdiction: bool = False,
) -> BodyKind:
    """Change a kind (``/admin/kinds/<id>``); its code stays, it names the kind in imports.

    ``names``: the languages to set; an empty name removes that language's, languages not given
    stay (a name Popolo brought in another language). Bodies keep their own jurisdiction: the
    kind's is the default of bodies created after. Errors as :func:`add_kind`, NotFound for an
    unknown kind. Appends an audit entry (``body_kind.changed``) with the kind before and after.
    Flushes; the caller commits.
    """
    _require_admin(actor)
    kind = get_kind_by_id(kind_id)
    before = _state(kind)
    values = _checked(jurisdiction, list_seats_percent, default_rule_key, new_jurisdiction)
    kind.names = _merged_names(kind.names or {}, names)
    kind.list_deputies_recallable = list_deputies_recallable
    for attribute, value in values.items():
        setattr(kind, attribute, value)
    db.session.flush()
    append_audit(
        "body_kind.changed",
        actor.id if actor else None,
        "body_kind",
        kind.id,
        None,
        {"before": before, "after": _state(kind)},
    )
    return kind


def list_kinds() -> list[BodyKind]:
    return list(db.session.scalars(sa.select(BodyKind).order_by(BodyKind.code)))


def default_rule_key(body: Body) -> str | None:
    """The preset a body runs under when none is assigned: its kind's, else the first preset of
    the body's jurisdiction; None when no preset fits (an administrator must assign a rule)."""
    if body.kind.default_rule_key:
        return body.kind.default_rule_key
    for key, rule in PRESETS.items():
        if rule.jurisdiction == body.jurisdiction:
            return key
    return None
