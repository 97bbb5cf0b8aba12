"""The staff extract (staff.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from tests.ingest.helpers import P, assert_clean, assert_no_raw, assert_shapes, csv, found, write

from caseloads.ingest.extract import Extract
from caseloads.ingest.pseudonymise import local_namespace, swe_namespace
from caseloads.ingest.staff import read_staff

HEADER = (
    "worker_ref,swe_number,post_id,team,role,org_role,contract,fte,start_date,end_date,"
    "leaving_reason,qualified_date,asye_start"
)
ROWS = (
    "W001,SW1234567890,P-10,Team North,social_worker,5,Permanent,1,2020-01-06,2021-12-31,,"
    "2019-07-01,2019-09-01",
    "W001,sw 1234567890,P-11,Team South,senior_practitioner,4,permanent,0.8,2022-01-01,,,,",
    "W002,SW0987654321,,Team North,social_worker,,Fixed Term,0.5,01/02/2023,,,2022-06-30,",
    "A77,,,Team South,agency_social_worker,5,agency,1.0,2023-03-01,2023-08-31,8,,",
)
WORKER = local_namespace("301", "worker")


def read(tmp_path: Path, text: str, la_code: str | None = "301") -> Extract:
    path = write(tmp_path, "staff.csv", text)
    return read_staff(path, la_code=la_code, pseudonymiser=P, max_file_bytes=1_000_000)


def with_row(row: str) -> str:
    return csv(HEADER, *ROWS, row)


def test_a_good_file(tmp_path: Path) -> None:
    extract = read(tmp_path, csv(HEADER, *ROWS))
    assert_clean(extract)
    assert_shapes(extract)
    assert extract.kind == "staff" and extract.la_code == "301" and extract.scope == ""
    assert [f.name for f in extract.files] == ["staff.csv"]
    workers = extract.frames["workers"]
    assert workers.rows() == [
        (
            P.one(WORKER, "W001"),
            P.one(swe_namespace(), "SW1234567890"),
            date(2019, 7, 1),
            date(2019, 9, 1),
        ),
        (P.one(WORKER, "W002"), P.one(swe_namespace(), "SW0987654321"), date(2022, 6, 30), None),
        (P.one(WORKER, "A77"), None, None, None),
    ]
    a = extract.frames["assignments"]
    assert a.get_column("worker_id").to_list() == [
        P.one(WORKER, r) for r in ("W001", "W001", "W002", "A77")
    ]
    assert a.get_column("post_id").to_list() == ["P-10", "P-11", None, None]
    assert a.get_column("team_id").to_list() == [
        "Team North",
        "Team South",
        "Team North",
        "Team South",
    ]
    assert a.get_column("contract").to_list() == ["permanent", "permanent", "fixed_term", "agency"]
    assert a.get_column("org_role").to_list() == [5, 4, None, 5]
    assert a.get_column("fte").to_list() == [1.0, 0.8, 0.5, 1.0]
    assert a.get_column("start_date").to_list()[2] == date(2023, 2, 1)
    assert a.get_column("end_date").to_list() == [date(2021, 12, 31), None, None, date(2023, 8, 31)]
    assert a.get_column("leaving_reason").to_list() == [None, None, None, 8]
    assert extract.teams is not None
    assert extract.teams.rows() == [
        ("Team North", "Team North", None),
        ("Team South", "Team South", None),
    ]
    assert_no_raw(extract, ["W001", "W002", "A77", "1234567890", "0987654321"])


@pytest.mark.parametrize(
    ("row", "rule", "column", "value"),
    [
        ("W9,,,T,sw,5,temp,1,2024-01-01,,,,", "code.unknown", "contract", "temp"),
        ("W9,,,T,sw,7,permanent,1,2024-01-01,,,,", "range", "org_role", "7"),
        ("W9,,,T,sw,5,permanent,1,2024-01-01,,11,,", "range", "leaving_reason", "11"),
        ("W9,,,T,sw,5,permanent,1.6,2024-01-01,,,,", "range", "fte", "1.6"),
        ("W9,,,T,sw,5,permanent,full,2024-01-01,,,,", "type.number", "fte", "full"),
        ("W9,,,T,sw,5,permanent,1,2024-13-01,,,,", "type.date", "start_date", "2024-13-01"),
        ("W9,,,T,sw,5,permanent,1,,,,,", "required", "start_date", None),
        (",,,T,sw,5,permanent,1,2024-01-01,,,,", "required", "worker_ref", None),
        ("W9,,,,sw,5,permanent,1,2024-01-01,,,,", "required", "team", None),
        (
            "W9,,,T,sw,5,permanent,1,2024-01-02,2024-01-01,,,",
            "date.order",
            "end_date",
            "2024-01-01 is before 2024-01-02",
        ),
        (
            "W002,SW0987654321,,T,sw,5,permanent,1,2020-01-01,2020-12-31,,2022-07-01,",
            "conflict",
            "qualified_date",
            "2022-07-01 (earlier: 2022-06-30)",
        ),
        (
            "W002,SW0987654322,,T,sw,5,permanent,1,2020-01-01,2020-12-31,,,",
            "conflict",
            "swe_number",
            "AA9999999999 (earlier: AA9999999999)",
        ),
    ],
)
def test_each_rule(tmp_path: Path, row: str, rule: str, column: str, value: str | None) -> None:
    extract = read(tmp_path, with_row(row))
    (finding,) = extract.findings.errors
    assert (finding.rule, finding.row, finding.column, finding.value) == (rule, 6, column, value)
    assert finding.file == "staff.csv"
    assert_shapes(extract)


def test_overlapping_assignments_are_a_warning(tmp_path: Path) -> None:
    # The CSWW guide covers staff holding two roles at once (e.g. 0.5 FTE in each of two teams):
    # both rows are kept and counted, with a warning so the analyst can check it is intended.
    extract = read(tmp_path, with_row("W002,,,T,sw,5,permanent,1,2023-06-01,,,,"))
    assert not extract.findings.has_errors()
    (finding,) = found(extract, "overlap", "warning")
    assert (finding.row, finding.column, finding.value) == (6, "start_date", "overlaps from row 4")
    assert extract.frames["assignments"].height == 5


def test_swe_shape_is_only_a_warning(tmp_path: Path) -> None:
    extract = read(tmp_path, with_row("W9,SW54321,,T,sw,5,permanent,1,2024-01-01,,,,"))
    assert not extract.findings.has_errors()
    (finding,) = found(extract, "swe.shape", "warning")
    assert (finding.row, finding.column, finding.value) == (6, "swe_number", "AA99999")
    assert_no_raw(extract, ["SW54321"])


def test_missing_columns_are_reported_once_each(tmp_path: Path) -> None:
    header = HEADER.replace(",asye_start", "").replace("fte,", "")
    extract = read(tmp_path, csv(header, "W1,,,T,sw,5,permanent,2024-01-01,,,"))
    got = sorted((f.severity, f.rule, f.row, f.column) for f in extract.findings)
    assert got == [
        ("error", "column.missing", 1, "asye_start"),
        ("error", "column.missing", 1, "fte"),
    ]
    assert_shapes(extract)
