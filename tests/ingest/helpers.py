"""Helpers for the ingest tests: fixtures are written in code, never stored."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import polars as pl

from caseloads.ingest.extract import Extract
from caseloads.ingest.findings import Finding
from caseloads.ingest.pseudonymise import Pseudonymiser
from caseloads.ingest.targets import TEAM_SCHEMA, kind_tables, target_schema

KEY = b"ingest-test-key-0123456789abcdef"
P = Pseudonymiser(KEY)
XML_SAMPLES = Path(__file__).parents[1] / "fixtures" / "xml_samples"
CSWW_SAMPLE = XML_SAMPLES / "csww_2022_sample.xml"


def write(folder: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = folder / name
    data = content if isinstance(content, bytes) else content.encode(encoding)
    path.write_bytes(data)
    return path


def csv(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def found(extract: Extract, rule: str, severity: str | None = None) -> list[Finding]:
    return [
        f
        for f in extract.findings
        if f.rule == rule and (severity is None or f.severity == severity)
    ]


def rules(extract: Extract) -> set[str]:
    return {f.rule for f in extract.findings}


def assert_clean(extract: Extract, *, warnings: bool = False) -> None:
    """No errors (and, unless ``warnings``, no warnings either)."""
    shown = [str(f) for f in extract.findings if warnings is False or f.severity == "error"]
    assert not shown, "\n".join(shown)


def assert_shapes(extract: Extract) -> None:
    """Every frame of the kind is present with exactly its table's columns and types."""
    assert set(extract.frames) == set(kind_tables(extract.kind))
    for table, frame in extract.frames.items():
        assert dict(frame.schema) == target_schema(table), table
    assert extract.teams is not None
    assert dict(extract.teams.schema) == TEAM_SCHEMA


def text_values(extract: Extract) -> set[str]:
    """Every string in every frame, the teams, and the findings' values and messages."""
    values: set[str] = set()
    frames: list[pl.DataFrame] = [*extract.frames.values()]
    if extract.teams is not None:
        frames.append(extract.teams)
    for frame in frames:
        for name, dtype in frame.schema.items():
            if dtype == pl.String:
                values.update(v for v in frame.get_column(name).drop_nulls().to_list())
    for f in extract.findings:
        values.update(v for v in (f.value, f.message) if v)
    return values


def assert_no_raw(extract: Extract, raw: Iterable[str]) -> None:
    """No raw identifier appears in any string column of any frame, nor in any finding."""
    values = text_values(extract)
    for identifier in raw:
        leaked = [v for v in values if identifier in v]
        assert not leaked, f"{identifier!r} appears in {leaked[:3]}"
