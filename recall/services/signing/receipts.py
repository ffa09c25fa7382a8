"""Receipt codes: what a signer keeps instead of an account. A code shows the state of its one
signature (and nothing personal), and with the e-mail it was given with it withdraws that
signature. Only the code's hash is stored; a claim's or a decoy's code answers as an
unconfirmed signature would."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from recall.errors import Invalid, NotFound
from recall.extensions import db
from recall.models.base import utcnow
from recall.models.deputy import Deputy
from recall.models.petition import Petition, PetitionState
from recall.models.signature import (
    CheckStatus,
    ReceiptDecoy,
    Signature,
    SignatureClaim,
    SignatureStatus,
)
from recall.models.verification import SampleDraw
from recall.services.accounts.users import normalise_email
from recall.services.outbox import record_event
from recall.services.signing import counting

# Receipt codes: 16 characters of Crockford's base32 (80 random bits), shown as XXXX-XXXX-XXXX-XXXX.
_RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RECEIPT_LENGTH = 16
_RECEIPT_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


@dataclass(frozen=True)
class ReceiptView:
    """What a receipt code reveals: no personal data, only the state of that one signature."""

    petition_id: int
    status: str  # pending | confirmed | expired | withdrawn
    check: str | None  # valid | invalid once the commission decided, else None
    signed_on: date | None
    # Whether the commission's random sample drew this signature; None before a sample is drawn
    # (the sampled ids are public, so this reveals nothing the sample page does not).
    in_sample: bool | None = None
    deputy_name: str | None = None  # whom the petition would recall (public)


def _hash_receipt(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def new_receipt() -> tuple[str, str]:
    """A fresh receipt code (for people) and its hash (for the database)."""
    # Five random bits per character (256 is a multiple of 32, so each is uniform): one call for
    # the 16 bytes instead of 16 calls of secrets.choice.
    raw = "".join(_RECEIPT_ALPHABET[byte & 31] for byte in secrets.token_bytes(_RECEIPT_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, _RECEIPT_LENGTH, 4)), _hash_receipt(raw)


def receipt_hash_of(code: str | None) -> str | None:
    """Hash of a receipt code as typed (case, spaces and dashes ignored), or None if it cannot be one."""
    raw = "".join(ch for ch in (code or "").upper() if ch not in " -").translate(_RECEIPT_READ_AS)
    if len(raw) != _RECEIPT_LENGTH or any(ch not in _RECEIPT_ALPHABET for ch in raw):
        return None
    return _hash_receipt(raw)


def unconfirmed_status(expires_at: datetime, now: datetime) -> SignatureStatus:
    """What a receipt that is not a signature (a claim, a decoy) answers: pending until it
    expires, then expired, as an unconfirmed signature would; recall and appeals alike."""
    return SignatureStatus.PENDING if now < expires_at else SignatureStatus.EXPIRED


def find_by_receipt(code: str | None) -> Signature | None:
    """The signature a receipt code belongs to, or None (a decoy or unknown code)."""
    digest = receipt_hash_of(code)
    return (
        db.session.scalar(sa.select(Signature).where(Signature.receipt_hash == digest))
        if digest
        else None
    )


def lookup_receipt(code: str, *, now: datetime | None = None) -> ReceiptView:
    """The public status behind a receipt code, naming the petition's deputy; ``NotFound`` when
    no signature has it."""
    view = _receipt_status(code, now or utcnow())
    deputy = db.session.scalar(
        sa.select(Deputy.full_name)
        .join(Petition, Petition.deputy_id == Deputy.id)
        .where(Petition.id == view.petition_id)
    )
    return dataclasses.replace(view, deputy_name=deputy)


def _receipt_status(code: str, now: datetime) -> ReceiptView:
    signature = find_by_receipt(code)
    if signature:
        check = (
            signature.check_status.value
            if signature.check_status in (CheckStatus.VALID, CheckStatus.INVALID)
            else None
        )
        status = signature.status
        if (
            status == SignatureStatus.PENDING
            and signature.expires_at
            and now >= signature.expires_at
        ):
            # Expired, though the periodic job has not marked it yet: answer as a decoy would, at
            # the same moment, so the two cannot be told apart by when they turn "expired".
            status = SignatureStatus.EXPIRED
        return ReceiptView(
            petition_id=signature.petition_id,
            status=status.value,
            check=check,
            signed_on=counting.signing_day(signature),
            in_sample=_in_sample(signature.petition_id, signature.id),
        )
    digest = receipt_hash_of(code)
    claim = (
        digest
        and db.session.execute(
            sa.select(
                SignatureClaim.petition_id, SignatureClaim.expires_at, SignatureClaim.created_at
            ).where(SignatureClaim.receipt_hash == digest)
        ).one_or_none()
    )
    if claim:
        # Whatever became of the signature (another link won, a commission decision), a claim's
        # receipt answers what an unconfirmed signature would.
        return _unconfirmed_view(claim, now)
    decoy = digest and db.session.scalar(
        sa.select(ReceiptDecoy).where(ReceiptDecoy.receipt_hash == digest)
    )
    if decoy:
        return _unconfirmed_view(decoy, now)
    raise NotFound(_("No signature has this receipt code. Please check the code."), field="receipt")


def _unconfirmed_view(receipt, now: datetime) -> ReceiptView:
    """What the receipt of a claim or a decoy answers: exactly what an unconfirmed signature's
    would (pending, then expired; never filed, so never sampled once a sample is drawn), so that
    no holder can tell the three apart."""
    return ReceiptView(
        petition_id=receipt.petition_id,
        status=unconfirmed_status(receipt.expires_at, now).value,
        check=None,
        signed_on=counting.local_day(receipt.created_at),
        in_sample=_in_sample(receipt.petition_id, None),
    )


def _in_sample(petition_id: int, signature_id: int | None) -> bool | None:
    """True/False once the petition's sample is drawn, None before."""
    sampled = db.session.scalar(
        sa.select(SampleDraw.sampled_ids).where(SampleDraw.petition_id == petition_id)
    )
    if sampled is None:
        return None
    return signature_id is not None and signature_id in sampled


