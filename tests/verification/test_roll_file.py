"""The fast roll reader (plain lines matched in blocks, PostgreSQL imports) against the reference
reader (the csv module and the row validator, line by line): the same entries, byte for byte as
COPY text, and the same errors in the same order, whatever the lines look like."""

from __future__ import annotations

import io
from datetime import date

from recall.services.verification import roll_file
from recall.services.verification.roll_loader import copy_lines
from recall.services.verification.voter_roll import latest_minor_birth
from tests import factories

AS_OF = date(2026, 2, 1)
IMPORT_ID = 7


_NUMBERED = roll_file.DistrictKeys(frozenset({1, 2, 3}), {"1": 1, "2": 2, "3": 3}, {})


def _read(
    content: bytes, fast: bool, block_lines: int = 4, districts=None
) -> tuple[list[str], list[str], bool]:
    """(COPY lines of the loaded rows, sorted; errors in the order noted; whether a Block came)."""
    validate = roll_file._Validator(AS_OF, districts or _NUMBERED)
    minor_after = latest_minor_birth(AS_OF)
    seen = roll_file.SeenHashes()
    plain = roll_file.PlainRows(validate, IMPORT_ID, minor_after, seen) if fast else None
    copied, errors, blocks = [], [], False
    items = roll_file.records(io.BytesIO(content), lambda n: None, validate, plain, block_lines)
    for item in items:
        if isinstance(item, roll_file.Block):
            blocks = True
            copied += item.text.splitlines(keepends=True)
            continue
        line, cells, problem = item
        if cells is None:
            errors.append(str(roll_file._shape_error(line, problem)))
            continue
        entry, error = validate(line, cells)
        if error is not None:
            errors.append(str(error))
        else:
            copied.append(copy_lines(IMPORT_ID, [entry]))
    return sorted(copied), errors, blocks


def _same(content: bytes, block_lines: int = 4, districts=None) -> tuple[list[str], list[str]]:
    fast = _read(content, True, block_lines, districts)
    reference = _read(content, False, districts=districts)
    assert fast[:2] == reference[:2]
    assert fast[2], "the fast reader matched no block of plain lines"
    return reference[:2]


def _iins(n: int, year: int = 1970) -> list[str]:
    return [factories.iin(date(year + i % 30, 1 + i % 12, 1 + i % 28)) for i in range(n)]


def test_plain_and_odd_lines_give_what_the_reference_gives(app):
    a = _iins(40)
    bad_sum = a[1][:11] + str((int(a[1][11]) + 1) % 10)
    minor = factories.iin(date(2010, 5, 5))
    future = factories.iin(date(2026, 5, 1))
    lines = [
        "iin,full_name,district_number,address",
        f'{a[0]},Voter 0,1,"Street 0, 0"',  # plain, quoted address with a comma
        f'"{a[2]}","Voter 2","2","Street 2"',  # every cell quoted
        f"{a[3]},Voter 3,1,Street 3\r",  # CRLF
        f"{bad_sum},Bad Sum,1,Street",  # plain shape, bad checksum: the reference's message
        f"{a[4]},Voter 4,01,Street 4",  # district 01: not plain, still district 1
        f"{a[5]},Voter 5,9,Street 5",  # not UTF-8 (below), and no district 9
        f"{a[6]},Voter  6,1,Street 6",  # two spaces: normalised by the reference
        f"{a[7]},Voter\u00a07,1, Street 7 ",  # a no-break space, padding
        f"{a[8]},{'N' * 201},1,Street 8",  # name too long
        f"{a[9]},Voter 9,1,{'A' * 500}",  # address just long enough
        f"{a[10]},Back\\slash,2,Street 10",  # a backslash: COPY escapes it
        f"{minor},Young,1,Street",  # a minor: loaded here, left out later in SQL
        f"{future},Unborn,1,Street",  # born after the as-of date
        "",  # blank
        " , , , ",  # blank cells
        f"{a[11]},Voter 11,1",  # three columns
        f"{a[12]},Voter\x0012,1,Street",  # NUL
        f"{a[13]},,1,Street 13",  # empty name
        f"{a[14]},Voter 14,one,Street 14",  # not a number
        f" {a[15]},Voter 15,2,Street 15",  # a padded IIN is still read
        f"{a[0]},Again,1,Street",  # repeated IIN: found later in SQL, loaded here
        f"{a[16]},Омар Ж.,2,Улица 16",  # not ASCII, plain
        f"{a[17]},Voter 17,2,Street\t17",  # a tab inside
    ]
    content = "\n".join(lines).encode("utf-8") + b"\n"
    content = content.replace(b"Street 5", b"Str\xe9et 5")  # not UTF-8
    copied, errors = _same(content)
    assert len(copied) == 13 and len(errors) == 8, (copied, errors)
    assert [e.split(":")[0] for e in errors][:3] == ["line 5", "line 7", "line 10"]


