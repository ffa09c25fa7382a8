"""Recipient resolvers: from an event and its subject row to concrete addresses.

Each ``Recipient`` type a rule can name has one resolver here. Addresses come from rows, never
from the payload (a payload names at most a user id). Subjects are loaded by ``subject_type``
through a small registry of models; an unknown subject type resolves to nobody.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from recall.extensions import db
from recall.models.appeal import Appeal, AppealSignature, BodyAppealSettings
from recall.models.body import Body
from recall.models.deputy import Deputy
from recall.models.fraud import IinWatch
from recall.models.notifications import (
    Channel,
    Follow,
    FollowChannel,
    FollowTarget,
    Recipient,
    WebhookEndpoint,
)
from recall.models.outbox import Event
from recall.models.petition import InitiativeMember, Petition
from recall.models.promise import Promise
from recall.models.signature import Signature, SignatureClaim
from recall.models.user import User
from recall.models.verification import MisuseReport
from recall.rules.numbers import int_or_none

logger = logging.getLogger(__name__)

# subject_type -> model. An unknown subject type resolves to None.
SUBJECT_MODELS: dict[str, type] = {
    "signature": Signature,
    "signature_claim": SignatureClaim,
    "petition": Petition,
    "deputy": Deputy,
    "promise": Promise,
    "misuse_report": MisuseReport,
    "appeal": Appeal,
    "appeal_signature": AppealSignature,
    "iin_watch": IinWatch,
    "body": Body,
}


@dataclass(frozen=True)
class Target:
    """One resolved recipient: the channel, the address (or ``webhook:<id>``) and context."""

    channel: Channel
    address: str
    kind: Recipient
    user_id: int | None = None
    endpoint_id: int | None = None
    follow_id: int | None = None
    locale: str | None = None


@dataclass
class Known:
    """Rows a batch of events shares, each loaded once instead of once per event or message.

    ``petitions``: petition id -> row (deputy and district joined), filled as they are asked for
    or all at once by ``load_petitions``; ``account_locales``: e-mail -> the language of the
    account with that address (None: no account), filled by ``load_account_locales``.
    """

    petitions: dict[int, Petition | None] = field(default_factory=dict)
    account_locales: dict[str, str | None] = field(default_factory=dict)


def subject_model(subject_type: str) -> type | None:
    """The model class for ``subject_type``, or None for a subject type nobody registered."""
    return SUBJECT_MODELS.get(subject_type)


def load_subject(subject_type: str, subject_id: int) -> Any | None:
    """The subject row of an event, or None when its model or row is missing."""
    model = subject_model(subject_type)
    return db.session.get(model, subject_id) if model is not None else None


def _petition_id(event: Event, subject: Any) -> int | None:
    petition_id = getattr(subject, "petition_id", None) or (event.payload or {}).get("petition_id")
    return int(petition_id) if petition_id else None


def petition_of(
    event: Event, subject: Any, known: dict[int, Petition | None] | None = None
) -> Petition | None:
    """The petition ``event`` is about; ``known`` (petition id -> row), when given, is asked first
    and filled, so that a batch of mails about one petition loads it once."""
    if isinstance(subject, Petition):
        return subject
    petition_id = _petition_id(event, subject)
    if petition_id is None:
        return None
    if known is None:
        return db.session.get(Petition, petition_id)
    if petition_id not in known:
        known[petition_id] = db.session.get(
            Petition,
            petition_id,
            options=[joinedload(Petition.deputy), joinedload(Petition.district)],
        )
    return known[petition_id]


def load_petitions(pairs: Iterable[tuple[Event, Any]], known: dict[int, Petition | None]) -> None:
    """Fill ``known`` with the petitions the ``(event, subject)`` pairs name, in one query.

    A surge's batch names a few petitions over and over; one query per petition and batch was
    a tenth of a worker's CPU in a profile.
    """
    wanted = (
        {
            _petition_id(event, subject)
            for event, subject in pairs
            if not isinstance(subject, Petition)
        }
        - set(known)
        - {None}
    )
    if not wanted:
        return
    rows = db.session.scalars(
        sa.select(Petition)
        .where(Petition.id.in_(wanted))
        .options(joinedload(Petition.deputy), joinedload(Petition.district))
    )
    known.update({row.id: row for row in rows})
    known.update({i: None for i in wanted if i not in known})


def deputy_of(event: Event, subject: Any, known: Known | None = None) -> Deputy | None:
    if isinstance(subject, Deputy):
        return subject
    petition = petition_of(event, subject, known.petitions if known else None)
    if petition is not None:
        return petition.deputy
    deputy_id = getattr(subject, "deputy_id", None) or (event.payload or {}).get("deputy_id")
    return db.session.get(Deputy, int(deputy_id)) if deputy_id else None


def _user_target(user: User | None, kind: Recipient) -> Iterator[Target]:
    if user is not None and user.email:
        yield Target(Channel.EMAIL, user.email.lower(), kind, user_id=user.id, locale=user.locale)


def _signer_email(subject: Any) -> str | None:
    if isinstance(subject, Signature | SignatureClaim | AppealSignature) and subject.email:
        return subject.email.strip().lower()
    return None


def load_account_locales(subjects: Iterable[Any], known: Known) -> None:
    """Fill ``known.account_locales`` for the signers among ``subjects``, in one query
    (one per signer was a fifth of a surge's fan-out CPU in a profile)."""
    emails = {_signer_email(subject) for subject in subjects} - set(known.account_locales)
    emails.discard(None)
    if not emails:
        return
    found = dict(
        db.session.execute(sa.select(User.email, User.locale).where(User.email.in_(emails))).all()
    )
    known.account_locales.update({email: found.get(email) for email in emails})


def _account_locale(email: str, known: Known | None) -> str | None:
    if known is not None and email in known.account_locales:
        return known.account_locales[email]
    return db.session.scalar(sa.select(User.locale).where(User.email == email))


def _signer(event: Event, subject: Any, known: Known | None) -> Iterator[Target]:
    email = _signer_email(subject)
    if email:
        # A signer need not have an account; if they do, write in their language, else in the
        # language of the page they signed on (the event's).
        locale = _account_locale(email, known)
        yield Target(
            Channel.EMAIL,
            email,
            Recipient.SIGNER,
            locale=locale or event.locale or (event.payload or {}).get("locale"),
        )


def _petition_initiators(event: Event, subject: Any, known: Known | None) -> Iterator[Target]:
    petition = petition_of(event, subject, known.petitions if known else None)
    if petition is None:
        return
    yield from _user_target(petition.initiator, Recipient.PETITION_INITIATORS)
    members = db.session.scalars(
        sa.select(User)
        .join(InitiativeMember, InitiativeMember.user_id == User.id)
        .where(
            InitiativeMember.petition_id == petition.id, InitiativeMember.confirmed_at.is_not(None)
        )
        .order_by(User.id)
    )
    for user in members:
        yield from _user_target(user, Recipient.PETITION_INITIATORS)


def _deputy(event: Event, subject: Any, known: Known | None) -> Iterator[Target]:
    if isinstance(subject, Appeal):
        # Whoever must answer an appeal hears about it the same way, whether it is addressed to
        # one deputy or to a whole body (its chair): at the contact address and at the deputy
        # account that publishes the answer (issue 15). No chair named: nobody.
        answering = subject.deputy or _body_chair(subject.body_id)
        if answering is not None:
            yield from _answering_deputy_targets(answering)
        return
    # A recall petition's deputy hears the same way: the deputy account files the answer to the
    # grounds (issue 10), so it must hear that there is a petition to answer.
    deputy = deputy_of(event, subject, known)
    if deputy is not None:
        yield from _answering_deputy_targets(deputy)


def _body_chair(body_id: int | None) -> Deputy | None:
    """The chair an administrator named for a body: it answers the appeals to the whole body."""
    chair_id = db.session.scalar(
        sa.select(BodyAppealSettings.chair_deputy_id).where(BodyAppealSettings.body_id == body_id)
    )
    return db.session.get(Deputy, chair_id) if chair_id else None


def _answering_deputy_targets(deputy: Deputy) -> Iterator[Target]:
    """The deputy's contact address, then the deputy account linked to the deputy (in the
    account holder's language) unless it has the same address."""
    contact = (deputy.contact_email or "").strip().lower()
    if contact:
        yield Target(Channel.EMAIL, contact, Recipient.DEPUTY)
    account = db.session.scalar(sa.select(User).where(User.deputy_id == deputy.id))
    yield from (t for t in _user_target(account, Recipient.DEPUTY) if t.address != contact)


def _body_commission(event: Event, subject: Any, known: Known | None) -> Iterator[Target]:
    petition = petition_of(event, subject, known.petitions if known else None)
    body_id = (
        petition.body_id
        if petition is not None
        else getattr(deputy_of(event, subject, known), "body_id", None)
    )
    if body_id is None:
        return
    for user in db.session.scalars(
        sa.select(User).where(User.commission_body_id == body_id).order_by(User.id)
    ):
        yield from _user_target(user, Recipient.BODY_COMMISSION)


def _followers(
    target_type: FollowTarget, target_id: int | None, kind: Recipient
) -> Iterator[Target]:
    if target_id is None:
        return
    rows = db.session.execute(
        sa.select(Follow.id, User.id, User.email, User.locale)
        .join(User, User.id == Follow.user_id)
        .where(
            Follow.target_type == target_type,
            Follow.target_id == target_id,
            Follow.channel == FollowChannel.EMAIL,
        )
        .order_by(Follow.id)
    )
    for follow_id, user_id, email, locale in rows:
        yield Target(
            Channel.EMAIL, email.lower(), kind, user_id=user_id, follow_id=follow_id, locale=locale
        )


def _deputy_followers(event: Event, subject: Any, known: Known | None) -> Iterator[Target]:
    deputy = deputy_of(event, subject, known)
    yield from _followers(
        FollowTarget.DEPUTY, deputy.id if deputy else None, Recipient.DEPUTY_FOLLOWERS
    )


def _petition_followers(event: Event, subject: Any, known: Known | None) -> Iterator[Target]:
    petition = petition_of(event, subject, known.petitions if known else None)
    yield from _followers(
        FollowTarget.PETITION, petition.id if petition else None, Recipient.PETITION_FOLLOWERS
    )


def _appeal_followers(event: Event, subject: Any, known: Known | None) -> Iterator[Target]:
    appeal_id = (
        subject.id if isinstance(subject, Appeal) else (event.payload or {}).get("appeal_id")
    )
    yield from _followers(FollowTarget.APPEAL, appeal_id, Recipient.APPEAL_FOLLOWERS)


def _body_followers(event: Event, subject: Any, known: Known | None) -> Iterator[Target]:
    body_id = subject.id if isinstance(subject, Body) else (event.payload or {}).get("body_id")
    yield from _followers(FollowTarget.BODY, int_or_none(body_id), Recipient.BODY_FOLLOWERS)


def _organization_webhooks(event: Event, subject: Any, known: Known | None) -> Iterator[Target]:
    endpoints = db.session.scalars(
        sa.select(WebhookEndpoint)
        .where(WebhookEndpoint.active.is_(True))
        .order_by(WebhookEndpoint.id)
    )
    for endpoint in endpoints:
        yield Target(
            Channel.WEBHOOK,
            f"webhook:{endpoint.id}",
            Recipient.ORGANIZATION_WEBHOOKS,
            endpoint_id=endpoint.id,
        )


def _payload_user(event: Event, subject: Any, known: Known | None) -> Iterator[Target]:
    user_id = int_or_none((event.payload or {}).get("user_id"))
    if user_id is not None:
        yield from _user_target(db.session.get(User, user_id), Recipient.PAYLOAD_USER)


def _misuse_reporter(event: Event, subject: Any, known: Known | None) -> Iterator[Target]:
    email = getattr(subject, "email", None) or getattr(subject, "reporter_email", None)
    if email:
        yield Target(
            Channel.EMAIL,
            email.strip().lower(),
            Recipient.MISUSE_REPORTER,
            locale=getattr(subject, "locale", None) or event.locale,
        )


RESOLVERS: dict[Recipient, Callable[[Event, Any, Known | None], Iterable[Target]]] = {
    Recipient.SIGNER: _signer,
    Recipient.PETITION_INITIATORS: _petition_initiators,
    Recipient.DEPUTY: _deputy,
    Recipient.BODY_COMMISSION: _body_commission,
    Recipient.DEPUTY_FOLLOWERS: _deputy_followers,
    Recipient.PETITION_FOLLOWERS: _petition_followers,
    Recipient.ORGANIZATION_WEBHOOKS: _organization_webhooks,
    Recipient.PAYLOAD_USER: _payload_user,
    Recipient.MISUSE_REPORTER: _misuse_reporter,
    Recipient.APPEAL_FOLLOWERS: _appeal_followers,
    Recipient.BODY_FOLLOWERS: _body_followers,
}


def resolve(
    recipient: Recipient, channel: Channel, event: Event, subject: Any, known: Known | None = None
) -> list[Target]:
    """Addresses of one rule's recipients, on the rule's channel (others are ignored).

    ``known`` holds rows shared by a batch of events (``Known``), asked before the database."""
    resolver = RESOLVERS[Recipient(recipient)]
    return [t for t in resolver(event, subject, known) if t.channel == channel]
