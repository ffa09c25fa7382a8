"""Recall regimes as data, and the arithmetic that applies them.

A :class:`RecallRule` captures one jurisdiction's recall law (DOMAIN.md
sections 1 and 3): who can be recalled and when, how many signatures are
needed, how they are checked and how the recall vote is decided. Rules are
stored by the application as JSON rule versions, so every rule round-trips
through :meth:`RecallRule.to_dict` / :meth:`RecallRule.from_dict` with exact
values (Decimals and Fractions as strings, never floats).

Values that DOMAIN.md marks [unknown] or [reported], or that this module
fills in without a primary text at hand, are named in ``unverified_fields``
so the interface can flag them and an administrator can correct them. The jurisdictions' own
rules are data in :mod:`recall.rules.rule_presets`.
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
DecidedBy = Literal["vote", "petition"]
VoteConditionKind = Literal[
    "turnout_quorum", "approval", "yes_more_than_no", "yes_at_least_votes_that_elected"
]
ApprovalBase = Literal["votes_cast", "turnout", "registered"]
SigningChannel = Literal["online_email", "online_strong", "paper", "in_person", "post", "proxy"]

THRESHOLD_BASES: Final = ("registered_voters", "votes_cast")
# Which registered-voter figure the signature share applies to: the register at the petition's
# registration; the register on the last day of signing, less those under 18 (UK Recall of MPs
# Act 2015 s. 14(3): the required number is provisional until then); the voters at the election
# that elected the official (Philippines RA 9244 s. 70).
ELECTORATE_BASES: Final = ("registration", "last_day", "election")
ElectorateBasis = Literal["registration", "last_day", "election"]
VERIFICATION_METHODS: Final = ("full_count", "random_sample")
# How a recall is decided: by a vote whose conditions must all hold, or by the petition itself
# (no vote; a successful petition vacates the seat - UK).
DECIDED_BY: Final = ("vote", "petition")
# The conditions a recall vote is composed of (a rule lists the ones that must all hold):
# turnout_quorum: turnout >= share x registered voters (strict: more than) - Kazakhstan 1/3.
# approval: yes >= share x a base (strict: more than), the base being ``votes_cast`` (yes + no),
#   ``turnout`` (everyone who took part, so blank and spoilt ballots count against recall) or
#   ``registered`` (all registered voters) - Kazakhstan: more than 1/2 of turnout; Taiwan: at
#   least 1/4 of registered.
# yes_more_than_no: more yes than no among votes cast on the question - California; in a
#   successor election (Philippines) yes is the best challenger's votes and no the official's.
# yes_at_least_votes_that_elected: yes at least the votes that elected the official - Venezuela.
VOTE_CONDITION_KINDS: Final = (
    "turnout_quorum",
    "approval",
    "yes_more_than_no",
    "yes_at_least_votes_that_elected",
)
APPROVAL_BASES: Final = ("votes_cast", "turnout", "registered")
# How a voter may give a signature: online with e-mail confirmation; online with a strong identity
# (a digital signature); on a paper sheet entered by the commission; in person at the commission,
# by post or by proxy (entered by the commission, the channel recorded - UK Act s. 11).
# The online channels say how the signer's identity is confirmed (an e-mailed link, or a digital
# signature with a certificate naming their IIN), so one list says both who may sign and how.
SIGNING_CHANNELS: Final = ("online_email", "online_strong", "paper", "in_person", "post", "proxy")
ONLINE_CHANNELS: Final = ("online_email", "online_strong")
# Rule data older than schema 3 did not name its channels: the app then took online signatures
# confirmed by e-mail and paper sheets, so that is what such a rule keeps allowing.
DEFAULT_SIGNING_CHANNELS: Final = ("online_email", "paper")
# Schema 3 also had ``identity_providers``: how an online signature may be confirmed, each
# provider standing for the online channel below. Schema 4 folded it into the channels
# (:func:`channels_from_schema_3`); stored signatures still record the provider that confirmed
# them (``signatures.identity_provider``).
SCHEMA_3_IDENTITY_PROVIDERS: Final = {
    "email_link": "online_email",
    "online_strong": "online_strong",
}
# Schema 1 stored the decision as one of these names (plus ``vote_turnout_quorum``); they are
# still read (see ``conditions_for_vote_majority``) and offered by the older rule form.
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
# Why a vote recalled or not: "recalled", else the code of each failing condition
# (``condition_reason``). The last two are schema 1's codes, kept because stored vote results
# carry them: today's equivalents are ``yes_not_above_share_of_turnout`` and
# ``yes_below_share_of_registered``.
VOTE_REASONS: Final = (
    "recalled",
    "turnout_below_quorum",
    "yes_below_share_of_votes_cast",
    "yes_not_above_share_of_votes_cast",
    "yes_below_share_of_turnout",
    "yes_not_above_share_of_turnout",
    "yes_below_share_of_registered",
    "yes_not_above_share_of_registered",
    "yes_not_more_than_no",
    "yes_below_votes_that_elected",
    "yes_not_more_than_half",
    "yes_below_quarter_of_electorate",
)

# Bumped whenever the dict layout changes, so stored rule versions can be
# migrated instead of misread. 2: the vote decision became ``decided_by`` and a list of
# ``vote_conditions`` (1 had ``vote_majority`` and ``vote_turnout_quorum``);
# ``full_count_max_signatures`` added. 3: ``identity_providers`` (older data: both),
# ``signing_channels`` (older data reads as :data:`DEFAULT_SIGNING_CHANNELS`),
# ``deputy_answer_max_words`` and ``deputy_answer_days``. 4: ``identity_providers`` folded into
# ``signing_channels`` (:func:`channels_from_schema_3`; migration 0040 rewrote stored versions).
# ``electorate_basis`` is optional in every version (older data: ``registration``), as is
# ``max_extension_days`` (older data: 0, no extension).
SCHEMA_VERSION: Final = 4
SUPPORTED_SCHEMA_VERSIONS: Final = (1, 2, 3, 4)
_SCHEMA_3_FIELDS: Final = frozenset(
    {"signing_channels", "deputy_answer_max_words", "deputy_answer_days"}
)

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
class VoteCondition:
    """One condition a recall vote must meet (see :data:`VOTE_CONDITION_KINDS`).

    ``share`` (a Fraction in (0, 1]) is required for ``turnout_quorum`` and ``approval`` and
    absent otherwise; ``of`` (one of :data:`APPROVAL_BASES`) only for ``approval``; ``strict``
    means "more than" instead of "at least" and applies to those two kinds only.
    """

    kind: VoteConditionKind
    share: Fraction | None = None
    of: ApprovalBase | None = None
    strict: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form: ``{"kind": ..., "share": "1/3", "of": ..., "strict": ...}`` (unused keys left out)."""
        data: dict[str, Any] = {"kind": self.kind}
        if self.share is not None:
            data["share"] = str(self.share)
        if self.of is not None:
            data["of"] = self.of
        if self.kind in _SHARED_KINDS:
            data["strict"] = self.strict
        return data


