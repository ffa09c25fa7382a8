"""Demo signatures: online ones on the collecting petition (some confirmed, some still pending) and
paper ones, entered by the demo commissioner over several days, on the closed petition.

Every IIN is made up with ``recall.rules.iin.make_iin`` (valid check digit, adult birth date).
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from recall.extensions import db
from recall.models import User
from recall.models.base import utcnow
from recall.rules.iin import make_iin
from recall.services.signing import counting, identity, paper, receipts
from recall.services.signing import online as signing

GIVEN = (
    "Әлия",
    "Нұрлан",
    "Дана",
    "Ерлан",
    "Айгерім",
    "Марат",
    "Сәуле",
    "Дәулет",
    "Жанар",
    "Асқар",
    "Гүлнара",
    "Тимур",
    "Мадина",
    "Бауыржан",
    "Әсел",
    "Руслан",
)
FAMILY = (
    "Ахметов",
    "Омарова",
    "Сүлейменов",
    "Жақыпова",
    "Беков",
    "Нұрпейісова",
    "Каримов",
    "Төлегенова",
    "Әбенов",
    "Сейтқали",
    "Исмаилова",
    "Мұқанов",
)
ONLINE_CONFIRMED, ONLINE_PENDING, PAPER_LINES = 18, 7, 12


def _iin(rng, serial: int) -> str:
    born = date(rng.randint(1950, 2004), rng.randint(1, 12), rng.randint(1, 28))
    return make_iin(born, rng.choice(("male", "female")), serial)


def _name(rng) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}"


def demo_step(result) -> None:
    """Sign ``result.petitions["collecting"]`` online and file paper signatures on ``["closed"]``."""
    from recall.demo.loader import DEMO_EMAIL_DOMAIN

    rng = result.rng
    collecting = result.petitions.get("collecting")
    if collecting is not None:
        confirmer = identity.EmailLinkConfirmation()
        for n in range(ONLINE_CONFIRMED + ONLINE_PENDING):
            receipt = signing.sign_petition(
                petition_id=collecting.id,
                full_name=_name(rng),
                iin=_iin(rng, n),
                email=f"signer-{n}@{DEMO_EMAIL_DOMAIN}",
                district_id=collecting.district_id,
                consent=True,
            ).receipt
            if n < ONLINE_CONFIRMED:
                signature = receipts.find_by_receipt(receipt)
                if signature is not None:  # None only if a made-up IIN repeated (a decoy receipt)
                    signing.confirm_identity(
                        signature.id, confirmer.token_for(signature), provider=confirmer
                    )
    closed = result.petitions.get("closed")
    commissioner_email = result.accounts.get("commissioner", (None,))[0]
    commissioner = commissioner_email and db.session.scalar(
        sa.select(User).where(User.email == commissioner_email)
    )
    if closed is not None and commissioner and commissioner.is_commissioner_of(closed.body_id):
        first = counting.local_day(closed.opens_at)
        last = min(counting.local_day(closed.closes_at), counting.local_day(utcnow()))
        days = max((last - first).days, 0)
        lines = [
            paper.PaperLine(
                row=n + 1,
                sheet=n // 6 + 1,
                line=n % 6 + 1,
                full_name=_name(rng),
                iin=_iin(rng, 5000 + n),
                district_number=closed.district.number,
                signed_on=first + timedelta(days=rng.randint(0, days)),
            )
            for n in range(PAPER_LINES)
        ]
        paper.add_paper_signatures(commissioner, closed.id, lines)
