"""Tests for recall.rules.recall_rules: DOMAIN.md sections 1 and 3."""

import dataclasses
import json
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from recall.rules.recall_rules import (
    PRESETS,
    Band,
    Eligibility,
    InvalidRule,
    RecallRule,
    VoteOutcome,
    band_for,
    decide_recall_vote,
    recall_eligibility,
    required_signatures,
    signing_period_days,
)

KZ = PRESETS["kz_mazhilis_single_mandate"]
KZ_MASLIKHAT = PRESETS["kz_maslikhat_single_mandate"]
UK = PRESETS["uk_recall_of_mps_2015"]
CA = PRESETS["california_local"]
PH = PRESETS["philippines_ra_9244"]
TW = PRESETS["taiwan"]


# ------------------------------------------------------------------ presets


def test_preset_keys() -> None:
    assert set(PRESETS) == {
        "kz_mazhilis_single_mandate",
        "kz_maslikhat_single_mandate",
        "uk_recall_of_mps_2015",
        "california_local",
        "philippines_ra_9244",
        "taiwan",
    }
    for key, rule in PRESETS.items():
        assert rule.key == key
        assert rule.legal_source.strip()


@pytest.mark.parametrize("rule", [KZ, KZ_MASLIKHAT])
def test_kazakhstan_presets(rule: RecallRule) -> None:
    assert rule.recallable_mandates == ("single_mandate",)
    assert rule.threshold_bands == (Band(max_voters=None, percent=Decimal("30")),)
    assert rule.signing_days == 30
    assert rule.min_initiative_group == 10
    assert rule.verification_method == "full_count"
    assert rule.vote_turnout_quorum == Fraction(1, 3)
    assert rule.vote_majority == "more_than_half_of_votes"
    assert "113-16" in rule.legal_source
    assert "13-2" in rule.legal_source
    # Press-reported or unknown values are flagged; the confirmed vote is not.
    assert {
        "threshold_bands",
        "signing_days",
        "min_initiative_group",
        "verification_method",
    } <= rule.unverified_fields
    assert not {"vote_turnout_quorum", "vote_majority", "recallable_mandates"} & (
        rule.unverified_fields
    )


def test_uk_preset() -> None:
    assert UK.threshold_bands == (Band(max_voters=None, percent=Decimal("10")),)
    assert UK.signing_days == 42
    assert UK.withdrawal_allowed is False
    assert UK.running_count_public is False
    assert UK.vote_majority == "petition_decides"


def test_california_preset_flags() -> None:
    assert CA.withdrawal_allowed is True
    assert CA.running_count_public is True
    assert CA.verification_method == "random_sample"
    assert (CA.sample_percent, CA.sample_minimum) == (Decimal("5"), 500)
    assert (CA.full_count_upper, CA.full_count_lower) == (Decimal("1.10"), Decimal("0.90"))


def test_taiwan_preset() -> None:
    assert TW.lockout_first_days == 365
    assert TW.threshold_bands == (Band(max_voters=None, percent=Decimal("10")),)
    assert "1%" in TW.legal_source and "1%" in TW.notes
    assert TW.vote_majority == "yes_gt_no_and_yes_ge_quarter_electorate"


def test_philippines_signing_period_is_flagged_unverified() -> None:
    assert "signing_days" in PH.unverified_fields


# --------------------------------------------------------------- thresholds


@pytest.mark.parametrize(
    ("electorate", "percent", "required", "days"),
    [
        (0, 30, 0, 40),
        (1, 30, 1, 40),
        (999, 30, 300, 40),  # 299.7 rounds up
        (1_000, 25, 250, 60),
        (4_999, 25, 1_250, 60),  # 1,249.75
        (5_000, 25, 1_250, 90),  # filing period changes at 5,000 (11220)
        (9_999, 25, 2_500, 90),  # 2,499.75
        (10_000, 20, 2_000, 120),
        (49_999, 20, 10_000, 120),  # 9,999.8
        (50_000, 15, 7_500, 160),
        (99_999, 15, 15_000, 160),  # 14,999.85
        (100_000, 10, 10_000, 160),
        (1_234_567, 10, 123_457, 160),
    ],
)
def test_california_bands(electorate: int, percent: int, required: int, days: int) -> None:
    assert band_for(CA, electorate).percent == Decimal(percent)
    assert required_signatures(CA, electorate) == required
    assert signing_period_days(CA, electorate) == days


