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
it covers), and counts come from sweeps (running sums of + and - events at the ends of the
intervals, sorted), never from one query or filter per step. Worker, child and family ids are
first replaced by integer codes (exactly, whatever their hashes: :func:`_encode`), so every sort
is of integers packed into one 64-bit number. The result is a :class:`WorkerTimeline`: each
worker's measures as runs of steps over which none of them changes; :func:`worker_rows` expands
it to one row per worker per step and :func:`team_steps` totals it per team and step. One date
is the same computation with one step.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

import numpy as np
import polars as pl

from caseloads.domain.weights import STATUSES, Scheme, normalise_role

#: Weighted points are summed in units of 1/10,000 point, so sweeps are exact integer sums.
_UNITS = 10_000
_OTHER = STATUSES.index("other")
#: Bits of an Int64 that fields packed side by side may fill (the sign bit and one more spare).
_WORD_BITS = 62
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
    """Job titles (or stored roles) as the scheme's roles: normalised, then mapped (each
    distinct title once)."""

    def mapped(titles: pl.Series) -> pl.Series:
        distinct = titles.drop_nulls().unique()
        roles = [
            scheme.role_mapping.get(n, n) if (n := normalise_role(t)) else None
            for t in distinct.to_list()
        ]
        return titles.replace_strict(distinct, pl.Series(roles, dtype=pl.String), default=None)

    return roles.map_batches(mapped, return_dtype=pl.String)


def _span(
    frame: pl.DataFrame, steps: pl.Series, start: str, end: str, keep: Sequence[str]
) -> pl.DataFrame:
    """The columns ``keep`` of ``frame`` with ``a, b``: the steps ``[a, b)`` its ``[start,
    end]`` (inclusive) covers (``steps`` sorted; an empty start or end is open); rows covering
    no step dropped. Each date is looked up in a table of the days from the day before the
    first step to the day after the last (earlier and later dates are clipped to those)."""
    if steps.len() == 0:
        return (
            frame.select(keep)
            .head(0)
            .with_columns(pl.lit(0, pl.Int32).alias("a"), pl.lit(0, pl.Int32).alias("b"))
        )
    first = steps[0] - timedelta(days=1)
    days = pl.date_range(first, steps[-1] + timedelta(days=1), "1d", eager=True)
    before = steps.search_sorted(days, side="left").cast(pl.Int32)
    through = steps.search_sorted(days, side="right").cast(pl.Int32)
    last = days.len() - 1

    def day(column: str, empty: int) -> pl.Expr:
        offset = pl.col(column).cast(pl.Int32) - pl.lit(first).cast(pl.Int32)
        return offset.clip(0, last).fill_null(empty)

    return (
        frame.lazy()
        .select(
            *keep,
            pl.lit(before).gather(day(start, 0)).alias("a"),
            pl.lit(through).gather(day(end, last)).alias("b"),
        )
        .filter(pl.col("a") < pl.col("b"))
        .collect()
    )


def _encode(
    values: pl.Series, *, few: bool = False, hashes: pl.Series | None = None
) -> tuple[pl.Series, pl.Series]:
    """``(codes, names)``: ``names`` the distinct values, ``codes`` (UInt32) each value's index
    in ``names``. Sorting and grouping on these integers instead of the 64-character ids is
    what makes the history fast.

    The values are grouped by their hash (``hashes``, default :meth:`polars.Series.hash`): with
    ``few`` distinct values through a table of the distinct hashes, else by sorting the hashes'
    high bits packed with the row numbers as numbers (:func:`_hash_groups`). Every value is
    then compared with its group's first value, and the values that differ (different values
    whose hashes share those bits) are given codes of their own, exactly: the codes never
    depend on the hash being free of collisions, only the speed does.

    Without ``few``, a value equal to the one before it takes its code: where at least a
    eighth of the values repeat their neighbour (an extract listed child by child), only the
    first of each run is hashed and sorted."""
    values = values.rechunk()
    rows = values.len()
    if not few and hashes is None and rows > 1:
        new = values.to_frame("v").select(
            pl.col("v").ne_missing(pl.col("v").shift(1)) | (pl.int_range(pl.len()) == 0)
        )["v"]
        if new.sum() <= rows * 7 // 8:
            heads = values.filter(new)
            codes, names = _encode(heads, hashes=heads.hash())
            return codes.gather(new.cum_sum() - 1), names
    hashes = values.hash() if hashes is None else hashes
    if few:
        firsts = pl.DataFrame(
            {"h": hashes, "row": pl.int_range(rows, dtype=pl.UInt32, eager=True)}
        ).unique("h", keep="any")
        names = values.gather(firsts["row"])
        index = pl.int_range(firsts.height, dtype=pl.UInt32, eager=True)
        codes = hashes.replace_strict(firsts["h"], index, return_dtype=pl.UInt32)
    else:
        row_bits = max(1, (rows - 1).bit_length())
        low = (1 << row_bits) - 1
        packed = (
            hashes.to_frame("h")
            .select(
                (
                    pl.col("h") // (low + 1) * (low + 1) + pl.int_range(pl.len(), dtype=pl.UInt64)
                ).alias("p")
            )
            .to_series()
        )
        # Values of different hashes differ, so the two halves by the hash's top bit are
        # grouped apart, one in each thread; the upper half's groups are numbered after the
        # lower half's.
        upper = packed >= 1 << 63
        out = np.zeros(rows, np.uint32)

        def lower_half() -> pl.Series:
            ordered, groups, names = _hash_groups(values, packed.filter(~upper), low)
            out[ordered.to_numpy()] = groups.to_numpy()
            return names

        with ThreadPoolExecutor(max_workers=1) as pool:
            lower = pool.submit(lower_half)
            ordered, groups, upper_names = _hash_groups(values, packed.filter(upper), low)
            lower_names = lower.result()
        out[ordered.to_numpy()] = groups.to_numpy() + np.uint32(lower_names.len())
        codes = pl.Series(out)
        names = pl.concat([lower_names, upper_names]).rechunk()
    # Checked in slices (two threads), so that the names gathered for the check stay small.
    step = 1 << 22

    def differ(start: int) -> pl.Series:
        return ~names.gather(codes.slice(start, step)).eq_missing(values.slice(start, step))

    with ThreadPoolExecutor(max_workers=2) as pool:
        differs = pl.concat(list(pool.map(differ, range(0, max(rows, 1), step))))
    if differs.any():
        odd = values.filter(differs)
        extra = odd.unique(maintain_order=True)
        index = pl.int_range(names.len(), names.len() + extra.len(), dtype=pl.UInt32, eager=True)
        codes = codes.scatter(differs.arg_true(), odd.replace_strict(extra, index))
        names = pl.concat([names, extra])
    return codes, names


