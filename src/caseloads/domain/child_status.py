"""A child's status on a date (issue 5, deliverable 2), as intervals a sweep can read.

Precedence, first that applies wins (:data:`caseloads.domain.weights.STATUSES`):

1. ``cla`` in care: an open looked-after episode. The SSDA903 convention (definitions.md §4,
   [S12]) is that an episode runs from DECOM up to its ceased date DEC and the next episode starts
   on that same DEC (validator rules 501/142, as ingest/ssda903.py checks), so the ceased date is
   **exclusive**: on it the child is no longer looked after unless a new episode starts. The SSD's
   ``clae_cla_episode_ceased_date`` mirrors DEC and is read the same way.
2. ``cp`` on a child protection plan (start and end dates inclusive).
3. ``cin`` on a CIN plan, or otherwise open after assessment: an authorised assessment (not
   marked no further action) from its authorisation date until its referral (the CIN episode,
   found as the child's latest referral on or before the assessment's start) closes.
4. ``care_leaver`` where the extract lists the young person as a care leaver: from the day their
   last care episode ceased (from the start of the record when no care episode is loaded).
5. ``assessment`` under assessment (start to authorisation) or a section 47 enquiry (start to end).
6. ``referral`` newly referred: an open referral (CIN episode), referral date to close date.
7. ``other`` none of these (allocated, but nothing open in the extract).

Court proceedings are a flag beside the status, where the extract has them: from the SSD
pre-proceedings table, from the date the letter to issue care proceedings was sent for the
scheme's ``court_proceedings_weeks`` (the 26-week statutory limit by default: the table has no
end date of proceedings); and while the child is looked after on an interim care order (903 legal
status ``C1``: proceedings are still running).

Every interval here is ``[start, end]`` with both days inclusive and ``end`` null for still open.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from caseloads.domain.weights import STATUSES

#: Status -> precedence rank (0 is highest).
RANK: dict[str, int] = {status: i for i, status in enumerate(STATUSES)}
INTERVAL_SCHEMA: dict[str, pl.DataType] = {
    "child_id": pl.String(),
    "rank": pl.Int8(),
    "start": pl.Date(),
    "end": pl.Date(),
}
INTERIM_CARE_ORDER = "C1"


def _iv(frame: pl.DataFrame, status: str | None, start: pl.Expr, end: pl.Expr) -> pl.DataFrame:
    rank = len(STATUSES) if status is None else RANK[status]
    return frame.select(
        pl.col("child_id").cast(pl.String),
        pl.lit(rank, pl.Int8).alias("rank"),
        start.cast(pl.Date).alias("start"),
        end.cast(pl.Date).alias("end"),
    ).filter(
        pl.col("end").is_null() | pl.col("start").is_null() | (pl.col("end") >= pl.col("start"))
    )


def cla_intervals(cla_episodes: pl.DataFrame) -> pl.DataFrame:
    """Looked-after days: ``[start_date, ceased_date - 1]`` (the ceased date is exclusive)."""
    return _iv(
        cla_episodes,
        "cla",
        pl.col("start_date"),
        pl.col("ceased_date") - pl.duration(days=1),
    )


def status_intervals(
    *,
    referrals: pl.DataFrame,
    assessments: pl.DataFrame,
    s47_enquiries: pl.DataFrame,
    cin_plans: pl.DataFrame,
    cp_plans: pl.DataFrame,
    cla_episodes: pl.DataFrame,
    care_leavers: pl.DataFrame,
) -> pl.DataFrame:
    """Every interval in which a child has each status: ``child_id, rank, start, end``.

    Columns read: referrals ``child_id, referral_date, close_date``; assessments ``child_id,
    start_date, auth_date, nfa``; s47 ``child_id, start_date, end_date``; CIN and CP plans
    ``child_id, start_date, end_date``; CLA episodes ``child_id, start_date, ceased_date``;
    care leavers ``child_id``."""
    refs = referrals.select("child_id", "referral_date", "close_date").sort(
        "child_id", "referral_date"
    )
    authorised = (
        assessments.filter(pl.col("auth_date").is_not_null() & ~pl.col("nfa").fill_null(False))
        .select("child_id", "start_date", "auth_date")
        .sort("child_id", "start_date")
    )
    after_assessment = authorised.join_asof(
        refs,
        left_on="start_date",
        right_on="referral_date",
        by="child_id",
        strategy="backward",
        check_sortedness=False,
    ).with_columns(
        # No referral found: open after assessment on the day of authorisation only.
        pl.when(pl.col("referral_date").is_null())
        .then(pl.col("auth_date"))
        .otherwise(pl.col("close_date"))
        .alias("_end")
    )
    last_ceased = cla_episodes.group_by("child_id").agg(
        pl.col("ceased_date").max().alias("ceased"),
        pl.col("ceased_date").is_null().any().alias("open"),
    )
    leavers = (
        care_leavers.select("child_id")
        .unique()
        .join(last_ceased, on="child_id", how="left")
        .filter(~pl.col("open").fill_null(False))
    )
    parts = [
        cla_intervals(cla_episodes),
        _iv(cp_plans, "cp", pl.col("start_date"), pl.col("end_date")),
        _iv(cin_plans, "cin", pl.col("start_date"), pl.col("end_date")),
        _iv(after_assessment, "cin", pl.col("auth_date"), pl.col("_end")),
        _iv(leavers, "care_leaver", pl.col("ceased"), pl.lit(None, pl.Date)),
        _iv(assessments, "assessment", pl.col("start_date"), pl.col("auth_date")),
        _iv(s47_enquiries, "assessment", pl.col("start_date"), pl.col("end_date")),
        _iv(referrals, "referral", pl.col("referral_date"), pl.col("close_date")),
    ]
    return pl.concat(parts)


def court_intervals(
    *, pre_proceedings: pl.DataFrame, cla_episodes: pl.DataFrame, weeks: int
) -> pl.DataFrame:
    """Days a child is flagged as in court proceedings (``child_id, start, end``; see the module
    docstring): letter to issue + ``weeks`` weeks - 1 day, and interim care order episodes."""
    issued = pre_proceedings.filter(pl.col("care_proceedings_letter_date").is_not_null())
    letter = pl.col("care_proceedings_letter_date")
    legal = pl.col("legal_status").cast(pl.String).str.to_uppercase()
    interim = cla_episodes.filter(legal == INTERIM_CARE_ORDER)
    return pl.concat(
        [
            _iv(issued, None, letter, letter + pl.duration(days=7 * weeks - 1)),
            cla_intervals(interim).with_columns(pl.lit(len(STATUSES), pl.Int8).alias("rank")),
        ]
    ).drop("rank")


def statuses_on(
    intervals: pl.DataFrame, court: pl.DataFrame, on: date, children: pl.Series | None = None
) -> pl.DataFrame:
    """Each child's status on ``on``: ``child_id, status, court_proceedings``. Children given in
    ``children`` with nothing open are ``other``; without it, only children with a status."""
    covers = (pl.col("start").is_null() | (pl.col("start") <= on)) & (
        pl.col("end").is_null() | (pl.col("end") >= on)
    )
    best = intervals.filter(covers).group_by("child_id").agg(pl.col("rank").min())
    flagged = court.filter(covers).select("child_id").unique().with_columns(pl.lit(True).alias("c"))
    frame = best
    if children is not None:
        frame = (
            pl.DataFrame({"child_id": children.unique().cast(pl.String)})
            .join(best, on="child_id", how="left")
            .with_columns(pl.col("rank").fill_null(RANK["other"]))
        )
    status = pl.col("rank").replace_strict(list(range(len(STATUSES))), list(STATUSES))
    return (
        frame.join(flagged, on="child_id", how="left")
        .select(
            "child_id",
            status.alias("status"),
            pl.col("c").fill_null(False).alias("court_proceedings"),
        )
        .sort("child_id")
    )
