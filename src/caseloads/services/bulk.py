"""Importing many extracts at once (a region, or all of England): files are read and checked in
worker processes while the main process writes, one transaction per extract, in the order given.

Reading (parsing, validation, hashing) takes more CPU than writing (on the national synthetic
data about 4 microseconds a row against 1 for the writer and 1.5 for a PostgreSQL server;
benchmarks/README.md), so by default there is one reader process per core: while the writer waits
for the database the readers use every core, and the writer never waits for a lone reader. The
workers never touch the
database; they hand back read :class:`~caseloads.ingest.extract.Extract` objects, and the main
process writes each exactly as ``caseloads import`` would (:func:`store_extracts`), so a bulk load
and a one-by-one load store the same rows.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from caseloads.ingest.extract import Extract
from caseloads.ingest.pseudonymise import Pseudonymiser
from caseloads.services.database import Database, read_key
from caseloads.services.imports import ImportResult, reader_for, store_extracts

Progress = Callable[[str, float], None]

_PR_SET_PDEATHSIG = 1  # linux/prctl.h

#: Jobs the reader processes may have read (or be reading) ahead of the writer.
READ_AHEAD = 12


@dataclass(frozen=True, slots=True)
class ImportJob:
    """One extract to import: its kind, where it is, and whose it is."""

    kind: str
    path: Path
    la_code: str | None = None
    year: int | None = None


def read_job(job: ImportJob, key: bytes, max_file_bytes: int) -> list[Extract]:
    """Read one job's extract(s) with no database (runs in a worker process)."""
    spec = reader_for(job.kind)
    options: dict[str, object] = {
        "la_code": job.la_code,
        "pseudonymiser": Pseudonymiser(key),
        "max_file_bytes": max_file_bytes,
    }
    if spec.takes_year:
        options["year"] = job.year
    if spec.read_many is not None:
        return spec.read_many(job.path, **options)
    return [spec.read(job.path, **options)]


def end_with_parent() -> None:
    """In a reader process: ask Linux to stop this process when the process that started it ends
    (``prctl(PR_SET_PDEATHSIG, SIGTERM)``), so that a writer killed mid-import leaves no reader
    running on. Elsewhere, or if the call is unavailable, nothing is done: the reader then ends
    with its current job."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return


def import_many(
    db: Database,
    jobs: Sequence[ImportJob],
    *,
    workers: int | None = None,
    imported_by: str | None = None,
    progress: Progress | None = None,
) -> list[ImportResult]:
    """Import ``jobs`` in order, each as its own all-or-nothing transaction; stop at the first
    extract refused (raising its :class:`~caseloads.errors.ExtractError`; the extracts before it
    stay imported). ``workers`` reader processes run ahead of the writer (default: one per core;
    0 reads in this process)."""
    db.require_current_schema()
    # The workers get the key itself; opening the pseudonymiser here first checks that key
    # against the one the database was initialised with, before any work is done.
    key = read_key(db.settings.resolved_key_file())
    _ = db.pseudonymiser
    limit = db.settings.max_file_bytes
    report = progress or (lambda _step, _fraction: None)
    count = workers if workers is not None else max(1, os.cpu_count() or 1)
    results: list[ImportResult] = []

    def write(job: ImportJob, extracts: list[Extract]) -> None:
        results.extend(store_extracts(db, extracts, imported_by=imported_by, source=str(job.path)))
        report(f"{job.kind} {job.la_code or ''} {job.path.name}", len(results) / len(jobs))

    if count <= 0:
        for job in jobs:
            write(job, read_job(job, key, limit))
        return results
    # How far the readers may run ahead of the writer. An authority is one large SSD extract and
    # (in the national demo) eleven small ones, written in that order, so a window of 12 jobs
    # holds one authority: while one reader reads the next SSD, the other may finish the small
    # extracts and wait. A window of 24 measured faster on PostgreSQL but is not yet measured on
    # SQLite on a quiet machine (benchmarks/README.md); the window bounds memory.
    window = max(2 * count, READ_AHEAD)
    # Spawned, not forked: a fork of a process whose Polars thread pool is running can deadlock.
    with ProcessPoolExecutor(
        max_workers=count, mp_context=get_context("spawn"), initializer=end_with_parent
    ) as pool:
        pending: deque[tuple[ImportJob, Future[list[Extract]]]] = deque()
        queue = iter(jobs)
        for job in queue:
            pending.append((job, pool.submit(read_job, job, key, limit)))
            if len(pending) >= window:
                break
        while pending:
            job, future = pending.popleft()
            extracts = future.result()
            following = next(queue, None)
            if following is not None:
                pending.append((following, pool.submit(read_job, following, key, limit)))
            try:
                write(job, extracts)
            except BaseException:
                for _, later in pending:
                    later.cancel()
                raise
    return results
