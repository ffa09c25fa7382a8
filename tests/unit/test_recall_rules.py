"""Tests for recall.rules.recall_rules: DOMAIN.md sections 1 and 3."""

import dataclasses
import json
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from recall.rules.recall_rules import (
    DEFAULT_SIGNING_CHANNELS,
    SCHEMA_VERSION,
    SIGNING_CHANNELS,
    VOTE_REASONS,
    YES_AT_LEAST_VOTES_THAT_ELECTED,
    YES_MORE_THAN_NO,
    Band,
    Eligibility,
    InvalidRule,
    RecallRule,
    VoteCondition,
    VoteOutcome,
    approval,
    band_for,
    condition_reason,
    decide_recall_vote,
    recall_eligibility,
    required_signatures,
    rule_data_to_schema_4,
    signing_period_days,
    stored_signing_channels,
    turnout_quorum,
)
from recall.rules.rule_presets import PRESETS

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
    assert not {"vote_conditions", "decided_by", "recallable_mandates"} & rule.unverified_fields
    assert rule.vote_conditions == (
        turnout_quorum(Fraction(1, 3)),
        approval(Fraction(1, 2), "turnout", strict=True),
    )


def test_uk_preset() -> None:
    assert UK.threshold_bands == (Band(max_voters=None, percent=Decimal("10")),)
    assert UK.signing_days == 42
    assert UK.withdrawal_allowed is False
    assert UK.running_count_public is False
    assert UK.vote_majority == "petition_decides"
    assert (UK.decided_by, UK.vote_conditions) == ("petition", ())


def test_california_preset_flags() -> None:
    assert CA.withdrawal_allowed is True
    assert CA.running_count_public is True
    assert CA.verification_method == "random_sample"
    assert (CA.sample_percent, CA.sample_minimum) == (Decimal("5"), 500)
    assert (CA.full_count_upper, CA.full_count_lower) == (Decimal("1.10"), Decimal("0.90"))
    # EC 11225(a): 500 signatures or fewer are all examined.
    assert CA.full_count_max_signatures == 500
    assert CA.uses_full_count(500) and not CA.uses_full_count(501)
    assert KZ.uses_full_count(10**6)


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
# One table of worked cases per preset: one vote below, at and one above each boundary. A row is
# (registered, turnout, yes, no, expected outcome).

R = "recalled"


def _out(*failed: str) -> VoteOutcome:
    """The expected outcome: recalled when nothing failed, else the failing reasons in order."""
    if not failed:
        return VoteOutcome(True, True, R)
    valid = "turnout_below_quorum" not in failed
    return VoteOutcome(False, valid, failed[0] if valid else "turnout_below_quorum", failed)


KZ_CASES = [
    # Quorum 1/3 of 999 is exactly 333: at the boundary valid, one below invalid.
    (999, 333, 200, 133, _out()),
    (999, 332, 332, 0, _out("turnout_below_quorum")),
    (999, 334, 200, 134, _out()),
    # 1/3 of 1,000 is 333 1/3: 333 is just below, 334 is enough.
    (1_000, 333, 333, 0, _out("turnout_below_quorum")),
    (1_000, 334, 334, 0, _out()),
    # More than 1/2 of those who took part: at exactly 1/2 not recalled.
    (1_000, 400, 199, 201, _out("yes_not_above_share_of_turnout")),
    (1_000, 400, 200, 200, _out("yes_not_above_share_of_turnout")),
    (1_000, 400, 201, 199, _out()),
    # Blank and spoilt ballots count among those who took part.
    (1_000, 400, 199, 150, _out("yes_not_above_share_of_turnout")),
    (1_000, 401, 201, 150, _out()),
    # Both conditions fail: both are named, the quorum first.
    (1_000, 300, 100, 200, _out("turnout_below_quorum", "yes_not_above_share_of_turnout")),
]

TW_CASES = [
    # At least 1/4 of 1,000 registered = 250, and yes > no; no turnout quorum.
    (1_000, 601, 249, 100, _out("yes_below_share_of_registered")),
    (1_000, 601, 250, 249, _out()),
    (1_000, 601, 251, 250, _out()),
    (1_000, 601, 300, 299, _out()),
    (1_000, 601, 300, 300, _out("yes_not_more_than_no")),
    (1_000, 601, 300, 301, _out("yes_not_more_than_no")),
    # 1/4 of 1,001 is 250 1/4: 250 is below, 251 is enough.
    (1_001, 600, 250, 0, _out("yes_below_share_of_registered")),
    (1_001, 600, 251, 0, _out()),
    (1_000, 600, 200, 300, _out("yes_not_more_than_no", "yes_below_share_of_registered")),
]

