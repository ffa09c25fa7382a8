"""All models, imported here so that Alembic and ``db.create_all`` see every table."""
from recall.models.body import Body, BodyLevel, District, Party
from recall.models.deputy import Deputy, DeputyStatus, MandateType
from recall.models.outbox import Event
from recall.models.notifications import Delivery, Follow, NotificationRule, WebhookEndpoint  # noqa: F401
from recall.models.promise import (  # noqa: F401
    Correction,
    Dispute,
    Promise,
    PromiseRevision,
    PromiseSource,
    PromiseStatusChange,
    Topic,
)
from recall.models.petition import (
    FINAL_STATES,
    BodyRecallRule,
    InitiativeMember,
    Petition,
    PetitionPromise,
    PetitionState,
    RecallRuleVersion,
)
from recall.models.signature import CheckStatus, ReceiptDecoy, Signature, SignatureSource, SignatureStatus
from recall.models.counting import PetitionCountShard, PetitionDayCount
from recall.models.user import Organization, Role, User
from recall.models.audit import AuditChainHead, AuditEntry  # noqa: F401
from recall.models.verification import (  # noqa: F401
    CertificationProposal,
    ImportStatus,
    MisuseReport,
    ReasonCode,
    RecallVoteResult,
    ReviewClaim,
    SampleDraw,
    VoterRollEntry,
    VoterRollImport,
)

__all__ = [
    "FINAL_STATES",
    "BodyRecallRule",
    "CheckStatus",
    "InitiativeMember",
    "Petition",
    "PetitionPromise",
    "PetitionState",
    "RecallRuleVersion",
    "PetitionCountShard",
    "PetitionDayCount",
    "ReceiptDecoy",
    "Signature",
    "SignatureSource",
    "SignatureStatus",
    "Body",
    "BodyLevel",
    "Deputy",
    "DeputyStatus",
    "District",
    "Event",
    "MandateType",
    "Organization",
    "Party",
    "Role",
    "User",
]
