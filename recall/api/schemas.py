"""JSON shapes of the API, in one place."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale

from recall.api.conventions import remember_page
from recall.models import Body, Deputy, District, Party
from recall.services.pagination import Page


def body_json(body: Body) -> dict[str, Any]:
    return {
        "id": body.id,
        "slug": body.slug,
        "name": body.name,
        # ``level`` is the kind's code, kept for clients written before kinds were data.
        "level": body.kind.code,
        "kind": body.kind.code,
        "kind_name": body.kind.name_in(str(get_locale())),
        "jurisdiction": body.jurisdiction,
        "region": body.region,
        "seats_total": body.seats_total,
        "seats_party_list": body.seats_party_list,
        "seats_single_mandate": body.seats_single_mandate,
    }


def district_json(district: District) -> dict[str, Any]:
    return {
        "id": district.id,
        "body_id": district.body_id,
        "code": district.code,
        "number": district.number,
        "name": district.name,
        "region": district.region,
        "registered_voters": district.registered_voters,
        "voters_as_of": district.voters_as_of.isoformat() if district.voters_as_of else None,
    }


def party_json(party: Party | None) -> dict[str, Any] | None:
    return (
        None
        if party is None
        else {"id": party.id, "name": party.name, "short_name": party.short_name}
    )


def deputy_json(deputy: Deputy) -> dict[str, Any]:
    return {
        "id": deputy.id,
        "full_name": deputy.full_name,
        "body": {"id": deputy.body.id, "slug": deputy.body.slug, "name": deputy.body.name},
        "mandate_type": deputy.mandate_type.value,
        "district": district_json(deputy.district) if deputy.district else None,
        "party": party_json(deputy.party),
        "term_start": deputy.term_start.isoformat(),
        "term_end": deputy.term_end.isoformat() if deputy.term_end else None,
        "status": deputy.status.value,
        "is_demo": deputy.is_demo,
    }


def page_json(page: Page, render) -> dict[str, Any]:
    """A paginated list: ``items`` plus ``meta`` with page, per_page, total, pages (and the
    ``Link`` and ``X-Total-Count`` headers, added after the view)."""
    remember_page(page)
    return {"items": [render(item) for item in page.items], "meta": page.as_meta()}
