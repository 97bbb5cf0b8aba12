"""Generated councils shared by the synthetic-data tests: each size is generated once per session
(into a temporary directory) and read back from its files."""

from __future__ import annotations

import csv

import pytest
from tests.synthetic.synth_support import SPEC, TODAY, Generated, read_generated

from caseloads.synthetic.council import generate_council


@pytest.fixture(scope="session")
def council(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    out = tmp_path_factory.mktemp("council")
    return read_generated(generate_council(out, seed=1, size="council", today=TODAY))


@pytest.fixture(scope="session")
def small(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    out = tmp_path_factory.mktemp("small")
    return read_generated(generate_council(out, seed=1, size="small", today=TODAY))


@pytest.fixture(params=["small", "council"])
def generated(request: pytest.FixtureRequest) -> Generated:
    """Each size in turn, for properties both must have."""
    value: Generated = request.getfixturevalue(request.param)
    return value


@pytest.fixture(scope="session")
def spec_fields() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    with SPEC.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["table"], []).append(row["field"])
    return out
