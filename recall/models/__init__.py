"""All models, imported here so that Alembic and ``db.create_all`` see every table."""
from recall.models.body import Body, BodyLevel, District, Party
from recall.models.deputy import Deputy, DeputyStatus, MandateType
from recall.models.outbox import Event
from recall.models.user import Organization, Role, User

__all__ = [
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