@pytest.mark.parametrize(
    ("electorate", "required"),
    [
        (1_000, 250),
        (20_000, 5_000),  # 25% band, exactly 5,000
        (20_001, 5_000),  # 20% is 4,000.2; the 5,000 floor wins
        (25_000, 5_000),  # 20% is exactly 5,000
        (25_001, 5_001),  # 20% is 5,000.2, above the floor
        (75_000, 15_000),
        (80_000, 15_000),  # 15% is 12,000; the 15,000 floor wins
        (100_001, 15_001),  # 15,000.15
        (300_000, 45_000),
        (300_001, 45_000),  # 10% is 30,000.1; the 45,000 floor wins
        (400_000, 45_000),  # 10% is 40,000; floor wins
        (450_001, 45_001),  # 45,000.1
    ],
)
def test_philippine_bands_and_floors(electorate: int, required: int) -> None:
    assert required_signatures(PH, electorate) == required


@pytest.mark.parametrize(
    ("electorate", "required"),
    [(70_000, 7_000), (70_001, 7_001), (70_010, 7_001), (70_011, 7_002)],
)
def test_uk_ten_percent(electorate: int, required: int) -> None:
    assert required_signatures(UK, electorate) == required
    assert signing_period_days(UK, electorate) == 42


@pytest.mark.parametrize(
    ("electorate", "required"),
    [(100_000, 30_000), (100_001, 30_001), (415_000, 124_500), (3, 1)],
)
def test_kazakhstan_thirty_percent(electorate: int, required: int) -> None:
    assert required_signatures(KZ, electorate) == required
    assert signing_period_days(KZ, electorate) == 30


def test_percent_arithmetic_is_exact() -> None:
    # 12.3% of 1,000 is exactly 123; in floats 12.3 / 100 * 1000 is
    # 123.00000000000001, whose ceiling would be 124.
    rule = dataclasses.replace(
        UK, threshold_bands=(Band(max_voters=None, percent=Decimal("12.3")),)
    )
    assert required_signatures(rule, 1_000) == 123
    assert required_signatures(rule, 1_001) == 124


@pytest.mark.parametrize("bad", [-1, True, 1.5, "100"])
def test_electorate_must_be_a_count(bad: Any) -> None:
    with pytest.raises(ValueError):
        required_signatures(UK, bad)


# -------------------------------------------------------------- eligibility

START = date(2023, 3, 29)
END = date(2028, 3, 28)


@pytest.mark.parametrize(
    ("rule", "mandate", "on", "expected"),
    [
        (KZ, "party_list", START + timedelta(days=400), Eligibility(False, "mandate_type")),
        (KZ, "single_mandate", START, Eligibility(True, None)),
        (KZ, "single_mandate", END, Eligibility(True, None)),
        (KZ, "single_mandate", START - timedelta(days=1), Eligibility(False, "term_not_started")),
        (KZ, "single_mandate", END + timedelta(days=1), Eligibility(False, "term_over")),
        # Taiwan: not within the first year (365 days).
        (TW, "single_mandate", START, Eligibility(False, "lockout_start")),
        (TW, "single_mandate", START + timedelta(days=364), Eligibility(False, "lockout_start")),
        (TW, "single_mandate", START + timedelta(days=365), Eligibility(True, None)),
        (TW, "party_list", START + timedelta(days=400), Eligibility(False, "mandate_type")),
        # UK: 183-day lock-out before the end of the term.
        (UK, "single_mandate", END - timedelta(days=183), Eligibility(True, None)),
        (UK, "single_mandate", END - timedelta(days=182), Eligibility(False, "lockout_end")),
        (UK, "single_mandate", END, Eligibility(False, "lockout_end")),
        # Philippines: both windows.
        (PH, "executive", START + timedelta(days=364), Eligibility(False, "lockout_start")),
        (PH, "executive", START + timedelta(days=365), Eligibility(True, None)),
        (PH, "executive", END - timedelta(days=365), Eligibility(True, None)),
        (PH, "executive", END - timedelta(days=364), Eligibility(False, "lockout_end")),
    ],
)
def test_recall_eligibility(
    rule: RecallRule, mandate: str, on: date, expected: Eligibility
) -> None:
    assert recall_eligibility(rule, mandate, START, END, on) == expected


