"""Random-sample signature verification, California method (DOMAIN.md section 4).

The projection follows 2 CCR 20530-20532 as the official example in 2 CCR
20540 applies it. DOMAIN.md writes the formula without intermediate rounding,
but the regulation rounds twice, and the official example only comes out at
15,028 with that rounding (exact arithmetic gives 15,027):

* 20530(c): the validity rate v/n is computed "as a percentage to two decimal
  places", i.e. rounded to 4 decimal places as a fraction (71.47% = 0.7147);
* 20531(a): A = raw/n is computed "to four decimal places" (33.2881).

Everything else is exact (fractions.Fraction): B = A x (A - 1) from the
rounded A, and the two "round up" steps are true ceilings. Rounding to 4
places is half-up, the ordinary rounding the example uses.
"""

import hashlib
import math
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Final, Literal

from recall.rules.numbers import check_count, is_int

Outcome = Literal["qualifies", "full_count", "fails"]

# Decimal places kept for the validity rate and for A (2 CCR 20530(c), 20531(a)).
_PLACES: Final = 4


@dataclass(frozen=True)
class Projection:
    """A projected count of valid signatures with every intermediate value.

    ``r`` and ``A`` are the rounded values the regulation uses; ``B`` is exact;
    ``V``, ``C`` and ``projected`` are whole numbers. ``formula`` shows the
    computation with the inputs, for display next to the result.
    """

    raw: int
    sampled: int
    valid: int
    duplicates: int
    r: Fraction
    V: int
    A: Fraction
    B: Fraction
    C: int
    projected: int
    formula: str


def sample_size(raw: int, percent: Decimal | int, minimum: int) -> int:
    """How many signatures to sample.

    Contract: the larger of ceil(percent% of ``raw``) and ``minimum``, but
    never more than ``raw`` (a petition smaller than the minimum is simply
    checked in full). ``raw`` >= 0, ``minimum`` >= 0, 0 < ``percent`` <= 100,
    else ValueError. Exact arithmetic; a Decimal percent is taken exactly.
    """
    check_count("raw", raw)
    check_count("minimum", minimum)
    share = _exact_percent(percent)
    by_percent = math.ceil(share * raw / 100)
    return min(max(by_percent, minimum), raw)


def project_valid(raw: int, sampled: int, valid: int, duplicates: int) -> Projection:
    """Project the number of valid signatures from a random sample.

    Contract: ``raw`` signatures were filed, ``sampled`` (1..raw) were checked,
    ``valid`` of them were valid and ``duplicates`` were duplicates of another
    signature; a duplicate is not valid, so valid + duplicates <= sampled
    (ValueError otherwise). Steps (see module docstring for the rounding):
    r = v/n to 4 places; V = ceil(raw x r); A = raw/n to 4 places;
    B = A x (A - 1); C = ceil(B x d); projected = V - C.

    ``projected`` is not clamped: with many duplicates it can be negative,
    which simply fails any threshold.
    """
    for name, value in (
        ("raw", raw),
        ("sampled", sampled),
        ("valid", valid),
        ("duplicates", duplicates),
    ):
        check_count(name, value)
    if sampled == 0:
        raise ValueError("sampled must be positive")
    if sampled > raw:
        raise ValueError("sampled exceeds raw")
    if valid + duplicates > sampled:
        raise ValueError("valid + duplicates exceeds sampled")

    r = _round_half_up(Fraction(valid, sampled))
    big_v = math.ceil(raw * r)
    a = _round_half_up(Fraction(raw, sampled))
    b = a * (a - 1)
    c = math.ceil(b * duplicates)
    projected = big_v - c
    formula = (
        f"r = {valid}/{sampled} = {_fixed(r * 100, 2)}%; "
        f"V = ceil({raw} x {_fixed(r, _PLACES)}) = {big_v}; "
        f"A = {raw}/{sampled} = {_fixed(a, _PLACES)}; "
        f"B = A x (A - 1) = {_fixed(b, 2 * _PLACES)}; "
        f"C = ceil(B x {duplicates}) = {c}; "
        f"projected = V - C = {big_v} - {c} = {projected}"
    )
    return Projection(
        raw=raw,
        sampled=sampled,
        valid=valid,
        duplicates=duplicates,
        r=r,
        V=big_v,
        A=a,
        B=b,
        C=c,
        projected=projected,
        formula=formula,
    )


