"""Rendering result rows: CSV cells a spreadsheet would run are neutralised, numbers are not."""

from __future__ import annotations

import json
from datetime import date

import pytest

from caseloads.cli_support import emit, rows_to_csv, safe_csv_cell


@pytest.mark.parametrize("text", ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_text_gets_an_apostrophe(text: str) -> None:
    assert safe_csv_cell(text) == "'" + text


def test_numbers_and_plain_text_are_unchanged() -> None:
    assert safe_csv_cell(-2.5) == -2.5
    assert safe_csv_cell("Team A") == "Team A"
    assert safe_csv_cell(date(2025, 9, 30)) == "2025-09-30"


def test_csv_has_header_and_empty_cells_for_none() -> None:
    rows = [{"team": "=cmd", "fte": -1.5, "note": None}, {"team": "B", "fte": 2}]
    assert rows_to_csv(rows) == "team,fte,note\n'=cmd,-1.5,\nB,2,\n"


def test_json_is_the_rows_with_iso_dates(capsys: pytest.CaptureFixture[str]) -> None:
    emit([{"as_of": date(2025, 3, 31), "n": 3}], "json")
    assert json.loads(capsys.readouterr().out) == [{"as_of": "2025-03-31", "n": 3}]
