"""Signing constituent petitions (appeals) online: the recall petition's checks, receipts and
e-mail confirmation, counted per constituent/supporter and per district.

What is shared with recall signing (``recall.services.signing.online``): the name and IIN checks
(format, check digit, birth date, age 18 to 120), the keyed IIN hash, receipt codes, the e-mail
normalisation, the rate limit (the API and page use the same ``signing_limit`` budget). What
differs: any district may sign (the addressee's district, or the body's districts for a body or
a party-list deputy, count as constituents toward the threshold; others are supporters); there
is no paper signing and no commission verification.

Whoever signs first with an IIN does not own it (issue 13's rule, as on recall petitions): a
later attempt is a claim (``AppealSignatureClaim``). On a pending signature it gets its own
confirmation link and the first link followed wins; on an expired one the signature starts
afresh in place (its earlier life kept as a void claim); on a confirmed one it is a contest that
answers like a success, mails nobody and stays on record. Every answer is the same
202 and receipt, and every receipt answers ``pending`` then ``expired`` whatever came after.

Counting, as recall petitions count (``recall.services.signing.counting``): a confirmation adds
one to a random shard of ``appeal_count_shards`` (constituents or supporters) and of the
signer's district in ``appeal_district_counts``, never to the appeal row, so concurrent
confirmations do not queue behind one another. Reads sum at most ``COUNT_SHARDS`` rows: constant
time. When the summed constituents reach the threshold, the one transaction whose conditional
UPDATE stamps ``threshold_reached_at`` moves the appeal to ``response_due`` (an appeal answered
before keeps its state and gets the stamp); :func:`sync_counts` catches up a crossing two
simultaneous commits both missed, and folds the sums into the appeal's count columns.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm.attributes import set_committed_value

from recall.errors import Conflict, Invalid, NotFound
from recall.extensions import db
from recall.models.appeal import (
    Appeal,
    AppealCountShard,
    AppealDistrictCount,
    AppealReceiptDecoy,
    AppealSignature,
    AppealSignatureClaim,
    AppealState,
)
from recall.models.base import utcnow
from recall.models.body import District
from recall.models.counting import COUNT_SHARDS
from recall.models.signature import ClaimState, SignatureStatus, new_confirm_nonce
from recall.rules.appeals import response_due
from recall.rules.names import pick_name
from recall.services.accounts.users import normalise_email
from recall.services.appeals.states import SIGNING_STATES, change_state, is_public
from recall.services.iin_hash import hash_iin
from recall.services.names import current_language
from recall.services.outbox import record_event
from recall.services.signing import certificates, channels, claims
from recall.services.signing.counting import insert_for, local_day
from recall.services.signing.online import EMAIL_LINK, SignResult
from recall.services.signing.receipts import new_receipt, receipt_hash_of, unconfirmed_status
from recall.services.signing.signer_checks import check_consent, check_full_name, check_iin

log = logging.getLogger(__name__)
_rng = random.SystemRandom()

CONFIRM_PATH = "/appeals/signatures/confirm/"
_SALT = "recall.appeal-signature.confirm-email"
S = AppealState


@dataclass(frozen=True)
class AppealReceiptView:
    """What an appeal receipt reveals: the appeal and the state of that one signature."""

    appeal_id: int
    status: str  # pending | confirmed | expired
    signed_on: date | None


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def token_for(signature: AppealSignature) -> str:
    """The token of a signature's confirmation link (its random nonce and receipt fingerprint)."""
    return _serializer().dumps([signature.confirm_nonce, signature.receipt_hash[:16]])


def confirm_url(signature: AppealSignature) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + CONFIRM_PATH + token_for(signature)


def _appeal_open_for_signing(appeal_id: int, now: datetime) -> Appeal:
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None or not is_public(appeal):
        raise NotFound(_("No such appeal."), field="appeal")
    if (
        appeal.state not in SIGNING_STATES
        or appeal.opens_at is None
        or not appeal.opens_at <= now < appeal.closes_at
    ):
        raise Conflict(_("This appeal is not open for signing."), field="appeal")
    return appeal


def is_constituent(appeal: Appeal, district: District) -> bool:
    """Does a signer of ``district`` count toward ``appeal``'s threshold?"""
    if appeal.district_id is not None:
        return district.id == appeal.district_id
    return district.body_id == appeal.body_id


