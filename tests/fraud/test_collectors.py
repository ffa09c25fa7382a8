"""A forging collector (issue 18): their sheets carry names not on the roll, of another district
and repeated; after the roll checks the commission sees the collector as an outlier, previews
their remaining lines, invalidates them in bulk and the count drops."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from recall.extensions import db
from recall.jobs import fraud as fraud_job
from recall.models import Signature, SignatureSource
from recall.services.fraud import collectors, invalidation
from recall.services.signing import counting, paper
from recall.services.verification import checks, report
from tests import factories
from tests.verification.conftest import world  # noqa: F401


def _sheet(petition, collector, people, *, sheet):
    for line, (iin, name) in enumerate(people, start=1):
        factories.signature(
            petition,
            iin,
            name,
            source=SignatureSource.PAPER,
            sheet=sheet,
            line=line,
            email=None,
            paper_collector=collector,
        )


def test_a_forging_collector_is_an_outlier_and_is_invalidated_in_bulk(world, tmp_path):
    honest = [(factories.iin(date(1960 + i, 3, 3)), f"Honest Voter {i}") for i in range(36)]
    on_roll_for_forger = [
        (factories.iin(date(1950 + i, 4, 4)), f"Real Voter {i}") for i in range(4)
    ]
    elsewhere = [(factories.iin(date(1940 + i, 5, 5)), f"Far Voter {i}") for i in range(6)]
    roll = [(iin, name, 1, "Street") for iin, name in honest + on_roll_for_forger]
    roll += [(iin, name, 2, "Street") for iin, name in elsewhere]
    factories.load_roll(world.body, tmp_path / "roll.csv", roll)
    # Three honest collectors, 12 lines each (one a stranger to the roll); a forger with 16 lines:
    # a roster's names not on the roll, voters of another district, and four real ones.
    for k, name in enumerate(("Aigerim N.", "Bolat K.", "Dana S.")):
        people = [*honest[12 * k : 12 * k + 11], (factories.iin(date(1990, 1, 1 + k)), "Stranger")]
        _sheet(world.petition, name, people, sheet=k + 1)
    roster = [(factories.iin(date(1930 + i, 6, 6)), f"Roster Name {i}") for i in range(6)]
    _sheet(world.petition, "Forger F.", roster + elsewhere + on_roll_for_forger, sheet=9)
    counting.recount(world.petition.id)
    checks.run_checks(world.commissioner, world.petition.id)
    db.session.commit()

    stats = {
        s.collector: s for s in collectors.collector_stats(world.commissioner, world.petition.id)
    }
    forger = stats["Forger F."]
    assert (forger.lines, forger.invalid, forger.outlier) == (16, 12, True)
    assert forger.by_reason == {"not_registered": 6, "other_district": 6}
    assert [s.outlier for n, s in stats.items() if n != "Forger F."] == [False] * 3
    assert stats["Aigerim N."].invalid == 1

    valid_before = report.report(world.commissioner, world.petition.id).valid
    preview = invalidation.preview_invalidation(
        world.commissioner, world.petition.id, {"collector": "Forger  F."}
    )
    assert preview.count == 4  # the real voters' lines are the forger's only ones still valid
    run = fraud_job.start(
        world.commissioner, world.petition.id, {"collector": "Forger F."}, "Forged sheets"
    )
    assert run.invalidated == 4
    after = report.report(world.commissioner, world.petition.id)
    assert after.valid == valid_before - 4
    assert after.invalid_by_reason["bulk_invalidation"] == 4
    assert counting.confirmed_count(world.petition.id) == counting.recount(world.petition.id)


def test_the_collector_is_entered_with_the_batch_and_the_csv(world):
    from recall.models import PetitionState

    world.petition.state = PetitionState.CLOSED
    db.session.commit()
    data = (
        "sheet,line,full_name,iin,district_number,signed_on,collector\n"
        f"1,1,Aigerim Bekova,{factories.iin(date(1971, 2, 2))},1,2026-03-05,  Marat   Omarov \n"
    ).encode()
    paper.import_paper_csv(world.commissioner, world.petition.id, data)
    line = paper.PaperLine(
        row=1,
        sheet=2,
        line=1,
        full_name="Dana Seitova",
        iin=factories.iin(date(1972, 2, 2)),
        district_number=1,
        signed_on="2026-03-06",
        collector="Volunteer V.",
    )
    paper.add_paper_signatures(world.commissioner, world.petition.id, [line])
    db.session.commit()
    assert sorted(db.session.scalars(sa.select(Signature.paper_collector))) == [
        "Marat Omarov",
        "Volunteer V.",
    ]
