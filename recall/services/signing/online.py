"""Signing a recall petition online: one signature per voter, by e-mail link or by digital
signature, its confirmation and expiry. What a signer types is checked by ``signer_checks``;
receipts, their lookup and withdrawal are ``receipts``'.

The IIN is checked, hashed with ``IIN_HASH_KEY`` (:func:`recall.services.iin_hash.hash_iin`) and
dropped: a signature keeps the hash, the last four digits and the birth date. Nothing here logs it.

One signature per voter and petition is enforced by the database (the partial unique index
``uq_signatures_one_per_voter``) with ``INSERT ... ON CONFLICT DO NOTHING``, so two concurrent
requests with the same IIN cannot both insert. Whoever signs first with an IIN does not own it: a
later attempt answers exactly like a first one and is a *claim* (``SignatureClaim``). On a pending
signature the claim gets its own confirmation link and the first link followed wins; on a
confirmed one it is a "contested IIN" item for the commission, with no mail to anyone. The
address of an earlier attempt is never told about a later one (docs/signing.md says what each
party can and cannot learn).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from recall.db_autocommit import execute_alone, session_in_transaction
from recall.errors import Conflict, Invalid, InvalidFields
from recall.extensions import db
from recall.models.base import utcnow
from recall.models.body import District
from recall.models.outbox import Event
from recall.models.petition import Petition, PetitionState
from recall.models.signature import (
    CheckStatus,
    ClaimState,
    ReceiptDecoy,
    Signature,
    SignatureClaim,
    SignatureStatus,
    new_confirm_nonce,
)
from recall.rules.iin import IinInfo
from recall.rules.recall_rules import ONLINE_CHANNELS
from recall.rules.sources import Client
from recall.services import outbox
from recall.services.accounts.users import normalise_email
from recall.services.audit import append_audit
from recall.services.fraud.bans import ban_for, note_watch, screen_signing, screening_queries
from recall.services.fraud.disposable import check_email_domain
from recall.services.fraud.sources import PATTERN_COLUMNS, pattern_values
from recall.services.iin_hash import hash_iin
from recall.services.lookup import get_or_raise
from recall.services.signing import certificates, channels, claims, counting, identity
from recall.services.signing.receipts import new_receipt
from recall.services.signing.signer_checks import check_consent, check_full_name, check_iin

log = logging.getLogger(__name__)

# The review reason of a later signing attempt with an IIN whose signature is already confirmed.
CONTESTED_IIN = "contested_iin"
EMAIL_LINK = "email_link"


@dataclass(frozen=True)
class SignResult:
    """What a signer is told: only the receipt code, the same shape for every accepted attempt."""

    receipt: str
    # pending (the e-mail link), confirmed (a verified digital signature), contested (a verified
    # digital signature on an IIN whose signature was already confirmed: the commission reviews it)
    status: str = "pending"


# How long a process trusts what it read about a collecting petition's signing window. Safe to
# cache: the only way out of "collecting" is "closed" at ``closes_at``, which the window check
# below enforces by itself, and a petition's district never changes while collecting. Its period
# may only grow (an extension, ``services.petitions.extensions``): a window that looks closed is
# read again before a signature is refused as late.
WINDOW_CACHE_SECONDS = 30


@dataclass(frozen=True)
class _Window:
    """What signing needs to know about a collecting petition."""

    id: int
    district_id: int
    district_name: str
    opens_at: datetime
    closes_at: datetime
    channels: tuple[str, ...]
    read_at: float


def _open_petition(petition_id: int, now: datetime) -> _Window:
    """The signing window of a petition, refusing unless it is collecting and ``now`` is inside it.

    Saves a query per signature on a busy petition by remembering collecting petitions for
    ``WINDOW_CACHE_SECONDS`` (per application, per process).
    """
    cache = current_app.extensions.setdefault("recall_signing_windows", {})
    window = cache.get(petition_id)
    if (
        window is None
        or time.monotonic() - window.read_at > WINDOW_CACHE_SECONDS
        or now >= window.closes_at
    ):
        petition = get_or_raise(
            Petition, petition_id, _("There is no such petition."), field="petition"
        )
        if (
            petition.state != PetitionState.COLLECTING
            or petition.opens_at is None
            or petition.closes_at is None
        ):
            raise Invalid(_("This petition is not collecting signatures."), field="petition")
        window = _Window(
            petition.id,
            petition.district_id,
            petition.district.name,
            petition.opens_at,
            petition.closes_at,
            channels.allowed_channels(petition),
            time.monotonic(),
        )
        cache[petition_id] = window
    if now < window.opens_at:
        raise Invalid(_("Signing for this petition has not opened yet."), field="petition")
    if now >= window.closes_at:
        raise Invalid(_("Signing for this petition has closed."), field="petition")
    return window


# ---------------------------------------------------------------- signing


def petition_for_signing(petition_id: int) -> tuple[Petition, list[District]]:
    """The petition (``NotFound`` if missing) and the districts of its body, for the signing form."""
    petition = get_or_raise(
        Petition, petition_id, _("There is no such petition."), field="petition"
    )
    districts = list(
        db.session.scalars(
            sa.select(District)
            .where(District.body_id == petition.body_id)
            .order_by(District.number)
        )
    )
    return petition, districts


def _check_signer(
    petition_id: int,
    full_name: str | None,
    iin: str | None,
    email: str | None,
    district_id: int | None,
    consent: bool | None,
    now: datetime,
    *,
    channel: str,
    email_required: bool = True,
) -> tuple[_Window, str, IinInfo, str | None]:
    """The checks every online signature gets, in order (see :func:`sign_petition`); the rule must
    allow ``channel`` (``channels.require_channel``)."""
    today = counting.local_day(now)
    petition = _open_petition(petition_id, now)
    channels.require_channel(petition.channels, channel)
    # Every field is checked, and every mistake reported at once (``InvalidFields``).
    errors: list[Invalid] = []

    def checked(check, *args):
        try:
            return check(*args)
        except InvalidFields as exc:
            errors.extend(exc.errors)
        except Invalid as exc:
            errors.append(exc)
        return None

    name = checked(check_full_name, full_name)
    info = checked(check_iin, iin, today)
    email = checked(normalise_email, email or "") if email_required or email else None
    checked(_check_district, petition, district_id)
    checked(check_consent, consent)
    if email:
        checked(check_email_domain, email.rsplit("@", 1)[1])
    if errors:
        raise InvalidFields(errors)
    return petition, name, info, email


def _check_district(petition: _Window, district_id: int | None) -> None:
    if district_id is None:
        raise Invalid(_("Choose your district."), field="district_id")
    if district_id != petition.district_id:
        raise Invalid(
            _(
                "You can only sign a recall petition in your own district: this petition is for %(district)s.",
                district=petition.district_name,
            ),
            field="district_id",
        )


def sign_petition(
    *,
    petition_id: int,
    full_name: str | None,
    iin: str | None,
    email: str | None,
    district_id: int | None,
    consent: bool | None,
    client: Client | None = None,
    now: datetime | None = None,
    channel: str = "online_email",
    own_transaction: bool = False,
) -> SignResult:
    """Sign petition ``petition_id`` online. Keyword arguments only: the strings cannot be swapped.

    Checks, in this order, each raising ``Invalid(message, field)`` with nothing written: the
    petition is collecting and ``now`` is inside its signing period (``NotFound`` if it does not
    exist); its rule allows ``channel`` (field ``channel``, saying how to sign instead);
    ``full_name``; ``iin`` (format, check digit, birth date, age at least 18 today);
    ``email``; ``district_id`` is the petition's district; ``consent`` is True.

    Then stores a pending signature and starts the configured identity confirmation (which records
    ``signature.confirmation_requested`` with the receipt). If this IIN already has a signature
    on the petition the attempt is a claim (see :func:`_sign_again`); nobody else is told, and the
    result looks exactly like a first signature. ``client`` (the request's address and user
    agent) is kept only as pattern data (``recall.services.fraud.sources``). Flushes, never commits,
    unless ``own_transaction``: the caller commits right after and writes nothing else, so when
    the session has begun no transaction a first signature of an unwatched IIN is stored by its
    one statement as a transaction of its own (``recall.db_autocommit``) and its event handed over
    at once; anything else (a claim, a watched IIN) goes on in the session as usual.
    """
    now = now or utcnow()
    if channel not in ONLINE_CHANNELS:  # a caller's mistake: the commission enters the others
        raise ValueError(f"{channel!r} is not an online channel")
    petition, name, info, email = _check_signer(
        petition_id, full_name, iin, email, district_id, consent, now, channel=channel
    )
    iin_hash = hash_iin(info.iin)
    receipt, receipt_hash = new_receipt()
    expires_at = now + timedelta(hours=current_app.config["SIGNATURE_CONFIRMATION_HOURS"])
    values = {
        "full_name": name,
        "email": email,
        "district_id": district_id,
        "birth_date": info.birth_date,
        "receipt_hash": receipt_hash,
        "expires_at": expires_at,
        "status": SignatureStatus.PENDING,
        "created_at": now,
        "email_count": 1,
        **pattern_values(client, email),
    }
    # Every signer's attempt looks for a ban and a watch of the IIN (the same statements whatever
    # the answers): a shadow-banned source is answered exactly like everyone else and never counts.
    # On PostgreSQL with a first event both questions ride in the one statement that stores the
    # signature (no round trip, nothing to build per request); otherwise one query asks them.
    confirmation = identity.get_confirmation()
    first = None
    # The session's bind for a statement without a mapper is the app's engine: asked directly,
    # a request that stores its signature on its own never makes a session.
    if db.engine.dialect.name == "postgresql":
        nonce = new_confirm_nonce()
        first = confirmation.first_event(
            identity.UnsavedSignature(petition.id, nonce, receipt_hash), receipt
        )
        if first is not None:
            row = {
                "petition_id": petition.id,
                "iin_hash": iin_hash,
                "source": channels.source_for(channel),
                "check_status": CheckStatus.UNCHECKED,
                "confirm_nonce": nonce,
                **values,
            }
            alone = own_transaction and not session_in_transaction(db.session)
            inserted, values["shadow_ban_id"], watch_id = (
                _insert_alone(row, first, now) if alone else (None, None, None)
            )
            if inserted is None and (not alone or watch_id is not None):
                # In the session: an IIN's watch is told in the signature's transaction.
                inserted, values["shadow_ban_id"], watch_id = _insert_with_event(row, first, now)
                note_watch(watch_id, petition.id, "online")
            if inserted is not None:
                log.info("signature %r stored on petition %r", inserted, petition.id)
                return SignResult(receipt=receipt)
    signature = None
    if first is None:
        values["shadow_ban_id"] = screen_signing(petition.id, iin_hash, values, "online")
        stmt = (
            counting.insert_for(Signature)
            .values(
                petition_id=petition.id,
                iin_hash=iin_hash,
                source=channels.source_for(channel),
                check_status=CheckStatus.UNCHECKED,
                **values,
            )
            .on_conflict_do_nothing(
                index_elements=["petition_id", "iin_hash"],
                index_where=Signature.duplicate_of_id.is_(None),
            )
            .returning(Signature)
        )
        # ORM-enabled INSERT ... RETURNING: the new row comes back as a Signature in one round trip.
        signature = db.session.scalar(stmt, execution_options={"populate_existing": True})
    if signature is None:
        signature = _sign_again(petition, iin_hash, values, receipt, now)
        if signature is None:
            return SignResult(receipt=receipt)
    confirmation.start(signature, receipt)
    db.session.flush()
    log.info("signature %r stored on petition %r", signature.id, petition.id)
    return SignResult(receipt=receipt)


def _insert_with_event(
    row: dict, event: tuple[str, dict], now: datetime
) -> tuple[int | None, int | None, int | None]:
    """Screen the signer and insert the signature (with the covering ban's id) and its first event
    in one statement (PostgreSQL: a data-modifying CTE). Returns the signature's id (None when
    ``ON CONFLICT`` inserted nothing, and so no event either), the covering ban's id and the
    IIN's active watch, answered either way. The event is dispatched after commit like any other
    (``note_recorded``)."""
    sql, params = _statement_and_params(row, event, now, db.session.get_bind().dialect)
    # Sent as the compiled text: SQLAlchemy's statement execution (cache look-up, ORM context,
    # result processing) cost more CPU than PostgreSQL spends running it.
    inserted = db.session.connection().exec_driver_sql(sql, params).one()
    if inserted.signature_id is not None:
        outbox.note_recorded(inserted.event_id)
    return inserted.signature_id, inserted.ban_id, inserted.watch_id


def _insert_alone(
    row: dict, event: tuple[str, dict], now: datetime
) -> tuple[int | None, int | None, int | None]:
    """:func:`_insert_with_event` as a transaction of its own (autocommit), for a caller with
    nothing else to write; the signature is stored only when nobody watches the IIN (its
    appearance is recorded in the signature's transaction, by the caller's way through the
    session). The event is handed over once committed. Returns the same three ids."""
    sql, params = _statement_and_params(row, event, now, db.engine.dialect, alone=True)
    signature_id, event_id, ban_id, watch_id = execute_alone(db.engine, sql, params)
    if signature_id is not None:
        outbox.dispatch_committed(event_id)
    return signature_id, ban_id, watch_id


def _statement_and_params(
    row: dict, event: tuple[str, dict], now: datetime, dialect: sa.Dialect, alone: bool = False
) -> tuple[str, dict]:
    """The signing statement's text and its driver parameters for ``row`` and its first event."""
    kind, payload = event
    params = {f"s_{name}": value for name, value in row.items()}
    params.update(
        {
            f"e_{name}": value
            for name, value in outbox.event_values(kind, "signature", None, payload).items()
        }
    )
    params["e_created_at"] = now
    sql, parameters = _signature_with_event(tuple(sorted(row)), dialect, alone)
    return sql, parameters(params)


