"""Representative bodies, their single-mandate districts, and parties."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recall.extensions import db
from recall.models.base import TimestampMixin, enum_column


class BodyLevel(StrEnum):
    """Where a body sits; decides how its seats are elected after the 2022-23 reform."""

    MAZHILIS = "mazhilis"
    OBLAST_MASLIKHAT = "oblast_maslikhat"  # oblasts, cities of republican significance, capital
    DISTRICT_MASLIKHAT = "district_maslikhat"  # districts and towns: all single-mandate


class Body(TimestampMixin, db.Model):
    """A representative body (the Mazhilis, or one maslikhat)."""

    __tablename__ = "bodies"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    level: Mapped[BodyLevel] = mapped_column(enum_column(BodyLevel, name="body_level"))
    region: Mapped[str | None] = mapped_column(sa.String(120))
    seats_total: Mapped[int] = mapped_column()
    seats_party_list: Mapped[int] = mapped_column(default=0)
    is_demo: Mapped[bool] = mapped_column(default=False)

    districts: Mapped[list[District]] = relationship(
        back_populates="body", order_by="District.number", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.CheckConstraint("seats_total > 0", name="seats_positive"),
        sa.CheckConstraint(
            "seats_party_list >= 0 AND seats_party_list <= seats_total", name="list_seats_in_range"
        ),
    )

    @property
    def seats_single_mandate(self) -> int:
        return self.seats_total - self.seats_party_list

    def __repr__(self) -> str:
        return f"<Body {self.slug}>"


class District(TimestampMixin, db.Model):
    """A single-mandate electoral district of a body."""

    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(sa.String(200))
    region: Mapped[str] = mapped_column(sa.String(120), index=True)
    registered_voters: Mapped[int] = mapped_column(default=0)
    voters_as_of: Mapped[date | None] = mapped_column(sa.Date)
    # Registered voters at the election that elected the district's deputy, and its date (the
    # electorate basis of rules such as the Philippines' RA 9244 s. 70).
    voters_at_election: Mapped[int | None] = mapped_column()
    election_date: Mapped[date | None] = mapped_column(sa.Date)
    # The district's outline, a GeoJSON Polygon or MultiPolygon in longitude/latitude
    # (``flask districts import-boundaries``); maps are drawn from it on the server.
    boundary: Mapped[dict | None] = mapped_column(sa.JSON, deferred=True)

    body: Mapped[Body] = relationship(back_populates="districts")

    __table_args__ = (
        sa.UniqueConstraint("body_id", "number", name="uq_districts_body_number"),
        sa.CheckConstraint("number > 0", name="number_positive"),
        sa.CheckConstraint("registered_voters >= 0", name="voters_not_negative"),
    )

    def __repr__(self) -> str:
        return f"<District {self.body_id}/{self.number}>"


class Party(TimestampMixin, db.Model):
    """A political party."""

    __tablename__ = "parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    short_name: Mapped[str | None] = mapped_column(sa.String(60))

    def __repr__(self) -> str:
        return f"<Party {self.name!r}>"
