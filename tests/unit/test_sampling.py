"""Tests for recall.rules.sampling: DOMAIN.md section 4, 2 CCR 20530-20540."""

from collections import Counter
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from recall.rules.sampling import (
    Projection,
    draw_sample,
    new_seed,
    project_valid,
    sample_outcome,
    sample_size,
)

# ------------------------------------------------------------ worked examples


def test_official_example_2_ccr_20540() -> None:
    p = project_valid(raw=24_034, sampled=722, valid=516, duplicates=2)
    assert p == Projection(
        raw=24_034,
        sampled=722,
        valid=516,
        duplicates=2,
        r=Fraction(7_147, 10_000),  # 71.47%, rounded as 20530(c) requires
        V=17_178,  # ceil(17,177.0998)
        A=Fraction(332_881, 10_000),  # 33.2881, rounded as 20531(a) requires
        B=Fraction(332_881, 10_000) * Fraction(322_881, 10_000),
        C=2_150,  # ceil(2,149.619...)
        projected=15_028,
        formula=(
            "r = 516/722 = 71.47%; V = ceil(24034 x 0.7147) = 17178; "
            "A = 24034/722 = 33.2881; B = A x (A - 1) = 1074.80950161; "
            "C = ceil(B x 2) = 2150; projected = V - C = 17178 - 2150 = 15028"
        ),
    )


def test_handbook_example() -> None:
    p = project_valid(raw=25_000, sampled=1_250, valid=900, duplicates=1)
    assert (p.r, p.V, p.A, p.B, p.C, p.projected) == (
        Fraction(72, 100),
        18_000,
        Fraction(20),
        Fraction(380),
        380,
        17_620,
    )


def test_validity_rate_rounds_half_up() -> None:
    # 14,295 / 20,000 = 0.71475 exactly: rounds to 0.7148, so V is
    # ceil(40,000 x 0.7148) = 28,592, not the unrounded 28,590.
    p = project_valid(raw=40_000, sampled=20_000, valid=14_295, duplicates=0)
    assert p.r == Fraction(7_148, 10_000)
    assert p.V == 28_592
    assert p.A == 2
    assert p.C == 0
    assert p.projected == 28_592


def test_no_duplicates_means_no_correction() -> None:
    p = project_valid(raw=10_000, sampled=500, valid=400, duplicates=0)
    assert (p.V, p.C, p.projected) == (8_000, 0, 8_000)


def test_projection_can_go_negative() -> None:
    # Many duplicates in a small sample: the law's arithmetic, not clamped.
    p = project_valid(raw=100_000, sampled=500, valid=10, duplicates=5)
    assert p.V == 2_000
    assert p.C == 199_000
    assert p.projected == -197_000


@pytest.mark.parametrize(
    ("raw", "sampled", "valid", "duplicates"),
    [
        (100, 0, 0, 0),
        (100, 101, 50, 0),
        (100, 50, 49, 2),
        (100, 50, 51, 0),
        (-1, 1, 1, 0),
        (100, 50, True, 0),
    ],
)
def test_project_valid_rejects_inconsistent_counts(
    raw: int, sampled: int, valid: int, duplicates: int
) -> None:
    with pytest.raises(ValueError):
        project_valid(raw, sampled, valid, duplicates)


# ---------------------------------------------------------------- sample size


@pytest.mark.parametrize(
    ("raw", "percent", "minimum", "expected"),
    [
        (24_034, 3, 500, 722),  # 721.02 rounds up, as in 2 CCR 20540
        (10_000, 5, 500, 500),  # 5% is exactly the minimum
        (10_001, 5, 500, 501),  # 500.05 rounds up
        (9_999, 5, 500, 500),  # minimum wins
        (500, 5, 500, 500),  # the whole petition
        (400, 5, 500, 400),  # never more than raw
        (0, 5, 500, 0),
        (1_000, Decimal("2.5"), 10, 25),
        (1_001, Decimal("2.5"), 10, 26),
        (1_000, 100, 0, 1_000),
    ],
)
def test_sample_size(raw: int, percent: Any, minimum: int, expected: int) -> None:
    assert sample_size(raw, percent, minimum) == expected


@pytest.mark.parametrize(
    ("raw", "percent", "minimum"),
    [(100, 0, 10), (100, 101, 10), (100, 5.0, 10), (-1, 5, 10), (100, 5, -1)],
)
def test_sample_size_rejects_bad_input(raw: int, percent: Any, minimum: int) -> None:
    with pytest.raises(ValueError):
        sample_size(raw, percent, minimum)


# ------------------------------------------------------------------- outcome