@functools.cache
def _signature_with_event(
    columns: tuple[str, ...], dialect: sa.Dialect, alone: bool = False
) -> tuple[str, Callable[[dict], dict]]:
    """``WITH ban AS (the covering ban), new_signature AS (INSERT ... ON CONFLICT DO NOTHING
    RETURNING id), new_event AS (INSERT INTO events ... SELECT ... FROM new_signature RETURNING
    id) SELECT both ids, the ban's and the IIN's watch``, built and compiled once (building it
    costs more CPU than the rest of a signature): its SQL text, and the function that turns
    values bound as ``s_<column>`` and ``e_<column>`` into the driver's parameters (each through
    its column type's bind processor; ``shadow_ban_id`` comes from the ``ban`` query).
    ``alone``: the signature is inserted only when nobody watches the IIN."""
    compiled = _signature_with_event_statement(columns, alone).compile(dialect=dialect)
    processors = {
        name: processor
        for bind, name in compiled.bind_names.items()
        if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
    }

    # What ``compiled.construct_params`` and the processors make of ``values``, worked out once
    # (construct_params looks at every bind anew on each call): the statement's own constants
    # processed up front, the caller's values by key.
    fixed, given = {}, []
    for bind, name in compiled.bind_names.items():
        if bind.required:
            given.append((name, bind.key, processors.get(name)))
        else:
            value = bind.effective_value
            fixed[name] = processors[name](value) if name in processors else value

    def parameters(values: dict) -> dict:
        params = dict(fixed)
        for name, key, processor in given:
            value = values[key]
            params[name] = value if processor is None else processor(value)
        return params

    return compiled.string, parameters


