"""The price-caps extract (price_caps.py) and the regions it names (regions.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from tests.ingest.helpers import P, assert_clean, assert_shapes, csv, write

from caseloads.domain.agency_rules import ENGLISH_REGIONS
from caseloads.ingest.extract import Extract
from caseloads.ingest.price_caps import read_price_caps
from caseloads.ingest.regions import la_regions, region_of

HEADER = "region,role,hourly_cap,effective_from"
ROWS = (
    "South East,social_worker,42.50,2025-04-01",
    "E12000008,Senior Social Worker,46,2025-04-01",
    "south east,social_worker,44.00,2026-04-01",
    "London,team manager,65.5,01/04/2025",
)


def read(tmp_path: Path, text: str, la_code: str | None = "826") -> Extract:
    path = write(tmp_path, "price_caps.csv", text)
    return read_price_caps(path, la_code=la_code, pseudonymiser=P, max_file_bytes=1_000_000)


def test_a_good_file_keeps_the_history_of_caps(tmp_path: Path) -> None:
    extract = read(tmp_path, csv(HEADER, *ROWS))
    assert_clean(extract)
    assert_shapes(extract)
    assert extract.kind == "price-caps" and extract.la_code == "826"
    assert extract.frames["price_caps"].rows() == [
        ("South East", "social_worker", 42.5, date(2025, 4, 1)),
        ("South East", "senior_social_worker", 46.0, date(2025, 4, 1)),
        ("South East", "social_worker", 44.0, date(2026, 4, 1)),
        ("London", "team_manager", 65.5, date(2025, 4, 1)),
    ]


@pytest.mark.parametrize(
    ("row", "rule", "column", "value"),
    [
        # Caps are agreed within English regions (definitions.md §2 rule 1).
        ("Wales,social_worker,40,2025-04-01", "code.unknown", "region", "Wales"),
        (
            "South East,family_support_worker,30,2025-04-01",
            "code.unknown",
            "role",
            "family_support_worker",
        ),
        ("South East,team_manager,0,2025-04-01", "range", "hourly_cap", "0"),
        ("South East,team_manager,6550,2025-04-01", "range", "hourly_cap", "6550"),
        ("South East,team_manager,,2025-04-01", "required", "hourly_cap", None),
        ("South East,team_manager,60,", "required", "effective_from", None),
        (
            "E12000008,social_worker,43,2025-04-01",
            "duplicate.key",
            "region",
            "South East / social_worker / 2025-04-01",
        ),
    ],
)
def test_each_error(tmp_path: Path, row: str, rule: str, column: str, value: str | None) -> None:
    (finding,) = read(tmp_path, csv(HEADER, *ROWS, row)).findings
    assert (finding.severity, finding.rule, finding.row, finding.column, finding.value) == (
        "error",
        rule,
        6,
        column,
        value,
    )


def test_a_file_without_the_authoritys_region_is_a_warning(tmp_path: Path) -> None:
    # 826 is in the South East; these caps are London's only.
    (finding,) = read(tmp_path, csv(HEADER, ROWS[3])).findings
    assert (finding.severity, finding.rule, finding.column) == (
        "warning",
        "price_cap.region",
        "region",
    )
    assert "South East" in finding.message
    assert_clean(read(tmp_path, csv(HEADER, ROWS[3]), la_code="301"))  # 301 is in London


def test_every_authority_has_an_english_region() -> None:
    regions = la_regions()
    assert len(regions) >= 153  # the authorities of 2025, and retired ones
    assert set(regions.values()) == set(ENGLISH_REGIONS)
    assert region_of("826") == "South East"  # Milton Keynes
    assert region_of("301") == "London"  # Barking and Dagenham (an Outer London borough)
    assert region_of("909") == "North West"  # Cumbria, replaced in 2023
    assert region_of("999") is None
