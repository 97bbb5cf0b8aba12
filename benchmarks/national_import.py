"""Rows per second and peak memory of the national import into SQLite and PostgreSQL.

Generates (once) the synthetic extracts of every English authority, or of the first
``--authorities`` of them, then imports them with ``import_many`` (readers in worker processes,
the main process writing; COPY on PostgreSQL) into a fresh database per run. Each run is a fresh
process; peak memory is the main process's plus the largest worker's. The baseline, in the same
process, loads the CSV files of the first ``--baseline-authorities`` as plain text rows (csv module
and executemany on SQLite, raw COPY on PostgreSQL), with no checks and no hashing.

    .venv/bin/python benchmarks/national_import.py [--authorities 153] [--runs 1]
        [--data /tmp/caseloads-national] [--backends sqlite,postgresql] [--workers 1]

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from demo_load import _baseline

TODAY = date(2026, 11, 22)
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def generate(data: Path, authorities: int, workers: int) -> dict[str, Any]:
    from caseloads.synthetic.national import generate_national, national_authorities

    codes = [a.la_code for a in national_authorities()][:authorities]
    manifest = data / "manifest.json"
    if manifest.exists() and json.loads(manifest.read_text()).get("authorities_requested") == codes:
        return {"generated": False}
    started = time.perf_counter()
    generate_national(data, seed=1, today=TODAY, workers=workers, only=codes)
    extra = json.loads(manifest.read_text())
    extra["authorities_requested"] = codes
    manifest.write_text(json.dumps(extra))
    return {"generated": True, "seconds_generate": round(time.perf_counter() - started, 1)}


def child(
    backend: str, data: Path, work: Path, pg_admin: str, workers: int, baseline_authorities: int
) -> dict[str, Any]:
    from sqlalchemy import create_engine, text

    from caseloads.config import Settings, normalise_database_url
    from caseloads.services.bulk import import_many
    from caseloads.services.database import open_database
    from caseloads.services.demo import council_jobs
    from caseloads.services.setup import initialise

    manifest = json.loads((data / "manifest.json").read_text())
    codes = manifest["authorities_requested"]
    councils = [_council(data / code) for code in codes]
    admin = None
    if backend == "sqlite":
        url = f"sqlite:///{work / 'national.db'}"
    else:
        admin = create_engine(normalise_database_url(pg_admin), isolation_level="AUTOCOMMIT")
        name = f"caseloads_nat_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = pg_admin.rsplit("/", 1)[0] + "/" + name
    try:
        settings = Settings(database_url=url, key_file=work / "national.key")
        initialise(settings)
        db = open_database(settings)
        # Extracts generated before a kind was added to the demo are left out, not failed.
        jobs = [job for c in councils for job in council_jobs(c) if job.path.exists()]
        server_before = _server_cpu() if backend != "sqlite" else 0.0
        cpu_before = _own_cpu()
        sampler = _TreeMemory()
        sampler.start()
        started = time.perf_counter()
        results = import_many(db, jobs, workers=workers, imported_by="bench")
        seconds = time.perf_counter() - started
        sampler.stop()
        writer_cpu, reader_cpu = (a - b for a, b in zip(_own_cpu(), cpu_before, strict=True))
        server_cpu = _server_cpu() - server_before if backend != "sqlite" else 0.0
        db.dispose()
        rows = sum(sum(r.row_counts.values()) for r in results)
        main_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        base_dirs = [data / code for code in codes[:baseline_authorities]]
        base_rows, base_seconds = 0, 0.0
        for i, folder in enumerate(base_dirs):
            base_seconds += _baseline(
                backend,
                url if backend != "sqlite" else f"sqlite:///{work / f'base{i}.db'}",
                folder,
                prefix=f"base{i}",
            )
            base_rows += sum(max(0, sum(1 for _ in p.open()) - 1) for p in folder.rglob("*.csv"))
        return {
            "rows": rows,
            "seconds": seconds,
            "rows_per_second": rows / seconds,
            "baseline_rows_per_second": base_rows / base_seconds if base_seconds else None,
            "peak_rss_main_mb": main_peak,
            "peak_rss_worker_mb": worker_peak,
            "peak_rss_together_mb": sampler.peak_mb,
            "batches": len(results),
            "cpu_seconds_writer": round(writer_cpu, 1),
            "cpu_seconds_readers": round(reader_cpu, 1),
            "cpu_seconds_server": round(server_cpu, 1),
        }
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


class _TreeMemory(threading.Thread):
    """The largest sum, sampled every 0.25 s, of the resident memory of this process and its
    children (the writer and every reader at once: ``ru_maxrss`` of the children is only the
    largest single child's)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_mb = 0.0
        self._done = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        while not self._done.wait(0.25):
            total = 0
            for stat in Path("/proc").glob("[0-9]*/stat"):
                try:
                    pid = int(stat.parent.name)
                    if pid != me and int(stat.read_text().rsplit(")", 1)[1].split()[1]) != me:
                        continue
                    status = (stat.parent / "status").read_text()
                except (OSError, ValueError, IndexError):
                    continue
                for line in status.splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            self.peak_mb = max(self.peak_mb, total / 1024)

    def stop(self) -> None:
        self._done.set()
        self.join()


def _own_cpu() -> tuple[float, float]:
    """CPU seconds (user + system) of this process, and of its ended children (the reader
    processes, once ``import_many`` has closed its pool)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def _server_cpu() -> float:
    """CPU seconds of every PostgreSQL server process on this machine now (backends, WAL
    writer, checkpointer): read from /proc, so the server must run here (it does in CI and
    on the benchmark machine); 0 where /proc cannot be read."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, rest = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :]
        if name.startswith("postgres"):
            fields = rest.split()
            total += int(fields[11]) + int(fields[12])
    return total / tick


def _council(folder: Path) -> Any:
    """The generated council in ``folder``, from its manifest."""
    from caseloads.synthetic.council import GeneratedCouncil

    manifest = json.loads((folder / "manifest.json").read_text())
    return GeneratedCouncil(
        la_code=manifest["la_code"],
        out_dir=folder,
        ssd_dir=folder / "ssd",
        csww_files=sorted((folder / "csww").glob("csww_*.xml")),
        staff_csv=folder / "staff.csv",
        absences_csv=folder / "absences.csv",
        establishment_csv=folder / "establishment.csv",
        pipeline_csv=folder / "pipeline.csv",
        agency_csv=folder / "agency.csv",
        price_caps_csv=folder / "price_caps.csv",
        row_counts=manifest["row_counts"],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--authorities", type=int, default=153)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--data", default="/tmp/caseloads-national")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--workers", type=int, default=max(1, os.cpu_count() or 1), help="reader processes"
    )
    parser.add_argument("--baseline-authorities", type=int, default=3)
    parser.add_argument(
        "--postgres-url", default=os.environ.get("CASELOADS_BENCH_POSTGRES_URL", DEFAULT_PG)
    )
    parser.add_argument(
        "--keep",
        help="keep the (last) SQLite database and its key in this folder, for later benchmarks",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args()
    data = Path(args.data)
    if args.child:
        print(
            json.dumps(
                child(
                    args.child,
                    data,
                    Path(args.work),
                    args.postgres_url,
                    args.workers,
                    args.baseline_authorities,
                )
            )
        )
        return
    out: dict[str, Any] = {
        "authorities": args.authorities,
        "runs": args.runs,
        "workers": args.workers,
    }
    out.update(generate(data, args.authorities, max(args.workers, 2)))
    import tempfile

    for backend in args.backends.split(","):
        runs = []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory(dir=os.environ.get("CASELOADS_BENCH_TMP")) as work:
                proc = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--child",
                        backend,
                        "--data",
                        str(data),
                        "--work",
                        work,
                        "--workers",
                        str(args.workers),
                        "--baseline-authorities",
                        str(args.baseline_authorities),
                        "--postgres-url",
                        args.postgres_url,
                    ],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if proc.returncode != 0:
                    sys.exit(f"{backend} run failed:\n{proc.stderr[-3000:]}")
                runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
                if args.keep and backend == "sqlite":
                    keep = Path(args.keep)
                    keep.mkdir(parents=True, exist_ok=True)
                    for name in ("national.db", "national.key"):
                        shutil.move(str(Path(work) / name), str(keep / name))
                print(backend, json.dumps(runs[-1]), file=sys.stderr, flush=True)
        med = {
            k: statistics.median(r[k] for r in runs)
            for k in (
                "seconds",
                "rows_per_second",
                "peak_rss_main_mb",
                "peak_rss_worker_mb",
                "peak_rss_together_mb",
            )
        }
        base = statistics.median(r["baseline_rows_per_second"] or 0 for r in runs)
        out[backend] = {
            "rows": runs[0]["rows"],
            "batches": runs[0]["batches"],
            "median_seconds": round(med["seconds"], 1),
            "median_rows_per_second": round(med["rows_per_second"]),
            "baseline_rows_per_second": round(base),
            "rows_per_second_vs_baseline": round(med["rows_per_second"] / base, 2)
            if base
            else None,
            "median_peak_rss_mb": round(med["peak_rss_together_mb"]),
            "median_peak_rss_main_mb": round(med["peak_rss_main_mb"]),
            "median_peak_rss_worker_mb": round(med["peak_rss_worker_mb"]),
            "median_cpu_seconds": {
                part: statistics.median(r.get(f"cpu_seconds_{part}", 0.0) for r in runs)
                for part in ("readers", "writer", "server")
            },
        }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
