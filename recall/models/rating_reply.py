"""A deputy's right of reply to a rating of one of their promises: shown beside the rating, it
never changes it."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from recall.extensions import db
from recall.models.base import TimestampMixin


class RatingReply(TimestampMixin, db.Model):
    """The reply of the rated deputy (through their deputy account) to one rating; one each."""

    __tablename__ = "rating_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    status_change_id: Mapped[int] = mapped_column(
        sa.ForeignKey("promise_status_changes.id", ondelete="CASCADE"), unique=True
    )
    deputy_id: Mapped[int] = mapped_column(sa.ForeignKey("deputies.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(sa.Text)
