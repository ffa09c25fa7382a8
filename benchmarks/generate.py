"""A reproducible synthetic country for benchmarks: a body, districts, a voter roll, signatures.

Everything follows from a seed. Voter ``i`` of a :class:`Country` is a pure function of
``(seed, i)`` (its IIN, name, district, birth date), so a roll of any size streams to disk in
constant memory and the signatures pick voters by index without keeping the roll in memory::

    country = Country(seed=7, voters=1_000_000, minors=0.01)
    country.write_roll("roll.csv", invalid_rows=10)      # the CSV `flask voters import` reads
    with app.app_context():
        world = country.create_world()                   # body, districts, deputy, petition
        expected = country.load_signatures(world, 100_000, Mix())   # straight into the database
        db.session.commit()

IINs are valid (``recall.rules.iin``) and unique: voter ``i`` is born on day ``(i * P) mod D``
of its birth range (P a prime larger than D, so a block of D voters covers every day once) with
serials ``10k .. 10k+9`` for ``k = i // D`` (the first one with a check digit). Voters at indices
``>= voters`` are valid IINs that are not on the roll (the "not registered" signers).

Command line (writes a roll CSV; signatures need a database, see ``benchmarks/checks.py``)::

    .venv/bin/python benchmarks/generate.py roll.csv --voters 100000 --seed 1 [--minors 0.01]
        [--invalid-rows 5] [--districts 29] [--home-share 0.4]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from recall.rules.iin import check_digit  # noqa: E402

ADULTS_FROM = date(1940, 1, 1)
ADULT_DAYS = (date(2007, 12, 31) - ADULTS_FROM).days + 1  # 18 or older in March 2026
MINORS_FROM = date(2008, 6, 1)
MINOR_DAYS = (date(2012, 5, 31) - MINORS_FROM).days + 1  # under 18 all through 2026
_PRIME = 1_000_003  # larger than both ranges: i -> (i * P) mod D is a bijection on a block of D
OPENS = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
CLOSES = datetime(2026, 3, 31, 18, 0, tzinfo=UTC)
FIRST = (
    "Aigerim",
    "Marat",
    "Dana",
    "Yerlan",
    "Saule",
    "Nurlan",
    "Aliya",
    "Timur",
    "Zhanar",
    "Ruslan",
)
LAST = (
    "Bekova",
    "Omarov",
    "Seitkali",
    "Ivanova",
    "Nurpeisov",
    "Kim",
    "Abenova",
    "Petrov",
    "Ёлкина",
)
_MASK = (1 << 64) - 1


def _mix(x: int) -> int:
    """splitmix64: a cheap, well-spread hash of a 64-bit integer."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


@dataclass(frozen=True)
class Voter:
    index: int
    iin: str
    full_name: str
    district_number: int
    birth_date: date
    minor: bool


@dataclass(frozen=True)
class Mix:
    """Shares of the signatures by intended verdict (the rest are valid)."""

    other_district: float = 0.05
    not_registered: float = 0.05
    duplicate: float = 0.03  # a second (paper) signature of a valid signer; half signed earlier
    under_age: float = 0.01  # needs Country(minors > 0)
    name_mismatch: float = 0.01  # a valid voter signing with another name (-> review)


@dataclass
class World:
    body_id: int
    district_ids: dict[int, int]
    petition_id: int
    home_district: int


