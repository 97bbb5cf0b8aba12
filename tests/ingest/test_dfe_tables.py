"""The bundled DfE tables as long benchmark rows (ingest/dfe_tables.py), tied to the published
values: each assertion cites the bundled file (``src/caseloads/data/dfe/``) and its line (the
header is line 1)."""

from __future__ import annotations

import polars as pl
import pytest

from caseloads.ingest import dfe_tables
from caseloads.ingest.dfe_tables import (
    CIN_RATE,
    CLA_RATE,
    CPP_RATE,
    CSWW,
    CSWW_MEASURES,
    POPULATION,
    benchmark_rows,
)


@pytest.fixture(scope="module")
def rows() -> pl.DataFrame:
    return benchmark_rows()


def cell(rows: pl.DataFrame, area: str, year: int, measure: str) -> tuple[float | None, str | None]:
    found = rows.filter(
        (pl.col("area_code") == area) & (pl.col("year") == year) & (pl.col("measure") == measure)
    )
    assert found.height == 1, (area, year, measure, found)
    value, symbol = found.row(0)[5:7]
    return value, symbol


def test_long_rows_have_the_table_columns_and_one_row_per_area_year_measure(
    rows: pl.DataFrame,
) -> None:
    assert rows.columns == list(dfe_tables.LONG_SCHEMA)
    assert rows.schema["value"] == pl.Float64 and rows.schema["year"] == pl.Int64
    keys = ["geographic_level", "area_code", "year", "measure"]
    assert rows.select(keys).is_duplicated().sum() == 0
    # A figure is a number or a symbol, never both and never neither.
    assert rows.filter(pl.col("value").is_null() == pl.col("symbol").is_null()).height == 0
    measures = set(rows["measure"].unique().to_list())
    assert measures == {*CSWW_MEASURES, CIN_RATE, CPP_RATE, CLA_RATE, POPULATION}


def test_csww_turnover_is_the_published_value(rows: pl.DataFrame) -> None:
    # csww_indicators_2017_to_2025.csv line 147: 2025, 301 Barking and Dagenham, turnover_rate_fte 14.8
    assert cell(rows, "301", 2025, "turnover_rate_fte") == (14.8, None)
    # line 2: 2025 National (country_code E92000001): turnover_rate_fte 11.8, inpost_fte 36186.3
    assert cell(rows, "E92000001", 2025, "turnover_rate_fte") == (11.8, None)
    assert cell(rows, "E92000001", 2025, "inpost_fte") == (36186.3, None)
    # line 9: 2025 Regional E12000007 London: turnover_rate_fte 13.8
    assert cell(rows, "E12000007", 2025, "turnover_rate_fte") == (13.8, None)
    national = rows.filter(pl.col("geographic_level") == "National")
    assert set(national["source"].unique().to_list()) >= {CSWW}


def test_symbols_are_kept_and_never_zero(rows: pl.DataFrame) -> None:
    # line 146: 2025, 213 Westminster: x in every column (no 2025 return after a cyberattack)
    for measure in CSWW_MEASURES:
        assert cell(rows, "213", 2025, measure) == (None, "x")
    # line 25: 2025, 394 Sunderland: agency_fte "low", agency_headcount 1, agency_rate_fte "low"
    assert cell(rows, "394", 2025, "agency_fte") == (None, "low")
    assert cell(rows, "394", 2025, "agency_headcount") == (1.0, None)
    assert cell(rows, "394", 2025, "agency_rate_fte") == (None, "low")
    # line 237: 2024, 330 Birmingham: agency_fte "u" (low reliability)
    assert cell(rows, "330", 2024, "agency_fte") == (None, "u")
    # line 1261: 2018, 420 Isles of Scilly: vacancy_agency_cover_rate_fte "z", absence "c"
    assert cell(rows, "420", 2018, "vacancy_agency_cover_rate_fte") == (None, "z")
    assert cell(rows, "420", 2018, "absence_rate_fte") == (None, "c")
    # Published zeros stay zeros: same line, starters_fte 0.
    assert cell(rows, "420", 2018, "starters_fte") == (0.0, None)


def test_low_reliability_is_a_symbol(rows: pl.DataFrame) -> None:
    # line 283: 2024, 801 Bristol: working_days_lost_fte u, absence_rate_fte u
    assert cell(rows, "801", 2024, "working_days_lost_fte") == (None, "u")
    assert cell(rows, "801", 2024, "absence_rate_fte") == (None, "u")


