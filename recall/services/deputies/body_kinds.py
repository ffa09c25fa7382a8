"""Body kinds: the seeded Kazakh kinds, kinds an administrator adds, and what follows from a kind.

A kind carries what code used to decide by a body's level: the seat rule, the recall preset its
bodies run under when none is assigned, and whether party-list deputies can be recalled.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from recall.errors import Invalid, NotFound
from recall.extensions import db
from recall.models import Body, BodyKind, BodyLevel, RecallRuleVersion
from recall.rules.recall_rules import PRESETS

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


def add_kind(
    code: str,
    names: dict[str, str],
    jurisdiction: str,
    list_seats_percent: int | None = None,
    list_deputies_recallable: bool = False,
    default_rule_key: str | None = None,
) -> BodyKind:
    """Add a body kind (``flask deputies add-kind``). Flushes; the caller commits."""
    code = code.strip()
    if not code or len(code) > 60:
        raise Invalid(_("A kind's code is 1 to 60 characters."), field="code")
    if find_kind(code) is not None:
        raise Invalid(_("There is a body kind %(code)s already.", code=code), field="code")
    if not any(n.strip() for n in names.values()):
        raise Invalid(_("Give the kind a name in at least one language."), field="names")
    if not jurisdiction.strip():
        raise Invalid(_("Name the kind's jurisdiction."), field="jurisdiction")
    if list_seats_percent is not None and not 0 <= list_seats_percent <= 100:
        raise Invalid(_("The party-list share is 0 to 100 percent."), field="list_seats_percent")
    if default_rule_key and default_rule_key not in known_rule_keys():
        raise Invalid(_("No recall rule %(key)s.", key=default_rule_key), field="default_rule_key")
    kind = BodyKind(
        code=code,
        names={lang: n.strip() for lang, n in names.items() if n.strip()},
        jurisdiction=jurisdiction.strip(),
        list_seats_percent=list_seats_percent,
        list_deputies_recallable=list_deputies_recallable,
        default_rule_key=default_rule_key or None,
    )
    db.session.add(kind)
    db.session.flush()
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
