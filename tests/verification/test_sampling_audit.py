"""Sampling draws stored and reproducible, worked examples through the service; the audit chain."""

from __future__ import annotations

import threading
from datetime import date

import pytest
import sqlalchemy as sa

from recall.errors import Conflict
from recall.extensions import db
from recall.models import AuditEntry, SampleDraw
from recall.rules import sampling
from recall.services import audit
from recall.services.signing import counting
from recall.services.verification import checks, report, sample
from tests import factories
from tests.verification.conftest import SIGNED_IN_MARCH


@pytest.fixture
def sampled_world(world, tmp_path, make):
    """A California-rule petition in district 3 with 30 signatures (2 off the roll), minimum sample 10.

    The full count the rule asks for up to 500 signatures is lowered to 29, so 30 are sampled.
    """
    version = factories.rule_version(
        "california_local", sample_minimum=10, full_count_max_signatures=29
    )
    deputy = make.deputy(make.district(world.body, number=3))
    petition = make.petition(
        deputy,
        initiator=world.commissioner,
        rule_version=version,
        **{**SIGNED_IN_MARCH, "required": 20, "registered": 100},
    )
    people = [(factories.iin(date(1960 + i % 30, 1 + i % 12, 1)), f"Person {i}") for i in range(30)]
    factories.load_roll(
        world.body, tmp_path / "roll.csv", [(iin, name, 3, "Street") for iin, name in people[:28]]
    )
    for iin, name in people:
        factories.signature(petition, iin, name)
    counting.recount(petition.id)
    checks.run_checks(world.commissioner, petition.id)
    db.session.commit()
    world.sampled = petition
    return world


@pytest.mark.parametrize(("limit", "method"), [(29, "random_sample"), (30, "full_count")])
def test_small_petition_gets_a_full_count_and_no_projection(sampled_world, limit, method):
    """California EC 11225(a): up to the rule's size every signature is checked, none sampled."""
    w = sampled_world
    w.sampled.rule_version.data = {
        **w.sampled.rule_version.data,
        "full_count_max_signatures": limit,
    }
    db.session.commit()
    rep = report.report(w.commissioner, w.sampled.id)
    assert rep.method == method and rep.raw == 30
    if method == "random_sample":
        assert (rep.outcome, rep.outcome_basis) == ("pending", "sample")
        return
    # 28 valid of 20 required, every signature checked: certified on the full count.
    assert (rep.outcome, rep.outcome_basis, rep.draw) == ("qualified", "full_count", None)
    with pytest.raises(Conflict):
        sample.draw_sample(w.commissioner, w.sampled.id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SampleDraw)) == 0
    assert "projected" not in str(rep.numbers())


def test_draw_is_stored_reproducible_and_single(sampled_world):
    w = sampled_world
    pid = w.sampled.id
    draw = sample.draw_sample(w.commissioner, pid, seed="ceremony-2026-04-01")
    db.session.commit()
    pool = sample.filed_ids(pid)
    assert (draw.raw, draw.sample_size) == (30, 10)
    # Anyone with the published seed and the sorted filed ids redraws the same sample.
    assert draw.sampled_ids == sampling.draw_sample(list(reversed(pool)), 10, "ceremony-2026-04-01")
    assert draw.sampled_ids != sampling.draw_sample(pool, 10, "another-seed")
    off_roll = set(pool[-2:])
    v = 10 - len(off_roll & set(draw.sampled_ids))
    expected = sampling.project_valid(30, 10, v, 0)
    assert (draw.valid, draw.duplicates, draw.projected) == (v, 0, expected.projected)
    assert draw.outcome == sampling.sample_outcome(expected.projected, 20)
    with pytest.raises(Conflict):
        sample.draw_sample(w.commissioner2, pid, seed="again")
    rep = report.report(w.commissioner, pid)
    assert rep.draw["seed"] == "ceremony-2026-04-01" and rep.draw["formula"] == expected.formula
    actions = list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.seq)))
    assert actions[-2:] == ["verification.sample_drawn", "verification.sample_projected"]


@pytest.mark.parametrize(
    "raw,n,v,d,required,projected,outcome",
    [
        (24_034, 722, 516, 2, 13_000, 15_028, "qualifies"),  # official example (2 CCR 20540)
        (25_000, 1_250, 900, 1, 17_000, 17_620, "full_count"),  # handbook example
        (25_000, 1_250, 900, 1, 20_000, 17_620, "fails"),
    ],
)
def test_worked_examples_through_the_service(
    sampled_world, raw, n, v, d, required, projected, outcome
):
    w = sampled_world
    draw = SampleDraw(
        petition_id=w.sampled.id,
        seed="example",
        raw=raw,
        sample_size=n,
        sampled_ids=[],
        required=required,
    )
    db.session.add(draw)
    db.session.flush()
    sample.record_projection(w.commissioner, draw, valid=v, duplicates=d)
    db.session.commit()
    stored = db.session.get(SampleDraw, draw.id)
    assert (stored.projected, stored.outcome) == (projected, outcome)
    assert stored.formula.endswith(f"= {projected}")


def test_audit_chain_detects_edit(world, runner):
    for i in range(3):
        audit.append_audit(
            "test.action",
            world.commissioner.id,
            "petition",
            world.petition.id,
            world.body.id,
            {"i": i},
        )
    db.session.commit()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "OK: 3 entries" in ok.output
    second = db.session.scalar(sa.select(AuditEntry.id).where(AuditEntry.seq == 2))
    db.session.execute(
        sa.text("UPDATE audit_entries SET payload = :p WHERE id = :id"),
        {"p": '{"i": 99}', "id": second},
    )
    db.session.commit()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert f"BROKEN at entry 2 (id {second}): contents do not match" in broken.output
    assert audit.verify_chain().broken.seq == 2


