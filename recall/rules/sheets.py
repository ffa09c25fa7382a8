"""Printed signature sheets: their numbers, lines and QR code (pure: no Flask, no database).

A sheet is numbered within its petition (the ``sheet`` column of paper entry). What is printed on
it, and what a clerk types to find it again, is the petition's number and the sheet's together,
``12-7``: one code names one sheet anywhere.
"""

from __future__ import annotations

import re

import segno

SHEET_LINES = 10  # lines per A4 sheet, under the grounds and the deputy's answer
MAX_SHEETS_PER_PRINT = 50
MAX_SHEET = 100_000  # as paper entry accepts (recall/services/signing/paper.py)
# What each line asks: the columns paper entry reads, then the voter's own signature.
SHEET_COLUMNS = ("full_name", "iin", "district_number", "signed_on", "signature")

_CODE = re.compile(r"\s*(?:№|No\.?)?\s*(\d{1,9})\s*[-/ ]\s*(\d{1,6})\s*")


def sheet_code(petition_id: int, sheet: int) -> str:
    """The code printed on a sheet: ``<petition>-<sheet>``."""
    return f"{petition_id}-{sheet}"


def parse_sheet_code(text: str | None) -> tuple[int, int] | None:
    """``(petition_id, sheet)`` from a code as typed (``12-7``, ``12/7``, ``№ 12 - 7``), or None."""
    match = _CODE.fullmatch(text or "")
    if match is None:
        return None
    petition_id, sheet = int(match.group(1)), int(match.group(2))
    if petition_id < 1 or not 1 <= sheet <= MAX_SHEET:
        return None
    return petition_id, sheet


def qr_svg(url: str, *, title: str) -> str:
    """A QR code of ``url`` as an inline ``<svg>`` (error correction M: a smudged print still
    scans) that scales with its box; ``title`` is its text alternative (segno escapes it)."""
    code = segno.make(url, error="m")
    return code.svg_inline(scale=4, border=2, omitsize=True, svgclass="qr", title=title)