def withdraw_signature(
    receipt: str | None, email: str | None, *, now: datetime | None = None
) -> Signature:
    """Withdraw the signature with this receipt code, proven by the e-mail address it was given with.

    Allowed only while the petition is collecting and its rule allows withdrawal. A confirmed
    signature stops being counted. Records ``signature.withdrawn``. Raises ``Invalid`` (field
    ``receipt`` or ``email``) with nothing written. Idempotent for an already withdrawn signature.
    """
    now = now or utcnow()
    email = normalise_email(email or "")
    signature = find_by_receipt(receipt)
    if not signature or not signature.email or not hmac.compare_digest(signature.email, email):
        raise Invalid(
            _("No signature matches this receipt code and e-mail address."), field="receipt"
        )
    petition = signature.petition
    if not petition.rule_version.data.get("withdrawal_allowed", False):
        raise Invalid(
            _("The recall rules of this petition do not allow withdrawing a signature."),
            field="receipt",
        )
    if signature.status == SignatureStatus.WITHDRAWN:
        return signature
    if petition.state != PetitionState.COLLECTING or (
        petition.closes_at and now >= petition.closes_at
    ):
        raise Invalid(
            _("Signing has closed, so a signature can no longer be withdrawn."), field="receipt"
        )
    if signature.status == SignatureStatus.EXPIRED:
        raise Invalid(
            _(
                "This signature expired unconfirmed; it is not counted, so there is nothing to withdraw."
            ),
            field="receipt",
        )
    was_counted = counting.is_counted(signature)
    done = db.session.execute(
        sa.update(Signature)
        .where(
            Signature.id == signature.id,
            Signature.status.in_([SignatureStatus.PENDING, SignatureStatus.CONFIRMED]),
        )
        .values(status=SignatureStatus.WITHDRAWN, withdrawn_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(signature)
    if done:
        if was_counted:
            counting.apply_count_change(petition.id, -1, counting.signing_day(signature), now=now)
        record_event("signature.withdrawn", "signature", signature.id, {"petition_id": petition.id})
    db.session.flush()
    return signature
