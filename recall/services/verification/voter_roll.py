"""Load a body's voter roll from CSV: streamed, validated line by line, loaded in chunks.

Flow (the same for the CLI and the RQ job ``recall.jobs.voter_roll``, which loads uploads):

1. :func:`create_import` adds an inactive ``VoterRollImport`` row (the caller commits, so the
   row and its progress are visible to the upload page).
2. :func:`load_import` reads the file line by line (constant memory), validates each row, and
   loads chunks of rows into ``voter_roll_entries`` (PostgreSQL: ``COPY ... FROM STDIN`` on the
   session's own connection, plain lines checked in blocks by ``roll_file``'s fast reader;
   SQLite: batched ``INSERT``). After each chunk it updates the progress
   counters and calls ``checkpoint`` (the caller passes ``db.session.commit`` to make progress
   visible; the rows belong to an inactive import, so no reader sees them).
3. After the load, in SQL (apart from the row loop): repeated IINs are found; persons under 18 on
   the as-of date are reported by line and left out (not voters); the per-district preview
   (rows, voters before and after) is computed. If any row was malformed and ``skip_invalid`` is
   off, or the file covers only some districts of the body and no mode was chosen (``partial``:
   other districts keep their rolls; ``replace``: the file is the whole roll), the import's
   entries are deleted and it is marked failed, the preview kept on it. Otherwise it is
   activated: in one transaction its per-district counts are recorded (``voter_roll_districts``),
   it becomes the body's latest import and the covered districts' registered-voter numbers
   follow. Earlier imports keep their entries: a signature is judged against the roll in force on
   its signing day (``roll_lookup.rolls_in_force``). The caller commits that transaction:
   readers see the old roll or the new one, never half.

Rows are written by ``roll_loader`` (into a table of the import's own on PostgreSQL,
``roll_partitions``); the counts, the preview and the activation are ``roll_activation``'s.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import BinaryIO

import sqlalchemy as sa
import sqlalchemy.orm
from flask_babel import gettext as _

from recall.errors import Conflict, Forbidden, Invalid, NotFound
from recall.extensions import db
from recall.i18n import format_day
from recall.models.base import utcnow
from recall.models.body import Body, District
from recall.models.user import User
from recall.models.verification import ImportStatus, VoterRollEntry, VoterRollImport
from recall.rules.eligibility import ADULT_AGE, is_adult
from recall.rules.progress import Estimate, estimate
from recall.services.audit import append_audit
from recall.services.lookup import get_or_raise
from recall.services.verification import roll_partitions
from recall.services.verification.roll_activation import (
    activate,
    district_preview,
    entry_counts,
    voters_per_district,
)
from recall.services.verification.roll_file import (
    BLOCK_LINES,
    Block,
    DistrictKeys,
    PlainRows,
    RowError,
    SeenHashes,
    _shape_error,
    _Validator,
    records,
)
from recall.services.verification.roll_loader import Loader, SkippedRowsReport

log = logging.getLogger(__name__)

CHUNK_ROWS = 50_000  # rows between progress commits
MODES = ("replace", "partial")
MAX_ERRORS_KEPT = 200  # on the import row, for the page; the report file has them all
Progress = Callable[[int], None]  # called with the number of bytes read since the last call


@dataclass
class ImportResult:
    """What :func:`load_import` did. ``accepted`` is False when the import was refused."""

    roll_import: VoterRollImport
    accepted: bool
    rows_loaded: int
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    report_path: str | None = None
    # Persons under 18 on the as-of date: left out, reported by line (not an error).
    minors: list[RowError] = field(default_factory=list)
    # Refused because the file covers only some districts and no mode was chosen.
    needs_mode: bool = False
    # Lines removed from the roll (a removal reason), and how many of them deceased.
    removed: int = 0
    deceased: int = 0

    @property
    def preview(self) -> list[dict]:
        return list(self.roll_import.preview or [])

    def summary(self) -> str:
        imp = self.roll_import
        if self.needs_mode:
            return _(
                "Refused: the file covers %(n)d of the body's %(m)d districts. Import it again "
                "with --partial (the other districts keep their rolls) or --replace (the file is "
                "the whole roll: the other districts get 0 voters); nothing was loaded.",
                n=sum(1 for p in self.preview if p["rows"]),
                m=len(self.preview),
            )
        if not self.accepted:
            return _("Refused: %(n)d malformed row(s); nothing was loaded.", n=self.error_count)
        text = _(
            "Loaded %(n)d voters for %(date)s.", n=self.rows_loaded, date=format_day(imp.as_of)
        )
        if imp.mode == "partial":
            text += " " + _(
                "Partial roll: %(n)d district(s) updated, the others keep their rolls.",
                n=sum(1 for p in self.preview if p["rows"]),
            )
        if self.removed:
            text += " " + _(
                "Recorded %(n)d line(s) removed from the roll (%(dead)d deceased): not voters; "
                "signatures with their IINs are rejected.",
                n=self.removed,
                dead=self.deceased,
            )
        if self.minors:
            text += " " + _(
                "Left out %(n)d person(s) under 18 on %(date)s (not voters).",
                n=len(self.minors),
                date=format_day(imp.as_of),
            )
        if self.error_count:
            text += " " + _(
                "Skipped %(n)d malformed row(s); report: %(path)s",
                n=self.error_count,
                path=self.report_path or "-",
            )
        return text


def _require_commissioner(actor: User | None, body_id: int) -> None:
    """``actor`` None is the server operator (CLI, jobs): trusted."""
    if actor is not None and not actor.is_commissioner_of(body_id):
        raise Forbidden(_("Only commissioners of this body may manage its voter roll."))


def create_import(
    actor: User | None,
    body_id: int,
    as_of: date,
    filename: str = "",
    *,
    bytes_total: int = 0,
    skip_invalid: bool = False,
    mode: str = "",
    confirm_first: bool = False,
) -> VoterRollImport:
    """Start an import of ``body_id``'s roll as of ``as_of`` (inactive until loaded). Flushes.

    ``confirm_first``: the load stops at ``preview`` (rows, voters per district before and after)
    and the roll goes live only through :func:`confirm_import` (uploads on the page).

    ``mode``: "replace" (the file is the whole roll), "partial" (the districts it covers only) or
    "" (a file covering every district replaces; one covering some is refused with a preview).

    Raises NotFound for an unknown body, Forbidden for a commissioner of another body, Invalid for
    a date in the future.
    """
    get_or_raise(Body, body_id, _("No such body."), field="body")
    _require_commissioner(actor, body_id)
    if as_of > utcnow().date():
        raise Invalid(_("The roll date cannot be in the future."), field="as_of")
    if mode not in ("", *MODES):
        raise Invalid(_("The mode must be replace or partial."), field="mode")
    imp = VoterRollImport(
        body_id=body_id,
        as_of=as_of,
        filename=os.path.basename(filename)[:255],
        status=ImportStatus.LOADING,
        is_active=False,
        bytes_total=bytes_total,
        skip_invalid=skip_invalid,
        mode=mode,
        confirm_first=confirm_first,
        created_by_id=actor.id if actor else None,
        errors=[],
        preview=[],
    )
    db.session.add(imp)
    db.session.flush()
    return imp


def get_import(actor: User | None, import_id: int) -> VoterRollImport:
    """An import, for a commissioner of its body."""
    imp = get_or_raise(VoterRollImport, import_id, _("No such voter roll import."))
    _require_commissioner(actor, imp.body_id)
    return imp


def list_imports(actor: User | None, body_id: int) -> list[VoterRollImport]:
    """A body's imports, newest first."""
    _require_commissioner(actor, body_id)
    return list(
        db.session.scalars(
            sa.select(VoterRollImport)
            .where(VoterRollImport.body_id == body_id)
            .order_by(VoterRollImport.id.desc())
            .limit(50)
        )
    )


