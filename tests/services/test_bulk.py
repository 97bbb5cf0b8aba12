"""Bulk imports: reading in worker processes stores exactly what one-by-one imports store."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import select
from tests.dbtools import (
    fresh_postgres_database,
    requires_postgres,
    unsummarised_and_unanalysed,
)

from caseloads.config import Settings
from caseloads.errors import ExtractError
from caseloads.ingest.extract import Extract
from caseloads.ingest.findings import Findings
from caseloads.services.bulk import (
    ImportJob,
    discard,
    import_many,
    spill,
    spill_folder,
    spill_parent,
    unspill,
)
from caseloads.services.database import open_database
from caseloads.services.demo import council_jobs, run_demo
from caseloads.services.setup import initialise
from caseloads.services.status import database_status
from caseloads.store.tables import metadata
from caseloads.synthetic.council import generate_council

TODAY = date(2026, 11, 22)


def counts(settings: Settings) -> dict[str, dict[str, int]]:
    db = open_database(settings)
    try:
        return {la: info["tables"] for la, info in database_status(db)["authorities"].items()}
    finally:
        db.dispose()


def test_two_reader_processes_store_what_one_by_one_stores(
    settings: Settings, tmp_path: Path
) -> None:
    councils = [
        generate_council(tmp_path / la, seed=3, size="small", today=TODAY, la_code=la)
        for la in ("826", "340")
    ]
    jobs = [job for council in councils for job in council_jobs(council)]
    initialise(settings)
    db = open_database(settings)
    try:
        results = import_many(db, jobs, workers=2)
    finally:
        db.dispose()
    assert [(r.la_code, r.kind) for r in results][:2] == [("826", "ssd"), ("826", "csww")]
    parallel = counts(settings)
    sequential_settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'seq.db'}", key_file=settings.resolved_key_file()
    )
    initialise(sequential_settings)
    db = open_database(sequential_settings)
    try:
        import_many(db, jobs, workers=0)
    finally:
        db.dispose()
    assert parallel == counts(sequential_settings)
    assert set(parallel) == {"826", "340"} and parallel["340"]["involvements"] > 0
    assert _spill_folders() == []


def stored_rows(settings: Settings) -> dict[str, list[tuple[object, ...]]]:
    """Every imported row of every data table, in batch and row order."""
    db = open_database(settings)
    try:
        with db.engine.connect() as conn:
            return {
                table.name: [
                    tuple(r)
                    for r in conn.execute(
                        select(table).order_by(table.c.batch_id, table.c.row_no)
                    ).all()
                ]
                for table in metadata.sorted_tables
                if "row_no" in table.c
            }
    finally:
        db.dispose()


@contextmanager
def fresh_database(backend: str, folder: Path) -> Iterator[str]:
    """A new empty database of ``backend``: its URL."""
    if backend == "postgresql":
        with fresh_postgres_database() as url:
            yield url
    else:
        yield f"sqlite:///{folder / f'{uuid.uuid4().hex}.db'}"


def raw_types(settings: Settings) -> dict[str, list[tuple[object, ...]]]:
    """SQLite: the storage class of each column's values, by table (a date stored as a number
    instead of text would read back the same through SQLAlchemy, but would not be the same)."""
    db = open_database(settings)
    try:
        with db.engine.connect() as conn:
            out = {}
            for table in metadata.sorted_tables:
                if "row_no" in table.c:
                    kinds = ", ".join(f'group_concat(DISTINCT typeof("{c.name}"))' for c in table.c)
                    out[table.name] = list(
                        conn.exec_driver_sql(f'SELECT {kinds} FROM "{table.name}"')
                    )
            return out
    finally:
        db.dispose()


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=requires_postgres), "sqlite"])
def test_frames_prepared_by_the_readers_store_what_the_writer_would(
    tmp_path: Path, backend: str
) -> None:
    """The reader processes prepare each frame for the database (encoded for PostgreSQL's COPY,
    the writer only writing the batch id in; bound into a SQLite shard file, copied across by
    the writer): every stored value is what an import that reads and writes in one process
    stores, row for row (on SQLite, in the same storage class). The staff extract names its
    teams ("Assessment Team"), which the SSD defined before it with ids ("T01"): a prepared
    frame's references are resolved too."""
    councils = [
        generate_council(tmp_path / la, seed=3, size="small", today=TODAY, la_code=la)
        for la in ("826", "340")
    ]
    jobs = [job for council in councils for job in council_jobs(council)]
    stored = []
    for workers in (2, 0):
        with fresh_database(backend, tmp_path) as url:
            settings = Settings(database_url=url, key_file=tmp_path / "bulk.key")
            initialise(settings)
            db = open_database(settings)
            try:
                import_many(db, jobs, workers=workers)
            finally:
                db.dispose()
            rows = stored_rows(settings)
            stored.append((rows, raw_types(settings) if backend == "sqlite" else {}))
            assert _spill_folders() == []
    prepared, in_process = stored
    assert sum(len(rows) for rows in prepared[0].values()) > 1000
    assert prepared == in_process
    named = set(pl.read_csv(councils[0].staff_csv).get_column("team"))
    assert "Assessment Team" in named
    # assignments: la_code, batch_id, row_no, worker_id, post_id, team_id, ...
    held = {r[5] for r in prepared[0]["assignments"] if r[0] == "826"}
    assert held and not held & named and "T01" in held


