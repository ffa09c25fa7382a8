"""Accounts, roles and civic organizations."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from recall.extensions import db
from recall.models.base import TimestampMixin, UTCDateTime
from recall.models.body import Body


class Role(StrEnum):
    """Roles. Everyone signed in is a citizen; the others are granted."""

    CITIZEN = "citizen"
    MONITOR = "monitor"  # member of a civic organization that tracks promises
    COMMISSIONER = "commissioner"  # member of the election commission of one body
    ADMIN = "admin"
    MODERATOR = "moderator"  # publishes or rejects constituent petitions (appeals)
    DEPUTY = "deputy"  # the account of one deputy: answers the appeals addressed to them


class Organization(TimestampMixin, db.Model):
    """A civic group whose monitors record and rate promises."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    website: Mapped[str | None] = mapped_column(sa.String(500))

    def __repr__(self) -> str:
        return f"<Organization {self.name!r}>"


class User(UserMixin, TimestampMixin, db.Model):
    """An account. E-mail is stored lower-cased, so uniqueness is case-insensitive."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    display_name: Mapped[str] = mapped_column(sa.String(120))
    locale: Mapped[str] = mapped_column(sa.String(8), default="ru")
    is_admin: Mapped[bool] = mapped_column(default=False)
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id"), index=True
    )
    commission_body_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    is_moderator: Mapped[bool] = mapped_column(default=False)
    # The deputy record this account speaks for (linked by an administrator); one account each.
    deputy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("deputies.id"), unique=True)
    # Bumped on log-out and password change: session and "remember me" cookies carry the version
    # they were issued under (``get_id``), so every cookie issued before stops working.
    session_version: Mapped[int] = mapped_column(default=1)
    # Set when the owner of the address followed the confirmation link (or an administrator, the
    # command line or the demo created the account); until then the account cannot sign in.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # SHA-256 of the random nonce in the pending confirmation link; None once confirmed.
    confirm_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    organization: Mapped[Organization | None] = relationship()
    commission_body: Mapped[Body | None] = relationship()

    __table_args__ = (sa.CheckConstraint("email = lower(email)", name="email_lowercase"),)

    def set_password(self, password: str) -> None:
        # Werkzeug's default is scrypt, a current memory-hard algorithm.
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def end_sessions(self) -> None:
        """Invalidate every session and remember cookie issued so far."""
        self.session_version = (self.session_version or 0) + 1

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        # The session carries the version so a password change logs out other sessions.
        return f"{self.id}:{self.session_version}"

    @property
    def roles(self) -> frozenset[Role]:
        granted = {Role.CITIZEN}
        if self.organization_id is not None:
            granted.add(Role.MONITOR)
        if self.commission_body_id is not None:
            granted.add(Role.COMMISSIONER)
        if self.is_admin:
            granted.add(Role.ADMIN)
        if self.is_moderator:
            granted.add(Role.MODERATOR)
        if self.deputy_id is not None:
            granted.add(Role.DEPUTY)
        return frozenset(granted)

    def has_role(self, role: Role | str) -> bool:
        return Role(role) in self.roles

    def is_commissioner_of(self, body_id: int) -> bool:
        return self.commission_body_id is not None and self.commission_body_id == body_id

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"
