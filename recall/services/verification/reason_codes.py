"""The managed list of reasons a signature is rejected or sent to review (DOMAIN.md section 4)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from recall.extensions import db
from recall.models.verification import ReasonCode

# (code, English label, outcome, produced by the automatic checks). The lead's migration seeds
# these rows; ``ensure_reason_codes`` does the same at run time and is idempotent.
REASON_CODES: tuple[tuple[str, str, str, bool], ...] = (
    ("not_registered", "Not on the voter roll", "invalid", True),
    ("other_district", "Registered in another district", "invalid", True),
    ("duplicate", "Duplicate signature (the earliest is kept)", "invalid", True),
    ("under_age", "Under age on the day of signing", "invalid", True),
    # Produced by the checks when the roll lists the IIN as removed, deceased (issue 18).
    ("deceased", "Deceased", "invalid", True),
    ("illegible", "Illegible", "invalid", False),
    ("address_invalid", "Incomplete or invalid address", "invalid", False),
    ("date_missing", "Date missing", "invalid", False),
    # Produced at paper entry: a line without its signing date is refused, not stored.
    ("missing_date", "Signing date missing (line refused at entry)", "invalid", True),
    ("signature_mismatch", "Signature does not match", "invalid", False),
    ("signed_outside_period", "Signed outside the signing period", "invalid", True),
    ("withdrawn", "Withdrawn by the signer", "invalid", True),
    ("name_mismatch", "Name differs from the roll", "review", True),
    # Produced at signing: someone signed with an IIN whose signature was already confirmed.
    ("contested_iin", "Contested IIN: signed again after it was confirmed", "review", True),
    ("misuse_reported", "The voter reported their IIN was used without consent", "invalid", False),
    # Produced by a bulk invalidation by criteria (issue 18; recall.services.fraud.invalidation).
    ("bulk_invalidation", "Invalidated in bulk: a fraud pattern (see the run)", "invalid", True),
    ("other", "Other (see the note)", "invalid", False),
)

# Translatable labels for display (the table keeps the English text).
LABELS = {
    "not_registered": _l("Not on the voter roll"),
    "other_district": _l("Registered in another district"),
    "duplicate": _l("Duplicate signature (the earliest is kept)"),
    "under_age": _l("Under age on the day of signing"),
    "deceased": _l("Deceased"),
    "illegible": _l("Illegible"),
    "address_invalid": _l("Incomplete or invalid address"),
    "date_missing": _l("Date missing"),
    "missing_date": _l("Signing date missing (line refused at entry)"),
    "signature_mismatch": _l("Signature does not match"),
    "signed_outside_period": _l("Signed outside the signing period"),
    "withdrawn": _l("Withdrawn by the signer"),
    "name_mismatch": _l("Name differs from the roll"),
    "contested_iin": _l("Contested IIN: signed again after it was confirmed"),
    "misuse_reported": _l("The voter reported their IIN was used without consent"),
    "bulk_invalidation": _l("Invalidated in bulk: a fraud pattern (see the run)"),
    "other": _l("Other (see the note)"),
}


def ensure_reason_codes() -> int:
    """Insert the codes that are missing (existing rows, possibly edited, are left alone).

    Returns how many were added. Flushes; the caller commits.
    """
    existing = set(db.session.scalars(sa.select(ReasonCode.code)))
    added = 0
    for order, (code, label, outcome, automatic) in enumerate(REASON_CODES):
        if code not in existing:
            db.session.add(
                ReasonCode(
                    code=code,
                    label=label,
                    outcome=outcome,
                    automatic=automatic,
                    sort_order=order * 10,
                    active=True,
                )
            )
            added += 1
    db.session.flush()
    return added


def label_for(code: str | None) -> str:
    """The translated label of a code (the code itself if it is not a known one)."""
    if code is None:
        return ""
    return str(LABELS.get(code, code))


def rejection_codes() -> list[ReasonCode]:
    """Active codes a commissioner may pick when rejecting a signature."""
    ensure_reason_codes()
    return list(
        db.session.scalars(
            sa.select(ReasonCode)
            .where(ReasonCode.active, ReasonCode.outcome == "invalid")
            .order_by(ReasonCode.sort_order)
        )
    )