def _hash_groups(
    values: pl.Series, packed: pl.Series, low: int
) -> tuple[pl.Series, pl.Series, pl.Series]:
    """``(ordered, groups, names)`` for the values whose rows are packed in ``packed`` (a hash's
    high bits, then the row in the bits of ``low``): ``ordered`` those rows sorted by the
    high bits, then by row; ``groups`` (UInt32, from 0) the group of each, a group being a run
    of equal high bits; ``names`` each group's first value."""
    high = pl.col("p") // (low + 1)
    ranked = (
        packed.alias("p")
        .sort(multithreaded=False)  # one thread, as in _sorted
        .to_frame()
        .select(
            (pl.col("p") & low).cast(pl.UInt32).alias("row"),
            (high != high.shift(1)).fill_null(True).alias("first"),
        )
    )
    names = values.gather(ranked.filter("first")["row"])
    return ranked["row"], (ranked["first"].cum_sum() - 1).cast(pl.UInt32), names


def _scatter(target: pl.Series, rows: pl.Series, values: pl.Series | bool) -> pl.Series:
    """``target`` with ``values`` written at ``rows`` (no nulls in any), through numpy: several
    times faster than :meth:`polars.Series.scatter` on millions of rows."""
    out = target.to_numpy(writable=True)
    out[rows.to_numpy()] = values.to_numpy() if isinstance(values, pl.Series) else values
    return pl.Series(target.name, out)


def _sorted_codes(codes: pl.Series, names: pl.Series) -> tuple[pl.Series, pl.Series]:
    """The codes renumbered so that their order is the names' order (nulls first)."""
    order = names.arg_sort()
    rank = _scatter(
        pl.zeros(names.len(), pl.UInt32, eager=True),
        order,
        pl.int_range(names.len(), dtype=pl.UInt32, eager=True),
    )
    return rank.gather(codes), names.gather(order)


def _split(codes: pl.Series, frames: Sequence[pl.DataFrame], name: str) -> list[pl.DataFrame]:
    """``frames`` (whose key columns were concatenated into ``codes``) each with its codes as
    column ``name``."""
    out, offset = [], 0
    for frame in frames:
        out.append(frame.with_columns(codes.slice(offset, frame.height).alias(name)))
        offset += frame.height
    return out


def _key(*parts: tuple[str | pl.Expr, int]) -> pl.Expr:
    """Integer columns packed into one UInt64 sort key, most significant first: each part is a
    column and its size (every value below it). Raises if the sizes' product overflows."""
    total = 1
    for _, size in parts:
        total *= max(size, 1)
    if total >= 2**63:
        raise ValueError(f"too many workers, children and steps to key together ({total:,})")
    key: pl.Expr = pl.lit(0, pl.UInt64)
    for column, size in parts:
        col = pl.col(column) if isinstance(column, str) else column
        key = key * max(size, 1) + col.cast(pl.UInt64)
    return key


def _sweep(
    spans: pl.DataFrame, key: pl.Expr, size: int, values: dict[str, pl.Expr]
) -> pl.DataFrame:
    """+value at ``a`` and -value at ``b`` for each span, swept per ``key`` (a UInt64 below
    2^63 / ``size``): ``k`` = key x ``size`` + position, sorted, one row per ``k`` with each value
    column the running total from that position (totals net to 0 per key, so one running sum
    over the sorted frame never carries into the next key)."""
    names = list(values)
    at = key.cast(pl.UInt64) * size
    up = spans.select(
        (at + pl.col("a").cast(pl.UInt64)).alias("k"), *(v.alias(n) for n, v in values.items())
    )
    down = spans.select(
        (at + pl.col("b").cast(pl.UInt64)).alias("k"),
        *((-v).alias(n) for n, v in values.items()),
    )
    swept = pl.concat([up, down]).sort("k").with_columns(pl.col(n).cum_sum() for n in names)
    return swept.filter((pl.col("k") != pl.col("k").shift(-1)).fill_null(True))