@dataclass
class Country:
    """A synthetic country: ``voters`` on the roll, ``districts`` districts numbered 1..n.

    ``home_share`` of the voters live in district ``home_district`` (the petition's; a Mazhilis
    district holds about 400,000 of a region's voters), the rest spread evenly. ``minors`` is the
    share of persons under 18 in the roll file (the importer leaves them out: their signatures are
    ``not_registered``).
    """

    seed: int = 1
    voters: int = 10_000
    districts: int = 29
    home_district: int = 1
    home_share: float = 0.4
    minors: float = 0.0

    def __post_init__(self) -> None:
        self._key = _mix(self.seed)

    # ------------------------------------------------------------ voters

    def voter(self, i: int) -> Voter:
        """Voter ``i`` (a pure function of the seed and ``i``); ``i >= voters`` is not on the roll."""
        h = _mix(self._key ^ i)
        minor = (h & 0xFFFF) < self.minors * 0x10000 and i // MINOR_DAYS < 1000
        start, days = (MINORS_FROM, MINOR_DAYS) if minor else (ADULTS_FROM, ADULT_DAYS)
        born = start + timedelta(days=(i * _PRIME) % days)
        k = i // days
        if k >= 1000:
            raise ValueError("too many voters for the generator's serial space (24 million)")
        male = bool((h >> 16) & 1)
        century = 3 if born.year < 2000 else 5
        head = f"{born:%y%m%d}{century + (0 if male else 1)}"
        for j in range(10):
            first11 = f"{head}{k * 10 + j:04d}"
            digit = check_digit(first11)
            if digit is not None:
                break
        else:  # pragma: no cover - ten unissuable serials in a row do not occur
            raise AssertionError(first11)
        u = ((h >> 20) & 0xFFFFFF) / 0x1000000
        if u < self.home_share or self.districts == 1:
            number = self.home_district
        else:
            others = [n for n in range(1, self.districts + 1) if n != self.home_district]
            number = others[(h >> 44) % len(others)]
        name = f"{FIRST[(h >> 48) % len(FIRST)]} {LAST[(h >> 56) % len(LAST)]} {i}"
        return Voter(i, f"{first11}{digit}", name, number, born, minor)

    def write_roll(self, path: str | Path, *, invalid_rows: int = 0) -> int:
        """Write the roll as CSV (``iin,full_name,district_number,address``); returns data lines.

        ``invalid_rows`` rows with a wrong check digit are spread through the file (import them
        with ``--skip-invalid``).
        """
        every = self.voters // invalid_rows if invalid_rows else 0
        written = 0
        with open(path, "w", encoding="utf-8", newline="") as handle:
            out = csv.writer(handle, lineterminator="\n")
            out.writerow(("iin", "full_name", "district_number", "address"))
            for i in range(self.voters):
                v = self.voter(i)
                out.writerow((v.iin, v.full_name, v.district_number, f"Street {i % 500}, {i}"))
                written += 1
                if every and i % every == every - 1 and written - i - 1 < invalid_rows:
                    bad = v.iin[:11] + str((int(v.iin[11]) + 1) % 10)
                    out.writerow((bad, "Broken Row", v.district_number, "Nowhere"))
                    written += 1
        return written

    # ------------------------------------------------------------ database

    def create_world(self, *, slug: str | None = None) -> World:
        """A body with the districts, a deputy of the home district and a closed petition. Flushes."""
        from recall.extensions import db
        from recall.models import (
            Body,
            BodyLevel,
            Deputy,
            DeputyStatus,
            District,
            MandateType,
            Petition,
            PetitionState,
            RecallRuleVersion,
            User,
        )
        from recall.rules.rule_presets import PRESETS
        from recall.services.deputies.body_kinds import get_kind

        tag = slug or f"gen-{self.seed}"
        body = Body(
            slug=tag,
            name=f"Body {tag}",
            kind=get_kind(BodyLevel.MAZHILIS),
            seats_total=98,
            seats_party_list=69,
        )
        db.session.add(body)
        db.session.flush()
        districts = {}
        for n in range(1, self.districts + 1):
            d = District(body_id=body.id, number=n, name=f"District {n}", region="Generated")
            db.session.add(d)
            db.session.flush()
            districts[n] = d.id
        home = db.session.get(District, districts[self.home_district])
        deputy = Deputy(
            full_name=f"Deputy {tag}",
            body=body,
            mandate_type=MandateType.SINGLE_MANDATE,
            district=home,
            term_start=date(2023, 3, 29),
            term_end=date(2028, 3, 28),
            status=DeputyStatus.SERVING,
            external_id=tag,
        )
        initiator = User(
            email=f"{tag}@example.org", display_name=tag, locale="en", password_hash="!"
        )
        data = PRESETS["kz_mazhilis_single_mandate"].to_dict()
        rule = RecallRuleVersion(key=tag, version=1, name=data["name"], data=data)
        db.session.add_all([deputy, initiator, rule])
        db.session.flush()
        petition = Petition(
            deputy_id=deputy.id,
            district_id=home.id,
            body_id=body.id,
            rule_version_id=rule.id,
            state=PetitionState.CLOSED,
            grounds="Generated",
            initiator_id=initiator.id,
            opens_at=OPENS,
            closes_at=CLOSES,
            registered_voters=self.voters,
            required_signatures=max(1, self.voters // 10),
            confirmed_count=0,
            closed_at=CLOSES,
        )
        db.session.add(petition)
        db.session.flush()
        return World(body.id, districts, petition.id, self.home_district)

    def pick_signers(self, n: int, mix: Mix) -> list[tuple[str, Voter]]:
        """``n`` (intended verdict, voter) pairs, in signing order; duplicates come later."""
        quota = {
            "other_district": round(n * mix.other_district),
            "not_registered": round(n * mix.not_registered),
            "under_age": round(n * mix.under_age) if self.minors else 0,
            "name_mismatch": round(n * mix.name_mismatch),
        }
        dups = round(n * mix.duplicate)
        quota["valid"] = n - sum(quota.values()) - dups
        if quota["valid"] < dups:
            raise ValueError("too few valid signatures for the duplicates asked")
        picked: dict[str, list[Voter]] = {k: [] for k in quota}
        need = {k: v for k, v in quota.items() if k != "not_registered"}
        for i in range(self.voters):
            if not any(need.values()):
                break
            v = self.voter(i)
            home = v.district_number == self.home_district
            if v.minor and not home:
                # The importer leaves minors off the roll, so this signer would be
                # ``not_registered``, not ``other_district``: never meant as either.
                continue
            if not home:
                kind = "other_district"
            elif v.minor:
                kind = "under_age"
            else:
                kind = "valid" if need["valid"] else "name_mismatch"
            if need.get(kind):
                picked[kind].append(v)
                need[kind] -= 1
        if any(need.values()):
            raise ValueError(f"the roll is too small for these signatures: missing {need}")
        picked["not_registered"] = [
            self.voter(self.voters + j) for j in range(quota["not_registered"])
        ]
        rows = [(kind, v) for kind, voters in picked.items() for v in voters]
        # Interleave the kinds deterministically.
        rows.sort(key=lambda row: _mix(self._key ^ (row[1].index * 31 + len(row[0]))))
        valid = [v for kind, v in rows if kind == "valid"]
        rows += [("duplicate", valid[j * len(valid) // max(dups, 1)]) for j in range(dups)]
        return rows

    def load_signatures(self, world: World, n: int, mix: Mix | None = None) -> dict[str, int]:
        """Insert ``n`` confirmed signatures of the world's petition straight into the database.

        Duplicates are paper signatures of a valid signer recorded as duplicates of the online
        one (``duplicate_of_id``); half of them were signed earlier, so the checks must swap
        which one is kept. Recounts the petition. Returns the expected verdicts by reason code
        (``valid`` for valid ones). Flushes; PostgreSQL loads through COPY.
        """
        from recall.extensions import db
        from recall.models import Signature
        from recall.services.iin_hash import hash_iin
        from recall.services.signing import counting

        mix = mix or Mix()
        table = Signature.__table__
        start = (db.session.scalar(db.select(db.func.max(Signature.id))) or 0) + 1
        district_id = world.district_ids[world.home_district]
        span = int((CLOSES - OPENS).total_seconds()) - 3600
        first_id: dict[str, int] = {}
        rows = []
        for seq, (kind, v) in enumerate(self.pick_signers(n, mix)):
            sid = start + seq
            h = _mix(self._key ^ (v.index + (1 << 40) * (kind == "duplicate")))
            at = OPENS + timedelta(seconds=h % span)
            digest = hash_iin(v.iin)
            name = v.full_name + (" Other" if kind == "name_mismatch" else "")
            paper = kind == "duplicate"
            duplicate_of = first_id[digest] if paper else None
            first_id.setdefault(digest, sid)
            rows.append(
                {
                    "id": sid,
                    "petition_id": world.petition_id,
                    "iin_hash": digest,
                    "birth_date": v.birth_date,
                    "full_name": name,
                    "email": f"s{sid}@example.org",
                    "district_id": district_id,
                    "source": "paper" if paper else "online",
                    "paper_sheet": seq // 20 + 1 if paper else None,
                    "paper_line": seq % 20 + 1 if paper else None,
                    "status": "confirmed",
                    "confirmed_at": at,
                    "receipt_hash": hashlib.sha256(
                        f"{self.seed}:{world.petition_id}:{sid}".encode()
                    ).hexdigest(),
                    # Reproducible from the seed like the rest (the app draws it at random).
                    "confirm_nonce": hashlib.md5(f"{self.seed}:{sid}".encode()).hexdigest(),
                    "email_count": 1,
                    "check_status": "unchecked",
                    "duplicate_of_id": duplicate_of,
                    "created_at": at,
                    "_kind": kind,
                    "_earlier": bool((h >> 8) & 1),
                }
            )
        # Half the paper copies were signed before the online one: those are the ones kept (the
        # checks swap the duplicate link); either way one of the pair is valid, one a duplicate.
        by_id = {row["id"]: row for row in rows}
        for row in rows:
            if row["_kind"] == "duplicate" and row["_earlier"]:
                original = by_id[row["duplicate_of_id"]]
                row["created_at"] = row["confirmed_at"] = original["created_at"] - timedelta(
                    minutes=1
                )
        expected: dict[str, int] = {}
        for row in rows:
            # A roll leaves out persons under 18 on its date: a minor who signs is not on it.
            kind = "not_registered" if row["_kind"] == "under_age" else row["_kind"]
            expected[kind] = expected.get(kind, 0) + 1
        columns = [c for c in rows[0] if not c.startswith("_")] if rows else []
        if rows and db.session.get_bind().dialect.name == "postgresql":
            cursor = db.session.connection().connection.dbapi_connection.cursor()
            with cursor.copy(f"COPY signatures ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[c] for c in columns])
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('signatures', 'id'), "
                "(SELECT max(id) FROM signatures))"
            )
        elif rows:
            for at in range(0, len(rows), 5000):
                chunk = [{c: row[c] for c in columns} for row in rows[at : at + 5000]]
                db.session.execute(table.insert(), chunk)
        counting.recount(world.petition_id)
        db.session.flush()
        return expected


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", help="where to write the roll CSV")
    parser.add_argument("--voters", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--districts", type=int, default=29)
    parser.add_argument("--home-share", type=float, default=0.4)
    parser.add_argument("--minors", type=float, default=0.0)
    parser.add_argument("--invalid-rows", type=int, default=0)
    args = parser.parse_args(argv)
    country = Country(
        seed=args.seed,
        voters=args.voters,
        districts=args.districts,
        home_share=args.home_share,
        minors=args.minors,
    )
    lines = country.write_roll(args.path, invalid_rows=args.invalid_rows)
    print(f"{lines:,} rows written to {args.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