def _signature_with_event_statement(columns: tuple[str, ...], alone: bool) -> sa.Select:
    """The statement :func:`_signature_with_event` compiles."""
    from sqlalchemy.dialects.postgresql import insert

    signatures, events = Signature.__table__, Event.__table__

    def value(name):
        return sa.bindparam(f"s_{name}", type_=signatures.c[name].type)

    ban_query, watch_query = screening_queries(
        value("petition_id"),
        value("iin_hash"),
        {
            name: value(name)
            for name in ("source_address_hash", "source_block_hash", "email_domain")
        },
    )
    ban = ban_query.cte("ban")
    values = {
        **{name: value(name) for name in columns},
        "shadow_ban_id": sa.select(ban.c.id).scalar_subquery(),
    }
    if alone:
        unwatched = sa.select(*values.values()).where(~watch_query.exists())
        insert_signature = insert(Signature).from_select(list(values), unwatched)
    else:
        insert_signature = insert(Signature).values(values)
    new_signature = (
        insert_signature.on_conflict_do_nothing(
            index_elements=["petition_id", "iin_hash"],
            index_where=Signature.duplicate_of_id.is_(None),
        )
        .returning(Signature.id)
        .cte("new_signature")
    )
    event_columns = ["kind", "subject_type", "payload", "actor_id", "locale", "created_at"]
    new_event = (
        sa.insert(Event)
        .from_select(
            [*event_columns, "subject_id"],
            sa.select(
                *(sa.bindparam(f"e_{name}", type_=events.c[name].type) for name in event_columns),
                new_signature.c.id,
            ),
        )
        .returning(Event.id)
        .cte("new_event")
    )
    # One row whatever was inserted: the screening's answers are needed for a claim as well.
    return sa.select(
        sa.select(new_signature.c.id).scalar_subquery().label("signature_id"),
        sa.select(new_event.c.id).scalar_subquery().label("event_id"),
        sa.select(ban.c.id).scalar_subquery().label("ban_id"),
        watch_query.scalar_subquery().label("watch_id"),
    )


