"""Deputies and how they hold their seat."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recall.extensions import db
from recall.models.base import TimestampMixin, enum_column
from recall.models.body import Body, District, Party
from recall.models.names import NamedMixin


class MandateType(StrEnum):
    SINGLE_MANDATE = "single_mandate"
    PARTY_LIST = "party_list"
    MULTI_MEMBER = "multi_member"  # one of several deputies elected in the same district


class DeputyStatus(StrEnum):
    SERVING = "serving"
    RECALLED = "recalled"
    RESIGNED = "resigned"
    TERM_ENDED = "term_ended"


class Deputy(NamedMixin, TimestampMixin, db.Model):
    """An elected deputy. Single-mandate and multi-member deputies have a district; list deputies
    never do."""

    LEGACY_NAME = "full_name"

    __tablename__ = "deputies"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Identifier from the import source (Popolo person id or the CSV `id` column): re-imports match on it.
    external_id: Mapped[str | None] = mapped_column(sa.String(120), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200), index=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    mandate_type: Mapped[MandateType] = mapped_column(enum_column(MandateType, name="mandate_type"))
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("districts.id"), index=True)
    party_id: Mapped[int | None] = mapped_column(sa.ForeignKey("parties.id"), index=True)
    term_start: Mapped[date] = mapped_column(sa.Date)
    term_end: Mapped[date | None] = mapped_column(sa.Date)
    # The opening day of the recall window followers were last told about (issue 10).
    recall_openable_announced_on: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[DeputyStatus] = mapped_column(
        enum_column(DeputyStatus, name="deputy_status"), default=DeputyStatus.SERVING
    )
    is_demo: Mapped[bool] = mapped_column(default=False)
    contact_email: Mapped[str | None] = mapped_column(
        sa.String(254)
    )  # told about petitions against them
    # As the source gives it: Popolo allows a partial date (``1961``, ``1961-05``, ``1961-05-02``).
    birth_date: Mapped[str | None] = mapped_column(sa.String(10))
    # The source's identifiers of the person ([{"scheme": "wikidata", "identifier": "Q..."}]).
    identifiers: Mapped[list[dict[str, str]] | None] = mapped_column(sa.JSON)

    body: Mapped[Body] = relationship()
    district: Mapped[District | None] = relationship()
    party: Mapped[Party | None] = relationship()

    __table_args__ = (
        # The mandate type and the district must agree: this is what makes recall eligibility sound.
        sa.CheckConstraint(
            "(mandate_type IN ('single_mandate', 'multi_member') AND district_id IS NOT NULL) OR "
            "(mandate_type = 'party_list' AND district_id IS NULL)",
            name="district_matches_mandate",
        ),
        sa.CheckConstraint("term_end IS NULL OR term_end >= term_start", name="term_order"),
    )

    @property
    def holds_recallable_mandate(self) -> bool:
        """True for a serving deputy elected in a district; the body's recall rule may narrow this."""
        return self.district_id is not None and self.status == DeputyStatus.SERVING

    def __repr__(self) -> str:
        return f"<Deputy {self.id} {self.full_name!r}>"
