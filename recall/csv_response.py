"""CSV downloads, answered the same way by every surface (the pages and the API)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from flask import Response, stream_with_context

# Rows written per chunk of a streamed download: large enough to keep the per-chunk cost small,
# small enough that a million-row export never holds more than a few hundred kilobytes.
STREAM_CHUNK_ROWS = 1000


def csv_response(rows: Iterable[Sequence[Any]], filename: str) -> Response:
    """``rows`` (the header first) as a ``text/csv`` attachment named ``filename``."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return _attachment(buffer.getvalue(), filename)


def streamed_csv_response(rows: Iterable[Sequence[Any]], filename: str) -> Response:
    """Like :func:`csv_response`, but written as the client reads: memory stays flat however
    many rows ``rows`` yields (a server-side cursor behind it keeps the database side flat)."""

    def chunks():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for n, row in enumerate(rows, 1):
            writer.writerow(row)
            if n % STREAM_CHUNK_ROWS == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return _attachment(stream_with_context(chunks()), filename)


def _attachment(body, filename: str) -> Response:
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