CA_CASES = [
    # Only votes on the question count; turnout and registered do not matter.
    (1_000, 101, 9, 10, _out("yes_not_more_than_no")),
    (1_000, 101, 10, 10, _out("yes_not_more_than_no")),
    (1_000, 101, 11, 10, _out()),
    (1_000, 1, 1, 0, _out()),
]

# Philippines: yes is the best challenger's votes, no the official's.
PH_CASES = [
    (1_000, 101, 49, 50, _out("yes_not_more_than_no")),
    (1_000, 101, 50, 50, _out("yes_not_more_than_no")),
    (1_000, 101, 51, 50, _out()),
]


@pytest.mark.parametrize(
    ("rule", "registered", "turnout", "yes", "no", "expected"),
    [(KZ, *c) for c in KZ_CASES]
    + [(KZ_MASLIKHAT, *c) for c in KZ_CASES]
    + [(TW, *c) for c in TW_CASES]
    + [(CA, *c) for c in CA_CASES]
    + [(PH, *c) for c in PH_CASES],
)
def test_preset_votes(
    rule: RecallRule, registered: int, turnout: int, yes: int, no: int, expected: VoteOutcome
) -> None:
    assert decide_recall_vote(rule, registered, turnout, yes, no) == expected


def _vote_rule(*conditions: VoteCondition) -> RecallRule:
    return dataclasses.replace(KZ, key="custom_vote", vote_conditions=conditions)


VENEZUELA_LIKE = _vote_rule(turnout_quorum(Fraction(1, 4)), YES_AT_LEAST_VOTES_THAT_ELECTED)


@pytest.mark.parametrize(
    ("turnout", "yes", "no", "expected"),
    [
        (300, 119, 100, _out("yes_below_votes_that_elected")),
        (300, 120, 100, _out()),
        (300, 121, 100, _out()),
        # Quorum 1/4 of 1,000 = 250, at least.
        (249, 200, 0, _out("turnout_below_quorum")),
        (250, 200, 0, _out()),
        (251, 200, 0, _out()),
    ],
)
def test_votes_that_elected_rule(turnout: int, yes: int, no: int, expected: VoteOutcome) -> None:
    assert decide_recall_vote(VENEZUELA_LIKE, 1_000, turnout, yes, no, 120) == expected


def test_votes_that_elected_is_required_when_a_condition_uses_it() -> None:
    with pytest.raises(ValueError):
        decide_recall_vote(VENEZUELA_LIKE, 1_000, 300, 120, 100)


@pytest.mark.parametrize(
    ("turnout", "yes", "no", "expected"),
    [
        # Approval by more than half of all 1,000 registered voters: 500 is not enough.
        (600, 499, 0, _out("yes_not_above_share_of_registered")),
        (600, 500, 0, _out("yes_not_above_share_of_registered")),
        (600, 501, 0, _out()),
        (1_000, 501, 499, _out()),
    ],
)
def test_majority_of_all_registered_voters(
    turnout: int, yes: int, no: int, expected: VoteOutcome
) -> None:
    rule = _vote_rule(approval(Fraction(1, 2), "registered", strict=True))
    assert decide_recall_vote(rule, 1_000, turnout, yes, no) == expected


@pytest.mark.parametrize(
    ("yes", "no", "expected"),
    [
        # Two thirds of the votes cast (yes + no), at least: 200 of 300 is exactly 2/3.
        (199, 101, _out("yes_below_share_of_votes_cast")),
        (200, 100, _out()),
        (201, 99, _out()),
    ],
)
def test_approval_share_of_votes_cast(yes: int, no: int, expected: VoteOutcome) -> None:
    rule = _vote_rule(approval(Fraction(2, 3), "votes_cast", strict=False))
    # 100 blank ballots do not count: only votes cast on the question.
    assert decide_recall_vote(rule, 1_000, 400, yes, no) == expected


def test_strict_turnout_quorum() -> None:
    rule = _vote_rule(turnout_quorum(Fraction(1, 2), strict=True), YES_MORE_THAN_NO)
    assert decide_recall_vote(rule, 1_000, 500, 300, 200) == _out("turnout_below_quorum")
    assert decide_recall_vote(rule, 1_000, 501, 300, 200) == _out()


