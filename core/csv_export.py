"""CSV downloads that a spreadsheet opens as text, never as formulas.

Excel reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before
one) as a formula. Which character splits cells depends on the reader: Swedish Excel uses ``;``,
English Excel ``,``, and a text import may use a tab or ``|``. A cell that is one cell for us can
therefore be split into several by the reader, and a note such as ``Se tråden;=1+1;`` becomes a
formula cell when the file is opened in Swedish Excel. So:

- every cell is quoted (``csv.QUOTE_ALL``), which keeps it one cell in every reader that honours
  quotes, and
- :func:`safe_cell` puts ``'`` before every character that could start a formula at the start of the
  cell *and* after every character any reader may split on (``,`` ``;`` tab ``|`` and line breaks),
  also when spaces or quotes stand between them, so no piece of the cell starts a formula however the
  file is split.

Use :func:`csv_response` for every CSV download (any app may import it)::

    from core.csv_export import csv_response

    return csv_response(filename="logg.csv", header=["tid", "vem"], rows=((a.at, a.who) for a in qs))

The response streams, starts with a UTF-8 byte order mark (so Excel reads UTF-8), is an attachment
and is never stored by a browser or proxy (``Cache-Control: no-store``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence

from django.http import StreamingHttpResponse
from django.utils.cache import patch_cache_control

# What starts a formula in Excel, LibreOffice or Google Sheets (OWASP "CSV injection"), including the
# full-width forms that some of them read as the ASCII characters.
FORMULA_STARTS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
# What any of those readers may split a cell on: the list separators of the common locales, the tab
# of a text import, the pipe, and line breaks.
CELL_SEPARATORS = frozenset(",;\t|\r\n")
# May stand between a separator and a formula start without stopping the formula.
_TRANSPARENT = frozenset(' "')
DELIMITERS = (",", ";", "\t")


def safe_cell(value) -> str:
    """The value as text in which no piece, however a reader splits it, starts a formula.

    None becomes an empty string; ``'`` goes before each formula-starting character that stands at
    the start or right after a separator (spaces and quotes in between do not count)."""
    text = "" if value is None else str(value)
    out: list[str] = []
    at_start = True
    for ch in text:
        if at_start and ch in FORMULA_STARTS:
            out.append("'")
        out.append(ch)
        if ch in CELL_SEPARATORS:
            at_start = True
        elif ch not in _TRANSPARENT:
            at_start = False
    return "".join(out)


class _Echo:
    """A file-like object whose write() returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def csv_lines(*, header: Sequence, rows: Iterable[Sequence], delimiter: str = ",") -> Iterator[str]:
    """The CSV text line by line: a byte order mark, the header, then each row; every cell quoted and
    passed through safe_cell()."""
    if delimiter not in DELIMITERS:
        raise ValueError(f"unsupported CSV delimiter {delimiter!r}")
    writer = csv.writer(_Echo(), delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    yield "\ufeff" + writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])


def csv_response(*, filename: str, header: Sequence, rows: Iterable[Sequence],
                 delimiter: str = ",") -> StreamingHttpResponse:
    """A streaming CSV download (see the module docstring). ``filename`` must be plain ASCII without
    quotes; ``rows`` may be a generator (it is consumed while the response is sent)."""
    if not filename.isascii() or any(ch in filename for ch in '"\\/\r\n;'):
        raise ValueError("the CSV file name must be plain ASCII without quotes, slashes or separators")
    response = StreamingHttpResponse(csv_lines(header=header, rows=rows, delimiter=delimiter),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    patch_cache_control(response, no_store=True, private=True)
    return response
