"""Weekly caseload history for five years, and ``caseloads caseload --as-of`` (issue 5, "Measure
and report"): JSON figures, medians, against a plain pandas baseline run in the same process.

- Council: a database made by ``caseloads demo --size council`` (``--council-db``). Timed in
  process: ``caseload_history`` (weekly, five years to ``--to``, by team and by worker: database
  reads included) and ``caseload_picture`` on one date (by worker and by team).
- National: the 153 authorities' rows of a loaded national SQLite database (``--national-db``,
  opened read-only; its schema revision does not matter, only the data tables are read), put
  together into one set of frames (team ids prefixed with the authority) and the history
  computed in one pass. Reading the database is timed separately from the computation.
- Baseline (both sizes, the same prepared frames): a straightforward pandas implementation that
  filters the intervals once per week (allocations open that week, unique per worker and child,
  the children's statuses open that week, family groups, worker attributes, team sums). Its team
  weighted points are compared with ours at every step: they must agree.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

# caseloads before Polars, as the command line and the web service import it, so that Polars'
# allocator takes the package's setting (caseloads/__init__.py: freed pages kept for 10 s).
import caseloads  # noqa: F401  # isort: skip
import pandas as pd  # type: ignore[import-untyped]
import polars as pl

from caseloads.config import Settings
from caseloads.domain import caseload as domain
from caseloads.domain.weights import STATUSES, Scheme, normalise_role
from caseloads.services import caseload as service
from caseloads.services.database import open_database
from caseloads.store import caseload as store


def _median(fn: Callable[[], object], runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def weekly(end: date, years: int = 5) -> list[date]:
    start = end - timedelta(days=365 * years + years // 4)
    return pl.date_range(start, end, "1w", eager=True).to_list()


def ours(
    inputs: domain.CaseloadInputs, scheme: Scheme, teams: pl.DataFrame, steps: list[date]
) -> pl.DataFrame:
    """The team history as the service computes it (``caseload_history(by="team")``)."""
    return domain.team_steps(domain.worker_timeline(inputs, scheme, steps), teams, scheme)


def _pd(frame: pl.DataFrame) -> pd.DataFrame:
    """A polars frame as pandas without pyarrow (set-up, not timed as part of the work)."""
    return pd.DataFrame({name: frame[name].to_list() for name in frame.columns})


def pandas_baseline(
    inputs: domain.CaseloadInputs, scheme: Scheme, teams: pl.DataFrame, steps: list[date]
) -> pd.DataFrame:
    """For each step: filter every interval table to the rows open on it, then group."""
    far = pd.Timestamp("2262-01-01")
    alloc = _pd(inputs.allocations)
    status = _pd(inputs.status)
    court = _pd(inputs.court)
    fam = _pd(inputs.families).sort_values(["child_id", "family_id"]).drop_duplicates("child_id")
    assign = _pd(inputs.assignments)
    for frame, start, end in (
        (alloc, "start_date", "end_date"),
        (status, "start", "end"),
        (court, "start", "end"),
        (assign, "start_date", "end_date"),
    ):
        frame[start] = pd.to_datetime(frame[start]).fillna(pd.Timestamp("1900-01-01"))
        frame[end] = pd.to_datetime(frame[end]).fillna(far)
    assign["role"] = assign["role"].map(lambda r: normalise_role(r) if r else None)
    assign["role"] = assign["role"].map(lambda r: scheme.role_mapping.get(r, r) if r else None)
    points = pd.Series([scheme.points[s] for s in STATUSES])
    uplift = scheme.uplifts["court_proceedings"]
    f = scheme.sibling_factor
    out = []
    for step in steps:
        day = pd.Timestamp(step)
        held = alloc[(alloc.start_date <= day) & (alloc.end_date >= day)][["worker_id", "child_id"]]
        held = held.drop_duplicates()
        if held.empty:
            continue
        st = status[(status.start <= day) & (status.end >= day)].groupby("child_id")["rank"].min()
        flagged = set(court[(court.start <= day) & (court.end >= day)].child_id)
        held = held.merge(st.rename("rank"), left_on="child_id", right_index=True, how="left")
        held["rank"] = held["rank"].fillna(STATUSES.index("other")).astype(int)
        held["points"] = points.values[held["rank"].values] + held.child_id.isin(flagged) * uplift
        held = held.merge(fam, on="child_id", how="left")
        held["family_id"] = held["family_id"].fillna("child:" + held["child_id"])
        groups = held.groupby(["worker_id", "family_id"])["points"].agg(["sum", "max"])
        groups["w"] = f * groups["sum"] + (1 - f) * groups["max"]
        per_worker = groups.groupby("worker_id")["w"].sum()
        staff = assign[(assign.start_date <= day) & (assign.end_date >= day)]
        staff = staff.sort_values(["worker_id", "start_date", "fte"]).drop_duplicates(
            "worker_id", keep="last"
        )
        rows = staff.set_index("worker_id")[["team_id"]].join(
            per_worker.rename("weighted"), how="outer"
        )
        rows = rows[rows.weighted.notna() | rows.index.isin(staff.worker_id)]
        team = rows.groupby("team_id", dropna=False)["weighted"].sum()
        out.append(
            pd.DataFrame({"step": step, "team_id": team.index, "weighted_points": team.values})
        )
    return pd.concat(out, ignore_index=True)


def _agree(ours_frame: pl.DataFrame, base: pd.DataFrame) -> float:
    """The largest difference in team weighted points between the two, over every step."""
    a = ours_frame.group_by("step", "team_id").agg(pl.col("weighted_points").sum())
    b = pl.DataFrame(base.to_dict("list")).with_columns(pl.col("step").cast(pl.Date))
    joined = a.join(
        b.filter(pl.col("team_id").is_not_null()), on=["step", "team_id"], how="full", coalesce=True
    )
    diff = joined.select(
        (pl.col("weighted_points").fill_null(0) - pl.col("weighted_points_right").fill_null(0))
        .abs()
        .max()
    )
    return float(diff.item() or 0.0)


def council(url: str, key: str, end: date, runs: int) -> dict[str, Any]:
    db = open_database(Settings(database_url=url, key_file=Path(key)))
    steps = weekly(end)
    result: dict[str, Any] = {
        "database": url,
        "steps": len(steps),
        "from": str(steps[0]),
        "to": str(steps[-1]),
    }
    for by in ("team", "worker"):
        t, rows = _median(
            partial(
                service.caseload_history, db, start=steps[0], end=steps[-1], freq="week", by=by
            ),
            runs,
        )
        result[f"history_by_{by}_s"] = round(t, 3)
        result[f"history_by_{by}_rows"] = len(rows)  # type: ignore[arg-type]
    for by in ("worker", "team"):
        t, rows = _median(partial(service.caseload_picture, db, as_of=end, by=by), runs)
        result[f"as_of_by_{by}_s"] = round(t, 3)
        result[f"as_of_by_{by}_rows"] = len(rows)  # type: ignore[arg-type]
    with db.engine.connect() as conn:
        frames = store.caseload_frames(conn, "826", steps[0], steps[-1])
        teams = store.team_frame(conn, "826")
    scheme = service.default_scheme()
    inputs = service.caseload_inputs(frames, scheme)
    result.update(_compare(inputs, scheme, teams, steps, runs, baseline_runs=runs))
    db.dispose()
    return result


def _compare(
    inputs: domain.CaseloadInputs,
    scheme: Scheme,
    teams: pl.DataFrame,
    steps: list[date],
    runs: int,
    baseline_runs: int,
) -> dict[str, Any]:
    t_ours, frame = _median(lambda: ours(inputs, scheme, teams, steps), runs)
    t_base, base = _median(lambda: pandas_baseline(inputs, scheme, teams, steps), baseline_runs)
    assert isinstance(frame, pl.DataFrame) and isinstance(base, pd.DataFrame)
    return {
        "compute_s": round(t_ours, 3),
        "pandas_baseline_s": round(t_base, 3),
        "speedup": round(t_base / t_ours, 1),
        "team_rows": frame.height,
        "max_team_points_difference": _agree(frame, base),
        "allocations": inputs.allocations.height,
    }


_TABLES = {
    "involvements": "worker_id, child_id, team_id, role, start_date, end_date",
    "referrals": "child_id, referral_date, close_date",
    "assessments": "child_id, start_date, auth_date, nfa",
    "s47_enquiries": "child_id, start_date, end_date",
    "cin_plans": "child_id, start_date, end_date",
    "cp_plans": "child_id, start_date, end_date",
    "cla_episodes": "child_id, start_date, ceased_date, legal_status",
    "care_leavers": "child_id",
    "pre_proceedings": "child_id, care_proceedings_letter_date",
    "families": "family_id, child_id",
    "workers": "worker_id, swe_hash, asye_start",
    "assignments": "worker_id, team_id, role, fte, start_date, end_date",
    "professionals": "worker_id, swe_hash, team_id, role, fte",
}
_DATES = {
    "start_date",
    "end_date",
    "referral_date",
    "close_date",
    "auth_date",
    "ceased_date",
    "care_proceedings_letter_date",
    "asye_start",
}


def smallest_authorities(path: str, count: int) -> list[str]:
    """The ``count`` authorities with the fewest involvement rows."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rows = conn.execute(
        "SELECT la_code FROM involvements GROUP BY la_code ORDER BY count(*), la_code LIMIT ?",
        (count,),
    ).fetchall()
    conn.close()
    return [row[0] for row in rows]


