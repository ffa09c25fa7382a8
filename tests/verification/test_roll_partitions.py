"""PostgreSQL: each import's roll entries are loaded into a table of their own, indexed, then
attached as the import's partition (``roll_partitions``, migration 0048); nothing of a failed
import is left, loose or attached."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.models import ImportStatus, VoterRollEntry
from recall.services.verification import voter_roll
from tests import factories

AS_OF = date(2026, 2, 1)


def _table(import_id: int) -> str | None:
    """ "attached", "loose" or None: the import's own table as the catalog has it."""
    attached = db.session.scalar(
        sa.text("SELECT relispartition FROM pg_class WHERE oid = to_regclass(:name)"),
        {"name": f"voter_roll_entries_{import_id}"},
    )
    return None if attached is None else "attached" if attached else "loose"


def _where_rows_are() -> dict[str, int]:
    return dict(
        db.session.execute(
            sa.text("SELECT tableoid::regclass::text, count(*) FROM voter_roll_entries GROUP BY 1")
        ).all()
    )


def _roll(tmp_path, n: int):
    rows = [factories.roll_entry(born=date(1960 + i % 40, 1, 1)) for i in range(n)]
    return factories.write_roll(tmp_path / "roll.csv", rows), rows


def test_an_import_is_its_own_indexed_partition(world, tmp_path):
    path, _rows = _roll(tmp_path, 30)
    result = voter_roll.import_file(
        None,
        world.body.id,
        AS_OF,
        str(path),
        mode="replace",
        checkpoint=db.session.commit,
        chunk_rows=10,
    )
    db.session.commit()
    imp = result.roll_import
    assert result.accepted and imp.status == ImportStatus.ACTIVE and result.rows_loaded == 30
    assert _table(imp.id) == "attached"
    assert _where_rows_are() == {f"voter_roll_entries_{imp.id}": 30}
    # The indexes built after the load are the parent's indexes' partitions (adopted by ATTACH,
    # not built again), so lookups by import and hash probe them.
    adopted = db.session.execute(
        sa.text(
            "SELECT i.inhparent::regclass::text FROM pg_inherits i"
            " JOIN pg_index x ON x.indexrelid = i.inhrelid"
            " WHERE x.indrelid = to_regclass(:name) ORDER BY 1"
        ),
        {"name": f"voter_roll_entries_{imp.id}"},
    ).scalars()
    assert list(adopted) == ["ix_voter_roll_entries_import_hash", "pk_voter_roll_entries"]
    # Statistics were gathered before the statements that follow the load.
    assert (
        db.session.scalar(
            sa.text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:name)"),
            {"name": f"voter_roll_entries_{imp.id}"},
        )
        == 30
    )


def test_a_refused_import_leaves_no_rows_and_no_table(world, tmp_path):
    rows = [factories.roll_entry() for _ in range(5)] + ["123,Bad Iin,1,Street"]
    path = factories.write_roll(tmp_path / "roll.csv", rows)
    result = voter_roll.import_file(
        None, world.body.id, AS_OF, str(path), mode="replace", checkpoint=db.session.commit
    )
    db.session.commit()
    assert not result.accepted and result.roll_import.status == ImportStatus.FAILED
    assert _where_rows_are() == {}
    assert _table(result.roll_import.id) in (None, "attached")  # never left loose


class _Breaks(io.RawIOBase):
    """A file that fails after ``limit`` bytes, as a disk or an upload can."""

    def __init__(self, data: bytes, limit: int):
        self.data, self.limit, self.at = data, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.at >= self.limit:
            raise OSError("read error")
        n = min(len(buffer), self.limit - self.at)
        buffer[:n] = self.data[self.at : self.at + n]
        self.at += n
        return n


def test_a_load_that_stops_midway_leaves_nothing_once_marked_failed(world, tmp_path):
    path, _rows = _roll(tmp_path, 40)
    data = path.read_bytes()
    imp = voter_roll.create_import(None, world.body.id, AS_OF, mode="replace")
    db.session.commit()
    with pytest.raises(OSError, match="read error"):
        voter_roll.load_import(
            imp,
            _Breaks(data, len(data) // 2),
            checkpoint=db.session.commit,  # chunks committed: the loose table exists
            chunk_rows=5,
        )
    db.session.rollback()
    assert _table(imp.id) == "loose"
    assert _where_rows_are() == {}  # loose: no reader of voter_roll_entries sees its rows
    voter_roll.mark_import_failed(imp.id)  # what the job does
    db.session.commit()
    assert _table(imp.id) is None
    assert _where_rows_are() == {}


def test_a_load_run_again_after_attaching_loads_each_row_once(world, tmp_path):
    path, rows = _roll(tmp_path, 12)
    imp = voter_roll.create_import(None, world.body.id, AS_OF, mode="replace", confirm_first=True)
    with open(path, "rb") as stream:
        voter_roll.load_import(imp, stream, checkpoint=db.session.commit)
    db.session.commit()
    assert _table(imp.id) == "attached"
    imp.status = ImportStatus.LOADING  # as if the first run had stopped after attaching
    with open(path, "rb") as stream:
        again = voter_roll.load_import(imp, stream, checkpoint=db.session.commit)
    db.session.commit()
    assert again.accepted and again.rows_loaded == 12 and again.errors == []
    assert _where_rows_are() == {f"voter_roll_entries_{imp.id}": 12}
    lines = db.session.scalars(
        sa.select(VoterRollEntry.line_number).where(VoterRollEntry.import_id == imp.id)
    ).all()
    assert sorted(lines) == list(range(2, 2 + len(rows)))


def test_discarding_a_previewed_upload_empties_its_partition(world, tmp_path):
    path, _rows = _roll(tmp_path, 8)
    imp = voter_roll.create_import(None, world.body.id, AS_OF, mode="replace", confirm_first=True)
    with open(path, "rb") as stream:
        result = voter_roll.load_import(imp, stream, checkpoint=db.session.commit)
    db.session.commit()
    assert result.roll_import.status == ImportStatus.PREVIEW and _where_rows_are() == {
        f"voter_roll_entries_{imp.id}": 8
    }
    voter_roll.discard_import(None, imp.id)
    db.session.commit()
    assert _where_rows_are() == {}
