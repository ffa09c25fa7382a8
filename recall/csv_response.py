"""CSV downloads, answered the same way by every surface (the pages and the API)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from flask import Response


def csv_response(rows: Iterable[Sequence[Any]], filename: str) -> Response:
    """``rows`` (the header first) as a ``text/csv`` attachment named ``filename``."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
