"""Importing and checking extracts: ``caseloads import`` and ``caseloads check``.

An import is read (``ingest``), judged on its findings, and written in one transaction: the batch
record, the removal of the rows of the batches it replaces, the teams it introduces and every row.
Any error, and the database is exactly as it was.
"""

from __future__ import annotations

import getpass
import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import insert, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from caseloads.domain.teams import resolve_teams
from caseloads.errors import CaseloadsError, DatabaseError, ExtractError
from caseloads.ingest.extract import Extract
from caseloads.ingest.findings import Finding, Findings
from caseloads.ingest.registry import READERS, ReaderSpec
from caseloads.services.database import Database, describe_db_error
from caseloads.store import maintenance, repositories, writer
from caseloads.store.shards import ShardTable, attached, copy_shard
from caseloads.store.tables import KIND_TABLES, batches

Progress = Callable[[str, float], None]

LA_CODE = re.compile(r"^\d{3}$")

log = logging.getLogger(__name__)

#: A table of an extract already prepared for the database in a reader process.
Prepared = writer.EncodedFrame | ShardTable


@dataclass
class ImportResult:
    kind: str
    la_code: str
    scope: str
    status: str  # imported | unchanged
    batch_id: int
    row_counts: dict[str, int]
    replaced: dict[str, Any]
    findings: list[Finding]
    seconds: float
    files: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "la_code": self.la_code,
            "scope": self.scope,
            "status": self.status,
            "batch_id": self.batch_id,
            "row_counts": self.row_counts,
            "replaced": self.replaced,
            "findings": [f.as_dict() for f in self.findings],
            "seconds": round(self.seconds, 3),
            "files": self.files,
        }


def reader_for(kind: str) -> ReaderSpec:
    try:
        return READERS[kind]
    except KeyError:
        known = ", ".join(sorted(READERS))
        raise CaseloadsError(f"unknown kind of extract {kind!r}; known kinds: {known}") from None


def read_extracts(
    db: Database, kind: str, path: Path, *, la_code: str | None, year: int | None = None
) -> list[Extract]:
    """Read and validate an extract without writing anything (``caseloads check``). A folder that
    holds several authorities' or years' returns (SSDA903 with LA and YEAR columns) gives one
    extract for each."""
    spec = reader_for(kind)
    if la_code is not None and not LA_CODE.match(la_code):
        raise CaseloadsError(
            f"--la {la_code!r} is not a DfE authority number (three digits, e.g. 826)"
        )
    if spec.needs_la and la_code is None:
        raise CaseloadsError(
            f"reading the {kind} extract {path} needs --la CODE (the DfE authority number: "
            "its files do not say which authority they come from)"
        )
    if year is not None and not spec.takes_year:
        raise CaseloadsError(f"--year does not apply to {kind} extracts (their files give it)")
    problem = _path_problem(spec, path)
    if problem is not None:
        findings = Findings()
        findings.error("file.missing", problem, str(path))
        raise ExtractError(f"{kind} extract refused: {problem}", list(findings))
    options: dict[str, Any] = {
        "la_code": la_code,
        "pseudonymiser": db.pseudonymiser,
        "max_file_bytes": db.settings.max_file_bytes,
    }
    if spec.takes_year:
        options["year"] = year
    if spec.read_many is not None:
        return spec.read_many(path, **options)
    return [spec.read(path, **options)]


