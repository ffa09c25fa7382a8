"""What is stored must not give an IIN back without IIN_HASH_KEY (issue 13).

The attack: read every column of every row the app stored about a voter (a signature taken on
the API, a voter-roll entry, a misuse report) and list the valid IINs consistent with it, as
someone with a copy of the database but not the key would. The birth date gives digits 1-6 and,
for a known century, the seventh up to sex; any stored string of digits (or a masked IIN such as
``••••••••1234``) fixes the tail. Stored rows once held the last four digits, which left two or
three candidates; now thousands remain, and only the keyed hash tells them apart.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import sqlalchemy as sa

from recall.extensions import db
from recall.rules.iin import check_digit, make_iin
from recall.services.verification import review
from tests.signing.conftest import payload, sign_url

BORN = date(1979, 10, 28)
TABLES = ("signatures", "voter_roll_entries", "misuse_reports")
ENOUGH = 1000  # fewer candidates than this and a few guesses against a list of voters find one
_TAIL = re.compile(r"^[^0-9]*([0-9]{1,6})$")  # "1234", "••••••••1234", "****5678"


def _birth_dates(row: dict) -> list[date]:
    return [v for v in row.values() if isinstance(v, date) and not isinstance(v, datetime)]


def _known_tails(row: dict) -> list[str]:
    tails = []
    for value in row.values():
        if isinstance(value, str) and (match := _TAIL.match(value.strip())):
            tails.append(match.group(1))
    return tails


def rebuild(row: dict, century_digits=(3, 4)) -> list[str]:
    """Every valid IIN consistent with ``row``; without a birth date, the attack gives up."""
    births = _birth_dates(row)
    if not births:
        return ["?" * 12] * 10**6  # nothing to start from: a million and more
    tails = _known_tails(row)
    found = []
    for born in births:
        for century_sex in century_digits:
            head = f"{born:%y%m%d}{century_sex}"
            for serial in range(10_000):
                first11 = f"{head}{serial:04d}"
                digit = check_digit(first11)
                if digit is None:
                    continue
                iin = f"{first11}{digit}"
                if all(iin.endswith(tail) for tail in tails):
                    found.append(iin)
    return found


def _stored_rows() -> dict[str, list[dict]]:
    db.session.expire_all()
    return {
        table: [dict(r._mapping) for r in db.session.execute(sa.text(f"SELECT * FROM {table}"))]
        for table in TABLES
    }


def test_the_attack_works_on_the_last_four_digits_the_rows_used_to_keep():
    """The control: birth date plus last four digits leave at most three IINs, the true one too."""
    iin = make_iin(BORN, "male", 386)
    candidates = rebuild({"birth_date": BORN, "iin_last4": iin[-4:]})
    assert iin in candidates and len(candidates) <= 3
    assert len(rebuild({"birth_date": BORN, "masked": "••••••••" + iin[-4:]})) <= 3


def test_no_stored_row_narrows_an_iin_to_fewer_than_a_thousand_candidates(
    app, client, make, tmp_path, collecting_petition
):
    petition = collecting_petition()
    signer = make.iin(BORN, "male", serial=386)
    voter = make.iin(BORN, "female", serial=4242)
    reporter = make.iin(BORN, "female", serial=777)
    signed = client.post(sign_url(petition), json=payload(petition, iin=signer))
    assert signed.status_code == 202
    make.load_roll(
        petition.body_id,
        tmp_path / "roll.csv",
        [make.roll_entry(voter, district_number=petition.district.number, born=BORN)],
    )
    review.report_misuse(petition.id, reporter, "reporter@example.org", "Not me.")
    db.session.commit()

    rows = _stored_rows()
    assert all(rows[table] for table in TABLES), rows  # one row of each was stored
    for table, table_rows in rows.items():
        for row in table_rows:
            for iin in (signer, voter, reporter):
                flat = " ".join(str(v) for k, v in row.items() if k != "iin_hash")
                assert iin not in flat and iin[6:] not in flat, (table, "the IIN's digits")
            candidates = rebuild(row)
            assert len(candidates) >= ENOUGH, (table, len(candidates), sorted(row))
