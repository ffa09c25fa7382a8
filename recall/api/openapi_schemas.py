"""The API's request and response shapes for its OpenAPI description (marshmallow schemas).

The JSON itself is built by the ``*_json`` functions beside the handlers; these schemas describe it
for ``GET /api/v1/openapi.json`` and ``/api/docs``. They cannot drift unnoticed: the schemathesis
run in ``tests/api`` checks every response it provokes against them.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from recall.models import MandateType, PetitionState
from recall.models.appeal import AppealState
from recall.rules.recall_rules import SIGNING_CHANNELS
from recall.services.appeals.states import PUBLIC_STATES as APPEAL_PUBLIC_STATES

# A row id in a path or filter (an INTEGER primary key).
MAX_ROW_ID = 2**31 - 1


def _req(field, *args, **kwargs):
    """A field always present in the response (``required`` in the description); ``field`` is a
    field class (built with ``args``) or a field."""
    field = field(*args, **kwargs) if isinstance(field, type) else field
    field.required = True
    return field


def _opt(field, *args, **kwargs):
    """A field always present whose value may be null."""
    field = _req(field, *args, **kwargs)
    field.allow_none = True
    return field


# ---------------------------------------------------------------- errors and pages


class ErrorDetail(Schema):
    status = _req(fields.Integer, metadata={"description": "The HTTP status, repeated."})
    code = _req(
        fields.String,
        metadata={"description": "A stable code: invalid, not_found, forbidden, conflict, ..."},
    )
    message = _req(
        fields.String,
        metadata={"description": "For a person; English unless Accept-Language asks otherwise."},
    )
    field = fields.String(metadata={"description": "The input that caused it, when one did."})
    request_id = fields.String(metadata={"description": "On 5xx: quote it to the operator."})


class Error(Schema):
    error = _req(fields.Nested(ErrorDetail))


class PageMeta(Schema):
    page = _req(fields.Integer)
    per_page = _req(fields.Integer)
    total = _req(fields.Integer)
    pages = _req(fields.Integer)


class PageQuery(Schema):
    page = fields.Integer(
        validate=validate.Range(min=1), metadata={"description": "1-based page number."}
    )
    per_page = fields.Integer(
        validate=validate.Range(min=1, max=100),
        metadata={"description": "Default 20, at most 100."},
    )


class CsvQuery(Schema):
    bom = fields.Integer(
        validate=validate.OneOf([0, 1]),
        metadata={"description": "1: start with a UTF-8 byte-order mark (for spreadsheets)."},
    )


# ---------------------------------------------------------------- deputies


def _names():
    """Every name of a row by language code (issue 11)."""
    return _req(
        fields.Dict,
        keys=fields.String(),
        values=fields.String(),
        metadata={
            "description": "Every name by language code (kk, ru, en, and others a source gave)."
        },
    )


def _name():
    """The name in the requested language."""
    return _req(
        fields.String,
        metadata={
            "description": "In the requested language (?lang= or Accept-Language), else ru, kk, "
            "en, any other, else the name as imported."
        },
    )


class BodyRef(Schema):
    id = _req(fields.Integer)
    slug = _req(fields.String)
    name = _name()
    names = _names()


class BodyOut(BodyRef):
    level = _req(
        fields.String,
        metadata={"description": "The kind's code (same as kind; kept for old clients)."},
    )
    kind = _req(
        fields.String,
        metadata={"description": "The body kind's code: mazhilis, oblast_maslikhat, ... (data)."},
    )
    kind_name = _req(
        fields.String, metadata={"description": "The kind's name in the language asked."}
    )
    jurisdiction = _req(
        fields.String, metadata={"description": "The jurisdiction whose recall rules apply."}
    )
    region = _opt(fields.String)
    seats_total = _req(fields.Integer)
    seats_party_list = _req(fields.Integer)
    seats_single_mandate = _req(fields.Integer)


class BodyList(Schema):
    items = _req(fields.List(fields.Nested(BodyOut)))


_DISTRICT_CODE = {"description": "The district as its source names it (E14000530, MZ-1, 12)."}
_DISTRICT_NUMBER = {"description": "The official number, where districts are numbered."}


class DistrictOut(Schema):
    id = _req(fields.Integer)
    body_id = _req(fields.Integer)
    code = _req(fields.String, metadata=_DISTRICT_CODE)
    number = _opt(fields.Integer, metadata=_DISTRICT_NUMBER)
    name = _name()
    names = _names()
    region = _opt(fields.String, metadata={"description": "The region as stored (a filter value)."})
    region_name = _opt(fields.String, metadata={"description": "The region's name, localized."})
    region_names = _names()
    registered_voters = _opt(fields.Integer)
    voters_as_of = _opt(fields.Date)


class PartyOut(Schema):
    id = _req(fields.Integer)
    name = _name()
    names = _names()
    short_name = _opt(fields.String)


class DeputyOut(Schema):
    id = _req(fields.Integer)
    full_name = _req(fields.String, metadata={"description": "The name as imported."})
    name = _name()
    names = _names()
    body = _req(fields.Nested(BodyRef))
    mandate_type = _req(fields.String, metadata={"enum": [m.value for m in MandateType]})
    district = _opt(fields.Nested(DistrictOut))
    party = _opt(fields.Nested(PartyOut))
    term_start = _req(fields.Date)
    term_end = _opt(fields.Date)
    status = _req(
        fields.String, metadata={"enum": ["serving", "recalled", "resigned", "term_ended"]}
    )
    is_demo = _req(fields.Boolean)


class DeputyResponsiveness(Schema):
    published = _req(fields.Integer, metadata={"description": "Public appeals to the deputy."})
    reached_threshold = _req(fields.Integer, metadata={"description": "Of those, answer due."})
    answered_on_time = _req(fields.Integer)
    answered_late = _req(fields.Integer)
    overdue = _req(fields.Integer, metadata={"description": "No answer after the due date."})
    awaiting = _req(fields.Integer, metadata={"description": "Due, not answered, still in time."})


class DeputyDetail(DeputyOut):
    appeals = _req(fields.Nested(DeputyResponsiveness))


class DeputyPage(Schema):
    items = _req(fields.List(fields.Nested(DeputyOut)))
    meta = _req(fields.Nested(PageMeta))


class DistrictWithDeputies(DistrictOut):
    deputies = _req(fields.List(fields.Nested(DeputyOut)))


class DeputyQuery(PageQuery):
    body = fields.Integer(metadata={"description": "Body id."})
    region = fields.String()
    district = fields.Integer(metadata={"description": "District id."})
    party = fields.Integer(metadata={"description": "Party id."})
    mandate_type = fields.String(validate=validate.OneOf([m.value for m in MandateType]))
    q = fields.String(metadata={"description": "Part of the name (at most 100 characters)."})


# ---------------------------------------------------------------- petitions


class DeputyRef(Schema):
    id = _req(fields.Integer)
    full_name = _req(fields.String, metadata={"description": "The name as imported."})
    name = _name()
    names = _names()


class DistrictRef(Schema):
    id = _req(fields.Integer)
    code = _req(fields.String, metadata=_DISTRICT_CODE)
    number = _opt(fields.Integer, metadata=_DISTRICT_NUMBER)
    name = _name()
    names = _names()


class PlaceOut(Schema):
    locality = _req(fields.String, metadata={"description": "As the localities table spells it."})
    street = _opt(
        fields.String,
        metadata={
            "description": "A street or micro-district, if any, in the requested language "
            "(the same fallback order as `name`)."
        },
    )
    street_names = _req(
        fields.Dict,
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "The street's name by language code; empty without any."},
    )
    name = _name()
    names = _names()


class DistrictMatchOut(DistrictOut):
    body = _req(fields.Nested(BodyRef))
    places = _req(
        fields.List(fields.Nested(PlaceOut)),
        metadata={
            "description": "The places in the district that matched (empty when its name did)."
        },
    )
    deputies = _req(fields.List(fields.Nested(DeputyRef)), metadata={"description": "Serving."})


class DistrictMatchPage(Schema):
    items = _req(fields.List(fields.Nested(DistrictMatchOut)))
    meta = _req(fields.Nested(PageMeta))


class DistrictQuery(PageQuery):
    q = fields.String(
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={
            "description": "A town, village, street or district name, in any script and case "
            "(every word must match)."
        },
    )


class PetitionDistrict(DistrictRef):
    registered_voters = _opt(fields.Integer, metadata={"description": "Frozen at registration."})


class SampleResult(Schema):
    seed = _opt(fields.String)
    raw = _opt(fields.Integer, metadata={"description": "Signatures filed (the pool)."})
    n = _opt(fields.Integer, metadata={"description": "Sample size."})
    v = _opt(fields.Integer, metadata={"description": "Valid in the sample."})
    d = _opt(fields.Integer, metadata={"description": "Duplicates in the sample."})
    projected = _opt(fields.Float, metadata={"description": "Projected valid signatures."})
    required = _opt(fields.Integer)
    formula = _opt(fields.String)
    outcome = _opt(fields.String)


class PetitionResult(Schema):
    outcome = _req(fields.String, metadata={"enum": ["qualified", "failed"]})
    certified_at = _opt(fields.DateTime)
    method = _opt(fields.String, metadata={"description": "full_count or sample."})
    required = _opt(fields.Integer)
    filed = _opt(fields.Integer, metadata={"description": "Signatures filed."})
    valid = _opt(fields.Integer)
    invalid = _opt(fields.Integer)
    invalid_by_reason = _req(
        fields.Dict(keys=fields.String(), values=fields.Integer()),
        metadata={"description": "Invalid signatures by reason code (see /data)."},
    )
    sample = _opt(fields.Nested(SampleResult), metadata={"description": "When a sample was used."})


class PetitionSummary(Schema):
    id = _req(fields.Integer)
    state = _req(fields.String, metadata={"enum": [s.value for s in PetitionState]})
    deputy = _req(fields.Nested(DeputyRef))
    district = _req(fields.Nested(DistrictRef))
    body = _req(fields.Nested(BodyRef))
    opened_at = _req(fields.DateTime)
    opens_at = _opt(fields.DateTime)
    closes_at = _opt(fields.DateTime)
    required_signatures = _opt(fields.Integer)
    count_public = _req(
        fields.Boolean, metadata={"description": "False while the rule seals the running count."}
    )
    signatures_confirmed = _opt(
        fields.Integer, metadata={"description": "Null while sealed or before registration."}
    )
    days_left = _opt(
        fields.Integer, metadata={"description": "Days until signing closes; null unless open."}
    )
    result = _opt(
        fields.Nested(PetitionResult),
        metadata={"description": "Null until a certification is confirmed."},
    )


class PetitionPage(Schema):
    items = _req(fields.List(fields.Nested(PetitionSummary)))
    meta = _req(fields.Nested(PageMeta))


class PetitionQuery(PageQuery):
    state = fields.String(validate=validate.OneOf([s.value for s in PetitionState]))
    deputy = fields.Integer(validate=validate.Range(min=1, max=MAX_ROW_ID))
    district = fields.Integer(validate=validate.Range(min=1, max=MAX_ROW_ID))
    body = fields.Integer(validate=validate.Range(min=1, max=MAX_ROW_ID))


class PetitionCsvQuery(CsvQuery):
    state = fields.String(validate=validate.OneOf([s.value for s in PetitionState]))
    deputy = fields.Integer(validate=validate.Range(min=1, max=MAX_ROW_ID))
    district = fields.Integer(validate=validate.Range(min=1, max=MAX_ROW_ID))
    body = fields.Integer(validate=validate.Range(min=1, max=MAX_ROW_ID))


class RuleOut(Schema):
    id = _req(fields.Integer)
    key = _req(fields.String)
    version = _req(fields.Integer)
    name = _req(fields.String)
    running_count_public = _req(fields.Boolean)
    unverified_fields = _req(fields.List(fields.String()))
    decided_by = _req(fields.String, metadata={"enum": ["vote", "petition"]})
    vote_conditions = _req(fields.List(fields.Dict()))
    signing_channels = _req(
        fields.List(fields.String(validate=validate.OneOf(SIGNING_CHANNELS))),
        metadata={"description": "How voters may sign under this rule."},
    )


class SigningOut(Schema):
    online = _req(
        fields.Boolean,
        metadata={"description": "Whether POST /petitions/{id}/signatures is offered."},
    )
    how_to_sign = _req(fields.String, metadata={"description": "Every way to sign, for voters."})


class DeputyAnswerOut(Schema):
    text = _opt(fields.String, metadata={"description": "Null until the answer is recorded."})
    recorded_at = _opt(fields.DateTime)
    max_words = _req(fields.Integer)
    days = _req(fields.Integer, metadata={"description": "Days after submission to file it."})


class InitiativeGroup(Schema):
    confirmed = _req(fields.Integer)
    required = _opt(fields.Integer)


class DayCount(Schema):
    date = _req(fields.Date)
    confirmed = _req(fields.Integer)


class SignatureNumbersOut(Schema):
    count_public = _req(fields.Boolean)
    confirmed = _opt(fields.Integer, metadata={"description": "Null while the rule seals it."})
    per_day = _opt(fields.List(fields.Nested(DayCount)))


class BandOut(Schema):
    max_voters = _opt(fields.Integer, metadata={"description": "Null: no upper bound."})
    percent = _req(fields.String, metadata={"description": 'Exact decimal, e.g. "10".'})
    floor = _req(fields.Integer)


class ProjectionOut(Schema):
    raw = _req(fields.Integer)
    n = _req(fields.Integer)
    v = _opt(fields.Integer)
    d = _opt(fields.Integer)
    seed = _req(fields.String)
    projected = _opt(fields.Integer)
    formula = _opt(fields.String)
    outcome = _opt(fields.String)


class CertifiedCountOut(Schema):
    filed = _req(fields.Integer)
    valid = _req(fields.Integer)
    invalid = _req(fields.Integer)
    invalid_by_reason = _req(fields.Dict(keys=fields.String(), values=fields.Integer()))
    projection = _opt(fields.Nested(ProjectionOut))
    certified_at = _req(fields.DateTime)


class ThresholdBasisOut(Schema):
    electorate = _req(fields.Integer, metadata={"description": "The registered-voter figure."})
    electorate_basis = _req(
        fields.String,
        validate=validate.OneOf(("registration", "last_day", "election")),
        metadata={"description": "Which figure the rule counts."},
    )
    electorate_as_of = _opt(fields.Date, metadata={"description": "The date it was counted on."})
    provisional = _req(
        fields.Boolean,
        metadata={"description": "The basis is the last day of signing, not reached yet."},
    )
    provisional_until = _opt(fields.Date)
    band = _req(fields.Nested(BandOut))
    share_exact = _req(fields.String, metadata={"description": "percent x electorate / 100."})
    rounding = _req(fields.String, metadata={"description": 'Always up: "at least" a share.'})
    required = _req(fields.Integer)
    formula = _req(fields.String)
    certification = _opt(
        fields.Nested(CertifiedCountOut),
        metadata={"description": "The certified numbers; null until certification."},
    )


class ThresholdOut(Schema):
    required = _opt(fields.Integer)
    met = _opt(fields.Boolean)
    percent = _opt(fields.Float)
    basis = _opt(fields.Nested(ThresholdBasisOut))


class ExtensionOut(Schema):
    days = _req(fields.Integer)
    cause = _req(fields.String, validate=validate.OneOf(("outage", "other")))
    description = _req(fields.String)
    decided_at = _req(fields.DateTime)
    previous_closes_at = _req(fields.DateTime)
    closes_at = _req(fields.DateTime, metadata={"description": "The period's end after it."})


class PetitionOut(PetitionSummary):
    district = _req(fields.Nested(PetitionDistrict))
    grounds = _req(fields.String)
    submitted_at = _opt(fields.DateTime)
    registered_at = _opt(fields.DateTime)
    closed_at = _opt(fields.DateTime)
    rejection_reason = _opt(fields.String)
    rule = _req(fields.Nested(RuleOut))
    deputy_answer = _opt(
        fields.Nested(DeputyAnswerOut),
        metadata={"description": "The deputy's answer to the grounds; null if the rule has none."},
    )
    signing = _req(fields.Nested(SigningOut))
    initiative_group = _req(fields.Nested(InitiativeGroup))
    signatures = _req(fields.Nested(SignatureNumbersOut))
    threshold = _req(fields.Nested(ThresholdOut))
    extensions = _req(
        fields.List(fields.Nested(ExtensionOut)),
        metadata={"description": "The commission's extensions of the signing period."},
    )
    max_extension_days = _req(
        fields.Integer,
        metadata={"description": "Days of extensions the rule allows in all (0: none)."},
    )


class RejectIn(Schema):
    reason = fields.String(required=True)


# ---------------------------------------------------------------- promises


class OrgRef(Schema):
    id = _req(fields.Integer)
    name = _req(fields.String)


class StatusChangeOut(Schema):
    id = _req(fields.Integer)
    status = _req(fields.String)
    previous_status = _req(fields.String)
    broken_reason = _opt(fields.String)
    date = _req(fields.Date)
    explanation = _req(fields.String)
    evidence = _req(fields.List(fields.Raw()))
    monitor = _opt(fields.String)
    organization = _opt(fields.Nested(OrgRef))
    corrects_id = _opt(fields.Integer)
    recorded_at = _req(fields.DateTime)


class DisputeOut(Schema):
    id = _req(fields.Integer)
    status_change_id = _req(fields.Integer)
    state = _req(fields.String)
    reason = _req(fields.String)
    evidence = _req(fields.List(fields.Raw()))
    raised_by_organization = _opt(fields.Nested(OrgRef))
    raised_at = _req(fields.DateTime)
    resolution = _opt(fields.String)
    resolved_by_organization = _opt(fields.Nested(OrgRef))
    resolved_at = _opt(fields.DateTime)


class PromiseDeputy(Schema):
    id = _req(fields.Integer)
    full_name = _req(fields.String)
    body_id = _req(fields.Integer)
    party_id = _opt(fields.Integer)
    district_id = _opt(fields.Integer)


class SourceOut(Schema):
    url = _req(fields.String)
    quotation = _opt(fields.String)


class PromiseOut(Schema):
    id = _req(fields.Integer)
    deputy = _req(fields.Nested(PromiseDeputy))
    title = _req(fields.String)
    statement = _req(fields.String)
    made_on = _req(fields.Date)
    topic = _req(fields.String)
    level = _req(fields.String)
    status = _req(fields.String)
    broken_reason = _opt(fields.String)
    status_changed_at = _opt(fields.DateTime)
    sources = _req(fields.List(fields.Nested(SourceOut)))
    history = _req(fields.List(fields.Nested(StatusChangeOut)))
    disputes = _req(fields.List(fields.Nested(DisputeOut)))
    merged_into_id = _opt(fields.Integer)
    is_demo = _req(fields.Boolean)


class ScorecardOut(Schema):
    counts = _req(fields.Dict(keys=fields.String(), values=fields.Integer()))
    total = _req(fields.Integer)
    rated = _req(fields.Integer)
    kept = _req(fields.Integer)
    kept_share = _opt(fields.Float)
    formula = _req(fields.String)


class PromisePage(Schema):
    items = _req(fields.List(fields.Nested(PromiseOut)))
    meta = _req(fields.Nested(PageMeta))
    scorecard = _req(fields.Nested(ScorecardOut))


class DeputyPromisePage(PromisePage):
    deputy = _req(fields.Nested(DeputyOut))


class PromiseQuery(PageQuery):
    status = fields.String()
    topic = fields.String(metadata={"description": "Topic slug."})
    deputy = fields.Integer()
    body = fields.Integer()
    party = fields.Integer()
    district = fields.Integer()
    from_ = fields.Date(data_key="from", metadata={"description": "Made on or after (ISO 8601)."})
    to = fields.Date(metadata={"description": "Made on or before (ISO 8601)."})
    q = fields.String(validate=validate.Length(max=200))
    sort = fields.String()


class PromiseCsvQuery(PromiseQuery, CsvQuery):
    pass


# ---------------------------------------------------------------- signing


class SignatureIn(Schema):
    full_name = fields.String(required=True)
    iin = fields.String(required=True, metadata={"description": "12 digits."})
    email = fields.String(required=True)
    district_id = fields.Integer(required=True)
    consent = fields.Boolean(required=True)


class ReceiptCreated(Schema):
    receipt = _req(fields.String)


class ChallengeOut(Schema):
    challenge = _req(
        fields.String,
        metadata={"description": "Sign these UTF-8 bytes (RSA PKCS#1 v1.5 or ECDSA, SHA-256)."},
    )
    expires_at = _req(fields.DateTime)


class IinWatchIn(Schema):
    iin = fields.String(required=True, metadata={"description": "12 digits."})
    email = fields.String(required=True, metadata={"description": "Where to tell the voter."})
    challenge = fields.String(
        required=True, metadata={"description": "From POST /iin-watch/challenge, unchanged."}
    )
    signature = fields.String(required=True, metadata={"description": "Base64 of the signature."})
    certificate = fields.String(
        required=True, metadata={"description": "The voter's certificate, PEM."}
    )


class IinWatchOut(Schema):
    status = _req(fields.String, metadata={"description": "watching"})


class StrongSignatureIn(Schema):
    full_name = fields.String(required=True)
    iin = fields.String(required=True, metadata={"description": "12 digits."})
    email = fields.String(metadata={"description": "Optional: for withdrawal where allowed."})
    district_id = fields.Integer(required=True)
    consent = fields.Boolean(required=True)
    challenge = fields.String(required=True, metadata={"description": "As issued, unchanged."})
    signature = fields.String(required=True, metadata={"description": "Base64 of the signature."})
    certificate = fields.String(
        required=True, metadata={"description": "The signer's certificate, PEM."}
    )


class StrongReceiptCreated(Schema):
    receipt = _req(fields.String)
    status = _req(fields.String, metadata={"description": "confirmed or contested."})


class ReceiptOut(Schema):
    petition_id = _opt(fields.Integer)
    status = _req(fields.String)
    check = _opt(fields.String)
    signed_on = _opt(fields.Date)
    in_sample = _opt(
        fields.Boolean,
        metadata={"description": "Drawn in the commission's random sample; null before a draw."},
    )


class WithdrawIn(Schema):
    receipt = fields.String(required=True)
    email = fields.String(required=True)


class WithdrawOut(Schema):
    status = _req(fields.String)


# ---------------------------------------------------------------- commission


class ReportOut(Schema):
    petition_id = _req(fields.Integer)
    method = _req(fields.String)
    required = _req(fields.Integer)
    raw = _req(fields.Integer)
    checked = _req(fields.Integer)
    valid = _req(fields.Integer)
    invalid = _req(fields.Integer)
    review = _req(fields.Integer)
    unchecked = _req(fields.Integer)
    invalid_by_reason = _req(fields.Dict(keys=fields.String(), values=fields.Integer()))
    draw = _opt(fields.Dict())
    outcome = _opt(fields.String)
    outcome_basis = _req(fields.String)


class ChecksOut(Schema):
    checked = _req(fields.Integer)
    by_status = _req(fields.Dict(keys=fields.String(), values=fields.Integer()))
    by_reason = _req(fields.Dict(keys=fields.String(), values=fields.Integer()))
    count_change = _req(fields.Integer)


class SampleIn(Schema):
    seed = fields.String()


class DrawOut(Schema):
    id = _req(fields.Integer)
    petition_id = _req(fields.Integer)
    seed = _req(fields.String)
    raw = _req(fields.Integer)
    n = _req(fields.Integer)
    sampled_ids = _req(fields.List(fields.Integer()))
    v = _opt(fields.Integer)
    d = _opt(fields.Integer)
    projected = _opt(fields.Float)
    required = _req(fields.Integer)
    formula = _opt(fields.String)
    outcome = _opt(fields.String)


class ReviewQueue(Schema):
    items = _req(fields.List(fields.Dict()))


class ClaimOut(Schema):
    signature_id = _req(fields.Integer)
    expires_at = _req(fields.DateTime)


class DeputyAnswerIn(Schema):
    answer = fields.String(
        required=True, metadata={"description": "The answer as the deputy filed it."}
    )


class DecisionIn(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["accept", "reject"]))
    reason_code = fields.String()
    note = fields.String()


class DecisionOut(Schema):
    signature_id = _req(fields.Integer)
    check_status = _req(fields.String)
    reason_code = _opt(fields.String)


class CertificationIn(Schema):
    outcome = fields.String(required=True)
    note = fields.String()


class CertificationOut(Schema):
    id = _req(fields.Integer)
    outcome = _req(fields.String)
    numbers = _req(fields.Dict())


class ConfirmOut(Schema):
    id = _req(fields.Integer)
    outcome = _req(fields.String)
    petition_state = _req(fields.String)


class VoteIn(Schema):
    registered = fields.Integer(required=True)
    turnout = fields.Integer(required=True)
    yes = fields.Integer(required=True)
    no = fields.Integer(required=True)
    votes_that_elected = fields.Integer()


class VoteOut(Schema):
    recalled = _req(fields.Boolean)
    valid = _req(fields.Boolean)
    reason = _opt(fields.String)


class RollImportOut(Schema):
    id = _req(fields.Integer)
    body_id = _req(fields.Integer)
    as_of = _req(fields.Date)
    status = _req(fields.String)
    active = _req(fields.Boolean)
    percent = _opt(fields.Float)
    bytes_read = _opt(fields.Integer)
    bytes_total = _opt(fields.Integer)
    rows_loaded = _opt(fields.Integer)
    rows_skipped = _opt(fields.Integer)
    rows_removed = _opt(fields.Integer)  # lines with a removal reason: not voters (issue 18)
    rows_deceased = _opt(fields.Integer)
    rows_per_second = _opt(fields.Float)
    seconds_left = _opt(fields.Integer)
    errors = _req(fields.List(fields.Raw()))


class SampleVerdict(Schema):
    id = _req(fields.Integer)
    verdict = _req(fields.String)
    reason_code = _opt(fields.String)
    duplicate_of_id = _opt(fields.Integer)
    kept_verdict = _opt(fields.String)


class PublicSample(Schema):
    petition_id = _req(fields.Integer)
    seed = _req(fields.String)
    raw = _req(fields.Integer)
    n = _req(fields.Integer)
    sampled_ids = _req(fields.List(fields.Integer()))
    pool_ids = fields.List(fields.Integer())
    required = _req(fields.Integer)
    v = _opt(fields.Integer)
    d = _opt(fields.Integer)
    projected = _opt(fields.Float)
    formula = _opt(fields.String)
    outcome = _opt(fields.String)
    drawn_at = _req(fields.DateTime)
    method = _req(fields.String)
    verdicts = _opt(
        fields.List(fields.Nested(SampleVerdict)),
        metadata={"description": "Each sampled signature's verdict, once certified; else null."},
    )


class AuditHeadInner(Schema):
    seq = _req(fields.Integer)
    hash = _req(fields.String)
    keyed_hash = _opt(
        fields.String,
        metadata={"description": "HMAC-SHA256 with the operator's AUDIT_KEY; not recomputable."},
    )
    at = _req(fields.DateTime)


class AuditHead(Schema):
    head = _opt(fields.Nested(AuditHeadInner))


class AuditHeadQuery(Schema):
    seq = fields.Integer(validate=validate.Range(min=1, max=MAX_ROW_ID))


class AuditEntryOut(Schema):
    seq = _req(fields.Integer)
    created_at = _req(fields.String, metadata={"description": "As hashed (microseconds)."})
    actor_id = _opt(fields.Integer)
    action = _req(fields.String)
    subject_type = _opt(fields.String)
    subject_id = _opt(fields.Integer)
    body_id = _opt(fields.Integer)
    payload = _opt(fields.Raw)
    prev_hash = _req(fields.String)
    hash = _req(fields.String)
    keyed_hash = _opt(
        fields.String,
        metadata={"description": "HMAC-SHA256(AUDIT_KEY, previous keyed_hash + hash)."},
    )


class AuditEntriesMeta(Schema):
    from_seq = _req(fields.Integer)
    per_page = _req(fields.Integer)
    total = _req(fields.Integer)
    next_from_seq = _opt(fields.Integer)


class AuditEntriesQuery(Schema):
    from_seq = fields.Integer(validate=validate.Range(min=1, max=MAX_ROW_ID))
    per_page = fields.Integer(validate=validate.Range(min=1, max=MAX_ROW_ID))


class AuditEntries(Schema):
    items = _req(fields.List(fields.Nested(AuditEntryOut)))
    meta = _req(fields.Nested(AuditEntriesMeta))
    head = _opt(fields.Nested(AuditHeadInner))


class PopoloOut(Schema):
    """A Popolo document (https://www.popoloproject.com/specs/); docs/api.md lists the fields."""

    meta = _req(fields.Dict())
    organizations = _req(
        fields.List(fields.Dict()), metadata={"description": "Legislatures and parties."}
    )
    areas = _req(fields.List(fields.Dict()), metadata={"description": "Regions and districts."})
    posts = _req(fields.List(fields.Dict()), metadata={"description": "District seats."})
    persons = _req(fields.List(fields.Dict()), metadata={"description": "Deputies."})
    memberships = _req(
        fields.List(fields.Dict()),
        metadata={"description": "Mandates, with end_reason (recalled, ...) once ended."},
    )


class PromiseIn(Schema):
    deputy_id = fields.Integer(required=True)
    title = fields.String(required=True, validate=validate.Length(max=200))
    statement = fields.String(required=True)
    made_on = fields.Date(required=True, metadata={"description": "YYYY-MM-DD, not in the future."})
    source_url = fields.String(required=True, metadata={"description": "An http(s) link."})
    topic = fields.String(required=True, metadata={"description": "Topic slug."})
    level = fields.String(required=True, validate=validate.OneOf(["national", "regional", "local"]))
    quotation = fields.String()
    confirm_distinct = fields.Boolean(
        metadata={"description": "true: record it although a similar promise exists (else 409)."}
    )


class RatingIn(Schema):
    status = fields.String(
        required=True,
        validate=validate.OneOf(
            ["not_yet_rated", "in_the_works", "stalled", "compromise", "kept", "broken"]
        ),
    )
    changed_on = fields.Date(required=True)
    explanation = fields.String(required=True)
    evidence = fields.List(
        fields.String(), required=True, metadata={"description": "At least one http(s) link."}
    )
    broken_reason = fields.String(metadata={"description": "Required for broken, else refused."})
    corrects = fields.Boolean(metadata={"description": "true: replaces a wrong rating."})


class DisputeIn(Schema):
    reason = fields.String(required=True)
    evidence = fields.List(fields.String(), required=True)


# ---------------------------------------------------------------- appeals (constituent petitions)


class AppealBody(BodyRef):
    """The body an appeal is addressed to (the same shape as everywhere else)."""


class AppealSummary(Schema):
    id = _req(fields.Integer)
    state = _req(fields.String, metadata={"enum": [s.value for s in AppealState]})
    title = _req(fields.String)
    addressee = _req(
        fields.String,
        metadata={"enum": ["deputy", "body"], "description": "A deputy, or a whole body."},
    )
    deputy = _opt(fields.Nested(DeputyRef))
    body = _req(fields.Nested(AppealBody))
    district = _opt(fields.Nested(DistrictRef), metadata={"description": "The deputy's district."})
    opens_at = _opt(fields.DateTime)
    closes_at = _opt(fields.DateTime)
    threshold = _opt(
        fields.Integer, metadata={"description": "Constituent signatures that oblige an answer."}
    )
    constituents = _req(
        fields.Integer, metadata={"description": "Confirmed signatures of constituents."}
    )
    supporters = _req(fields.Integer, metadata={"description": "Confirmed signatures of others."})
    threshold_reached_at = _opt(fields.DateTime)
    response_due_at = _opt(fields.DateTime)
    answered_at = _opt(fields.DateTime)


class AppealResponse(Schema):
    text = _req(fields.String)
    source = _opt(
        fields.String,
        metadata={"description": "Where a moderator took the deputy's written answer from."},
    )
    answered_at = _req(fields.DateTime)
    on_time = _opt(fields.Boolean)


class AppealHistoryItem(Schema):
    at = _req(fields.DateTime)
    from_state = _opt(fields.String)
    to_state = _req(fields.String)
    reason = _opt(fields.String)


class AppealOut(AppealSummary):
    text = _req(fields.String)
    ask = _req(fields.String)
    cited_promise_ids = _req(fields.List(fields.Integer))
    response = _opt(fields.Nested(AppealResponse))
    history = _req(fields.List(fields.Nested(AppealHistoryItem)))


class AppealPage(Schema):
    items = _req(fields.List(fields.Nested(AppealSummary)))
    meta = _req(fields.Nested(PageMeta))


class AppealQuery(PageQuery):
    state = fields.String(
        validate=validate.OneOf(sorted(s.value for s in APPEAL_PUBLIC_STATES)),
        metadata={"description": "Only public states are listed."},
    )
    deputy = fields.Integer(validate=validate.Range(min=1, max=MAX_ROW_ID))
    body = fields.Integer(validate=validate.Range(min=1, max=MAX_ROW_ID))
    district = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ROW_ID),
        metadata={"description": "Appeals to the district's deputy and to its body as a whole."},
    )


