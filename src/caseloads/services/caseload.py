"""Caseloads, their history, allocation and weighting schemes (issue 5, deliverables 1-5 and 7).

Each function is one user action and returns JSON-safe rows (lists of dicts: str, int, float,
bool, None; dates as ISO text), which the CLI prints and the API will serve unchanged. The
definitions are in :mod:`caseloads.domain.caseload`, :mod:`caseloads.domain.child_status`,
:mod:`caseloads.domain.weights` and :mod:`caseloads.domain.allocation`.

- Authority: the one asked for, else the database's only authority (as every command).
- Scheme: the one in force on each date: the latest ``effective_from`` on or before it among the
  shipped default, the schemes loaded for every authority and those loaded for this authority
  (the authority's own wins a tie).
- Date (when not given): the latest involvement start or end date recorded, up to the day the
  extract was imported.
"""

from __future__ import annotations

import getpass
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl
import yaml
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from caseloads.domain import caseload as domain
from caseloads.domain import child_status
from caseloads.domain.allocation import rank_workers
from caseloads.domain.teams import name_key
from caseloads.domain.weights import Scheme, SchemeProblem, parse_scheme, scheme_in_force
from caseloads.errors import CaseloadsError, DatabaseError, NotFoundError
from caseloads.services.database import Database, describe_db_error
from caseloads.services.establishment import choose_authority
from caseloads.store import caseload as store
from caseloads.store.frames import active_frame
from caseloads.store.tables import involvements

FREQUENCIES = {"day": "1d", "week": "1w", "month": "1mo"}
GROUPINGS = ("worker", "team")
_DEFAULT_FILE = "caseload_scheme.yaml"


class CaseloadRequestError(CaseloadsError):
    """A caseload request that cannot be answered as asked (bad option values)."""


class SchemeError(CaseloadsError):
    """A weighting scheme file that cannot be used: names the file, key and value."""


@dataclass(frozen=True, slots=True)
class _Context:
    la_code: str
    schemes: list[Scheme]
    teams: pl.DataFrame


def default_scheme() -> Scheme:
    """The scheme shipped with the package (``caseloads/data/caseload_scheme.yaml``)."""
    text = resources.files("caseloads.data").joinpath(_DEFAULT_FILE).read_text(encoding="utf-8")
    try:
        return parse_scheme(yaml.safe_load(text))
    except SchemeProblem as exc:  # pragma: no cover - the shipped file is tested
        raise SchemeError(f"the shipped scheme {_DEFAULT_FILE}: {exc}") from exc


def _schemes(conn: Connection, la_code: str) -> list[Scheme]:
    base = default_scheme()
    out = [base]
    for row in store.stored_schemes(conn, la_code):
        try:
            out.append(parse_scheme(row["scheme"], base))
        except SchemeProblem as exc:
            raise SchemeError(f"the stored scheme {row['name']!r}: {exc}") from exc
    return out


def _scheme_on(schemes: Sequence[Scheme], on: date) -> Scheme:
    scheme = scheme_in_force(schemes, on)
    # The shipped default is in force from 2000-01-01; earlier dates use it too.
    return scheme if scheme is not None else schemes[0]


def _read(db: Database, la_code: str | None, action: Any) -> Any:
    try:
        with db.engine.connect() as conn:
            la = choose_authority(conn, la_code)
            return action(conn, la)
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot read the database {db.url}: {describe_db_error(exc)}") from exc


def caseload_inputs(frames: dict[str, pl.DataFrame], scheme: Scheme) -> domain.CaseloadInputs:
    swe_map = pl.concat(
        [
            frames["workers"].select("swe_hash", "worker_id"),
            frames["professionals"].select("swe_hash", "worker_id"),
        ]
    )
    allocs = domain.resolve_workers(
        domain.allocated(frames["involvements"], scheme.allocated_roles), swe_map
    )
    status = child_status.status_intervals(
        referrals=frames["referrals"],
        assessments=frames["assessments"],
        s47_enquiries=frames["s47_enquiries"],
        cin_plans=frames["cin_plans"],
        cp_plans=frames["cp_plans"],
        cla_episodes=frames["cla_episodes"],
        care_leavers=frames["care_leavers"],
    )
    court = child_status.court_intervals(
        pre_proceedings=frames["pre_proceedings"],
        cla_episodes=frames["cla_episodes"],
        weeks=scheme.court_proceedings_weeks,
    )
    return domain.CaseloadInputs(
        allocations=allocs.select("worker_id", "child_id", "start_date", "end_date"),
        status=status,
        court=court,
        families=frames["families"],
        assignments=frames["assignments"],
        professionals=frames["professionals"],
        reductions=frames["reductions"],
        workers=frames["workers"],
    )


