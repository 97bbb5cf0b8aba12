"""Caseloads from involvement intervals, on one date or at every step of a history (issue 5,
deliverables 1, 4 and 5).

Definitions:

- **Allocated**: an involvement whose role is one of the scheme's ``allocated_roles`` (matched
  without regard to case or surrounding spaces; default the SSD's ``CW`` and ``Allocated Case
  Worker``). A worker holds the child on every day from the start date to the end date, **both
  inclusive**; an empty end date means still held (tables.py). A child counts **once per
  worker** however many overlapping involvements record it (cases are children, as the DfE
  counts them: definitions.md §1.3, design.md §5).
- **Families** beside children: the distinct family ids (SSD ``ssd_family``) among the worker's
  children; a child without one is a family of its own.
- **Weighted points**: each child's points for its status on the date
  (:mod:`caseloads.domain.child_status`), plus the court uplift when flagged; within one worker's
  family group the highest-points child counts in full and each further child counts
  ``sibling_factor`` of its points, so a group counts ``f * sum + (1 - f) * max``.
- **Worker on a date**: role, team and FTE from the staff extract's assignment that started most
  recently among those open on the date (start and end inclusive), else from the SSD
  ``professionals`` row (which has no dates); role = the job title normalised
  (:func:`caseloads.domain.weights.normalise_role`) then the scheme's ``role_mapping``.
- **Capacity points** = scheme capacity for the role per 1.0 FTE x FTE x (1 - reductions / 100),
  reductions (percent, summed, at most 100) being the ASYE reduction from ``asye_start`` for
  ``months`` months and every per-worker reduction open on the date. ``capacity_pct`` = 100 x
  weighted / capacity; RAG green up to ``rag.green``, amber up to ``rag.amber``, red above; a
  worker with no capacity (managers) holding any case is red, with no percentage.
- Flags: ``manager_holds_cases`` (a ``manager_roles`` role with children) and
  ``protected_over_level`` (a worker with a reduction whose weighted points exceed their reduced
  capacity).

The history is computed in one pass: every interval becomes a range of step indices (the steps
it covers), and counts come from sweeps (cumulative sums of +1/-1 events), never from one query
or filter per step. One date is the same computation with one step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from caseloads.domain.weights import STATUSES, Scheme, normalise_role

#: Weighted points are summed in units of 1/10,000 point, so sweeps are exact integer sums.
_UNITS = 10_000
_EARLY = date(1, 1, 1)
_LATE = date(9999, 12, 31)
_OTHER = STATUSES.index("other")
_COURT = len(STATUSES)

WORKER_COLUMNS: tuple[str, ...] = (
    "worker_id",
    "team_id",
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


@dataclass(frozen=True, slots=True)
class CaseloadInputs:
    """The frames a caseload needs (the service reads them; nothing here reads a database).

    - ``allocations``: ``worker_id, child_id, start_date, end_date`` (already allocated roles,
      worker ids resolved: :func:`allocated`, :func:`resolve_workers`);
    - ``status``/``court``: from :mod:`caseloads.domain.child_status`;
    - ``families``: ``family_id, child_id``;
    - ``assignments``: ``worker_id, team_id, role, fte, start_date, end_date`` (staff extract);
    - ``professionals``: ``worker_id, team_id, role, fte`` (SSD; used where no assignment);
    - ``reductions``: ``worker_id, percent, start_date, end_date`` (per worker, entered);
    - ``workers``: ``worker_id, asye_start``.
    """

    allocations: pl.DataFrame
    status: pl.DataFrame
    court: pl.DataFrame
    families: pl.DataFrame
    assignments: pl.DataFrame
    professionals: pl.DataFrame
    reductions: pl.DataFrame
    workers: pl.DataFrame


def allocated(involvements: pl.DataFrame, roles: Sequence[str]) -> pl.DataFrame:
    """The involvements whose role is one of ``roles``, compared without case or outer spaces."""
    wanted = [r.strip().lower() for r in roles]
    return involvements.filter(pl.col("role").str.strip_chars().str.to_lowercase().is_in(wanted))


def resolve_workers(involvements: pl.DataFrame, swe_map: pl.DataFrame) -> pl.DataFrame:
    """Worker ids made one namespace: SSDA903 involvements carry the keyed hash of the SWE
    number (ingest/ssda903.py), which ``swe_map`` (``swe_hash, worker_id``, from the staff
    extract and SSD professionals) turns into the worker's id; other ids are kept."""
    lookup = (
        swe_map.filter(pl.col("swe_hash").is_not_null())
        .unique("swe_hash", keep="first", maintain_order=True)
        .rename({"swe_hash": "worker_id", "worker_id": "_resolved"})
    )
    return (
        involvements.join(lookup, on="worker_id", how="left")
        .with_columns(pl.coalesce("_resolved", "worker_id").alias("worker_id"))
        .drop("_resolved")
    )