# Appeals have no rule of their own: both ways of signing online are always offered, checked
# through the channel list recall signing checks (``channels.require_channel``).
APPEAL_CHANNELS = ("online_email", "online_strong")


def _check_signer(
    appeal_id: int,
    full_name: str | None,
    iin: str | None,
    email: str | None,
    district_id: int | None,
    consent: bool | None,
    now: datetime,
    channel: str,
):
    """The checks both ways of signing share, in order, each raising with nothing written:
    the appeal takes signatures; ``full_name``; ``iin``; ``email`` (optional with a digital
    signature); the district; consent. Returns the appeal, name, IIN info, e-mail, district."""
    appeal = _appeal_open_for_signing(appeal_id, now)
    channels.require_channel(APPEAL_CHANNELS, channel)
    name = check_full_name(full_name)
    info = check_iin(iin, local_day(now))
    email = normalise_email(email or "") if email or channel == "online_email" else None
    district = db.session.get(District, district_id) if district_id else None
    if district is None:
        raise Invalid(_("Choose your district."), field="district_id")
    check_consent(consent)
    return appeal, name, info, email, district


def sign_appeal(
    *,
    appeal_id: int,
    full_name: str | None,
    iin: str | None,
    email: str | None,
    district_id: int | None,
    consent: bool | None,
    now: datetime | None = None,
) -> SignResult:
    """Sign appeal ``appeal_id`` online, with the JSON fields of recall signing.

    Checks, in this order, each raising with nothing written: the appeal is public (``NotFound``)
    and open for signing (``Conflict``); ``full_name``; ``iin``; ``email``; ``district_id`` names
    a district; ``consent`` is True. Then stores a pending signature and records
    ``appeal_signature.confirmation_requested`` (the link and the receipt, to the signer).
    Flushes, never commits.
    """
    now = now or utcnow()
    appeal, name, info, email, district = _check_signer(
        appeal_id, full_name, iin, email, district_id, consent, now, "online_email"
    )
    receipt, receipt_hash = new_receipt()
    expires_at = now + timedelta(hours=current_app.config["SIGNATURE_CONFIRMATION_HOURS"])
    stmt = (
        insert_for(AppealSignature)
        .values(
            appeal_id=appeal.id,
            iin_hash=hash_iin(info.iin),
            birth_date=info.birth_date,
            full_name=name,
            email=email,
            district_id=district.id,
            is_constituent=is_constituent(appeal, district),
            status=SignatureStatus.PENDING,
            receipt_hash=receipt_hash,
            confirm_nonce=new_confirm_nonce(),
            expires_at=expires_at,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["appeal_id", "iin_hash"])
        .returning(AppealSignature)
    )
    signature = db.session.scalar(stmt, execution_options={"populate_existing": True})
    if signature is None:
        values = {
            "full_name": name,
            "email": email,
            "district_id": district.id,
            "is_constituent": is_constituent(appeal, district),
            "receipt_hash": receipt_hash,
            "expires_at": expires_at,
            "created_at": now,
        }
        signature = _sign_again(appeal.id, hash_iin(info.iin), values, receipt, now)
        if signature is None:
            return SignResult(receipt=receipt)
    record_event(
        "appeal_signature.confirmation_requested",
        "appeal_signature",
        signature.id,
        {"appeal_id": appeal.id, "confirm_url": confirm_url(signature), "receipt": receipt},
    )
    log.info("appeal signature %r stored on appeal %r", signature.id, appeal.id)
    return SignResult(receipt=receipt)


def issue_challenge(appeal_id: int, *, now: datetime | None = None) -> certificates.Challenge:
    """A challenge to sign appeal ``appeal_id`` with a digital signature (the challenge recall
    signing issues, naming the appeal). ``NotFound``/``Conflict`` as for signing. Writes nothing."""
    now = now or utcnow()
    appeal = _appeal_open_for_signing(appeal_id, now)
    return certificates.new_challenge(appeal.id, now, kind="appeal")