@pytest.mark.parametrize(
    ("projected", "required", "expected"),
    [
        (1_101, 1_000, "qualifies"),
        (1_100, 1_000, "full_count"),  # exactly 110% is not "above"
        (1_000, 1_000, "full_count"),
        (900, 1_000, "full_count"),  # exactly 90% is inside the band
        (899, 1_000, "fails"),
        (7_702, 7_001, "qualifies"),  # 110% is 7,701.1
        (7_701, 7_001, "full_count"),
        (6_301, 7_001, "full_count"),  # 90% is 6,300.9
        (6_300, 7_001, "fails"),
        (-5, 100, "fails"),
        (15_028, 13_000, "qualifies"),
    ],
)
def test_sample_outcome(projected: int, required: int, expected: str) -> None:
    assert sample_outcome(projected, required) == expected


def test_sample_outcome_custom_bounds() -> None:
    # Initiatives use 95% as the lower bound.
    assert sample_outcome(949, 1_000, lower=Decimal("0.95")) == "fails"
    assert sample_outcome(950, 1_000, lower=Decimal("0.95")) == "full_count"
    assert sample_outcome(1_001, 1_000, upper=Decimal("1")) == "qualifies"


@pytest.mark.parametrize(
    ("projected", "required", "upper", "lower"),
    [
        (10, 0, Decimal("1.1"), Decimal("0.9")),
        (10, 10, Decimal("0.8"), Decimal("0.9")),
        (10, 10, 1.1, Decimal("0.9")),
        (10, 10, Decimal("1.1"), Decimal("0")),
        (10.0, 10, Decimal("1.1"), Decimal("0.9")),
    ],
)
def test_sample_outcome_rejects_bad_input(
    projected: Any, required: int, upper: Any, lower: Any
) -> None:
    with pytest.raises(ValueError):
        sample_outcome(projected, required, upper, lower)


# ---------------------------------------------------------------------- draw


def test_draw_is_reproducible_and_order_independent() -> None:
    ids = list(range(1, 1_001))
    first = draw_sample(ids, 50, "public-seed-2024")
    assert draw_sample(ids, 50, "public-seed-2024") == first
    assert draw_sample(list(reversed(ids)), 50, "public-seed-2024") == first
    assert first == sorted(first)
    assert len(set(first)) == 50
    assert set(first) <= set(ids)


def test_draw_depends_on_seed() -> None:
    ids = range(1, 1_001)
    assert draw_sample(ids, 50, "seed-a") != draw_sample(ids, 50, "seed-b")


def test_draw_known_answer() -> None:
    # Pins the algorithm (SHA-256 of the seed -> random.Random -> sample): if
    # this changes, previously published samples could no longer be redrawn.
    assert draw_sample(range(100), 5, "abc") == [4, 26, 27, 50, 67]


def test_draw_is_uniform_enough() -> None:
    # Deterministic (fixed seeds), so not flaky: 4,000 draws of 1 from 4 ids.
    counts = Counter(draw_sample([10, 20, 30, 40], 1, f"s{i}")[0] for i in range(4_000))
    assert set(counts) == {10, 20, 30, 40}
    assert all(850 < c < 1_150 for c in counts.values())


def test_draw_edges() -> None:
    assert draw_sample([3, 1, 2], 0, "x") == []
    assert draw_sample([3, 1, 2], 3, "x") == [1, 2, 3]
    assert draw_sample([], 0, "x") == []


@pytest.mark.parametrize(
    ("ids", "n", "seed"),
    [
        ([1, 2, 2], 1, "x"),
        ([1, 2, 3], 4, "x"),
        ([1, 2, 3], -1, "x"),
        ([1, 2, 3], 1, ""),
        ([1.0, 2.0], 1, "x"),
    ],
)
def test_draw_rejects_bad_input(ids: Any, n: int, seed: str) -> None:
    with pytest.raises(ValueError):
        draw_sample(ids, n, seed)


def test_new_seed() -> None:
    a, b = new_seed(), new_seed()
    assert len(a) == 32
    assert int(a, 16) >= 0  # hex
    assert a != b


def test_count_sample_counts_pairs_inside_the_sample_and_lone_duplicates_as_their_kept_one():
    from recall.rules.sampling import count_sample

    verdicts = [
        {"id": 1, "verdict": "valid", "reason_code": None, "duplicate_of_id": None},
        {"id": 2, "verdict": "invalid", "reason_code": "duplicate", "duplicate_of_id": 1},
        {
            "id": 3,
            "verdict": "invalid",
            "reason_code": "duplicate",
            "duplicate_of_id": 40,
            "kept_verdict": "valid",
        },
        {
            "id": 4,
            "verdict": "invalid",
            "reason_code": "duplicate",
            "duplicate_of_id": 41,
            "kept_verdict": "invalid",
        },
        {"id": 5, "verdict": "invalid", "reason_code": "not_registered", "duplicate_of_id": None},
    ]
    assert count_sample(verdicts) == (2, 1)
    with pytest.raises(ValueError):
        count_sample([*verdicts, verdicts[0]])
