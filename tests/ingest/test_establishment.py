"""The establishment extract (establishment.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from tests.ingest.helpers import P, assert_clean, assert_shapes, csv, write

from caseloads.ingest.establishment import read_establishment
from caseloads.ingest.extract import Extract

HEADER = "post_id,team,role,grade,fte,funding,start_date,end_date"
ROWS = (
    "P-10,Team North,social_worker,SW2,1,permanent,2020-04-01,2024-03-31",
    "P-10,Team North,senior_practitioner,SW3,1,Permanent,2024-04-01,",
    "P-11,Team South,social_worker,,0.5,temporary,2024-04-01,2025-03-31",
)


def read(tmp_path: Path, text: str) -> Extract:
    path = write(tmp_path, "posts.csv", text)
    return read_establishment(path, la_code="301", pseudonymiser=P, max_file_bytes=1_000_000)


def test_a_good_file(tmp_path: Path) -> None:
    extract = read(tmp_path, csv(HEADER, *ROWS))
    assert_clean(extract)
    assert_shapes(extract)
    assert extract.frames["posts"].rows() == [
        (
            "P-10",
            "Team North",
            "social_worker",
            "SW2",
            1.0,
            "permanent",
            date(2020, 4, 1),
            date(2024, 3, 31),
        ),
        (
            "P-10",
            "Team North",
            "senior_practitioner",
            "SW3",
            1.0,
            "permanent",
            date(2024, 4, 1),
            None,
        ),
        (
            "P-11",
            "Team South",
            "social_worker",
            None,
            0.5,
            "temporary",
            date(2024, 4, 1),
            date(2025, 3, 31),
        ),
    ]
    assert extract.teams is not None
    assert extract.teams.get_column("team_id").to_list() == ["Team North", "Team South"]


@pytest.mark.parametrize(
    ("row", "rule", "column", "value"),
    [
        ("P-12,T,sw,,0,permanent,2024-04-01,", "range", "fte", "0"),
        ("P-12,T,sw,,1.6,permanent,2024-04-01,", "range", "fte", "1.6"),
        ("P-12,T,sw,,1,agency,2024-04-01,", "code.unknown", "funding", "agency"),
        (
            "P-12,T,sw,,1,permanent,2024-04-01,2024-03-01",
            "date.order",
            "end_date",
            "2024-03-01 is before 2024-04-01",
        ),
        ("P-11,T,sw,,1,permanent,2025-03-31,", "duplicate.key", "post_id", "overlaps from row 4"),
        ("P-12,,sw,,1,permanent,2024-04-01,", "required", "team", None),
    ],
)
def test_each_rule(tmp_path: Path, row: str, rule: str, column: str, value: str | None) -> None:
    (finding,) = read(tmp_path, csv(HEADER, *ROWS, row)).findings
    assert (finding.severity, finding.rule, finding.row, finding.column, finding.value) == (
        "error",
        rule,
        5,
        column,
        value,
    )