def test_audit_deleted_entry_and_head(world):
    for i in range(3):
        audit.append_audit(
            "test.action", None, "petition", world.petition.id, world.body.id, {"i": i}
        )
    db.session.commit()
    assert audit.audit_head() == db.session.scalar(
        sa.select(AuditEntry.hash).where(AuditEntry.seq == 3)
    )
    db.session.execute(sa.text("DELETE FROM audit_entries WHERE seq = 2"))
    db.session.commit()
    check = audit.verify_chain()
    assert check.broken.seq == 3 and "sequence jumps" in check.problem


def test_concurrent_appends_do_not_fork(app, world):
    errors = []

    def worker(n):
        try:
            with app.app_context():
                for i in range(10):
                    audit.append_audit("test.concurrent", None, "petition", n, None, {"i": i})
                    db.session.commit()
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    check = audit.verify_chain()
    assert (check.problem, check.entries) == ("", 30)


def test_public_petition_page_shows_the_chain_head(world, client):
    page = client.get(f"/petitions/{world.petition.id}").get_data(as_text=True)
    assert "Commission audit chain head" not in page  # nothing logged yet
    audit.append_audit("test.action", None, "petition", world.petition.id, world.body.id, {"i": 1})
    db.session.commit()
    head = audit.audit_head()
    page = client.get(f"/petitions/{world.petition.id}").get_data(as_text=True)
    assert "Commission audit chain head" in page and head[:16] in page


def test_seed_pool_and_method_are_public(sampled_world, client):
    """An anonymous visitor gets the seed, the pool and the method, and redraws the very same sample."""
    import hashlib
    import random

    w = sampled_world
    pid = w.sampled.id
    assert client.get(f"/api/v1/petitions/{pid}/sample").status_code == 404
    assert "Random sample of the signatures" not in client.get(f"/petitions/{pid}").text
    draw = sample.draw_sample(w.commissioner, pid, seed="public-ceremony-7")
    db.session.commit()
    data = client.get(f"/api/v1/petitions/{pid}/sample").json
    assert (data["seed"], data["raw"], data["n"], len(data["pool_ids"])) == (
        "public-ceremony-7",
        30,
        10,
        30,
    )
    # The published method, followed literally, gives the stored sample.
    ids = sorted(data["pool_ids"])
    rng = random.Random(
        int.from_bytes(hashlib.sha256(data["seed"].encode("utf-8")).digest(), "big")
    )
    assert sorted(rng.sample(ids, data["n"])) == data["sampled_ids"] == draw.sampled_ids
    assert (
        "random.Random(int.from_bytes(hashlib.sha256(seed.encode('utf-8')).digest(), 'big'))"
        in data["method"]
    )
    assert data["projected"] == draw.projected and data["formula"] == draw.formula
    assert "full_name" not in str(data) and "Person" not in str(data)
    page = client.get(f"/petitions/{pid}").text
    assert "Random sample of the signatures" in page and "public-ceremony-7" in page
    assert f"/api/v1/petitions/{pid}/sample" in page


def test_sample_counts_duplicates_as_pairs_inside_the_sample(sampled_world):
    """d counts duplicates whose kept signature is in the sample too; one whose kept twin was not
    sampled looks, to a sample-only check, like an ordinary (valid) signature."""
    from datetime import timedelta

    from recall.models import Signature, SignatureSource
    from tests.verification.conftest import OPENS

    w = sampled_world
    pid = w.sampled.id
    originals = list(
        db.session.scalars(
            sa.select(Signature).where(Signature.petition_id == pid).order_by(Signature.id)
        )
    )
    assert len(originals) == 30
    # Paper signatures of the first three voters (same IIN hash), filed later: the checks mark them duplicates.
    dups = []
    for original in originals[:3]:
        dup = factories.signature(
            w.sampled,
            full_name=original.full_name,
            status=original.status,
            at=OPENS + timedelta(days=9),
            source=SignatureSource.PAPER,
            sheet=9,
            line=len(dups) + 1,
            duplicate_of=original,
            iin_hash=original.iin_hash,
            birth_date=original.birth_date,
        )
        dups.append(dup)
    counting.recount(pid)
    checks.run_checks(w.commissioner, pid)
    db.session.commit()
    assert [db.session.get(Signature, d.id).reason_code for d in dups] == ["duplicate"] * 3
    off_roll = originals[-1]
    sampled = sorted(
        [
            originals[0].id,
            dups[0].id,  # a pair inside the sample: d = 1
            dups[1].id,  # its kept twin not sampled (and valid): looks valid, v
            originals[5].id,
            originals[6].id,  # valid
            off_roll.id,
        ]
    )  # not registered
    draw = SampleDraw(
        petition_id=pid, seed="crafted", raw=33, sample_size=6, sampled_ids=sampled, required=20
    )
    db.session.add(draw)
    db.session.flush()
    sample.complete_sample(w.commissioner, pid)
    db.session.commit()
    stored = db.session.get(SampleDraw, draw.id)
    assert (stored.valid, stored.duplicates) == (
        4,
        1,
    )  # originals 0, 5, 6 and the lone duplicate; one pair
    assert stored.projected == sampling.project_valid(33, 6, 4, 1).projected