def test_every_condition_reason_is_listed() -> None:
    for kind, of, strict in [
        ("turnout_quorum", None, False),
        ("yes_more_than_no", None, False),
        ("yes_at_least_votes_that_elected", None, False),
        *(("approval", b, st) for b in ("votes_cast", "turnout", "registered") for st in (0, 1)),
    ]:
        share = Fraction(1, 2) if kind in ("turnout_quorum", "approval") else None
        condition = VoteCondition(kind=kind, share=share, of=of, strict=bool(strict))
        assert condition_reason(condition) in VOTE_REASONS


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
    assert data["schema_version"] == SCHEMA_VERSION == 4
    assert data["threshold_bands"] == [
        {"max_voters": None, "percent": "30", "floor": 0, "signing_days": None}
    ]
    assert data["decided_by"] == "vote"
    assert data["vote_conditions"] == [
        {"kind": "turnout_quorum", "share": "1/3", "strict": False},
        {"kind": "approval", "share": "1/2", "of": "turnout", "strict": True},
    ]
    assert "vote_majority" not in data and "vote_turnout_quorum" not in data
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
        (_set("vote_conditions.0.kind", "two_thirds"), "vote_conditions[0].kind"),
        (_set("vote_conditions", []), "vote_conditions"),
        (
            _set("vote_conditions.0", {"kind": "yes_more_than_no", "share": "1/2"}),
            "vote_conditions[0].share",
        ),
        (
            _set("vote_conditions.0", {"kind": "yes_more_than_no", "strict": True}),
            "vote_conditions[0].strict",
        ),
        (
            _set("vote_conditions.0", {"kind": "yes_more_than_no", "of": "turnout"}),
            "vote_conditions[0].of",
        ),
        (_set("vote_conditions.0", {"kind": "approval", "share": "1/2"}), "vote_conditions[0].of"),
        (
            _set("vote_conditions.0", {"kind": "approval", "share": "1/2", "of": "people"}),
            "vote_conditions[0].of",
        ),
        (
            _set("vote_conditions.0", {"kind": "approval", "of": "turnout"}),
            "vote_conditions[0].share",
        ),
        (
            _set("vote_conditions.0", {"kind": "turnout_quorum", "share": "4/3"}),
            "vote_conditions[0].share",
        ),
        (
            _set("vote_conditions.0", {"kind": "turnout_quorum", "share": "0"}),
            "vote_conditions[0].share",
        ),
        (
            _set("vote_conditions.0", {"kind": "turnout_quorum", "share": "1/0"}),
            "vote_conditions[0].share",
        ),
        (
            _set("vote_conditions.0", {"kind": "turnout_quorum", "share": 0.25}),
            "vote_conditions[0].share",
        ),
        (
            _set("vote_conditions.0", {"kind": "turnout_quorum", "share": "1/4", "strict": "no"}),
            "vote_conditions[0].strict",
        ),
        (
            _set("vote_conditions.0", {"kind": "yes_more_than_no", "colour": 1}),
            "vote_conditions[0].colour",
        ),
        (_set("vote_conditions.0", "yes_more_than_no"), "vote_conditions[0]"),
        (_set("vote_conditions", [{"kind": "yes_more_than_no"}] * 2), "vote_conditions[1]"),
        (_set("decided_by", "petition"), "vote_conditions"),
        (_set("decided_by", "lottery"), "decided_by"),
        (_set("vote_majority", "yes_gt_no"), "vote_majority"),
        (_set("full_count_max_signatures", -1), "full_count_max_signatures"),
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
        (_set("unverified_fields", ["signing_dayz"]), "unverified_fields"),
        (_set("key", "California Local"), "key"),
        (_set("name", ""), "name"),
        (_set("legal_source", "   "), "legal_source"),
        (_set("name", _DELETE), "name"),
        (_set("colour", "red"), "colour"),
        (_set("schema_version", 5), "schema_version"),
        (_set("schema_version", 1), "decided_by"),
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
        _vote_rule(turnout_quorum(Decimal("0.3333")))  # type: ignore[arg-type]
    assert exc.value.field == "vote_conditions[0].share"
    with pytest.raises(InvalidRule) as exc:
        dataclasses.replace(KZ, threshold_bands=(Band(max_voters=None, percent=30),))  # type: ignore[arg-type]
    assert exc.value.field == "threshold_bands[0].percent"