def _team_ids(teams: pl.DataFrame, team: str | None) -> list[str] | None:
    if team is None:
        return None
    wanted = name_key(team)
    hit = teams.filter(
        (pl.col("team_id") == team.strip())
        | (pl.col("name").map_elements(name_key, return_dtype=pl.String) == wanted)
    )
    if hit.height == 0:
        names = ", ".join(sorted(teams["name"].to_list())[:20]) or "none"
        raise NotFoundError(f"no team {team!r} (teams: {names})")
    return hit["team_id"].to_list()


def _steps(start: date, end: date, freq: str) -> list[date]:
    if freq not in FREQUENCIES:
        raise CaseloadRequestError(f"--freq {freq!r}: choose day, week or month")
    if end < start:
        raise CaseloadRequestError(f"--to {end} is before --from {start}")
    return pl.date_range(start, end, FREQUENCIES[freq], eager=True).to_list()


def _compute(
    conn: Connection, la: str, steps: list[date], by: str, team: str | None
) -> pl.DataFrame:
    """Worker or team rows at each step, each step under its scheme in force."""
    if by not in GROUPINGS:
        raise CaseloadRequestError(f"--by {by!r}: choose worker or team")
    schemes = _schemes(conn, la)
    teams = store.team_frame(conn, la)
    wanted = _team_ids(teams, team)
    frames = store.caseload_frames(conn, la, min(steps), max(steps))
    parts = []
    by_scheme: dict[int, list[date]] = {}
    chosen: dict[int, Scheme] = {}
    for step in steps:
        scheme = _scheme_on(schemes, step)
        by_scheme.setdefault(id(scheme), []).append(step)
        chosen[id(scheme)] = scheme
    for key, run in by_scheme.items():
        scheme = chosen[key]
        timeline = domain.worker_timeline(caseload_inputs(frames, scheme), scheme, run)
        if by == "team":
            part = domain.team_steps(timeline, teams, scheme)
        else:
            names = teams.select("team_id", pl.col("name").alias("team"))
            workers = domain.worker_rows(timeline, scheme)
            part = workers.join(names, on="team_id", how="left").with_columns(
                pl.coalesce("team", "team_id").alias("team")
            )
        parts.append(part)
    frame = pl.concat(parts, how="diagonal_relaxed")
    if wanted is not None:
        frame = frame.filter(pl.col("team_id").is_in(wanted))
    return frame.sort("step", "team", *(["worker_id"] if by == "worker" else []))


_ROUND = {
    "fte": 2,
    "weighted_points": 2,
    "capacity_points": 2,
    "capacity_pct": 1,
    "reduction_pct": 1,
    "caseload_per_fte": 1,
    "standard": 1,
    "required_fte": 2,
    "available_fte": 2,
}


def _rows(frame: pl.DataFrame, la: str) -> list[dict[str, Any]]:
    rounded = frame.with_columns(
        pl.col(c).round(d) for c, d in _ROUND.items() if c in frame.columns
    ).with_columns(pl.col("step").cast(pl.String).alias("as_of"))
    columns = ["as_of", *[c for c in rounded.columns if c not in ("step", "as_of")]]
    return [{"la_code": la, **row} for row in rounded.select(columns).to_dicts()]


WORKER_ROW = (
    "la_code",
    "as_of",
    "worker_id",
    "team_id",
    "team",
    "role",
    "fte",
    "children",
    "families",
    "weighted_points",
    "capacity_points",
    "capacity_pct",
    "rag",
    "reduction_pct",
    "manager_holds_cases",
    "protected_over_level",
)
TEAM_ROW = ("la_code", "as_of", *domain.TEAM_COLUMNS)


def _ordered(rows: list[dict[str, Any]], by: str) -> list[dict[str, Any]]:
    names = WORKER_ROW if by == "worker" else TEAM_ROW
    return [{n: row.get(n) for n in names} for row in rows]


def default_date(conn: Connection, la: str) -> date:
    """The latest involvement start or end date recorded up to today (see the module)."""
    frame = active_frame(conn, involvements, la, columns=["start_date", "end_date"])
    today = date.today()
    value = frame.select(
        pl.max_horizontal(
            pl.col(c).filter(pl.col(c) <= today).max() for c in ("start_date", "end_date")
        )
    ).item()
    if value is None:
        raise NotFoundError(
            f"authority {la} has no involvements (allocations) loaded: import an SSD or SSDA903 "
            "extract, or give the date with --as-of"
        )
    assert isinstance(value, date)
    return value


def caseload_picture(
    db: Database,
    *,
    la_code: str | None = None,
    as_of: date | None = None,
    team: str | None = None,
    by: str = "worker",
) -> list[dict[str, Any]]:
    """Per worker (``by="worker"``) or per team on a date (deliverables 1 and 4)."""

    def action(conn: Connection, la: str) -> list[dict[str, Any]]:
        on = as_of if as_of is not None else default_date(conn, la)
        return _ordered(_rows(_compute(conn, la, [on], by, team), la), by)

    result: list[dict[str, Any]] = _read(db, la_code, action)
    return result


