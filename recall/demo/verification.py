"""Demo voter roll: the demo commissioner's body (the Mazhilis) gets a small active roll, so the
commission pages have something real to check.

The roll holds the voters who signed the demo petitions (matched through the same keyed IIN hash:
the IINs themselves were never stored) plus a few neighbours, crafted so that running the checks
shows every kind of outcome: most signers valid, one not on the roll, one registered in another
district, one whose name is spelled differently on the roll (manual review). It is a *partial*
roll: activating it does not recount the districts, which keep their official 2023 numbers.
The checks are not run here (the commissioner runs them, or the periodic task once a petition
has closed), so the demo petitions stay in their states.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from recall.extensions import db
from recall.models import Signature, SignatureStatus, User
from recall.models.base import utcnow
from recall.models.body import District
from recall.models.verification import ImportStatus, VoterRollEntry
from recall.rules.iin import make_iin
from recall.services.audit import append_audit
from recall.services.iin_hash import hash_iin
from recall.services.verification.roll_activation import activate
from recall.services.verification.voter_roll import create_import

NEIGHBOURS = 12  # voters on the roll who did not sign, per demo district
STREETS = ("Abay", "Dostyk", "Kabanbay Batyr", "Tole Bi", "Satpayev", "Zhibek Zholy", "Respublika")


def demo_step(result) -> None:
    """Load the demo roll for the Mazhilis districts of the demo petitions (skipped without them)."""
    commissioner_email = result.accounts.get("commissioner", (None,))[0]
    commissioner = commissioner_email and db.session.scalar(
        sa.select(User).where(User.email == commissioner_email)
    )
    petitions = [
        p
        for p in result.petitions.values()
        if result.mazhilis is not None and p.body_id == result.mazhilis.id
    ]
    if not commissioner or not petitions or not commissioner.is_commissioner_of(result.mazhilis.id):
        return
    rng = result.rng
    numbers = {p.id: p.district.number for p in petitions}
    spare = db.session.scalar(
        sa.select(District.number)
        .where(
            District.body_id == result.mazhilis.id, District.number.notin_(set(numbers.values()))
        )
        .order_by(District.number)
    )
    imp = create_import(commissioner, result.mazhilis.id, utcnow().date(), "demo-roll.csv")
    rows: list[dict] = []
    seen: set[str] = set()
    signers = db.session.execute(
        sa.select(
            Signature.petition_id,
            Signature.iin_hash,
            Signature.full_name,
            Signature.birth_date,
        )
        .where(Signature.petition_id.in_(numbers), Signature.status != SignatureStatus.EXPIRED)
        .order_by(Signature.petition_id, Signature.id)
    ).all()
    for index, (petition_id, iin_hash, name, born) in enumerate(signers):
        if iin_hash in seen or index % 11 == 4:  # every 11th signer is not on the roll
            continue
        seen.add(iin_hash)
        district = numbers[petition_id]
        if index % 11 == 7 and spare is not None:
            district = spare  # registered in another district
        if index % 11 == 9:
            name = " ".join(
                reversed(name.split())
            )  # the roll lists family and given name the other way
        rows.append(
            _row(
                imp.id,
                len(rows) + 2,
                iin_hash,
                name,
                district,
                born or date(1980, 1, 1),
                rng,
            )
        )
    for district in sorted(set(numbers.values())):
        for serial in range(NEIGHBOURS):
            born = date(rng.randint(1950, 2005), rng.randint(1, 12), rng.randint(1, 28))
            iin = make_iin(born, rng.choice(("male", "female")), 9000 + district * 20 + serial)
            if hash_iin(iin) in seen:
                continue
            seen.add(hash_iin(iin))
            rows.append(
                _row(
                    imp.id,
                    len(rows) + 2,
                    hash_iin(iin),
                    f"Neighbour {district}-{serial} (demo)",
                    district,
                    born,
                    rng,
                )
            )
    db.session.execute(sa.insert(VoterRollEntry), rows)
    imp.rows_read = imp.rows_loaded = len(rows)
    imp.finished_at = utcnow()
    imp.mode = "partial"  # the demo petitions' districts only
    activate(imp, recount=False)
    append_audit(
        "voter_roll.import",
        commissioner.id,
        "voter_roll_import",
        imp.id,
        imp.body_id,
        {
            "as_of": imp.as_of.isoformat(),
            "status": ImportStatus.ACTIVE.value,
            "rows_loaded": len(rows),
            "rows_skipped": 0,
            "demo": True,
        },
    )
    db.session.flush()


def _row(
    import_id: int, line: int, iin_hash: str, name: str, district: int, born: date, rng
) -> dict:
    return {
        "import_id": import_id,
        "line_number": line,
        "iin_hash": iin_hash,
        "full_name": name,
        "district_number": district,
        "birth_date": born,
        "address": f"{rng.choice(STREETS)} street {rng.randint(1, 200)}, apt {rng.randint(1, 120)}",
    }