def sample_outcome(
    projected: int,
    required: int,
    upper: Decimal = Decimal("1.10"),
    lower: Decimal = Decimal("0.90"),
) -> Outcome:
    """Classify a projection against the required number of signatures.

    Contract (Elec. Code 11225(c)-(d)): ``'qualifies'`` when projected is
    strictly more than upper x required (more than 110%); ``'full_count'``
    when it is at least lower x required (90% inclusive up to 110%
    inclusive, so exactly 110% still needs a full count); ``'fails'`` below.
    ``required`` > 0 and 0 < lower <= upper, else ValueError. Compared
    exactly: 110% of 7,001 is 7,701.1, so 7,702 qualifies and 7,701 does not.
    """
    if not is_int(projected):
        raise ValueError("projected must be an int")
    check_count("required", required)
    if required == 0:
        raise ValueError("required must be positive")
    hi = _exact_decimal("upper", upper)
    lo = _exact_decimal("lower", lower)
    if not 0 < lo <= hi:
        raise ValueError("need 0 < lower <= upper")
    if projected > hi * required:
        return "qualifies"
    if projected >= lo * required:
        return "full_count"
    return "fails"


def draw_sample(ids: Sequence[int], n: int, seed: str) -> list[int]:
    """Draw ``n`` of ``ids`` uniformly at random, reproducibly from ``seed``.

    Contract: ``ids`` are distinct ints (ValueError on repeats), 0 <= n <=
    len(ids). The ids are sorted first, so the caller's order does not
    matter; the generator is random.Random seeded with the SHA-256 of the
    UTF-8 seed string read as a big-endian integer, and random.sample draws
    without replacement with equal chances. Anyone holding the same ids and
    seed redraws the same sample (with CPython's Mersenne Twister, as
    random.Random documents for seeding). The result is sorted.
    """
    if not isinstance(seed, str) or not seed:
        raise ValueError("seed must be a non-empty string")
    pool = sorted(ids)
    for value in pool:
        if not is_int(value):
            raise ValueError("ids must be ints")
    if len(set(pool)) != len(pool):
        raise ValueError("ids must be distinct")
    check_count("n", n)
    if n > len(pool):
        raise ValueError("n exceeds the number of ids")
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    rng = random.Random(int.from_bytes(digest, "big"))
    return sorted(rng.sample(pool, n))


def count_sample(verdicts: Sequence[dict]) -> tuple[int, int]:
    """``(v, d)`` of a sample from its published verdicts, as the projection counts them.

    Contract: one dict per sampled signature with ``id``, ``verdict`` (``valid``/``invalid``),
    ``reason_code``, ``duplicate_of_id`` and ``kept_verdict`` (the verdict of the signature a
    duplicate repeats). A sampled signature is valid (v); a duplicate whose kept signature was
    sampled too is a pair found inside the sample (d); a duplicate whose kept signature was not
    sampled is what a check of the sample alone would see, one signature, valid when the kept one
    is. ValueError on repeated ids. Anyone holding the published verdicts gets the commission's
    ``v`` and ``d`` from this, and the projection from :func:`project_valid`.
    """
    ids = [item["id"] for item in verdicts]
    if len(set(ids)) != len(ids):
        raise ValueError("ids must be distinct")
    sampled = set(ids)
    valid = duplicates = 0
    for item in verdicts:
        if item["verdict"] == "valid":
            valid += 1
        elif item.get("reason_code") == "duplicate" and item.get("duplicate_of_id") is not None:
            if item["duplicate_of_id"] in sampled:
                duplicates += 1
            elif item.get("kept_verdict") == "valid":
                valid += 1
    return valid, duplicates


def new_seed() -> str:
    """A fresh unpredictable seed (32 hex characters) to record with a draw."""
    return secrets.token_hex(16)


# ------------------------------------------------------------------ helpers


def _exact_decimal(name: str, value: Decimal | int) -> Fraction:
    # Floats are refused: Decimal(0.1) is not one tenth.
    if not (is_int(value) or isinstance(value, Decimal)):
        raise ValueError(f"{name} must be a Decimal or int")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"{name} must be finite")
    return Fraction(value)


def _exact_percent(percent: Decimal | int) -> Fraction:
    share = _exact_decimal("percent", percent)
    if not 0 < share <= 100:
        raise ValueError("percent must be in (0, 100]")
    return share


def _round_half_up(x: Fraction, places: int = _PLACES) -> Fraction:
    """Round a non-negative fraction to ``places`` decimals, halves up."""
    scale = 10**places
    return Fraction(math.floor(x * scale + Fraction(1, 2)), scale)


def _fixed(x: Fraction, places: int) -> str:
    """Exact decimal text of a fraction whose denominator divides 10**places."""
    scaled = x * 10**places
    if scaled.denominator != 1:
        raise AssertionError("value has more decimals than shown")
    sign = "-" if scaled < 0 else ""
    whole, frac = divmod(abs(scaled.numerator), 10**places)
    return f"{sign}{whole}.{frac:0{places}d}" if places else f"{sign}{whole}"
