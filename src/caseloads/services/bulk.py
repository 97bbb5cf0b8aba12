"""Importing many extracts at once (a region, or all of England): files are read and checked in
worker processes while the main process writes, one transaction per extract, in the order given.

Reading (parsing, validation, hashing) takes more CPU than writing (on the national synthetic
data about 4 microseconds a row against 1.5 for the writer and 2 for a PostgreSQL server;
benchmarks/README.md), so by default there is one reader process per core: while the writer waits
for the database the readers use every core, and the writer never waits for a lone reader. The
workers never touch the database; they hand back read :class:`~caseloads.ingest.extract.Extract`
objects, their frames in files in shared memory, and the main process writes each exactly as
``caseloads import`` would (:func:`store_extracts`), so a bulk load and a one-by-one load store
the same rows. On PostgreSQL the workers also encode each frame as the COPY's data
(:func:`caseloads.store.writer.encode_frame`), which took the writer about a microsecond a row:
every row passes through the one writer, so its work is the import's critical path, while the
readers' is shared among the cores.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import sys
import tempfile
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from multiprocessing import get_context
from pathlib import Path

import polars as pl

from caseloads.ingest.extract import Extract
from caseloads.ingest.pseudonymise import Pseudonymiser
from caseloads.services.database import Database, read_key
from caseloads.services.imports import (
    ImportResult,
    Prepared,
    after_import,
    reader_for,
    store_extracts,
)
from caseloads.store.shards import ShardTable, write_shard
from caseloads.store.tables import metadata
from caseloads.store.writer import EncodedFrame, encode_frame

Progress = Callable[[str, float], None]

_PR_SET_PDEATHSIG = 1  # linux/prctl.h

#: Jobs the reader processes may have read (or be reading) ahead of the writer.
READ_AHEAD = 24


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


@dataclass(frozen=True, slots=True)
class Spilled:
    """An extract read in a reader process, its frames left in files: ``extract`` has no frames,
    ``files`` maps each table name to the Arrow IPC file holding its frame, and ``prepared``
    each table name to its frame already prepared for the database (those tables have no file):
    encoded for a PostgreSQL COPY, or in a SQLite shard file."""

    extract: Extract
    files: dict[str, str]
    prepared: dict[str, Prepared]


def read_job_spilled(
    job: ImportJob, key: bytes, max_file_bytes: int, folder: str, backend: str | None = None
) -> list[Spilled]:
    """:func:`read_job`, with each extract's frames written to files in ``folder``, prepared for
    ``backend`` (``postgresql``: encoded for the COPY where a frame allows it; ``sqlite``: one
    shard file for the job's extracts), else as Arrow IPC."""
    extracts = read_job(job, key, max_file_bytes)
    if backend == "sqlite":
        return spill_to_shard(extracts, Path(folder))
    return [spill(e, Path(folder), encode=backend == "postgresql") for e in extracts]


def spill_to_shard(extracts: Sequence[Extract], folder: Path) -> list[Spilled]:
    """The frames of ``extracts`` in one SQLite shard file in ``folder`` (an extract with errors,
    which the writer refuses, as Arrow IPC files)."""
    usable = [e for e in extracts if not e.findings.has_errors()]
    written: Iterator[dict[str, ShardTable]] = iter(())
    if usable:
        frames = [
            (e.la_code, {name: (metadata.tables[name], f) for name, f in e.frames.items()})
            for e in usable
        ]
        written = iter(write_shard(folder / f"{uuid.uuid4().hex}.sqlite", frames))
    out: list[Spilled] = []
    for extract in extracts:
        if extract.findings.has_errors():
            out.append(spill(extract, folder))
        else:
            out.append(Spilled(replace(extract, frames={}), {}, dict(next(written))))
    return out


def spill(extract: Extract, folder: Path, *, encode: bool = False) -> Spilled:
    files: dict[str, str] = {}
    encoded: dict[str, Prepared] = {}
    # An extract with errors is refused by the writer: not worth encoding.
    encode = encode and not extract.findings.has_errors()
    for name, frame in extract.frames.items():
        stem = uuid.uuid4().hex
        if encode and frame.height:
            written = encode_frame(
                metadata.tables[name], frame, la_code=extract.la_code, folder=folder, name=stem
            )
            if written is not None:
                encoded[name] = written
                continue
        path = folder / f"{stem}.arrow"
        frame.write_ipc(path)
        files[name] = str(path)
    return Spilled(replace(extract, frames={}), files, encoded)


def unspill(spilled: Spilled) -> Extract:
    """The extract with its frames read back; their files are deleted. Its prepared tables stay
    in their files (:attr:`Spilled.prepared`)."""
    frames: dict[str, pl.DataFrame] = {}
    for name, path in spilled.files.items():
        frames[name] = pl.read_ipc(path)
        os.unlink(path)
    return replace(spilled.extract, frames=frames)


def discard(prepared: dict[str, Prepared]) -> None:
    """Delete the files of prepared tables once written, or if the writer did not use them (an
    unchanged extract's). A shard file holds all of a job's tables: it goes with the first."""
    for table in prepared.values():
        paths = (table.data, table.starts) if isinstance(table, EncodedFrame) else (table.path,)
        for path in paths:
            with suppress(FileNotFoundError):
                os.unlink(path)


_SPILL_PREFIX = "caseloads-import-"


def spill_parent() -> Path:
    """Where spill folders are made: shared memory if writable, else the temporary folder."""
    shm = Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK) else Path(tempfile.gettempdir())


