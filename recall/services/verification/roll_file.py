"""Reading a voter-roll CSV: its header, each line's shape, each row's checks (the import,
``recall.services.verification.voter_roll``, loads what this module reads).

Two readers give the same rows, errors and line numbers:

* the reference, :func:`_rows`: Python's ``csv`` module, then every row through
  :class:`_Validator` (``parse_iin``, ``int``, the whitespace rules). SQLite imports use it.
* :func:`records` with a :class:`PlainRows` (PostgreSQL): nearly every line of a real roll is
  *plain* (an IIN of 12 digits, a name and an address with single spaces and no quote, comma
  or backslash inside, a district written as digits; each cell quoted or not). A block of
  lines is matched by one regular expression built from the header, and each plain row is
  checked and turned into a COPY text line in one tight loop, with no per-cell stripping,
  splitting or escaping (a plain cell needs none). This halves the Python time per row, which
  was most of a million-row import's CPU. A plain row that fails a fast check (a bad IIN, a
  district written ``01``, a name too long) goes to :class:`_Validator`, so its message is the
  reference's word for word. Any other line goes to the reference reader: alone when it can
  only be one record (no quote, no lone carriage return), else from that line to the end of
  the file, since a quoted field may hold a line break and only the ``csv`` module decides
  where such a record ends.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice
from operator import itemgetter, mul
from typing import BinaryIO

from flask_babel import gettext as _

from recall.errors import Invalid
from recall.rules.iin import InvalidIIN, check_digit, parse_iin
from recall.services.iin_hash import iin_hasher

COLUMNS = ("iin", "full_name", "district_number", "address")
# A file names each line's district by exactly one of these columns, the same for the whole file:
# its number (Kazakh districts) or its code as the source names it (``E14000530``; every district
# has one, and a numbered district's code is its number unless its source gave another). One
# column per file, not per line: a line is never ambiguous between a number and a code, and the
# hot loop does one dictionary lookup per line whichever it is.
DISTRICT_COLUMNS = ("district_number", "district_code")
# Optional: why a line was removed from the roll (empty for a voter). A removed line is loaded
# (hashed) but is not a voter: a signature with its IIN is rejected, ``deceased`` by that name.
REMOVAL_COLUMN = "removal_reason"
REMOVAL_REASONS = ("deceased", "moved", "incapacitated", "other")
_ALIASES = {
    "name": "full_name",
    "fullname": "full_name",
    "district": "district_number",
    "code": "district_code",
    "iin_number": "iin",
    "removal": "removal_reason",
    "removed": "removal_reason",
}
NULL = "\\N"  # COPY text format's NULL
MAX_NAME, MAX_ADDRESS = 200, 500
BLOCK_LINES = 5000  # lines matched at once by the fast reader


@dataclass
class RowError:
    line: int
    field: str
    reason: str

    def as_dict(self) -> dict:
        return {"line": self.line, "field": self.field, "reason": self.reason}

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.reason}"


@dataclass(frozen=True)
class Block:
    """Rows of plain lines that passed every check, as lines of COPY text for the entries
    table; ``minor``: one of them was born after the latest adult birth date."""

    text: str
    rows: int
    minor: bool


# (line, cells, problem): cells (iin, full_name, district_number, address[, removal_reason])
# stripped, for _Validator; or cells None and a shape problem (see _shape_error).
Record = tuple[int, list[str] | None, str]


class _CountingReader(io.RawIOBase):
    """A binary stream that reports how many bytes have been read (for the progress bar)."""

    def __init__(self, raw: BinaryIO, on_bytes: Callable[[int], None]):
        self._raw = raw
        self._on_bytes = on_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        if n:
            self._on_bytes(n)
        return n


class _Prefixed(io.RawIOBase):
    """Bytes already taken from a stream (``head``), then the rest of it: hands lines the fast
    reader read but cannot judge back to the reference reader."""

    def __init__(self, head: bytes, rest: io.BufferedReader):
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        return self._rest.readinto(buffer)


def _normalise_header(cells: list[str]) -> list[str]:
    names = []
    for cell in cells:
        key = cell.strip().lower().replace(" ", "_").replace("-", "_")
        names.append(_ALIASES.get(key, key))
    return names


def _is_utf8(cells: list[str]) -> bool:
    """False when a cell holds bytes that were not UTF-8 (decoded as lone surrogates)."""
    joined = "".join(cells)
    if joined.isascii():
        return True
    try:
        joined.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class Layout:
    """Where the header puts the columns: ``columns`` are the positions of COLUMNS (the district
    by ``district_column``, one of :data:`DISTRICT_COLUMNS`; then the removal reason, when
    present), ``width`` the number of cells of every line."""

    columns: tuple[int, ...]
    width: int
    district_column: str


def _layout(header: list[str] | None) -> Layout:
    """The layout of a header row; Invalid when the file cannot be read at all."""
    if header is None:
        raise Invalid(_("The file is empty."), field="file")
    if not _is_utf8(header):
        raise Invalid(_("The file is not UTF-8 text."), field="file")
    names = _normalise_header(header)
    district_columns = [c for c in DISTRICT_COLUMNS if c in names]
    if len(district_columns) > 1:
        raise Invalid(
            _(
                "Line 1: the header names both district_number and district_code; give one of "
                "them for the whole file."
            ),
            field="file",
        )
    either = "/".join(DISTRICT_COLUMNS)
    expected = [either if c == "district_number" else c for c in COLUMNS]
    missing = [c for c in expected if c not in names and (c != either or not district_columns)]
    if missing:
        raise Invalid(
            _(
                "Line 1: the header lacks the column(s) %(cols)s (expected %(all)s).",
                cols=", ".join(missing),
                all=", ".join(expected),
            ),
            field="file",
        )
    columns = [names.index(c) for c in (*COLUMNS[:2], district_columns[0], *COLUMNS[3:])]
    if REMOVAL_COLUMN in names:
        columns.append(names.index(REMOVAL_COLUMN))
    return Layout(tuple(columns), len(names), district_columns[0])


def _line_problem(cells: list[str], width: int) -> str | None:
    """None for a blank line (skipped), "" for a line of the right shape, else the problem."""
    # One joined string per line (the reference's hot loop): blank (every cell whitespace), not
    # UTF-8, NUL byte, then the column count.
    joined = "".join(cells)
    if not joined.strip():
        return None
    if not joined.isascii() and not _is_utf8(cells):
        return "encoding"
    if "\x00" in joined:  # PostgreSQL cannot store it: COPY would fail
        return "nul"
    if len(cells) != width:
        return f"columns:{len(cells)}:{width}"
    return ""


def _record(line: int, cells: list[str], layout: Layout) -> Record | None:
    problem = _line_problem(cells, layout.width)
    if problem is None:
        return None
    if problem:
        return line, None, problem
    return line, [cells[i].strip() for i in layout.columns], ""


def _rows(
    raw: io.RawIOBase,
    on_header: Callable[[str], None],
    layout: Layout | None = None,
    first_line: int = 1,
) -> Iterator[Record]:
    """The reference reader: records line by line; the header is line 1. ``on_header`` is told
    which of :data:`DISTRICT_COLUMNS` the file uses, before the first line. Given a ``layout``
    (already told), ``raw`` starts after the header, at line ``first_line``."""
    # Bytes that are not UTF-8 become lone surrogates instead of an exception: the decoder works on
    # 8 KiB blocks, so a strict error would surface lines before the bad one and end the file there.
    # Each row is checked instead, and a bad row is reported under its own line number.
    text = io.TextIOWrapper(
        io.BufferedReader(raw, 1 << 16),
        encoding="utf-8-sig" if layout is None else "utf-8",  # a BOM only opens the file
        errors="surrogateescape",
        newline="",
    )
    reader = csv.reader(text)
    offset = first_line - 1
    if layout is None:
        try:
            layout = _layout(next(reader, None))
        except csv.Error as exc:
            raise Invalid(
                _("Line 1: not valid CSV: %(error)s", error=str(exc)), field="file"
            ) from None
        on_header(layout.district_column)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num + offset, None, f"csv:{exc}"
            continue
        record = _record(reader.line_num + offset, cells, layout)
        if record is not None:
            yield record


def _one_record(line: bytes) -> bool:
    """True when the csv module reads ``line`` as exactly one record of its own: no quote (a
    quoted field may run over the line break), no carriage return but the line ending's, and
    not longer than a csv field may be."""
    if b'"' in line or len(line) > csv.field_size_limit():
        return False
    body = line[:-1] if line.endswith(b"\n") else line
    return b"\r" not in (body[:-1] if body.endswith(b"\r") else body)


def records(
    stream: BinaryIO,
    on_bytes: Callable[[int], None],
    validator: _Validator,
    plain: PlainRows | None = None,
    block_lines: int = BLOCK_LINES,
) -> Iterator[Record | Block]:
    """The rows of a roll file in line order: a :class:`Block` for plain rows that passed every
    check (only with ``plain``), a :data:`Record` for every other line that is not blank, for
    ``validator`` (told the file's district column by the header). Raises Invalid when the
    header makes the file unusable."""
    raw = _CountingReader(stream, on_bytes)
    if plain is None:
        yield from _rows(raw, validator.use_column)
        return
    buffered = io.BufferedReader(raw, 1 << 16)
    first = buffered.readline()
    if not _one_record(first):
        yield from _rows(_Prefixed(first, buffered), validator.use_column)
        return
    layout = _layout(next(csv.reader([first.decode("utf-8-sig", "surrogateescape")]), None))
    validator.use_column(layout.district_column)
    match = _Matcher(layout)
    line = 1  # the last line read
    while block := list(islice(buffered, block_lines)):
        text = b"".join(block).decode("utf-8", "surrogateescape")
        found = match.block(text) if max(map(len, block)) <= csv.field_size_limit() else []
        if len(found) == len(block):  # every line plain: one match per line
            yield from plain.check(map(match.order, found), line + 1)
            line += len(block)
            continue
        for i, raw_line in enumerate(block):
            line += 1
            if not _one_record(raw_line):
                rest = _Prefixed(b"".join(block[i:]), buffered)
                yield from _rows(rest, validator.use_column, layout, line)
                return
            decoded = raw_line.decode("utf-8", "surrogateescape")
            groups = match.line(decoded)
            if groups is not None:
                yield from plain.check([groups], line)
            elif (record := _record(line, next(csv.reader([decoded]), []), layout)) is not None:
                yield record


# A plain cell: no surrounding or repeated whitespace and no whitespace but the space (what the
# normalisation would leave as it is), no quote, comma or backslash (nothing for CSV or COPY
# to unescape), no NUL and no undecodable byte (surrogates): the reference would accept and
# store it unchanged. Quoted, it may hold commas.
_BAD = r"\s\"\\\x00\ud800-\udfff"
_PLAIN = rf"[^{_BAD},]+(?: [^{_BAD},]+)*"
_QUOTED = rf"[^{_BAD}]+(?: [^{_BAD}]+)*"
_EXTRA = r'[^",\r\n\x00\ud800-\udfff]*|"[^"\r\n\x00\ud800-\udfff]*"'  # a column not read
_CELLS = {
    "iin": "[0-9]{12}",
    "full_name": _PLAIN,
    "district_number": "[0-9]{1,9}",
    "district_code": _PLAIN,  # matched as written: no padding to strip
    "address": _PLAIN,
    REMOVAL_COLUMN: "(?:" + "|".join(REMOVAL_REASONS) + ")?",
}
_QUOTED_CELLS = {**_CELLS, "full_name": _QUOTED, "district_code": _QUOTED, "address": _QUOTED}


class _Matcher:
    """The regular expression of a plain line for one header. Each read column is two groups
    (unquoted, quoted; one is empty); ``order`` puts them as (iin, iin, name, name, district,
    district, address, address, removal, removal)."""

    def __init__(self, layout: Layout):
        read = (*COLUMNS[:2], layout.district_column, *COLUMNS[3:], REMOVAL_COLUMN)
        roles = dict(zip(layout.columns, read, strict=False))
        cells, groups = [], {}
        for position in range(layout.width):
            role = roles.get(position)
            if role is None:
                cells.append(f"(?:{_EXTRA})")
                continue
            groups[role] = 2 * len(groups)
            cells.append(f'(?:({_CELLS[role]})|"({_QUOTED_CELLS[role]})")')
        body = ",".join(cells)
        if REMOVAL_COLUMN not in groups:  # two empty groups: no reason, a voter
            groups[REMOVAL_COLUMN] = 2 * len(groups)
            body += "()()"
        self._block = re.compile(f"^{body}\r?$", re.MULTILINE)
        self._line = re.compile(f"{body}\r?\n?")
        self.order = itemgetter(*(groups[role] + k for role in read for k in (0, 1)))

    def block(self, text: str) -> list[tuple[str, ...]]:
        """The groups of every plain line of ``text`` (lines that are not plain are left out)."""
        return self._block.findall(text)

    def line(self, text: str) -> tuple[str, ...] | None:
        """The ordered groups of one line when it is plain."""
        found = self._line.fullmatch(text)
        return None if found is None else self.order(found.groups())


class SeenHashes:
    """Which IIN hashes of a file may repeat an earlier line's, in fixed memory: one bit per
    value of 27 bits of a hash's ``hash()`` (16 MiB). A hash whose bit was already set is a candidate:
    a repeat, or another IIN sharing those bits (about n^2 / 2^28 of n rows: 3,700 of a million).
    Finding repeats in SQL then probes the candidates by index instead of grouping every row of
    the import (which read and hashed the whole import twice: a tenth of a million-row import).
    Past ``MAX_CANDIDATES`` (a roll of many millions) the candidates are dropped and the SQL
    groups the whole import as before, so memory stays flat whatever the file's size.
    """

    MAX_CANDIDATES = 100_000
    MASK = (1 << 27) - 1

    def __init__(self):
        self.bits = bytearray(1 << 24)
        self.candidates: set[str] | None = set()

    def add(self, iin_hash: str) -> None:
        key = hash(iin_hash) & self.MASK
        if self.bits[key >> 3] & 1 << (key & 7):
            self.candidate(iin_hash)
        else:
            self.bits[key >> 3] |= 1 << (key & 7)

    def candidate(self, iin_hash: str) -> None:
        if self.candidates is not None:
            self.candidates.add(iin_hash)
            if len(self.candidates) > self.MAX_CANDIDATES:
                self.candidates = None


class PlainRows:
    """Checks plain rows and writes the good ones as COPY text lines of import ``import_id``.

    The checks are the reference's for a plain row, computed from caches: the IIN's first
    seven digits (birth date and century) give the birth date, whether it is after ``as_of``
    or ``minor_after``, and their share of both check-digit sums; its serial digits give theirs.
    """

    def __init__(self, validator: _Validator, import_id: int, minor_after: date, seen: SeenHashes):
        self.validator = validator
        self.seen = seen
        self.prefix = f"{import_id}\t"
        self.minor_after = minor_after
        self.heads: dict[str, tuple | None] = {}
        self.serials: dict[str, tuple[int, int]] = {}

    def _head(self, head: str) -> tuple | None:
        """(birth date as text, two partial sums, minor) for seven digits; None when no IIN
        starting so is a voter's (no such date, or born after the as-of date)."""
        for serial in range(10):  # any issued number with this head: parse_iin says the date
            digit = check_digit(f"{head}000{serial}")
            if digit is not None:
                break
        try:
            born = parse_iin(f"{head}000{serial}{digit}", today=self.validator.as_of).birth_date
        except InvalidIIN:
            return None
        code = head.encode("ascii")
        return (
            born.isoformat(),
            sum(map(mul, code, _W1[:7])) - 48 * sum(_W1[:7]),
            sum(map(mul, code, _W2[:7])) - 48 * sum(_W2[:7]),
            born > self.minor_after,
        )

    def _serial(self, digits: str) -> tuple[int, int]:
        code = digits.encode("ascii")
        sums = (sum(map(mul, code, _W1[7:])) - 48 * sum(_W1[7:]),)
        sums += (sum(map(mul, code, _W2[7:])) - 48 * sum(_W2[7:]),)
        self.serials[digits] = sums
        return sums

    def check(self, rows: Iterable[tuple[str, ...]], first_line: int) -> Iterator[Record | Block]:
        """Rows (ordered groups of plain lines, line ``first_line`` on): yields a Record for each
        row the fast checks do not pass (for :class:`_Validator`), then one Block of the rest."""
        heads, serials, districts = self.heads, self.serials, self.validator.plain_districts
        hash_iin, prefix = self.validator.hash, self.prefix
        bits, mask, candidate = self.seen.bits, SeenHashes.MASK, self.seen.candidate
        out: list[str] = []
        minor = False
        for line, (i1, i2, n1, n2, d1, d2, a1, a2, r1, r2) in enumerate(rows, first_line):
            iin, name, address = i1 or i2, n1 or n2, a1 or a2
            head = heads.get(iin[:7], False)
            if head is False:
                head = heads[iin[:7]] = self._head(iin[:7])
            number = districts.get(d1 or d2)
            if head is not None:
                serial = serials.get(iin[7:11]) or self._serial(iin[7:11])
                digit = (head[1] + serial[0]) % 11
                if digit == 10:  # 10 again: never issued, and no digit equals it
                    digit = (head[2] + serial[1]) % 11
            if (
                head is None
                or digit != ord(iin[11]) - 48
                or number is None
                or len(name) > MAX_NAME
                or len(address) > MAX_ADDRESS
            ):
                yield line, [iin, name, d1 or d2, address, r1 or r2], ""
                continue
            minor = minor or head[3]
            key = hash(iin_hash := hash_iin(iin)) & mask  # SeenHashes.add, inline: the hot loop
            if bits[key >> 3] & 1 << (key & 7):
                candidate(iin_hash)
            else:
                bits[key >> 3] |= 1 << (key & 7)
            out.append(
                f"{prefix}{line}\t{iin_hash}\t{name}\t{number}\t{address}\t{head[0]}\t"
                f"{r1 or r2 or NULL}\n"
            )
        if out:
            yield Block("".join(out), len(out), minor)


# Check-digit weights of recall.rules.iin, summed over the ASCII codes of the digits: each digit's
# code is 48 more than its value, and both weightings sum to 66.
_W1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_W2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_ASCII_BIAS = 48 * 66


@dataclass(frozen=True)
class DistrictKeys:
    """A body's districts as the importer looks them up, read once per import (never per line):
    number (as written, and as an integer) and code to the district's ``roll_key``."""

    numbers: frozenset[int]
    by_number_text: dict[str, int]
    by_code: dict[str, int]


class _Validator:
    """Turns stripped cells (iin, full_name, district, address[, removal_reason]) into an entry
    tuple ``(line, iin_hash, full_name, district_key, address, birth_date, removal_reason)`` (the
    reason None for a voter; the key the district's ``District.roll_key``) or a RowError.

    The common case (a valid IIN whose birth date was seen before, a district written plainly)
    is checked inline; anything else goes through ``parse_iin`` and ``int``, the reference, so
    the errors are the same word for word. Districts are named by number until
    :meth:`use_column` says the file names them by ``district_code``.
    """

    def __init__(self, as_of: date, districts: DistrictKeys):
        self.as_of = as_of
        self.districts = districts
        self.by_code = False
        self.plain_districts = districts.by_number_text
        self.births: dict[str, date] = {}  # first 7 digits -> birth date (valid, not after as_of)
        self.hash = iin_hasher()

    def birth_date(self, iin: str) -> date | None:
        """The birth date of a valid IIN, None when ``parse_iin`` has to say what is wrong."""
        if len(iin) != 12 or not iin.isascii() or not iin.isdigit():
            return None
        code = iin.encode("ascii")
        r = (sum(map(mul, code, _W1)) - _ASCII_BIAS) % 11
        if r == 10:
            r = (sum(map(mul, code, _W2)) - _ASCII_BIAS) % 11
        if r != code[11] - 48:  # also r == 10: never issued
            return None
        return self.births.get(iin[:7])

    def use_column(self, column: str) -> None:
        """The file's district column (one of :data:`DISTRICT_COLUMNS`), from its header."""
        self.by_code = column == "district_code"
        # Codes are matched exactly as the source writes them (``E14000530`` is not ``e14000530``).
        self.plain_districts = (
            self.districts.by_code if self.by_code else self.districts.by_number_text
        )

    def __call__(self, line: int, cells: list[str]) -> tuple[tuple | None, RowError | None]:
        iin, name, district, address = cells[:4]
        removal = None
        if len(cells) > 4 and cells[4]:
            removal = cells[4].lower()
            if removal not in REMOVAL_REASONS:
                return None, RowError(
                    line,
                    REMOVAL_COLUMN,
                    _(
                        "Unknown removal reason %(value)s (expected %(all)s, or empty for a voter).",
                        value=cells[4][:40],
                        all=", ".join(REMOVAL_REASONS),
                    ),
                )
        born = self.birth_date(iin)
        if born is None:
            try:
                born = parse_iin(iin, today=self.as_of).birth_date
            except InvalidIIN as exc:
                return None, RowError(line, "iin", exc.message)
            self.births[iin[:7]] = born
        name = " ".join(name.split())
        if not name:
            return None, RowError(line, "full_name", _("The name is empty."))
        if len(name) > MAX_NAME:
            return None, RowError(line, "full_name", _("The name is longer than 200 characters."))
        number = self.plain_districts.get(district)
        if number is None and self.by_code:
            if not district:
                return None, RowError(line, "district_code", _("The district code is empty."))
            return None, RowError(
                line,
                "district_code",
                _("The body has no district with the code %(code)s.", code=district[:120]),
            )
        if number is None:
            try:
                number = int(district)
            except ValueError:
                return None, RowError(line, "district_number", _("Not a whole number."))
            if number not in self.districts.numbers:
                return None, RowError(
                    line, "district_number", _("The body has no district %(n)d.", n=number)
                )
        address = " ".join(address.split())
        if not address:
            return None, RowError(line, "address", _("The address is empty."))
        if len(address) > MAX_ADDRESS:
            return None, RowError(line, "address", _("The address is longer than 500 characters."))
        return (line, self.hash(iin), name, number, address, born, removal), None


def _shape_error(line: int, problem: str) -> RowError:
    if problem == "encoding":
        return RowError(line, "row", _("Not UTF-8 text (was the file saved in another encoding?)."))
    if problem == "nul":
        return RowError(line, "row", _("The line contains a NUL character."))
    if problem.startswith("columns:"):
        _kind, got, want = problem.split(":")
        return RowError(line, "row", _("%(got)s column(s), expected %(want)s.", got=got, want=want))
    return RowError(line, "row", _("Not valid CSV: %(error)s", error=problem[4:]))