def map_roles(roles: pl.Expr, scheme: Scheme) -> pl.Expr:
    """Job titles (or stored roles) as the scheme's roles: normalised, then mapped."""
    return roles.map_batches(
        lambda s: pl.Series(
            [
                None
                if r is None
                else scheme.role_mapping.get(n, n)
                if (n := normalise_role(r))
                else None
                for r in s.to_list()
            ],
            dtype=pl.String,
        ),
        return_dtype=pl.String,
    )


def _span(frame: pl.DataFrame, steps: pl.Series, start: str, end: str) -> pl.DataFrame:
    """``frame`` with ``a, b``: the steps ``[a, b)`` its ``[start, end]`` (inclusive) covers;
    rows covering no step dropped."""
    starts = frame[start].fill_null(_EARLY)
    ends = frame[end].fill_null(_LATE)
    return frame.with_columns(
        steps.search_sorted(starts, side="left").cast(pl.Int32).alias("a"),
        steps.search_sorted(ends, side="right").cast(pl.Int32).alias("b"),
    ).filter(pl.col("a") < pl.col("b"))


def _events(spans: pl.DataFrame, keys: list[str], values: dict[str, pl.Expr]) -> pl.DataFrame:
    """+value at ``a`` and -value at ``b`` per key, summed per (keys, pos), sorted, and swept:
    each value column becomes its running total within the key (totals net to 0 per key, so a
    running sum over the sorted frame never carries into the next key)."""
    up = spans.select(*keys, pl.col("a").alias("pos"), *(v.alias(n) for n, v in values.items()))
    down = spans.select(
        *keys, pl.col("b").alias("pos"), *((-v).alias(n) for n, v in values.items())
    )
    names = list(values)
    return (
        pl.concat([up, down])
        .group_by(*keys, "pos")
        .agg(pl.col(n).sum() for n in names)
        .sort(*keys, "pos")
        .with_columns(pl.col(n).cum_sum() for n in names)
    )


