"""Signatures collected on paper, entered by a commissioner of the petition's body.

Entry is a batch (a form of several lines, or a CSV file with columns
``sheet,line,full_name,iin,district_number[,signed_on][,channel]``). Every line gets the online
checks (name, IIN, age on the day of signing, the petition's district) plus a free sheet/line
position. The same entry takes signatures given in person, by post or by proxy (``channel``
``in_person``, ``post``, ``proxy``; no sheet or line): the channel is recorded on the signature,
and a channel the petition's rule does not allow is refused (``channels.require_channel``). A line
without its signing date is refused with reason code ``missing_date``: the date decides whether
it was signed in the period and the signer's age, and the day of entry is neither. A batch
with a bad line is refused whole, with every problem listed by line, and nothing is written,
unless ``skip_invalid`` is asked for, which enters the good lines and reports the others.

Paper signatures count as confirmed on entry: the commission itself is the identity check.
De-duplication against online and earlier paper signatures uses the same keyed IIN hash. A
duplicate is **recorded, not rejected**: the commission must account for every signature filed
(sampling formulas count duplicates), so the row is stored with ``duplicate_of_id`` pointing at
the voter's first signature and is not counted.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import gettext as _

from recall.errors import Forbidden, Invalid
from recall.extensions import db
from recall.i18n import format_day, local_zone
from recall.models.base import utcnow
from recall.models.body import District
from recall.models.petition import Petition, PetitionState
from recall.models.signature import CheckStatus, Signature, SignatureSource, SignatureStatus
from recall.models.user import User
from recall.services.audit import append_audit
from recall.services.fraud import iin_watch
from recall.services.iin_hash import hash_iin
from recall.services.lookup import get_or_raise
from recall.services.signing import channels, counting
from recall.services.signing.receipts import new_receipt
from recall.services.signing.signer_checks import check_full_name, check_iin

log = logging.getLogger(__name__)

CSV_COLUMNS = ("sheet", "line", "full_name", "iin", "district_number")
CSV_OPTIONAL = ("signed_on", "channel", "collector")
MAX_BATCH = 5000
MAX_SHEET, MAX_LINE = 1_000_000, 1_000


@dataclass
class PaperLine:
    """One signature as written on a sheet; values as typed. ``row`` numbers it in the report."""

    row: int
    sheet: str | int | None
    line: str | int | None
    full_name: str | None
    iin: str | None
    district_number: str | int | None
    signed_on: str | date | None = None
    # The channel the signature came through; None: the batch's (``paper`` unless told).
    channel: str | None = None
    # Who collected the line: the initiative group member or volunteer named on the sheet.
    collector: str | None = None
    # A problem with the line's shape found while reading a file (extra values, a NUL byte).
    problem: str | None = None


@dataclass(frozen=True)
class LineProblem:
    """One refused line; ``reason_code`` names a managed reason code where one applies."""

    row: int
    field: str
    message: str
    reason_code: str | None = None


class LineRefused(Invalid):
    """A line refused for a reason of the managed list (``reason_code``)."""

    def __init__(self, message: str, field: str, reason_code: str):
        super().__init__(message, field=field)
        self.reason_code = reason_code


class PaperBatchInvalid(Invalid):
    """A batch refused because of bad lines; ``problems`` lists each (nothing was written)."""

    def __init__(self, message: str, problems: list[LineProblem]):
        super().__init__(message, field="lines")
        self.problems = problems


@dataclass
class PaperReport:
    added: int = 0  # new signatures, counted
    duplicates: int = 0  # recorded with duplicate_of_id, not counted
    skipped: list[LineProblem] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)


@dataclass(frozen=True)
class _Checked:
    row: int
    sheet: int | None
    line: int | None
    channel: str
    full_name: str
    iin_hash: str
    birth_date: date
    signed_at: datetime
    collector: str | None = None


def _check_district(given, district: District) -> None:
    """The signer's district as written on the sheet: its number, or its code where the district
    has no number (or the code of a numbered one, which is the number as text)."""
    text = str(given if given is not None else "").strip()
    if not text:
        raise Invalid(_("Enter the signer's district number."), field="district_number")
    if district.number is not None:
        if _positive_int(text, 10**6) == district.number or text == district.code:
            return
        raise Invalid(
            _(
                "Only voters of district No. %(number)d may sign this petition.",
                number=district.number,
            ),
            field="district_number",
        )
    if text.casefold() != district.code.casefold():
        raise Invalid(
            _("Only voters of district %(code)s may sign this petition.", code=district.code),
            field="district_number",
        )


def _positive_int(value, upper: int) -> int | None:
    text = str(value if value is not None else "").strip()
    if not text.isdigit():
        return None
    number = int(text)
    return number if 1 <= number <= upper else None


_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


def _parse_date(value) -> date | None:
    """ISO ``YYYY-MM-DD`` or the local ``DD.MM.YYYY``; None when absent; ValueError when unreadable."""
    if value is None or isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    dotted = _DOTTED.fullmatch(text)
    if dotted:
        return date(int(dotted[3]), int(dotted[2]), int(dotted[1]))
    return date.fromisoformat(text)


def petition_for_entry(actor: User | None, petition_id: int) -> Petition:
    """The petition, if ``actor`` may enter paper signatures on it now; else ``NotFound``, ``Forbidden``
    (not a commissioner of its body) or ``Invalid`` (not collecting or just closed)."""
    petition = get_or_raise(
        Petition, petition_id, _("There is no such petition."), field="petition"
    )
    if actor is None or not actor.is_commissioner_of(petition.body_id):
        raise Forbidden(
            _("Only a commissioner of this petition's body may enter paper signatures.")
        )
    if (
        petition.state not in (PetitionState.COLLECTING, PetitionState.CLOSED)
        or petition.opens_at is None
    ):
        raise Invalid(
            _(
                "Paper signatures can be entered only while the petition is collecting or just closed."
            ),
            field="petition",
        )
    return petition


def _check_line(
    petition: Petition,
    item: PaperLine,
    now: datetime,
    period: tuple[date, date],
    taken: set[tuple[int, int]],
    channel: str,
) -> _Checked:
    """Check one line; raise ``Invalid`` naming the field."""
    if item.problem:
        raise Invalid(item.problem, field="row")
    today = counting.local_day(now)
    channel = (str(item.channel).strip() if item.channel is not None else "") or channel
    if channel not in channels.COMMISSION_CHANNELS:
        raise Invalid(
            _(
                "The commission enters signatures given on paper, in person, by post or by proxy "
                "(%(channels)s), not %(channel)s.",
                channels=", ".join(channels.COMMISSION_CHANNELS),
                channel=channel,
            ),
            field="channel",
        )
    channels.require_channel(channels.allowed_channels(petition), channel)
    if channel != "paper":
        if str(item.sheet or "").strip() or str(item.line or "").strip():
            raise Invalid(
                _(
                    "Sheet and line numbers are for paper sheets: leave them empty for a "
                    "signature given %(channel)s.",
                    channel=channels.channel_name(channel),
                ),
                field="sheet",
            )
        sheet = line = None
    else:
        sheet, line = _sheet_and_line(item, taken)
    name = check_full_name(item.full_name)
    try:
        signed_on = _parse_date(item.signed_on)
    except ValueError:
        raise Invalid(
            _("The date of signing must look like 2024-05-31 or 31.05.2024."), field="signed_on"
        ) from None
    if signed_on is None:
        # Dating it the day of entry would count a line whose period and age nobody can check.
        raise LineRefused(
            _("Enter the date the line was signed: a line without its date is not counted."),
            field="signed_on",
            reason_code="missing_date",
        )
    if signed_on is not None and not period[0] <= signed_on <= min(period[1], today):
        raise Invalid(
            _(
                "The date of signing must be within the signing period (%(start)s to %(end)s).",
                start=format_day(period[0]),
                end=format_day(period[1]),
            ),
            field="signed_on",
        )
    info = check_iin(item.iin, signed_on)
    _check_district(item.district_number, petition.district)
    zone = local_zone()
    # Noon of that day, kept inside the signing period and not in the future: on the first day
    # noon may come before registration, on the last day after closing, and verification
    # rejects a signature dated outside opens_at..closes_at.
    signed_at = min(
        max(datetime.combine(signed_on, time(12), zone), petition.opens_at),
        petition.closes_at,
        now,
    )
    return _Checked(
        item.row,
        sheet,
        line,
        channel,
        name,
        hash_iin(info.iin),
        info.birth_date,
        signed_at,
        _collector(item.collector),
    )


COLLECTOR_MAX = 200


def _collector(value) -> str | None:
    """The collector's name as written, spaces tidied (None when not given); ``Invalid`` when
    longer than ``COLLECTOR_MAX``."""
    name = " ".join(str(value or "").split())
    if len(name) > COLLECTOR_MAX:
        raise Invalid(
            _("The collector's name is longer than %(max)d characters.", max=COLLECTOR_MAX),
            field="collector",
        )
    return name or None


def _sheet_and_line(item: PaperLine, taken: set[tuple[int, int]]) -> tuple[int, int]:
    """A paper line's sheet and line numbers, free on this petition; else ``Invalid``."""
    sheet = _positive_int(item.sheet, MAX_SHEET)
    if sheet is None:
        raise Invalid(
            _("The sheet number must be a whole number from 1 to %(max)d.", max=MAX_SHEET),
            field="sheet",
        )
    line = _positive_int(item.line, MAX_LINE)
    if line is None:
        raise Invalid(
            _("The line number must be a whole number from 1 to %(max)d.", max=MAX_LINE),
            field="line",
        )
    if (sheet, line) in taken:
        raise Invalid(
            _("Sheet %(sheet)d, line %(line)d is already entered.", sheet=sheet, line=line),
            field="line",
        )
    return sheet, line


