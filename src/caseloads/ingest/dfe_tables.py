"""Reading the DfE and ONS tables bundled in the package (``caseloads/data/dfe``, Open Government
Licence v3.0; see ``LICENCE.md`` there) into the long rows that ``caseloads init`` stores in the
``benchmarks`` table, plus the reference tables a comparison needs (each authority's region and
its DfE statistical neighbours).

Every file is in the Explore Education Statistics (EES) layout and is read with every column as
text. A cell is either a plain number (its ``value``) or one of the EES symbols kept as
published in ``symbol`` and never read as zero: ``c`` suppressed, ``x`` not available, ``z`` not
applicable, ``u`` low reliability, ``low`` rounds to 0 but is not 0, ``:`` not available (older
files). An empty cell is no figure at all and gives no row.

The long rows (:func:`benchmark_rows`): ``source, geographic_level, area_code, year, measure,
value, symbol``, where ``area_code`` is the EES ``country_code`` for the National row,
``region_code`` for a Regional row (the nine regions plus Inner and Outer London) and
``old_la_code`` (the DfE 3-digit number) for a Local authority row; a joint return keeps its
published code (``"314 / 318"``: Kingston upon Thames and Richmond upon Thames; ``"940 / 941"``:
North and West Northamptonshire since 2021). The measures, by file:

- ``csww_indicators_2017_to_2025.csv`` (EES "Children's social work workforce", data set
  "1. Indicators", year to 30 September): each of the 22 indicator columns
  (:data:`CSWW_MEASURES`) under its own name;
- ``cin_rate_per_10000``: ``b1_children_in_need_2013_to_2025.csv`` ``At31_episodes`` (children
  in need at 31 March) over the ONS mid-``year - 1`` estimate of children aged 0-17
  (``ons_mid-year_population_estimates_2012_to_2024.csv``), times 10,000, to 1 decimal place;
- ``cpp_rate_per_10000``: ``d5_cpps_at31march_by_duration_2013_to_2025.csv`` ``CPP_At31``
  (children on a child protection plan at 31 March), likewise;
- ``cla_rate_per_10000``: ``cla_number_and_rate_per_10k_children.csv`` ``rate_per_10000`` on the
  rows "Children looked after on 31 March each year" (2021-2025), as published (whole numbers);
- ``population_0_17``: the ONS estimate itself, ``year`` being the mid-year of the estimate (the
  denominator of the rates of the reporting year ``year + 1``).

The CIN and CPP rates are the DfE's published rates (LAIT ``CIN`` and ``CPP_rate``, "rate per
10,000 children aged under 18", EES CIN tables A1 and D1) worked from the published components
with the DfE's own method, because the rates themselves are not among the bundled EES files.
Checked: the result equals the value in DfE's Local Authority Interactive Tool
(``lait_csc_indicators_long.csv``) for every row LAIT has, 2016-2025: 1,504 local-authority,
and 110 regional and England rows for CIN; 1,492 and 110 for CPP. A rate whose count is a symbol
takes the count's symbol; a rate whose population is a symbol (old Bournemouth, Dorset and
Poole) takes the population's; a count with no population row at all gives ``x``.
"""

from __future__ import annotations

import hashlib
import io
from functools import cache
from importlib import resources

import polars as pl

from caseloads.domain.workforce_rates import INDICATORS

CSWW = "csww_indicators_2017_to_2025.csv"
B1 = "b1_children_in_need_2013_to_2025.csv"
D5 = "d5_cpps_at31march_by_duration_2013_to_2025.csv"
CLA = "cla_number_and_rate_per_10k_children.csv"
ONS = "ons_mid-year_population_estimates_2012_to_2024.csv"
SN_MODEL = "sn_model_2025_wide.csv"

#: The files :func:`benchmark_rows` and the reference tables are read from.
BENCHMARK_FILES: tuple[str, ...] = (CSWW, B1, D5, CLA, ONS, SN_MODEL)

#: The CSWW indicator columns, in the file's order (``../shared/domain/definitions.md`` §1.3): the
#: same 22 the workforce figures are computed for.
CSWW_MEASURES: tuple[str, ...] = tuple(INDICATORS)

CIN_RATE = "cin_rate_per_10000"
CPP_RATE = "cpp_rate_per_10000"
CLA_RATE = "cla_rate_per_10000"
POPULATION = "population_0_17"