_SHARED_KINDS: Final = ("turnout_quorum", "approval")


def turnout_quorum(share: Fraction, *, strict: bool = False) -> VoteCondition:
    """Turnout at least (strict: more than) ``share`` of registered voters."""
    return VoteCondition(kind="turnout_quorum", share=share, strict=strict)


def approval(share: Fraction, of: ApprovalBase, *, strict: bool) -> VoteCondition:
    """Yes at least (strict: more than) ``share`` of ``of`` (votes_cast, turnout, registered)."""
    return VoteCondition(kind="approval", share=share, of=of, strict=strict)


YES_MORE_THAN_NO: Final = VoteCondition(kind="yes_more_than_no")
YES_AT_LEAST_VOTES_THAT_ELECTED: Final = VoteCondition(kind="yes_at_least_votes_that_elected")


def conditions_for_vote_majority(
    majority: str, quorum: Fraction | None
) -> tuple[DecidedBy, tuple[VoteCondition, ...]]:
    """The schema-2 decision equal to a schema-1 ``vote_majority`` and ``vote_turnout_quorum``.

    Raises InvalidRule (field ``vote_majority``) for a name not in :data:`VOTE_MAJORITIES`.
    A quorum under ``petition_decides`` had no effect (no vote is held) and is dropped.
    """
    _require_choice("vote_majority", majority, VOTE_MAJORITIES)
    if majority == "petition_decides":
        return "petition", ()
    rest = {
        "more_than_half_of_votes": (approval(Fraction(1, 2), "turnout", strict=True),),
        "yes_gt_no": (YES_MORE_THAN_NO,),
        "successor_election": (YES_MORE_THAN_NO,),
        "yes_gt_no_and_yes_ge_quarter_electorate": (
            YES_MORE_THAN_NO,
            approval(Fraction(1, 4), "registered", strict=False),
        ),
        "yes_ge_votes_that_elected": (YES_AT_LEAST_VOTES_THAT_ELECTED,),
    }[majority]
    return "vote", ((turnout_quorum(quorum),) if quorum is not None else ()) + rest


