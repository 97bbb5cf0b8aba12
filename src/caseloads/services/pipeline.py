"""``caseloads pipeline``: accepted offers not yet started against the uncovered vacancies, and
the recruitment activity by month (issue 4, deliverable 3). Definitions in
:mod:`caseloads.domain.pipeline`; the authority and default date as for ``caseloads
establishment`` (:mod:`caseloads.services.establishment`), so the ``uncovered_vacancy_fte`` here
is the establishment table's for the same date and grouping."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
from sqlalchemy.exc import SQLAlchemyError

from caseloads.domain import establishment as est
from caseloads.domain import pipeline as domain
from caseloads.errors import CaseloadsError, DatabaseError
from caseloads.services.database import Database, describe_db_error
from caseloads.services.establishment import (
    check_grouping,
    choose_authority,
    labelled_rows,
    latest_recorded_date,
    read_frames,
    require_extracts,
)
from caseloads.store import repositories
from caseloads.store.frames import active_frame
from caseloads.store.tables import pipeline

_PIPELINE_COLUMNS = ["team_id", "role", "contract", "fte", "stage", "stage_date", "expected_start"]


def pipeline_summary(
    db: Database,
    *,
    la_code: str | None = None,
    as_of: date | None = None,
    starting_by: date | None = None,
    by: str = "role",
) -> list[dict[str, Any]]:
    """One dict per group (``role``, ``team`` or ``team,role``), then the total row: ``la_code``,
    ``as_of``, ``starting_by`` (ISO date or None), the group's labels,
    :data:`~caseloads.domain.pipeline.PIPELINE_FIGURES` in FTE and ``candidates`` (the number of
    accepted offers counted)."""
    key = check_grouping(by)
    db.require_current_schema()
    try:
        with db.engine.connect() as conn:
            la = choose_authority(conn, la_code)
            require_extracts(conn, la, ("establishment", "staff", "pipeline"))
            on = as_of if as_of is not None else latest_recorded_date(conn, la)
            post_rows, staff_rows = read_frames(conn, la)
            offers = active_frame(conn, pipeline, la, columns=_PIPELINE_COLUMNS)
            names = {t.team_id: t.name for t in repositories.load_teams(conn, la).values()}
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot read {db.url}: {describe_db_error(exc)}") from exc
    if starting_by is not None and starting_by < on:
        raise CaseloadsError(
            f"--starting-by {starting_by.isoformat()} is before the date of the table "
            f"({on.isoformat()}): give a later date, or leave it out for every accepted offer"
        )
    cells = est.cell_figures(est.active_on(post_rows, on), est.active_on(staff_rows, on))
    table = domain.pipeline_table(
        cells.select(*est.CELL, "uncovered_vacancy_fte"),
        offers,
        on,
        starting_by=starting_by,
        by=key,
    )
    head = {
        "la_code": la,
        "as_of": on.isoformat(),
        "starting_by": None if starting_by is None else starting_by.isoformat(),
    }
    figures = (*domain.PIPELINE_FIGURES, "candidates")
    return labelled_rows(table.groups, table.total, est.GROUPINGS[key], figures, names, head)


def recruitment_activity(
    db: Database, *, la_code: str | None = None, as_of: date | None = None
) -> list[dict[str, Any]]:
    """One dict per month up to the date: ``la_code``, ``month`` (``YYYY-MM``) and the counts of
    :data:`~caseloads.domain.pipeline.ACTIVITY_COUNTS` (what they mean, and why applications and
    offers are lower bounds: :mod:`caseloads.domain.pipeline`)."""
    db.require_current_schema()
    try:
        with db.engine.connect() as conn:
            la = choose_authority(conn, la_code)
            require_extracts(conn, la, ("pipeline",))
            on = as_of if as_of is not None else latest_recorded_date(conn, la)
            rows = active_frame(conn, pipeline, la, columns=["stage", "stage_date"])
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot read {db.url}: {describe_db_error(exc)}") from exc
    months = domain.monthly_activity(rows, on)
    return months.select(pl.lit(la).alias("la_code"), pl.all()).to_dicts()
