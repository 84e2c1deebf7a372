"""CSV downloads cannot smuggle a formula into a spreadsheet, whichever character the spreadsheet
splits cells on (core/csv_export.py): Swedish Excel splits on ``;``, English on ``,``."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from core.csv_export import CELL_SEPARATORS, FORMULA_STARTS, csv_lines, csv_response, safe_cell
from moderation import services
from moderation.tests.workspace_helpers import arrive

HOSTILE = [
    "Se tråden;=1+1;",
    "Se tråden,=1+1,",
    "ok; =HYPERLINK(\"http://x\";\"klicka\")",
    "=cmd|' /C calc'!A0",
    "a\t=1+1",
    "a|@SUM(1)",
    "rad ett\n-2+3",
    'citat;"=1+1"',
    "+46 240 860 00",
    "\uff1d1+1",
    "\t\r=1",
]


def _pieces(text: str, delimiter: str) -> list[str]:
    """The cells a spreadsheet would make of the file with this delimiter: once honouring quotes (as
    Excel does), once ignoring them (a careless import)."""
    try:
        quoted = [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for cell in row]
    except csv.Error:  # a line break inside what this delimiter leaves unquoted: read line by line
        quoted = [cell for line in text.splitlines() for row in csv.reader([line], delimiter=delimiter)
                  for cell in row]
    naive = [piece for line in text.splitlines() for piece in line.split(delimiter)]
    return quoted + naive


def _starts_a_formula(cell: str) -> bool:
    return cell.lstrip('\ufeff "')[:1] in FORMULA_STARTS - {"\t", "\r"}


def _no_formula_in(text: str) -> None:
    for delimiter in (",", ";", "\t", "|"):
        bad = [cell for cell in _pieces(text, delimiter) if _starts_a_formula(cell)]
        assert not bad, f"split on {delimiter!r} these cells start a formula: {bad}"


@given(st.text(alphabet=st.sampled_from(sorted(FORMULA_STARTS | CELL_SEPARATORS | set(' "ab1'))), max_size=40))
def test_no_piece_of_a_safe_cell_starts_a_formula_however_it_is_split(value):
    cell = safe_cell(value)
    assert cell.replace("'", "") == value.replace("'", ""), "only apostrophes are added"
    pieces = [cell]
    for separator in CELL_SEPARATORS:
        pieces = [part for piece in pieces for part in piece.split(separator)]
    assert not [p for p in pieces if p.lstrip(' "')[:1] in FORMULA_STARTS]


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_a_file_written_with_either_delimiter_is_safe_when_split_on_any(delimiter):
    text = "".join(csv_lines(header=["id", "text"], rows=[(n, value) for n, value in enumerate(HOSTILE)],
                             delimiter=delimiter))
    assert text.startswith("\ufeff")
    _no_formula_in(text)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter))
    assert [row[1].replace("'", "") for row in rows[1:]] == [v.replace("'", "") for v in HOSTILE]
    assert rows[1][1] == "Se tråden;'=1+1;"


def test_the_download_is_a_quoted_attachment_that_is_not_stored():
    response = csv_response(filename="logg.csv", header=["a"], rows=[("x",)])
    assert response["Content-Disposition"] == 'attachment; filename="logg.csv"'
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).decode() == '\ufeff"a"\r\n"x"\r\n'
    with pytest.raises(ValueError):
        csv_response(filename='x".csv', header=[], rows=[])


@pytest.mark.django_db
@pytest.mark.parametrize("motivation", [*HOSTILE[:3], 'ok; "=1+1"'])
def test_the_audit_export_opens_without_formulas_in_swedish_and_english_excel(client, channel, representative,
                                                                              informator, motivation):
    entry = arrive(channel)
    services.entry_no_action(user=representative, entry=entry, motivation=motivation)
    client.force_login(informator)
    response = client.get(reverse("moderation-audit-csv"), {"action": "no_action"})
    assert "no-store" in response["Cache-Control"]
    text = b"".join(response.streaming_content).decode("utf-8")
    _no_formula_in(text)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    assert rows[0][0] == "tid" and rows[1][7].replace("'", "") == motivation.replace("'", "")
