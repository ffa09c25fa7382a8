"""The bytes of rendered e-mails, against copies kept in ``tests/notifications/golden/``.

Rendering is a surge's hot path and gets optimised (a batch loads its petitions at once, the
templates' ``_()`` is bound to one catalogue); none of that may change a byte of what a reader
gets. The messages cover kk, ru and en, a translation and a name that HTML must escape (or not),
a mail without a petition, the generic template and a follower's one-click unsubscribe headers.

Only the ``Date:`` header and the MIME boundary (random) are left out of the comparison. After a deliberate change of a template
or of the message format, rewrite the copies with ``RECALL_WRITE_GOLDEN_MAILS=1`` and review the
diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from recall.extensions import db
from recall.models.notifications import Delivery, Follow, FollowTarget
from recall.models.outbox import Event
from recall.notifications.fanout import fan_out_many
from recall.notifications.mail import render_email
from recall.notifications.recipients import load_subject
from recall.notifications.rules import ensure_default_rules
from recall.services.outbox import record_event
from tests.notifications.conftest import write_catalogs

GOLDEN = Path(__file__).parent / "golden"
CATALOG = {
    "kk": {
        "Confirm your signature on the recall of %(name)s": "%(name)s: қолыңызды растаңыз",
        "Hello,": "Сәлеметсіз бе,",
        "Confirm my signature": "Қолымды <растау> & жіберу",
        "Your signature was withdrawn": "Қолыңыз <қайтарылды> & O'Neil",
    },
    "ru": {
        "Confirm your signature on the recall of %(name)s": "Подтвердите подпись: %(name)s",
        "Hello,": "Здравствуйте,",
        "Confirm my signature": "Подтвердить «подпись» & <отправить>",
        "Confirm your signature": "Подтвердите 'подпись' & <сейчас>",
    },
}


@pytest.fixture
def app_config(tmp_path):
    return {
        "BABEL_TRANSLATION_DIRECTORIES": write_catalogs(tmp_path / "translations", CATALOG),
        "PUBLIC_BASE_URL": "http://recall.test",
        "MAIL_DEFAULT_SENDER": "recall <noreply@recall.test>",
    }


@pytest.fixture(autouse=True)
def _fresh_translations_cache(app):
    """Flask-Babel caches catalogs per process, not per app: start and leave with an empty cache."""
    from recall.extensions import babel

    babel.domain_instance.cache.clear()
    yield
    babel.domain_instance.cache.clear()


def _scenario(make) -> list[Delivery]:
    """Events of several kinds and languages, fanned out; their e-mail deliveries by id."""
    ensure_default_rules()
    district = make.district(name="Alatau", names={"kk": "Алатау", "ru": "Алатауский"})
    deputy = make.deputy(
        district,
        full_name="Aigerim O'Neil & <Co>",
        names={"kk": "Әйгерім О'Нил", "ru": "Айгерим О'Нил & Ко"},
    )
    # Names fixed here: the factories number theirs from a counter shared by the whole run.
    petition = make.petition(deputy, initiator=make.user(email="initiator@example.org"))
    for locale in ("kk", "ru", "en"):
        make.user(email=f"{locale}@example.org", locale=locale)
        signature = make.signature(petition, email=f"{locale}@example.org")
        payload = {
            "petition_id": petition.id,
            "confirm_url": f"http://recall.test/c/{locale}?t=a&b=1",
            "receipt": f"R-{locale}",
        }
        record_event("signature.confirmation_requested", "signature", signature.id, payload)
    # No account: the event's language; no petition named: the other wording.
    signature = make.signature(petition, email="nobody@example.org")
    record_event("signature.confirmation_requested", "signature", signature.id, {"locale": "ru"})
    record_event(
        "signature.withdrawn", "signature", make.signature(petition, email="kk@example.org").id, {}
    )
    follower = make.user(email="follower@example.org", locale="ru")
    db.session.add(
        Follow(user_id=follower.id, target_type=FollowTarget.PETITION, target_id=petition.id)
    )
    record_event("petition.rejected", "petition", petition.id, {"reason": "incomplete & late"})
    db.session.flush()
    events = list(db.session.scalars(db.select(Event).order_by(Event.id)))
    fan_out_many(events)
    db.session.commit()
    return list(
        db.session.scalars(
            db.select(Delivery).where(Delivery.channel == "email").order_by(Delivery.id)
        )
    )


def _bytes(message) -> bytes:
    data = re.sub(rb"(?m)^Date: .*\n", b"", message.as_bytes())
    return re.sub(rb"={15}\d+==", b"BOUNDARY", data)  # drawn at random for each message


def _render(delivery: Delivery, petitions: dict | None) -> bytes:
    event = delivery.event
    return _bytes(
        render_email(delivery, event, load_subject(event.subject_type, event.subject_id), petitions)
    )


def test_rendered_mails_are_byte_for_byte_the_kept_copies(app, make):
    deliveries = _scenario(make)
    assert len(deliveries) == 7
    shared: dict = {}  # one batch's petitions, as the drain shares them
    rendered = {
        f"{d.id:02}-{d.event.kind}-{d.recipient}.eml": _render(d, shared) for d in deliveries
    }
    if os.environ.get("RECALL_WRITE_GOLDEN_MAILS") == "1":
        GOLDEN.mkdir(exist_ok=True)
        for old in GOLDEN.glob("*.eml"):
            old.unlink()
        for name, data in rendered.items():
            (GOLDEN / name).write_bytes(data)
    assert sorted(rendered) == sorted(p.name for p in GOLDEN.glob("*.eml"))
    for name, data in rendered.items():
        assert data == (GOLDEN / name).read_bytes(), name
    # Rendered alone (no batch), each message is the same too.
    for delivery in deliveries:
        name = f"{delivery.id:02}-{delivery.event.kind}-{delivery.recipient}.eml"
        assert _render(delivery, None) == rendered[name], name
    # The follower's mail has the one-click unsubscribe headers, the signers' have none.
    follower = next(name for name in rendered if "follower@" in name)
    assert b"\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\n" in rendered[follower]
    assert all(
        b"List-Unsubscribe" not in data for name, data in rendered.items() if name != follower
    )
