"""Voters watching over their own IIN (issue 18).

A voter who proves their identity with a digital signature (the ``online_strong`` certificate
check, docs/signing.md) can ask to be told whenever their IIN appears on any petition, online or
on paper: each time, ``iin_watch.appeared`` mails them the petition and a one-click link that
files a misuse report for it (the link's page has a button: mail scanners open every link).

The watch keeps the IIN's keyed hash and the address, nothing else. Signing looks watches up for
every signer (one indexed query), so a watch changes nothing a signer can see or time.

Starting a watch mails ``iin_watch.started`` to the address, and every ``iin_watch.appeared``
carries the same one-click stop link (``/iin-watch/stop/<token>``): a token over the watch and a
fingerprint of its address, so a link sent to an address the watch no longer uses stops nothing.
Both links are for one person and are stored sealed (``recall.services.sealing``).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from recall.errors import Invalid
from recall.extensions import db
from recall.models.base import utcnow
from recall.models.fraud import IinWatch
from recall.models.petition import Petition
from recall.models.verification import MisuseReport
from recall.rules.iin import InvalidIIN, parse_iin
from recall.services.accounts.users import normalise_email
from recall.services.iin_hash import hash_iin
from recall.services.outbox import record_event
from recall.services.signing import certificates

# Challenges name a petition; a watch's names none. Petition ids start at 1, so a challenge for
# "petition 0" can sign no petition, and a petition's challenge cannot start a watch.
WATCH_CHALLENGE = 0
EVENT = "iin_watch.appeared"
STARTED = "iin_watch.started"
_SALT = "recall.iin-watch.report"
_STOP_SALT = "recall.iin-watch.stop"


def issue_watch_challenge(now: datetime | None = None) -> certificates.Challenge:
    """A challenge to sign with the voter's certificate to start a watch. Writes nothing."""
    return certificates.new_challenge(WATCH_CHALLENGE, now or utcnow())


def watch_challenge_for_page(
    posted: str | None, now: datetime | None = None
) -> certificates.Challenge:
    """The challenge the watch page shows: ``posted`` while it is still good, else a new one."""
    now = now or utcnow()
    if posted:
        try:
            return certificates.check_challenge(posted, WATCH_CHALLENGE, now)
        except Invalid:
            pass  # expired or not ours: a new one
    return issue_watch_challenge(now)


def watch_iin(
    *,
    iin: str | None,
    email: str | None,
    challenge: str | None,
    signature: str | None,
    certificate: str | None,
    now: datetime | None = None,
) -> IinWatch:
    """Start (or renew, with a new address) the watch of an IIN proven by a digital signature
    over a watch challenge. ``Invalid`` naming the field, nothing written, for a bad IIN or
    address or any failed certificate check. Flushes."""
    now = now or utcnow()
    try:
        info = parse_iin(iin or "")
    except InvalidIIN as exc:
        raise Invalid(_(exc.message), field="iin") from None
    email = normalise_email(email or "")
    certificates.verify_signed_challenge(
        petition_id=WATCH_CHALLENGE,
        iin=info.iin,
        challenge=challenge,
        signature=signature,
        certificate=certificate,
        now=now,
    )
    iin_hash = hash_iin(info.iin)
    watch = db.session.scalar(sa.select(IinWatch).where(IinWatch.iin_hash == iin_hash))
    if watch is None:
        watch = IinWatch(iin_hash=iin_hash, email=email, created_at=now)
        db.session.add(watch)
    else:
        watch.email, watch.stopped_at = email, None
    db.session.flush()
    record_event(STARTED, "iin_watch", watch.id, {"stop_url": stop_url(watch)})
    return watch


def _address_fingerprint(email: str) -> str:
    return hashlib.sha256(email.encode("utf-8")).hexdigest()[:16]


def stop_url(watch: IinWatch) -> str:
    """The one-click link that stops ``watch`` (good while the watch keeps its address)."""
    token = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_STOP_SALT).dumps(
        [watch.id, _address_fingerprint(watch.email)]
    )
    return f"{current_app.config['PUBLIC_BASE_URL']}/iin-watch/stop/{token}"


def watch_to_stop(token: str) -> IinWatch:
    """The watch a stop link names; ``Invalid`` for a foreign link or one sent to an old address."""
    try:
        watch_id, fingerprint = URLSafeSerializer(
            current_app.config["SECRET_KEY"], salt=_STOP_SALT
        ).loads(token or "")
    except (BadSignature, ValueError, TypeError):
        raise Invalid(_("This link is not valid."), field="token") from None
    watch = db.session.get(IinWatch, watch_id) if isinstance(watch_id, int) else None
    if watch is None or _address_fingerprint(watch.email) != fingerprint:
        raise Invalid(_("This link is not valid."), field="token")
    return watch


def stop_watch(token: str, now: datetime | None = None) -> IinWatch:
    """Stop the watch a stop link names (idempotent). Flushes."""
    watch = watch_to_stop(token)
    if watch.stopped_at is None:
        watch.stopped_at = now or utcnow()
        db.session.flush()
    return watch


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def notify_watchers(petition_id: int, iin_hashes: list[str], channel: str) -> int:
    """Record ``iin_watch.appeared`` for every active watch among ``iin_hashes`` (one query;
    call it for every signature stored, watched or not). Returns how many were told."""
    if not iin_hashes:
        return 0
    watches = db.session.execute(
        sa.select(IinWatch.id).where(
            IinWatch.iin_hash.in_(sorted(set(iin_hashes))), IinWatch.stopped_at.is_(None)
        )
    ).all()
    for (watch_id,) in watches:
        record_appearance(watch_id, petition_id, channel)
    return len(watches)


def record_appearance(watch_id: int, petition_id: int, channel: str) -> None:
    """Record ``iin_watch.appeared`` for one watch, with its one-click report link."""
    token = _serializer().dumps([watch_id, petition_id])
    base = current_app.config["PUBLIC_BASE_URL"]
    record_event(
        EVENT,
        "iin_watch",
        watch_id,
        {
            "petition_id": petition_id,
            "channel": channel,
            "report_url": f"{base}/iin-watch/report/{token}",
            "stop_url": stop_url(db.session.get(IinWatch, watch_id)),
        },
    )


def watch_report_target(token: str) -> tuple[IinWatch, Petition]:
    """The watch and petition a one-click link names; ``Invalid`` for a foreign link."""
    try:
        watch_id, petition_id = _serializer().loads(token or "")
    except (BadSignature, ValueError, TypeError):
        raise Invalid(_("This link is not valid."), field="token") from None
    watch = db.session.get(IinWatch, watch_id)
    petition = db.session.get(Petition, petition_id)
    if watch is None or petition is None:
        raise Invalid(_("This link is not valid."), field="token")
    return watch, petition


def report_from_watch(token: str) -> MisuseReport:
    """File the misuse report a watched voter's one-click link stands for (reply to the watch's
    address), as :func:`recall.services.verification.review.report_misuse` does. Flushes."""
    from recall.services.verification.review import file_misuse_report

    watch, petition = watch_report_target(token)
    return file_misuse_report(
        petition,
        watch.iin_hash,
        watch.email,
        _("Reported from the IIN watch: I did not sign this petition."),
    )
