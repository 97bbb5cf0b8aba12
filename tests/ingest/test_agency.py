"""The agency extract (agency.py): the facts for the DfE agency rules (definitions.md §2)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from tests.ingest.helpers import P, assert_clean, assert_no_raw, assert_shapes, csv, found, write

from caseloads.ingest.agency import read_agency
from caseloads.ingest.extract import Extract
from caseloads.ingest.pseudonymise import local_namespace

HEADER = (
    "worker_ref,agency,role,start_date,end_date,hourly_rate,qualified_date,"
    "months_post_qualifying_la_experience,last_substantive_employer_region,"
    "last_substantive_end_date,references_received"
)
ROWS = (
    "A100,Acme Social Care,social worker,2025-01-06,,45.50,2019-07-01,40,South East,2024-06-30,2",
    "A101,Acme Social Care,Team Manager,03/02/2025,2026-06-30,,,,,,",
    "A102,Beta Locums,IRO,2025-02-03,,55,2015-01-01,96,wales,2025-01-31,3",
    "A103,Beta Locums,assistant team manager,2025-03-03,,52,2012-09-01,120,E12000007,2024-01-31,2",
)
WORKER = local_namespace("301", "worker")


def read(tmp_path: Path, text: str, la_code: str | None = "301") -> Extract:
    path = write(tmp_path, "agency.csv", text)
    return read_agency(path, la_code=la_code, pseudonymiser=P, max_file_bytes=1_000_000)


def test_a_good_file(tmp_path: Path) -> None:
    extract = read(tmp_path, csv(HEADER, *ROWS))
    assert_clean(extract)
    assert_shapes(extract)
    assert extract.kind == "agency" and extract.la_code == "301" and extract.scope == ""
    rows = extract.frames["agency_placements"].rows()
    assert rows[0] == (
        P.one(WORKER, "A100"),
        "Acme Social Care",
        "social_worker",
        date(2025, 1, 6),
        None,
        45.5,
        date(2019, 7, 1),
        40,
        "South East",
        date(2024, 6, 30),
        2,
        None,
    )
    # Empty facts load as empty (the checks say they could not be made), not as zero.
    assert rows[1] == (
        P.one(WORKER, "A101"),
        "Acme Social Care",
        "team_manager",
        date(2025, 2, 3),
        date(2026, 6, 30),
        *([None] * 7),
    )
    # The guidance's own names for the job types, and region names or ONS codes, are accepted.
    assert [r[2] for r in rows[2:]] == ["iro_cp_chair", "advanced_practitioner"]
    assert [r[8] for r in rows[2:]] == ["Wales", "London"]


def test_the_worker_is_the_staff_extracts_pseudonymous_id(tmp_path: Path) -> None:
    extract = read(tmp_path, csv(HEADER, *ROWS))
    ids = extract.frames["agency_placements"].get_column("worker_id").to_list()
    assert ids == [P.one(WORKER, ref) for ref in ("A100", "A101", "A102", "A103")]
    assert_no_raw(extract, ["A100", "A101", "A102", "A103"])


def test_the_cooling_off_exception_column_is_optional(tmp_path: Path) -> None:
    extract = read(
        tmp_path,
        csv(
            HEADER + ",cooling_off_exception",
            "A1,Acme,social_worker,2025-01-06,,40,2019-07-01,40,South East,2024-12-31,2,Redundancy",
            "A2,Acme,social_worker,2025-01-06,,40,2019-07-01,40,South East,2024-12-31,2,",
        ),
    )
    assert_clean(extract)
    column = extract.frames["agency_placements"].get_column("cooling_off_exception")
    assert column.to_list() == ["redundancy", None]


@pytest.mark.parametrize(
    ("row", "rule", "column", "value"),
    [
        (
            "A9,Acme,family support worker,2025-01-06,,,,,,,",
            "code.unknown",
            "role",
            "family support worker",
        ),
        ("A9,Acme,social_worker,2025-01-06,,4550,,,,,", "range", "hourly_rate", "4550"),
        ("A9,Acme,social_worker,2025-01-06,,0,,,,,", "range", "hourly_rate", "0"),
        ("A9,Acme,social_worker,2025-01-06,,£45,,,,,", "type.number", "hourly_rate", "£45"),
        (
            "A9,Acme,social_worker,2025-01-06,,,,3.5,,,",
            "type.number",
            "months_post_qualifying_la_experience",
            "3.5",
        ),
        (
            "A9,Acme,social_worker,2025-01-06,,,,-1,,,",
            "range",
            "months_post_qualifying_la_experience",
            "-1",
        ),
        ("A9,Acme,social_worker,2025-01-06,,,,,,,two", "type.number", "references_received", "two"),
        (
            "A9,Acme,social_worker,2025-01-06,,,,,Narnia,,",
            "code.unknown",
            "last_substantive_employer_region",
            "Narnia",
        ),
        (
            "A9,Acme,social_worker,2025-01-06,,,,,,31/02/2024,",
            "type.date",
            "last_substantive_end_date",
            "31/02/2024",
        ),
        (
            "A9,Acme,social_worker,2025-01-06,2024-12-01,,,,,,",
            "date.order",
            "end_date",
            "2024-12-01 is before 2025-01-06",
        ),
        ("A9,,social_worker,2025-01-06,,,,,,,", "required", "agency", None),
        ("A9,Acme,social_worker,,,,,,,,", "required", "start_date", None),
        (
            "A100,Acme,social_worker,2025-01-06,,,2019-07-02,,,,",
            "conflict",
            "qualified_date",
            "2019-07-02 (earlier: 2019-07-01)",
        ),
    ],
)
def test_each_error(tmp_path: Path, row: str, rule: str, column: str, value: str | None) -> None:
    extract = read(tmp_path, csv(HEADER, *ROWS, row))
    (finding,) = extract.findings.errors
    assert (finding.file, finding.rule, finding.row, finding.column, finding.value) == (
        "agency.csv",
        rule,
        6,
        column,
        value,
    )


def test_a_missing_worker_ref_is_required_and_shows_no_identifier(tmp_path: Path) -> None:
    extract = read(tmp_path, csv(HEADER, ",Acme,social_worker,2025-01-06,,,,,,,"))
    assert [(f.rule, f.row, f.column) for f in extract.findings.errors] == [
        ("required", 2, "worker_ref")
    ]


def test_a_missing_column_refuses_the_file(tmp_path: Path) -> None:
    header = HEADER.replace(",references_received", "")
    extract = read(tmp_path, csv(header, "A1,Acme,social_worker,2025-01-06,,,,,,"))
    (finding,) = extract.findings.errors
    assert (finding.rule, finding.row, finding.column) == (
        "column.missing",
        1,
        "references_received",
    )


def test_overlapping_assignments_of_one_worker_are_a_warning(tmp_path: Path) -> None:
    extract = read(
        tmp_path, csv(HEADER, *ROWS, "A100,Other,social_worker,2025-03-01,2025-05-31,,,,,,")
    )
    assert not extract.findings.errors
    (finding,) = found(extract, "overlap", "warning")
    assert (finding.row, finding.value) == (6, "overlaps from row 2")


def test_more_experience_than_time_since_qualifying_is_a_warning(tmp_path: Path) -> None:
    # Qualified 2024-01-01, started 2025-02-03: 13 whole months, but 50 recorded.
    extract = read(tmp_path, csv(HEADER, "A5,Beta,social_worker,2025-02-03,,40,2024-01-01,50,,,"))
    (finding,) = extract.findings
    assert (finding.severity, finding.rule, finding.row, finding.column, finding.value) == (
        "warning",
        "experience.exceeds",
        2,
        "months_post_qualifying_la_experience",
        "50 months; 13 months from qualifying to the start",
    )


def test_no_authority_is_an_error(tmp_path: Path) -> None:
    extract = read(tmp_path, csv(HEADER, *ROWS), la_code=None)
    assert [f.rule for f in extract.findings.errors] == ["la.missing"]