# ------------------------------------------------- loading


def _district_keys(body_id: int) -> DistrictKeys:
    rows = db.session.execute(
        sa.select(District.number, District.code, District.roll_key).where(
            District.body_id == body_id
        )
    ).all()
    numbers = frozenset(number for number, _code, _key in rows if number is not None)
    return DistrictKeys(
        numbers,
        {str(n): n for n in numbers},
        {code: key for _number, code, key in rows},
    )


def _repeated_iins(import_id: int, candidates: set[str] | None = None) -> Iterator[RowError]:
    """Rows whose IIN already appeared on an earlier line of the same file (found in SQL), in
    line order. ``candidates``: every hash that may repeat (``SeenHashes``), probed by index;
    None: the whole import is grouped."""
    if candidates is not None:
        yield from _repeated_among(import_id, sorted(candidates))
        return
    ours = VoterRollEntry.import_id == import_id
    if db.session.get_bind().dialect.name == "postgresql":
        # Grouping a million 64-character hashes spills to disk; a 4-byte hash of each groups in
        # memory and leaves a few hundred candidates (its collisions), grouped exactly below.
        short = sa.func.hashtext(VoterRollEntry.iin_hash)
        ours = sa.and_(
            ours,
            short.in_(
                sa.select(short)
                .where(ours)
                .group_by(short)
                .having(sa.func.count() > 1)
                .correlate(None)
            ),
        )
    first = (
        sa.select(
            VoterRollEntry.iin_hash, sa.func.min(VoterRollEntry.line_number).label("first_line")
        )
        .where(ours)
        .group_by(VoterRollEntry.iin_hash)
        .having(sa.func.count() > 1)
        .subquery()
    )
    stmt = (
        sa.select(VoterRollEntry.line_number, first.c.first_line)
        .join(first, first.c.iin_hash == VoterRollEntry.iin_hash)
        .where(
            VoterRollEntry.import_id == import_id, VoterRollEntry.line_number != first.c.first_line
        )
        .order_by(VoterRollEntry.line_number)
    )
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    if postgresql:
        # The rows were just loaded, so the planner has no statistics for them and estimates one
        # row per side: it then nests the grouped subquery inside a loop over the entries and
        # re-runs it per row (1,200 rows took minutes). Hash joins are right at every size; the
        # setting lasts only while this statement is planned.
        db.session.execute(sa.text("SET LOCAL enable_nestloop = off"))
    # Streamed (a server-side cursor on PostgreSQL): a roll with many repeats stays in constant memory.
    result = db.session.execute(stmt.execution_options(yield_per=2000))
    if postgresql:
        db.session.execute(sa.text("RESET enable_nestloop"))
    for line, first_line in result:
        yield RowError(line, "iin", _("The IIN repeats line %(first)d.", first=first_line))


