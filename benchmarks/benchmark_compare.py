"""Time of ``caseloads benchmark`` for every authority and year, and what loading the DfE tables
adds to ``caseloads init``, on SQLite and PostgreSQL (medians of ``--runs``).

Per backend, on a fresh database:

- ``init``: ``caseloads init`` (schema, key, and the bundled DfE tables into ``benchmarks``);
  ``load_benchmarks``: the benchmark load alone (``services.benchmark.load_bundled`` forced to
  reload, in one transaction); ``init_again``: a second init, which finds the tables current;
- ``compare_all``: the service behind ``caseloads benchmark --all-years`` for every authority
  (every authority, measure and year in one call: one read of the stored rows, one Polars pass);
  ``compare_one``: ``--la 301`` (latest year of each measure);
- ``cli_all``: ``caseloads benchmark --all-years --format json`` as a fresh process (Python
  start-up and imports included), output discarded; ``cli_all_csv`` the same with
  ``--format csv``.

The baseline, in the same process: ``polars.read_csv`` of the same five bundled CSV files (all
columns as text) and a filter to their local-authority rows, no comparison.
``compare_all_vs_baseline`` is ``compare_all`` over it.

    .venv/bin/python benchmarks/benchmark_compare.py [--runs 5] [--backends sqlite,postgresql]

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import create_engine, text

from caseloads.config import Settings, normalise_database_url
from caseloads.ingest import dfe_tables
from caseloads.services import benchmark as service
from caseloads.services.database import open_database
from caseloads.services.setup import initialise
from caseloads.store import repositories

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
CSV_FILES = (dfe_tables.CSWW, dfe_tables.B1, dfe_tables.D5, dfe_tables.CLA, dfe_tables.ONS)


@contextmanager
def fresh_database(backend: str, work: Path, pg_admin: str) -> Iterator[str]:
    """A new empty database: a SQLite file, or a PostgreSQL database dropped afterwards."""
    if backend == "sqlite":
        path = work / f"bench_{uuid.uuid4().hex[:8]}.db"
        yield f"sqlite:///{path}"
        return
    admin = create_engine(normalise_database_url(pg_admin), isolation_level="AUTOCOMMIT")
    name = f"caseloads_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield pg_admin.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, Any]:
    """Seconds ``fn(*args, **kwargs)`` took, and what it returned."""
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - started, result


def median(samples: list[float]) -> float:
    return round(statistics.median(samples), 3)


def baseline() -> None:
    """The same CSV files read by Polars as text and filtered to local-authority rows."""
    for name in CSV_FILES:
        raw = dfe_tables.bundled_bytes(name).removeprefix(b"\xef\xbb\xbf")
        frame = pl.read_csv(io.BytesIO(raw), infer_schema=False)
        frame.filter(pl.col("geographic_level") == "Local authority")


def run_backend(backend: str, runs: int, work: Path, pg_admin: str) -> dict[str, Any]:
    samples: dict[str, list[float]] = {
        k: []
        for k in (
            "init",
            "init_again",
            "load_benchmarks",
            "compare_all",
            "compare_one",
            "cli_all",
            "cli_all_csv",
        )
    }
    rows_all = 0
    program = str(Path(sys.executable).parent / "caseloads")
    for run in range(runs):
        with fresh_database(backend, work, pg_admin) as url:
            settings = Settings(database_url=url, key_file=work / f"k{run}_{backend}.key")
            samples["init"].append(timed(initialise, settings)[0])
            samples["init_again"].append(timed(initialise, settings)[0])
            db = open_database(settings)
            try:
                with db.engine.begin() as conn:
                    repositories.set_meta(conn, service.BENCHMARKS_DIGEST, "stale")
                    samples["load_benchmarks"].append(timed(service.load_bundled, conn)[0])
                seconds, rows = timed(service.benchmark_comparison, db, None, all_years=True)
                samples["compare_all"].append(seconds)
                rows_all = len(rows)
                samples["compare_one"].append(timed(service.benchmark_comparison, db, "301")[0])
            finally:
                db.dispose()
            key = str(settings.resolved_key_file())
            command = [program, "--database", url, "--key-file", key, "benchmark", "--all-years"]
            for name, fmt in (("cli_all", "json"), ("cli_all_csv", "csv")):
                run_cli = [*command, "--format", fmt]
                samples[name].append(
                    timed(subprocess.run, run_cli, check=True, stdout=subprocess.DEVNULL)[0]
                )
    return {
        **{f"median_seconds_{k}": median(v) for k, v in samples.items()},
        "rows_compare_all": rows_all,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("CASELOADS_BENCH_POSTGRES_URL", DEFAULT_PG)
    )
    args = parser.parse_args()
    baseline()  # warm the file cache and Polars once, as the service runs are warmed by init
    base = median([timed(baseline)[0] for _ in range(args.runs)])
    stored = dfe_tables.benchmark_rows()
    out: dict[str, Any] = {
        "runs": args.runs,
        "benchmark_rows_stored": stored.height,
        "authorities": dfe_tables.authorities().height,
        "years": sorted(set(stored["year"].to_list())),
        "median_seconds_baseline_polars_read_filter": base,
    }
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends.split(","):
            figures = run_backend(backend, args.runs, Path(tmp), args.postgres_url)
            figures["compare_all_vs_baseline"] = round(
                figures["median_seconds_compare_all"] / base, 1
            )
            out[backend] = figures
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