def channels_from_schema_3(channels: object, providers: object) -> tuple[str, ...]:
    """Schema 3's ``signing_channels`` and ``identity_providers`` as one schema-4 channel list.

    Schema 3 took an online signature only when the rule listed both its channel and the
    provider standing for it (:data:`SCHEMA_3_IDENTITY_PROVIDERS`), so the list keeps, in its
    order, every channel a voter could actually use: online_email, online_strong, paper with
    providers [online_strong] -> online_strong, paper. One case had no usable channel at all
    (every channel online, none with its provider: online_email with [online_strong]); nobody
    could sign under it, and it becomes the online channels its providers name (online_strong),
    the later and narrower statement of how an online signer proves who they are, rather than a
    rule that refuses every way of signing.

    Raises InvalidRule (``identity_providers``) for providers that are not a non-empty list of
    known, distinct names, and (``signing_channels``) for channels that are not a list.
    """
    if not isinstance(providers, list | tuple) or not providers:
        raise InvalidRule("identity_providers", "must be a non-empty list")
    for provider in providers:
        _require_choice("identity_providers", provider, tuple(SCHEMA_3_IDENTITY_PROVIDERS))
    if len(set(providers)) != len(providers):
        raise InvalidRule("identity_providers", "must not repeat a provider")
    if not isinstance(channels, list | tuple):
        raise InvalidRule("signing_channels", "must be a list")
    confirmed = [SCHEMA_3_IDENTITY_PROVIDERS[p] for p in providers]
    usable = tuple(c for c in channels if c not in ONLINE_CHANNELS or c in confirmed)
    return usable or tuple(c for c in ONLINE_CHANNELS if c in confirmed)


