"""The random sample of a petition's signatures (rule ``verification_method`` = random_sample):
drawn in the open from a published seed, projected by the California method once every sampled
signature has a verdict, and published so anyone can redraw and recompute it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from flask_babel import gettext as _

from recall.errors import Conflict, Invalid
from recall.extensions import db
from recall.models.base import utcnow
from recall.models.petition import Petition, PetitionState
from recall.models.signature import CheckStatus, Signature
from recall.models.user import User
from recall.models.verification import SampleDraw
from recall.rules import sampling
from recall.services.audit import append_audit
from recall.services.verification.access import get_petition, require_commissioner
from recall.services.verification.tally import filed


def filed_ids(petition_id: int) -> list[int]:
    """Sorted ids of the raw signatures filed: the pool a sample is drawn from."""
    return list(
        db.session.scalars(sa.select(Signature.id).where(filed(petition_id)).order_by(Signature.id))
    )


def draw_sample(actor: User | None, petition_id: int, *, seed: str | None = None) -> SampleDraw:
    """Draw the random sample of a petition (rule ``verification_method`` = random_sample).

    The sample size is ``sampling.sample_size(raw, rule.sample_percent, rule.sample_minimum)``;
    the seed (fresh unless given, e.g. from a public ceremony) is stored and published, so anyone
    can redraw the same ids from the sorted filed ids. One draw per petition (Conflict on a second:
    redrawing until a result pleases is exactly what must be impossible). The result is computed
    at once if every sampled signature has a verdict, else by :func:`complete_sample`.
    """
    petition = get_petition(actor, petition_id)
    rule = petition.rule_version.to_rule()
    if rule.verification_method != "random_sample":
        raise Conflict(
            _("This petition's rule counts every signature; there is no sample to draw.")
        )
    if petition.state != PetitionState.UNDER_VERIFICATION:
        raise Conflict(
            _("Run the checks first: a sample is drawn while the petition is under verification.")
        )
    if (
        db.session.scalar(sa.select(SampleDraw.id).where(SampleDraw.petition_id == petition_id))
        is not None
    ):
        raise Conflict(_("The sample of this petition has already been drawn."))
    if seed is not None:
        seed = seed.strip()
        if not seed or len(seed) > 64:
            raise Invalid(_("The seed must be 1 to 64 characters."), field="seed")
    pool = filed_ids(petition_id)
    if not pool:
        raise Conflict(_("No signatures were filed."))
    if rule.uses_full_count(len(pool)):
        raise Conflict(
            _(
                "With %(n)d signatures filed the rule asks for a full count: every signature is "
                "checked, no sample is drawn.",
                n=len(pool),
            )
        )
    n = sampling.sample_size(len(pool), rule.sample_percent or Decimal(5), rule.sample_minimum or 0)
    seed = seed or sampling.new_seed()
    draw = SampleDraw(
        petition_id=petition_id,
        seed=seed,
        raw=len(pool),
        sample_size=n,
        sampled_ids=sampling.draw_sample(pool, n, seed),
        required=petition.required_signatures or 0,
        drawn_by_id=actor.id if actor else None,
    )
    db.session.add(draw)
    db.session.flush()
    append_audit(
        "verification.sample_drawn",
        actor.id if actor else None,
        "petition",
        petition_id,
        petition.body_id,
        {"draw_id": draw.id, "seed": seed, "raw": draw.raw, "n": n},
    )
    _complete_if_ready(draw, actor)
    return draw


REDRAW_METHOD = (
    "Python 3: ids = sorted(pool_ids); "
    "rng = random.Random(int.from_bytes(hashlib.sha256(seed.encode('utf-8')).digest(), 'big')); "
    "sampled_ids = sorted(rng.sample(ids, n))"
)


def draw_figures(draw: SampleDraw) -> dict[str, Any]:
    """What anyone needs to check a draw's arithmetic: the seed, raw and n, then (once computed)
    v, d, the projection, its formula and the outcome, against the signatures required. The
    report, the public sample and the API each add their own fields around these."""
    return {
        "seed": draw.seed,
        "raw": draw.raw,
        "n": draw.sample_size,
        "v": draw.valid,
        "d": draw.duplicates,
        "projected": draw.projected,
        "required": draw.required,
        "formula": draw.formula,
        "outcome": draw.outcome,
    }


def public_sample(petition_id: int, *, with_pool: bool = False) -> dict[str, Any] | None:
    """The published random sample of a petition, or None before a draw. Public: no personal data.

    Everything anyone needs to redraw it and recompute the projection: the seed, ``raw`` and ``n``,
    the sampled ids, the method (``REDRAW_METHOD``, i.e. ``recall.rules.sampling.draw_sample``)
    and, once computed, v, d, the projection with its formula and the outcome. ``with_pool`` adds
    ``pool_ids``: the sorted ids of the raw signatures filed, the pool the sample was drawn from
    (it no longer changes once the petition is under verification, which a draw requires).
    """
    draw = db.session.scalar(sa.select(SampleDraw).where(SampleDraw.petition_id == petition_id))
    if draw is None:
        return None
    data: dict[str, Any] = {
        "petition_id": petition_id,
        **draw_figures(draw),
        "sampled_ids": list(draw.sampled_ids),
        "drawn_at": draw.created_at.isoformat(),
        "method": REDRAW_METHOD,
    }
    if with_pool:
        data["pool_ids"] = filed_ids(petition_id)
    certified = db.session.scalar(sa.select(Petition.state).where(Petition.id == petition_id))
    data["verdicts"] = (
        sample_verdicts(draw.sampled_ids)
        if draw.outcome is not None and certified in CERTIFIED_STATES
        else None
    )
    return data


# Once certified, the sample's verdicts are public: ids and reason codes are not personal data.
CERTIFIED_STATES = frozenset(
    {
        PetitionState.QUALIFIED,
        PetitionState.FAILED,
        PetitionState.RECALLED,
        PetitionState.NOT_RECALLED,
    }
)


def sample_verdicts(sampled_ids: list[int]) -> list[dict[str, Any]]:
    """Each sampled signature's verdict, reason code and, for a duplicate, the id and verdict of
    the signature it repeats; enough for ``recall.rules.sampling.count_sample`` to give v and d."""
    kept = sa.orm.aliased(Signature)
    rows = db.session.execute(
        sa.select(
            Signature.id,
            Signature.check_status,
            Signature.reason_code,
            Signature.duplicate_of_id,
            kept.check_status,
        )
        .outerjoin(kept, kept.id == Signature.duplicate_of_id)
        .where(Signature.id.in_(sampled_ids))
        .order_by(Signature.id)
    )
    return [
        {
            "id": sid,
            "verdict": CheckStatus(status).value,
            "reason_code": reason,
            "duplicate_of_id": duplicate_of,
            "kept_verdict": CheckStatus(kept_status).value if kept_status else None,
        }
        for sid, status, reason, duplicate_of, kept_status in rows
    ]


def complete_sample(actor: User | None, petition_id: int) -> SampleDraw:
    """Compute the projection of a drawn sample once every sampled signature has a verdict."""
    petition = get_petition(actor, petition_id)
    draw = db.session.scalar(sa.select(SampleDraw).where(SampleDraw.petition_id == petition.id))
    if draw is None:
        raise Conflict(_("No sample has been drawn."))
    if draw.outcome is not None:
        return draw
    if not _complete_if_ready(draw, actor):
        raise Conflict(_("Some sampled signatures still await a decision."))
    return draw


def _complete_if_ready(draw: SampleDraw, actor: User | None) -> bool:
    rows = dict(
        db.session.execute(
            sa.select(Signature.check_status, sa.func.count())
            .where(Signature.id.in_(draw.sampled_ids))
            .group_by(Signature.check_status)
        ).all()
    )
    rows = {CheckStatus(s): n for s, n in rows.items()}
    if rows.get(CheckStatus.UNCHECKED) or rows.get(CheckStatus.REVIEW):
        return False
    valid, duplicates = _sample_v_d(draw.sampled_ids)
    record_projection(actor, draw, valid=valid, duplicates=duplicates)
    return True


def _sample_v_d(sampled_ids: list[int]) -> tuple[int, int]:
    """v and d as the California method counts them within the sample (2 CCR 20530-20532).

    The penalty ``C = ceil(A x (A - 1) x d)`` scales *pairs found inside the sample* up to the
    whole file (a pair lands in the sample with probability about (n/raw)^2). Our checks find
    duplicates across the whole file, so a sampled signature marked ``duplicate`` is counted the
    way a sample-only check would see it: when the signature kept for that voter was sampled too,
    the pair is in the sample (one duplicate, d); otherwise the duplicate looks like an ordinary
    signature, valid if the kept one is valid (v). Counting every sampled duplicate as d would
    charge each one about A^2 signatures (over 1,000 in the official example) instead of A.
    """
    in_sample = Signature.id.in_(sampled_ids)
    valid = (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Signature)
            .where(in_sample, Signature.check_status == CheckStatus.VALID)
        )
        or 0
    )
    kept = sa.orm.aliased(Signature)
    dup = sa.and_(
        in_sample, Signature.reason_code == "duplicate", Signature.duplicate_of_id.is_not(None)
    )
    pairs = (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Signature)
            .where(dup, Signature.duplicate_of_id.in_(sampled_ids))
        )
        or 0
    )
    looks_valid = (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Signature)
            .join(kept, kept.id == Signature.duplicate_of_id)
            .where(
                dup,
                Signature.duplicate_of_id.notin_(sampled_ids),
                kept.check_status == CheckStatus.VALID,
            )
        )
        or 0
    )
    return valid + looks_valid, pairs


def record_projection(
    actor: User | None, draw: SampleDraw, *, valid: int, duplicates: int
) -> SampleDraw:
    """Project the valid signatures of a draw (California method) and store the outcome.

    ``projected`` and ``formula`` come from ``recall.rules.sampling.project_valid``; the outcome
    (qualifies / full_count / fails) from ``sample_outcome`` with the rule's bounds. Appends an
    audit entry. Raises Invalid for inconsistent numbers.
    """
    petition = db.session.get(Petition, draw.petition_id)
    require_commissioner(actor, petition.body_id)
    rule = petition.rule_version.to_rule()
    try:
        projection = sampling.project_valid(draw.raw, draw.sample_size, valid, duplicates)
        outcome = sampling.sample_outcome(
            projection.projected, draw.required, rule.full_count_upper, rule.full_count_lower
        )
    except ValueError as exc:
        raise Invalid(str(exc), field="sample") from None
    draw.valid, draw.duplicates = valid, duplicates
    draw.projected, draw.formula, draw.outcome = projection.projected, projection.formula, outcome
    draw.completed_at = utcnow()
    db.session.flush()
    append_audit(
        "verification.sample_projected",
        actor.id if actor else None,
        "petition",
        petition.id,
        petition.body_id,
        {
            "draw_id": draw.id,
            "seed": draw.seed,
            "raw": draw.raw,
            "n": draw.sample_size,
            "v": valid,
            "d": duplicates,
            "projected": projection.projected,
            "required": draw.required,
            "outcome": outcome,
        },
    )
    return draw