# The columns of a signature's current life: what a void claim keeps when the life is replaced.
_LIFE = (
    Signature.id,
    Signature.status,
    Signature.full_name,
    Signature.email,
    Signature.receipt_hash,
    Signature.confirm_nonce,
    Signature.expires_at,
    Signature.created_at,
    Signature.check_status,
    *(getattr(Signature, name) for name in PATTERN_COLUMNS),
)


def _patterns(row) -> dict:
    """The pattern columns of a signing attempt (a values dict) or of a stored life (a row)."""
    if isinstance(row, dict):
        return {name: row.get(name) for name in PATTERN_COLUMNS}
    return {name: getattr(row, name) for name in PATTERN_COLUMNS}


def _lock_life(signature_id: int, statuses: tuple[SignatureStatus, ...]):
    """The signature's current life, locked until commit, if its status is one of ``statuses``.

    On PostgreSQL a second transaction waits here and then sees the first one's change (the
    status condition is evaluated again on the new row version), so two replacements of one life
    cannot both happen. SQLite serialises writers anyway.
    """
    return db.session.execute(
        sa.select(*_LIFE)
        .where(Signature.id == signature_id, Signature.status.in_(statuses))
        .with_for_update()
    ).one_or_none()


def _keep_replaced_life(life, petition_id: int, now: datetime) -> None:
    """Keep a replaced life as a void claim: its receipt answers as before, its link is void."""
    claims.keep_replaced_life(claims.PETITION, life, petition_id, now, **_patterns(life))


