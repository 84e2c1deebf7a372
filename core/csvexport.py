"""CSV files that spreadsheets open as data, never as formulas.

A cell that starts with = + - @ (or a tab or carriage return) is run as a formula by Excel and
LibreOffice. Excel with Swedish settings splits a .csv on ";" rather than ","; a text such as
"Se tråden;=1+1;" can therefore start a cell in the middle of one of ours. So every cell is quoted,
and every place where a cell could begin (the start, and after any , ; tab or line break) that is
followed by a formula character gets an apostrophe in front of that character, which both programs
show as text. The file starts with a byte-order mark so Excel reads it as UTF-8.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable

from django.http import StreamingHttpResponse

FORMULA_START = "=+-@\t\r"
# A formula character at the start of the value or right after a delimiter Excel may split on (with
# any spaces between, which Excel skips).
_DANGER = re.compile(r"(^|[,;\t\r\n])([ ]*)([=+\-@])")


def safe_cell(value) -> str:
    """The value as text that no spreadsheet runs as a formula, wherever it splits the line."""
    text = "" if value is None else str(value)
    if text[:1] in ("\t", "\r"):
        text = "'" + text
    return _DANGER.sub(lambda m: f"{m.group(1)}{m.group(2)}'{m.group(3)}", text)


class _Echo:
    def write(self, value):
        return value


def csv_response(*, filename: str, header: list[str], rows: Iterable[Iterable]) -> StreamingHttpResponse:
    """A streamed CSV download: every cell quoted and neutralised (safe_cell), UTF-8 with a BOM."""
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)

    def lines():
        yield "\ufeff" + writer.writerow([safe_cell(h) for h in header])
        for row in rows:
            yield writer.writerow([safe_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
