"""The comparison rules (domain/benchmarking.py): hand-made frames for the rules (rank direction,
ties, symbols, joint returns, years), and the bundled DfE tables for a mean worked by hand."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest

from caseloads.domain import benchmarking as bm
from caseloads.ingest import dfe_tables

LA = "Local authority"


def values(*rows: tuple[str, str, int, str, float | None, str | None]) -> pl.DataFrame:
    """(geographic_level, area_code, year, measure, value, symbol) rows, source "test.csv"."""
    return pl.DataFrame(
        [("test.csv", *r) for r in rows], schema=dfe_tables.LONG_SCHEMA, orient="row"
    )


AUTHORITIES = pl.DataFrame(
    {
        "la_code": ["100", "101", "102", "103", "104"],
        "la_name": ["A", "B", "C", "D", "E"],
        "region_code": ["R1", "R1", "R1", "R2", "R2"],
        "region_name": ["One", "One", "One", "Two", "Two"],
    }
)
# 100's neighbours are 101-104 (in that order); 101's are 100 and 102.
NEIGHBOURS = pl.DataFrame(
    {
        "la_code": ["100", "100", "100", "100", "101", "101"],
        "position": [1, 2, 3, 4, 1, 2],
        "neighbour_code": ["101", "102", "103", "104", "100", "102"],
    }
)


def one(frame: pl.DataFrame, **where: Any) -> dict[str, Any]:
    found = frame.filter(*(pl.col(k) == v for k, v in where.items()))
    assert found.height == 1, found
    return found.row(0, named=True)


def compare(rows: pl.DataFrame, **kwargs: Any) -> pl.DataFrame:
    return bm.compare(rows, AUTHORITIES, NEIGHBOURS, measures=["m"], **kwargs)


def test_rank_one_is_the_highest_and_ties_share_the_best_place() -> None:
    rows = values(
        (LA, "100", 2025, "m", 12.0, None),
        (LA, "101", 2025, "m", 15.0, None),
        (LA, "102", 2025, "m", 12.0, None),
        (LA, "103", 2025, "m", 9.0, None),
        (LA, "104", 2025, "m", 12.0, None),
    )
    row = one(compare(rows, la_codes=["100"]), la_code="100")
    # One neighbour higher (15), two equal (12, 12), one lower: 2nd, tied with two, of 5.
    assert (row["sn_rank"], row["sn_tied"], row["sn_ranked"]) == (2, 2, 5)
    # Mean of the four neighbours: (15 + 12 + 9 + 12) / 4 = 12.0
    assert row["sn_mean"] == 12.0
    assert (row["sn_with_value"], row["sn_count"]) == (4, 4)
    assert row["sn_missing"] is None


def test_symbols_are_left_out_of_the_mean_and_the_rank_never_zero() -> None:
    rows = values(
        (LA, "100", 2025, "m", 5.0, None),
        (LA, "101", 2025, "m", None, "c"),
        (LA, "102", 2025, "m", 10.0, None),
        (LA, "103", 2025, "m", None, "low"),
        # 104 has no row at all
    )
    row = one(compare(rows, la_codes=["100"]), la_code="100")
    # Only 102 counts: mean 10.0 (as zeros, c and low would give 2.5), rank 2 of 2 (not 2 of 4,
    # which a zero would give).
    assert row["sn_mean"] == 10.0
    assert (row["sn_with_value"], row["sn_count"]) == (1, 4)
    assert (row["sn_rank"], row["sn_ranked"], row["sn_tied"]) == (2, 2, 0)
    assert row["sn_missing"] == "101 (c), 103 (low), 104 (no row)"


def test_an_authority_with_a_symbol_keeps_it_and_has_no_rank() -> None:
    rows = values(
        (LA, "100", 2025, "m", None, "x"),
        (LA, "101", 2025, "m", 3.0, None),
        (LA, "102", 2025, "m", 4.0, None),
    )
    row = one(compare(rows, la_codes=["100"]), la_code="100")
    assert (row["value"], row["symbol"]) == (None, "x")
    assert row["sn_rank"] is None and row["sn_ranked"] is None
    assert row["sn_mean"] == 3.5 and row["sn_with_value"] == 2


def test_england_and_region_are_the_same_year_and_measure() -> None:
    rows = values(
        ("National", "E92000001", 2024, "m", 1.0, None),
        ("National", "E92000001", 2025, "m", 2.0, None),
        ("Regional", "R1", 2025, "m", None, "u"),
        ("Regional", "R2", 2025, "m", 7.0, None),
        (LA, "100", 2025, "m", 5.0, None),
    )
    row = one(compare(rows, la_codes=["100"]), la_code="100")
    assert (row["england_value"], row["england_symbol"]) == (2.0, None)
    assert (row["region_value"], row["region_symbol"]) == (None, "u")
    assert (row["region_code"], row["region_name"]) == ("R1", "One")


def test_a_joint_return_stands_for_each_partner_and_own_rows_win() -> None:
    rows = values(
        (LA, "100 / 101", 2024, "m", 8.0, None),
        (LA, "100 / 101", 2025, "m", 8.0, None),
        (LA, "101", 2025, "m", 6.0, None),  # 101's own row wins over the joint one in 2025
        (LA, "102", 2025, "m", 9.0, None),
    )
    out = compare(rows, all_years=True)
    assert one(out, la_code="100", year=2025)["joint_return"] == "100 / 101"
    assert one(out, la_code="100", year=2025)["value"] == 8.0
    assert one(out, la_code="101", year=2025)["joint_return"] is None
    assert one(out, la_code="101", year=2025)["value"] == 6.0
    assert one(out, la_code="101", year=2024)["value"] == 8.0
    # 101's neighbours in 2024: 100 (joint 8.0, tied with itself), 102 (no row).
    row = one(out, la_code="101", year=2024)
    assert (row["sn_rank"], row["sn_tied"], row["sn_with_value"]) == (1, 1, 1)


def test_years_latest_by_default_one_year_or_all() -> None:
    rows = values(
        (LA, "100", 2023, "m", 1.0, None),
        (LA, "100", 2024, "m", 2.0, None),
        (LA, "101", 2025, "m", 3.0, None),
    )
    latest = compare(rows)
    # 100's latest is 2024; 101's 2025; 102-104 never published: the measure's latest, empty.
    assert one(latest, la_code="100")["year"] == 2024
    assert one(latest, la_code="101")["year"] == 2025
    empty = one(latest, la_code="102")
    assert (empty["year"], empty["value"], empty["symbol"]) == (2025, None, None)
    assert empty["source"] is None  # "m" is not in the catalogue, and 102 has no row
    chosen = compare(rows, year=2025)
    assert one(chosen, la_code="100")["value"] is None  # no row in 2025: not carried forward
    assert one(chosen, la_code="101")["value"] == 3.0
    assert compare(rows, year=2022).is_empty()  # nothing published that year
    every = compare(rows, all_years=True)
    assert every.select("la_code", "year").rows() == [("100", 2023), ("100", 2024), ("101", 2025)]
    assert list(every.columns) == list(bm.COLUMNS)


def test_every_measure_and_authority_in_one_pass_from_the_bundled_tables() -> None:
    out = bm.compare(
        dfe_tables.benchmark_rows(),
        dfe_tables.authorities(),
        dfe_tables.statistical_neighbours(),
        la_codes=["301"],
        year=2025,
    )
    assert out["measure"].to_list() == list(bm.MEASURE_NAMES)
    turnover = one(out, measure="turnover_rate_fte")
    # csww_indicators_2017_to_2025.csv, 2025 rows: 301 Barking and Dagenham (line 147) 14.8;
    # England (line 2) 11.8; London (line 9) 13.8. Its ten 2025-model neighbours
    # (sn_model_2025_wide.csv line 2) and their 2025 turnover_rate_fte: 308 Enfield 11.0 (l.154),
    # 821 Luton 20.0 (l.93), 313 Hounslow 13.4 (l.159), 333 Sandwell 11.1 (l.78),
    # 336 Wolverhampton 10.8 (l.86), 307 Ealing 8.8 (l.153), 304 Brent 14.1 (l.150),
    # 312 Hillingdon 15.6 (l.158), 874 Peterborough 9.7 (l.95), 203 Greenwich 8.5 (l.155).
    # Mean = 123.0 / 10 = 12.3; higher than 14.8: Luton and Hillingdon, so rank 3 of 11.
    assert turnover["value"] == 14.8
    assert turnover["england_value"] == 11.8
    assert turnover["region_value"] == 13.8
    assert turnover["sn_mean"] == pytest.approx(12.3)
    assert (turnover["sn_rank"], turnover["sn_ranked"], turnover["sn_with_value"]) == (3, 11, 10)


def test_neighbours_without_a_figure_are_counted_out() -> None:
    out = bm.compare(
        dfe_tables.benchmark_rows(),
        dfe_tables.authorities(),
        dfe_tables.statistical_neighbours(),
        la_codes=["213"],
        year=2025,
    )
    # 213 Westminster's 2025 CSWW row is x throughout (line 146), and so is its neighbour 207
    # Kensington and Chelsea's: 9 of 10 neighbours have a value, and Westminster no rank.
    row = one(out, measure="caseload_fte")
    assert (row["value"], row["symbol"]) == (None, "x")
    assert (row["sn_with_value"], row["sn_count"]) == (9, 10)
    assert row["sn_missing"] == "207 (x)"
    assert row["sn_rank"] is None


# --- own figures from loaded records ---------------------------------------------------------


def records(*rows: tuple[str, str, date, date | None]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"la_code": pl.String, "child_id": pl.String, "start": pl.Date, "end": pl.Date},
        orient="row",
    )


def test_children_open_on_31_march() -> None:
    frame = records(
        ("100", "c1", date(2024, 6, 1), None),  # open
        ("100", "c1", date(2024, 7, 1), None),  # the same child twice: counted once
        ("100", "c2", date(2025, 1, 10), date(2025, 3, 31)),  # ends on the day: not open
        ("100", "c3", date(2023, 5, 1), date(2025, 6, 30)),  # open
        ("100", "c4", date(2025, 4, 2), None),  # starts after
        ("100", "c5", date(2022, 1, 1), date(2023, 1, 1)),  # the extract's window opens by 2023
        ("101", "c9", date(2025, 1, 1), None),  # 101's records start after 31 March 2024
    )
    out = bm.children_open_on(frame, {2024: date(2024, 3, 31), 2025: date(2025, 3, 31)})
    assert out.rows() == [("100", 2024, 1), ("100", 2025, 2)]


def test_records_that_stop_before_the_date_do_not_count_it() -> None:
    frame = records(("100", "c1", date(2020, 1, 1), date(2021, 1, 1)))
    assert bm.children_open_on(frame, {2025: date(2025, 3, 31)}).is_empty()
    covered_but_none_open = records(
        ("100", "c1", date(2024, 1, 1), date(2024, 2, 1)),
        ("100", "c2", date(2025, 6, 1), None),
    )
    out = bm.children_open_on(covered_but_none_open, {2025: date(2025, 3, 31)})
    assert out.rows() == [("100", 2025, 0)]


def test_an_open_record_counts_up_to_the_reach_of_the_loaded_extract() -> None:
    plans = records(("100", "c1", date(2024, 7, 1), None))  # open, nothing later in this table
    on = {2025: date(2025, 3, 31)}
    assert bm.children_open_on(plans, on).is_empty()  # these records alone stop in July 2024
    referrals = records(("100", "c2", date(2025, 4, 2), None))  # the extract reaches April 2025
    span = bm.loaded_span(plans, referrals)
    assert span.rows() == [("100", None, date(2025, 4, 2))]
    assert bm.children_open_on(plans, on, span).rows() == [("100", 2025, 1)]


def test_dates_before_the_extracts_window_are_not_counted() -> None:
    # An extract of what was open since 23 November 2021 holds nothing that closed earlier: its
    # earliest end date says so, and 31 March 2021 would be undercounted.
    referrals = records(
        ("100", "c1", date(2015, 5, 1), None),  # a long-running case, open throughout
        ("100", "c2", date(2021, 6, 1), date(2021, 11, 23)),  # the earliest end
        ("100", "c3", date(2024, 1, 1), date(2026, 11, 22)),
    )
    plans = records(("100", "c1", date(2005, 8, 22), date(2005, 8, 29)))  # an old plan
    span = bm.loaded_span(referrals, plans)
    # The latest of the sets' earliest ends: the referrals' 2021-11-23, not the plans' 2005.
    assert span.rows() == [("100", date(2021, 11, 23), date(2026, 11, 22))]
    dates = {2021: date(2021, 3, 31), 2022: date(2022, 3, 31)}
    assert bm.children_open_on(referrals, dates, span).rows() == [("100", 2022, 1)]


def test_rates_per_10000_use_the_previous_mid_year_and_dfe_rounding() -> None:
    counts = pl.DataFrame({"la_code": ["201", "201"], "year": [2025, 2024], "children": [2, 1]})
    # ONS mid-2024 and mid-2023 children aged 0-17 in City of London (ons file lines 135, 300).
    population = pl.DataFrame(
        {"la_code": ["201", "201"], "year": [2024, 2023], "value": [847.0, 918.0]}
    )
    out = bm.rates_per_10000(counts, population, 1).sort("year")
    # 1 / 918 x 10,000 = 10.89 -> 10.9; 2 / 847 x 10,000 = 23.61 -> 23.6
    assert out.rows() == [("201", 2024, 10.9), ("201", 2025, 23.6)]
    whole = bm.rates_per_10000(counts, population, 0).sort("year")
    assert whole["rate"].to_list() == [11.0, 24.0]
    halves = bm.rates_per_10000(
        pl.DataFrame({"la_code": ["1"], "year": [2025], "children": [1]}),
        pl.DataFrame({"la_code": ["1"], "year": [2024], "value": [4000.0]}),
        0,
    )
    assert halves["rate"].to_list() == [3.0]  # 2.5 rounds away from zero, as the DfE rounds


def test_short_breaks_are_not_looked_after() -> None:
    episodes = pl.DataFrame({"legal_status": ["C2", "V3", "V4", None, "V2"]})
    kept = bm.without_short_breaks(episodes)["legal_status"].to_list()
    assert kept == ["C2", None, "V2"]
