"""The synthetic agency.csv and price_caps.csv (synthetic/agency.py): they load cleanly, agree with
staff.csv, and give the agency check a realistic handful of breaches and missing facts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import polars as pl
from tests.ingest.helpers import P, assert_clean
from tests.synthetic.synth_support import TODAY, Generated, read_csv

from caseloads.domain.agency_rules import check_agency_rules
from caseloads.ingest.agency import read_agency
from caseloads.ingest.extract import Extract
from caseloads.ingest.price_caps import read_price_caps
from caseloads.synthetic.agency import AGENCY_COLUMNS, WINDOW_DAYS, price_caps_table


def read(path: Path, reader: Callable[..., Extract] = read_agency) -> Extract:
    return reader(path, la_code="826", pseudonymiser=P, max_file_bytes=10**8)


def test_the_files_load_without_a_finding(generated: Generated) -> None:
    result = generated.result
    header = result.agency_csv.read_text("utf-8").split("\n", 1)[0]
    assert header.split(",") == list(AGENCY_COLUMNS)
    agency = read(result.agency_csv)
    caps = read(result.price_caps_csv, read_price_caps)
    assert_clean(agency)
    assert_clean(caps)
    assert agency.frames["agency_placements"].height == result.row_counts["agency"] > 0
    assert caps.frames["price_caps"].height == result.row_counts["price_caps"] == 10


def test_every_row_is_an_agency_assignment_of_staff_csv(generated: Generated) -> None:
    agency = read_csv(generated.result.agency_csv)
    staff = generated.staff.filter(pl.col("contract") == "agency")
    keys = ["worker_ref", "start_date"]
    joined = agency.join(staff, on=keys, how="left", suffix="_staff")
    assert joined.get_column("contract").null_count() == 0
    assert (joined["end_date"].fill_null("") == joined["end_date_staff"].fill_null("")).all()
    # Every assignment running in the two years to today, but for about 1 worker in 25 with no
    # row at all (the check lists them as not checkable).
    since = (TODAY - timedelta(days=WINDOW_DAYS)).isoformat()
    recent = staff.filter(pl.col("end_date").is_null() | (pl.col("end_date") >= since))
    assert set(agency["worker_ref"]) <= set(recent["worker_ref"])
    missing = set(recent["worker_ref"]) - set(agency["worker_ref"])
    assert len(missing) < 0.15 * recent["worker_ref"].n_unique()


def test_the_council_has_a_handful_of_breaches_and_missing_facts(council: Generated) -> None:
    placements = read(council.result.agency_csv).frames["agency_placements"]
    caps = read(council.result.price_caps_csv, read_price_caps).frames["price_caps"]
    results = check_agency_rules(placements, caps, la_region="South East", as_of=TODAY)
    counts = dict(results.group_by("status").len().iter_rows())
    checks = results.height
    assert checks >= 40  # about 25 agency workers on the day, four checks each
    assert 3 <= counts.get("breach", 0) <= 0.25 * checks
    assert 1 <= counts.get("could_not_check", 0) <= 0.25 * checks
    assert counts.get("pass", 0) > checks / 2


def test_the_caps_spread_between_regions_as_reported() -> None:
    # practice.md §3.1: highest vs lowest region 37% (SW, senior SW), 28% (AP), 25% (IRO),
    # 19% (TM); London highest, the North East lowest here.
    caps = pl.DataFrame(price_caps_table(None)).with_columns(pl.col("hourly_cap").cast(pl.Float64))
    first = caps.filter(pl.col("effective_from") == "2025-04-01")
    assert first.height == 9 * 5
    spread = first.group_by("role").agg(
        (pl.col("hourly_cap").max() / pl.col("hourly_cap").min() - 1).round(2).alias("spread"),
        pl.col("region").sort_by("hourly_cap").last().alias("highest"),
    )
    assert sorted(spread.rows()) == [
        ("advanced_practitioner", 0.28, "London"),
        ("iro_cp_chair", 0.25, "London"),
        ("senior_social_worker", 0.37, "London"),
        ("social_worker", 0.37, "London"),
        ("team_manager", 0.19, "London"),
    ]