def _repeated_among(import_id: int, candidates: list[str]) -> Iterator[RowError]:
    repeats = []  # (line, first line): at most a few per candidate, candidates are bounded
    for start in range(0, len(candidates), 1000):
        rows = db.session.execute(
            sa.select(VoterRollEntry.iin_hash, VoterRollEntry.line_number)
            .where(
                VoterRollEntry.import_id == import_id,
                VoterRollEntry.iin_hash.in_(candidates[start : start + 1000]),
            )
            .order_by(VoterRollEntry.line_number)
        ).all()
        first: dict[str, int] = {}
        for iin_hash, line in rows:
            if iin_hash in first:
                repeats.append((line, first[iin_hash]))
            else:
                first[iin_hash] = line
    for line, first_line in sorted(repeats):
        yield RowError(line, "iin", _("The IIN repeats line %(first)d.", first=first_line))


def _delete_repeated(import_id: int) -> None:
    """Drop every entry whose IIN already appeared on an earlier line (one statement)."""
    earlier = sa.orm.aliased(VoterRollEntry)
    db.session.execute(
        sa.delete(VoterRollEntry)
        .where(
            VoterRollEntry.import_id == import_id,
            sa.select(earlier.id)
            .where(
                earlier.import_id == import_id,
                earlier.iin_hash == VoterRollEntry.iin_hash,
                earlier.line_number < VoterRollEntry.line_number,
            )
            .exists(),
        )
        .execution_options(synchronize_session=False)
    )


