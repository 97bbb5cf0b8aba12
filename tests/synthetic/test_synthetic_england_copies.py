"""The trimmed England files the realism tests read are exact copies of rows of the DfE files in
``shared/data`` (checked only where that folder sits beside the repository)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.synthetic.synth_support import ENGLAND, REPO

SHARED = REPO.parent / "shared" / "data"
SOURCES = {
    "lait_csc_indicators_long.csv": "dfe_lait",
}


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared/data is not beside the repository")
@pytest.mark.parametrize("copy", sorted(p.name for p in ENGLAND.glob("*.csv")))
def test_trimmed_copies_match_the_shared_files(copy: str) -> None:
    source = SHARED / SOURCES.get(copy, "dfe_csc_dashboard") / copy
    lines = (ENGLAND / copy).read_text("utf-8").splitlines()
    original = source.read_text("utf-8").splitlines()
    assert lines[0] == original[0]
    assert set(lines[1:]) <= set(original[1:])


def test_every_copy_has_data_rows() -> None:
    for path in ENGLAND.glob("*.csv"):
        assert len(Path(path).read_text("utf-8").splitlines()) >= 2, path.name