def add_paper_signatures(
    actor: User,
    petition_id: int,
    lines: list[PaperLine],
    *,
    skip_invalid: bool = False,
    now: datetime | None = None,
    channel: str = "paper",
) -> PaperReport:
    """Enter a batch of paper signatures on a petition as a commissioner of its body.

    ``channel`` (``paper``, ``in_person``, ``post`` or ``proxy``) is the channel of every line
    that names none; it is recorded on each signature, and a line whose channel the petition's
    rule does not allow is refused (field ``channel``). Only paper lines carry a sheet and line.

    Raises ``Forbidden`` (not a commissioner of the body), ``NotFound``, ``Invalid`` (petition not
    collecting or just closed; empty batch) or ``PaperBatchInvalid`` listing every bad line, with
    nothing written. With ``skip_invalid`` the good lines are entered and the bad ones reported in
    ``PaperReport.skipped``. Entered signatures are confirmed and counted; duplicates are recorded
    with ``duplicate_of_id``. Flushes.
    """
    now = now or utcnow()
    petition = petition_for_entry(actor, petition_id)
    if not lines:
        raise Invalid(_("Enter at least one signature."), field="lines")
    if len(lines) > MAX_BATCH:
        raise Invalid(
            _("A batch may hold at most %(max)d signatures; split the file.", max=MAX_BATCH),
            field="lines",
        )
    period = (counting.local_day(petition.opens_at), counting.local_day(petition.closes_at))
    taken = {
        (sheet, line)
        for sheet, line in db.session.execute(
            sa.select(Signature.paper_sheet, Signature.paper_line).where(
                Signature.petition_id == petition.id, Signature.source == SignatureSource.PAPER
            )
        )
    }
    checked: list[_Checked] = []
    problems: list[LineProblem] = []
    for item in lines:
        try:
            good = _check_line(petition, item, now, period, taken, channel)
        except Invalid as exc:
            code = getattr(exc, "reason_code", None)
            problems.append(LineProblem(item.row, exc.field or "", exc.message, code))
            continue
        if good.sheet is not None and good.line is not None:
            taken.add((good.sheet, good.line))
        checked.append(good)
    if problems and not skip_invalid:
        raise PaperBatchInvalid(
            _(
                "%(n)d of %(total)d lines have problems; nothing was entered. Correct them and "
                "send the batch again.",
                n=len(problems),
                total=len(lines),
            ),
            problems,
        )
    report = PaperReport(skipped=problems)
    per_day: dict[date, int] = {}
    for good in checked:
        signature = _store(petition, good, actor, now)
        report.signatures.append(signature)
        if signature.duplicate_of_id is None:
            report.added += 1
            day = counting.local_day(good.signed_at)
            per_day[day] = per_day.get(day, 0) + 1
        else:
            report.duplicates += 1
    for day, n in sorted(per_day.items()):
        counting.apply_count_change(petition.id, n, day, now=now)
    iin_watch.notify_watchers(petition.id, [good.iin_hash for good in checked], "paper")
    db.session.flush()
    append_audit(
        "paper.batch_entered",
        actor.id,
        "petition",
        petition.id,
        petition.body_id,
        {
            "added": report.added,
            "duplicates": report.duplicates,
            "skipped": len(problems),
            "signature_ids": [signature.id for signature in report.signatures],
        },
    )
    log.info(
        "paper batch on petition %r: %r added, %r duplicates, %r skipped",
        petition.id,
        report.added,
        report.duplicates,
        len(problems),
    )
    return report


