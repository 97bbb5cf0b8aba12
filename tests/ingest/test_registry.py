"""The reader registry (registry.py)."""

from __future__ import annotations

import inspect
from pathlib import Path

from tests.ingest.helpers import P, assert_shapes

from caseloads.ingest.extract import Extract
from caseloads.ingest.registry import READERS
from caseloads.store.tables import KIND_TABLES


def test_every_kind_has_a_reader() -> None:
    assert set(READERS) == {
        "ssd",
        "csww",
        "cin-census",
        "ssda903",
        "staff",
        "absences",
        "establishment",
        "pipeline",
        "agency",
        "price-caps",
        "reductions",
    }
    assert set(READERS) == set(KIND_TABLES)
    folders = {"ssd", "ssda903"}
    assert {k for k, s in READERS.items() if s.takes == "folder"} == folders
    assert {k for k, s in READERS.items() if s.takes_year} == {"ssda903"}
    # Returns whose authority comes from the file itself.
    assert {k for k, s in READERS.items() if not s.needs_la} == {"csww", "cin-census", "ssda903"}
    for kind, spec in READERS.items():
        assert spec.kind == kind and spec.description


def test_every_reader_has_the_same_signature() -> None:
    for spec in READERS.values():
        params = inspect.signature(spec.read).parameters
        common = ["path", "la_code", "pseudonymiser", "max_file_bytes"]
        assert list(params) == common + (["year"] if spec.takes_year else [])
        keyword = [inspect.Parameter.KEYWORD_ONLY] * (len(params) - 1)
        assert [p.kind for p in params.values()][1:] == keyword


def test_every_reader_turns_a_missing_path_into_a_finding(tmp_path: Path) -> None:
    for kind, spec in READERS.items():
        extract = spec.read(tmp_path / "absent", la_code="301", pseudonymiser=P, max_file_bytes=100)
        assert isinstance(extract, Extract)
        assert extract.kind == kind
        assert [f.rule for f in extract.findings] == ["file.missing"]
        assert_shapes(extract)
