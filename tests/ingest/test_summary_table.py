"""Reading a hand-made establishment summary table (ingest/summary_table.py): figures as papers
print them, the precision kept, and clear findings for what cannot be read."""

from __future__ import annotations

from pathlib import Path

from tests.ingest.helpers import csv, write

from caseloads.ingest.findings import Finding, Findings
from caseloads.ingest.summary_table import SummaryTable, read_summary_table

HEADER = "role,establishment,permanent,agency,vacant,over_under"
LIMIT = 10_000_000


def read(tmp_path: Path, *lines: str, name: str = "paper.csv") -> SummaryTable:
    return read_summary_table(write(tmp_path, name, csv(*lines)), max_file_bytes=LIMIT)


def errors(findings: Findings) -> list[Finding]:
    return findings.errors


def test_figures_as_papers_print_them(tmp_path: Path) -> None:
    table = read(
        tmp_path,
        "Role, Establishment ,Permanent,Agency,Vacant,Over Under",  # header names normalised
        'Social workers,"1,234.5",1200,30.5,4,0',  # thousands separator
        "Team managers,8,7,2,-,(1.0)",  # nil dash, negative in brackets
        "Senior practitioners,4,3,1.5,0.5,−1.0",  # a minus sign (U+2212)
        "Total,1246.5,1210,34,4.5,–2",  # an en dash as minus
    )
    assert errors(table.findings) == []
    assert table.frame.select("_row", "role", "establishment", "vacant", "over_under").rows() == [
        (2, "Social workers", 1234.5, 4.0, 0.0),
        (3, "Team managers", 8.0, 0.0, -1.0),
        (4, "Senior practitioners", 4.0, 0.5, -1.0),
        (5, "Total", 1246.5, 4.5, -2.0),
    ]
    assert table.decimals == 1  # the most decimal places printed (1,234.5; 30.5; (1.0) ...)


def test_whole_numbers_have_no_decimals(tmp_path: Path) -> None:
    table = read(tmp_path, HEADER, "Social workers,10,8,1,1,0")
    assert table.decimals == 0


def test_bad_values_are_named_by_file_row_column_and_value(tmp_path: Path) -> None:
    table = read(
        tmp_path,
        HEADER,
        "Social workers,10,eight,1,1,0",  # not a number
        "Team managers,8,7,2,-1,0",  # a negative vacancy
        ",4,3,1,0,0",  # no role
        "Senior practitioners,4,3,1,,0",  # vacant empty
    )
    got = {(f.file, f.row, f.column, f.value, f.rule) for f in errors(table.findings)}
    assert got == {
        ("paper.csv", 2, "permanent", "eight", "type.number"),
        ("paper.csv", 3, "vacant", "-1", "range"),
        ("paper.csv", 4, "role", None, "required"),
        ("paper.csv", 5, "vacant", None, "required"),
    }


def test_missing_column_and_second_total(tmp_path: Path) -> None:
    missing = read(tmp_path, "role,establishment,permanent,agency,vacant", "A,1,1,0,0")
    assert [(f.rule, f.column) for f in errors(missing.findings)] == [
        ("column.missing", "over_under")
    ]
    twice = read(tmp_path, HEADER, "A,1,1,0,0,0", "Total,1,1,0,0,0", "grand  TOTAL,1,1,0,0,0")
    assert [(f.rule, f.row) for f in errors(twice.findings)] == [("duplicate.key", 4)]


def test_empty_and_missing_files(tmp_path: Path) -> None:
    empty = read(tmp_path, HEADER)
    assert empty.frame.height == 0
    assert [(f.severity, f.rule) for f in empty.findings] == [("warning", "file.no_rows")]
    gone = read_summary_table(tmp_path / "nowhere.csv", max_file_bytes=LIMIT)
    assert [(f.rule, f.file) for f in errors(gone.findings)] == [("file.missing", "nowhere.csv")]
