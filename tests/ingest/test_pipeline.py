"""The recruitment pipeline extract (pipeline.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from tests.ingest.helpers import P, assert_clean, assert_no_raw, assert_shapes, csv, write

from caseloads.ingest.extract import Extract
from caseloads.ingest.pipeline import read_pipeline
from caseloads.ingest.pseudonymise import local_namespace

HEADER = "candidate_ref,team,role,contract,fte,stage,stage_date,expected_start"
ROWS = (
    "C-001,Team North,social_worker,permanent,1,Offered,2024-05-01,2024-07-01",
    "C-002,,senior_practitioner,agency,0.6,applied,2024-05-03,",
)


def read(tmp_path: Path, text: str) -> Extract:
    path = write(tmp_path, "pipeline.csv", text)
    return read_pipeline(path, la_code="301", pseudonymiser=P, max_file_bytes=1_000_000)


def test_a_good_file(tmp_path: Path) -> None:
    extract = read(tmp_path, csv(HEADER, *ROWS))
    assert_clean(extract)
    assert_shapes(extract)
    ns = local_namespace("301", "candidate")
    assert extract.frames["pipeline"].rows() == [
        (
            P.one(ns, "C-001"),
            "Team North",
            "social_worker",
            "permanent",
            1.0,
            "offered",
            date(2024, 5, 1),
            date(2024, 7, 1),
        ),
        (
            P.one(ns, "C-002"),
            None,
            "senior_practitioner",
            "agency",
            0.6,
            "applied",
            date(2024, 5, 3),
            None,
        ),
    ]
    assert extract.teams is not None and extract.teams.rows() == [
        ("Team North", "Team North", None)
    ]
    assert_no_raw(extract, ["C-001", "C-002"])


@pytest.mark.parametrize(
    ("row", "rule", "column", "value"),
    [
        ("C-001,T,sw,permanent,1,offered,2024-05-02,", "duplicate.key", "candidate_ref", "A-999"),
        ("C-003,T,sw,permanent,1,interviewed,2024-05-02,", "code.unknown", "stage", "interviewed"),
        ("C-003,T,sw,zero_hours,1,offered,2024-05-02,", "code.unknown", "contract", "zero_hours"),
        ("C-003,T,sw,permanent,0,offered,2024-05-02,", "range", "fte", "0"),
        ("C-003,T,,permanent,1,offered,2024-05-02,", "required", "role", None),
        ("C-003,T,sw,permanent,1,offered,,", "required", "stage_date", None),
    ],
)
def test_each_rule(tmp_path: Path, row: str, rule: str, column: str, value: str | None) -> None:
    extract = read(tmp_path, csv(HEADER, *ROWS, row))
    (finding,) = extract.findings
    assert (finding.severity, finding.rule, finding.row, finding.column, finding.value) == (
        "error",
        rule,
        4,
        column,
        value,
    )
    assert_no_raw(extract, ["C-001"])