#: ``population_type`` of the CLA file's rows of children looked after at 31 March.
CLA_AT31 = "Children looked after on 31 March each year"

NATIONAL = "National"
REGIONAL = "Regional"
LOCAL_AUTHORITY = "Local authority"

#: London's region code; the EES files give London boroughs Inner (E13000001) or Outer London
#: (E13000002) as their region, and both are part of London.
LONDON = "E12000007"
LONDON_PARTS = {"E13000001": LONDON, "E13000002": LONDON}

_NUMBER = r"^-?\d+(?:\.\d+)?$"

LONG_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),
    "geographic_level": pl.String(),
    "area_code": pl.String(),
    "year": pl.Int64(),
    "measure": pl.String(),
    "value": pl.Float64(),
    "symbol": pl.String(),
}


def read_bundled(name: str) -> pl.DataFrame:
    """A bundled DfE/ONS file (``caseloads/data/dfe/<name>``), every column as text, read through
    :mod:`importlib.resources` so that it works from an installed package. A leading byte-order
    mark is dropped. The frame is cached per process; callers get their own copy."""
    return _read_bundled(name).clone()


@cache
def _read_bundled(name: str) -> pl.DataFrame:
    raw = bundled_bytes(name).removeprefix(b"\xef\xbb\xbf")  # some files start with a BOM
    return pl.read_csv(io.BytesIO(raw), infer_schema=False, encoding="utf8")


def bundled_bytes(name: str) -> bytes:
    """The bytes of a bundled file, as shipped."""
    return resources.files("caseloads").joinpath("data", "dfe", name).read_bytes()


def bundled_digest() -> str:
    """SHA-256 over the files :func:`benchmark_rows` reads (names and bytes): ``init`` reloads
    the ``benchmarks`` table only when this changes."""
    digest = hashlib.sha256()
    for name in BENCHMARK_FILES:
        digest.update(name.encode())
        digest.update(bundled_bytes(name))
    return digest.hexdigest()


def _value(column: str) -> pl.Expr:
    text = pl.col(column).str.strip_chars()
    return pl.when(text.str.contains(_NUMBER)).then(text.cast(pl.Float64)).otherwise(None)


def _symbol(column: str) -> pl.Expr:
    text = pl.col(column).str.strip_chars()
    return pl.when(text.str.contains(_NUMBER) | (text == "")).then(None).otherwise(text)


def _area_code() -> pl.Expr:
    level = pl.col("geographic_level")
    return (
        pl.when(level == NATIONAL)
        .then(pl.col("country_code"))
        .when(level == REGIONAL)
        .then(pl.col("region_code"))
        .otherwise(pl.col("old_la_code"))
        .str.strip_chars()
        .alias("area_code")
    )