def read_national(
    path: str, only: list[str] | None = None
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """Every active row the caseload needs, all authorities (or ``only`` these), read-only; team
    ids prefixed."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    active = "SELECT batch_id FROM batches WHERE status = 'active'"
    if only is not None:
        codes = ", ".join(f"'{code}'" for code in only if code.isalnum())
        active += f" AND la_code IN ({codes})"
    frames: dict[str, pl.DataFrame] = {}
    for table, columns in _TABLES.items():
        names = ["la_code", *[c.strip() for c in columns.split(",")]]
        query = f"SELECT {', '.join(names)} FROM {table} WHERE batch_id IN ({active})"
        chunks = []
        cursor = conn.execute(query)
        while rows := cursor.fetchmany(500_000):
            chunks.append(pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None))
        frame = pl.concat(chunks, how="vertical_relaxed") if chunks else pl.DataFrame(schema=names)
        frame = frame.with_columns(
            pl.col(c).cast(pl.String) for c in names if frame.schema[c] == pl.Null
        ).with_columns(
            pl.col(c).cast(pl.String).str.to_date(strict=False) for c in names if c in _DATES
        )
        if "nfa" in names:
            frame = frame.with_columns(pl.col("nfa").cast(pl.Boolean))
        if "fte" in names:
            frame = frame.with_columns(pl.col("fte").cast(pl.Float64))
        if "team_id" in names:
            frame = frame.with_columns(
                (pl.col("la_code") + ":" + pl.col("team_id")).alias("team_id")
            )
        frames[table] = frame.drop("la_code")
    frames["reductions"] = pl.DataFrame(
        schema={
            "worker_id": pl.String,
            "reason": pl.String,
            "percent": pl.Float64,
            "start_date": pl.Date,
            "end_date": pl.Date,
        }
    )
    teams = pl.DataFrame(
        conn.execute("SELECT la_code || ':' || team_id, name, team_type FROM teams").fetchall(),
        schema=["team_id", "name", "team_type"],
        orient="row",
    )
    conn.close()
    return frames, teams


def national(
    path: str, end: date, runs: int, baseline_authorities: int, full_baseline: bool
) -> dict[str, Any]:
    """Ours on every authority; the pandas baseline on the ``baseline_authorities`` smallest
    authorities' share (ours again on the same share, same run), or on all of them with
    ``full_baseline`` (about an hour on two cores)."""
    start = time.perf_counter()
    frames, teams = read_national(path)
    read_s = time.perf_counter() - start
    steps = weekly(end)
    scheme = service.default_scheme()
    start = time.perf_counter()
    inputs = service.caseload_inputs(frames, scheme)
    prepare_s = time.perf_counter() - start
    result: dict[str, Any] = {
        "database": path,
        "read_s": round(read_s, 1),
        "prepare_s": round(prepare_s, 2),
        "steps": len(steps),
        "from": str(steps[0]),
        "to": str(steps[-1]),
        "involvements": frames["involvements"].height,
    }
    if full_baseline:
        result.update(_compare(inputs, scheme, teams, steps, runs, baseline_runs=1))
        return result
    result["compute_s"] = round(_median(lambda: ours(inputs, scheme, teams, steps), runs)[0], 3)
    codes = smallest_authorities(path, baseline_authorities)
    share_frames, share_teams = read_national(path, codes)
    share = service.caseload_inputs(share_frames, scheme)
    compared = _compare(share, scheme, share_teams, steps, runs, baseline_runs=1)
    result["baseline_share"] = {"authorities": len(codes), **compared}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--council-db", default="sqlite:////tmp/cl5/council.db")
    parser.add_argument("--council-key", default="/tmp/cl5/council.key")
    parser.add_argument("--council-to", default="2025-03-31")
    parser.add_argument("--national-db", default="/tmp/nat-db/national.db")
    parser.add_argument("--national-to", default="2026-11-22")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-national", action="store_true")
    parser.add_argument("--skip-council", action="store_true")
    parser.add_argument(
        "--baseline-authorities",
        type=int,
        default=40,
        help="national: run the pandas baseline on this many of the smallest authorities",
    )
    parser.add_argument(
        "--full-baseline",
        action="store_true",
        help="national: run the pandas baseline on every authority (about an hour)",
    )
    args = parser.parse_args()
    out: dict[str, Any] = {}
    if not args.skip_council:
        out["council"] = council(
            args.council_db, args.council_key, date.fromisoformat(args.council_to), args.runs
        )
    print(json.dumps(out, indent=2), file=sys.stderr)
    if not args.skip_national and Path(args.national_db).exists():
        out["national"] = national(
            args.national_db,
            date.fromisoformat(args.national_to),
            args.runs,
            args.baseline_authorities,
            args.full_baseline,
        )
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
