"""The absences extract (absences.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from tests.ingest.helpers import P, assert_clean, assert_no_raw, assert_shapes, csv, write

from caseloads.ingest.absences import read_absences
from caseloads.ingest.extract import Extract
from caseloads.ingest.pseudonymise import local_namespace

HEADER = "worker_ref,start_date,end_date,working_days_lost,reason"
ROWS = (
    "W001,2024-01-08,2024-01-12,5,SIC",
    "W002,2024-02-01,,0,mat",
    "W001,15/03/2024,15/03/2024,0.5,Trn",
)


def read(tmp_path: Path, text: str) -> Extract:
    path = write(tmp_path, "absences.csv", text)
    return read_absences(path, la_code="301", pseudonymiser=P, max_file_bytes=1_000_000)


def test_a_good_file(tmp_path: Path) -> None:
    extract = read(tmp_path, csv(HEADER, *ROWS))
    assert_clean(extract)
    assert_shapes(extract)
    ns = local_namespace("301", "worker")
    assert extract.frames["absences"].rows() == [
        (P.one(ns, "W001"), date(2024, 1, 8), date(2024, 1, 12), 5.0, "SIC"),
        (P.one(ns, "W002"), date(2024, 2, 1), None, 0.0, "MAT"),
        (P.one(ns, "W001"), date(2024, 3, 15), date(2024, 3, 15), 0.5, "TRN"),
    ]
    assert extract.teams is not None and extract.teams.height == 0
    assert_no_raw(extract, ["W001", "W002"])


@pytest.mark.parametrize(
    ("row", "rule", "column"),
    [
        ("W1,2024-01-08,2024-01-12,5,FLU", "code.unknown", "reason"),
        ("W1,2024-01-08,2024-01-12,-1,SIC", "range", "working_days_lost"),
        ("W1,2024-01-08,2024-01-12,,SIC", "required", "working_days_lost"),
        ("W1,2024-01-08,2024-01-07,1,SIC", "date.order", "end_date"),
        ("W1,08/13/2024,,1,SIC", "type.date", "start_date"),
    ],
)
def test_each_rule(tmp_path: Path, row: str, rule: str, column: str) -> None:
    (finding,) = read(tmp_path, csv(HEADER, *ROWS, row)).findings
    assert (finding.severity, finding.rule, finding.row, finding.column) == (
        "error",
        rule,
        5,
        column,
    )
