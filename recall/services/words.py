"""Codes as words: the one mapping from stored codes to words in the reader's language.

States, outcomes, statuses, channels and reason codes are identifiers in the database, the API
and the CSV files (``under_verification``, ``not_registered``, ``full_count``); people read them
as words. Pages (the ``word`` template global) and e-mails (``payload_word``) both ask here, so a
code reads the same everywhere. An unknown code comes back as itself: a new code shows up
untranslated instead of breaking a page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l

from recall.services.appeals.states import state_label as appeal_state_label
from recall.services.petitions.states import state_label as petition_state_label
from recall.services.verification.reason_codes import label_for as reason_label

_WORDS: dict[str, dict[str, Any]] = {
    "import_status": {
        "loading": _l("loading"),
        "preview": _l("waiting for confirmation"),
        "active": _l("accepted"),
        "replaced": _l("replaced by a newer roll"),
        "failed": _l("refused"),
        "discarded": _l("discarded"),
    },
    "import_mode": {
        "replace": _l("full roll"),
        "partial": _l("partial roll"),
    },
    "channel": {
        "online": _l("online"),
        "paper": _l("on paper"),
        "in_person": _l("in person"),
        "post": _l("by post"),
        "proxy": _l("by proxy"),
    },
    "check_status": {
        "unchecked": _l("not yet checked"),
        "valid": _l("valid"),
        "invalid": _l("invalid"),
        "review": _l("awaiting review"),
    },
    "signature_status": {
        "pending": _l("waiting for confirmation"),
        "confirmed": _l("confirmed"),
        "expired": _l("expired"),
        "withdrawn": _l("withdrawn"),
    },
    # The verification report's outcome, a sample's verdict and a certification's outcome.
    "outcome": {
        "qualified": _l("qualified"),
        "failed": _l("failed"),
        "pending": _l("pending"),
        "full_count_needed": _l("a full count is needed"),
        "qualifies": _l("qualifies"),
        "fails": _l("fails"),
        "full_count": _l("a full count is needed"),
    },
    "outcome_basis": {
        "sample": _l("projected from a random sample"),
        "full_count": _l("counted in full"),
    },
    "method": {
        "random_sample": _l("random sample"),
        "full_count": _l("full count"),
    },
    "invalidation_status": {
        "pending": _l("waiting to start"),
        "running": _l("running"),
        "done": _l("done"),
        "cancelled": _l("cancelled"),
        "failed": _l("failed"),
    },
    "promise_status": {
        "not_yet_rated": _l("Not yet rated"),
        "in_the_works": _l("In the works"),
        "stalled": _l("Stalled"),
        "compromise": _l("Compromise"),
        "kept": _l("Kept"),
        "broken": _l("Broken"),
    },
    # The columns of a paper line, as the paper entry grid and its CSV name them.
    "paper_field": {
        "sheet": _l("Sheet No."),
        "line": _l("Line on the sheet"),
        "full_name": _l("Full name"),
        "iin": _l("IIN"),
        "district_number": _l("District No."),
        "signed_on": _l("Signed on"),
        "channel": _l("How it was given"),
        "collector": _l("Collected by"),
        "row": _l("Row"),
    },
    # What the audit log records, as the commission's log pages show it.
    "audit_action": {
        "appeal.answered": _l("appeal answered"),
        "appeal.published": _l("appeal published"),
        "appeal.rejected": _l("appeal rejected"),
        "appeal_terms.set": _l("appeal terms set"),
        "certification.confirmed": _l("certification confirmed"),
        "certification.proposed": _l("certification proposed"),
        "counting.recount_corrected": _l("count corrected by a recount"),
        "fraud.invalidation_cancelled": _l("bulk invalidation cancelled"),
        "fraud.invalidation_finished": _l("bulk invalidation finished"),
        "fraud.invalidation_started": _l("bulk invalidation started"),
        "fraud.settings_changed": _l("fraud settings changed"),
        "fraud.source_ban_lifted": _l("source ban lifted"),
        "fraud.source_banned": _l("source banned"),
        "paper.batch_entered": _l("paper signatures entered"),
        "petition.closed": _l("petition closed"),
        "petition.deputy_answer": _l("deputy's answer recorded"),
        "petition.electorate_settled": _l("electorate settled"),
        "petition.registered": _l("petition registered"),
        "petition.rejected": _l("petition rejected"),
        "privacy.purge": _l("personal data purged"),
        "recall_vote.recorded": _l("recall vote recorded"),
        "role.granted": _l("role granted"),
        "role.revoked": _l("role revoked"),
        "rules.assigned": _l("recall rule assigned"),
        "rules.version_created": _l("recall rule version created"),
        "signing.expired_unconfirmed": _l("unconfirmed signatures expired"),
        "verification.decision": _l("signature reviewed"),
        "verification.misuse_closed": _l("misuse report closed"),
        "verification.run_checks": _l("checks run against the roll"),
        "verification.sample_drawn": _l("random sample drawn"),
        "verification.sample_projected": _l("sample projected"),
        "voter_roll.import": _l("voter roll loaded"),
        "voter_roll.confirmed": _l("voter roll confirmed"),
        "voter_roll.discarded": _l("voter roll upload discarded"),
    },
    "subject": {
        "petition": _l("petition"),
        "signature": _l("signature"),
        "voter_roll_import": _l("voter roll import"),
        "user": _l("account"),
        "appeal": _l("appeal"),
        "body": _l("body"),
        "misuse_report": _l("misuse report"),
        "invalidation": _l("bulk invalidation"),
    },
    "tip_status": {
        "new": _l("new"),
        "accepted": _l("taken as evidence"),
        "dismissed": _l("dismissed"),
    },
}

_FUNCTIONS: dict[str, Callable[[Any], str]] = {
    "petition_state": petition_state_label,
    "appeal_state": appeal_state_label,
    "reason": reason_label,
}

# Which kind of code a payload field holds, by the subject the event is about (e-mails).
_PAYLOAD_KINDS = {
    ("petition", "from"): "petition_state",
    ("petition", "to"): "petition_state",
    ("petition", "state"): "petition_state",
    ("petition", "outcome"): "outcome",
    ("petition", "channel"): "channel",
    ("petition", "reason_code"): "reason",
    ("appeal", "from"): "appeal_state",
    ("appeal", "to"): "appeal_state",
    ("appeal", "state"): "appeal_state",
    ("promise", "status"): "promise_status",
    ("promise", "previous_status"): "promise_status",
    ("promise", "from"): "promise_status",
    ("promise", "to"): "promise_status",
}


def word(kind: str, value: Any) -> str:
    """The word for the code ``value`` of ``kind`` (an enum member or its value), translated."""
    if value is None:
        return ""
    code = getattr(value, "value", value)
    function = _FUNCTIONS.get(kind)
    if function is not None:
        try:
            return str(function(code))
        except (KeyError, ValueError):
            return str(code)
    return str(_WORDS.get(kind, {}).get(code, code))


def lazy_word(kind: str, code: str):
    """The word of a table-kept kind, translated when shown (for form choices built at import)."""
    return _WORDS[kind][code]


def payload_word(subject_type: str, key: str, value: Any) -> Any:
    """An event payload's value as the reader reads it (codes as words, the rest unchanged)."""
    kind = _PAYLOAD_KINDS.get((subject_type, key))
    if kind is None or not isinstance(value, str):
        return value
    return word(kind, value)


def kinds() -> set[str]:
    """Every kind of code :func:`word` knows (for tests)."""
    return set(_WORDS) | set(_FUNCTIONS)
