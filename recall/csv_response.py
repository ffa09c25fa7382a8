"""CSV downloads, answered the same way by every surface (the pages and the API).

Every download is UTF-8; ``?bom=1`` puts a byte-order mark first, so spreadsheet programs that
guess the encoding read Cyrillic and Kazakh letters right. Dates and times are ISO 8601.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from flask import Response, has_request_context, request, stream_with_context

# Rows written per chunk of a streamed download: large enough to keep the per-chunk cost small,
# small enough that a million-row export never holds more than a few hundred kilobytes.
STREAM_CHUNK_ROWS = 1000
BOM = "\ufeff"


def wants_bom() -> bool:
    """True when the request asks for a byte-order mark (``?bom=1``)."""
    return has_request_context() and request.args.get("bom") == "1"


def csv_response(rows: Iterable[Sequence[Any]], filename: str) -> Response:
    """``rows`` (the header first) as a ``text/csv`` attachment named ``filename``."""
    buffer = io.StringIO()
    if wants_bom():
        buffer.write(BOM)
    csv.writer(buffer).writerows(rows)
    return _attachment(buffer.getvalue(), filename)


def streamed_csv_response(rows: Iterable[Sequence[Any]], filename: str) -> Response:
    """Like :func:`csv_response`, but written as the client reads: memory stays flat however
    many rows ``rows`` yields (a server-side cursor behind it keeps the database side flat)."""

    bom = wants_bom()

    def chunks():
        buffer = io.StringIO()
        if bom:
            buffer.write(BOM)
        writer = csv.writer(buffer)
        for n, row in enumerate(rows, 1):
            writer.writerow(row)
            if n % STREAM_CHUNK_ROWS == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return _attachment(stream_with_context(chunks()), filename)


def streamed_csv_text(chunks: Iterable[str], filename: str) -> Response:
    """CSV already formatted (by the database's COPY, say) sent chunk by chunk as it comes."""
    bom = wants_bom()

    def body():
        if bom:
            yield BOM
        yield from chunks

    return _attachment(stream_with_context(body()), filename)


def _attachment(body, filename: str) -> Response:
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