def worker_steps(inputs: CaseloadInputs, scheme: Scheme, steps: Sequence[date]) -> pl.DataFrame:
    """Per worker at each step: ``step`` then :data:`WORKER_COLUMNS`. A worker appears at a
    step when they hold a child then, or are in a role with capacity (a case-holding role)."""
    grid = pl.Series("step", sorted(set(steps)), dtype=pl.Date)
    n = grid.len()
    cases = _caseload_changes(inputs, scheme, grid)
    attrs = _attributes(inputs, scheme, grid)
    reductions = _reduction_changes(inputs, scheme, grid)
    positions = (
        pl.concat(
            [
                cases.select("worker_id", "pos"),
                attrs.select("worker_id", pl.col("a").alias("pos")),
                attrs.select("worker_id", pl.col("b").alias("pos")),
                reductions.select("worker_id", "pos"),
            ]
        )
        .filter(pl.col("pos") < n)
        .unique()
        .sort("worker_id", "pos")
    )
    same = pl.col("worker_id") == pl.col("worker_id").shift(-1)
    timeline = positions.with_columns(
        pl.when(same).then(pl.col("pos").shift(-1)).otherwise(n).alias("end")
    )
    timeline = timeline.join_asof(
        cases, on="pos", by="worker_id", strategy="backward", check_sortedness=False
    )
    timeline = timeline.join_asof(
        attrs.rename({"a": "pos"}).sort("worker_id", "pos"),
        on="pos",
        by="worker_id",
        strategy="backward",
        check_sortedness=False,
    ).with_columns(
        pl.when(pl.col("b") > pl.col("pos")).then(pl.col(c)).alias(c)
        for c in ("team_id", "role", "fte")
    )
    timeline = timeline.join_asof(
        reductions, on="pos", by="worker_id", strategy="backward", check_sortedness=False
    )
    professionals = inputs.professionals.select(
        "worker_id",
        pl.col("team_id").alias("p_team"),
        map_roles(pl.col("role"), scheme).alias("p_role"),
        pl.col("fte").alias("p_fte"),
    ).unique("worker_id", keep="first", maintain_order=True)
    # The SSD professionals row has no dates: it stands in only for a worker holding children
    # on a step when no assignment of theirs is open then.
    staffed = pl.col("b").is_not_null() & (pl.col("b") > pl.col("pos"))
    fallback = ~staffed & (pl.col("children").fill_null(0) > 0)
    timeline = (
        timeline.join(professionals, on="worker_id", how="left")
        .with_columns(
            pl.when(fallback).then(pl.col(p)).otherwise(pl.col(c)).alias(c)
            for c, p in (("team_id", "p_team"), ("role", "p_role"), ("fte", "p_fte"))
        )
        .with_columns(staffed.alias("_staffed"))
    )
    capacity = pl.col("role").replace_strict(
        list(scheme.capacity_points), list(scheme.capacity_points.values()), default=0.0
    )
    timeline = timeline.with_columns(
        pl.col("children").fill_null(0),
        pl.col("families").fill_null(0),
        pl.col("weighted").fill_null(0),
        (pl.col("reduction").fill_null(0).clip(0, 100 * 100) / 100).alias("reduction_pct"),
        capacity.fill_null(0.0).alias("_per_fte"),
    ).filter((pl.col("children") > 0) | (pl.col("_staffed") & (pl.col("_per_fte") > 0)))
    expanded = timeline.with_columns(
        pl.int_ranges("pos", "end", dtype=pl.Int32).alias("k")
    ).explode("k")
    weighted = pl.col("weighted") / _UNITS
    cap = pl.col("_per_fte") * pl.col("fte").fill_null(0.0) * (1 - pl.col("reduction_pct") / 100)
    pct = pl.when(pl.col("capacity_points") > 0).then(
        100 * pl.col("weighted_points") / pl.col("capacity_points")
    )
    rag = (
        pl.when(pl.col("capacity_points") <= 0)
        .then(pl.when(pl.col("weighted_points") > 0).then(pl.lit("red")))
        .when(pl.col("capacity_pct") <= scheme.rag_green)
        .then(pl.lit("green"))
        .when(pl.col("capacity_pct") <= scheme.rag_amber)
        .then(pl.lit("amber"))
        .otherwise(pl.lit("red"))
    )
    managers = list(scheme.manager_roles)
    return (
        expanded.join(
            pl.DataFrame({"k": pl.int_range(n, dtype=pl.Int32, eager=True), "step": grid}),
            on="k",
        )
        .with_columns(weighted.alias("weighted_points"), cap.alias("capacity_points"))
        .with_columns(pct.alias("capacity_pct"))
        .with_columns(
            rag.alias("rag"),
            (pl.col("role").is_in(managers) & (pl.col("children") > 0)).alias(
                "manager_holds_cases"
            ),
            (
                (pl.col("reduction_pct") > 0)
                & (pl.col("weighted_points") > pl.col("capacity_points"))
            ).alias("protected_over_level"),
        )
        .select("step", *WORKER_COLUMNS)
        .sort("step", "worker_id")
    )


