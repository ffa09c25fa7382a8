"""API tokens: how an organization's or a commission's program calls the API for a person."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recall.extensions import db
from recall.models.base import TimestampMixin, UTCDateTime
from recall.models.user import User


class ApiToken(TimestampMixin, db.Model):
    """A bearer token acting as ``user`` within ``scopes``.

    Only the SHA-256 of the token is stored (it is 256 random bits, so no slow hash is needed:
    nothing can be guessed from the digest); ``prefix`` is its first characters, to tell tokens
    apart on the page. The token itself is shown once, when it is created.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    body_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bodies.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(16))
    scopes: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix}… {self.scopes}>"
