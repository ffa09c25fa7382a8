"""Bodies, districts, parties and deputies as Popolo JSON (https://www.popoloproject.com).

The export reads back through ``flask deputies import`` (``deputy_import.plan_from_popolo``) into
the same bodies, districts and deputies. Every id derives from a natural key, not a row id, so an
export of the re-imported database equals the first export:

* ``organizations``: each body as a ``legislature`` (``id`` ``body/<slug>``; the extensions
  ``slug``, ``level``, ``seats``, ``party_list_seats``, ``region`` the importer reads) and each
  party as a ``party`` (``party/<name>``);
* ``areas``: each region (``area/region/<name>``, classification ``region``) and each district
  (``area/<body slug>/<code>``, classification ``constituency``, ``code`` its code, ``identifier``
  its number (its code where it has none), ``parent_id`` its region; ``registered_voters`` and
  ``voters_as_of`` as extensions);
* ``posts``: the seat of each district (``post/<body slug>/<code>``);
* names per language of bodies, parties, regions, districts and persons as ``other_names``
  (``{"lang", "name", "note": "multilingual"}``, as EveryPolitician writes them; a party's short
  name as ``{"name", "note": "short"}``);
* ``persons``: each deputy (``id`` the import's id, else ``person/<row id>``) with ``name``,
  ``other_names`` per language (``{"lang", "name", "note": "multilingual"}``, as EveryPolitician
  writes them) where a deputy has names in several languages, ``identifiers`` and ``birth_date``;
* ``memberships``: each mandate: ``person_id``, ``organization_id``, ``post_id`` for a
  single-mandate seat (a list seat has none), ``on_behalf_of_id`` (the party), ``area_id``,
  ``mandate_type`` (extension) for a multi-member seat,
  ``start_date``, ``end_date``, and ``end_reason`` when the mandate ended (``recalled`` after a
  successful recall, ``resigned``, ``term_ended``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from recall.extensions import db
from recall.models import Body, Deputy, DeputyStatus, District, MandateType, Party
from recall.services.names import region_names

POPOLO_SPEC = "https://www.popoloproject.com/specs/"


def _body_id(body: Body) -> str:
    return f"body/{body.slug}"


def _area_id(district: District) -> str:
    return f"area/{district.body.slug}/{district.code}"


def _post_id(district: District) -> str:
    return f"post/{district.body.slug}/{district.code}"


def _region_id(region: str) -> str:
    return f"area/region/{region}"


def _party_id(party: Party) -> str:
    return f"party/{party.name}"


def _person_id(deputy: Deputy) -> str:
    return deputy.external_id or f"person/{deputy.id}"


def _other_names(names: dict[str, str] | None) -> list[dict[str, str]]:
    """Names per language (``names``: lang -> name) as EveryPolitician writes other_names."""
    return [
        {"lang": lang, "name": name, "note": "multilingual"}
        for lang, name in sorted((names or {}).items())
        if name
    ]


def _with_other_names(item: dict[str, Any], other: list[dict[str, str]]) -> dict[str, Any]:
    if other:
        item["other_names"] = other
    return item


def _party(party: Party) -> dict[str, Any]:
    short = [{"name": party.short_name, "note": "short"}] if party.short_name else []
    item = {"id": _party_id(party), "name": party.name, "classification": "party"}
    return _with_other_names(item, _other_names(party.names) + short)


def _region(region: str) -> dict[str, Any]:
    item = {"id": _region_id(region), "name": region, "classification": "region"}
    return _with_other_names(item, _other_names(region_names(region)))


def _organization(body: Body) -> dict[str, Any]:
    org = {
        "id": _body_id(body),
        "name": body.name,
        "classification": "legislature",
        "slug": body.slug,
        "level": body.kind.code,
        "jurisdiction": body.jurisdiction,
        "seats": body.seats_total,
        "party_list_seats": body.seats_party_list,
    }
    if body.region:
        org["region"] = body.region
    return _with_other_names(org, _other_names(body.names))


def _area(district: District) -> dict[str, Any]:
    area = {
        "id": _area_id(district),
        "name": district.name,
        "identifier": str(district.number) if district.number is not None else district.code,
        "code": district.code,
        "classification": "constituency",
        "parent_id": _region_id(district.region),
        "registered_voters": district.registered_voters,
    }
    if district.voters_as_of:
        area["voters_as_of"] = district.voters_as_of.isoformat()
    return _with_other_names(area, _other_names(district.names))


def _post(district: District) -> dict[str, Any]:
    return {
        "id": _post_id(district),
        "label": f"Deputy for {district.name}",
        "role": "Deputy",
        "organization_id": _body_id(district.body),
        "area_id": _area_id(district),
    }


def _person(deputy: Deputy) -> dict[str, Any]:
    person: dict[str, Any] = {"id": _person_id(deputy), "name": deputy.full_name}
    _with_other_names(person, _other_names(deputy.names))
    if deputy.identifiers:
        person["identifiers"] = deputy.identifiers
    if deputy.birth_date:
        person["birth_date"] = deputy.birth_date
    return person


def _membership(deputy: Deputy) -> dict[str, Any]:
    membership: dict[str, Any] = {
        "person_id": _person_id(deputy),
        "organization_id": _body_id(deputy.body),
        "role": "member",
        "start_date": deputy.term_start.isoformat(),
    }
    if deputy.mandate_type != MandateType.PARTY_LIST and deputy.district is not None:
        membership["post_id"] = _post_id(deputy.district)
        membership["area_id"] = _area_id(deputy.district)
    if deputy.mandate_type == MandateType.MULTI_MEMBER:
        membership["mandate_type"] = deputy.mandate_type.value  # an area alone means single
    if deputy.party is not None:
        membership["on_behalf_of_id"] = _party_id(deputy.party)
    if deputy.term_end:
        membership["end_date"] = deputy.term_end.isoformat()
    if deputy.status != DeputyStatus.SERVING:
        membership["end_reason"] = deputy.status.value
    return membership


def popolo_export() -> dict[str, Any]:
    """Every body, district, party and deputy as one Popolo document (a plain dict)."""
    bodies = list(db.session.scalars(sa.select(Body).order_by(Body.slug)))
    districts = list(
        db.session.scalars(
            sa.select(District).join(District.body).order_by(Body.slug, District.number)
        )
    )
    parties = list(db.session.scalars(sa.select(Party).order_by(Party.name)))
    deputies = list(
        db.session.scalars(
            sa.select(Deputy).order_by(
                sa.func.coalesce(Deputy.external_id, sa.cast(Deputy.id, sa.String)), Deputy.id
            )
        )
    )
    regions = sorted({d.region for d in districts if d.region})
    return {
        "meta": {"spec": POPOLO_SPEC},
        "organizations": [_organization(b) for b in bodies] + [_party(p) for p in parties],
        "areas": [_region(r) for r in regions] + [_area(d) for d in districts],
        "posts": [_post(d) for d in districts],
        "persons": [_person(d) for d in deputies],
        "memberships": [_membership(d) for d in deputies],
    }
