"""Pagination shared by pages, the API and exports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

import sqlalchemy as sa

from recall.extensions import db

T = TypeVar("T")
MAX_PER_PAGE = 100
# Past this a page number is clamped: OFFSET must stay inside a 64-bit integer, and no list here
# has a million pages.
MAX_PAGE = 1_000_000
# The largest row id (an INTEGER primary key): a larger number from user input names no row.
MAX_ROW_ID = 2**31 - 1


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def as_meta(self) -> dict[str, int]:
        return {
            "page": self.page,
            "per_page": self.per_page,
            "total": self.total,
            "pages": self.pages,
        }


def clamp_page(
    page: int | None, per_page: int | None, default_per_page: int = 20
) -> tuple[int, int]:
    """Bound page numbers from user input to sane values."""
    page = min(page, MAX_PAGE) if page and page > 0 else 1
    per_page = per_page if per_page and per_page > 0 else default_per_page
    return page, min(per_page, MAX_PER_PAGE)


def paginate(
    query: sa.Select, page: int | None, per_page: int | None, default_per_page: int = 20
) -> Page:
    """Run ``query`` for one page; ``query`` must select a single entity and carry its ORDER BY."""
    page, per_page = clamp_page(page, per_page, default_per_page)
    total = (
        db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
        or 0
    )
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, page=page, per_page=per_page, total=total)
