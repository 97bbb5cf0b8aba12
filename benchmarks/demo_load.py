"""Time and peak memory of ``caseloads demo --size council --no-serve`` on SQLite and PostgreSQL.

Each run is a fresh process on a fresh database (so peak memory is that run's own); the figures
are medians over ``--runs``. The baseline, run in the same process right after each import, loads
the same generated files with no checking and no pseudonymisation: csv module rows into text columns
with one ``executemany`` per file on SQLite, and ``COPY ... FROM STDIN (FORMAT csv)`` of the raw
files on PostgreSQL. ``import_vs_baseline`` is our import time over that baseline's.

    .venv/bin/python benchmarks/demo_load.py [--runs 3] [--size council] [--postgres-url URL]

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

TODAY = date(2026, 11, 22)
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def child(backend: str, size: str, work: Path, pg_admin: str) -> dict[str, Any]:
    """One run in this process: demo into a new database, then the baseline load."""
    from sqlalchemy import create_engine, text

    from caseloads.config import Settings, normalise_database_url
    from caseloads.services.database import open_database
    from caseloads.services.demo import run_demo
    from caseloads.services.status import database_status

    pg_name = None
    admin = None
    if backend == "sqlite":
        url = f"sqlite:///{work / 'bench.db'}"
    else:
        admin = create_engine(normalise_database_url(pg_admin), isolation_level="AUTOCOMMIT")
        pg_name = f"caseloads_bench_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{pg_name}"'))
        url = pg_admin.rsplit("/", 1)[0] + "/" + pg_name
    try:
        settings = Settings(database_url=url, key_file=work / "bench.key")
        started = time.perf_counter()
        report = run_demo(
            settings, out_dir=work / "demo", seed=1, size=size, today=TODAY, la_code="826"
        )
        total = time.perf_counter() - started
        db = open_database(settings)
        try:
            tables = database_status(db)["authorities"]["826"]["tables"]
        finally:
            db.dispose()
        baseline = _baseline(backend, url, work / "demo")
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return {
            "seconds_total": total,
            "seconds_generate": report.generate_seconds,
            "seconds_import": report.import_seconds,
            "seconds_baseline_load": baseline,
            "peak_rss_mb": peak_mb,
            "rows_loaded": sum(tables.values()),
            "rows_by_table": tables,
        }
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
            admin.dispose()


def _csv_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.csv"))


def _baseline(backend: str, url: str, folder: Path, prefix: str = "base") -> float:
    """Seconds to load the generated CSV files as plain text rows (no checks, no hashing)."""
    files = _csv_files(folder)
    if backend == "sqlite":
        import sqlite3

        path = url.removeprefix("sqlite:///")
        started = time.perf_counter()
        conn = sqlite3.connect(path)
        for i, f in enumerate(files):
            with f.open(newline="", encoding="utf-8") as fh:
                reader = csv.reader(fh)
                header = next(reader)
                cols = ", ".join(f"c{j} TEXT" for j in range(len(header)))
                conn.execute(f"CREATE TABLE {prefix}_{i} ({cols})")
                marks = ", ".join("?" for _ in header)
                conn.executemany(f"INSERT INTO {prefix}_{i} VALUES ({marks})", reader)
        conn.commit()
        conn.close()
        return time.perf_counter() - started
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(url.replace("postgresql://", "postgresql://", 1)) as conn:
        for i, f in enumerate(files):
            header = f.open(encoding="utf-8").readline().strip().split(",")
            cols = ", ".join(f"c{j} TEXT" for j in range(len(header)))
            conn.execute(f"CREATE TABLE {prefix}_{i} ({cols})")
            with (
                conn.cursor() as cur,
                cur.copy(f"COPY {prefix}_{i} FROM STDIN (FORMAT csv, HEADER true)") as copy,
            ):
                copy.write(f.read_bytes())
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", default="council", choices=["small", "council"])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("CASELOADS_BENCH_POSTGRES_URL", DEFAULT_PG)
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.size, Path(args.work), args.postgres_url)))
        return
    results: dict[str, Any] = {"size": args.size, "runs": args.runs, "today": TODAY.isoformat()}
    for backend in args.backends.split(","):
        runs = []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as work:
                proc = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--child",
                        backend,
                        "--size",
                        args.size,
                        "--work",
                        work,
                        "--postgres-url",
                        args.postgres_url,
                    ],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if proc.returncode != 0:
                    sys.exit(f"{backend} run failed:\n{proc.stderr}")
                runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        med = {
            k: statistics.median(r[k] for r in runs)
            for k in (
                "seconds_total",
                "seconds_generate",
                "seconds_import",
                "seconds_baseline_load",
                "peak_rss_mb",
            )
        }
        results[backend] = {
            "median_seconds_total": round(med["seconds_total"], 2),
            "median_seconds_generate": round(med["seconds_generate"], 2),
            "median_seconds_import": round(med["seconds_import"], 2),
            "median_seconds_baseline_load": round(med["seconds_baseline_load"], 2),
            "import_vs_baseline": round(med["seconds_import"] / med["seconds_baseline_load"], 2),
            "median_peak_rss_mb": round(med["peak_rss_mb"], 1),
            "rows_loaded": runs[0]["rows_loaded"],
            "import_rows_per_second": round(runs[0]["rows_loaded"] / med["seconds_import"]),
            "rows_by_table": runs[0]["rows_by_table"],
            "identical_counts_across_runs": all(
                r["rows_by_table"] == runs[0]["rows_by_table"] for r in runs
            ),
        }
    if "sqlite" in results and "postgresql" in results:
        results["same_counts_sqlite_postgresql"] = (
            results["sqlite"]["rows_by_table"] == results["postgresql"]["rows_by_table"]
        )
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