def _sorted(frame: pl.DataFrame, parts: Sequence[tuple[str, int]]) -> pl.DataFrame:
    """The columns ``parts`` of ``frame`` (integers from 0 up to each part's size, exclusive)
    sorted together, the first most significant. Where the sizes allow (a product below 2^63),
    they are packed into one UInt64 and sorted as numbers, several times faster than sorting
    the rows."""
    names = [name for name, _ in parts]
    total = 1
    for _, size in parts:
        total *= max(size, 1)
    if total >= 2**63:
        return frame.select(names).sort(names)
    decoded = []
    for name, size in parts:
        total //= max(size, 1)
        decoded.append((pl.col("_k") // total % max(size, 1)).cast(frame.schema[name]).alias(name))
    # Eager: Polars' streaming engine (lazy frames' default) sorts this about 40% slower. One
    # thread: on two cores Polars' parallel sort was about 10% faster with the other core idle
    # but took 70% more CPU, and was slower whenever the other core was busy.
    keys = frame.select(_key(*parts).alias("_k")).to_series().sort(multithreaded=False)
    return keys.to_frame().select(decoded)


def _runs(frame: pl.DataFrame, key: str, keys: int, size: int) -> pl.DataFrame:
    """Spans ``[a, b)`` (``key, a, b``) merged per key where they overlap or touch:
    ``key, a, b``, sorted, disjoint and not touching within a key. Sorted by (key, a), a span
    starts a new run when it starts after every earlier span of its key has ended."""
    spans = _sorted(frame, [(key, keys), ("a", size), ("b", size)])
    start = _key((key, keys), ("a", size))
    end = _key((key, keys), ("b", size))
    runs = spans.with_columns(end.cum_max().alias("_e")).with_columns(
        (start > pl.col("_e").shift(1)).fill_null(True).alias("_new")
    )
    starts = runs.filter("_new").select(key, "a")
    ends = runs.filter(pl.col("_new").shift(-1).fill_null(True)).select(
        (pl.col("_e") % size).cast(pl.Int32).alias("b")
    )
    return pl.concat([starts, ends], how="horizontal")


def _last_per(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """The last row of each run of equal ``columns`` (a sorted frame's last row per key)."""
    differs = pl.any_horizontal(pl.col(c) != pl.col(c).shift(-1) for c in columns)
    return frame.filter(differs.fill_null(True))


@dataclass(frozen=True, slots=True)
class WorkerTimeline:
    """Every worker's measures over the steps, as segments of constant value (the shared
    result that :func:`worker_rows` expands to one row per worker per step and
    :func:`team_steps` totals per team).

    ``segments``: ``worker, pos, end, team, role, fte, children, families, weighted, reduction,
    per_fte``, sorted by worker and ``pos``: one row per worker and run of steps ``[pos, end)``
    (indices into ``grid``, the distinct steps in order) over which all of them hold and the
    worker is shown (holds a child, or is in an assignment in a role with capacity). ``worker``,
    ``team`` and ``role`` are codes: indices into ``workers`` (sorted, so codes sort as the ids
    do), ``teams`` and ``roles``; ``weighted`` is in 1/10,000 points, ``reduction`` in
    hundredths of a percent (0 to 10,000), ``per_fte`` the role's capacity points per 1.0 FTE.
    """

    grid: pl.Series
    segments: pl.DataFrame
    workers: pl.Series
    teams: pl.Series
    roles: pl.Series


def worker_timeline(
    inputs: CaseloadInputs, scheme: Scheme, steps: Sequence[date]
) -> WorkerTimeline:
    """The workers' measures at ``steps`` as a :class:`WorkerTimeline` (definitions: module)."""
    grid = pl.Series("step", sorted(set(steps)), dtype=pl.Date)
    n = grid.len()
    size = n + 1
    # The allocations are cut to the steps first. The workers' side (their codes, assignments
    # and reductions) is worked out in a second thread while the children are encoded.
    allocs = _span(inputs.allocations, grid, "start_date", "end_date", ["worker_id", "child_id"])
    with ThreadPoolExecutor(max_workers=1) as pool:
        staff_side = pool.submit(_staff, inputs, scheme, grid, allocs["worker_id"])
        children = _children(inputs, allocs, grid) if allocs.height else None
        staff = staff_side.result()
    workers, attrs, cuts = staff.workers, staff.attributes, staff.reductions
    cases = (
        _caseload_changes(children, staff.allocations, scheme, grid, workers.len())
        if children is not None
        else _NO_CASES
    )
    worker_pos = _key(("worker", workers.len()), ("pos", size))
    positions = (
        pl.concat(
            [
                cases.select("worker", "pos"),
                attrs.select("worker", pl.col("a").alias("pos")),
                attrs.select("worker", pl.col("b").alias("pos")),
                cuts.select("worker", "pos"),
            ]
        )
        .filter(pl.col("pos") < n)
        .select(worker_pos.sort().alias("k"))
        .filter((pl.col("k") != pl.col("k").shift(1)).fill_null(True))
        .select(
            "k",
            (pl.col("k") // size).cast(pl.UInt32).alias("worker"),
            (pl.col("k") % size).cast(pl.Int32).alias("pos"),
        )
    )
    same = pl.col("worker") == pl.col("worker").shift(-1)
    timeline = positions.with_columns(
        pl.when(same).then(pl.col("pos").shift(-1)).otherwise(n).alias("end")
    )

    def latest(frame: pl.DataFrame, right: pl.DataFrame) -> pl.DataFrame:
        """Each row joined with ``right``'s last row of the same worker at or before ``k``."""
        columns = [c for c in right.columns if c != "k"]
        joined = frame.join_asof(
            right.rename({"worker": "_w"}), on="k", strategy="backward", check_sortedness=False
        )
        mine = pl.col("_w") == pl.col("worker")
        return joined.with_columns(
            pl.when(mine).then(pl.col(c)).alias(c) for c in columns if c != "worker"
        ).drop("_w")

    timeline = latest(timeline, cases.select(worker_pos.alias("k"), pl.exclude("pos")))
    timeline = latest(
        timeline,
        attrs.select(_key(("worker", workers.len()), ("a", size)).alias("k"), pl.exclude("a")),
    ).with_columns(
        pl.when(pl.col("b") > pl.col("pos")).then(pl.col(c)).alias(c)
        for c in ("team", "role", "fte")
    )
    timeline = latest(timeline, cuts.select(worker_pos.alias("k"), pl.exclude("pos")))
    # The SSD professionals row has no dates: it stands in only for a worker holding children
    # on a step when no assignment of theirs is open then.
    staffed = pl.col("b").is_not_null() & (pl.col("b") > pl.col("pos"))
    fallback = ~staffed & (pl.col("children").fill_null(0) > 0)
    timeline = (
        timeline.join(staff.fallback, on="worker", how="left", maintain_order="left")
        .with_columns(
            pl.when(fallback).then(pl.col(p)).otherwise(pl.col(c)).alias(c)
            for c, p in (("team", "p_team"), ("role", "p_role"), ("fte", "p_fte"))
        )
        .with_columns(staffed.alias("_staffed"))
    )
    per_fte = staff.roles.replace_strict(
        list(scheme.capacity_points), list(scheme.capacity_points.values()), default=0.0
    ).fill_null(0.0)
    capacity = _table(per_fte.to_list(), pl.Float64).gather(pl.col("role"))
    segments = (
        timeline.with_columns(
            pl.col("children").fill_null(0),
            pl.col("families").fill_null(0),
            pl.col("weighted").fill_null(0),
            pl.col("reduction").fill_null(0).clip(0, 100 * 100),
            capacity.fill_null(0.0).alias("per_fte"),
        )
        .filter((pl.col("children") > 0) | (pl.col("_staffed") & (pl.col("per_fte") > 0)))
        .select(
            "worker",
            "pos",
            pl.col("end").cast(pl.Int32),
            "team",
            "role",
            "fte",
            "children",
            "families",
            "weighted",
            "reduction",
            "per_fte",
        )
    )
    return WorkerTimeline(
        grid=grid, segments=segments, workers=workers, teams=staff.teams, roles=staff.roles
    )


_NO_CASES = pl.DataFrame(
    schema={
        "worker": pl.UInt32,
        "pos": pl.Int32,
        "children": pl.Int64,
        "families": pl.Int64,
        "weighted": pl.Int64,
    }
)


@dataclass(frozen=True, slots=True)
class _Staff:
    """The workers' side of a timeline: ``workers`` the worker ids, sorted (codes are indices
    into it, so they sort as the ids do); ``allocations`` the worker code of each allocation;
    ``teams`` and ``roles`` (the scheme's roles) indexed by their codes; ``attributes`` from
    :func:`_attributes`, ``reductions`` from :func:`_reduction_changes`; ``fallback`` each
    worker's SSD professionals row (``worker, p_team, p_role, p_fte``)."""

    workers: pl.Series
    allocations: pl.Series
    teams: pl.Series
    roles: pl.Series
    attributes: pl.DataFrame
    reductions: pl.DataFrame
    fallback: pl.DataFrame


def _staff(inputs: CaseloadInputs, scheme: Scheme, grid: pl.Series, allocated: pl.Series) -> _Staff:
    """The workers' side of a timeline (:class:`_Staff`); ``allocated``: the worker ids of the
    allocations (cut to the steps)."""
    reductions = all_reductions(inputs, scheme)
    staff = [allocated.to_frame("worker_id"), inputs.assignments, inputs.professionals, reductions]
    codes, workers = _encode(pl.concat([f["worker_id"].cast(pl.String) for f in staff]), few=True)
    codes, workers = _sorted_codes(codes, workers)
    allocs, assignments, professionals, reductions = _split(codes, staff, "worker")
    places = [assignments, professionals]
    team_codes, teams = _encode(pl.concat([f["team_id"].cast(pl.String) for f in places]), few=True)
    titles = pl.concat([f["role"].cast(pl.String) for f in places]).to_frame("role")
    role_codes, roles = _encode(titles.select(map_roles(pl.col("role"), scheme))["role"], few=True)
    assignments, professionals = (
        f.with_columns(pl.when(pl.col("team_id").is_not_null()).then(pl.col("team")))
        for f in _split(team_codes, places, "team")
    )
    assignments, professionals = _split(role_codes, [assignments, professionals], "role")
    fallback = professionals.select(
        "worker",
        pl.col("team").alias("p_team"),
        pl.col("role").alias("p_role"),
        pl.col("fte").cast(pl.Float64).alias("p_fte"),
    ).unique("worker", keep="first", maintain_order=True)
    return _Staff(
        workers=workers,
        allocations=allocs["worker"],
        teams=teams,
        roles=roles,
        attributes=_attributes(assignments, grid),
        reductions=_reduction_changes(reductions, grid, grid.len() + 1),
        fallback=fallback,
    )


@dataclass(frozen=True, slots=True)
class _Children:
    """The children as codes (``child``, below ``kids``) in every frame that names them:
    ``allocations`` (``child, a, b``, row for row those given to :func:`_children`),
    ``status`` (``child, rank, a, b``), ``court`` (``child, a, b``) and ``families``
    (``family_id, child``)."""

    allocations: pl.DataFrame
    status: pl.DataFrame
    court: pl.DataFrame
    families: pl.DataFrame
    kids: int


def _children(inputs: CaseloadInputs, allocs: pl.DataFrame, grid: pl.Series) -> _Children:
    """Children as codes, with their statuses, court flags and families (one lookup for all);
    ``allocs``: ``child_id, a, b`` (cut to the steps)."""
    sources = [
        allocs.select("child_id", "a", "b"),
        _span(inputs.status, grid, "start", "end", ["child_id", "rank"]),
        _span(inputs.court, grid, "start", "end", ["child_id"]),
        inputs.families.select("child_id", "family_id"),
    ]
    codes, names = _encode(pl.concat([f["child_id"].cast(pl.String) for f in sources]))
    allocations, status, court, families = (
        f.drop("child_id") for f in _split(codes, sources, "child")
    )
    return _Children(allocations, status, court, families, names.len())


def _caseload_changes(
    children: _Children, workers_of: pl.Series, scheme: Scheme, grid: pl.Series, workers: int
) -> pl.DataFrame:
    """``worker, pos, children, families, weighted`` (weighted in 1/10,000 points), sorted by
    worker and ``pos``: each worker's totals from step ``pos`` until their next row.
    ``workers_of``: the worker code of each of ``children.allocations``."""
    n = grid.len()
    size = n + 1
    kids = children.kids
    allocs = children.allocations.with_columns(workers_of.alias("worker"))
    status, court, families = children.status, children.court, children.families
    wanted = _scatter(pl.zeros(kids, pl.Boolean, eager=True), allocs["child"], True)
    held_kids = wanted.arg_true().cast(pl.UInt32)
    # Polars releases the GIL, so independent halves share the two cores: the held children's
    # levels are swept in two halves of the children (a child's levels depend on its own
    # statuses only), each in a thread of its own, while each worker's spans of a child are
    # merged and the families found; the workers' totals come from two halves of the workers,
    # one in each thread.
    lower, upper = _worker_halves(allocs)
    below = pl.col("child") < kids // 2
    held_frame = held_kids.to_frame("child")
    with ThreadPoolExecutor(max_workers=3) as pool:
        points = [
            pool.submit(
                _child_points,
                status.filter(half),
                court.filter(half),
                held_frame.filter(half),
                scheme,
                grid,
                kids,
            )
            for half in (below, ~below)
        ]
        lower_held = pool.submit(_held, lower, workers, kids, size)
        upper_held = _held(upper, workers, kids, size)
        family_of, groups, alone = _families(families, wanted, held_kids)
        (lower_segments, levels), (upper_segments, _) = (p.result() for p in points)
        segments = pl.concat([lower_segments, upper_segments])
        totals = partial(
            _worker_totals,
            segments=segments,
            levels=levels,
            family_of=family_of,
            groups=groups,
            alone=alone,
            scheme=scheme,
            workers=workers,
            size=size,
        )
        lower_totals = pool.submit(totals, lower_held.result())
        upper_totals = totals(upper_held)
        return pl.concat([lower_totals.result(), upper_totals])


def _worker_halves(allocs: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``allocs`` split by worker code into the lower codes and the rest, about half the rows
    in each: a worker's totals depend on their own allocations only, so the halves can be
    worked out apart (in two threads)."""
    counts = np.cumsum(np.bincount(allocs["worker"].to_numpy()))
    middle = int(np.searchsorted(counts, allocs.height // 2))
    below = pl.col("worker") <= middle
    return allocs.filter(below), allocs.filter(~below)


def _held(allocs: pl.DataFrame, workers: int, kids: int, size: int) -> pl.DataFrame:
    """``worker, child, a, b``: one child once per worker, each worker's overlapping (or
    touching) involvements of the child (``allocs``: ``worker, child, a, b``) merged into one
    span; sorted by worker, child and ``a``."""
    pairs = allocs.select(
        (pl.col("worker").cast(pl.UInt64) * kids + pl.col("child")).alias("pair"), "a", "b"
    )
    return _runs(pairs, "pair", workers * kids, size).select(
        (pl.col("pair") // kids).cast(pl.UInt32).alias("worker"),
        (pl.col("pair") % kids).cast(pl.UInt32).alias("child"),
        "a",
        "b",
    )


def _worker_totals(
    held: pl.DataFrame,
    *,
    segments: pl.DataFrame,
    levels: list[float],
    family_of: pl.Series,
    groups: int,
    alone: pl.Series,
    scheme: Scheme,
    workers: int,
    size: int,
) -> pl.DataFrame:
    """``worker, pos, children, families, weighted`` from the spans ``held`` (:func:`_held`),
    cut at their children's changes of level (``segments, levels``: :func:`_child_points`)
    and grouped by family (``family_of, groups, alone``: :func:`_families`)."""
    pieces = _pieces(held, segments, family_of.len(), size)
    # The levels held, renumbered 0, 1, ... from the highest.
    used = pieces["level"].unique().sort().to_list()
    renumber = [used.index(i) if i in used else 0 for i in range(len(levels))]
    group = pl.col("worker").cast(pl.UInt64) * groups + pl.lit(family_of).gather(pl.col("child"))
    return _group_changes(
        pieces.select(
            group.alias("group"),
            "a",
            "b",
            _table(renumber, pl.UInt8).gather(pl.col("level")).alias("level"),
            pl.lit(alone).gather(pl.col("child")).alias("alone"),
        ),
        scheme,
        [levels[i] for i in used],
        workers,
        groups,
        size,
    )


def _families(
    families: pl.DataFrame, wanted: pl.Series, held_kids: pl.Series
) -> tuple[pl.Series, int, pl.Series]:
    """``(family_of, groups, alone)`` for the children held (``wanted`` by child code, their
    codes ``held_kids``): ``family_of`` each child's family group code, below ``groups``;
    ``alone`` whether a held child is the only one held of its family.

    A child's family is the first family id in sort order where a child has several, coded
    after the children's; a child without a family is a family of its own. A child alone in its
    family among the children held is a family group of its own with whichever worker holds it
    (a worker's spans of one child never overlap: :func:`_runs`)."""
    kids = wanted.len()
    families = families.filter(pl.lit(wanted).gather(pl.col("child")))
    several = _repeated(families["child"], kids)
    chosen = pl.concat(
        [
            families.filter(~several),
            families.filter(several).sort("child", "family_id").unique("child", keep="first"),
        ]
    )
    family_codes, family_names = _encode(chosen["family_id"].cast(pl.String))
    family_of = _scatter(
        pl.int_range(kids, dtype=pl.UInt32, eager=True), chosen["child"], family_codes + kids
    )
    groups = kids + family_names.len()
    alone = _scatter(
        pl.zeros(kids, pl.Boolean, eager=True),
        held_kids,
        ~_repeated(family_of.gather(held_kids), groups),
    )
    return family_of, groups, alone


def _repeated(codes: pl.Series, size: int) -> pl.Series:
    """Whether each code (below ``size``) occurs more than once in ``codes``: each code's last
    row is found by writing every row number to it in turn (no hashing)."""
    rows = pl.int_range(codes.len(), dtype=pl.UInt32, eager=True)
    last = _scatter(pl.zeros(size, pl.UInt32, eager=True), codes, rows)
    others = codes.filter(last.gather(codes) != rows)
    return _scatter(pl.zeros(size, pl.Boolean, eager=True), others, True).gather(codes)


def _table(values: Sequence[float], dtype: pl.DataType | type[pl.DataType]) -> pl.Expr:
    """``values`` as a lookup table: ``_table(values, dtype).gather(codes)`` gives
    ``values[code]`` for each code (much faster than ``replace_strict`` on small codes)."""
    return pl.lit(pl.Series(values, dtype=dtype))


def _fits(*sizes: int) -> None:
    """Raises unless numbers below the product of ``sizes`` fit in an Int64."""
    total = 1
    for size in sizes:
        total *= max(size, 1)
    if total >= 2**63:
        raise ValueError(f"too many workers, children and steps to key together ({total:,})")


def _child_points(
    status: pl.DataFrame,
    court: pl.DataFrame,
    children: pl.DataFrame,
    scheme: Scheme,
    grid: pl.Series,
    kids: int,
) -> tuple[pl.DataFrame, list[float]]:
    """``(segments, levels)``: ``levels`` every points value a child can have (status points
    plus the court uplift), highest first; ``segments`` (``child, s, e, level``) each of
    ``children``'s level over the steps, as segments ``[s, e)`` that tile ``[0, n)``, sorted
    by child and ``s``. ``status`` (``child, rank, a, b``) and ``court`` (``child, a, b``)
    are in step space.

    A child's status is the highest-precedence status open (else ``other``), plus the court
    uplift when flagged: one sweep over every child's status and court spans keeps a count of
    the spans open per status (and for the flag) side by side in one integer."""
    n = grid.len()
    size = n + 1
    _fits(kids, size)
    # Fields 0 to _OTHER - 1: the statuses above "other"; field _OTHER: the court flag;
    # field _OTHER + 1 counts nothing (a status "other" span; each child's start at step 0).
    court_field = _OTHER
    none = _OTHER + 1
    field = pl.when(pl.col("rank") < _OTHER).then(pl.col("rank")).otherwise(none)
    spans = pl.concat(
        [
            status.select("child", field.cast(pl.UInt8).alias("field"), "a", "b"),
            court.select("child", pl.lit(court_field, pl.UInt8).alias("field"), "a", "b"),
        ]
    )
    codes = [(f, up) for f in range(none + 1) for up in (0, 1)]
    starts = children.select("child", pl.lit(2 * none + 1, pl.UInt8).alias("code"))
    # No more of a child's spans are open at once than it has: the most spans of one child
    # bounds every field's count.
    most = int(np.bincount(spans["child"].to_numpy()).max(initial=0)) if spans.height else 0
    if most.bit_length() * none > 63:
        # Over 511 spans of one child: merge each status's spans of a child first (then at
        # most one is open per status).
        merged = _runs(
            spans.select(
                (pl.col("child").cast(pl.UInt64) * (none + 1) + pl.col("field")).alias("cf"),
                "a",
                "b",
            ),
            "cf",
            kids * (none + 1),
            size,
        )
        spans = merged.select(
            (pl.col("cf") // (none + 1)).cast(pl.UInt32).alias("child"),
            (pl.col("cf") % (none + 1)).cast(pl.UInt8).alias("field"),
            "a",
            "b",
        )
        most = 1
    events = _status_events(spans, starts, kids, size)
    bits = max(1, most.bit_length())
    weight = [0 if f == none else (2 * up - 1) << (bits * f) for f, up in codes]
    swept = _last_per(
        events.select("k", _table(weight, pl.Int64).gather("code").cum_sum().alias("open")),
        "k",
    ).filter(pl.col("k") % size < n)
    flag = 1 << (bits * court_field)
    statuses = pl.col("open") % flag
    rank = pl.when(statuses == 0).then(_OTHER).otherwise(statuses.bitwise_trailing_zeros() // bits)
    combination = rank * 2 + (pl.col("open") >= flag).cast(pl.UInt32)
    uplift = scheme.uplifts.get("court_proceedings", 0.0)
    points = [
        scheme.points[s] + (uplift if flagged else 0.0) for s in STATUSES for flagged in (0, 1)
    ]
    levels = sorted(set(points), reverse=True)
    swept = swept.select(
        (pl.col("k") // size).cast(pl.UInt32).alias("child"),
        (pl.col("k") % size).cast(pl.Int32).alias("s"),
        _table([levels.index(p) for p in points], pl.UInt8).gather(combination).alias("level"),
    )
    # Neighbouring segments of equal points are one.
    first = (pl.col("child") != pl.col("child").shift(1)) | (
        pl.col("level") != pl.col("level").shift(1)
    )
    same = pl.col("child") == pl.col("child").shift(-1)
    segments = (
        swept.filter(first.fill_null(True))
        .with_columns(
            pl.when(same).then(pl.col("s").shift(-1)).otherwise(n).cast(pl.Int32).alias("e")
        )
        .select("child", "s", "e", "level")
    )
    return segments, levels


def _status_events(spans: pl.DataFrame, starts: pl.DataFrame, kids: int, size: int) -> pl.DataFrame:
    """``k`` (child x ``size`` + step) and ``code`` (2 x field, + 1 where a span opens) of
    every end of ``spans`` (``child, field, a, b``) and of ``starts`` (``child, code``, at step
    0), sorted."""
    at = pl.col("child").cast(pl.UInt64) * size
    events = pl.concat(
        [
            spans.select(
                (at + pl.col("a").cast(pl.UInt64)).alias("k"),
                (pl.col("field") * 2 + 1).alias("code"),
            ),
            spans.select(
                (at + pl.col("b").cast(pl.UInt64)).alias("k"), (pl.col("field") * 2).alias("code")
            ),
            starts.select(at.alias("k"), "code"),
        ]
    )
    return _sorted(events, [("k", kids * size), ("code", 2 * (_OTHER + 2))])


def _pieces(held: pl.DataFrame, segments: pl.DataFrame, kids: int, size: int) -> pl.DataFrame:
    """``worker, child, a, b, level``: each held span ``[a, b)`` cut where the child's level
    changes (``segments`` tile the steps per child, sorted), in ``held``'s order: the segments
    from the one holding ``a`` to the one holding ``b - 1``. The first is found by an as-of
    join of the spans sorted by child and ``a``; most spans end inside it, and only those that
    run past its end look up their last by a second."""
    rows = held.height
    at = pl.col("child").cast(pl.UInt64) * size
    right = segments.select(
        (at + pl.col("s").cast(pl.UInt64)).alias("k"),
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("i"),
    )
    row = pl.int_range(pl.len(), dtype=pl.UInt32).alias("row")
    starts = (
        _sorted(held.select("child", "a", row), [("child", kids), ("a", size), ("row", rows)])
        .select((at + pl.col("a").cast(pl.UInt64)).alias("k"), "row")
        .join_asof(right, on="k", strategy="backward", check_sortedness=False)
    )
    first = _scatter(pl.zeros(rows, pl.UInt32, eager=True), starts["row"], starts["i"])
    spans = held.with_columns(first.alias("i"))
    across = spans.select(row, (at + pl.col("b").cast(pl.UInt64) - 1).alias("k")).filter(
        pl.lit(segments["e"]).gather(first) < spans["b"]
    )
    ends = across.sort("k").join_asof(right, on="k", strategy="backward", check_sortedness=False)
    last = _scatter(first, ends["row"], ends["i"])
    spans = spans.with_columns(pl.int_ranges("i", last + 1, dtype=pl.UInt32).alias("i")).explode(
        "i"
    )
    parts = segments.select("s", "e", "level")[spans["i"]]
    return pl.concat([spans.drop("i"), parts], how="horizontal").select(
        "worker",
        "child",
        pl.max_horizontal("a", "s").alias("a"),
        pl.min_horizontal("b", "e").alias("b"),
        "level",
    )


def _group_changes(
    pieces: pl.DataFrame,
    scheme: Scheme,
    levels: list[float],
    workers: int,
    groups: int,
    size: int,
) -> pl.DataFrame:
    """The workers' totals from ``pieces`` (``group, a, b, level, alone``; ``group`` = worker
    x ``groups`` + family, ``level`` indexes ``levels``, highest first; ``alone`` where the
    piece is its group's only one at each step it covers). One sweep per family group keeps
    its children, their points (in 1/10,000 points) and its count of children per level (side
    by side in integers), so the highest level held is the lowest field set; each group's
    changes of children, 1 family and weighted points are then summed per worker and swept
    again. A piece ``alone`` is a group of one child, which counts its points in full, so its
    changes go straight to the second sweep."""
    _fits(workers, groups, size)
    count = len(levels)
    units = [round(v * _UNITS) for v in levels]
    # The most pieces one worker holds bounds every running total of theirs (below).
    per_worker = int(np.bincount((pieces["group"] // groups).to_numpy()).max(initial=0))
    single = pieces.filter("alone")
    pieces = pieces.filter(~pl.col("alone"))
    at = pl.col("group") * size
    events = _sorted(
        pl.concat(
            [
                pieces.select(
                    (at + pl.col("a").cast(pl.UInt64)).alias("k"),
                    (pl.col("level") * 2 + 1).alias("code"),
                ),
                pieces.select(
                    (at + pl.col("b").cast(pl.UInt64)).alias("k"),
                    (pl.col("level") * 2).alias("code"),
                ),
            ]
        ),
        [("k", workers * groups * size), ("code", 2 * count)],
    )
    codes = [(j, up) for j in range(count) for up in (0, 1)]
    events = events.with_columns(
        _table([2 * up - 1 for _, up in codes], pl.Int64).gather("code").cum_sum().alias("children")
    )
    most = int(events.select(pl.col("children").max().fill_null(0)).item())
    bits = max(1, most.bit_length())
    per_column = 63 // bits
    columns = -(-count // per_column)
    vectors = [
        _table(
            [
                (2 * up - 1) << (bits * (j - c * per_column)) if j // per_column == c else 0
                for j, up in codes
            ],
            pl.Int64,
        )
        .gather("code")
        .cum_sum()
        .alias(f"v{c}")
        for c in range(columns)
    ]
    total = _table([(2 * up - 1) * units[j] for j, up in codes], pl.Int64).gather("code")
    state = _last_per(events.select("k", "children", total.cum_sum().alias("total"), *vectors), "k")
    # The highest level held: the lowest field set (levels are sorted highest first).
    top: pl.Expr = pl.lit(count, pl.UInt32)
    for c in reversed(range(columns)):
        v = pl.col(f"v{c}")
        top = (
            pl.when(v != 0).then(v.bitwise_trailing_zeros() // bits + c * per_column).otherwise(top)
        )
    f = scheme.sibling_factor
    names = ("children", "families", "weighted")
    group = pl.col("k") // size
    state = state.select(
        group.alias("group"),
        ((group // groups) * size + pl.col("k") % size).alias("k"),
        "children",
        (pl.col("children") > 0).cast(pl.Int64).alias("families"),
        (f * pl.col("total") + (1 - f) * _table([*units, 0], pl.Int64).gather(top))
        .round(0)
        .cast(pl.Int64)
        .alias("weighted"),
    )
    same = pl.col("group") == pl.col("group").shift(1)
    worker_at = pl.col("group") // groups * size
    points = _table(units, pl.Int64).gather("level")
    # The three totals are packed side by side in as few Int64 words as they fit (one, unless
    # a worker holds very many pieces): sorted by worker and step, every running total of a
    # worker is a sum of their groups' states and single pieces, each from 0 up to the pieces
    # the worker holds (times the highest points), so no field ever borrows from the next.
    widths = {
        "children": per_worker.bit_length(),
        "families": per_worker.bit_length(),
        "weighted": (per_worker * max(units, default=0)).bit_length(),
    }
    words: list[dict[str, int]] = [{}]
    used = 0
    for name, width in widths.items():
        if used + width > _WORD_BITS and words[-1]:
            words.append({})
            used = 0
        words[-1][name] = used
        used += width

    def packed(fields: dict[str, pl.Expr]) -> list[pl.Expr]:
        """``fields`` packed into the words, each at its shift."""
        return [
            pl.sum_horizontal(fields[n] * (1 << shift) for n, shift in word.items()).alias(f"w{i}")
            for i, word in enumerate(words)
        ]

    word_names = [f"w{i}" for i in range(len(words))]
    one = pl.lit(1, pl.Int64)
    deltas = pl.concat(
        [
            state.select("group", "k", *packed({n: pl.col(n) for n in names})).select(
                "k",
                *(
                    (pl.col(w) - pl.when(same).then(pl.col(w).shift(1)).otherwise(0)).alias(w)
                    for w in word_names
                ),
            ),
            single.select(
                (worker_at + pl.col("a").cast(pl.UInt64)).alias("k"),
                *packed({"children": one, "families": one, "weighted": points}),
            ),
            single.select(
                (worker_at + pl.col("b").cast(pl.UInt64)).alias("k"),
                *packed({"children": -one, "families": -one, "weighted": -points}),
            ),
        ]
    )
    order = _sorted(
        deltas.select("k", pl.int_range(pl.len(), dtype=pl.UInt64).alias("row")),
        [("k", workers * size), ("row", deltas.height)],
    )
    swept = pl.concat(
        [order.select("k"), deltas.select(word_names)[order["row"]]], how="horizontal"
    ).with_columns(pl.col(w).cum_sum() for w in word_names)
    return (
        _last_per(swept, "k")
        .select(
            (pl.col("k") // size).cast(pl.UInt32).alias("worker"),
            (pl.col("k") % size).cast(pl.Int32).alias("pos"),
            *(
                (pl.col(f"w{i}") // (1 << shift) % (1 << widths[n])).alias(n)
                for i, word in enumerate(words)
                for n, shift in word.items()
            ),
        )
        .select("worker", "pos", *names)
    )


def _attributes(assignments: pl.DataFrame, grid: pl.Series) -> pl.DataFrame:
    """``worker, a, b, team, role, fte``: assignments in step space, sorted by worker, start and
    FTE (the latest-started wins where two are open)."""
    frame = _span(assignments, grid, "start_date", "end_date", ["worker", "team", "role", "fte"])
    return frame.select("worker", "a", "b", "team", "role", pl.col("fte").cast(pl.Float64)).sort(
        "worker", "a", "fte"
    )


def _reduction_changes(reductions: pl.DataFrame, grid: pl.Series, size: int) -> pl.DataFrame:
    """``worker, pos, reduction``: the summed reductions in hundredths of a percent, from step
    ``pos`` until the worker's next row."""
    frame = _span(reductions, grid, "start_date", "end_date", ["worker", "percent"])
    swept = _sweep(
        frame,
        pl.col("worker"),
        size,
        {"reduction": (pl.col("percent") * 100).round(0).cast(pl.Int64)},
    )
    return swept.select(
        (pl.col("k") // size).cast(pl.UInt32).alias("worker"),
        (pl.col("k") % size).cast(pl.Int32).alias("pos"),
        "reduction",
    )


def worker_rows(timeline: WorkerTimeline, scheme: Scheme) -> pl.DataFrame:
    """Per worker at each step: ``step`` then :data:`WORKER_COLUMNS`, sorted by step and
    worker id (each segment of ``timeline`` expanded to its steps)."""
    segments = timeline.segments
    k = pl.int_ranges("pos", "end", dtype=pl.Int32)
    expanded = (
        segments.with_columns(k.alias("k"))
        .explode("k")
        .sort(_key(("k", timeline.grid.len()), ("worker", timeline.workers.len())))
    )
    reduction_pct = pl.col("reduction") / 100
    weighted = pl.col("weighted") / _UNITS
    cap = pl.col("per_fte") * pl.col("fte").fill_null(0.0) * (1 - pl.col("reduction_pct") / 100)
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
    names = expanded.select(
        timeline.grid.gather(expanded["k"]).alias("step"),
        timeline.workers.gather(expanded["worker"]).alias("worker_id"),
        timeline.teams.gather(expanded["team"]).alias("team_id"),
        timeline.roles.gather(expanded["role"]).alias("role"),
    )
    return (
        pl.concat([names, expanded.drop("team", "role")], how="horizontal")
        .with_columns(
            reduction_pct.alias("reduction_pct"),
            weighted.alias("weighted_points"),
        )
        .with_columns(cap.alias("capacity_points"))
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
    )


def worker_steps(inputs: CaseloadInputs, scheme: Scheme, steps: Sequence[date]) -> pl.DataFrame:
    """Per worker at each step: ``step`` then :data:`WORKER_COLUMNS`, sorted by step and worker
    id. A worker appears at a step when they hold a child then, or are in a role with capacity
    (a case-holding role)."""
    return worker_rows(worker_timeline(inputs, scheme, steps), scheme)


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


def team_steps(timeline: WorkerTimeline, teams: pl.DataFrame, scheme: Scheme) -> pl.DataFrame:
    """Per team at each step, from a :func:`worker_timeline` (``teams``: ``team_id, name,
    team_type``), sorted by step, team name and team id (names repeat across authorities):

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
    n = timeline.grid.len()
    nobody = timeline.teams.len()
    fte = pl.col("fte").fill_null(0.0)
    grouped = (
        timeline.segments.select(
            pl.int_ranges("pos", "end", dtype=pl.Int32).alias("k"),
            pl.col("team").fill_null(nobody),
            "children",
            "weighted",
            fte.alias("fte"),
            pl.when(pl.col("per_fte") > 0)
            .then(fte * (1 - pl.col("reduction") / 100 / 100))
            .otherwise(0.0)
            .alias("available"),
        )
        .explode("k")
        .group_by(_key(("team", nobody + 1), ("k", n)).alias("key"))
        .agg(
            pl.len().alias("workers"),
            pl.col("fte").sum(),
            pl.col("children").sum(),
            pl.col("weighted").sum(),
            pl.col("available").sum().alias("available_fte"),
        )
    )
    team_ids = pl.concat([timeline.teams, pl.Series([None], dtype=pl.String)])
    grouped = grouped.select(
        timeline.grid.gather(grouped["key"] % n).alias("step"),
        team_ids.gather(grouped["key"] // n).fill_null("(no team)").alias("team_id"),
        "workers",
        "fte",
        "children",
        (pl.col("weighted") / _UNITS).alias("weighted_points"),
        "available_fte",
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
        .sort("step", "team", "team_id")
    )
