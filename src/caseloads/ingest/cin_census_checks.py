"""Rules across the records of a CIN census return, each one vectorised Polars over typed frames.

Frames here carry ``_row`` (the 1-based position of the record's ``Child`` element), ``_parent``
(the index of the record it belongs to) and typed dates. Rule numbers are those of the DfE CIN
census validation rules, as listed in public re-implementations of them (the data-to-insight /
Social Finance ``cin_validator`` rule files and Bristol's CIN import-export SQL); only numbers seen
there are cited. The rule ids are explained in cin_census.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from caseloads.ingest.csv_io import ROW
from caseloads.ingest.findings import Findings

ISO = "%Y-%m-%d"
_OPEN = date(9999, 12, 31)


def iso(column: str) -> pl.Expr:
    return pl.col(column).dt.strftime(ISO)


def repeated_dates(
    frame: pl.DataFrame,
    keys: Sequence[str],
    when: str,
    *,
    column: str,
    what: str,
    file: str,
    findings: Findings,
) -> pl.Series:
    """``duplicate.key`` for every record after the first of one parent with the same ``when``
    (its id, a hash of the parent and that date, would collide). Returns the mask of first ones."""
    filled = pl.all_horizontal(pl.col([*keys, when]).is_not_null())
    first = pl.struct([*keys, when]).is_first_distinct()
    mask = frame.select((~filled | first).alias("_m")).get_column("_m")
    bad = frame.filter(~mask).select(ROW, iso(when).alias("_value"))
    findings.from_frame(
        bad,
        severity="error",
        rule="duplicate.key",
        message=f"another {what} of the same record has this date too, so the two cannot be "
        "told apart",
        file=file,
        column=column,
        value_col="_value",
    )
    return mask


def episode_overlaps(cin: pl.DataFrame, *, file: str, findings: Findings) -> None:
    """``overlap``: a CIN episode referred before an earlier episode of the same child closed.

    A child's CIN episodes may not overlap (definitions.md §4). As in DfE rule 8820, an episode
    runs from its referral up to, not including, its closure (a new referral on the day of the
    previous closure is fine); an episode with no closure is open, unless it is a referral with
    no further action, which is a single day. Repeated referral dates are ``duplicate.key``
    (``repeated_dates``) and are left out here."""
    end = (
        pl.when(pl.col("close_date").is_not_null())
        .then(pl.col("close_date"))
        .when(pl.col("nfa").fill_null(False))
        .then(pl.col("referral_date"))
        .otherwise(pl.lit(_OPEN))
    )
    spans = (
        cin.filter(pl.col("referral_date").is_not_null() & pl.col("_first_referral"))
        .select(ROW, "referral_date", end.alias("_end"))
        .sort([ROW, "referral_date"])
        .with_columns(pl.col("_end").cum_max().shift(1).over(ROW).alias("_reach"))
    )
    reach = (
        pl.when(pl.col("_reach") == _OPEN)
        .then(pl.lit("is still open"))
        .otherwise(pl.format("is open until {}", iso("_reach")))
    )
    bad = spans.filter(pl.col("referral_date") < pl.col("_reach")).select(
        ROW, pl.format("{}; an earlier episode {}", iso("referral_date"), reach).alias("_value")
    )
    findings.from_frame(
        bad.sort(ROW),
        severity="error",
        rule="overlap",
        message="this CIN episode starts before an earlier CIN episode of the same child has "
        "closed (CIN episodes may not overlap)",
        file=file,
        column="CINdetails/CINreferralDate",
        value_col="_value",
    )


def after_reference(cin: pl.DataFrame, as_of: date, *, file: str, findings: Findings) -> None:
    """``census.period`` (warning): a referral after the census reference date (DfE rule 8600,
    "child referral date missing or after data collection period")."""
    bad = cin.filter(pl.col("referral_date") > as_of).select(
        ROW,
        pl.format("{} is after {}", iso("referral_date"), pl.lit(as_of.isoformat())).alias(
            "_value"
        ),
    )
    findings.from_frame(
        bad,
        severity="warning",
        rule="census.period",
        message="the referral is dated after the census reference date",
        file=file,
        column="CINdetails/CINreferralDate",
        value_col="_value",
    )


def outside_episode(
    frame: pl.DataFrame,
    column: str,
    label: str,
    *,
    before: bool,
    after: bool,
    file: str,
    findings: Findings,
) -> None:
    """``date.episode`` (warning): ``column`` before its episode's ``referral_date`` (``before``)
    or after its ``close_date`` (``after``). ``frame`` carries both episode dates."""
    checks: list[tuple[str, str, str]] = []
    if before:
        checks.append(("referral_date", "before", "the CIN referral date"))
    if after:
        checks.append(("close_date", "after", "the CIN closure date"))
    for bound, side, what in checks:
        outside = (
            pl.col(column) < pl.col(bound) if side == "before" else pl.col(column) > pl.col(bound)
        )
        bad = frame.filter(outside).select(
            ROW, pl.format("{} is {} {}", iso(column), pl.lit(side), iso(bound)).alias("_value")
        )
        findings.from_frame(
            bad,
            severity="warning",
            rule="date.episode",
            message=f"{label} is {side} {what} of its CIN episode",
            file=file,
            column=label,
            value_col="_value",
        )