def rule_data_to_schema_4(data: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of stored rule data, schema 3 rewritten as schema 4 (other versions unchanged).

    ``identity_providers`` is folded into ``signing_channels`` by :func:`channels_from_schema_3`
    (absent channels: :data:`DEFAULT_SIGNING_CHANNELS`; absent providers: both), and an
    ``unverified_fields`` entry for it moves to ``signing_channels``. Stored rows are never
    rewritten (migration 0040): every reader maps them through this. Raises InvalidRule as :func:`channels_from_schema_3` does.
    """
    new = dict(data)
    if new.get("schema_version") != 3:
        return new
    providers = new.pop("identity_providers", list(SCHEMA_3_IDENTITY_PROVIDERS))
    channels = new.get("signing_channels", list(DEFAULT_SIGNING_CHANNELS))
    new["signing_channels"] = list(channels_from_schema_3(channels, providers))
    unverified = new.get("unverified_fields")
    if isinstance(unverified, list) and "identity_providers" in unverified:
        moved = {n for n in unverified if n != "identity_providers"} | {"signing_channels"}
        new["unverified_fields"] = sorted(moved)
    new["schema_version"] = 4
    return new


def stored_signing_channels(data: Mapping[str, Any]) -> tuple[str, ...]:
    """The channels stored rule data allows, whatever its schema version, without building the
    whole rule (signing asks on every signature). Data before schema 3 reads as
    :data:`DEFAULT_SIGNING_CHANNELS`; schema 3 as :func:`rule_data_to_schema_4` maps it."""
    channels = rule_data_to_schema_4(data).get("signing_channels")
    return tuple(channels) if channels else DEFAULT_SIGNING_CHANNELS


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
    decided_by: DecidedBy
    vote_conditions: tuple[VoteCondition, ...]
    sample_percent: Decimal | None = None
    sample_minimum: int | None = None
    full_count_upper: Decimal = Decimal("1.10")
    full_count_lower: Decimal = Decimal("0.90")
    # Every signature is checked (no sample, no projection) when at most this many were filed
    # (California EC 11225(a): 500). None: the verification method alone decides.
    full_count_max_signatures: int | None = None
    # The channels a signature may be given through (:data:`SIGNING_CHANNELS`).
    signing_channels: tuple[SigningChannel, ...] = DEFAULT_SIGNING_CHANNELS
    # The deputy may answer the grounds in at most this many words, filed within this many days
    # of the petition's submission (California EC 11023: 200 words, 7 days). None: no answer.
    deputy_answer_max_words: int | None = None
    deputy_answer_days: int | None = None
    unverified_fields: frozenset[str] = field(default_factory=frozenset)
    notes: str = ""
    electorate_basis: ElectorateBasis = "registration"
    # Days by which the commission may extend a petition's signing period in all, by audited
    # decisions naming an outage or another cause (Kazakhstan's January 2022 internet shutdown cut
    # eGov for days). 0: no extension.
    max_extension_days: int = 0

    def __post_init__(self) -> None:
        _validate_rule(self)

    @property
    def vote_turnout_quorum(self) -> Fraction | None:
        """The share of a non-strict turnout quorum condition, if any (schema 1's field)."""
        for condition in self.vote_conditions:
            if condition.kind == "turnout_quorum" and not condition.strict:
                return condition.share
        return None

    @property
    def vote_majority(self) -> str:
        """Schema 1's name for this decision, or ``custom`` when no such name expresses it.

        ``successor_election`` reads back as ``yes_gt_no``: both decide by yes > no.
        """
        quorum = self.vote_turnout_quorum
        for name in VOTE_MAJORITIES:
            if name == "successor_election":
                continue
            if conditions_for_vote_majority(name, quorum) == (
                self.decided_by,
                self.vote_conditions,
            ):
                return name
        return "custom"

    @property
    def online_signing(self) -> bool:
        """True when some channel lets a voter sign online."""
        return any(c in ONLINE_CHANNELS for c in self.signing_channels)

    @property
    def deputy_may_answer(self) -> bool:
        """True when the rule provides for the deputy's answer to the grounds."""
        return self.deputy_answer_max_words is not None

    def uses_full_count(self, filed: int) -> bool:
        """True when every one of ``filed`` signatures is checked rather than a sample."""
        if self.verification_method == "full_count":
            return True
        limit = self.full_count_max_signatures
        return limit is not None and filed <= limit

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
            "electorate_basis": self.electorate_basis,
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
            "full_count_max_signatures": self.full_count_max_signatures,
            "signing_channels": list(self.signing_channels),
            "deputy_answer_max_words": self.deputy_answer_max_words,
            "deputy_answer_days": self.deputy_answer_days,
            "decided_by": self.decided_by,
            "vote_conditions": [c.to_dict() for c in self.vote_conditions],
            "unverified_fields": sorted(self.unverified_fields),
            "max_extension_days": self.max_extension_days,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "RecallRule":
        """Build a rule from :meth:`to_dict` output (e.g. parsed JSON).

        Contract: raises InvalidRule naming the field for a missing required
        field, an unknown field (catches typos in hand-edited JSON), a value
        of the wrong JSON type (floats are refused for exact numbers: use a
        string), or any value construction rejects.

        Schema 1 rows (``vote_majority`` and ``vote_turnout_quorum`` instead of
        ``decided_by`` and ``vote_conditions``) are migrated with
        :func:`conditions_for_vote_majority`; data without ``vote_conditions`` may use the
        older pair in any version (the older rule form sends it). Giving both is refused.
        Schema 1 and 2 rows name no signing channels and read as
        :data:`DEFAULT_SIGNING_CHANNELS` (what the app then allowed), without a deputy's answer.
        Schema 3 rows fold ``identity_providers`` into the channels (:func:`rule_data_to_schema_4`);
        naming it in schema 4 data is refused as an unknown field.
        """
        if not isinstance(data, Mapping):
            raise InvalidRule("rule", "must be an object")
        version = data.get("schema_version", SCHEMA_VERSION)
        if version not in SUPPORTED_SCHEMA_VERSIONS:
            raise InvalidRule("schema_version", f"unsupported version {version!r}")
        if version == 3:
            data, version = rule_data_to_schema_4(data), 4
        legacy = {"vote_majority", "vote_turnout_quorum"}
        known = {f.name for f in fields(cls)} | {"schema_version"}
        if version == 1 or "vote_conditions" not in data:
            known = (
                known - {"decided_by", "vote_conditions", "full_count_max_signatures"}
            ) | legacy
            if version >= 2:
                known.add("full_count_max_signatures")
        if version < 3:
            known -= _SCHEMA_3_FIELDS
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidRule(unknown[0], "unknown field")
        r = _Reader(data)
        if "vote_conditions" in data:
            decided_by: Any = r.text("decided_by") if "decided_by" in data else "vote"
            conditions = r.conditions("vote_conditions")
            unverified = (
                frozenset(r.text_list("unverified_fields")) if "unverified_fields" in data else None
            )
        else:
            decided_by, conditions = conditions_for_vote_majority(
                r.text("vote_majority"), r.fraction_or_none("vote_turnout_quorum")
            )
            unverified = None
            if "unverified_fields" in data:
                names = set(r.text_list("unverified_fields"))
                if names & legacy:
                    names = (names - legacy) | {"vote_conditions"}
                unverified = frozenset(names)
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
            "decided_by": decided_by,
            "vote_conditions": conditions,
        }
        optional: dict[str, Any] = {
            "sample_percent": r.decimal_or_none,
            "sample_minimum": r.integer_or_none,
            "full_count_upper": r.decimal,
            "full_count_lower": r.decimal,
            "full_count_max_signatures": r.integer_or_none,
            "signing_channels": lambda k: tuple(r.text_list(k)),
            "deputy_answer_max_words": r.integer_or_none,
            "deputy_answer_days": r.integer_or_none,
            "notes": lambda k: r.text(k, allow_empty=True),
            "electorate_basis": r.text,
            "max_extension_days": r.integer,
        }
        for name, read in optional.items():
            if name in data:
                kwargs[name] = read(name)
        if unverified is not None:
            kwargs["unverified_fields"] = unverified
        return cls(**kwargs)


@dataclass(frozen=True)
class Eligibility:
    """Whether a recall may start now; ``reason_code`` is None when allowed."""

    allowed: bool
    reason_code: str | None


@dataclass(frozen=True)
class VoteOutcome:
    """Result of a recall vote.

    ``reason`` is one of :data:`VOTE_REASONS`: ``recalled``, else the first failing condition
    (``turnout_below_quorum`` first when the quorum fails). ``failed`` names every failing
    condition, in the rule's order. ``valid`` is False when a turnout quorum failed.
    """

    recalled: bool
    valid: bool
    reason: str
    failed: tuple[str, ...] = ()


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


def recall_window(
    rule: RecallRule, mandate_type: str, term_start: date, term_end: date
) -> tuple[date, date] | None:
    """The first and last days of the term on which a recall may be started under ``rule``.

    Contract: the same days :func:`recall_eligibility` allows (term_start + lockout_first_days
    to term_end - lockout_last_days, both included); None when the mandate type cannot be
    recalled or the lock-outs leave no day. ValueError if start is after end.
    """
    if term_start > term_end:
        raise ValueError("term_start is after term_end")
    if mandate_type not in rule.recallable_mandates:
        return None
    first = term_start + timedelta(days=rule.lockout_first_days)
    try:
        last = term_end - timedelta(days=rule.lockout_last_days)
    except OverflowError:  # an open term end near date.max
        last = term_end
    return (first, last) if first <= last else None


def recall_opens_on(
    rule: RecallRule, mandate_type: str, term_start: date, term_end: date, on: date
) -> date | None:
    """The first day on or after ``on`` on which a recall may be started; None if none is left."""
    window = recall_window(rule, mandate_type, term_start, term_end)
    if window is None or on > window[1]:
        return None
    return max(window[0], on)


def decide_recall_vote(
    rule: RecallRule,
    registered: int,
    turnout: int,
    yes: int,
    no: int,
    votes_that_elected: int | None = None,
) -> VoteOutcome:
    """Decide a recall vote under ``rule``: recalled when every one of its conditions holds.

    Contract: ``registered`` > 0 voters on the roll, ``turnout`` of them took part
    (0..registered), ``yes`` and ``no`` are votes for and against recall with yes + no <=
    turnout (the rest blank or spoilt). In a successor election ``yes`` is the best
    challenger's votes and ``no`` the official's. ``votes_that_elected`` is required when the
    rule has ``yes_at_least_votes_that_elected``. Raises ValueError for inconsistent counts or a
    rule decided by petition (no vote is held).

    Shares are compared exactly: a quorum of 1/3 of 1,000 is 333 1/3, so 333 is not enough and
    334 is. A vote whose turnout quorum fails is invalid and never recalls.
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
    if rule.decided_by == "petition":
        raise ValueError("this rule decides by petition; there is no recall vote")
    if votes_that_elected is not None:
        check_count("votes_that_elected", votes_that_elected)
    bases = {"votes_cast": yes + no, "turnout": turnout, "registered": registered}
    failed: list[str] = []
    for condition in rule.vote_conditions:
        if not _condition_holds(condition, bases, yes, no, votes_that_elected):
            failed.append(condition_reason(condition))
    if not failed:
        return VoteOutcome(True, True, "recalled")
    valid = "turnout_below_quorum" not in failed
    reason = "turnout_below_quorum" if not valid else failed[0]
    return VoteOutcome(False, valid, reason, tuple(failed))


def condition_reason(condition: VoteCondition) -> str:
    """The :data:`VOTE_REASONS` code naming ``condition`` when it fails."""
    if condition.kind == "turnout_quorum":
        return "turnout_below_quorum"
    if condition.kind == "approval":
        prefix = "yes_not_above_share_of_" if condition.strict else "yes_below_share_of_"
        return f"{prefix}{condition.of}"
    if condition.kind == "yes_more_than_no":
        return "yes_not_more_than_no"
    return "yes_below_votes_that_elected"


def _condition_holds(
    condition: VoteCondition,
    bases: dict[str, int],
    yes: int,
    no: int,
    votes_that_elected: int | None,
) -> bool:
    if condition.kind == "yes_more_than_no":
        return yes > no
    if condition.kind == "yes_at_least_votes_that_elected":
        if votes_that_elected is None:
            raise ValueError("votes_that_elected is required for this rule")
        return yes >= votes_that_elected
    assert condition.share is not None
    if condition.kind == "turnout_quorum":
        value, base = bases["turnout"], bases["registered"]
    else:
        assert condition.of is not None
        value, base = yes, bases[condition.of]
    needed = condition.share * base  # an exact Fraction
    return value > needed if condition.strict else value >= needed


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


def _validate_vote(rule: RecallRule) -> None:
    _require_choice("decided_by", rule.decided_by, DECIDED_BY)
    conditions = rule.vote_conditions
    if not isinstance(conditions, tuple):
        raise InvalidRule("vote_conditions", "must be a tuple of VoteCondition")
    if rule.decided_by == "petition" and conditions:
        raise InvalidRule("vote_conditions", "must be empty when the petition decides")
    if rule.decided_by == "vote" and not conditions:
        raise InvalidRule("vote_conditions", "give at least one condition for the recall vote")
    for i, condition in enumerate(conditions):
        where = f"vote_conditions[{i}]"
        if not isinstance(condition, VoteCondition):
            raise InvalidRule(where, "must be a VoteCondition")
        _require_choice(f"{where}.kind", condition.kind, VOTE_CONDITION_KINDS)
        if not isinstance(condition.strict, bool):
            raise InvalidRule(f"{where}.strict", "must be true or false")
        shared = condition.kind in _SHARED_KINDS
        share = condition.share
        if shared:
            # A Decimal like 0.3333 is not 1/3: require the exact type.
            if not isinstance(share, Fraction) or not 0 < share <= 1:
                raise InvalidRule(f"{where}.share", "must be a fraction in (0, 1], e.g. 1/3")
        elif share is not None:
            raise InvalidRule(f"{where}.share", f"not used by {condition.kind}")
        if condition.kind == "approval":
            _require_choice(f"{where}.of", condition.of, APPROVAL_BASES)
        elif condition.of is not None:
            raise InvalidRule(f"{where}.of", f"not used by {condition.kind}")
        if not shared and condition.strict:
            raise InvalidRule(f"{where}.strict", f"not used by {condition.kind}")
        if condition in conditions[:i]:
            raise InvalidRule(where, "repeats an earlier condition")


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
    _require_choice("electorate_basis", rule.electorate_basis, ELECTORATE_BASES)
    _validate_bands(rule.threshold_bands)
    _require_int("signing_days", rule.signing_days, 1)
    _require_int("min_initiative_group", rule.min_initiative_group, 0)
    _require_int("max_extension_days", rule.max_extension_days, 0)
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
    if rule.full_count_max_signatures is not None:
        _require_int("full_count_max_signatures", rule.full_count_max_signatures, 0)
    _validate_channels(rule.signing_channels)
    _validate_answer(rule)
    _validate_vote(rule)
    unverified = rule.unverified_fields
    if not isinstance(unverified, frozenset):
        raise InvalidRule("unverified_fields", "must be a frozenset")
    names = {f.name for f in fields(RecallRule)}
    for name in sorted(unverified):
        if name not in names:
            raise InvalidRule("unverified_fields", f"{name!r} is not a rule field")


def _validate_channels(channels: object) -> None:
    if not isinstance(channels, tuple) or not channels:
        raise InvalidRule("signing_channels", "give at least one way to sign")
    for channel in channels:
        _require_choice("signing_channels", channel, SIGNING_CHANNELS)
    if len(set(channels)) != len(channels):
        raise InvalidRule("signing_channels", "must not repeat a channel")


def _validate_answer(rule: RecallRule) -> None:
    words, days = rule.deputy_answer_max_words, rule.deputy_answer_days
    if (words is None) != (days is None):
        raise InvalidRule(
            "deputy_answer_days" if days is None else "deputy_answer_max_words",
            "give both the answer's length and its time limit, or neither",
        )
    if words is not None:
        _require_int("deputy_answer_max_words", words, 1)
        _require_int("deputy_answer_days", days, 1)


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

    def objects(self, key: str, allowed: set[str]) -> list[tuple[str, Mapping[str, Any]]]:
        """The items of a list of objects as ``(where, item)``, refusing unknown keys."""
        value = self._get(key)
        if not isinstance(value, list):
            raise InvalidRule(key, "must be a list")
        items = []
        for i, item in enumerate(value):
            where = f"{key}[{i}]"
            if not isinstance(item, Mapping):
                raise InvalidRule(where, "must be an object")
            extra = sorted(set(item) - allowed)
            if extra:
                raise InvalidRule(f"{where}.{extra[0]}", "unknown field")
            items.append((where, item))
        return items

    def conditions(self, key: str) -> tuple[VoteCondition, ...]:
        result = []
        for where, item in self.objects(key, {"kind", "share", "of", "strict"}):
            item_reader = _Reader({"share": None, "of": None, "strict": False, **item})
            result.append(
                VoteCondition(
                    kind=_prefixed(where, item_reader.text, "kind"),
                    share=_prefixed(where, item_reader.fraction_or_none, "share"),
                    of=_prefixed(where, item_reader.text_or_none, "of"),
                    strict=_prefixed(where, item_reader.boolean, "strict"),
                )
            )
        return tuple(result)

    def text_or_none(self, key: str) -> str | None:
        value = self._get(key)
        return None if value is None else self.text(key)

    def bands(self, key: str) -> tuple[Band, ...]:
        bands = []
        for where, item in self.objects(key, {"max_voters", "percent", "floor", "signing_days"}):
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


def _prefixed(where: str, read: Any, key: str) -> Any:
    """Call ``read(key)``, reporting a failure as ``where.key``."""
    try:
        return read(key)
    except InvalidRule as exc:
        raise InvalidRule(f"{where}.{exc.field}", exc.message) from None


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
