"""JSON shapes of the API, in one place."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale

from recall.api.conventions import remember_page
from recall.models import Body, Deputy, District, Party
from recall.services.names import (
    display_name,
    names_of,
    region_display_name,
    region_names,
    street_name,
)
from recall.services.pagination import Page


def _named(row) -> dict[str, Any]:
    """``name`` in the requested language and ``names`` by language (issue 11)."""
    return {"name": display_name(row), "names": names_of(row)}


def body_ref(body: Body) -> dict[str, Any]:
    """A body where another row names it (a deputy, petition or appeal)."""
    return {"id": body.id, "slug": body.slug, **_named(body)}


def district_ref(district: District) -> dict[str, Any]:
    """A district where a petition or appeal names it."""
    return {
        "id": district.id,
        "code": district.code,
        "number": district.number,
        **_named(district),
    }


def deputy_ref(deputy: Deputy) -> dict[str, Any]:
    """A deputy where a petition or appeal names them."""
    return {"id": deputy.id, "full_name": deputy.full_name, **_named(deputy)}


def body_json(body: Body) -> dict[str, Any]:
    return {
        "id": body.id,
        "slug": body.slug,
        **_named(body),
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
        **_named(district),
        "region": district.region,
        "region_name": region_display_name(district.region) or None,
        "region_names": region_names(district.region),
        "registered_voters": district.registered_voters,
        "voters_as_of": district.voters_as_of.isoformat() if district.voters_as_of else None,
    }


def party_json(party: Party | None) -> dict[str, Any] | None:
    return (
        None if party is None else {"id": party.id, **_named(party), "short_name": party.short_name}
    )


def deputy_json(deputy: Deputy) -> dict[str, Any]:
    return {
        "id": deputy.id,
        "full_name": deputy.full_name,
        **_named(deputy),
        "body": body_ref(deputy.body),
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


def district_match_json(match) -> dict[str, Any]:
    """A district found by ``GET /api/v1/districts?q=``: the district, its body, the places that
    matched and its serving deputies."""
    return {
        **district_json(match.district),
        "body": body_ref(match.district.body),
        "places": [
            {
                "locality": p.name,
                "street": street_name(p) or None,
                "street_names": dict(p.street_names or {}),
                **_named(p),
            }
            for p in match.places
        ],
        "deputies": [deputy_ref(d) for d in match.deputies],
    }