def test_joint_returns_keep_their_published_code(rows: pl.DataFrame) -> None:
    # line 160: 2025, "314 / 318" Kingston upon Thames / Richmond upon Thames, inpost_fte 137.4
    assert cell(rows, "314 / 318", 2025, "inpost_fte") == (137.4, None)


def test_cin_rate_is_worked_from_b1_and_ons_as_the_dfe_publishes_it(rows: pl.DataFrame) -> None:
    # b1_children_in_need_2013_to_2025.csv line 148: 2025, 301, At31_episodes 2578;
    # ons_mid-year_population_estimates_2012_to_2024.csv line 148: mid-2024, 301, 66465 children.
    # 2578 / 66465 x 10,000 = 387.87 -> 387.9, DfE's published rate (LAIT "CIN", 2025, 301: 387.9).
    assert cell(rows, "301", 2025, CIN_RATE) == (387.9, None)
    assert cell(rows, "301", 2024, POPULATION) == (66465.0, None)
    # b1 line 2: 2025 National At31_episodes 402400 over ONS National mid-2024 12183016:
    # 330.3, as LAIT "CIN" England 2025.
    assert cell(rows, "E92000001", 2025, CIN_RATE) == (330.3, None)


def test_rates_take_the_symbol_of_their_count_or_population(rows: pl.DataFrame) -> None:
    # d5_cpps_at31march_by_duration_2013_to_2025.csv line 135: 2025, 201 City of London, CPP_At31 c
    assert cell(rows, "201", 2025, CPP_RATE) == (None, "c")
    # b1 line 1270: 2018, 835 Dorset (old county), At31_episodes 2410 (a number), but ONS line
    # 1106 gives its mid-2018 population as x, so its 2019 rate is x: b1 line 1106 (2019, 835).
    assert cell(rows, "835", 2018, POPULATION) == (None, "x")
    assert cell(rows, "835", 2019, CIN_RATE) == (None, "x")


def test_cla_rate_is_the_published_whole_number(rows: pl.DataFrame) -> None:
    # cla_number_and_rate_per_10k_children.csv line 447: 2025, 301, looked after on 31 March,
    # 431 children, rate_per_10000 65; line 3: England 2025, 67; line 405: 201 City of London c.
    assert cell(rows, "301", 2025, CLA_RATE) == (65.0, None)
    assert cell(rows, "E92000001", 2025, CLA_RATE) == (67.0, None)
    assert cell(rows, "201", 2025, CLA_RATE) == (None, "c")
    years = rows.filter(pl.col("measure") == CLA_RATE)["year"].unique().sort().to_list()
    assert years == [2021, 2022, 2023, 2024, 2025]


def test_authorities_and_their_nine_regions() -> None:
    authorities = dfe_tables.authorities()
    assert authorities["la_code"].is_unique().all()
    by_code = {r["la_code"]: r for r in authorities.to_dicts()}
    # EES rows give London boroughs Inner or Outer London (E13...); they compare with London.
    assert by_code["301"]["region_code"] == "E12000007"
    assert by_code["301"]["region_name"] == "London"
    assert by_code["201"]["region_code"] == "E12000007"
    # Cumbria (909) was last published in 2022, in the North West.
    assert by_code["909"]["region_name"] == "North West"
    assert authorities.filter(pl.col("region_name").is_null()).is_empty()
    assert not any("/" in code for code in by_code)


def test_statistical_neighbours_are_the_2025_model() -> None:
    neighbours = dfe_tables.statistical_neighbours()
    # sn_model_2025_wide.csv line 2: 301 Barking and Dagenham: 308, 821, 313, 333, 336, 307,
    # 304, 312, 874, 203.
    mine = neighbours.filter(pl.col("la_code") == "301").sort("position")
    assert mine["neighbour_code"].to_list() == [
        "308", "821", "313", "333", "336", "307", "304", "312", "874", "203"
    ]  # fmt: skip
    assert mine["closeness"].to_list()[:3] == ["Close", "Close", "Close"]
    assert neighbours["la_code"].n_unique() == 153
    assert neighbours.group_by("la_code").len()["len"].unique().to_list() == [10]


def test_the_digest_changes_with_the_files() -> None:
    digest = dfe_tables.bundled_digest()
    assert len(digest) == 64 and digest == dfe_tables.bundled_digest()
