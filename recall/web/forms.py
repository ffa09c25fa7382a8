"""Helpers for forms shared by every area."""

from __future__ import annotations

from flask_wtf import FlaskForm

from recall.errors import DomainError


class ActionForm(FlaskForm):
    """A button that only carries the CSRF token."""


def attach_error(form: FlaskForm, error: DomainError) -> None:
    """Show a service error beside the field it names, or at the top of the form.

    A nested name (``threshold_bands[2].percent``) names its form field (``threshold_bands``);
    ``InvalidFields`` puts each of its errors beside its own field.
    The whole error is kept on the form for pages that show more than its message (see
    :func:`error_of`).
    """
    for each in getattr(error, "errors", None) or [error]:
        name = each.field.split("[", 1)[0].split(".", 1)[0] if each.field else None
        field = form[name] if name and name in form else None
        if field is not None:
            field.errors = [*field.errors, each.message]
        else:
            form.form_errors.append(each.message)
    form.domain_error = error


def error_of(form: FlaskForm) -> DomainError | None:
    """The domain error :func:`attach_error` put on ``form``, if any."""
    return vars(form).get("domain_error")