def test_after_a_bulk_import_every_table_written_is_summarised(
    settings: Settings, tmp_path: Path
) -> None:
    council = generate_council(tmp_path / "c", seed=3, size="small", today=TODAY, la_code="826")
    initialise(settings)
    db = open_database(settings)
    try:
        results = import_many(db, council_jobs(council), workers=0)
        if db.engine.dialect.name != "postgresql":
            return
        written = sorted({t for r in results for t, n in r.row_counts.items() if n})
        assert {"involvements", "contacts", "assignments"} <= set(written)
        left = unsummarised_and_unanalysed(db.engine, written)
    finally:
        db.dispose()
    # Summarised after each commit; all under ANALYZE_MIN_ROWS, so none analysed.
    assert left == {name: (0, True) for name in written}


def test_a_refused_extract_stops_the_load_and_leaves_it_out(
    settings: Settings, tmp_path: Path
) -> None:
    council = generate_council(tmp_path / "c", seed=3, size="small", today=TODAY, la_code="826")
    broken = tmp_path / "broken.csv"
    broken.write_text("worker_ref\nW1\n", encoding="utf-8")
    jobs = [
        *council_jobs(council)[:2],
        ImportJob("staff", broken, "826"),
        *council_jobs(council)[2:],
    ]
    initialise(settings)
    db = open_database(settings)
    try:
        with pytest.raises(ExtractError, match=r"broken\.csv"):
            import_many(db, jobs, workers=2)
    finally:
        db.dispose()
    tables = counts(settings)["826"]
    assert tables["involvements"] > 0 and tables["assignments"] == 0
    assert _spill_folders() == []  # the frames read ahead of the refusal are not left behind


def _spill_folders() -> list[Path]:
    """This process's spill folders that still exist."""
    return sorted(spill_parent().glob(f"caseloads-import-{os.getpid()}-*"))


def test_spilled_frames_come_back_unchanged_and_their_files_are_deleted(tmp_path: Path) -> None:
    frames = {
        "involvements": pl.DataFrame(
            {
                "child_id": ["a", None, ""],
                "start_date": [date(2024, 1, 1), None, date(1999, 12, 31)],
                "fte": [0.5, None, 1.0],
                "agency": [True, None, False],
                "row": [1, 2, None],
            }
        ),
        "contacts": pl.DataFrame(schema={"contact_id": pl.String, "contact_date": pl.Date}),
    }
    extract = Extract("ssd", "826", [], Findings(), frames, scope="2024")
    spilled = spill(extract, tmp_path)
    assert spilled.extract.frames == {} and set(spilled.files) == set(frames)
    assert all(Path(f).exists() for f in spilled.files.values())
    back = unspill(spilled)
    assert (back.kind, back.la_code, back.scope) == ("ssd", "826", "2024")
    assert back.frames.keys() == frames.keys()
    for name, frame in frames.items():
        assert back.frames[name].equals(frame) and back.frames[name].schema == frame.schema
    assert list(tmp_path.iterdir()) == []