def import_extract(
    db: Database,
    kind: str,
    path: Path,
    *,
    la_code: str | None = None,
    imported_by: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Read, check and store one extract as one batch; raise :class:`ExtractError` (and write
    nothing) if it has errors. Importing exactly the files of the authority's active batch of the
    same kind changes nothing."""
    results = import_path(
        db, kind, path, la_code=la_code, imported_by=imported_by, progress=progress
    )
    if len(results) != 1:
        raise CaseloadsError(f"{path} held {len(results)} returns; use import_path")
    return results[0]


def import_path(
    db: Database,
    kind: str,
    path: Path,
    *,
    la_code: str | None = None,
    year: int | None = None,
    imported_by: str | None = None,
    progress: Progress | None = None,
) -> list[ImportResult]:
    """Import everything at ``path``: one batch per authority and year it holds, all in one
    transaction, so that if any part has an error nothing at all is written."""
    started = time.perf_counter()
    db.require_current_schema()
    report = progress or (lambda _step, _fraction: None)
    report(f"reading {path.name}", 0.0)
    extracts = read_extracts(db, kind, path, la_code=la_code, year=year)
    return store_extracts(
        db, extracts, imported_by=imported_by, progress=report, started=started, source=str(path)
    )


def store_extracts(
    db: Database,
    extracts: list[Extract],
    *,
    imported_by: str | None = None,
    progress: Progress | None = None,
    started: float | None = None,
    source: str = "",
    prepared: Sequence[Mapping[str, Prepared]] = (),
    analyse: bool = True,
) -> list[ImportResult]:
    """Judge already-read extracts on their findings and store them in one transaction.
    ``prepared``: for each extract, tables it holds already prepared for the database instead
    of as frames: encoded for a PostgreSQL COPY (:func:`caseloads.store.writer.encode_frame`) or
    written to a SQLite shard (:func:`caseloads.store.shards.write_shard`). Once committed, the
    block ranges of the tables written are summarised and, with ``analyse``, the tables that grew
    by a tenth analysed (:func:`after_import`); a caller storing many extracts in a row analyses
    once at the end instead."""
    began = time.perf_counter() if started is None else started
    report = progress or (lambda _step, _fraction: None)
    errors = [f for e in extracts for f in e.findings if f.severity == "error"]
    if errors or not extracts:
        kind = extracts[0].kind if extracts else "extract"
        raise ExtractError(
            f"{kind} extract {source} refused: {len(errors)} error(s) found; nothing was written",
            [f for e in extracts for f in e.findings],
        )
    report("writing", 0.3)
    try:
        shard_files = [
            t.path for tables in prepared for t in tables.values() if isinstance(t, ShardTable)
        ]
        with db.engine.connect() as conn, attached(conn, shard_files), conn.begin():
            results = [
                _store(conn, e, imported_by or _user(), report, prepared[i] if prepared else {})
                for i, e in enumerate(extracts)
            ]
    except SQLAlchemyError as exc:
        raise DatabaseError(
            f"the {extracts[0].kind} import was rolled back, nothing was written: "
            f"{describe_db_error(exc)}"
        ) from exc
    report("updating index summaries", 0.95)
    after_import(db, results, analyse=analyse)
    report("done", 1.0)
    elapsed = time.perf_counter() - began
    for result in results:
        result.seconds = elapsed
    return results


def after_import(
    db: Database,
    results: Sequence[ImportResult],
    *,
    summarise: bool = True,
    analyse: bool = True,
) -> maintenance.Upkeep:
    """After imports have committed: summarise the new block ranges of the tables they wrote
    and, with ``analyse``, analyse those that grew by a tenth or more (PostgreSQL;
    :mod:`caseloads.store.maintenance`), so that the next query for one authority's rows reads
    only those. What could not be done is logged as a warning: the imports stand either way."""
    upkeep = maintenance.after_import(
        db.engine, _written(results), summarise=summarise, analyse=analyse
    )
    for problem in upkeep.problems:
        log.warning("index upkeep after the import was skipped for %s", problem)
    return upkeep


def _written(results: Sequence[ImportResult]) -> dict[str, int]:
    written: dict[str, int] = {}
    for result in results:
        if result.status == "imported":
            for name, rows in result.row_counts.items():
                written[name] = written.get(name, 0) + rows
    return written


def _store(
    conn: Connection,
    extract: Extract,
    imported_by: str,
    report: Progress,
    prepared: Mapping[str, Prepared],
) -> ImportResult:
    kept_findings = list(extract.findings)
    existing = repositories.active_batch_with_digest(
        conn,
        la_code=extract.la_code,
        kind=extract.kind,
        scope=extract.scope,
        sha256=extract.sha256,
    )
    files = [f.name for f in extract.files]
    if existing is not None:
        return ImportResult(
            extract.kind,
            extract.la_code,
            extract.scope,
            "unchanged",
            existing,
            {},
            {"batches": [], "rows": {}},
            kept_findings,
            0.0,
            files,
        )
    batch_id = int(
        conn.execute(
            insert(batches)
            .values(
                la_code=extract.la_code,
                kind=extract.kind,
                scope=extract.scope,
                status="active",
                sha256=extract.sha256,
                files=[
                    {"name": f.name, "sha256": f.sha256, "bytes": f.bytes} for f in extract.files
                ],
                imported_at=datetime.now(UTC),
                imported_by=imported_by,
                as_of=extract.as_of,
                row_counts={},
                findings_summary=extract.findings.summary(),
                findings=[f.as_dict() for f in kept_findings],
                replaced={},
            )
            .returning(batches.c.batch_id)
        ).scalar_one()
    )
    replaced = writer.replace_previous(
        conn,
        la_code=extract.la_code,
        kind=extract.kind,
        scope=extract.scope,
        new_batch_id=batch_id,
    )
    extra = {ref for p in prepared.values() for ref in p.team_ids}
    frames, mapping = _resolve_teams(conn, extract, batch_id, extra)
    counts: dict[str, int] = {}
    tables = KIND_TABLES[extract.kind]
    for i, table in enumerate(tables):
        frame = frames.get(table.name)
        written = prepared.get(table.name)
        if frame is None and written is None:
            continue
        report(f"writing {table.name}", 0.3 + 0.7 * i / len(tables))
        if isinstance(written, ShardTable):
            counts[table.name] = copy_shard(
                conn, table, written, la_code=extract.la_code, batch_id=batch_id, mapping=mapping
            )
            continue
        if written is not None:
            if all(mapping[ref] == ref for ref in written.team_ids):
                counts[table.name] = writer.copy_encoded(conn, table, written, batch_id=batch_id)
                continue
            # Its team references resolve to other teams' ids: read back and mapped as a frame.
            frame = _map_teams(writer.decode_encoded(table, written), mapping)
        assert frame is not None
        counts[table.name] = writer.insert_frame(
            conn, table, frame, la_code=extract.la_code, batch_id=batch_id
        )
    merged = writer.merge_across_scopes(
        conn,
        la_code=extract.la_code,
        kind=extract.kind,
        scope=extract.scope,
        new_batch_id=batch_id,
    )
    if merged["older"]:
        replaced["superseded_earlier_years"] = merged["older"]
    if merged["newer"]:
        # Episodes a later year's return already holds: that return's version is kept.
        replaced["kept_from_later_years"] = merged["newer"]
        for name, n in merged["newer"].items():
            counts[name] -= n
    conn.execute(
        update(batches)
        .where(batches.c.batch_id == batch_id)
        .values(row_counts=counts, replaced=replaced)
    )
    return ImportResult(
        extract.kind,
        extract.la_code,
        extract.scope,
        "imported",
        batch_id,
        counts,
        replaced,
        kept_findings,
        0.0,
        files,
    )


def _resolve_teams(
    conn: Connection, extract: Extract, batch_id: int, extra: set[str]
) -> tuple[dict[str, pl.DataFrame], dict[str, str]]:
    """Give every team reference in the extract (its frames' and ``extra``) a stored team id,
    creating teams as needed. Returns the frames with their references resolved, and the
    mapping from each reference to its team id."""
    references: set[str] = set(extra)
    for frame in extract.frames.values():
        if "team_id" in frame.columns:
            references.update(frame.get_column("team_id").drop_nulls().unique().to_list())
    defined: list[tuple[str, str, str | None]] = []
    if extract.teams is not None and extract.teams.height:
        defined = [
            (str(r[0]), str(r[1] or r[0]), r[2])
            for r in extract.teams.select("team_id", "name", "parent_id").iter_rows()
        ]
    known = repositories.load_teams(conn, extract.la_code)
    resolution = resolve_teams(references, defined, known)
    writer.insert_teams(
        conn,
        [
            {
                "la_code": extract.la_code,
                "team_id": t.team_id,
                "name": t.name,
                "parent_id": t.parent_id,
                "team_type": t.team_type,
                "batch_id": batch_id,
            }
            for t in resolution.new
        ],
    )
    for old_id, new_id in resolution.renamed.items():
        writer.repoint_team(conn, la_code=extract.la_code, old_id=old_id, new_id=new_id)
    mapping = resolution.mapping
    return {name: _map_teams(frame, mapping) for name, frame in extract.frames.items()}, mapping


def _map_teams(frame: pl.DataFrame, mapping: dict[str, str]) -> pl.DataFrame:
    if "team_id" not in frame.columns:
        return frame
    return frame.with_columns(
        pl.col("team_id").replace_strict(mapping, default=None, return_dtype=pl.String)
    )


def _path_problem(spec: ReaderSpec, path: Path) -> str | None:
    if not path.exists():
        return f"{path} does not exist"
    if spec.takes == "folder" and not path.is_dir():
        return f"a {spec.kind} extract is a folder of CSV files, but {path} is a file"
    if spec.takes == "file" and path.is_dir():
        return f"a {spec.kind} extract is a single file, but {path} is a folder"
    return None


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