def challenge_for_page(
    appeal_id: int, posted: str | None, *, now: datetime | None = None
) -> tuple[certificates.Challenge | None, str | None]:
    """The challenge the signing page shows: ``posted`` while it is still good for this appeal,
    else a new one; ``(None, why)`` when the appeal takes no signatures now. Writes nothing."""
    now = now or utcnow()
    if posted:
        try:
            return certificates.check_challenge(posted, appeal_id, now, kind="appeal"), None
        except Invalid:
            pass  # expired or not ours: a new one below
    try:
        return issue_challenge(appeal_id, now=now), None
    except (Conflict, NotFound) as exc:
        return None, exc.message


def sign_appeal_strong(
    *,
    appeal_id: int,
    full_name: str | None,
    iin: str | None,
    email: str | None,
    district_id: int | None,
    consent: bool | None,
    challenge: str | None,
    signature: str | None,
    certificate: str | None,
    now: datetime | None = None,
) -> SignResult:
    """Sign an appeal with a digital signature: confirmed and counted at once.

    The checks of :func:`sign_appeal` (``email`` optional), then the verification recall signing
    uses (:func:`certificates.verify_signed_challenge` on a challenge for this appeal); each
    refusal ``Invalid`` (``NotFound``/``Conflict`` for the appeal) with nothing written. Then,
    for the IIN on this appeal:

    * no signature: a confirmed one is stored and counted;
    * a pending or expired e-mail signature: replaced, like a claim that won (its life kept as a
      void claim, every pending claim void), confirmed and counted;
    * one confirmed by e-mail: a contest claim stays on record and the answer is ``contested``
      (the count is not changed: appeals have no commission to decide between the two);
    * one confirmed by a digital signature: ``Conflict`` (the same person signed).

    Flushes, never commits.
    """
    now = now or utcnow()
    appeal, name, info, email, district = _check_signer(
        appeal_id, full_name, iin, email, district_id, consent, now, "online_strong"
    )
    certificates.verify_signed_challenge(
        petition_id=appeal.id,
        iin=info.iin,
        challenge=challenge,
        signature=signature,
        certificate=certificate,
        now=now,
        kind="appeal",
    )
    receipt, receipt_hash = new_receipt()
    values = {
        "full_name": name,
        "email": email,
        "district_id": district.id,
        "is_constituent": is_constituent(appeal, district),
        "receipt_hash": receipt_hash,
        "expires_at": now,
        "created_at": now,
    }
    confirmed = {
        "status": SignatureStatus.CONFIRMED,
        "confirmed_at": now,
        "identity_provider": certificates.PROVIDER,
    }
    iin_hash = hash_iin(info.iin)
    stored = db.session.scalar(
        insert_for(AppealSignature)
        .values(
            appeal_id=appeal.id,
            iin_hash=iin_hash,
            birth_date=info.birth_date,
            confirm_nonce=new_confirm_nonce(),
            **values,
            **confirmed,
        )
        .on_conflict_do_nothing(index_elements=["appeal_id", "iin_hash"])
        .returning(AppealSignature),
        execution_options={"populate_existing": True},
    )
    if stored is None:
        first = db.session.scalar(
            sa.select(AppealSignature)
            .where(AppealSignature.appeal_id == appeal.id, AppealSignature.iin_hash == iin_hash)
            .with_for_update()
        )
        if first.status == SignatureStatus.CONFIRMED:
            if first.identity_provider == certificates.PROVIDER:
                raise Conflict(
                    _("You have already signed this appeal with your digital signature."),
                    field="iin",
                )
            claims.record_contest(claims.APPEAL, first.id, appeal.id, now, **values)
            log.info("a verified signer contests a confirmed IIN on appeal %r", appeal.id)
            return SignResult(receipt=receipt, status="contested")
        _keep_replaced_life(first, now)
        db.session.flush()  # the replaced life's receipt and nonce leave the signature first
        for key, value in {**values, **confirmed}.items():
            setattr(first, key, value)
        first.confirm_nonce = new_confirm_nonce()
        _void_pending_claims(first.id, now)
        db.session.flush()
        stored = first
    count_confirmed(stored, now)
    log.info("appeal signature %r confirmed by a digital signature", stored.id)
    return SignResult(receipt=receipt, status="confirmed")