class AppealReceiptOut(Schema):
    appeal_id = _req(fields.Integer)
    status = _req(fields.String, metadata={"enum": ["pending", "confirmed", "expired"]})
    signed_on = _opt(fields.Date)


class AppealDistrictCount(Schema):
    district_id = _req(fields.Integer)
    number = _opt(fields.Integer, metadata=_DISTRICT_NUMBER)
    name = _req(fields.String)
    confirmed = _req(fields.Integer)
    constituent = _req(
        fields.Boolean, metadata={"description": "Its signers count toward the threshold."}
    )


class AppealDistrictList(Schema):
    items = _req(fields.List(fields.Nested(AppealDistrictCount)))


# ---------------------------------------------------------------- webhooks (issue 16)


class WebhookIn(Schema):
    url = fields.String(required=True, metadata={"description": "http:// or https://, public."})


class WebhookOut(Schema):
    id = _req(fields.Integer)
    url = _req(fields.String)
    active = _req(fields.Boolean)
    created_at = _req(fields.DateTime)


class WebhookCreated(WebhookOut):
    secret = _req(
        fields.String,
        metadata={"description": "Keys X-Recall-Signature (HMAC-SHA256); shown here once."},
    )


class WebhookList(Schema):
    items = _req(fields.List, fields.Nested(WebhookOut))


class WebhookDeliveryOut(Schema):
    id = _req(fields.Integer)
    event_kind = _req(fields.String)
    status = _req(fields.String, validate=validate.OneOf(["pending", "sending", "sent", "failed"]))
    attempts = _req(fields.Integer)
    last_error = _opt(fields.String)
    created_at = _req(fields.DateTime)
    sent_at = _opt(fields.DateTime)


class WebhookDeliveryList(Schema):
    items = _req(fields.List, fields.Nested(WebhookDeliveryOut))