def _caseload_changes(inputs: CaseloadInputs, scheme: Scheme, grid: pl.Series) -> pl.DataFrame:
    """``worker_id, pos, children, families, weighted`` (weighted in 1/10,000 points): each
    worker's totals from step ``pos`` until their next row."""
    n = grid.len()
    allocs = _span(inputs.allocations, grid, "start_date", "end_date").select(
        "worker_id", "child_id", "a", "b"
    )
    empty = pl.DataFrame(
        schema={
            "worker_id": pl.String,
            "pos": pl.Int32,
            "children": pl.Int64,
            "families": pl.Int64,
            "weighted": pl.Int64,
        }
    )
    if allocs.height == 0:
        return empty
    # One child once per worker: merge the worker's overlapping involvements of the child.
    held = _events(allocs, ["worker_id", "child_id"], {"n": pl.lit(1, pl.Int32)})
    held = held.with_columns(pl.col("pos").shift(-1).alias("b")).filter(pl.col("n") > 0)
    held = held.select("worker_id", "child_id", pl.col("pos").alias("a"), "b")
    # The children's statuses, as segments of constant status and court flag.
    children = held.select("child_id").unique()
    status = inputs.status.join(children, on="child_id", how="semi")
    court = inputs.court.join(children, on="child_id", how="semi").with_columns(
        pl.lit(_COURT, pl.Int8).alias("rank")
    )
    base = children.with_columns(
        pl.lit(_OTHER, pl.Int8).alias("rank"),
        pl.lit(0, pl.Int32).alias("a"),
        pl.lit(n, pl.Int32).alias("b"),
    )
    spans = pl.concat(
        [
            base,
            _span(status, grid, "start", "end").select("child_id", "rank", "a", "b"),
            _span(court, grid, "start", "end").select("child_id", "rank", "a", "b"),
        ]
    )
    ranks = {f"r{i}": pl.when(pl.col("rank") == i).then(1).otherwise(0) for i in range(_COURT + 1)}
    swept = (
        _events(spans, ["child_id"], ranks)
        .with_columns(pl.col("pos").shift(-1).alias("e"))
        .filter(pl.col(f"r{_OTHER}") > 0)
    )
    rank = pl.min_horizontal(pl.when(pl.col(f"r{i}") > 0).then(i) for i in range(_OTHER + 1))
    points = [scheme.points[s] for s in STATUSES]
    uplift = scheme.uplifts.get("court_proceedings", 0.0)
    segments = swept.select(
        "child_id",
        pl.col("pos").alias("s"),
        "e",
        (
            rank.replace_strict(list(range(len(points))), points, return_dtype=pl.Float64)
            + pl.when(pl.col(f"r{_COURT}") > 0).then(uplift).otherwise(0.0)
        ).alias("points"),
    )
    pieces = (
        held.join(segments, on="child_id")
        .filter((pl.col("s") < pl.col("b")) & (pl.col("e") > pl.col("a")))
        .select(
            "worker_id",
            "child_id",
            pl.max_horizontal("a", "s").alias("a"),
            pl.min_horizontal("b", "e").alias("b"),
            "points",
        )
    )
    family = (
        inputs.families.select("child_id", "family_id")
        .sort("child_id", "family_id")
        .unique("child_id", keep="first")
    )
    pieces = pieces.join(family, on="child_id", how="left").with_columns(
        pl.coalesce("family_id", pl.lit("child:") + pl.col("child_id")).alias("family_id")
    )
    levels = sorted(set(pieces["points"].to_list()), reverse=True)
    if not levels:
        return empty
    counts = {
        f"l{j}": pl.when(pl.col("points") == v).then(1).otherwise(0) for j, v in enumerate(levels)
    }
    groups = _events(pieces, ["worker_id", "family_id"], counts)
    children_n = pl.sum_horizontal(pl.col(f"l{j}") for j in range(len(levels)))
    total = pl.sum_horizontal(pl.col(f"l{j}") * v for j, v in enumerate(levels))
    top = pl.max_horizontal(pl.when(pl.col(f"l{j}") > 0).then(v) for j, v in enumerate(levels))
    f = scheme.sibling_factor
    groups = groups.select(
        "worker_id",
        "pos",
        children_n.alias("children"),
        (children_n > 0).cast(pl.Int64).alias("families"),
        ((f * total + (1 - f) * top.fill_null(0.0)) * _UNITS)
        .round(0)
        .cast(pl.Int64)
        .alias("weighted"),
        pl.col("family_id"),
    )
    same = (pl.col("worker_id") == pl.col("worker_id").shift(1)) & (
        pl.col("family_id") == pl.col("family_id").shift(1)
    )
    names = ("children", "families", "weighted")
    deltas = groups.with_columns(
        (pl.col(c) - pl.when(same).then(pl.col(c).shift(1)).otherwise(0)).alias(c) for c in names
    )
    return (
        deltas.group_by("worker_id", "pos")
        .agg(pl.col(c).sum() for c in names)
        .sort("worker_id", "pos")
        .with_columns(pl.col(c).cum_sum() for c in names)
        .select(
            "worker_id", pl.col("pos").cast(pl.Int32), *(pl.col(c).cast(pl.Int64) for c in names)
        )
    )