_FRESH_CHECK = {
    "confirmed_at": None,
    "withdrawn_at": None,
    "check_status": CheckStatus.UNCHECKED,
    "reason_code": None,
    "checked_at": None,
    "decided_by_id": None,
    "decision_note": None,
}


def _sign_again(
    petition: _Window, iin_hash: str, values: dict, receipt: str, now: datetime
) -> Signature | None:
    """The IIN already has a signature on the petition: this attempt is a claim on it.

    * expired unconfirmed: it never counted, so it starts afresh in place (new name, address,
      receipt, expiry); its earlier life is kept as a void claim, so that receipt still answers
      ``expired`` and that link no longer confirms. Returns the signature, to be confirmed.
    * pending: a pending claim with its own confirmation link; the first link followed wins.
    * confirmed (or withdrawn): a ``contest`` claim and, for a confirmed signature the commission
      may still decide, a "contested IIN" review item. Nobody is mailed.

    Returns None when the attempt was stored as a claim (its receipt is ``receipt``).
    """
    first = db.session.execute(
        sa.select(Signature.id, Signature.status).where(
            Signature.petition_id == petition.id,
            Signature.iin_hash == iin_hash,
            Signature.duplicate_of_id.is_(None),
        )
    ).one_or_none()
    if first is None:  # cannot happen while signatures are never deleted; answer like a repeat
        _decoy(petition, values["receipt_hash"], values["expires_at"], now)
        return None
    if first.status == SignatureStatus.EXPIRED:
        life = _lock_life(first.id, (SignatureStatus.EXPIRED,))
        if life is not None:
            _keep_replaced_life(life, petition.id, now)
            return db.session.scalar(
                sa.update(Signature)
                .where(Signature.id == first.id)
                .values(confirm_nonce=new_confirm_nonce(), **_FRESH_CHECK, **values)
                .returning(Signature)
                .execution_options(synchronize_session=False, populate_existing=True)
            )
        first = db.session.execute(
            sa.select(Signature.id, Signature.status).where(Signature.id == first.id)
        ).one()
    pending = first.status in (SignatureStatus.PENDING, SignatureStatus.EXPIRED)
    claim = SignatureClaim(
        signature_id=first.id,
        petition_id=petition.id,
        state=ClaimState.PENDING if pending else ClaimState.CONTEST,
        full_name=values["full_name"],
        email=values["email"],
        receipt_hash=values["receipt_hash"],
        expires_at=values["expires_at"],
        created_at=now,
        settled_at=None if pending else now,
        **_patterns(values),
    )
    db.session.add(claim)
    db.session.flush()
    if pending:
        identity.EmailLinkConfirmation().start_claim(claim, receipt)
        log.info("signing attempt on petition %r stored as a claim", petition.id)
    else:
        _contest(first.id, now)
        log.info("signing attempt on petition %r contests a confirmed IIN", petition.id)
    return None


def _contest(signature_id: int, now: datetime) -> None:
    """Send a confirmed signature to the commission's review as a contested IIN (no mail).

    Counted signatures stay counted until a commissioner decides; a verdict already given by a
    petition past verification keeps its verdicts (the claim stays on record).
    """
    from recall.services.verification.checks import CHECKABLE_STATES

    db.session.execute(
        sa.update(Signature)
        .where(
            Signature.id == signature_id,
            Signature.status == SignatureStatus.CONFIRMED,
            Signature.check_status.in_([CheckStatus.UNCHECKED, CheckStatus.VALID]),
            Signature.petition_id.in_(
                sa.select(Petition.id).where(Petition.state.in_(CHECKABLE_STATES))
            ),
        )
        .values(check_status=CheckStatus.REVIEW, reason_code=CONTESTED_IIN)
        .execution_options(synchronize_session=False)
    )


# ---------------------------------------------------------------- strong identity (digital signature)


