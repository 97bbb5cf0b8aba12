"""Writing the extracts: CSV (UTF-8, comma-separated, header row, ``\\n`` line ends, empty cell for
a missing value), XML and the JSON manifest, byte-for-byte the same on every machine."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import polars as pl

from caseloads.synthetic.dates import StrArray


def write_csv(path: Path, columns: Sequence[str], table: Mapping[str, StrArray]) -> int:
    """Write ``table`` with exactly ``columns`` in that order; returns the number of data rows."""
    n = len(table[columns[0]]) if columns else 0
    data = {}
    for name in columns:
        values = np.asarray(table[name], dtype=str)
        if values.size != n:
            raise ValueError(f"{path.name}: column {name} has {values.size} rows, expected {n}")
        data[name] = pl.Series(name, values.tolist(), dtype=pl.String)
    frame = pl.DataFrame(data, schema=dict.fromkeys(columns, pl.String))
    # Empty strings become nulls so they are written as empty cells, not as "".
    frame = frame.with_columns(
        [pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in columns]
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_csv(path, line_terminator="\n", include_header=True, quote_style="necessary")
    return n


def write_text(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 with ``\\n`` line ends."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def write_json(path: Path, value: Mapping[str, object]) -> None:
    """Write ``value`` as sorted, indented JSON with a final newline."""
    write_text(path, json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