def _sign_again(
    appeal_id: int, iin_hash: str, values: dict, receipt: str, now: datetime
) -> AppealSignature | None:
    """The IIN already signed this appeal: this attempt is a claim on that signature.

    Expired: it never counted, so it starts afresh in place (its earlier life kept as a void
    claim, whose receipt still answers ``expired``); returned, to be confirmed like a new one.
    Pending: a pending claim with its own link. Confirmed: a contest, no mail. Returns None when
    the attempt was stored as a claim. Flushes.
    """
    first = db.session.scalar(
        sa.select(AppealSignature)
        .where(AppealSignature.appeal_id == appeal_id, AppealSignature.iin_hash == iin_hash)
        .with_for_update()
    )
    pending = first.status == SignatureStatus.PENDING and now < first.expires_at
    if not pending and first.status != SignatureStatus.CONFIRMED:
        _keep_replaced_life(first, now)
        for key, value in values.items():
            setattr(first, key, value)
        first.status, first.confirm_nonce = SignatureStatus.PENDING, new_confirm_nonce()
        _void_pending_claims(first.id, now)
        db.session.flush()
        return first
    claim = AppealSignatureClaim(
        signature_id=first.id,
        appeal_id=appeal_id,
        state=ClaimState.PENDING if pending else ClaimState.CONTEST,
        settled_at=None if pending else now,
        **values,
    )
    db.session.add(claim)
    db.session.flush()
    if pending:
        record_event(
            "appeal_signature.confirmation_requested",
            "appeal_signature_claim",
            claim.id,
            {"appeal_id": appeal_id, "confirm_url": _claim_url(claim), "receipt": receipt},
        )
        log.info("signing attempt on appeal %r stored as a claim", appeal_id)
    else:
        log.info("signing attempt on appeal %r contests a confirmed IIN", appeal_id)
    return None


def _keep_replaced_life(signature: AppealSignature, now: datetime) -> None:
    """Keep a signature's life that is being replaced as a void claim (the step recall signing
    takes): its receipt answers as before and its link confirms nothing."""
    claims.keep_replaced_life(
        claims.APPEAL,
        signature,
        signature.appeal_id,
        now,
        district_id=signature.district_id,
        is_constituent=signature.is_constituent,
    )


def _void_pending_claims(signature_id: int, now: datetime) -> None:
    claims.void_pending(claims.APPEAL, signature_id, now)


def _claim_url(claim: AppealSignatureClaim) -> str:
    token = _serializer().dumps([claim.confirm_nonce, claim.receipt_hash[:16]])
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + CONFIRM_PATH + token


def _link_data(token: str) -> list[str]:
    try:
        data = _serializer().loads(token)
    except BadSignature:
        data = None
    if not (isinstance(data, list) and len(data) == 2 and all(isinstance(x, str) for x in data)):
        raise Invalid(_LINK_INVALID(), field="token")
    return data


def _claim_for(token: str) -> AppealSignatureClaim | None:
    data = _link_data(token)
    claim = db.session.scalar(
        sa.select(AppealSignatureClaim).where(AppealSignatureClaim.confirm_nonce == data[0])
    )
    return claim if claim is not None and claim.receipt_hash[:16] == data[1] else None