def load_import(
    roll_import: VoterRollImport,
    stream: BinaryIO,
    *,
    skip_invalid: bool | None = None,
    progress: Progress | None = None,
    checkpoint: Callable[[], None] | None = None,
    report_path: str | None = None,
    actor: User | None = None,
    chunk_rows: int = CHUNK_ROWS,
    on_chunk: Callable[[VoterRollImport], None] | None = None,
) -> ImportResult:
    """Stream ``stream`` (CSV bytes) into ``roll_import`` and activate it or refuse it.

    ``progress(n)`` is called with bytes read; ``checkpoint()`` after each chunk (pass
    ``db.session.commit`` for visible progress; None keeps everything in the caller's
    transaction). With ``skip_invalid`` malformed rows are left out and listed in the report file
    at ``report_path``; without it any malformed row refuses the whole import (entries deleted,
    status failed, the errors kept on the row). An unusable file (no header, a header that is not
    UTF-8) is refused the same way, even with ``skip_invalid``. The final state is flushed, not committed.
    """
    imp = roll_import
    if skip_invalid is None:
        skip_invalid = imp.skip_invalid
    use_copy = db.session.get_bind().dialect.name == "postgresql"
    districts = _district_keys(imp.body_id)
    report = SkippedRowsReport(report_path if skip_invalid else None)
    errors: list[RowError] = []
    error_count = 0
    loaded = 0
    read_bytes = 0
    # PostgreSQL: into a table of the import's own, indexed and attached after the load.
    target = roll_partitions.prepare(imp.id) if use_copy else VoterRollEntry.__tablename__
    loader = Loader(imp.id, use_copy, target)

    def on_bytes(n: int) -> None:
        nonlocal read_bytes
        read_bytes += n
        if progress is not None:
            progress(n)

    def note(error: RowError) -> None:
        nonlocal error_count
        error_count += 1
        if len(errors) < MAX_ERRORS_KEPT:
            errors.append(error)
        report.write(error)

    def flush_chunk() -> None:
        nonlocal loaded
        loaded += loader.end_chunk()
        imp.rows_loaded, imp.bytes_read, imp.rows_skipped = loaded, read_bytes, error_count
        imp.errors = [e.as_dict() for e in errors[:MAX_ERRORS_KEPT]]
        db.session.flush()
        if checkpoint is not None:
            checkpoint()
        if on_chunk is not None:  # progress for a terminal: rows and bytes so far on the row
            on_chunk(imp)

    rows_read = 0
    unusable = False
    validate = _Validator(imp.as_of, districts)
    minor_after = latest_minor_birth(imp.as_of)
    any_minor = False  # the SQL that finds minors runs only when the pass saw one
    # PostgreSQL: plain lines are checked and written as COPY text in blocks (roll_file).
    seen = SeenHashes()
    plain = PlainRows(validate, imp.id, minor_after, seen) if use_copy else None
    try:
        for item in records(stream, on_bytes, validate, plain, min(chunk_rows, BLOCK_LINES)):
            if item.__class__ is Block:
                rows_read += item.rows
                any_minor = any_minor or item.minor
                loader.add_text(item)
            else:
                line, row, problem = item
                rows_read += 1
                if row is None:
                    note(_shape_error(line, problem))
                    continue
                entry, error = validate(line, row)
                if error is not None:
                    note(error)
                    continue
                # Loaded even when the import will be refused: repeated IINs are found in SQL.
                any_minor = any_minor or entry[5] > minor_after
                seen.add(entry[1])
                loader.add(entry)
            if loader.rows >= chunk_rows:
                flush_chunk()
        imp.rows_read = rows_read
        flush_chunk()
    except Invalid as exc:  # no usable header, not UTF-8: nothing of the file can be trusted
        unusable = True
        note(RowError(1, exc.field or "file", exc.message))
    except BaseException:
        loader.abort()
        raise
    if use_copy and not unusable:
        # Indexed in one pass and attached. Analyzed first: the statements below plan by the
        # statistics, and new rows have none yet (autovacuum analyzes minutes later): the planner
        # took a million-row import for a few hundred rows and read it through an index row by
        # row (minutes), or filtered the whole import where it should probe the hash index.
        roll_partitions.attach(imp.id, target)
        if checkpoint is not None:
            checkpoint()  # ATTACH's lock on the parent lasts until a commit: another import waits
    try:
        repeated = 0
        for error in [] if unusable else _repeated_iins(imp.id, seen.candidates):
            note(error)
            repeated += 1
        if repeated and skip_invalid:
            _delete_repeated(imp.id)
            loaded -= repeated
    finally:
        report.close()

    minors: list[RowError] = []
    needs_mode = False
    rows: dict[int, int] = {}
    if not unusable:
        minors = _drop_minors(imp) if any_minor else []
        loaded -= len(minors)
        imp.rows_minor = len(minors)
        # Final: after repeats and minors left the import. Removed lines are not voters.
        rows, imp.rows_removed, imp.rows_deceased = entry_counts(imp.id)
        loaded -= imp.rows_removed
        imp.preview = district_preview(imp, rows)
    imp.rows_loaded, imp.rows_skipped = loaded, error_count
    imp.errors = [
        e.as_dict() for e in sorted(errors + minors, key=lambda e: e.line)[:MAX_ERRORS_KEPT]
    ]
    imp.finished_at = utcnow()
    imp.bytes_read = max(imp.bytes_total, read_bytes)
    accepted = not unusable and (not error_count or skip_invalid)
    if accepted and loaded == 0:
        errors.append(RowError(0, "file", _("The file has no voters.")))
        imp.errors = [e.as_dict() for e in errors]
        accepted = False
    if accepted and not imp.mode:
        if all(p["rows"] for p in imp.preview):
            imp.mode = "replace"
        elif not imp.confirm_first:  # a previewed upload asks for the mode on confirmation
            needs_mode, accepted = True, False
    if accepted:
        imp.report_path = report.path if error_count else None
        imp.preview = district_preview(imp, rows)  # with the mode's "after"
        if imp.confirm_first:
            imp.status = ImportStatus.PREVIEW  # loaded, inactive: confirm_import puts it live
        else:
            activate(imp, rows=rows)
    else:
        roll_partitions.drop_entries(imp.id)
        imp.status = ImportStatus.FAILED
        imp.rows_loaded = 0
    append_audit(
        "voter_roll.import",
        actor.id if actor else imp.created_by_id,
        "voter_roll_import",
        imp.id,
        imp.body_id,
        {
            "as_of": imp.as_of.isoformat(),
            "status": imp.status.value,
            "rows_loaded": imp.rows_loaded,
            "rows_skipped": error_count,
            "rows_minor": len(minors),
            "rows_removed": imp.rows_removed,
            "rows_deceased": imp.rows_deceased,
            "mode": imp.mode,
            "districts": imp.preview,
        },
    )
    db.session.flush()
    return ImportResult(
        imp,
        accepted,
        imp.rows_loaded,
        sorted(errors, key=lambda e: e.line),
        error_count,
        imp.report_path,
        minors,
        needs_mode,
        imp.rows_removed,
        imp.rows_deceased,
    )


