"""Who may reach which route, and how often.

Every view declares its access with one of the decorators below. A single ``before_request``
hook enforces the declaration, and a view that declares nothing is refused (secure by default).
The access test walks the URL map and checks every endpoint has a declaration.

The rate limits (per client address) are here too, so the pages and the API share one budget.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import Flask, abort, current_app, request
from flask_login import current_user

from recall.extensions import client_address as _client_address
from recall.extensions import limiter
from recall.models.user import Role
from recall.rate_limits import Budget, budget_limit
from recall.rules.sources import Client

F = TypeVar("F", bound=Callable)


@dataclass(frozen=True)
class Access:
    """What a route needs: nothing (public), a signed-in user, or one of some roles."""

    public: bool = False
    roles: frozenset[Role] = frozenset()

    def describe(self) -> str:
        if self.public:
            return "public"
        if not self.roles:
            return "login"
        return "|".join(sorted(r.value for r in self.roles))


def _mark(access: Access) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        view._access = access  # type: ignore[attr-defined]
        return view

    return decorator


public = _mark(Access(public=True))
login_required = _mark(Access())


def roles_required(*roles: Role | str) -> Callable[[F], F]:
    """Allow users holding any one of ``roles``. Admins are not let in implicitly."""
    return _mark(Access(roles=frozenset(Role(r) for r in roles)))


# Endpoints Flask itself adds.
_BUILTIN_PUBLIC = {"static"}


def access_of(app: Flask, endpoint: str) -> Access | None:
    """The declared access of an endpoint, or None when it declares none."""
    if endpoint in _BUILTIN_PUBLIC:
        return Access(public=True)
    view = app.view_functions.get(endpoint)
    return getattr(view, "_access", None)


def wants_json() -> bool:
    """True for API paths and for clients that prefer JSON to HTML."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def _enforce_access():
    if request.endpoint is None:  # 404/405: let routing errors through
        return None
    access = access_of(current_app, request.endpoint)
    if access is None:
        current_app.logger.error("route %r declares no access; refusing", request.endpoint)
        abort(403)
    if access.public:
        return None
    if not current_user.is_authenticated:
        if wants_json():
            abort(401)
        return current_app.login_manager.unauthorized()
    if access.roles and not (access.roles & current_user.roles):
        abort(403)
    return None


def _configured(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


# Register and log-in attempts (``LOGIN_RATE_LIMIT``), each page its own count.
login_limit = limiter.limit(_configured("LOGIN_RATE_LIMIT"), methods=["POST"])
# Tips and evidence on a promise (``TIP_RATE_LIMIT``), per client address.
tip_limit = limiter.limit(_configured("TIP_RATE_LIMIT"), methods=["POST"])
# The public misuse-report form (``MISUSE_REPORT_RATE_LIMIT``).
misuse_report_limit = limiter.limit(_configured("MISUSE_REPORT_RATE_LIMIT"), methods=["POST"])
# One budget (``SIGNING_RATE_LIMIT``) for every way of signing, on the form and the API alike,
# and one for probing receipts.
# The per-address budget, and the per-domain and per-petition ones, are run-time settings an
# administrator edits on /admin/fraud (recall.services.fraud.settings; read at most 10 s old).
# Counted in one Redis round trip per request (recall.rate_limits), not Flask-Limiter's one per
# limit: signing is what a surge is made of.


def _setting(name: str) -> Callable[[], str]:
    def value() -> str:
        from recall.services.fraud.settings import current_settings

        return getattr(current_settings(), name)

    return value


def _petition_key() -> str:
    return f"petition:{(request.view_args or {}).get('petition_id')}"


def _domain_key() -> str:
    """The e-mail domain a signing request names (JSON or form), lower case; "" when none."""
    data = request.get_json(silent=True) if request.is_json else request.form
    email = data.get("email") if isinstance(data, dict) or hasattr(data, "get") else None
    if not isinstance(email, str) or "@" not in email:
        return "domain:"
    return "domain:" + email.rsplit("@", 1)[1].strip().lower()


def _petition_setting() -> str:
    """The per-petition budget, off on routes that name no petition (watching one's IIN)."""
    if not (request.view_args or {}).get("petition_id"):
        return ""
    return _setting("rate_per_petition")()


signing_limit = budget_limit(
    Budget("signing", _setting("rate_per_address"), _client_address),
    Budget("signing-domain", _setting("rate_per_domain"), _domain_key),
    Budget("signing-petition", _petition_setting, _petition_key),
    methods=("POST",),
)
receipt_limit = budget_limit(Budget("receipts", _configured("SIGNING_RATE_LIMIT"), _client_address))


def request_client() -> Client:
    """The client of this request as signing's pattern data needs it: the address rate limits
    see (``PROXY_FIX`` decides which hop that is) and the User-Agent header ("" when missing)."""
    return Client(address=request.remote_addr, user_agent=request.user_agent.string or "")


def init_app(app: Flask) -> None:
    app.before_request(_enforce_access)
