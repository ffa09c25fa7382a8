"""Automatic checks: every reason code from a crafted roll and set of signatures, on PostgreSQL and SQLite."""

from __future__ import annotations

from datetime import UTC, date, timedelta

import pytest
import sqlalchemy as sa

from recall.errors import Conflict, Forbidden
from recall.extensions import db
from recall.models import CheckStatus, PetitionState, Signature, SignatureSource, SignatureStatus
from recall.services.signing import counting
from recall.services.verification import checks, report, sample
from tests import factories
from tests.verification.conftest import CLOSES, OPENS, SIGNED_IN_MARCH


@pytest.fixture
def crafted(world, tmp_path):
    """One signature per outcome; returns {label: signature}."""
    p = world.petition
    people = {
        "valid": (factories.iin(date(1980, 5, 1)), "Анна Ёлкина", 1, "анна   ЕЛКИНА"),
        "not_registered": (factories.iin(date(1981, 1, 1)), None, None, "Nobody Known"),
        "other_district": (factories.iin(date(1982, 1, 1)), "Ivan Other", 2, "Ivan Other"),
        "duplicate": (factories.iin(date(1983, 1, 1)), "Dana Twice", 1, "Dana Twice"),
        "under_age": (factories.iin(date(2008, 3, 5)), "Young One", 1, "Young One"),
        "just_adult": (factories.iin(date(2008, 3, 2)), "Just Eighteen", 1, "Just Eighteen"),
        "outside": (factories.iin(date(1984, 1, 1)), "Late Signer", 1, "Late Signer"),
        "withdrawn": (factories.iin(date(1985, 1, 1)), "Changed Mind", 1, "Changed Mind"),
        "name_mismatch": (factories.iin(date(1986, 1, 1)), "Boris Petrov", 1, "Boris Other"),
        "pending": (factories.iin(date(1987, 1, 1)), "Not Yet", 1, "Not Yet"),
    }
    factories.load_roll(
        world.body,
        tmp_path / "roll.csv",
        [
            (iin, roll_name, number, "Street 1")
            for iin, roll_name, number, _ in people.values()
            if roll_name
        ],
        # After the two young voters' 18th birthdays: a roll leaves out persons under 18 on its
        # date. The first roll is also the one in force before its date.
        as_of=date(2026, 3, 31),
    )
    sigs = {}
    for label, (iin, _roll, _n, signed_name) in people.items():
        if label == "duplicate":
            continue
        kwargs = {}
        if label == "under_age":
            kwargs["at"] = OPENS.replace(day=4)  # 2026-03-04: turns 18 on 03-05
        if label == "just_adult":
            kwargs["at"] = OPENS.replace(day=2, hour=12)  # 18th birthday
        if label == "outside":
            kwargs["at"] = CLOSES + timedelta(hours=1)
        if label == "withdrawn":
            kwargs["status"] = SignatureStatus.WITHDRAWN
        if label == "pending":
            kwargs["status"] = SignatureStatus.PENDING
        sigs[label] = factories.signature(p, iin, signed_name, **kwargs)
    # The same voter online (day 5) and on paper (day 2); the paper desk marked the paper one as the
    # duplicate, but the earliest must be kept.
    iin = people["duplicate"][0]
    online = factories.signature(p, iin, "Dana Twice", at=OPENS + timedelta(days=5))
    paper = factories.signature(
        p,
        iin,
        "Dana Twice",
        at=OPENS + timedelta(days=2),
        source=SignatureSource.PAPER,
        duplicate_of=online,
    )
    sigs["duplicate"], sigs["duplicate_kept"] = online, paper
    counting.recount(p.id)
    db.session.commit()
    return sigs


def _verdicts(sigs):
    db.session.expire_all()
    return {
        label: (
            db.session.get(Signature, s.id).check_status,
            db.session.get(Signature, s.id).reason_code,
        )
        for label, s in sigs.items()
    }


