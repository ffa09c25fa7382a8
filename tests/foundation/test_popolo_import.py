"""`flask deputies import` reads a Popolo file shaped like an EveryPolitician export: one
legislature without the project's extensions, ~100 areas, several parties, memberships of two
legislative periods with `area_id` and `on_behalf_of_id` and no posts, `other_names` in several
languages. What the file lacks comes from the options."""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.models import Body, Deputy, DeputyStatus, District, MandateType, Party
from recall.services.deputies import body_kinds
from recall.services.deputies.deputy_import import PopoloOptions
from recall.services.deputies.popolo_import import plan_from_popolo
from recall.services.names import region_names

AREAS = 100
PARTIES = ("party/labour", "party/conservative", "party/liberal_democrat", "party/independent")
OLD, NEW = "term/56", "term/57"


def _area_id(n: int) -> str:
    # Both shapes EveryPolitician uses: an ONS code, and a name-derived id with a comma.
    return f"E14000{500 + n}" if n % 2 else f"area_{n},_some_state"


def everypolitician() -> dict:
    """100 seats in each of two periods: persons 0-99 sat in the old one, 30-129 in the new one
    (70 re-elected); person 40 changed party during the new period (two memberships)."""
    regions = [
        {
            "id": f"region/{r}",
            "name": f"Region {r}",
            "type": "region",
            "other_names": [{"lang": "ru", "name": f"Регион {r}"}],
        }
        for r in "ABCD"
    ]
    areas = [
        {
            "id": _area_id(n),
            "name": f"Constituency {n}",
            "type": "constituency",
            "other_names": [
                {"lang": "ru", "name": f"Округ {n}"},
                {"lang": "kk", "name": f"{n} округ"},
            ],
        }
        | ({"parent_id": f"region/{'ABCD'[n % 4]}"} if n % 3 else {})
        for n in range(AREAS)
    ]
    persons = []
    for p in range(130):
        person = {
            "id": f"uuid-{p:04d}",
            "name": f"Member {p}",
            "other_names": [
                {"lang": "en", "name": f"Member {p}", "note": "multilingual"},
                {"lang": "ru", "name": f"Депутат {p}", "note": "multilingual"},
                {"lang": "kk", "name": f"Депутат {p} (kk)", "note": "multilingual"},
                {"lang": "cy", "name": f"Aelod {p}", "note": "multilingual"},
            ],
            "identifiers": [{"scheme": "wikidata", "identifier": f"Q{1000 + p}"}],
        }
        if p % 5:
            person["birth_date"] = f"19{50 + p % 40}" if p % 2 else f"19{50 + p % 40}-05-02"
        persons.append(person)
    memberships = []
    for p in range(100):
        memberships.append(
            {
                "person_id": f"uuid-{p:04d}",
                "organization_id": "legislature",
                "area_id": _area_id(p),
                "on_behalf_of_id": PARTIES[p % 3],
                "legislative_period_id": OLD,
                "role": "member",
            }
        )
    for p in range(30, 130):
        memberships.append(
            {
                "person_id": f"uuid-{p:04d}",
                "organization_id": "legislature",
                "area_id": _area_id(p % AREAS),
                "on_behalf_of_id": PARTIES[p % 3],
                "legislative_period_id": NEW,
                "role": "member",
            }
        )
    memberships[100 + 10] |= {"end_date": "2019-02-18"}  # person 40 leaves the party...
    memberships.append(
        {
            "person_id": "uuid-0040",
            "organization_id": "legislature",
            "area_id": _area_id(40),
            "on_behalf_of_id": "party/independent",
            "legislative_period_id": NEW,
            "start_date": "2019-02-19",  # ...and sits as an independent
        }
    )
    return {
        "persons": persons,
        "organizations": [
            {"id": "legislature", "name": "House of Commons", "classification": "legislature"},
            *(
                {
                    "id": p,
                    "name": p.split("/")[1].title(),
                    "classification": "party",
                    "other_names": [
                        {"lang": "ru", "name": f"Партия {p}"},
                        {"name": p[6:9].upper(), "note": "short"},  # no language: not a name in one
                    ],
                }
                for p in PARTIES
            ),
        ],
        "areas": regions + areas,
        "events": [
            {
                "id": OLD,
                "name": "56th Parliament",
                "classification": "legislative period",
                "start_date": "2015-05-07",
                "end_date": "2017-05-03",
            },
            {
                "id": NEW,
                "name": "57th Parliament",
                "classification": "legislative period",
                "start_date": "2017-06-08",
            },
            {
                "id": "election/2017",
                "classification": "general election",
                "start_date": "2017-06-08",
            },
        ],
        "memberships": memberships,
    }