def caseload_history(
    db: Database,
    *,
    start: date,
    end: date,
    freq: str = "week",
    by: str = "team",
    la_code: str | None = None,
    team: str | None = None,
) -> list[dict[str, Any]]:
    """The same measures at every step from ``start`` to ``end`` (deliverable 5): one pass over
    the intervals, each step under its own scheme in force."""
    steps = _steps(start, end, freq)

    def action(conn: Connection, la: str) -> list[dict[str, Any]]:
        return _ordered(_rows(_compute(conn, la, steps, by, team), la), by)

    result: list[dict[str, Any]] = _read(db, la_code, action)
    return result


def allocation_options(
    db: Database,
    *,
    team: str,
    status: str,
    children: int = 1,
    as_of: date | None = None,
    la_code: str | None = None,
    court_proceedings: bool = False,
) -> list[dict[str, Any]]:
    """The team's workers ranked for taking ``children`` new children of ``status`` (one family
    group), with why each excluded worker is excluded (deliverable 7)."""
    if children < 1:
        raise CaseloadRequestError(f"--children {children}: must be at least 1")

    def action(conn: Connection, la: str) -> list[dict[str, Any]]:
        on = as_of if as_of is not None else default_date(conn, la)
        scheme = _scheme_on(_schemes(conn, la), on)
        if status not in scheme.points:
            raise CaseloadRequestError(
                f"--status {status!r}: choose one of {', '.join(scheme.points)}"
            )
        frame = _compute(conn, la, [on], "worker", team)
        frames = store.caseload_frames(conn, la, on, on)
        reasons = domain.all_reductions(caseload_inputs(frames, scheme), scheme).filter(
            (pl.col("start_date").is_null() | (pl.col("start_date") <= on))
            & (pl.col("end_date").is_null() | (pl.col("end_date") >= on))
        )
        ranked = rank_workers(
            frame,
            scheme,
            status=status,
            children=children,
            court_proceedings=court_proceedings,
            reductions=reasons,
        )
        return [
            {"la_code": la, "as_of": on.isoformat(), **row}
            for row in ranked.with_columns(
                pl.col(c).round(2)
                for c in (
                    "fte",
                    "weighted_points",
                    "capacity_points",
                    "points_after",
                    "capacity_left_after",
                )
            )
            .with_columns(pl.col("capacity_pct_after").round(1))
            .to_dicts()
        ]

    result: list[dict[str, Any]] = _read(db, la_code, action)
    return result


# --- weighting schemes ----------------------------------------------------------------------


def load_weights(db: Database, path: Path, *, la_code: str | None = None) -> dict[str, Any]:
    """Validate a scheme file and store it for the authority (every authority with ``la_code``
    ``"*"``... see the command), replacing one with the same ``effective_from``."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SchemeError(f"{path}: cannot read the file: {exc.strerror}") from exc
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SchemeError(f"{path.name}: not a YAML file: {exc}") from exc
    try:
        scheme = parse_scheme(data, default_scheme())
    except SchemeProblem as exc:
        raise SchemeError(f"{path.name}: {exc}") from exc
    try:
        with db.engine.begin() as conn:
            la = "" if la_code == "*" else choose_authority(conn, la_code)
            replaced = store.save_scheme(
                conn,
                la_code=la,
                scheme=scheme.to_dict(),
                effective_from=scheme.effective_from,
                name=scheme.name,
                source_file=path.name,
                sha256=hashlib.sha256(raw).hexdigest(),
                loaded_at=datetime.now(UTC),
                loaded_by=getpass.getuser(),
            )
    except SQLAlchemyError as exc:
        raise DatabaseError(
            f"cannot write to the database {db.url}: {describe_db_error(exc)}"
        ) from exc
    return {
        "la_code": la or "*",
        "name": scheme.name,
        "effective_from": scheme.effective_from.isoformat(),
        "file": path.name,
        "replaced": replaced,
    }


def show_weights(
    db: Database, *, la_code: str | None = None, as_of: date | None = None
) -> dict[str, Any]:
    """The schemes known for the authority (the shipped default first) and the one in force on
    ``as_of`` (default today) in full."""

    def action(conn: Connection, la: str) -> dict[str, Any]:
        on = as_of if as_of is not None else date.today()
        schemes = _schemes(conn, la)
        stored = store.stored_schemes(conn, la)
        listing = [
            {
                "la_code": "(shipped)",
                "name": schemes[0].name,
                "effective_from": schemes[0].effective_from.isoformat(),
                "file": _DEFAULT_FILE,
                "loaded_at": None,
            }
        ] + [
            {
                "la_code": row["la_code"] or "*",
                "name": row["name"],
                "effective_from": row["effective_from"].isoformat(),
                "file": row["source_file"],
                "loaded_at": row["loaded_at"].isoformat(),
            }
            for row in stored
        ]
        return {
            "la_code": la,
            "as_of": on.isoformat(),
            "schemes": listing,
            "in_force": _scheme_on(schemes, on).to_dict(),
        }

    result: dict[str, Any] = _read(db, la_code, action)
    return result
