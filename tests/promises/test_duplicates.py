"""Duplicate detection (similar titles for one deputy) and merging."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from recall.errors import Conflict, Invalid
from recall.extensions import db
from recall.models.promise import Correction, Promise
from recall.services.promises import recording as svc


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Build a school in Zhanaarka", "Build a new school in Zhanaarka", 0.9090909090909091),
        ("Build a school in Zhanaarka", "build a SCHOOL in Zhanaarka!", 1.0),
        ("Repair school No. 5", "School No. 5 repair", 1.0),
        ("Repair the road to Temirtau", "Build a school in Temirtau", 0.2),
        ("Построить школу в Жанаарке", "Построить новую школу в Жанаарке", 0.8888888888888888),
        ("", "Anything", 0.0),
    ],
)
def test_title_similarity(a, b, expected):
    assert svc.title_similarity(a, b) == pytest.approx(expected)


def test_similar_title_for_the_same_deputy_is_caught(record, deputy, make):
    existing = record(deputy)
    with pytest.raises(svc.DuplicateSuspected) as err:
        record(deputy, title="Build a new school in Zhanaarka", source_url="https://example.org/2")
    assert err.value.field == "title"
    assert [(p.id, round(score, 2)) for p, score in err.value.candidates] == [(existing.id, 0.91)]
    # Another deputy, or a different promise, is not a duplicate.
    record(make.deputy(), title="Build a new school in Zhanaarka")
    record(deputy, title="Repair the road to Temirtau")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Promise)) == 3


def test_confirming_it_is_different_records_it(record, deputy):
    record(deputy)
    second = record(deputy, title="Build a new school in Zhanaarka", confirm_distinct=True)
    assert second.distinct_confirmed is True


def test_merge_instead_adds_the_source_to_the_existing_promise(record, deputy, monitor):
    existing = record(deputy)
    source = svc.add_source_to_promise(
        monitor, existing.id, url="https://example.org/tv", quotation="A school!"
    )
    db.session.commit()
    assert [(s.url, s.quotation) for s in existing.sources] == [
        ("https://example.org/tv", "A school!")
    ]
    assert source.added_by_id == monitor.id
    with pytest.raises(Conflict):
        svc.add_source_to_promise(monitor, existing.id, url=existing.source_url)


def test_merging_an_existing_duplicate(record, rate, deputy, monitor, make):
    target = record(deputy)
    duplicate = record(
        deputy,
        title="Build a new school in Zhanaarka",
        source_url="https://example.org/dup",
        quotation="I said it.",
        confirm_distinct=True,
    )
    rate(duplicate, "in_the_works")
    with pytest.raises(Invalid):
        svc.merge_promises(monitor, duplicate.id, duplicate.id, "Same.")
    other_deputys = record(make.deputy())
    with pytest.raises(Invalid) as err:
        svc.merge_promises(monitor, duplicate.id, other_deputys.id, "Same.")
    assert err.value.message == "Only promises of the same deputy can be merged."
    result = svc.merge_promises(monitor, duplicate.id, target.id, "Same speech, reported twice.")
    db.session.commit()
    assert result is target and duplicate.merged_into_id == target.id
    assert [s.url for s in target.sources] == ["https://example.org/dup"]
    assert len(duplicate.history) == 1  # the duplicate's history is kept, not lost
    correction = db.session.scalar(sa.select(Correction))
    assert (correction.kind.value, correction.promise_id, correction.details["merged_into_id"]) == (
        "merge",
        duplicate.id,
        target.id,
    )
    # Merged promises leave the lists and duplicate checks.
    from recall.services.promises import queries as q

    assert [p.id for p in q.deputy_promises(deputy.id)] == [target.id]
    assert [
        p.id for p, _ in svc.find_similar_promises(deputy.id, "Build a new school in Zhanaarka")
    ] == [target.id]
