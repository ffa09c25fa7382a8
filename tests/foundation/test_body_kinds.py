"""Body kinds are data: the seeded Kazakh kinds decide what the levels decided, other kinds
follow their own row, and districts known by a code rather than a number show the code."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from recall.errors import Forbidden, Invalid
from recall.extensions import db
from recall.models import AuditEntry, BodyKind, BodyLevel, MandateType
from recall.services.deputies import body_kinds
from recall.services.rules import recall_rules

TODAY = date(2024, 6, 1)


def test_seeded_kinds_carry_the_kazakh_rules(app, make):
    mazhilis = body_kinds.get_kind(BodyLevel.MAZHILIS)
    district = body_kinds.get_kind(BodyLevel.DISTRICT_MASLIKHAT)
    assert (mazhilis.list_seats_percent, district.list_seats_percent) == (70, 0)
    assert mazhilis.name_in("ru") == "Мажилис" and mazhilis.name_in("en") == "Mazhilis"
    # Another language falls back as every name does (ru, kk, en), not to English first.
    assert mazhilis.name_in("de") == "Мажилис"
    body = make.body(kind=BodyLevel.OBLAST_MASLIKHAT, seats_total=32, seats_party_list=16)
    assert body.jurisdiction == "Kazakhstan"  # the kind's
    assert recall_rules.rule_version_in_force(body).key == "kz_maslikhat_single_mandate"
    listed = make.deputy(mandate_type=MandateType.PARTY_LIST, body=body)
    assert recall_rules.deputy_eligibility(listed, today=TODAY).reason_code == "party_list"


def test_a_kind_of_another_country_runs_under_its_jurisdictions_rule(app, make):
    kind = body_kinds.add_kind(
        "uk_house_of_commons",
        {"en": "House of Commons"},
        "United Kingdom",
        list_deputies_recallable=True,
    )
    body = make.body(kind=kind, seats_total=650, seats_party_list=0)
    assert body.jurisdiction == "United Kingdom"
    assert recall_rules.rule_version_in_force(body).key == "uk_recall_of_mps_2015"
    district = make.district(body, number=None, code="E14000530", name="Hackney South")
    mp = make.deputy(district, term_start=date(2019, 12, 12), term_end=date(2024, 5, 30))
    assert recall_rules.deputy_eligibility(mp, today=date(2023, 1, 5)).allowed
    assert district.designation == "E14000530"


def test_a_body_without_any_rule_hosts_no_petition_until_one_is_assigned(app, make):
    kind = body_kinds.add_kind(
        "ng_house", {"en": "House of Representatives"}, "Nigeria", new_jurisdiction=True
    )
    body = make.body(kind=kind, seats_total=360, seats_party_list=0)
    deputy = make.deputy(make.district(body, number=None, code="ekiti_central,_ekiti_state"))
    eligibility = recall_rules.deputy_eligibility(deputy, today=TODAY)
    assert (eligibility.allowed, eligibility.reason_code) == (False, "no_rule")
    with pytest.raises(Invalid):
        recall_rules.rule_version_in_force(body)
    # A kind may name an edited rule of its own as its default.
    kind.default_rule_key = "taiwan"
    assert recall_rules.rule_version_in_force(body).key == "taiwan"


def test_add_kind_refuses_what_it_cannot_use(app):
    body_kinds.add_kind("council", {"en": "Council"}, "Taiwan")
    kinds = db.session.scalar(sa.select(sa.func.count()).select_from(BodyKind))
    for args, kwargs, field in (
        (("council", {"en": "Again"}, "Taiwan"), {}, "code"),
        (("x", {"en": ""}, "Taiwan"), {}, "names"),
        (("x", {"en": "X"}, " "), {}, "jurisdiction"),
        (("x", {"en": "X"}, "Taiwan"), {"list_seats_percent": 101}, "list_seats_percent"),
        (("x", {"en": "X"}, "Taiwan"), {"default_rule_key": "nope"}, "default_rule_key"),
    ):
        with pytest.raises(Invalid) as caught:
            body_kinds.add_kind(*args, **kwargs)
        assert caught.value.field == field
        assert db.session.scalar(sa.select(sa.func.count()).select_from(BodyKind)) == kinds


def test_pages_and_api_show_the_code_where_a_district_has_no_number(app, client, make):
    kind = body_kinds.add_kind("uk_commons", {"en": "House of Commons"}, "United Kingdom")
    body = make.body(kind=kind, seats_total=650, seats_party_list=0)
    district = make.district(body, number=None, code="E14000530", name="Hackney South")
    numbered = make.district(body, number=7, name="Seven")
    make.deputy(district, full_name="Meg Hillier")
    db.session.commit()
    assert numbered.code == "7"  # a district known by number gets it as its code
    page = client.get(f"/districts/{district.id}").get_data(as_text=True)
    assert "E14000530" in page
    listing = client.get(f"/deputies?body={body.id}").get_data(as_text=True)
    assert "E14000530" in listing and "Meg Hillier" in listing
    data = client.get(f"/api/v1/districts/{district.id}").get_json()
    assert (data["id"], data["code"], data["number"]) == (district.id, "E14000530", None)
    bodies = client.get("/api/v1/bodies", headers={"Accept-Language": "ru"}).get_json()["items"]
    ours = next(b for b in bodies if b["id"] == body.id)
    assert (ours["kind"], ours["kind_name"], ours["jurisdiction"]) == (
        "uk_commons",
        "House of Commons",
        "United Kingdom",
    )


def test_deputy_pages_follow_the_mandate_and_the_kind(app, client, make):
    open_lists = body_kinds.add_kind(
        "tw_legislature", {"en": "Legislative Yuan"}, "Taiwan", list_deputies_recallable=True
    )
    body = make.body(kind=open_lists, seats_total=113, seats_party_list=34)
    member = make.deputy(
        make.district(body, number=None, code="TPE-1"), mandate_type=MandateType.MULTI_MEMBER
    )
    listed = make.deputy(mandate_type=MandateType.PARTY_LIST, body=body)
    kz_listed = make.deputy(mandate_type=MandateType.PARTY_LIST)
    db.session.commit()
    assert "multi-member" in client.get(f"/deputies/{member.id}").get_data(as_text=True)
    note = "Deputies elected by party list cannot be recalled by voters"
    assert note not in client.get(f"/deputies/{listed.id}").get_data(as_text=True)
    assert note in client.get(f"/deputies/{kz_listed.id}").get_data(as_text=True)


def _kind_form(**changes) -> dict:
    form = {
        "code": "uk_commons",
        "name_kk": "Қауымдар палатасы",
        "name_ru": "Палата общин",
        "name_en": "House of Commons",
        "jurisdiction": "United Kingdom",
        "list_seats_percent": "0",
        "list_deputies_recallable": "y",
        "default_rule_key": "uk_recall_of_mps_2015",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def test_an_administrator_adds_and_edits_kinds_on_their_page(app, client, login, make):
    admin, citizen = make.user(is_admin=True), make.user()
    db.session.commit()
    login(citizen)
    assert client.get("/admin/kinds").status_code == 403
    assert client.post("/admin/kinds/new", data=_kind_form()).status_code == 403
    login(admin)
    assert 'href="/admin/kinds"' in client.get("/").get_data(as_text=True)  # the admin's nav
    bad = client.post("/admin/kinds/new", data=_kind_form(list_seats_percent="120"))
    assert bad.status_code == 422 and "0 to 100 percent" in bad.get_data(as_text=True)
    bad = client.post("/admin/kinds/new", data=_kind_form(default_rule_key="no_such_rule"))
    assert bad.status_code == 422 and "No recall rule no_such_rule" in bad.get_data(as_text=True)
    assert body_kinds.find_kind("uk_commons") is None
    assert client.post("/admin/kinds/new", data=_kind_form()).status_code == 303
    kind = body_kinds.find_kind("uk_commons")
    assert (kind.names["kk"], kind.jurisdiction, kind.list_deputies_recallable) == (
        "Қауымдар палатасы",
        "United Kingdom",
        True,
    )
    assert client.post("/admin/kinds/new", data=_kind_form()).status_code == 422  # code taken
    # Russian readers see the Russian name in the list.
    client.get("/lang/ru")
    assert "Палата общин" in client.get("/admin/kinds").get_data(as_text=True)

    kind.names = {**kind.names, "de": "Unterhaus"}  # a name Popolo brought stays
    db.session.commit()
    edit = f"/admin/kinds/{kind.id}"
    assert "Палата общин" in client.get(edit).get_data(as_text=True)
    saved = client.post(
        edit,
        data=_kind_form(
            code=None, name_ru="", list_seats_percent="", list_deputies_recallable=None
        ),
    )
    assert saved.status_code == 303
    db.session.expire_all()
    kind = body_kinds.find_kind("uk_commons")
    assert kind.names == {"kk": "Қауымдар палатасы", "en": "House of Commons", "de": "Unterhaus"}
    assert (kind.list_seats_percent, kind.list_deputies_recallable) == (None, False)
    actions = db.session.execute(
        sa.select(AuditEntry.action, AuditEntry.actor_id).where(
            AuditEntry.subject_type == "body_kind"
        )
    ).all()
    assert actions == [("body_kind.added", admin.id), ("body_kind.changed", admin.id)]
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "body_kind.changed")
    ).one()
    assert entry.payload["before"]["list_seats_percent"] == 0
    assert entry.payload["after"]["list_seats_percent"] is None
    assert client.get("/admin/kinds/999999").status_code == 404


def test_only_an_administrator_changes_a_kind_through_the_service(app, make):
    kind = body_kinds.add_kind(
        "ng_house", {"en": "House of Representatives"}, "Nigeria", new_jurisdiction=True
    )
    with pytest.raises(Forbidden):
        body_kinds.update_kind(make.user(), kind.id, {"en": "X"}, "Nigeria", None, False, None)
    with pytest.raises(Invalid) as no_name:
        body_kinds.update_kind(None, kind.id, {"en": ""}, "Nigeria", None, False, None)
    assert no_name.value.field == "names"
    assert body_kinds.find_kind("ng_house").names == {"en": "House of Representatives"}


def test_a_jurisdiction_is_one_the_app_knows_or_declared_new(app, make, runner):
    with pytest.raises(Invalid) as typo:
        body_kinds.add_kind("uk", {"en": "Commons"}, "United Kingdon")
    assert typo.value.field == "jurisdiction" and "United Kingdom" in typo.value.message
    # Case and spacing as the app spells it.
    assert body_kinds.add_kind("uk", {"en": "C"}, " united  KINGDOM").jurisdiction == (
        "United Kingdom"
    )
    # A new one only on purpose; from then on the kind makes it known.
    assert "Nigeria" not in body_kinds.known_jurisdictions()
    body_kinds.add_kind("ng", {"en": "House"}, "Nigeria", new_jurisdiction=True)
    assert body_kinds.add_kind("ng2", {"en": "Senate"}, "nigeria").jurisdiction == "Nigeria"
    ng = body_kinds.find_kind("ng")
    with pytest.raises(Invalid):
        body_kinds.update_kind(None, ng.id, {}, "Narnia", None, False, None)
    # A rule copy naming a jurisdiction makes it known too.
    admin = make.user(is_admin=True)
    preset = recall_rules.ensure_preset_rules()[0]
    recall_rules.copy_rule(
        admin, preset.id, {**preset.data, "key": "gh_copy", "jurisdiction": "Ghana"}
    )
    assert "Ghana" in body_kinds.known_jurisdictions()
    db.session.commit()

    typo = runner.invoke(
        args=["deputies", "add-kind", "x", "--name", "en=X", "--jurisdiction", "Taiwn"]
    )
    assert typo.exit_code == 1 and "Unknown jurisdiction Taiwn" in typo.output
    new = ["deputies", "add-kind", "x", "--name", "en=X", "--jurisdiction", "Narnia"]
    assert runner.invoke(args=[*new, "--new-jurisdiction"]).exit_code == 0
    listed = runner.invoke(args=["deputies", "kinds"]).output
    assert "Jurisdictions: " in listed and "Narnia" in listed.split("Jurisdictions: ")[1]


def test_the_kind_form_offers_known_jurisdictions_and_a_new_one(app, client, login, make):
    login(make.user(is_admin=True))
    db.session.commit()
    page = client.get("/admin/kinds/new").get_data(as_text=True)
    assert '<option value="Taiwan">Taiwan</option>' in page and "__new__" in page
    bad = client.post("/admin/kinds/new", data=_kind_form(jurisdiction="Atlantis"))
    assert bad.status_code == 422 and "Unknown jurisdiction Atlantis" in bad.get_data(as_text=True)
    made = client.post(
        "/admin/kinds/new",
        data=_kind_form(jurisdiction="__new__", new_jurisdiction="Atlantis", default_rule_key=""),
    )
    assert made.status_code == 303
    assert body_kinds.find_kind("uk_commons").jurisdiction == "Atlantis"
