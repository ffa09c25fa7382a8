"""Demo appeals (constituent petitions) in every state, through the real services.

The demo citizen writes them; the demo moderator publishes or rejects; signatures are made-up
IINs confirmed by their links. One appeal to the deputy with the demo deputy account reached its
threshold and was answered by that account; one to another deputy is overdue (its dates moved
into the past); one to the Karaganda Region Maslikhat as a whole has signatures in several
districts (the per-district table and chart).
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import sqlalchemy as sa

from recall.extensions import db
from recall.models import Deputy, District, MandateType, User
from recall.models.appeal import AppealSignature
from recall.models.base import utcnow
from recall.rules.iin import make_iin
from recall.services.appeals import lifecycle as appeals
from recall.services.appeals import signing as appeal_signing
from recall.services.appeals import terms
from recall.services.deputies import boundaries

TEXT = (
    "The road from the district centre to school No. 5 has had deep holes for three years. In "
    "spring and autumn children walk to school through mud, and the school bus does not run. "
    "Residents wrote to the akimat twice without an answer. (demo)"
)
ASK = "Include the repair of the road to school No. 5 in next year's budget and say when. (demo)"
DEMO_THRESHOLD = 5


def _user(result, role: str) -> User:
    email = result.accounts[role][0]
    return db.session.scalars(sa.select(User).where(User.email == email)).one()


def _sign(result, appeal, district_id: int, count: int, serial: int) -> int:
    """``count`` confirmed signatures from ``district_id``; returns the next serial."""
    from recall.demo.loader import DEMO_EMAIL_DOMAIN

    rng = result.rng
    for n in range(serial, serial + count):
        born = date(rng.randint(1950, 2004), rng.randint(1, 12), rng.randint(1, 28))
        appeal_signing.sign_appeal(
            appeal_id=appeal.id,
            full_name="Демо Подписант",
            iin=make_iin(born, rng.choice(("male", "female")), 7000 + n),
            email=f"appeal-signer-{n}@{DEMO_EMAIL_DOMAIN}",
            district_id=district_id,
            consent=True,
        )
    pending = db.session.scalars(
        sa.select(AppealSignature).where(
            AppealSignature.appeal_id == appeal.id, AppealSignature.confirmed_at.is_(None)
        )
    ).all()
    for signature in pending:
        appeal_signing.confirm_appeal_signature(appeal_signing.token_for(signature))
    return serial + count


def _draft(author, title: str, **addressee):
    return appeals.draft_appeal(author, title=title, text=TEXT, ask=ASK, **addressee)


def _published(author, moderator, title: str, **addressee):
    appeal = _draft(author, title, **addressee)
    appeals.submit_appeal(author, appeal.id)
    return appeals.publish_appeal(moderator, appeal.id)


def demo_boundaries(result) -> int:
    """Simple square outlines for every demo district (a grid per body, near Karaganda), imported
    through the same service as ``flask districts import-boundaries``."""
    features = []
    for body_index, body in enumerate((result.mazhilis, result.oblast, result.district_maslikhat)):
        numbers = db.session.scalars(
            sa.select(District.number).where(District.body_id == body.id).order_by(District.number)
        ).all()
        columns = max(1, math.ceil(math.sqrt(len(numbers))))
        for index, number in enumerate(numbers):
            west = 66.0 + body_index * 4.0 + (index % columns) * 0.6
            north = 51.0 - (index // columns) * 0.4
            ring = [
                [west, north],
                [west + 0.6, north],
                [west + 0.6, north - 0.4],
                [west, north - 0.4],
                [west, north],
            ]
            features.append(
                {
                    "type": "Feature",
                    "properties": {"body": body.slug, "number": number},
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                }
            )
    return boundaries.import_boundaries({"type": "FeatureCollection", "features": features}).updated


def demo_step(result) -> None:
    """Appeals in every state (``result.appeals`` by state name)."""
    from recall.demo.loader import deputy_with_account

    demo_boundaries(result)

    author, moderator, admin = (_user(result, r) for r in ("citizen", "moderator", "admin"))
    account = _user(result, "deputy")
    for body in (result.mazhilis, result.oblast):
        terms.set_body_terms(
            admin, body.id, open_months=6, response_days=30, threshold_count=DEMO_THRESHOLD
        )
    answering = deputy_with_account()
    others = db.session.scalars(
        sa.select(Deputy)
        .where(
            Deputy.body_id == result.mazhilis.id,
            Deputy.mandate_type == MandateType.SINGLE_MANDATE,
            Deputy.id != answering.id,
        )
        .order_by(Deputy.district_id)
        .limit(3)
    ).all()
    listed = db.session.scalars(
        sa.select(Deputy)
        .where(Deputy.body_id == result.mazhilis.id, Deputy.mandate_type == MandateType.PARTY_LIST)
        .order_by(Deputy.id)
        .limit(1)
    ).one()
    made = {}
    made["draft"] = _draft(
        author, "Open a library branch in the village (demo)", deputy_id=others[0].id
    )
    moderation = _draft(
        author, "Hold a meeting with voters every quarter (demo)", deputy_id=others[1].id
    )
    made["in_moderation"] = appeals.submit_appeal(author, moderation.id)
    rejected = _draft(
        author, "Repair the road to school No. 5, again (demo)", deputy_id=answering.id
    )
    appeals.submit_appeal(author, rejected.id)
    made["rejected"] = appeals.reject_appeal(
        moderator, rejected.id, "A duplicate: sign the published appeal on the same road instead."
    )
    serial = 0
    made["open"] = _published(
        author, moderator, "Vote against raising utility tariffs (demo)", deputy_id=listed.id
    )
    serial = _sign(result, made["open"], others[0].district_id, 2, serial)
    made["response_due"] = _published(
        author, moderator, "Light the street to the railway station (demo)", deputy_id=others[2].id
    )
    serial = _sign(result, made["response_due"], others[2].district_id, DEMO_THRESHOLD, serial)
    made["answered"] = _published(
        author, moderator, "Repair the road to school No. 5 (demo)", deputy_id=answering.id
    )
    serial = _sign(result, made["answered"], answering.district_id, DEMO_THRESHOLD, serial)
    serial = _sign(result, made["answered"], others[0].district_id, 2, serial)  # supporters
    appeals.respond_to_appeal(
        account,
        made["answered"].id,
        "Thank you. The repair is in the 2027 draft budget; works are planned for May to "
        "August, and I will report on them at a meeting in the district in June. (demo)",
    )
    overdue = _published(
        author, moderator, "Reopen the village clinic on Saturdays (demo)", deputy_id=others[1].id
    )
    serial = _sign(result, overdue, others[1].district_id, DEMO_THRESHOLD, serial)
    # As if the threshold had been reached 40 days ago: the answer was due 10 days ago.
    shift = timedelta(days=40)
    overdue.opens_at -= shift
    overdue.closes_at -= shift
    overdue.threshold_reached_at -= shift
    overdue.response_due_at -= shift
    db.session.flush()
    appeals.mark_overdue()
    made["overdue"] = overdue
    closed = _published(
        author, moderator, "Plant trees along the river embankment (demo)", deputy_id=others[0].id
    )
    closed.opens_at -= timedelta(days=200)
    closed.closes_at = utcnow() - timedelta(days=1)
    db.session.flush()
    appeals.close_due_appeals()
    made["closed"] = closed
    body_wide = _published(
        author,
        moderator,
        "Publish the maslikhat's budget hearings online (demo)",
        body_id=result.oblast.id,
    )
    districts = db.session.scalars(
        sa.select(District.id).where(District.body_id == result.oblast.id).order_by(District.number)
    ).all()
    for district_id, count in zip(districts[:4], (3, 2, 1, 1), strict=True):
        serial = _sign(result, body_wide, district_id, count, serial)
    made["body"] = body_wide
    result.appeals = made
