"""Writing an import's rows: COPY on PostgreSQL (streamed while the next lines are read),
batched INSERT elsewhere, and the report of the rows skipped."""

from __future__ import annotations

import contextlib
import csv
from pathlib import Path

import sqlalchemy as sa

from recall.extensions import db
from recall.models.verification import VoterRollEntry
from recall.services.verification.roll_file import NULL, Block, RowError

ENTRY_COLUMNS = (
    "import_id",
    "line_number",
    "iin_hash",
    "full_name",
    "district_number",
    "address",
    "birth_date",
    "removal_reason",
)


def _copy_text(value: str) -> str:
    """A normalised name or address as a field of COPY's text format (no tabs or newlines are
    left after whitespace is collapsed; a backslash is COPY's escape character)."""
    return value.replace("\\", "\\\\") if "\\" in value else value


def copy_lines(import_id: int, rows: list[tuple]) -> str:
    """Entry tuples as lines of COPY's text format (tab-separated, ``\\N`` for no removal
    reason): a few string joins per row instead of psycopg's per-row ``write_row``."""
    prefix = f"{import_id}\t"
    return "".join(
        f"{prefix}{line}\t{iin_hash}\t{_copy_text(name)}\t{number}\t{_copy_text(address)}\t"
        f"{born}\t{removal or NULL}\n"
        for line, iin_hash, name, number, address, born, removal in rows
    )


def _insert_chunk(import_id: int, rows: list[tuple]) -> None:
    """Other databases (SQLite): one executemany INSERT per chunk."""
    db.session.execute(
        sa.insert(VoterRollEntry),
        [dict(zip(ENTRY_COLUMNS, (import_id, *row), strict=False)) for row in rows],
    )


class Loader:
    """Writes one import's entries chunk by chunk. On PostgreSQL a COPY stays open for the chunk
    and gets every ``BATCH_ROWS`` rows as they are validated, so the server inserts (and updates
    the indexes) while Python reads the next lines: the two run side by side instead of in turn.
    :meth:`end_chunk` finishes the COPY (the caller then commits progress); SQLite inserts each
    chunk at its end."""

    BATCH_ROWS = 2000

    def __init__(self, import_id: int, use_copy: bool, table: str = VoterRollEntry.__tablename__):
        self.import_id = import_id
        self.use_copy = use_copy
        self.table = table  # PostgreSQL: the import's own table until it is attached
        self.batch: list[tuple] = []
        self.rows = 0  # in the chunk so far
        self._open: contextlib.ExitStack | None = None
        self._copy = None

    def add(self, entry: tuple) -> None:
        self.batch.append(entry)
        self.rows += 1
        if self.use_copy and len(self.batch) >= self.BATCH_ROWS:
            self._send()

    def add_text(self, block: Block) -> None:
        """Rows already written as COPY text (the fast reader's); PostgreSQL only."""
        if self.batch:
            self._send()
        self._write(block.text)
        self.rows += block.rows

    def _send(self) -> None:
        self._write(copy_lines(self.import_id, self.batch))
        self.batch = []

    def _write(self, text: str) -> None:
        if self._open is None:
            self._open = contextlib.ExitStack()
            dbapi = db.session.connection().connection.dbapi_connection
            cursor = self._open.enter_context(dbapi.cursor())
            columns = ", ".join(ENTRY_COLUMNS)
            self._copy = self._open.enter_context(
                cursor.copy(f"COPY {self.table} ({columns}) FROM STDIN")
            )
        self._copy.write(text.encode("utf-8"))

    def end_chunk(self) -> int:
        """Write what is pending and finish the COPY; returns the rows of the chunk."""
        if self.use_copy:
            if self.batch:
                self._send()
            if self._open is not None:
                self._open, opened = None, self._open
                opened.close()
        elif self.batch:
            _insert_chunk(self.import_id, self.batch)
            self.batch = []
        rows, self.rows = self.rows, 0
        return rows

    def abort(self) -> None:
        """After an error: end an open COPY with a failure (the caller rolls back)."""
        if self._open is not None:
            self._open, opened = None, self._open
            with contextlib.suppress(Exception):
                opened.__exit__(RuntimeError, RuntimeError("import aborted"), None)


class SkippedRowsReport:
    """The skipped-rows report, written as it goes (line, field, reason; never the IIN)."""

    def __init__(self, path: str | None):
        self.path = path
        self._file = None
        self._writer = None

    def write(self, error: RowError) -> None:
        if self.path is None:
            return
        if self._file is None:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            # Opened on the first bad line and closed by close(): it outlives any one call.
            self._file = open(self.path, "w", encoding="utf-8", newline="")  # noqa: SIM115
            self._writer = csv.writer(self._file)
            self._writer.writerow(("line", "field", "reason"))
        self._writer.writerow((error.line, error.field, error.reason))

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