# ------------------------------------------------- confirming a previewed upload


def _waiting_import(actor: User | None, import_id: int) -> VoterRollImport:
    # Locked and fresh: two commissioners pressing "confirm" at once must not both activate it.
    imp = db.session.get(VoterRollImport, import_id, with_for_update=True, populate_existing=True)
    if imp is None:
        raise NotFound(_("No such voter roll import."))
    _require_commissioner(actor, imp.body_id)
    if imp.status != ImportStatus.PREVIEW:
        raise Conflict(_("This voter roll is not waiting for confirmation."))
    return imp


def confirm_import(actor: User | None, import_id: int, mode: str = "") -> VoterRollImport:
    """Put a previewed upload in force: the commissioner has seen rows and voters per district.

    ``mode`` is needed when the file lacks some districts and the upload did not say (Invalid,
    field ``mode``). The preview is computed again first, so the "before" figures are those of
    the moment of confirmation. NotFound, Forbidden (another body), Conflict (not waiting).
    Appends an audit entry. Flushes; the caller commits.
    """
    imp = _waiting_import(actor, import_id)
    if not imp.mode:
        if mode not in MODES:
            raise Invalid(
                _("Choose what happens to the districts the file does not cover."), field="mode"
            )
        imp.mode = mode
    rows = voters_per_district(imp.id)
    imp.preview = district_preview(imp, rows)
    activate(imp, rows=rows)
    _audit_decision("voter_roll.confirmed", actor, imp)
    return imp


