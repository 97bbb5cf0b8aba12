"""The DfE CSWW rates (domain/workforce_rates.py) against published DfE figures.

Published values come from the bundled ``src/caseloads/data/dfe/csww_indicators_2017_to_2025.csv``
(EES "Children's social work workforce", data set "1. Indicators"); "line N" is the line of that
file (line 1 is the header)."""

from __future__ import annotations

from datetime import date
from importlib import resources

import polars as pl

from caseloads.domain.workforce_rates import (
    COMPONENTS,
    INDICATORS,
    RATES,
    rates_from_components,
    reproduce_published,
    round_indicators,
    working_days,
    working_days_between,
)


def published() -> pl.DataFrame:
    text = resources.files("caseloads").joinpath("data/dfe/csww_indicators_2017_to_2025.csv")
    return pl.read_csv(text.read_bytes(), infer_schema_length=0)


def line(n: int) -> dict[str, str]:
    """Line ``n`` of the published file (line 1 is the header)."""
    return published().row(n - 2, named=True)


def components_of(row: dict[str, str], year: int) -> pl.DataFrame:
    return pl.DataFrame(
        {c: [float(row[c])] for c in COMPONENTS} | {"working_days": [working_days(year)]}
    )


def test_england_2025_rates_from_its_components() -> None:
    # csww_indicators_2017_to_2025.csv line 2: 2025, National, England.
    row = line(2)
    assert (row["time_period"], row["country_name"], row["region_name"]) == (
        "2025",
        "England",
        None,
    )
    rates = round_indicators(rates_from_components(components_of(row, 2025))).row(0, named=True)
    assert rates["turnover_rate_fte"] == 11.8  # 100 × 4276.3 / 36186.3 = 11.82
    assert rates["turnover_rate_headcount"] == 12.0  # 100 × 4611 / 38292 = 12.04
    assert rates["agency_rate_fte"] == 13.0  # 100 × 5415.9 / (5415.9 + 36186.3) = 13.02
    assert rates["agency_rate_headcount"] == 12.7  # 100 × 5566 / (5566 + 38292) = 12.69
    assert rates["agency_cover_rate_fte"] == 81.1  # 100 × 4390.8 / 5415.9 = 81.07
    assert rates["vacancy_rate_fte"] == 14.2  # 100 × 5965.4 / (5965.4 + 36186.3) = 14.15
    assert rates["vacancy_agency_cover_rate_fte"] == 73.6  # 100 × 4390.8 / 5965.4 = 73.60
    assert rates["caseload_fte"] == 15.2  # 321661 / 21105.4 = 15.24
    assert rates["absence_rate_fte"] == 3.5  # 100 × 322786.3 / (36186.3 × 253) = 3.53
    for rate in RATES:  # and each is what the DfE printed on that line
        assert rates[rate.name] == float(row[rate.name]), rate.name


def test_leap_years_have_254_working_days() -> None:
    # LAIT dictionary, Work_Force_NoSW methodology: 253 days, 254 in a leap year.
    assert [working_days(y) for y in (2019, 2020, 2023, 2024, 2025)] == [253, 254, 253, 254, 253]
    # line 241: 2024, Sandwell (333): 3694 days lost, 241.3 FTE in post, absence 6 (printed "6").
    row = line(241)
    assert (row["la_name"], row["time_period"], row["absence_rate_fte"]) == (
        "Sandwell",
        "2024",
        "6",
    )
    with_254 = round_indicators(rates_from_components(components_of(row, 2024)))
    assert with_254["absence_rate_fte"].item() == 6.0  # 100 × 3694 / (241.3 × 254) = 6.03
    with_253 = components_of(row, 2024).with_columns(pl.lit(253).alias("working_days"))
    # 100 × 3694 / (241.3 × 253) = 6.05, which would print 6.1: the 254-day rule is needed
    assert round_indicators(rates_from_components(with_253))["absence_rate_fte"].item() == 6.1


def test_working_days_of_any_twelve_months() -> None:
    assert working_days_between(date(2023, 10, 1), date(2024, 9, 30)) == 254  # census year 2024
    assert working_days_between(date(2022, 10, 1), date(2023, 9, 30)) == 253
    assert working_days_between(date(2024, 3, 1), date(2025, 2, 28)) == 253  # after 29 Feb 2024
    assert working_days_between(date(2023, 3, 1), date(2024, 2, 29)) == 254  # ends on it


def test_a_zero_denominator_is_not_applicable() -> None:
    # No one in post and no vacancies: every rate over them is the DfE's z (not applicable).
    frame = pl.DataFrame({c: [0.0] for c in COMPONENTS} | {"working_days": [253]})
    rates = rates_from_components(frame).row(0, named=True)
    assert all(rates[r.name] is None for r in RATES)


def test_rounding_is_the_dfe_publication_rounding() -> None:
    frame = pl.DataFrame(
        {c: [12.345] for c in INDICATORS} | {"inpost_headcount": [12.0], "cases": [7.0]}
    )
    rounded = round_indicators(frame).row(0, named=True)
    assert rounded["inpost_fte"] == 12.3 and rounded["absence_rate_fte"] == 12.3
    assert rounded["inpost_headcount"] == 12 and isinstance(rounded["inpost_headcount"], int)
    assert rounded["cases"] == 7


