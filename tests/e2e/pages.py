"""The pages the accessibility walk visits, built from the app's URL map.

Every GET route that answers a page is visited by every role its access lets in (public ones
also anonymously), with arguments taken from the scenario. Routes that answer something else
than a page, or whose arguments are one-time tokens, are listed here with the reason; a test
fails on any GET route that is neither visited nor listed, so a new page is walked.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from recall.models import Role
from recall.security import access_of

ANONYMOUS = "anonymous"
# Endpoints that answer no page, or a redirect only.
NOT_PAGES = {
    "static": "files",
    "health.healthz": "a probe (JSON)",
    "health.readyz": "a probe (JSON)",
    "public.switch_language": "a redirect",
    "public.favicon": "a redirect to the icon file",
    "signing.find_sheet": "a redirect to the paper entry of a sheet (walked itself)",
    "promises.export_promises_csv": "CSV",
    "commission.report_csv": "CSV",
    "commission.signatures_csv": "CSV",
    "commission.download_skipped": "CSV",
    "commission.review_next": "a redirect to the next item in review",
}
# Endpoints whose argument is a one-time token sent by e-mail; the journeys open them.
TOKEN_PAGES = {
    "signing.confirm_signature_page",
    "appeals.confirm_signature_page",
    "auth.confirm_registration",
    "notifications.unsubscribe",
    "misuse.report_from_watch",
    "iin_watch.stop_watching",
}


@dataclass(frozen=True)
class Page:
    endpoint: str
    path: str
    role: str  # ANONYMOUS or a Role value


def _is_page_route(rule) -> bool:
    return (
        "GET" in rule.methods
        and not rule.rule.startswith("/api/")
        and rule.endpoint not in NOT_PAGES
        and rule.endpoint not in TOKEN_PAGES
    )


def _arguments(endpoint: str, scenario) -> dict:
    values = dict(scenario.ids)
    for prefix, override in scenario.overrides.items():
        if endpoint.startswith(prefix):
            values.update(override)
    return values


def _visitors(app: Flask, endpoint: str, roles) -> list[str]:
    access = access_of(app, endpoint)
    if access.public:
        return [ANONYMOUS, *roles]
    return [r for r in roles if not access.roles or Role(r) in access.roles]


def pages(app: Flask, scenario, roles) -> tuple[list[Page], list[str]]:
    """(the pages to visit, the GET routes that could not be filled: should be none)."""
    found, unfilled = [], []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not _is_page_route(rule):
            continue
        values = _arguments(rule.endpoint, scenario)
        if not rule.arguments <= values.keys():
            unfilled.append(rule.rule)
            continue
        path = rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]
        if rule.endpoint in scenario.queries:
            path += "?" + scenario.queries[rule.endpoint]
        for role in _visitors(app, rule.endpoint, roles):
            found.append(Page(rule.endpoint, path, role))
    return found, unfilled


def parameterless_get_routes(app: Flask) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and not rule.arguments
        and not rule.rule.startswith("/api/")
        and rule.endpoint not in NOT_PAGES
    }
