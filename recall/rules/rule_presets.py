"""The recall rules of real jurisdictions, as data: Kazakhstan's Mazhilis and maslikhats, the
United Kingdom, California, the Philippines and Taiwan (DOMAIN.md sections 1 and 3).

Each preset names its legal source, and ``unverified_fields`` lists the values that no primary
text confirmed, for an administrator to check. The application stores them as rule versions
(``recall.services.rules.recall_rules.ensure_preset_rules``).
"""

from decimal import Decimal
from fractions import Fraction
from typing import Final

from recall.rules.recall_rules import (
    YES_MORE_THAN_NO,
    Band,
    RecallRule,
    approval,
    turnout_quorum,
)

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
        "signing_channels",
        "max_extension_days",
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
        # eGov's digital signature (EDS) makes a strong online identity possible; which channels
        # the law allows is not known from a primary text.
        signing_channels=("online_email", "online_strong", "paper"),
        # A placeholder: no primary text on extending the period was found; the January 2022
        # shutdown shows the need (the commission records the outage and decides).
        max_extension_days=14,
        decided_by="vote",
        vote_conditions=(
            turnout_quorum(Fraction(1, 3)),
            approval(Fraction(1, 2), "turnout", strict=True),
        ),
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
            "(signing period of 6 weeks), s. 11 (signing in person at a signing place, "
            "by post or by proxy), s. 14(3) (successful if at least 10% of eligible "
            "registered electors sign)."
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
        signing_channels=("in_person", "post", "proxy"),
        decided_by="petition",
        vote_conditions=(),
        electorate_basis="last_day",
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
            "count), 11023 (the officer's answer of up to 200 words, filed within 7 days, "
            "printed with the petition), 11303 (withdrawal before filing); 2 CCR 20530-20540 "
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
        full_count_max_signatures=500,
        # Signatures are personally affixed on circulated paper sections.
        signing_channels=("paper",),
        deputy_answer_max_words=200,
        deputy_answer_days=7,
        decided_by="vote",
        vote_conditions=(YES_MORE_THAN_NO,),
        unverified_fields=frozenset(
            {
                "signing_channels",
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
        signing_channels=("paper",),
        decided_by="vote",
        vote_conditions=(YES_MORE_THAN_NO,),
        electorate_basis="election",
        unverified_fields=frozenset(
            {
                "signing_channels",
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
        signing_channels=("paper",),
        decided_by="vote",
        vote_conditions=(YES_MORE_THAN_NO, approval(Fraction(1, 4), "registered", strict=False)),
        unverified_fields=frozenset(
            {
                "signing_channels",
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