def _store(petition: Petition, good: _Checked, actor: User, now: datetime) -> Signature:
    values = {
        "petition_id": petition.id,
        "iin_hash": good.iin_hash,
        "birth_date": good.birth_date,
        "full_name": good.full_name,
        "email": None,
        "district_id": petition.district_id,
        "source": channels.source_for(good.channel),
        "paper_sheet": good.sheet,
        "paper_line": good.line,
        "paper_collector": good.collector,
        "entered_by_id": actor.id,
        "status": SignatureStatus.CONFIRMED,
        "confirmed_at": now,
        "expires_at": None,
        "receipt_hash": new_receipt()[1],
        "email_count": 0,
        "check_status": CheckStatus.UNCHECKED,
        "created_at": good.signed_at,
    }
    new_id = db.session.scalar(
        counting.insert_for(Signature)
        .values(**values)
        .on_conflict_do_nothing(
            index_elements=["petition_id", "iin_hash"],
            index_where=Signature.duplicate_of_id.is_(None),
        )
        .returning(Signature.id)
    )
    if new_id is None:
        first = db.session.execute(
            sa.select(Signature.id, Signature.status)
            .where(
                Signature.petition_id == petition.id,
                Signature.iin_hash == good.iin_hash,
                Signature.duplicate_of_id.is_(None),
            )
            .with_for_update()
        ).one()
        new_id = db.session.scalar(
            sa.insert(Signature).values(duplicate_of_id=first.id, **values).returning(Signature.id)
        )
        if first.status in (SignatureStatus.PENDING, SignatureStatus.EXPIRED):
            # The voter's online signature was never confirmed, so it never counted: the paper one,
            # confirmed by the commission, is the voter's signature and the online one its duplicate
            # (re-pointed first, so the one-per-voter index never sees two unmarked rows).
            for row_id, points_to in ((first.id, new_id), (new_id, None)):
                db.session.execute(
                    sa.update(Signature)
                    .where(Signature.id == row_id)
                    .values(duplicate_of_id=points_to)
                    .execution_options(synchronize_session=False)
                )
    return db.session.get(Signature, new_id)


