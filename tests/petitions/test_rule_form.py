"""The rule form builds every preset, and rules no preset has, without code: signing channels,
what decides the recall and the vote's conditions, the full-count size, the deputy's answer."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.models import RecallRuleVersion, Role
from recall.rules.recall_rules import approval, decide_recall_vote, required_signatures
from recall.rules.rule_presets import PRESETS
from recall.services.rules import recall_rules
from recall.web.rules.forms import conditions_from_text, conditions_to_text, form_values_from_rule


def _post_data(values: dict) -> dict:
    """Form values as a browser posts them: unchecked boxes and empty fields left out."""
    return {k: v for k, v in values.items() if v is not None and v is not False and v != ""}


@pytest.fixture
def admin(client, login, make):
    user = make.user(role=Role.ADMIN)
    recall_rules.ensure_preset_rules()
    db.session.commit()
    login(user)
    return user


def _preset_version(key: str) -> RecallRuleVersion:
    return db.session.scalars(
        sa.select(RecallRuleVersion).filter_by(key=key).order_by(RecallRuleVersion.version.desc())
    ).first()


def _store(client, based_on: RecallRuleVersion, values: dict):
    return client.post(f"/admin/rules/{based_on.id}/copy", data=_post_data(values))


def _stored(key: str):
    return _preset_version(key).to_rule()


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_every_preset_can_be_built_from_the_form(client, admin, key):
    # Start from another preset, so every value has to come through the form.
    other = _preset_version(
        "kz_mazhilis_single_mandate" if key != "kz_mazhilis_single_mandate" else "taiwan"
    )
    values = form_values_from_rule(_preset_version(key))
    values["key"] = f"{key}_rebuilt"
    response = _store(client, other, values)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert _stored(f"{key}_rebuilt") == dataclasses.replace(PRESETS[key], key=f"{key}_rebuilt")


def test_a_rule_no_preset_has(client, admin):
    """A petition threshold above half the electorate; recalled by a majority of all registered."""
    kz = _preset_version("kz_mazhilis_single_mandate")
    values = form_values_from_rule(kz)
    values.update(
        key="supermajority",
        threshold_bands="- 60 0 -",
        vote_conditions="approval 1/2 registered strict",
        signing_channels=["online_strong", "in_person"],
        full_count_max_signatures="1000",
        deputy_answer_max_words="300",
        deputy_answer_days="10",
    )
    assert _store(client, kz, values).status_code == 303
    rule = _stored("supermajority")
    assert required_signatures(rule, 1001) == 601  # ceil(600.6)
    assert rule.vote_conditions == (approval(Fraction(1, 2), "registered", strict=True),)
    assert rule.signing_channels == ("online_strong", "in_person")
    assert (rule.full_count_max_signatures, rule.deputy_answer_max_words) == (1000, 300)
    # 500 of 1000 registered is not more than half; 501 is, even with most staying home.
    assert not decide_recall_vote(rule, 1000, 600, 500, 100).recalled
    assert decide_recall_vote(rule, 1000, 501, 501, 0).recalled


def test_shares_up_to_a_hundred_percent(client, admin):
    kz = _preset_version("kz_mazhilis_single_mandate")
    values = form_values_from_rule(kz)
    values.update(key="everyone", threshold_bands="- 100 0 -")
    assert _store(client, kz, values).status_code == 303
    assert required_signatures(_stored("everyone"), 777) == 777
    values.update(key="too_many", threshold_bands="- 100.01 0 -")
    bad = _store(client, kz, values)
    assert bad.status_code == 422
    assert "must not be more than 100" in bad.get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"vote_conditions": "majority 1/2"}, "Line 1: a condition is one of"),
        ({"vote_conditions": "approval 1/2 everyone"}, "Line 1: write"),
        ({"vote_conditions": "turnout_quorum 3/2"}, "vote_conditions[0].share"),
        ({"vote_conditions": ""}, "give at least one condition"),
        ({"decided_by": "petition"}, "must be empty when the petition decides"),
        ({"signing_channels": []}, "give at least one way to sign"),
        ({"deputy_answer_max_words": "200"}, "give both the answer"),
    ],
)
def test_bad_rule_form_values_are_refused(client, admin, changes, message):
    kz = _preset_version("kz_mazhilis_single_mandate")
    values = form_values_from_rule(kz)
    values.update(key="bad_copy", **changes)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(RecallRuleVersion))
    response = _store(client, kz, values)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecallRuleVersion)) == before


def test_conditions_text_round_trips():
    for rule in PRESETS.values():
        data = [c.to_dict() for c in rule.vote_conditions]
        assert conditions_from_text(conditions_to_text(data)) == data


def test_rule_page_shows_channels_and_answer(client, admin):
    ca = _preset_version("california_local")
    html = client.get(f"/admin/rules/{ca.id}").get_data(as_text=True)
    assert "How voters may sign" in html and "paper sheet" in html
    assert "up to 200 words, filed within 7 days" in html


def test_one_set_of_channel_checkboxes_says_how_identity_is_confirmed(client, admin):
    kz = _preset_version("kz_mazhilis_single_mandate")
    html = client.get(f"/admin/rules/{kz.id}/copy").get_data(as_text=True)
    assert html.count('name="signing_channels"') == 6 and "identity_providers" not in html
    assert "online (e-mail confirmation)" in html and "online (digital signature)" in html
    # A version stored under schema 3 fills the form with the channels it allowed.
    legacy = RecallRuleVersion(
        key="legacy",
        version=1,
        name="legacy",
        is_preset=False,
        data=dict(kz.data, key="legacy", schema_version=3, identity_providers=["online_strong"]),
    )
    assert form_values_from_rule(legacy)["signing_channels"] == ["online_strong", "paper"]