EXPECTED = {
    "valid": (CheckStatus.VALID, None),
    "not_registered": (CheckStatus.INVALID, "not_registered"),
    "other_district": (CheckStatus.INVALID, "other_district"),
    "duplicate": (CheckStatus.INVALID, "duplicate"),
    "duplicate_kept": (CheckStatus.VALID, None),
    "under_age": (CheckStatus.INVALID, "under_age"),
    "just_adult": (CheckStatus.VALID, None),
    "outside": (CheckStatus.INVALID, "signed_outside_period"),
    "withdrawn": (CheckStatus.INVALID, "withdrawn"),
    "name_mismatch": (CheckStatus.REVIEW, "name_mismatch"),
    "pending": (CheckStatus.UNCHECKED, None),
}


def test_each_reason_code_and_count_adjusted(world, crafted):
    p = world.petition
    assert counting.confirmed_count(p.id) == 8  # 9 confirmed, the paper one a recorded duplicate
    result = checks.run_checks(world.commissioner, p.id)
    db.session.commit()
    assert _verdicts(crafted) == EXPECTED
    dup = db.session.get(Signature, crafted["duplicate"].id)
    kept = db.session.get(Signature, crafted["duplicate_kept"].id)
    assert (dup.duplicate_of_id, kept.duplicate_of_id) == (kept.id, None)
    assert result.by_reason == {
        "not_registered": 1,
        "other_district": 1,
        "duplicate": 1,
        "under_age": 1,
        "signed_outside_period": 1,
        "withdrawn": 1,
        "name_mismatch": 1,
    }
    assert result.checked == 10
    # Counted now: valid 3 + review 1. Before: 8 (the online duplicate was counted, the paper not).
    assert result.count_change == -4
    assert counting.confirmed_count(p.id) == 4
    assert db.session.get(type(p), p.id).state == PetitionState.UNDER_VERIFICATION
    # A rerun changes nothing.
    again = checks.run_checks(world.commissioner, p.id)
    db.session.commit()
    assert again.count_change == 0 and _verdicts(crafted) == EXPECTED


def test_manual_decision_survives_rerun(world, crafted):
    from recall.services.verification import review

    checks.run_checks(world.commissioner, world.petition.id)
    db.session.commit()
    review.decide(
        world.commissioner,
        crafted["name_mismatch"].id,
        accept=True,
        note="Same person, new surname",
    )
    db.session.commit()
    checks.run_checks(world.commissioner, world.petition.id)
    db.session.commit()
    assert _verdicts(crafted)["name_mismatch"] == (CheckStatus.VALID, None)


def test_other_body_and_missing_roll(world):
    with pytest.raises(Forbidden):
        checks.run_checks(world.outsider, world.petition.id)
    with pytest.raises(Conflict):
        checks.run_checks(world.commissioner, world.petition.id)


def _check_all(commissioner, petition_id):
    """Recount, run the checks, and return every signature's (status, reason) by id."""
    counting.recount(petition_id)
    db.session.commit()
    checks.run_checks(commissioner, petition_id)
    db.session.commit()
    return {s.id: (s.check_status, s.reason_code) for s in db.session.scalars(sa.select(Signature))}


def test_sqlite_path(sqlite_app, make, tmp_path):
    """The same SQL on SQLite (the embedded default)."""
    from recall.models import Role

    body = make.body()
    d1, _d2 = make.district(body, number=1), make.district(body, number=2)
    deputy = make.deputy(d1)
    petition = make.petition(deputy, **SIGNED_IN_MARCH)
    commissioner = make.user(role=Role.COMMISSIONER, commission_body=body)
    good, far, young = (
        factories.iin(date(1970, 1, 1)),
        factories.iin(date(1971, 1, 1)),
        factories.iin(date(2008, 3, 20)),  # 18 after signing, before the roll's date
    )
    factories.load_roll(
        body,
        tmp_path / "r.csv",
        [(good, "Ёлкина Анна", 1, "A"), (far, "Far Away", 2, "B"), (young, "Too Young", 1, "C")],
        as_of=date(2026, 3, 31),
    )
    a = factories.signature(petition, good, "елкина  анна")
    b = factories.signature(petition, far, "Far Away")
    c = factories.signature(petition, young, "Too Young")
    d = factories.signature(
        petition, good, "Ёлкина Анна", at=OPENS + timedelta(days=3), duplicate_of=a
    )
    assert _check_all(commissioner, petition.id) == {
        a.id: (CheckStatus.VALID, None),
        b.id: (CheckStatus.INVALID, "other_district"),
        c.id: (CheckStatus.INVALID, "under_age"),
        d.id: (CheckStatus.INVALID, "duplicate"),
    }
    assert counting.confirmed_count(petition.id) == 1


