"""The promise tables exist and their invariants hold in the database itself."""

import sqlalchemy as sa

from recall.extensions import db
from recall.models.promise import Promise, PromiseStatus


def test_promise_table_created(app):
    names = sa.inspect(db.engine).get_table_names()
    for table in (
        "promises",
        "promise_topics",
        "promise_status_changes",
        "promise_revisions",
        "promise_disputes",
        "promise_corrections",
        "promise_sources",
    ):
        assert table in names
    assert next(s.value for s in PromiseStatus) == "not_yet_rated"
    assert Promise.__tablename__ == "promises"


def test_seed_topics_command_is_idempotent(runner):
    from recall.models.promise import DEFAULT_TOPICS, Topic

    for _ in range(2):
        result = runner.invoke(args=["promises", "seed-topics"])
        assert result.exit_code == 0, result.output
        assert (
            "budget, housing, roads, health, education, ecology, corruption, other" in result.output
        )
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(Topic)) == len(DEFAULT_TOPICS) == 8
    )