@contextmanager
def spill_folder() -> Iterator[Path]:
    """A folder for this import's spilled frames, in shared memory where there is one; removed
    on the way out. Folders of earlier imports whose process no longer exists are removed first
    (a process killed outright cannot remove its own)."""
    parent = spill_parent()
    for stale in parent.glob(f"{_SPILL_PREFIX}*"):
        if not _process_alive(stale.name.removeprefix(_SPILL_PREFIX).split("-", 1)[0]):
            shutil.rmtree(stale, ignore_errors=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{_SPILL_PREFIX}{os.getpid()}-", dir=parent))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _process_alive(pid_text: str) -> bool:
    if not pid_text.isdigit():
        return True  # not one of ours: leave it alone
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, but another user's
    return True


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

    def write(job: ImportJob, extracts: list[Extract], prepared: list[dict[str, Prepared]]) -> None:
        try:
            stored = store_extracts(
                db,
                extracts,
                imported_by=imported_by,
                source=str(job.path),
                prepared=prepared,
                analyse=False,
            )
        finally:
            for tables in prepared:
                discard(tables)
        results.extend(stored)
        report(f"{job.kind} {job.la_code or ''} {job.path.name}", len(results) / len(jobs))

    try:
        if count <= 0:
            for job in jobs:
                write(job, read_job(job, key, limit), [])
            return results
        # How far the readers may run ahead of the writer. An authority is one large SSD extract and
        # (in the national demo) eleven small ones, written in that order. A window of 12 jobs holds
        # one authority, so a reader that has finished its small extracts waits for the writer while
        # the other reads the next SSD; 24 lets it start the SSD after that (PostgreSQL: 258,126 ->
        # 275,433 rows/s, benchmarks/README.md). The window bounds memory: the frames read ahead.
        window = max(2 * count, READ_AHEAD)
        # The readers also prepare each frame for the database: encoded for PostgreSQL's COPY, or
        # bound into a SQLite shard, work that took the writer, the one process every row passes
        # through, one to three microseconds a row.
        backend = db.engine.dialect.name
        # Spawned, not forked: a fork of a process whose Polars thread pool is running can deadlock.
        # The pool is shut down (its readers finished) before the spill folder is removed.
        with (
            spill_folder() as folder,
            ProcessPoolExecutor(
                max_workers=count, mp_context=get_context("spawn"), initializer=end_with_parent
            ) as pool,
        ):
            pending: deque[tuple[ImportJob, Future[list[Spilled]]]] = deque()
            queue = iter(jobs)

            def submit(job: ImportJob) -> None:
                future = pool.submit(read_job_spilled, job, key, limit, str(folder), backend)
                pending.append((job, future))

            for job in queue:
                submit(job)
                if len(pending) >= window:
                    break
            while pending:
                job, future = pending.popleft()
                spilled = future.result()
                extracts = [unspill(s) for s in spilled]
                following = next(queue, None)
                if following is not None:
                    submit(following)
                try:
                    write(job, extracts, [s.prepared for s in spilled])
                except BaseException:
                    for _, later in pending:
                        later.cancel()
                    raise
    finally:
        # The statistics a single import gathers after its commit, once for all of them (also
        # when a later extract was refused: those before it stand).
        if results:
            report("updating planner statistics", 1.0)
            after_import(db, results, summarise=False)
    return results
