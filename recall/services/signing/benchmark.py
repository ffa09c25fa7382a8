"""The baseline the signing benchmark (``benchmarks/signing.py``) compares ``sign_petition`` with."""

from __future__ import annotations

import sqlalchemy as sa

from recall.extensions import db
from recall.models.signature import Signature
from recall.services.iin_hash import hash_iin
from recall.services.signing.receipts import new_receipt


def insert_plain_signature(
    *,
    petition_id: int | None,
    iin: str,
    full_name: str,
    email: str | None,
    district_id: int | None,
) -> None:
    """One plain INSERT of a signature row: no checks, no hashing beyond what the row needs."""
    db.session.execute(
        sa.insert(Signature).values(
            petition_id=petition_id,
            iin_hash=hash_iin(iin),
            full_name=full_name,
            email=email,
            district_id=district_id,
            receipt_hash=new_receipt()[1],
        )
    )
