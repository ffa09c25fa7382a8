"""Recall regimes as data, and the arithmetic that applies them.

A :class:`RecallRule` captures one jurisdiction's recall law (DOMAIN.md
sections 1 and 3): who can be recalled and when, how many signatures are
needed, how they are checked and how the recall vote is decided. Rules are
stored by the application as JSON rule versions, so every rule round-trips
through :meth:`RecallRule.to_dict` / :meth:`RecallRule.from_dict` with exact
values (Decimals and Fractions as strings, never floats).

Values that DOMAIN.md marks [unknown] or [reported], or that this module
fills in without a primary text at hand, are named in ``unverified_fields``
so the interface can flag them and an administrator can correct them.
"""

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final, Literal

from recall.rules.numbers import check_count, is_int

ThresholdBasis = Literal["registered_voters", "votes_cast"]
VerificationMethod = Literal["full_count", "random_sample"]
VoteMajority = Literal[
    "more_than_half_of_votes",
    "yes_gt_no",
    "yes_gt_no_and_yes_ge_quarter_electorate",
    "yes_ge_votes_that_elected",
    "successor_election",
    "petition_decides",
]

THRESHOLD_BASES: Final = ("registered_voters", "votes_cast")
VERIFICATION_METHODS: Final = ("full_count", "random_sample")
# more_than_half_of_votes: yes > 50% of everyone who took part (turnout, so
#   blank and spoilt ballots count against recall) - Kazakhstan art. 113-16.
# yes_gt_no: more yes than no among votes cast on the question - California.
# yes_gt_no_and_yes_ge_quarter_electorate: Taiwan.
# yes_ge_votes_that_elected: yes at least the votes that elected the official
#   - Venezuela.
# successor_election: the official is a candidate in a new election and is
#   out if a challenger polls more (yes = best challenger, no = official)
#   - Philippines.
# petition_decides: no vote; a successful petition itself vacates the seat
#   - UK.
VOTE_MAJORITIES: Final = (
    "more_than_half_of_votes",
    "yes_gt_no",
    "yes_gt_no_and_yes_ge_quarter_electorate",
    "yes_ge_votes_that_elected",
    "successor_election",
    "petition_decides",
)
# single_mandate: elected alone in a territorial district; multi_member: one
# of several elected in a district or at large; party_list: seat won by a
# party list; executive: an elected mayor, governor and the like.
MANDATE_TYPES: Final = ("single_mandate", "multi_member", "party_list", "executive")

ELIGIBILITY_REASONS: Final = (
    "mandate_type",
    "term_not_started",
    "lockout_start",
    "lockout_end",
    "term_over",
)
VOTE_REASONS: Final = (
    "recalled",
    "turnout_below_quorum",
    "yes_not_more_than_half",
    "yes_not_more_than_no",
    "yes_below_quarter_of_electorate",
    "yes_below_votes_that_elected",
)

# Bumped whenever the dict layout changes, so stored rule versions can be
# migrated instead of misread.
SCHEMA_VERSION: Final = 1

_KEY_PATTERN: Final = re.compile(r"[a-z][a-z0-9_]{0,63}")