def parse_paper_csv(data: bytes | str) -> list[PaperLine]:
    """Read a CSV of paper signatures (UTF-8, with or without BOM; comma or semicolon separated).

    The header must name ``sheet,line,full_name,iin,district_number`` (or ``district_code``
    instead of the number) and may add ``signed_on``
    and ``channel`` (``paper``, ``in_person``, ``post``, ``proxy``; empty: the batch's).
    Rows are numbered by their line in the file (the header is line 1). Raises ``Invalid`` when
    the file is not readable or the header is wrong.
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise Invalid(
                _("The file must be UTF-8 text (save the spreadsheet as CSV UTF-8)."), field="file"
            ) from None
    data = data.lstrip("\ufeff")
    if not data.strip():
        raise Invalid(_("The file is empty."), field="file")
    first_line = data.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(data), delimiter=delimiter)
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    # A district known only by its code (a real Popolo import) is written in a ``district_code``
    # column, as the voter roll names it; ``_check_district`` takes a code in either column.
    if "district_code" in header and "district_number" not in header:
        header = ["district_number" if name == "district_code" else name for name in header]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise Invalid(
            _(
                "The first line must name the columns %(columns)s; missing: %(missing)s.",
                columns=",".join(CSV_COLUMNS) + "[,signed_on][,channel][,collector]",
                missing=", ".join(missing),
            ),
            field="file",
        )
    reader.fieldnames = header
    lines = []
    for record in reader:
        if not any(
            (v or "").strip() for k, v in record.items() if k is not None and isinstance(v, str)
        ):
            continue
        lines.append(
            PaperLine(
                row=reader.line_num,
                problem=_shape_problem(record, len(header)),
                sheet=record.get("sheet"),
                line=record.get("line"),
                full_name=record.get("full_name"),
                iin=record.get("iin"),
                district_number=record.get("district_number"),
                signed_on=record.get("signed_on"),
                channel=record.get("channel"),
                collector=record.get("collector"),
            )
        )
    return lines


def _shape_problem(record: dict, columns: int) -> str | None:
    """Why a CSV record cannot be read as a line, or None: more values than columns, or a NUL."""
    extra = record.get(None)
    if extra:
        return _(
            "The line has %(got)d values, the header names %(want)d columns.",
            got=columns + len(extra),
            want=columns,
        )
    if any("\x00" in value for value in record.values() if isinstance(value, str)):
        return _("The line contains a NUL character.")
    return None


def import_paper_csv(
    actor: User,
    petition_id: int,
    data: bytes | str,
    *,
    skip_invalid: bool = False,
    now: datetime | None = None,
    channel: str = "paper",
) -> PaperReport:
    """Parse a CSV (see :func:`parse_paper_csv`) and enter it with :func:`add_paper_signatures`."""
    petition_for_entry(actor, petition_id)  # refuse outsiders before reading their file
    return add_paper_signatures(
        actor,
        petition_id,
        parse_paper_csv(data),
        skip_invalid=skip_invalid,
        now=now,
        channel=channel,
    )
