"""``sign_petition(own_transaction=True)`` (the signing API): a first signature is stored by its
one statement as a transaction of its own, with its event, and the event handed over at once;
inside a transaction the caller began, signing writes in that transaction as always."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.models.outbox import Event
from recall.services.signing import online as signing
from tests.signing.conftest import payload, signature_count

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

DRAIN_FLAG = "recall:outbox:drain-queued:recall-test"


@pytest.fixture
def app_config(redis_url):
    return {"REDIS_URL": redis_url}


def _events() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Event))


def test_a_first_signature_commits_alone_and_its_event_is_handed_over(
    app, collecting_petition, redis_conn
):
    petition = collecting_petition()
    first, second = (
        {"petition_id": petition.id, **payload(petition, email=f"s{n}@mail.kz")} for n in (1, 2)
    )
    # The first reads the petition's signing window (the session begins a transaction), which
    # the process then remembers: the second begins none.
    signing.sign_petition(**first, own_transaction=True)
    db.session.commit()
    redis_conn.delete(DRAIN_FLAG)
    db.session.close()
    result = signing.sign_petition(**second, own_transaction=True)
    assert not db.session().in_transaction()  # it was a transaction of its own
    db.session.rollback()
    assert result.receipt and signature_count() == 2 and _events() == 2
    assert redis_conn.get(DRAIN_FLAG) is not None  # the drain was requested after its commit


def test_in_a_transaction_already_begun_it_writes_in_that_transaction(
    app, collecting_petition, redis_conn
):
    petition = collecting_petition()
    assert signature_count() == 0  # a read: the session's transaction has begun
    signing.sign_petition(petition_id=petition.id, **payload(petition), own_transaction=True)
    assert signature_count() == 1
    db.session.rollback()
    assert signature_count() == 0 and _events() == 0
    assert redis_conn.get(DRAIN_FLAG) is None  # nothing committed, nothing handed over