def issue_challenge(petition_id: int, *, now: datetime | None = None) -> certificates.Challenge:
    """A challenge to sign with a certificate, for a collecting petition whose rule accepts the
    ``online_strong`` channel (``Invalid`` otherwise, ``NotFound`` for no petition). Writes nothing."""
    now = now or utcnow()
    petition = _open_petition(petition_id, now)
    channels.require_channel(petition.channels, "online_strong")
    return certificates.new_challenge(petition.id, now)


def challenge_for_page(
    petition_id: int, posted: str | None, *, now: datetime | None = None
) -> tuple[certificates.Challenge | None, str | None]:
    """The challenge the certificate signing page shows, and why there is none.

    ``posted`` (sent back by the page) while it is still good for this petition, so a signer
    correcting another field need not sign again; else a new one. ``(None, message)`` when the
    petition takes no digital signatures now. Writes nothing.
    """
    now = now or utcnow()
    try:
        if posted:
            try:
                return certificates.check_challenge(posted, petition_id, now), None
            except Invalid:
                pass  # expired or not ours: a new one below
        return issue_challenge(petition_id, now=now), None
    except Invalid as exc:
        return None, exc.message


def sign_petition_strong(
    *,
    petition_id: int,
    full_name: str | None,
    iin: str | None,
    email: str | None,
    district_id: int | None,
    consent: bool | None,
    challenge: str | None,
    signature: str | None,
    certificate: str | None,
    client: Client | None = None,
    now: datetime | None = None,
) -> SignResult:
    """Sign with a digital signature: confirmed at once (the ``online_strong`` provider).

    The checks of :func:`sign_petition` (``email`` optional: receipts and withdrawal use it; the
    rule must allow the ``online_strong`` channel), then
    :func:`certificates.verify_signed_challenge`; each refusal ``Invalid`` with nothing written.
    Then, for the IIN on this petition:

    * no signature: a confirmed one is stored and counted (``status`` ``confirmed``);
    * a pending (or expired) e-mail signature: it is replaced, like a claim that won (its life
      kept as a void claim, every pending claim void), confirmed and counted;
    * a confirmed one by e-mail (or withdrawn): a contest claim and a ``contested_iin`` review item
      (``status`` ``contested``): the signer proved the IIN is theirs, so they are told;
    * one confirmed by a digital signature already: ``Conflict`` (the same person signed).

    Flushes, never commits.
    """
    now = now or utcnow()
    petition, name, info, email = _check_signer(
        petition_id,
        full_name,
        iin,
        email,
        district_id,
        consent,
        now,
        channel="online_strong",
        email_required=False,
    )
    certificates.verify_signed_challenge(
        petition_id=petition.id,
        iin=info.iin,
        challenge=challenge,
        signature=signature,
        certificate=certificate,
        now=now,
    )
    iin_hash = hash_iin(info.iin)
    receipt, receipt_hash = new_receipt()
    values = {
        "full_name": name,
        "email": email,
        "district_id": petition.district_id,
        "birth_date": info.birth_date,
        "receipt_hash": receipt_hash,
        "expires_at": None,
        "status": SignatureStatus.CONFIRMED,
        "confirmed_at": now,
        "identity_provider": certificates.PROVIDER,
        "created_at": now,
        "email_count": 0,
        **pattern_values(client, email),
    }
    values["shadow_ban_id"] = screen_signing(petition.id, iin_hash, values, "online")
    stored = db.session.scalar(
        counting.insert_for(Signature)
        .values(
            petition_id=petition.id,
            iin_hash=iin_hash,
            source=channels.source_for("online_strong"),
            check_status=CheckStatus.UNCHECKED,
            **values,
        )
        .on_conflict_do_nothing(
            index_elements=["petition_id", "iin_hash"],
            index_where=Signature.duplicate_of_id.is_(None),
        )
        .returning(Signature),
        execution_options={"populate_existing": True},
    )
    if stored is None:
        first = db.session.execute(
            sa.select(Signature.id, Signature.identity_provider).where(
                Signature.petition_id == petition.id,
                Signature.iin_hash == iin_hash,
                Signature.duplicate_of_id.is_(None),
            )
        ).one()
        life = _lock_life(first.id, (SignatureStatus.PENDING, SignatureStatus.EXPIRED))
        if life is None:
            if first.identity_provider == certificates.PROVIDER:
                raise Conflict(
                    _("You have already signed this petition with your digital signature."),
                    field="iin",
                )
            claims.record_contest(
                claims.PETITION,
                first.id,
                petition.id,
                now,
                full_name=name,
                email=email,
                receipt_hash=receipt_hash,
                **_patterns(values),
            )
            _contest(first.id, now)
            log.info("a verified signer contests a confirmed IIN on petition %r", petition.id)
            return SignResult(receipt=receipt, status="contested")
        _keep_replaced_life(life, petition.id, now)
        stored = db.session.scalar(
            sa.update(Signature)
            .where(Signature.id == first.id)
            .values(**{**_FRESH_CHECK, **values}, confirm_nonce=new_confirm_nonce())
            .returning(Signature)
            .execution_options(synchronize_session=False, populate_existing=True)
        )
        _void_pending_claims(first.id, now)
    _count_confirmed(stored, now)
    db.session.flush()
    log.info("signature %r confirmed by a digital signature on petition %r", stored.id, petition.id)
    return SignResult(receipt=receipt, status="confirmed")