def _attributes(inputs: CaseloadInputs, scheme: Scheme, grid: pl.Series) -> pl.DataFrame:
    """``worker_id, a, b, team_id, role, fte``: assignments in step space, sorted by worker and
    start (the latest-started wins where two are open)."""
    frame = _span(inputs.assignments, grid, "start_date", "end_date")
    return frame.select(
        "worker_id",
        "a",
        "b",
        "team_id",
        map_roles(pl.col("role"), scheme).alias("role"),
        pl.col("fte").cast(pl.Float64),
    ).sort("worker_id", "a", "fte")


def asye_reductions(workers: pl.DataFrame, scheme: Scheme) -> pl.DataFrame:
    """The ASYE reduction of each worker with an ``asye_start``: ``percent`` from that day for
    ``months`` months (the day before the same day ``months`` months later is the last)."""
    start = pl.col("asye_start")
    return workers.filter(start.is_not_null() & (scheme.asye_percent > 0)).select(
        "worker_id",
        pl.lit("asye").alias("reason"),
        pl.lit(scheme.asye_percent).alias("percent"),
        start.alias("start_date"),
        (start.dt.offset_by(f"{scheme.asye_months}mo") - pl.duration(days=1)).alias("end_date"),
    )


def all_reductions(inputs: CaseloadInputs, scheme: Scheme) -> pl.DataFrame:
    """Per-worker reductions and the ASYE reductions together:
    ``worker_id, reason, percent, start_date, end_date``."""
    entered = inputs.reductions.select(
        "worker_id",
        pl.col("reason").cast(pl.String),
        pl.col("percent").cast(pl.Float64),
        "start_date",
        "end_date",
    )
    return pl.concat([entered, asye_reductions(inputs.workers, scheme)], how="vertical_relaxed")


def _reduction_changes(inputs: CaseloadInputs, scheme: Scheme, grid: pl.Series) -> pl.DataFrame:
    """``worker_id, pos, reduction``: the summed reductions in hundredths of a percent."""
    frame = _span(all_reductions(inputs, scheme), grid, "start_date", "end_date")
    swept = _events(
        frame, ["worker_id"], {"reduction": (pl.col("percent") * 100).round(0).cast(pl.Int64)}
    )
    return swept.select("worker_id", pl.col("pos").cast(pl.Int32), "reduction")