def _one_row(**cells: str) -> pl.DataFrame:
    base = {
        "time_period": "2023",
        "geographic_level": "Local authority",
        "region_name": "North East",
        "old_la_code": "999",
        "la_name": "Testshire",
    }
    columns = {c: None for c in INDICATORS} | base | cells
    return pl.DataFrame(
        {k: [v] for k, v in columns.items()}, schema=dict.fromkeys(columns, pl.String)
    )


def test_reproduction_allows_for_the_rounding_of_the_components() -> None:
    # Hand-worked: leavers 1.0 and in post 10.0 (each printed to 1 dp) stand for 0.95-1.05 and
    # 9.95-10.05, so the turnover rate lies in 100 × 0.95/10.05 = 9.45 .. 100 × 1.05/9.95 = 10.55.
    rows = pl.concat(
        [
            _one_row(leavers_fte="1", inpost_fte="10", turnover_rate_fte=printed)
            for printed in ("10", "10.5", "10.7")
        ]
    )
    result = reproduce_published(rows).filter(pl.col("measure") == "turnover_rate_fte")
    assert result["low"].round(4).to_list() == [9.4527] * 3
    assert result["high"].round(4).to_list() == [10.5528] * 3
    assert result["reproduced"].to_list() == [True, True, False]
    assert result["reason"][2].startswith(
        "not reproduced: this row's own components give 9.45-10.55"
    )


def test_a_suppressed_component_is_the_reason() -> None:
    row = _one_row(agency_fte="c", inpost_fte="10", agency_rate_fte="12.5")
    result = (
        reproduce_published(row).filter(pl.col("measure") == "agency_rate_fte").row(0, named=True)
    )
    assert result["reproduced"] is False
    assert result["reason"] == (
        "a component is suppressed or unavailable: agency_fte = c, inpost_fte = 10"
    )


def test_low_means_between_zero_and_a_twentieth() -> None:
    # "low": rounds to 0 but is not 0 (EES data guidance). Agency 'low' of 10.0 in post gives an
    # agency rate of 0 .. 100 × 0.05 / (0.05 + 9.95) = 0.5, so a printed 'low' rate reproduces.
    row = _one_row(agency_fte="low", inpost_fte="10", agency_rate_fte="low")
    result = (
        reproduce_published(row).filter(pl.col("measure") == "agency_rate_fte").row(0, named=True)
    )
    assert (result["low"], round(result["high"], 3)) == (0.0, 0.5)
    assert result["reproduced"] is True


def test_every_published_rate_is_reproduced_or_explained() -> None:
    """Issue 4, "Measure and report": every rate of every area and year in the bundled file,
    recomputed from the published components of its own row.

    Result on the file as bundled (2017-2025): 13,002 published rates (9 rates × the rows where
    the rate is a number); 12,965 (99.72%) are reproduced from their own row. Every authority's
    rate is (12,031 of 12,031). The 37 that are not are England or regional rates whose published
    components include authorities the rate leaves out: recomputed from the other authorities'
    rows of the same file, each comes out as published. 34 leave out every authority with an
    unavailable component (for example West Midlands 2024 vacancy_agency_cover_rate_fte: 69.2
    published, 53.1 from the region's components, 69.0-69.4 without Birmingham, whose
    agency_cover_fte is 'u'); 3 (the agency rate of England 2023 and 2024 and of London 2023)
    leave out only the authorities marked 'u' and count those marked 'x' as having no agency
    workers."""
    result = reproduce_published(published())
    assert result.height == 13_002
    assert int(result["reproduced"].sum()) == 12_965
    authorities = result.filter(pl.col("geographic_level") == "Local authority")
    assert authorities.height == 12_031 and bool(authorities["reproduced"].all())
    failed = result.filter(~pl.col("reproduced"))
    assert failed.height == 37
    assert failed["geographic_level"].is_in(["National", "Regional"]).all()
    assert failed["reason"].str.starts_with("the published rate is over part of the area").all()
    low_reliability = failed.filter(pl.col("reason").str.contains("low reliability"))
    assert sorted(
        zip(
            low_reliability["time_period"],
            low_reliability["region_name"].fill_null("England"),
            strict=True,
        )
    ) == [(2023, "England"), (2023, "London"), (2024, "England")]
    assert set(low_reliability["measure"]) == {"agency_rate_fte"}
    west_midlands = failed.filter(
        (pl.col("time_period") == 2024)
        & (pl.col("region_name") == "West Midlands")
        & (pl.col("measure") == "vacancy_agency_cover_rate_fte")
    ).row(0, named=True)
    assert west_midlands["published"] == "69.2"
    assert "Birmingham (agency_cover_fte u, vacancy_fte 278)" in west_midlands["reason"]
    assert "it is 69.04-69.4" in west_midlands["reason"]
