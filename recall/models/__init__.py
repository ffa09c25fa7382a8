"""All models, imported here so that Alembic and ``db.create_all`` see every table."""

from recall.models.api_token import ApiToken  # noqa: F401
from recall.models.appeal import (  # noqa: F401
    Appeal,
    AppealCountShard,
    AppealDistrictCount,
    AppealHistory,
    AppealPromise,
    AppealReceiptDecoy,
    AppealSignature,
    AppealSignatureClaim,
    AppealState,
    BodyAppealSettings,
    InitiatorUpdate,
    PetitionAppeal,
    UpdateDigestEntry,
    UpdateState,
)
from recall.models.audit import AuditChainHead, AuditEntry  # noqa: F401
from recall.models.body import Body, BodyKind, BodyLevel, District, Party
from recall.models.counting import PetitionCountShard, PetitionDayCount
from recall.models.deputy import Deputy, DeputyStatus, MandateType
from recall.models.fraud import (  # noqa: F401
    FraudSetting,
    IinWatch,
    Invalidation,
    InvalidationStatus,
    SourceBan,
    SourceFlag,
)
from recall.models.names import Locality, NamedMixin, Region
from recall.models.notifications import Delivery, Follow, NotificationRule, WebhookEndpoint  # noqa: F401
from recall.models.outbox import Event
from recall.models.petition import (
    FINAL_STATES,
    BodyRecallRule,
    InitiativeMember,
    Petition,
    PetitionExtension,
    PetitionPromise,
    PetitionState,
    RecallRuleVersion,
)
from recall.models.promise import (  # noqa: F401
    Correction,
    Dispute,
    Promise,
    PromiseRevision,
    PromiseSource,
    PromiseStatusChange,
    Topic,
)
from recall.models.promise_tip import PromiseTip, TipStatus  # noqa: F401
from recall.models.rating_reply import RatingReply  # noqa: F401
from recall.models.signature import (
    CheckStatus,
    ClaimState,
    ReceiptDecoy,
    Signature,
    SignatureClaim,
    SignatureSource,
    SignatureStatus,
)
from recall.models.user import Organization, Role, User
from recall.models.verification import (  # noqa: F401
    CertificationProposal,
    ImportStatus,
    MisuseReport,
    ReasonCode,
    RecallVoteResult,
    ReviewClaim,
    SampleDraw,
    VoterRollDistrict,
    VoterRollEntry,
    VoterRollImport,
)

__all__ = [
    "FINAL_STATES",
    "Body",
    "BodyKind",
    "BodyLevel",
    "BodyRecallRule",
    "CheckStatus",
    "ClaimState",
    "Deputy",
    "DeputyStatus",
    "District",
    "Event",
    "InitiativeMember",
    "Locality",
    "MandateType",
    "NamedMixin",
    "Organization",
    "Party",
    "Petition",
    "PetitionCountShard",
    "PetitionDayCount",
    "PetitionExtension",
    "PetitionPromise",
    "PetitionState",
    "RecallRuleVersion",
    "ReceiptDecoy",
    "Region",
    "Role",
    "Signature",
    "SignatureClaim",
    "SignatureSource",
    "SignatureStatus",
    "User",
]