class InvalidRule(ValueError):
    """A rule value is unusable. ``field`` names it, e.g. ``threshold_bands[2].percent``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# ---------------------------------------------------------------- data types


@dataclass(frozen=True, kw_only=True)
class Band:
    """One size band of a signature threshold.

    Applies to electorates up to and including ``max_voters`` (None = no upper
    bound). ``percent`` of the electorate is needed, and never fewer than
    ``floor``. ``signing_days`` overrides the rule's default period.
    """

    max_voters: int | None
    percent: Decimal
    floor: int = 0
    signing_days: int | None = None


@dataclass(frozen=True, kw_only=True)
class RecallRule:
    """One recall regime. Construction validates every value (InvalidRule)."""

    key: str
    name: str
    jurisdiction: str
    legal_source: str
    recallable_mandates: tuple[str, ...]
    lockout_first_days: int
    lockout_last_days: int
    threshold_basis: ThresholdBasis
    threshold_bands: tuple[Band, ...]
    signing_days: int
    min_initiative_group: int
    withdrawal_allowed: bool
    running_count_public: bool
    verification_method: VerificationMethod
    vote_turnout_quorum: Fraction | None
    vote_majority: VoteMajority
    sample_percent: Decimal | None = None
    sample_minimum: int | None = None
    full_count_upper: Decimal = Decimal("1.10")
    full_count_lower: Decimal = Decimal("0.90")
    unverified_fields: frozenset[str] = field(default_factory=frozenset)
    notes: str = ""

    def __post_init__(self) -> None:
        _validate_rule(self)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict; :meth:`from_dict` rebuilds an equal rule.

        Decimals and Fractions become strings (``"30"``, ``"1/3"``), tuples
        and sets become lists (sets sorted, so the JSON is stable).
        """
        return {
            "schema_version": SCHEMA_VERSION,
            "key": self.key,
            "name": self.name,
            "jurisdiction": self.jurisdiction,
            "legal_source": self.legal_source,
            "notes": self.notes,
            "recallable_mandates": list(self.recallable_mandates),
            "lockout_first_days": self.lockout_first_days,
            "lockout_last_days": self.lockout_last_days,
            "threshold_basis": self.threshold_basis,
            "threshold_bands": [
                {
                    "max_voters": b.max_voters,
                    "percent": str(b.percent),
                    "floor": b.floor,
                    "signing_days": b.signing_days,
                }
                for b in self.threshold_bands
            ],
            "signing_days": self.signing_days,
            "min_initiative_group": self.min_initiative_group,
            "withdrawal_allowed": self.withdrawal_allowed,
            "running_count_public": self.running_count_public,
            "verification_method": self.verification_method,
            "sample_percent": _str_or_none(self.sample_percent),
            "sample_minimum": self.sample_minimum,
            "full_count_upper": str(self.full_count_upper),
            "full_count_lower": str(self.full_count_lower),
            "vote_turnout_quorum": _str_or_none(self.vote_turnout_quorum),
            "vote_majority": self.vote_majority,
            "unverified_fields": sorted(self.unverified_fields),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "RecallRule":
        """Build a rule from :meth:`to_dict` output (e.g. parsed JSON).

        Contract: raises InvalidRule naming the field for a missing required
        field, an unknown field (catches typos in hand-edited JSON), a value
        of the wrong JSON type (floats are refused for exact numbers: use a
        string), or any value construction rejects.
        """
        if not isinstance(data, Mapping):
            raise InvalidRule("rule", "must be an object")
        version = data.get("schema_version", SCHEMA_VERSION)
        if version != SCHEMA_VERSION:
            raise InvalidRule("schema_version", f"unsupported version {version!r}")
        known = {f.name for f in fields(cls)} | {"schema_version"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidRule(unknown[0], "unknown field")
        r = _Reader(data)
        kwargs: dict[str, Any] = {
            "key": r.text("key"),
            "name": r.text("name"),
            "jurisdiction": r.text("jurisdiction"),
            "legal_source": r.text("legal_source"),
            "recallable_mandates": tuple(r.text_list("recallable_mandates")),
            "lockout_first_days": r.integer("lockout_first_days"),
            "lockout_last_days": r.integer("lockout_last_days"),
            "threshold_basis": r.text("threshold_basis"),
            "threshold_bands": r.bands("threshold_bands"),
            "signing_days": r.integer("signing_days"),
            "min_initiative_group": r.integer("min_initiative_group"),
            "withdrawal_allowed": r.boolean("withdrawal_allowed"),
            "running_count_public": r.boolean("running_count_public"),
            "verification_method": r.text("verification_method"),
            "vote_turnout_quorum": r.fraction_or_none("vote_turnout_quorum"),
            "vote_majority": r.text("vote_majority"),
        }
        optional: dict[str, Any] = {
            "sample_percent": r.decimal_or_none,
            "sample_minimum": r.integer_or_none,
            "full_count_upper": r.decimal,
            "full_count_lower": r.decimal,
            "unverified_fields": lambda k: frozenset(r.text_list(k)),
            "notes": lambda k: r.text(k, allow_empty=True),
        }
        for name, read in optional.items():
            if name in data:
                kwargs[name] = read(name)
        return cls(**kwargs)


@dataclass(frozen=True)
class Eligibility:
    """Whether a recall may start now; ``reason_code`` is None when allowed."""

    allowed: bool
    reason_code: str | None


@dataclass(frozen=True)
class VoteOutcome:
    """Result of a recall vote. ``reason`` is one of :data:`VOTE_REASONS`."""

    recalled: bool
    valid: bool
    reason: str


# ---------------------------------------------------------- pure functions


def band_for(rule: RecallRule, electorate: int) -> Band:
    """Return the first band whose ``max_voters`` is >= ``electorate``.

    Contract: ``electorate`` is a non-negative int (ValueError otherwise) and
    counts what ``rule.threshold_basis`` names. Validation guarantees the last
    band is unbounded, so a band always applies.
    """
    check_count("electorate", electorate)
    for band in rule.threshold_bands:
        if band.max_voters is None or electorate <= band.max_voters:
            return band
    raise AssertionError("unreachable: validated rules end with an open band")


def required_signatures(rule: RecallRule, electorate: int) -> int:
    """Signatures needed: ceil(percent x electorate / 100), at least the floor.

    Contract: exact arithmetic (Fraction of the Decimal percent, no float),
    rounding up because the laws say "at least" a percentage. ``electorate``
    as in :func:`band_for`.
    """
    band = band_for(rule, electorate)
    needed = math.ceil(Fraction(band.percent) * electorate / 100)
    return max(needed, band.floor)


def signing_period_days(rule: RecallRule, electorate: int) -> int:
    """Days allowed for collecting signatures: the band's, else the rule's."""
    band = band_for(rule, electorate)
    return band.signing_days if band.signing_days is not None else rule.signing_days


def recall_eligibility(
    rule: RecallRule,
    mandate_type: str,
    term_start: date,
    term_end: date,
    on: date,
) -> Eligibility:
    """May a recall of this deputy be started on the date ``on``?

    Contract: the term runs from ``term_start`` to ``term_end``, both days
    included (ValueError if start is after end). Checks in order, first
    failure wins:

    * ``mandate_type``: the mandate is not in ``rule.recallable_mandates``;
    * ``term_not_started``: ``on`` is before ``term_start``;
    * ``term_over``: ``on`` is after ``term_end``;
    * ``lockout_start``: ``on`` is earlier than ``term_start`` +
      ``lockout_first_days`` (so with 365 the first allowed day is the
      366th day of the term);
    * ``lockout_end``: ``on`` is later than ``term_end`` -
      ``lockout_last_days`` (with 0 the last day of the term is allowed).

    Lock-outs are counted in calendar days, not "years" or "months", because
    the rule stores days; a preset that the law states in years uses 365.
    """
    if term_start > term_end:
        raise ValueError("term_start is after term_end")
    if mandate_type not in rule.recallable_mandates:
        return Eligibility(False, "mandate_type")
    if on < term_start:
        return Eligibility(False, "term_not_started")
    if on > term_end:
        return Eligibility(False, "term_over")
    if on < term_start + timedelta(days=rule.lockout_first_days):
        return Eligibility(False, "lockout_start")
    if on > term_end - timedelta(days=rule.lockout_last_days):
        return Eligibility(False, "lockout_end")
    return Eligibility(True, None)


def decide_recall_vote(
    rule: RecallRule,
    registered: int,
    turnout: int,
    yes: int,
    no: int,
    votes_that_elected: int | None = None,
) -> VoteOutcome:
    """Decide a recall vote under ``rule``.

    Contract: ``registered`` > 0 voters on the roll, ``turnout`` of them took
    part (0..registered), ``yes`` and ``no`` are votes for and against recall
    with yes + no <= turnout (the rest blank or spoilt). For
    ``successor_election``, ``yes`` is the best challenger's votes and ``no``
    the official's. ``votes_that_elected`` is required for
    ``yes_ge_votes_that_elected``. Raises ValueError for inconsistent counts
    or a ``petition_decides`` rule (no vote is held).

    Validity: when ``vote_turnout_quorum`` is set, turnout must be at least
    quorum x registered, compared exactly (1/3 of 1,000 is 333 1/3, so 333
    is not enough and 334 is). An invalid vote never recalls.
    """
    for name, value in (
        ("registered", registered),
        ("turnout", turnout),
        ("yes", yes),
        ("no", no),
    ):
        check_count(name, value)
    if registered == 0:
        raise ValueError("registered must be positive")
    if turnout > registered:
        raise ValueError("turnout exceeds registered voters")
    if yes + no > turnout:
        raise ValueError("yes + no exceeds turnout")
    if rule.vote_majority == "petition_decides":
        raise ValueError("this rule decides by petition; there is no recall vote")

    quorum = rule.vote_turnout_quorum
    if quorum is not None and turnout < quorum * registered:
        return VoteOutcome(False, False, "turnout_below_quorum")

    majority = rule.vote_majority
    if majority == "more_than_half_of_votes":
        # "More than 50% of those who took part": yes / turnout > 1/2.
        if 2 * yes > turnout:
            return VoteOutcome(True, True, "recalled")
        return VoteOutcome(False, True, "yes_not_more_than_half")
    if majority in ("yes_gt_no", "successor_election"):
        if yes > no:
            return VoteOutcome(True, True, "recalled")
        return VoteOutcome(False, True, "yes_not_more_than_no")
    if majority == "yes_gt_no_and_yes_ge_quarter_electorate":
        if yes <= no:
            return VoteOutcome(False, True, "yes_not_more_than_no")
        if 4 * yes < registered:
            return VoteOutcome(False, True, "yes_below_quarter_of_electorate")
        return VoteOutcome(True, True, "recalled")
    # Remaining: yes_ge_votes_that_elected (validation allows nothing else).
    if votes_that_elected is None:
        raise ValueError("votes_that_elected is required for this rule")
    check_count("votes_that_elected", votes_that_elected)
    if yes >= votes_that_elected:
        return VoteOutcome(True, True, "recalled")
    return VoteOutcome(False, True, "yes_below_votes_that_elected")


# ------------------------------------------------------------- validation


def _require_int(name: str, value: object, minimum: int) -> None:
    if not is_int(value):
        raise InvalidRule(name, "must be a whole number")
    assert isinstance(value, int)
    if value < minimum:
        raise InvalidRule(name, f"must be at least {minimum}")


def _require_percent(name: str, value: object) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidRule(name, "must be a finite Decimal")
    if value <= 0:
        raise InvalidRule(name, "must be more than 0")
    if value > 100:
        raise InvalidRule(name, "must not be more than 100")


def _require_text(name: str, value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidRule(name, "must be non-empty text")


def _require_choice(name: str, value: object, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise InvalidRule(name, f"must be one of {', '.join(choices)}")


def _validate_bands(bands: object) -> None:
    if not isinstance(bands, tuple) or not bands:
        raise InvalidRule("threshold_bands", "must be a non-empty tuple of Band")
    previous: int | None = None
    for i, band in enumerate(bands):
        where = f"threshold_bands[{i}]"
        if not isinstance(band, Band):
            raise InvalidRule(where, "must be a Band")
        last = i == len(bands) - 1
        if band.max_voters is None:
            if not last:
                raise InvalidRule(f"{where}.max_voters", "only the last band may be open")
        else:
            _require_int(f"{where}.max_voters", band.max_voters, 0)
            if last:
                # An open last band means every electorate has a threshold.
                raise InvalidRule(f"{where}.max_voters", "the last band must be open (None)")
            if previous is not None and band.max_voters <= previous:
                raise InvalidRule(f"{where}.max_voters", "bands must increase")
            previous = band.max_voters
        _require_percent(f"{where}.percent", band.percent)
        _require_int(f"{where}.floor", band.floor, 0)
        if band.signing_days is not None:
            _require_int(f"{where}.signing_days", band.signing_days, 1)


def _validate_rule(rule: RecallRule) -> None:
    if not isinstance(rule.key, str) or not _KEY_PATTERN.fullmatch(rule.key):
        raise InvalidRule("key", "must be lower-case letters, digits and _ (max 64)")
    for name in ("name", "jurisdiction", "legal_source"):
        _require_text(name, getattr(rule, name))
    if not isinstance(rule.notes, str):
        raise InvalidRule("notes", "must be text")
    mandates = rule.recallable_mandates
    if not isinstance(mandates, tuple) or not mandates:
        raise InvalidRule("recallable_mandates", "must be a non-empty tuple")
    for m in mandates:
        _require_choice("recallable_mandates", m, MANDATE_TYPES)
    if len(set(mandates)) != len(mandates):
        raise InvalidRule("recallable_mandates", "must not repeat a mandate type")
    _require_int("lockout_first_days", rule.lockout_first_days, 0)
    _require_int("lockout_last_days", rule.lockout_last_days, 0)
    _require_choice("threshold_basis", rule.threshold_basis, THRESHOLD_BASES)
    _validate_bands(rule.threshold_bands)
    _require_int("signing_days", rule.signing_days, 1)
    _require_int("min_initiative_group", rule.min_initiative_group, 0)
    for name in ("withdrawal_allowed", "running_count_public"):
        if not isinstance(getattr(rule, name), bool):
            raise InvalidRule(name, "must be true or false")
    _require_choice("verification_method", rule.verification_method, VERIFICATION_METHODS)
    if rule.sample_percent is not None:
        _require_percent("sample_percent", rule.sample_percent)
    if rule.sample_minimum is not None:
        _require_int("sample_minimum", rule.sample_minimum, 1)
    if rule.verification_method == "random_sample":
        if rule.sample_percent is None:
            raise InvalidRule("sample_percent", "required for random_sample")
        if rule.sample_minimum is None:
            raise InvalidRule("sample_minimum", "required for random_sample")
    for name in ("full_count_upper", "full_count_lower"):
        value = getattr(rule, name)
        if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
            raise InvalidRule(name, "must be a positive finite Decimal")
    if not rule.full_count_lower <= 1 <= rule.full_count_upper:
        raise InvalidRule("full_count_lower", "must satisfy lower <= 1 <= upper")
    quorum = rule.vote_turnout_quorum
    # A Decimal like 0.3333 is not 1/3: require the exact type.
    if quorum is not None and (not isinstance(quorum, Fraction) or not 0 < quorum <= 1):
        raise InvalidRule("vote_turnout_quorum", "must be a Fraction in (0, 1] or None")
    _require_choice("vote_majority", rule.vote_majority, VOTE_MAJORITIES)
    unverified = rule.unverified_fields
    if not isinstance(unverified, frozenset):
        raise InvalidRule("unverified_fields", "must be a frozenset")
    names = {f.name for f in fields(RecallRule)}
    for name in sorted(unverified):
        if name not in names:
            raise InvalidRule("unverified_fields", f"{name!r} is not a rule field")


# --------------------------------------------------------- JSON reading


def _str_or_none(value: Decimal | Fraction | None) -> str | None:
    return None if value is None else str(value)


class _Reader:
    """Typed access to a JSON-like mapping that reports the failing field."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = data

    def _get(self, key: str) -> Any:
        if key not in self._data:
            raise InvalidRule(key, "missing")
        return self._data[key]

    def text(self, key: str, allow_empty: bool = False) -> str:
        value = self._get(key)
        if not isinstance(value, str) or (not allow_empty and not value):
            raise InvalidRule(key, "must be text")
        return value

    def text_list(self, key: str) -> list[str]:
        value = self._get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidRule(key, "must be a list of text")
        return value

    def integer(self, key: str) -> int:
        return _read_int(key, self._get(key))

    def integer_or_none(self, key: str) -> int | None:
        return _read_optional_int(key, self._get(key))

    def boolean(self, key: str) -> bool:
        value = self._get(key)
        if not isinstance(value, bool):
            raise InvalidRule(key, "must be true or false")
        return value

    def decimal(self, key: str) -> Decimal:
        return _read_decimal(key, self._get(key))

    def decimal_or_none(self, key: str) -> Decimal | None:
        value = self._get(key)
        return None if value is None else _read_decimal(key, value)

    def fraction_or_none(self, key: str) -> Fraction | None:
        value = self._get(key)
        if value is None:
            return None
        if is_int(value):
            return Fraction(value)
        if not isinstance(value, str):
            raise InvalidRule(key, 'must be a string such as "1/3" or null')
        try:
            return Fraction(value)
        except (ValueError, ZeroDivisionError):
            raise InvalidRule(key, f"{value!r} is not a fraction") from None

    def bands(self, key: str) -> tuple[Band, ...]:
        value = self._get(key)
        if not isinstance(value, list):
            raise InvalidRule(key, "must be a list")
        bands = []
        allowed = {"max_voters", "percent", "floor", "signing_days"}
        for i, item in enumerate(value):
            where = f"{key}[{i}]"
            if not isinstance(item, Mapping):
                raise InvalidRule(where, "must be an object")
            extra = sorted(set(item) - allowed)
            if extra:
                raise InvalidRule(f"{where}.{extra[0]}", "unknown field")
            if "percent" not in item:
                raise InvalidRule(f"{where}.percent", "missing")
            bands.append(
                Band(
                    max_voters=_read_optional_int(f"{where}.max_voters", item.get("max_voters")),
                    percent=_read_decimal(f"{where}.percent", item["percent"]),
                    floor=_read_int(f"{where}.floor", item.get("floor", 0)),
                    signing_days=_read_optional_int(
                        f"{where}.signing_days", item.get("signing_days")
                    ),
                )
            )
        return tuple(bands)


def _read_int(key: str, value: object) -> int:
    if not is_int(value):
        raise InvalidRule(key, "must be a whole number")
    return value


def _read_optional_int(key: str, value: object) -> int | None:
    return None if value is None else _read_int(key, value)


def _read_decimal(key: str, value: object) -> Decimal:
    # Floats are refused: 0.1 in JSON is already inexact by the time we see it.
    if is_int(value):
        return Decimal(value)
    if not isinstance(value, str):
        raise InvalidRule(key, 'must be a number written as a string, e.g. "12.5"')
    try:
        result = Decimal(value)
    except ArithmeticError:
        raise InvalidRule(key, f"{value!r} is not a number") from None
    if not result.is_finite():
        raise InvalidRule(key, "must be finite")
    return result


# ------------------------------------------------------------------ presets

_KZ_SOURCE: Final = (
    'Constitutional Law of the Republic of Kazakhstan "On Elections in the '
    'Republic of Kazakhstan", chapter 13-2 (added 5 November 2022); art. '
    "113-16 (recall vote: valid if at least one third of the district's "
    "voters take part; recalled if more than 50% of those who took part "
    "vote for recall). Signature share of 30%: press report only."
)
_KZ_NOTES: Final = (
    "Only deputies elected in single-mandate districts can be recalled; "
    "party-list deputies lose the mandate only through their party. "
    "Grounds (reported): loss of voters' trust, including non-fulfilment of "
    "the election programme; only voters of the deputy's own district may "
    "initiate. Signature share, initiative group, signing period and how "
    "signatures are checked were not found in a primary text: the values "
    "here are placeholders for an administrator to confirm."
)
# Everything except the confirmed recall vote and the confirmed restriction to
# single-mandate deputies.
_KZ_UNVERIFIED: Final = frozenset(
    {
        "threshold_basis",
        "threshold_bands",
        "signing_days",
        "min_initiative_group",
        "verification_method",
        "lockout_first_days",
        "lockout_last_days",
        "withdrawal_allowed",
        "running_count_public",
    }
)


def _kz_rule(key: str, name: str, jurisdiction: str) -> RecallRule:
    return RecallRule(
        key=key,
        name=name,
        jurisdiction=jurisdiction,
        legal_source=_KZ_SOURCE,
        notes=_KZ_NOTES,
        recallable_mandates=("single_mandate",),
        lockout_first_days=0,
        lockout_last_days=0,
        threshold_basis="registered_voters",
        threshold_bands=(Band(max_voters=None, percent=Decimal("30")),),
        signing_days=30,
        min_initiative_group=10,
        withdrawal_allowed=False,
        running_count_public=False,
        verification_method="full_count",
        vote_turnout_quorum=Fraction(1, 3),
        vote_majority="more_than_half_of_votes",
        unverified_fields=_KZ_UNVERIFIED,
    )


_PRESET_LIST: Final = (
    _kz_rule(
        "kz_mazhilis_single_mandate",
        "Kazakhstan: Mazhilis deputy, single-mandate district",
        "Kazakhstan",
    ),
    _kz_rule(
        "kz_maslikhat_single_mandate",
        "Kazakhstan: maslikhat deputy, single-mandate district",
        "Kazakhstan",
    ),
    RecallRule(
        key="uk_recall_of_mps_2015",
        name="United Kingdom: Recall of MPs Act 2015",
        jurisdiction="United Kingdom",
        legal_source=(
            "Recall of MPs Act 2015 (c. 25): s. 1 (recall conditions), s. 9(2) "
            "(signing period of 6 weeks), s. 14(3) (successful if at least 10% "
            "of eligible registered electors sign)."
        ),
        notes=(
            "Triggered by the Speaker after a custodial sentence, a suspension "
            "of 10+ sitting days or an expenses conviction; voters cannot "
            "initiate. Eligible electors: on the register on the last day of "
            "the signing period and aged 18 or over. The full period runs even "
            "after 10% is reached. Signing in person, by post or by proxy. The "
            "lock-out before a general election (six months) is from memory "
            "of s. 1 and not checked here."
        ),
        recallable_mandates=("single_mandate",),
        lockout_first_days=0,
        lockout_last_days=183,
        threshold_basis="registered_voters",
        threshold_bands=(Band(max_voters=None, percent=Decimal("10")),),
        signing_days=42,
        min_initiative_group=0,
        withdrawal_allowed=False,
        running_count_public=False,
        verification_method="full_count",
        vote_turnout_quorum=None,
        vote_majority="petition_decides",
        unverified_fields=frozenset({"lockout_last_days", "verification_method"}),
    ),
    RecallRule(
        key="california_local",
        name="California: local officers",
        jurisdiction="California, United States",
        legal_source=(
            "California Elections Code 11220 (filing period by registration), "
            "11221(a) (signature percentages), 11225 (random sample of 500 or "
            "5%, whichever is greater; over 110% qualifies, 90-110% full "
            "count), 11303 (withdrawal before filing); 2 CCR 20530-20540 "
            "(sampling formula)."
        ),
        notes=(
            "Signature bands (11221) and filing-period bands (11220) have "
            "different edges (the periods change at 5,000 and 50,000 "
            "registered voters), so six bands carry both. Decided by a recall "
            "election: majority of votes on the recall question. Lock-out of "
            "90 days after taking office (11007) and at least 10 proponents "
            "are from secondary sources."
        ),
        recallable_mandates=("single_mandate", "multi_member", "executive"),
        lockout_first_days=90,
        lockout_last_days=0,
        threshold_basis="registered_voters",
        threshold_bands=(
            Band(max_voters=999, percent=Decimal("30"), signing_days=40),
            Band(max_voters=4_999, percent=Decimal("25"), signing_days=60),
            Band(max_voters=9_999, percent=Decimal("25"), signing_days=90),
            Band(max_voters=49_999, percent=Decimal("20"), signing_days=120),
            Band(max_voters=99_999, percent=Decimal("15"), signing_days=160),
            Band(max_voters=None, percent=Decimal("10"), signing_days=160),
        ),
        signing_days=160,
        min_initiative_group=10,
        withdrawal_allowed=True,
        running_count_public=True,
        verification_method="random_sample",
        sample_percent=Decimal("5"),
        sample_minimum=500,
        vote_turnout_quorum=None,
        vote_majority="yes_gt_no",
        unverified_fields=frozenset(
            {
                "lockout_first_days",
                "lockout_last_days",
                "min_initiative_group",
                "running_count_public",
            }
        ),
    ),
    RecallRule(
        key="philippines_ra_9244",
        name="Philippines: elective local officials (RA 9244)",
        jurisdiction="Philippines",
        legal_source=(
            "Republic Act No. 9244 (19 February 2004), amending sections 70-71 "
            "of the Local Government Code of 1991 (RA 7160); limitations on "
            "recall in LGC section 74."
        ),
        notes=(
            "Basis: registered voters of the local government unit at the "
            "election that elected the official. Decided by a recall election "
            "in which the official is automatically a candidate. No statutory "
            "signing period was found: 30 days is a placeholder. The one-year "
            "lock-outs after assumption of office and before the next regular "
            "local election (LGC s. 74) are from secondary sources."
        ),
        recallable_mandates=("single_mandate", "multi_member", "executive"),
        lockout_first_days=365,
        lockout_last_days=365,
        threshold_basis="registered_voters",
        threshold_bands=(
            Band(max_voters=20_000, percent=Decimal("25")),
            Band(max_voters=75_000, percent=Decimal("20"), floor=5_000),
            Band(max_voters=300_000, percent=Decimal("15"), floor=15_000),
            Band(max_voters=None, percent=Decimal("10"), floor=45_000),
        ),
        signing_days=30,
        min_initiative_group=1,
        withdrawal_allowed=False,
        running_count_public=False,
        verification_method="full_count",
        vote_turnout_quorum=None,
        vote_majority="successor_election",
        unverified_fields=frozenset(
            {
                "signing_days",
                "lockout_first_days",
                "lockout_last_days",
                "min_initiative_group",
                "withdrawal_allowed",
                "running_count_public",
                "verification_method",
            }
        ),
    ),
    RecallRule(
        key="taiwan",
        name="Taiwan: elected public officials",
        jurisdiction="Taiwan",
        legal_source=(
            "Civil Servants Election and Recall Act (公職人員選舉罷免法): no "
            "recall within the first year in office; proposal stage of 1% of "
            "the electorate, then petition stage of 10%; recalled if yes "
            "votes exceed no votes and reach a quarter of the electorate."
        ),
        notes=(
            "Two signature stages: a proposal signed by 1% of the electorate, "
            "then the petition modelled here (10%). The 1% stage is not "
            "modelled as a band. Legislators elected from the national "
            "party list cannot be recalled. Signing period of 60 days is the "
            "one reported for legislators (shorter for lower offices)."
        ),
        recallable_mandates=("single_mandate", "multi_member", "executive"),
        lockout_first_days=365,
        lockout_last_days=0,
        threshold_basis="registered_voters",
        threshold_bands=(Band(max_voters=None, percent=Decimal("10")),),
        signing_days=60,
        min_initiative_group=1,
        withdrawal_allowed=False,
        running_count_public=False,
        verification_method="full_count",
        vote_turnout_quorum=None,
        vote_majority="yes_gt_no_and_yes_ge_quarter_electorate",
        unverified_fields=frozenset(
            {
                "signing_days",
                "lockout_last_days",
                "min_initiative_group",
                "withdrawal_allowed",
                "running_count_public",
                "verification_method",
            }
        ),
    ),
)

PRESETS: Final[dict[str, RecallRule]] = {rule.key: rule for rule in _PRESET_LIST}
