"""The verification report of a petition: counts by verdict and reason, the sample's projection
if any, and the outcome they lead to (what a certification freezes), also as CSV rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from recall.extensions import db
from recall.models.signature import CheckStatus, Signature
from recall.models.user import User
from recall.models.verification import SampleDraw
from recall.services.verification.access import get_petition
from recall.services.verification.reason_codes import label_for
from recall.services.verification.sample import draw_figures
from recall.services.verification.tally import filed, tally


@dataclass
class Report:
    """The verification report of one petition (also the numbers a certification freezes)."""

    petition_id: int
    method: str
    required: int
    raw: int
    checked: int
    valid: int
    invalid: int
    review: int
    unchecked: int
    invalid_by_reason: dict[str, int]
    draw: dict[str, Any] | None = None
    outcome: str | None = None  # qualified / failed / full_count_needed / pending
    outcome_basis: str = ""
    reason_labels: dict[str, str] = field(default_factory=dict)

    def numbers(self) -> dict[str, Any]:
        """The JSON-safe numbers (what a certification proposal stores and confirms)."""
        return {
            "method": self.method,
            "required": self.required,
            "raw": self.raw,
            "checked": self.checked,
            "valid": self.valid,
            "invalid": self.invalid,
            "review": self.review,
            "unchecked": self.unchecked,
            "invalid_by_reason": dict(sorted(self.invalid_by_reason.items())),
            "draw": self.draw,
            "outcome": self.outcome,
        }


def report(actor: User | None, petition_id: int) -> Report:
    """Counts by verdict and reason, the sample projection if any, and the outcome they lead to.

    ``method`` is ``full_count`` when the rule's method is, or when no more signatures were filed
    than the rule's ``full_count_max_signatures`` (then no projection is shown).
    Outcome: ``pending`` while signatures are unchecked or in review (full count) or the sample is
    not complete; for a full count ``qualified`` when valid >= required else ``failed``; for a
    sample ``qualified`` / ``failed`` / ``full_count_needed`` (then every signature's verdict
    decides, as in a full count).
    """
    petition = get_petition(actor, petition_id)
    rule = petition.rule_version.to_rule()
    totals = tally(petition_id)
    required = petition.required_signatures or 0
    by_status = totals.by_status
    invalid_by_reason = dict(
        db.session.execute(
            sa.select(Signature.reason_code, sa.func.count())
            .where(filed(petition_id), Signature.check_status == CheckStatus.INVALID)
            .group_by(Signature.reason_code)
        ).all()
    )
    # A shadow-banned source's signatures never count (issue 18): not as valid either.
    banned_valid = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Signature)
        .where(
            filed(petition_id),
            Signature.check_status == CheckStatus.VALID,
            Signature.shadow_ban_id.is_not(None),
        )
    )
    raw = sum(by_status.values())
    if banned_valid:
        by_status = {**by_status, "valid": by_status.get("valid", 0) - banned_valid}
    # A rule may ask for a full count of small petitions (California EC 11225(a): 500 or fewer).
    method = "full_count" if rule.uses_full_count(raw) else rule.verification_method
    rep = Report(
        petition_id=petition_id,
        method=method,
        required=required,
        raw=raw,
        checked=totals.checked,
        valid=by_status.get("valid", 0),
        invalid=by_status.get("invalid", 0),
        review=by_status.get("review", 0),
        unchecked=by_status.get("unchecked", 0),
        invalid_by_reason={str(k): v for k, v in invalid_by_reason.items()},
        reason_labels={str(k): label_for(k) for k in invalid_by_reason},
    )
    full_count_done = rep.unchecked == 0 and rep.review == 0 and raw > 0
    full_outcome = (
        ("qualified" if rep.valid >= required else "failed") if full_count_done else "pending"
    )
    if method == "random_sample":
        draw = db.session.scalar(sa.select(SampleDraw).where(SampleDraw.petition_id == petition_id))
        if draw is not None:
            rep.draw = {
                "id": draw.id,
                **draw_figures(draw),
                "upper": str(rule.full_count_upper),
                "lower": str(rule.full_count_lower),
                "drawn_at": draw.created_at.isoformat(),
            }
        if draw is None or draw.outcome is None:
            rep.outcome, rep.outcome_basis = "pending", "sample"
        elif draw.outcome == "qualifies":
            rep.outcome, rep.outcome_basis = "qualified", "sample"
        elif draw.outcome == "fails":
            rep.outcome, rep.outcome_basis = "failed", "sample"
        else:
            rep.outcome = full_outcome if full_count_done else "full_count_needed"
            rep.outcome_basis = "full_count"
    else:
        rep.outcome, rep.outcome_basis = full_outcome, "full_count"
    return rep


REPORT_CSV_HEADER = ("item", "value")


def report_rows(rep: Report) -> list[tuple[str, Any]]:
    """The report as (item, value) rows for the CSV download."""
    rows: list[tuple[str, Any]] = [
        ("petition_id", rep.petition_id),
        ("method", rep.method),
        ("required", rep.required),
        ("raw", rep.raw),
        ("checked", rep.checked),
        ("valid", rep.valid),
        ("invalid", rep.invalid),
        ("review", rep.review),
        ("unchecked", rep.unchecked),
    ]
    rows += [(f"invalid:{code}", n) for code, n in sorted(rep.invalid_by_reason.items())]
    if rep.draw:
        rows += [(f"sample:{k}", v) for k, v in rep.draw.items()]
    rows += [("outcome", rep.outcome), ("outcome_basis", rep.outcome_basis)]
    return rows