OPTIONS = ["--body-slug", "commons", "--kind", "uk_commons"]


@pytest.fixture
def popolo(app, runner, tmp_path):
    added = runner.invoke(
        args=[
            *("deputies", "add-kind", "uk_commons", "--name", "en=House of Commons"),
            *("--name", "ru=Палата общин", "--jurisdiction", "United Kingdom"),
        ]
    )
    assert added.exit_code == 0, added.output
    listing = runner.invoke(args=["deputies", "kinds"]).output
    assert "uk_commons" in listing and "mazhilis" not in listing  # seeded on first use only
    assert body_kinds.get_kind("uk_commons").names == {
        "en": "House of Commons",
        "ru": "Палата общин",
    }

    def write(data: dict | None = None, name: str = "ep.json"):
        path = tmp_path / name
        path.write_text(json.dumps(data or everypolitician()), encoding="utf-8")
        return str(path)

    return write


def _counts() -> tuple[int, int, int, int]:
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in (Body, District, Party, Deputy)
    )


def _deputy(person: int) -> Deputy:
    return db.session.scalar(sa.select(Deputy).where(Deputy.external_id == f"uuid-{person:04d}"))


def _import(runner, path, *args):
    return runner.invoke(args=["deputies", "import", path, *args])


def test_what_the_file_lacks_is_asked_for_by_path(runner, popolo):
    path = popolo()
    result = _import(runner, path)
    assert result.exit_code != 0
    assert "organizations[0].slug: is missing: name the body with --body-slug" in result.output
    result = _import(runner, path, "--body-slug", "commons")
    assert (
        "organizations[0].level: the body's kind is missing: give it with --kind" in result.output
    )
    result = _import(runner, path, *OPTIONS, "--period", "term/99")
    assert "--period: no legislative period 'term/99' (known: term/56, term/57)" in result.output
    assert _counts() == (0, 0, 0, 0)


def test_the_latest_period_by_default_and_the_same_file_again_changes_nothing(
    runner, client, popolo
):
    path = popolo()
    result = _import(runner, path, *OPTIONS)
    assert result.exit_code == 0, result.output
    assert "created: 1 bodies, 100 deputies, 100 districts, 4 parties" in result.output
    body = db.session.scalar(sa.select(Body))
    assert (body.slug, body.name, body.kind.code, body.jurisdiction) == (
        "commons",
        "House of Commons",
        "uk_commons",
        "United Kingdom",
    )
    assert (body.seats_total, body.seats_party_list) == (100, 0)
    ons = db.session.scalar(sa.select(District).where(District.code == "E14000531"))
    named = db.session.scalar(sa.select(District).where(District.code == "area_30,_some_state"))
    assert (ons.number, ons.name, ons.region) == (None, "Constituency 31", "Region D")
    assert (named.number, named.region) == (None, "")  # area 30 has no parent
    member = _deputy(31)
    assert (member.mandate_type, member.district_id, member.party.name) == (
        MandateType.SINGLE_MANDATE,
        ons.id,
        "Conservative",
    )
    assert (member.term_start, member.term_end, member.status) == (
        date(2017, 6, 8),  # the period's start: the membership gives none
        None,
        DeputyStatus.SERVING,
    )
    assert member.identifiers == [{"scheme": "wikidata", "identifier": "Q1031"}]
    assert (member.birth_date, _deputy(32).birth_date) == ("1981", "1982-05-02")
    switcher = _deputy(40)
    assert (switcher.party.name, switcher.term_start, switcher.term_end) == (
        "Independent",
        date(2017, 6, 8),
        None,
    )
    assert _deputy(10) is None  # sat only in the old period
    # other_names by language, for every entity, shown in the reader's language.
    assert member.names["ru"] == "Депутат 31" and member.names["cy"] == "Aelod 31"
    assert ons.names == {"ru": "Округ 31", "kk": "31 округ"}
    assert db.session.scalar(sa.select(Party).where(Party.name == "Labour")).names == {
        "ru": "Партия party/labour"
    }
    assert region_names("Region D") == {"ru": "Регион D"}
    page = client.get(f"/deputies/{member.id}", headers={"Accept-Language": "ru"})
    assert "Депутат 31" in page.get_data(as_text=True)
    again = _import(runner, path, *OPTIONS)
    assert again.exit_code == 0 and "Nothing changed" in again.output, again.output
    assert _counts() == (1, 100, 4, 100)