def _cells(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """``geographic_level, area_code, year, measure, value, symbol`` for ``columns`` of an EES
    file (one row per area, year and column), empty cells dropped."""
    return (
        frame.select(
            "geographic_level",
            _area_code(),
            pl.col("time_period").cast(pl.Int64).alias("year"),
            *columns,
        )
        .unpivot(index=["geographic_level", "area_code", "year"], variable_name="measure")
        .select(
            "geographic_level",
            "area_code",
            "year",
            "measure",
            _value("value").alias("value"),
            _symbol("value").alias("symbol"),
        )
        .filter(pl.col("value").is_not_null() | pl.col("symbol").is_not_null())
    )


def _csww() -> pl.DataFrame:
    return _cells(_read_bundled(CSWW), list(CSWW_MEASURES)).with_columns(
        pl.lit(CSWW).alias("source")
    )


def _population() -> pl.DataFrame:
    return _cells(_read_bundled(ONS), ["population_estimate"]).with_columns(
        pl.lit(POPULATION).alias("measure"), pl.lit(ONS).alias("source")
    )


def _rate_per_10000(file: str, column: str, measure: str, population: pl.DataFrame) -> pl.DataFrame:
    """``column`` of ``file`` over the ONS children aged 0-17 at mid-``year - 1`` x 10,000, to 1
    decimal place (see the module docstring for the symbols)."""
    counts = _cells(_read_bundled(file), [column]).drop("measure")
    denominators = population.select(
        "geographic_level",
        "area_code",
        (pl.col("year") + 1).alias("year"),
        pl.col("value").alias("children"),
        pl.col("symbol").alias("children_symbol"),
    )
    joined = counts.join(
        denominators, on=["geographic_level", "area_code", "year"], how="left"
    ).with_columns(pl.col("children_symbol").fill_null(pl.lit("x")))
    rate = (pl.col("value") * 10_000 / pl.col("children")).round(1, mode="half_away_from_zero")
    has_rate = pl.col("value").is_not_null() & (pl.col("children") > 0)
    return joined.select(
        pl.lit(file).alias("source"),
        "geographic_level",
        "area_code",
        "year",
        pl.lit(measure).alias("measure"),
        pl.when(has_rate).then(rate).otherwise(None).alias("value"),
        pl.when(has_rate)
        .then(None)
        .otherwise(pl.coalesce("symbol", "children_symbol"))
        .alias("symbol"),
    )


def _cla_rate() -> pl.DataFrame:
    rows = _read_bundled(CLA).filter(pl.col("population_type") == CLA_AT31)
    return _cells(rows, ["rate_per_10000"]).with_columns(
        pl.lit(CLA_RATE).alias("measure"), pl.lit(CLA).alias("source")
    )


def benchmark_rows() -> pl.DataFrame:
    """Every published figure the benchmarks compare, as long rows (:data:`LONG_SCHEMA`; see the
    module docstring for the measures and their sources), ordered by source, level, area, year
    and measure. Built once per process (the bundled files do not change); callers get their
    own copy."""
    return _benchmark_rows().clone()


@cache
def _benchmark_rows() -> pl.DataFrame:
    population = _population()
    parts = [
        _csww(),
        _rate_per_10000(B1, "At31_episodes", CIN_RATE, population),
        _rate_per_10000(D5, "CPP_At31", CPP_RATE, population),
        _cla_rate(),
        population,
    ]
    return pl.concat(
        [p.select(pl.col(n).cast(t) for n, t in LONG_SCHEMA.items()) for p in parts]
    ).sort("source", "geographic_level", "area_code", "year", "measure")


def authorities() -> pl.DataFrame:
    """Every local authority in the bundled files: ``la_code`` (DfE 3-digit number), ``la_name``
    and its English region (``region_code``, ``region_name``: one of the nine, Inner and Outer
    London boroughs in London), as of the latest year it appears in; joint returns left out."""
    frames = [
        _read_bundled(name)
        .filter(pl.col("geographic_level") == LOCAL_AUTHORITY)
        .select(
            pl.col("old_la_code").str.strip_chars().alias("la_code"),
            pl.col("la_name").str.strip_chars(),
            pl.col("region_code").str.strip_chars().replace(LONDON_PARTS),
            pl.col("time_period").cast(pl.Int64).alias("year"),
        )
        for name in (CSWW, B1, D5, CLA, ONS)
    ]
    regions = pl.concat(
        _read_bundled(name)
        .filter(pl.col("geographic_level") == REGIONAL)
        .select(pl.col("region_code").str.strip_chars(), pl.col("region_name").str.strip_chars())
        for name in (CSWW, B1)
    ).unique("region_code")
    return (
        pl.concat(frames)
        .filter(pl.col("la_code").str.contains(r"^\d{3}$"))
        .sort("la_code", "year", descending=[False, True])
        .unique("la_code", keep="first", maintain_order=True)
        .join(regions, on="region_code", how="left")
        .select("la_code", "la_name", "region_code", "region_name")
    )


def statistical_neighbours() -> pl.DataFrame:
    """The DfE children's services statistical neighbours, 2025 model (``sn_model_2025_wide.csv``,
    May 2025): one row per authority and neighbour, ``la_code, position`` (1 = nearest, to 10),
    ``neighbour_code`` and ``closeness`` (the model's band: "Extremely close" … "Somewhat
    close"), in ``la_code`` and ``position`` order."""
    wide = _read_bundled(SN_MODEL)
    parts = [
        wide.select(
            pl.col("old_la_code").str.strip_chars().alias("la_code"),
            pl.lit(k, dtype=pl.Int64).alias("position"),
            pl.col(f"SN_{k}").str.strip_chars().alias("neighbour_code"),
            pl.col(f"SN_{k}P").str.strip_chars().alias("closeness"),
        )
        for k in range(1, 11)
    ]
    return (
        pl.concat(parts)
        .filter(pl.col("neighbour_code").is_not_null() & (pl.col("neighbour_code") != ""))
        .sort("la_code", "position")
    )