def _decoy(petition: _Window, receipt_hash: str, expires_at: datetime, now: datetime) -> None:
    """Store a receipt hash that looks up like an unconfirmed signature (pending, then expired)."""
    db.session.add(
        ReceiptDecoy(
            petition_id=petition.id,
            receipt_hash=receipt_hash,
            expires_at=expires_at,
            created_at=now,
        )
    )
    db.session.flush()


# ---------------------------------------------------------------- confirmation


def _LINK_INVALID():
    return _("This confirmation link is not valid. Please use the link from the latest e-mail.")


def _LINK_VOID():
    return _(
        "This confirmation link can no longer be used: another link for the same IIN on this "
        "petition was followed first. If that was not you, report the misuse of your IIN to the "
        "election commission."
    )


def _EXPIRED():
    return _(
        "This signature expired because it was not confirmed in time. You can sign again "
        "while the petition is collecting signatures."
    )


def check_confirmation_link(token: str) -> int:
    """The signature id an e-mailed link speaks for (its own or a claim's); ``Invalid`` for a
    foreign or damaged link.

    Confirms nothing (the link's page asks the signer to press a button).
    """
    link = identity.EmailLinkConfirmation()
    signature_id = link.signature_id(token or "")
    if signature_id is None:
        claim = link.claim_for(token or "")
        signature_id = claim.signature_id if claim is not None else None
    if signature_id is None:
        raise Invalid(_LINK_INVALID(), field="token")
    return signature_id


def petition_of_link(token: str) -> Petition:
    """The petition an e-mailed link's signature is on (for its page to name the deputy);
    ``Invalid`` as :func:`check_confirmation_link`. Confirms nothing."""
    signature = db.session.get(Signature, check_confirmation_link(token))
    return signature.petition


def confirm_signature(token: str, *, now: datetime | None = None) -> Signature:
    """Confirm the signature an e-mailed link speaks for (the ``email_link`` provider).

    The link is the signature's own or a claim's (a later attempt with the same IIN): the first
    link followed wins, and a link that lost says so (``Invalid``). Idempotent for the winner.
    Raises ``Invalid`` for a foreign or stale link, an expired or withdrawn signature, or a
    petition no longer collecting.
    """
    link = identity.EmailLinkConfirmation()
    signature_id = link.signature_id(token or "")
    if signature_id is not None:
        return confirm_identity(signature_id, token, provider=link, now=now)
    claim = link.claim_for(token or "")
    if claim is None:
        raise Invalid(_LINK_INVALID(), field="token")
    return _confirm_claim(claim, now=now or utcnow())


def _check_confirmable(petition: Petition) -> None:
    if petition.state not in (PetitionState.COLLECTING, PetitionState.CLOSED):
        raise Invalid(_("Signatures on this petition can no longer be confirmed."), field="token")


def _void_pending_claims(signature_id: int, now: datetime) -> None:
    """The signature was confirmed: every claim still waiting on it is void."""
    claims.void_pending(claims.PETITION, signature_id, now)


def _count_confirmed(signature: Signature, now: datetime) -> None:
    if counting.is_counted(signature):
        counting.apply_count_change(
            signature.petition_id, +1, counting.signing_day(signature), now=now
        )
    elif counting.counted_but_for_ban(signature):
        # The same statements with a change of 0: a shadow-banned source cannot time the ban.
        counting.apply_count_change(
            signature.petition_id, 0, counting.signing_day(signature), now=now, write=True
        )