TEAM_COLUMNS: tuple[str, ...] = (
    "team_id",
    "team",
    "team_type",
    "workers",
    "fte",
    "children",
    "caseload_per_fte",
    "weighted_points",
    "standard",
    "required_fte",
    "available_fte",
    "status",
)


def team_steps(workers: pl.DataFrame, teams: pl.DataFrame, scheme: Scheme) -> pl.DataFrame:
    """Per team at each step, from :func:`worker_steps` (``teams``: ``team_id, name,
    team_type``):

    - ``workers``, ``fte``: the team's case holders (workers holding a child or in a role with
      capacity) and their FTE; ``children``: the sum of their children (a child co-allocated to
      two workers counts for each, as the DfE's cases per worker do); ``caseload_per_fte`` =
      children / fte;
    - ``standard``: the team type's safe caseload (children per FTE, a setting);
      ``required_fte`` = weighted demand in children (weighted points over the points of the
      team type's ``standard_case``) over the standard;
    - ``available_fte``: FTE of workers in roles with capacity, less their reductions;
    - ``status``: ``under_pressure`` when required exceeds available by more than the
      ``under_pressure`` margin (percent of available), ``can_release`` when it falls short by
      more than the ``can_release`` margin, else ``right_sized``.
    """
    per_fte = pl.col("role").replace_strict(
        list(scheme.capacity_points), list(scheme.capacity_points.values()), default=0.0
    )
    grouped = (
        workers.with_columns(pl.col("team_id").fill_null("(no team)"))
        .group_by("step", "team_id")
        .agg(
            pl.len().alias("workers"),
            pl.col("fte").fill_null(0.0).sum().alias("fte"),
            pl.col("children").sum(),
            pl.col("weighted_points").sum(),
            (
                pl.when(per_fte.fill_null(0.0) > 0)
                .then(pl.col("fte").fill_null(0.0) * (1 - pl.col("reduction_pct") / 100))
                .otherwise(0.0)
            )
            .sum()
            .alias("available_fte"),
        )
    )
    names = teams.select("team_id", pl.col("name").alias("team"), "team_type")
    standard_types = list(scheme.standards)
    standards = [scheme.standards[t] for t in standard_types]
    case_points = [scheme.points[scheme.standard_case[t]] for t in standard_types]
    team_type = pl.col("team_type").fill_null("other")
    fallback = "other" if "other" in scheme.standards else standard_types[0]
    standard = team_type.replace_strict(
        standard_types, standards, default=scheme.standards[fallback], return_dtype=pl.Float64
    )
    ref = team_type.replace_strict(
        standard_types,
        case_points,
        default=scheme.points[scheme.standard_case[fallback]],
        return_dtype=pl.Float64,
    )
    required = pl.col("weighted_points") / pl.col("_ref") / pl.col("standard")
    avail = pl.col("available_fte")
    status = (
        pl.when(pl.col("required_fte") > avail * (1 + scheme.under_pressure_pct / 100))
        .then(pl.lit("under_pressure"))
        .when(pl.col("required_fte") < avail * (1 - scheme.can_release_pct / 100))
        .then(pl.lit("can_release"))
        .otherwise(pl.lit("right_sized"))
    )
    return (
        grouped.join(names, on="team_id", how="left")
        .with_columns(
            pl.coalesce("team", "team_id").alias("team"),
            team_type.alias("team_type"),
            standard.alias("standard"),
            ref.alias("_ref"),
        )
        .with_columns(
            pl.when(pl.col("fte") > 0)
            .then(pl.col("children") / pl.col("fte"))
            .alias("caseload_per_fte"),
            required.alias("required_fte"),
        )
        .with_columns(status.alias("status"))
        .select("step", *TEAM_COLUMNS)
        .sort("step", "team")
    )
