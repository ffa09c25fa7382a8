"""Reading deputies, districts and bodies for the public directory and the API."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from recall.extensions import db
from recall.models import Body, Deputy, DeputyStatus, District, MandateType, Party, Petition
from recall.rules.names import query_words
from recall.services.lookup import get_or_raise
from recall.services.pagination import MAX_ROW_ID, Page, paginate
from recall.services.petitions.states import ACTIVE_STATES


@dataclass(frozen=True)
class DeputyFilters:
    body_id: int | None = None
    region: str | None = None
    district_id: int | None = None
    party_id: int | None = None
    mandate_type: MandateType | None = None
    q: str | None = None


def _positive_int(value: str | None) -> int | None:
    try:
        number = int(value) if value is not None else None
    except ValueError:
        return None
    return number if number and number > 0 else None


def parse_filters(args: Mapping[str, str]) -> DeputyFilters:
    """Read directory filters from a query-string mapping; unknown values are ignored, not errors."""
    mandate = args.get("mandate_type")
    return DeputyFilters(
        body_id=_positive_int(args.get("body")),
        region=args.get("region") or None,
        district_id=_positive_int(args.get("district")),
        party_id=_positive_int(args.get("party")),
        mandate_type=MandateType(mandate) if mandate in {m.value for m in MandateType} else None,
        q=(args.get("q") or "").strip()[:100] or None,
    )


def list_deputies(
    filters: DeputyFilters, page: int | None = 1, per_page: int | None = 20
) -> Page[Deputy]:
    """Deputies matching ``filters``, ordered by body then name."""
    query = sa.select(Deputy).outerjoin(Deputy.district).join(Deputy.body)
    if any((i or 0) > MAX_ROW_ID for i in (filters.body_id, filters.district_id, filters.party_id)):
        query = query.where(sa.false())  # names no row (and would not fit the column's type)
    elif filters.body_id:
        query = query.where(Deputy.body_id == filters.body_id)
    if filters.region:
        # A list deputy has no district; the body's region stands in for maslikhats.
        query = query.where(
            sa.or_(District.region == filters.region, Body.region == filters.region)
        )
    if filters.district_id:
        query = query.where(Deputy.district_id == filters.district_id)
    if filters.party_id:
        query = query.where(Deputy.party_id == filters.party_id)
    if filters.mandate_type:
        query = query.where(Deputy.mandate_type == filters.mandate_type)
    if filters.q:
        # Any script, any case: every word of the query in one of the deputy's names (issue 11).
        words = query_words(filters.q)
        query = query.where(
            sa.and_(*(Deputy.search_key.contains(w) for w in words)) if words else sa.false()
        )
    query = query.order_by(Body.id, District.number.nulls_last(), Deputy.full_name, Deputy.id)
    return paginate(query, page, per_page)


def get_deputy(deputy_id: int) -> Deputy:
    deputy = get_or_raise(Deputy, deputy_id, _("No such deputy."))
    return deputy


def get_district(district_id: int) -> District:
    district = get_or_raise(District, district_id, _("No such district."))
    return district


@dataclass(frozen=True)
class DistrictOverview:
    """What the district page shows first: its serving deputy (deputies) and active petitions."""

    district: District
    deputies: list[Deputy]  # serving first, then the newest term first
    active_petitions: list[Petition]


def district_overview(district_id: int) -> DistrictOverview:
    """The district, its deputies (serving first) and its petitions not yet final (newest first).

    Raises ``NotFound`` for an unknown district."""
    district = get_district(district_id)
    deputies = sorted(
        district_deputies(district), key=lambda d: d.status != DeputyStatus.SERVING
    )  # stable: within each group the newest term stays first
    petitions = db.session.scalars(
        sa.select(Petition)
        .where(Petition.district_id == district.id, Petition.state.in_(ACTIVE_STATES))
        .order_by(Petition.created_at.desc(), Petition.id.desc())
    )
    return DistrictOverview(district, deputies, list(petitions))


def district_deputies(district: District) -> list[Deputy]:
    return list(
        db.session.scalars(
            sa.select(Deputy)
            .where(Deputy.district_id == district.id)
            .order_by(Deputy.term_start.desc())
        )
    )


def district_choices(filters: DeputyFilters) -> list[District]:
    """The districts the directory offers as a filter: those of the chosen body (or of the chosen
    district's body). Empty when neither is chosen: all districts of all bodies is no menu."""
    body_id = filters.body_id
    if body_id is None and filters.district_id:
        body_id = db.session.scalar(
            sa.select(District.body_id).where(District.id == filters.district_id)
        )
    if body_id is None:
        return []
    return list(
        db.session.scalars(
            sa.select(District).where(District.body_id == body_id).order_by(District.number)
        )
    )


def list_bodies() -> list[Body]:
    """Every body, in the order they were loaded."""
    return list(db.session.scalars(sa.select(Body).order_by(Body.id)))


def filter_choices() -> dict[str, list]:
    """Values for the directory's filter menus."""
    return {
        "bodies": list_bodies(),
        "parties": list(db.session.scalars(sa.select(Party).order_by(Party.name))),
        "regions": sorted(
            set(db.session.scalars(sa.select(District.region).distinct()))
            | {r for r in db.session.scalars(sa.select(Body.region).distinct()) if r}
        ),
    }