def discard_import(actor: User | None, import_id: int) -> VoterRollImport:
    """Decline a previewed upload: its entries are deleted, nothing of it was ever in use."""
    imp = _waiting_import(actor, import_id)
    roll_partitions.drop_entries(imp.id)
    imp.status = ImportStatus.DISCARDED
    imp.rows_loaded = 0
    _audit_decision("voter_roll.discarded", actor, imp)
    return imp


def _audit_decision(action: str, actor: User | None, imp: VoterRollImport) -> None:
    append_audit(
        action,
        actor.id if actor else None,
        "voter_roll_import",
        imp.id,
        imp.body_id,
        {"as_of": imp.as_of.isoformat(), "mode": imp.mode, "districts": imp.preview},
    )
    db.session.flush()


# ------------------------------------------------- minors (SQL, per import)


def latest_minor_birth(as_of: date) -> date:
    """The latest birth date of someone under ``ADULT_AGE`` on ``as_of`` is after this day."""
    day = date(as_of.year - ADULT_AGE, as_of.month, min(as_of.day, 28))
    while is_adult(day + timedelta(days=1), as_of):
        day += timedelta(days=1)
    return day


def _drop_minors(imp: VoterRollImport) -> list[RowError]:
    """Report and delete the entries of persons under 18 on the as-of date (not voters)."""
    young = sa.and_(
        VoterRollEntry.import_id == imp.id,
        VoterRollEntry.birth_date > latest_minor_birth(imp.as_of),
        VoterRollEntry.removal_reason.is_(None),  # a removed line is kept whatever its age
    )
    lines = db.session.scalars(
        sa.select(VoterRollEntry.line_number).where(young).order_by(VoterRollEntry.line_number)
    ).all()
    if not lines:
        return []
    db.session.execute(
        sa.delete(VoterRollEntry).where(young).execution_options(synchronize_session=False)
    )
    reason = _("Under 18 on %(date)s: not a voter, left out.", date=format_day(imp.as_of))
    return [RowError(line, "birth_date", reason) for line in lines]


def import_file(
    actor: User | None,
    body_id: int,
    as_of: date,
    path: str,
    *,
    skip_invalid: bool = False,
    mode: str = "",
    progress: Progress | None = None,
    checkpoint: Callable[[], None] | None = None,
    report_path: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
    on_chunk: Callable[[VoterRollImport], None] | None = None,
) -> ImportResult:
    """Create and load an import from a file on disk (CLI and job entry point)."""
    size = os.path.getsize(path)
    imp = create_import(
        actor, body_id, as_of, path, bytes_total=size, skip_invalid=skip_invalid, mode=mode
    )
    if checkpoint is not None:
        checkpoint()
    if skip_invalid and report_path is None:
        report_path = f"{path}.skipped-{imp.id}.csv"
    with open(path, "rb") as stream:
        return load_import(
            imp,
            stream,
            skip_invalid=skip_invalid,
            progress=progress,
            checkpoint=checkpoint,
            report_path=report_path,
            actor=actor,
            chunk_rows=chunk_rows,
            on_chunk=on_chunk,
        )


def import_estimate(imp: VoterRollImport, now: datetime | None = None) -> Estimate:
    """Rows, rate, percentage and time left of an import (by bytes read: the row count of a file
    is known only at its end); what ``flask voters import`` shows on a terminal, for the page."""
    end = imp.finished_at or now or utcnow()
    elapsed = max(0.0, (end - imp.created_at).total_seconds())
    done = imp.rows_read or imp.rows_loaded + imp.rows_skipped
    if imp.status != ImportStatus.LOADING:
        return estimate(done, elapsed, fraction=1.0)
    fraction = imp.bytes_read / imp.bytes_total if imp.bytes_total else None
    return estimate(done, elapsed, fraction=fraction)


def mark_import_failed(import_id: int) -> VoterRollImport | None:
    """Refuse an import whose load stopped on an unexpected error: its entries go. Flushes.

    For the job after it rolled the failed load back; None when the import row is gone.
    """
    imp = db.session.get(VoterRollImport, import_id)
    if imp is None:
        return None
    roll_partitions.drop_entries(import_id)
    imp.status, imp.finished_at = ImportStatus.FAILED, utcnow()
    imp.errors = [RowError(0, "file", _("The import stopped on an unexpected error.")).as_dict()]
    db.session.flush()
    return imp
