"""The common path of a one-file CSV extract: load, parse, type; and the extract of a failed read.

Each step reports what it finds (sources.py, csv_io.py, schema.py); the reader then applies its
own cross-row rules (checks.py), hashes identifiers (identifiers.py) and shapes its frames
(targets.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from caseloads.ingest.csv_io import read_csv
from caseloads.ingest.extract import Extract, SourceFile
from caseloads.ingest.findings import Findings
from caseloads.ingest.schema import Schema, apply_schema
from caseloads.ingest.sources import load_file
from caseloads.ingest.targets import empty_frames, teams_frame


@dataclass(frozen=True, slots=True)
class Typed:
    """A CSV file read and typed by its schema (identifiers still raw)."""

    name: str
    frame: pl.DataFrame
    source: SourceFile


def read_typed_csv(
    path: Path, schema: Schema, *, max_file_bytes: int, findings: Findings
) -> Typed | None:
    loaded = load_file(path, max_file_bytes=max_file_bytes, findings=findings)
    if loaded is None:
        return None
    table = read_csv(loaded, schema.columns(), findings)
    if table is None:
        return None
    frame = apply_schema(table.frame, schema, file=table.name, findings=findings)
    return Typed(table.name, frame, table.source)


def unread_extract(
    kind: str, la_code: str, findings: Findings, files: Sequence[SourceFile] = ()
) -> Extract:
    """What a reader returns when its file could not be read: the findings and empty frames."""
    return Extract(
        kind=kind,
        la_code=la_code,
        files=list(files),
        findings=findings,
        frames=empty_frames(kind),
        teams=teams_frame(),
    )