def test_start_lockout_reported_when_windows_overlap() -> None:
    short_end = START + timedelta(days=400)
    assert recall_eligibility(PH, "executive", START, short_end, START + timedelta(days=100)) == (
        Eligibility(False, "lockout_start")
    )


def test_eligibility_rejects_reversed_term() -> None:
    with pytest.raises(ValueError):
        recall_eligibility(KZ, "single_mandate", END, START, END)


# ---------------------------------------------------------------- the vote


@pytest.mark.parametrize(
    ("registered", "turnout", "yes", "no", "expected"),
    [
        # Exactly one third takes part: valid.
        (999, 333, 200, 133, VoteOutcome(True, True, "recalled")),
        # One voter fewer: invalid, even with every vote for recall.
        (999, 332, 332, 0, VoteOutcome(False, False, "turnout_below_quorum")),
        # 1/3 of 1,000 is 333 1/3: 333 is just below, 334 is enough.
        (1_000, 333, 333, 0, VoteOutcome(False, False, "turnout_below_quorum")),
        (1_000, 334, 334, 0, VoteOutcome(True, True, "recalled")),
        # Exactly 50% yes is not "more than 50%".
        (1_000, 400, 200, 200, VoteOutcome(False, True, "yes_not_more_than_half")),
        (1_000, 400, 201, 199, VoteOutcome(True, True, "recalled")),
        # Blank and spoilt ballots count among those who took part.
        (1_000, 400, 199, 150, VoteOutcome(False, True, "yes_not_more_than_half")),
        (1_000, 401, 201, 150, VoteOutcome(True, True, "recalled")),
    ],
)
def test_kazakh_recall_vote(
    registered: int, turnout: int, yes: int, no: int, expected: VoteOutcome
) -> None:
    assert decide_recall_vote(KZ, registered, turnout, yes, no) == expected


@pytest.mark.parametrize(
    ("yes", "no", "expected"),
    [
        (250, 249, VoteOutcome(True, True, "recalled")),  # exactly a quarter
        (249, 100, VoteOutcome(False, True, "yes_below_quarter_of_electorate")),
        (300, 300, VoteOutcome(False, True, "yes_not_more_than_no")),
        (300, 301, VoteOutcome(False, True, "yes_not_more_than_no")),
    ],
)
def test_taiwan_vote(yes: int, no: int, expected: VoteOutcome) -> None:
    # No turnout quorum: 600 of 1,000 voting is irrelevant to validity.
    assert decide_recall_vote(TW, 1_000, 601, yes, no) == expected


@pytest.mark.parametrize(
    ("rule", "yes", "no", "recalled"),
    [(CA, 10, 9, True), (CA, 10, 10, False), (PH, 51, 50, True), (PH, 50, 51, False)],
)
def test_plain_majority_votes(rule: RecallRule, yes: int, no: int, recalled: bool) -> None:
    # California counts only votes on the question; turnout 100 does not matter.
    outcome = decide_recall_vote(rule, 1_000, 101, yes, no)
    assert (outcome.recalled, outcome.valid) == (recalled, True)