def _confirm_claim(claim: AppealSignatureClaim, now: datetime) -> AppealSignature:
    """Follow a claim's link: if no other link of this IIN was followed first, the claim's name,
    address, district and receipt become the signature's, which is confirmed and counted."""
    if claim.state != ClaimState.PENDING:
        raise Invalid(_LINK_VOID(), field="token")
    if now >= claim.expires_at:
        raise Invalid(_EXPIRED(), field="token")
    _appeal_open_for_signing(claim.appeal_id, now)
    signature = db.session.scalar(
        sa.select(AppealSignature)
        .where(AppealSignature.id == claim.signature_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if signature.status == SignatureStatus.CONFIRMED or not claims.win(
        claims.APPEAL, claim.id, now
    ):
        raise Invalid(_LINK_VOID(), field="token")
    db.session.expire(claim, ["state", "settled_at"])  # settled by the UPDATE above
    _keep_replaced_life(signature, now)
    for key in ("full_name", "email", "district_id", "is_constituent", "created_at", "expires_at"):
        setattr(signature, key, getattr(claim, key))
    signature.receipt_hash, signature.confirm_nonce = _moved_from(claim)
    signature.status, signature.confirmed_at = SignatureStatus.CONFIRMED, now
    signature.identity_provider = EMAIL_LINK
    _void_pending_claims(signature.id, now)
    db.session.flush()
    count_confirmed(signature, now)
    log.info("a claim won appeal signature %r", signature.id)
    return signature


def _moved_from(claim: AppealSignatureClaim) -> tuple[str, str]:
    """The winning claim's receipt and nonce move to the signature (both are unique): the claim
    keeps placeholders that match no receipt and no link."""
    receipt_hash, nonce = claim.receipt_hash, claim.confirm_nonce
    claim.receipt_hash = "won:" + new_confirm_nonce()
    claim.confirm_nonce = new_confirm_nonce()
    db.session.flush()
    return receipt_hash, nonce


def _LINK_INVALID() -> str:
    return _("This confirmation link is not valid. Please use the link from the latest e-mail.")


def _LINK_VOID() -> str:
    return _(
        "This link no longer confirms anything: another confirmation link for this IIN was "
        "used first."
    )


def _EXPIRED() -> str:
    return _("This signature expired because it was not confirmed in time. You can sign again.")


def _signature_for(token: str, *, lock: bool = False) -> AppealSignature:
    data = _link_data(token)
    query = sa.select(AppealSignature).where(AppealSignature.confirm_nonce == data[0])
    signature = db.session.scalar(query.with_for_update() if lock else query)
    if signature is None or signature.receipt_hash[:16] != data[1]:
        raise Invalid(_LINK_INVALID(), field="token")
    return signature


def check_confirmation_link(token: str) -> AppealSignature:
    """The signature an e-mailed link speaks for (its own or a claim's); ``Invalid`` for a
    foreign or damaged link. Confirms nothing."""
    claim = _claim_for(token)
    return claim.signature if claim is not None else _signature_for(token)


def confirm_appeal_signature(token: str, *, now: datetime | None = None) -> AppealSignature:
    """Confirm the signature behind an e-mailed link and count it (see the module's note).

    Idempotent for a confirmed signature; ``Invalid`` for an expired one, ``Conflict`` when the
    appeal no longer takes signatures. Flushes, never commits.
    """
    now = now or utcnow()
    claim = _claim_for(token)
    if claim is not None:
        return _confirm_claim(claim, now)
    signature = _signature_for(token, lock=True)
    if signature.status == SignatureStatus.CONFIRMED:
        return signature
    if signature.status != SignatureStatus.PENDING or now >= signature.expires_at:
        raise Invalid(_EXPIRED(), field="token")
    _appeal_open_for_signing(signature.appeal_id, now)
    signature.status = SignatureStatus.CONFIRMED
    signature.confirmed_at, signature.identity_provider = now, EMAIL_LINK
    _void_pending_claims(signature.id, now)
    db.session.flush()
    count_confirmed(signature, now)
    return signature


def count_confirmed(signature: AppealSignature, now: datetime) -> None:
    """Add a confirmed signature to the appeal's counts as recall petitions count
    (``recall.services.signing.counting``): one to a random shard of ``appeal_count_shards``
    and to the same shard of the signer's district, never touching the appeal row, so
    concurrent confirmations lock different rows. A constituent's confirmation then checks the
    threshold (:func:`_check_threshold`)."""
    shard = _rng.randrange(COUNT_SHARDS)
    column = "constituents" if signature.is_constituent else "supporters"
    total = insert_for(AppealCountShard).values(
        appeal_id=signature.appeal_id,
        shard=shard,
        **{"constituents": 0, "supporters": 0, column: 1},
    )
    db.session.execute(
        total.on_conflict_do_update(
            index_elements=["appeal_id", "shard"],
            set_={column: getattr(AppealCountShard, column) + 1},
        )
    )
    upsert = insert_for(AppealDistrictCount).values(
        appeal_id=signature.appeal_id, district_id=signature.district_id, shard=shard, confirmed=1
    )
    db.session.execute(
        upsert.on_conflict_do_update(
            index_elements=["appeal_id", "district_id", "shard"],
            set_={"confirmed": AppealDistrictCount.confirmed + 1},
        )
    )
    if signature.is_constituent:
        _check_threshold(signature.appeal_id, now)


def _check_threshold(appeal_id: int, now: datetime) -> None:
    """Reach the threshold once: when the summed constituents reach it, the one transaction whose
    conditional UPDATE (``threshold_reached_at IS NULL``) applies moves the appeal. Two
    confirmations committing at the same instant may each see only their own increment and both
    miss it; :func:`sync_counts` (every minute) catches that up, as recall counting does."""
    constituents = (
        sa.select(sa.func.coalesce(sa.func.sum(AppealCountShard.constituents), 0))
        .where(AppealCountShard.appeal_id == appeal_id)
        .scalar_subquery()
    )
    reached = db.session.execute(
        sa.update(Appeal)
        .where(
            Appeal.id == appeal_id,
            Appeal.threshold_reached_at.is_(None),
            Appeal.threshold.is_not(None),
            constituents >= Appeal.threshold,
        )
        .values(threshold_reached_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if reached:
        reach_threshold(db.session.get(Appeal, appeal_id, populate_existing=True), now)


@dataclass(frozen=True)
class Counts:
    constituents: int = 0
    supporters: int = 0


def appeal_counts(appeal_ids: list[int]) -> dict[int, Counts]:
    """The confirmed counts of appeals: sums over their shards (at most ``COUNT_SHARDS`` rows
    each, by primary key), in one query; an appeal nobody signed counts zero."""
    rows = db.session.execute(
        sa.select(
            AppealCountShard.appeal_id,
            sa.func.sum(AppealCountShard.constituents),
            sa.func.sum(AppealCountShard.supporters),
        )
        .where(AppealCountShard.appeal_id.in_(appeal_ids))
        .group_by(AppealCountShard.appeal_id)
    )
    counts = dict.fromkeys(appeal_ids, Counts())
    counts.update({i: Counts(int(c), int(s)) for i, c, s in rows})
    return counts


def fill_counts(appeals: list[Appeal]) -> list[Appeal]:
    """Show the live counts on loaded appeals: the shard sums replace the folded columns on these
    objects only (set as if loaded, so nothing is ever written back)."""
    counts = appeal_counts([a.id for a in appeals]) if appeals else {}
    for appeal in appeals:
        set_committed_value(appeal, "constituent_count", counts[appeal.id].constituents)
        set_committed_value(appeal, "supporter_count", counts[appeal.id].supporters)
    return appeals


def sync_counts(now: datetime | None = None) -> int:
    """Periodic (every minute): fold each signed appeal's shard sums into its count columns
    (for sorting and lists) and reach any threshold two simultaneous confirmations both missed.
    Returns how many appeals' columns changed. Flushes."""
    now = now or utcnow()
    sums = (
        sa.select(
            AppealCountShard.appeal_id,
            sa.func.sum(AppealCountShard.constituents).label("c"),
            sa.func.sum(AppealCountShard.supporters).label("s"),
        )
        .group_by(AppealCountShard.appeal_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            Appeal.id, Appeal.constituent_count, Appeal.supporter_count, sums.c.c, sums.c.s
        ).join(sums, sums.c.appeal_id == Appeal.id)
    ).all()
    changed = 0
    for appeal_id, folded_c, folded_s, c, s in rows:
        if (folded_c, folded_s) != (int(c), int(s)):
            db.session.execute(
                sa.update(Appeal)
                .where(Appeal.id == appeal_id)
                .values(constituent_count=int(c), supporter_count=int(s))
                .execution_options(synchronize_session=False)
            )
            changed += 1
        _check_threshold(appeal_id, now)
    db.session.flush()
    return changed


def reach_threshold(appeal: Appeal, now: datetime) -> None:
    """Stamp the moment the threshold was reached; an open appeal now owes an answer."""
    appeal.threshold_reached_at = appeal.threshold_reached_at or now
    if appeal.state == S.OPEN:
        appeal.response_due_at = response_due(now, appeal.response_days or 30)
        change_state(
            appeal,
            S.RESPONSE_DUE,
            None,
            payload={
                "threshold": appeal.threshold,
                "response_due_at": appeal.response_due_at.isoformat(),
            },
        )
    db.session.flush()


def expire_unconfirmed(now: datetime | None = None) -> int:
    """Mark pending appeal signatures past their confirmation time expired (periodic)."""
    now = now or utcnow()
    result = db.session.execute(
        sa.update(AppealSignature)
        .where(AppealSignature.status == SignatureStatus.PENDING, AppealSignature.expires_at <= now)
        .values(status=SignatureStatus.EXPIRED)
    )
    return result.rowcount or 0


def lookup_receipt(code: str | None, *, now: datetime | None = None) -> AppealReceiptView:
    """The public state behind an appeal receipt; a decoy answers like an unconfirmed signature."""
    now = now or utcnow()
    digest = receipt_hash_of(code)
    if digest:
        signature = db.session.scalar(
            sa.select(AppealSignature).where(AppealSignature.receipt_hash == digest)
        )
        if signature is not None:
            status = signature.status
            if status == SignatureStatus.PENDING and now >= signature.expires_at:
                status = SignatureStatus.EXPIRED
            return AppealReceiptView(
                signature.appeal_id, status.value, local_day(signature.created_at)
            )
        claim = db.session.scalar(
            sa.select(AppealSignatureClaim).where(AppealSignatureClaim.receipt_hash == digest)
        )
        if claim is not None:  # a claim answers pending, then expired, whatever came after
            status = unconfirmed_status(claim.expires_at, now)
            return AppealReceiptView(claim.appeal_id, status.value, local_day(claim.created_at))
        decoy = db.session.scalar(
            sa.select(AppealReceiptDecoy).where(AppealReceiptDecoy.receipt_hash == digest)
        )
        if decoy is not None:  # handed out before claims (migration 0036)
            status = unconfirmed_status(decoy.expires_at, now)
            return AppealReceiptView(decoy.appeal_id, status.value, local_day(decoy.created_at))
    raise NotFound(_("No signature has this receipt code. Please check the code."), field="receipt")


@dataclass(frozen=True)
class DistrictCount:
    district_id: int
    number: int | None
    name: str
    confirmed: int
    constituent: bool
    code: str = ""

    @property
    def designation(self) -> str:
        return str(self.number) if self.number is not None else self.code


def district_counts(appeal: Appeal) -> list[DistrictCount]:
    """Confirmed signatures per district: every district of the appeal's body (zero where nobody
    signed) and any other district someone signed from; the shards of each district, read by the appeal's key."""
    per_district = (
        sa.select(
            AppealDistrictCount.district_id,
            sa.func.sum(AppealDistrictCount.confirmed).label("confirmed"),
        )
        .where(AppealDistrictCount.appeal_id == appeal.id)
        .group_by(AppealDistrictCount.district_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            District.id,
            District.number,
            District.name,
            District.names,
            District.body_id,
            District.code,
            sa.func.coalesce(per_district.c.confirmed, 0),
        )
        .select_from(District)
        .outerjoin(per_district, per_district.c.district_id == District.id)
        .where(sa.or_(District.body_id == appeal.body_id, per_district.c.confirmed > 0))
        .order_by(District.body_id != appeal.body_id, District.number, District.id)
    ).all()
    language = current_language()  # names in the reader's language (issue 11)
    return [
        DistrictCount(
            district_id=i,
            number=number,
            name=pick_name(names, language, name),
            confirmed=int(confirmed),
            constituent=(i == appeal.district_id)
            if appeal.district_id is not None
            else body_id == appeal.body_id,
            code=code,
        )
        for i, number, name, names, body_id, code, confirmed in rows
    ]


def signing_districts(appeal: Appeal) -> list[District]:
    """Districts a signer can choose: the appeal's body's first, then every other."""
    return list(
        db.session.scalars(
            sa.select(District).order_by(
                District.body_id != appeal.body_id, District.body_id, District.number
            )
        )
    )


def body_boundaries(body_id: int) -> dict[int, dict]:
    """The imported outlines of a body's districts (district id -> GeoJSON geometry)."""
    rows = db.session.execute(
        sa.select(District.id, District.boundary).where(
            District.body_id == body_id, District.boundary.is_not(None)
        )
    )
    return {row[0]: row[1] for row in rows}
