"""Spreadsheet-safe exports: what users typed stays text in every spreadsheet program.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, or that holds a list
separator (``,`` or ``;``) followed by one of those, could be read as a formula; such a cell is
prefixed with an apostrophe. CSV files carry a UTF-8 byte-order mark so that Excel opens
Vietnamese, Japanese and Korean text correctly.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

_FORMULA_START = re.compile(r"^[=+\-@\t\r]|[,;][\s]*[=+\-@]")


def safe_cell(value: object) -> object:
    """A value as it may go into a spreadsheet cell; numbers pass through unchanged."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str):
        return value
    if _FORMULA_START.search(value):
        return "'" + value
    return value


def csv_response(
    *, filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """A UTF-8 (with BOM) CSV download with every cell made safe."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL)
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
