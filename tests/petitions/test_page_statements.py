"""The petition page reads what it shows in a fixed number of statements, none of them lazy loads.

At a million signatures the page must cost what it costs at ten: the count comes from the
sharded counters, and the petition, its deputy, district, body, rule and initiative group are
loaded up front (a lazy load per member or per cited promise would grow with the page).
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.models import Role
from recall.models.base import utcnow
from recall.models.petition import InitiativeMember, PetitionPromise
from recall.replica import RoutingSession
from recall.services.signing import counting


@contextmanager
def recorded(app):
    """Every SQL statement sent, and every lazy load the ORM made, during the block."""
    statements: list[str] = []
    lazy: list[str] = []

    def on_statement(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    def on_orm(state):
        if state.lazy_loaded_from is not None:
            lazy.append(f"{state.lazy_loaded_from.class_.__name__}: {state.statement}")

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", on_statement)
    sa.event.listen(RoutingSession, "do_orm_execute", on_orm)
    try:
        yield statements, lazy
    finally:
        sa.event.remove(engine, "before_cursor_execute", on_statement)
        sa.event.remove(RoutingSession, "do_orm_execute", on_orm)


@pytest.fixture
def busy_petition(make, make_promise):
    """A collecting petition with a public count, signatures on three days, a group of four,
    three cited promises."""
    rule = make.rule_version(running_count_public=True)
    petition = make.petition(rule_version=rule, required=100)
    for n in range(3):
        user = make.user(display_name=f"Member {n}")
        db.session.add(
            InitiativeMember(petition_id=petition.id, user_id=user.id, confirmed_at=utcnow())
        )
    for n in range(3):
        promise = make_promise(petition.deputy, title=f"Cited promise {n}")
        db.session.add(PetitionPromise(petition_id=petition.id, promise_id=promise.id))
    for day in range(3):
        for _ in range(2):
            make.signature(petition, at=petition.opens_at + timedelta(days=day, hours=1))
    db.session.commit()
    counting.recount(petition.id)
    db.session.commit()
    return petition


# Petition (joined with deputy, district, body, rule), its group with their users, the count
# with its days, the cited promises, the cited appeals, the initiators' updates, the public
# sample, the audit head.
ANONYMOUS_STATEMENTS = 8


def test_the_petition_page_makes_no_lazy_loads_and_few_statements(app, client, busy_petition):
    client.get(f"/petitions/{busy_petition.id}")  # warm caches (rule presets, templates)
    with recorded(app) as (statements, lazy):
        page = client.get(f"/petitions/{busy_petition.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "6 confirmed signatures of 100 required" in html
    assert all(f"Member {n}" in html and f"Cited promise {n}" in html for n in range(3))
    assert lazy == []
    assert len(statements) <= ANONYMOUS_STATEMENTS, "\n".join(statements)


def test_a_signed_in_reader_adds_only_the_user_and_the_follow(
    app, client, login, make, busy_petition
):
    login(make.user(Role.CITIZEN))
    client.get(f"/petitions/{busy_petition.id}")
    with recorded(app) as (statements, lazy):
        assert client.get(f"/petitions/{busy_petition.id}").status_code == 200
    assert lazy == []
    assert len(statements) <= ANONYMOUS_STATEMENTS + 3, "\n".join(statements)


def test_the_petition_json_makes_no_lazy_loads(app, client, busy_petition):
    with recorded(app) as (statements, lazy):
        body = client.get(f"/api/v1/petitions/{busy_petition.id}").get_json()
    assert body["signatures"]["confirmed"] == 6
    assert lazy == []
    # The petition, its group, the count with its days, the list figures (count, result).
    assert len(statements) <= 7, "\n".join(statements)