def test_full_count_rule_needs_no_sample_settings() -> None:
    assert KZ.sample_percent is None and KZ.sample_minimum is None
    with pytest.raises(InvalidRule) as exc:
        dataclasses.replace(KZ, verification_method="random_sample")
    assert exc.value.field == "sample_percent"


# ------------------------------------------------- schema 1 rows (vote_majority)


def _schema_1(rule: RecallRule, majority: str, quorum: str | None) -> dict[str, Any]:
    """``rule`` as schema 1 stored it: vote_majority and vote_turnout_quorum, no conditions."""
    data = rule.to_dict()
    for name in ("decided_by", "vote_conditions", "full_count_max_signatures", *_SCHEMA_3):
        del data[name]
    data.update(schema_version=1, vote_majority=majority, vote_turnout_quorum=quorum)
    return data


_SCHEMA_3 = ("signing_channels", "deputy_answer_max_words", "deputy_answer_days")


def _as_before_schema_3(rule: RecallRule) -> RecallRule:
    """``rule`` as older data reads: the channels the app then allowed, no deputy's answer."""
    return dataclasses.replace(
        rule,
        signing_channels=DEFAULT_SIGNING_CHANNELS,
        deputy_answer_max_words=None,
        deputy_answer_days=None,
    )


@pytest.mark.parametrize(
    ("rule", "majority", "quorum"),
    [
        (KZ, "more_than_half_of_votes", "1/3"),
        (KZ_MASLIKHAT, "more_than_half_of_votes", "1/3"),
        (UK, "petition_decides", None),
        (dataclasses.replace(CA, full_count_max_signatures=None), "yes_gt_no", None),
        (PH, "successor_election", None),
        (TW, "yes_gt_no_and_yes_ge_quarter_electorate", None),
    ],
)
def test_schema_1_presets_read_as_today(rule: RecallRule, majority: str, quorum: str) -> None:
    data = json.loads(json.dumps(_schema_1(rule, majority, quorum)))
    assert RecallRule.from_dict(data) == _as_before_schema_3(rule)


@pytest.mark.parametrize(
    ("majority", "quorum", "decided_by", "conditions"),
    [
        ("yes_gt_no", "1/4", "vote", (turnout_quorum(Fraction(1, 4)), YES_MORE_THAN_NO)),
        (
            "yes_ge_votes_that_elected",
            "1/4",
            "vote",
            (turnout_quorum(Fraction(1, 4)), YES_AT_LEAST_VOTES_THAT_ELECTED),
        ),
        # A quorum under petition_decides never had an effect.
        ("petition_decides", "1/3", "petition", ()),
    ],
)
def test_schema_1_vote_majorities_migrate(
    majority: str, quorum: str, decided_by: str, conditions: tuple[VoteCondition, ...]
) -> None:
    rule = RecallRule.from_dict(_schema_1(CA, majority, quorum))
    assert (rule.decided_by, rule.vote_conditions) == (decided_by, conditions)
    assert RecallRule.from_dict(rule.to_dict()) == rule


def test_schema_1_unverified_vote_fields_map_to_conditions() -> None:
    data = _schema_1(KZ, "more_than_half_of_votes", "1/3")
    data["unverified_fields"] = ["signing_days", "vote_majority", "vote_turnout_quorum"]
    rule = RecallRule.from_dict(data)
    assert rule.unverified_fields == {"signing_days", "vote_conditions"}


def test_schema_1_rejects_unknown_majority() -> None:
    with pytest.raises(InvalidRule) as exc:
        RecallRule.from_dict(_schema_1(KZ, "two_thirds", None))
    assert exc.value.field == "vote_majority"


def test_older_form_data_without_conditions_is_read() -> None:
    # The rule form sends the schema-1 pair without a schema_version.
    data = _schema_1(TW, "yes_gt_no_and_yes_ge_quarter_electorate", None)
    del data["schema_version"]
    assert RecallRule.from_dict(data) == _as_before_schema_3(TW)


def test_custom_conditions_have_no_older_name() -> None:
    rule = _vote_rule(approval(Fraction(1, 2), "registered", strict=True))
    assert rule.vote_majority == "custom"
    assert rule.vote_turnout_quorum is None
    assert RecallRule.from_dict(json.loads(json.dumps(rule.to_dict()))) == rule


# ---------------------------------------------------- rules no preset has