def test_closing_hook_checks_closed_petitions(world, crafted):
    """The periodic task checks every closed petition whose body has a roll and starts verification."""
    from recall.jobs.periodic import PERIODIC_TASKS
    from recall.models.base import utcnow

    task = {name: target for name, _interval, target in PERIODIC_TASKS}["verification.check_closed"]
    assert task(utcnow()) == 1
    db.session.commit()
    assert _verdicts(crafted) == EXPECTED
    assert (
        db.session.get(type(world.petition), world.petition.id).state
        == PetitionState.UNDER_VERIFICATION
    )
    assert checks.check_closed_petitions(utcnow()) == 0  # nothing closed any more


def test_review_claim_and_decision_on_sqlite(sqlite_app, make, tmp_path):
    """Claims (INSERT ... ON CONFLICT ... RETURNING) and decisions work on SQLite too."""
    from recall.errors import Conflict as Busy
    from recall.models import Role
    from recall.services.verification import review

    body = make.body()
    deputy = make.deputy(make.district(body, number=1))
    petition = make.petition(deputy, **SIGNED_IN_MARCH)
    first = make.user(role=Role.COMMISSIONER, commission_body=body)
    second = make.user(role=Role.COMMISSIONER, commission_body=body)
    iin = factories.iin(date(1972, 1, 1))
    factories.load_roll(body, tmp_path / "r.csv", [(iin, "Roll Name", 1, "A")])
    sig = factories.signature(petition, iin, "Other Name")
    counting.recount(petition.id)
    checks.run_checks(first, petition.id)
    db.session.commit()
    assert review.claim_next(first, petition.id).signature.id == sig.id
    db.session.commit()
    with pytest.raises(Busy):
        review.decide(second, sig.id, accept=True)
    db.session.rollback()
    review.decide(first, sig.id, accept=False, reason_code="signature_mismatch")
    db.session.commit()
    assert (
        db.session.get(Signature, sig.id).check_status,
        counting.confirmed_count(petition.id),
    ) == (CheckStatus.INVALID, 0)
    from recall.services.audit import verify_chain

    assert verify_chain().problem == ""


def _statements_for_checks(world, make, tmp_path, n: int, name: str) -> int:
    """Number of SQL statements run_checks sends for a petition of ``n`` signatures (one day)."""
    petition = make.petition(
        make.deputy(world.district), initiator=world.commissioner, **SIGNED_IN_MARCH
    )
    people = [
        (factories.iin(date(1950 + i % 50, 1 + i % 12, 1 + i % 28)), f"{name} {i}")
        for i in range(n)
    ]
    rows = [(iin, who, 1 if i % 3 else 2, "Street") for i, (iin, who) in enumerate(people) if i % 5]
    factories.load_roll(world.body, tmp_path / f"{name}.csv", rows)
    for i, (iin, who) in enumerate(people):
        factories.signature(petition, iin, who if i % 7 != 1 else who + "x")
    counting.recount(petition.id)
    db.session.commit()
    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        result = checks.run_checks(world.commissioner, petition.id)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    db.session.commit()
    assert result.checked == n and set(result.by_reason) >= {
        "not_registered",
        "other_district",
        "name_mismatch",
    }
    return len(statements)


def test_checks_are_set_based(world, make, tmp_path):
    """The checks send the same number of statements for 6 signatures as for 60: no loop over signatures."""
    from recall.services.verification.reason_codes import ensure_reason_codes

    ensure_reason_codes()  # seeded by the first run otherwise: one INSERT more
    small = _statements_for_checks(world, make, tmp_path, 6, "Small")
    large = _statements_for_checks(world, make, tmp_path, 60, "Large")
    assert small == large, (small, large)


