"""Domain errors raised by services; each surface (web, API, CLI, jobs) maps them once."""

from __future__ import annotations


class DomainError(Exception):
    """Base of errors a service raises for a person to read.

    ``message`` is already translated (services call ``gettext``/``lazy_gettext``) and ``field``
    names the input that caused it, when there is one.
    """

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, field: str | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field


class Invalid(DomainError):
    """The input is wrong; nothing was written."""

    status_code = 422
    code = "invalid"


class InvalidFields(Invalid):
    """Several inputs are wrong at once (a form's every mistake, shown together); the message and
    field are the first one's, so a surface that shows one error still shows something true."""

    def __init__(self, errors: list[Invalid]):
        super().__init__(errors[0].message, field=errors[0].field)
        self.errors = errors


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Forbidden(DomainError):
    """The acting user may not do this."""

    status_code = 403
    code = "forbidden"


class Conflict(DomainError):
    """The action does not fit the current state (an illegal transition, a duplicate)."""

    status_code = 409
    code = "conflict"


class Unauthorized(DomainError):
    """No valid credentials (an API token that is unknown or revoked)."""

    status_code = 401
    code = "unauthorized"