def _confirm_claim(claim: SignatureClaim, *, now: datetime) -> Signature:
    """Follow a claim's link: if no other link of this IIN was followed first, the claim's name,
    address and receipt become the signature's, which is confirmed and counted; the replaced
    life is kept as a void claim and every other pending claim is void. Flushes."""
    if now >= claim.expires_at:
        raise Invalid(_EXPIRED(), field="token")
    if claim.state != ClaimState.PENDING:
        raise Invalid(_LINK_VOID(), field="token")
    _check_confirmable(claim.signature.petition)
    life = _lock_life(claim.signature_id, (SignatureStatus.PENDING, SignatureStatus.EXPIRED))
    if life is None or not claims.win(claims.PETITION, claim.id, now):
        raise Invalid(_LINK_VOID(), field="token")
    _keep_replaced_life(life, claim.petition_id, now)
    db.session.execute(
        sa.update(Signature)
        .where(Signature.id == claim.signature_id)
        .values(
            **{**_FRESH_CHECK, "confirmed_at": now},
            full_name=claim.full_name,
            email=claim.email,
            receipt_hash=claim.receipt_hash,
            confirm_nonce=claim.confirm_nonce,
            created_at=claim.created_at,
            expires_at=claim.expires_at,
            status=SignatureStatus.CONFIRMED,
            identity_provider=EMAIL_LINK,
            shadow_ban_id=ban_for(claim.petition_id, _patterns(claim)),
            **_patterns(claim),
        )
        .execution_options(synchronize_session=False)
    )
    _void_pending_claims(claim.signature_id, now)
    signature = db.session.get(Signature, claim.signature_id, populate_existing=True)
    _count_confirmed(signature, now)
    db.session.flush()
    log.info("a claim won signature %r on petition %r", signature.id, signature.petition_id)
    return signature


def confirm_identity(
    signature_id: int,
    proof: str,
    *,
    provider: identity.IdentityConfirmation | None = None,
    now: datetime | None = None,
) -> Signature:
    """Confirm ``signature_id`` if ``provider`` (default: the configured one) accepts ``proof``.

    On the first confirmation the signature becomes confirmed and is counted
    (:func:`recall.services.signing.counting.apply_count_change`), and every pending claim on it
    is void. Flushes.
    """
    now = now or utcnow()
    provider = provider or identity.get_confirmation()
    signature = db.session.scalar(
        sa.select(Signature)
        .options(joinedload(Signature.petition))
        .where(Signature.id == signature_id)
    )
    if signature is None or not provider.complete(signature, proof):
        raise Invalid(_LINK_INVALID(), field="token")
    if signature.status == SignatureStatus.CONFIRMED:
        return signature
    if signature.status == SignatureStatus.WITHDRAWN:
        raise Invalid(_("This signature was withdrawn."), field="token")
    if signature.status == SignatureStatus.EXPIRED or (
        signature.expires_at and now >= signature.expires_at
    ):
        raise Invalid(_EXPIRED(), field="token")
    _check_confirmable(signature.petition)
    nonce = signature.confirm_nonce
    done = db.session.execute(
        sa.update(Signature)
        .where(
            Signature.id == signature.id,
            Signature.status == SignatureStatus.PENDING,
            # A claim's link may have won a moment ago, replacing this life: then this link lost.
            Signature.confirm_nonce == nonce,
        )
        .values(status=SignatureStatus.CONFIRMED, confirmed_at=now, identity_provider=EMAIL_LINK)
        .returning(Signature.duplicate_of_id, Signature.check_status)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if done:
        # The row changed behind the ORM: record the new values without another round trip. The
        # duplicate mark is read back from the row, since a paper signature of the same voter may
        # have taken its place while the signer opened the link.
        set_committed_value(signature, "status", SignatureStatus.CONFIRMED)
        set_committed_value(signature, "confirmed_at", now)
        set_committed_value(signature, "duplicate_of_id", done.duplicate_of_id)
        set_committed_value(signature, "check_status", done.check_status)
        _void_pending_claims(signature.id, now)
        _count_confirmed(signature, now)
    else:
        db.session.refresh(signature)
        if signature.confirm_nonce != nonce:
            raise Invalid(_LINK_VOID(), field="token")
    db.session.flush()
    return signature


def expire_unconfirmed(now: datetime) -> int:
    """Periodic: mark pending online signatures past ``expires_at`` as expired; returns how many.

    Pending signatures were never counted, so counts do not change. A run that expires any
    appends one audit entry (``signing.expired_unconfirmed``, how many per petition). Commits
    nothing.
    """
    petition_ids = db.session.scalars(
        sa.update(Signature)
        .where(Signature.status == SignatureStatus.PENDING, Signature.expires_at <= now)
        .values(status=SignatureStatus.EXPIRED)
        .returning(Signature.petition_id)
        .execution_options(synchronize_session=False)
    ).all()
    expired = len(petition_ids)
    if expired:
        per_petition: dict[str, int] = {}
        for petition_id in sorted(petition_ids):
            per_petition[str(petition_id)] = per_petition.get(str(petition_id), 0) + 1
        append_audit(
            "signing.expired_unconfirmed",
            None,
            "signatures",
            None,
            None,
            {"expired": expired, "by_petition": per_petition, "before": now.isoformat()},
        )
        log.info("%r unconfirmed signatures expired", expired)
    return expired
