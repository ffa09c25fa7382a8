from __future__ import annotations

import segno

from recall.rules.sheets import parse_sheet_code, qr_svg, sheet_code


def test_a_sheet_code_reads_back_however_it_is_typed():
    assert sheet_code(12, 7) == "12-7"
    for typed in ("12-7", "12/7", " № 12 - 7 ", "No. 12-0007", "12 7"):
        assert parse_sheet_code(typed) == (12, 7), typed
    for bad in ("", None, "12", "12-0", "0-3", "12-7-1", "abc", "12-1000000"):
        assert parse_sheet_code(bad) is None, bad


def test_the_qr_code_is_inline_svg_with_a_text_alternative():
    svg = qr_svg("https://recall.example/petitions/12", title="Petition <12>")
    assert svg.startswith("<svg") and "<title>Petition &lt;12&gt;</title>" in svg
    assert "width=" not in svg.split(">", 1)[0]  # scales with its box on the printed page
    # The same symbol segno makes for the URL: it encodes the petition's address.
    expected = segno.make("https://recall.example/petitions/12", error="m")
    assert expected.designator in ("2-M", "3-M")
