"""The initiative group as voters of the district (issue 10).

Each member gives their IIN: its checksum and birth date are checked when it is given (a number
that is not an IIN is refused and nothing is written), then it is kept only as the signers' keyed
hash with the birth date it encodes. :func:`member_checks` judges every member on a day (the
local day, as signing does): of age, and, where a roll covering the district is in force that
day, registered on it in the petition's district. The commission sees each member's check before
registering; the rule's minimum group size counts eligible confirmed members only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from recall.errors import Conflict
from recall.extensions import db
from recall.models.base import utcnow
from recall.models.petition import InitiativeMember, Petition
from recall.rules.eligibility import group_member_check
from recall.services.iin_hash import hash_iin
from recall.services.signing.counting import local_day
from recall.services.signing.signer_checks import check_iin
from recall.services.verification import roll_lookup


@dataclass(frozen=True)
class MemberCheck:
    """One member and the verdict of :func:`recall.rules.eligibility.group_member_check`."""

    member: InitiativeMember
    check: str

    @property
    def counts(self) -> bool:
        return self.check == "eligible" and self.member.confirmed_at is not None


def record_iin(petition: Petition, member: InitiativeMember, iin: str | None) -> None:
    """Keep ``member``'s IIN as its keyed hash and birth date. The caller holds the petition's row
    lock. Raises ``Invalid`` for a number that is not an IIN, ``Conflict`` when another member of
    the group gave the same IIN; writes nothing then."""
    info = check_iin(iin, local_day(utcnow()), adult=False)
    digest = hash_iin(info.iin)
    if any(m.iin_hash == digest for m in petition.members if m is not member):
        raise Conflict(
            _("This IIN is already given by another member of the initiative group."), field="iin"
        )
    member.iin_hash = digest
    member.birth_date = info.birth_date
    db.session.flush()


def member_checks(petition: Petition, day: date | None = None) -> list[MemberCheck]:
    """Every member of the group (invited ones too) with their check on ``day`` (default: the
    local day today). Two queries for the roll whatever the group's size."""
    day = day or local_day(utcnow())
    district = petition.district
    members = list(petition.members)
    roll_active = roll_lookup.district_has_roll(petition.body_id, district.roll_key, day)
    entries = (
        roll_lookup.find_roll_entries(
            petition.body_id, [m.iin_hash for m in members if m.iin_hash], day
        )
        if roll_active
        else {}
    )
    return [
        MemberCheck(
            member,
            group_member_check(
                member.birth_date,
                day,
                roll_active=roll_active,
                roll_district=(
                    entries[member.iin_hash].district_number if member.iin_hash in entries else None
                ),
                district_number=district.roll_key,
            ),
        )
        for member in members
    ]


def eligible_count(checks: list[MemberCheck]) -> int:
    """Confirmed members whose check is ``eligible``: what the rule's minimum counts."""
    return sum(1 for c in checks if c.counts)


def check_label(code: str) -> str:
    """A member's check in words."""
    return {
        "eligible": _("eligible: a voter of the district"),
        "no_iin": _("has not given an IIN yet"),
        "under_age": _("under 18"),
        "not_on_roll": _("not on the district's voter roll"),
        "other_district": _("registered in another district"),
    }[code]
