"""The electorate a petition's signature share applies to, and the arithmetic shown on its page.

The rule's ``electorate_basis`` says which registered-voter figure counts (``recall.rules``):

* ``registration``: the district's roll in force on the day the petition is registered;
* ``last_day``: the roll in force on the last day of signing, which leaves out persons under 18
  (UK Recall of MPs Act 2015 s. 14(3)). At registration the figure of that day is used and the
  required number is marked provisional; :func:`settle_last_day` fixes it when the petition
  closes (and again when its checks run, in case a roll dated on or before the last day arrived
  late);
* ``election``: the district's voters at the election that elected the deputy
  (``districts.voters_at_election``; Philippines RA 9244 s. 70).

A district's figure on a date is ``roll_lookup.electorate_on``: the count of the roll in force on
that date, else the district's recorded number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from recall.errors import Conflict
from recall.extensions import db
from recall.i18n import local_zone
from recall.models import Petition, PetitionState
from recall.models.verification import CertificationProposal
from recall.rules.recall_rules import RecallRule, band_for, required_signatures
from recall.services.audit import append_audit
from recall.services.verification.roll_lookup import electorate_on


def electorate_basis_label(basis: str) -> str:
    """A basis in words, for the page."""
    labels = {
        "registration": _("the register on the day the petition was registered"),
        "last_day": _("the register on the last day of signing, less those under 18"),
        "election": _("the voters at the election that elected the deputy"),
    }
    return labels.get(basis, basis)


# States a petition reaches only through a confirmed certification.
CERTIFIED_STATES = frozenset(
    {
        PetitionState.QUALIFIED,
        PetitionState.FAILED,
        PetitionState.RECALLED,
        PetitionState.NOT_RECALLED,
    }
)


@dataclass(frozen=True)
class Figure:
    voters: int
    as_of: date | None
    provisional: bool


def _local_day(moment: datetime) -> date:
    return moment.astimezone(local_zone()).date()


def last_signing_day(petition: Petition) -> date | None:
    """The last local day signatures are taken (the day ``closes_at`` falls in)."""
    if petition.closes_at is None:
        return None
    return _local_day(petition.closes_at - timedelta(microseconds=1))


def figure_at_registration(petition: Petition, rule: RecallRule, now: datetime) -> Figure:
    """The electorate to compute the required number with when ``petition`` is registered.

    Raises Conflict (field ``registered_voters`` / ``voters_at_election``) when the figure the
    basis needs is not recorded.
    """
    district = petition.district
    if rule.electorate_basis == "election":
        if not district.voters_at_election:
            raise Conflict(
                _(
                    "The rule counts the voters at the election that elected the deputy; record "
                    "that number for district %(n)d first (deputies import column "
                    "voters_at_election).",
                    n=district.number,
                ),
                field="voters_at_election",
            )
        return Figure(district.voters_at_election, district.election_date, False)
    figure = electorate_on(district, _local_day(now))
    if not figure.voters:
        raise Conflict(
            _(
                "The district's number of registered voters is not recorded; it is needed to compute "
                "the required signatures."
            ),
            field="registered_voters",
        )
    return Figure(figure.voters, figure.as_of, rule.electorate_basis == "last_day")


def settle_last_day(petition: Petition) -> bool:
    """Fix a provisional required number from the roll in force on the last day of signing.

    Only for ``last_day`` petitions that are closed or under verification and whose
    certification is not confirmed; returns True when the figure changed (audited). Flushes.
    """
    if petition.electorate_basis != "last_day" or petition.state not in (
        PetitionState.CLOSED,
        PetitionState.UNDER_VERIFICATION,
    ):
        return False
    confirmed = db.session.scalar(
        sa.select(CertificationProposal.id).where(
            CertificationProposal.petition_id == petition.id,
            CertificationProposal.confirmed_at.is_not(None),
        )
    )
    if confirmed is not None:
        return False
    day = last_signing_day(petition)
    rule = petition.rule_version.to_rule()
    figure = electorate_on(petition.district, day)
    changed = (petition.registered_voters, petition.electorate_as_of) != (
        figure.voters,
        figure.as_of,
    )
    petition.registered_voters = figure.voters
    petition.required_signatures = required_signatures(rule, figure.voters)
    petition.electorate_as_of = figure.as_of or day
    petition.required_provisional = False
    db.session.flush()
    if changed:
        append_audit(
            "petition.electorate_settled",
            None,
            "petition",
            petition.id,
            petition.body_id,
            {
                "last_day": day.isoformat(),
                "registered_voters": figure.voters,
                "electorate_as_of": petition.electorate_as_of.isoformat(),
                "required_signatures": petition.required_signatures,
            },
        )
    return changed


def threshold_basis(petition: Petition, *, with_counts: bool) -> dict[str, Any] | None:
    """How the required number was computed, for the petition page and ``threshold.basis``.

    None before registration. ``with_counts`` adds, once a certification was proposed, the
    signatures filed, valid and invalid by reason code and the sample projection with its inputs
    (public numbers, no personal data).
    """
    if petition.registered_voters is None or petition.required_signatures is None:
        return None
    rule = petition.rule_version.to_rule()
    band = band_for(rule, petition.registered_voters)
    exact = f"{(band.percent * petition.registered_voters / 100).normalize():f}"
    data: dict[str, Any] = {
        "electorate": petition.registered_voters,
        "electorate_basis": petition.electorate_basis or "registration",
        "electorate_as_of": (
            petition.electorate_as_of.isoformat() if petition.electorate_as_of else None
        ),
        "provisional": petition.required_provisional,
        "provisional_until": (
            last_signing_day(petition).isoformat()
            if petition.required_provisional and petition.closes_at
            else None
        ),
        "band": {
            "max_voters": band.max_voters,
            "percent": str(band.percent),
            "floor": band.floor,
        },
        "share_exact": exact,
        "rounding": "up",
        "required": petition.required_signatures,
        "formula": _formula(petition, band, exact),
        "certification": None,
    }
    if with_counts and petition.state in CERTIFIED_STATES:  # no extra query before that
        data["certification"] = _certification_numbers(petition)
    return data


def _formula(petition: Petition, band, exact) -> str:
    text = f"ceil({band.percent}% x {petition.registered_voters:,}) = ceil({exact})"
    if band.floor:
        text = f"max({text}, floor {band.floor:,})"
    return f"{text} = {petition.required_signatures:,}"


def _certification_numbers(petition: Petition) -> dict[str, Any] | None:
    """Filed, valid, invalid by reason and the projection with its inputs, as certified (the
    numbers the confirmed proposal froze: signers' data may be purged later, these stay)."""
    proposal = db.session.scalar(
        sa.select(CertificationProposal)
        .where(
            CertificationProposal.petition_id == petition.id,
            CertificationProposal.confirmed_at.is_not(None),
        )
        .order_by(CertificationProposal.id.desc())
        .limit(1)
    )
    if proposal is None:
        return None
    numbers = proposal.numbers or {}
    draw = numbers.get("draw")
    projection = None
    if draw:
        projection = {k: draw.get(k) for k in ("raw", "n", "v", "d", "seed", "projected")}
        projection |= {k: draw.get(k) for k in ("formula", "outcome")}
    return {
        "filed": numbers.get("raw", 0),
        "valid": numbers.get("valid", 0),
        "invalid": numbers.get("invalid", 0),
        "invalid_by_reason": dict(sorted((numbers.get("invalid_by_reason") or {}).items())),
        "projection": projection,
        "certified_at": proposal.confirmed_at.isoformat(),
    }
