"""After the purge, the joins that undid it find nothing (issue 19): signatures against the voter
roll on the IIN hash or the last four digits, events holding receipt codes and confirmation links,
deliveries holding signers' addresses, the messages written to the mail folder. Counts, verdicts and duplicate links stay."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.models import Event, InitiativeMember, MisuseReport, Petition, Signature
from recall.models.base import utcnow
from recall.models.notifications import Delivery
from recall.models.verification import VoterRollEntry
from recall.notifications.mail import mail_file
from recall.notifications.rules import ensure_default_rules
from recall.services import audit
from recall.services.outbox import record_event
from recall.services.signing import counting
from recall.services.verification import certification, checks, privacy
from tests import factories


@pytest.fixture
def final(world, tmp_path, app):
    """A recalled petition: four voters sign (one twice), e-mails sent, a misuse report filed."""
    ensure_default_rules()
    people = [(factories.iin(date(1970 + i, 1, 1)), f"Voter {i}") for i in range(4)]
    factories.load_roll(
        world.body, tmp_path / "roll.csv", [(iin, name, 1, "Street 5") for iin, name in people]
    )
    signatures = [
        factories.signature(world.petition, iin, name, email=f"voter{i}@example.org")
        for i, (iin, name) in enumerate(people)
    ]
    factories.signature(
        world.petition,
        people[0][0],
        people[0][1],
        email="voter0@example.org",
        duplicate_of=signatures[0],
    )
    world.codes = []
    for i, signature in enumerate(signatures):
        code = f"RCPT-{i:04d}-CODE"
        world.codes.append(code)
        record_event(
            "signature.confirmation_requested",
            "signature",
            signature.id,
            {
                "petition_id": world.petition.id,
                "receipt": code,
                "confirm_url": f"http://recall.test/signatures/confirm/secret-token-{i}",
            },
        )
    db.session.add(
        MisuseReport(
            petition_id=world.petition.id,
            iin_hash=signatures[1].iin_hash,
            email="reporter@example.org",
            message="I never signed",
        )
    )
    # An initiative group member who gave their IIN (issue 10), a voter on the roll.
    db.session.add(
        InitiativeMember(
            petition_id=world.petition.id,
            user=factories.user(),
            iin_hash=signatures[2].iin_hash,
            birth_date=date(1972, 1, 1),
        )
    )
    db.session.commit()  # the confirmation mails go out (inline) and leave deliveries behind
    counting.recount(world.petition.id)
    checks.run_checks(world.commissioner, world.petition.id)
    db.session.commit()
    proposal = certification.propose_certification(world.commissioner, world.petition.id)
    db.session.commit()
    certification.confirm_certification(world.commissioner2, proposal.id)
    certification.record_vote(
        world.commissioner, world.petition.id, registered=10, turnout=6, yes=5, no=1
    )
    db.session.commit()
    return world


def _verdicts(petition_id):
    return sorted(
        db.session.execute(
            sa.select(
                Signature.id,
                Signature.check_status,
                Signature.reason_code,
                Signature.duplicate_of_id,
            ).where(Signature.petition_id == petition_id)
        ).all()
    )


def test_the_joins_find_nothing_after_the_purge(final, app):
    w = final
    pid = w.petition.id
    mailed = db.session.scalars(sa.select(Delivery.recipient)).all()
    assert "voter1@example.org" in mailed  # the copies the purge must reach
    # 0. Even before the purge, no event holds a code or a link in plain text: they are sealed.
    payloads = json.dumps(db.session.scalars(sa.select(Event.payload)).all())
    assert not any(code in payloads for code in w.codes) and "secret-token" not in payloads
    # The messages written to MAIL_FOLDER (no MAIL_SERVER) are copies with address and code.
    files = [mail_file(d) for d in db.session.scalars(sa.select(Delivery.id))]
    written = " ".join(f.read_text() for f in files if f.exists())
    existed = sum(f.exists() for f in files)
    assert "voter1@example.org" in written and w.codes[1] in written
    before = (_verdicts(pid), db.session.get(Petition, pid).confirmed_count)
    joined = sa.select(sa.func.count()).select_from(Signature)
    on_hash = joined.join(VoterRollEntry, VoterRollEntry.iin_hash == Signature.iin_hash)
    assert db.session.scalar(on_hash) == 5
    members = sa.select(sa.func.count()).select_from(InitiativeMember)
    members = members.join(VoterRollEntry, VoterRollEntry.iin_hash == InitiativeMember.iin_hash)
    assert db.session.scalar(members) == 1

    days = app.config["PRIVACY_PURGE_DAYS"]
    privacy.purge_personal_data(None, utcnow() + timedelta(days=days + 1))
    db.session.commit()

    # 1. The roll joined on the IIN hash gives nobody back.
    assert db.session.scalar(on_hash) == 0
    assert db.session.scalar(members) == 0
    reports = sa.select(sa.func.count()).select_from(MisuseReport)
    assert (
        db.session.scalar(
            reports.join(VoterRollEntry, VoterRollEntry.iin_hash == MisuseReport.iin_hash)
        )
        == 0
    )
    # 2. No event holds a receipt code or a confirmation link any more.
    payloads = json.dumps(db.session.scalars(sa.select(Event.payload)).all())
    for code in w.codes:
        assert code not in payloads
    assert "secret-token" not in payloads and "example.org" not in payloads
    # 3. No delivery names a signer or the reporter.
    for recipient, _user_id, error in db.session.execute(
        sa.select(Delivery.recipient, Delivery.user_id, Delivery.last_error)
    ):
        assert "voter" not in recipient and "reporter" not in recipient, recipient
        assert error is None or "example.org" not in error
    # 3b. The mail files of the signers' deliveries are gone; other mail stays.
    left = " ".join(f.read_text() for f in files if f.exists())
    assert "voter" not in left and not any(code in left for code in w.codes)
    assert sum(f.exists() for f in files) < existed
    # 4. What the result rests on is intact: verdicts, duplicate links, the count, the chain.
    assert (_verdicts(pid), db.session.get(Petition, pid).confirmed_count) == before
    first, repeat = db.session.scalars(
        sa.select(Signature).where(Signature.petition_id == pid).order_by(Signature.id)
    ).all()[0::4]
    assert repeat.duplicate_of_id == first.id and repeat.iin_hash == first.iin_hash
    assert audit.verify_chain().problem == ""
