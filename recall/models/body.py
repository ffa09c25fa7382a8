"""Representative bodies, their single-mandate districts, and parties."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recall.extensions import db
from recall.models.base import TimestampMixin
from recall.models.names import NamedMixin
from recall.rules.names import pick_name


class BodyLevel(StrEnum):
    """Codes of the Kazakh body kinds seeded by migration 0027 and ``flask seed``.

    Only names of seeded data: what a kind means (seat rules, default recall rule, whether list
    deputies can be recalled) lives on its ``BodyKind`` row, never in code branching on these.
    """

    MAZHILIS = "mazhilis"
    OBLAST_MASLIKHAT = "oblast_maslikhat"  # oblasts, cities of republican significance, capital
    DISTRICT_MASLIKHAT = "district_maslikhat"  # districts and towns: all single-mandate


class BodyKind(TimestampMixin, db.Model):
    """What kind of body a body is (a Mazhilis, an oblast maslikhat, a House of Commons...).

    Kinds are data, so bodies of any country fit: each has a name per language, the jurisdiction
    its bodies belong to, its seat rule and the recall rule its bodies run under by default.
    """

    __tablename__ = "body_kinds"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(60), unique=True)
    # The kind's name per language code ({"en": ..., "ru": ..., "kk": ...}).
    names: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    # The jurisdiction of a recall rule (``RecallRule.jurisdiction``) its bodies belong to by default.
    jurisdiction: Mapped[str] = mapped_column(sa.String(200))
    # Seat rule: the percentage of seats elected by party list (Mazhilis 70, oblast maslikhats 50,
    # district maslikhats 0); None when the law fixes no share.
    list_seats_percent: Mapped[int | None] = mapped_column()
    # Whether voters may recall a deputy elected by party list at all (Kazakh law: never).
    list_deputies_recallable: Mapped[bool] = mapped_column(default=False)
    # The recall preset (``recall.rules.rule_presets.PRESETS`` key) a body of this kind runs under when none is assigned.
    default_rule_key: Mapped[str | None] = mapped_column(sa.String(80))

    __table_args__ = (
        sa.CheckConstraint(
            "list_seats_percent IS NULL OR (list_seats_percent >= 0 AND list_seats_percent <= 100)",
            name="list_percent_in_range",
        ),
    )

    def name_in(self, lang: str | None = None) -> str:
        """The kind's name in ``lang``, else in the order every other name falls back in
        (``recall.rules.names.pick_name``), else its code."""
        return pick_name(self.names, lang, self.code)

    def __repr__(self) -> str:
        return f"<BodyKind {self.code}>"


class Body(NamedMixin, TimestampMixin, db.Model):
    """A representative body (the Mazhilis, one maslikhat, a parliament of another country)."""

    __tablename__ = "bodies"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind_id: Mapped[int] = mapped_column(sa.ForeignKey("body_kinds.id"), index=True)
    # The jurisdiction whose recall rules apply (a ``RecallRule.jurisdiction``; the kind's by default).
    jurisdiction: Mapped[str] = mapped_column(sa.String(200))
    region: Mapped[str | None] = mapped_column(sa.String(120))
    seats_total: Mapped[int] = mapped_column()
    seats_party_list: Mapped[int] = mapped_column(default=0)
    is_demo: Mapped[bool] = mapped_column(default=False)

    kind: Mapped[BodyKind] = relationship()
    districts: Mapped[list[District]] = relationship(
        back_populates="body",
        order_by=lambda: [District.number, District.code],
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        sa.CheckConstraint("seats_total > 0", name="seats_positive"),
        sa.CheckConstraint(
            "seats_party_list >= 0 AND seats_party_list <= seats_total", name="list_seats_in_range"
        ),
    )

    def __init__(self, **kwargs):
        # A body belongs to its kind's jurisdiction unless told otherwise.
        kind = kwargs.get("kind")
        if kwargs.get("jurisdiction") is None and kind is not None:
            kwargs["jurisdiction"] = kind.jurisdiction
        super().__init__(**kwargs)

    @property
    def seats_single_mandate(self) -> int:
        return self.seats_total - self.seats_party_list

    def __repr__(self) -> str:
        return f"<Body {self.slug}>"


def _code_from_number(context) -> str:
    """A district without a code is known by its number (as every Kazakh district is)."""
    number = context.get_current_parameters().get("number")
    if number is None:
        raise ValueError("a district needs a code or a number")
    return str(number)


class District(NamedMixin, TimestampMixin, db.Model):
    """An electoral district (constituency, area) of a body."""

    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id", ondelete="CASCADE"), index=True)
    # The district as its source names it (``E14000530``, ``ekiti_central,_ekiti_state``, ``MZ-1``);
    # unique within the body. Districts known only by a number get the number as their code.
    code: Mapped[str] = mapped_column(sa.String(120), default=_code_from_number)
    # The official number, where the law numbers districts (Kazakhstan does); optional.
    number: Mapped[int | None] = mapped_column()
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
        sa.UniqueConstraint("body_id", "code", name="uq_districts_body_code"),
        sa.CheckConstraint("number > 0", name="number_positive"),
        sa.CheckConstraint("registered_voters >= 0", name="voters_not_negative"),
    )

    @property
    def designation(self) -> str:
        """What pages show for the district: its number where it has one, else its code."""
        return str(self.number) if self.number is not None else self.code

    @hybrid_property
    def roll_key(self) -> int:
        """The integer a voter roll files the district's lines under (``district_number`` of
        ``voter_roll_entries`` and ``voter_roll_districts``): its number, or minus its id for a
        district known only by a code (``E14000530``). Numbers are positive (a check), so the two
        never meet, and a numbered district's roll rows stay what they always were: no migration
        of a 12-million-line table, and the COPY of each line stays one integer.

        A district that gains or loses its number later files new rolls under the new key;
        rolls loaded before then no longer count for it until the roll is imported again.
        """
        return self.number if self.number is not None else -self.id

    @roll_key.inplace.expression
    @classmethod
    def _roll_key_expression(cls):
        return sa.func.coalesce(cls.number, -cls.id)

    def __repr__(self) -> str:
        return f"<District {self.body_id}/{self.code}>"


class Party(NamedMixin, TimestampMixin, db.Model):
    """A political party."""

    __tablename__ = "parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    short_name: Mapped[str | None] = mapped_column(sa.String(60))

    def __repr__(self) -> str:
        return f"<Party {self.name!r}>"