def test_frames_are_encoded_for_postgresql_unless_their_text_is_copy_syntax(
    tmp_path: Path,
) -> None:
    plain = pl.DataFrame({"family_id": ["f1", "f2"], "child_id": ["c1", "c2"]})
    awkward = pl.DataFrame({"family_id": ["f\t1"], "child_id": ["c1"]})
    for frame, encoded in ((plain, True), (awkward, False)):
        extract = Extract("ssd", "826", [], Findings(), {"families": frame})
        spilled = spill(extract, tmp_path, encode=True)
        assert (set(spilled.prepared), set(spilled.files)) == (
            ({"families"}, set()) if encoded else (set(), {"families"})
        )
        if encoded:
            written = spilled.prepared["families"]
            assert written.rows == 2
            text = Path(written.data).read_text()
            assert text == "0000000000\t826\t1\tf1\tc1\n0000000000\t826\t2\tf2\tc2\n"
            discard(spilled.prepared)  # as the writer does with an unchanged extract's
            discard(spilled.prepared)  # and again: nothing left to delete is no error
        else:
            unspill(spilled)
        assert list(tmp_path.iterdir()) == []


def test_an_extract_with_errors_is_not_encoded(tmp_path: Path) -> None:
    findings = Findings()
    findings.error("file.ragged", "x", "f.csv")
    frame = pl.DataFrame({"family_id": ["f1"], "child_id": ["c1"]})
    spilled = spill(Extract("ssd", "826", [], findings, {"families": frame}), tmp_path, encode=True)
    assert spilled.prepared == {} and set(spilled.files) == {"families"}


def test_a_spill_folder_left_by_a_killed_import_is_removed_by_the_next() -> None:
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    dead = spill_parent() / f"caseloads-import-{int(ended.stdout)}-left"
    live = spill_parent() / f"caseloads-import-{os.getppid()}-inuse"
    for folder in (dead, live):
        folder.mkdir()
        (folder / "x.arrow").write_bytes(b"x")
    try:
        with spill_folder() as mine:
            assert mine.exists() and mine.name.startswith(f"caseloads-import-{os.getpid()}-")
            assert not dead.exists() and live.exists()
        assert not mine.exists()
    finally:
        for folder in (dead, live):
            shutil.rmtree(folder, ignore_errors=True)


def test_a_tiny_national_demo(settings: Settings, tmp_path: Path) -> None:
    report = run_demo(
        settings,
        out_dir=tmp_path / "nation",
        seed=5,
        size="national",
        today=TODAY,
        scale=0.02,
        only=["888", "318", "826"],
        workers=2,
    )
    loaded = counts(settings)
    assert set(loaded) == {"888", "318", "826"}
    for council in report.councils:
        assert loaded[council.la_code]["involvements"] == council.row_counts["ssd_involvements"]
        assert loaded[council.la_code]["assignments"] == council.row_counts["staff"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
def test_a_reader_ends_when_the_writer_is_killed() -> None:
    """A reader process calls end_with_parent; when the process that started it is killed, the
    reader is stopped too (it would otherwise read on, orphaned, until its job ended)."""
    reader = (
        "from caseloads.services.bulk import end_with_parent; end_with_parent(); "
        "print('ready', flush=True); import time; time.sleep(60)"
    )
    writer = (
        "import subprocess, sys, time; "
        f"p = subprocess.Popen([sys.executable, '-c', {reader!r}]); "
        "print(p.pid, flush=True); time.sleep(60)"
    )
    with subprocess.Popen(
        [sys.executable, "-c", writer], stdout=subprocess.PIPE, text=True
    ) as parent:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert parent.stdout.readline().strip() == "ready"  # the reader has called prctl
        assert _running(child)
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 10
    while _running(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(child)


def _running(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie (an ended process nobody has reaped yet)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")
