"""Names per language on bodies, districts, regions, parties and deputies (issue 11).

``NamedMixin`` adds ``names`` (language code -> name) and ``search_key`` (the folded forms of
every name, ``recall/rules/names.py``). The key is recomputed on every insert and update by the
mapper events below, so every writer (imports, demo, factories, admin forms) keeps it right
without calling anything. Rows keep their legacy single name column (``name``, or ``full_name``
for deputies): it is the name as its source spelled it and the last fallback when showing one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recall.extensions import db
from recall.models.base import TimestampMixin
from recall.rules.names import search_key

if TYPE_CHECKING:
    from recall.models.body import District


class NamedMixin:
    """``names`` and ``search_key`` columns; ``LEGACY_NAME`` names the single-name column."""

    LEGACY_NAME = "name"

    # Assign a new dict to change it (``services.names.set_names``): in-place edits of a JSON
    # value are not seen by the session.
    names: Mapped[dict] = mapped_column(sa.JSON, default=dict, server_default=sa.text("'{}'"))
    search_key: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    @property
    def legacy_name(self) -> str:
        return getattr(self, self.LEGACY_NAME) or ""

    def compute_search_key(self) -> str:
        return search_key([self.legacy_name, *(self.names or {}).values()])


@event.listens_for(NamedMixin, "before_insert", propagate=True)
@event.listens_for(NamedMixin, "before_update", propagate=True)
def _refresh_search_key(_mapper, _connection, target: NamedMixin) -> None:
    target.search_key = target.compute_search_key()


class Region(NamedMixin, TimestampMixin, db.Model):
    """A region (oblast, city of republican significance, or a source's parent area).

    Bodies and districts name their region by this row's ``name`` (their ``region`` strings,
    kept as they were so nothing that reads them changes); this row adds the other languages.
    """

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)

    def __repr__(self) -> str:
        return f"<Region {self.name!r}>"


class Locality(NamedMixin, TimestampMixin, db.Model):
    """A place (a town or village, optionally one street or micro-district of it) and the district
    its voters belong to (``flask districts import-localities``). A place split between districts
    has one row per district, so a search for it lists every district it touches."""

    __tablename__ = "localities"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(
        sa.ForeignKey("districts.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))  # the locality, as the file spells it
    street: Mapped[str | None] = mapped_column(sa.String(200))  # or micro-district
    # The street's name per language, like ``names`` for the locality ({"kk": "Абай даңғылы",
    # "ru": "проспект Абая", "en": "Abay Avenue"}); ``street`` stays the name as the file spells
    # it, the last fallback (``services.names.street_name``). Assign a new dict to change it.
    street_names: Mapped[dict] = mapped_column(
        sa.JSON, default=dict, server_default=sa.text("'{}'")
    )

    district: Mapped[District] = relationship("District")

    __table_args__ = (
        # A trigram index on PostgreSQL: search is a substring match on the key ("%word%"), which
        # without it reads the whole table (200,000 streets: ~100 ms against ~6 ms with it;
        # benchmarks/localities.py). SQLite, for `make run`, does without.
        sa.Index(
            "ix_localities_search_key_trgm",
            "search_key",
            postgresql_using="gin",
            postgresql_ops={"search_key": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
    )

    def compute_search_key(self) -> str:
        # The street is searchable too: "Караганда Абдирова" finds that street of that city.
        # The street in every language too: "Абай даңғылы" and "Abay" find the same street.
        return search_key(
            [
                self.legacy_name,
                *(self.names or {}).values(),
                self.street,
                *(self.street_names or {}).values(),
            ]
        )

    def __repr__(self) -> str:
        return f"<Locality {self.name!r} {self.street or ''}>"


# ``create_all`` (tests, a fresh database) needs the trigram operator class before the index.
event.listen(
    Locality.__table__,
    "before_create",
    sa.DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"),
)
