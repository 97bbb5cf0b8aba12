"""What a reader hands to the import service: validated frames ready to store, plus findings."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from caseloads.ingest.findings import Findings


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file of an extract, identified by its content digest."""

    name: str
    sha256: str
    bytes: int

    @classmethod
    def of(cls, path: Path) -> SourceFile:
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        return cls(path.name, digest.hexdigest(), path.stat().st_size)


@dataclass(slots=True)
class Extract:
    """A read extract.

    ``frames`` maps a table name of :mod:`caseloads.store.tables` to a frame whose columns are that
    table's columns other than ``id``, ``la_code`` and ``batch_id`` (identifiers already hashed).
    Columns named ``team_id`` hold the team reference exactly as the file gave it (an id or a name);
    the import service resolves them against the authority's known teams. ``teams`` lists the teams
    the extract itself defines or mentions: ``team_id``, ``name``, ``parent_id`` (String columns).
    ``scope`` is what the extract is complete for within the authority ("" for everything of its
    kind, the census year for a CSWW return).
    """

    kind: str
    la_code: str
    files: list[SourceFile]
    findings: Findings
    frames: dict[str, pl.DataFrame] = field(default_factory=dict)
    teams: pl.DataFrame | None = None
    scope: str = ""
    as_of: date | None = None

    @property
    def sha256(self) -> str:
        """Digest of the sorted file digests: the same files give the same value."""
        joined = "\n".join(sorted(f.sha256 for f in self.files))
        return hashlib.sha256(joined.encode()).hexdigest()

    def row_counts(self) -> dict[str, int]:
        return {name: frame.height for name, frame in self.frames.items()}
