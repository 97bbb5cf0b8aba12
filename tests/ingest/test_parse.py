"""Value parsers shared by the readers."""

from __future__ import annotations

import polars as pl
import pytest

from caseloads.ingest import parse


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("1", "M"),  # CIN census GenderCurrent / SSDA903 SEX: 1 male
        ("2", "F"),  # 2 female
        ("0", "U"),  # 0 not known
        ("9", "U"),  # 9 not specified
        ("m", "M"),  # CIN census Sex (2024 on) and SSD pers_sex letters, any case
        (" F ", "F"),
        ("U", "U"),
        ("I", "I"),  # SSD: indeterminate
        ("X", "X"),  # anything else kept as given
        (None, None),
    ],
)
def test_sex_has_one_spelling_for_every_source(given: str | None, stored: str | None) -> None:
    out = pl.select(parse.sex(pl.lit(given, dtype=pl.String))).item()
    assert out == stored