def test_sample_only_under_a_sampling_rule(world, tmp_path):
    """The Kazakh preset counts every signature: there is nothing to draw."""
    iin = factories.iin(date(1966, 6, 6))
    factories.load_roll(world.body, tmp_path / "roll.csv", [(iin, "Solo Voter", 1, "Street")])
    factories.signature(world.petition, iin, "Solo Voter")
    counting.recount(world.petition.id)
    checks.run_checks(world.commissioner, world.petition.id)
    db.session.commit()
    with pytest.raises(Conflict) as exc:
        sample.draw_sample(world.commissioner, world.petition.id)
    assert "counts every signature" in exc.value.message
    assert report.report(world.commissioner, world.petition.id).method == "full_count"


def test_count_change_lands_on_the_signing_days(world, crafted):
    """The checks move the per-day counts of the days the changed signatures were signed (local time)."""
    from recall.models.counting import PetitionDayCount

    def per_day():
        rows = db.session.execute(
            sa.select(PetitionDayCount.day, sa.func.sum(PetitionDayCount.confirmed))
            .where(PetitionDayCount.petition_id == world.petition.id)
            .group_by(PetitionDayCount.day)
        ).all()
        return {day: int(n) for day, n in rows if n}

    checks.run_checks(world.commissioner, world.petition.id)
    db.session.commit()
    after_checks = per_day()
    counting.recount(world.petition.id)  # rebuilds the days from the signatures themselves
    db.session.commit()
    assert after_checks == per_day()
    assert after_checks == {
        date(2026, 3, 2): 3,
        date(2026, 3, 3): 1,
    }  # valid, just adult, in review; paper kept


def test_age_is_judged_on_the_local_signing_day(world, tmp_path):
    """Signed at 01:00 in Almaty on the 18th birthday (still the day before in UTC): an adult."""
    from datetime import datetime

    iin, other = factories.iin(date(2008, 3, 10)), factories.iin(date(2008, 3, 10))
    factories.load_roll(
        world.body,
        tmp_path / "roll.csv",
        [(iin, "Birthday Signer", 1, "Street"), (other, "Too Early", 1, "Street")],
        as_of=date(2026, 3, 31),  # both 18 by then: on the roll
    )
    sig = factories.signature(
        world.petition, iin, "Birthday Signer", at=datetime(2026, 3, 9, 20, 0, tzinfo=UTC)
    )
    early = factories.signature(
        world.petition, other, "Too Early", at=datetime(2026, 3, 9, 18, 30, tzinfo=UTC)
    )  # 23:30 in Almaty, the 9th
    counting.recount(world.petition.id)
    db.session.commit()
    checks.run_checks(world.commissioner, world.petition.id)
    db.session.commit()
    assert (
        db.session.get(Signature, sig.id).check_status,
        db.session.get(Signature, early.id).reason_code,
    ) == (CheckStatus.VALID, "under_age")


@pytest.mark.parametrize("backend", ["app", "sqlite_app"])
def test_age_is_judged_on_the_local_signing_day_on_both_backends(request, backend, tmp_path):
    """Born 10 March 2008: at 01:00 Almaty time on 10 March 2026 (19:00 UTC the day before) the
    signer is 18 and valid; at 23:00 Almaty time on 9 March still 17."""
    request.getfixturevalue(backend)
    from datetime import datetime

    from recall.i18n import local_zone
    from recall.models import Role

    assert local_zone().key == "Asia/Almaty"
    body = factories.body()
    deputy = factories.deputy(factories.district(body, number=1))
    petition = factories.petition(deputy, initiator=factories.user(), **SIGNED_IN_MARCH)
    commissioner = factories.user(role=Role.COMMISSIONER, commission_body=body)
    birthday, eve = factories.iin(date(2008, 3, 10)), factories.iin(date(2008, 3, 10))
    factories.load_roll(
        body,
        tmp_path / "r.csv",
        [(birthday, "Birthday Voter", 1, "A"), (eve, "Eve Voter", 1, "B")],
        as_of=date(2026, 3, 31),
    )
    on_birthday = factories.signature(
        petition, birthday, "Birthday Voter", at=datetime(2026, 3, 9, 20, 0, tzinfo=UTC)
    )
    on_eve = factories.signature(
        petition, eve, "Eve Voter", at=datetime(2026, 3, 9, 18, 0, tzinfo=UTC)
    )
    assert _check_all(commissioner, petition.id) == {
        on_birthday.id: (CheckStatus.VALID, None),
        on_eve.id: (CheckStatus.INVALID, "under_age"),
    }
