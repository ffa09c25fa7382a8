"""Accounts: registration, authentication, passwords and role grants."""

from __future__ import annotations

import functools
import hashlib
import secrets

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.security import generate_password_hash

from recall.errors import Conflict, Forbidden, Invalid, NotFound
from recall.extensions import db
from recall.models import Body, Deputy, Organization, Role, User
from recall.models.base import utcnow
from recall.notifications.mail import public_url
from recall.rules.email_shape import plain_email
from recall.services.audit import append_audit
from recall.services.lookup import get_or_raise
from recall.services.outbox import record_event

MIN_PASSWORD_LENGTH = 10
# A registration link works this long; registering again sends a new one.
CONFIRM_LINK_HOURS = 72
CONFIRM_SALT = "recall.account.confirm-email"


@functools.cache
def _timing_dummy() -> User:
    """A throw-away user whose hash makes a login for an unknown e-mail cost as much as a real one."""
    dummy = User(email="dummy@invalid", display_name="", password_hash="")
    dummy.set_password("timing-equaliser")
    return dummy


def normalise_email(email: str, check_deliverability: bool = False) -> str:
    """Validate an e-mail address and return it lower-cased; raise ``Invalid`` on bad input."""
    address = (email or "").strip()
    # Plain ASCII addresses skip email_validator's per-character walk (issue 12, signing CPU).
    plain = None if check_deliverability else plain_email(address)
    if plain is not None:
        return plain
    try:
        info = validate_email(address, check_deliverability=check_deliverability)
    except EmailNotValidError as exc:
        raise Invalid(_("Enter a valid e-mail address."), field="email") from exc
    return info.normalized.lower()


def _check_password_strength(password: str, field: str = "password") -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise Invalid(
            _("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
            field=field,
        )


def get_user(user_id: int) -> User:
    return get_or_raise(User, user_id, _("No such account."))


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def _check_new_account(email: str, password: str, display_name: str) -> tuple[str, str]:
    """The normalised e-mail and name of a new account; raise ``Invalid`` on bad shape."""
    email = normalise_email(email)
    display_name = (display_name or "").strip()
    if not display_name:
        raise Invalid(_("Enter your name."), field="display_name")
    _check_password_strength(password)
    return email, display_name[:120]


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def _confirm_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CONFIRM_SALT)


def _send_confirmation(user: User) -> None:
    """Give ``user`` a new confirmation link (the previous one stops working) and mail it."""
    nonce = secrets.token_urlsafe(32)
    user.confirm_token_hash = _digest(nonce)
    db.session.flush()
    token = _confirm_serializer().dumps(nonce)
    record_event(
        "account.confirmation_requested",
        "user",
        user.id,
        {"user_id": user.id, "confirm_url": public_url("auth.confirm_registration", token=token)},
    )


def register_user(email: str, password: str, display_name: str, locale: str = "ru") -> None:
    """Ask for a citizen account; the answer is the same whether the address has one or not.

    * A new address: an account is created unconfirmed and a confirmation link is mailed to it
      (``account.confirmation_requested``); it cannot sign in before the link is followed.
    * An address whose account is still unconfirmed: this request replaces the pending one
      (name, password, language) and mails a new link; the old link stops working.
    * An address with a confirmed account: nothing changes; its owner is told by mail that
      someone tried to register with it (``account.registration_attempted``).

    The password is hashed on every path, so the time taken does not tell either. Raises
    ``Invalid`` for bad input only (never because of the address's account). Flushes.
    """
    email, display_name = _check_new_account(email, password, display_name)
    password_hash = generate_password_hash(password)
    user = find_user_by_email(email)
    if user is not None and user.is_confirmed:
        record_event(
            "account.registration_attempted",
            "user",
            user.id,
            {"user_id": user.id, "login_url": public_url("auth.login")},
        )
        return
    if user is None:
        user = User(email=email, password_hash=password_hash)
        db.session.add(user)
    user.display_name, user.locale, user.password_hash = display_name, locale, password_hash
    _send_confirmation(user)