@pytest.mark.parametrize(
    ("percent", "electorate", "needed"),
    [("50.01", 10_000, 5_001), ("66.67", 3, 3), ("75", 1_001, 751), ("100", 1_234, 1_234)],
)
def test_petition_shares_above_half_up_to_all(percent: str, electorate: int, needed: int) -> None:
    data = KZ.to_dict()
    data["threshold_bands"][0]["percent"] = percent
    rule = RecallRule.from_dict(data)
    assert required_signatures(rule, electorate) == needed


# ------------------------------------- schema 3's identity_providers, folded into the channels


def _schema_3(rule: RecallRule, channels: list[str] | None, providers: list[str] | None):
    """``rule`` as schema 3 stored it: channels (None: absent) and identity_providers (None:
    absent)."""
    data = rule.to_dict() | {"schema_version": 3}
    del data["signing_channels"]
    if channels is not None:
        data["signing_channels"] = channels
    if providers is not None:
        data["identity_providers"] = providers
    return data


_BOTH = ["email_link", "online_strong"]


@pytest.mark.parametrize(
    ("channels", "providers", "merged"),
    [
        # Both providers (also: the field absent) keep every channel.
        (
            ["online_email", "online_strong", "paper"],
            _BOTH,
            ("online_email", "online_strong", "paper"),
        ),
        (
            ["online_email", "online_strong", "paper"],
            None,
            ("online_email", "online_strong", "paper"),
        ),
        # A provider missing takes its online channel away; the commission's channels stay.
        (["online_email", "online_strong", "paper"], ["online_strong"], ("online_strong", "paper")),
        (["online_email", "online_strong", "paper"], ["email_link"], ("online_email", "paper")),
        (["online_email", "paper"], ["online_strong"], ("paper",)),
        (["in_person", "post", "proxy"], ["online_strong"], ("in_person", "post", "proxy")),
        # The order of the channels is kept, not the providers'.
        (
            ["paper", "online_strong", "online_email"],
            ["online_strong", "email_link"],
            ("paper", "online_strong", "online_email"),
        ),
        # Channels absent: schema 3's default pair, then the providers.
        (None, None, ("online_email", "paper")),
        (None, ["online_strong"], ("paper",)),
        # Nobody could sign (online only, no provider for it): the providers' channels.
        (["online_email"], ["online_strong"], ("online_strong",)),
        (["online_strong"], ["email_link"], ("online_email",)),
        (["online_strong"], ["email_link", "online_strong"], ("online_strong",)),
    ],
)
def test_schema_3_providers_fold_into_the_channels(
    channels: list[str] | None, providers: list[str] | None, merged: tuple[str, ...]
) -> None:
    data = json.loads(json.dumps(_schema_3(KZ, channels, providers)))
    rule = RecallRule.from_dict(data)
    assert rule.signing_channels == merged
    assert rule == dataclasses.replace(KZ, signing_channels=merged)
    assert stored_signing_channels(data) == merged
    assert rule_data_to_schema_4(data) == rule.to_dict()


def test_schema_3_unverified_providers_flag_the_channels() -> None:
    data = _schema_3(CA, ["paper"], ["email_link"])
    data["unverified_fields"] = ["identity_providers", "signing_days"]
    rule = RecallRule.from_dict(data)
    assert rule.unverified_fields == {"signing_channels", "signing_days"}


def test_schema_4_has_no_identity_providers() -> None:
    data = KZ.to_dict()
    assert "identity_providers" not in data and not hasattr(KZ, "identity_providers")
    with pytest.raises(InvalidRule) as refused:
        RecallRule.from_dict({**data, "identity_providers": ["online_strong"]})
    assert refused.value.field == "identity_providers"
    # Other versions pass through the converters unchanged.
    older = _schema_1(KZ, "more_than_half_of_votes", "1/3")
    assert rule_data_to_schema_4(older) == older
    assert rule_data_to_schema_4(data) == data


@pytest.mark.parametrize(
    "bad", [[], ["sms"], ["online_strong", "online_strong"], "online_strong", None]
)
def test_bad_schema_3_providers_are_refused(bad: Any) -> None:
    data = _schema_3(KZ, ["online_email", "paper"], _BOTH) | {"identity_providers": bad}
    with pytest.raises(InvalidRule) as refused:
        RecallRule.from_dict(data)
    assert refused.value.field == "identity_providers"


# ------------------------------------------------ signing channels, deputy's answer (schema 3)


