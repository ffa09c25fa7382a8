"""Shadow bans (issue 18): a banned source gets the same answers, pages, receipts, mails and SQL
work as everyone, and its signatures never count; the commission lists and lifts bans."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlalchemy import event as sa_event

from recall.errors import Conflict, Forbidden, Invalid
from recall.extensions import db
from recall.models import AuditEntry, Event, Signature, SourceBan
from recall.models.base import utcnow
from recall.services.fraud import bans, sources
from recall.services.sealing import open_payload
from recall.services.signing import counting
from tests import factories
from tests.fraud.conftest import burst, scattered
from tests.signing.conftest import confirm_token, payload, sign_url
from tests.verification.conftest import world  # noqa: F401

UA = "Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile Safari/537.36"


class Statements:
    """The SQL statements (text, not values) the app sends while the block runs."""

    def __enter__(self):
        self.seen = []
        sa_event.listen(db.engine, "before_cursor_execute", self._remember)
        return self

    def _remember(self, _conn, _cursor, statement, _params, _context, _many):
        self.seen.append(statement)

    def __exit__(self, *exc):
        sa_event.remove(db.engine, "before_cursor_execute", self._remember)


def _journey(client, petition, address, email):
    """Sign, open the link, confirm, look the receipt up: what the signer sees at each step, with
    their own receipt and token blanked, and the SQL each step ran."""
    env = {"environ_base": {"REMOTE_ADDR": address}, "headers": {"User-Agent": UA}}
    with Statements() as signing:
        signed = client.post(sign_url(petition), json=payload(petition, email=email), **env)
    receipt = signed.json["receipt"]
    requested = db.session.scalars(
        sa.select(Event)
        .where(Event.kind == "signature.confirmation_requested")
        .order_by(Event.id.desc())
    ).first()
    token = confirm_token(requested)
    link_page = client.get(f"/signatures/confirm/{token}", **env)
    with Statements() as confirming:
        confirmed = client.post(f"/signatures/confirm/{token}", **env)
    looked_up = client.get(f"/api/v1/receipts/{receipt}", **env)

    def blank(text):
        return text.replace(token, "TOKEN").replace(receipt, "RECEIPT")

    seen = {
        "sign": (
            signed.status_code,
            sorted(signed.json),
            bool(re.fullmatch(r"(\w{4}-){3}\w{4}", receipt)),
        ),
        "mail": (
            requested.subject_type,
            sorted(requested.payload),
            blank(open_payload(requested.payload)["confirm_url"]).rsplit("/", 1)[1],
        ),
        "link": (link_page.status_code, blank(link_page.text)),
        "confirm": (confirmed.status_code, blank(confirmed.text)),
        "receipt": (looked_up.status_code, looked_up.json),
    }
    return seen, signing.seen, confirming.seen


def test_a_banned_source_cannot_tell_its_answers_from_anyone_elses(client, watched):
    petition, commissioner, _o = watched
    bans.ban_source(commissioner, petition.id, {"block": "203.0.113.0/24"}, "bot farm")
    db.session.commit()
    # Warm both paths once (caches, prepared statements) so the compared runs are alike.
    _journey(client, petition, "192.0.2.1", "warm@mail.kz")
    before = counting.confirmed_count(petition.id)

    banned, banned_signing, banned_confirming = _journey(
        client, petition, "203.0.113.9", "b@mail.kz"
    )
    other, other_signing, other_confirming = _journey(client, petition, "198.51.100.9", "o@mail.kz")

    assert banned == other
    assert banned["receipt"][1]["status"] == "confirmed" and banned["receipt"][1]["check"] is None
    # The same statements in the same order: the work (and so the time) does not depend on the ban.
    assert banned_signing == other_signing
    assert banned_confirming == other_confirming
    # ... but only the other signer counts.
    assert counting.confirmed_count(petition.id) == before + 1
    assert counting.recount(petition.id) == before + 1
    rows = {
        s.source_address_hash: s.shadow_ban_id for s in db.session.scalars(sa.select(Signature))
    }
    assert rows[sources.hash_source("203.0.113.9")] is not None
    assert rows[sources.hash_source("198.51.100.9")] is None


def test_signing_again_from_a_banned_source_is_banned_too(client, watched):
    """A second attempt with the same IIN (here over an expired signature, which it replaces) gets
    the ban from the same one-statement screening as a first signature; an unbanned one none."""
    from recall.models import SignatureStatus

    petition, commissioner, _o = watched
    bans.ban_source(commissioner, petition.id, {"block": "203.0.113.0/24"}, "bot farm")
    lapsed = factories.iin()
    other = factories.iin()
    for iin in (lapsed, other):
        factories.signature(petition, iin, status=SignatureStatus.EXPIRED)
    db.session.commit()
    for iin, address in ((lapsed, "203.0.113.7"), (other, "198.51.100.7")):
        signed = client.post(
            sign_url(petition),
            json=payload(petition, iin=iin, email="again@mail.kz"),
            environ_base={"REMOTE_ADDR": address},
        )
        assert signed.status_code == 202
    db.session.expire_all()
    banned = {
        s.source_address_hash: s.shadow_ban_id
        for s in db.session.scalars(sa.select(Signature).where(Signature.email == "again@mail.kz"))
    }
    assert banned[sources.hash_source("203.0.113.7")] is not None
    assert banned[sources.hash_source("198.51.100.7")] is None


def test_a_ban_takes_earlier_signatures_out_at_once_and_a_lift_brings_them_back(app, watched):
    petition, commissioner, _o = watched
    now = utcnow()
    scattered(petition, 20, at=now)
    burst(petition, 30, domain="flood.kz", at=now)
    counting.recount(petition.id)
    db.session.commit()
    assert counting.confirmed_count(petition.id) == 50

    ban = bans.ban_source(commissioner, petition.id, {"domain": "Flood.kz"}, "domain flood")
    db.session.commit()
    assert counting.confirmed_count(petition.id) == 20
    assert counting.recount(petition.id) == 20
    with pytest.raises(Conflict):
        bans.ban_source(commissioner, petition.id, {"domain": "flood.kz"}, "again")
    # A second ban on the block covers the same rows; lifting the first leaves them banned.
    block = bans.ban_source(commissioner, petition.id, {"block": "203.0.113.0/24"}, "bot farm")
    db.session.commit()
    assert [b.id for b in bans.list_bans(commissioner, petition.id)] == [block.id, ban.id]
    bans.lift_ban(commissioner, ban.id)
    db.session.commit()
    assert counting.confirmed_count(petition.id) == 20
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Signature)
            .where(Signature.shadow_ban_id == block.id)
        )
        == 30
    )
    bans.lift_ban(commissioner, block.id)
    db.session.commit()
    assert counting.confirmed_count(petition.id) == 50
    assert counting.recount(petition.id) == 50
    with pytest.raises(Conflict):
        bans.lift_ban(commissioner, block.id)
    actions = db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.action.like("fraud.source_%"))
        .order_by(AuditEntry.seq)
    ).all()
    assert actions == [
        "fraud.source_banned",
        "fraud.source_banned",
        "fraud.source_ban_lifted",
        "fraud.source_ban_lifted",
    ]
    first = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "fraud.source_banned")
    )
    assert first.payload == {
        "petition_id": petition.id,
        "criteria": {"domain": "flood.kz"},
        "reason": "domain flood",
        "signatures": 30,
    }
    assert first.actor_id == commissioner.id


def test_bad_bans_and_strangers_write_nothing(app, watched):
    petition, commissioner, outsider = watched
    for raw, field in (
        ({}, "block"),
        ({"block": "203.0.113.0/24", "domain": "x.kz"}, "block"),
        ({"address": "nope"}, "address"),
    ):
        with pytest.raises(Invalid) as caught:
            bans.ban_source(commissioner, petition.id, raw, "why")
        assert caught.value.field == field
    with pytest.raises(Invalid):
        bans.ban_source(commissioner, petition.id, {"domain": "x.kz"}, "")
    with pytest.raises(Forbidden):
        bans.ban_source(outsider, petition.id, {"domain": "x.kz"}, "why")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SourceBan)) == 0


def test_the_commission_bans_and_lifts_on_the_sources_page(client, login, watched):
    petition, commissioner, outsider = watched
    factories.sourced_signature(petition, address="203.0.113.5", email="a@flood.kz")
    counting.recount(petition.id)
    db.session.commit()
    login(commissioner)
    done = client.post(
        f"/commission/petitions/{petition.id}/bans",
        data={"address": "203.0.113.5", "reason": "bot"},
    )
    assert done.status_code == 303
    assert counting.confirmed_count(petition.id) == 0
    page = client.get(f"/commission/petitions/{petition.id}/sources")
    ban = db.session.scalar(sa.select(SourceBan))
    assert ban.value[:8] in page.text and "Lift" in page.text
    assert (
        client.post(f"/commission/petitions/{petition.id}/bans", data={"reason": "x"}).status_code
        == 422
    )
    login(outsider)
    assert client.post(f"/commission/bans/{ban.id}/lift").status_code == 403
    login(commissioner)
    assert client.post(f"/commission/bans/{ban.id}/lift").status_code == 303
    assert counting.confirmed_count(petition.id) == 1


def test_the_roll_checks_keep_a_banned_source_out_of_the_count_and_the_valid(world, tmp_path):
    """Verification after a ban: the public count stays exact and banned lines are not valid."""
    from datetime import date

    from recall.services.verification import checks, report

    people = [(factories.iin(date(1960 + i, 8, 8)), f"Voter {i}") for i in range(8)]
    factories.load_roll(world.body, tmp_path / "roll.csv", [(i, n, 1, "Street") for i, n in people])
    for k, (iin, name) in enumerate(people):
        factories.sourced_signature(
            world.petition,
            address=f"203.0.113.{k}" if k < 3 else f"10.0.{k}.1",
            email=f"v{k}@mail.kz",
            iin=iin,
            full_name=name,
        )
    counting.recount(world.petition.id)
    db.session.commit()
    bans.ban_source(world.commissioner, world.petition.id, {"block": "203.0.113.0/24"}, "farm")
    db.session.commit()
    assert counting.confirmed_count(world.petition.id) == 5
    checks.run_checks(world.commissioner, world.petition.id)
    db.session.commit()
    assert counting.confirmed_count(world.petition.id) == 5
    assert counting.recount(world.petition.id) == 5
    rep = report.report(world.commissioner, world.petition.id)
    assert (rep.raw, rep.valid) == (8, 5)