def test_votes_that_elected_rule() -> None:
    venezuela_like = dataclasses.replace(
        KZ,
        key="venezuela_like",
        vote_turnout_quorum=Fraction(1, 4),
        vote_majority="yes_ge_votes_that_elected",
    )
    assert decide_recall_vote(venezuela_like, 1_000, 300, 120, 100, votes_that_elected=120) == (
        VoteOutcome(True, True, "recalled")
    )
    assert decide_recall_vote(venezuela_like, 1_000, 300, 119, 100, votes_that_elected=120) == (
        VoteOutcome(False, True, "yes_below_votes_that_elected")
    )
    assert decide_recall_vote(venezuela_like, 1_000, 249, 200, 0, votes_that_elected=120) == (
        VoteOutcome(False, False, "turnout_below_quorum")
    )
    with pytest.raises(ValueError):
        decide_recall_vote(venezuela_like, 1_000, 300, 120, 100)


def test_petition_decides_has_no_vote() -> None:
    with pytest.raises(ValueError):
        decide_recall_vote(UK, 1_000, 500, 300, 200)


@pytest.mark.parametrize(
    ("registered", "turnout", "yes", "no"),
    [
        (0, 0, 0, 0),
        (100, 101, 50, 50),
        (100, 50, 30, 21),
        (100, 50, -1, 0),
        (100, 50, True, 0),
    ],
)
def test_vote_rejects_inconsistent_counts(registered: int, turnout: int, yes: int, no: int) -> None:
    with pytest.raises(ValueError):
        decide_recall_vote(KZ, registered, turnout, yes, no)


# ----------------------------------------------------- serialisation round trip


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_presets_round_trip_through_json(key: str) -> None:
    rule = PRESETS[key]
    text = json.dumps(rule.to_dict())
    assert RecallRule.from_dict(json.loads(text)) == rule


def test_to_dict_uses_exact_strings() -> None:
    data = KZ.to_dict()
    assert data["schema_version"] == 1
    assert data["threshold_bands"] == [
        {"max_voters": None, "percent": "30", "floor": 0, "signing_days": None}
    ]
    assert data["vote_turnout_quorum"] == "1/3"
    assert data["full_count_upper"] == "1.10"
    assert data["unverified_fields"] == sorted(KZ.unverified_fields)
    ph = PH.to_dict()["threshold_bands"]
    assert ph[1] == {"max_voters": 75_000, "percent": "20", "floor": 5_000, "signing_days": None}


def test_from_dict_accepts_integer_percent_and_defaults() -> None:
    data = UK.to_dict()
    data["threshold_bands"][0]["percent"] = 10
    for optional in ("notes", "full_count_upper", "full_count_lower", "schema_version"):
        del data[optional]
    rule = RecallRule.from_dict(data)
    assert rule.threshold_bands[0].percent == Decimal(10)
    assert rule.notes == ""
    assert rule.full_count_upper == Decimal("1.10")


def _set(path: str, value: Any) -> Any:
    """A mutation of CA.to_dict(): path like 'a' or 'threshold_bands.1.percent'."""

    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if isinstance(target, list):
            target[int(last)] = value
        elif value is _DELETE:
            del target[last]
        else:
            target[last] = value

    return mutate