def test_a_quoted_line_break_hands_the_rest_of_the_file_to_the_reference(app):
    """From a line the csv module may read across line breaks on, the line numbers are the csv
    module's, and the plain lines after it are still checked the same way."""
    a = _iins(20)
    lines = ["iin,full_name,district_number,address"]
    lines += [f"{a[i]},Voter {i},1,Street {i}" for i in range(6)]
    lines.append(f'{a[6]},"Two\nLines",1,Street 6')  # one record over lines 8-9, numbered 9 by csv
    lines.append(f'{a[7]},Voter 7,one,"Street 7"')  # an error after it: line 10
    lines += [f"{a[i]},Voter {i},2,Street {i}" for i in range(8, 12)]
    lines.append(f"{a[12]},Lone\rreturn,1,Street")  # a carriage return inside: csv ends a line
    copied, errors = _same(("\n".join(lines) + "\n").encode("utf-8"))
    assert errors[0] == "line 10: district_number: Not a whole number."
    assert len(copied) == 11 and [line.split("\t")[1] for line in copied].count("9") == 1


def test_other_headers_and_removal_reasons(app):
    a = _iins(12, 1950)
    lines = [
        "\ufeffAddress,Note,Name,IIN,District,Removal",  # a BOM, another order, aliases, extra
        f"Street 0,,Voter 0,{a[0]},1,",
        f'"Street 1","a note, quoted",Voter 1,{a[1]},2,deceased',
        f"Street 2,x,Voter 2,{a[2]},1,DECEASED",  # upper case: read by the reference
        f'Street 3,x,Voter 3,{a[3]},1,"moved"',
        f"Street 4,x,Voter 4,{a[4]},1,gone",  # unknown reason
        f'Street 5,x,Voter 5,{a[5]},1,""',
        f"Street 6,x,Voter 6,{a[6]},3,other",
    ]
    copied, errors = _same(("\n".join(lines) + "\n").encode("utf-8"), block_lines=3)
    assert len(copied) == 6 and len(errors) == 1 and errors[0].startswith("line 6: removal_reason")
    assert sum(line.endswith("\tdeceased\n") for line in copied) == 2


def test_a_quoted_header_is_read_by_the_reference(app):
    iin = factories.iin(date(1960, 1, 1))
    content = f'"iin","full_name","district_number","address"\n{iin},A B,1,C\n'.encode()
    copied, errors = _read(content, True)[:2]
    assert (copied, errors) == _read(content, False)[:2] and len(copied) == 1


def test_districts_named_by_code(app):
    """Codes as written (no padding, case kept), quoted or not; an unknown or empty code is the
    reference's error."""
    a = _iins(6, 1960)
    codes = roll_file.DistrictKeys(frozenset({1}), {"1": 1}, {"E14000530": -5, "1": 1})
    lines = [
        "iin,full_name,district_code,address",
        f"{a[0]},Voter 0,E14000530,Street 0",
        f'{a[1]},Voter 1,"E14000530",Street 1',
        f"{a[2]},Voter 2,e14000530,Street 2",  # not this code
        f"{a[3]},Voter 3, E14000530 ,Street 3",  # padded: the reference strips it
        f"{a[4]},Voter 4,,Street 4",
        f"{a[5]},Voter 5,1,Street 5",
    ]
    copied, errors = _same(("\n".join(lines) + "\n").encode("utf-8"), districts=codes)
    assert [line.split("\t")[4] for line in copied] == ["-5", "-5", "-5", "1"]
    assert [e.split(": ")[:2] for e in errors] == [
        ["line 4", "district_code"],
        ["line 6", "district_code"],
    ]


def test_seen_hashes_name_every_repeat_in_fixed_memory():
    """A repeated hash is always a candidate (a first one only when its bits collide); past the
    limit the candidates are given up and the import's SQL groups every row instead."""
    seen = roll_file.SeenHashes()
    hashes = [f"{i:064x}" for i in range(5000)]
    for h in hashes + hashes[:10]:
        seen.add(h)
    assert set(hashes[:10]) <= seen.candidates and len(seen.candidates) < 100
    for i in range(seen.MAX_CANDIDATES + 1):
        seen.candidate(f"{i:064x}")
    assert seen.candidates is None and len(seen.bits) == 1 << 24
