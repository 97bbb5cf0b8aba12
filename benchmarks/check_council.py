"""Wall time of ``caseloads check`` on the synthetic council's extracts (median of ``--runs``).

Each kind is checked through the same service the command calls (read, validate, hash; nothing
written). The baseline, in the same process, reads the same CSV files with ``polars.read_csv``
and no checks; ``check_vs_baseline`` is the SSD check's time over that.

    .venv/bin/python benchmarks/check_council.py [--runs 5]

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import polars as pl

from caseloads.config import Settings
from caseloads.services.database import open_database
from caseloads.services.demo import council_jobs
from caseloads.services.imports import read_extracts
from caseloads.services.setup import initialise
from caseloads.synthetic.council import generate_council


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        council = generate_council(
            folder / "demo", seed=1, size="council", today=date(2026, 11, 22), la_code="826"
        )
        settings = Settings(database_url=f"sqlite:///{folder / 'c.db'}", key_file=folder / "c.key")
        initialise(settings)
        db = open_database(settings)
        timings: dict[str, list[float]] = {}
        for _ in range(args.runs):
            run: dict[str, float] = {}
            for job in council_jobs(council):  # five CSWW returns count as one kind
                started = time.perf_counter()
                read_extracts(db, job.kind, job.path, la_code=job.la_code)
                run[job.kind] = run.get(job.kind, 0.0) + time.perf_counter() - started
            for kind, seconds in run.items():
                timings.setdefault(kind, []).append(seconds)
        baseline = []
        for _ in range(args.runs):
            started = time.perf_counter()
            for path in sorted(council.ssd_dir.glob("*.csv")):
                pl.read_csv(path, infer_schema=False)
            baseline.append(time.perf_counter() - started)
        db.dispose()
    per_run = [sum(timings[k][i] for k in timings) for i in range(args.runs)]
    ssd = statistics.median(timings["ssd"])
    print(
        json.dumps(
            {
                "runs": args.runs,
                "median_seconds_all_extracts": round(statistics.median(per_run), 2),
                "median_seconds_by_kind": {
                    k: round(statistics.median(v), 3) for k, v in timings.items()
                },
                "rows_ssd": sum(v for k, v in council.row_counts.items() if k.startswith("ssd_")),
                "median_seconds_baseline_ssd_read_csv": round(statistics.median(baseline), 3),
                "check_vs_baseline": round(ssd / statistics.median(baseline), 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