def test_a_new_period_ends_the_terms_of_those_it_no_longer_lists(runner, popolo):
    path = popolo()
    first = _import(runner, path, *OPTIONS, "--period", OLD)
    assert first.exit_code == 0, first.output
    old_member = _deputy(10)
    assert (old_member.term_start, old_member.term_end, old_member.status) == (
        date(2015, 5, 7),
        date(2017, 5, 3),
        DeputyStatus.TERM_ENDED,  # the period is over
    )
    # Serving members of the body the new file no longer lists: ended, never deleted.
    for p in (5, 6):
        _deputy(p).status, _deputy(p).term_end = DeputyStatus.SERVING, None
    db.session.commit()
    second = _import(runner, path, *OPTIONS)
    assert second.exit_code == 0, second.output
    assert "created: 30 deputies" in second.output and "ended: 2 deputies' terms" in second.output
    for p in (5, 6):
        assert _deputy(p).status == DeputyStatus.TERM_ENDED and _deputy(p).term_end is not None
    assert _deputy(50).status == DeputyStatus.SERVING
    assert _counts()[3] == 130


def test_a_recall_survives_a_source_that_still_lists_the_deputy(runner, popolo):
    path = popolo()
    assert _import(runner, path, *OPTIONS).exit_code == 0
    recalled = _deputy(60)
    recalled.status, recalled.term_end = DeputyStatus.RECALLED, date(2020, 1, 1)
    db.session.commit()
    assert "Nothing changed" in _import(runner, path, *OPTIONS).output
    assert _deputy(60).status == DeputyStatus.RECALLED


def test_mandate_option_makes_multi_member_seats(runner, popolo):
    data = everypolitician()
    data["memberships"] = [m for m in data["memberships"] if m["legislative_period_id"] == NEW]
    for m in data["memberships"][:10]:
        m["area_id"] = _area_id(0)  # ten members of one district
    result = _import(runner, popolo(data), *OPTIONS, "--mandate", "multi_member")
    assert result.exit_code == 0, result.output
    assert _deputy(30).mandate_type == MandateType.MULTI_MEMBER
    assert _deputy(30).district_id == _deputy(39).district_id
    listed = _import(runner, popolo(data, "list.json"), *OPTIONS, "--mandate", "party_list")
    assert listed.exit_code == 0, listed.output
    assert _deputy(30).mandate_type == MandateType.PARTY_LIST and _deputy(30).district_id is None
    assert db.session.scalar(sa.select(Body)).seats_party_list == 100  # no seat rule: as many


@pytest.mark.parametrize(
    "break_it, message",
    [
        (
            lambda d: d["memberships"][150].update(area_id="nowhere"),
            "memberships[150].area_id: names no area ('nowhere')",
        ),
        (
            lambda d: d["memberships"][199].update(on_behalf_of_id="party/green"),
            "memberships[199].on_behalf_of_id: names no party ('party/green')",
        ),
        (
            lambda d: d["memberships"][120].update(legislative_period_id="term/1"),
            "memberships[120].legislative_period_id: names no legislative period ('term/1')",
        ),
        (
            lambda d: d["memberships"][130].update(start_date="2017-02-30"),
            "memberships[130].start_date: start_date must be a date",
        ),
        (
            lambda d: d["persons"][77].update(birth_date="born 1960"),
            "persons[77].birth_date: must be a date like 1961-05-02",
        ),
        (
            lambda d: d["areas"][30].update(parent_id="region/Z"),
            "areas[30].parent_id: names no area ('region/Z')",
        ),
        (lambda d: d["persons"][50].pop("name"), "persons[50].name: is missing"),
    ],
)
def test_a_bad_row_is_named_by_its_json_path_and_nothing_is_written(
    runner, popolo, break_it, message
):
    data = everypolitician()
    break_it(data)
    result = _import(runner, popolo(data), *OPTIONS)
    assert result.exit_code != 0
    assert message in result.output
    assert _counts() == (0, 0, 0, 0)


def test_other_names_by_language_are_read_for_every_entity(app):
    plan = plan_from_popolo(
        everypolitician(), PopoloOptions(body_slug="commons", kind="uk_commons")
    )
    member = next(d for d in plan.deputies if d.external_id == "uuid-0031")
    assert member.names == {
        "en": "Member 31",
        "ru": "Депутат 31",
        "kk": "Депутат 31 (kk)",
        "cy": "Aelod 31",  # languages beyond kk, ru and en are kept
    }
    assert plan.districts[("commons", "E14000531")].names == {"ru": "Округ 31", "kk": "31 округ"}
    assert plan.party_names["Labour"] == {"ru": "Партия party/labour"}
    assert plan.region_names["Region D"] == {"ru": "Регион D"}