def test_presets_name_their_signing_channels() -> None:
    # UK Act s. 11: in person, by post, by proxy; never online.
    assert UK.signing_channels == ("in_person", "post", "proxy")
    assert not UK.online_signing and "signing_channels" not in UK.unverified_fields
    assert KZ.signing_channels == ("online_email", "online_strong", "paper")
    assert KZ.online_signing and "signing_channels" in KZ.unverified_fields
    for rule in (CA, PH, TW):
        assert rule.signing_channels == ("paper",) and not rule.online_signing


def test_california_deputy_answer() -> None:
    # EC 11023: an answer of up to 200 words within 7 days.
    assert (CA.deputy_answer_max_words, CA.deputy_answer_days) == (200, 7)
    assert CA.deputy_may_answer and "11023" in CA.legal_source
    assert not any(r.deputy_may_answer for r in (KZ, UK, PH, TW))


@pytest.mark.parametrize("version", [1, 2])
def test_older_schemas_read_default_channels(version: int) -> None:
    data = UK.to_dict()
    for name in _SCHEMA_3:
        del data[name]
    data["schema_version"] = version
    if version == 1:
        data = _schema_1(UK, "petition_decides", None)
    rule = RecallRule.from_dict(data)
    assert rule.signing_channels == DEFAULT_SIGNING_CHANNELS == ("online_email", "paper")
    assert rule.deputy_answer_max_words is None
    # Re-stored, it is a schema 3 row that says so.
    assert RecallRule.from_dict(rule.to_dict()).signing_channels == DEFAULT_SIGNING_CHANNELS


@pytest.mark.parametrize("name", [*_SCHEMA_3, "identity_providers"])
def test_schema_2_rows_cannot_carry_schema_3_fields(name: str) -> None:
    data = CA.to_dict()
    data["schema_version"] = 2
    for other in _SCHEMA_3:
        if other != name:
            del data[other]
    data.setdefault(name, ["email_link"])
    with pytest.raises(InvalidRule) as exc:
        RecallRule.from_dict(data)
    assert exc.value.field == name


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (_set("signing_channels", []), "signing_channels"),
        (_set("signing_channels", ["online"]), "signing_channels"),
        (_set("signing_channels", ["paper", "paper"]), "signing_channels"),
        (_set("signing_channels", "paper"), "signing_channels"),
        (_set("deputy_answer_days", None), "deputy_answer_days"),
        (_set("deputy_answer_max_words", 0), "deputy_answer_max_words"),
        (_set("deputy_answer_days", 0), "deputy_answer_days"),
    ],
)
def test_bad_channels_and_answer_are_refused(mutate: Any, field: str) -> None:
    data = CA.to_dict()
    mutate(data)
    with pytest.raises(InvalidRule) as exc:
        RecallRule.from_dict(data)
    assert exc.value.field == field


def test_every_channel_round_trips() -> None:
    rule = dataclasses.replace(CA, signing_channels=SIGNING_CHANNELS)
    assert RecallRule.from_dict(json.loads(json.dumps(rule.to_dict()))) == rule


# ------------------------------------------- when a recall can be opened (issue 10)


def test_recall_window_and_opening_day_match_eligibility():
    from recall.rules.recall_rules import recall_eligibility, recall_opens_on, recall_window
    from recall.rules.rule_presets import PRESETS

    rule = PRESETS["philippines_ra_9244"]  # one year of lock-out at each end
    start, end = date(2025, 6, 30), date(2028, 6, 30)
    first, last = recall_window(rule, "single_mandate", start, end)
    assert (first, last) == (date(2026, 6, 30), date(2027, 7, 1))
    for day in (first - timedelta(days=1), first, last, last + timedelta(days=1)):
        allowed = recall_eligibility(rule, "single_mandate", start, end, day).allowed
        assert allowed == (first <= day <= last)
    assert recall_opens_on(rule, "single_mandate", start, end, date(2025, 7, 1)) == first
    assert recall_opens_on(rule, "single_mandate", start, end, date(2026, 9, 1)) == date(2026, 9, 1)
    assert recall_opens_on(rule, "single_mandate", start, end, last + timedelta(days=1)) is None
    assert recall_window(rule, "party_list", start, end) is None
    short = (date(2025, 1, 1), date(2026, 6, 1))  # two years of lock-outs in a shorter term
    assert recall_window(rule, "single_mandate", *short) is None