_DELETE = object()


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (_set("threshold_bands.0.percent", "-5"), "threshold_bands[0].percent"),
        (_set("threshold_bands.0.percent", "0"), "threshold_bands[0].percent"),
        (_set("threshold_bands.0.percent", "100.01"), "threshold_bands[0].percent"),
        (_set("threshold_bands.0.percent", 30.0), "threshold_bands[0].percent"),
        (_set("threshold_bands.0.percent", "thirty"), "threshold_bands[0].percent"),
        (_set("threshold_bands.0.percent", "NaN"), "threshold_bands[0].percent"),
        (_set("threshold_bands.0.percent", _DELETE), "threshold_bands[0].percent"),
        (_set("threshold_bands.1.max_voters", 999), "threshold_bands[1].max_voters"),
        (_set("threshold_bands.2.max_voters", 100), "threshold_bands[2].max_voters"),
        (_set("threshold_bands.0.max_voters", None), "threshold_bands[0].max_voters"),
        (_set("threshold_bands.5.max_voters", 10**9), "threshold_bands[5].max_voters"),
        (_set("threshold_bands.0.floor", -1), "threshold_bands[0].floor"),
        (_set("threshold_bands.0.signing_days", 0), "threshold_bands[0].signing_days"),
        (_set("threshold_bands.0.extra", 1), "threshold_bands[0].extra"),
        (_set("threshold_bands", []), "threshold_bands"),
        (_set("threshold_basis", "population"), "threshold_basis"),
        (_set("verification_method", "vibes"), "verification_method"),
        (_set("vote_majority", "two_thirds"), "vote_majority"),
        (_set("recallable_mandates", ["senator"]), "recallable_mandates"),
        (_set("recallable_mandates", []), "recallable_mandates"),
        (_set("recallable_mandates", ["executive", "executive"]), "recallable_mandates"),
        (_set("lockout_first_days", -1), "lockout_first_days"),
        (_set("lockout_last_days", "0"), "lockout_last_days"),
        (_set("signing_days", 0), "signing_days"),
        (_set("min_initiative_group", True), "min_initiative_group"),
        (_set("withdrawal_allowed", 1), "withdrawal_allowed"),
        (_set("sample_percent", None), "sample_percent"),
        (_set("sample_minimum", None), "sample_minimum"),
        (_set("sample_percent", "101"), "sample_percent"),
        (_set("full_count_lower", "1.2"), "full_count_lower"),
        (_set("full_count_upper", "0.95"), "full_count_lower"),
        (_set("full_count_upper", "-1"), "full_count_upper"),
        (_set("vote_turnout_quorum", "4/3"), "vote_turnout_quorum"),
        (_set("vote_turnout_quorum", "0"), "vote_turnout_quorum"),
        (_set("vote_turnout_quorum", "1/0"), "vote_turnout_quorum"),
        (_set("vote_turnout_quorum", 0.25), "vote_turnout_quorum"),
        (_set("unverified_fields", ["signing_dayz"]), "unverified_fields"),
        (_set("key", "California Local"), "key"),
        (_set("name", ""), "name"),
        (_set("legal_source", "   "), "legal_source"),
        (_set("name", _DELETE), "name"),
        (_set("colour", "red"), "colour"),
        (_set("schema_version", 2), "schema_version"),
    ],
)
def test_from_dict_rejects_bad_values(mutate: Any, field: str) -> None:
    data = CA.to_dict()
    mutate(data)
    with pytest.raises(InvalidRule) as exc:
        RecallRule.from_dict(data)
    assert exc.value.field == field
    assert isinstance(exc.value, ValueError)


def test_from_dict_rejects_non_mapping() -> None:
    with pytest.raises(InvalidRule):
        RecallRule.from_dict(["not", "a", "rule"])  # type: ignore[arg-type]


def test_construction_validates_too() -> None:
    with pytest.raises(InvalidRule) as exc:
        dataclasses.replace(KZ, vote_turnout_quorum=Decimal("0.3333"))  # type: ignore[arg-type]
    assert exc.value.field == "vote_turnout_quorum"
    with pytest.raises(InvalidRule) as exc:
        dataclasses.replace(KZ, threshold_bands=(Band(max_voters=None, percent=30),))  # type: ignore[arg-type]
    assert exc.value.field == "threshold_bands[0].percent"


def test_full_count_rule_needs_no_sample_settings() -> None:
    assert KZ.sample_percent is None and KZ.sample_minimum is None
    with pytest.raises(InvalidRule) as exc:
        dataclasses.replace(KZ, verification_method="random_sample")
    assert exc.value.field == "sample_percent"