def confirm_registration(token: str, password: str) -> User:
    """Confirm the account a registration link was sent for, and return it.

    The link alone is not enough: the password chosen when registering must be given too, so
    someone who registered another person's address cannot have that person confirm an account
    whose password they know. The link works once, for ``CONFIRM_LINK_HOURS``.
    Raises ``Invalid`` (unknown, used or expired link; wrong password). Flushes.
    """
    try:
        nonce = _confirm_serializer().loads(token or "", max_age=CONFIRM_LINK_HOURS * 3600)
    except BadData:
        nonce = None
    user = (
        db.session.scalar(sa.select(User).where(User.confirm_token_hash == _digest(nonce)))
        if isinstance(nonce, str)
        else None
    )
    if user is None:
        raise Invalid(
            _(
                "This link is not valid: it was used already, has expired or was replaced by a "
                "newer one. Register again to get a new link."
            )
        )
    if not user.check_password(password or ""):
        raise Invalid(_("Wrong password."), field="password")
    user.email_confirmed_at = utcnow()
    user.confirm_token_hash = None
    db.session.flush()
    return user


def create_account(
    actor: User | None,
    email: str,
    password: str,
    display_name: str,
    *,
    admin: bool = False,
    locale: str = "ru",
) -> User:
    """An administrator (or the command line, ``actor`` None) creates a confirmed account.

    Raises ``Forbidden`` for a non-admin actor, ``Invalid`` for bad input and ``Conflict`` when
    the address has an account (an administrator may know that). Flushes.
    """
    if actor is not None and not actor.has_role(Role.ADMIN):
        raise Forbidden(_("Only administrators can create accounts."))
    email, display_name = _check_new_account(email, password, display_name)
    if find_user_by_email(email) is not None:
        raise Conflict(_("An account with this e-mail address already exists."), field="email")
    user = User(
        email=email,
        display_name=display_name,
        locale=locale,
        is_admin=admin,
        email_confirmed_at=utcnow(),
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user with these credentials, or None. Takes the same time whether the e-mail exists or not.

    Raises ``Invalid`` for the right password of an account whose address is not confirmed yet.
    """
    user = find_user_by_email(email or "")
    if user is None:
        _timing_dummy().check_password(password or "")
        return None
    if not user.check_password(password or ""):
        return None
    if not user.is_confirmed:
        raise Invalid(
            _("Confirm your e-mail address first: follow the link we sent you when you registered.")
        )
    return user


def end_sessions(user: User) -> None:
    """Log ``user`` out everywhere: every session and remember cookie issued so far stops working.

    Used on log-out, so a copied session cookie or a year-long remember token does not outlive
    it. Flushes.
    """
    user.end_sessions()
    db.session.flush()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change a password after checking the current one; other sessions are logged out."""
    if not user.check_password(current_password or ""):
        raise Invalid(_("The current password is wrong."), field="current_password")
    _check_password_strength(new_password, field="new_password")
    user.set_password(new_password)
    db.session.flush()


def get_or_create_organization(name: str) -> Organization:
    name = (name or "").strip()
    if not name:
        raise Invalid(_("Name the organization."), field="organization")
    org = db.session.scalar(sa.select(Organization).where(Organization.name == name))
    if org is None:
        org = Organization(name=name)
        db.session.add(org)
        db.session.flush()
    return org


def _find_body(ref: str | int) -> Body:
    ref_text = str(ref).strip()
    query = sa.select(Body).where(Body.slug == ref_text)
    if ref_text.isdigit():
        query = sa.select(Body).where(sa.or_(Body.id == int(ref_text), Body.slug == ref_text))
    body = db.session.scalar(query)
    if body is None:
        raise NotFound(_("No body %(ref)s.", ref=ref_text), field="body")
    return body


def _free_deputy(ref: str | int | None, user: User) -> Deputy:
    """The deputy record a deputy account is linked to: it must exist and have no other account."""
    text = str(ref if ref is not None else "").strip()
    if not (text.isascii() and text.isdigit()):
        raise Invalid(
            _("A deputy account must be linked to a deputy (give the deputy's id)."), field="deputy"
        )
    deputy = db.session.get(Deputy, int(text))
    if deputy is None:
        raise NotFound(_("No deputy %(ref)s.", ref=text), field="deputy")
    holder = db.session.scalar(sa.select(User).where(User.deputy_id == deputy.id))
    if holder is not None and holder.id != user.id:
        raise Conflict(_("This deputy already has an account."), field="deputy")
    return deputy


def _role_change_target(actor: User | None, email: str, role: Role | str) -> tuple[Role, User]:
    """Check that ``actor`` may change roles and resolve the role and the account it applies to."""
    if actor is not None and not actor.has_role(Role.ADMIN):
        raise Forbidden(_("Only administrators can change roles."))
    try:
        role = Role(role)
    except ValueError as exc:
        raise Invalid(_("Unknown role %(role)s.", role=role), field="role") from exc
    user = find_user_by_email(email or "")
    if user is None:
        raise NotFound(_("No account with the e-mail %(email)s.", email=email), field="email")
    return role, user


def grant_role(
    actor: User | None,
    email: str,
    role: Role | str,
    organization: str | None = None,
    body: str | int | None = None,
    deputy: str | int | None = None,
) -> User:
    """Grant ``role`` to the user with ``email``.

    ``actor`` must be an admin (None means the command line, which runs with the server's
    authority). A monitor needs ``organization`` (created if new); a commissioner needs ``body``;
    a deputy account needs ``deputy`` (the id of the deputy record it speaks for, one account each).
    """
    role, user = _role_change_target(actor, email, role)
    if role == Role.CITIZEN:
        return user
    if role == Role.MONITOR:
        if not organization:
            raise Invalid(_("A monitor must belong to an organization."), field="organization")
        user.organization = get_or_create_organization(organization)
    elif role == Role.COMMISSIONER:
        if body in (None, ""):
            raise Invalid(
                _("A commissioner must belong to the commission of a body."), field="body"
            )
        user.commission_body = _find_body(body)
    elif role == Role.ADMIN:
        user.is_admin = True
    elif role == Role.MODERATOR:
        user.is_moderator = True
    elif role == Role.DEPUTY:
        user.deputy_id = _free_deputy(deputy, user).id
    db.session.flush()
    _audit_role("role.granted", actor, user, role)
    return user


def revoke_role(actor: User | None, email: str, role: Role | str) -> User:
    """Take a role away. An admin cannot remove their own admin role (so one always remains)."""
    role, user = _role_change_target(actor, email, role)
    if role == Role.MONITOR:
        user.organization = None
    elif role == Role.COMMISSIONER:
        user.commission_body = None
    elif role == Role.ADMIN:
        if actor is not None and actor.id == user.id:
            raise Conflict(_("You cannot remove your own administrator role."), field="role")
        user.is_admin = False
    elif role == Role.MODERATOR:
        user.is_moderator = False
    elif role == Role.DEPUTY:
        user.deputy_id = None
    db.session.flush()
    _audit_role("role.revoked", actor, user, role)
    return user


def _audit_role(action: str, actor: User | None, user: User, role: Role) -> None:
    """Log a role change by account number, never by e-mail or name."""
    append_audit(
        action,
        actor.id if actor is not None else None,
        "user",
        user.id,
        user.commission_body_id if role == Role.COMMISSIONER else None,
        {
            "role": role.value,
            "organization_id": user.organization_id,
            "deputy_id": user.deputy_id if role == Role.DEPUTY else None,
        },
    )


def role_choices() -> tuple[list[Body], list[Organization]]:
    """The bodies and organizations an administrator picks from when granting a role."""
    bodies = db.session.scalars(sa.select(Body).order_by(Body.name)).all()
    organizations = db.session.scalars(sa.select(Organization).order_by(Organization.name)).all()
    return list(bodies), list(organizations)


def list_users(page: int = 1, q: str | None = None):
    from recall.services.pagination import paginate

    query = sa.select(User).order_by(User.id)
    if q:
        query = query.where(sa.or_(User.email.ilike(f"%{q}%"), User.display_name.ilike(f"%{q}%")))
    return paginate(query, page, 50)
