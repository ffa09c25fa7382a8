"""Concurrent signers against the real PostgreSQL database, through the full request stack.

Each request runs in its own thread with its own app context, session and connection; a barrier
releases them together so the inserts really race.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.models import ClaimState, Signature, SignatureClaim, SignatureStatus
from recall.models.base import utcnow
from recall.models.counting import COUNT_SHARDS, PetitionCountShard
from recall.services.signing import counting
from recall.services.signing import online as signing
from tests import factories
from tests.signing.conftest import (
    confirm_token,
    events,
    payload,
    sign_url,
    signature_count,
)

WORKERS = 50


@pytest.fixture
def app_config(redis_url, redis_conn):
    """Enough connections for every thread at once, and events handed to Redis (DB 9), not delivered inline.

    After a commit the outbox hook dispatches while the request still holds its connection, so a
    request may briefly use two: the pool must be larger than the number of threads.
    """
    return {
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_size": WORKERS + 6,
            "max_overflow": 0,
            "pool_timeout": 60,
        },
        "REDIS_URL": redis_url,
    }


def _race(app, requests: list) -> list:
    """Run ``requests`` (callables taking a test client) at the same moment; return their responses."""
    barrier = threading.Barrier(len(requests))

    def run(call):
        client = app.test_client()
        barrier.wait(timeout=30)
        return call(client)

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(run, requests))


def _post(url: str, body: dict):
    return lambda client: client.post(url, json=body)


def test_fifty_concurrent_requests_with_one_iin_give_one_signature(app, collecting_petition):
    petition = collecting_petition()
    iin = factories.iin()
    url = sign_url(petition)
    bodies = [payload(petition, iin=iin, email=f"voter{i}@example.org") for i in range(WORKERS)]
    responses = _race(app, [_post(url, body) for body in bodies])
    assert [r.status_code for r in responses] == [202] * WORKERS
    assert len({r.json["receipt"] for r in responses}) == WORKERS
    assert signature_count() == 1
    # Every attempt but the stored one is a claim with its own link; nobody else is told.
    requested = events("signature.confirmation_requested")
    assert sorted(e.subject_type for e in requested) == ["signature"] + ["signature_claim"] * (
        WORKERS - 1
    )
    assert events("signature.already_signed") == []
    # The links race: the first one followed wins, every other is void; one signature counted.
    tokens = [confirm_token(e) for e in requested]
    confirmations = _race(
        app,
        [
            lambda client, t=t: client.post(
                f"/signatures/confirm/{t}", headers={"Accept": "application/json"}
            )
            for t in tokens
        ],
    )
    assert sorted(r.status_code for r in confirmations) == [200] + [422] * (WORKERS - 1)
    [winner] = [tokens[i] for i, r in enumerate(confirmations) if r.status_code == 200]
    db.session.expire_all()
    signature = db.session.scalar(sa.select(Signature))
    assert signature.status == SignatureStatus.CONFIRMED
    assert counting.confirmed_count(petition) == 1
    states = list(db.session.scalars(sa.select(SignatureClaim.state)))
    assert states.count(ClaimState.PENDING) == 0 and states.count(ClaimState.WON) <= 1
    # The winner's link, and only it, still opens the signature it confirmed.
    assert signing.check_confirmation_link(winner) == signature.id
    assert signing.confirm_signature(winner).email == signature.email


def test_fifty_concurrent_signers_and_confirmations_count_fifty(app, collecting_petition):
    petition = collecting_petition(  # milestones announced while signing; signed online
        required=200, rule="california_local", rule_changes={"signing_channels": ["online_email"]}
    )
    url = sign_url(petition)
    bodies = [
        payload(petition, iin=factories.iin(), email=f"voter{i}@example.org")
        for i in range(WORKERS)
    ]
    responses = _race(app, [_post(url, body) for body in bodies])
    assert [r.status_code for r in responses] == [202] * WORKERS
    assert signature_count() == WORKERS
    tokens = [confirm_token(e) for e in events("signature.confirmation_requested")]
    assert len(tokens) == WORKERS
    confirmations = _race(
        app, [lambda client, t=t: client.post(f"/signatures/confirm/{t}") for t in tokens]
    )
    assert [r.status_code for r in confirmations] == [200] * WORKERS
    assert set(db.session.scalars(sa.select(Signature.status))) == {SignatureStatus.CONFIRMED}
    assert counting.confirmed_count(petition) == WORKERS
    assert sum(n for _, n in counting.counts_per_day(petition)) == WORKERS
    shards = db.session.scalar(sa.select(sa.func.count()).select_from(PetitionCountShard))
    assert 1 < shards <= COUNT_SHARDS
    # The 25% milestone (50 of 200): simultaneous commits may each miss the crossing, never announce
    # it twice; the periodic sync catches up, and it is then announced exactly once.
    assert len(events("petition.milestone")) <= 1
    counting.sync_counts(utcnow())
    counting.sync_counts(utcnow())
    assert [e.payload for e in events("petition.milestone")] == [{"percent": 25}]
    assert counting.recount(petition.id) == WORKERS
